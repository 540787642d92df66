"""The plan's measures as vectorised formulas (pure numpy, no pandas).

Each function takes arrays (or scalars) and returns arrays; division by zero
gives NaN, never an error or an infinity.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike


def _ratio(num: ArrayLike, den: ArrayLike) -> np.ndarray:
    num_a = np.asarray(num, dtype=float)
    den_a = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num_a / den_a
    return np.where(np.isfinite(out), out, np.nan)


def share(part: ArrayLike, whole: ArrayLike) -> np.ndarray:
    """Share of ``whole`` held by ``part`` (0-1).

    >>> share([25, 0], [100, 0]).tolist()
    [0.25, nan]
    """
    return _ratio(part, whole)


def growth_rate(base: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Growth between two years as a fraction (0.1 = +10 %); NaN from a zero base.

    >>> growth_rate([100, 0], [110, 5]).tolist()
    [0.1, nan]
    """
    return _ratio(np.asarray(end, dtype=float) - np.asarray(base, dtype=float), base)


def location_quotient(
    employment: ArrayLike, total: ArrayLike, ref_employment: ArrayLike, ref_total: ArrayLike
) -> np.ndarray:
    """Location quotient: the place's share of jobs in an industry over the reference's.

    LQ > 1 means the industry is more concentrated in the place than in the
    reference area (California by default).

    >>> round(location_quotient(30, 100, 1_000, 10_000).item(), 6)
    3.0
    """
    return _ratio(share(employment, total), share(ref_employment, ref_total))


def shift_share(
    base: ArrayLike,
    end: ArrayLike,
    *,
    ref_total_growth: ArrayLike,
    ref_industry_growth: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classic shift-share decomposition of employment change.

    ``change = reference growth + industry mix + regional shift`` where

    * reference growth = base x G (G: the reference area's all-industry growth)
    * industry mix = base x (G_i - G) (G_i: the industry's growth in the reference)
    * regional shift = base x (g_i - G_i) = change - base x G_i

    Returns
    -------
    (reference_growth, industry_mix, regional_shift)
        Jobs; they add up to ``end - base``.

    >>> rg, im, rs = shift_share(100, 130, ref_total_growth=0.10, ref_industry_growth=0.20)
    >>> round(rg.item(), 6), round(im.item(), 6), round(rs.item(), 6)
    (10.0, 10.0, 10.0)
    """
    base_a = np.asarray(base, dtype=float)
    change = np.asarray(end, dtype=float) - base_a
    g_total = np.asarray(ref_total_growth, dtype=float)
    g_ind = np.asarray(ref_industry_growth, dtype=float)
    reference_growth = base_a * g_total
    industry_mix = base_a * (g_ind - g_total)
    regional_shift = change - base_a * g_ind
    return reference_growth, industry_mix, regional_shift


def rank_descending(values: ArrayLike) -> np.ndarray:
    """Rank 1 for the largest value; ties share the best rank; NaN gets no rank.

    >>> rank_descending([5, 9, np.nan, 9]).tolist()
    [3.0, 1.0, nan, 1.0]
    """
    arr = np.asarray(values, dtype=float)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if ok.any():
        sorted_desc = np.sort(arr[ok])[::-1]
        # rank = 1 + number of strictly larger values
        out[ok] = 1 + (len(sorted_desc) - np.searchsorted(sorted_desc[::-1], arr[ok], side="right"))
    return out


def compound_annual_growth(base: ArrayLike, end: ArrayLike, years: ArrayLike) -> np.ndarray:
    """Compound annual growth rate over ``years`` years (0.1 = +10 % a year).

    ``(end / base) ** (1 / years) - 1``; NaN from a zero or negative base, a
    negative end, or a span of zero years.

    >>> compound_annual_growth([100, 100, 0], [121, 100, 5], 2).round(6).tolist()
    [0.1, 0.0, nan]
    """
    base_a = np.asarray(base, dtype=float)
    end_a = np.asarray(end, dtype=float)
    years_a = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (base_a > 0) & (end_a >= 0) & (years_a > 0)
        ratio = np.where(ok, end_a / np.where(ok, base_a, 1.0), np.nan)
        out = np.power(ratio, 1.0 / np.where(ok, years_a, 1.0)) - 1.0
    return np.where(ok & np.isfinite(out), out, np.nan)
