"""The atlas with infrastructure projects: read once, laid over every cluster and flow page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from lodes_files import acs_region_flows, write_acs_county_flows
from project_files import BAKERSFIELD, FRESNO, VISALIA, projects_gdf, row, write_csv
from valleymaps.io.flows.store import import_flows
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import DB_URL_ENV
from valleymaps.projects.store_gpkg import GeoPackageStore
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import Workspace
from workspace_files import BuiltAtlas

#: A rail line with many vertices: its coordinates must reach each page once.
RAIL = shapely.LineString([(FRESNO[0] + (BAKERSFIELD[0] - FRESNO[0]) * t / 40,
                            FRESNO[1] + (BAKERSFIELD[1] - FRESNO[1]) * t / 40 + 0.01 * (t % 2))
                           for t in range(41)])  # fmt: skip


def _payload(html: str) -> dict:
    found = re.findall(r"valleymapsProjects\.load\((\{.*?\}), map_\w+\)", html)
    assert len(found) == 1, f"{len(found)} project payloads"
    return json.loads(found[0])


@pytest.fixture
def projects_ws(bundled_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    src = write_csv(tmp_path / "ftip.csv", [row("T1", "Widening", at=FRESNO), row("W1", "Basin", kind="Water",
                                                                                  at=VISALIA)])  # fmt: skip
    import_projects(src, ws=bundled_ws)
    hsr = {"project_id": "R1", "name": "HSR", "agency": "CHSRA", "category": "rail", "status": "planned"}
    rail = projects_gdf([hsr], [RAIL])
    rail.to_file(tmp_path / "rail.geojson", driver="GeoJSON")
    import_projects(tmp_path / "rail.geojson", ws=bundled_ws)
    return bundled_ws


def test_projects_are_read_once_and_sent_once_per_page(
    projects_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flows = acs_region_flows(list(projects_ws.config.region_counties))
    acs = write_acs_county_flows(tmp_path / "acs_county_flows_2016_2020_us.csv", flows)
    import_flows(projects_ws, [acs], format="acs-county")
    loads: list[GeoPackageStore] = []
    original = GeoPackageStore.load

    def counted_load(self: GeoPackageStore) -> gpd.GeoDataFrame:
        loads.append(self)
        return original(self)

    monkeypatch.setattr(GeoPackageStore, "load", counted_load)

    result = build_atlas(projects_ws, png=False)

    assert len(loads) == 1  # one read for the cluster pages, the flow pages and the project pages
    names = {p.name for p in result.pages}
    cluster_pages = sorted(projects_ws.maps_dir.glob("cluster-*.html"))
    flow_pages = sorted(projects_ws.maps_dir.glob("flows-*.html"))
    # flow pages: the bundled ACS 2009-2013 extract and the table imported above
    assert len(cluster_pages) >= 6 and len(flow_pages) == 2 and "projects.html" not in names
    rail_vertex = f"[{round(RAIL.coords[17][0], 5)},{round(RAIL.coords[17][1], 5)}]"
    for page in [*cluster_pages, *flow_pages]:
        html = page.read_text(encoding="utf-8")
        assert sorted(_payload(html)["projects"]["pid"]) == ["R1", "T1", "W1"], page.name
        assert html.count(rail_vertex) == 1, page.name  # the geometry once, whatever the layers
        assert html.count("valleymapsProjects.fill(") == 3  # a layer per category present
        assert "Projects: Rail (1)" in html and "Projects: Water (1)" in html
    assert (projects_ws.maps_dir / "projects.html").is_file()


def test_a_workspace_without_projects_gets_no_project_layers(bundled_atlas: BuiltAtlas) -> None:
    maps = bundled_atlas.ws.maps_dir  # built without $VALLEYMAPS_DB_URL: the empty GeoPackage
    assert sorted(maps.glob("cluster-*.html"))
    for page in maps.glob("cluster-*.html"):
        assert "valleymapsProjects" not in page.read_text(encoding="utf-8")
    assert not (maps / "projects.html").exists()


def test_a_large_inventory_is_written_once_beside_the_pages(
    projects_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from valleymaps.render import project_overlay

    small = build_atlas(projects_ws, png=False)
    sizes = {p.name: p.stat().st_size for p in small.pages if p.name.startswith("cluster-")}
    monkeypatch.setattr(project_overlay, "INLINE_PROJECT_DATA_LIMIT", 1_000)  # as if it were 20,000 projects

    build_atlas(projects_ws, png=False)

    data = (projects_ws.maps_dir / project_overlay.PROJECT_DATA_FILE).read_text(encoding="utf-8")
    assert data.startswith("window.valleymapsProjectData = {") and data.count('"HSR"') == 1
    rail_vertex = f"[{round(RAIL.coords[17][0], 5)},{round(RAIL.coords[17][1], 5)}]"
    assert data.count(rail_vertex) == 1
    for name, before in sizes.items():
        html = (projects_ws.maps_dir / name).read_text(encoding="utf-8")
        assert '<script src="projects-data.js"></script>' in html
        assert rail_vertex not in html and "window.valleymapsProjectData || null" in html
        assert len(html.encode()) < before - len(data) // 2, name  # the page no longer carries them
        assert "Projects: Rail (1)" in html  # the layers are still there
    assert rail_vertex in (projects_ws.maps_dir / "projects.html").read_text(encoding="utf-8")  # own page


def test_project_text_that_looks_like_template_syntax_stays_text(
    bundled_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # folium renders each element's script a second time as a Jinja template: a project named
    # "{{ 7*7 }}" showed as "49", and an unclosed "{{" failed the whole build
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    src = write_csv(tmp_path / "ftip.csv", [
        row("T1", "Bridge {{ 7*7 }}", agency="{% if true %}Kings COG{% endif %}", at=FRESNO),
        row("T2", "Canal {{ unclosed {# and {%", at=VISALIA),
    ])  # fmt: skip
    import_projects(src, ws=bundled_ws)

    result = build_atlas(bundled_ws, png=False)

    pages = [p for p in result.pages if p.name.startswith("cluster-")]
    pages.append(bundled_ws.maps_dir / "projects.html")
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "Bridge {{ 7*7 }}" in html and "Bridge 49" not in html, page.name
        assert "{% if true %}Kings COG{% endif %}" in html, page.name
        assert "Canal {{ unclosed {# and {%" in html, page.name
