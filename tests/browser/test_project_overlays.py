"""Projects laid over the atlas's cluster choropleths and commuting flow maps, in Chromium.

One atlas is built from a workspace holding projects (points, a rail line, an area; one named
``<img src=x onerror=alert(1)>``) and ACS county-to-county flows. On a cluster page and a flow
page the project categories are layers of the layer control, off when the page opens; switched
on, they draw the same symbols, lines, legend and popups as the project page, and text from the
file stays text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shapely
from harness import PageOpener, assert_no_errors, point_on_line

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the file builders
from lodes_files import acs_region_flows, write_acs_county_flows
from project_files import BAKERSFIELD, FRESNO, MODESTO, VISALIA, projects_gdf, row, write_csv
from valleymaps.io.flows.store import import_flows
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import DB_URL_ENV
from valleymaps.render import project_overlay
from valleymaps.render.projects_map import CATEGORY_STYLES
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import init_workspace

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module", params=["in each page", "in a shared data file"])
def atlas(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An atlas of the bundled workspace with five projects and ACS commuting flows.

    Built twice: with the projects' data in each page (a small inventory), and in the data file
    the pages share (a large inventory; here by lowering the limit).
    """
    mp = pytest.MonkeyPatch()
    mp.delenv(DB_URL_ENV, raising=False)  # the workspace's GeoPackage
    if request.param == "in a shared data file":
        mp.setattr(project_overlay, "INLINE_PROJECT_DATA_LIMIT", 0)
    tmp = tmp_path_factory.mktemp("overlays")
    ws = init_workspace(tmp / "ws")
    points = write_csv(
        tmp / "ftip.csv",
        [
            row("T1", "Blackstone Ave widening", at=FRESNO, cost="$12M", desc="Widen to four lanes"),
            row("E1", XSS, kind="Energy", at=BAKERSFIELD, cost="TBD", agency='"><svg onload=alert(3)>',
                desc="<script>alert(2)</script>"),
            row("W1", "Recharge basin pumps", kind="Water", at=VISALIA, cost="$2M"),
        ],
    )  # fmt: skip
    import_projects(points, ws=ws)
    shapes = projects_gdf(
        [
            {"project_id": "R1", "name": "High-speed rail segment", "agency": "CHSRA", "category": "rail",
             "cost": 2e9, "status": "under construction"},
            {"project_id": "P1", "name": "Modesto library", "agency": "StanCOG", "category": "library",
             "cost": 8e6, "status": "planned"},
        ],
        [
            shapely.LineString([FRESNO, BAKERSFIELD]),
            shapely.box(MODESTO[0] - 0.05, MODESTO[1] - 0.05, MODESTO[0] + 0.05, MODESTO[1] + 0.05),
        ],
    )  # fmt: skip
    shapes.to_file(tmp / "shapes.geojson", driver="GeoJSON")
    import_projects(tmp / "shapes.geojson", ws=ws)
    flows = acs_region_flows(list(ws.config.region_counties))
    acs = write_acs_county_flows(tmp / "acs_county_flows_2016_2020_us.csv", flows)
    import_flows(ws, [acs], format="acs-county")
    build_atlas(ws, png=False)
    mp.undo()
    shared = (ws.maps_dir / project_overlay.PROJECT_DATA_FILE).is_file()
    assert shared == (request.param == "in a shared data file")
    return ws.maps_dir


def _no_errors(report: Any) -> None:
    """assert_no_errors, but map tiles cancelled by a pan (a popup opening) are not errors."""
    report.failed_requests = [
        r for r in report.failed_requests if not ("/tile/" in r and r.endswith("net::ERR_ABORTED"))
    ]
    assert_no_errors(report)


def _check_project_overlay(page: Any, report: Any) -> None:
    """What a planner does on a page with the project overlay, and what must happen."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:  # an alert() would mean text from the file ran as code
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    overlays = page.locator(".leaflet-control-layers-overlays")
    for name in ("Projects: Transportation (1)", "Projects: Rail (1)", "Projects: Water (1)",
                 "Projects: Energy (1)", "Projects: Public facilities (1)"):  # fmt: skip
        assert overlays.locator("label", has_text=name).count() == 1, overlays.inner_text()
    # off when the page opens: the page's own map comes first; no project legend yet
    assert page.locator(".vm-project-icon").count() == 0
    assert not page.locator(".vm-project-legend").is_visible()
    shapes = page.locator(".leaflet-vmProjectShapes-pane path.leaflet-interactive")
    assert shapes.count() == 0

    for label in overlays.locator("label", has_text="Projects: ").all():
        label.locator("input").check()
    assert page.locator(".vm-project-icon").count() == 3  # three points; the line and the area are shapes
    assert page.locator(".vm-cat-0 svg rect").count() == 1  # transportation: a square
    assert page.locator(".vm-cat-3 svg g").get_attribute("fill") == "#ffffff"  # energy, no cost: hollow
    assert shapes.count() == 2
    strokes = [shapes.nth(i).get_attribute("stroke") for i in range(2)]
    rail = shapes.nth(strokes.index(CATEGORY_STYLES["rail"].color))
    assert rail.get_attribute("fill") == "none" and rail.get_attribute("stroke-dasharray") == "10 5"
    green = CATEGORY_STYLES["public facilities"].color
    area = shapes.nth(strokes.index(green))  # public facilities, drawn as an area
    assert area.get_attribute("fill") == green
    legend = page.locator(".vm-project-legend")
    assert legend.is_visible()
    assert "Infrastructure projects" in legend.inner_text() and "Rail (1)" in legend.inner_text()
    source = legend.locator(".vm-project-source").first.inner_text()
    assert "Projects: 5 from ftip.csv, shapes.geojson" in source

    def popup_of(name: str) -> Any:
        """The popup of project ``name`` (a closing popup fades out for a moment beside it)."""
        popup = page.locator(".leaflet-popup-content", has=page.locator(".vm-popup-name", has_text=name))
        popup.wait_for()
        return popup

    page.locator(".vm-cat-0").click()
    popup = popup_of("Blackstone Ave widening")
    for expected in ("Blackstone Ave widening", "Cost\t$12M", "Schedule\t2024–2027", "Agency\tFresno COG",
                     "Project ID\tT1", "Funding\tSTIP", "Description\tWiden to four lanes",
                     "Source\tftip.csv, row 1"):  # fmt: skip
        assert expected in popup.inner_text(), (expected, popup.inner_text())
    page.keyboard.press("Escape")

    page.mouse.click(*point_on_line(rail))
    assert "Cost\t$2B" in popup_of("High-speed rail segment").inner_text()
    page.keyboard.press("Escape")

    page.locator(".vm-cat-3").hover()
    tip = page.locator(".leaflet-tooltip .vm-ptip-name", has_text="onerror")
    tip.wait_for()
    assert tip.inner_text() == XSS
    page.locator(".vm-cat-3").click()
    popup = popup_of(XSS)
    assert popup.locator(".vm-popup-name").inner_text() == XSS
    assert "Description\t<script>alert(2)</script>" in popup.inner_text()
    assert 'Agency\t"><svg onload=alert(3)>' in popup.inner_text()
    page.wait_for_timeout(300)
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[onerror], [onload]').length") == 0
    assert dialogs == []

    # a category switched off leaves the map and greys out in the legend
    overlays.locator("label", has_text="Projects: Rail").locator("input").uncheck()
    assert shapes.count() == 1
    assert "vm-legend-off" in (legend.locator("[data-category=rail]").get_attribute("class") or "")
    _no_errors(report)


def test_projects_over_a_cluster_choropleth(
    atlas: Path, open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(atlas / "cluster-energy.html", wait_for="[data-projects-ready]")
    assert page.locator("path.leaflet-interactive").count() == 8  # the counties, no project shape yet
    _check_project_overlay(page, report)
    # the choropleth still works under the projects: switching the metric restyles the counties
    page.locator("input[name=vm-metric][value=lq]").check()
    title = page.locator(".vm-legend:not(.vm-project-legend) .vm-legend-title").inner_text()
    assert title.startswith("Location quotient")
    screenshot(page)
    _no_errors(report)


def test_projects_over_a_commuting_flow_map(
    atlas: Path, open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(
        atlas / "flows-acs-county-flows-2016-2020-county.html", wait_for="[data-projects-ready]"
    )
    arcs = int(page.get_attribute(".leaflet-container", "data-arcs") or 0)
    assert arcs > 0 and page.locator("path.vm-arc").count() == arcs
    _check_project_overlay(page, report)
    assert page.locator("path.vm-arc").count() == arcs  # the flows are still drawn
    # the project legend sits under the flows panel, hiding none of it
    panel = page.locator(".vm-flow-panel").bounding_box()
    legend = page.locator(".vm-project-legend").bounding_box()
    assert panel is not None and legend is not None
    assert legend["y"] >= panel["y"] + panel["height"]
    screenshot(page)
    _no_errors(report)


def test_a_page_copied_alone_still_shows_its_map(atlas: Path, open_page: PageOpener, tmp_path: Path) -> None:
    """With the data in the page, a copied page keeps its projects; with a shared data file left
    behind, it loses them but its own map still works."""
    shared = (atlas / project_overlay.PROJECT_DATA_FILE).is_file()
    alone = tmp_path / "cluster-energy.html"
    alone.write_bytes((atlas / "cluster-energy.html").read_bytes())
    page, report = open_page(alone, wait_for="[data-projects-ready]")
    assert page.get_attribute(".leaflet-container", "data-projects-ready") == ("missing" if shared else "1")
    assert page.locator("path.leaflet-interactive").count() == 8  # the choropleth works
    water = page.locator(".leaflet-control-layers-overlays label", has_text="Projects: Water")
    water.locator("input").check()
    assert page.locator(".vm-project-icon").count() == (0 if shared else 1)
    assert report.page_errors == [] and report.unexpected_requests == []
    assert [r for r in report.failed_requests if "projects-data.js" not in r] == []
