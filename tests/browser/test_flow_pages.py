"""Commuting flow pages and leakage choropleths in headless Chromium."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from harness import PageOpener, assert_no_errors, hover_for_tooltip, point_on_line
from shapely.geometry import box

from lodes_files import od_row, write_area_file, write_delineation_xlsx, write_od
from valleymaps.io.delineation import import_metro_delineation
from valleymaps.io.flows.store import import_flows
from valleymaps.io.tracts import import_tracts
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workflows.context import AtlasContext
from valleymaps.workflows.flows_pages import flows_section
from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace, init_workspace
from workspace_files import remove_bundled_flows, write_square_tracts

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
    """Move the mouse onto the middle of the last (widest) arc matching ``selector``; its tooltip.

    Arcs of flows entering or leaving the region are dashed (their kind is not told by colour
    alone): the point is on a painted dash.
    """
    page.mouse.move(*point_on_line(page.locator(selector).last))
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
    text = hover_for_tooltip(page, shapes.first).inner_text()
    assert "Out-commuting (leakage) rate, 2009–2013" in text
    assert "Margin of error (90%): ±" in text
    assert "Out-commuting" in page.locator(".vm-legend").inner_text()
    _no_errors(report)
    screenshot(page, "leakage")


# --------------------------------------------------------------------------------------------
# the whole atlas: RAC/WAC totals, metro roll-up, LODES version, tract thumbnail, downloads
# --------------------------------------------------------------------------------------------

F1, F2, M1 = "060190001001000", "060190002001000", "060390001001000"
LA, WASHOE, ESMERALDA, CLARK = "060370001001000", "320310001001000", "320090001001000", "320030001001000"
NO_TRACT = "060190009001000"  # a Fresno tract missing from the workspace's tract boundaries


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """``valleymaps build`` of a two-county workspace with LODES OD (California's main and aux
    parts, Nevada's aux part), RAC and WAC totals and the CBSA delineation."""
    tmp = tmp_path_factory.mktemp("built")
    ws = init_workspace(tmp / "ws")
    remove_bundled_flows(ws.root)  # the LODES flows imported below only
    (ws.root / CONFIG_NAME).write_text(
        DEFAULT_CONFIG.split("[region]")[0]
        + '[region]\nname = "Test Valley"\ncounties = { "06019" = "Fresno", "06039" = "Madera" }\n',
        encoding="utf-8")
    ws = Workspace.open(ws.root)
    write_square_tracts(tmp / "tracts.geojson", ["06019", "06039"])
    import_tracts(ws, [tmp / "tracts.geojson"])
    main = write_od(tmp / "ca_od_main_JT00_2021.csv.gz", [
        od_row(F1, F1, 100, 40), od_row(F1, F2, 30, 10), od_row(F1, M1, 20, 5), od_row(M1, F2, 15, 3),
        od_row(M1, M1, 41, 7), od_row(LA, F1, 12, 9), od_row(LA, LA, 500, 100),
        od_row(LA, NO_TRACT, 3)])
    aux = write_od(tmp / "ca_od_aux_JT00_2021.csv.gz", [od_row(F1, CLARK, 7, 2)])
    nv_aux = write_od(tmp / "nv_od_aux_JT00_2021.csv.gz", [
        od_row(WASHOE, F2, 6, 4), od_row(ESMERALDA, M1, 2, 0)])
    import_flows(ws, [main, aux, nv_aux], format="lodes-od")
    import_flows(ws, [write_area_file(tmp / "ca_rac_S000_JT00_2021.csv.gz", "rac", {
        F1: {"CNS05": 100, "CE03": 40}, F2: {"CNS09": 44, "CE03": 11}, M1: {"CNS01": 76, "CE03": 12},
        LA: {"CNS10": 512, "CE03": 109}})], format="lodes-rac")
    import_flows(ws, [write_area_file(tmp / "ca_wac_S000_JT00_2021.csv.gz", "wac", {
        F1: {"CNS05": 175, "CE03": 60}, M1: {"CNS01": 63, "CE03": 9}, LA: {"CNS10": 512}})],
        format="lodes-wac")
    import_metro_delineation(ws, write_delineation_xlsx(tmp / "list1_2023.xlsx"))
    build_atlas(ws, png=True)
    return ws


def test_index_links_the_commuting_tables_and_shows_the_tract_flow_thumbnail(
    built: Workspace, open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(built.maps_dir / "index.html", wait_for=".card")
    links = page.locator("footer a").evaluate_all(
        "els => els.map(e => [e.textContent, e.getAttribute('href')])")
    commuting = {href: text for text, href in links if text.startswith("Commuting")}
    assert set(commuting) == {
        "tables/commuting-ca-nv-od-2021-jt00.csv",
        "tables/commuting-ca-nv-od-2021-jt00-between-counties.csv",
        "tables/commuting-ca-nv-od-2021-jt00-outside.csv",
    }
    assert "Commuting 2021 LODES8: places outside the region (CSV)" in commuting.values()
    for _, href in links:
        assert (built.maps_dir / href).is_file(), href
    tract_card = page.locator(".card", has_text="Tract commuting flows")
    assert tract_card.locator("img").get_attribute("src") == "png/flows-ca-nv-od-2021-jt00-tract.png"
    assert tract_card.locator("img").evaluate("img => img.naturalWidth") > 100
    screenshot(page, "index", full_page=True)
    _no_errors(report)

    outside = pd.read_csv(built.maps_dir / "tables" / "commuting-ca-nv-od-2021-jt00-outside.csv",
                          dtype={"geoid": str})
    metro = outside[outside["rollup"].str.startswith("metropolitan")]
    places = dict(zip(metro["place"], metro["workers"], strict=True))
    assert places == {"Los Angeles-Long Beach-Anaheim, CA metro area": 12 + 3,  # destinations
                      "Reno, NV metro area": 6, "Rest of Nevada": 2,
                      "Las Vegas-Henderson-North Las Vegas, NV metro area": 7}  # origin


def test_county_flow_page_uses_totals_metro_areas_and_names_the_lodes_version(
    built: Workspace, open_page: PageOpener, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(built.maps_dir / "flows-ca-nv-od-2021-jt00-county.html")
    sources = page.locator(".vm-source").text_content() or ""
    assert "Flows: LEHD LODES8 origin-destination 2021" in sources
    assert "Jobs: LEHD LODES8 WAC 2021" in sources and "Employed residents: LEHD LODES8 RAC 2021" in sources
    assert "metropolitan and micropolitan statistical areas (CBSAs, July 2023 delineation)" in sources
    off = page.locator(".vm-offmap").inner_text()
    assert "Reno, NV metro area" in off and "Rest of Nevada" in off
    assert "Las Vegas-Henderson-North Las Vegas, NV metro area" in off
    assert "Grouped by metropolitan and micropolitan statistical areas" in off
    summary = page.locator(".vm-summary").inner_text()
    # jobs from WAC: 175 + 63 (the OD flows: 100 + 30 + 20 + 15 + 41 + 7 from Nevada)
    assert "Jobs in Test Valley: 238 from LODES WAC; the OD flows alone give 213" in summary
    # employed residents from RAC: 100 + 44 + 76, and 6 + 2 working in Nevada
    assert "Employed residents of Test Valley: 228 from LODES RAC" in summary
    assert "The OD flows alone give 213 jobs and 229 employed residents" in summary
    assert page.locator(".vm-sum-row", has_text="Living here (employed").inner_text().endswith("228")
    assert page.locator(".vm-sum-row", has_text="Living and employed here").inner_text().endswith("206")
    # in-commuters: jobs less the 206 who live and work in the region
    assert page.locator(".vm-sum-row", has_text="Employed here, living outside").inner_text().endswith("32")
    screenshot(page, "totals-metros")
    _no_errors(report)

    page, report = open_page(built.maps_dir / "flows-ca-nv-od-2021-jt00-tract.html")
    notes = page.locator(".vm-sum-notes").inner_text()
    assert "in tracts the workspace's tract boundaries do not have (LODES8: 2020 census tracts)" in notes
    _no_errors(report)
