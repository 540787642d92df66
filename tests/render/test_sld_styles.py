"""SLD styles draw as the web map and the QML do: the same classes, colours, categories."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
from matplotlib.colors import to_hex

from valleymaps.render.classify import classify_values
from valleymaps.render.projects_map import CATEGORY_STYLES
from valleymaps.render.qgis_styles import EXCLUSION_CLASSES
from valleymaps.render.sld_styles import (
    build_exclusion_raster_sld,
    build_graduated_sld,
    build_projects_sld,
    build_suitability_raster_sld,
    build_suitability_sites_sld,
)
from valleymaps.render.suitability_image import color_stops

NS = {"sld": "http://www.opengis.net/sld", "ogc": "http://www.opengis.net/ogc"}


def _rules(sld: str) -> list[ET.Element]:
    root = ET.fromstring(sld)
    assert root.tag == "{http://www.opengis.net/sld}StyledLayerDescriptor" and root.get("version") == "1.0.0"
    return root.findall(".//sld:Rule", NS)


def _css(rule: ET.Element, name: str) -> list[str]:
    params = rule.iter("{http://www.opengis.net/sld}CssParameter")
    return [p.text or "" for p in params if p.get("name") == name]


def test_a_choropleth_has_one_rule_per_class_with_the_web_maps_bounds_and_colours() -> None:
    values = np.array([1, 2, 3, 10, 50, 400, 1_000, 2_500], dtype=float)
    classes = classify_values(values, k=4)
    rules = _rules(build_graduated_sld("investment", "cost_usd", classes, label_format="${:,.0f}"))
    assert len(rules) == len(classes.breaks) == 4
    fills = [_css(r, "fill")[0] for r in rules]
    assert fills == [to_hex(c) for c in classes.colors]
    lower = [float(r.find(".//ogc:PropertyIsGreaterThanOrEqualTo/ogc:Literal", NS).text) for r in rules]
    assert lower[0] == classes.lower and lower[1:] == [float(b) for b in classes.breaks[:-1]]
    # every value falls in exactly one rule: the last class holds its upper bound
    assert rules[-1].find(".//ogc:PropertyIsLessThanOrEqualTo", NS) is not None
    assert all(r.find(".//ogc:PropertyIsLessThan", NS) is not None for r in rules[:-1])
    assert rules[0].find("sld:Title", NS).text.startswith("$1 – ")


def test_projects_have_a_rule_per_category_with_colour_shape_and_dashes() -> None:
    points = _rules(build_projects_sld(geometry="point"))
    assert [r.find(".//ogc:Literal", NS).text for r in points] == list(CATEGORY_STYLES)
    rail = points[list(CATEGORY_STYLES).index("rail")]
    assert _css(rail, "fill") == [CATEGORY_STYLES["rail"].color.lower()]
    assert rail.find(".//sld:WellKnownName", NS).text == "square"
    lines = _rules(build_projects_sld(geometry="line"))
    assert _css(lines[list(CATEGORY_STYLES).index("rail")], "stroke-dasharray") == ["10 5"]


def test_layer_names_and_labels_from_data_are_escaped() -> None:
    sld = build_graduated_sld("<b>x</b> & y", "cost_usd", classify_values(np.array([1.0, 2.0, 3.0]), k=2))
    root = ET.fromstring(sld)  # still well-formed
    assert root.find(".//sld:NamedLayer/sld:Name", NS).text == "<b>x</b> & y"
    assert "<b>" not in sld


def test_suitability_sites_and_rasters_use_the_web_palette() -> None:
    stops = color_stops(n=11)
    sites = _rules(build_suitability_sites_sld())
    assert len(sites) == 10 and _css(sites[0], "fill") == [to_hex(stops[0])]
    ramp = ET.fromstring(build_suitability_raster_sld())
    entries = ramp.findall(".//sld:ColorMapEntry", NS)
    assert ramp.find(".//sld:ColorMap", NS).get("type") == "ramp"
    assert [e.get("quantity") for e in entries] == [f"{v:g}" for v in np.linspace(0, 100, 11)]
    assert entries[-1].get("color") == to_hex(stops[-1])
    scores = ET.fromstring(build_suitability_raster_sld(maximum=1.0)).findall(".//sld:ColorMapEntry", NS)
    assert scores[-1].get("quantity") == "1"
    exclusion = ET.fromstring(build_exclusion_raster_sld()).findall(".//sld:ColorMapEntry", NS)
    assert [(e.get("quantity"), e.get("label")) for e in exclusion[1:]] == [
        (str(code), label) for code, label, _ in EXCLUSION_CLASSES
    ]
    assert exclusion[0].get("opacity") == "0"  # available land is transparent
