"""Why each site ranks where it does: its factors' mean scores and values, and what is near it.

For every site the cells of the full-resolution grid whose centres fall in
the site are read from each factor raster (only the site's window is read).
A factor's *contribution* is its weight times its mean score, in points of
the 0-100 suitability; the contributions add up to the site's mean score.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio import features
from rasterio.windows import Window

from valleymaps.suitability.cog import gdal_env
from valleymaps.suitability.grid import AnalysisGrid

PathLike = str | os.PathLike[str]

NAME_COLUMNS = ("name", "project_name", "project", "title", "label", "station_n", "description")
CATEGORY_COLUMNS = ("category", "type", "project_type", "mode", "kind", "class")


@dataclass(frozen=True)
class FactorRasters:
    """The rasters of one factor (see :func:`site_factor_means`)."""

    key: str
    weight: float
    score_path: PathLike
    value_path: PathLike
    labels: tuple[str, ...] = ()


def _window_for(geom: shapely.Geometry, grid: AnalysisGrid) -> Window:
    minx, miny, maxx, maxy = geom.bounds
    inv = ~grid.transform
    c0, r0 = inv @ (minx, maxy)
    c1, r1 = inv @ (maxx, miny)
    col0, row0 = max(0, math.floor(c0)), max(0, math.floor(r0))
    col1, row1 = min(grid.width, math.ceil(c1)), min(grid.height, math.ceil(r1))
    return Window(col0, row0, max(1, col1 - col0), max(1, row1 - row0))


def site_factor_means(
    sites: gpd.GeoDataFrame,
    grid: AnalysisGrid,
    suitability_path: PathLike,
    factors: Sequence[FactorRasters],
) -> pd.DataFrame:
    """Per site (index ``rank``): ``score``; per factor ``<key>_score``, ``<key>_points``, ``<key>_value``.

    ``<key>_value`` is the mean value (or, for categories, the most common
    category); ``score`` is the mean suitability of the site's cells at full
    resolution (pixel-centre rule).
    """
    rows = []
    with gdal_env(), contextlib.ExitStack() as stack:
        suit = stack.enter_context(rasterio.open(suitability_path))
        opened = {
            f.key: (
                stack.enter_context(rasterio.open(f.score_path)),
                stack.enter_context(rasterio.open(f.value_path)),
            )
            for f in factors
        }
        for rank, geom in zip(sites["rank"], sites.geometry, strict=True):
            window = _window_for(geom, grid)
            transform = grid.window_transform(window)
            shape = (int(window.height), int(window.width))
            inside = features.rasterize(
                [(geom, 1)], out_shape=shape, transform=transform, fill=0, dtype="uint8"
            )
            mask = inside.astype(bool)
            row: dict[str, object] = {"rank": int(rank)}
            s = suit.read(1, window=window)[mask]
            row["score"] = float(np.nanmean(s)) if np.isfinite(s).any() else math.nan
            for f in factors:
                score_src, value_src = opened[f.key]
                sc = score_src.read(1, window=window)[mask]
                mean_score = float(np.nanmean(sc)) if np.isfinite(sc).any() else math.nan
                row[f"{f.key}_score"] = mean_score
                row[f"{f.key}_points"] = mean_score * f.weight
                values = value_src.read(1, window=window)[mask]
                values = values[np.isfinite(values)]
                if f.labels:
                    common = Counter(int(v) for v in values).most_common(1)
                    row[f"{f.key}_value"] = f.labels[common[0][0]] if common else ""
                else:
                    row[f"{f.key}_value"] = float(values.mean()) if values.size else math.nan
            rows.append(row)
    return pd.DataFrame(rows).set_index("rank") if rows else pd.DataFrame()


def _pick_column(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    lower = {c.lower(): c for c in columns}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    return None


def nearest_features(
    sites: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, *, name_columns: Sequence[str] = NAME_COLUMNS
) -> pd.DataFrame:
    """For each site: the nearest feature of ``layer``, its name and category, and the distance (m).

    Returns a frame indexed like ``sites`` with ``nearest_name``,
    ``nearest_category`` and ``nearest_m`` (0 when the feature touches the site).
    """
    layer = layer.to_crs(sites.crs)
    layer = layer[~(layer.geometry.isna() | layer.geometry.is_empty)].reset_index(drop=True)
    out = pd.DataFrame(
        index=sites.index, columns=["nearest_name", "nearest_category", "nearest_m"], dtype=object
    )
    if layer.empty or sites.empty:
        return out
    columns = [c for c in layer.columns if c != layer.geometry.name]
    name_col = _pick_column(columns, name_columns)
    if name_col is None:
        text = [c for c in columns if layer[c].dtype == object]
        name_col = text[0] if text else None
    cat_col = _pick_column(columns, CATEGORY_COLUMNS)
    tree = shapely.STRtree(layer.geometry.to_numpy())
    for idx, geom in zip(sites.index, sites.geometry, strict=True):
        j = int(tree.nearest(geom))
        other = layer.geometry.iloc[j]
        out.loc[idx, "nearest_m"] = float(shapely.distance(geom, other))
        out.loc[idx, "nearest_name"] = str(layer.iloc[j][name_col]) if name_col else f"feature {j + 1}"
        out.loc[idx, "nearest_category"] = str(layer.iloc[j][cat_col]) if cat_col else ""
    return out


def place_of(
    sites: gpd.GeoDataFrame, places: gpd.GeoDataFrame, *, label: Mapping[str, str] | None = None
) -> list[str]:
    """Name of the place (county) holding each site's representative point ("" if none)."""
    points = sites.geometry.representative_point().to_crs(places.crs)
    joined = gpd.sjoin(
        gpd.GeoDataFrame(geometry=points.to_numpy(), crs=places.crs), places, how="left", predicate="within"
    )
    joined = joined[~joined.index.duplicated()]
    names = joined["name"].fillna("").astype(str).tolist() if "name" in joined else [""] * len(sites)
    return [label.get(n, n) if label else n for n in names]
