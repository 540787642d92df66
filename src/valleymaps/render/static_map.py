"""Static PNG choropleths for reports (matplotlib), with legend, title and source note."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from valleymaps import settings
from valleymaps.render.classify import Classification
from valleymaps.render.metric_specs import MetricSpec

#: Inches of a static map's parts: the title band, the map, one footer line.
HEADER_IN = 0.95
MAP_IN = 5.2
LINE_IN = 0.18
#: Characters of a footer line before it wraps.
WRAP = 125


@dataclass(frozen=True)
class StaticLayout:
    """Where the parts of a static map go: a figure tall enough for every footer line.

    Attributes
    ----------
    figure
        The empty figure (8 inches wide).
    map_rect
        The map axes' rectangle (figure fractions).
    legend_y
        Vertical centre of the legend (figure fraction).
    footer
        The footer lines, wrapped.
    """

    figure: Figure
    map_rect: tuple[float, float, float, float]
    legend_y: float
    footer: list[str]
    footer_in: float

    def draw_text(self, *, title: str, subtitle: str, synthetic_notice: str | None) -> None:
        """The title, subtitle, synthetic-data notice and footer lines."""
        fig = self.figure
        height = fig.get_figheight()
        fig.text(0.03, 1 - 0.3 / height, title, fontsize=15, fontweight="bold", va="top")
        fig.text(0.03, 1 - 0.66 / height, subtitle, fontsize=10.5, color="#444444", va="top")
        y = self.footer_in - 0.3
        if synthetic_notice:
            fig.text(0.03, y / height, synthetic_notice, fontsize=10, fontweight="bold", color="#7a4b00",
                     bbox={"facecolor": "#fff3cd", "edgecolor": "#e0b84a", "boxstyle": "round,pad=0.3"})
            y -= 0.34
        for line in self.footer:
            fig.text(0.03, y / height, line, fontsize=7.5, color="#444444")
            y -= LINE_IN


def static_layout(footer: Sequence[str], *, synthetic_notice: str | None = None) -> StaticLayout:
    """A figure with a title band, a map and room for ``footer`` (wrapped) under it."""
    lines = [part for line in footer for part in (textwrap.wrap(line, width=WRAP) or [""])]
    footer_in = 0.35 + LINE_IN * len(lines) + (0.34 if synthetic_notice else 0.0)
    height = HEADER_IN + MAP_IN + footer_in
    fig = Figure(figsize=(8.0, height), dpi=110)
    rect = (0.02, footer_in / height, 0.68, MAP_IN / height)
    return StaticLayout(fig, rect, (footer_in + MAP_IN / 2) / height, lines, footer_in)


def render_static_map(
    places: gpd.GeoDataFrame,
    values: npt.ArrayLike,
    classification: Classification,
    spec: MetricSpec,
    *,
    title: str,
    subtitle: str,
    source_lines: Sequence[str] = (),
    synthetic_notice: str | None = None,
    outlines: gpd.GeoDataFrame | None = None,
) -> Figure:
    """A choropleth as a matplotlib figure (saving is separate: ``fig.savefig``).

    Parameters
    ----------
    places
        Polygons, any CRS (drawn in California Albers).
    values
        One value per place (NaN = no data).
    classification
        Classes and colours, as used on the web page.
    spec
        The metric (for the legend's units and number format).
    title, subtitle
        Headings.
    source_lines
        Source and vintage, printed under the map.
    synthetic_notice
        Printed in a highlighted box when the data are synthetic.
    outlines
        Polygons drawn as lines on top (county outlines over tracts).
    """
    layout = static_layout(source_lines, synthetic_notice=synthetic_notice)
    fig = layout.figure
    ax = fig.add_axes(layout.map_rect)
    projected = places.to_crs(settings.ANALYSIS_CRS)
    classes = classification.class_of(values)
    colors = np.array(
        [settings.NO_DATA_COLOR if c < 0 else classification.colors[c] for c in classes], dtype=object
    )
    missing = classes < 0
    if (~missing).any():
        projected[~missing].plot(ax=ax, color=list(colors[~missing]), edgecolor="white", linewidth=0.3)
    if missing.any():
        projected[missing].plot(
            ax=ax, color=settings.NO_DATA_COLOR, edgecolor="white", linewidth=0.3, hatch="///"
        )
    if outlines is not None:
        outlines.to_crs(settings.ANALYSIS_CRS).boundary.plot(ax=ax, color="#333333", linewidth=0.9)
    ax.set_axis_off()
    ax.set_aspect("equal")

    labels = classification.labels(spec.format)
    handles = [
        Patch(facecolor=c, edgecolor="#777777", label=lab)
        for c, lab in zip(classification.colors, labels, strict=True)
    ]
    handles.append(
        Patch(facecolor=settings.NO_DATA_COLOR, edgecolor="#777777", hatch="///", label="No data or withheld")
    )
    fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.71, layout.legend_y),
        frameon=False,
        title=spec.units,
        fontsize=9,
        title_fontsize=9,
    )
    layout.draw_text(title=title, subtitle=subtitle, synthetic_notice=synthetic_notice)
    return fig
