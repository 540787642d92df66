"""The project-inventory commands as workflows: summary by place, projects near a site, the
standalone project page.

Each reads the inventory from its store (the workspace's GeoPackage or PostGIS), the places
through :mod:`valleymaps.io.region`, computes with :mod:`valleymaps.projects`, and writes what
was asked for atomically. The CLI (``valleymaps projects ...``) only prints what they return.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from valleymaps import i18n
from valleymaps.errors import OutputExistsError, WorkspaceError
from valleymaps.i18n import _
from valleymaps.io.atomic import write_text_atomic
from valleymaps.io.region import read_region_counties
from valleymaps.projects.export import export_projects, export_summary
from valleymaps.projects.store import ProjectStore, open_store
from valleymaps.projects.summary import filter_projects, investment_apart, projects_near, summarize_investment
from valleymaps.render.projects_map import render_project_map
from valleymaps.workflows.project_inputs import (
    JobCounts,
    WorkerCounts,
    load_jobs,
    load_region_tracts,
    load_resident_workers,
)
from valleymaps.workspace import Workspace

PathLike = str | os.PathLike[str]


def load_inventory(
    ws: Workspace, *, db_url: str | None = None, table: str | None = None
) -> tuple[ProjectStore, gpd.GeoDataFrame]:
    """The inventory's store (GeoPackage, or PostGIS with *db_url* / ``$VALLEYMAPS_DB_URL``) and
    its projects."""
    store = open_store(ws, db_url=db_url, table=table)
    return store, store.load()


@dataclass(frozen=True, eq=False)  # holds frames: compared and hashed by identity
class InvestmentSummary:
    """Investment per place: what ``valleymaps projects summary`` prints and writes.

    Attributes
    ----------
    level
        ``"county"`` or ``"tract"``.
    n_projects
        Projects summarised (after the status filter).
    table
        One row per place: ``geoid``, ``name``, ``n_projects``, ``cost_usd``, ``cost_per_job``,
        ``cost_per_worker``, ``n_without_cost``, ``jobs_source``, ``workers_source`` ...
    places
        The places' polygons (for a GeoPackage or GeoJSON of the table).
    jobs, workers
        Where jobs and resident workers came from, or None when the workspace has none.
    n_apart, cost_apart
        Projects more than 1 km from every place, and the cost beyond the places.
    """

    level: str
    n_projects: int
    table: pd.DataFrame
    places: gpd.GeoDataFrame
    jobs: JobCounts | None
    workers: WorkerCounts | None
    n_apart: int
    cost_apart: float

    @property
    def total_cost(self) -> float:
        """Cost shared among the places (the sum of the table's ``cost_usd``)."""
        return float(self.table["cost_usd"].sum())


def _places(ws: Workspace, level: str) -> gpd.GeoDataFrame:
    if level == "county":
        places = read_region_counties(ws)
        places["name"] = places["name"] + " County"
        return places
    tracts = load_region_tracts(ws)
    if tracts is None:
        raise WorkspaceError("no tracts in the workspace: import them with 'valleymaps import tracts FILE'.")
    return tracts


def summarize_projects(
    ws: Workspace,
    *,
    level: str = "county",
    statuses: tuple[str, ...] = (),
    db_url: str | None = None,
    table: str | None = None,
    out: PathLike | None = None,
    overwrite: bool = False,
) -> InvestmentSummary:
    """Investment by county or tract: projects, total cost, cost per job and per resident worker.

    Jobs come from the workspace's employment (latest year), resident workers from its
    commuting flows. With *out*, the table is also written (.csv, or .gpkg/.geojson/.parquet
    with the places' polygons).

    Raises
    ------
    WorkspaceError
        If tracts are asked for and none are imported.
    OutputExistsError
        If *out* exists and *overwrite* is false.
    """
    _store, projects = load_inventory(ws, db_url=db_url, table=table)
    if statuses:
        projects = filter_projects(projects, statuses=[s.lower() for s in statuses])
    places = _places(ws, level)
    length = 5 if level == "county" else 11
    jobs = load_jobs(ws, geoid_length=length)
    workers = load_resident_workers(ws, geoid_length=length)
    frame = summarize_investment(
        projects,
        places,
        jobs=jobs.jobs if jobs else None,
        workers=workers.workers if workers else None,
        jobs_source=jobs.source if jobs else "",
        workers_source=workers.source if workers else "",
    )
    n_apart, cost_apart = investment_apart(frame)
    if out is not None:
        export_summary(frame, Path(out), places=places, overwrite=overwrite)
    return InvestmentSummary(
        level=level,
        n_projects=len(projects),
        table=frame,
        places=places,
        jobs=jobs,
        workers=workers,
        n_apart=n_apart,
        cost_apart=cost_apart,
    )


def find_projects_near(
    ws: Workspace,
    *,
    distance_m: float,
    lon: float | None = None,
    lat: float | None = None,
    place: str | None = None,
    db_url: str | None = None,
    table: str | None = None,
    out: PathLike | None = None,
    overwrite: bool = False,
) -> tuple[gpd.GeoDataFrame, str]:
    """The projects within *distance_m* of a site (*lon*, *lat*) or a place (GEOID), nearest
    first, with a label of the site; with *out*, also written.

    Raises
    ------
    WorkspaceError
        If *place* is not a county or imported tract of the region.
    """
    _store, projects = load_inventory(ws, db_url=db_url, table=table)
    if place is not None:
        pool = read_region_counties(ws) if len(place) == 5 else load_region_tracts(ws)
        if pool is None or place not in set(pool["geoid"]):
            raise WorkspaceError(
                f"{place} is not a county (5 digits) or imported tract (11 digits) of "
                f"{ws.config.region_name}."
            )
        site = pool[pool["geoid"] == place].geometry
        label = f"{place}"
    else:
        site = shapely.Point(lon, lat)
        label = f"({lon}, {lat})"
    found = projects_near(projects, site, distance_m=distance_m)
    if out is not None:
        export_projects(found.drop(columns=["distance_m"]), Path(out), overwrite=overwrite)
    return found, label


def write_projects_map(
    ws: Workspace,
    out: PathLike,
    *,
    cluster: bool | None = None,
    overwrite: bool = False,
    db_url: str | None = None,
    table: str | None = None,
    offline: bool = False,
    cache: str | os.PathLike[str] | None = None,
    lang: str | None = None,
) -> int:
    """Write the standalone page of the projects to *out* (.html); return how many it shows.

    With *offline*, the page loads its scripts and styles from ``assets/`` beside it (copied
    from the download cache *cache*: ``valleymaps fetch assets`` fills it once). The page is
    written in *lang* (``"en"`` or ``"es"``; default the workspace's ``[atlas] lang``), as the
    atlas's project page is.

    Raises
    ------
    OutputExistsError
        If *out* exists and *overwrite* is false.
    DataSourceError
        If *offline* and the assets are not in the cache.
    UnknownLanguageError
        If *lang* is not a language of the atlas.
    """
    from valleymaps.workflows.offline import check_offline_assets, offline_page

    out = Path(out)
    language = i18n.resolve_language(lang if lang is not None else ws.config.lang)
    if out.exists() and not overwrite:
        raise OutputExistsError(f"{out} exists. Pass --overwrite to replace it.")
    if offline:  # say what is missing before reading anything
        check_offline_assets(cache)
    store, projects = load_inventory(ws, db_url=db_url, table=table)
    with i18n.use_language(language):
        fmap = render_project_map(
            projects,
            title=_("Infrastructure projects"),
            subtitle=ws.config.region_name,
            source_lines=[_("Inventory: {location}").format(location=store.location)],
            outlines=read_region_counties(ws),
            cluster=cluster,
        )
        text = fmap.get_root().render()
    if offline:
        text, _copies = offline_page(text, out.parent, cache=cache)
    write_text_atomic(out, text)
    return len(projects)
