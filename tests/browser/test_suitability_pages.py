"""Site suitability pages in a real browser: overlay image, sites, popups, colour bar, two targets."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from harness import assert_no_errors
from shapely.geometry import Point

from lodes_files import write_od_flows
from suitability_files import (
    INTERCHANGES,
    KM,
    LABOUR_PROFILE,
    RAIL_X,
    TRACTS,
    plants_profile,
    write_layers,
    write_points,
    write_profile,
    write_tracts,
    write_workspace,
)
from valleymaps import settings
from valleymaps.io.flows.store import import_flows
from valleymaps.io.tracts import import_tracts
from valleymaps.workflows.context import AtlasContext
from valleymaps.workflows.projects_pages import load_project_overlay
from valleymaps.workflows.suitability_pages import suitability_section
from valleymaps.workflows.suitability_run import run_target

pytestmark = pytest.mark.browser

WATER_FIRST = plants_profile(name="Water-first plants", key="water-first", targets=["Paper mills"],
                             weights=(20, 60, 20))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("suitability-pages")
    ws = write_workspace(tmp / "ws")
    layers = write_layers(tmp / "layers")
    folder = ws.econ_dir / "suitability"
    folder.mkdir()
    write_profile(folder / "test-plants.toml")
    write_profile(folder / "water-first.toml", WATER_FIRST)
    entries = "\n".join(f'{name} = "{path}"' for name, path in layers.items())
    (folder / "layers.toml").write_text(f"[layers]\n{entries}\n", encoding="utf-8")
    projects = gpd.GeoDataFrame(
        {"name": ["Depot <b>upgrade</b>"], "category": ["rail"]}, geometry=[Point(RAIL_X, 10 * KM)], crs=3310
    ).to_crs(4326)
    # as the project inventory stores it: a feature layer and an attribute-only import log
    gpkg = ws.geo_dir / "projects.gpkg"
    projects.to_file(gpkg, layer="infrastructure_projects", driver="GPKG")
    pyogrio.write_dataframe(
        pd.DataFrame({"source": ["inventory.csv"]}), gpkg, layer="infrastructure_projects_imports"
    )
    return ws


@pytest.fixture(scope="module")
def atlas_page(workspace):
    build = workspace.outputs_dir / "maps-test"
    (build / "png").mkdir(parents=True)
    context = AtlasContext(
        ws=workspace,
        build_dir=build,
        counties_web=gpd.GeoDataFrame(geometry=[]),
        tracts_web=None,
        county_names={},
        png=True,
        projects=load_project_overlay(workspace),  # the atlas reads the inventory once for its sections
    )
    cards = suitability_section(context)
    return build, cards


def test_the_atlas_section_writes_one_page_with_a_card_per_profile(atlas_page) -> None:
    build, cards = atlas_page
    keys = {c.href.split("#")[1] for c in cards}
    assert {"test-plants", "water-first"} <= keys
    assert all(c.href.startswith("suitability.html#") and c.kind == "Site suitability" for c in cards)
    card = next(c for c in cards if c.href.endswith("#test-plants"))
    assert (
        card.finding.startswith("Best site in ") and "Targets: Plastics bottle manufacturing" in card.finding
    )
    assert (build / card.thumbnail).is_file()
    assert (build / "suitability" / "test-plants.png").is_file()
    assert (build / "tables" / "suitability_sites.csv").is_file()


def test_atlas_page_shows_overlay_sites_popups_legend_and_compares_targets(atlas_page, open_page, screenshot):
    build, _ = atlas_page
    page, report = open_page((build / "suitability.html").as_uri() + "#test-plants")
    image = page.locator("img.leaflet-image-layer")
    assert image.count() == 1
    page.wait_for_function("document.querySelector('img.leaflet-image-layer').naturalWidth > 0")
    assert image.get_attribute("src") == "suitability/test-plants.png"
    sites = page.locator("path.vm-site")
    assert sites.count() == 3
    assert sorted(page.locator(".vm-site-label").all_inner_texts()) == ["1", "2", "3"]
    panel = page.locator(".vm-suit-panel")
    assert "Test plants" in panel.inner_text()
    assert "50% · Close to rail" in panel.inner_text()
    legend = page.locator(".vm-colorbar")
    assert "Suitability (0 = least, 100 = most suitable)" in legend.inner_text()
    assert legend.locator(".vm-colorbar-ticks span").all_inner_texts() == ["0", "25", "50", "75", "100"]
    assert "linear-gradient" in legend.locator(".vm-colorbar-bar").get_attribute("style")
    screenshot(page, "atlas-one-target")

    box = sites.first.bounding_box()  # site 1 (features are drawn in rank order)
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".vm-site-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert text.startswith("Site 1 · Test plants")
    assert "Suitability" in text and "/ 100" in text and "acres" in text
    assert "Close to rail" in text and "Water" in text and "Workers" in text
    assert "Nearest project: Depot <b>upgrade</b> (rail)" in text  # shown as text, never as markup
    assert popup.locator("b").count() == 0
    assert "Rank stability:" in text
    page.wait_for_timeout(400)  # the popup fades in and the map pans to show it
    screenshot(page, "atlas-popup")

    page.get_by_label("Water-first plants").check()
    assert page.locator("img.leaflet-image-layer").count() == 2
    assert page.locator("path.vm-site").count() == 6
    assert "Water-first plants" in panel.inner_text()
    assert "60% · Water" in panel.inner_text()
    screenshot(page, "atlas-two-targets")
    assert_no_errors(report)


def test_the_command_page_is_self_contained_and_draws_its_target(workspace, open_page, screenshot):
    run = run_target(workspace, "Plastics bottle manufacturing", resolution=500, overwrite=True)
    page, report = open_page(run.page)
    src = page.locator("img.leaflet-image-layer").get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    page.wait_for_function("document.querySelector('img.leaflet-image-layer').naturalWidth > 0")
    assert page.locator("path.vm-site").count() == len(run.result.selected_sites)
    assert "Where could plastics bottle manufacturing locate?" in page.locator(".vm-suit-panel").inner_text()
    assert page.locator(".leaflet-control-layers-overlays label").count() == 2  # the target + county outlines
    screenshot(page, "command-page")
    assert_no_errors(report)


def test_popups_name_the_commuting_data_and_flag_synthetic_flows(tmp_path, open_page, screenshot):
    ws = write_workspace(tmp_path / "ws")
    import_tracts(ws, [write_tracts(tmp_path / "tracts.gpkg")])
    flows = [(g, g, 1000 if g.startswith("06019") else 100, 0) for g in TRACTS]
    od = write_od_flows(tmp_path / "ca_od_main_JT00_2021_synthetic.csv.gz", flows)
    import_flows(ws, [od], format="lodes-od", year=2021)
    run = run_target(
        ws,
        "Truck-served plants",
        profile_path=write_profile(tmp_path / "truck.toml", LABOUR_PROFILE),
        resolution=500,
        layers={"interchanges": str(write_points(tmp_path / "interchanges.gpkg", INTERCHANGES))},
        png=False,
    )
    page, report = open_page(run.page)
    panel = page.locator(".vm-suit-panel").inner_text()
    assert settings.synthetic_notice(None) in panel  # the synthetic data are flows, not jobs
    assert "Labour pool within 15 km: LEHD LODES8 origin-destination 2021" in panel
    site = page.locator("path.vm-site").first.bounding_box()
    assert site is not None
    page.mouse.click(site["x"] + site["width"] / 2, site["y"] + site["height"] / 2)
    popup = page.locator(".vm-site-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert "Labour pool within 15 km (synthetic data)" in text
    assert "Close to an interchange\t" in text  # real data: no flag
    sources = popup.locator(".vm-site-sources li").all_inner_texts()
    assert sources[0].startswith("Labour pool within 15 km: LEHD LODES8 origin-destination 2021")
    assert "(synthetic sample data)" in sources[0] and "employed residents" in sources[0]
    assert sources[1] == "Close to an interchange: interchanges.gpkg"
    page.wait_for_timeout(400)
    screenshot(page, "commuting-popup")
    assert_no_errors(report)
