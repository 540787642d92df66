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

import numpy as np
import pandas as pd

from valleymaps.employment import LODES_SECTORS, TOTAL_CODE, EmploymentDataset
from valleymaps.errors import FieldError, Problem
from valleymaps.io.employment._common import (
    RowProblems,
    csv_chunks,
    dataset_from_file,
    duplicate_problems,
    finalize_table,
    raise_if_problems,
    read_header,
    resolve_year,
    sidecar_meta,
)

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

_CHUNK_ROWS = 200_000


def is_lodes_wac_header(columns: Collection[str]) -> bool:
    """True when ``columns`` look like a LODES WAC file."""
    return GEOCODE_COLUMN in {c.lower() for c in columns}


def _as_numbers(values: pd.Series) -> pd.Series:
    """Numbers of a count column; NaN where a value is not a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values
    return pd.to_numeric(values.astype(str).str.strip(), errors="coerce")


def _as_text(value: object) -> str:
    """A cell as it (roughly) read in the file: empty for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_lodes_wac(
    path: str | os.PathLike[str], *, year: int | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a WAC file into an employment table and its problems (see :func:`read_lodes_wac`)."""
    p = Path(path)
    header = read_header(p)
    by_lower = {c.lower(): c for c in header}
    needed = [GEOCODE_COLUMN, TOTAL_COLUMN, *SECTOR_COLUMNS]
    missing = [c for c in needed if c.lower() not in by_lower]
    if missing:
        shown = missing if len(missing) <= 4 else [*missing[:3], f"... ({len(missing)} in all)"]
        raise FieldError(
            f"{p.name} is not a LODES WAC file: no column "
            f"{', '.join(m if m.startswith('...') else repr(m) for m in shown)} "
            f"(found: {', '.join(header[:12])}{' ...' if len(header) > 12 else ''}). Pass a "
            "ca_wac_S000_JT00_YYYY.csv.gz file as published by LEHD."
        )
    usecols = [by_lower[c.lower()] for c in needed]
    geocode_col = by_lower[GEOCODE_COLUMN]
    count_cols = [by_lower[c.lower()] for c in (TOTAL_COLUMN, *SECTOR_COLUMNS)]
    problems = RowProblems()
    data_year, year_problems = resolve_year(p, year, _YEAR_PATTERN, "ca_wac_S000_JT00_2021.csv.gz")
    for problem in year_problems:
        problems.add(problem)

    partial: list[pd.DataFrame] = []
    offset = 0
    n_lost_zero = 0
    lost_zero_example = ""
    # counts are parsed by pandas' C parser; only a column holding something else
    # (text, empty cells) goes through the slower per-value check below
    dtypes = {geocode_col: str}
    for chunk in csv_chunks(p, usecols=usecols, dtype=dtypes, chunksize=_CHUNK_ROWS):
        rows = np.arange(offset + 1, offset + len(chunk) + 1)
        offset += len(chunk)
        geocode = chunk[geocode_col].astype(str).str.strip()
        is_digits = geocode.str.fullmatch(r"\d+").fillna(False).astype(bool)
        lengths = geocode.str.len()
        good = is_digits & (lengths == 15)
        short = is_digits & (lengths == 14)
        if short.any():
            n_lost_zero += int(short.sum())
            lost_zero_example = lost_zero_example or str(geocode[short].iloc[0])
        for pos in np.flatnonzero((~good & ~short).to_numpy()):
            problems.add(
                Problem(
                    f"{geocode.iloc[pos]!r} is not a 15-digit census block GEOID.",
                    row=int(rows[pos]),
                    column=geocode_col,
                )
            )
        counts = chunk[count_cols].apply(_as_numbers)
        bad_counts = counts.isna() | (counts < 0) | (counts % 1 != 0)
        for pos, col_pos in zip(*np.nonzero(bad_counts.to_numpy()), strict=True):
            col = count_cols[col_pos]
            problems.add(
                Problem(
                    f"{_as_text(chunk[col].iloc[pos])!r} is not a number of jobs (a whole "
                    "number, 0 or more).",
                    row=int(rows[pos]),
                    column=col,
                )
            )
        ok = (good & ~bad_counts.any(axis=1)).to_numpy()
        if not ok.any():
            continue
        block = counts[ok].astype("int64")
        block.columns = [TOTAL_COLUMN, *SECTOR_COLUMNS]
        block.index = pd.Index(geocode[ok].str.slice(0, 11).to_numpy(), name="geoid")
        partial.append(block.groupby(level=0).sum())
    if n_lost_zero:
        problems.add(
            Problem(
                f"{n_lost_zero} block GEOIDs have 14 digits (example: {lost_zero_example}): "
                "the file was re-saved with the column as numbers and lost the leading zero. "
                "Use the file as downloaded, or re-save the column as 15-character text, "
                f"e.g. {lost_zero_example.zfill(15)}.",
                column=geocode_col,
            )
        )
    if offset == 0:
        problems.add(Problem(f"{p.name} has a header but no data rows."))

    if partial:
        tracts = pd.concat(partial).groupby(level=0).sum()
    else:
        tracts = pd.DataFrame(
            columns=[TOTAL_COLUMN, *SECTOR_COLUMNS],
            index=pd.Index([], dtype=str, name="geoid"),
            dtype="int64",
        )
    wide = pd.concat(
        [
            tracts,
            tracts.groupby(tracts.index.str.slice(0, 5)).sum(),
            tracts.groupby(tracts.index.str.slice(0, 2)).sum(),
        ]
    )
    wide.index.name = "geoid"
    wide = wide.rename(columns={TOTAL_COLUMN: TOTAL_CODE, **LODES_SECTORS})
    table = wide.reset_index().melt(id_vars="geoid", var_name="naics", value_name="employment")
    table["year"] = data_year if data_year is not None else 0
    table["flag"] = ""
    table = finalize_table(table)
    for problem in duplicate_problems(table, p.name):
        problems.add(problem)
    log.info(
        "read %d blocks from %s (year %s): %d tracts, %d counties, %d states",
        offset,
        p.name,
        data_year,
        len(tracts),
        tracts.index.str.slice(0, 5).nunique(),
        tracts.index.str.slice(0, 2).nunique(),
    )
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
