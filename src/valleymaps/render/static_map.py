"""Static PNG choropleths for reports (matplotlib), with legend, title and source note.

An atlas draws dozens of choropleths over the same places with the same
footer. :class:`StaticChoropleth` lays a level out once (projected polygons in
one collection, outlines, subtitle, footer and synthetic notice) and then
recolours it per metric: :meth:`StaticChoropleth.render_png` only redraws the
map, the legend and the title over a saved copy of the rest, which is where
most of the time went (matplotlib draws text glyph by glyph). What changes per
metric is a :class:`StaticMapStyle`, plain data that can be sent to another
process. :func:`render_static_map` gives the same picture as a figure.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.text import Text

from valleymaps import settings
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.render.classify import Classification
from valleymaps.render.glyph_cache import caching_canvas
from valleymaps.render.metric_specs import MetricSpec
from valleymaps.render.plain_text import plain_text
from valleymaps.render.png import encode_png

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

    @plain_text
    def draw_text(self, *, title: str, subtitle: str, synthetic_notice: str | None) -> Text:
        """The title, subtitle, synthetic-data notice and footer lines; returns the title."""
        fig = self.figure
        height = fig.get_figheight()
        heading = fig.text(0.03, 1 - 0.3 / height, title, fontsize=15, fontweight="bold", va="top")
        fig.text(0.03, 1 - 0.66 / height, subtitle, fontsize=10.5, color="#444444", va="top")
        y = self.footer_in - 0.3
        if synthetic_notice:
            fig.text(0.03, y / height, synthetic_notice, fontsize=10, fontweight="bold", color="#7a4b00",
                     bbox={"facecolor": "#fff3cd", "edgecolor": "#e0b84a", "boxstyle": "round,pad=0.3"})
            y -= 0.34
        for line in self.footer:
            fig.text(0.03, y / height, line, fontsize=7.5, color="#444444")
            y -= LINE_IN
        return heading


def static_layout(footer: Sequence[str], *, synthetic_notice: str | None = None) -> StaticLayout:
    """A figure with a title band, a map and room for ``footer`` (wrapped) under it."""
    lines = [part for line in footer for part in (textwrap.wrap(line, width=WRAP) or [""])]
    footer_in = 0.35 + LINE_IN * len(lines) + (0.34 if synthetic_notice else 0.0)
    height = HEADER_IN + MAP_IN + footer_in
    fig = Figure(figsize=(8.0, height), dpi=110)
    rect = (0.02, footer_in / height, 0.68, MAP_IN / height)
    return StaticLayout(fig, rect, (footer_in + MAP_IN / 2) / height, lines, footer_in)


#: Legend entry of places without a value.
NO_DATA_LABEL = N_("No data or withheld")
_EDGE_COLOR = "white"
_EDGE_WIDTH = 0.3


#: The static legend's type size (points), and its parts in ems of it: row pitch, swatch
#: width and height, gap from swatch to label, inset from the legend's left edge.
_LEGEND_PT = 9.0
_LEGEND_ROW_EM, _SWATCH_W_EM, _SWATCH_H_EM, _SWATCH_GAP_EM, _LEGEND_INSET_EM = 1.7, 2.0, 0.7, 0.8, 0.4
_LEGEND_X = 0.71


@plain_text
def legend_artists(style: StaticMapStyle, fig: Figure, *, y: float) -> list[Artist]:
    """The legend of ``style``: its title (the units), a swatch and label per class, and the
    hatched no-data entry, as artists of ``fig`` centred on height ``y`` (figure fraction).

    Laid out here, row by row, rather than by :class:`matplotlib.legend.Legend`, whose nested
    boxes measure every label several times per draw (most of a recoloured map's time).
    """
    em_x = _LEGEND_PT / 72 / fig.get_figwidth()
    em_y = _LEGEND_PT / 72 / fig.get_figheight()
    entries = [*style.legend, (settings.NO_DATA_COLOR, _(NO_DATA_LABEL))]
    rows = len(entries) + 1  # the title first
    top = y + rows * _LEGEND_ROW_EM * em_y / 2
    left = _LEGEND_X + _LEGEND_INSET_EM * em_x
    artists: list[Artist] = []

    def row_y(i: int) -> float:
        return top - (i + 0.5) * _LEGEND_ROW_EM * em_y

    artists.append(Text(left, row_y(0), style.units, fontsize=_LEGEND_PT, va="center", ha="left",
                        transform=fig.transFigure))
    for i, (color, label) in enumerate(entries, start=1):
        hatch = "///" if i == len(entries) else None
        artists.append(Rectangle((left, row_y(i) - _SWATCH_H_EM * em_y / 2), _SWATCH_W_EM * em_x,
                                 _SWATCH_H_EM * em_y, facecolor=color, edgecolor="#777777", hatch=hatch,
                                 transform=fig.transFigure))
        artists.append(Text(left + (_SWATCH_W_EM + _SWATCH_GAP_EM) * em_x, row_y(i), label,
                            fontsize=_LEGEND_PT, va="center", ha="left", transform=fig.transFigure))
    for artist in artists:
        artist.set_figure(fig)
    return artists


@dataclass(frozen=True)
class StaticMapStyle:
    """What changes from one metric's static map to the next (plain data, picklable).

    Attributes
    ----------
    title
        The heading.
    colors
        Fill colour per place, in the order of the places.
    missing
        Per place: no value (drawn hatched in the no-data colour).
    legend
        ``(colour, label)`` per class, from the lowest.
    units
        The legend's title.
    """

    title: str
    colors: tuple[str, ...]
    missing: tuple[bool, ...]
    legend: tuple[tuple[str, str], ...]
    units: str


def style_static_map(
    values: npt.ArrayLike, classification: Classification, spec: MetricSpec, *, title: str
) -> StaticMapStyle:
    """Colours, legend and title of one metric's static map.

    >>> from valleymaps.render.classify import classify_values
    >>> from valleymaps.render.metric_specs import cluster_metric_specs
    >>> spec = cluster_metric_specs(has_change=False)[0]
    >>> style = style_static_map([1.0, float("nan")], classify_values([1.0, 2.0], k=2), spec, title="Jobs")
    >>> style.missing, style.colors[1] == settings.NO_DATA_COLOR, style.units
    ((False, True), True, 'jobs')
    """
    classes = classification.class_of(values)
    colors = tuple(settings.NO_DATA_COLOR if c < 0 else classification.colors[c] for c in classes)
    labels = classification.labels(spec.format)
    return StaticMapStyle(
        title=title,
        colors=colors,
        missing=tuple(bool(c < 0) for c in classes),
        legend=tuple(zip(classification.colors, labels, strict=True)),
        units=spec.units,
    )


def _place_path(geom: shapely.Geometry) -> Path:
    """One compound path per place: every part, holes wound against their shell."""
    if geom is None or geom.is_empty:
        return Path(np.zeros((0, 2)))
    geom = shapely.orient_polygons(geom)
    rings = []
    for part in getattr(geom, "geoms", [geom]):
        if part.geom_type != "Polygon":
            continue
        rings.append(Path(np.asarray(part.exterior.coords)[:, :2], closed=True))
        rings.extend(Path(np.asarray(r.coords)[:, :2], closed=True) for r in part.interiors)
    return Path.make_compound_path(*rings) if rings else Path(np.zeros((0, 2)))


def _outline_segments(outlines: gpd.GeoDataFrame) -> list[npt.NDArray[np.float64]]:
    lines = shapely.get_parts(outlines.to_crs(settings.ANALYSIS_CRS).boundary.to_numpy())
    return [np.asarray(line.coords)[:, :2] for line in lines if not line.is_empty]


class StaticChoropleth:
    """The static map of one set of places, laid out once and recoloured per metric.

    Parameters
    ----------
    places
        Polygons, any CRS (drawn in California Albers).
    subtitle
        Second heading (the same for every metric).
    source_lines
        Source and vintage, printed under the map.
    synthetic_notice
        Printed in a highlighted box when the data are synthetic.
    outlines
        Polygons drawn as lines on top (county outlines over tracts).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from valleymaps.render.classify import classify_values
    >>> from valleymaps.render.metric_specs import cluster_metric_specs
    >>> places = gpd.GeoDataFrame(geometry=[box(-120, 36, -119, 37), box(-119, 36, -118, 37)], crs=4326)
    >>> chart = StaticChoropleth(places, subtitle="Two squares")
    >>> spec = cluster_metric_specs(has_change=False)[0]
    >>> style = style_static_map([1.0, 2.0], classify_values([1.0, 2.0], k=2), spec, title="Jobs")
    >>> chart.render_png(style)[:4]
    b'\\x89PNG'
    """

    def __init__(
        self,
        places: gpd.GeoDataFrame,
        *,
        subtitle: str,
        source_lines: Sequence[str] = (),
        synthetic_notice: str | None = None,
        outlines: gpd.GeoDataFrame | None = None,
    ) -> None:
        self._layout = layout = static_layout(source_lines, synthetic_notice=synthetic_notice)
        fig = layout.figure
        self._canvas = caching_canvas(fig)  # each glyph rasterised once per process
        self._ax = ax = fig.add_axes(layout.map_rect)
        self._paths = [_place_path(g) for g in places.to_crs(settings.ANALYSIS_CRS).geometry]
        self._fill = PathCollection(
            self._paths, facecolors=settings.NO_DATA_COLOR, edgecolors=_EDGE_COLOR, linewidths=_EDGE_WIDTH
        )
        ax.add_collection(self._fill, autolim=True)
        self._hatched = PathCollection(
            [], facecolors=settings.NO_DATA_COLOR, edgecolors=_EDGE_COLOR, linewidths=_EDGE_WIDTH, hatch="///"
        )
        ax.add_collection(self._hatched, autolim=False)
        if outlines is not None:
            ax.add_collection(
                LineCollection(_outline_segments(outlines), colors="#333333", linewidths=0.9, zorder=2),
                autolim=True,
            )
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.autoscale_view()
        self._title = layout.draw_text(title="", subtitle=subtitle, synthetic_notice=synthetic_notice)
        self._legend: list[Artist] | None = None
        self._background: object | None = None

    @property
    def n_places(self) -> int:
        """How many places (the length a style's colours must have)."""
        return len(self._paths)

    def _apply(self, style: StaticMapStyle) -> list[Artist]:
        if len(style.colors) != len(self._paths):
            raise ValueError(f"{len(style.colors)} colours for {len(self._paths)} places")
        self._fill.set_facecolor(list(style.colors))
        self._hatched.set_paths([p for p, m in zip(self._paths, style.missing, strict=True) if m])
        self._title.set_text(style.title)
        return legend_artists(style, self._layout.figure, y=self._layout.legend_y)

    def figure(self, style: StaticMapStyle) -> Figure:
        """The map of ``style`` as a whole figure (for a caller that saves it itself).

        The chart is then spent: build another for more maps.
        """
        legend = self._apply(style)
        for artist in legend:
            self._layout.figure.add_artist(artist)
        self._legend = legend
        self._background = None
        return self._layout.figure

    def render_png(self, style: StaticMapStyle) -> bytes:
        """The map of ``style`` as PNG bytes: the footer and subtitle are drawn only the first time."""
        if self._legend is not None:
            raise RuntimeError("this StaticChoropleth was handed out as a figure; build another")
        background = self.prepare()
        legend = self._apply(style)
        canvas = self._canvas
        canvas.restore_region(background)
        renderer = canvas.get_renderer()
        for artist in (self._ax, self._title, *legend):
            artist.draw(renderer)
        return encode_png(canvas)

    def prepare(self) -> object:
        """Draw what every metric shares (headings, footer, notice) once; returns that picture.

        Called by the first :meth:`render_png`; call it before forking workers so they share it.
        """
        if self._background is None:
            dynamic: list[Artist] = [self._ax, self._title]
            for artist in dynamic:
                artist.set_visible(False)
            self._canvas.draw()
            self._background = self._canvas.copy_from_bbox(self._layout.figure.bbox)
            for artist in dynamic:
                artist.set_visible(True)
        return self._background


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

    See Also
    --------
    StaticChoropleth : many metrics over the same places, much faster.
    """
    chart = StaticChoropleth(
        places,
        subtitle=subtitle,
        source_lines=source_lines,
        synthetic_notice=synthetic_notice,
        outlines=outlines,
    )
    return chart.figure(style_static_map(values, classification, spec, title=title))
