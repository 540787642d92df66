"""Static maps print every note and source line inside the picture, however many there are."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from matplotlib.text import Text
from shapely.geometry import Point

from valleymaps.render.png import figure_png
from valleymaps.render.projects_static import render_static_projects
from valleymaps.render.suitability_png import render_suitability_png

VALUES = np.linspace(0, 100, 400).reshape(20, 20)
TRANSFORM = Affine(250.0, 0, -2e5, 0, -250.0, 0)


def _printed(fig) -> dict[str, tuple[float, float, float, float]]:  # type: ignore[no-untyped-def]
    """Each text of the drawn figure -> its box in pixels (x0, y0, x1, y1)."""
    renderer = fig.canvas.get_renderer()
    # the texts drawn: not the labels of an axes switched off (a map's hidden axis labels)
    hidden = {id(label) for ax in fig.axes if not ax.axison for label in (ax.xaxis.label, ax.yaxis.label)}
    texts = [t for t in fig.findobj(Text) if t.get_text() and id(t) not in hidden]
    return {t.get_text(): tuple(t.get_window_extent(renderer).extents) for t in texts}


@pytest.mark.parametrize("notice", [None, "Synthetic sample data"])
@pytest.mark.parametrize("n_notes", [0, 3, 12])
def test_every_note_and_source_line_is_printed_inside_the_figure(notice: str | None, n_notes: int) -> None:
    notes = [f"Market support of target {k}: plan $1.{k}M · recomputed $2.{k}M (see leakage.html)."
             for k in range(n_notes)]
    sources = [f"Factor {k}: layer_{k}.gpkg" for k in range(3)]
    sources.append(  # a long line, as the atlas's own: wrapped, and every piece inside the picture
        "Skilled residents commuting out within 30 km (to recapture): ACS 2009–2013 5-year "
        "county-to-county commuting flows: no earnings segments, so these are all residents who "
        "work outside the region, WHATEVER THEY EARN, not only those earning more than $3,333 a month."
    )
    fig = render_suitability_png(
        VALUES, TRANSFORM, sites=None, title="Site suitability: Packaging", subtitle="San Joaquin Valley",
        notes=notes, source_lines=sources, synthetic_notice=notice,
    )
    figure_png(fig)  # drawn as the atlas draws it
    printed = _printed(fig)
    width, height = fig.bbox.width, fig.bbox.height
    for line in [*notes, *sources[:3], "Site suitability: Packaging"]:
        assert line in printed, line
    assert "WHATEVER THEY EARN" in " ".join(printed)
    for text, (x0, y0, x1, y1) in printed.items():
        inside = x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height
        assert inside, (text, (x0, y0, x1, y1), width, height)
    # the map keeps its size however many lines there are
    map_ax = fig.axes[0]
    assert map_ax.get_position().height * fig.get_figheight() == pytest.approx(0.72 * 8.4)
    if n_notes == 0 and notice is None:
        assert fig.get_figheight() == pytest.approx(8.4)  # the standard size while the lines fit
    if n_notes == 12:
        assert fig.get_figheight() > 8.4


@pytest.mark.parametrize("n_lines", [1, 9])
def test_every_source_line_of_the_projects_map_is_printed_inside_the_figure(n_lines: int) -> None:
    projects = gpd.GeoDataFrame(
        {"category": ["road", "water"], "name": ["SR 99 widening", "Recharge basin"]},
        geometry=[Point(-119.8, 36.7), Point(-119.2, 36.3)], crs="EPSG:4326",
    )
    sources = [f"Inventory {k}: data/projects/cog_{k}.gpkg, {k * 10} projects" for k in range(n_lines)]
    fig = render_static_projects(projects, title="Infrastructure projects", subtitle="San Joaquin Valley",
                                 source_lines=sources)
    figure_png(fig)
    printed = _printed(fig)
    for line in sources:
        assert line in printed, line
    for text, (x0, y0, x1, y1) in printed.items():
        inside = x0 >= 0 and y0 >= 0 and x1 <= fig.bbox.width and y1 <= fig.bbox.height
        assert inside, (text, (x0, y0, x1, y1))
    assert fig.get_figheight() == pytest.approx(7.2) if n_lines == 1 else fig.get_figheight() > 7.2
