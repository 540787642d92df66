"""LEHD LODES origin-destination files, read in one streaming pass.

An OD file (``ca_od_main_JT00_2021.csv.gz``: state, part, job type, year; LODES 7 and 8 share
the layout) has one row per pair of census blocks:

* ``w_geocode``, ``h_geocode``: work and home block GEOIDs, 15 digits *as text*. A file re-saved
  by a spreadsheet or read as numbers has lost the leading zero of California's ``06``: that is
  refused with the column and the fix, never padded back.
* ``S000``: all jobs of the pair; ``SA01``-``SA03`` by age, ``SE01``-``SE03`` by monthly
  earnings (``SE03``, more than $3,333 a month, is the "skilled" proxy), ``SI01``-``SI03`` by
  industry group; ``createdate``.

The ``main`` part has workers who live and work in the state; ``aux`` those who work in the state
and live in another one. Read both (and other states' ``aux`` files for residents working
elsewhere) to see every worker.

Blocks are summed by GEOID prefix into county pairs (all of them) and pairs at a finer level
(tract by default), optionally only pairs with an end in the region's counties. The file is
decompressed in a background thread (ISA-L) while a small compiled loop (``_odscan.c``, built
when the package is installed) parses each chunk and sums it by pairs; nothing per row
outlives its chunk, so memory depends on the number of pairs, not on the size of the file.
Where it could not be built a pure-Python engine (pyarrow's CSV reader and numpy) does the
same, more slowly, and says so once.

>>> import gzip, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ca_od_main_JT00_2021.csv.gz"
>>> rows = ["w_geocode,h_geocode,S000,SA01,SA02,SA03,SE01,SE02,SE03,SI01,SI02,SI03,createdate",
...         "060190001001000,060190001001001,3,1,1,1,0,1,2,0,1,2,20230321",
...         "060190001001000,060290005001002,2,0,2,0,0,0,2,0,0,2,20230321"]
>>> _ = p.write_bytes(gzip.compress(("\\n".join(rows) + "\\n").encode()))
>>> agg = read_lodes_od(p)
>>> agg.county[["h_geoid", "w_geoid", "workers", "SE03"]].values.tolist()
[['06019', '06019', 3, 2], ['06029', '06019', 2, 2]]
"""

from __future__ import annotations

import ctypes
import dataclasses
import io
import logging
import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from valleymaps.compute.executor import Executor
from valleymaps.errors import DataSourceError, FieldError, Problem, ValidationError
from valleymaps.io.flows import _odscan as k
from valleymaps.io.flows._odscan import ptr
from valleymaps.io.text_encoding import detect_encoding, is_wide_unicode

log = logging.getLogger(__name__)

FORMAT = "lodes-od"

W_COLUMN = "w_geocode"
H_COLUMN = "h_geocode"
TOTAL_COLUMN = "S000"
#: Segment columns: age, monthly earnings, industry group.
SEGMENT_COLUMNS: tuple[str, ...] = (
    "SA01", "SA02", "SA03", "SE01", "SE02", "SE03", "SI01", "SI02", "SI03",
)  # fmt: skip
COUNT_COLUMNS: tuple[str, ...] = (TOTAL_COLUMN, *SEGMENT_COLUMNS)

#: Job types of LODES file names.
JOB_TYPES: dict[str, str] = {
    "JT00": "all jobs",
    "JT01": "primary jobs",
    "JT02": "all private jobs",
    "JT03": "private primary jobs",
    "JT04": "all federal jobs",
    "JT05": "federal primary jobs",
}

#: Levels blocks can be summed to, by GEOID prefix length.
LEVELS: dict[str, int] = {"county": 5, "tract": 11, "block_group": 12}

#: ``ca_od_main_JT00_2021.csv.gz`` -> state, part, job type, year.
NAME_PATTERN = re.compile(
    r"^(?P<state>[a-z]{2})_od_(?P<part>main|aux)_(?P<job_type>JT0[0-5])_(?P<year>\d{4})"
    r"(?:[._-][^.]*)?\.csv(?:\.gz)?$",
    re.IGNORECASE,
)

#: Bytes decompressed per step (plus the partial line carried over).
CHUNK_BYTES = 8 << 20

#: Most row problems gathered before reading stops.
MAX_PROBLEMS = 50

_GZIP_MAGIC = b"\x1f\x8b"
_NUMBER_FIX = (
    "Block GEOIDs are 15-character text with leading zeros. The file was probably saved from a "
    "spreadsheet or read as numbers: use the file as published by LEHD "
    "(https://lehd.ces.census.gov/data/), or format the column as text padded to 15 digits "
    "before saving it."
)


@dataclass(frozen=True)
class OdFileInfo:
    """One OD file read: what its name says and what it held."""

    path: Path
    state: str | None
    part: str | None
    job_type: str | None
    year: int | None
    rows: int
    workers: int


@dataclass
class OdAggregate:
    """Workers of LODES OD files summed by pairs of places.

    Attributes
    ----------
    county
        Every county pair: ``h_geoid`` (home), ``w_geoid`` (work), ``workers`` (S000) and the
        segment columns, GEOIDs as 5-character text.
    detail
        Pairs at ``detail_level`` (GEOIDs of that length); only pairs with an end in
        ``detail_counties`` when those were given.
    detail_level
        ``"tract"``, ``"block_group"`` or ``"county"``.
    files
        What each file held.
    detail_counties
        County GEOIDs the detail pairs were limited to, or None.
    """

    county: pd.DataFrame
    detail: pd.DataFrame
    detail_level: str
    files: list[OdFileInfo] = field(default_factory=list)
    detail_counties: tuple[str, ...] | None = None

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def workers(self) -> int:
        return sum(f.workers for f in self.files)

    @property
    def year(self) -> int | None:
        years = {f.year for f in self.files if f.year is not None}
        return years.pop() if len(years) == 1 else None

    @property
    def job_type(self) -> str | None:
        types = {f.job_type for f in self.files if f.job_type is not None}
        return types.pop() if len(types) == 1 else None

#: What to do about a count that is not a whole number (inf, 1e400, nan, 2.5, text).
_COUNT_FIX = "LODES counts are whole numbers of jobs (0 or more): use the file as published"


def parse_od_name(path: str | os.PathLike[str]) -> dict[str, str] | None:
    """State, part, job type and year from a LODES OD file name, or None.

    >>> parse_od_name("ca_od_aux_JT01_2019.csv.gz")
    {'state': 'ca', 'part': 'aux', 'job_type': 'JT01', 'year': '2019'}
    """
    m = NAME_PATTERN.match(Path(path).name)
    if m is None:
        return None
    return {"state": m["state"].lower(), "part": m["part"].lower(), "job_type": m["job_type"].upper(),
            "year": m["year"]}


def is_lodes_od_header(columns: Collection[str]) -> bool:
    """True when ``columns`` look like a LODES OD file."""
    lower = {c.strip().lower() for c in columns}
    return {W_COLUMN, H_COLUMN} <= lower


def _open_binary(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """Open ``path`` for reading bytes: (reader, the raw file whose position tells progress).

    Gzip is decompressed in a background thread (ISA-L) when possible.
    """
    if not path.exists():
        raise DataSourceError(f"{path} does not exist. Check the file name and folder.")
    if path.is_dir():
        raise DataSourceError(f"{path} is a folder; pass the .csv.gz file inside it.")
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    head = raw.read(4096)
    magic = head[:2]
    raw.seek(0)
    declared = detect_encoding(head)
    if is_wide_unicode(declared):
        raw.close()
        raise DataSourceError(
            f"{path} is {str(declared).upper()} text; LODES files are plain ASCII CSV (usually "
            ".csv.gz). Download it again, or save it as CSV UTF-8."
        )
    if magic != _GZIP_MAGIC:
        return raw, raw
    try:
        from isal import igzip_threaded

        return igzip_threaded.open(raw, "rb", threads=1), raw
    except ImportError:  # pragma: no cover - isal is a dependency; stdlib as a fallback
        import gzip

        return gzip.open(raw, "rb"), raw  # type: ignore[return-value]


class _PairTable:
    """A growable hash table of (work key, home key) -> sums (arrays for the compiled loop)."""

    def __init__(self, ncount: int, capacity: int = 1 << 16):
        self.slots = np.full(capacity * 2, -1, dtype=np.int64)
        self.keys = np.zeros((capacity, 2), dtype=np.int64)
        self.sums = np.zeros((capacity, ncount), dtype=np.int64)
        self.n = np.zeros(1, dtype=np.int64)

    def make_room(self, lib: ctypes.CDLL, more: int) -> None:
        """Grow the table (and rebuild its index) until ``more`` new pairs fit."""
        n = int(self.n[0])
        if n + more < self.keys.shape[0]:
            return
        while n + more >= self.keys.shape[0]:
            self.keys = _grown(self.keys, n)
            self.sums = _grown(self.sums, n)
        self.slots = np.full(self.keys.shape[0] * 2, -1, dtype=np.int64)
        lib.od_rehash(ptr(self.slots), len(self.slots), ptr(self.keys), n)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        n = int(self.n[0])
        return self.keys[:n], self.sums[:n]


#: Rows of one block of the detail output (blocks are never copied to grow).
BLOCK_ROWS = 1 << 20


class _Block:
    """One block of detail output: work keys, home keys and one array per count column."""

    def __init__(self, ncount: int, capacity: int):
        self.w = np.empty(capacity, dtype=np.int64)
        self.h = np.empty(capacity, dtype=np.int64)
        self.cols: list[np.ndarray | None] = [np.empty(capacity, dtype=np.int32) for _ in range(ncount)]
        self.ptrs = np.array([c.ctypes.data for c in self.cols if c is not None], dtype=np.uint64)
        self.n = np.zeros(1, dtype=np.int64)
        self.capacity = capacity


@dataclass
class _Pairs:
    """Summed pairs: work and home keys, and the sums as a (columns, pairs) array."""

    w: np.ndarray
    h: np.ndarray
    sums: np.ndarray

    @classmethod
    def from_rows(cls, keys: np.ndarray, sums: np.ndarray, ncount: int) -> _Pairs:
        """From (pairs, 2) keys and (pairs, columns) sums."""
        if len(keys) == 0:
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((ncount, 0), sums.dtype))
        return cls(np.ascontiguousarray(keys[:, 0]), np.ascontiguousarray(keys[:, 1]),
                   np.ascontiguousarray(sums.T))


class _RunOutput:
    """Detail pairs: the current work place's run table and the blocks it is flushed to."""

    def __init__(self, ncount: int, *, run_capacity: int = 1 << 14):
        self.run = np.array([-1, 0, -1, 0], dtype=np.int64)
        assert self.run.shape[0] == k.N_RUN
        self.lslots = np.full(run_capacity * 2, -1, dtype=np.int64)
        self.lkeys = np.zeros(run_capacity, dtype=np.int64)
        self.lsums = np.zeros((run_capacity, ncount), dtype=np.int64)
        self.lpos = np.zeros(run_capacity, dtype=np.int64)
        self.ncount = ncount
        self.blocks = [_Block(ncount, 1 << 16)]
        self.merge_needed = False

    @property
    def block(self) -> _Block:
        return self.blocks[-1]

    def make_room(self) -> None:
        """Start a new block when the current run does not fit in the current one."""
        need = int(self.run[k.RUN_N]) + 1
        if int(self.block.n[0]) + need >= self.block.capacity:
            self.blocks.append(_Block(self.ncount, max(BLOCK_ROWS, 2 * need)))

    def end_file(self) -> None:
        """Note whether the file's work places came in order (the next file starts afresh)."""
        self.merge_needed = self.merge_needed or bool(self.run[k.RUN_UNSORTED])
        self.run[k.RUN_KEY] = -1

    def pairs(self, *, files: int) -> _Pairs:
        """The blocks as one set of columns, each block's memory freed as it is copied."""
        blocks = [b for b in self.blocks if b.n[0] > 0]
        sizes = [int(b.n[0]) for b in blocks]
        n = sum(sizes)
        empty = np.zeros(0, np.int64)
        w = np.concatenate([b.w[:m] for b, m in zip(blocks, sizes, strict=True)]) if n else empty
        for b in blocks:
            b.w = empty
        h = np.concatenate([b.h[:m] for b, m in zip(blocks, sizes, strict=True)]) if n else empty
        for b in blocks:
            b.h = empty
        sums = np.empty((self.ncount, n), dtype=np.int32)
        for j in range(self.ncount):
            start = 0
            for b, m in zip(blocks, sizes, strict=True):
                column = b.cols[j]
                assert column is not None
                sums[j, start : start + m] = column[:m]
                b.cols[j] = None  # freed: memory stays about the size of the output
                start += m
        self.blocks = []
        pairs = _Pairs(w, h, sums)
        if self.merge_needed or files > 1:
            pairs = _merge_columns(pairs)
        return pairs


def _merge_columns(pairs: _Pairs) -> _Pairs:
    """Sum pairs with the same (work, home) key (sorted by work, then home)."""
    if len(pairs.w) == 0:
        return pairs
    order = np.lexsort((pairs.h, pairs.w))
    w, h = pairs.w[order], pairs.h[order]
    new = np.ones(len(w), dtype=bool)
    new[1:] = (w[1:] != w[:-1]) | (h[1:] != h[:-1])
    starts = np.flatnonzero(new)
    sums = np.add.reduceat(pairs.sums[:, order], starts, axis=1, dtype=pairs.sums.dtype)
    return _Pairs(w[starts], h[starts], sums)


def _grown(array: np.ndarray, n: int) -> np.ndarray:
    """A copy of ``array`` with twice the rows, the first ``n`` kept."""
    out = np.zeros((array.shape[0] * 2, *array.shape[1:]), dtype=array.dtype)
    out[:n] = array[:n]
    return out


def _merge_pairs(keys: np.ndarray, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum rows with the same (work, home) key (sorted by work, then home)."""
    if len(keys) == 0:
        return keys, sums
    order = np.lexsort((keys[:, 1], keys[:, 0]))
    keys, sums = keys[order], sums[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (keys[1:, 0] != keys[:-1, 0]) | (keys[1:, 1] != keys[:-1, 1])
    starts = np.flatnonzero(new)
    return keys[starts], np.add.reduceat(sums, starts, axis=0, dtype=sums.dtype)


def _geoid_text(values: np.ndarray, width: int) -> pd.Series:
    """Zero-padded GEOID text of integer codes."""
    data = k.format_geoids(values, width)
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas without pyarrow
        return pd.Series(data.view(f"S{width}").astype(f"U{width}"), dtype="str")
    # large_string (64-bit offsets) is what pandas keeps: no conversion, no copy
    offsets = np.arange(0, (len(values) + 1) * width, width, dtype=np.int64)
    array = pa.Array.from_buffers(pa.large_string(), len(values),
                                  [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return pd.Series(pd.arrays.ArrowStringArray(array, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))


def _pairs_frame(pairs: _Pairs, width: int, names: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(pairs.sums.T, columns=names, copy=False)  # one block, no copy
    frame.insert(0, "w_geoid", _geoid_text(pairs.w, width))
    frame.insert(0, "h_geoid", _geoid_text(pairs.h, width))
    return frame


def _header(fh: IO[bytes], path: Path) -> list[str]:
    line = fh.readline()
    try:
        text = line.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise DataSourceError(
            f"{path}: the first line is not text ({exc}). Pass a LODES OD .csv or .csv.gz file."
        ) from exc
    return [c.strip().strip('"') for c in text.split(",")]


def _plan(columns: list[str], path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Field kinds and count slots for the header ``columns``."""
    lower = [c.lower() for c in columns]
    missing = [c for c in (W_COLUMN, H_COLUMN, TOTAL_COLUMN) if c.lower() not in lower]
    if missing:
        hint = "Pass a {st}_od_{main|aux}_JT0x_YYYY.csv.gz file as published by LEHD."
        if "c000" in lower:
            kind = "RAC" if "h_geocode" in lower else "WAC"
            hint = (
                f"This looks like a LODES {kind} file (jobs by block, not flows); import it as the "
                f"flows' area totals with 'valleymaps import flows FILE --format lodes-{kind.lower()}'"
                + (" or as employment with 'valleymaps import employment FILE --format lodes-wac'."
                   if kind == "WAC" else ".")
            )
        raise FieldError(
            f"{path.name} is not a LODES OD file: no column {', '.join(repr(m) for m in missing)} "
            f"(found: {', '.join(columns[:14])}{' ...' if len(columns) > 14 else ''}). {hint}"
        )
    kinds = np.zeros(len(columns), dtype=np.int64)
    slots = np.zeros(len(columns), dtype=np.int64)
    counts: list[str] = []
    for i, name in enumerate(lower):
        if name == W_COLUMN:
            kinds[i] = k.W_GEOCODE
        elif name == H_COLUMN:
            kinds[i] = k.H_GEOCODE
        elif name.upper() in COUNT_COLUMNS:
            kinds[i] = k.COUNT
            counts.append(name.upper())
    ordered = [c for c in COUNT_COLUMNS if c in counts]  # S000 first
    for i, name in enumerate(lower):
        if kinds[i] == k.COUNT:
            slots[i] = ordered.index(name.upper())
    return kinds, slots, ordered


def _problems_from(
    errs: np.ndarray, start: int, stop: int, buf: bytearray, columns: list[str], row0: int
) -> list[Problem]:
    problems = []
    for row, fld, kind, offset, length in errs[start:stop].tolist():
        column = columns[fld] if fld < len(columns) else None
        value = bytes(buf[offset : offset + length]).decode("utf-8", "replace").strip().strip('"')
        if kind in (k.ERR_NOT_DIGITS, k.ERR_LENGTH):
            digits = value.replace('"', "")
            numeric = bool(re.fullmatch(r"\d{1,14}|\d(\.\d+)?[eE]\+?\d+", digits))
            if numeric:
                message = (
                    f"block GEOID {value!r} is stored as a number ({len(digits)} characters, the "
                    f"leading zero lost). {_NUMBER_FIX}"
                )
            else:
                message = f"block GEOID {value!r} is not 15 digits; {_NUMBER_FIX}"
        elif kind == k.ERR_COUNT:
            message = f"count {value!r} is not a whole number of workers; {_COUNT_FIX}"
        else:
            message = f"the row has a different number of fields than the header ({len(columns)})"
        problems.append(Problem(message, row=row0 + row + 1, column=column))
    return problems


def _raise_problems(path: Path, problems: list[Problem], n_errors: int, stopped: bool) -> None:
    geoid_numbers = [p for p in problems if "stored as a number" in p.message]
    if geoid_numbers and len(geoid_numbers) == len(problems):
        first = geoid_numbers[0]
        raise FieldError(
            f"{path}: column '{first.column}' holds block GEOIDs stored as numbers (row {first.row}: "
            f"{first.message.split(' is stored')[0].removeprefix('block GEOID ')}, "
            f"{n_errors:,}{'+' if stopped else ''} rows in all). {_NUMBER_FIX}"
        )
    note = [Problem(f"reading stopped after {len(problems)} problems")] if stopped else []
    raise ValidationError(str(path), [*problems, *note])


class _CTables:
    """Pair tables of the compiled engine: county hash table and detail run output."""

    def __init__(self, ncount: int):
        self.coarse = _PairTable(ncount)
        self.detail = _RunOutput(ncount)
        self.files = 0

    def county_pairs(self, ncount: int) -> _Pairs:
        return _Pairs.from_rows(*_merge_pairs(*self.coarse.arrays()), ncount)

    def detail_pairs(self, ncount: int) -> _Pairs:
        return self.detail.pairs(files=self.files)


class _PyTables:
    """Pair tables of the pure-Python engine: per-batch sums, merged at the end."""

    def __init__(self, ncount: int):
        self.county: list[tuple[np.ndarray, np.ndarray]] = []
        self.detail: list[tuple[np.ndarray, np.ndarray]] = []
        self.files = 0

    @staticmethod
    def _merged(parts: list[tuple[np.ndarray, np.ndarray]], dtype: type) -> tuple[np.ndarray, np.ndarray]:
        if not parts:
            return np.zeros((0, 2), dtype=np.int64), np.zeros((0, 0), dtype=dtype)
        keys = np.concatenate([p[0] for p in parts])
        sums: np.ndarray = np.concatenate([p[1] for p in parts]).astype(dtype)
        return _merge_pairs(keys, sums)

    def county_pairs(self, ncount: int) -> _Pairs:
        return _Pairs.from_rows(*self._merged(self.county, np.int64), ncount)

    def detail_pairs(self, ncount: int) -> _Pairs:
        return _Pairs.from_rows(*self._merged(self.detail, np.int32), ncount)


def _file_info(path: Path, rows: int, workers: int) -> OdFileInfo:
    parts = parse_od_name(path) or {}
    year = parts.get("year")
    return OdFileInfo(path=path, state=parts.get("state"), part=parts.get("part"),
                      job_type=parts.get("job_type"), year=int(year) if year else None,
                      rows=rows, workers=workers)


def _truncated(path: Path, exc: Exception) -> DataSourceError:
    return DataSourceError(
        f"{path} cannot be read to the end ({exc}); the download may be incomplete. Download it again."
    )


def _read_one_c(
    lib: ctypes.CDLL,
    path: Path,
    fh: IO[bytes],
    raw: IO[bytes],
    columns: list[str],
    *,
    kinds: np.ndarray,
    slot_of: np.ndarray,
    ncount: int,
    fine_len: int,
    region: np.ndarray,
    use_region: bool,
    tables: _CTables,
    chunk_bytes: int,
    progress: Callable[[int], None] | None,
) -> OdFileInfo:
    coarse, detail = tables.coarse, tables.detail
    stats = np.zeros(k.N_STATS, dtype=np.int64)
    errs = np.zeros((MAX_PROBLEMS, k.ERR_COLUMNS), dtype=np.int64)
    pos_out = np.zeros(1, dtype=np.int64)
    buf = bytearray(chunk_bytes + (1 << 16))
    view = memoryview(buf)
    arr = np.frombuffer(buf, dtype=np.uint8)
    filled = 0
    problems: list[Problem] = []
    seen_errors = 0
    stopped = False
    eof = False
    try:
        while not eof:
            if filled >= len(buf) - 1024:  # a line longer than the buffer: grow it
                bigger = bytearray(2 * len(buf))
                bigger[:filled] = buf[:filled]
                view.release()
                buf, view = bigger, memoryview(bigger)
                arr = np.frombuffer(buf, dtype=np.uint8)
            got = _fill(fh, view, filled, path)
            eof = got == 0
            filled += got
            if eof:
                if filled and buf[filled - 1] != 10:
                    buf[filled] = 10
                    filled += 1
                end = filled
            else:
                end = buf.rfind(b"\n", 0, filled) + 1
                if end == 0:
                    continue
            pos = 0
            while True:
                status = lib.od_scan(
                    ptr(arr), pos, end, ptr(kinds), ptr(slot_of), len(kinds), ncount, fine_len,
                    ptr(region), int(use_region),
                    ptr(detail.run), ptr(detail.lslots), len(detail.lslots), ptr(detail.lkeys),
                    ptr(detail.lsums), ptr(detail.lpos), len(detail.lkeys),
                    ptr(detail.block.w), ptr(detail.block.h), ptr(detail.block.ptrs),
                    ptr(detail.block.n), detail.block.capacity,
                    ptr(coarse.slots), len(coarse.slots), ptr(coarse.keys), ptr(coarse.sums),
                    ptr(coarse.n), len(coarse.keys),
                    ptr(stats), ptr(errs), MAX_PROBLEMS, int(eof), ptr(pos_out),
                )  # fmt: skip
                pos = int(pos_out[0])
                if status == k.TABLE_FULL:
                    coarse.make_room(lib, int(detail.run[k.RUN_N]) + 1)
                    detail.make_room()
                    continue
                break
            n_err = int(stats[k.STAT_ERRORS])
            if n_err > seen_errors:
                upto = min(n_err, MAX_PROBLEMS)
                problems += _problems_from(errs, seen_errors, upto, buf, columns, 0)
                seen_errors = upto
            if status == k.TOO_MANY_ERRORS:
                stopped = True
                break
            rest = filled - end
            buf[:rest] = buf[end:filled]
            filled = rest
            if progress is not None:
                progress(raw.tell())
    except (EOFError, OSError) as exc:
        raise _truncated(path, exc) from exc
    finally:
        view.release()
    if problems:
        _raise_problems(path, problems, int(stats[k.STAT_ERRORS]), stopped)
    detail.end_file()
    return _file_info(path, int(stats[k.STAT_ROWS]), int(stats[k.STAT_WORKERS]))


class _Prefixed(io.RawIOBase):
    """A stream that yields ``head`` and then the rest of ``tail``."""

    def __init__(self, head: bytes, tail: IO[bytes]):
        self._head = memoryview(head)
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]
        if len(self._head):
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        return int(self._tail.readinto(b) or 0)  # type: ignore[attr-defined]


def _sample_problems(sample: bytes, columns: list[str], kinds: np.ndarray) -> list[Problem]:
    """Check the GEOIDs of the first rows as text (the pure-Python engine parses them as numbers)."""
    problems = []
    lines = sample.split(b"\n")[:-1][:2000]
    geo = [i for i, kind in enumerate(kinds) if kind in (k.W_GEOCODE, k.H_GEOCODE)]
    for row, line in enumerate(lines, start=1):
        fields = line.rstrip(b"\r").split(b",")
        for i in geo:
            value = fields[i].strip(b'"').decode("utf-8", "replace") if i < len(fields) else ""
            if len(value) == 15 and value.isdigit():
                continue
            numeric = bool(re.fullmatch(r"\d{1,14}|\d(\.\d+)?[eE]\+?\d+", value))
            message = (f"block GEOID {value!r} is stored as a number ({len(value)} characters, the "
                       f"leading zero lost). {_NUMBER_FIX}" if numeric
                       else f"block GEOID {value!r} is not 15 digits; {_NUMBER_FIX}")
            problems.append(Problem(message, row=row, column=columns[i]))
            if len(problems) >= MAX_PROBLEMS:
                return problems
    return problems


def _locate_problems(path: Path, columns: list[str], kinds: np.ndarray) -> list[Problem]:
    """Find the rows that cannot be read, line by line (the slow path, after a parse error)."""
    fh, raw = _open_binary(path)
    problems: list[Problem] = []
    try:
        fh.readline()
        for row, line in enumerate(fh, start=1):
            fields = line.rstrip(b"\r\n").split(b",")
            if not line.strip():
                continue
            if len(fields) != len(columns):
                problems.append(Problem(
                    f"the row has a different number of fields than the header ({len(columns)})", row=row))
            for i, value in enumerate(fields[: len(columns)]):
                text = value.strip(b'"').decode("utf-8", "replace")
                if kinds[i] in (k.W_GEOCODE, k.H_GEOCODE) and not (len(text) == 15 and text.isdigit()):
                    problems.append(Problem(f"block GEOID {text!r} is not 15 digits; {_NUMBER_FIX}",
                                            row=row, column=columns[i]))
                elif kinds[i] == k.COUNT and not text.isdigit():
                    problems.append(Problem(f"count {text!r} is not a whole number of workers; {_COUNT_FIX}",
                                            row=row, column=columns[i]))
            if len(problems) >= MAX_PROBLEMS:
                break
    except (EOFError, OSError):
        pass
    finally:
        fh.close()
        raw.close()
    return problems[:MAX_PROBLEMS]


def _group_sum(key: np.ndarray, values: np.ndarray, dtype: type
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort ``key``; return the first row of each group, its key and the group sums."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    new = np.ones(len(key), dtype=bool)
    new[1:] = sorted_key[1:] != sorted_key[:-1]
    starts = np.flatnonzero(new)
    return order[starts], sorted_key[starts], np.add.reduceat(values[order], starts, axis=0, dtype=dtype)


def _read_one_py(
    path: Path,
    fh: IO[bytes],
    raw: IO[bytes],
    columns: list[str],
    *,
    kinds: np.ndarray,
    names: list[str],
    fine_len: int,
    region: np.ndarray,
    use_region: bool,
    tables: _PyTables,
    chunk_bytes: int,
    progress: Callable[[int], None] | None,
) -> OdFileInfo:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        sample = fh.read(1 << 20)
    except (EOFError, OSError) as exc:
        raise _truncated(path, exc) from exc
    problems = _sample_problems(sample, columns, kinds)
    if problems:
        _raise_problems(path, problems, len(problems), False)
    by_name = {c.upper(): c for c in columns}
    w_col = columns[int(np.flatnonzero(kinds == k.W_GEOCODE)[0])]
    h_col = columns[int(np.flatnonzero(kinds == k.H_GEOCODE)[0])]
    count_cols = [by_name[n] for n in names]
    types = {w_col: pa.int64(), h_col: pa.int64()} | {c: pa.int32() for c in count_cols}
    div_fine = 10 ** (15 - fine_len)
    rows = workers = 0
    try:
        reader = pacsv.open_csv(
            _Prefixed(sample, fh),
            read_options=pacsv.ReadOptions(column_names=columns, block_size=max(chunk_bytes, 1 << 16)),
            convert_options=pacsv.ConvertOptions(include_columns=[w_col, h_col, *count_cols],
                                                 column_types=types),
        )
        for batch in reader:
            w = batch.column(0).to_numpy()
            h = batch.column(1).to_numpy()
            values = np.column_stack([batch.column(2 + j).to_numpy() for j in range(len(count_cols))])
            rows += len(w)
            workers += int(values[:, 0].sum(dtype=np.int64))
            wc, hc = w // 10**10, h // 10**10
            first, ckey, csums = _group_sum(wc * 100_000 + hc, values, np.int64)
            tables.county.append((np.column_stack([ckey // 100_000, ckey % 100_000]), csums))
            if use_region:
                keep = (region[wc] != 0) | (region[hc] != 0)
                w, h, values = w[keep], h[keep], values[keep]
            if len(w) == 0:
                continue
            wf, hf = w // div_fine, h // div_fine
            new = np.ones(len(wf), dtype=bool)
            new[1:] = wf[1:] != wf[:-1]
            run = np.cumsum(new) - 1
            first, _, dsums = _group_sum((run << 40) | hf, values, np.int32)
            tables.detail.append((np.column_stack([wf[first], hf[first]]), dsums))
            if progress is not None:
                progress(raw.tell())
    except pa.ArrowInvalid as exc:
        problems = _locate_problems(path, columns, kinds)
        if not problems:
            problems = [Problem(f"the file cannot be read as a LODES OD table: {exc}")]
        _raise_problems(path, problems, len(problems), len(problems) >= MAX_PROBLEMS)
        raise  # pragma: no cover - _raise_problems always raises
    except (EOFError, OSError) as exc:
        raise _truncated(path, exc) from exc
    return _file_info(path, rows, workers)


def _read_one(
    path: Path,
    *,
    lib: ctypes.CDLL | None,
    fine_len: int,
    region: np.ndarray,
    use_region: bool,
    tables: _CTables | _PyTables | None,
    count_names: list[str] | None,
    chunk_bytes: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[OdFileInfo, _CTables | _PyTables, list[str]]:
    fh, raw = _open_binary(path)
    try:
        try:
            columns = _header(fh, path)
        except (EOFError, OSError) as exc:
            raise _truncated(path, exc) from exc
        kinds, slot_of, names = _plan(columns, path)
        if count_names is not None and names != count_names:
            raise FieldError(
                f"{path.name} has count columns {', '.join(names)} but the files before it have "
                f"{', '.join(count_names)}; read files of one layout together."
            )
        if lib is not None:
            tables = tables or _CTables(len(names))
            assert isinstance(tables, _CTables)
            info = _read_one_c(lib, path, fh, raw, columns, kinds=kinds, slot_of=slot_of,
                               ncount=len(names), fine_len=fine_len, region=region,
                               use_region=use_region, tables=tables, chunk_bytes=chunk_bytes,
                               progress=progress)
        else:
            tables = tables or _PyTables(len(names))
            assert isinstance(tables, _PyTables)
            info = _read_one_py(path, fh, raw, columns, kinds=kinds, names=names, fine_len=fine_len,
                                region=region, use_region=use_region, tables=tables,
                                chunk_bytes=chunk_bytes, progress=progress)
        tables.files += 1
        return info, tables, names
    finally:
        fh.close()
        raw.close()


def _fill(fh: IO[bytes], view: memoryview, filled: int, path: Path) -> int:
    """Read into ``view[filled:]``; the number of bytes read (0 at the end of the file)."""
    target = view[filled:]
    if isinstance(fh, io.RawIOBase | io.BufferedIOBase) or hasattr(fh, "readinto"):
        got = fh.readinto(target)
        return int(got or 0)
    data = fh.read(len(target))  # pragma: no cover - every opener above has readinto
    target[: len(data)] = data
    return len(data)


def _check_files(paths: list[Path], infos: list[OdFileInfo]) -> None:
    """Refuse adding files of different years or job types, or the same file twice."""
    problems = []
    for attr, what in (("year", "years"), ("job_type", "job types")):
        values = {getattr(i, attr) for i in infos if getattr(i, attr) is not None}
        if len(values) > 1:
            problems.append(Problem(
                f"the files are of different {what} ({', '.join(map(str, sorted(values)))}); adding "
                "them would double-count workers. Import each year or job type as its own dataset."
            ))
    keys = [(i.state, i.part, i.job_type, i.year) for i in infos if i.state is not None]
    dups = {k for k in keys if keys.count(k) > 1}
    if dups:
        problems.append(Problem(
            "the same LODES file is given twice ("
            + ", ".join(f"{s}_od_{p}_{j}_{y}" for s, p, j, y in sorted(dups, key=str))
            + "); pass each file once."
        ))
    if problems:
        raise ValidationError(f"{len(paths)} LODES OD files", problems)


def _region_mask(detail_counties: Collection[str] | None) -> np.ndarray:
    """1 at the integer value of each county GEOID the detail pairs are kept for."""
    region = np.zeros(100_000, dtype=np.uint8)
    for geoid in detail_counties or ():
        region[int(geoid)] = 1
    return region


def _load_engine(engine: str) -> ctypes.CDLL | None:
    if engine not in ("auto", "c", "python"):
        raise ValueError(f"unknown engine {engine!r}; use auto, c or python")
    lib = None if engine == "python" else k.load()
    if engine == "c" and lib is None:
        raise DataSourceError("the compiled LODES OD reader is not installed (built at install time "
                              "with a C compiler and Python's headers); use engine='auto' or 'python'.")
    return lib


@dataclass(frozen=True)
class OdFileTask:
    """One OD file to read as a task (picklable: paths and options, no data)."""

    path: Path
    detail_level: str
    detail_counties: tuple[str, ...] | None
    chunk_bytes: int
    engine: str


@dataclass
class OdFilePairs:
    """What one OD file task returns: the file's county and detail pairs, summed."""

    info: OdFileInfo
    names: list[str]
    county: _Pairs
    detail: _Pairs


def read_od_file_pairs(task: OdFileTask) -> OdFilePairs:
    """Read one OD file into its own pair tables (a task of :func:`read_lodes_od` on a cluster)."""
    lib = _load_engine(task.engine)
    info, tables, names = _read_one(
        task.path,
        lib=lib,
        fine_len=LEVELS[task.detail_level],
        region=_region_mask(task.detail_counties),
        use_region=task.detail_counties is not None,
        tables=None,
        count_names=None,
        chunk_bytes=task.chunk_bytes,
    )
    log.info("read %s: %d rows, %d workers", task.path.name, info.rows, info.workers)
    return OdFilePairs(info=info, names=names, county=tables.county_pairs(len(names)),
                       detail=tables.detail_pairs(len(names)))


def _read_as_tasks(
    paths: list[Path],
    executor: Executor,
    *,
    engine: str,
    detail_level: str,
    detail_counties: Collection[str] | None,
    chunk_bytes: int,
    on_progress: Callable[[int, int], None] | None,
) -> OdAggregate:
    """:func:`read_lodes_od` with one task per file; the pairs summed as the one-table read sums them."""
    counties = tuple(sorted(detail_counties)) if detail_counties is not None else None
    tasks = [OdFileTask(path=p.resolve(), detail_level=detail_level, detail_counties=counties,
                        chunk_bytes=chunk_bytes, engine=engine) for p in paths]
    sizes = [p.stat().st_size if p.is_file() else 0 for p in paths]
    total, done = sum(sizes), [0]

    def finished(i: int, _result: OdFilePairs) -> None:
        done[0] += sizes[i]
        if on_progress is not None:
            on_progress(done[0], total)

    parts = executor.map(read_od_file_pairs, tasks, on_done=finished)
    names = parts[0].names
    for path, part in zip(paths, parts, strict=True):
        if part.names != names:
            raise FieldError(
                f"{path.name} has count columns {', '.join(part.names)} but the files before it have "
                f"{', '.join(names)}; read files of one layout together."
            )
    infos = [dataclasses.replace(part.info, path=path) for path, part in zip(paths, parts, strict=True)]
    _check_files(paths, infos)
    ncount = len(names)
    county_keys = np.concatenate([np.column_stack([p.county.w, p.county.h]) for p in parts])
    county_sums = np.concatenate([p.county.sums.T for p in parts]).astype(np.int64)
    county = _Pairs.from_rows(*_merge_pairs(county_keys, county_sums), ncount)
    detail = _merge_columns(_Pairs(
        np.concatenate([p.detail.w for p in parts]),
        np.concatenate([p.detail.h for p in parts]),
        np.concatenate([p.detail.sums for p in parts], axis=1).astype(np.int32),
    ))
    del parts
    out_names = ["workers" if n == TOTAL_COLUMN else n for n in names]
    log.info("summed %d rows (%d workers) of %d files read on %s into %d county pairs and %d %s pairs",
             sum(i.rows for i in infos), sum(i.workers for i in infos), len(paths), executor.description,
             len(county.w), len(detail.w), detail_level)
    return OdAggregate(
        county=_pairs_frame(county, 5, out_names),
        detail=_pairs_frame(detail, LEVELS[detail_level], out_names),
        detail_level=detail_level,
        files=infos,
        detail_counties=counties,
    )


def read_lodes_od(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    detail_level: str = "tract",
    detail_counties: Collection[str] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    on_progress: Callable[[int, int], None] | None = None,
    engine: str = "auto",
    executor: Executor | None = None,
) -> OdAggregate:
    """Sum LODES OD files by pairs of counties and of finer places, streaming.

    Parameters
    ----------
    paths
        One or more OD files (``.csv.gz`` or ``.csv``) of one year and job type, e.g. a state's
        ``main`` and ``aux`` parts.
    detail_level
        ``"tract"`` (default), ``"block_group"`` or ``"county"``.
    detail_counties
        If given (5-character county GEOIDs), detail pairs are kept only when the home or the
        work place lies in one of these counties; county pairs are always complete.
    chunk_bytes
        Decompressed bytes handled per step (memory use is about twice this plus the pairs).
    on_progress
        Called as ``on_progress(done, total)`` with bytes of the files read so far and in all.
    engine
        ``"auto"`` (the compiled loop when a C compiler is available, else pure Python), ``"c"``
        or ``"python"``. Both give the same sums.
    executor
        Where to read the files (:func:`valleymaps.compute.get_executor`). A Dask executor reads
        each file as one task on the cluster (the workers must see the files at the same paths)
        and the pairs are summed here: the same tables as reading them all in this process.
        Default (or one file): in this process, one file after another into one table.

    Returns
    -------
    OdAggregate

    Raises
    ------
    DataSourceError
        If a file is missing, not gzip/text, or truncated.
    FieldError
        If a file is not an OD file, or a GEOID column holds numbers (leading zeros lost).
    ValidationError
        Listing the rows that cannot be read (up to 50), or files that must not be added up.
    """
    if detail_level not in LEVELS:
        raise ValueError(f"unknown detail level {detail_level!r}; use one of: {', '.join(LEVELS)}")
    lib = _load_engine(engine)
    path_list = [Path(paths)] if isinstance(paths, str | os.PathLike) else [Path(p) for p in paths]
    if not path_list:
        raise DataSourceError("no LODES OD file given; pass at least one .csv.gz file.")
    region = _region_mask(detail_counties)
    if executor is not None and executor.distributed and len(path_list) > 1:
        return _read_as_tasks(path_list, executor, engine=engine, detail_level=detail_level,
                              detail_counties=detail_counties, chunk_bytes=chunk_bytes,
                              on_progress=on_progress)
    tables: _CTables | _PyTables | None = None
    names: list[str] | None = None
    infos: list[OdFileInfo] = []
    total = sum(p.stat().st_size for p in path_list if p.is_file())
    done = 0
    for path in path_list:

        def progress(position: int, before: int = done) -> None:
            if on_progress is not None:
                on_progress(before + position, total)

        info, tables, names = _read_one(
            path,
            lib=lib,
            fine_len=LEVELS[detail_level],
            region=region,
            use_region=detail_counties is not None,
            tables=tables,
            count_names=names,
            chunk_bytes=chunk_bytes,
            progress=progress,
        )
        done += path.stat().st_size
        infos.append(info)
        log.info("read %s: %d rows, %d workers", path.name, info.rows, info.workers)
    _check_files(path_list, infos)
    assert tables is not None and names is not None
    out_names = ["workers" if n == TOTAL_COLUMN else n for n in names]
    county = _pairs_frame(tables.county_pairs(len(names)), 5, out_names)
    detail = _pairs_frame(tables.detail_pairs(len(names)), LEVELS[detail_level], out_names)
    log.info(
        "summed %d rows (%d workers) into %d county pairs and %d %s pairs",
        sum(i.rows for i in infos), sum(i.workers for i in infos), len(county), len(detail),
        detail_level,
    )
    return OdAggregate(
        county=county,
        detail=detail,
        detail_level=detail_level,
        files=infos,
        detail_counties=tuple(sorted(detail_counties)) if detail_counties is not None else None,
    )
