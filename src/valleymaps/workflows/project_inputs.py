"""The places projects are summarised by, read from the workspace: counties, tracts, jobs and
resident workers."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from valleymaps.errors import ValleymapsError
from valleymaps.io.region import (
    qualify_tract_names,
    read_region_tracts,
)
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)


def load_region_tracts(ws: Workspace) -> gpd.GeoDataFrame | None:
    """The region's tracts named with their county ("Census Tract 1, Fresno County"), or None."""
    tracts = read_region_tracts(ws)
    return None if tracts is None else qualify_tract_names(tracts, ws.config.region_counties)






@dataclass(frozen=True)
class JobCounts:
    """Jobs per place from the workspace's employment data."""

    jobs: pd.Series
    year: int
    source: str
    synthetic: bool


def load_jobs(ws: Workspace, *, geoid_length: int) -> JobCounts | None:
    """All-industry jobs per county (``geoid_length=5``) or tract (11), latest year; None if unknown."""
    from valleymaps.analysis.cluster_employment import compute_totals
    from valleymaps.io.employment.store import load_datasets
    from valleymaps.io.region import choose_dataset

    try:
        datasets = load_datasets(ws)
    except (OSError, ValueError) as exc:
        log.warning("employment data unreadable, investment per job left out: %s", exc)
        return None
    ds = choose_dataset(datasets, geoid_length=geoid_length, counties=list(ws.config.region_counties))
    if ds is None:
        return None
    totals = compute_totals(ds.table)
    totals = totals[totals["geoid"].str.len() == geoid_length]
    if totals.empty:
        return None
    year = int(totals["year"].max())
    latest = totals[totals["year"] == year]
    jobs = latest.set_index("geoid")["employment"].astype(float)
    return JobCounts(jobs=jobs, year=year, source=f"{ds.source} ({year})", synthetic=ds.synthetic)


@dataclass(frozen=True, eq=False)  # holds a frame: compared and hashed by identity
class WorkerCounts:
    """Employed residents per place (workers living there, wherever they work), with their source."""

    workers: pd.Series
    source: str
    synthetic: bool


#: Flow formats by preference for resident workers at each GEOID length: ACS county-to-county
#: flows count every resident worker (the self-employed too) at county level; only LODES has tracts.
WORKER_SOURCES: dict[int, tuple[str, ...]] = {5: ("acs-county", "lodes-od"), 11: ("lodes-od",)}
_LEVEL_OF_LENGTH = {5: "county", 11: "tract"}


def _latest_year(vintage: str) -> int:
    years = re.findall(r"\d{4}", vintage)
    return int(years[-1]) if years else 0


def load_resident_workers(ws: Workspace, *, geoid_length: int) -> WorkerCounts | None:
    """Employed residents per county (``geoid_length=5``) or tract (11) from the commuting flows.

    The ``living`` measure of :func:`~valleymaps.analysis.commuting.compute_inflow_outflow`
    over the flows imported with ``valleymaps import flows``. Counties come from ACS
    county-to-county flows when there are some, else from LODES OD; tracts from LODES OD
    whose tract table covers the region's counties (see :data:`WORKER_SOURCES`). Among
    several datasets: real before synthetic, then the latest vintage.

    Returns
    -------
    WorkerCounts or None
        None when no stored flows give the level (or they cannot be read: a warning says why).
    """
    from valleymaps.analysis.commuting import compute_inflow_outflow
    from valleymaps.io.flows.store import load_all_flows

    level = _LEVEL_OF_LENGTH[geoid_length]
    formats = WORKER_SOURCES[geoid_length]
    region = list(ws.config.region_counties)
    try:
        datasets = load_all_flows(ws)
    except (ValleymapsError, OSError, ValueError) as exc:
        log.warning("commuting flows unreadable, investment per resident worker left out: %s", exc)
        return None
    candidates = [
        ds
        for ds in datasets
        if ds.format in formats
        and level in ds.tables
        and (level == "county" or ds.detail_counties is None or set(region) <= set(ds.detail_counties))
    ]
    if not candidates:
        return None
    ds = max(
        candidates,
        key=lambda d: (not d.synthetic, -formats.index(d.format), _latest_year(d.vintage), d.name),
    )
    measures = compute_inflow_outflow(ds.tables[level], level=level, region_counties=region, segments=[""])
    workers = measures.set_index("geoid")["living"].astype(float)
    log.info("resident workers of %d %s places from %s", len(workers), level, ds.source)
    return WorkerCounts(workers=workers, source=ds.source, synthetic=ds.synthetic)
