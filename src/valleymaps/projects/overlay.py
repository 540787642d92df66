"""Share of each project that lies in each place (county, tract).

Points count in the place that holds them; lines by length and polygons by
area: a road half in Fresno County and half in Madera County puts half its
cost in each. Parts outside every place are not allocated. Pure computation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

_POINT_TYPES = (0, 4)  # Point, MultiPoint
_LINE_TYPES = (1, 2, 5)  # LineString, LinearRing, MultiLineString


def _measure(geoms: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    out = np.zeros(len(geoms), dtype=float)
    pts = np.isin(kinds, _POINT_TYPES)
    lines = np.isin(kinds, _LINE_TYPES)
    polys = ~(pts | lines)
    if pts.any():
        out[pts] = shapely.get_num_geometries(geoms[pts])
    if lines.any():
        out[lines] = shapely.length(geoms[lines])
    if polys.any():
        out[polys] = shapely.area(geoms[polys])
    return out


def allocate_to_places(geoms: np.ndarray, places: np.ndarray) -> pd.DataFrame:
    """Which places each geometry touches, and the share of it each holds.

    Parameters
    ----------
    geoms
        Project geometries (shapely array) in a projected CRS (metres).
    places
        Place polygons (shapely array) in the same CRS; they should not overlap.

    Returns
    -------
    pandas.DataFrame
        ``project`` (index into ``geoms``), ``place`` (index into ``places``)
        and ``share`` (0-1; a project's shares sum to the part of it inside
        the places). Projects touching no place have no row.

    Examples
    --------
    >>> import shapely
    >>> left, right = shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)
    >>> road = shapely.LineString([(5, 5), (15, 5)])
    >>> allocate_to_places(np.array([road]), np.array([left, right]))["share"].tolist()
    [0.5, 0.5]
    """
    geoms = np.asarray(geoms, dtype=object)
    places = np.asarray(places, dtype=object)
    if len(geoms) == 0 or len(places) == 0:
        return pd.DataFrame({"project": pd.Series(dtype=int), "place": pd.Series(dtype=int), "share": []})
    tree = shapely.STRtree(places)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    idx = np.flatnonzero(valid)
    pairs = tree.query(geoms[idx], predicate="intersects")
    project = idx[pairs[0]]
    place = pairs[1]
    kinds_all = shapely.get_type_id(geoms)
    kinds = kinds_all[project]
    is_point = np.isin(kinds, (0,))
    measure = np.ones(len(project), dtype=float)
    complex_ = ~is_point
    if complex_.any():
        parts = shapely.intersection(geoms[project[complex_]], places[place[complex_]])
        measure[complex_] = _measure(parts, kinds[complex_])
    total = _measure(geoms, kinds_all)[project]
    frame = pd.DataFrame({"project": project, "place": place, "measure": measure, "total": total})
    summed = frame.groupby("project")["measure"].transform("sum")
    n_touch = frame.groupby("project")["measure"].transform("size")
    denom = np.maximum(frame["total"].to_numpy(), summed.to_numpy())
    share = np.where(denom > 0, frame["measure"].to_numpy() / np.where(denom > 0, denom, 1), 1.0 / n_touch)
    frame["share"] = share
    frame = frame[frame["share"] > 0]
    return frame[["project", "place", "share"]].reset_index(drop=True)


def main_place(geoms: np.ndarray, places: np.ndarray) -> np.ndarray:
    """Index of the place holding the largest share of each geometry (-1 for none).

    >>> import shapely
    >>> a, b = shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)
    >>> main_place(np.array([shapely.Point(15, 5), shapely.Point(50, 50)]), np.array([a, b])).tolist()
    [1, -1]
    """
    out = np.full(len(geoms), -1, dtype=int)
    alloc = allocate_to_places(geoms, places)
    if alloc.empty:
        return out
    best = alloc.sort_values(["project", "share", "place"], ascending=[True, False, True]).drop_duplicates(
        "project"
    )
    out[best["project"].to_numpy()] = best["place"].to_numpy()
    return out
