"""Static PNG choropleths for reports (matplotlib), with legend, title and source note."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from valleymaps import settings
from valleymaps.render.classify import Classification
from valleymaps.render.metric_specs import MetricSpec


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
    fig = Figure(figsize=(8.0, 7.4), dpi=110)
    ax = fig.add_axes((0.02, 0.18, 0.68, 0.70))
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
        bbox_to_anchor=(0.71, 0.52),
        frameon=False,
        title=spec.units,
        fontsize=9,
        title_fontsize=9,
    )
    fig.text(0.03, 0.955, title, fontsize=15, fontweight="bold", va="top")
    fig.text(0.03, 0.905, subtitle, fontsize=10.5, color="#444444", va="top")
    y = 0.135
    if synthetic_notice:
        fig.text(
            0.03,
            y,
            synthetic_notice,
            fontsize=10,
            fontweight="bold",
            color="#7a4b00",
            bbox={"facecolor": "#fff3cd", "edgecolor": "#e0b84a", "boxstyle": "round,pad=0.3"},
        )
        y -= 0.04
    for line in source_lines:
        for part in textwrap.wrap(line, width=125) or [""]:
            fig.text(0.03, y, part, fontsize=7.5, color="#444444")
            y -= 0.024
    return fig
