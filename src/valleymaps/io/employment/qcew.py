"""BLS Quarterly Census of Employment and Wages (QCEW) files as BLS publishes them.

Four layouts, told apart by their columns:

========================== ======================================== ===========================
layout                     file                                     employment columns
========================== ======================================== ===========================
CSVs by area, annual       ``2016.annual 06019 Fresno County,       ``annual_avg_emplvl``
                           California.csv`` (43 quoted columns,
                           with ``area_title`` ... ``size_title``)
CSVs by area, quarterly    ``2016.q1-q4 06019 Fresno County,        ``month1_emplvl`` ...
                           California.csv`` (47 columns)            ``month3_emplvl``
open-data API, annual      ``…/cew/data/api/2016/a/area/06019.csv`` ``annual_avg_emplvl``
                           (38 columns, no titles)
open-data API, quarterly   ``…/cew/data/api/2024/1/area/US000.csv`` ``month1_emplvl`` ...
                           (42 columns, ``qtrly_estabs``)
========================== ======================================== ===========================

How the files are read (every rule is a quirk of the published files):

* ``area_fips``: ``US000`` is the nation (GEOID ``US``), ``SS000`` a state
  (``06000`` -> ``06``), ``SSCCC`` a county. ``SS999`` (county unknown) and
  other areas (metro areas ``C1234``, ``CS…``) are left out.
* ``size_code``: only ``0`` (all establishment sizes).
* ``agglvl_code``: its last digit says the level. ``x0`` total covered
  (``own_code`` 0), ``x1`` total by ownership, ``x2``/``x3`` BLS domains and
  supersectors (industry codes ``101``, ``1011``, ``102``… that look like
  NAICS codes but are not: left out), ``x4``-``x8`` NAICS sectors to 6-digit
  industries (``31-33`` kept as the sector range). A NAICS code whose length
  disagrees with its level is a problem.
* ``own_code``: ``0`` total covered, ``1`` federal, ``2`` state, ``3`` local
  government, ``4`` international government, ``5`` private. ``8`` and
  ``9`` (government and non-federal totals of the national files) are left
  out: they repeat the others.
* ``disclosure_code`` ``N``: the value is withheld and the employment cells
  read 0; it becomes missing (NaN) with flag ``D``, never 0. ``-``: no
  establishment in the period, a real 0.
* Quarterly files have no annual column: the annual average is the mean of
  the 12 months, computed only when the four quarters of the year are there
  (in one file or several, e.g. four API slices); a year with fewer quarters
  is a problem that says which are missing. A month of a withheld quarter
  makes the annual average withheld.

How quarters map to the annual series (``quarter`` of :func:`read_qcew`):

* ``quarter=None`` (default): every year's value is its annual average. Annual
  files give BLS's ``annual_avg_emplvl``; quarterly files the mean of the 12
  monthly levels of the four quarters, the rule BLS uses for the annual
  average itself, so a year read from four quarterly slices matches the annual
  slice (up to BLS's rounding). A year with some quarters missing is refused,
  never averaged over fewer months (a year of Q1-Q3 would mix seasons with
  the complete years).
* ``quarter="2"`` (one of 1-4): every year's value is the mean of the three
  months of that quarter, and only quarterly rows of that quarter are read:
  a series of one quarter a year, comparable year to year because each value
  covers the same season. The dataset's source line says "Q2 averages"; an
  annual file, or a year without that quarter, is a problem.

Ownership: the dataset's ``table`` counts every ownership, the own code 0 row
where BLS publishes one (the totals) and otherwise the sum of own codes 1-5 at
each industry (a sum with a withheld part is a lower bound, flagged ``I``);
its ``private`` table counts own code 5 only. :func:`read_qcew_records`
gives the annual averages by ownership before they are combined.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from valleymaps import settings
from valleymaps.employment import NATION_GEOID, EmploymentDataset
from valleymaps.errors import ConfigError, FieldError, Problem, ValidationError
from valleymaps.flags import combine_flags
from valleymaps.io.employment._common import (
    NaicsNormalizer,
    RowProblems,
    csv_chunks,
    finalize_table,
    is_synthetic,
    read_header,
    safe_name,
    sidecar_meta,
    strip_suffixes,
)
from valleymaps.io.text_encoding import detect_file_encoding

log = logging.getLogger(__name__)

FORMAT = "qcew"

ANNUAL_COLUMN = "annual_avg_emplvl"
MONTH_COLUMNS: tuple[str, ...] = ("month1_emplvl", "month2_emplvl", "month3_emplvl")
KEY_COLUMNS: tuple[str, ...] = (
    "area_fips", "own_code", "industry_code", "agglvl_code", "year", "qtr", "disclosure_code",
)  # fmt: skip

#: Ownership codes kept: total covered, federal, state, local, international government, private.
OWN_TOTAL = "0"
OWN_PRIVATE = "5"
OWN_GOVERNMENT: frozenset[str] = frozenset("1234")
OWN_KEPT: frozenset[str] = frozenset({OWN_TOTAL, OWN_PRIVATE}) | OWN_GOVERNMENT

#: ``disclosure_code`` values: withheld, no establishments (a real 0), published.
WITHHELD_CODE = "N"
EMPTY_CODE = "-"

#: Flag given to withheld values (see :mod:`valleymaps.flags`).
WITHHELD_FLAG = "D"

_CHUNK_ROWS = 200_000


def is_qcew_header(columns: Collection[str]) -> bool:
    """True when ``columns`` look like a QCEW file (CSVs by area or an API slice)."""
    lower = {c.strip().lower() for c in columns}
    has_emp = ANNUAL_COLUMN in lower or set(MONTH_COLUMNS) <= lower
    return {"area_fips", "own_code", "industry_code", "agglvl_code"} <= lower and has_emp


def describe_layout(columns: Collection[str]) -> str:
    """Which of the four published layouts ``columns`` are.

    >>> describe_layout(["area_fips", "area_title", "annual_avg_emplvl"])
    'CSVs by area, annual'
    >>> describe_layout(["area_fips", "qtrly_estabs", "month1_emplvl"])
    'open-data API slice, quarterly'
    """
    lower = {c.strip().lower() for c in columns}
    kind = "annual" if ANNUAL_COLUMN in lower else "quarterly"
    return f"{'CSVs by area' if 'area_title' in lower else 'open-data API slice'}, {kind}"


def area_geoid(area: str) -> str | None:
    """The GEOID of a QCEW area code, or ``None`` for areas valleymaps does not map.

    >>> area_geoid("US000"), area_geoid("06000"), area_geoid("06019"), area_geoid("06999")
    ('US', '06', '06019', None)
    >>> area_geoid("C2342") is None
    True
    """
    code = area.strip().upper()
    if code == "US000":
        return NATION_GEOID
    if len(code) != 5 or not code.isdigit():
        return None
    if code.endswith("000"):
        return code[:2]
    if code.endswith("999"):
        return None
    return code


def _level_of(agglvl: str) -> int | None:
    """NAICS digits of an aggregation level (``x4`` -> 2 ... ``x8`` -> 6), 0 for totals, None for
    BLS groupings and anything else."""
    if len(agglvl) != 2 or not agglvl.isdigit():
        return None
    last = int(agglvl[1])
    if last in (0, 1):
        return 0
    if 4 <= last <= 8:
        return last - 2
    return None


def _naics_length(code: str) -> int:
    return 2 if "-" in code else len(code)


#: First bytes of files that are not text: (magic, what the file is).
_NOT_TEXT: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or a zip archive without one CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
)


def _refuse_other_kinds(path: Path) -> None:
    """Refuse a workbook given for a QCEW CSV, saying what it is (a zip holding one CSV is read)."""
    if path.suffix.lower() in {".zip", ".gz"}:
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return  # the reader says why it cannot be read
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            raise FieldError(
                f"{path.name} is {what}, not a QCEW CSV file. Pass the CSV as BLS publishes it "
                "('CSVs by area' or an open-data API slice, or 'valleymaps fetch qcew'); a sheet "
                "of your own: save it as CSV UTF-8 and import it with --format csv."
            )


def _parse_file(path: Path, states: set[str] | None, problems: RowProblems) -> tuple[pd.DataFrame, str]:
    """One file's rows kept: ``geoid, own, naics, year, qtr, employment, withheld, row``."""
    _refuse_other_kinds(path)
    header = read_header(path)
    lower = {c.strip().lower(): c for c in header}
    if not is_qcew_header(header) and len(header) == 1 and is_qcew_header(header[0].split("\t")):
        encoding = detect_file_encoding(path)
        raise FieldError(
            f"{path.name} is tab-separated text{f' ({encoding.upper()})' if encoding else ''}, as Excel "
            "saves 'Unicode Text', not the comma-separated file BLS publishes. Pass the downloaded "
            "CSV as published (re-saving in Excel also drops the leading zeros of area codes)."
        )
    if not is_qcew_header(header):
        missing = [c for c in ("area_fips", "own_code", "industry_code", "agglvl_code") if c not in lower]
        if ANNUAL_COLUMN not in lower and "month1_emplvl" not in lower:
            missing.append(f"{ANNUAL_COLUMN} or month1_emplvl")
        raise FieldError(
            f"{path.name} is not a QCEW file: no column {', '.join(repr(m) for m in missing)} "
            f"(found: {', '.join(header[:12])}). Pass a BLS 'CSVs by area' file or an open-data "
            "API area slice as published."
        )
    layout = describe_layout(header)
    annual = ANNUAL_COLUMN in lower
    missing_keys = [c for c in KEY_COLUMNS if c not in lower]
    if missing_keys:
        raise FieldError(
            f"{path.name} ({layout}) has no column {', '.join(repr(m) for m in missing_keys)}. "
            "Pass the file as BLS publishes it."
        )
    emp_columns = [ANNUAL_COLUMN] if annual else list(MONTH_COLUMNS)
    wanted = [*KEY_COLUMNS, "size_code", *emp_columns]
    usecols = [lower[c] for c in wanted if c in lower]
    normalizer = NaicsNormalizer()
    frames: list[pd.DataFrame] = []
    offset = 0
    n_other_areas = 0
    for raw in csv_chunks(path, usecols=usecols, dtype=str, chunksize=_CHUNK_ROWS):
        if raw.empty:  # a header and nothing else
            continue
        chunk = raw.rename(columns={c: c.strip().lower() for c in raw.columns}).fillna("")
        chunk = chunk.apply(lambda s: s.astype(str).str.strip())
        rows = np.arange(offset + 1, offset + len(chunk) + 1)
        offset += len(chunk)
        ok = np.ones(len(chunk), dtype=bool)

        def report(
            bad: np.ndarray, column: str, message: str, chunk: pd.DataFrame = chunk, rows: np.ndarray = rows
        ) -> None:
            for pos in np.flatnonzero(bad):
                value = str(chunk[column].iloc[pos])[:80]
                problems.add(
                    Problem(message.format(value), row=int(rows[pos]), column=lower.get(column, column))
                )

        area = chunk["area_fips"].str.upper()
        bad_area = ~area.str.fullmatch(r"[0-9A-Z]{5}").to_numpy(dtype=bool)
        report(bad_area, "area_fips", "{!r} is not a QCEW area code (5 characters: 06019, 06000, US000).")
        ok &= ~bad_area
        geoid = area.map(lambda a: area_geoid(a) if len(a) == 5 else None)
        mapped = geoid.notna().to_numpy()
        n_other_areas += int((ok & ~mapped).sum())
        keep = ok & mapped
        if states is not None:
            keep &= (geoid.fillna("").str[:2].isin(states) | (geoid == NATION_GEOID)).to_numpy()
        if "size_code" in chunk:
            keep &= chunk["size_code"].isin(["0", ""]).to_numpy()

        own = chunk["own_code"]
        bad_own = ~own.str.fullmatch(r"\d").to_numpy(dtype=bool)
        report(
            bad_own & keep, "own_code", "{!r} is not an ownership code (0 total, 1-4 government, 5 private)."
        )
        keep &= ~bad_own & own.isin(OWN_KEPT).to_numpy()

        level = chunk["agglvl_code"].map(_level_of)
        bad_lvl = ~chunk["agglvl_code"].str.fullmatch(r"\d{2}").to_numpy(dtype=bool)
        report(bad_lvl & keep, "agglvl_code", "{!r} is not an aggregation level code (2 digits, e.g. 78).")
        keep &= ~bad_lvl & level.notna().to_numpy()

        year_text = chunk["year"]
        bad_year = ~year_text.str.fullmatch(r"(19|20)\d\d").to_numpy(dtype=bool)
        report(bad_year & keep, "year", "{!r} is not a year (4 digits).")
        keep &= ~bad_year

        qtr = chunk["qtr"].str.upper()
        expected = {"A"} if annual else {"1", "2", "3", "4"}
        bad_qtr = ~qtr.isin(expected).to_numpy()
        report(
            bad_qtr & keep,
            "qtr",
            "{!r} is not " + ("'A' (annual file)" if annual else "a quarter 1-4 (quarterly file)") + ".",
        )
        keep &= ~bad_qtr

        disclosure = chunk["disclosure_code"].str.upper()
        bad_disc = ~disclosure.isin(["", WITHHELD_CODE, EMPTY_CODE]).to_numpy()
        report(bad_disc & keep, "disclosure_code", "unknown disclosure code {!r} (expected N, - or empty).")
        keep &= ~bad_disc
        withheld = (disclosure == WITHHELD_CODE).to_numpy()

        is_total = (level == 0).to_numpy()
        industry = chunk["industry_code"]
        bad_total = is_total & (industry != "10").to_numpy()
        report(bad_total & keep, "industry_code", "{!r} at a total level (agglvl_code x0/x1) should be 10.")
        keep &= ~bad_total
        naics = pd.Series("TOTAL", index=chunk.index, dtype=object)
        naics[~is_total] = normalizer.series(industry[~is_total])
        lengths = naics.map(lambda c: _naics_length(c) if isinstance(c, str) and c != "TOTAL" else 0)
        bad_naics = ~is_total & (naics.isna() | (lengths != level.fillna(-1))).to_numpy()
        for pos in np.flatnonzero(bad_naics & keep):
            problems.add(
                Problem(
                    f"industry_code {industry.iloc[pos][:20]!r} does not match agglvl_code "
                    f"{chunk['agglvl_code'].iloc[pos]!r} (a NAICS level of {int(level.iloc[pos])} "
                    "digits); the row is not as BLS publishes it.",
                    row=int(rows[pos]),
                    column=lower["industry_code"],
                )
            )
        keep &= ~bad_naics

        values = chunk[emp_columns].apply(pd.to_numeric, errors="coerce")
        bad_emp = ~withheld & (values.isna() | (values < 0)).any(axis=1).to_numpy()
        for pos in np.flatnonzero(bad_emp & keep):
            column = next(c for c in emp_columns if not values[c].iloc[pos] >= 0)
            problems.add(
                Problem(
                    f"{str(chunk[column].iloc[pos])[:80]!r} is not a number of jobs (0 or more).",
                    row=int(rows[pos]),
                    column=lower[column],
                )
            )
        keep &= ~bad_emp
        # the mean of the quarter's 3 months, or the annual average as it is
        employment = values.mean(axis=1).to_numpy(dtype=float, copy=True)
        employment[withheld] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "geoid": geoid.to_numpy()[keep],
                    "own": own.to_numpy()[keep],
                    "naics": naics.to_numpy()[keep],
                    "year": year_text.to_numpy()[keep].astype(int),
                    "qtr": qtr.to_numpy()[keep],
                    "employment": employment[keep],
                    "withheld": withheld[keep],
                    "row": rows[keep],
                }
            )
        )
    if n_other_areas:
        log.info(
            "%s: left out %d rows of other areas than the nation, states, counties", path.name, n_other_areas
        )
    if offset == 0:
        problems.add(Problem(f"{path.name} has a header but no data rows."))
    records = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["geoid", "own", "naics", "year", "qtr", "employment", "withheld", "row"])
    )
    records["file"] = path.name
    return records, layout


def _quarter_averages(records: pd.DataFrame, quarter: str, problems: list[Problem]) -> pd.DataFrame:
    """The mean of the three months of ``quarter`` for each year: ``geoid, own, naics, year,
    employment, withheld, missing``; annual files and years without the quarter are problems,
    one per file (and year), naming the ``qtr`` column and the fix."""
    keys = ["geoid", "own", "naics", "year"]
    annual = records[records["qtr"] == "A"]
    for name in sorted(set(annual["file"])):
        problems.append(
            Problem(
                f"{name} is an annual file (every row's qtr is A, annual averages): it holds no "
                f"quarter {quarter}. Import it without a quarter for its annual averages, or pass "
                f"the quarterly file of that year (the CSVs by area 'YYYY.q1-q4 ...', or the "
                f"open-data slice .../{{year}}/{quarter}/area/...).",
                column="qtr",
            )
        )
    quarterly = records[records["qtr"] != "A"]
    have = quarterly.groupby(["geoid", "year"])["qtr"].agg(lambda q: quarter in set(q))
    lacking = have[~have].index
    if len(lacking):
        rows = quarterly.set_index(["geoid", "year"]).loc[lambda f: f.index.isin(lacking)].reset_index()
        for (name, year), part in rows.groupby(["file", "year"], sort=True):
            quarters = ", ".join(sorted(set(part["qtr"])))
            areas = sorted(set(part["geoid"]))
            where = f"area {areas[0]}" if len(areas) == 1 else f"{len(areas)} areas ({areas[0]}, ...)"
            problems.append(
                Problem(
                    f"{name}: {where}, {year}: no quarter {quarter} (quarter {quarters} only). A "
                    f"series of quarter {quarter} needs it every year: pass the file holding "
                    f"quarter {quarter} of {year} (the CSVs by area '{year}.q1-q4 ...', or the "
                    f"open-data slice .../{year}/{quarter}/area/...), or ask for a quarter the "
                    f"file has ({quarters}).",
                    column="qtr",
                )
            )
    rows = quarterly[quarterly["qtr"] == quarter]
    out = rows.assign(missing=False)[[*keys, "employment", "withheld", "missing"]]
    return out.reset_index(drop=True)


def _annual_averages(records: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Annual averages ``geoid, own, naics, year, employment, withheld, missing`` from annual
    rows as they are and quarterly rows averaged over the 12 months of complete years."""
    keys = ["geoid", "own", "naics", "year"]
    annual = records[records["qtr"] == "A"]
    quarterly = records[records["qtr"] != "A"]
    out = [annual.assign(missing=False)[[*keys, "employment", "withheld", "missing"]]]
    if not quarterly.empty:
        have = quarterly.groupby(["geoid", "year"])["qtr"].agg(lambda q: sorted(set(q)))
        incomplete = have[have.map(len) < 4]
        for (geoid, year), quarters in incomplete.items():
            at = (quarterly["geoid"] == geoid) & (quarterly["year"] == year)
            files = sorted(set(quarterly.loc[at, "file"]))
            problems.append(
                Problem(
                    f"area {geoid}, {year}: only quarter{'s' if len(quarters) > 1 else ''} "
                    f"{', '.join(quarters)} (in {', '.join(files)[:80]}); an annual average is the "
                    "mean of the 12 months of the four quarters. Pass the files of every quarter "
                    "together, or the annual file."
                )
            )
        complete = have[have.map(len) == 4].index
        q = quarterly.set_index(["geoid", "year"]).loc[lambda f: f.index.isin(complete)].reset_index()
        if not q.empty:
            grouped = q.groupby(keys, sort=False)
            avg = grouped.agg(
                employment=("employment", "mean"),
                n=("qtr", "nunique"),
                rows=("qtr", "size"),
                withheld=("withheld", "any"),
            ).reset_index()
            avg.loc[avg["withheld"], "employment"] = np.nan
            avg["missing"] = avg["n"] < 4  # in a complete year, a row absent from some quarter
            avg.loc[avg["missing"], "employment"] = np.nan
            out.append(avg[[*keys, "employment", "withheld", "missing"]])
    result = pd.concat(out, ignore_index=True)
    both = result.duplicated(keys, keep=False)
    if both.any():
        example = result[both].iloc[0]
        problems.append(
            Problem(
                f"{int(both.sum()) // 2} area/ownership/industry/year combinations come twice (e.g. "
                f"{example['geoid']}/own {example['own']}/{example['naics']}/{example['year']}): an "
                "annual file and quarterly files of the same year, or one file passed twice. Pass "
                "each year once."
            )
        )
    return result


def read_qcew_records(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    states: Collection[str] | None = (settings.STATE_FIPS,),
    quarter: str | None = None,
) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Annual averages by ownership from QCEW files, before ownerships are combined.

    Parameters
    ----------
    paths
        QCEW files of any of the four layouts (quarterly files of one year together).
    states
        State FIPS codes whose state and county areas are kept (default California); the
        nation is always kept. ``None`` keeps every state.
    quarter
        ``None``: annual averages; ``"1"``-``"4"``: the mean of that quarter's three months
        each year (see the module notes).

    Returns
    -------
    records : pandas.DataFrame
        ``geoid, own, naics, year, employment, withheld, missing``: one row per area, ownership
        code, industry (``TOTAL`` for all industries) and year; ``employment`` is NaN when
        ``withheld`` (disclosure code N) or ``missing`` (absent from some quarter).
    problems : list of Problem
        Everything wrong, with file and row numbers; nothing is raised for them.
    layouts : list of str
        The layout of each file (:func:`describe_layout`).
    """
    path_list = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    wanted = {s.zfill(2) for s in states} if states is not None else None
    problems: list[Problem] = []
    frames = []
    layouts = []
    for path in path_list:
        rows = RowProblems()
        records, layout = _parse_file(path, wanted, rows)
        for problem in rows.result():
            if len(path_list) > 1:
                problem = Problem(f"{path.name}: {problem.message}", row=problem.row, column=problem.column)
            problems.append(problem)
        frames.append(records)
        layouts.append(layout)
    records = pd.concat(frames, ignore_index=True)
    period = check_quarter(quarter)
    annual = (
        _annual_averages(records, problems)
        if period is None
        else _quarter_averages(records, period, problems)
    )
    if not problems and annual.empty:
        where = f"state {', '.join(sorted(wanted))}" if wanted else "any state"
        problems.append(
            Problem(
                f"no rows for the nation or {where} in {', '.join(p.name for p in path_list)[:80]}. "
                "Pass the files of the region's counties, the state (06000) or the U.S. (US000)."
            )
        )
    return annual, problems, layouts


def check_quarter(quarter: str | int | None) -> str | None:
    """``None`` (annual averages) or the quarter as ``"1"``-``"4"`` (``q2``, ``Q2``, 2 too).

    >>> check_quarter("Q3"), check_quarter(None), check_quarter(1)
    ('3', None, '1')
    """
    if quarter is None:
        return None
    text = str(quarter).strip().lower().removeprefix("q")
    if text not in ("1", "2", "3", "4"):
        raise ConfigError(f"unknown quarter {str(quarter)[:20]!r}; use 1-4 (or q1-q4).")
    return text


def _flag(withheld: pd.Series, missing: pd.Series) -> pd.Series:
    flag = pd.Series("", index=withheld.index, dtype=object)
    flag[withheld.to_numpy()] = WITHHELD_FLAG
    flag[missing.to_numpy() & ~withheld.to_numpy()] = "X"
    return flag


def combine_ownerships(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The employment table for all ownerships and for private employers, from
    :func:`read_qcew_records`.

    All ownerships: the own code 0 row where there is one, else the sum of own codes 1-5
    (a sum with withheld parts is a lower bound flagged ``I``; with only withheld parts it
    is NaN, flagged ``D``). Private: own code 5.

    Examples
    --------
    >>> r = pd.DataFrame({"geoid": ["06019"] * 3, "own": ["1", "3", "5"],
    ...                   "naics": ["622110"] * 3, "year": [2016] * 3,
    ...                   "employment": [900.0, np.nan, 4000.0],
    ...                   "withheld": [False, True, False], "missing": [False] * 3})
    >>> all_, private = combine_ownerships(r)
    >>> all_[["employment", "flag"]].values.tolist(), private["employment"].tolist()
    ([[4900.0, 'I']], [4000.0])
    """
    rec = records.assign(flag=_flag(records["withheld"], records["missing"]))
    keys = ["geoid", "naics", "year"]
    total = rec[rec["own"] == OWN_TOTAL]
    has_total = pd.MultiIndex.from_frame(total[keys])
    parts = rec[(rec["own"] != OWN_TOTAL) & ~pd.MultiIndex.from_frame(rec[keys]).isin(has_total)]
    grouped = parts.groupby(keys, sort=False)
    summed = grouped["employment"].agg(["sum", "count", "size"]).reset_index()
    summed["employment"] = summed["sum"].where(summed["count"] > 0)
    flags = grouped["flag"].agg(combine_flags).reset_index(drop=True)
    partial = (summed["count"] < summed["size"]) & (summed["count"] > 0)
    # a lower bound is published, not withheld: flag I alone (D stays on the withheld part's own row)
    summed["flag"] = ["I" if p else f for f, p in zip(flags, partial, strict=True)]
    all_owners = pd.concat([total[[*keys, "employment", "flag"]], summed[[*keys, "employment", "flag"]]])
    private = rec[rec["own"] == OWN_PRIVATE][[*keys, "employment", "flag"]]
    return finalize_table(all_owners), finalize_table(private)


def describe_qcew(
    table: pd.DataFrame, paths: list[Path], layouts: list[str], *, quarter: str | None = None
) -> str:
    """Source line for map footers, e.g. "BLS QCEW 2016 annual averages (CSVs by area, quarterly)"."""
    sources = {str(sidecar_meta(p).get("source", "")) for p in paths} - {""}
    if len(sources) == 1:
        return sources.pop()
    years = sorted({int(y) for y in table["year"].unique()})
    span = f"{years[0]}-{years[-1]}" if len(years) > 2 else ", ".join(map(str, years))
    what = "annual averages" if quarter is None else f"Q{quarter} averages (mean of the quarter's 3 months)"
    return f"BLS Quarterly Census of Employment and Wages {span} {what} ({'; '.join(sorted(set(layouts)))})"


def read_qcew(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    states: Collection[str] | None = (settings.STATE_FIPS,),
    name: str | None = None,
    quarter: str | None = None,
) -> EmploymentDataset:
    """Read QCEW files (CSVs by area or open-data API slices) into one dataset.

    Parameters
    ----------
    paths
        One or more files, any of the four layouts; the four quarters of a year together.
    states
        State FIPS codes kept (default California); the nation (``US000``) is always kept.
    name
        Dataset name (default the file name, or ``qcew_<years>`` for several files; with a
        quarter, ``_q<n>`` appended, so the quarter series and the annual one stay apart).
    quarter
        ``None`` (default): annual averages. ``"1"``-``"4"``: each year's value is the mean
        of that quarter's three months (quarterly files only; see the module notes).

    Returns
    -------
    EmploymentDataset
        Annual averages; ``table`` for all ownerships, ``private`` for own code 5. Withheld
        values are NaN flagged ``D``.

    Raises
    ------
    DataSourceError, FieldError
        If a file is missing, unreadable or not a QCEW file.
    ValidationError
        Listing every problem (bad rows, incomplete years, repeated rows).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "06019.csv"
    >>> _ = p.write_text(
    ...     "area_fips,own_code,industry_code,agglvl_code,size_code,year,qtr,disclosure_code,"
    ...     "annual_avg_estabs,annual_avg_emplvl\\n"
    ...     '"06019","0","10","70","0","2016","A","",30000,374939\\n'
    ...     '"06019","5","111","75","0","2016","A","N",0,0\\n')
    >>> ds = read_qcew(p)
    >>> ds.table[["naics", "employment", "flag"]].values.tolist()
    [['111', nan, 'D'], ['TOTAL', 374939.0, '']]
    """
    path_list = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    period = check_quarter(quarter)
    records, problems, layouts = read_qcew_records(path_list, states=states, quarter=period)
    if problems:
        where = str(path_list[0]) if len(path_list) == 1 else f"{len(path_list)} QCEW files"
        raise ValidationError(where, problems)
    table, private = combine_ownerships(records)
    years = sorted({int(y) for y in table["year"].unique()})
    if name is None:
        if len(path_list) == 1:
            name = strip_suffixes(path_list[0])
        else:
            name = f"qcew_{years[0]}" if len(years) == 1 else f"qcew_{years[0]}_{years[-1]}"
        # a quarter series apart from the annual one read from the same files
        name += f"_q{period}" if period is not None else ""
    dataset = EmploymentDataset(
        name=safe_name(name),
        table=table,
        source=describe_qcew(table, path_list, layouts, quarter=period),
        format=FORMAT,
        synthetic=any(is_synthetic(p) for p in path_list),
        imported_from=[p.name for p in path_list],
        private=private,
    )
    log.info(
        "read QCEW from %d file%s: %d rows (all ownerships), %d private, %d places, years %s",
        len(path_list),
        "s" if len(path_list) != 1 else "",
        len(table),
        len(private),
        table["geoid"].nunique(),
        dataset.vintage,
    )
    return dataset


__all__ = [
    "FORMAT",
    "area_geoid",
    "check_quarter",
    "combine_ownerships",
    "describe_layout",
    "is_qcew_header",
    "read_qcew",
    "read_qcew_records",
]
