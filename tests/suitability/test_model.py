"""A whole run on a small made-up region: rasters, constraints, sites, tables, clear errors."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio

from suitability_files import (
    KM,
    RAIL_X,
    RESERVE,
    cell_value,
    write_layers,
    write_profile,
    write_water_raster,
    write_workspace,
)
from valleymaps.errors import AnalysisError, CRSError, DataSourceError, ValidationError
from valleymaps.suitability.model import compute_suitability, drop_missing_layers
from valleymaps.suitability.profile import load_profile, parse_profile
from valleymaps.workflows.suitability_inputs import gather_suitability_inputs, layer_catalog, projects_layer


@pytest.fixture
def setup(tmp_path: Path):
    ws = write_workspace(tmp_path / "ws")
    layers = write_layers(tmp_path / "layers")
    profile = load_profile(write_profile(tmp_path / "test-plants.toml"))
    return ws, layers, profile


def _run(ws, layers, profile, folder: Path, *, projects=None, **kwargs):
    catalog = layer_catalog(ws, overrides={k: str(v) for k, v in layers.items()},
                            projects=projects_layer(projects) if projects is not None else None)
    inputs = gather_suitability_inputs(ws, [profile], catalog=catalog)
    return compute_suitability(profile, inputs, folder=folder, resolution=500, **kwargs)


def test_a_run_writes_cogs_whose_suitability_is_the_weighted_sum_of_the_factors(
    setup, tmp_path: Path
) -> None:
    ws, layers, profile = setup
    result = _run(ws, layers, profile, tmp_path / "out")
    assert (result.grid.width, result.grid.height) == (80, 40)
    for name in (
        "suitability.tif",
        "exclusion.tif",
        "factor-rail.tif",
        "factor-rail-value.tif",
        "factor-water.tif",
        "factor-workers-value.tif",
    ):
        with rasterio.open(tmp_path / "out" / name) as src:
            assert src.crs.to_epsg() == 3310
            assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    x, y = RAIL_X + 2250, 3 * KM + 250  # a cell centre 2.25 km east of the rail line, in Fresno
    assert cell_value(tmp_path / "out" / "factor-rail-value.tif", x, y) == pytest.approx(
        2000.0
    )  # centre to centre
    rail = cell_value(tmp_path / "out" / "factor-rail.tif", x, y)
    water = cell_value(tmp_path / "out" / "factor-water.tif", x, y)
    workers = cell_value(tmp_path / "out" / "factor-workers.tif", x, y)
    assert rail == pytest.approx(0.8)
    assert workers == pytest.approx(100 / 300)
    assert 0 < water < 1
    suit = cell_value(tmp_path / "out" / "suitability.tif", x, y)
    assert suit == pytest.approx(50 * rail + 30 * water + 20 * workers, rel=1e-5)


def test_constraints_really_exclude_land(setup, tmp_path: Path) -> None:
    ws, layers, profile = setup
    result = _run(ws, layers, profile, tmp_path / "out")
    with rasterio.open(result.suitability_path) as src:
        suit = src.read(1)
        inside = rasterio.features.geometry_mask(
            [RESERVE], out_shape=suit.shape, transform=src.transform, invert=True
        )
    with rasterio.open(result.exclusion_path) as src:
        codes = src.read(1)
    assert inside.sum() == 20 * 20
    assert np.isnan(suit[inside]).all()
    assert (codes[inside] == 2).all()
    assert result.excluded["Not in the reserve"] == 400
    assert not result.sites.empty
    assert not result.sites.intersects(RESERVE.buffer(-1)).any()
    # the raster's no-data hole is excluded too (code 3), and so is nothing else
    assert (codes == 3).sum() == result.excluded["no value in a factor"] > 0
    assert np.isfinite(suit[codes == 0]).all()


def test_sites_carry_factor_contributions_that_add_up_to_their_score(setup, tmp_path: Path) -> None:
    ws, layers, profile = setup
    result = _run(ws, layers, profile, tmp_path / "out")
    sites = result.sites
    assert sites["score"].is_monotonic_decreasing
    points = sites[["rail_points", "water_points", "workers_points"]].sum(axis=1)
    np.testing.assert_allclose(points, sites["score"], rtol=1e-4)
    assert set(sites["county"]) <= {"Fresno", "Kern"}
    assert {"rank_best", "rank_worst", "stability"} <= set(sites.columns)
    assert (sites["rail_value"] >= 0).all()


def test_a_projects_layer_gives_each_site_its_nearest_project(setup, tmp_path: Path) -> None:
    from shapely.geometry import Point

    ws, layers, profile = setup
    projects = gpd.GeoDataFrame(
        {"name": ["Depot upgrade", "Canal lining"], "category": ["rail", "water"]},
        geometry=[Point(RAIL_X, 10 * KM), Point(39 * KM, 1 * KM)],
        crs=3310,
    ).to_crs(4326)
    result = _run(ws, layers, profile, tmp_path / "out", projects=projects)
    best = result.sites.iloc[0]
    assert best["nearest_project"] in {"Depot upgrade", "Canal lining"}
    assert best["nearest_project_m"] >= 0


def test_a_raster_without_a_crs_is_refused_with_the_fix(setup, tmp_path: Path) -> None:
    ws, layers, profile = setup
    layers["water"] = write_water_raster(tmp_path / "nocrs.tif", crs=None)
    with pytest.raises(CRSError) as info:
        _run(ws, layers, profile, tmp_path / "out")
    assert "nocrs.tif has no coordinate reference system" in str(info.value)
    assert "assume_crs" in str(info.value)


def test_a_factor_outside_the_region_is_refused(setup, tmp_path: Path) -> None:
    ws, layers, profile = setup
    far = (500 * KM, 500 * KM, 550 * KM, 530 * KM)
    layers["water"] = write_water_raster(tmp_path / "far.tif", bounds_3310=far)
    with pytest.raises(AnalysisError) as info:
        _run(ws, layers, profile, tmp_path / "out")
    assert "lies outside the region" in str(info.value) and "far.tif" in str(info.value)
    rail = gpd.GeoDataFrame(
        geometry=gpd.GeoSeries.from_wkt(["LINESTRING (400000 400000, 410000 400000)"]), crs=3310
    )
    rail.to_file(tmp_path / "far_rail.gpkg")
    layers = write_layers(tmp_path / "layers2")
    layers["rail"] = tmp_path / "far_rail.gpkg"
    with pytest.raises(AnalysisError, match=r"none of its 1 features is within 10\.5 km of the region"):
        _run(ws, layers, profile, tmp_path / "out2")


def test_weights_not_adding_up_are_refused_before_anything_runs(tmp_path: Path) -> None:
    text = tmp_path / "p.toml"
    from suitability_files import plants_profile

    text.write_text(plants_profile(weights=(50, 30, 25)), encoding="utf-8")
    with pytest.raises(ValidationError, match="add up to 105, not 100"):
        load_profile(text)


def test_missing_layers_are_listed_or_left_out_with_weights_rescaled(setup, tmp_path: Path) -> None:
    ws, layers, profile = setup
    catalog = layer_catalog(ws, overrides={"rail": str(layers["rail"]), "reserve": str(layers["reserve"])})
    with pytest.raises(DataSourceError) as info:
        compute_suitability(
            profile, gather_suitability_inputs(ws, [profile], catalog=catalog), folder=tmp_path / "o",
            resolution=500,
        )
    assert "2 layer(s) missing" in str(info.value)
    assert "no layer 'water'" in str(info.value) and "--layer water=PATH" in str(info.value)
    trimmed = drop_missing_layers(profile, catalog)
    assert trimmed.weights == {"rail": 100.0}
    assert any(note.startswith("Water (weight 30) left out") for note in trimmed.left_out)


def test_category_polygons_and_scores_for_missing_values(setup, tmp_path: Path) -> None:
    from shapely.geometry import box

    ws, _, _ = setup
    zoning = tmp_path / "zoning.gpkg"
    gpd.GeoDataFrame(
        {"zone": ["industrial", "farm"]},
        geometry=[box(0, 0, 20 * KM, 20 * KM), box(20 * KM, 0, 30 * KM, 20 * KM)],
        crs=3310,
    ).to_file(zoning)
    profile = parse_profile(
        """
name = "Zoning"
[sites]
min_acres = 50
threshold = 10
[[factors]]
key = "zone"
weight = 100
missing = 0.1
source = { kind = "polygons", layer = "zoning", column = "zone" }
transform = { kind = "categories", scores = { industrial = 1, farm = 0.4 } }
"""
    )
    result = _run(ws, {"zoning": zoning}, profile, tmp_path / "out")
    assert cell_value(result.suitability_path, 5 * KM + 250, 5 * KM + 250) == pytest.approx(100)
    assert cell_value(result.suitability_path, 25 * KM + 250, 5 * KM + 250) == pytest.approx(40)
    assert cell_value(result.suitability_path, 35 * KM + 250, 5 * KM + 250) == pytest.approx(10)  # no zone
    assert result.sites.iloc[0]["zone_value"] == "industrial"


def test_cluster_metrics_per_county_are_painted_on_their_cells(tmp_path: Path) -> None:
    from valleymaps.analysis.cluster_employment import aggregate_cluster_employment
    from valleymaps.analysis.metrics import compute_cluster_metrics
    from valleymaps.clusters import load_clusters
    from valleymaps.io.employment.store import load_datasets
    from valleymaps.workspace import init_workspace

    ws = init_workspace(tmp_path / "bundled")
    profile = parse_profile(
        """
name = "Manufacturing"
[sites]
min_acres = 1000
max_acres = 20000
[[factors]]
key = "mfg_lq"
weight = 100
source = { kind = "cluster_metric", metric = "lq", cluster = "manufacturing" }
transform = { kind = "identity" }
"""
    )
    result = compute_suitability(
        profile, gather_suitability_inputs(ws, [profile]), folder=tmp_path / "out", resolution=5000
    )
    table = load_datasets(ws)[0].table
    metrics = compute_cluster_metrics(
        aggregate_cluster_employment(table, load_clusters(ws.clusters_path)),
        region_counties=ws.config.region_counties,
    )
    lq = metrics[
        (metrics["level"] == "county")
        & (metrics["cluster"] == "manufacturing")
        & (metrics["component"] == "")
    ]
    fresno = float(lq.set_index("geoid").loc["06019", "lq"])
    downtown_fresno = (-119.787, 36.737)
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 3310, always_xy=True).transform(*downtown_fresno)
    assert cell_value(result.folder / "factor-mfg_lq-value.tif", x, y) == pytest.approx(fresno, rel=1e-5)
    assert result.synthetic  # the bundled employment is synthetic, and the result says so
