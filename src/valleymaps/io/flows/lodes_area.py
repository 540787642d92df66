"""LODES RAC and WAC files as area totals for the flows: employed residents and jobs.

A RAC file (``ca_rac_S000_JT00_2021.csv.gz``) counts the jobs of the workers living in each block
(``h_geocode``), a WAC file (``ca_wac_S000_JT00_2021.csv.gz``) the jobs located in each block
(``w_geocode``); both count only jobs in the file's state. Their columns are turned into the
segments of the OD files:

=========  ==========================================================================
segment    RAC/WAC columns
=========  ==========================================================================
workers    ``C000`` (all jobs)
SA01-03    ``CA01``-``CA03`` (age 29 or younger, 30-54, 55 or older)
SE01-03    ``CE01``-``CE03`` (earning $1,250 a month or less, $1,251-$3,333, more)
SI01       ``CNS01`` ``CNS02`` ``CNS04`` ``CNS05``: goods producing (NAICS 11, 21, 23, 31-33)
SI02       ``CNS03`` ``CNS06`` ``CNS07`` ``CNS08``: trade, transportation and utilities
           (NAICS 22, 42, 44-45, 48-49)
SI03       ``CNS09``-``CNS20``: all other services (NAICS 51-92)
=========  ==========================================================================

(the industry groups as LEHD's LODES technical documentation defines SI01-SI03). Blocks are summed
to block groups, tracts and counties by GEOID prefix; the block rows are read by
:func:`valleymaps.io.employment.lodes_blocks.sum_lodes_blocks`, as WAC employment is.

>>> import gzip, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ca_rac_S000_JT00_2021.csv.gz"
>>> cols = ["h_geocode", "C000", "CA01", "CA02", "CA03", "CE01", "CE02", "CE03",
...         *[f"CNS{i:02d}" for i in range(1, 21)]]
>>> row = ["060190001001000", "4", "1", "2", "1", "0", "1", "3", "1", "0", "1", *["0"] * 16, "2"]
>>> _ = p.write_bytes(gzip.compress(("\\n".join([",".join(cols), ",".join(row)]) + "\\n").encode()))
>>> totals = read_lodes_area_totals([p], kind="rac")
>>> totals.table.set_index("geoid").loc["06019", ["workers", "SE03", "SI01", "SI02", "SI03"]].tolist()
[4, 3, 1, 1, 2]
>>> totals.source, totals.states
('LEHD LODES8 RAC 2021, all jobs (JT00), of CA', ('06',))
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from valleymaps.errors import ConfigError, Problem, ValidationError
from valleymaps.io.employment.lodes_blocks import sum_lodes_blocks
from valleymaps.io.flows.lodes_od import JOB_TYPES
from valleymaps.io.flows.lodes_version import resolve_lodes_version

log = logging.getLogger(__name__)

RAC, WAC = "rac", "wac"
#: Format names of ``valleymaps import flows``.
FORMATS: dict[str, str] = {"lodes-rac": RAC, "lodes-wac": WAC}

#: What each kind counts, and its block column.
KINDS: dict[str, dict[str, str]] = {
    RAC: {"column": "h_geocode", "what": "employed residents", "label": "RAC",
          "long": "residence area characteristics"},
    WAC: {"column": "w_geocode", "what": "jobs", "label": "WAC",
          "long": "workplace area characteristics"},
}

#: OD segment -> the RAC/WAC columns it sums.
SEGMENT_SOURCES: dict[str, tuple[str, ...]] = {
    "SA01": ("CA01",), "SA02": ("CA02",), "SA03": ("CA03",),
    "SE01": ("CE01",), "SE02": ("CE02",), "SE03": ("CE03",),
    "SI01": ("CNS01", "CNS02", "CNS04", "CNS05"),
    "SI02": ("CNS03", "CNS06", "CNS07", "CNS08"),
    "SI03": tuple(f"CNS{i:02d}" for i in range(9, 21)),
}  # fmt: skip
TOTAL_COLUMN = "C000"
#: Columns read from each file.
READ_COLUMNS: tuple[str, ...] = (
    TOTAL_COLUMN, *dict.fromkeys(c for cs in SEGMENT_SOURCES.values() for c in cs),
)

#: Levels the blocks are summed to (GEOID lengths).
LEVELS: dict[str, int] = {"block_group": 12, "tract": 11, "county": 5}

#: ``ca_rac_S000_JT00_2021.csv.gz`` -> state, kind, segment, job type, year.
NAME_PATTERN = re.compile(
    r"^(?P<state>[a-z]{2})_(?P<kind>rac|wac)_(?P<segment>S000|SA0[1-3]|SE0[1-3]|SI0[1-3])_"
    r"(?P<job_type>JT0[0-5])_(?P<year>\d{4})(?:[._-][^.]*)?\.csv(?:\.gz)?$",
    re.IGNORECASE,
)

@dataclass
class AreaTotals:
    """Employed residents (RAC) or jobs (WAC) of areas, by segment.

    Attributes
    ----------
    kind
        ``"rac"`` or ``"wac"``.
    table
        ``geoid`` (text: 12-character block groups, 11-character tracts, 5-character counties),
        ``workers`` and the OD segment columns ``SA01`` ... ``SI03``.
    source
        What the data are ("LEHD LODES8 RAC 2021, all jobs (JT00), of CA").
    imported_from
        File names read.
    states
        State FIPS codes the files cover (their jobs are the jobs in these states only).
    year, job_type, lodes_version
        From the file names, folders or the caller; None when unknown.
    notes
        What was done.
    """

    kind: str
    table: pd.DataFrame
    source: str
    imported_from: list[str]
    states: tuple[str, ...]
    year: int | None = None
    job_type: str | None = None
    lodes_version: str | None = None
    postal: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def parse_area_name(path: str | os.PathLike[str]) -> dict[str, str] | None:
    """State, kind, segment, job type and year from a RAC/WAC file name, or None.

    >>> parse_area_name("nv_wac_S000_JT01_2019.csv.gz")
    {'state': 'nv', 'kind': 'wac', 'segment': 'S000', 'job_type': 'JT01', 'year': '2019'}
    """
    m = NAME_PATTERN.match(Path(path).name)
    if m is None:
        return None
    return {"state": m["state"].lower(), "kind": m["kind"].lower(), "segment": m["segment"].upper(),
            "job_type": m["job_type"].upper(), "year": m["year"]}


def _check_names(paths: list[Path], kind: str, year: int | None) -> tuple[int | None, str | None, list[str]]:
    """Year, job type and states from the file names; every problem in one error."""
    problems = []
    parts = {p: parse_area_name(p) for p in paths}
    for path, part in parts.items():
        if part is None:
            continue
        if part["kind"] != kind:
            other = "lodes-rac" if part["kind"] == RAC else "lodes-wac"
            problems.append(Problem(f"{path.name} is a {part['kind'].upper()} file; import it with "
                                    f"--format {other}."))
        if part["segment"] != "S000":
            problems.append(Problem(
                f"{path.name} counts only the {part['segment']} segment; import the S000 file "
                f"({path.name.replace(part['segment'], 'S000', 1)}): its columns carry every segment."
            ))
    years = {int(p["year"]) for p in parts.values() if p}
    job_types = {p["job_type"] for p in parts.values() if p}
    for values, what in ((years, "years"), (job_types, "job types")):
        if len(values) > 1:
            listed = ", ".join(map(str, sorted(values)))
            problems.append(Problem(f"the files are of different {what} ({listed}); import each year "
                                    "and job type with its own OD dataset."))
    states = [p["state"] for p in parts.values() if p]
    twice = sorted({s for s in states if states.count(s) > 1})
    if twice:
        problems.append(Problem(f"more than one file of {', '.join(s.upper() for s in twice)}; pass "
                                "each state's file once."))
    unnamed = [p.name for p, part in parts.items() if part is None]
    if unnamed and year is None and not years:
        problems.append(Problem(
            f"the year of {', '.join(unnamed)} is not in the file name (as in "
            f"ca_{kind}_S000_JT00_2021.csv.gz); pass --year."
        ))
    if problems:
        raise ValidationError(f"{len(paths)} LODES {kind.upper()} file{'s' if len(paths) != 1 else ''}",
                              problems)
    data_year = years.pop() if years else year
    if year is not None and data_year != year:
        raise ConfigError(f"--year {year} was given but the file names say {data_year}.")
    return data_year, (job_types.pop() if job_types else None), sorted(set(states))


def _segments(sums: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"workers": sums[TOTAL_COLUMN]}, index=sums.index)
    for segment, columns in SEGMENT_SOURCES.items():
        out[segment] = sums[list(columns)].sum(axis=1)
    return out


def read_lodes_area_totals(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    kind: str,
    year: int | None = None,
    lodes_version: str | None = None,
) -> AreaTotals:
    """Read LODES RAC or WAC files (S000, one year and job type; one file per state).

    Parameters
    ----------
    paths
        ``{st}_rac_S000_JT0x_YYYY.csv.gz`` (``kind="rac"``) or ``{st}_wac_...`` files.
    kind
        ``"rac"`` or ``"wac"``.
    year
        The year, when the file names do not tell it.
    lodes_version
        ``"LODES7"`` or ``"LODES8"``, when neither the folder nor the year tells it.

    Returns
    -------
    AreaTotals

    Raises
    ------
    FieldError
        If a file lacks a column.
    ValidationError
        Listing every problem of the files: block GEOIDs stored as numbers (the column and the
        fix), bad counts with their rows, files of another kind, segment, year or job type.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}; use 'rac' or 'wac'.")
    spec = KINDS[kind]
    path_list = [Path(paths)] if isinstance(paths, str | os.PathLike) else [Path(p) for p in paths]
    if not path_list:
        raise ConfigError(f"no LODES {spec['label']} file given; pass at least one .csv.gz file.")
    data_year, job_type, postal = _check_names(path_list, kind, year)
    version = resolve_lodes_version(path_list, year=data_year, given=lodes_version)
    frames = []
    rows = 0
    for path in path_list:
        sums = sum_lodes_blocks(
            path, geocode_column=spec["column"], count_columns=list(READ_COLUMNS),
            lengths=tuple(LEVELS.values()), unit="jobs", what=f"LODES {spec['label']} file",
            hint=f"Pass a {{st}}_{kind}_S000_JT0x_YYYY.csv.gz file as published by LEHD.",
        )
        if sums.problems:
            raise ValidationError(str(path), sums.problems)
        rows += sums.rows
        frames += [_segments(t) for t in sums.levels.values()]
    table = pd.concat(frames).rename_axis("geoid").reset_index()
    duplicated = table["geoid"].duplicated()
    if duplicated.any():  # two files of the same state under other names
        raise ValidationError(f"{len(path_list)} LODES {spec['label']} files", [Problem(
            f"the files share places (e.g. {table.loc[duplicated, 'geoid'].iloc[0]}); pass each "
            "state's file once."
        )])
    table = table.sort_values("geoid", ignore_index=True)
    states = tuple(sorted(set(table["geoid"].str[:2])))
    source = (f"LEHD {version or 'LODES'} {spec['label']} {data_year or ''}".rstrip()
              + (f", {JOB_TYPES.get(job_type, job_type)} ({job_type})" if job_type else "")
              + (f", of {', '.join(s.upper() for s in postal)}" if postal else ""))
    county = table[table["geoid"].str.len() == LEVELS["county"]]
    notes = [f"{rows:,} blocks, {int(county['workers'].sum()):,} {spec['what']} "
             f"in {len(county):,} count{'y' if len(county) == 1 else 'ies'}"]
    log.info("read %s: %s", ", ".join(p.name for p in path_list), notes[0])
    return AreaTotals(kind=kind, table=table, source=source, imported_from=[p.name for p in path_list],
                      states=states, year=data_year, job_type=job_type, lodes_version=version,
                      postal=tuple(postal), notes=notes)
