"""Commuting flow pages and leakage choropleths in headless Chromium."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from harness import PageOpener, assert_no_errors
from shapely.geometry import box

from valleymaps.atlas_sections import AtlasContext
from valleymaps.flows_atlas import flows_section
from valleymaps.io.flows.store import import_flows
from valleymaps.workspace import CONFIG_NAME, Workspace

pytestmark = pytest.mark.browser

SQUARES = {  # geoid: (name, lon, lat, in region)
    "06019": ("Fresno", -120.0, 36.4, True),
    "06039": ("Madera", -120.0, 37.0, True),
    "06037": ("Los Angeles", -118.6, 34.6, False),
    "06001": ("Alameda", -122.0, 37.6, False),
}
ACS = [  # home, work, workers, moe
    ("06019", "06019", 1000, 50), ("06019", "06039", 120, 20), ("06039", "06019", 200, 30),
    ("06039", "06039", 400, 25), ("06019", "06037", 90, 15), ("06039", "06001", 60, 12),
    ("06001", "06039", 30, 9), ("06019", "32003", 12, 8), ("06019", "F303", 5, 4),
]
TRACTS = {"06019000100": ("06019", 0), "06019000200": ("06019", 1), "06039000100": ("06039", 0),
          "06039000200": ("06039", 1)}
OD = [  # work tract, home tract, workers, skilled
    ("06019000100", "06019000200", 40, 10), ("06019000100", "06039000100", 25, 20),
    ("06039000200", "06019000100", 15, 2), ("06037000100", "06019000200", 30, 25),
    ("06001000100", "06039000200", 12, 6), ("06019000200", "32003000100", 7, 3),
    ("06019000200", "06019000100", 9, 1), ("06039000100", "06039000200", 11, 4),
]


def _counties() -> gpd.GeoDataFrame:
    rows = [{"geoid": g, "name": n, "in_region": r, "geometry": box(x, y, x + 0.5, y + 0.5)}
            for g, (n, x, y, r) in SQUARES.items()]
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def _tracts() -> gpd.GeoDataFrame:
    rows = []
    for geoid, (county, half) in TRACTS.items():
        _, x, y, _ = SQUARES[county]
        rows.append({"geoid": geoid, "name": f"Tract {half + 1}, {SQUARES[county][0]} County",
                     "geometry": box(x + 0.25 * half, y, x + 0.25 * (half + 1), y + 0.5)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def _od_row(w: str, h: str, n: int, skilled: int) -> str:
    return f"{w}1000,{h}1000,{n},0,{n},0,{n - skilled},0,{skilled},0,0,{n},20230321"


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The commuting section of an atlas built from an ACS table and a LODES file."""
    tmp = tmp_path_factory.mktemp("flows")
    root = tmp / "ws"
    (root / "data" / "geo").mkdir(parents=True)
    (root / CONFIG_NAME).write_text('[region]\nname = "Test Valley"\n'
                                    'counties = { "06019" = "Fresno", "06039" = "Madera" }\n')
    _counties().to_file(root / "data" / "geo" / "ca_counties.geojson", driver="GeoJSON")
    ws = Workspace.open(root)
    acs = tmp / "acs_county_flows_2009_2013_us.csv"
    lines = ["h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe"]
    for h, w, n, m in ACS:
        work = f"{w[1:]},NA" if w.startswith("F") else f"0{w[:2]},{w[2:]}"
        lines.append(f"{h[:2]},{h[2:]},{work},{n},{m}")
    acs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_flows(ws, [acs], format="acs-county")
    od = tmp / "ca_od_main_JT00_2021.csv.gz"
    header = "w_geocode,h_geocode,S000,SA01,SA02,SA03,SE01,SE02,SE03,SI01,SI02,SI03,createdate"
    od.write_bytes(gzip.compress(("\n".join([header, *(_od_row(*r) for r in sorted(OD))]) + "\n").encode()))
    import_flows(ws, [od], format="lodes-od")
    counties = _counties()
    region = counties[counties["in_region"]].copy()
    region["name"] = region["name"] + " County"
    build = tmp / "maps"
    (build / "png").mkdir(parents=True)
    context = AtlasContext(ws=ws, build_dir=build, counties_web=region[["geoid", "name", "geometry"]],
                           tracts_web=_tracts(), county_names={"06019": "Fresno", "06039": "Madera"},
                           png=False)
    cards = flows_section(context)
    assert len(cards) == 5  # ACS: flows + leakage; LODES: county flows, tract flows, leakage
    return build


def _no_errors(report) -> None:  # type: ignore[no-untyped-def]
    """assert_no_errors, but map tiles cancelled by a zoom (fitting the map) are not errors."""
    report.failed_requests = [
        r for r in report.failed_requests if not ("/tile/" in r and r.endswith("net::ERR_ABORTED"))
    ]
    assert_no_errors(report)


def _hover_arc(page, selector: str = "path.vm-arc") -> str:  # type: ignore[no-untyped-def]
    """Move the mouse onto the middle of the last (widest) arc matching ``selector``; its tooltip."""
    point = page.evaluate(
        """(selector) => {
            const all = document.querySelectorAll(selector);
            const path = all[all.length - 1];
            const p = path.getPointAtLength(path.getTotalLength() / 2);
            const m = path.getScreenCTM();
            return {x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f};
        }""",
        selector,
    )
    page.mouse.move(point["x"], point["y"])
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    return tip.inner_text()


def test_county_flow_page_with_margins_of_error(
    atlas: Path, open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(atlas / "flows-acs-county-flows-2009-2013-county.html")

    arcs = page.locator("path.vm-arc")
    n = arcs.count()
    assert n == int(page.get_attribute(".leaflet-container", "data-arcs")) == 5  # on-map flows
    assert page.locator("path.vm-arc-leaving").count() == 2
    assert page.locator("path.vm-arc-within").count() == 2
    assert arcs.first.get_attribute("marker-end").startswith("url(#vm-arrow-")
    assert "Line width: workers" in page.locator(".vm-flow-legend").inner_text()
    assert page.locator(".vm-width-sample").count() == 3
    kinds = page.locator(".vm-kinds").inner_text()
    assert "Leaving the region" in kinds and "Within the region" in kinds
    summary = page.locator(".vm-summary").inner_text()
    assert "Inflow/Outflow: Test Valley" in summary
    assert "1,720 ±" in summary  # residents living and working in the region
    off = page.locator(".vm-offmap").inner_text()
    assert "Nevada" in off and "Mexico" in off and "12 ± 8" in off

    # the widest arc is drawn last (on top); its tooltip gives count, MOE and share
    text = _hover_arc(page)
    assert "Fresno County → Fresno County" not in text
    assert "workers" in text and "±" in text and "% ±" in text and "out-commuters" in text
    screenshot(page, "county")

    # filters: the largest flow only, then a county's own flows
    page.fill("input[name=topN]", "1")
    assert page.get_attribute(".leaflet-container", "data-arcs") == "1"
    assert "Not drawn: 4 smaller flows" in page.locator(".vm-flow-note").inner_text()
    page.fill("input[name=topN]", "40")
    page.evaluate("valleymapsFlows.select('06039')")
    assert "Inflow/Outflow: Madera County" in page.locator(".vm-summary").inner_text()
    assert page.get_attribute(".leaflet-container", "data-arcs") == "4"
    _no_errors(report)


def test_lodes_pages_switch_to_skilled_workers_and_show_tracts(
    atlas: Path, open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(atlas / "flows-ca-od-2021-jt00-county.html")
    assert int(page.get_attribute(".leaflet-container", "data-arcs")) > 0
    page.select_option("select[name=segment]", "SE03")
    assert "(skilled)" in page.locator(".vm-summary").inner_text()
    text = _hover_arc(page)
    assert "skilled" in text and "±" not in text  # LODES has no margins of error
    _no_errors(report)

    page, report = open_page(atlas / "flows-ca-od-2021-jt00-tract.html")
    # tract pages open on the flows within the region: five of them between the four tracts
    assert page.get_attribute(".leaflet-container", "data-arcs") == "5"
    assert page.locator("path.vm-arc-within").count() == 5
    # flows across the region's edge come bundled by county: one arc per county and place
    page.check("input[name=kind-leaving]")
    assert page.locator("path.vm-arc-leaving").count() == 2  # Fresno -> Los Angeles, Madera -> Alameda
    assert "Bundles 1 flow of census tracts" in _hover_arc(page, "path.vm-arc-leaving")
    page.locator("path.leaflet-interactive:not(.vm-arc)").first.click()
    assert "Inflow/Outflow: Tract" in page.locator(".vm-summary").inner_text()
    _no_errors(report)
    screenshot(page, "tracts")


def test_leakage_choropleth_tooltips_carry_margins_of_error(
    atlas: Path, open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(atlas / "commuting-acs-county-flows-2009-2013.html")
    shapes = page.locator("path.leaflet-interactive")
    assert shapes.count() == 2
    shapes.first.hover()
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    text = tip.inner_text()
    assert "Out-commuting (leakage) rate, 2009–2013" in text
    assert "Margin of error (90%): ±" in text
    assert "Out-commuting" in page.locator(".vm-legend").inner_text()
    _no_errors(report)
    screenshot(page, "leakage")
