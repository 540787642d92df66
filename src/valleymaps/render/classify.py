"""Classify values for a choropleth and colour the classes.

Schemes are looked up by name, forgivingly (case, spaces, ``-`` and ``_`` are
ignored): ``quantiles``, ``natural_breaks`` (also ``jenks``: Fisher–Jenks, exact), ``equal_interval``
and ``user_defined`` (with ``breaks``). Sizes get a sequential palette;
measures with a meaningful centre (LQ = 1, change = 0) a diverging one whose
middle falls exactly on the centre. Both palettes are colour-blind safe
(ColorBrewer YlGnBu and PuOr).

>>> c = classify_values([1, 2, 3, 4, 5, 6, 7, 8], scheme="Equal-Interval", k=4)
>>> [round(b, 2) for b in c.breaks]
[2.75, 4.5, 6.25, 8.0]
>>> c.class_of([1, 8, float("nan")]).tolist()
[0, 3, -1]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from valleymaps import settings
from valleymaps.core.schemes import resolve_scheme
from valleymaps.errors import ClassificationError

if TYPE_CHECKING:
    from matplotlib.colors import Colormap


@dataclass(frozen=True)
class Classification:
    """Class breaks and colours for one map layer.

    ``breaks`` are the upper bounds of the classes (the last is the maximum);
    ``lower`` the minimum of the data.
    """

    lower: float
    breaks: tuple[float, ...]
    colors: tuple[str, ...]
    scheme: str
    center: float | None = None

    def class_of(self, values: npt.ArrayLike) -> np.ndarray:
        """Class index per value (-1 for missing values)."""
        arr = np.asarray(values, dtype=float)
        idx = np.searchsorted(np.asarray(self.breaks), arr, side="left")
        idx = np.minimum(idx, len(self.breaks) - 1)
        return np.where(np.isnan(arr), -1, idx).astype(int)

    def labels(self, fmt: Callable[[float], str]) -> list[str]:
        """Legend labels such as ``"1,200 – 3,400"``."""
        lows = [self.lower, *self.breaks[:-1]]
        return [f"{fmt(lo)} – {fmt(hi)}" for lo, hi in zip(lows, self.breaks, strict=True)]


def _class_breaks(
    values: np.ndarray, scheme: str, k: int, breaks: Sequence[float] | None
) -> list[float]:
    if scheme == "UserDefined":
        if not breaks:
            raise ClassificationError("the user_defined scheme needs breaks, e.g. --breaks 0.5,1,2")
        ordered = sorted(float(b) for b in breaks)
        if ordered[-1] < values.max():
            ordered.append(float(values.max()))
        return ordered
    k = max(1, min(k, len(np.unique(values))))
    if k == 1:
        return [float(values.max())]
    if scheme == "FisherJenks":
        return fisher_jenks_breaks(values, k=k)
    if scheme == "Quantiles":
        return quantile_breaks(values, k=k)
    if scheme == "EqualInterval":
        return equal_interval_breaks(values, k=k)
    raise ClassificationError(f"no classifier for scheme {scheme!r}")


def _score_at_percentile(ordered: npt.NDArray[np.float64], percent: float) -> float:
    """The value at ``percent`` of sorted ``ordered``, interpolated between neighbours.

    The arithmetic of ``scipy.stats.scoreatpercentile`` (which mapclassify's quantiles use),
    step by step, so the breaks are the same to the last bit.
    """
    idx = percent / 100.0 * (len(ordered) - 1)
    i = int(idx)
    if i == idx:
        return float(ordered[i])
    weights = np.array([(i + 1) - idx, idx - i], dtype=float)
    return float(np.add.reduce(ordered[i : i + 2] * weights) / weights.sum())


def quantile_breaks(values: npt.ArrayLike, *, k: int) -> list[float]:
    """Upper bounds of ``k`` classes holding about as many values each (fewer on ties).

    The breaks of mapclassify's ``Quantiles`` without importing it (mapclassify pulls in
    scipy.stats and scikit-learn: seconds of every build).

    >>> quantile_breaks(range(1000), k=4)
    [249.75, 499.5, 749.25, 999.0]
    >>> quantile_breaks([0, 0, 0, 0, 5], k=4)
    [0.0, 5.0]
    """
    ordered = np.sort(np.asarray(values, dtype=float).ravel())
    width = 100.0 / k
    percents = np.arange(width, 100 + width, width)
    if percents[-1] > 100.0:
        percents[-1] = 100.0
    return sorted({_score_at_percentile(ordered, float(p)) for p in percents})


def equal_interval_breaks(values: npt.ArrayLike, *, k: int) -> list[float]:
    """Upper bounds of ``k`` classes of equal width from the minimum to the maximum.

    The breaks of mapclassify's ``EqualInterval`` without importing it.

    >>> equal_interval_breaks([1, 2, 3, 4, 5, 6, 7, 8], k=4)
    [2.75, 4.5, 6.25, 8.0]
    """
    arr = np.asarray(values, dtype=float).ravel()
    top, bottom = max(arr), min(arr)
    width = (top - bottom) * 1.0 / k
    cuts = np.arange(bottom + width, top + width, width)
    if len(cuts) > k:  # the last step can overshoot the maximum
        cuts = cuts[0:k]
    cuts[-1] = top
    return sorted({float(b) for b in cuts})


def fisher_jenks_breaks(values: npt.ArrayLike, *, k: int) -> list[float]:
    """Upper bounds of the ``k`` classes that minimise the within-class sum of squares.

    The exact Fisher–Jenks optimum (dynamic programming over the distinct values weighted by
    their counts), so the same data give the same breaks on every run; mapclassify's
    ``FisherJenks`` computes the same breaks but needs numba to be fast.

    >>> fisher_jenks_breaks([1, 2, 3, 10, 11, 12, 30, 31, 32], k=3)
    [3.0, 12.0, 32.0]
    """
    x, counts = np.unique(np.asarray(values, dtype=float), return_counts=True)
    n = len(x)
    k = max(1, min(int(k), n))
    centred = x - x.mean()  # less cancellation in the sums of squares
    w = counts.astype(float)
    cw = np.concatenate([[0.0], np.cumsum(w)])
    cx = np.concatenate([[0.0], np.cumsum(w * centred)])
    cxx = np.concatenate([[0.0], np.cumsum(w * centred * centred)])
    # cost[j, i]: least sum of squares of the first i distinct values in j classes;
    # start[j, i]: where the last of those classes starts. The best start never decreases
    # with i (1-D k-means), so each layer is solved by divide and conquer, one level of
    # the recursion at a time for all intervals at once: O(k n log n).
    cost = np.full((k + 1, n + 1), np.inf)
    cost[0, 0] = 0.0
    start = np.zeros((k + 1, n + 1), dtype=int)
    for j in range(1, k + 1):
        lo, hi = np.array([j]), np.array([n])
        opt_lo, opt_hi = np.array([j - 1]), np.array([n - 1])
        while len(lo):
            mid = (lo + hi) // 2
            first = np.maximum(opt_lo, j - 1)
            last = np.minimum(opt_hi, mid - 1)
            sizes = last - first + 1
            task = np.repeat(np.arange(len(mid)), sizes)
            offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            m = first[task] + np.arange(len(task)) - offsets[task]
            i = mid[task]
            s = cx[i] - cx[m]
            total = cost[j - 1, m] + np.maximum((cxx[i] - cxx[m]) - s * s / (cw[i] - cw[m]), 0.0)
            least = np.minimum.reduceat(total, offsets)
            hits = np.flatnonzero(total <= least[task])
            _, pick = np.unique(task[hits], return_index=True)
            best = m[hits[pick]]
            cost[j, mid] = least
            start[j, mid] = best
            left = lo <= mid - 1
            right = mid + 1 <= hi
            lo = np.concatenate([lo[left], mid[right] + 1])
            hi = np.concatenate([mid[left] - 1, hi[right]])
            opt_lo, opt_hi = (
                np.concatenate([opt_lo[left], best[right]]),
                np.concatenate([best[left], opt_hi[right]]),
            )
    breaks: list[float] = []
    i = n
    for j in range(k, 0, -1):
        breaks.append(float(x[i - 1]))
        i = int(start[j, i])
    return sorted(breaks)


def _sample(cmap_name: str, positions: npt.ArrayLike) -> list[str]:
    return [_colour_at(cmap_name, float(p)) for p in np.asarray(positions, dtype=float)]


@functools.lru_cache(maxsize=4096)
def _colour_at(cmap_name: str, position: float) -> str:
    """The hex colour at ``position`` (0-1) of a matplotlib colour map (each map built once:
    ``colormaps[name]`` gives a new copy, which fills its lookup table again when first used)."""
    from matplotlib.colors import to_hex

    return to_hex(_colour_map(cmap_name)(position))


@functools.lru_cache(maxsize=64)
def _colour_map(cmap_name: str) -> Colormap:
    from matplotlib import colormaps

    return colormaps[cmap_name]


def classify_values(
    values: npt.ArrayLike,
    *,
    scheme: str | None = None,
    k: int | None = None,
    breaks: Sequence[float] | None = None,
    center: float | None = None,
) -> Classification:
    """Classify ``values`` and colour the classes.

    Parameters
    ----------
    values
        The data (NaN are ignored: they are the no-data class).
    scheme
        Scheme name (see module docstring); default :data:`settings.DEFAULT_SCHEME`.
    k
        Number of classes (fewer when the data have fewer distinct values).
    breaks
        Upper class bounds for the ``user_defined`` scheme.
    center
        Centre of a diverging measure: a break is put exactly there and the
        classes on each side get the two halves of a diverging palette.
    """
    scheme_cls = resolve_scheme(scheme or settings.DEFAULT_SCHEME)
    k = k or settings.DEFAULT_CLASSES
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return Classification(
            lower=math.nan,
            breaks=(math.nan,),
            colors=(settings.NO_DATA_COLOR,),
            scheme=scheme_cls,
            center=center,
        )
    upper = _class_breaks(arr, scheme_cls, k, breaks)
    lower = float(arr.min())
    if center is None:
        n = len(upper)
        positions = np.linspace(0.2, 0.9, n) if n > 1 else [0.6]
        colors = _sample(settings.SEQUENTIAL_CMAP, positions)
        return Classification(lower, tuple(upper), tuple(colors), scheme_cls)

    below = [b for b in upper if b < center]
    above = [b for b in upper if b > center]
    if lower < center:
        below = [*below, center]
    upper = sorted(set(below + above)) or [float(center)]  # every value sits on the centre
    n_low = sum(1 for b in upper if b <= center)
    n_high = len(upper) - n_low
    # darkest far from the centre, lightest next to it
    low_pos = np.linspace(0.05, 0.4, n_low) if n_low > 1 else [0.35] * n_low
    high_pos = np.linspace(0.6, 0.95, n_high) if n_high > 1 else [0.65] * n_high
    colors = _sample(settings.DIVERGING_CMAP, [*low_pos, *high_pos])
    return Classification(lower, tuple(upper), tuple(colors), scheme_cls, center)
