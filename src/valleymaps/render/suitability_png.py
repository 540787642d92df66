"""Static suitability maps for reports (matplotlib): raster, colour bar, ranked sites."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import numpy.typing as npt
from affine import Affine
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from valleymaps import settings
from valleymaps.render.footer_room import footer_room
from valleymaps.render.plain_text import plain_text

#: Characters of a subtitle line (about the figure's width at 9.5 pt), and of a note line (7 pt).
_SUBTITLE_WRAP = 105
_NOTE_WRAP = 130
#: Height of the figure (inches) when its notes fit; where the first note line goes, how much
#: lower it goes under the synthetic-data notice and the step between note lines (7 pt text),
#: as fractions of that height.
_BASE_IN = 8.4
_NOTES_TOP = 0.145
_NOTICE_STEP = 0.035
_LINE_STEP = 0.021


@plain_text
def render_suitability_png(
    values: npt.NDArray[np.floating],
    transform: Affine,
    *,
    sites: gpd.GeoDataFrame | None,
    title: str,
    subtitle: str = "",
    outlines: gpd.GeoDataFrame | None = None,
    source_lines: Sequence[str] = (),
    notes: Sequence[str] = (),
    synthetic_notice: str | None = None,
    cmap: str | None = None,
) -> Figure:
    """A suitability map as a matplotlib figure (saving is separate: ``fig.savefig``).

    Parameters
    ----------
    values
        Suitability 0-100 (NaN = excluded), a reduced copy of the raster in EPSG:3310.
    transform
        Its affine transform (EPSG:3310 metres).
    sites
        Candidate sites (any CRS; only ``selected`` ones drawn), with ``rank``.
    title, subtitle
        Headings.
    outlines
        Polygons drawn as lines (county outlines).
    source_lines, notes
        Printed under the map.
    synthetic_notice
        Printed in a highlighted box when some data are synthetic.
    cmap
        Colour map (default viridis).
    """
    lines = [piece for line in [*notes, *source_lines] for piece in textwrap.wrap(line, _NOTE_WRAP)]
    # every note and source line printed: the figure grows at the bottom for those the
    # standard 8.4 inches cannot hold (the map and headings keep their size and place)
    first = _NOTES_TOP - (_NOTICE_STEP if synthetic_notice else 0.0)
    room = footer_room(_BASE_IN, first=first, step=_LINE_STEP, lines=len(lines))
    from_top, scale = room.from_top, room.scale
    fig = Figure(figsize=(8.0, room.height), dpi=110)
    ax = fig.add_axes((0.03, from_top(0.17), 0.80, 0.72 * scale))
    h, w = values.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (w, h)
    cm = colormaps[cmap or settings.SUITABILITY_COLORMAP].with_extremes(bad=(0.0, 0.0, 0.0, 0.0))
    image = ax.imshow(
        np.ma.masked_invalid(values),
        extent=(left, right, bottom, top),
        cmap=cm,
        norm=Normalize(0, 100),
        interpolation="nearest",
    )
    if outlines is not None and not outlines.empty:
        outlines.to_crs(settings.ANALYSIS_CRS).boundary.plot(ax=ax, color="#333333", linewidth=0.8)
    if sites is not None and not sites.empty:
        chosen = sites[sites["selected"].astype(bool)] if "selected" in sites.columns else sites
        projected = chosen.to_crs(settings.ANALYSIS_CRS)
        projected.boundary.plot(ax=ax, color="#e41a1c", linewidth=1.6)
        for rank, point in zip(projected["rank"], projected.geometry.representative_point(), strict=True):
            ax.annotate(
                str(int(rank)),
                (point.x, point.y),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=9,
                fontweight="bold",
                color="#111111",
                bbox={
                    "boxstyle": "round,pad=0.15",
                    "facecolor": "white",
                    "edgecolor": "#e41a1c",
                    "linewidth": 1,
                },
            )
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_axis_off()
    ax.set_aspect("equal")
    cax = fig.add_axes((0.85, from_top(0.30), 0.025, 0.45 * scale))
    bar = fig.colorbar(image, cax=cax)
    bar.set_label("Suitability (0-100)", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    fig.text(0.03, from_top(0.965), title, fontsize=14, fontweight="bold", va="top")
    if subtitle:
        # wrapped by characters: matplotlib's wrap=True lays the text out again word by word
        fig.text(0.03, from_top(0.925), "\n".join(textwrap.wrap(subtitle, _SUBTITLE_WRAP)), fontsize=9.5,
                 color="#444444", va="top")
    y = from_top(_NOTES_TOP)
    if synthetic_notice:
        fig.text(
            0.03,
            y,
            synthetic_notice,
            fontsize=9,
            fontweight="bold",
            color="#7a4b00",
            bbox={"facecolor": "#fff3cd", "edgecolor": "#e0b84a", "boxstyle": "round,pad=0.3"},
        )
        y -= _NOTICE_STEP * scale
    for line in lines:
        fig.text(0.03, y, line, fontsize=7, color="#444444")
        y -= _LINE_STEP * scale
    return fig
