"""The value-chain leakage page in Chromium: bars, tooltip, heat map, hostile names stay text."""

from __future__ import annotations

import pytest
from harness import assert_no_errors

from leakage_page_files import HOSTILE_CLUSTER, HOSTILE_NAME, hostile_io_workspace
from valleymaps.render.leakage_page import render_leakage_page
from valleymaps.workflows.leakage import compute_workspace_leakage
from valleymaps.workflows.leakage_pages import leakage_payload

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def leakage_page(tmp_path_factory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("leakage-page")
    ws = hostile_io_workspace(tmp / "ws")
    payload = leakage_payload(ws, compute_workspace_leakage(ws))
    path = tmp / "leakage.html"
    path.write_text(render_leakage_page(payload, synthetic_notice="Synthetic"), encoding="utf-8")
    return path, payload


def test_bars_tooltip_and_heat_map(leakage_page, open_page, screenshot) -> None:  # type: ignore[no-untyped-def]
    path, payload = leakage_page
    page, report = open_page(path, wait_for="#bar-chart svg")
    assert page.evaluate("document.documentElement.lang") == "en"
    bars = page.locator("#bar-chart g.bar")
    assert bars.count() == len(payload["targets"]) == 3
    widths = [float(bars.nth(i).locator("rect.bar-us").get_attribute("width") or 0)
              + float(bars.nth(i).locator("rect.bar-abroad").get_attribute("width") or 0)
              for i in range(3)]
    assert widths[0] > widths[1] > widths[2] > 0  # ranked, longest first
    tip = page.locator("#leakage-tip")
    assert tip.is_hidden()
    bars.nth(0).hover()
    tip.wait_for(state="visible")
    text = tip.inner_text()
    top = payload["targets"][0]
    assert top["description"] in text
    assert "What buys it" in text and top["buyers"][0]["cluster"] == HOSTILE_CLUSTER
    assert f"{HOSTILE_CLUSTER}: 96%" in text  # the hostile cluster name is text
    assert "rest of the U.S. 100%, abroad 0%" in text
    assert "2012 dollars" in text
    screenshot(page, "tooltip")
    cells = page.locator("#heat-map rect.heat-cell")
    assert cells.count() == len(payload["heat"]["clusters"]) * len(payload["heat"]["commodities"])
    assert page.locator("#targets-table tbody tr").count() == 3  # the chart as a table
    assert page.locator("#plan-table tbody tr").count() == 23
    assert_no_errors(report)


def test_hostile_commodity_name_stays_text(leakage_page, open_page) -> None:  # type: ignore[no-untyped-def]
    path, payload = leakage_page
    page, report = open_page(path, wait_for="#bar-chart svg")
    assert page.locator("img").count() == 0  # neither the chart nor the tables made an element of it
    hostile = next(t for t in payload["targets"] if t["description"] == HOSTILE_NAME)
    bar = page.locator("#bar-chart g.bar").nth(hostile["rank"] - 1)
    assert HOSTILE_NAME in page.locator("#bar-chart").inner_text()
    bar.hover()
    tip = page.locator("#leakage-tip")
    tip.wait_for(state="visible")
    assert tip.locator(".tip-title").inner_text() == f"{hostile['rank']}. {HOSTILE_NAME}"
    assert HOSTILE_NAME in page.locator("#targets-table").inner_text()
    assert HOSTILE_NAME in page.locator("#heat-map").inner_text()
    assert page.locator("img").count() == 0
    assert page.locator("svg").count() == 2  # the bar chart and the heat map, no injected one
    assert HOSTILE_CLUSTER in page.locator("#heat-map").inner_text()
    assert_no_errors(report)


def test_index_card_opens_the_page(tmp_path, open_page) -> None:  # type: ignore[no-untyped-def]
    import geopandas as gpd

    from valleymaps.render.atlas_index import render_atlas_index
    from valleymaps.workflows.context import AtlasContext
    from valleymaps.workflows.leakage_pages import leakage_section

    ws = hostile_io_workspace(tmp_path / "ws")
    build = tmp_path / "maps"
    (build / "png").mkdir(parents=True)
    empty = gpd.GeoDataFrame({"geoid": [], "name": []}, geometry=[], crs="EPSG:4326")
    cards = leakage_section(AtlasContext(ws=ws, build_dir=build, counties_web=empty,
                                         tracts_web=None, county_names={}, png=True))
    (build / "index.html").write_text(render_atlas_index(cards, title="Atlas", subtitle="",
                                                         headline=None, synthetic_notice=None))
    page, report = open_page(build / "index.html", wait_for="body")
    card = page.locator(".card", has_text="Value-chain leakage")
    assert card.count() == 1
    assert card.locator(".finding").inner_text().startswith("Top target: Services, $")
    assert card.locator("img").evaluate("img => img.naturalWidth") > 100  # the PNG loads
    card.locator("a.open").click()
    page.wait_for_selector("#bar-chart svg")
    assert page.locator("#bar-chart g.bar").count() == 3
    assert_no_errors(report)
