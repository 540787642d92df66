"""Import census tract boundaries into a workspace.

Tract files come in many shapes: TIGER/Line and cartographic boundary
shapefiles (``GEOID``, ``GEOID10``/``GEOID20``, or ``STATEFP``+``COUNTYFP``+
``TRACTCE``), zipped as downloaded, GeoPackages, GeoJSON and TopoJSON (whose
objects carry the GEOID as ``id``). :func:`read_tracts` finds the tract GEOID
in any of these, refuses GEOIDs that lost their leading zero, keeps the
region's tracts, repairs invalid polygons and returns everything in
longitude/latitude (EPSG:4326). :func:`import_tracts` writes the result to the
workspace's ``data/geo/tracts.gpkg``.

Examples
--------
>>> import tempfile, pathlib, json
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.geojson"
>>> square = [[[-119.8, 36.7], [-119.7, 36.7], [-119.7, 36.8], [-119.8, 36.8], [-119.8, 36.7]]]
>>> _ = p.write_text(json.dumps({"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"GEOID": "06019000501"},
...      "geometry": {"type": "Polygon", "coordinates": square}}]}))
>>> result = read_tracts(p)
>>> result.n_read, result.n_kept, result.gdf.loc[0, "geoid"], result.gdf.loc[0, "name"]
(1, 1, '06019000501', 'Tract 5.01')
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from valleymaps import settings
from valleymaps.core.geometry import find_missing_geometries, repair_polygons
from valleymaps.core.misplaced import describe_misplaced, find_misplaced
from valleymaps.errors import (
    DataExistsError,
    DataSourceError,
    FieldError,
    GeometryRepairedWarning,
    Problem,
    ValidationError,
    ValleymapsError,
    WorkspaceError,
    cut_value,
)
from valleymaps.io.atomic import atomic_path
from valleymaps.io.filelock import exclusive_lock, lock_path
from valleymaps.io.os_errors import ensure_readable
from valleymaps.io.vector import parse_crs, read_vector
from valleymaps.workspace import Workspace, bundled_data_dir

log = logging.getLogger(__name__)

#: Columns of the tract layer written to a workspace.
TRACT_COLUMNS: tuple[str, ...] = ("geoid", "county_geoid", "name", "geometry")

#: Layer name inside ``tracts.gpkg``.
TRACTS_LAYER = "tracts"

#: Columns holding the whole 11-character tract GEOID, in order of preference
#: (matched case-insensitively).
GEOID_COLUMNS: tuple[str, ...] = ("GEOID", "GEOID20", "GEOID10", "id")

#: Columns holding a prefixed GEOID such as ``1400000US06019000501``.
PREFIXED_GEOID_COLUMNS: tuple[str, ...] = ("AFFGEOID", "AFFGEOID20", "AFFGEOID10", "GEOIDFQ", "GEO_ID")

#: Suffixes of the STATEFP/COUNTYFP/TRACTCE column triples (2020, 2010 vintages).
_PART_SUFFIXES: tuple[str, ...] = ("", "20", "10")
_PARTS: tuple[tuple[str, int], ...] = (("STATEFP", 2), ("COUNTYFP", 3), ("TRACTCE", 6))


@dataclass
class TractReadResult:
    """Tracts read from one or more files, with what happened to them.

    Attributes
    ----------
    gdf
        The region's tracts: ``geoid`` (11 characters), ``county_geoid``
        (5), ``name`` ("Tract 5.01") and ``geometry`` in EPSG:4326.
    n_read
        Features read from all files.
    n_kept
        Tracts kept (in the region's counties, with a geometry).
    n_repaired
        Kept tracts whose invalid polygon was repaired.
    repaired_geoids
        Their GEOIDs.
    problems
        Problems that did not stop the import (tracts dropped for lack of a
        geometry), with their feature numbers.
    sources
        The files read.
    """

    gdf: gpd.GeoDataFrame
    n_read: int
    n_kept: int
    n_repaired: int
    repaired_geoids: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def n_files(self) -> int:
        return len(self.sources)

    def counts_by_county(self) -> dict[str, int]:
        """Number of kept tracts per county GEOID."""
        counts = self.gdf["county_geoid"].value_counts().sort_index()
        return {str(k): int(v) for k, v in counts.items()}


@dataclass
class _FileTracts:
    path: Path
    gdf: gpd.GeoDataFrame | None
    problems: list[Problem]


def tract_name(geoid: str) -> str:
    """The short tract name Census uses, from an 11-character GEOID.

    >>> tract_name("06019000501"), tract_name("06019000500"), tract_name("06031981800")
    ('Tract 5.01', 'Tract 5', 'Tract 9818')
    """
    code = geoid[5:11]
    base, suffix = int(code[:4]), code[4:]
    return f"Tract {base}" if suffix == "00" else f"Tract {base}.{suffix}"


def _as_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def _lookup(columns: Iterable[str], wanted: str) -> str | None:
    by_lower = {c.lower(): c for c in columns}
    return by_lower.get(wanted.lower())


def _lost_zero_problem(column: str, example: str, *, numbers: bool) -> Problem:
    what = "are numbers, not text" if numbers else "have 10 digits"
    return Problem(
        f"the GEOIDs {what} (example: {example}): they lost their leading zero. "
        f"Re-save the column as 11-character text, e.g. {example.zfill(11)} (in a "
        "spreadsheet, format the column as Text before typing or importing).",
        column=column,
    )


def _numeric_example(values: pd.Series) -> str:
    present = values.dropna()
    if present.empty:
        return ""
    first = present.iloc[0]
    try:
        return str(int(first))
    except (TypeError, ValueError):
        return str(first)


def _check_code_column(
    values: pd.Series, column: str, width: int, what: str
) -> tuple[pd.Series, list[Problem]]:
    """Text codes of ``width`` digits; problems for numbers, lost zeros and bad values."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("string"), [
            _lost_zero_problem(column, _numeric_example(values), numbers=True)
            if width == 11
            else Problem(
                f"the codes are numbers, not text (example: {_numeric_example(values)}), so "
                f"they may have lost their leading zeros. Re-save the column as "
                f"{width}-character text, e.g. {_numeric_example(values).zfill(width)}.",
                column=column,
            )
        ]
    text = values.astype("string").str.strip()
    problems: list[Problem] = []
    missing = text.isna() | (text == "")
    digits = text.str.fullmatch(r"\d+").fillna(False).astype(bool)
    lengths = text.str.len()
    if width == 11 and digits.any():
        level = _other_level(lengths[digits & ~missing])
        if level is not None:
            example = str(text[digits].iloc[0])
            return text, [Problem(
                f"the file holds {level[1]} ({level[0]}-digit ids, e.g. {example}), not census tracts "
                "(11-digit GEOIDs). Pass a tract file (e.g. cb_2021_06_tract_500k.zip or "
                "tl_2021_06_tract.zip), or --id-column for the column holding the tract GEOID.",
                column=column,
            )]
    # a lost leading zero leaves 10 digits that do not start with 0 (06019... -> 6019...)
    short = digits & (lengths == width - 1) & ~text.str.startswith("0").fillna(False).astype(bool)
    if short.any():
        example = str(text[short].iloc[0])
        if width == 11:
            problems.append(_lost_zero_problem(column, example, numbers=False))
        else:
            problems.append(
                Problem(
                    f"the codes have {width - 1} digits (example: {example}): they lost their "
                    f"leading zero. Re-save the column as {width}-character text, e.g. "
                    f"{example.zfill(width)}.",
                    column=column,
                )
            )
    missing_mask = missing.to_numpy(dtype=bool)
    bad = (~missing & ~short & ~(digits & (lengths == width))).to_numpy(dtype=bool)
    for pos in np.flatnonzero(missing_mask | bad):
        value = str(text.iloc[pos]) if not missing_mask[pos] else ""
        if missing_mask[pos]:
            message = f"no {what}; every feature needs one."
        elif value.isdigit():
            message = (f"{cut_value(value)} has {len(value)} digits; a {what} has {width}: a digit is "
                       "missing or extra, or it is another kind of code.")
        else:
            message = f"{cut_value(value)} is not a {what} of {width} digits."
        problems.append(Problem(message, row=int(pos) + 1, column=column))
    return text, problems


#: Census codes of other levels, by their number of digits, as a tract import tells them.
_OTHER_LEVELS: dict[int, str] = {2: "states", 5: "counties", 12: "block groups", 15: "census blocks"}


def _other_level(lengths: pd.Series) -> tuple[int, str] | None:
    """(digits, level) when every code has the length of another level's codes (counties...)."""
    unique = set(lengths.dropna().astype(int))
    if len(unique) == 1:
        (n,) = unique
        if n in _OTHER_LEVELS:
            return n, _OTHER_LEVELS[n]
    return None


def _missing_dbf(path: Path) -> bool:
    """Whether ``path`` is a shapefile whose ``.dbf`` (the attribute table) is not beside it."""
    if path.suffix.lower() != ".shp":
        return False
    return not any(p.suffix.lower() == ".dbf" and p.stem == path.stem for p in path.parent.iterdir())


def _find_geoid(path: Path, gdf: gpd.GeoDataFrame, id_column: str | None) -> tuple[pd.Series, list[Problem]]:
    """The 11-character GEOID of every feature (by position) and the problems found."""
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    found = ", ".join(columns) or "no columns"
    if not columns and _missing_dbf(path):
        raise DataSourceError(
            f"{path.name}: the shapefile's .dbf file ({path.stem}.dbf, its attribute table with the "
            f"GEOIDs) is missing from {path.parent}. Copy all the shapefile's files (.shp, .shx, "
            ".dbf, .prj) into one folder, or pass the .zip as downloaded."
        )
    if id_column is not None:
        column = _lookup(columns, id_column)
        if column is None:
            raise FieldError(
                f"{path.name} has no column {id_column!r} (found: {found}). "
                "Pass --id-column with one of these."
            )
        values = gdf[column]
        if not pd.api.types.is_numeric_dtype(values.dtype):
            prefixed = values.astype("string").str.strip().str.extract(r"US(\d+)$")[0]
            if prefixed.notna().all():
                values = prefixed
        return _check_code_column(values.reset_index(drop=True), column, 11, "tract GEOID")
    for candidate in GEOID_COLUMNS:
        column = _lookup(columns, candidate)
        if column is not None:
            log.debug("%s: tract GEOID from column %r", path.name, column)
            return _check_code_column(gdf[column].reset_index(drop=True), column, 11, "tract GEOID")
    for candidate in PREFIXED_GEOID_COLUMNS:
        column = _lookup(columns, candidate)
        if column is not None:
            values = gdf[column].astype("string").str.strip().str.extract(r"US(\d+)$")[0]
            return _check_code_column(values.reset_index(drop=True), column, 11, "tract GEOID")
    for suffix in _PART_SUFFIXES:
        names = [_lookup(columns, f"{part}{suffix}") for part, _ in _PARTS]
        if all(names):
            pieces: list[pd.Series] = []
            problems: list[Problem] = []
            for (part, width), name in zip(_PARTS, names, strict=True):
                assert name is not None
                piece, piece_problems = _check_code_column(
                    gdf[name].reset_index(drop=True), name, width, f"{part} code"
                )
                pieces.append(piece)
                problems.extend(piece_problems)
            return pieces[0] + pieces[1] + pieces[2], problems
    raise FieldError(
        f"{path.name} has no tract GEOID column (looked for GEOID, GEOID20, GEOID10, id, "
        f"AFFGEOID or STATEFP+COUNTYFP+TRACTCE; found: {found}). "
        "Pass --id-column NAME for the column holding the 11-character tract GEOID."
    )


def reference_counties(ws: Workspace | None = None) -> gpd.GeoDataFrame:
    """County polygons tracts are checked against: the workspace's, else the bundled ones."""
    path = ws.counties_path if ws is not None and ws.counties_path.is_file() else None
    if path is None:
        path = bundled_data_dir() / "geo" / "ca_counties.geojson"
    gdf = read_vector(path)
    if "geoid" not in gdf.columns or "name" not in gdf.columns:
        raise DataSourceError(
            f"{path} has no 'geoid' and 'name' columns; restore it with 'valleymaps init --force'."
        )
    return gdf[["geoid", "name", gdf.geometry.name]]


def _misplaced_problems(
    path: Path,
    gdf: gpd.GeoDataFrame,
    geoid: pd.Series,
    region: Collection[str],
    counties: gpd.GeoDataFrame,
) -> list[Problem]:
    """Tracts whose coordinates do not fit their CRS or lie outside their county, one line per cause."""
    county = geoid.astype("string").str.slice(0, 5)
    in_region = county.isin(list(region)).fillna(False).astype(bool).to_numpy()
    if not in_region.any():
        return []
    rows = np.flatnonzero(in_region)
    expected = [str(c) for c in county.to_numpy()[rows]]
    found = find_misplaced(gdf.geometry.iloc[rows].reset_index(drop=True), expected, counties)
    if not found:
        return []
    names = dict(zip(counties["geoid"].astype(str), counties["name"].astype(str), strict=True))
    labels = [f"feature {r + 1} ({geoid.iloc[r]})" for r in rows]
    declared = CRS.from_user_input(gdf.crs).to_string() if gdf.crs is not None else "no CRS"
    lines = describe_misplaced(
        found,
        labels=labels,
        declared=declared,
        expected_names=[f"{names.get(c, c)} County ({c})" for c in expected],
        n_total=len(rows),
    )
    return [Problem(f"{path.name}: {line}") for line in lines]


def _read_file(
    path: Path,
    *,
    assume_crs: str | CRS | None,
    id_column: str | None,
    layer: str | None,
    region: Collection[str] | None = None,
    counties: gpd.GeoDataFrame | None = None,
) -> _FileTracts:
    gdf = read_vector(path, assume_crs=assume_crs, layer=layer, preferred_layer=TRACTS_LAYER)
    if gdf.empty:
        return _FileTracts(
            path=path,
            gdf=None,
            problems=[Problem(f"no features in {path.name}; pass a file of census tract polygons.")],
        )
    geoid, problems = _find_geoid(path, gdf, id_column)
    if not problems and counties is not None and region is not None:
        misplaced = _misplaced_problems(path, gdf, geoid, region, counties)
        if misplaced and assume_crs is not None:
            # the file declares a CRS that its coordinates do not fit: --assume-crs corrects it
            assumed = gdf.set_crs(parse_crs(assume_crs), allow_override=True)
            if not _misplaced_problems(path, assumed, geoid, region, counties):
                log.warning(
                    "%s declares %s but its coordinates fit --assume-crs %s: read as %s",
                    path.name,
                    gdf.crs.to_string() if gdf.crs is not None else "no CRS",
                    assumed.crs.to_string(),
                    assumed.crs.to_string(),
                )
                gdf, misplaced = assumed, []
        problems.extend(misplaced)
    out = gpd.GeoDataFrame(
        {
            "geoid": geoid.to_numpy(dtype=object, na_value=None),
            "_source": path.name,
            "_feature": np.arange(1, len(gdf) + 1),
        },
        geometry=gdf.geometry.to_numpy(),
        crs=gdf.crs,
    )
    if out.crs is not None and not out.crs.equals(CRS.from_user_input(settings.WEB_CRS)):
        out = out.to_crs(settings.WEB_CRS)
    return _FileTracts(path=path, gdf=out, problems=problems)


def _problems_error(per_file: Mapping[Path, list[Problem]]) -> ValidationError:
    if len(per_file) == 1:
        path, problems = next(iter(per_file.items()))
        return ValidationError(str(path), problems)
    merged = [
        Problem(
            p.message if p.message.startswith(f"{path.name}:") else f"{path.name}: {p.message}",
            row=p.row,
            column=p.column,
        )
        for path, problems in per_file.items()
        for p in problems
    ]
    return ValidationError(f"{len(per_file)} tract files", merged)


def _duplicates(gdf: gpd.GeoDataFrame) -> list[Problem]:
    dup = gdf[gdf["geoid"].duplicated(keep=False)]
    problems = []
    for geoid, rows in dup.groupby("geoid", sort=True):
        where = ", ".join(
            f"{s} (feature {f})" for s, f in zip(rows["_source"], rows["_feature"], strict=True)
        )
        problems.append(
            Problem(
                f"GEOID {geoid} appears {len(rows)} times: {where}. Pass each tract once "
                "(drop overlapping files, or dissolve multi-part tracts into one feature)."
            )
        )
    return problems


def _combine(files: list[_FileTracts], counties: Collection[str]) -> tuple[TractReadResult, list[Problem]]:
    """Filter, repair and check the tracts of all files; return the result and fatal problems."""
    frames = [f.gdf for f in files if f.gdf is not None]
    n_read = int(sum(len(f) for f in frames))
    if frames:
        gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=settings.WEB_CRS)
    else:
        gdf = gpd.GeoDataFrame(
            {"geoid": [], "_source": [], "_feature": []}, geometry=[], crs=settings.WEB_CRS
        )
    fatal: list[Problem] = []
    county = gdf["geoid"].astype("string").str.slice(0, 5)
    in_region = county.isin(list(counties)).fillna(False).astype(bool).to_numpy()
    if n_read == 0:
        fatal.append(
            Problem(
                f"no features in {', '.join(f.path.name for f in files)}; pass a file of "
                "census tract polygons."
            )
        )
    elif not in_region.any():
        found = sorted({str(c) for c in county.dropna().unique()})
        fatal.append(
            Problem(
                f"none of the {n_read} tracts is in the region's counties "
                f"({', '.join(sorted(counties))}); the file covers {', '.join(found[:10])}"
                f"{' ...' if len(found) > 10 else ''}. Pass tracts of the region (for "
                "California, the state file tl_YYYY_06_tract.zip)."
            )
        )
    gdf = gdf[in_region].reset_index(drop=True)
    n_outside = n_read - len(gdf)
    if n_outside:
        log.info("dropped %d tracts outside the region's %d counties", n_outside, len(counties))

    problems: list[Problem] = []
    missing = set(find_missing_geometries(gdf))
    invalid = ~gdf.geometry.is_valid.to_numpy() & ~np.isin(np.arange(len(gdf)), list(missing))
    repaired_geoids = sorted(str(g) for g in gdf["geoid"].to_numpy()[invalid])
    gdf, n_repaired = repair_polygons(gdf)
    missing |= set(find_missing_geometries(gdf))
    for pos in sorted(missing):
        row = gdf.iloc[pos]
        problems.append(
            Problem(
                f"{row['_source']}: tract {row['geoid']} has no polygon (missing, empty or "
                "collapsed when repaired) and was left out; fix it in the source file.",
                row=int(row["_feature"]),
            )
        )
    if missing:
        gdf = gdf.drop(index=gdf.index[sorted(missing)]).reset_index(drop=True)
    fatal.extend(_duplicates(gdf))

    gdf["county_geoid"] = gdf["geoid"].str.slice(0, 5)
    gdf["name"] = [tract_name(g) for g in gdf["geoid"]]
    gdf = gdf.sort_values("geoid", kind="stable").reset_index(drop=True)
    out = gpd.GeoDataFrame(
        {
            "geoid": gdf["geoid"].astype(str),
            "county_geoid": gdf["county_geoid"].astype(str),
            "name": gdf["name"].astype(str),
        },
        geometry=gdf.geometry.to_numpy(),
        crs=settings.WEB_CRS,
    )
    result = TractReadResult(
        gdf=out,
        n_read=n_read,
        n_kept=len(out),
        n_repaired=n_repaired,
        repaired_geoids=repaired_geoids,
        problems=problems,
        sources=[str(f.path) for f in files],
    )
    return result, fatal


def read_tracts(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    assume_crs: str | CRS | None = None,
    id_column: str | None = None,
    layer: str | None = None,
    counties: Collection[str] | None = None,
    county_geometry: gpd.GeoDataFrame | None = None,
) -> TractReadResult:
    """Read census tracts from one or more vector files.

    Parameters
    ----------
    paths
        Shapefile, zipped shapefile, GeoPackage, GeoJSON or TopoJSON files
        (one file or several, e.g. one per county).
    assume_crs
        CRS for files that declare none (``"EPSG:4326"`` for longitude/latitude).
    id_column
        Column holding the 11-character tract GEOID, when it is not one of
        GEOID, GEOID20, GEOID10, id, AFFGEOID or STATEFP+COUNTYFP+TRACTCE.
    layer
        Layer to read in multi-layer files (default: ``tracts`` or the only
        polygon layer).
    counties
        County GEOIDs to keep; defaults to the San Joaquin Valley
        (:data:`valleymaps.settings.VALLEY_COUNTIES`).
    county_geometry
        County polygons (``geoid``, ``name``) each tract must lie in or overlap (the county its
        GEOID names); default the bundled California counties. Tracts elsewhere, with
        latitude/longitude swapped or with coordinates in another CRS than declared are an
        error naming the likely cause (a declared CRS the coordinates do not fit is replaced by
        ``assume_crs`` when that one fits).

    Returns
    -------
    TractReadResult
        The tracts (EPSG:4326, sorted by GEOID) and counts.

    Raises
    ------
    DataSourceError, CRSError
        If a file cannot be read or has no CRS (see :func:`read_vector`).
    FieldError
        If no GEOID column is found.
    ValidationError
        If GEOIDs are numbers or lost their leading zero, are malformed or
        duplicated, no tract is in the region, or tracts do not lie in their
        county; every problem is listed.
    """
    region = list(counties) if counties is not None else list(settings.VALLEY_COUNTIES)
    ensure_readable(_as_paths(paths))
    reference = county_geometry if county_geometry is not None else reference_counties()
    files = [
        _read_file(
            p, assume_crs=assume_crs, id_column=id_column, layer=layer, region=region, counties=reference
        )
        for p in _as_paths(paths)
    ]
    bad = {f.path: f.problems for f in files if f.problems}
    if bad:
        raise _problems_error(bad)
    result, fatal = _combine(files, region)
    if fatal:
        source = str(files[0].path) if len(files) == 1 else f"{len(files)} tract files"
        raise ValidationError(source, fatal)
    if result.n_repaired:
        warnings.warn(
            f"repaired {result.n_repaired} invalid tract polygon"
            f"{'s' if result.n_repaired != 1 else ''} (kept their polygonal parts): "
            f"{', '.join(result.repaired_geoids[:10])}"
            f"{' ...' if result.n_repaired > 10 else ''}",
            GeometryRepairedWarning,
            stacklevel=2,
        )
    for problem in result.problems:
        log.warning("%s", problem)
    log.info(
        "read %d tracts from %d file%s, kept %d, repaired %d",
        result.n_read,
        result.n_files,
        "s" if result.n_files != 1 else "",
        result.n_kept,
        result.n_repaired,
    )
    return result


def check_tracts(
    path: str | os.PathLike[str],
    *,
    assume_crs: str | CRS | None = None,
    id_column: str | None = None,
    layer: str | None = None,
    counties: Collection[str] | None = None,
    county_geometry: gpd.GeoDataFrame | None = None,
) -> list[Problem]:
    """Every problem :func:`read_tracts` would find in ``path``, without raising.

    Invalid polygons are not problems (the import repairs them); they are
    logged.

    Examples
    --------
    >>> check_tracts("no-such-file.shp")[0].message
    'no-such-file.shp does not exist. Check the file name and folder.'
    """
    p = Path(path)
    region = list(counties) if counties is not None else list(settings.VALLEY_COUNTIES)
    try:
        reference = county_geometry if county_geometry is not None else reference_counties()
        one = _read_file(
            p, assume_crs=assume_crs, id_column=id_column, layer=layer, region=region, counties=reference
        )
    except ValleymapsError as exc:
        return [Problem(str(exc))]
    if one.problems:
        return one.problems
    result, fatal = _combine([one], region)
    if result.n_repaired:
        log.info("%s: %d invalid polygons would be repaired", p.name, result.n_repaired)
    return [*fatal, *result.problems]


def write_tracts(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a tract layer to a GeoPackage (layer ``tracts``) atomically."""
    target = Path(path)
    with atomic_path(target) as tmp:
        gdf[list(TRACT_COLUMNS)].to_file(tmp, layer=TRACTS_LAYER, driver="GPKG", engine="pyogrio")
    return target


def import_tracts(
    ws: Workspace,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    assume_crs: str | CRS | None = None,
    id_column: str | None = None,
    layer: str | None = None,
    replace: bool = False,
) -> TractReadResult:
    """Read tracts (see :func:`read_tracts`) and store them in the workspace.

    Keeps the tracts of the workspace's region counties and writes them to
    ``data/geo/tracts.gpkg`` (layer ``tracts``). Tracts imported before are replaced only
    when ``replace`` is true (the same tracts again replace nothing), and only once the new
    file is complete. The check and the write
    hold the lock ``tracts.gpkg.lock`` (:func:`valleymaps.io.filelock.exclusive_lock`, as
    project imports do): of two imports at once, the second waits and then refuses (or, with
    ``replace``, replaces the first one's tracts knowingly).

    Parameters
    ----------
    ws
        The workspace.
    paths, assume_crs, id_column, layer
        As for :func:`read_tracts`.
    replace
        Replace the tracts imported before.

    Returns
    -------
    TractReadResult
        What was read and kept.

    Raises
    ------
    DataExistsError
        If the workspace has tracts and ``replace`` is false (the counts before and after).
    """
    result = read_tracts(
        paths,
        assume_crs=assume_crs,
        id_column=id_column,
        layer=layer,
        counties=list(ws.config.region_counties),
        county_geometry=reference_counties(ws),
    )
    def waiting(pid: int | None) -> None:
        by = f" (process {pid})" if pid else ""
        log.warning("waiting for another import into %s to finish%s", ws.tracts_path, by)

    with exclusive_lock(lock_path(ws.tracts_path), on_wait=waiting):
        replaced = ws.tracts_path.exists()
        if replaced and not replace and not _holds_same_tracts(ws.tracts_path, result.gdf):
            before = _count_features(ws.tracts_path)
            raise DataExistsError(
                f"{ws.tracts_path} already holds {before} tracts; this import would replace them "
                f"with the {result.n_kept:,} tracts of {', '.join(str(p) for p in _as_paths(paths))}. "
                "Pass --replace to replace them (all of them: tract imports are not merged)."
            )
        write_tracts(result.gdf, ws.tracts_path)
    log.info(
        "%s %s with %d tracts",
        "replaced" if replaced else "wrote",
        ws.tracts_path,
        result.n_kept,
    )
    return result


def _holds_same_tracts(path: Path, gdf: gpd.GeoDataFrame) -> bool:
    """Whether ``path`` holds exactly these tracts (importing the same file again replaces nothing)."""
    try:
        old = pyogrio.read_dataframe(str(path), layer=TRACTS_LAYER)
    except Exception:
        return False
    if len(old) != len(gdf) or list(old["geoid"]) != list(gdf["geoid"]):
        return False
    return bool(old.geometry.geom_equals_exact(gdf.geometry.reset_index(drop=True), tolerance=1e-9).all())


def _count_features(path: Path) -> str:
    try:
        return f"{int(pyogrio.read_info(str(path), layer=TRACTS_LAYER)['features']):,}"
    except Exception:
        return "an unknown number of"


def load_tracts(ws: Workspace) -> gpd.GeoDataFrame:
    """The tracts imported into the workspace (EPSG:4326).

    Raises
    ------
    WorkspaceError
        If no tracts were imported yet.
    """
    if not ws.tracts_path.is_file():
        raise WorkspaceError(
            f"{ws.root} has no tracts yet ({ws.tracts_path} is missing). "
            "Import them with 'valleymaps import tracts FILE'."
        )
    gdf = read_vector(ws.tracts_path, layer=TRACTS_LAYER)
    return gdf
