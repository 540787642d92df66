"""The atlas section of infrastructure projects: a project page, an investment page, tables, PNGs.

Registered in :data:`valleymaps.workflows.sections.SECTIONS` (lazily). The atlas build reads
the projects once (:func:`load_project_overlay`: from ``$VALLEYMAPS_DB_URL`` when it is
set, else from the workspace's GeoPackage), lays them over the cluster and flow pages and
hands them to this section in :attr:`AtlasContext.projects`; a workspace without projects
gets no pages. Investment per job uses the workspace's employment data; investment per
resident worker its commuting flows (:func:`~valleymaps.workflows.project_inputs.load_resident_workers`).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from valleymaps import i18n, settings
from valleymaps.i18n import N_, _, ngettext
from valleymaps.projects.export import export_projects, export_summary
from valleymaps.projects.store import GPKG_NAME, open_store, resolve_db_url
from valleymaps.projects.summary import investment_apart, summarize_investment
from valleymaps.render.atlas_index import AtlasCard
from valleymaps.render.choropleth import MapText
from valleymaps.render.investment_map import render_investment_map
from valleymaps.render.project_overlay import ProjectOverlay
from valleymaps.render.projects_map import CATEGORY_NOUNS, format_usd, render_project_map
from valleymaps.render.web_geometry import prepare_web_geometry
from valleymaps.workflows.context import AtlasContext
from valleymaps.workflows.project_inputs import (
    JobCounts,
    WorkerCounts,
    load_jobs,
    load_region_tracts,
    load_resident_workers,
)
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

KIND = N_("Infrastructure projects")


def _sources(projects: gpd.GeoDataFrame, location: str) -> list[str]:
    files = sorted({s for s in projects["source"].astype(str) if s})
    latest = max((s for s in projects["imported_at"].astype(str) if s), default="")
    line = _("Projects: {n} from {files}").format(
        n=i18n.format_integer(len(projects)), files=", ".join(files[:4])
    )
    if len(files) > 4:
        line += _(" and {n} more files").format(n=len(files) - 4)
    if latest:
        line += _("; last import {date}").format(date=latest[:10])
    return [line, _("Inventory: {location}").format(location=location)]


def _top_finding(summary: pd.DataFrame, column: str, noun: str) -> str | None:
    known = summary.dropna(subset=[column])
    known = known[known[column] > 0]
    if known.empty:
        return None
    top = known.sort_values(column, ascending=False).iloc[0]
    return _("{place} has the most {what} ({usd})").format(
        place=top["name"], what=noun, usd=format_usd(float(top[column]))
    )


def load_project_overlay(ws: Workspace) -> ProjectOverlay | None:
    """The workspace's projects for the atlas (read once per build), or None when it has none.

    From ``$VALLEYMAPS_DB_URL`` when it is set, else from ``data/geo/projects.gpkg``.
    On the cluster and flow pages they are off when a page opens: those pages are about
    employment and commuting, and a planner switches on the project categories to read
    against them (the investment and project pages open with them on).
    """
    url = resolve_db_url(None)
    if url is None and not (ws.geo_dir / GPKG_NAME).is_file():
        return None
    projects = open_store(ws).load()
    if projects.empty:
        return None
    sources = _sources(projects, _("PostGIS database") if url else f"data/geo/{GPKG_NAME}")
    return ProjectOverlay(projects, source_lines=tuple(sources), show=False)


def _summarize(
    projects: gpd.GeoDataFrame, places: gpd.GeoDataFrame, jobs: JobCounts | None, workers: WorkerCounts | None
) -> pd.DataFrame:
    return summarize_investment(
        projects,
        places,
        jobs=jobs.jobs if jobs else None,
        workers=workers.workers if workers else None,
        jobs_source=jobs.source if jobs else "",
        workers_source=_workers_source(workers) if workers else "",
    )


def _workers_source(workers: WorkerCounts) -> str:
    return _("{source} (employed residents, wherever they work)").format(source=workers.source)


def _synthetic_notice(jobs: list[JobCounts | None], workers: list[WorkerCounts | None]) -> str | None:
    used = [
        what
        for what, counts in ((_("jobs used for investment per job"), jobs),
                             (_("workers used for investment per resident worker"), workers))
        if any(c is not None and c.synthetic for c in counts)
    ]  # fmt: skip
    return f"{_(settings.SYNTHETIC_NOTICE)} ({'; '.join(used)})" if used else None


def projects_section(context: AtlasContext) -> list[AtlasCard]:
    """Write ``projects.html`` and ``investment.html`` (and their tables and PNGs) into the atlas."""
    ws = context.ws
    if context.projects is None or context.projects.projects.empty:
        return []
    projects = context.projects.projects
    region = ws.config.region_name
    sources = list(context.projects.source_lines)
    counties = context.counties_web.copy()
    counties_named = counties.copy()
    counties_named["name"] = [
        _("{county} County").format(county=context.county_names.get(g, g)) for g in counties["geoid"]
    ]

    jobs_c = load_jobs(ws, geoid_length=5)
    workers_c = load_resident_workers(ws, geoid_length=5)
    county_summary = _summarize(projects, counties_named, jobs_c, workers_c)
    levels = [("county", _("Counties"), counties_named, county_summary)]
    tract_summary = None
    tracts_web = context.tracts_web
    if tracts_web is None:  # the cluster pages leave tracts out without tract jobs; investment needs none
        tracts = load_region_tracts(ws)
        tracts_web = prepare_web_geometry(tracts) if tracts is not None and len(tracts) else None
    jobs_t = workers_t = None
    if tracts_web is not None:
        jobs_t = load_jobs(ws, geoid_length=11)
        workers_t = load_resident_workers(ws, geoid_length=11)
        tract_summary = _summarize(projects, tracts_web, jobs_t, workers_t)
        levels.append(("tract", _("Census tracts"), tracts_web, tract_summary))
    notice = _synthetic_notice([jobs_c, jobs_t], [workers_c, workers_t])
    invest_sources = list(sources)
    if jobs_c is not None:
        invest_sources.append(_("Jobs: {source}").format(source=jobs_c.source))
    workers_sources = list(dict.fromkeys(_workers_source(w) for w in (workers_c, workers_t) if w is not None))
    invest_sources += [_("Resident workers: {source}").format(source=line) for line in workers_sources]

    total = float(np.nansum(projects["cost_usd"].to_numpy(dtype=float)))
    unknown = int(projects["cost_usd"].isna().sum())
    n_apart, cost_apart = investment_apart(county_summary)
    if n_apart or cost_apart:  # the county rows then add up to less than the total: say what is apart
        invest_sources.append(
            ngettext(
                "Not in any county: {n} project more than 1 km from every county, and parts of "
                "lines and areas beyond them ({usd}).",
                "Not in any county: {n} projects more than 1 km from every county, and parts of "
                "lines and areas beyond them ({usd}).",
                n_apart,
            ).format(n=i18n.format_integer(n_apart), usd=format_usd(cost_apart))
        )
    project_page = render_project_map(
        projects,
        title=_("Infrastructure projects"),
        subtitle=region,
        source_lines=sources,
        outlines=counties_named,
    )
    project_page.save(str(context.build_dir / "projects.html"))
    invest_page = render_investment_map(
        levels,
        projects,
        text=MapText(
            title=_("Public investment in infrastructure"),
            subtitle=_("{region} · projects in the inventory, all statuses").format(region=region),
            source_lines=tuple(invest_sources),
            synthetic_notice=notice,
        ),
        jobs_year=jobs_c.year if jobs_c else None,
        workers_source="; ".join(workers_sources) or None,
        outlines=counties_named,
        scheme=ws.config.scheme,
        k=ws.config.classes,
    )
    invest_page.save(str(context.build_dir / "investment.html"))

    tables = context.build_dir / "tables"
    tables.mkdir(exist_ok=True)
    export_projects(projects, tables / "projects.csv", overwrite=True)
    export_projects(projects, tables / "projects.parquet", overwrite=True)
    export_summary(county_summary, tables / "investment_by_county.csv", overwrite=True)
    export_summary(county_summary, tables / "investment_by_county.parquet", places=counties_named,
                   overwrite=True)  # fmt: skip
    if tract_summary is not None:
        export_summary(tract_summary, tables / "investment_by_tract.csv", overwrite=True)
        export_summary(tract_summary, tables / "investment_by_tract.parquet", places=tracts_web,
                       overwrite=True)  # fmt: skip

    thumb_projects = thumb_invest = None
    if context.png:
        from valleymaps.render.classify import classify_values
        from valleymaps.render.investment_map import investment_metric_specs
        from valleymaps.render.projects_static import render_static_projects
        from valleymaps.render.static_map import render_static_map

        (context.build_dir / "png").mkdir(exist_ok=True)
        thumb_projects = context.add_png(
            render_static_projects,
            "projects.png",
            projects=projects,
            title=_("Infrastructure projects"),
            subtitle=region,
            outlines=counties_named,
            source_lines=sources,
        )
        spec = investment_metric_specs(jobs_year=None, workers_source=None)[0]
        values = county_summary["cost_usd"].to_numpy(dtype=float)
        thumb_invest = context.add_png(
            render_static_map,
            "investment-county.png",
            places=counties_named,
            values=values,
            classification=classify_values(values, scheme=ws.config.scheme, k=ws.config.classes),
            spec=spec,
            title=_("Public investment in infrastructure projects"),
            subtitle=_("{region}, counties").format(region=region),
            source_lines=sources,
        )

    n = len(projects)
    if unknown == n:
        finding = ngettext("{n} project, no costs given", "{n} projects, no costs given", n).format(
            n=i18n.format_integer(n)
        )
    else:
        finding = ngettext("{n} project, {usd} in all", "{n} projects, {usd} in all", n).format(
            n=i18n.format_integer(n), usd=format_usd(total)
        )
        if unknown:
            finding += _(" ({n} without a cost)").format(n=i18n.format_integer(unknown))
    by_cat = projects["category"].value_counts()
    top_cat = str(by_cat.index[0])
    finding += _("; most are {category} ({n}).").format(
        category=_(CATEGORY_NOUNS[top_cat]) if top_cat in CATEGORY_NOUNS else top_cat,
        n=i18n.format_integer(int(by_cat.iloc[0])),
    )
    invest_finding = _top_finding(county_summary, "cost_usd", _("investment"))
    invest_finding = invest_finding or _("No project has a cost yet.")
    for column, noun in (
        ("cost_per_job", _("investment per job")),
        ("cost_per_worker", _("investment per resident worker")),
    ):
        top = _top_finding(county_summary, column, noun)
        if top:
            invest_finding += f"; {top}"
    log.info("projects section: %d projects, 2 pages", len(projects))
    return [
        AtlasCard(_("Infrastructure projects"), finding, "projects.html", thumb_projects, kind=KIND),
        AtlasCard(
            _("Public investment by place"), invest_finding + ".", "investment.html", thumb_invest, kind=KIND
        ),
    ]
