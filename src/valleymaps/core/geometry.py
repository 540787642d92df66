"""Geometry checks and repairs (pure: no files, no network), used where geometries are imported.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Polygon, box
>>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
>>> gdf = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), bowtie], crs="EPSG:4326")
>>> repaired, n = repair_polygons(gdf)
>>> n, bool(repaired.is_valid.all()), list(repaired.geom_type)
(1, True, ['Polygon', 'MultiPolygon'])
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

_POLYGONAL = ("Polygon", "MultiPolygon")


def _polygonal_part(geom: BaseGeometry) -> BaseGeometry:
    """The polygons of ``geom`` (dropping points and lines), or an empty polygon."""
    if geom.geom_type in _POLYGONAL:
        return geom
    if geom.geom_type == "GeometryCollection":
        parts: list[BaseGeometry] = []
        for part in shapely.get_parts(geom):
            if part.geom_type == "Polygon":
                parts.append(part)
            elif part.geom_type == "MultiPolygon":
                parts.extend(shapely.get_parts(part))
            elif part.geom_type == "GeometryCollection":
                sub = _polygonal_part(part)
                if not sub.is_empty:
                    parts.extend(shapely.get_parts(sub))
        if len(parts) == 1:
            return parts[0]
        if parts:
            return shapely.MultiPolygon(parts)
    return shapely.Polygon()


def find_missing_geometries(gdf: gpd.GeoDataFrame) -> list[int]:
    """Positions (0-based) of rows whose geometry is missing, empty or not polygonal.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> find_missing_geometries(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), None, Point(0, 0)]))
    [1, 2]
    """
    geoms = gdf.geometry.array
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = np.asarray(gdf.geometry.geom_type, dtype=object)
    not_polygonal = ~missing & ~np.isin(types, _POLYGONAL)
    return [int(i) for i in np.flatnonzero(missing | not_polygonal)]


def repair_polygons(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """Make invalid polygons valid, keeping only their polygonal parts.

    Invalid geometries are repaired with :func:`shapely.make_valid`; the points
    and lines a repair can produce are dropped, so every repaired geometry is a
    Polygon or MultiPolygon. Valid geometries are left as they are. Missing or
    empty geometries are left untouched and not counted: find them with
    :func:`find_missing_geometries` (a repair that leaves no area, such as a
    polygon collapsed to a line, also shows up there as empty).

    Parameters
    ----------
    gdf
        Polygons in any CRS.

    Returns
    -------
    (geopandas.GeoDataFrame, int)
        A copy with repaired geometries, and how many were repaired.
    """
    out = gdf.copy()
    geoms = out.geometry.array
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = present & ~shapely.is_valid(geoms)
    n_invalid = int(invalid.sum())
    if n_invalid:
        fixed = shapely.make_valid(np.asarray(geoms[invalid], dtype=object))
        fixed = np.array([_polygonal_part(g) for g in fixed], dtype=object)
        new = np.asarray(geoms, dtype=object).copy()
        new[invalid] = fixed
        out[out.geometry.name] = gpd.GeoSeries(new, index=out.index, crs=out.crs)
    return out, n_invalid
