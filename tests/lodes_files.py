"""LODES files in the published schemas, and the CBSA delineation workbook, written in code.

* :func:`write_wac`: a WAC file for given tracts with random (synthetic) job counts, used by the
  build benchmark to give the 760 real tracts some employment;
* :func:`write_od`, :func:`od_row`: an OD file of given rows; :func:`write_od_flows`: one of
  ``(home, work, workers, skilled)`` flows between tracts or blocks;
* :func:`write_area_file`, :func:`area_file_bytes`: a RAC or WAC file of given block counts (every
  published column);
* :func:`write_delineation_xlsx`: list1 of the Census Bureau's CBSA delineation files, laid out
  as published (title rows, header row, footnotes);
* :func:`write_od_segments`: an OD file of (work tract, home tract, workers) flows with every
  segment filled in;
* :func:`write_acs_county_flows`: an ACS county-to-county commuting flows table, e.g. of
  :func:`acs_region_flows`.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

OD_HEADER = "w_geocode,h_geocode,S000,SA01,SA02,SA03,SE01,SE02,SE03,SI01,SI02,SI03,createdate"

WAC_COLUMNS = (
    ["w_geocode", "C000", "CA01", "CA02", "CA03", "CE01", "CE02", "CE03"]
    + [f"CNS{i:02d}" for i in range(1, 21)]
    + [f"CR{i:02d}" for i in (1, 2, 3, 4, 5, 7)]
    + ["CT01", "CT02", "CD01", "CD02", "CD03", "CD04", "CS01", "CS02"]
    + ["CFA01", "CFA02", "CFA03", "CFA04", "CFA05", "CFS01", "CFS02", "CFS03", "CFS04", "CFS05"]
    + ["createdate"]
)


def write_wac(
    path: Path,
    tract_geoids: Sequence[str],
    *,
    blocks_per_tract: int = 4,
    seed: int = 7,
    state_blocks: int = 200,
) -> Path:
    """Write ``path`` (``ca_wac_S000_JT00_<year>.csv.gz`` style) with blocks in the tracts.

    Adds ``state_blocks`` blocks elsewhere in California so the file carries a
    state total, as a real whole-state WAC file does.
    """
    rng = np.random.default_rng(seed)
    lines = [",".join(WAC_COLUMNS)]
    blocks = [f"{t}{1000 + b:04d}" for t in tract_geoids for b in range(blocks_per_tract)]
    blocks += [f"06037{200000 + i:06d}{1000:04d}" for i in range(state_blocks)]
    for block in blocks:
        sectors = rng.poisson(rng.uniform(1, 25, 20)).astype(int)
        total = int(sectors.sum())
        rest = [0] * (len(WAC_COLUMNS) - 2 - 6 - 20 - 1)
        ages = [total // 3, total // 3, total - 2 * (total // 3)]
        earn = [total // 4, total // 2, total - total // 4 - total // 2]
        row = [
            block,
            str(total),
            *map(str, ages),
            *map(str, earn),
            *map(str, sectors),
            *map(str, rest),
            "20230321",
        ]
        lines.append(",".join(row))
    with gzip.open(path, "wt", encoding="ascii", newline="") as f:
        f.write("\n".join(lines) + "\n")
    return path


def od_row(w: str, h: str, total: int, se03: int = 0) -> str:
    """An OD row whose segments add up: ages all SA02, earnings SE01/SE03, industry SI03."""
    return f"{w},{h},{total},0,{total},0,{total - se03},0,{se03},0,0,{total},20230321"


def write_od(path: Path, rows: Sequence[str], *, header: str = OD_HEADER) -> Path:
    """A gzipped OD file (``ca_od_main_JT00_2021.csv.gz`` style) of ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(("\n".join([header, *rows]) + "\n").encode("ascii")))
    return path


def write_od_flows(path: Path, flows: Sequence[tuple[str, str, int, int]]) -> Path:
    """A gzipped OD file of ``(home, work, workers, skilled)`` flows (see :func:`od_row`).

    Tract GEOIDs (11 characters) get block ``1000`` appended. Name the file as LODES
    does (``ca_od_main_JT00_2021.csv.gz``) so its year and part are read from the name;
    put "synthetic" in it to mark the data synthetic.
    """
    def block(geoid: str) -> str:
        return geoid + "1000" if len(geoid) == 11 else geoid

    return write_od(path, [od_row(block(w), block(h), n, skilled) for h, w, n, skilled in flows])


#: RAC columns as published (WAC has ``w_geocode`` and the firm columns CFA/CFS too).
RAC_COLUMNS = [
    "h_geocode", "C000", "CA01", "CA02", "CA03", "CE01", "CE02", "CE03",
    *[f"CNS{i:02d}" for i in range(1, 21)],
    "CR01", "CR02", "CR03", "CR04", "CR05", "CR07", "CT01", "CT02",
    "CD01", "CD02", "CD03", "CD04", "CS01", "CS02", "createdate",
]  # fmt: skip


def area_file_bytes(kind: str, blocks: Mapping[str, Mapping[str, int]]) -> bytes:
    """The gzipped bytes of a RAC (``kind="rac"``) or WAC file: ``blocks`` maps a block GEOID (or
    anything to write in its place) to counts by column (``CA01``, ``CE03``, ``CNS05``...);
    ``C000`` is the sum of the ``CNS`` counts. Columns not given are 0."""
    columns = list(RAC_COLUMNS) if kind == "rac" else list(WAC_COLUMNS)
    lines = [",".join(columns)]
    for block, counts in blocks.items():
        total = sum(v for c, v in counts.items() if c.startswith("CNS"))
        values = {columns[0]: block, "C000": str(total), "createdate": "20230321"}
        lines.append(",".join(values.get(c, str(counts.get(c, 0))) for c in columns))
    return gzip.compress(("\n".join(lines) + "\n").encode("ascii"), mtime=0)


def write_area_file(path: Path, kind: str, blocks: Mapping[str, Mapping[str, int]]) -> Path:
    """A gzipped RAC or WAC file at ``path`` (see :func:`area_file_bytes`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(area_file_bytes(kind, blocks))
    return path


DELINEATION_HEADER = [
    "CBSA Code", "Metropolitan Division Code", "CSA Code", "CBSA Title",
    "Metropolitan/Micropolitan Statistical Area", "Metropolitan Division Title", "CSA Title",
    "County/County Equivalent", "State Name", "FIPS State Code", "FIPS County Code",
    "Central/Outlying County",
]  # fmt: skip

#: (CBSA code, title, metro/micro, county, state, state FIPS, county FIPS) of a few real counties.
DELINEATION_ROWS = [
    ("31080", "Los Angeles-Long Beach-Anaheim, CA", "Metropolitan Statistical Area",
     "Los Angeles County", "California", "06", "037"),
    ("31080", "Los Angeles-Long Beach-Anaheim, CA", "Metropolitan Statistical Area",
     "Orange County", "California", "06", "059"),
    ("41860", "San Francisco-Oakland-Fremont, CA", "Metropolitan Statistical Area",
     "Alameda County", "California", "06", "001"),
    ("23420", "Fresno, CA", "Metropolitan Statistical Area", "Fresno County", "California", "06", "019"),
    ("31460", "Madera, CA", "Metropolitan Statistical Area", "Madera County", "California", "06", "039"),
    ("39900", "Reno, NV", "Metropolitan Statistical Area", "Washoe County", "Nevada", "32", "031"),
    ("29820", "Las Vegas-Henderson-North Las Vegas, NV", "Metropolitan Statistical Area",
     "Clark County", "Nevada", "32", "003"),
    ("21980", "Fallon, NV", "Micropolitan Statistical Area", "Churchill County", "Nevada", "32", "001"),
]  # fmt: skip


def write_delineation_xlsx(path: Path, rows: Sequence[Sequence[object]] = DELINEATION_ROWS, *,
                           edition: str = "July 2023", numbers: bool = False) -> Path:
    """list1 of the delineation files as published: two title rows, the header, county rows,
    a blank row and footnotes. ``numbers`` stores the codes as numbers (a re-saved file)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "List 1"
    sheet.append(["Core based statistical areas (CBSAs), metropolitan divisions, and combined "
                  "statistical areas (CSAs)"])
    sheet.append([edition])
    sheet.append(DELINEATION_HEADER)
    for code, title, kind, county, state, state_fips, county_fips in rows:
        codes = [code, state_fips, county_fips]
        if numbers:
            codes = [int(str(c)) if str(c).isdigit() else c for c in codes]
        sheet.append([codes[0], None, None, title, kind, None, None, county, state, codes[1], codes[2],
                      "Central"])
    sheet.append([])
    sheet.append(["Note: The 2023 delineations use Connecticut planning regions as county equivalents."])
    sheet.append([f"Source: File prepared by U.S. Census Bureau, Population Division, based on Office of "
                  f"Management and Budget, {edition} delineations."])
    sheet.append([f"Internet Release Date: {edition}"])
    book.save(path)
    return path


OD_COLUMNS = ("w_geocode", "h_geocode", "S000", "SA01", "SA02", "SA03", "SE01", "SE02", "SE03",
              "SI01", "SI02", "SI03", "createdate")  # fmt: skip


def write_od_segments(path: Path, flows: Sequence[tuple[str, str, int]], *,
                      skilled_share: float = 0.25) -> Path:
    """Write a gzipped LODES OD file (``ca_od_main_JT00_2021.csv.gz`` style).

    ``flows`` are (work tract, home tract, workers); each tract gets one block (``<tract>1000``).
    Segments add up: ages split in three, ``skilled_share`` of the workers earn more than
    $3,333 a month (SE03), industries split in three.
    """
    rows = []
    for work, home, n in flows:
        skilled = round(n * skilled_share)
        ages = [n // 3, n // 3, n - 2 * (n // 3)]
        earnings = [(n - skilled) // 2, n - skilled - (n - skilled) // 2, skilled]
        rows.append(",".join(map(str, [f"{work}1000", f"{home}1000", n, *ages, *earnings, *ages,
                                       "20230321"])))
    return write_od(path, rows, header=",".join(OD_COLUMNS))


def write_acs_county_flows(path: Path, flows: Sequence[tuple[str, str, int, int]]) -> Path:
    """Write an ACS county-to-county flows CSV (``acs_county_flows_2016_2020_us.csv`` style).

    ``flows`` are (home county GEOID, work county GEOID or ``F3xx`` abroad, workers, MOE).
    """
    lines = ["h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe"]
    for home, work, n, moe in flows:
        work_cols = f"{work[1:]},NA" if work.startswith("F") else f"0{work[:2]},{work[2:]}"
        lines.append(f"{home[:2]},{home[2:]},{work_cols},{n},{moe}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def acs_region_flows(counties: Sequence[str]) -> list[tuple[str, str, int, int]]:
    """ACS-style flows for ``counties``: each works at home, in the next county and in Los Angeles.

    Every county has its own proportions, so leakage rates, in-commuter shares and net
    commuting all differ between counties (a choropleth of them gets all its classes).
    """
    flows = []
    for i, county in enumerate(counties):
        flows += [
            (county, county, 100_000 + 7_000 * i, 900),
            (county, counties[(i + 1) % len(counties)], 1_000 * (i + 1) ** 2, 300),
            (county, "06037", 150 * (i + 2), 90),
        ]
    return flows
