"""Plain employment tables: ``geoid,naics,year,employment[,flag]``.

The simplest way to bring other data (state LMI tables, a consultant's
estimates) into valleymaps. Rules:

* ``geoid``: text of 2 (state), 5 (county) or 11 (tract) digits, leading
  zeros kept (``06019``, not ``6019``), or ``US`` for the nation;
* ``naics``: a NAICS code of 2-6 digits, a sector range (``31-33``), CBP
  style padding (``11----``) or ``TOTAL``;
* ``year``: four digits;
* ``employment``: 0 or more; empty (or ``NA``) only for a withheld value,
  and then ``flag`` must say so (``D``, ``S``, ``N``, ``X`` or a size class
  ``a``-``m``, see :mod:`valleymaps.flags`);
* ``flag`` (optional): letters from :data:`valleymaps.flags.ALL_FLAGS`.

Every problem is collected with its 1-based data row number (header not
counted) and reported at once. A ``<name>.meta.json`` next to the file may
give ``source`` and ``synthetic``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from valleymaps.employment import NATION_GEOID, EmploymentDataset
from valleymaps.errors import FieldError, Problem, cut_value
from valleymaps.flags import ALL_FLAGS, WITHHELD, combine_flags
from valleymaps.io.employment._common import (
    NaicsNormalizer,
    RowProblems,
    csv_chunks,
    dataset_from_file,
    finalize_table,
    raise_if_problems,
    read_header,
    sidecar_meta,
)

log = logging.getLogger(__name__)

FORMAT = "csv"

REQUIRED_COLUMNS: tuple[str, ...] = ("geoid", "naics", "year", "employment")
GEOID_LENGTHS: tuple[int, ...] = (2, 5, 11)
_MISSING_MARKERS = frozenset({"", "NA", "NAN", "N/A", "NULL", "NONE"})
_CHUNK_ROWS = 500_000


def is_plain_csv_header(columns: Collection[str]) -> bool:
    """True when ``columns`` hold the plain employment columns."""
    return set(REQUIRED_COLUMNS) <= {c.strip().lower() for c in columns}


def _check_geoids(geoid: pd.Series, rows: np.ndarray, column: str, problems: RowProblems) -> np.ndarray:
    is_digits = geoid.str.fullmatch(r"\d+").fillna(False).astype(bool).to_numpy()
    lengths = geoid.str.len().to_numpy()
    good = (is_digits & np.isin(lengths, GEOID_LENGTHS)) | (geoid == NATION_GEOID).to_numpy()
    lost = is_digits & np.isin(lengths, [n - 1 for n in GEOID_LENGTHS])
    for pos in np.flatnonzero(~good):
        value = geoid.iloc[pos]
        if lost[pos]:
            message = (
                f"{value!r} has {len(value)} digits: it lost its leading zero. Re-save the "
                f"geoid column as text, e.g. {value.zfill(len(value) + 1)}."
            )
        elif value == "":
            message = "no geoid; give the state (2 digits), county (5) or tract (11) GEOID."
        else:
            message = (
                f"{value!r} is not a GEOID: use text of 2 (state), 5 (county) or 11 (tract) "
                "digits, e.g. 06019."
            )
        problems.add(Problem(message, row=int(rows[pos]), column=column))
    return good


def parse_plain_csv(
    path: str | os.PathLike[str], *, year: int | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a plain employment CSV into a table and its problems (see :func:`read_plain_csv`)."""
    p = Path(path)
    header = read_header(p)
    by_lower = {c.strip().lower(): c for c in header}
    missing = [c for c in REQUIRED_COLUMNS if c not in by_lower]
    if missing == ["year"] and year is not None:
        missing = []
    if missing:
        raise FieldError(
            f"{p.name} has no column {', '.join(repr(m) for m in missing)} "
            f"(found: {', '.join(header[:12])}). A plain employment table needs the columns "
            "geoid,naics,year,employment (and optionally flag)."
        )
    wanted = [*REQUIRED_COLUMNS, "flag"]
    usecols = [by_lower[c] for c in wanted if c in by_lower]
    names = {c: k for k, c in by_lower.items() if k in wanted}
    problems = RowProblems()
    normalizer = NaicsNormalizer()
    frames: list[pd.DataFrame] = []
    offset = 0
    for raw in csv_chunks(p, usecols=usecols, dtype=str, chunksize=_CHUNK_ROWS):
        chunk = raw.rename(columns=names)
        rows = np.arange(offset + 1, offset + len(chunk) + 1)
        offset += len(chunk)
        col = {k: by_lower[k] for k in wanted if k in by_lower}

        geoid = chunk["geoid"].astype(str).str.strip()
        ok = _check_geoids(geoid, rows, col["geoid"], problems)

        naics = normalizer.series(chunk["naics"].astype(str).str.strip())
        for pos in np.flatnonzero(naics.isna().to_numpy()):
            problems.add(
                Problem(
                    f"{chunk['naics'].iloc[pos]!r} is not a NAICS code (2-6 digits, a sector range "
                    "such as 31-33, or TOTAL).",
                    row=int(rows[pos]),
                    column=col["naics"],
                )
            )
        ok &= naics.notna().to_numpy()

        if "year" in chunk:
            year_text = chunk["year"].astype(str).str.strip()
            years = pd.to_numeric(year_text.where(year_text.str.fullmatch(r"\d{4}"), None), errors="coerce")
            bad_year = (years.isna() | (years < 1900) | (years > 2100)).to_numpy()
            for pos in np.flatnonzero(bad_year):
                problems.add(
                    Problem(
                        f"{year_text.iloc[pos]!r} is not a year (4 digits).",
                        row=int(rows[pos]),
                        column=col["year"],
                    )
                )
            ok &= ~bad_year
        else:
            years = pd.Series(year, index=chunk.index)

        flag_text = (
            chunk["flag"].astype(str).str.strip() if "flag" in chunk else pd.Series("", index=chunk.index)
        )
        # each distinct flag text checked and combined once (a file has a handful of them)
        distinct = flag_text.unique().tolist()
        unknown = flag_text.map({f: "".join(c for c in f if c not in ALL_FLAGS) for f in distinct})
        bad_flag = (unknown != "").to_numpy()
        for pos in np.flatnonzero(bad_flag):
            problems.add(
                Problem(
                    f"unknown flag letter(s) {unknown.iloc[pos]!r} in {flag_text.iloc[pos]!r}; use "
                    f"{', '.join(ALL_FLAGS)} (see valleymaps.flags).",
                    row=int(rows[pos]),
                    column=col.get("flag", "flag"),
                )
            )
        ok &= ~bad_flag
        withheld = flag_text.map({f: any(c in WITHHELD for c in f) for f in distinct}).to_numpy(dtype=bool)

        emp_text = chunk["employment"].astype(str).str.strip()
        empty = emp_text.str.upper().isin(_MISSING_MARKERS).to_numpy()
        emp = pd.to_numeric(emp_text.where(~empty, None), errors="coerce")
        not_number = ~empty & emp.isna().to_numpy()
        infinite = np.isinf(emp.to_numpy(dtype=float, na_value=np.nan))  # inf, Infinity, 1e400
        negative = (emp < 0).fillna(False).to_numpy(dtype=bool) & ~infinite
        for pos in np.flatnonzero(infinite):
            problems.add(
                Problem(
                    f"{cut_value(emp_text.iloc[pos])} is not a finite number; write the number of jobs "
                    "(e.g. 1200), or leave it empty with flag D (withheld), S, N or X.",
                    row=int(rows[pos]),
                    column=col["employment"],
                )
            )
        for pos in np.flatnonzero(not_number):
            value = emp_text.iloc[pos]
            hint = " (write it without thousands separators)" if "," in value else ""
            problems.add(
                Problem(f"{value!r} is not a number{hint}.", row=int(rows[pos]), column=col["employment"])
            )
        for pos in np.flatnonzero(negative):
            problems.add(
                Problem(
                    f"{emp_text.iloc[pos]} is negative; employment is 0 or more.",
                    row=int(rows[pos]),
                    column=col["employment"],
                )
            )
        unflagged = empty & ~withheld & ~bad_flag
        for pos in np.flatnonzero(unflagged):
            text = emp_text.iloc[pos]
            shown = f" ({cut_value(text)})" if text and text.lower() not in ("", "nan", "<na>") else ""
            if text.lower() == "nan":
                shown = " ('nan', not a number)"
            problems.add(
                Problem(
                    f"employment is empty{shown} but the flag does not say why; give the number, or set "
                    "flag to D (withheld), S, N or X (missing from the source).",
                    row=int(rows[pos]),
                    column=col["employment"],
                )
            )
        valued_withheld = ~empty & ~not_number & withheld
        for pos in np.flatnonzero(valued_withheld):
            problems.add(
                Problem(
                    f"employment {emp_text.iloc[pos]} is flagged as withheld "
                    f"({flag_text.iloc[pos]}); leave employment empty for withheld values.",
                    row=int(rows[pos]),
                    column=col["employment"],
                )
            )
        ok &= ~(not_number | infinite | negative | unflagged | valued_withheld)

        frames.append(
            pd.DataFrame(
                {
                    "geoid": geoid.to_numpy()[ok],
                    "naics": naics.to_numpy()[ok],
                    "year": years.to_numpy()[ok],
                    "employment": emp.to_numpy(dtype=float)[ok],
                    "flag": flag_text.map({f: combine_flags([f]) for f in distinct}).to_numpy()[ok],
                    "_row": rows[ok],
                }
            )
        )
    if offset == 0:
        problems.add(Problem(f"{p.name} has a header but no data rows."))
    table = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["geoid", "naics", "year", "employment", "flag", "_row"])
    )
    dup = table[table.duplicated(["geoid", "naics", "year"], keep=False)]
    for key, group in dup.groupby(["geoid", "naics", "year"], sort=False):
        first, *others = group["_row"].tolist()
        for row in others:
            problems.add(
                Problem(
                    f"same geoid, naics and year as row {first} ({key[0]}, {key[1]}, {key[2]}); "
                    "keep one row per place, industry and year.",
                    row=int(row),
                )
            )
    table = finalize_table(table.drop(columns="_row"))
    log.info(
        "read %d rows from %s (%d places, years %s)",
        len(table),
        p.name,
        table["geoid"].nunique(),
        ", ".join(str(y) for y in sorted(table["year"].unique())),
    )
    return table, problems.result()


def read_plain_csv(
    path: str | os.PathLike[str], *, year: int | None = None, name: str | None = None
) -> EmploymentDataset:
    """Read a plain ``geoid,naics,year,employment[,flag]`` table.

    Parameters
    ----------
    path
        The CSV file (UTF-8, comma separated; ``.gz`` or ``.zip`` accepted).
    year
        Year for every row when the file has no ``year`` column.
    name
        Dataset name (default: the file name without extensions).

    Returns
    -------
    EmploymentDataset

    Raises
    ------
    FieldError
        If a required column is missing.
    ValidationError
        Listing every bad row (1-based data row numbers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "jobs.csv"
    >>> _ = p.write_text("geoid,naics,year,employment,flag\\n06019,11,2021,5400,\\n"
    ...                  "06031,11,2021,,D\\n")
    >>> read_plain_csv(p).table.values.tolist()
    [['06019', '11', 2021, 5400.0, ''], ['06031', '11', 2021, nan, 'D']]
    """
    p = Path(path)
    table, problems = parse_plain_csv(p, year=year)
    raise_if_problems(p, problems)
    meta = sidecar_meta(p)
    source = meta.get("source") if isinstance(meta.get("source"), str) else None
    return dataset_from_file(p, table, format=FORMAT, source=source or p.name, name=name)
