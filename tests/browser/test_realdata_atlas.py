"""The atlas over the 760 real tracts (../shared/realdata/tracts) with LODES WAC employment.

The tract boundaries are real; the job counts are synthetic, written in the exact
LODES WAC format (two years) so the whole import path is exercised. The real high-speed
rail route and stations (../shared/realdata/infrastructure) are imported as projects, so
every cluster page carries them as overlay layers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely
from harness import assert_no_errors, point_on_line

from lodes_files import write_wac
from valleymaps.io.employment.store import import_employment
from valleymaps.io.tracts import import_tracts
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import DB_URL_ENV
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import init_workspace

REPO = Path(__file__).resolve().parents[2]
REALDATA = REPO.parent / "shared" / "realdata"
TRACT_FILES = sorted((REALDATA / "tracts").glob("*.topo.json"))
HSR = REALDATA / "infrastructure"
ROUTE_MAPPING = """[columns]
project_id = "Seg"
[templates]
name = "High-speed rail segment {Seg}"
[defaults]
agency = "California High-Speed Rail Authority"
category = "rail"
status = "under construction"
"""

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not TRACT_FILES, reason=f"no real tract files in {REALDATA}"),
]

PAGE_LIMIT = 2_000_000


@pytest.fixture(scope="module")
def real_atlas(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real")
    ws = init_workspace(tmp / "ws")
    with pytest.warns(UserWarning, match="repaired"):
        result = import_tracts(ws, TRACT_FILES, assume_crs="EPSG:4326")
    geoids = sorted(result.gdf["geoid"])
    files = [
        write_wac(tmp / f"synthetic_ca_wac_S000_JT00_{year}.csv.gz", geoids, seed=year)
        for year in (2011, 2021)
    ]
    import_employment(ws, files, format="lodes-wac", name="lodes_wac_synthetic")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DB_URL_ENV, raising=False)  # the workspace's GeoPackage
        if (HSR / "HSR_Route_web.shp").is_file():
            example = REPO / "data" / "econ" / "project_mapping.example.toml"
            import_projects(HSR / "HSR_Stations_v2_web.shp", ws=ws, mapping=example)
            (tmp / "route.toml").write_text(ROUTE_MAPPING, encoding="utf-8")
            import_projects(HSR / "HSR_Route_web.shp", ws=ws, mapping=tmp / "route.toml")
        atlas = build_atlas(ws, png=False)
    return ws, atlas, geoids


def _layer_payloads(page_html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"valleymaps\.makeLayer\((\{.*?\}), vm_state_\w+\)", page_html)]


def test_every_cluster_page_over_760_tracts_stays_under_2_mb(real_atlas):
    ws, atlas, geoids = real_atlas
    assert atlas.levels == ["county", "tract"] and len(geoids) == 760
    for page in ws.maps_dir.glob("cluster-*.html"):
        size = page.stat().st_size
        assert size < PAGE_LIMIT, f"{page.name} is {size:,} bytes"


@pytest.mark.skipif(not (HSR / "HSR_Route_web.shp").is_file(), reason=f"no real infrastructure in {HSR}")
def test_the_rail_projects_ride_once_on_every_cluster_page(real_atlas):
    ws, _, _ = real_atlas
    for page in ws.maps_dir.glob("cluster-*.html"):
        html = page.read_text(encoding="utf-8")
        assert html.count("valleymapsProjects.load(") == 1, page.name  # one copy of the projects
        assert "Projects: Rail (11)" in html, page.name  # six stations, five route segments


def test_tract_geometry_is_sent_once_without_gaps_or_overlaps(real_atlas):
    ws, _, _ = real_atlas
    html = (ws.maps_dir / "cluster-agriculture.html").read_text(encoding="utf-8")
    layers = {p["level"]: p for p in _layer_payloads(html)}
    assert set(layers) == {"county", "tract"}
    assert html.count('"level":"tract"') == 1  # one copy of the tract geometry, whatever the metrics
    tracts = layers["tract"]
    assert len(tracts["geojson"]["features"]) == 760
    assert len(tracts["metrics"]) >= 6  # every metric rides along with the single geometry
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in tracts["geojson"]["features"]])
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)  # neighbours share edges exactly: no overlaps
    region = shapely.union_all(geoms)
    assert sum(len(p.interiors) for p in getattr(region, "geoms", [region])) == 0  # no gaps


@pytest.mark.browser
def test_real_tract_page_in_chromium(real_atlas, open_page, screenshot):
    ws, _, _ = real_atlas
    page, report = open_page(ws.maps_dir / "cluster-logistics.html")
    page.locator(".leaflet-control-layers-base label", has_text="Census tracts").click()
    assert page.locator("path.leaflet-interactive").count() == 760
    page.get_by_label("Share of all jobs, 2021").check()
    assert page.locator(".vm-legend-title").inner_text() == "Share of all jobs, 2021"
    page.locator("path.leaflet-interactive").nth(400).hover(force=True)
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    assert re.search(r"Tract [\d.]+, \w[\w ]* County", tip.inner_text())
    assert re.search(r"\d+\.\d%", tip.locator(".vm-tip-value").inner_text())
    screenshot(page, "real-tracts")
    if (HSR / "HSR_Route_web.shp").is_file():
        # the rail route, switched on over the tracts, is drawn above them and opens its popup
        overlays = page.locator(".leaflet-control-layers-overlays")
        overlays.locator("label", has_text="Projects: Rail").locator("input").check()
        segments = page.locator(".leaflet-vmProjectShapes-pane path.leaflet-interactive")
        assert segments.count() == 5
        assert page.locator(".vm-project-icon").count() == 6  # the stations
        page.mouse.click(*point_on_line(segments.first))
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "High-speed rail segment" in popup.inner_text()
        screenshot(page, "real-tracts-rail")
    assert_no_errors(report)
