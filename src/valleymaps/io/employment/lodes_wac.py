"""LEHD LODES Workplace Area Characteristics (WAC) files.

A WAC file (``ca_wac_S000_JT00_2021.csv.gz``: state, segment, job type,
year) counts jobs by the census block where people work:

* ``w_geocode``: the 15-digit block GEOID, as text. A file re-saved by a
  spreadsheet may have turned it into a number (14 digits for California,
  the leading zero lost): that is refused, never padded back.
* ``C000``: all jobs; ``CNS01`` ... ``CNS20``: jobs by NAICS sector (see
  :data:`valleymaps.employment.LODES_SECTORS`).

Blocks are summed to tracts (first 11 characters of the GEOID), counties
(first 5) and the state (first 2), so the dataset carries its own reference
area. LODES values are noise-infused but never withheld, so flags are empty.
The file is read in chunks, so a whole-state file needs little memory.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from valleymaps.employment import LODES_SECTORS, TOTAL_CODE, EmploymentDataset
from valleymaps.errors import Problem
from valleymaps.io.employment._common import (
    RowProblems,
    dataset_from_file,
    duplicate_problems,
    finalize_table,
    raise_if_problems,
    read_header,
    resolve_year,
    sidecar_meta,
)
from valleymaps.io.employment.lodes_blocks import sum_lodes_blocks

log = logging.getLogger(__name__)

FORMAT = "lodes-wac"

GEOCODE_COLUMN = "w_geocode"
TOTAL_COLUMN = "C000"
SECTOR_COLUMNS: tuple[str, ...] = tuple(LODES_SECTORS)

#: ``ca_wac_S000_JT00_2021.csv.gz`` -> state, segment, job type, year.
_NAME_PATTERN = re.compile(
    r"(?P<state>[a-z]{2})_wac_(?P<segment>[A-Z]{1,2}\d{2,3})_(?P<jobtype>JT\d{2})_(?P<year>\d{4})",
    re.IGNORECASE,
)
_YEAR_PATTERN = re.compile(r"_(\d{4})(?:\.|$)")

#: Geography levels the blocks are summed to: GEOID length -> name.
LEVELS: dict[int, str] = {11: "tract", 5: "county", 2: "state"}

#: Rows per chunk (None: as many as make :data:`valleymaps.io.employment.lodes_blocks.CHUNK_CELLS`).
_CHUNK_ROWS: int | None = None


def is_lodes_wac_header(columns: Collection[str]) -> bool:
    """True when ``columns`` look like a LODES WAC file."""
    return GEOCODE_COLUMN in {c.lower() for c in columns}


def parse_lodes_wac(
    path: str | os.PathLike[str], *, year: int | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a WAC file into an employment table and its problems (see :func:`read_lodes_wac`)."""
    p = Path(path)
    hint = "Pass a ca_wac_S000_JT00_YYYY.csv.gz file as published by LEHD."
    if "h_geocode" in {c.lower() for c in read_header(p)}:
        hint = ("It looks like a LODES RAC file (jobs by where workers live, not where they work); "
                "import it as the employed residents of a flows dataset with 'valleymaps import flows "
                "FILE --format lodes-rac'.")
    sums = sum_lodes_blocks(
        p, geocode_column=GEOCODE_COLUMN, count_columns=[TOTAL_COLUMN, *SECTOR_COLUMNS],
        lengths=tuple(LEVELS), what="LODES WAC file", hint=hint, chunk_rows=_CHUNK_ROWS,
    )
    problems = RowProblems()
    data_year, year_problems = resolve_year(p, year, _YEAR_PATTERN, "ca_wac_S000_JT00_2021.csv.gz")
    for problem in [*year_problems, *sums.problems]:
        problems.add(problem)
    wide = pd.concat([sums.levels[n] for n in sorted(LEVELS, reverse=True)])
    wide.index.name = "geoid"
    wide = wide.rename(columns={TOTAL_COLUMN: TOTAL_CODE, **LODES_SECTORS})
    table = wide.reset_index().melt(id_vars="geoid", var_name="naics", value_name="employment")
    table["year"] = data_year if data_year is not None else 0
    table["flag"] = ""
    table = finalize_table(table)
    for problem in duplicate_problems(table, p.name):
        problems.add(problem)
    log.info("read %s (year %s)", p.name, data_year)
    return table, problems.result()


def read_lodes_wac(
    path: str | os.PathLike[str], *, year: int | None = None, name: str | None = None
) -> EmploymentDataset:
    """Read a LODES WAC file, summing blocks to tracts, counties and the state.

    Parameters
    ----------
    path
        A WAC file, gzip-compressed as published (``.csv.gz``) or not.
    year
        Reference year; by default taken from the file name.
    name
        Dataset name (default: the file name without extensions).

    Returns
    -------
    EmploymentDataset
        ``TOTAL`` (from ``C000``) and the 20 NAICS sectors for every tract,
        county and state in the file.

    Raises
    ------
    DataSourceError
        If the file is missing or unreadable.
    FieldError
        If a WAC column is missing.
    ValidationError
        If block GEOIDs lost their leading zero, counts are not numbers or
        the year is unknown; all problems are listed.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ca_wac_S000_JT00_2021.csv.gz"
    >>> cols = ["w_geocode", "C000"] + [f"CNS{i:02d}" for i in range(1, 21)]
    >>> rows = ["060190005011000,5" + ",1" * 5 + ",0" * 15, "060190005011001,2" + ",0" * 20]
    >>> _ = p.write_bytes(gzip.compress("\\n".join([",".join(cols), *rows, ""]).encode()))
    >>> t = read_lodes_wac(p).table
    >>> t[t.naics == "TOTAL"][["geoid", "employment"]].values.tolist()
    [['06', 7.0], ['06019', 7.0], ['06019000501', 7.0]]
    """
    p = Path(path)
    table, problems = parse_lodes_wac(p, year=year)
    raise_if_problems(p, problems)
    return dataset_from_file(p, table, format=FORMAT, source=describe_lodes_wac(table, p), name=name)


def describe_lodes_wac(table: pd.DataFrame, path: Path) -> str:
    """Source line for map footers, e.g. "LEHD LODES WAC 2021 (S000, JT00)"."""
    meta = sidecar_meta(path)
    if isinstance(meta.get("source"), str):
        return str(meta["source"])
    years = ", ".join(str(y) for y in sorted({int(y) for y in table["year"].unique()}))
    match = _NAME_PATTERN.search(path.name)
    if match:
        segment, jobtype = match.group("segment").upper(), match.group("jobtype").upper()
        if segment != "S000":
            log.warning(
                "%s counts only the workers of segment %s, not all workers (S000)",
                path.name,
                segment,
            )
        return f"LEHD LODES WAC {years} ({segment}, {jobtype})"
    return f"LEHD LODES WAC {years}"
