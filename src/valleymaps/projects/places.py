"""The places projects are summarised by, read from the workspace: counties, tracts and jobs."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from valleymaps.errors import WorkspaceError
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)


def load_region_counties(ws: Workspace) -> gpd.GeoDataFrame:
    """The region's counties: ``geoid``, ``name`` ("Fresno"), polygons in EPSG:4326.

    Raises
    ------
    WorkspaceError
        If the workspace's county boundaries are missing.
    """
    if not ws.counties_path.is_file():
        raise WorkspaceError(
            f"{ws.counties_path} is missing. Restore the bundled data with "
            f"'valleymaps init {ws.root} --overwrite'."
        )
    counties = gpd.read_file(ws.counties_path)
    counties["geoid"] = counties["geoid"].astype(str)
    names = ws.config.region_counties
    counties = counties[counties["geoid"].isin(list(names))].reset_index(drop=True)
    counties["name"] = counties["geoid"].map(names)
    return counties[["geoid", "name", "geometry"]]


def load_region_tracts(ws: Workspace) -> gpd.GeoDataFrame | None:
    """The imported tracts (``geoid``, ``name``, polygons), or None when none are imported."""
    if not ws.tracts_path.is_file():
        return None
    from valleymaps.io.tracts import load_tracts

    tracts = load_tracts(ws)
    names = ws.config.region_counties
    tracts = tracts[tracts["geoid"].str[:5].isin(list(names))].reset_index(drop=True)
    if "name" not in tracts:
        tracts["name"] = tracts["geoid"]
    tracts["name"] = [
        f"{n}, {names.get(g[:5], g[:5])} County" for g, n in zip(tracts["geoid"], tracts["name"], strict=True)
    ]
    return tracts[["geoid", "name", "geometry"]]


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
    from valleymaps.atlas import choose_dataset
    from valleymaps.io.employment.store import load_datasets

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
