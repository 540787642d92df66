"""The atlas in a real browser: cluster choropleths and the index page."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from harness import assert_no_errors, hover_for_tooltip

from valleymaps.io.employment.store import import_employment
from valleymaps.io.tracts import import_tracts
from valleymaps.render.metric_specs import format_jobs
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import init_workspace
from workspace_files import write_square_tracts, write_tract_employment

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def atlas(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("atlas")
    ws = init_workspace(tmp / "ws")
    counties = list(ws.config.region_counties)
    geoids = write_square_tracts(tmp / "tracts.geojson", counties)
    import_tracts(ws, [tmp / "tracts.geojson"])
    import_employment(ws, [write_tract_employment(tmp / "jobs.csv", geoids)], format="csv")
    build_atlas(ws, png=True)
    table = pd.read_csv(ws.maps_dir / "tables" / "cluster_metrics.csv", dtype={"geoid": str})
    return ws, table


def interactive_paths(page):
    return page.locator("path.leaflet-interactive")


def test_cluster_page_draws_counties_legend_and_tooltips(atlas, open_page, screenshot):
    ws, table = atlas
    page, report = open_page(ws.maps_dir / "cluster-energy.html")
    assert interactive_paths(page).count() == 8  # one shape per county
    legend = page.locator(".vm-legend")
    assert legend.locator(".vm-legend-title").inner_text() == "Jobs, 2021"
    assert legend.locator(".vm-legend-row").count() >= 3
    assert "No data or withheld" in legend.inner_text()
    assert "Synthetic sample data" in page.locator(".vm-panel").inner_text()
    source = page.locator(".vm-source")
    assert "Synthetic sample data" in source.inner_text()
    assert (
        source.locator("summary").inner_text() == "Sources · employment county 2011–2021; tract 2011, 2021"
    )
    source.locator("summary").click()
    assert "us-atlas" in source.inner_text()

    tip = hover_for_tooltip(page, interactive_paths(page).nth(0))
    name = tip.locator(".vm-tip-name").inner_text()
    row = table[(table.place == name) & (table.cluster == "energy") & table.component.isna()].iloc[0]
    assert tip.locator(".vm-tip-value").inner_text() == f"{format_jobs(row.employment)} jobs"
    assert re.fullmatch(r"Rank \d of 8 counties in the region", tip.locator(".vm-tip-rank").inner_text())
    screenshot(page, "counties")
    assert_no_errors(report)


def test_switching_metric_restyles_and_updates_legend(atlas, open_page):
    ws, _ = atlas
    page, report = open_page(ws.maps_dir / "cluster-health-and-wellness.html")
    before = [interactive_paths(page).nth(i).get_attribute("fill") for i in range(8)]
    page.get_by_label(re.compile("Location quotient")).check()
    assert page.locator(".vm-legend-title").inner_text().startswith("Location quotient")
    assert page.locator(".leaflet-container").get_attribute("data-metric") == "lq"
    after = [interactive_paths(page).nth(i).get_attribute("fill") for i in range(8)]
    assert before != after
    # LQ classes meet at 1 (diverging palette centred there); health LQs straddle 1 in the sample
    labels = page.locator(".vm-legend-label").all_inner_texts()
    assert any(label.endswith("– 1.00") for label in labels), labels
    assert_no_errors(report)


def test_tract_level_and_county_outlines(atlas, open_page, screenshot):
    ws, _ = atlas
    page, report = open_page(ws.maps_dir / "cluster-agriculture.html")
    page.locator(".leaflet-control-layers-base label", has_text="Census tracts").click()
    assert interactive_paths(page).count() == 24  # one per tract; outlines are not interactive
    assert page.locator(".vm-legend-level").all_inner_texts() == ["Census tracts"]
    tip = hover_for_tooltip(page, interactive_paths(page).nth(0))
    assert re.match(r"Tract \d+(\.\d+)?, \w[\w ]* County", tip.locator(".vm-tip-name").inner_text())
    assert "approximated by NAICS sectors" in tip.inner_text()  # sector-proxy flag explained
    screenshot(page, "tracts")
    assert_no_errors(report)


def test_index_cards_link_to_pages_and_show_thumbnails(atlas, open_page, screenshot):
    ws, _ = atlas
    page, report = open_page(ws.maps_dir / "index.html", wait_for=".card")
    cards = page.locator(".card")
    assert page.locator(".card", has_text="Cluster choropleth").count() == 7  # other sections add more
    hrefs = page.locator(".card a.open").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) == cards.count()
    for href in hrefs:
        assert (ws.maps_dir / href.split("#")[0]).is_file()
    widths = page.locator(".card img").evaluate_all("els => els.map(e => e.naturalWidth)")
    assert len(widths) >= 7 and all(w > 100 for w in widths)
    assert "Synthetic sample data" in page.locator("#synthetic-notice").inner_text()
    assert "of job growth" in page.locator("#headline").inner_text()
    screenshot(page, "index", full_page=True)
    assert_no_errors(report)


def test_text_from_data_files_stays_text(tmp_path, open_page):
    ws = init_workspace(tmp_path / "ws")
    hostile = "<img src=x onerror=alert(1)>"
    text = ws.clusters_path.read_text(encoding="utf-8")
    ws.clusters_path.write_text(text.replace('name = "Energy"', f'name = "{hostile}"', 1), encoding="utf-8")
    build_atlas(ws, png=False)
    page, report = open_page(ws.maps_dir / "cluster-energy.html")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    assert page.locator(".vm-title").inner_text() == f"{hostile} cluster"
    assert page.locator(".vm-panel img").count() == 0
    index, index_report = open_page(ws.maps_dir / "index.html", wait_for=".card")
    assert hostile in index.locator(".card h2").all_inner_texts()
    assert index.locator(".card h2 img").count() == 0
    assert dialogs == []
    assert_no_errors(report)
    assert_no_errors(index_report)
