"""The annual series in a real browser: the year control, trend lines, and the default atlas's
real commuting figures."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from harness import assert_no_errors, hover_for_tooltip

from valleymaps.render.metric_specs import format_jobs, format_ratio

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def default_atlas(bundled_atlas):
    """A fresh workspace with only the bundled data, built as the README's first command does
    (tests/conftest.py builds it once, read only)."""
    ws = bundled_atlas.ws
    trends = pd.read_csv(ws.maps_dir / "tables" / "cluster_trends.csv", dtype={"geoid": str},
                         keep_default_na=False, na_values={c: [""] for c in ("employment", "lq")})
    return ws, trends


def fills(page):
    paths = page.locator("path.leaflet-interactive")
    return [paths.nth(i).get_attribute("fill") for i in range(paths.count())]


def test_year_control_restyles_the_map_and_tooltips_show_that_year(default_atlas, open_page, screenshot):
    ws, trends = default_atlas
    page, report = open_page(ws.maps_dir / "cluster-logistics.html")
    container = page.locator(".leaflet-container")
    assert container.get_attribute("data-year") == "2021"
    assert page.locator(".vm-year-label").inner_text() == "2021"
    assert page.locator(".vm-legend-title").inner_text() == "Jobs, 2021"
    html = (ws.maps_dir / "cluster-logistics.html").read_text(encoding="utf-8")
    assert html.count('"type":"Feature"') == 8  # geometry once; years add only classes and values
    before = fills(page)

    slider = page.locator(".vm-year-input")
    slider.fill("0")  # 2011
    assert container.get_attribute("data-year") == "2011"
    assert page.locator(".vm-legend-title").inner_text() == "Jobs, 2011"
    assert page.locator(".vm-year-label").inner_text() == "2011"
    after = fills(page)
    assert len(after) == len(before) == 8 and after != before

    page.evaluate("valleymapsSetYear(2015)")
    assert container.get_attribute("data-year") == "2015"
    tip = hover_for_tooltip(page, page.locator("path.leaflet-interactive").nth(0))
    name = tip.locator(".vm-tip-name").inner_text()
    row = trends[(trends.place == name) & (trends.cluster == "logistics") & (trends.component == "")
                 & (trends.year == 2015)].iloc[0]
    assert tip.locator(".vm-tip-metric").inner_text() == "Jobs, 2015"
    assert tip.locator(".vm-tip-value").inner_text() == f"{format_jobs(row.employment)} jobs"
    assert re.fullmatch(r"Rank \d of 8 counties in the region", tip.locator(".vm-tip-rank").inner_text())
    # the trend line: a polyline of the 11 years, the year shown marked
    spark = tip.locator("svg.vm-spark")
    assert spark.count() == 1
    assert len(spark.locator("polyline").get_attribute("points").split()) == 11
    assert spark.locator("circle.vm-spark-now").count() == 1
    first = trends[(trends.place == name) & (trends.cluster == "logistics") & (trends.component == "")
                   & (trends.year == 2011)].iloc[0]
    assert f"Jobs 2011–2021: {format_jobs(first.employment)} →" in tip.inner_text()
    screenshot(page, "2015")

    # the location quotient follows the year too; span measures leave the control disabled
    page.get_by_label(re.compile("Location quotient")).check()
    assert page.locator(".vm-legend-title").inner_text().endswith(", 2015")
    page.get_by_label(re.compile("Regional shift")).check()
    assert page.locator(".vm-year-input").is_disabled()
    assert page.locator(".vm-legend-title").inner_text().startswith("Regional shift (shift-share), 2011–2021")
    assert_no_errors(report)


def test_index_cards_show_each_clusters_trend(default_atlas, open_page):
    ws, trends = default_atlas
    page, report = open_page(ws.maps_dir / "index.html", wait_for=".card")
    cluster_cards = page.locator(".card", has_text="Cluster choropleth")
    assert cluster_cards.count() == 7
    assert cluster_cards.locator(".trend svg.spark").count() == 14  # jobs and LQ per cluster
    card = page.locator(".card", has=page.locator("h2", has_text=re.compile("^Energy$")))
    region = trends[(trends.geoid == "SJV") & (trends.cluster == "energy") & (trends.component == "")]
    first, last = region.iloc[0], region.iloc[-1]
    assert card.locator(".trend-jobs .trend-values").inner_text() == (
        f"{format_jobs(first.employment)} → {format_jobs(last.employment)}"
    )
    assert card.locator(".trend-lq .trend-values").inner_text() == (
        f"{format_ratio(first.lq)} → {format_ratio(last.lq)}"
    )
    assert "San Joaquin Valley, 2011–2021" in card.locator(".trend-title").inner_text()
    assert "Cluster trends, every year (CSV)" in page.locator("footer").inner_text()
    assert_no_errors(report)


def test_default_atlas_draws_real_commuting_flows(default_atlas, open_page):
    ws, _ = default_atlas
    page, report = open_page(ws.maps_dir / "flows-acs-county-flows-2009-2013-county.html")
    summary = page.locator(".vm-summary").inner_text()
    assert "109,303" in summary and "2,689" in summary  # the Valley's out-commuters, ACS 2009-2013
    assert page.locator(".vm-synthetic").count() == 0  # real data: no synthetic notice
    assert "ACS 2009–2013" in page.locator("body").inner_text()
    # map tiles cancelled by a zoom (the page fitting its bounds) are not errors
    report.failed_requests = [
        r for r in report.failed_requests if not ("/tile/" in r and r.endswith("net::ERR_ABORTED"))
    ]
    assert_no_errors(report)
    # the cluster pages of the same atlas still say their employment is synthetic
    cluster, cluster_report = open_page(ws.maps_dir / "cluster-energy.html")
    assert "Synthetic sample data" in cluster.locator(".vm-panel").inner_text()
    assert_no_errors(cluster_report)
