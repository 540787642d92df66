"""Per-zone summaries by the pixel-centre rule."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from valleymaps.suitability.zonal import summarize_zones


@pytest.fixture
def raster(tmp_path: Path) -> Path:
    # 4 x 4 cells of 100 m; values 0..15 row by row; one cell without a value
    values = np.arange(16, dtype=np.float32).reshape(4, 4)
    values[0, 1] = np.nan
    path = tmp_path / "r.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="float32",
        crs="EPSG:3310",
        transform=from_origin(0, 400, 100, 100),
        nodata=float("nan"),
    ) as dst:
        dst.write(values, 1)
    return path


def test_a_cell_counts_in_the_zone_holding_its_centre_and_only_there(raster: Path) -> None:
    zones = gpd.GeoDataFrame(
        {"geoid": ["west", "east", "sliver", "tiny"]},
        geometry=[
            box(
                0, 200, 160, 400
            ),  # covers cells (0,0),(0,1),(1,0),(1,1) by centre; 60% of column 2 but not its centres
            box(160, 0, 400, 400),  # centres of columns 2 and 3
            box(0, 0, 40, 200),  # 40% of cells (2,0),(3,0), not their centres
            box(410, 10, 420, 20),  # outside the raster's cells' centres entirely
        ],
        crs=3310,
    )
    out = summarize_zones(raster, zones, threshold=10).set_index("geoid")
    # west: cells 0, (nan), 4, 5 -> 3 scored, mean 3
    assert out.loc["west", "cells"] == 4 and out.loc["west", "scored_cells"] == 3
    assert out.loc["west", "mean"] == pytest.approx((0 + 4 + 5) / 3)
    # east: columns 2-3 of every row: 2,3,6,7,10,11,14,15 -> mean 8.5; 4 of 8 at >= 10
    assert out.loc["east", "cells"] == 8
    assert out.loc["east", "mean"] == pytest.approx(8.5)
    assert out.loc["east", "share_high"] == pytest.approx(0.5)
    # the sliver covers part of two cells but neither centre: nothing counts
    assert out.loc["sliver", "cells"] == 0 and np.isnan(out.loc["sliver", "mean"])
    assert out.loc["tiny", "cells"] == 0


def test_zones_in_another_crs_are_reprojected(raster: Path) -> None:
    zones = gpd.GeoDataFrame({"geoid": ["all"]}, geometry=[box(0, 0, 400, 400)], crs=3310).to_crs(4326)
    out = summarize_zones(raster, zones)
    assert out.loc[0, "scored_cells"] == 15
    assert out.loc[0, "mean"] == pytest.approx((np.arange(16).sum() - 1) / 15, rel=1e-4)


def test_tiled_rasters_only_read_where_zones_are_and_agree_with_cell_centres(tmp_path: Path) -> None:
    import shapely

    rng = np.random.default_rng(3)
    values = rng.random((64, 80)).astype(np.float32)
    values[rng.random((64, 80)) < 0.1] = np.nan
    path = tmp_path / "tiled.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=80,
        height=64,
        count=1,
        dtype="float32",
        crs="EPSG:3310",
        transform=from_origin(0, 6400, 100, 100),
        nodata=float("nan"),
        tiled=True,
        blockxsize=16,
        blockysize=16,
    ) as dst:
        dst.write(values, 1)
    zones = gpd.GeoDataFrame(
        {"geoid": ["a", "b"]},
        geometry=[shapely.Point(1234, 5000).buffer(700), box(5000, 300, 7800, 1900)],
        crs=3310,
    )
    out = summarize_zones(path, zones, threshold=0.5, rows=16).set_index("geoid")
    xs = (np.arange(80) + 0.5) * 100
    ys = 6400 - (np.arange(64) + 0.5) * 100
    cx, cy = np.meshgrid(xs, ys)
    for geoid, geom in zip(zones["geoid"], zones.geometry, strict=True):
        inside = shapely.contains_xy(geom, cx, cy)
        v = values[inside]
        assert out.loc[geoid, "cells"] == inside.sum()
        assert out.loc[geoid, "scored_cells"] == np.isfinite(v).sum()
        assert out.loc[geoid, "mean"] == pytest.approx(np.nanmean(v), rel=1e-6)
        assert out.loc[geoid, "share_high"] == pytest.approx((v >= 0.5).sum() / inside.sum())
