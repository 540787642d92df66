"""OGC SLD 1.0 styles that draw our GeoPackages and GeoTIFFs as the web map does.

The same symbology as :mod:`valleymaps.render.qgis_styles` (QML, which QGIS prefers) for the
tools that read Styled Layer Descriptors instead: GeoServer, MapServer, ArcGIS Pro's import, and
QGIS' "Load style… (SLD)". Pure builders: each returns the SLD document as a string; writing it
into a GeoPackage's ``layer_styles.styleSLD`` column or as ``name.sld`` beside a raster is
:mod:`valleymaps.io.qgis_styles`' job.

- projects: one rule per category (``category`` equal to the key) with the web map's colour and
  shape (points), dashes (lines) or fill (areas); SLD 1.0 has no expressions, so symbol size
  does not follow cost here (it does in the QML);
- choropleths (investment summaries): one rule per class, ``lower <= value < upper`` (the last
  class includes its upper bound), the web map's colours;
- suitability sites: ten classes of the score (0-100) on the suitability palette;
- suitability rasters: a ``ColorMap`` ramp (0-100, or 0-1 for factor scores); the exclusion
  raster: a ``values`` colour map with each reason's colour, available land transparent.

Text from data (labels, values, the layer name) is escaped.

>>> sld = build_suitability_raster_sld()
>>> sld.count("<sld:ColorMapEntry ") == 11 and 'type="ramp"' in sld
True
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from matplotlib.colors import to_hex

from valleymaps.render.classify import Classification
from valleymaps.render.projects_map import CATEGORY_STYLES
from valleymaps.render.qgis_styles import EXCLUSION_CLASSES
from valleymaps.render.suitability_image import color_stops

_NAMESPACES = (
    'xmlns:sld="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" '
    'xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.opengis.net/sld '
    'http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd"'
)

#: Web-map shape -> SLD WellKnownName (SLD 1.0 knows square, circle, triangle, star, cross, x).
MARKS: dict[str, str] = {
    "square": "square", "diamond": "square", "circle": "circle", "triangle": "triangle",
    "hexagon": "circle", "star": "star", "cross": "cross",
}  # fmt: skip

def _hex(color: str) -> str:
    return to_hex(color, keep_alpha=False)


def _css(name: str, value: str | float) -> str:
    return f'<sld:CssParameter name="{name}">{escape(str(value))}</sld:CssParameter>'


def _document(layer: str, title: str, rules: Sequence[str], *, raster: bool = False) -> str:
    kind = "coverage" if raster else "feature"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sld:StyledLayerDescriptor version="1.0.0" {_NAMESPACES}>\n'
        f"<sld:NamedLayer><sld:Name>{escape(layer)}</sld:Name><sld:UserStyle>"
        f"<sld:Name>{escape(title)}</sld:Name><sld:Title>{escape(title)}</sld:Title>"
        f"<sld:IsDefault>1</sld:IsDefault><sld:FeatureTypeStyle>"
        f"<!-- valleymaps {kind} style -->\n"
        + "\n".join(rules)
        + "\n</sld:FeatureTypeStyle></sld:UserStyle></sld:NamedLayer>\n</sld:StyledLayerDescriptor>\n"
    )


def _rule(label: str, filter_xml: str, symbolizer: str) -> str:
    title = escape(label)
    return (
        f"<sld:Rule><sld:Name>{title}</sld:Name><sld:Title>{title}</sld:Title>"
        f"{filter_xml}{symbolizer}</sld:Rule>"
    )


def _property(column: str) -> str:
    return f"<ogc:PropertyName>{escape(column)}</ogc:PropertyName>"


def _literal(value: str | float) -> str:
    text = f"{value!r}" if isinstance(value, float) else str(value)
    return f"<ogc:Literal>{escape(text)}</ogc:Literal>"


def _between(column: str, lower: float, upper: float, *, last: bool) -> str:
    upper_op = "PropertyIsLessThanOrEqualTo" if last else "PropertyIsLessThan"
    return (
        "<ogc:Filter><ogc:And>"
        f"<ogc:PropertyIsGreaterThanOrEqualTo>{_property(column)}{_literal(float(lower))}"
        "</ogc:PropertyIsGreaterThanOrEqualTo>"
        f"<ogc:{upper_op}>{_property(column)}{_literal(float(upper))}</ogc:{upper_op}>"
        "</ogc:And></ogc:Filter>"
    )


def _polygon(color: str, *, opacity: float = 0.85) -> str:
    return (
        "<sld:PolygonSymbolizer><sld:Fill>"
        f"{_css('fill', _hex(color))}{_css('fill-opacity', f'{opacity:g}')}</sld:Fill>"
        f"<sld:Stroke>{_css('stroke', '#3c3c3c')}{_css('stroke-width', '0.5')}</sld:Stroke>"
        "</sld:PolygonSymbolizer>"
    )


def _point(color: str, shape: str, *, size: float = 12.0) -> str:
    return (
        "<sld:PointSymbolizer><sld:Graphic><sld:Mark>"
        f"<sld:WellKnownName>{MARKS.get(shape, 'circle')}</sld:WellKnownName>"
        f"<sld:Fill>{_css('fill', _hex(color))}{_css('fill-opacity', '0.8')}</sld:Fill>"
        f"<sld:Stroke>{_css('stroke', '#232323')}{_css('stroke-width', '0.8')}</sld:Stroke>"
        f"</sld:Mark><sld:Size>{size:g}</sld:Size></sld:Graphic></sld:PointSymbolizer>"
    )


def _line(color: str, dash: str | None, *, width: float = 2.5) -> str:
    dashes = _css("stroke-dasharray", dash) if dash else ""
    return (
        f"<sld:LineSymbolizer><sld:Stroke>{_css('stroke', _hex(color))}"
        f"{_css('stroke-width', f'{width:g}')}{_css('stroke-linecap', 'round')}{dashes}"
        "</sld:Stroke></sld:LineSymbolizer>"
    )


def build_projects_sld(*, layer: str = "infrastructure_projects", geometry: str = "point") -> str:
    """The projects layer by category, as on the web map (colour and shape, or dashes).

    >>> sld = build_projects_sld(geometry="line")
    >>> sld.count("<sld:Rule>") == len(CATEGORY_STYLES) and "#c25100" in sld
    True
    """
    rules = []
    for key, style in CATEGORY_STYLES.items():
        if geometry == "point":
            symbol = _point(style.color, style.shape)
        elif geometry == "line":
            symbol = _line(style.color, style.dash)
        else:
            symbol = _polygon(style.color, opacity=0.6)
        where = (
            f"<ogc:Filter><ogc:PropertyIsEqualTo>{_property('category')}{_literal(key)}"
            "</ogc:PropertyIsEqualTo></ogc:Filter>"
        )
        rules.append(_rule(style.label, where, symbol))
    return _document(layer, f"valleymaps projects ({geometry})", rules)


def build_graduated_sld(
    layer: str,
    column: str,
    classes: Classification,
    *,
    label_format: str = "{:,.0f}",
    geometry: str = "polygon",
) -> str:
    """A choropleth on ``column`` with the web map's class bounds and colours.

    >>> from valleymaps.render.classify import classify_values
    >>> sld = build_graduated_sld("investment", "cost_usd", classify_values([1, 2, 3, 10, 50], k=3))
    >>> sld.count("<sld:Rule>")
    3
    """
    rules = []
    lower = float(classes.lower)
    if np.isfinite(lower):
        n = len(classes.breaks)
        for i, (upper, color) in enumerate(zip(classes.breaks, classes.colors, strict=True)):
            label = f"{label_format.format(lower)} – {label_format.format(float(upper))}"
            symbol = _polygon(color) if geometry == "polygon" else _point(color, "circle")
            rules.append(_rule(label, _between(column, lower, float(upper), last=i == n - 1), symbol))
            lower = float(upper)
    return _document(layer, f"valleymaps {column}", rules)


def build_suitability_sites_sld(*, layer: str = "sites", column: str = "score", classes: int = 10) -> str:
    """Sites coloured by their score (0-100) with the web map's suitability palette.

    >>> build_suitability_sites_sld().count("<sld:Rule>")
    10
    """
    stops = color_stops(n=classes + 1)
    step = 100 / classes
    rules = []
    for i in range(classes):
        lo, hi = i * step, (i + 1) * step
        color = stops[i + 1] if i == classes - 1 else stops[i]
        rules.append(_rule(f"{lo:g} – {hi:g}", _between(column, lo, hi, last=i == classes - 1),
                           _polygon(color, opacity=0.7)))  # fmt: skip
    return _document(layer, "valleymaps suitability sites", rules)


def _raster(layer: str, title: str, color_map: str, *, opacity: float = 1.0) -> str:
    rule = (
        f"<sld:Rule><sld:RasterSymbolizer><sld:Opacity>{opacity:g}</sld:Opacity>{color_map}"
        "</sld:RasterSymbolizer></sld:Rule>"
    )
    return _document(layer, title, [rule], raster=True)


def build_suitability_raster_sld(
    *,
    layer: str = "suitability",
    minimum: float = 0.0,
    maximum: float = 100.0,
    stops: Sequence[str] | None = None,
) -> str:
    """A colour ramp for a suitability raster from ``minimum`` to ``maximum`` (the web map's)."""
    colors = list(stops or color_stops(n=11))
    n = len(colors)
    entries = []
    for i, color in enumerate(colors):
        v = minimum + (maximum - minimum) * i / (n - 1)
        entries.append(
            f'<sld:ColorMapEntry color="{_hex(color)}" quantity="{v:g}" label="{v:g}" opacity="1"/>'
        )
    color_map = f'<sld:ColorMap type="ramp">{"".join(entries)}</sld:ColorMap>'
    return _raster(layer, "valleymaps suitability", color_map)


def build_exclusion_raster_sld(*, layer: str = "exclusion") -> str:
    """A colour per exclusion reason (available land transparent).

    >>> build_exclusion_raster_sld().count("<sld:ColorMapEntry ")
    4
    """
    entries = ['<sld:ColorMapEntry color="#ffffff" quantity="0" label="Available" opacity="0"/>']
    entries += [
        f'<sld:ColorMapEntry color={quoteattr(color)} quantity="{code}" label={quoteattr(label)} '
        'opacity="1"/>'
        for code, label, color in EXCLUSION_CLASSES
    ]
    color_map = f'<sld:ColorMap type="values">{"".join(entries)}</sld:ColorMap>'
    return _raster(layer, "valleymaps exclusion reasons", color_map, opacity=0.8)


__all__ = [
    "build_exclusion_raster_sld",
    "build_graduated_sld",
    "build_projects_sld",
    "build_suitability_raster_sld",
    "build_suitability_sites_sld",
]
