"""Public investment choropleths (by county and tract) with the projects on top.

The choropleth is :func:`valleymaps.render.choropleth.render_choropleth`
(metrics switched in its panel: total investment, number of projects,
investment per job and per resident worker where known); the projects are
laid over it (:class:`valleymaps.render.project_overlay.ProjectOverlay`).
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd

from valleymaps import i18n
from valleymaps.i18n import N_, _
from valleymaps.render.choropleth import LevelLayer, MapText, render_choropleth
from valleymaps.render.metric_specs import MetricSpec
from valleymaps.render.project_overlay import ProjectOverlay
from valleymaps.render.projects_map import format_usd


def format_count(v: float) -> str:
    """``12`` projects; ``–`` for missing."""
    return "–" if v is None or v != v else i18n.format_integer(v)


def _usd(v: float) -> str:
    return "–" if v is None or v != v else format_usd(v)


def investment_metric_specs(*, jobs_year: int | None, workers_source: str | None) -> list[MetricSpec]:
    """The metrics of an investment page (per job, per resident worker only when they are known).

    ``workers_source`` names the data the resident workers come from (None: unknown).
    """
    specs = [
        MetricSpec(
            "cost_usd",
            "cost_usd",
            _("Public investment in projects"),
            N_("US dollars (projects with a cost)"),
            _usd,
            description=_("Cost of the projects in each place; lines and areas shared by length and area"),
        ),
        MetricSpec("n_projects", "n_projects", _("Number of projects"), N_("projects"), format_count),
    ]
    if jobs_year is not None:
        specs.append(
            MetricSpec(
                "cost_per_job",
                "cost_per_job",
                _("Investment per job ({year} jobs)").format(year=jobs_year),
                N_("US dollars per job"),
                _usd,
                description=_("Project cost divided by the jobs located in the place"),
            )
        )
    if workers_source is not None:
        specs.append(
            MetricSpec(
                "cost_per_worker",
                "cost_per_worker",
                _("Investment per resident worker"),
                N_("US dollars per employed resident"),
                _usd,
                description=_(
                    "Project cost divided by the employed residents of the place "
                    "(wherever they work); workers from {source}"
                ).format(source=workers_source),
            )
        )
    return specs


def _values(summary: pd.DataFrame) -> pd.DataFrame:
    values = summary.copy()
    values["rank_n_projects"] = values["n_projects"].rank(ascending=False, method="min")
    values.loc[values["n_projects"] == 0, "rank_n_projects"] = float("nan")
    return values


def render_investment_map(
    levels: Sequence[tuple[str, str, gpd.GeoDataFrame, pd.DataFrame]],
    projects: gpd.GeoDataFrame,
    *,
    text: MapText,
    jobs_year: int | None,
    workers_source: str | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    scheme: str | None = None,
    k: int | None = None,
) -> folium.Map:
    """Investment choropleth page with the project layers over it.

    Parameters
    ----------
    levels
        ``(level, label, places, summary)`` per level, first shown first:
        ``places`` web-ready polygons with ``geoid``/``name``; ``summary`` from
        :func:`valleymaps.projects.summary.summarize_investment`.
    projects
        The projects drawn on top.
    text
        Title, subtitle, source lines, synthetic-data notice.
    jobs_year
        Year of the job counts (None when jobs are unknown: no per-job metric).
    workers_source
        Where the resident workers come from (the commuting flows), when they are known:
        adds the per-worker metric.
    outlines
        County outlines over the tract level.
    scheme, k
        Classification.
    """
    specs = investment_metric_specs(jobs_year=jobs_year, workers_source=workers_source)
    nouns = {"county": _("counties in the region"), "tract": _("tracts in the region")}
    layers = [
        LevelLayer(level, label, nouns.get(level, _("places")), places, _values(summary), show=(i == 0))
        for i, (level, label, places, summary) in enumerate(levels)
    ]
    fmap = render_choropleth(
        layers,
        specs,
        text=text,
        year=jobs_year or 0,
        base_year=None,
        scheme=scheme,
        k=k,
        outlines=outlines if len(levels) > 1 else None,
        initial_metric="cost_usd" if projects["cost_usd"].notna().any() else "n_projects",
        # the page is about the projects' money: they are on when it opens
        projects=ProjectOverlay(projects, show=True),
    )
    return fmap
