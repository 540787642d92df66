"""A cluster page built from County Business Patterns says "not covered" for crop production."""

from __future__ import annotations

import re

import pytest
from harness import assert_no_errors, hover_for_tooltip

from valleymaps.io.employment.store import import_employment
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import init_workspace
from workspace_files import write_cbp_files

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cbp_atlas(tmp_path_factory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("cbp-atlas")
    ws = init_workspace(tmp / "ws")
    files = write_cbp_files(tmp, list(ws.config.region_counties))
    import_employment(ws, files, format="cbp", name="cbp_2021")
    build_atlas(ws, png=False)
    return ws


def test_production_component_says_not_covered(cbp_atlas, open_page, screenshot) -> None:  # type: ignore[no-untyped-def]
    page, report = open_page(cbp_atlas.maps_dir / "cluster-agriculture.html")
    legend = page.locator(".vm-legend")
    assert "Not covered by this source" not in legend.inner_text()  # jobs of the whole cluster
    page.get_by_label(re.compile("Jobs in Production")).check()
    assert legend.locator(".vm-legend-title").inner_text() == "Jobs in Production, 2021"
    assert legend.locator(".vm-legend-notcovered").inner_text() == "Not covered by this source"
    assert "No data or withheld" not in legend.inner_text()  # every county is "not covered"
    shapes = page.locator("path.leaflet-interactive")
    assert shapes.count() == 8
    fills = {shapes.nth(i).get_attribute("fill") for i in range(8)}
    assert fills == {"#d8cbe6"}
    assert legend.locator(".vm-legend-row").count() == 1  # no empty classes
    tip = hover_for_tooltip(page, shapes.nth(0))
    assert tip.locator(".vm-tip-value").inner_text() == "Not covered by this source"
    assert not re.search(r"(?<![\d,])0 jobs", tip.inner_text())
    assert tip.locator(".vm-tip-flag").all_inner_texts() == [
        "\u26a0 C: not covered by this source: it does not count these industries"
    ]
    screenshot(page, "production")
    # a covered component keeps its classes and no "not covered" entry
    page.get_by_label(re.compile("Jobs in Processing and packaging")).check()
    assert legend.locator(".vm-legend-notcovered").count() == 0
    assert_no_errors(report)


def test_index_card_says_not_covered(cbp_atlas, open_page) -> None:  # type: ignore[no-untyped-def]
    page, report = open_page(cbp_atlas.maps_dir / "index.html", wait_for="body")
    card = page.locator("text=Production: not covered by this source")
    assert card.count() == 1
    assert not re.search(r"(?<![\d,])0 jobs", card.inner_text())
    assert "a lower bound" in card.inner_text()
    assert_no_errors(report)
