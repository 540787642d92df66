"""A local HTTP server standing in for the Census Bureau and LEHD file servers.

``FileServer`` serves bytes by URL path on 127.0.0.1 (a free port, in a
thread), answers ``Range`` requests (``206``, ``If-Range``, ``416``) like the
real servers, records every request and can misbehave on demand, once per
queued fault::

    with FileServer(census_site(2021)) as server:
        server.fail(path, "cut", "500")     # next request cut mid-way, the one after: 500
        ...
        server.hits_for(path)               # requests received for path

Faults: ``cut`` (headers announce the whole length, half the body is sent,
connection closed), ``500``/``503`` (with ``Retry-After: 0``), ``404``,
``reset`` (connection reset without an answer), ``corrupt`` (bytes flipped
in the middle, same length), ``stall`` (headers, then silence for
``stall_seconds``), ``hold`` (headers, then nothing until :meth:`FileServer.release`
is called: a download that lasts as long as a test needs), ``ignore-range`` (a ``200`` with
the whole file even if a range was asked).

:func:`census_site` builds small files in the published formats, laid out
under the real folder structure (prefixes below); :func:`source_env` gives the
``VALLEYMAPS_<SOURCE>_URL`` variables pointing at a running server. Files are
made in code (geopandas for the shapefile), never downloaded.

Test modules import it as the top-level module ``fetch_server`` (``tests/conftest.py``
puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import io
import re
import socket
import struct
import tempfile
import threading
import time
import zipfile
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lodes_files import area_file_bytes, write_delineation_xlsx
from qcew_files import QCEW_PREFIX, qcew_site

FAULTS: tuple[str, ...] = (
    "cut", "500", "503", "404", "reset", "corrupt", "stall", "hold", "ignore-range",
)  # fmt: skip

#: Folders of each source on the real hosts (below the host name).
TIGER_PREFIX = "/geo/tiger"
CBP_PREFIX = "/programs-surveys/cbp/datasets"
LODES_PREFIX = "/data/lodes"
ACS_FLOWS_PREFIX = "/programs-surveys/demo/tables/metro-micro"
METROS_PREFIX = "/programs-surveys/metro-micro/geographies/reference-files"
BEA_PREFIX = "/industry/xls/io-annual"

_LAST_MODIFIED = formatdate(1_650_000_000, usegmt=True)


@dataclass(frozen=True)
class Hit:
    """One request the server received."""

    method: str
    path: str
    range: str | None
    status: int
    fault: str | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: FileServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that hang up (cut, stall faults) are expected; keep test output clean
        return


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, *, head: bool) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        fault = owner._next_fault(path)
        range_header = self.headers.get("Range")
        data = owner.files.get(path)
        self.close_connection = True

        def record(status: int) -> None:
            owner._record(Hit(self.command, path, range_header, status, fault))

        if fault == "reset":
            record(0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        # record before answering: the client may check the hits as soon as it has the answer
        if data is None or fault == "404":
            record(404)
            self._empty(404, "Not Found")
            return
        if fault in ("500", "503"):
            record(int(fault))
            self._empty(int(fault), "Server Error", {"Retry-After": "0"})
            return
        body = corrupt(data) if fault == "corrupt" else data
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        status, start, end = 200, 0, len(body) - 1
        if range_header and fault != "ignore-range":
            if_range = self.headers.get("If-Range")
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header.strip())
            if match and (if_range is None or if_range in (etag, _LAST_MODIFIED)):
                start = int(match[1])
                end = min(int(match[2]), len(body) - 1) if match[2] else len(body) - 1
                if start >= len(body):
                    record(416)
                    self._empty(416, "Range Not Satisfiable",
                                {"Content-Range": f"bytes */{len(body)}"})
                    return
                status = 206
        payload = body[start : end + 1]
        record(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", _LAST_MODIFIED)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Connection", "close")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
        self.end_headers()
        if head:
            return
        with contextlib.suppress(OSError):
            if fault == "cut":
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                return
            if fault == "stall":
                self.wfile.flush()
                time.sleep(owner.stall_seconds)
            if fault == "hold":
                self.wfile.flush()
                owner._released.wait(timeout=60)
            self.wfile.write(payload)

    def _empty(self, status: int, reason: str, headers: Mapping[str, str] | None = None) -> None:
        body = f"{status} {reason}\n".encode()
        self.send_response(status, reason)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):
            if self.command != "HEAD":
                self.wfile.write(body)


class FileServer:
    """Serve ``files`` (URL path -> bytes) on 127.0.0.1 from a background thread.

    Parameters
    ----------
    files
        URL paths (starting with ``/``) and their content.
    stall_seconds
        How long a ``stall`` fault keeps silent.
    """

    def __init__(self, files: Mapping[str, bytes] | None = None, *, stall_seconds: float = 0.5):
        self.files: dict[str, bytes] = dict(files or {})
        self.stall_seconds = stall_seconds
        self.hits: list[Hit] = []
        self._faults: dict[str, deque[str]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- control ------------------------------------------------------------------------
    def fail(self, path: str, *faults: str) -> None:
        """Queue ``faults`` for the next requests of ``path`` (one fault per request)."""
        unknown = [f for f in faults if f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown faults {unknown}; use {FAULTS}")
        with self._lock:
            self._faults[path].extend(faults)

    def release(self) -> None:
        """Let ``hold`` answers send their body (this one and later ones)."""
        self._released.set()

    def hits_for(self, path: str | None = None) -> list[Hit]:
        """Requests received (for ``path``, or all)."""
        with self._lock:
            return [h for h in self.hits if path is None or h.path == path]

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def _next_fault(self, path: str) -> str | None:
        with self._lock:
            queue = self._faults.get(path)
            return queue.popleft() if queue else None

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    # --- lifecycle ----------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + path

    def start(self) -> FileServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 with nothing listening (for 'connection refused' tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def corrupt(data: bytes) -> bytes:
    """``data`` with a window of bytes in its middle inverted (same length)."""
    out = bytearray(data)
    start = len(out) // 3
    for i in range(start, min(len(out), start + 64)):
        out[i] ^= 0xFF
    return bytes(out)


# --- files in the published formats ---------------------------------------------------------

#: Tracts of the fixture: three in the region (Fresno, Kern, Tulare), one outside (Alameda).
TRACTS: tuple[tuple[str, float, float], ...] = (
    ("06019000100", -119.80, 36.74),
    ("06019000200", -119.78, 36.74),
    ("06029000100", -119.02, 35.37),
    ("06001400100", -122.24, 37.86),
)


def _zip_bytes(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(2022, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def _gzip_bytes(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), mtime=0)


@functools.cache
def tract_zip(year: int, state: str = "06", kind: str = "cb") -> bytes:
    """A zipped tract shapefile like ``cb_2021_06_tract_500k.zip`` / ``tl_2021_06_tract.zip``."""
    import geopandas as gpd
    from shapely.geometry import box

    rows: list[dict[str, Any]] = []
    geoms = []
    for geoid, lon, lat in TRACTS:
        st, co, tr = geoid[:2], geoid[2:5], geoid[5:]
        if st != state:
            continue
        name = str(int(tr[:4])) if tr[4:] == "00" else f"{int(tr[:4])}.{tr[4:]}"
        common = {"STATEFP": st, "COUNTYFP": co, "TRACTCE": tr, "GEOID": geoid, "NAME": name,
                  "NAMELSAD": f"Census Tract {name}"}
        if kind == "tiger":
            rows.append({**common, "MTFCC": "G5020", "FUNCSTAT": "S", "ALAND": 1_000_000,
                         "AWATER": 0, "INTPTLAT": f"+{lat:.7f}", "INTPTLON": f"{lon:.7f}"})
        else:
            rows.append({**common, "AFFGEOID": f"1400000US{geoid}", "STUSPS": "CA",
                         "NAMELSADCO": "County", "STATE_NAME": "California", "LSAD": "CT",
                         "ALAND": 1_000_000, "AWATER": 0})
        geoms.append(box(lon, lat, lon + 0.01, lat + 0.01))
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4269")
    stem = f"tl_{year}_{state}_tract" if kind == "tiger" else f"cb_{year}_{state}_tract_500k"
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / f"{stem}.shp"
        gdf.to_file(shp, driver="ESRI Shapefile", engine="pyogrio")
        members = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir())}
    return _zip_bytes(members)


_CBP_SIZE_COLUMNS = '"n<5","n5_9","n10_19","n20_49","n50_99","n100_249","n250_499","n500_999","n1000"'


@functools.cache
def cbp_county_zip(year: int) -> bytes:
    """A zipped CBP county file ``cbpYYco.txt`` (2017+ layout), a few counties of two states."""
    header = ('"fipstate","fipscty","naics","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est",'
              + _CBP_SIZE_COLUMNS)
    sizes = ',"N","N","N","N","N","N","N","N","N"'
    lines = [
        header,
        f'"01","001","------","G",11216,"G",97944,"G",424826,924{sizes}',
        f'"06","019","------","G",354210,"G",4000000,"G",16000000,22000{sizes}',
        f'"06","019","11----","G",5400,"G",60000,"G",240000,300{sizes}',
        f'"06","019","311///","H",12000,"H",150000,"H",600000,150{sizes}',
        f'"06","019","3113//","D",0,"D",0,"D",0,4{sizes}',
        f'"06","029","------","G",250000,"G",3500000,"G",14000000,15000{sizes}',
        f'"06","029","211///","G",8000,"G",200000,"G",800000,90{sizes}',
        f'"06","999","------","G",1200,"G",20000,"G",80000,60{sizes}',
    ]
    yy = f"{year % 100:02d}"
    return _zip_bytes({f"cbp{yy}co.txt": ("\n".join(lines) + "\n").encode()})


@functools.cache
def cbp_state_zip(year: int) -> bytes:
    """A zipped CBP state file ``cbpYYst.txt`` with its legal-form (``lfo``) rows."""
    header = ('"fipstate","naics","lfo","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est",'
              + _CBP_SIZE_COLUMNS)
    sizes = ',"N","N","N","N","N","N","N","N","N"'
    lines = [
        header,
        f'"06","------","-","G",15000000,"G",250000000,"G",1000000000,900000{sizes}',
        f'"06","------","C","G",9000000,"G",150000000,"G",600000000,300000{sizes}',
        f'"06","11----","-","G",40000,"G",500000,"G",2000000,3000{sizes}',
        f'"06","211///","-","G",20000,"G",600000,"G",2400000,400{sizes}',
        f'"06","311///","-","G",160000,"G",2000000,"G",8000000,6000{sizes}',
        f'"01","------","-","G",1600000,"G",20000000,"G",80000000,90000{sizes}',
    ]
    yy = f"{year % 100:02d}"
    return _zip_bytes({f"cbp{yy}st.txt": ("\n".join(lines) + "\n").encode()})


#: Blocks of the WAC fixture and their jobs by sector (CNS01..CNS20).
WAC_BLOCKS: tuple[tuple[str, dict[int, int]], ...] = (
    ("060190001001000", {1: 40, 5: 10, 9: 5}),
    ("060190001001001", {1: 20, 16: 30}),
    ("060290001001000", {2: 70, 4: 5}),
    ("060014001001000", {12: 100}),
)

#: Blocks of the RAC fixture and their employed residents by column: Fresno 2 + 5 = 7 (4 earning
#: more than $3,333 a month, SE03), Kern 9, Alameda 10 (outside the region). The OD fixture has
#: only 5 of the region's residents (Fresno 2, Kern 3): the RAC counts every job.
RAC_BLOCKS: dict[str, dict[str, int]] = {
    "060190001001001": {"CNS01": 2, "CE03": 1, "CA02": 2},
    "060190002001000": {"CNS09": 4, "CNS16": 1, "CE03": 3, "CA02": 5},
    "060290001001000": {"CNS05": 3, "CNS12": 6, "CE03": 2, "CA02": 9},
    "060014001001000": {"CNS12": 10, "CE03": 10, "CA02": 10},
}


@functools.cache
def lodes_wac_gz(state: str = "ca", year: int = 2021) -> bytes:
    """A gzip LODES WAC file like ``ca_wac_S000_JT00_2021.csv.gz``."""
    blocks = {}
    for block, sectors in WAC_BLOCKS:
        total = sum(sectors.values())
        blocks[block] = {**{f"CNS{i:02d}": n for i, n in sectors.items()},
                         **dict.fromkeys(("CA01", "CE01", "CR01", "CT01", "CD01", "CS01"), total)}
    return area_file_bytes("wac", blocks)


@functools.cache
def lodes_rac_gz(state: str = "ca", year: int = 2021) -> bytes:
    """A gzip LODES RAC file like ``ca_rac_S000_JT00_2021.csv.gz`` (:data:`RAC_BLOCKS`)."""
    return area_file_bytes("rac", RAC_BLOCKS)


@functools.cache
def delineation_xlsx(year: int = 2023) -> bytes:
    """``list1_<year>.xlsx`` of the CBSA delineation files, laid out as published (title rows,
    header, counties of a few real areas, among them Clark County, NV, home of the OD fixture's
    out-of-state commuter, footnotes)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_delineation_xlsx(Path(tmp) / f"list1_{year}.xlsx", edition=f"July {year}")
        return path.read_bytes()


OD_COLUMNS: tuple[str, ...] = (
    "w_geocode", "h_geocode", "S000", "SA01", "SA02", "SA03", "SE01", "SE02", "SE03",
    "SI01", "SI02", "SI03", "createdate",
)  # fmt: skip


@functools.cache
def lodes_od_gz(state: str = "ca", year: int = 2021, part: str = "main") -> bytes:
    """A gzip LODES OD file like ``ca_od_main_JT00_2021.csv.gz`` (aux: homes out of state)."""
    home_other = "320030001001000"  # Clark County, NV
    pairs = (
        [("060190001001000", "060290001001000", 3), ("060290001001000", "060190001001001", 2)]
        if part == "main"
        else [("060190001001000", home_other, 1)]
    )
    lines = [",".join(OD_COLUMNS)]
    for work, home, n in pairs:
        lines.append(f"{work},{home},{n},{n},0,0,{n},0,0,0,{n},0,20230321")
    return _gzip_bytes("\n".join(lines) + "\n")


#: Flows of the ACS fixture: (home state, home county, work state, work county, workers, moe);
#: work places abroad have a state code from 100 up and no county.
ACS_FLOWS: tuple[tuple[str, str, str, str, int, int], ...] = (
    ("06", "019", "006", "019", 380000, 3000),
    ("06", "019", "006", "029", 2500, 400),
    ("06", "019", "301", "", 35, 28),  # Canada
    ("06", "029", "006", "029", 340000, 2800),
    ("06", "029", "006", "019", 1800, 300),
    ("06", "029", "166", "", 20, 18),  # Europe
)

#: Layout of each edition: title rows above the two header rows, footnote rows, and whether the
#: codes, workers and margin come before the names (2006-2010) or each end's names follow its codes.
ACS_LAYOUTS: dict[int, tuple[int, int, bool]] = {2010: (3, 3, True), 2013: (5, 3, False),
                                                 2015: (5, 2, False), 2020: (6, 4, False)}

#: Where the 2009-2013 table is published: outside the metro-micro folder of the other editions.
ACS_FLOWS_2013_PATH = "/programs-surveys/commuting/tables/time-series/commuting-flows/table1.xlsx"

_PLACE_NAMES = {"06": "California", "019": "Fresno County", "029": "Kern County",
                "301": "Canada", "303": "Mexico", "166": "Europe"}


def acs_flows_rows(year: int = 2020, flows: Sequence[Sequence[Any]] = ACS_FLOWS, *,
                   numeric_code_rows: Sequence[int] = (0,)) -> list[list[Any]]:
    """The cells of ACS ``table1.xlsx`` of the period ending ``year`` (see :data:`ACS_LAYOUTS`),
    row by row. The residence county code of the data rows ``numeric_code_rows`` (0-based) is
    a number (``19`` for ``019``), as Excel keeps a code typed in by hand. Spreadsheet row of
    data row ``i``: ``titles + 3 + i``."""
    titles, footnotes, codes_first = ACS_LAYOUTS[year]
    period = f"{year - 4}-{year}"
    text = [f"Table 1. Residence County to Workplace County Commuting Flows for the United States "
            f"and Puerto Rico Sorted by Residence Geography: 5-Year ACS, {period}",
            "Universe: Workers 16 years and over.",
            "Commuting flows are sorted by residence state, residence county, workplace state, and "
            "workplace county."]
    rows: list[list[Any]] = [[t] for t in text[:titles]] + [[None]] * max(0, titles - len(text))
    codes = ["State FIPS Code", "County FIPS Code"]
    names = ["State Name", "County Name"]
    measures = ["Workers in Commuting Flow", "Margin of Error"]
    if codes_first:
        rows.append(["Residence", None, "Place of Work", None, "Commuting Flow", None,
                     "Residence", None, "Place of Work", None])
        rows.append(codes + codes + measures + names + names)
    else:
        rows.append(["Residence", None, None, None, "Place of Work", None, None, None,
                     "Commuting Flow", None])
        rows.append(codes + names + codes + names + measures)
    for i, (hs, hc, ws, wc, workers, moe) in enumerate(flows):
        home_names = [_PLACE_NAMES.get(str(hs).zfill(2), ""), _PLACE_NAMES.get(str(hc), "")]
        abroad = str(ws) in _PLACE_NAMES
        work_names = ([_PLACE_NAMES[str(ws)], None] if abroad
                      else [_PLACE_NAMES.get(str(ws)[-2:], ""), _PLACE_NAMES.get(str(wc), "")])
        home = [hs, int(hc) if i in numeric_code_rows and str(hc).isdigit() else hc]
        work = [ws, wc or None]
        if codes_first:
            rows.append(home + work + [workers, moe] + home_names + work_names)
        else:
            rows.append(home + home_names + work + work_names + [workers, moe])
    notes = ["Footnotes:", "This table uses county equivalents.",
             "Source: U.S. Census Bureau, American Community Survey.",
             "Data are based on a sample and are subject to sampling variability."]
    return rows + [[note] for note in notes[:footnotes]]


def xlsx_bytes(rows: Sequence[Sequence[Any]], sheet: str = "Table 1") -> bytes:
    """A one-sheet workbook (openpyxl) holding ``rows``."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@functools.cache
def acs_flows_xlsx(year: int = 2020) -> bytes:
    """ACS ``table1.xlsx`` of the period ending ``year``, laid out like the published table."""
    return xlsx_bytes(acs_flows_rows(year))


def census_site(year: int = 2021, *, state: str = "06", st: str = "ca") -> dict[str, bytes]:
    """The files of one year, at their paths on the real servers.

    Tracts (both kinds), CBP county and state files, the QCEW annual area slices of the
    Valley's counties, the state and the nation, LODES8 WAC, RAC and OD (main, aux), the ACS
    flows tables (2016-2020, 2011-2015 and 2009-2013) and the 2023 CBSA delineation file.
    """
    from valleymaps.settings import VALLEY_COUNTIES

    yy = f"{year % 100:02d}"
    return {
        **qcew_site([year], list(VALLEY_COUNTIES), state=state),
        f"{TIGER_PREFIX}/GENZ{year}/shp/cb_{year}_{state}_tract_500k.zip": tract_zip(year, state, "cb"),
        f"{TIGER_PREFIX}/TIGER{year}/TRACT/tl_{year}_{state}_tract.zip": tract_zip(year, state, "tiger"),
        f"{CBP_PREFIX}/{year}/cbp{yy}co.zip": cbp_county_zip(year),
        f"{CBP_PREFIX}/{year}/cbp{yy}st.zip": cbp_state_zip(year),
        f"{LODES_PREFIX}/LODES8/{st}/wac/{st}_wac_S000_JT00_{year}.csv.gz": lodes_wac_gz(st, year),
        f"{LODES_PREFIX}/LODES8/{st}/rac/{st}_rac_S000_JT00_{year}.csv.gz": lodes_rac_gz(st, year),
        f"{LODES_PREFIX}/LODES8/{st}/od/{st}_od_main_JT00_{year}.csv.gz": lodes_od_gz(st, year, "main"),
        f"{LODES_PREFIX}/LODES8/{st}/od/{st}_od_aux_JT00_{year}.csv.gz": lodes_od_gz(st, year, "aux"),
        f"{ACS_FLOWS_PREFIX}/2020/commuting-flows-2020/table1.xlsx": acs_flows_xlsx(2020),
        f"{ACS_FLOWS_PREFIX}/2015/commuting-flows-2015/table1.xlsx": acs_flows_xlsx(2015),
        ACS_FLOWS_2013_PATH: acs_flows_xlsx(2013),
        f"{METROS_PREFIX}/2023/delineation-files/list1_2023.xlsx": delineation_xlsx(2023),
    }  # fmt: skip


def bea_site() -> dict[str, bytes]:
    """The BEA's three detail input-output workbooks (small economy, published layout) at their
    paths on apps.bea.gov (see ``bea_files``)."""
    from bea_files import bea_workbook_bytes

    return {f"{BEA_PREFIX}/{name}": data for name, data in bea_workbook_bytes().items()}


def source_env(server: FileServer) -> dict[str, str]:
    """``VALLEYMAPS_<SOURCE>_URL`` variables pointing every source at ``server``."""
    return {
        "VALLEYMAPS_TIGER_URL": server.url + TIGER_PREFIX,
        "VALLEYMAPS_CBP_URL": server.url + CBP_PREFIX,
        "VALLEYMAPS_LODES_URL": server.url + LODES_PREFIX,
        "VALLEYMAPS_ACS_FLOWS_URL": server.url + ACS_FLOWS_PREFIX,
        "VALLEYMAPS_METROS_URL": server.url + METROS_PREFIX,
        "VALLEYMAPS_BEA_URL": server.url + BEA_PREFIX,
        "VALLEYMAPS_QCEW_URL": server.url + QCEW_PREFIX,
    }


#: Proxy variables that would send 127.0.0.1 requests elsewhere; tests remove them.
PROXY_VARIABLES: tuple[str, ...] = (
    "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
)  # fmt: skip


def make_workspace(root: Path) -> Any:
    """A workspace at ``root``: ``init_workspace`` when the bundled data are installed, else the
    minimum (the repository's ``valleymaps.toml`` and the data folders)."""
    from valleymaps.errors import WorkspaceError
    from valleymaps.workspace import CONFIG_NAME, Workspace, init_workspace

    try:
        return init_workspace(root)
    except WorkspaceError:
        root.mkdir(parents=True, exist_ok=True)
        config = Path(__file__).resolve().parents[1] / CONFIG_NAME
        (root / CONFIG_NAME).write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
        ws = Workspace.open(root)
        ws.ensure_dirs()
        return ws
