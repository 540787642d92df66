"""Accessibility of every kind of page, in Chromium: axe-core, keyboard, data tables (issue 14).

axe-core (npm, ``tests/browser/package.json``) is injected into each page the atlas writes (index,
cluster choropleths, commuting flows by county and tract, commuting leakage, projects,
investment, suitability, leakage) and into the pages of ``valleymaps projects map`` and
``valleymaps suitability``; no serious or critical violation may be found, with the page as it
opens and with its data table open. Built on the bundled workspace and on one with tracts,
tract jobs, LODES flows, projects (one named ``<script>…``) and suitability.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from harness import NODE_MODULES, PageOpener, assert_no_errors
from shapely.geometry import box

from cli_logging import restore_cli_logging  # noqa: F401
from lodes_files import write_od_flows
from project_files import BAKERSFIELD, FRESNO, projects_gdf, row, write_csv
from suitability_files import write_layers, write_profile, write_workspace
from valleymaps.cli import cli
from valleymaps.io.employment.store import import_employment
from valleymaps.io.flows.store import import_flows
from valleymaps.io.tracts import import_tracts
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import DB_URL_ENV
from valleymaps.render.choropleth import LevelLayer, MapText, render_choropleth
from valleymaps.render.metric_specs import MetricSpec, format_jobs
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import init_workspace
from workspace_files import BuiltAtlas, write_square_tracts, write_tract_employment

pytestmark = pytest.mark.browser


def in_ci() -> bool:
    """True when ``CI`` is set to anything but empty, ``0``, ``false`` or ``no`` (as conftest.py)."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


AXE = NODE_MODULES / "axe-core" / "axe.min.js"
SCRIPT_NAME = "<script>alert(1)</script>"


# ------------------------------------------------------------------------------------ helpers


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; its violations (id, impact, nodes)."""
    if not AXE.is_file():
        reason = f"{AXE} is missing: run `npm ci` in tests/browser (axe-core is a devDependency)"
        if in_ci():
            pytest.fail(reason + " (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(reason)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" "))}))"""
    )


def assert_no_serious_violations(page: Any, where: str) -> None:
    """Fail, naming each rule and where it failed, on any serious or critical violation."""
    bad = [v for v in axe_violations(page) if v["impact"] in {"serious", "critical"}]
    assert not bad, f"{where}: " + "; ".join(
        f"{v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['nodes'])}" for v in bad
    )


def _quiet(report: Any) -> Any:
    """Tiles cancelled by a pan or zoom are not errors."""
    report.failed_requests = [r for r in report.failed_requests if not r.endswith("net::ERR_ABORTED")]
    return report


def check_page(open_page: PageOpener, path: Path | str) -> None:
    """axe on a page as it opens and with its data table open (a map page has one)."""
    target = str(path)
    name = Path(target.split("#")[0]).name
    is_map = '<div class="folium-map"' in Path(target.split("#")[0].removeprefix("file://")).read_text(
        encoding="utf-8"
    )
    page, report = open_page(target, wait_for=".leaflet-container" if is_map else None)
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.lang") == "en", name
    assert_no_serious_violations(page, name)
    if is_map:
        toggles = page.locator(".vm-table-toggle")
        assert toggles.count() == 1, f"{name}: no data table button"
        toggles.click()
        page.locator(".vm-table-panel table").first.wait_for()
        assert_no_serious_violations(page, f"{name} with its data table open")
    assert_no_errors(_quiet(report))


def tab_to(page: Any, selector: str, *, limit: int = 120) -> Any:
    """Press Tab until the focused element matches ``selector``; return it as a locator."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return page.locator(":focus")
    raise AssertionError(f"{limit} Tab presses never reached {selector!r}")


# ----------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def bundled(bundled_atlas: BuiltAtlas) -> Path:
    """The atlas of the bundled workspace (tests/conftest.py builds it once, read only)."""
    return bundled_atlas.ws.maps_dir


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The atlas of a workspace with tracts, tract jobs, LODES flows, projects and suitability,
    and the page of ``valleymaps projects map``; (maps folder, projects page)."""
    mp = pytest.MonkeyPatch()
    mp.delenv(DB_URL_ENV, raising=False)  # the projects in the workspace's GeoPackage
    tmp = tmp_path_factory.mktemp("a11y-full")
    ws = init_workspace(tmp / "ws")
    geoids = write_square_tracts(tmp / "tracts.geojson", list(ws.config.region_counties))
    import_tracts(ws, [tmp / "tracts.geojson"])
    import_employment(ws, [write_tract_employment(tmp / "jobs.csv", geoids)], format="csv")
    flows = [(h, w, 10 + 3 * i + j, 2 + j)
             for i, h in enumerate(geoids[:6]) for j, w in enumerate(geoids[3:9])]  # fmt: skip
    flows.append(("06037000100", geoids[0], 25, 5))  # from outside the region
    import_flows(ws, [write_od_flows(tmp / "ca_od_main_JT00_2021.csv.gz", flows)], format="lodes-od")
    points = write_csv(tmp / "ftip.csv", [
        row("T1", "Blackstone Ave widening", at=FRESNO, cost="$12M", status="planned"),
        row("E1", SCRIPT_NAME, kind="Energy", at=BAKERSFIELD, cost="TBD",
            desc="<img src=x onerror=alert(2)>"),
    ])  # fmt: skip
    import_projects(points, ws=ws)
    shapes = projects_gdf(
        [{"project_id": "R1", "name": "High-speed rail segment", "agency": "CHSRA", "category": "rail",
          "cost": 2e9, "status": "under construction"}],
        [shapely.LineString([FRESNO, BAKERSFIELD])],
    )  # fmt: skip
    shapes.to_file(tmp / "shapes.geojson", driver="GeoJSON")
    import_projects(tmp / "shapes.geojson", ws=ws)
    build_atlas(ws, png=False)
    page = tmp / "projects-map.html"
    done = CliRunner().invoke(cli, ["-w", str(ws.root), "projects", "map", str(page)])
    assert done.exit_code == 0, done.output
    mp.undo()
    yield ws.maps_dir, page


@pytest.fixture(scope="module")
def suitability_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page ``valleymaps suitability -t ...`` writes (a small workspace with every layer)."""
    tmp = tmp_path_factory.mktemp("a11y-suitability")
    ws = write_workspace(tmp / "ws")
    layers = write_layers(tmp / "layers")
    folder = ws.econ_dir / "suitability"
    folder.mkdir()
    write_profile(folder / "test-plants.toml")
    entries = "\n".join(f'{name} = "{path}"' for name, path in layers.items())
    (folder / "layers.toml").write_text(f"[layers]\n{entries}\n", encoding="utf-8")
    done = CliRunner().invoke(
        cli, ["-w", str(ws.root), "suitability", "-t", "Plastics bottle manufacturing", "--resolution", "500"]
    )
    assert done.exit_code == 0, done.output
    pages = sorted((ws.outputs_dir / "suitability").rglob("*.html"))
    assert len(pages) == 1, pages
    return pages[0]


# -------------------------------------------------------------------------------------- axe


def test_every_page_of_the_bundled_atlas_passes_axe(bundled: Path, open_page: PageOpener) -> None:
    pages = sorted(bundled.glob("*.html"))
    kinds = {re.sub(r"-.*", "", p.stem) for p in pages}
    assert {"index", "cluster", "flows", "commuting", "leakage", "suitability"} <= kinds, kinds
    for path in pages:
        check_page(open_page, path)


def test_every_page_of_an_atlas_with_tracts_flows_projects_and_suitability_passes_axe(
    full: tuple[Path, Path], open_page: PageOpener
) -> None:
    maps, projects_page = full
    pages = sorted(maps.glob("*.html"))
    names = {p.name for p in pages}
    assert {"projects.html", "investment.html", "suitability.html", "flows-ca-od-2021-jt00-tract.html",
            "flows-ca-od-2021-jt00-county.html"} <= names, names  # fmt: skip
    for path in [*pages, projects_page]:
        check_page(open_page, path)


def test_the_suitability_command_page_passes_axe(suitability_page: Path, open_page: PageOpener) -> None:
    check_page(open_page, suitability_page)


def test_project_layers_switched_on_over_a_cluster_map_pass_axe(
    full: tuple[Path, Path], open_page: PageOpener
) -> None:
    maps, _ = full
    page, report = open_page(maps / "cluster-energy.html", wait_for="[data-projects-ready]")
    for label in page.locator(".leaflet-control-layers-overlays label", has_text="Projects: ").all():
        label.locator("input").check()
    assert page.locator(".vm-project-icon").count() == 2
    assert_no_serious_violations(page, "cluster-energy.html with the project layers on")
    assert_no_errors(_quiet(report))


# --------------------------------------------------------------------------------- keyboard


def test_tab_reaches_a_project_marker_and_enter_opens_its_popup(
    full: tuple[Path, Path], open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    _, projects_page = full
    dialogs: list[str] = []
    page, report = open_page(projects_page, wait_for="[data-projects-ready]")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    marker = tab_to(page, ".vm-project-icon")
    label = marker.get_attribute("aria-label") or ""
    assert marker.get_attribute("role") == "button"
    assert "Blackstone Ave widening" in label or SCRIPT_NAME in label, label
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus is visible
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content .vm-popup-name")
    popup.wait_for()
    assert popup.inner_text() in label
    # the popup has the focus (a screen reader reads it); Escape gives it back to the marker
    assert page.evaluate("() => !!document.activeElement.closest('.leaflet-popup')")
    screenshot(page)
    assert_no_serious_violations(page, "projects page with a popup open")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement.classList.contains('vm-project-icon')")
    assert page.locator(":focus").get_attribute("aria-label") == label
    # the other marker: Space opens it too; its name (from the file) stays text
    other = tab_to(page, ".vm-project-icon")
    assert other.get_attribute("aria-label") != label
    page.keyboard.press(" ")
    popup = page.locator(".leaflet-popup-content", has=page.locator(".vm-popup-name", has_text="script"))
    popup.wait_for()  # (the first popup may still be fading out beside it)
    assert SCRIPT_NAME in popup.inner_text()
    page.wait_for_timeout(200)
    assert dialogs == [] and page.locator("img[src=x]").count() == 0
    assert_no_errors(_quiet(report))


def test_tab_reaches_a_county_and_enter_shows_its_tooltip(
    bundled: Path, open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(bundled / "cluster-energy.html")
    county = tab_to(page, "path.leaflet-interactive")
    name = county.get_attribute("aria-label") or ""
    assert county.get_attribute("role") == "button"
    assert "County" in name and "Jobs" in name, name  # place, metric and value in its name
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()  # focus shows the tooltip, as hovering does
    place = tip.locator(".vm-tip-name").inner_text()
    assert name.startswith(place)
    stroke = page.evaluate("() => getComputedStyle(document.activeElement).strokeWidth")
    assert stroke == "5px"  # the focused county is outlined, dark with a light halo (3:1 on any fill)
    halo = page.evaluate("() => getComputedStyle(document.activeElement).filter")
    assert "drop-shadow" in halo and "rgb(255, 255, 255)" in halo, halo
    page.keyboard.press("Escape")
    tip.wait_for(state="detached")  # Escape closes it (after a fade)
    page.keyboard.press("Enter")
    tip.wait_for()
    assert tip.locator(".vm-tip-name").inner_text() == place
    # the trend line in the tooltip has its numbers as text
    spark = tip.locator("svg.vm-spark")
    if spark.count():
        assert spark.get_attribute("role") == "img"
        assert re.search(r"by year: 20\d\d [\d,]+", spark.get_attribute("aria-label") or "")
    screenshot(page)
    assert_no_serious_violations(page, "cluster page with a tooltip open")
    # the next Tab goes on to the next county, with its own tooltip
    page.keyboard.press("Tab")
    # once the old tooltip has faded out
    page.wait_for_function("() => document.querySelectorAll('.leaflet-tooltip').length === 1")
    assert page.locator(".leaflet-tooltip .vm-tip-name").inner_text() != place
    assert_no_errors(_quiet(report))


def test_enter_on_a_flow_map_area_shows_only_its_flows(bundled: Path, open_page: PageOpener) -> None:
    page, report = open_page(next(bundled.glob("flows-*-county.html")))
    area = tab_to(page, "path.vm-focusable:not(.vm-arc)")
    assert "Jobs here" in (area.get_attribute("aria-label") or "")
    page.keyboard.press("Enter")
    assert page.get_attribute(".leaflet-container", "data-selected")
    # flow kinds differ by line pattern, not colour alone
    dashes = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("path.vm-arc")].map(
            (p) => [p.dataset.kind, p.getAttribute("stroke-dasharray") || "solid"]))"""
    )
    assert len(set(dashes.values())) == len(dashes) >= 2, dashes
    assert_no_errors(_quiet(report))


# ------------------------------------------------------------------------------- data tables


def test_the_data_table_lists_every_county_sorts_and_closes_with_escape(
    bundled: Path, open_page: PageOpener
) -> None:
    page, report = open_page(bundled / "cluster-energy.html")
    n = page.locator("path.leaflet-interactive").count()
    button = page.locator(".vm-table-toggle")
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    page.keyboard.press("Enter")
    table = page.locator(".vm-table-panel table")
    table.wait_for()
    assert button.get_attribute("aria-expanded") == "true"
    assert table.locator("caption").inner_text().startswith("Energy")
    assert table.locator("tbody tr").count() == n
    assert table.locator("tbody th[scope=row]").count() == n
    heads = table.locator("thead th[scope=col]")
    assert heads.first.inner_text() == "Place"
    jobs_col = next(k for k, t in enumerate(heads.all_inner_texts()) if t.startswith("Jobs"))
    heads.nth(jobs_col).locator("button").click()
    assert heads.nth(jobs_col).get_attribute("aria-sort") == "descending"

    def jobs() -> list[int]:
        cells = table.locator(f"tbody tr td:nth-child({jobs_col + 1})").all_inner_texts()
        return [int(re.sub(r"\D", "", c)) for c in cells if re.search(r"\d", c)]

    assert jobs() == sorted(jobs(), reverse=True) and len(jobs()) >= 2
    heads.nth(jobs_col).locator("button").click()
    assert heads.nth(jobs_col).get_attribute("aria-sort") == "ascending"
    assert jobs() == sorted(jobs())
    # the table agrees with the tooltips
    first = table.locator("tbody tr").first
    place = first.locator("th").inner_text()
    page.keyboard.press("Escape")
    assert page.locator(".vm-table-panel").is_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('vm-table-toggle')")
    labels = page.locator("path.leaflet-interactive").evaluate_all(
        "ps => ps.map(p => p.getAttribute('aria-label'))"
    )
    assert any(label.startswith(place) for label in labels), (place, labels)
    assert_no_errors(_quiet(report))


def test_the_flow_and_project_pages_have_tables_of_their_values(
    full: tuple[Path, Path], open_page: PageOpener
) -> None:
    maps, projects_page = full
    page, report = open_page(maps / "flows-ca-od-2021-jt00-tract.html")
    arcs = int(page.get_attribute(".leaflet-container", "data-arcs") or 0)
    page.locator(".vm-table-toggle").click()
    tables = page.locator(".vm-table-panel table")
    tables.first.wait_for()
    assert tables.count() == 2
    assert tables.first.locator("tbody tr").count() == arcs > 0
    assert tables.nth(1).locator("thead").inner_text().startswith("Area")
    assert_no_errors(_quiet(report))

    page, report = open_page(projects_page, wait_for="[data-projects-ready]")
    page.locator(".vm-table-toggle").click()
    table = page.locator(".vm-table-panel table")
    table.wait_for()
    assert table.locator("tbody tr").count() == 3
    names = table.locator("tbody th").all_inner_texts()
    assert SCRIPT_NAME in names and "High-speed rail segment" in names
    assert "$2B" in table.inner_text()
    assert_no_errors(_quiet(report))


def test_a_place_named_script_stays_text_in_the_page_its_table_and_its_title(
    tmp_path: Path, open_page: PageOpener
) -> None:
    places = gpd.GeoDataFrame(
        {"geoid": ["1", "2"], "name": [SCRIPT_NAME, "Plain <b>County</b>"]},
        geometry=[box(-120, 36, -119.5, 36.5), box(-119.5, 36, -119, 36.5)],
        crs=4326,
    )
    values = pd.DataFrame({"geoid": ["1", "2"], "jobs": [1200.0, 800.0]})
    spec = MetricSpec("jobs", "jobs", "Jobs, {year}", "jobs", format_jobs)
    fmap = render_choropleth(
        [LevelLayer(level="county", label="Counties", rank_noun="counties", places=places, values=values)],
        [spec], text=MapText(title=f"Jobs in {SCRIPT_NAME}"), year=2021, base_year=None,
    )  # fmt: skip
    path = tmp_path / "page.html"
    fmap.save(str(path))
    html = path.read_text(encoding="utf-8")
    assert html.count("<script>alert(1)") == 0  # nowhere live: not in <title>, <h1> or data
    dialogs: list[str] = []
    page, report = open_page(path)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    assert page.title() == f"Jobs in {SCRIPT_NAME}"
    assert page.locator("h1").inner_text() == f"Jobs in {SCRIPT_NAME}"
    page.locator(".vm-table-toggle").click()
    table = page.locator(".vm-table-panel table")
    table.wait_for()
    assert table.locator("tbody th").all_inner_texts() == [SCRIPT_NAME, "Plain <b>County</b>"]
    assert table.locator("b").count() == 0
    county = tab_to(page, "path.leaflet-interactive")
    assert (county.get_attribute("aria-label") or "").startswith(SCRIPT_NAME)
    assert page.locator(".leaflet-tooltip .vm-tip-name").inner_text() == SCRIPT_NAME
    page.wait_for_timeout(200)
    assert dialogs == []
    assert_no_serious_violations(page, "a page of places named with markup")
    assert_no_errors(_quiet(report))


# ------------------------------------------------------------------------------- skip links


def test_skip_links_lead_past_the_controls_to_the_features_and_to_the_table(
    full: tuple[Path, Path], open_page: PageOpener
) -> None:
    """A tract page has hundreds of features: the first Tab offers to skip to them, the second to
    open the data table; the table comes after the map's controls and features in the page."""
    maps, _ = full
    page, report = open_page(maps / "flows-ca-od-2021-jt00-tract.html")
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to the map's features"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # shown when it has the focus
    assert_no_serious_violations(page, "tract page with its skip link focused")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.matches('path.vm-focusable')")
    label = page.locator(":focus").get_attribute("aria-label") or ""
    assert label.startswith("Tract ") or "Jobs here" in label, label
    page.keyboard.press("Tab")  # on to the next feature, not back to the controls
    assert page.evaluate("() => document.activeElement.matches('path.vm-focusable')")

    page.reload()
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == "Open the data table"
    page.keyboard.press("Enter")
    panel = page.locator(".vm-table-panel")
    panel.locator("table").first.wait_for()
    assert page.evaluate("() => !!document.activeElement.closest('.vm-table-panel')")
    order = page.evaluate(
        """() => {
            const map = document.querySelector('.leaflet-container');
            const feature = map.querySelector('.vm-focusable');
            const table = document.querySelector('.vm-table-panel');
            const after = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
            return {controlsFirst: after(map.querySelector('.leaflet-control-container'), feature),
                    tableAfterFeatures: after(feature, table)};
        }"""
    )
    assert order == {"controlsFirst": True, "tableAfterFeatures": True}
    assert_no_errors(_quiet(report))


# ---------------------------------------------------------------------------- screen reader


def ax_tree(page: Any) -> list[dict[str, Any]]:
    """Chromium's accessibility tree of the page (what a screen reader is given), as
    ``{role, name, props}`` per node that is not ignored."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [
        {"role": n.get("role", {}).get("value"), "name": n.get("name", {}).get("value", ""),
         "props": {p["name"]: p.get("value", {}).get("value") for p in n.get("properties", [])}}
        for n in nodes if not n.get("ignored")
    ]  # fmt: skip


def named(tree: list[dict[str, Any]], role: str) -> list[str]:
    return [n["name"] for n in tree if n["role"] == role]


def test_a_screen_reader_gets_the_language_landmarks_controls_features_and_table_of_a_cluster_map(
    bundled: Path, open_page: PageOpener
) -> None:
    page, report = open_page(bundled / "cluster-energy.html")
    page.wait_for_load_state("load")
    # the language is the document's (a screen reader picks its voice by it)
    cdp = page.context.new_cdp_session(page)
    lang = cdp.send("Runtime.evaluate", {"expression": "document.documentElement.lang"})["result"]["value"]
    cdp.detach()
    assert lang == "en"
    tree = ax_tree(page)
    assert len(named(tree, "main")) == 1
    headings = [n for n in tree if n["role"] == "heading" and n["props"].get("level") == 1]
    assert [h["name"] for h in headings] == [page.title()] and "Energy" in page.title()
    regions = named(tree, "region")
    assert any(r.startswith("Map: ") and "Tab to reach its features" in r for r in regions), regions
    buttons = named(tree, "button")
    assert {"Zoom in", "Zoom out", "Data table", "Open the data table"} <= set(buttons), buttons
    assert "Skip to the map's features" in named(tree, "link")
    metrics = named(tree, "radio")
    assert any(m.startswith("Jobs") for m in metrics) and len(metrics) >= 5, metrics
    # every county is a button named with its place, metric and value (in the page's words: none
    # left "undefined" by a name made before the page's script had its words)
    assert not [b for b in buttons if "undefined" in b], buttons
    counties = [b for b in buttons if " County; " in b]
    assert len(counties) == page.locator("path.leaflet-interactive").count() >= 8, counties
    assert all(re.search(r"^\w[\w ]+ County; Jobs, 20\d\d; [\d,]+ jobs", c) for c in counties), counties
    # the data table: its caption names it, its columns and rows have headers
    page.locator(".vm-table-toggle").click()
    page.locator(".vm-table-panel table").first.wait_for()
    tree = ax_tree(page)
    tables = named(tree, "table")
    assert len(tables) == 1 and tables[0].startswith("Energy"), tables
    columns = named(tree, "columnheader")
    assert columns[0] == "Place" and any(c.startswith("Jobs") for c in columns), columns
    assert len(named(tree, "rowheader")) == len(counties)
    # another measure: the features' names give its values (once the map has settled)
    page.keyboard.press("Escape")
    lq = page.locator(".vm-metric input").nth(2).get_attribute("value")
    page.evaluate("k => window.valleymapsSetMetric(k)", lq)
    page.wait_for_function(
        "() => document.querySelector('path.vm-focusable').getAttribute('aria-label')"
        ".includes('; Location quotient')"
    )
    assert_no_errors(_quiet(report))


def test_a_screen_reader_gets_the_projects_page_markers_and_table(
    full: tuple[Path, Path], open_page: PageOpener
) -> None:
    _, projects_page = full
    page, report = open_page(projects_page, wait_for="[data-projects-ready]")
    tree = ax_tree(page)
    assert [n["name"] for n in tree if n["role"] == "heading" and n["props"].get("level") == 1] == [
        "Infrastructure projects"
    ]
    assert len(named(tree, "main")) == 1
    buttons = named(tree, "button")
    markers = [b for b in buttons if "Blackstone Ave widening" in b or SCRIPT_NAME in b]
    assert len(markers) == 2, buttons  # reachable, named by the project (data names stay text)
    assert any("$12M" in m for m in markers), markers  # and what they cost
    rail = [b for b in buttons if b.startswith("High-speed rail segment")]
    assert rail and "$2B" in rail[0], buttons  # a line project too
    assert {"Zoom in", "Zoom out", "Data table"} <= set(buttons)
    checkboxes = named(tree, "checkbox")
    assert any("planned" in c for c in checkboxes), checkboxes  # the status filter
    page.locator(".vm-table-toggle").click()
    page.locator(".vm-table-panel table").first.wait_for()
    tree = ax_tree(page)
    assert len(named(tree, "table")) == 1 and named(tree, "table")[0]
    columns = named(tree, "columnheader")
    assert len(columns) >= 4 and "Cost" in " ".join(columns), columns
    assert SCRIPT_NAME in named(tree, "rowheader")
    assert_no_errors(_quiet(report))
