"""The plan's headline: the clusters' share of the region's jobs and job growth."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from valleymaps.analysis.cluster_employment import ALL_CLUSTERS, WHOLE_CLUSTER


@dataclass(frozen=True)
class Headline:
    """Region-wide figures (the plan: clusters held ~41% of jobs, 73% of job growth).

    ``share_of_growth`` is None when total employment did not grow (a share of
    a loss would mislead).
    """

    base_year: int | None
    end_year: int
    total: float
    clusters: float
    share_of_employment: float
    total_change: float | None
    clusters_change: float | None
    share_of_growth: float | None
    flag: str
    #: Clusters' share of private-sector job growth, where the source tells ownership (QCEW):
    #: both the clusters' change and the total change count private employers only.
    share_of_private_growth: float | None = None
    #: True when ``share_of_private_growth`` could be computed from private-ownership data.
    has_ownership: bool = False
    private_total_change: float | None = None


def _growth_share(r: pd.Series) -> tuple[float | None, float | None]:
    """Total change and the clusters' share of it (None without growth)."""
    if pd.isna(r["base_year"]):
        return None, None
    total_change = float(r["total"] - r["total_base"])
    clusters_change = float(r["change"])
    if total_change > 0 and not math.isnan(clusters_change):
        return total_change, clusters_change / total_change
    return total_change, None


def _region_row(metrics: pd.DataFrame, region_geoid: str) -> pd.DataFrame:
    return metrics[
        (metrics["geoid"] == region_geoid)
        & (metrics["cluster"] == ALL_CLUSTERS)
        & (metrics["component"] == WHOLE_CLUSTER)
    ]


def compute_headline(
    metrics: pd.DataFrame,
    *,
    region_geoid: str = "SJV",
    private_metrics: pd.DataFrame | None = None,
) -> Headline:
    """Clusters' (union of headline clusters) share of regional jobs and of job growth.

    Parameters
    ----------
    metrics
        Output of :func:`valleymaps.analysis.metrics.compute_cluster_metrics`.
    region_geoid
        GEOID of the region rows.
    private_metrics
        The same metrics computed on private employers only (sources that tell
        ownership, QCEW): gives the plan's share of *private-sector* job growth.
    """
    row = _region_row(metrics, region_geoid)
    if row.empty:
        raise ValueError("metrics have no region rows for the clusters together")
    r = row.iloc[0]
    base_year = None if pd.isna(r["base_year"]) else int(r["base_year"])
    total_change = None if base_year is None else float(r["total"] - r["total_base"])
    clusters_change = None if base_year is None else float(r["change"])
    share_growth = None
    if total_change is not None and clusters_change is not None and total_change > 0:
        share_growth = clusters_change / total_change
        if math.isnan(share_growth):
            share_growth = None
    private_share = private_change = None
    if private_metrics is not None:
        private_row = _region_row(private_metrics, region_geoid)
        if not private_row.empty:
            private_change, private_share = _growth_share(private_row.iloc[0])
    return Headline(
        share_of_private_growth=private_share,
        has_ownership=private_metrics is not None,
        private_total_change=private_change,
        base_year=base_year,
        end_year=int(r["year"]),
        total=float(r["total"]),
        clusters=float(r["employment"]),
        share_of_employment=float(r["share"]),
        total_change=total_change,
        clusters_change=clusters_change,
        share_of_growth=share_growth,
        flag=str(r["flag"]),
    )
