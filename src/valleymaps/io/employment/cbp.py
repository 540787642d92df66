"""County Business Patterns (CBP) files as the Census Bureau publishes them.

Reads the county file (``cbp21co.txt``, also zipped as ``cbp21co.zip``) and
the state file (``cbp21st.txt``), in the current lowercase layout and the
UPPERCASE layout of older years:

* ``fipstate``, ``fipscty``: state and county FIPS codes -> the place GEOID
  (``06019``; ``06`` in the state file). County ``999`` ("statewide", not
  allocated to a county) is dropped.
* ``naics``: CBP's padded codes (``------``, ``11----``, ``113///``,
  ``1133//``, ``113310``), normalised with
  :func:`valleymaps.employment.normalize_naics`.
* ``emp``: mid-March employees. ``emp_nf`` flags noise (``G``, ``H``, ``J``:
  the value is published) or withholding (``D``, ``S``, ``N``: the file
  writes 0, we keep NaN and the flag). Files before 2017 also have
  ``empflag``: a size-class letter ``A``-``M`` means the value is withheld and
  only its range is known; it becomes the lowercase flag (see
  :data:`valleymaps.flags.SIZE_CLASS_FLAGS`).
* ``lfo`` (state files): legal form of organisation; only the all-forms rows
  (``-``) are kept.

The file has no year column: it comes from the name (``cbp21co`` -> 2021,
``cbp2011co`` -> 2011) or the ``year`` argument.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from valleymaps import settings
from valleymaps.employment import EmploymentDataset
from valleymaps.errors import FieldError, Problem
from valleymaps.flags import SIZE_CLASS_FLAGS, combine_flags
from valleymaps.io.employment._common import (
    NaicsNormalizer,
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

FORMAT = "cbp"

#: ``cbp21co.txt``, ``cbp2011co.zip``, ``CBP21ST.TXT``
_YEAR_PATTERN = re.compile(r"cbp(\d{4}|\d{2})(?:co|st|us)?(?![0-9])", re.IGNORECASE)

#: Noise flags (value published) and withholding flags in ``emp_nf``.
NOISE_FLAGS = frozenset("GHJ")
WITHHELD_NF = frozenset("DSN")

#: Size-class letters of ``empflag`` (files before 2017): value withheld.
SIZE_CLASS_LETTERS = frozenset(c.upper() for c in SIZE_CLASS_FLAGS)

STATEWIDE_COUNTY = "999"

_CHUNK_ROWS = 250_000


def is_cbp_header(columns: Collection[str]) -> bool:
    """True when ``columns`` look like a CBP county or state file."""
    lower = {c.lower() for c in columns}
    return {"fipstate", "naics", "emp"} <= lower


def _digits(values: pd.Series, width: int) -> tuple[pd.Series, pd.Series]:
    """Zero-padded codes and a mask of values that are not 1-``width`` digits."""
    text = values.astype(str).str.strip()
    ok = text.str.fullmatch(rf"\d{{1,{width}}}").fillna(False).astype(bool)
    return text.str.zfill(width), ~ok


def _report(
    problems: RowProblems,
    bad: pd.Series | np.ndarray,
    values: pd.Series,
    rows: np.ndarray,
    column: str | None,
    message: str,
) -> None:
    """Add a problem for every row where ``bad`` is true; ``message`` formats the value."""
    for pos in np.flatnonzero(np.asarray(bad)):
        problems.add(Problem(message.format(values.iloc[pos]), row=int(rows[pos]), column=column))


def parse_cbp(
    path: str | os.PathLike[str],
    *,
    year: int | None = None,
    states: Collection[str] | None = (settings.STATE_FIPS,),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a CBP county or state file into an employment table and its problems.

    Rows with problems are left out of the table; nothing is raised for them.
    See :func:`read_cbp`.
    """
    p = Path(path)
    header = read_header(p)
    lower = {c.lower(): c for c in header}
    if not is_cbp_header(header):
        missing = sorted({"fipstate", "naics", "emp"} - set(lower))
        raise FieldError(
            f"{p.name} is not a County Business Patterns county or state file: no column "
            f"{', '.join(repr(m) for m in missing)} (found: {', '.join(header[:12])}). "
            "Pass the cbpYYco.txt or cbpYYst.txt file as published, or use --format csv for a "
            "table with geoid,naics,year,employment."
        )
    is_county = "fipscty" in lower
    problems = RowProblems()
    data_year, year_problems = resolve_year(p, year, _YEAR_PATTERN, "cbp21co.txt")
    for problem in year_problems:
        problems.add(problem)
    wanted = ["fipstate", "fipscty", "naics", "emp", "emp_nf", "empflag", "lfo"]
    usecols = [lower[c] for c in wanted if c in lower]
    normalizer = NaicsNormalizer()
    wanted_states = {s.zfill(2) for s in states} if states is not None else None

    frames: list[pd.DataFrame] = []
    offset = 0
    n_statewide = 0
    n_other_lfo = 0
    # text columns as text (leading zeros); emp left to pandas' fast number parser
    dtypes = {c: str for c in usecols if c.lower() != "emp"}
    for raw in csv_chunks(p, usecols=usecols, dtype=dtypes, chunksize=_CHUNK_ROWS):
        chunk = raw.rename(columns={c: c.lower() for c in raw.columns})
        rows = np.arange(offset + 1, offset + len(chunk) + 1)
        offset += len(chunk)

        state, bad_state = _digits(chunk["fipstate"], 2)
        for pos in np.flatnonzero(bad_state.to_numpy()):
            problems.add(
                Problem(
                    f"{chunk['fipstate'].iloc[pos]!r} is not a state FIPS code.",
                    row=int(rows[pos]),
                    column=lower["fipstate"],
                )
            )
        keep = ~bad_state
        if wanted_states is not None:
            keep &= state.isin(wanted_states)
        if "lfo" in chunk:
            all_forms = chunk["lfo"].astype(str).str.strip().isin(["-", ""])
            n_other_lfo += int((keep & ~all_forms).sum())
            keep &= all_forms
        geoid = state
        if is_county:
            county, bad_county = _digits(chunk["fipscty"], 3)
            _report(
                problems,
                keep & bad_county,
                chunk["fipscty"],
                rows,
                lower["fipscty"],
                "{!r} is not a county FIPS code.",
            )
            keep &= ~bad_county
            statewide = keep & (county == STATEWIDE_COUNTY)
            n_statewide += int(statewide.sum())
            keep &= ~statewide
            geoid = state + county
        mask = keep.to_numpy()
        chunk, geoid, rows = chunk[mask], geoid[mask], rows[mask]
        if chunk.empty:
            continue

        naics = normalizer.series(chunk["naics"].astype(str).str.strip())
        bad_naics = naics.isna().to_numpy()
        _report(problems, bad_naics, chunk["naics"], rows, lower["naics"], "{!r} is not a NAICS code.")

        nf = (
            chunk["emp_nf"].astype(str).str.strip().str.upper()
            if "emp_nf" in chunk
            else pd.Series("", index=chunk.index)
        )
        bad_nf = ~nf.isin(NOISE_FLAGS | WITHHELD_NF | {""})
        _report(
            problems,
            bad_nf,
            nf,
            rows,
            lower.get("emp_nf"),
            "unknown noise flag {!r} (expected G, H, J, D, S or N).",
        )
        ef = (
            chunk["empflag"].astype(str).str.strip().str.upper()
            if "empflag" in chunk
            else pd.Series("", index=chunk.index)
        )
        bad_ef = ~ef.isin(SIZE_CLASS_LETTERS | WITHHELD_NF | {""})
        _report(
            problems,
            bad_ef,
            ef,
            rows,
            lower.get("empflag"),
            "unknown employment flag {!r} (expected a size class A-M).",
        )

        withheld = nf.isin(WITHHELD_NF) | (ef != "")
        if pd.api.types.is_numeric_dtype(chunk["emp"]):
            emp = chunk["emp"].astype("float64")
            emp_text = emp.map(lambda v: "" if np.isnan(v) else f"{v:g}")
        else:
            emp_text = chunk["emp"].astype(str).str.strip()
            emp = pd.to_numeric(emp_text, errors="coerce")
        infinite = np.isinf(emp.to_numpy(dtype=float))  # inf, Infinity, 1e400: refused even if withheld
        bad_emp = (emp.isna() & ~withheld) | (emp < 0) | infinite
        _report(
            problems,
            bad_emp,
            emp_text,
            rows,
            lower["emp"],
            "{!r} is not a number of employees; write a whole number, 0 or more (0 with a D, S or N "
            "flag in emp_nf for a withheld value).",
        )

        # size classes become lowercase flags (G in empflag is not G noise in emp_nf)
        ef_flag = ef.map(lambda c: c.lower() if c in SIZE_CLASS_LETTERS else c)
        raw_flag = nf.where(~bad_nf, "") + ef_flag.where(~bad_ef, "")
        ok = ~(bad_naics | bad_nf.to_numpy() | bad_ef.to_numpy() | bad_emp.to_numpy())
        frames.append(
            pd.DataFrame(
                {
                    "geoid": geoid.to_numpy()[ok],
                    "naics": naics.to_numpy()[ok],
                    "employment": emp.where(~withheld).to_numpy(dtype=float)[ok],
                    "flag": raw_flag.to_numpy()[ok],
                }
            )
        )
    if n_statewide:
        log.info("%s: dropped %d statewide rows (county 999, not allocated to a county)", p.name, n_statewide)
    if n_other_lfo:
        log.debug("%s: skipped %d rows broken down by legal form", p.name, n_other_lfo)

    if frames:
        table = pd.concat(frames, ignore_index=True)
    else:
        table = pd.DataFrame({"geoid": [], "naics": [], "employment": [], "flag": []})
    flag_map = {f: combine_flags([f]) for f in table["flag"].unique()}
    table["flag"] = table["flag"].map(flag_map)
    table["year"] = data_year if data_year is not None else 0
    table = finalize_table(table)
    if offset == 0:
        problems.add(Problem(f"{p.name} has a header but no data rows."))
    elif table.empty and not problems.problems:
        where = f"state {', '.join(sorted(wanted_states))}" if wanted_states else "any state"
        problems.add(
            Problem(
                f"{p.name} has no rows for {where}. Pass the national county "
                "file (cbpYYco) or the state file (cbpYYst)."
            )
        )
    for problem in duplicate_problems(table, p.name):
        problems.add(problem)
    log.info(
        "read %d CBP rows for %d %s from %s (year %s)",
        len(table),
        table["geoid"].nunique(),
        "counties" if is_county else "states",
        p.name,
        data_year,
    )
    return table, problems.result()


def read_cbp(
    path: str | os.PathLike[str],
    *,
    year: int | None = None,
    states: Collection[str] | None = (settings.STATE_FIPS,),
    name: str | None = None,
) -> EmploymentDataset:
    """Read a County Business Patterns county or state file.

    Parameters
    ----------
    path
        ``cbpYYco.txt`` (counties) or ``cbpYYst.txt`` (states), or a ``.zip``
        holding one of them.
    year
        Reference year; by default taken from the file name.
    states
        State FIPS codes to keep (default California); ``None`` keeps all.
    name
        Dataset name (default: the file name without extensions).

    Returns
    -------
    EmploymentDataset
        County (5-character) or state (2-character) GEOIDs; withheld values
        are NaN with their flag.

    Raises
    ------
    DataSourceError
        If the file is missing or unreadable.
    FieldError
        If it is not laid out like a CBP file.
    ValidationError
        If the year is unknown or rows are malformed; all problems are listed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cbp21co.txt"
    >>> _ = p.write_text('fipstate,fipscty,naics,emp_nf,emp\\n'
    ...                  '"06","019","------","G",250000\\n"06","019","113///","D",0\\n')
    >>> ds = read_cbp(p)
    >>> ds.table[["geoid", "naics", "employment", "flag"]].values.tolist()
    [['06019', '113', nan, 'D'], ['06019', 'TOTAL', 250000.0, 'G']]
    """
    p = Path(path)
    table, problems = parse_cbp(p, year=year, states=states)
    raise_if_problems(p, problems)
    return dataset_from_file(p, table, format=FORMAT, source=describe_cbp(table, p), name=name)


def describe_cbp(table: pd.DataFrame, path: Path) -> str:
    """Source line for map footers, e.g. "County Business Patterns 2021"."""
    meta = sidecar_meta(path)
    if isinstance(meta.get("source"), str):
        return str(meta["source"])
    years = sorted({int(y) for y in table["year"].unique()})
    return f"County Business Patterns {', '.join(str(y) for y in years)}".strip()


__all__ = ["FORMAT", "describe_cbp", "is_cbp_header", "parse_cbp", "read_cbp"]
