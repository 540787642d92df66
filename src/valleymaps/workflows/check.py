"""Check an input file without importing it: ``valleymaps validate``.

:func:`validate_file` works out what a file is (tract boundaries, or an
employment table in one of the supported formats), runs the checks the
import would run and returns every problem found, with row or feature
numbers, the column concerned and what to do. Nothing is written.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "jobs.csv"
>>> _ = p.write_text("geoid,naics,year,employment\\n6019,11,2021,5400\\n06031,11,2021,-3\\n")
>>> for problem in validate_file(p):
...     print(problem.row, problem.column, problem.message.split(".")[0])
1 geoid '6019' has 4 digits: it lost its leading zero
2 employment -3 is negative; employment is 0 or more
"""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

from pyproj import CRS

from valleymaps.errors import ConfigError, Problem, ValleymapsError
from valleymaps.io.employment import detect_format, parse_employment_file, resolve_format
from valleymaps.io.tracts import check_tracts
from valleymaps.io.vector import VECTOR_EXTENSIONS

log = logging.getLogger(__name__)

#: Kinds of file :func:`validate_file` checks.
KINDS: tuple[str, ...] = ("tracts", "employment")

_TABLE_EXTENSIONS = (".csv", ".txt", ".gz")


def detect_kind(path: str | os.PathLike[str]) -> str | None:
    """``"tracts"`` for vector files, ``"employment"`` for tables, ``None`` if unclear.

    >>> detect_kind("tl_2021_06_tract.shp"), detect_kind("cbp21co.txt"), detect_kind("a.xlsx")
    ('tracts', 'employment', None)
    """
    p = Path(path)
    name = p.name.lower()
    if name.endswith(VECTOR_EXTENSIONS):
        return "tracts"
    if name.endswith(_TABLE_EXTENSIONS):
        return "employment"
    if name.endswith(".zip") and p.is_file():
        try:
            with zipfile.ZipFile(p) as archive:
                members = [m.lower() for m in archive.namelist()]
        except (zipfile.BadZipFile, OSError):
            return None
        if any(m.endswith(VECTOR_EXTENSIONS) for m in members):
            return "tracts"
        if any(m.endswith((".csv", ".txt")) for m in members):
            return "employment"
    return None


def _resolve_kind(kind: str) -> str:
    key = kind.strip().lower()
    aliases = {"tract": "tracts", "boundaries": "tracts", "jobs": "employment"}
    key = aliases.get(key, key)
    if key not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}.")
    return key


def validate_file(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    format: str | None = None,
    assume_crs: str | CRS | None = None,
    id_column: str | None = None,
    year: int | None = None,
) -> list[Problem]:
    """Every problem the import of ``path`` would run into.

    Parameters
    ----------
    path
        The file to check.
    kind
        ``"tracts"`` or ``"employment"``; detected from the file when omitted
        (a ``format`` implies employment).
    format
        Employment format (``cbp``, ``lodes-wac``, ``csv``); detected from the
        header when omitted.
    assume_crs, id_column
        As for :func:`valleymaps.io.tracts.read_tracts`.
    year
        As for :func:`valleymaps.io.employment.read_employment`.

    Returns
    -------
    list of Problem
        Empty when the file can be imported as it is. Invalid polygons are not
        problems (the import repairs them).

    Raises
    ------
    ConfigError
        If ``kind`` or ``format`` is not a known name.
    """
    p = Path(path)
    if kind is not None:
        resolved = _resolve_kind(kind)
    elif format is not None:
        resolved = "employment"
    else:
        detected = detect_kind(p)
        if detected is None:
            if not p.exists():
                return [Problem(f"{p} does not exist. Check the file name and folder.")]
            return [
                Problem(
                    f"cannot tell what {p.name} is from its name; pass --format cbp, "
                    "lodes-wac or csv for employment tables (tract files are .shp, .zip, "
                    ".gpkg, .geojson or .topojson/.json)."
                )
            ]
        resolved = detected
    fmt = resolve_format(format) if format is not None else None

    if resolved == "tracts":
        problems = check_tracts(p, assume_crs=assume_crs, id_column=id_column)
    else:
        try:
            if fmt is None:
                fmt = detect_format(p)
            if fmt is None:
                return [
                    Problem(
                        f"{p.name} is not a known employment table: its header has none of "
                        "the CBP columns (fipstate, naics, emp), LODES WAC's w_geocode, or "
                        "geoid,naics,year,employment. Pass --format if it is one of these."
                    )
                ]
            _, problems = parse_employment_file(p, format=fmt, year=year)
        except ValleymapsError as exc:
            problems = [Problem(str(exc))]
    log.info(
        "%s (%s%s): %d problem%s",
        p.name,
        resolved,
        f", {fmt}" if fmt else "",
        len(problems),
        "s" if len(problems) != 1 else "",
    )
    return problems
