"""Non-text contrast (WCAG 2.1 1.4.11): what a map draws to carry meaning has 3:1 against what it
is drawn on.

The colours are the ones the pages use: imported from the render modules (project categories, flow
kinds, the classes :func:`classify_values` gives) or read from the page templates (focus ring,
legend swatches, fill opacities), so a colour changed there is checked here. Lines and fills drawn
with an opacity are blended over what is under them first, as the browser does.

What is checked, and against what:

* project markers and lines: against white (their halo, a hollow marker's fill) and the basemap;
* commuting flow lines: against the areas they cross and the basemap;
* the focus ring of a map feature and of a control: one of its two colours against every fill it
  can outline (every class colour, no data, the flow areas, the basemap);
* legend swatches: their outline against the legend's panel;
* class colours: the first and last class of every sequential classification 3:1 apart (the ends
  of a ramp are told apart; the two sides of a diverging one differ by hue). Neighbouring classes
  of a 5-9 class ramp cannot be 3:1 apart; the values are given as text in the legend, the
  tooltips and the data table (tests/browser/test_accessibility.py).

Not checked: the suitability sites' outlines over the viridis raster (no colour has 3:1 against
both ends of viridis; each site carries its rank as a text label).
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

import valleymaps
from valleymaps import settings
from valleymaps.render.classify import classify_values
from valleymaps.render.flow_map import KIND_COLORS
from valleymaps.render.projects_map import CATEGORY_STYLES

TEMPLATES = Path(valleymaps.__file__).parent / "render" / "templates"
WHITE = "#ffffff"
#: The land of Esri's World Gray Canvas (``settings.TILES``), the lightest-but-one thing a feature is
#: drawn on after white. The tiles are third-party and not fetched here: a measured approximation.
BASEMAP = "#e5e5e5"
MINIMUM = 3.0


def luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def blend(color: str, opacity: float, under: str) -> str:
    """``color`` drawn with ``opacity`` over ``under`` (sRGB blending, as browsers do)."""
    top = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    bottom = [int(under[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = (round(opacity * t + (1 - opacity) * b) for t, b in zip(top, bottom, strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def css_rule(name: str, selector: str) -> str:
    """The declarations of the rule of template ``name`` whose selector list ends with ``selector``."""
    text = re.sub(r"/\*.*?\*/", "", (TEMPLATES / name).read_text(encoding="utf-8"), flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        if selectors.strip().endswith(selector):
            return body
    raise AssertionError(f"no rule {selector!r} in {name}")


def hex_colors(text: str) -> list[str]:
    return [c.lower() if len(c) == 7 else "#" + "".join(ch * 2 for ch in c[1:]).lower()
            for c in re.findall(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", text)]


def js_number(name: str, pattern: str) -> float:
    found = re.search(pattern, (TEMPLATES / name).read_text(encoding="utf-8"))
    assert found, f"{pattern!r} not in {name}"
    return float(found.group(1))


def class_colors() -> set[str]:
    """Every colour a choropleth class can get: sequential and diverging, 2 to 9 classes."""
    values = np.linspace(-50.0, 50.0, 101)
    out: set[str] = set()
    for k in range(2, 10):
        out.update(classify_values(values + 60, k=k).colors)
        out.update(classify_values(values, k=k, center=0.0).colors)
    return {c.lower() for c in out}


def fail_list(pairs: list[tuple[str, str, float]]) -> list[str]:
    return [f"{what} on {under}: {ratio:.2f}:1" for what, under, ratio in pairs if ratio < MINIMUM]


def test_the_basemap_is_the_grey_canvas_these_figures_assume() -> None:
    assert settings.TILES == "Esri.WorldGrayCanvas", "a new basemap: measure its land colour (BASEMAP)"


def test_contrast_is_computed_as_wcag_does() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert blend("#000000", 0.5, "#ffffff") == "#808080"


def test_project_markers_and_lines_stand_out_from_their_halo_and_the_basemap() -> None:
    script = (TEMPLATES / "projects.js").read_text(encoding="utf-8")
    halo = re.search(r'stroke: hollow \? color : "(#[0-9a-fA-F]{6})"', script)
    hollow_fill = re.search(r'fill: hollow \? "(#[0-9a-fA-F]{6})" : color', script)
    assert halo and hollow_fill
    line_opacity = js_number(
        "projects.js", r"color: cat\.color, weight: d\.lineWidths\[p\.size\[i\]\], opacity: ([\d.]+)")
    pairs = []
    for key, style in CATEGORY_STYLES.items():
        color = style.color.lower()
        for under in (halo.group(1).lower(), hollow_fill.group(1).lower(), BASEMAP, WHITE):
            pairs.append((f"{key} marker {color}", under, contrast(color, under)))
        line = blend(color, line_opacity, BASEMAP)
        pairs.append((f"{key} line {color} at {line_opacity}", BASEMAP, contrast(line, BASEMAP)))
    assert not fail_list(pairs), fail_list(pairs)


def test_flow_lines_stand_out_from_the_areas_they_cross_and_the_basemap() -> None:
    script = (TEMPLATES / "flow_map.js").read_text(encoding="utf-8")
    area = re.search(r'fillColor: "(#[0-9a-fA-F]{6})",\s*fillOpacity: sel \? ([\d.]+) : ([\d.]+)', script)
    context = re.search(r'fillColor: "(#[0-9a-fA-F]{6})", fillOpacity: ([\d.]+) \}', script)
    assert area and context
    unders = {
        BASEMAP,
        blend(area.group(1), float(area.group(2)), BASEMAP),  # a selected area
        blend(area.group(1), float(area.group(3)), BASEMAP),  # a region area
        blend(context.group(1), float(context.group(2)), BASEMAP),  # the state's other counties
    }
    opacity = js_number("flow_map.js", r"color: data\.colors\[line\.k\], weight: width, opacity: ([\d.]+)")
    pairs = [(f"{kind} flow {color} at {opacity}", under, contrast(blend(color, opacity, under), under))
             for kind, color in KIND_COLORS.items() for under in sorted(unders)]
    assert not fail_list(pairs), fail_list(pairs)


@pytest.mark.parametrize(
    ("template", "selector", "halo_pattern"),
    [
        ("a11y.css", "path.vm-focusable:focus-visible", r"drop-shadow\([^)]*?(#[0-9a-fA-F]{3,6})\)"),
        ("a11y.css", ".vm-table-panel:focus-visible", r"box-shadow:[^;]*?(#[0-9a-fA-F]{3,6})"),
    ],
    ids=["map feature", "controls and markers"],
)
def test_the_focus_ring_has_3_to_1_against_every_fill_it_can_outline(
    template: str, selector: str, halo_pattern: str
) -> None:
    rule = css_rule(template, selector)
    ring = hex_colors(re.search(r"(?:stroke|outline):[^;]*", rule).group(0))[0]  # type: ignore[union-attr]
    halos = {c for c in hex_colors(" ".join(re.findall(halo_pattern, rule)))}
    assert halos, f"{selector}: a one-colour ring cannot have 3:1 against both light and dark fills"
    opacity = js_number("choropleth.js", r"\? [\d.]+ : ([\d.]+),")  # a classified place's fill
    fills = {WHITE, BASEMAP, settings.NO_DATA_COLOR.lower(), settings.NOT_COVERED_COLOR.lower()}
    fills |= {blend(c, opacity, BASEMAP) for c in class_colors()} | class_colors()
    fills |= {style.color.lower() for style in CATEGORY_STYLES.values()} | set(KIND_COLORS.values())
    worst = sorted(
        (max(contrast(ring, f), *(contrast(h, f) for h in halos)), f) for f in fills
    )[0]
    ratio, fill = worst
    assert ratio >= MINIMUM, f"{selector}: ring {ring}, halo {sorted(halos)} on {fill}: {ratio:.2f}:1"
    assert all(contrast(ring, h) >= MINIMUM for h in halos)  # the ring itself stands out from its halo


@pytest.mark.parametrize("template", ["choropleth.css", "flow_map.css", "projects_page.css"])
def test_legend_swatches_have_an_outline_with_3_to_1_against_the_legend(template: str) -> None:
    panel = css_rule(template, ".vm-source")
    alpha = float(re.search(r"rgba\(255,\s*255,\s*255,\s*([\d.]+)\)", panel).group(1))  # type: ignore[union-attr]
    background = blend(WHITE, alpha, BASEMAP)
    swatch = css_rule("choropleth.css", ".vm-swatch")
    border = hex_colors(re.search(r"border:[^;]*", swatch).group(0))[0]  # type: ignore[union-attr]
    assert contrast(border, background) >= MINIMUM, (border, background)


def test_the_ends_of_every_class_ramp_are_3_to_1_apart() -> None:
    values = np.linspace(0.0, 100.0, 101)
    for k in range(2, 10):
        seq = classify_values(values, k=k).colors
        assert contrast(seq[0], seq[-1]) >= MINIMUM, (k, seq)
    assert all(a != b for a, b in pairwise(classify_values(values, k=9).colors))
