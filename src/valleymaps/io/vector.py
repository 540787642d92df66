"""Read vector layers (shapefile, zipped shapefile, GeoPackage, GeoJSON, TopoJSON).

A thin layer over :mod:`pyogrio` that turns its errors into
:class:`~valleymaps.errors.DataSourceError` messages saying what to do, finds
the dataset inside a ``.zip`` and refuses layers without a coordinate
reference system unless one is assumed explicitly.
"""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pyogrio
import pyogrio.errors
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from valleymaps.errors import CRSError, DataSourceError

log = logging.getLogger(__name__)

#: Extensions of vector datasets we read (also inside a ``.zip``).
VECTOR_EXTENSIONS: tuple[str, ...] = (
    ".shp", ".gpkg", ".geojson", ".json", ".topojson", ".fgb", ".kml", ".gml",
)  # fmt: skip

_POLYGON_TYPES = {"Polygon", "MultiPolygon", "Polygon Z", "MultiPolygon Z", "Unknown"}


def parse_crs(value: str | CRS, *, what: str = "--assume-crs") -> CRS:
    """Parse a user-given coordinate reference system (``EPSG:4326``, a WKT, a PROJ string).

    Raises
    ------
    CRSError
        If ``value`` is not a CRS pyproj understands.

    Examples
    --------
    >>> parse_crs("EPSG:4326").to_epsg()
    4326
    """
    try:
        return CRS.from_user_input(value)
    except PyprojCRSError as exc:
        raise CRSError(
            f"{what} {value!r} is not a coordinate reference system; "
            "give an EPSG code such as EPSG:4326 (longitude/latitude) or EPSG:3310."
        ) from exc


def _zip_member(path: Path) -> str:
    """The GDAL path of the one vector dataset inside the zip archive ``path``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataSourceError(
            f"{path} is not a readable zip archive ({exc}). Download it again or unzip it "
            "and pass the .shp/.gpkg/.geojson file instead."
        ) from exc
    names = [n for n in names if not PurePosixPath(n).name.startswith(("._", "."))]
    datasets = [n for n in names if PurePosixPath(n).suffix.lower() in VECTOR_EXTENSIONS]
    shapefiles = [n for n in datasets if n.lower().endswith(".shp")]
    candidates = shapefiles or datasets
    if not candidates:
        raise DataSourceError(
            f"{path} holds no vector dataset (found: {', '.join(names[:10]) or 'nothing'}). "
            "Pass a zip containing a shapefile (.shp with .shx, .dbf, .prj), a GeoPackage or "
            "a GeoJSON file."
        )
    if len(candidates) > 1:
        raise DataSourceError(
            f"{path} holds {len(candidates)} datasets ({', '.join(candidates[:10])}); "
            "unzip it and pass the one you want."
        )
    return f"/vsizip/{path.resolve().as_posix()}/{candidates[0]}"


def gdal_path(path: str | os.PathLike[str]) -> str:
    """The path to hand to GDAL for ``path`` (looking inside a ``.zip``).

    Raises
    ------
    DataSourceError
        If the file does not exist or a zip holds no (or several) datasets.
    """
    p = Path(path)
    if not p.exists():
        raise DataSourceError(f"{p} does not exist. Check the file name and folder.")
    if p.is_dir():
        return str(p)
    if p.suffix.lower() == ".zip":
        return _zip_member(p)
    return str(p)


def _choose_layer(path: Path, source: str, layer: str | None, preferred: str | None) -> str | None:
    try:
        layers = pyogrio.list_layers(source)
    except pyogrio.errors.DataSourceError as exc:
        raise DataSourceError(
            f"{path} cannot be read as a vector dataset ({exc}). Check it is a shapefile "
            "(with its .shx and .dbf), a zipped shapefile, a GeoPackage, a GeoJSON or a "
            "TopoJSON file and that it is not truncated."
        ) from exc
    names = [str(name) for name, _ in layers]
    if layer is not None:
        if layer not in names:
            raise DataSourceError(
                f"{path} has no layer {layer!r} (found: {', '.join(names)}). Pass one of these as the layer."
            )
        return layer
    # QGIS' style table (ours carry one too) is never the data
    names = [n for n in names if n != "layer_styles"]
    layers = [(n, g) for n, g in layers if str(n) != "layer_styles"]
    if len(names) <= 1:
        return names[0] if names else None
    if preferred is not None:
        for name in names:
            if name.lower() == preferred.lower():
                log.info("%s: reading layer %r of %d", path.name, name, len(names))
                return name
    polygonal = [str(name) for name, gtype in layers if str(gtype) in _POLYGON_TYPES]
    if len(polygonal) == 1:
        log.info("%s: reading its only polygon layer %r", path.name, polygonal[0])
        return polygonal[0]
    raise DataSourceError(
        f"{path} has {len(names)} layers ({', '.join(names)}) and it is not clear which "
        "to read. Pass the layer name (--layer NAME)."
    )


def read_vector(
    path: str | os.PathLike[str],
    *,
    assume_crs: str | CRS | None = None,
    layer: str | None = None,
    preferred_layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer into a GeoDataFrame.

    Reads shapefiles, zipped shapefiles (``.zip``, also with the files in a
    sub-folder), GeoPackages, GeoJSON and TopoJSON (each TopoJSON object is a
    layer).

    Parameters
    ----------
    path
        The file to read.
    assume_crs
        Coordinate reference system to use when the file declares none (for
        example ``"EPSG:4326"`` for longitude/latitude). Ignored, with a log
        line, when the file has one.
    layer
        Layer (TopoJSON object, GeoPackage table) to read. By default the only
        layer, else ``preferred_layer``, else the only polygon layer.
    preferred_layer
        Layer name to pick, case-insensitively, when there are several.

    Returns
    -------
    geopandas.GeoDataFrame
        The features, with a CRS.

    Raises
    ------
    DataSourceError
        If the file is missing, unreadable or has no such layer.
    CRSError
        If the file has no CRS and ``assume_crs`` is not given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "one.geojson"
    >>> _ = p.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
    ...     '"properties": {"GEOID": "06019000100"}, "geometry": {"type": "Point", '
    ...     '"coordinates": [-119.8, 36.7]}}]}')
    >>> gdf = read_vector(p)
    >>> gdf.crs.to_epsg(), gdf.loc[0, "GEOID"]
    (4326, '06019000100')
    """
    p = Path(path)
    source = gdal_path(p)
    chosen = _choose_layer(p, source, layer, preferred_layer)
    try:
        gdf = pyogrio.read_dataframe(source, layer=chosen)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataSourceError(
            f"{p} cannot be read ({exc}). Check the file is complete (a shapefile needs its "
            ".shx and .dbf beside it) or re-export it as a GeoPackage."
        ) from exc
    except pyogrio.errors.FieldError as exc:
        raise DataSourceError(f"{p}: a column cannot be read ({exc}).") from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataSourceError(
            f"{p} has no geometry column (it looks like a plain table). Pass a layer of "
            "polygons (shapefile, GeoPackage, GeoJSON or TopoJSON)."
        )
    if gdf.crs is None:
        if assume_crs is None:
            raise CRSError(
                f"{p} has no coordinate reference system (no .prj or CRS in the file); "
                "pass --assume-crs EPSG:4326 if the coordinates are longitude/latitude "
                "(or the EPSG code of the projection they are in)."
            )
        crs = parse_crs(assume_crs)
        gdf = gdf.set_crs(crs)
        log.debug("%s: no CRS in the file, assuming %s", p.name, crs.to_string())
    elif assume_crs is not None:
        log.info(
            "%s: the file declares its CRS (%s); --assume-crs is ignored",
            p.name,
            gdf.crs.to_string(),
        )
    log.debug("read %d features from %s", len(gdf), p.name)
    return gdf
