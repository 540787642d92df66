"""Cluster metrics per place: size, share, growth, location quotient, shift-share, rank.

Pure computation over :class:`~valleymaps.analysis.cluster_employment.ClusterEmployment`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from valleymaps.analysis import indicators
from valleymaps.analysis.cluster_employment import ClusterEmployment, _sum_with_flags
from valleymaps.errors import AnalysisError
from valleymaps.flags import combine_flags

log = logging.getLogger(__name__)

LEVELS: dict[int, str] = {2: "state", 5: "county", 11: "tract"}

#: Metric columns that get a rank (1 = highest) within their level.
RANKED_METRICS: tuple[str, ...] = (
    "employment", "share", "change", "growth_rate", "lq", "ss_regional_shift",
)  # fmt: skip



def merge_flag_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Per row, the union of the flags in ``columns`` (``""`` where none is set).

    Vectorised: the flag texts are concatenated column by column and each distinct
    concatenation is combined once (a row-wise join was seconds of a large build).

    >>> merge_flag_columns(pd.DataFrame({"a": ["D", None, ""], "b": ["G", "D", None]}), ["a", "b"]).tolist()
    ['DG', 'D', '']
    """
    joined = pd.Series("", index=frame.index, dtype=object)
    for column in columns:
        joined = joined + frame[column].fillna("").astype(str).to_numpy(dtype=object)
    combined = {text: combine_flags([text]) if text else "" for text in joined.unique()}
    return joined.map(combined).astype(str)


def _with_region(
    frame: pd.DataFrame, keys: list[str], region_counties: Mapping[str, str], region_geoid: str
) -> pd.DataFrame:
    """Append region rows: the sum of the region's counties (flag I if any is missing)."""
    counties = frame[frame["geoid"].isin(list(region_counties))]
    if counties.empty:
        return frame
    region = _sum_with_flags(counties, keys)
    present = counties.groupby(keys)["geoid"].nunique().reset_index(name="n")
    region = region.merge(present, on=keys)
    short = region["n"] < len(region_counties)
    region.loc[short, "flag"] = region.loc[short, "flag"].map(lambda f: combine_flags([f, "I"]))
    if short.any():
        log.warning(
            "region totals are incomplete: data cover fewer than %d counties in %d rows",
            len(region_counties),
            int(short.sum()),
        )
    region["geoid"] = region_geoid
    return pd.concat([frame, region.drop(columns="n")], ignore_index=True)


def _pick_years(years: list[int], base_year: int | None, end_year: int | None) -> tuple[int, int | None]:
    if not years:
        raise AnalysisError("the employment data have no years")
    end = end_year if end_year is not None else max(years)
    if end not in years:
        raise AnalysisError(f"no employment for {end}; the data have {', '.join(map(str, years))}")
    base = base_year if base_year is not None else (min(years) if min(years) != end else None)
    if base is not None and base not in years:
        raise AnalysisError(f"no employment for {base}; the data have {', '.join(map(str, years))}")
    return end, base


def compute_cluster_metrics(
    cluster_employment: ClusterEmployment,
    *,
    region_counties: Mapping[str, str],
    reference_geoid: str = "06",
    region_geoid: str = "SJV",
    base_year: int | None = None,
    end_year: int | None = None,
) -> pd.DataFrame:
    """Metrics per place, cluster and component between two years.

    Parameters
    ----------
    cluster_employment
        Output of :func:`aggregate_cluster_employment`.
    region_counties
        County GEOIDs of the region (their names are not used here).
    reference_geoid
        Place the location quotients and shift-share compare against
        (California, ``"06"``). When the data lack it, the region is used and
        the ``reference`` column says so.
    region_geoid
        GEOID given to the region's rows.
    base_year, end_year
        Years to compare; default the earliest and latest in the data. With a
        single year, change, growth and shift-share are NaN.

    Returns
    -------
    pandas.DataFrame
        One row per (geoid, cluster, component) with ``level`` (tract, county,
        region, state), ``year``, ``base_year``, ``employment``,
        ``employment_base``, ``total``, ``total_base``, ``share`` (0-1),
        ``change``, ``growth_rate`` (fraction), ``cagr`` (compound annual growth
        over the span, a fraction a year), ``lq``, ``lq_base``,
        ``ss_reference_growth``, ``ss_industry_mix``, ``ss_regional_shift``,
        ``flag``, ``reference`` and ``rank_<metric>`` for the ranked metrics
        (1 = highest among places of the same level).
    """
    values = cluster_employment.values
    totals = cluster_employment.totals
    years = sorted(int(y) for y in values["year"].unique())
    end, base = _pick_years(years, base_year, end_year)
    keys = ["year", "cluster", "component"]
    region_list = list(region_counties)
    keep = values["geoid"].str[:5].isin(region_list) | (values["geoid"] == reference_geoid)
    values = _with_region(values[keep], keys, region_counties, region_geoid)
    totals = _with_region(
        totals[totals["geoid"].str[:5].isin(region_list) | (totals["geoid"] == reference_geoid)],
        ["year"],
        region_counties,
        region_geoid,
    )

    def at(frame: pd.DataFrame, year: int | None, suffix: str) -> pd.DataFrame:
        if year is None:
            return frame.iloc[0:0].drop(columns="year").rename(
                columns={"employment": f"employment{suffix}", "flag": f"flag{suffix}"}
            )
        sub = frame[frame["year"] == year].drop(columns="year")
        return sub.rename(columns={"employment": f"employment{suffix}", "flag": f"flag{suffix}"})

    ids = ["geoid", "cluster", "component"]
    out = at(values, end, "").merge(at(values, base, "_base"), on=ids, how="left")
    tot = at(totals, end, "").rename(columns={"employment": "total", "flag": "total_flag"})
    tot_base = at(totals, base, "_base").rename(
        columns={"employment_base": "total_base", "flag_base": "total_flag_base"}
    )
    out = out.merge(tot, on="geoid", how="left").merge(tot_base, on="geoid", how="left")

    ref_id = reference_geoid if (out["geoid"] == reference_geoid).any() else region_geoid
    if ref_id != reference_geoid:
        log.warning("no data for reference %s: location quotients compare with the region", reference_geoid)
    ref = out[out["geoid"] == ref_id][
        ["cluster", "component", "employment", "employment_base", "total", "total_base"]
    ].rename(columns=lambda c: c if c in ("cluster", "component") else f"ref_{c}")
    out = out.merge(ref, on=["cluster", "component"], how="left")

    out["level"] = out["geoid"].str.len().map(LEVELS)
    out.loc[out["geoid"] == region_geoid, "level"] = "region"
    out["year"] = end
    out["base_year"] = base if base is not None else np.nan
    out["reference"] = ref_id

    out["share"] = indicators.share(out["employment"], out["total"])
    out["change"] = out["employment"] - out["employment_base"]
    out["growth_rate"] = indicators.growth_rate(out["employment_base"], out["employment"])
    out["cagr"] = indicators.compound_annual_growth(
        out["employment_base"], out["employment"], out["year"] - out["base_year"]
    )
    out["lq"] = indicators.location_quotient(
        out["employment"], out["total"], out["ref_employment"], out["ref_total"]
    )
    out["lq_base"] = indicators.location_quotient(
        out["employment_base"], out["total_base"], out["ref_employment_base"], out["ref_total_base"]
    )
    rg, im, rs = indicators.shift_share(
        out["employment_base"],
        out["employment"],
        ref_total_growth=indicators.growth_rate(out["ref_total_base"], out["ref_total"]),
        ref_industry_growth=indicators.growth_rate(out["ref_employment_base"], out["ref_employment"]),
    )
    out["ss_reference_growth"], out["ss_industry_mix"], out["ss_regional_shift"] = rg, im, rs
    flag_cols = [c for c in ("flag", "flag_base", "total_flag", "total_flag_base") if c in out]
    out["flag"] = merge_flag_columns(out, flag_cols)

    groups = out.groupby(["level", "cluster", "component"])
    for metric in RANKED_METRICS:
        # same rule as indicators.rank_descending: 1 = largest, ties share the best rank, NaN unranked
        out[f"rank_{metric}"] = groups[metric].rank(method="min", ascending=False)
    columns = [
        "geoid", "level", "cluster", "component", "year", "base_year", "employment",
        "employment_base", "total", "total_base", "share", "change", "growth_rate", "cagr", "lq",
        "lq_base", "ss_reference_growth", "ss_industry_mix", "ss_regional_shift", "flag",
        "reference", *[f"rank_{m}" for m in RANKED_METRICS],
    ]  # fmt: skip
    result = out[columns].sort_values(["cluster", "component", "level", "geoid"], ignore_index=True)
    log.info(
        "computed metrics for %d places x %d clusters (%s vs %s)",
        result["geoid"].nunique(),
        result["cluster"].nunique(),
        end,
        base,
    )
    return result
