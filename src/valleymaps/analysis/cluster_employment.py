"""Aggregate an employment table to clusters and their components.

Pure computation: takes the table of :mod:`valleymaps.employment` and cluster
definitions, returns tables. No files, no network.

Rules
-----
* A cluster NAICS prefix ``p`` (say ``"3261"``) is matched against the data's
  digit codes. Sources such as County Business Patterns publish every level
  (2 to 6 digits), so summing every matching row would count jobs several
  times: for each place, year and prefix, only rows at the *shallowest* level
  at or below ``p`` are summed (the ``3261`` row itself when it exists, else
  its 5-digit children, and so on).
* A prefix with no rows at all in a place-year whose data reach that level is
  zero (CBP leaves out industries without establishments). A prefix finer
  than the data's finest level is unknown (NaN, flag ``N``).
* Where a place-year has only sector-level codes (LODES WAC: ``11``,
  ``31-33`` ...), cluster employment is approximated by the cluster's
  ``sector_proxy`` sectors and flagged ``P``; components are not available.
* Withheld parts (NaN) are never counted as zero: a sum with some withheld
  parts is a lower bound flagged ``I`` (plus the parts' own flags); a sum of
  only withheld parts is NaN.
* Industries the source does not cover (``not_covered``, e.g. crop production
  in County Business Patterns) are never zero either: a cluster or component
  made only of them is NaN flagged ``C`` ("not covered by this source"); one
  with some of them is the sum of the rest, flagged ``U`` (a lower bound).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from valleymaps.analysis.naics_editions import TARGET_EDITION, reconcile_naics_editions
from valleymaps.clusters import Cluster, collapse_prefixes
from valleymaps.core.naics import EDITION_KNOWN_THROUGH, EDITION_START
from valleymaps.employment import TOTAL_CODE, EmploymentDataset, format_years
from valleymaps.flags import NOT_COVERED, PARTLY_COVERED, combine_flags

log = logging.getLogger(__name__)

#: ``component`` value of rows that hold a whole cluster.
WHOLE_CLUSTER = ""

#: ``cluster`` value of the union of the headline clusters.
ALL_CLUSTERS = "_all_clusters"


@dataclass
class ClusterEmployment:
    """Employment aggregated to clusters.

    Attributes
    ----------
    values
        Columns ``geoid, year, cluster, component, employment, flag``;
        ``component == ""`` is the whole cluster; ``cluster == "_all_clusters"``
        the union of the clusters counted in the plan's headline.
    totals
        All-industry employment: ``geoid, year, employment, flag``.
    """

    values: pd.DataFrame
    totals: pd.DataFrame


def _sum_with_flags(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum ``employment`` by ``keys``; withheld parts make the sum a flagged lower bound."""
    grouped = frame.groupby(keys, sort=False, dropna=False)
    out = grouped["employment"].agg(["sum", "count", "size"])
    out["employment"] = out["sum"].where(out["count"] > 0)
    flagged = frame[frame["flag"].fillna("") != ""]  # few rows carry flags: combine only those
    # each group's flags concatenated (vectorised), then each distinct concatenation combined once
    if flagged.empty:
        out["flag"] = ""
    else:
        joined = flagged.groupby(keys, sort=False, dropna=False)["flag"].sum()
        flags = joined.map({text: combine_flags([text]) for text in joined.unique()})
        out["flag"] = flags.reindex(out.index).fillna("")
    partial = (out["count"] < out["size"]) & (out["count"] > 0)
    out.loc[partial, "flag"] = out.loc[partial, "flag"].map(lambda f: combine_flags([f, "I"]))
    return out[["employment", "flag"]].reset_index()


def _prefix_employment(table: pd.DataFrame, prefixes: Sequence[str]) -> pd.DataFrame:
    """Employment per (geoid, year, prefix), summing the shallowest level under each prefix."""
    digits = table[table["naics"].str.fullmatch(r"\d{2,6}")].copy()
    digits["level"] = digits["naics"].str.len()
    parts = []
    for k in sorted({len(p) for p in prefixes}):
        wanted = {p for p in prefixes if len(p) == k}
        sub = digits[digits["level"] >= k].copy()
        sub["prefix"] = sub["naics"].str[:k]
        sub = sub[sub["prefix"].isin(wanted)]
        if sub.empty:
            continue
        shallowest = sub.groupby(["geoid", "year", "prefix"])["level"].transform("min")
        parts.append(sub[sub["level"] == shallowest])
    places = table[["geoid", "year"]].drop_duplicates()
    max_level = digits.groupby(["geoid", "year"])["level"].max()
    grid = places.merge(pd.DataFrame({"prefix": list(prefixes)}), how="cross")
    if parts:
        summed = _sum_with_flags(pd.concat(parts), ["geoid", "year", "prefix"])
        grid = grid.merge(summed, on=["geoid", "year", "prefix"], how="left")
    else:
        grid["employment"] = np.nan
        grid["flag"] = ""
    level = (  # a merge keeps the grid's rows in order (mapping its MultiIndex went tuple by tuple)
        grid[["geoid", "year"]]
        .merge(max_level.rename("max_level").reset_index(), on=["geoid", "year"], how="left")["max_level"]
        .to_numpy(dtype=float)
    )
    absent = grid["employment"].isna() & grid["flag"].isna()
    too_fine = absent & (grid["prefix"].str.len().to_numpy() > np.nan_to_num(level, nan=0))
    grid.loc[absent & ~too_fine, "employment"] = 0.0
    grid.loc[too_fine, "flag"] = "N"
    grid["flag"] = grid["flag"].fillna("")
    grid["detailed"] = np.nan_to_num(level, nan=0) > 2
    return grid


def compute_totals(table: pd.DataFrame) -> pd.DataFrame:
    """All-industry employment per place and year.

    Uses the ``TOTAL`` row where the source has one, otherwise the sum of the
    shallowest level present (sectors, usually).
    """
    total_rows = table[table["naics"] == TOTAL_CODE][["geoid", "year", "employment", "flag"]]
    have = pd.MultiIndex.from_frame(total_rows[["geoid", "year"]])
    has_total = pd.MultiIndex.from_frame(table[["geoid", "year"]]).isin(have)
    rest = table[(table["naics"] != TOTAL_CODE).to_numpy() & ~has_total].copy()
    if rest.empty:
        return total_rows.reset_index(drop=True)
    codes = rest["naics"].astype(str)
    rest["level"] = np.where(codes.str.contains("-", regex=False), 2, codes.str.len())
    shallowest = rest.groupby(["geoid", "year"])["level"].transform("min")
    summed = _sum_with_flags(rest[rest["level"] == shallowest], ["geoid", "year"])
    return pd.concat([total_rows, summed], ignore_index=True)


def _coverage(member_frame: pd.DataFrame, not_covered: Sequence[str]) -> pd.DataFrame:
    """``cluster, component, coverage`` (``all``, ``part``, ``none``) of every member group."""
    frame = member_frame.assign(
        covered=[not any(p.startswith(x) for x in not_covered) for p in member_frame["prefix"]]
    )
    grouped = frame.groupby(["cluster", "component"])["covered"].agg(["sum", "size"]).reset_index()
    grouped["coverage"] = np.select(
        [grouped["sum"] == grouped["size"], grouped["sum"] == 0], ["all", "none"], "part"
    )
    return grouped[["cluster", "component", "coverage"]]


def _apply_coverage(values: pd.DataFrame, places: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """Flag partly covered groups ``U``; add NaN rows flagged ``C`` for groups not covered."""
    part = coverage[coverage["coverage"] == "part"][["cluster", "component"]]
    if not part.empty:
        hit = values.merge(part, on=["cluster", "component"], how="left", indicator=True)["_merge"] == "both"
        values = values.copy()
        values.loc[hit.to_numpy(), "flag"] = values.loc[hit.to_numpy(), "flag"].map(
            lambda f: combine_flags([f, PARTLY_COVERED])
        )
    none = coverage[coverage["coverage"] == "none"][["cluster", "component"]]
    if none.empty or places.empty:
        return values
    missing = places.merge(none, how="cross")
    missing["employment"] = np.nan
    missing["flag"] = NOT_COVERED
    return pd.concat([values, missing], ignore_index=True)


def aggregate_cluster_employment(
    table: pd.DataFrame, clusters: Sequence[Cluster], *, not_covered: Sequence[str] = ()
) -> ClusterEmployment:
    """Employment of every cluster and component, per place and year.

    Parameters
    ----------
    table
        Employment table (``geoid, naics, year, employment, flag``).
    clusters
        Cluster definitions (:func:`valleymaps.clusters.load_clusters`).
    not_covered
        NAICS prefixes the data's source does not count
        (:attr:`~valleymaps.employment.EmploymentDataset.not_covered`).

    Returns
    -------
    ClusterEmployment

    Examples
    --------
    >>> import pandas as pd
    >>> from valleymaps.clusters import Cluster, Component
    >>> t = pd.DataFrame({"geoid": ["06019"] * 3, "naics": ["TOTAL", "211", "211111"],
    ...                   "year": [2021] * 3, "employment": [100.0, 8.0, 5.0], "flag": [""] * 3})
    >>> energy = Cluster("energy", "Energy", "", (Component("oil", "Oil", ("211",)),))
    >>> ce = aggregate_cluster_employment(t, [energy])
    >>> ce.values.query("component == ''")[["cluster", "employment"]].values.tolist()
    [['_all_clusters', 8.0], ['energy', 8.0]]
    """
    members: list[tuple[str, str, str]] = []  # (cluster, component, prefix)
    for cl in clusters:
        for comp in cl.components:
            members += [(cl.key, comp.key, p) for p in collapse_prefixes(comp.naics)]
        members += [(cl.key, WHOLE_CLUSTER, p) for p in cl.naics]
    headline = [c for c in clusters if c.in_headline]
    members += [
        (ALL_CLUSTERS, WHOLE_CLUSTER, p) for p in collapse_prefixes(p for c in headline for p in c.naics)
    ]
    member_frame = pd.DataFrame(members, columns=["cluster", "component", "prefix"])
    prefixes = sorted(member_frame["prefix"].unique())

    by_prefix = _prefix_employment(table, prefixes)
    coverage = _coverage(member_frame, not_covered)
    if not_covered:
        member_frame = member_frame[
            [not any(p.startswith(x) for x in not_covered) for p in member_frame["prefix"]]
        ]
    detailed = by_prefix[by_prefix["detailed"]].merge(member_frame, on="prefix")
    detailed_values = _sum_with_flags(detailed, ["geoid", "year", "cluster", "component"])
    if not_covered:
        places = by_prefix.loc[by_prefix["detailed"], ["geoid", "year"]].drop_duplicates()
        detailed_values = _apply_coverage(detailed_values, places, coverage)

    proxy_values = _proxy_employment(table, by_prefix, clusters)
    values = pd.concat([detailed_values, proxy_values], ignore_index=True)
    values = values.sort_values(["geoid", "year", "cluster", "component"], ignore_index=True)
    return ClusterEmployment(values=values, totals=compute_totals(table))


def aggregate_dataset_employment(
    dataset: EmploymentDataset, clusters: Sequence[Cluster], *, ownership: str = "all"
) -> ClusterEmployment:
    """:func:`aggregate_cluster_employment` of a dataset, with its source's coverage and ownership.

    Parameters
    ----------
    dataset
        The employment dataset.
    clusters
        Cluster definitions.
    ownership
        ``"all"`` (every employer) or ``"private"``: the dataset's private table where the source
        tells ownership (QCEW); other sources have only the one table.

    Notes
    -----
    Sources that classify each year by the NAICS edition in force (QCEW, County Business
    Patterns) have their NAICS 2012 and NAICS 2022 years brought to NAICS 2017, the clusters'
    edition, first (:func:`~valleymaps.analysis.naics_editions.reconcile_naics_editions`): an
    industry that was renumbered or merged counts in every year; one that split is flagged ``R``.
    Years whose edition valleymaps does not know (after
    :data:`~valleymaps.core.naics.EDITION_KNOWN_THROUGH`) keep their codes as published, and the
    log says so (a warning).
    """
    private = ownership == "private" and dataset.private is not None
    table = dataset.private if private and dataset.private is not None else dataset.table
    unknown = dataset.unknown_edition_years
    if unknown:
        log.warning(
            "employment %r: the NAICS edition of %s is not known to valleymaps (it knows %d-%d): its codes "
            "are used as published, not recoded to NAICS %d",
            dataset.name,
            format_years(unknown),
            min(EDITION_START[dataset.format].values()),
            EDITION_KNOWN_THROUGH[dataset.format],
            TARGET_EDITION,
        )
    if dataset.naics_editions:
        table = reconcile_naics_editions(table, editions=dataset.naics_editions).table
    return aggregate_cluster_employment(table, clusters, not_covered=dataset.not_covered)


def _proxy_employment(
    table: pd.DataFrame, by_prefix: pd.DataFrame, clusters: Sequence[Cluster]
) -> pd.DataFrame:
    """Sector-proxy cluster employment for place-years that only have sectors."""
    coarse = by_prefix.loc[~by_prefix["detailed"], ["geoid", "year"]].drop_duplicates()
    if coarse.empty:
        return pd.DataFrame(columns=["geoid", "year", "cluster", "component", "employment", "flag"])
    members = [(c.key, s) for c in clusters for s in c.sector_proxy]
    headline_sectors = sorted({s for c in clusters if c.in_headline for s in c.sector_proxy})
    members += [(ALL_CLUSTERS, s) for s in headline_sectors]
    member_frame = pd.DataFrame(members, columns=["cluster", "naics"])
    rows = table.merge(coarse, on=["geoid", "year"]).merge(member_frame, on="naics")
    rows["component"] = WHOLE_CLUSTER
    rows["flag"] = rows["flag"].fillna("") + "P"
    summed = _sum_with_flags(rows, ["geoid", "year", "cluster", "component"])
    # clusters without any proxy sector are unknown there, not zero
    keys = coarse.merge(
        pd.DataFrame({"cluster": [c.key for c in clusters] + [ALL_CLUSTERS]}), how="cross"
    )
    keys["component"] = WHOLE_CLUSTER
    out = keys.merge(summed, on=["geoid", "year", "cluster", "component"], how="left")
    out["flag"] = out["flag"].fillna("N")
    return out
