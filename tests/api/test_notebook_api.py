"""The notebook API as a user calls it: ``import valleymaps as vm`` on the bundled workspace,
with tracts, flows and projects built in code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest

import valleymaps as vm
from lodes_files import acs_region_flows, write_acs_county_flows
from project_files import FRESNO, VISALIA, row, write_csv
from valleymaps.errors import ConfigError, UnknownNameError, WorkspaceError
from valleymaps.workspace import Workspace, init_workspace
from workspace_files import write_square_tracts, write_tract_employment


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.delenv("VALLEYMAPS_DB_URL", raising=False)
    return init_workspace(tmp_path / "valley")


@pytest.fixture
def tract_ws(ws: Workspace, tmp_path: Path) -> tuple[Workspace, list[str]]:
    from valleymaps.io.employment.store import import_employment
    from valleymaps.io.tracts import import_tracts

    geoids = write_square_tracts(tmp_path / "tracts.geojson", list(ws.config.region_counties))
    import_tracts(ws, [tmp_path / "tracts.geojson"])
    import_employment(ws, [write_tract_employment(tmp_path / "tract_jobs.csv", geoids)], format="csv")
    return ws, geoids


@pytest.fixture
def flows_ws(ws: Workspace, tmp_path: Path) -> Workspace:
    from valleymaps.io.flows.store import import_flows

    flows = acs_region_flows(list(ws.config.region_counties))
    import_flows(ws, [write_acs_county_flows(tmp_path / "acs_county_flows_2016_2020_us.csv", flows)],
                 format="acs-county")
    return ws


def _html(m: folium.Map) -> str:
    return m.get_root().render()


def _initial_metric(m: folium.Map) -> str:
    """The metric a choropleth page opens on (its state element's ``initial_json``)."""
    todo = [m.get_root()]
    while todo:
        element = todo.pop()
        if hasattr(element, "initial_json"):
            return json.loads(element.initial_json)
        todo.extend(element._children.values())
    raise AssertionError("no choropleth state in the map")


def test_import_valleymaps_is_light_and_names_the_api() -> None:
    code = ("import sys, valleymaps as vm; heavy = [m for m in ('folium', 'pandas', 'rasterio', "
            "'geopandas') if m in sys.modules]; print(heavy, callable(vm.cluster_map), "
            "'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(vm.__file__).parents[1])})
    assert out.stdout.split() == ["[]", "True", "True"]
    assert set(vm.__all__) >= {"open_workspace", "cluster_metrics", "cluster_map", "flows", "flow_map",
                               "load_projects", "run_suitability", "build_atlas"}
    assert (Path(vm.__file__).parent / "py.typed").is_file()


def test_open_workspace_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="valleymaps init"):
        vm.open_workspace(tmp_path)


def test_cluster_metrics_are_a_frame_of_places_clusters_and_years(ws: Workspace) -> None:
    m = vm.cluster_metrics(ws.root)  # a folder is enough
    counties = m[(m["level"] == "county") & (m["component"] == "")]
    assert set(counties["geoid"]) == set(ws.config.region_counties)
    fresno = counties[(counties["geoid"] == "06019") & (counties["cluster"] == "agriculture")].iloc[0]
    assert fresno["place"] == "Fresno County" and fresno["cluster_name"] == "Agriculture"
    assert fresno["lq"] > 1  # the Valley's farm counties concentrate agriculture vs California
    assert {"year", "employment", "share", "growth_rate"} <= set(m.columns)


def test_cluster_map_takes_names_forgivingly_and_opens_on_the_metric(ws: Workspace) -> None:
    m = vm.cluster_map(ws, "AGRICULTURE", metric="location quotient")
    assert isinstance(m, folium.Map)
    assert "Agriculture cluster" in _html(m) and _initial_metric(m) == "lq"
    assert _initial_metric(vm.cluster_map(ws, "Health & Wellness", metric="jobs")) == "employment"


def test_unknown_names_are_answered_with_the_valid_ones(ws: Workspace) -> None:
    with pytest.raises(UnknownNameError, match=r"unknown cluster 'farming'.*agriculture"):
        vm.cluster_map(ws, "farming")
    with pytest.raises(UnknownNameError, match=r"unknown metric 'lqq'.*\blq\b.*growth_rate"):
        vm.cluster_map(ws, "agriculture", metric="lqq")
    with pytest.raises(UnknownNameError, match="county, tract"):
        vm.cluster_map(ws, "agriculture", level="block")
    with pytest.raises(ValueError):  # UnknownNameError is a ValueError too
        vm.cluster_map(ws, "agriculture", metric="nope")


def test_tract_cluster_map_needs_tracts_and_draws_them(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="import tracts"):
        vm.cluster_map(ws, "agriculture", level="tract")


def test_tract_cluster_map_with_tracts(tract_ws: tuple[Workspace, list[str]]) -> None:
    ws, geoids = tract_ws
    m = vm.cluster_metrics(ws)
    assert set(m.loc[m["level"] == "tract", "geoid"]) == set(geoids)
    page = _html(vm.cluster_map(ws, "agriculture", metric="share", level="tract"))
    assert "Tract 1, Fresno County" in page and "Census tracts" in page


def test_flows_measures_with_margins_of_error(flows_ws: Workspace) -> None:
    fl = vm.flows(flows_ws)
    counties = list(flows_ws.config.region_counties)
    m = fl.inflow_outflow(level="county")
    allw = m[m["segment"] == ""].set_index("geoid")
    assert list(allw.index) == counties
    # acs_region_flows: county i keeps 100,000 + 7,000 i, sends 1,000 (i+1)^2 next door, 150 (i+2) to LA
    for i, g in enumerate(counties[:3]):
        out = 1_000 * (i + 1) ** 2 + 150 * (i + 2)
        assert allw.loc[g, "living"] == 100_000 + 7_000 * i + out
        assert allw.loc[g, "outflow"] == out
        assert np.isfinite(allw.loc[g, "outflow_moe"]) and allw.loc[g, "outflow_moe"] > 0
    region = fl.inflow_outflow(level="Region")
    assert region.loc[region["segment"] == "", "outflow"].iloc[0] == sum(150 * (i + 2) for i in range(8))
    with pytest.raises(UnknownNameError, match="acs_county_flows"):
        vm.flows(flows_ws, "lodes_2021")


def test_flow_map_is_a_folium_map_with_the_top_flows(flows_ws: Workspace) -> None:
    m = vm.flow_map(flows_ws, level="county", top=5)
    page = _html(m)
    assert isinstance(m, folium.Map)
    assert "Commuting flows: San Joaquin Valley counties" in page and "Los Angeles" in page


def test_projects_come_through_the_store(ws: Workspace, tmp_path: Path) -> None:
    from valleymaps.projects.importer import import_projects

    empty = vm.load_projects(ws)
    assert isinstance(empty, gpd.GeoDataFrame) and empty.empty and "cost_usd" in empty.columns
    src = write_csv(tmp_path / "ftip.csv", [row("T1", "Widening", at=FRESNO),
                                            row("W1", "Basin", kind="Water", at=VISALIA)])
    import_projects(src, ws=ws)
    got = vm.load_projects(ws)
    assert sorted(got["project_id"]) == ["T1", "W1"] and got.crs.to_epsg() == 4326


@pytest.fixture
def pg_table() -> Iterator[tuple[str, str]]:
    url = os.environ.get("VALLEYMAPS_TEST_DB_URL", "").strip()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("VALLEYMAPS_TEST_DB_URL is not set (CI)")
        pytest.skip("VALLEYMAPS_TEST_DB_URL is not set: no PostGIS server")
    import psycopg

    schema = f"vm_api_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, f"{schema}.projects"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_projects_from_postgis_like_every_command(ws: Workspace, tmp_path: Path,
                                                  pg_table: tuple[str, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from valleymaps.projects.importer import import_projects

    url, table = pg_table
    src = write_csv(tmp_path / "ftip.csv", [row("T1", "Widening", at=FRESNO)])
    import_projects(src, ws=ws, db_url=url, table=table)
    assert list(vm.load_projects(ws, db_url=url, table=table)["project_id"]) == ["T1"]
    assert vm.load_projects(ws).empty  # the GeoPackage is another inventory
    monkeypatch.setenv("VALLEYMAPS_DB_URL", url)
    assert list(vm.load_projects(ws, table=table)["project_id"]) == ["T1"]


def test_suitability_returns_raster_sites_and_map(ws: Workspace) -> None:
    r = vm.run_suitability(ws, "paper MILLS", resolution=2000)
    assert r.raster.crs == "EPSG:3310" and r.raster.transform.a == 2000
    values = r.raster.values
    assert values.ndim == 2 and np.nanmax(values) <= 100 and np.nanmin(values) >= 0
    assert np.isnan(values).any()  # outside the region
    assert isinstance(r.sites, gpd.GeoDataFrame) and "score" in r.sites.columns
    assert r.left_out  # the bundled workspace has no groundwater or rail layers
    assert any("Left out" in n for n in r.notes)
    assert isinstance(r.map(), folium.Map)
    assert "Suitability for paper MILLS" in r._repr_html_() or "Paper" in r._repr_html_()
    assert not (ws.outputs_dir / "suitability").exists()  # nothing written into the workspace
    with pytest.raises(ConfigError):
        vm.run_suitability(ws, "Widget making", resolution=2000)


def test_build_atlas_returns_its_pages_and_tables(ws: Workspace) -> None:
    atlas = vm.build_atlas(ws)
    assert atlas.index == ws.maps_dir / "index.html" and atlas.index.is_file()
    assert any(p.name == "cluster-agriculture.html" for p in atlas.pages)
    html = atlas._repr_html_()
    assert "cluster-agriculture.html" in html and "<script" not in html
    table = atlas.table("cluster metrics")
    table["component"] = table["component"].fillna("")
    ours = vm.cluster_metrics(ws)
    key = ["geoid", "cluster", "component", "year"]
    merged = ours.merge(table, on=key, suffixes=("", "_atlas"))
    assert len(merged) == len(ours)
    np.testing.assert_allclose(merged["lq"], merged["lq_atlas"], equal_nan=True)


def test_cluster_map_shows_the_year_asked(ws: Workspace) -> None:
    from valleymaps.errors import AnalysisError

    metrics = vm.cluster_metrics(ws, end_year=2015)
    fresno = metrics[(metrics["geoid"] == "06019") & (metrics["cluster"] == "agriculture")
                     & (metrics["component"] == "")].iloc[0]
    latest = _html(vm.cluster_map(ws, "agriculture", metric="jobs"))
    page = _html(vm.cluster_map(ws, "agriculture", metric="jobs", year=2015))
    assert page != latest
    assert "2015" in page and f"{fresno['employment']:,.0f}" in page
    assert f"{fresno['employment']:,.0f}" not in latest
    with pytest.raises(AnalysisError, match=r"no employment for 1999; the data have 2011"):
        vm.cluster_map(ws, "agriculture", year=1999)
    with pytest.raises(ConfigError, match="disagree"):
        vm.cluster_map(ws, "agriculture", year=2015, end_year=2016)
