"""Public investment by place, and the projects near a site. Pure computation.

A project's cost is shared among the places it lies in (points: the place
holding them; lines by length; polygons by area; see
:mod:`valleymaps.projects.overlay`). Projects whose cost is unknown are
counted but add nothing to the totals; the ``n_without_cost`` column says how
many there are, so a reader knows a total is a lower bound.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from valleymaps import settings
from valleymaps.analysis.indicators import rank_descending
from valleymaps.projects.overlay import allocate_to_places

#: Projects outside every place but this close (metres) to one count in the nearest: the
#: tolerance with which an import keeps projects just outside the region's counties.
NEAREST_PLACE_M: float = 1000.0

#: Columns of :func:`summarize_investment`.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "geoid", "name", "n_projects", "cost_usd", "n_without_cost", "jobs", "workers",
    "cost_per_job", "cost_per_worker", "rank_cost_usd", "rank_cost_per_job", "rank_cost_per_worker",
    "jobs_source", "workers_source",
)  # fmt: skip


def filter_projects(
    projects: gpd.GeoDataFrame,
    *,
    statuses: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
    end_by: int | None = None,
) -> gpd.GeoDataFrame:
    """Projects with one of ``statuses`` / ``categories``, finished by ``end_by`` (years unknown kept out).

    >>> import shapely
    >>> p = gpd.GeoDataFrame({"status": ["planned", "complete"], "category": ["rail", "water"],
    ...                       "end_year": pd.array([2030, 2020], dtype="Int64")},
    ...                      geometry=[shapely.Point(0, 0)] * 2, crs="EPSG:4326")
    >>> len(filter_projects(p, statuses=["complete"])), len(filter_projects(p, end_by=2025))
    (1, 1)
    """
    keep = np.ones(len(projects), dtype=bool)
    if statuses is not None:
        keep &= projects["status"].isin(list(statuses)).to_numpy()
    if categories is not None:
        keep &= projects["category"].isin(list(categories)).to_numpy()
    if end_by is not None:
        years = pd.to_numeric(projects["end_year"], errors="coerce")
        keep &= (years <= end_by).fillna(False).to_numpy(dtype=bool)
    return projects[keep].reset_index(drop=True)


def _add_nearest(alloc: pd.DataFrame, geoms: np.ndarray, polys: np.ndarray, within: float) -> pd.DataFrame:
    """Projects in no place but within ``within`` metres of one: wholly in the nearest place."""
    placed = np.zeros(len(geoms), dtype=bool)
    placed[alloc["project"].to_numpy(dtype=int)] = True
    lone = np.flatnonzero(~placed & ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if not len(lone) or not len(polys) or within <= 0:
        return alloc
    pairs = shapely.STRtree(polys).query_nearest(geoms[lone], max_distance=within, all_matches=False)
    if not pairs.shape[1]:
        return alloc
    extra = pd.DataFrame({"project": lone[pairs[0]], "place": pairs[1], "share": 1.0})
    return pd.concat([alloc, extra], ignore_index=True).sort_values(["project", "place"], kind="stable")


def allocate_investment(
    projects: gpd.GeoDataFrame, places: gpd.GeoDataFrame, *, nearest_within: float = NEAREST_PLACE_M
) -> pd.DataFrame:
    """Each project's share in each place.

    A project outside every place but within ``nearest_within`` metres of one (projects are
    kept up to 1 km outside the region's counties) counts wholly in the nearest place, as its
    ``county`` says: the totals by place then add up to the inventory's.

    Returns
    -------
    pandas.DataFrame
        ``project`` (position in ``projects``), ``agency``, ``project_id``, ``geoid``, ``share``
        and ``cost_usd`` (the share of the project's cost; NaN when the cost is unknown).
    """
    geoms = projects.geometry.to_crs(settings.ANALYSIS_CRS).to_numpy()
    polys = places.geometry.to_crs(settings.ANALYSIS_CRS).to_numpy()
    alloc = _add_nearest(allocate_to_places(geoms, polys), geoms, polys, nearest_within)
    cost = projects["cost_usd"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "project": alloc["project"].to_numpy(dtype=int),
            "agency": projects["agency"].to_numpy()[alloc["project"].to_numpy()],
            "project_id": projects["project_id"].to_numpy()[alloc["project"].to_numpy()],
            "geoid": places["geoid"].to_numpy()[alloc["place"].to_numpy()],
            "share": alloc["share"].to_numpy(),
        }
    )
    out["cost_usd"] = cost[alloc["project"].to_numpy()] * out["share"].to_numpy()
    return out


def _per(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(den) & (den > 0), num / den, np.nan)


def summarize_investment(
    projects: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    jobs: pd.Series | None = None,
    workers: pd.Series | None = None,
    jobs_source: str = "",
    workers_source: str = "",
) -> pd.DataFrame:
    """Investment per place: projects, total cost, cost per job and per resident worker.

    Parameters
    ----------
    projects
        The inventory (any CRS).
    places
        Polygons with ``geoid`` and ``name`` (counties or tracts).
    jobs
        Jobs located in each place (index geoid), where known.
    workers
        Employed residents of each place (index geoid: workers living there, wherever
        they work), where known; see :func:`valleymaps.workflows.project_inputs.load_resident_workers`.
    jobs_source, workers_source
        Where the jobs and the workers come from, written in every row (a table read on
        its own still names its sources).

    Returns
    -------
    pandas.DataFrame
        One row per place, columns :data:`SUMMARY_COLUMNS`; ranks are 1 for the
        highest value (NaN where the value is unknown or 0).

    Examples
    --------
    >>> import shapely
    >>> places = gpd.GeoDataFrame({"geoid": ["A", "B"], "name": ["West", "East"]},
    ...     geometry=[shapely.box(-120, 36, -119.5, 37), shapely.box(-119.5, 36, -119, 37)], crs="EPSG:4326")
    >>> projects = gpd.GeoDataFrame({"agency": ["C"] * 2, "project_id": ["1", "2"],
    ...     "cost_usd": [100.0, float("nan")]},
    ...     geometry=[shapely.Point(-119.7, 36.5), shapely.Point(-119.2, 36.5)], crs="EPSG:4326")
    >>> s = summarize_investment(projects, places, jobs=pd.Series({"A": 50.0}),
    ...                          workers=pd.Series({"A": 40.0, "B": 10.0}), workers_source="ACS flows")
    >>> s[["geoid", "n_projects", "cost_usd", "n_without_cost", "cost_per_job"]].to_dict("list")
    {'geoid': ['A', 'B'], 'n_projects': [1, 1], 'cost_usd': [100.0, 0.0], 'n_without_cost': [0, 1], \
'cost_per_job': [2.0, nan]}
    >>> s[["cost_per_worker", "workers_source"]].to_dict("list")
    {'cost_per_worker': [2.5, 0.0], 'workers_source': ['ACS flows', 'ACS flows']}
    """
    alloc = allocate_investment(projects, places)
    alloc["unknown"] = alloc["cost_usd"].isna()
    grouped = alloc.groupby("geoid").agg(
        n_projects=("project_id", "size"),
        cost_usd=("cost_usd", lambda s: float(np.nansum(s.to_numpy(dtype=float)))),
        n_without_cost=("unknown", "sum"),
    )
    out = pd.DataFrame({"geoid": places["geoid"].astype(str).to_numpy(), "name": places["name"].to_numpy()})
    out = out.merge(grouped, left_on="geoid", right_index=True, how="left")
    out["n_projects"] = out["n_projects"].fillna(0).astype(int)
    out["n_without_cost"] = out["n_without_cost"].fillna(0).astype(int)
    out["cost_usd"] = out["cost_usd"].fillna(0.0).astype(float)
    out["jobs"] = out["geoid"].map(jobs).astype(float) if jobs is not None else np.full(len(out), np.nan)
    out["workers"] = (
        out["geoid"].map(workers).astype(float) if workers is not None else np.full(len(out), np.nan)
    )
    cost = out["cost_usd"].to_numpy(dtype=float)
    out["cost_per_job"] = _per(cost, out["jobs"].to_numpy(dtype=float))
    out["cost_per_worker"] = _per(cost, out["workers"].to_numpy(dtype=float))
    for col in ("cost_usd", "cost_per_job", "cost_per_worker"):  # places without investment get no rank
        values = out[col].to_numpy(dtype=float)
        out[f"rank_{col}"] = rank_descending(np.where(values > 0, values, np.nan))
    out["jobs_source"] = jobs_source if jobs is not None else ""
    out["workers_source"] = workers_source if workers is not None else ""
    out = out[list(SUMMARY_COLUMNS)].reset_index(drop=True)
    total = float(np.nansum(projects["cost_usd"].to_numpy(dtype=float)))
    apart = total - float(out["cost_usd"].sum())
    out.attrs["cost_apart"] = apart if abs(apart) > 1e-9 * max(1.0, total) else 0.0
    out.attrs["n_apart"] = int(len(projects) - alloc["project"].nunique())
    return out


def investment_apart(summary: pd.DataFrame) -> tuple[int, float]:
    """What the rows of a :func:`summarize_investment` table leave out of the inventory.

    Returns the number of projects in no row and the cost in no row (parts of lines and areas
    beyond the places, projects far from every place): the rows add up to the inventory's
    total cost less this cost. A table or page that prints a total says what is apart.

    >>> import shapely
    >>> places = gpd.GeoDataFrame({"geoid": ["A"], "name": ["A"]}, geometry=[shapely.box(0, 0, 1, 1)],
    ...                           crs="EPSG:4326")
    >>> projects = gpd.GeoDataFrame({"agency": ["C"] * 2, "project_id": ["1", "2"], "cost_usd": [10.0, 5.0]},
    ...     geometry=[shapely.Point(0.5, 0.5), shapely.Point(3, 3)], crs="EPSG:4326")
    >>> investment_apart(summarize_investment(projects, places))
    (1, 5.0)
    """
    return int(summary.attrs.get("n_apart", 0)), float(summary.attrs.get("cost_apart", 0.0))


def projects_near(
    projects: gpd.GeoDataFrame, site: BaseGeometry | gpd.GeoSeries, *, distance_m: float
) -> gpd.GeoDataFrame:
    """Projects within ``distance_m`` metres of a site (a point, a parcel, a tract), nearest first.

    Parameters
    ----------
    projects
        The inventory.
    site
        A shapely geometry in longitude/latitude (EPSG:4326), or a GeoSeries with a CRS
        (its parts are merged).
    distance_m
        Search distance in metres (0 = touching the site).

    Returns
    -------
    geopandas.GeoDataFrame
        The projects found, with ``distance_m`` (0 for projects touching the site).

    Examples
    --------
    >>> import shapely
    >>> p = gpd.GeoDataFrame({"name": ["near", "far"]},
    ...     geometry=[shapely.Point(-119.80, 36.74), shapely.Point(-119.0, 36.74)], crs="EPSG:4326")
    >>> projects_near(p, shapely.Point(-119.79, 36.74), distance_m=5000)["name"].tolist()
    ['near']
    """
    if distance_m < 0:
        raise ValueError(f"distance {distance_m} is negative; give a distance of 0 or more metres")
    if isinstance(site, gpd.GeoSeries):
        site_geom = site.to_crs(settings.ANALYSIS_CRS).union_all()
    else:
        site_geom = gpd.GeoSeries([site], crs=settings.WEB_CRS).to_crs(settings.ANALYSIS_CRS).iloc[0]
    projected = projects.geometry.to_crs(settings.ANALYSIS_CRS)
    distance = projected.distance(site_geom).to_numpy()
    keep = distance <= distance_m
    out = projects[keep].copy()
    out["distance_m"] = distance[keep]
    return out.sort_values("distance_m", kind="stable").reset_index(drop=True)
