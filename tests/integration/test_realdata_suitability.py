"""Site suitability on real data: groundwater raster, passenger rail lines and tracts of ../shared/realdata.

The commuting flows for the real tracts and the interchanges are built in code (realdata has no
LODES files nor interchanges).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from shapely.geometry import Point

from lodes_files import write_od_flows
from valleymaps.errors import GeometryRepairedWarning
from valleymaps.io.flows.store import import_flows
from valleymaps.io.tracts import import_tracts, load_tracts
from valleymaps.suitability.model import compute_suitability
from valleymaps.suitability.profile import parse_profile
from valleymaps.workflows.suitability_inputs import gather_suitability_inputs, layer_catalog
from valleymaps.workspace import init_workspace

REPO = Path(__file__).resolve().parents[2]
REALDATA = (REPO / ".." / "shared" / "realdata").resolve()
GROUNDWATER = REALDATA / "rasters" / "groundwater_depth_2019.tif"
RAIL = [REALDATA / "transport" / "sanjoaquin.shp", REALDATA / "transport" / "acetrainLine.shp"]
TRACT_FILES = sorted((REALDATA / "tracts").glob("*.topo.json"))

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
    profile = parse_profile(PROFILE)
    return compute_suitability(
        profile, gather_suitability_inputs(ws, [profile], catalog=catalog), folder=root / "out",
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


COMMUTING_PROFILE = """
name = "Labour, skills, interchanges and rail"
[sites]
count = 3
min_acres = 200
max_acres = 2000
min_distance_m = 20000
[[factors]]
key = "labour"
name = "Labour pool within 30 km"
weight = 40
units = "workers"
source = { kind = "table", layer = "resident_workers", column = "workers", reach_m = 30000 }
transform = { kind = "linear", low = 0, high = 200000 }
[[factors]]
key = "skilled"
name = "Skilled out-commuters"
weight = 10
units = "workers"
source = { kind = "table", layer = "skilled_out_commuters", column = "workers" }
transform = { kind = "linear", low = 0, high = 300 }
[[factors]]
key = "interchange"
name = "Close to an interchange"
weight = 25
source = { kind = "distance", layer = "interchanges" }
transform = { kind = "inverse", low = 0, high = 10000 }
[[factors]]
key = "rail"
name = "Close to rail"
weight = 25
source = { kind = "distance", layer = "rail_lines" }
transform = { kind = "inverse", low = 0, high = 20000 }
"""

#: Constructed interchanges on State Route 99 (approximate longitude, latitude): Fresno (SR 180),
#: Bakersfield (SR 58), Modesto (SR 132).
INTERCHANGES = [(-119.8076, 36.7469), (-119.0306, 35.3551), (-120.9946, 37.6408)]
STOCKTON = (-121.2908, 37.9577)
ALAMEDA_TRACT, LA_TRACT = "06001400100", "06037101110"


@pytest.fixture(scope="module")
def commuting_result(tmp_path_factory: pytest.TempPathFactory):
    """The 760 real tracts; every one has 1,000 residents working at home, plus skilled residents
    working outside the Valley: 300 from each San Joaquin County tract (to Alameda), 20 elsewhere."""
    if not TRACT_FILES:
        pytest.skip(f"no real tract files in {REALDATA}")
    root = tmp_path_factory.mktemp("realdata-commuting")
    ws = init_workspace(root / "ws")
    with pytest.warns(GeometryRepairedWarning):
        import_tracts(ws, TRACT_FILES, assume_crs="EPSG:4326")
    tracts = load_tracts(ws)["geoid"].tolist()
    flows = [(g, g, 1000, 0) for g in tracts]
    flows += [
        (g, ALAMEDA_TRACT, 300, 300) if g.startswith("06077") else (g, LA_TRACT, 20, 20) for g in tracts
    ]
    import_flows(ws, [write_od_flows(root / "ca_od_main_JT00_2021.csv.gz", flows)], format="lodes-od")
    points = gpd.GeoDataFrame(geometry=[Point(p) for p in INTERCHANGES], crs=4326)
    points.to_file(root / "interchanges.gpkg")
    catalog = layer_catalog(
        ws, overrides={"interchanges": str(root / "interchanges.gpkg"), "rail_lines": [str(p) for p in RAIL]}
    )
    profile = parse_profile(COMMUTING_PROFILE)
    result = compute_suitability(
        profile, gather_suitability_inputs(ws, [profile], catalog=catalog), folder=root / "out",
        resolution=1000,
    )
    return ws, result


def _cell_centre(path: Path, lon: float, lat: float) -> Point:
    """Centre (EPSG:3310) of the raster cell holding a place: the tract holding it paints that cell."""
    x, y = Transformer.from_crs(4326, 3310, always_xy=True).transform(lon, lat)
    with rasterio.open(path) as src:
        return Point(src.xy(*src.index(x, y)))


def test_commuting_factors_are_painted_per_real_tract(commuting_result) -> None:
    ws, result = commuting_result
    labour, skilled = result.factors[0], result.factors[1]
    assert "LEHD LODES8 origin-destination 2021" in skilled.note
    assert ", per tract (outflow_region" in skilled.note
    assert _sample(result.folder / "factor-skilled-value.tif", *STOCKTON) == 300
    assert _sample(result.folder / "factor-skilled-value.tif", *FRESNO_STATION) == 20
    # the labour pool of the tract holding Fresno's station: every tract whose centre is within 30 km
    tracts = load_tracts(ws).to_crs(3310)
    home = tracts[tracts.contains(_cell_centre(result.suitability_path, *FRESNO_STATION))]
    near = tracts.representative_point().dwithin(home.representative_point().iloc[0], 30_000)
    counties = tracts["geoid"].str[:5][near.to_numpy()]
    expected = 1020 * near.sum() + 280 * (counties == "06077").sum()
    assert _sample(result.folder / "factor-labour-value.tif", *FRESNO_STATION) == expected
    assert 100 < near.sum() < 250  # most of Fresno County's 199 tracts, some of Madera's
    assert labour.value_max >= expected


def test_sites_sit_by_an_interchange_in_a_big_labour_pool(commuting_result) -> None:
    _, result = commuting_result
    sites = result.selected_sites
    assert len(sites) == 3
    interchanges = gpd.GeoSeries([Point(p) for p in INTERCHANGES], crs=4326).to_crs(3310)
    best = sites.iloc[0]
    assert interchanges.distance(best.geometry).min() < 10_000
    with rasterio.open(result.folder / "factor-labour-value.tif") as src:
        pool = src.read(1)
    assert best["labour_value"] > np.nanpercentile(pool, 75)
