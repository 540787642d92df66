"""GeoPackages and GeoTIFFs open in QGIS styled as on the web map, with their descriptions."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pyogrio
import rasterio

from project_files import IN_WEST, inventory, row, square_counties, write_csv
from valleymaps.projects.export import export_projects, export_summary
from valleymaps.projects.read import read_csv_table
from valleymaps.projects.store import ImportLogEntry
from valleymaps.projects.store_gpkg import GeoPackageStore
from valleymaps.projects.summary import summarize_investment
from valleymaps.projects.validate import validate_projects


def _styles(path: Path) -> list[tuple[str, str, str, int, str]]:
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleName, useAsDefault, styleQML, styleSLD "
            "FROM layer_styles ORDER BY id"
        ).fetchall()
    for style in rows:  # every style is a well-formed QGIS document, and the same as an OGC SLD
        assert ET.fromstring(style[4]).tag == "qgis"
        sld = ET.fromstring(style[5])
        assert sld.tag == "{http://www.opengis.net/sld}StyledLayerDescriptor"
        assert sld.find(".//{http://www.opengis.net/sld}Rule") is not None
    return [row[:5] for row in rows]


def _contents(path: Path, table: str) -> tuple[str, str]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(
            "SELECT identifier, description FROM gpkg_contents WHERE table_name = ?", (table,)
        ).fetchone()


def test_exported_projects_carry_a_default_qgis_style_per_geometry_kind(tmp_path: Path) -> None:
    out = export_projects(inventory(), tmp_path / "inventory.gpkg")
    styles = _styles(out)
    assert [s[2] for s in styles] == [
        "valleymaps projects (points)", "valleymaps projects (lines)", "valleymaps projects (areas)",
    ]  # fmt: skip
    assert {s[0] for s in styles} == {"projects"} and styles[0][1] == "geom"
    assert sum(s[3] for s in styles) == 1  # one default
    points = styles[0][4]
    assert 'type="categorizedSymbol" attr="category"' in points
    assert "0,114,178" in points  # transportation, the web map's blue
    assert 'name="name" type="QString" value="square"' in points
    sizes = [
        o.get("value") for o in ET.fromstring(points).iter("Option") if o.get("name") == "expression"
    ]
    assert len(sizes) == 7 and sizes[0].startswith('CASE WHEN "cost_usd" >= ')  # size graduated by cost
    assert '<symbol type="line"' in styles[1][4] and '<symbol type="fill"' in styles[2][4]
    identifier, description = _contents(out, "projects")
    assert identifier == "Infrastructure projects"
    assert "Source:" in description and "Vintage: written" in description
    # the inventory imports again from our export (the style table is not taken for the data)
    from valleymaps.io.vector import read_vector

    assert len(read_vector(out)) == 3
    # GDAL still reads the projects layer as before, and lists the style table as QGIS writes it
    assert len(gpd.read_file(out, layer="projects")) == 3
    assert "layer_styles" in [name for name, _ in pyogrio.list_layers(out)]


def test_the_inventory_store_is_styled_and_described_after_every_import(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "projects.gpkg")
    entry = ImportLogEntry("2026-01-01T00:00:00", "fresno_cog.csv", 3, 3, 0, "")
    store.upsert(inventory(), log_entry=entry)
    store.upsert(inventory(), log_entry=entry)  # a second import replaces the styles, adds none
    styles = _styles(store.path)
    assert len(styles) == 3 and sum(s[3] for s in styles) == 1
    assert "fresno_cog.csv" in _contents(store.path, store.layer)[1]
    assert _contents(store.path, store.log_layer)[0] == "Project imports"
    assert len(store.load()) == 3


def test_summary_geopackage_is_the_web_maps_choropleth(tmp_path: Path) -> None:
    counties = square_counties()
    projects = validate_projects(
        read_csv_table(write_csv(tmp_path / "p.csv", [row("A1", at=IN_WEST)])), counties=counties
    ).projects
    summary = summarize_investment(projects, counties)
    out = export_summary(summary, tmp_path / "inv.gpkg", places=counties)
    (name, _, _, default, qml), = _styles(out)
    assert (name, default) == ("investment", 1)
    assert 'type="graduatedSymbol" attr="cost_usd"' in qml
    assert qml.count("<range ") >= 1 and "$1,200,000" in qml
    identifier, description = _contents(out, "investment")
    assert identifier == "Investment by place" and "resident workers" in description


def test_suitability_sites_and_raster_are_styled_with_the_web_palette(tmp_path: Path) -> None:
    from suitability_files import write_layers, write_profile, write_workspace
    from valleymaps.render.suitability_image import color_stops
    from valleymaps.suitability.model import compute_suitability
    from valleymaps.suitability.profile import load_profile
    from valleymaps.workflows.suitability_inputs import gather_suitability_inputs, layer_catalog
    from valleymaps.workflows.suitability_outputs import write_tables

    ws = write_workspace(tmp_path / "ws")
    layers = write_layers(tmp_path / "layers")
    profile = load_profile(write_profile(tmp_path / "test-plants.toml"))
    out = tmp_path / "out"
    catalog = layer_catalog(ws, overrides={k: str(v) for k, v in layers.items()})
    result = compute_suitability(
        profile, gather_suitability_inputs(ws, [profile], catalog=catalog), folder=out, resolution=500,
    )
    written = write_tables(result, out, target="Test plants")
    assert out / "suitability.qml" in written
    qml = (out / "suitability.qml").read_text(encoding="utf-8")
    assert ET.fromstring(qml).find("pipe/rasterrenderer").get("type") == "singlebandpseudocolor"
    stops = color_stops(n=11)
    assert 'type="singlebandpseudocolor"' in qml and f'value="0" label="0" color="{stops[0]}"' in qml
    assert f'value="100" label="100" color="{stops[-1]}"' in qml
    assert {"factor-rail.qml", "exclusion.qml"} <= {p.name for p in written}
    assert 'type="paletted"' in (out / "exclusion.qml").read_text(encoding="utf-8")
    assert 'maximumValue="1"' in (out / "factor-rail.qml").read_text(encoding="utf-8")
    assert {"suitability.sld", "factor-rail.sld", "exclusion.sld"} <= {p.name for p in written}
    assert 'type="ramp"' in (out / "suitability.sld").read_text(encoding="utf-8")
    with rasterio.open(out / "suitability.tif") as src:  # still a valid COG, described
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert src.descriptions[0] == "Suitability (0-100)"
    (name, _, _, default, sites_qml), = _styles(out / "sites.gpkg")
    assert (name, default) == ("sites", 1) and 'attr="score"' in sites_qml and "33,145,140,178" in sites_qml
    assert stops[5] == "#21918c"  # viridis at 50, the web map's colour
    identifier, description = _contents(out / "sites.gpkg", "sites")
    assert identifier == "Candidate sites: Test plants"
    assert "Sources:" in description and "Vintage: computed" in description
