"""Project pages in Chromium: symbols, legend, popups, filter, clustering, escaping, investment map."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from harness import PageOpener, assert_no_errors

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: project_files
from project_files import square_counties
from valleymaps.projects.schema import conform_projects
from valleymaps.projects.summary import summarize_investment
from valleymaps.render.choropleth import MapText
from valleymaps.render.investment_map import render_investment_map
from valleymaps.render.projects_map import CATEGORY_STYLES, render_project_map

XSS = "<img src=x onerror=alert(1)>"

pytestmark = pytest.mark.browser


def inventory() -> gpd.GeoDataFrame:
    rows = [
        # id, name, category, cost, status, start, end, geometry
        ("T1", "Blackstone Ave widening", "transportation", 1.2e6, "programmed", 2024, 2027,
         shapely.Point(-120.2, 36.6)),
        ("T2", "Small sidewalk", "transportation", 5e4, "complete", 2019, 2020, shapely.Point(-119.9, 36.2)),
        ("W1", "Recharge basin", "water", 4.2e7, "planned", 2028, 2031,
         shapely.box(-119.2, 36.2, -118.9, 36.4)),
        ("R1", "High-speed rail segment", "rail", 2e9, "planned", 2030, 2033,
         shapely.LineString([(-120.4, 36.9), (-119.6, 36.5), (-118.7, 36.1)])),
        ("E1", XSS, "energy", np.nan, "under construction", None, None, shapely.Point(-119.2, 36.75)),
        ("B1", "Fiber to Lemoore", "broadband", 3.5e5, "planned", 2026, 2026, shapely.Point(-118.8, 36.6)),
        ("P1", "Library", "public facilities", 8e6, "complete", 2015, 2018, shapely.Point(-120.0, 36.35)),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["project_id", "name", "category", "cost_usd", "status", "start_year",
                                        "end_year", "geometry"])  # fmt: skip
    frame["agency"] = ['"><svg onload=alert(3)>' if r[0] == "E1" else "Fresno COG" for r in rows]
    frame["description"] = [
        "<script>alert(2)</script>" if r[0] == "E1" else "Widen to four lanes" for r in rows
    ]
    frame["funding_source"] = "STIP"
    frame["source"] = "ftip <b>2025</b>.csv"
    frame["source_row"] = range(1, len(rows) + 1)
    frame["county"] = "Fresno"
    return conform_projects(gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326"))


def _page(tmp_path: Path, projects: gpd.GeoDataFrame, **kw: object) -> Path:
    fmap = render_project_map(
        projects, title="Infrastructure projects", subtitle="Test valley", source_lines=["Source: test"],
        outlines=square_counties(), **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    path = tmp_path / "projects.html"
    fmap.save(str(path))
    return path


def _no_errors(report) -> None:  # type: ignore[no-untyped-def]
    """assert_no_errors, but tiles cancelled by a pan (a popup opening near the edge) are not errors."""
    report.failed_requests = [
        r for r in report.failed_requests if not ("/tile/" in r and r.endswith("net::ERR_ABORTED"))
    ]
    assert_no_errors(report)


def _shown(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator(".leaflet-container").get_attribute("data-projects-shown"))


def _set_range(page, name: str, value: int) -> None:  # type: ignore[no-untyped-def]
    page.evaluate(
        """([name, value]) => { const el = document.querySelector(`input[name=${name}]`);
           el.value = String(value); el.dispatchEvent(new Event('input')); }""",
        [name, value],
    )


def test_project_page_symbols_legend_popups_and_filter(
    open_page: PageOpener, tmp_path: Path, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(_page(tmp_path, inventory()), wait_for="[data-projects-ready]")

    icons = page.locator(".leaflet-marker-icon.vm-project-icon")
    assert icons.count() == 5  # five points; the line and the area are drawn as shapes
    assert page.locator(".vm-cat-0").count() == 2  # transportation: squares
    assert page.locator(".vm-cat-0 svg rect").count() == 2
    assert page.locator(".vm-cat-3 svg polygon").count() == 1  # energy: a triangle
    assert page.locator(".vm-cat-3 svg g").get_attribute("fill") == "#ffffff"  # cost unknown: hollow
    big = page.locator(".vm-cat-5").bounding_box()  # public facilities, $8M
    small = page.locator(".vm-cat-0").nth(1).bounding_box()  # sidewalk, $50K
    assert big is not None and small is not None and big["width"] > small["width"]

    paths = page.locator("path.leaflet-interactive")
    strokes = [paths.nth(i).get_attribute("stroke") for i in range(paths.count())]
    rail_color, water_color = CATEGORY_STYLES["rail"].color, CATEGORY_STYLES["water"].color
    assert rail_color in strokes and water_color in strokes  # the rail line and the water area
    rail = paths.nth(strokes.index(rail_color))
    assert rail.get_attribute("stroke-dasharray") == "10 5" and rail.get_attribute("fill") == "none"

    legend = page.locator(".vm-project-legend")
    rows = legend.locator(".vm-project-legend-row")
    assert [rows.nth(i).get_attribute("data-category") for i in range(rows.count())] == [
        "transportation", "rail", "water", "energy", "broadband", "public facilities",
    ]  # fmt: skip
    assert "Transportation (2)" in legend.inner_text()
    assert "Symbol size: cost" in legend.inner_text() and "Hollow: cost not known (1)" in legend.inner_text()

    page.locator(".vm-cat-0").first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "Blackstone Ave widening" in tooltip.inner_text()
    assert "Transportation · programmed · $1.2M" in tooltip.inner_text()

    page.locator(".vm-cat-0").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    for expected in ("Blackstone Ave widening", "Cost\t$1.2M", "Schedule\t2024–2027", "Agency\tFresno COG",
                     "Project ID\tT1", "Funding\tSTIP", "Description\tWiden to four lanes"):  # fmt: skip
        assert expected in text, (expected, text)
    page.keyboard.press("Escape")

    assert _shown(page) == 7
    page.locator("input[name=vm-status][value=planned]").uncheck()
    assert _shown(page) == 4
    assert page.locator(".vm-project-count").inner_text() == "Showing 4 of 7 projects"
    assert icons.count() == 4  # Fiber to Lemoore is planned
    assert "Rail (0)" in legend.inner_text()
    page.locator("input[name=vm-status][value=planned]").check()
    _set_range(page, "from", 2029)
    assert page.locator(".vm-year-readout").inner_text() == "Under way or done between 2029 and 2033"
    assert _shown(page) == 3  # the basin, the rail line and the project without a schedule
    page.locator("input[name=vm-noyear]").uncheck()
    assert _shown(page) == 2
    _set_range(page, "from", 2015)
    page.locator("input[name=vm-noyear]").check()

    page.locator(".leaflet-control-layers-overlays label", has_text="Water").locator("input").uncheck()
    assert "vm-legend-off" in (legend.locator("[data-category=water]").get_attribute("class") or "")
    assert _shown(page) == 6
    _no_errors(report)
    screenshot(page)


def test_text_from_the_file_is_shown_as_text(
    open_page: PageOpener, tmp_path: Path, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(_page(tmp_path, inventory()), wait_for="[data-projects-ready]")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.locator(".vm-cat-3").hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.locator(".vm-ptip-name").inner_text() == XSS
    page.locator(".vm-cat-3").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator(".vm-popup-name").inner_text() == XSS
    assert "Description\t<script>alert(2)</script>" in popup.inner_text()
    assert 'Agency\t"><svg onload=alert(3)>' in popup.inner_text()
    assert "Source\tftip <b>2025</b>.csv, row 5" in popup.inner_text()
    page.wait_for_timeout(300)

    assert page.locator("img[src=x]").count() == 0
    assert page.locator(".leaflet-popup-content script, .leaflet-popup-content svg[onload]").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[onerror], [onload]').length") == 0
    assert dialogs == []
    _no_errors(report)
    screenshot(page)



def _settled_total(page: Any, expected: int, *, timeout_s: float = 10.0) -> int:
    """Projects shown (cluster counts + single icons) once clustering animations have settled.

    While markercluster animates, old and new cluster icons are both in the page; poll until the
    total is the expected one or the time is up, and return the last total seen.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        counts = [int(t) for t in page.locator(".vm-cluster").all_inner_texts() if t.strip().isdigit()]
        total = sum(counts) + page.locator(".vm-project-icon").count()
        if total == expected or time.monotonic() > deadline:
            return total
        page.wait_for_timeout(200)


def test_many_projects_are_clustered(
    open_page: PageOpener, tmp_path: Path, screenshot: Callable[..., Path]
) -> None:
    rng = np.random.default_rng(7)
    n = 800
    frame = pd.DataFrame({
        "agency": "Kings CAG", "project_id": [f"K{i}" for i in range(n)],
        "name": [f"Project {i}" for i in range(n)],
        "category": rng.choice(["transportation", "water", "energy"], n),
        "status": rng.choice(["planned", "complete"], n), "cost_usd": 10 ** rng.uniform(4, 8, n),
    })  # fmt: skip
    geoms = gpd.points_from_xy(rng.uniform(-120.4, -118.6, n), rng.uniform(36.1, 36.9, n))
    projects = conform_projects(gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326"))
    page, report = open_page(_page(tmp_path, projects), wait_for="[data-projects-ready]")
    clusters = page.locator(".vm-cluster")
    assert clusters.count() >= 2  # clustering happened (how many groups depends on the view)
    assert page.locator(".vm-project-icon").count() < n / 4
    assert _settled_total(page, n) == n
    assert "the ring shows their categories" in page.locator(".vm-project-legend").inner_text()
    screenshot(page)
    page.locator("input[name=vm-status][value=complete]").uncheck()
    planned = int((projects["status"] == "planned").sum())
    assert _shown(page) == planned
    assert _settled_total(page, planned) == planned
    # a category switched off in the layer control leaves the clusters too
    page.locator(".leaflet-control-layers-overlays label", has_text="Energy").locator("input").uncheck()
    planned_not_energy = int(((projects["status"] == "planned") & (projects["category"] != "energy")).sum())
    assert _shown(page) == planned_not_energy
    page.wait_for_timeout(400)
    counts = [int(t) for t in page.locator(".vm-cluster").all_inner_texts()]
    assert sum(counts) + page.locator(".vm-project-icon").count() == planned_not_energy
    assert page.locator(".vm-cat-3").count() == 0  # no energy triangle left
    _no_errors(report)


def test_investment_choropleth_with_projects_on_top(
    open_page: PageOpener, tmp_path: Path, screenshot: Callable[..., Path]
) -> None:
    counties = square_counties()
    counties["name"] = counties["name"] + " County"
    projects = inventory()
    summary = summarize_investment(projects, counties, jobs=pd.Series({"06019": 50_000.0, "06031": 20_000.0}))
    fmap = render_investment_map(
        [("county", "Counties", counties, summary)],
        projects,
        text=MapText(
            title="Public investment in infrastructure", subtitle="Test valley", source_lines=("Jobs: test",)
        ),
        jobs_year=2021,
    )
    path = tmp_path / "investment.html"
    fmap.save(str(path))
    page, report = open_page(path, wait_for="[data-projects-ready]")
    assert page.locator(".vm-panel").inner_text().count("Investment per job (2021 jobs)") == 1
    assert page.locator(".vm-legend", has_text="Public investment in projects").count() == 1
    assert page.locator(".vm-project-legend", has_text="Transportation (2)").count() == 1
    assert page.locator(".vm-project-icon").count() == 5
    overlay_names = page.locator(".leaflet-control-layers-overlays").inner_text()
    assert "Transportation (2)" in overlay_names
    page.locator("input[name=vm-metric][value=cost_per_job]").check()
    county = page.locator("path.leaflet-interactive[fill-opacity='0.82']").first
    box = county.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.9)
    tip = page.locator(".leaflet-tooltip").first
    tip.wait_for()
    assert "County" in tip.inner_text() and "$" in tip.inner_text()
    _no_errors(report)
    screenshot(page)
