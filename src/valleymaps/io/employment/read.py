"""Read employment files of one format into one :class:`~valleymaps.employment.EmploymentDataset`."""


from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

import pandas as pd

from valleymaps import settings
from valleymaps.employment import EmploymentDataset, default_not_covered
from valleymaps.errors import ConfigError, FieldError, Problem, ValidationError
from valleymaps.io.employment import cbp, lodes_wac, plain_csv, qcew
from valleymaps.io.employment._common import (
    duplicate_problems,
    finalize_table,
    is_synthetic,
    read_header,
    safe_name,
    sidecar_meta,
    strip_suffixes,
)
from valleymaps.io.os_errors import ensure_readable

log = logging.getLogger(__name__)

#: Format names and what they read.
FORMATS: dict[str, str] = {
    cbp.FORMAT: "County Business Patterns county or state file (cbp21co.txt)",
    lodes_wac.FORMAT: "LEHD LODES workplace area characteristics (ca_wac_S000_JT00_2021.csv.gz)",
    qcew.FORMAT: "BLS Quarterly Census of Employment and Wages, CSVs by area or open-data API "
    "slices (2016.annual 06019 Fresno County, California.csv; 06019.csv)",
    plain_csv.FORMAT: "plain table geoid,naics,year,employment[,flag]",
}

_ALIASES: dict[str, str] = {
    "countybusinesspatterns": cbp.FORMAT,
    "lodes": lodes_wac.FORMAT,
    "wac": lodes_wac.FORMAT,
    "lodeswac": lodes_wac.FORMAT,
    "plain": plain_csv.FORMAT,
    "plaincsv": plain_csv.FORMAT,
    "table": plain_csv.FORMAT,
    "bls": qcew.FORMAT,
    "quarterlycensusofemploymentandwages": qcew.FORMAT,
    "cew": qcew.FORMAT,
}


def resolve_format(name: str) -> str:
    """The canonical format name for ``name`` (forgiving about case, ``_`` and ``-``).

    Raises
    ------
    ConfigError
        Listing the valid formats when ``name`` is unknown.

    Examples
    --------
    >>> resolve_format("LODES_WAC"), resolve_format("CBP"), resolve_format("plain-csv")
    ('lodes-wac', 'cbp', 'csv')
    """
    key = name.strip().lower()
    if key in FORMATS:
        return key
    squashed = key.replace("-", "").replace("_", "").replace(" ", "")
    for fmt in FORMATS:
        if fmt.replace("-", "") == squashed:
            return fmt
    if squashed in _ALIASES:
        return _ALIASES[squashed]
    raise ConfigError(
        f"unknown employment format {name!r}; use one of: "
        + "; ".join(f"{k} ({v})" for k, v in FORMATS.items())
    )


def detect_format(path: str | os.PathLike[str]) -> str | None:
    """Guess the format of an employment file from its header, or ``None``.

    CBP by its ``fipstate``/``naics``/``emp`` columns, LODES WAC by
    ``w_geocode``, a plain table by ``geoid``/``naics``/``year``/``employment``.
    """
    header = read_header(Path(path))
    if lodes_wac.is_lodes_wac_header(header):
        return lodes_wac.FORMAT
    if cbp.is_cbp_header(header):
        return cbp.FORMAT
    if qcew.is_qcew_header(header):
        return qcew.FORMAT
    if plain_csv.is_plain_csv_header(header):
        return plain_csv.FORMAT
    return None


def parse_employment_file(
    path: str | os.PathLike[str],
    *,
    format: str,
    year: int | None = None,
    states: Collection[str] | None = (settings.STATE_FIPS,),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one file of ``format`` into a table and the problems found (nothing raised for rows)."""
    fmt = resolve_format(format)
    parsers: dict[str, Callable[[], tuple[pd.DataFrame, list[Problem]]]] = {
        cbp.FORMAT: lambda: cbp.parse_cbp(path, year=year, states=states),
        lodes_wac.FORMAT: lambda: lodes_wac.parse_lodes_wac(path, year=year),
        plain_csv.FORMAT: lambda: plain_csv.parse_plain_csv(path, year=year),
        qcew.FORMAT: lambda: _parse_qcew(path, states=states),
    }
    try:
        return parsers[fmt]()
    except FieldError as exc:
        detected = detect_format(path)
        if detected is not None and detected != fmt:
            raise FieldError(f"{exc} It looks like a {detected} file: pass --format {detected}.") from exc
        raise


def _parse_qcew(
    path: str | os.PathLike[str], *, states: Collection[str] | None
) -> tuple[pd.DataFrame, list[Problem]]:
    records, problems, _ = qcew.read_qcew_records(path, states=states)
    return qcew.combine_ownerships(records)[0], problems


def _describe(fmt: str, table: pd.DataFrame, paths: list[Path]) -> str:
    sources = {str(sidecar_meta(p).get("source", "")) for p in paths} - {""}
    if len(sources) == 1:
        return sources.pop()
    if fmt == cbp.FORMAT:
        return cbp.describe_cbp(table, Path("cbp"))
    if fmt == lodes_wac.FORMAT:
        return lodes_wac.describe_lodes_wac(table, paths[0] if len(paths) == 1 else Path("wac"))
    return ", ".join(p.name for p in paths)


def _default_name(fmt: str, paths: list[Path], years: list[int]) -> str:
    if len(paths) == 1:
        return safe_name(strip_suffixes(paths[0]))
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}_{years[-1]}"
    return safe_name(f"{fmt.replace('-', '_')}_{span}")


def read_employment(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    format: str,
    year: int | None = None,
    name: str | None = None,
    states: Collection[str] | None = (settings.STATE_FIPS,),
    quarter: str | None = None,
) -> EmploymentDataset:
    """Read one or more employment files of one format into one dataset.

    Parameters
    ----------
    paths
        The files (e.g. ``cbp21co.txt`` and ``cbp21st.txt``, or one WAC file
        per year).
    format
        ``cbp``, ``lodes-wac``, ``qcew`` or ``csv`` (see :data:`FORMATS`).
    year
        Reference year, for files whose name does not tell it.
    name
        Dataset name; default the file name (one file) or format and years.
    states
        CBP and QCEW: state FIPS codes to keep (default California); ``None``
        keeps every state (QCEW always keeps the nation).
    quarter
        QCEW only: ``"1"``-``"4"`` reads each year's value as the mean of that quarter's
        three months (:func:`valleymaps.io.employment.qcew.read_qcew`); default annual averages.

    Returns
    -------
    EmploymentDataset

    Raises
    ------
    ConfigError
        If ``format`` is unknown or ``name`` is not usable as a file name.
    DataSourceError, FieldError
        If a file is missing, unreadable or laid out differently.
    ValidationError
        Listing every problem of a file, or keys repeated across files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "employment_synthetic.csv"
    >>> _ = p.write_text("geoid,naics,year,employment\\n06019,11,2021,5400\\n")
    >>> ds = read_employment(p, format="csv")
    >>> ds.name, ds.synthetic, ds.years
    ('employment_synthetic', True, [2021])
    """
    fmt = resolve_format(format)
    path_list = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    if not path_list:
        raise ConfigError("no employment file given; pass at least one file.")
    ensure_readable(path_list)
    if name is not None and safe_name(name) != name:
        raise ConfigError(
            f"dataset name {name!r} cannot be a file name; use letters, digits, '_', '-' "
            f"and '.', e.g. {safe_name(name)!r}."
        )
    if quarter is not None and fmt != qcew.FORMAT:
        raise ConfigError(f"a quarter ({quarter!r}) applies to QCEW files only, not {fmt}; leave it out.")
    if fmt == qcew.FORMAT:  # the quarters of a year may be in several files: read together
        for path in path_list:
            if detect_format(path) not in (None, qcew.FORMAT):
                parse_employment_file(path, format=fmt, states=states)  # says which format it is
        return qcew.read_qcew(path_list, states=states, name=name, quarter=quarter)
    tables = []
    for path in path_list:
        table, problems = parse_employment_file(path, format=fmt, year=year, states=states)
        if problems:
            raise ValidationError(str(path), problems)
        tables.append(table)
    table = finalize_table(pd.concat(tables, ignore_index=True)) if len(tables) > 1 else tables[0]
    if len(path_list) > 1:
        dups = duplicate_problems(table, ", ".join(p.name for p in path_list))
        if dups:
            raise ValidationError(f"{len(path_list)} employment files", dups)
    years = sorted(int(y) for y in table["year"].unique())
    dataset = EmploymentDataset(
        name=name or _default_name(fmt, path_list, years),
        table=table,
        source=_describe(fmt, table, path_list),
        format=fmt,
        synthetic=any(is_synthetic(p) for p in path_list),
        imported_from=[p.name for p in path_list],
        not_covered=default_not_covered(fmt),
    )
    log.info(
        "read %d employment rows (%s) from %d file%s: %d places, years %s",
        len(table),
        fmt,
        len(path_list),
        "s" if len(path_list) != 1 else "",
        table["geoid"].nunique(),
        dataset.vintage,
    )
    return dataset
