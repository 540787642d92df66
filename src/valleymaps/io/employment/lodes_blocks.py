"""Sum the block rows of a LODES area characteristics file (WAC or RAC) to larger areas.

WAC (``ca_wac_S000_JT00_2021.csv.gz``) and RAC (``ca_rac_S000_JT00_2021.csv.gz``) files share one
layout: a 15-digit block GEOID *as text* (``w_geocode`` for WAC, ``h_geocode`` for RAC), then
counts (``C000`` all jobs, ``CA01``-``CA03`` by age, ``CE01``-``CE03`` by earnings, ``CNS01``-
``CNS20`` by NAICS sector, ...). Blocks are summed by GEOID prefix: 12 characters for block groups,
11 for tracts, 5 for counties, 2 for the state.

The file is read in chunks, so a whole-state file needs little memory. Every problem is gathered:
a GEOID that lost its leading zero (14 digits: the file went through a spreadsheet) is reported
once with a count, an example and the fix; other bad GEOIDs and counts row by row.

>>> import gzip, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ca_rac_S000_JT00_2021.csv.gz"
>>> _ = p.write_bytes(gzip.compress(b"h_geocode,C000,CE03\\n060190001001000,5,2\\n060190001002000,3,1\\n"))
>>> sums = sum_lodes_blocks(p, geocode_column="h_geocode", count_columns=["C000", "CE03"],
...                         lengths=(12, 5))
>>> sums.levels[12].to_dict("index")
{'060190001001': {'C000': 5, 'CE03': 2}, '060190001002': {'C000': 3, 'CE03': 1}}
>>> sums.levels[5].to_dict("index"), sums.rows, sums.problems
({'06019': {'C000': 8, 'CE03': 3}}, 2, [])
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from valleymaps.errors import FieldError, Problem
from valleymaps.io.employment._common import RowProblems, csv_chunks, read_header

log = logging.getLogger(__name__)

#: Cells (rows x columns read) per chunk: about 100,000 rows of a whole RAC or WAC file.
CHUNK_CELLS = 3_000_000

#: How a block GEOID that lost its leading zero is fixed (shared by the LODES readers).
LOST_ZERO_FIX = (
    "the file was re-saved with the column as numbers and lost the leading zero. Use the file as "
    "downloaded from LEHD (https://lehd.ces.census.gov/data/), or re-save the column as "
    "15-character text"
)


@dataclass
class BlockSums:
    """Counts of a LODES area characteristics file summed by GEOID prefix.

    Attributes
    ----------
    path
        The file read.
    levels
        Prefix length -> table indexed by GEOID (text, ``geoid``) with one int64 column per count
        column, named as asked (not as spelled in the file).
    rows
        Data rows read.
    problems
        Problems found (empty when every row could be read).
    """

    path: Path
    levels: dict[int, pd.DataFrame]
    rows: int
    problems: list[Problem] = field(default_factory=list)


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


def missing_columns_error(path: Path, header: Sequence[str], missing: Sequence[str], what: str,
                          hint: str) -> FieldError:
    """The error for a file lacking columns: what it is not, what it has, what to pass."""
    shown = list(missing) if len(missing) <= 4 else [*missing[:3], f"... ({len(missing)} in all)"]
    return FieldError(
        f"{path.name} is not a {what}: no column "
        f"{', '.join(m if m.startswith('...') else repr(m) for m in shown)} "
        f"(found: {', '.join(header[:12])}{' ...' if len(header) > 12 else ''}). {hint}"
    )


def sum_lodes_blocks(
    path: str | os.PathLike[str],
    *,
    geocode_column: str,
    count_columns: Sequence[str],
    lengths: Sequence[int],
    unit: str = "jobs",
    what: str = "LODES area characteristics file",
    hint: str = "Pass a file as published by LEHD.",
    chunk_rows: int | None = None,
) -> BlockSums:
    """Read ``count_columns`` of a LODES WAC or RAC file, summed to GEOID prefixes of ``lengths``.

    Parameters
    ----------
    path
        The file, gzip-compressed as published or not (column names are matched ignoring case).
    geocode_column
        ``"w_geocode"`` (WAC) or ``"h_geocode"`` (RAC).
    count_columns
        Columns to sum (``"C000"``, ``"CE03"``...).
    lengths
        GEOID prefix lengths to sum to (e.g. ``(12, 11, 5)``).
    unit
        What the counts count, for messages ("jobs", "workers").
    what, hint
        What the file should be and how to get one, for the missing-column error.
    chunk_rows
        Rows per chunk (default: :data:`CHUNK_CELLS` cells).

    Returns
    -------
    BlockSums
        The sums and every problem found (nothing is raised for bad rows).

    Raises
    ------
    DataSourceError
        If the file is missing or unreadable.
    FieldError
        If a column is missing.
    """
    p = Path(path)
    header = read_header(p)
    by_lower = {c.lower(): c for c in header}
    needed = [geocode_column, *count_columns]
    missing = [c for c in needed if c.lower() not in by_lower]
    if missing:
        raise missing_columns_error(p, header, missing, what, hint)
    geocode_col = by_lower[geocode_column.lower()]
    file_counts = [by_lower[c.lower()] for c in count_columns]
    finest = max(lengths)
    problems = RowProblems()
    partial: list[pd.DataFrame] = []
    offset = 0
    n_lost_zero = 0
    lost_zero_example = ""
    # counts are parsed by pandas' C parser; only a column holding something else
    # (text, empty cells) goes through the slower per-value check below
    chunks = csv_chunks(p, usecols=[geocode_col, *file_counts], dtype={geocode_col: str},
                        chunksize=chunk_rows or max(1000, CHUNK_CELLS // (1 + len(file_counts))))
    for chunk in chunks:
        rows = np.arange(offset + 1, offset + len(chunk) + 1)
        offset += len(chunk)
        geocode = chunk[geocode_col].astype(str).str.strip().str.strip('"')
        is_digits = geocode.str.fullmatch(r"\d+").fillna(False).astype(bool)
        lengths_found = geocode.str.len()
        good = is_digits & (lengths_found == 15)
        short = is_digits & (lengths_found == 14)
        if short.any():
            n_lost_zero += int(short.sum())
            lost_zero_example = lost_zero_example or str(geocode[short].iloc[0])
        for pos in np.flatnonzero((~good & ~short).to_numpy()):
            problems.add(Problem(f"{geocode.iloc[pos]!r} is not a 15-digit census block GEOID.",
                                 row=int(rows[pos]), column=geocode_col))
        # column by column: whole-frame checks would hold several copies of a chunk at once
        ok = good.to_numpy(dtype=bool, copy=True)
        values = np.empty((len(chunk), len(file_counts)), dtype=np.int64)
        for j, col in enumerate(file_counts):
            column = chunk[col]
            if pd.api.types.is_integer_dtype(column.dtype):
                numbers = column.to_numpy()
                bad = numbers < 0
            else:  # text or empty cells somewhere in the chunk: check each value
                parsed = _as_numbers(column).to_numpy(dtype=float)
                with np.errstate(invalid="ignore"):  # inf, Infinity, 1e400, nan: refused below
                    bad = ~np.isfinite(parsed) | (parsed < 0) | (np.mod(parsed, 1) != 0)
                numbers = np.where(bad, 0, parsed)
            for pos in np.flatnonzero(bad):
                problems.add(Problem(
                    f"{_as_text(column.iloc[pos])!r} is not a number of {unit} (a whole number, 0 or "
                    "more, as published).", row=int(rows[pos]), column=col,
                ))
            ok &= ~bad
            values[:, j] = numbers
        if not ok.any():
            continue
        block = pd.DataFrame(values[ok], columns=list(count_columns),
                             index=pd.Index(geocode[ok].str.slice(0, finest).to_numpy(), name="geoid"))
        partial.append(block.groupby(level=0).sum())
    if n_lost_zero:
        problems.add(Problem(
            f"{n_lost_zero} block GEOIDs have 14 digits (example: {lost_zero_example}): "
            f"{LOST_ZERO_FIX}, e.g. {lost_zero_example.zfill(15)}.",
            column=geocode_col,
        ))
    if offset == 0:
        problems.add(Problem(f"{p.name} has a header but no data rows."))
    if partial:
        fine = pd.concat(partial).groupby(level=0).sum()
    else:
        fine = pd.DataFrame(columns=list(count_columns), index=pd.Index([], dtype=str, name="geoid"),
                            dtype="int64")
    levels = {finest: fine}
    for n in sorted(set(lengths) - {finest}, reverse=True):
        coarse = fine.groupby(fine.index.str.slice(0, n)).sum()
        coarse.index.name = "geoid"
        levels[n] = coarse
    log.info("read %d blocks from %s: %s", offset, p.name,
             ", ".join(f"{len(t):,} areas of {n} characters" for n, t in sorted(levels.items())))
    return BlockSums(path=p, levels=levels, rows=offset, problems=problems.result())
