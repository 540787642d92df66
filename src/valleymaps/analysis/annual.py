"""Cluster metrics for every year of the data: the annual series behind trend lines.

Pure computation over :class:`~valleymaps.analysis.cluster_employment.ClusterEmployment`
(no files, no network). :func:`compute_annual_metrics` gives, for every place, cluster,
component and year, the jobs, the share of all jobs, the location quotient and the change
from the year before; :func:`compute_span_growth` the compound annual growth between any two
years of such a series. Shift-share over a chosen span is
:func:`~valleymaps.analysis.metrics.compute_cluster_metrics` with ``base_year``/``end_year``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from valleymaps.analysis import indicators
from valleymaps.analysis.cluster_employment import ClusterEmployment
from valleymaps.analysis.metrics import LEVELS, _with_region, merge_flag_columns
from valleymaps.errors import AnalysisError

log = logging.getLogger(__name__)

#: Columns of :func:`compute_annual_metrics`, in order.
ANNUAL_COLUMNS: tuple[str, ...] = (
    "geoid", "level", "cluster", "component", "year", "employment", "total", "share", "lq",
    "yoy_change", "yoy_growth", "flag", "reference",
)  # fmt: skip

#: Metrics of the annual series that a map can show year by year.
ANNUAL_METRICS: tuple[str, ...] = ("employment", "share", "lq", "yoy_change")


def compute_annual_metrics(
    cluster_employment: ClusterEmployment,
    *,
    region_counties: Mapping[str, str],
    reference_geoid: str = "06",
    region_geoid: str = "SJV",
) -> pd.DataFrame:
    """Jobs, share, location quotient and year-over-year change for every year present.

    Parameters
    ----------
    cluster_employment
        Output of :func:`~valleymaps.analysis.cluster_employment.aggregate_cluster_employment`.
    region_counties
        County GEOIDs of the region; tracts are kept when their county is one of them.
    reference_geoid
        Place the location quotients compare with (California, ``"06"``); when the data lack
        it, the region (the ``reference`` column says which).
    region_geoid
        GEOID given to the region's rows (the sum of its counties, flagged ``I`` where some
        are missing).

    Returns
    -------
    pandas.DataFrame
        One row per (geoid, cluster, component, year) with the columns of
        :data:`ANNUAL_COLUMNS`: ``share`` (0-1) of the place's jobs in that year, ``lq``
        against the reference in the same year, ``yoy_change`` (jobs) and ``yoy_growth``
        (fraction) against the year before, NaN when that year is not in the data.

    Examples
    --------
    >>> import pandas as pd
    >>> from valleymaps.analysis.cluster_employment import ClusterEmployment
    >>> v = pd.DataFrame({"geoid": ["06019", "06019", "06", "06"], "year": [2020, 2021] * 2,
    ...                   "cluster": "energy", "component": "", "employment": [10.0, 12, 100, 100],
    ...                   "flag": ""})
    >>> t = pd.DataFrame({"geoid": ["06019", "06019", "06", "06"], "year": [2020, 2021] * 2,
    ...                   "employment": [100.0, 100, 1000, 1000], "flag": ""})
    >>> m = compute_annual_metrics(ClusterEmployment(v, t), region_counties={"06019": "Fresno"})
    >>> m.query("geoid == '06019'")[["year", "lq", "yoy_change"]].values.tolist()
    [[2020.0, 1.0, nan], [2021.0, 1.2, 2.0]]
    """
    values = cluster_employment.values
    totals = cluster_employment.totals
    if values.empty:
        raise AnalysisError("the employment data have no years")
    region_list = list(region_counties)

    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["geoid"].str[:5].isin(region_list) | (frame["geoid"] == reference_geoid)]

    keys = ["year", "cluster", "component"]
    values = _with_region(keep(values), keys, region_counties, region_geoid)
    totals = _with_region(keep(totals), ["year"], region_counties, region_geoid)
    totals = totals.rename(columns={"employment": "total", "flag": "total_flag"})
    out = values.merge(totals, on=["geoid", "year"], how="left")

    ref_id = reference_geoid if (out["geoid"] == reference_geoid).any() else region_geoid
    if ref_id != reference_geoid:
        log.warning("no data for reference %s: location quotients compare with the region", reference_geoid)
    ref = out.loc[out["geoid"] == ref_id, [*keys, "employment", "total"]].rename(
        columns={"employment": "ref_employment", "total": "ref_total"}
    )
    out = out.merge(ref, on=keys, how="left")
    out["share"] = indicators.share(out["employment"], out["total"])
    out["lq"] = indicators.location_quotient(
        out["employment"], out["total"], out["ref_employment"], out["ref_total"]
    )

    ids = ["geoid", "cluster", "component"]
    previous = out[[*ids, "year", "employment"]].copy()
    previous["year"] = previous["year"] + 1
    out = out.merge(previous.rename(columns={"employment": "employment_prev"}), on=[*ids, "year"], how="left")
    out["yoy_change"] = out["employment"] - out["employment_prev"]
    out["yoy_growth"] = indicators.growth_rate(out["employment_prev"], out["employment"])

    out["flag"] = merge_flag_columns(out, ["flag", "total_flag"])
    out["level"] = out["geoid"].str.len().map(LEVELS)
    out.loc[out["geoid"] == region_geoid, "level"] = "region"
    out["reference"] = ref_id
    out["year"] = out["year"].astype(int)
    result = out[list(ANNUAL_COLUMNS)].sort_values(
        ["cluster", "component", "level", "geoid", "year"], ignore_index=True
    )
    log.info(
        "computed annual metrics for %d places x %d clusters x %d years",
        result["geoid"].nunique(),
        result["cluster"].nunique(),
        result["year"].nunique(),
    )
    return result


def compute_span_growth(annual: pd.DataFrame, *, base_year: int, end_year: int) -> pd.DataFrame:
    """Change, growth and compound annual growth between two years of an annual series.

    Parameters
    ----------
    annual
        Output of :func:`compute_annual_metrics` (any frame with ``geoid, cluster,
        component, year, employment``).
    base_year, end_year
        The span; both must be in the data and ``base_year < end_year``.

    Returns
    -------
    pandas.DataFrame
        One row per (geoid, cluster, component): ``base_year``, ``end_year``,
        ``employment_base``, ``employment``, ``change``, ``growth_rate`` and ``cagr``
        (compound annual growth, a fraction a year).

    Examples
    --------
    >>> a = pd.DataFrame({"geoid": "06019", "cluster": "energy", "component": "",
    ...                   "year": [2011, 2013], "employment": [100.0, 121.0]})
    >>> compute_span_growth(a, base_year=2011, end_year=2013)["cagr"].round(6).tolist()
    [0.1]
    """
    years = sorted(int(y) for y in annual["year"].unique())
    for y in (base_year, end_year):
        if y not in years:
            raise AnalysisError(f"no employment for {y}; the data have {', '.join(map(str, years))}")
    if base_year >= end_year:
        raise AnalysisError(f"the span {base_year}–{end_year} must start before it ends; swap the years.")
    ids = ["geoid", "cluster", "component"]
    base = annual.loc[annual["year"] == base_year, [*ids, "employment"]]
    end = annual.loc[annual["year"] == end_year, [*ids, "employment"]]
    out = end.merge(base.rename(columns={"employment": "employment_base"}), on=ids, how="outer")
    out.insert(3, "base_year", base_year)
    out.insert(4, "end_year", end_year)
    out["change"] = out["employment"] - out["employment_base"]
    out["growth_rate"] = indicators.growth_rate(out["employment_base"], out["employment"])
    out["cagr"] = indicators.compound_annual_growth(
        out["employment_base"], out["employment"], np.full(len(out), end_year - base_year)
    )
    return out[[*ids, "base_year", "end_year", "employment_base", "employment", "change",
                "growth_rate", "cagr"]].reset_index(drop=True)  # fmt: skip
