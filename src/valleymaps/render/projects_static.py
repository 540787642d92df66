"""A static picture of the projects (matplotlib), for reports and the atlas index."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from valleymaps import i18n, settings
from valleymaps.i18n import _
from valleymaps.render.footer_room import footer_room
from valleymaps.render.plain_text import plain_text
from valleymaps.render.projects_map import CATEGORY_STYLES

_MARKERS = {
    "square": "s",
    "diamond": "D",
    "circle": "o",
    "triangle": "^",
    "hexagon": "h",
    "star": "*",
    "cross": "P",
}


#: Height of the figure (inches) when its source lines fit; where the first goes and the step
#: between lines (7.5 pt text), as fractions of that height.
_BASE_IN = 7.2
_LINES_TOP = 0.09
_LINE_STEP = 0.024


def _dashes(dash: str | None) -> tuple[float, tuple[float, ...]] | str:
    if not dash:
        return "solid"
    return (0.0, tuple(float(x) / 2 for x in dash.split()))


@plain_text
def render_static_projects(
    projects: gpd.GeoDataFrame,
    *,
    title: str,
    subtitle: str = "",
    outlines: gpd.GeoDataFrame | None = None,
    source_lines: Sequence[str] = (),
) -> Figure:
    """The projects on a plain map: one symbol per category, as on the web page.

    Returns a matplotlib figure (saving is separate: ``fig.savefig``).
    """
    footer = [part for line in source_lines for part in (textwrap.wrap(line, width=125) or [""])]
    # every source line printed: the figure grows at the bottom for those 7.2 inches cannot hold
    room = footer_room(_BASE_IN, first=_LINES_TOP, step=_LINE_STEP, lines=len(footer))
    from_top, scale = room.from_top, room.scale
    fig = Figure(figsize=(8.0, room.height), dpi=110)
    ax = fig.add_axes((0.02, from_top(0.12), 0.68, 0.76 * scale))
    if outlines is not None and len(outlines):
        outlines.to_crs(settings.ANALYSIS_CRS).plot(
            ax=ax, color="#f2f2f0", edgecolor="#777777", linewidth=0.8
        )
    projected = projects.to_crs(settings.ANALYSIS_CRS)
    kinds = shapely.get_type_id(projected.geometry.to_numpy()) if len(projected) else np.array([], dtype=int)
    handles = []
    for key, style in CATEGORY_STYLES.items():
        of_cat = projected[(projected["category"] == key).to_numpy()]
        if of_cat.empty:
            continue
        k = kinds[(projected["category"] == key).to_numpy()]
        areas = of_cat[np.isin(k, (3, 6))]
        lines = of_cat[np.isin(k, (1, 2, 5))]
        points = of_cat[np.isin(k, (0, 4))]
        if len(areas):
            areas.plot(ax=ax, color=style.color, alpha=0.25, edgecolor=style.color, linewidth=1)
        if len(lines):
            lines.plot(ax=ax, color=style.color, linewidth=2.2, linestyle=_dashes(style.dash))
        if len(points):
            points.plot(
                ax=ax,
                color=style.color,
                marker=_MARKERS[style.shape],
                markersize=28,
                edgecolor="white",
                linewidth=0.5,
            )
        handles.append(
            Line2D(
                [],
                [],
                color=style.color,
                marker=_MARKERS[style.shape],
                linestyle="none",
                markersize=8,
                markeredgecolor="white",
                label=f"{_(style.label)} ({i18n.format_integer(len(of_cat))})",
            )
        )
    ax.set_axis_off()
    ax.set_aspect("equal")
    if handles:
        fig.legend(
            handles=handles,
            loc="center left",
            bbox_to_anchor=(0.71, from_top(0.52)),
            frameon=False,
            title=_("Projects"),
            fontsize=9,
            title_fontsize=9,
        )
    fig.text(0.03, from_top(0.955), title, fontsize=15, fontweight="bold", va="top")
    fig.text(0.03, from_top(0.905), subtitle, fontsize=10.5, color="#444444", va="top")
    y = from_top(_LINES_TOP)
    for part in footer:
        fig.text(0.03, y, part, fontsize=7.5, color="#444444")
        y -= _LINE_STEP * scale
    return fig
