"""Dollar signs in names and notes print as written on every static figure (no mathtext)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from affine import Affine
from matplotlib.figure import Figure
from matplotlib.text import Text
from shapely.geometry import Point, box

from valleymaps.render.classify import classify_values
from valleymaps.render.metric_specs import cluster_metric_specs
from valleymaps.render.png import figure_png
from valleymaps.render.projects_static import render_static_projects
from valleymaps.render.static_map import StaticChoropleth, style_static_map
from valleymaps.render.suitability_png import render_suitability_png

#: What a leakage note, a project's name or a cluster's name may hold.
DOLLARS = "Market support: plan $323.6M (2010 $) · recomputed $475.6M (2012 $)"


def printed_texts(fig: Figure) -> dict[str, bool]:
    """Every text of ``fig`` -> whether matplotlib would read it as mathematics."""
    return {t.get_text(): t.get_parse_math() for t in fig.findobj(Text) if t.get_text()}


def test_suitability_png_prints_its_notes_dollar_signs() -> None:
    values = np.linspace(0, 100, 400).reshape(20, 20)
    fig = render_suitability_png(
        values, Affine(250.0, 0, -2e5, 0, -250.0, 0), sites=None, title="Site suitability: $ and $",
        subtitle=DOLLARS, notes=[DOLLARS], source_lines=["Sources: $1 of $2"],
    )
    texts = printed_texts(fig)
    assert DOLLARS in texts and "Site suitability: $ and $" in texts
    assert not any(texts.values())
    figure_png(fig)  # draws: mathtext would have parsed (and dropped) the dollar signs here


def test_recoloured_choropleth_prints_dollar_titles_legends_and_sources() -> None:
    places = gpd.GeoDataFrame(
        {"geoid": ["a", "b"]}, geometry=[box(-120, 36, -119.5, 36.5), box(-119.5, 36, -119, 36.5)],
        crs="EPSG:4326",
    )
    values = np.array([1.0, 2.0])
    spec = cluster_metric_specs(has_change=False)[0]
    chart = StaticChoropleth(places, subtitle=DOLLARS, source_lines=[DOLLARS])
    style = style_static_map(values, classify_values(values, k=2), spec, title=f"Energy $: {DOLLARS}")
    fig = chart.figure(style)
    texts = printed_texts(fig)
    assert f"Energy $: {DOLLARS}" in texts and DOLLARS in texts
    assert not any(texts.values())


def test_static_projects_map_prints_dollar_titles() -> None:
    projects = gpd.GeoDataFrame(
        {"category": ["road"], "name": ["$5M widening, $2M ramps"]}, geometry=[Point(-119.8, 36.7)],
        crs="EPSG:4326",
    )
    fig = render_static_projects(projects, title="Projects: $5M and $2M", subtitle=DOLLARS,
                                 source_lines=[DOLLARS])
    texts = printed_texts(fig)
    assert "Projects: $5M and $2M" in texts
    assert not any(texts.values())
