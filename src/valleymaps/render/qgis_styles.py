"""QGIS styles (QML text) that draw our GeoPackages and GeoTIFFs as the web map does.

Pure builders: each returns the QML document as a string. Writing it into a
GeoPackage's ``layer_styles`` table (or beside a raster) is
:mod:`valleymaps.io.qgis_styles`' job.

- projects: one category per project category with the web map's colour and
  shape, symbol size (line width) graduated by cost, one size step per power of
  ten as on the web map (:func:`valleymaps.render.projects_map.size_classes`);
- investment summaries and other choropleths: graduated classes with the web
  map's breaks and colours (:func:`valleymaps.render.classify.classify_values`);
- suitability sites and rasters: the suitability palette (0-100) of the web map.

Text from data (category labels, values) is escaped; QGIS shows it as text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

import numpy as np
import numpy.typing as npt
from matplotlib.colors import to_rgba

from valleymaps.render.classify import Classification
from valleymaps.render.projects_map import CATEGORY_STYLES, LINE_WIDTHS, SYMBOL_SIZES
from valleymaps.render.suitability_image import color_stops

#: QGIS version written in the QML header (read by QGIS 3.x).
QGIS_VERSION = "3.28.0"
#: Web-map shape -> QGIS simple-marker shape name.
MARKER_SHAPES: dict[str, str] = {
    "square": "square", "diamond": "diamond", "circle": "circle", "triangle": "triangle",
    "hexagon": "hexagon", "star": "star", "cross": "cross2",
}  # fmt: skip

_HEADER = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"


def _rgba(color: str, alpha: float = 1.0) -> str:
    r, g, b, a = to_rgba(color, alpha)
    return f"{round(r * 255)},{round(g * 255)},{round(b * 255)},{round(a * 255)}"


def _options(values: dict[str, str]) -> str:
    inner = "".join(
        f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>' for k, v in values.items()
    )
    return f'<Option type="Map">{inner}</Option>'


def _data_defined(prop: str | None, expression: str | None) -> str:
    if not prop or not expression:
        return ""
    return (
        '<data_defined_properties><Option type="Map"><Option name="name" type="QString" value=""/>'
        f'<Option name="properties" type="Map"><Option name={quoteattr(prop)} type="Map">'
        '<Option name="active" type="bool" value="true"/>'
        f'<Option name="expression" type="QString" value={quoteattr(expression)}/>'
        '<Option name="type" type="int" value="3"/></Option></Option>'
        '<Option name="type" type="QString" value="collection"/></Option></data_defined_properties>'
    )


def _symbol(
    name: str,
    geometry: str,
    color: str,
    *,
    shape: str = "circle",
    dash: str | None = None,
    size_px: float = 12.0,
    width_px: float = 2.5,
    size_expression: str | None = None,
    fill_alpha: float = 0.8,
) -> str:
    """One ``<symbol>``: a simple marker, line or fill."""
    if geometry == "point":
        cls, kind = "SimpleMarker", "marker"
        opts = {
            "name": MARKER_SHAPES.get(shape, "circle"), "color": _rgba(color, fill_alpha),
            "outline_color": "35,35,35,255", "outline_width": "0.8", "outline_width_unit": "Pixel",
            "size": f"{size_px:g}", "size_unit": "Pixel",
        }  # fmt: skip
        prop = "size"
    elif geometry == "line":
        cls, kind = "SimpleLine", "line"
        opts = {
            "line_color": _rgba(color), "line_width": f"{width_px:g}", "line_width_unit": "Pixel",
            "capstyle": "round", "joinstyle": "round",
            "use_custom_dash": "1" if dash else "0",
            "customdash": ";".join(dash.split()) if dash else "5;2", "customdash_unit": "Pixel",
        }  # fmt: skip
        prop = "outlineWidth"
    else:
        cls, kind = "SimpleFill", "fill"
        opts = {
            "color": _rgba(color, fill_alpha), "style": "solid", "outline_color": "60,60,60,255",
            "outline_style": "solid", "outline_width": "0.5", "outline_width_unit": "Pixel",
        }  # fmt: skip
        prop = None
    return (
        f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="{cls}" enabled="1" pass="0" locked="0">{_options(opts)}'
        f"{_data_defined(prop, size_expression)}</layer></symbol>"
    )


def _document(renderer: str, *, geometry: str, labels_field: str | None = None) -> str:
    label = f"<previewExpression>{_xml_text(labels_field)}</previewExpression>" if labels_field else ""
    kind = {"point": 0, "line": 1, "polygon": 2}.get(geometry, 0)
    return (
        f'{_HEADER}<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Fields">\n'
        f"{renderer}\n{label}<layerGeometryType>{kind}</layerGeometryType></qgis>\n"
    )


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_cost_size_expression(
    costs: npt.ArrayLike, *, geometry: str = "point", column: str = "cost_usd"
) -> str:
    """A QGIS expression giving each feature the web map's symbol size (pixels) for its cost.

    One step per power of ten above the smallest decade of ``costs``; an unknown
    cost gets the smallest size, as on the web map.

    >>> build_cost_size_expression([5e4, 2e6])
    'CASE WHEN "cost_usd" >= 1000000 THEN 18 WHEN "cost_usd" >= 100000 THEN 15 ELSE 12 END'
    """
    steps = SYMBOL_SIZES if geometry == "point" else LINE_WIDTHS
    arr = np.asarray(costs, dtype=float)
    ok = arr[np.isfinite(arr) & (arr > 0)]
    if ok.size == 0:
        return f"{steps[0]:g}"
    low = math.floor(math.log10(float(ok.min())))
    high = min(math.floor(math.log10(float(ok.max()))), low + len(steps) - 1)
    col = '"' + column.replace('"', '""') + '"'
    whens = [f"WHEN {col} >= {10 ** d:.0f} THEN {steps[d - low]:g}" for d in range(high, low, -1)]
    if not whens:
        return f"{steps[0]:g}"
    return f"CASE {' '.join(whens)} ELSE {steps[0]:g} END"


def build_projects_qml(costs: npt.ArrayLike, *, geometry: str = "point") -> str:
    """The projects layer styled as on the web map: colour and shape by category, size by cost.

    Parameters
    ----------
    costs
        The layer's ``cost_usd`` values (the size classes start at their smallest decade).
    geometry
        ``point``, ``line`` or ``polygon``: the symbol type (a QGIS style draws one kind).

    >>> qml = build_projects_qml([1e5, 3e8])
    >>> 'attr="category"' in qml and '0,114,178' in qml and 'CASE WHEN' in qml
    True
    """
    expression = build_cost_size_expression(costs, geometry=geometry)
    categories, symbols = [], []
    for i, (key, style) in enumerate(CATEGORY_STYLES.items()):
        categories.append(
            f'<category render="true" value={quoteattr(key)} symbol="{i}" label={quoteattr(style.label)}/>'
        )
        symbols.append(
            _symbol(
                str(i), geometry, style.color, shape=style.shape, dash=style.dash,
                size_expression=expression if geometry != "polygon" else None,
            )
        )  # fmt: skip
    renderer = (
        '<renderer-v2 type="categorizedSymbol" attr="category" symbollevels="0" enableorderby="0" '
        f'forceraster="0"><categories>{"".join(categories)}</categories>'
        f'<symbols>{"".join(symbols)}</symbols></renderer-v2>'
    )
    return _document(renderer, geometry=geometry, labels_field='"name"')


def build_graduated_qml(
    column: str,
    classes: Classification,
    *,
    geometry: str = "polygon",
    label_format: str = "{:,.0f}",
    labels_field: str | None = '"name"',
) -> str:
    """A graduated (choropleth) style on ``column`` with the web map's class bounds and colours.

    >>> from valleymaps.render.classify import classify_values
    >>> qml = build_graduated_qml("cost_usd", classify_values([1, 2, 3, 10, 50], k=3))
    >>> qml.count("<range ") == 3 and 'attr="cost_usd"' in qml
    True
    """
    ranges, symbols = [], []
    lower = classes.lower
    if not math.isfinite(lower):
        ranges_xml = ""
    else:
        for i, (upper, color) in enumerate(zip(classes.breaks, classes.colors, strict=True)):
            label = f"{label_format.format(lower)} – {label_format.format(upper)}"
            ranges.append(
                f'<range render="true" lower="{lower!r}" upper="{float(upper)!r}" symbol="{i}" '
                f"label={quoteattr(label)}/>"
            )
            symbols.append(_symbol(str(i), geometry, color, fill_alpha=0.85))
            lower = float(upper)
        ranges_xml = "".join(ranges)
    renderer = (
        f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(column)} graduatedMethod="GraduatedColor" '
        f'symbollevels="0" enableorderby="0" forceraster="0"><ranges>{ranges_xml}</ranges>'
        f'<symbols>{"".join(symbols)}</symbols></renderer-v2>'
    )
    return _document(renderer, geometry=geometry, labels_field=labels_field)


def build_suitability_sites_qml(*, column: str = "score", classes: int = 10) -> str:
    """Sites coloured by their score (0-100) with the web map's suitability palette.

    >>> build_suitability_sites_qml().count("<range ")
    10
    """
    stops = color_stops(n=classes + 1)
    ranges, symbols = [], []
    step = 100 / classes
    for i in range(classes):
        lo, hi = i * step, (i + 1) * step
        color = stops[i + 1] if i == classes - 1 else stops[i]
        ranges.append(
            f'<range render="true" lower="{lo:g}" upper="{hi:g}" symbol="{i}" label="{lo:g} – {hi:g}"/>'
        )
        symbols.append(_symbol(str(i), "polygon", color, fill_alpha=0.7))
    renderer = (
        f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(column)} graduatedMethod="GraduatedColor" '
        f'symbollevels="0" enableorderby="0" forceraster="0"><ranges>{"".join(ranges)}</ranges>'
        f'<symbols>{"".join(symbols)}</symbols></renderer-v2>'
    )
    return _document(renderer, geometry="polygon", labels_field='"rank"')


def build_suitability_raster_qml(
    *, minimum: float = 0.0, maximum: float = 100.0, stops: Sequence[str] | None = None
) -> str:
    """A pseudocolour style for a suitability raster: the web map's ramp from ``minimum`` to ``maximum``.

    >>> qml = build_suitability_raster_qml()
    >>> 'singlebandpseudocolor' in qml and qml.count("<item ") == 11
    True
    """
    colors = list(stops or color_stops(n=11))
    n = len(colors)
    items = []
    for i, color in enumerate(colors):
        v = minimum + (maximum - minimum) * i / (n - 1)
        items.append(f'<item alpha="255" value="{v:g}" label="{v:g}" color="{color}"/>')
    first, last = colors[0], colors[-1]
    return (
        f'{_HEADER}<qgis version="{QGIS_VERSION}" styleCategories="Symbology">\n'
        '<pipe><rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" alphaBand="-1" '
        f'classificationMin="{minimum:g}" classificationMax="{maximum:g}" nodataColor="">'
        '<rastershader><colorrampshader colorRampType="INTERPOLATED" classificationMode="1" clip="0" '
        f'minimumValue="{minimum:g}" maximumValue="{maximum:g}">'
        f'<colorramp type="gradient" name="[source]">{_options({"color1": _rgba(first), "color2": _rgba(last), "discrete": "0", "rampType": "gradient"})}</colorramp>'  # noqa: E501
        f'{"".join(items)}</colorrampshader></rastershader></rasterrenderer>'
        '<brightnesscontrast brightness="0" contrast="0" gamma="1"/>'
        '<huesaturation saturation="0" grayscaleMode="0" colorizeOn="0"/></pipe>'
        "<blendMode>0</blendMode></qgis>\n"
    )


#: Exclusion codes -> (label, colour) of ``exclusion.tif``.
EXCLUSION_CLASSES: tuple[tuple[int, str, str], ...] = (
    (1, "Outside the region", "#d9d9d9"),
    (2, "Excluded by a constraint", "#b2182b"),
    (3, "A factor has no value", "#fdb863"),
)


def build_exclusion_raster_qml() -> str:
    """A paletted style for ``exclusion.tif``: available land transparent, each reason its colour.

    >>> build_exclusion_raster_qml().count("<paletteEntry ")
    4
    """
    entries = ['<paletteEntry value="0" label="Available" color="#ffffff" alpha="0"/>']
    entries += [
        f'<paletteEntry value="{code}" label={quoteattr(label)} color="{color}" alpha="255"/>'
        for code, label, color in EXCLUSION_CLASSES
    ]
    return (
        f'{_HEADER}<qgis version="{QGIS_VERSION}" styleCategories="Symbology">\n'
        '<pipe><rasterrenderer type="paletted" band="1" opacity="0.8" alphaBand="-1" nodataColor="">'
        f'<colorPalette>{"".join(entries)}</colorPalette></rasterrenderer>'
        '<brightnesscontrast brightness="0" contrast="0" gamma="1"/>'
        '<huesaturation saturation="0" grayscaleMode="0" colorizeOn="0"/></pipe>'
        "<blendMode>0</blendMode></qgis>\n"
    )


__all__ = [
    "build_cost_size_expression",
    "build_exclusion_raster_qml",
    "build_graduated_qml",
    "build_projects_qml",
    "build_suitability_raster_qml",
    "build_suitability_sites_qml",
]
