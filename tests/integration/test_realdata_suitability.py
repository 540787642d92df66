"""Site suitability on real data: the groundwater raster and passenger rail lines of ../shared/realdata."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer

from valleymaps.suitability.layers import layer_catalog
from valleymaps.suitability.model import compute_suitability
from valleymaps.suitability.places import load_region
from valleymaps.suitability.profile import parse_profile
from valleymaps.workspace import init_workspace

REPO = Path(__file__).resolve().parents[2]
REALDATA = (REPO / ".." / "shared" / "realdata").resolve()
GROUNDWATER = REALDATA / "rasters" / "groundwater_depth_2019.tif"
RAIL = [REALDATA / "transport" / "sanjoaquin.shp", REALDATA / "transport" / "acetrainLine.shp"]

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        not (GROUNDWATER.is_file() and all(p.is_file() for p in RAIL)),
        reason=f"no real groundwater raster or rail lines in {REALDATA}",
    ),
]

PROFILE = """
name = "Water and rail"
[sites]
count = 5
min_acres = 500
max_acres = 5000
min_distance_m = 20000
[[factors]]
key = "groundwater"
name = "Shallow groundwater"
weight = 50
units = "ft"
source = { kind = "raster", layer = "groundwater_depth" }
transform = { kind = "inverse", low = 50, high = 300 }
[[factors]]
key = "rail"
name = "Close to rail"
weight = 50
source = { kind = "distance", layer = "rail_lines" }
transform = { kind = "inverse", low = 0, high = 20000 }
"""

#: Fresno's Amtrak station (longitude, latitude).
FRESNO_STATION = (-119.7827, 36.7378)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("realdata-suitability")
    ws = init_workspace(root / "ws")
    catalog = layer_catalog(
        ws, overrides={"groundwater_depth": str(GROUNDWATER), "rail_lines": [str(p) for p in RAIL]}
    )
    return compute_suitability(
        parse_profile(PROFILE),
        region=load_region(ws),
        catalog=catalog,
        folder=root / "out",
        ws=ws,
        resolution=1000,
    )


def _sample(path: Path, lon: float, lat: float) -> float:
    x, y = Transformer.from_crs(4326, 3310, always_xy=True).transform(lon, lat)
    with rasterio.open(path) as src:
        return float(next(src.sample([(x, y)]))[0])


def test_the_real_groundwater_raster_lands_on_the_grid_with_its_nodata_excluded(result) -> None:
    with rasterio.open(result.folder / "factor-groundwater-value.tif") as src:
        depth = src.read(1)
    with rasterio.open(result.exclusion_path) as src:
        codes = src.read(1)
    inside = codes != 1
    covered = np.isfinite(depth) & inside
    # the raster covers the valley floor, not the Sierra foothills of the eight counties
    assert 0.3 < covered.sum() / inside.sum() < 0.95
    assert np.nanmin(depth) >= 0 and np.nanmax(depth) < 600  # depths in feet; -3.4e38 never leaks in
    # bilinear resampling: the value at Fresno lies within the 3 x 3 source cells around it
    with rasterio.open(GROUNDWATER) as src:
        row, col = src.index(*FRESNO_STATION)
        around = src.read(1)[row - 1 : row + 2, col - 1 : col + 2]
    ours = _sample(result.folder / "factor-groundwater-value.tif", *FRESNO_STATION)
    assert around.min() <= ours <= around.max()
    assert ((codes == 3) == (inside & ~np.isfinite(depth))).all()


def test_the_real_rail_lines_give_distances_that_grow_away_from_the_track(result) -> None:
    near = _sample(result.folder / "factor-rail-value.tif", *FRESNO_STATION)
    assert near <= 1000
    far = _sample(result.folder / "factor-rail-value.tif", -119.30, 36.95)  # foothills east of Fresno
    assert far > 20000
    assert result.factors[1].cap_m == pytest.approx(21000)


def test_sites_are_found_on_the_valley_floor_near_the_rail_line(result) -> None:
    sites = result.selected_sites
    assert len(sites) == 5
    assert sites["score"].is_monotonic_decreasing
    assert (sites["rail_value"] < 10_000).all()
    assert (
        sites["county"]
        .isin(["Fresno", "Kern", "Kings", "Madera", "Merced", "San Joaquin", "Stanislaus", "Tulare"])
        .all()
    )
