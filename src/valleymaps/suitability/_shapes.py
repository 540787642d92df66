"""Hand geometries to GDAL's rasterizer quickly.

rasterio turns each shapely geometry into GeoJSON through its Python-level
``__geo_interface__``, one coordinate tuple at a time; for hundreds of
tracts burned strip after strip that conversion costs more than the
burning. :func:`geojson_shapes` builds the same GeoJSON mappings with
shapely's vectorised coordinate functions (one ``tolist`` per ring).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

_MULTI = {0: "MultiPoint", 1: "MultiLineString", 3: "MultiPolygon"}


def _split(coords: npt.NDArray[np.float64], index: npt.NDArray[np.intp], n: int) -> list[list[list[float]]]:
    """Coordinates grouped by ``index`` (sorted, 0..n-1); empty groups give empty lists."""
    bounds = np.searchsorted(index, np.arange(n + 1))
    flat = coords.tolist()
    return [flat[bounds[i] : bounds[i + 1]] for i in range(n)]


def geojson_shapes(geoms: npt.NDArray[Any]) -> list[dict[str, Any] | None]:
    """GeoJSON mappings of ``geoms`` (``Multi*`` types; None for empty or missing geometries).

    >>> from shapely.geometry import Polygon, box
    >>> geojson_shapes(np.array([box(0, 0, 1, 1)]))[0]["coordinates"][0][0][:2]
    [[1.0, 0.0], [1.0, 1.0]]
    """
    geoms = np.asarray(geoms, dtype=object)
    out: list[dict[str, Any] | None] = [None] * len(geoms)
    if len(geoms) == 0:
        return out
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, part_of = parts[keep], part_of[keep]
    dims = shapely.get_dimensions(parts)
    polygonal = dims == 2
    # rings of polygon parts, coordinates of every ring / line / point
    poly_parts = np.flatnonzero(polygonal)
    rings, ring_of = shapely.get_rings(parts[poly_parts], return_index=True)
    ring_coords, ring_coord_of = shapely.get_coordinates(rings, return_index=True)
    ring_lists = _split(ring_coords, ring_coord_of, len(rings))
    rings_by_part: list[list[Any]] = [[] for _ in range(len(poly_parts))]
    for r, p in enumerate(ring_of):
        rings_by_part[p].append(ring_lists[r])
    other_parts = np.flatnonzero(~polygonal)
    other_coords, other_of = shapely.get_coordinates(parts[other_parts], return_index=True)
    other_lists = _split(other_coords, other_of, len(other_parts))
    # per geometry and dimension (0 points, 1 lines, 3 polygons): its parts; the highest dimension is kept
    # (a collection left by make_valid keeps its polygons, not the stray lines)
    members: list[dict[int, list[Any]]] = [{} for _ in range(len(geoms))]
    for k, p in enumerate(poly_parts):
        members[part_of[p]].setdefault(3, []).append(rings_by_part[k])
    for k, p in enumerate(other_parts):
        dim = int(dims[p])
        if dim == 0:
            members[part_of[p]].setdefault(0, []).append(other_lists[k][0])
        elif other_lists[k]:
            members[part_of[p]].setdefault(1, []).append(other_lists[k])
    for g, found in enumerate(members):
        if found:
            dim = max(found)
            out[g] = {"type": _MULTI[dim], "coordinates": found[dim]}
    return out
