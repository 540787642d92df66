"""Make polygon layers light enough for a web page without opening gaps.

Neighbouring tracts share edges; simplifying each polygon on its own would
open slivers between them. :func:`prepare_web_geometry` first cleans the layer
into a proper coverage (``coverage_clean``: overlaps go to one neighbour, gaps
narrower than ``gap_width_m`` are closed; real files need it, e.g. tracts
simplified county by county do not meet exactly at county lines), simplifies it
as a coverage (``coverage_simplify``), so shared edges stay shared, then rounds
longitude/latitude (5 decimals is about 1 m) and re-cleans until rounding has
left no overlap.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from valleymaps import settings


def prepare_web_geometry(
    gdf: gpd.GeoDataFrame,
    *,
    tolerance_m: float | None = None,
    precision: int | None = None,
    gap_width_m: float = 200.0,
) -> gpd.GeoDataFrame:
    """Simplify a polygon coverage and round its coordinates for a web map.

    Parameters
    ----------
    gdf
        Polygons with a CRS; they should not overlap (tracts, counties).
    tolerance_m
        Simplification tolerance in metres (California Albers); default
        :data:`settings.TRACT_SIMPLIFY_TOLERANCE_M`. 0 keeps every vertex.
    precision
        Decimal places of longitude/latitude; default
        :data:`settings.WEB_COORDINATE_PRECISION`.
    gap_width_m
        Slivers between neighbours narrower than this are closed.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows and columns, geometry in EPSG:4326.
    """
    tolerance = settings.TRACT_SIMPLIFY_TOLERANCE_M if tolerance_m is None else tolerance_m
    digits = settings.WEB_COORDINATE_PRECISION if precision is None else precision
    projected = gdf.to_crs(settings.ANALYSIS_CRS)
    geoms = shapely.coverage_clean(projected.geometry.to_numpy(), gap_width=gap_width_m)
    if tolerance > 0:
        geoms = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
    web = gpd.GeoSeries(geoms, crs=settings.ANALYSIS_CRS).to_crs(settings.WEB_CRS).to_numpy()

    def round_xy(a: np.ndarray) -> np.ndarray:
        return shapely.transform(a, lambda xy: np.round(xy, digits))

    rounded = round_xy(web)
    for _ in range(5):  # rounding can nudge a vertex across an edge; one pass usually mends it
        if shapely.coverage_is_valid(rounded) and shapely.is_valid(rounded).all():
            break
        rounded = round_xy(shapely.coverage_clean(rounded, snapping_distance=0))
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(rounded, index=gdf.index, crs=settings.WEB_CRS))
    return out
