"""Where projects lie: inside the region, or outside it, or with swapped or mis-signed coordinates.

:func:`check_locations` rejects geometries outside the region's counties and
tells the common mistakes apart: latitude and longitude swapped, a longitude
without its minus sign, projected coordinates read as degrees and degrees read
as a projection. Pure computation.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from valleymaps import settings
from valleymaps.errors import ConfigError
from valleymaps.projects.mapping import ColumnMapping
from valleymaps.projects.problems import RowProblem
from valleymaps.projects.read import RawTable

#: Distance (metres) beyond the region's counties within which a project still counts as inside.
REGION_TOLERANCE_M = 1000.0


def source_crs(raw: RawTable, mapping: ColumnMapping) -> CRS:
    if raw.geometry is not None and raw.geometry.crs is not None:
        return CRS.from_user_input(raw.geometry.crs)
    try:
        return CRS.from_user_input(mapping.crs or settings.WEB_CRS)
    except Exception as exc:  # pyproj.exceptions.CRSError
        raise ConfigError(
            f"[source] crs {mapping.crs!r} is not a coordinate reference system ({exc})."
        ) from exc


def check_locations(
    raw: RawTable,
    mapping: ColumnMapping,
    columns: dict[str, str],
    geoms: Sequence[BaseGeometry | None],
    bad: np.ndarray,
    problems: list[RowProblem],
    counties: gpd.GeoDataFrame,
    region: str,
    tolerance: float,
) -> None:
    """Reject geometries outside the region, telling swapped or mis-signed coordinates apart."""
    idx = [i for i, g in enumerate(geoms) if g is not None]
    if not idx:
        return
    crs = source_crs(raw, mapping)
    region_geom = shapely.union_all(counties.to_crs(settings.ANALYSIS_CRS).geometry.to_numpy())
    region_buf = region_geom.buffer(tolerance)
    shapely.prepare(region_buf)
    arr = np.array([geoms[i] for i in idx], dtype=object)

    def to_analysis(a: np.ndarray, from_crs: CRS) -> np.ndarray:
        with np.errstate(all="ignore"):
            return gpd.GeoSeries(a, crs=from_crs).to_crs(settings.ANALYSIS_CRS).to_numpy()

    geographic = crs.is_geographic
    xy_bounds = shapely.bounds(arr)
    in_range = (np.abs(xy_bounds[:, [0, 2]]) <= 180).all(axis=1) & (np.abs(xy_bounds[:, [1, 3]]) <= 90).all(
        axis=1
    )
    projected = np.empty(len(arr), dtype=object)
    ok_range = in_range if geographic else np.ones(len(arr), dtype=bool)
    if ok_range.any():
        projected[ok_range] = to_analysis(arr[ok_range], crs)
    inside = np.zeros(len(arr), dtype=bool)
    finite = np.array([g is not None and bool(np.isfinite(shapely.bounds(g)).all()) for g in projected])
    if finite.any():
        inside[finite] = shapely.intersects(region_buf, projected[finite])
    for k in np.flatnonzero(~inside):
        i = idx[k]
        rownum = raw.rows[i]
        loc = raw.location(rownum)
        g = arr[k]
        col = _geom_column(raw, columns)
        shown = _describe_xy(g, crs)
        bad[i] = True
        if geographic:
            swapped = shapely.transform(g, lambda c: c[:, ::-1])
            flipped = shapely.transform(g, lambda c: c * np.array([-1.0, 1.0]))
            if _inside(swapped, crs, region_buf):
                problems.append(
                    RowProblem(
                        rownum,
                        "swapped_coordinates",
                        f"latitude and longitude look swapped ({shown} as longitude, latitude lies outside "
                        f"{region}; swapped, it lies inside). Swap the two values or columns.",
                        col,
                        shown,
                        loc,
                    )
                )
                continue
            if _inside(flipped, crs, region_buf):
                problems.append(
                    RowProblem(
                        rownum,
                        "bad_coordinates",
                        f"longitude has the wrong sign ({shown}); longitudes in California are negative "
                        "(west). Write it with a minus sign.",
                        col,
                        shown,
                        loc,
                    )
                )
                continue
            if not in_range[k]:
                problems.append(
                    RowProblem(
                        rownum,
                        "bad_coordinates",
                        f"coordinates {shown} are not longitude/latitude degrees; if they are projected, "
                        "give their CRS ([source] crs in the mapping, or --assume-crs).",
                        col,
                        shown,
                        loc,
                    )
                )
                continue
        elif in_range[k] and _inside(g, CRS.from_user_input(settings.WEB_CRS), region_buf):
            problems.append(
                RowProblem(
                    rownum,
                    "bad_coordinates",
                    f"coordinates {shown} look like longitude/latitude but are read as {crs.name}; set "
                    '[source] crs = "EPSG:4326" in the mapping (or --assume-crs EPSG:4326).',
                    col,
                    shown,
                    loc,
                )
            )
            continue
        distance = _distance_km(projected[k], region_geom)
        problems.append(
            RowProblem(
                rownum,
                "outside_region",
                f"{_kind(g)} at {shown} is {distance} outside the region ({region}); only projects in the "
                "region's counties are kept",
                col,
                shown,
                loc,
            )
        )


def _inside(geom: BaseGeometry, crs: CRS | None, region_buf: BaseGeometry) -> bool:
    if geom is None:
        return False
    g = geom
    if crs is not None:
        b = shapely.bounds(geom)
        if crs.is_geographic and not (
            abs(b[0]) <= 180 and abs(b[2]) <= 180 and abs(b[1]) <= 90 and abs(b[3]) <= 90
        ):
            return False
        with np.errstate(all="ignore"):
            g = gpd.GeoSeries([geom], crs=crs).to_crs(settings.ANALYSIS_CRS).iloc[0]
    if g is None or not np.isfinite(shapely.bounds(g)).all():
        return False
    return bool(shapely.intersects(region_buf, g))


def _distance_km(projected: BaseGeometry | None, region: BaseGeometry) -> str:
    if projected is None or not np.isfinite(shapely.bounds(projected)).all():
        return "far"
    d = shapely.distance(projected, region) / 1000
    return f"{d:,.1f} km" if d < 100 else f"{d:,.0f} km"


def _kind(g: BaseGeometry) -> str:
    return {"Point": "point", "MultiPoint": "points", "LineString": "line", "MultiLineString": "line",
            "Polygon": "area", "MultiPolygon": "area"}.get(g.geom_type, "geometry")  # fmt: skip


def _describe_xy(g: BaseGeometry, crs: CRS) -> str:
    """``(-119.78, 36.74)``; projected coordinates are shown with their longitude/latitude."""
    c = g if g.geom_type == "Point" else g.centroid
    prefix = "" if g.geom_type == "Point" else "around "
    if not crs.is_geographic:
        with np.errstate(all="ignore"):
            ll = gpd.GeoSeries([c], crs=crs).to_crs(settings.WEB_CRS).iloc[0]
        if ll is not None and np.isfinite([ll.x, ll.y]).all():
            return f"{prefix}longitude {ll.x:.5f}, latitude {ll.y:.5f}"
    return f"{prefix}({c.x:.6g}, {c.y:.6g})"


def _geom_column(raw: RawTable, columns: dict[str, str]) -> str | None:
    if raw.geometry is not None:
        return None
    if "wkt" in columns:
        return columns["wkt"]
    if "latitude" in columns and "longitude" in columns:
        return f"{columns['longitude']}, {columns['latitude']}"
    return None
