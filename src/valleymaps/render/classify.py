"""Classify values for a choropleth and colour the classes.

Schemes are looked up by name, forgivingly (case, spaces, ``-`` and ``_`` are
ignored): ``quantiles``, ``natural_breaks`` (also ``jenks``), ``equal_interval``
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

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from valleymaps import settings
from valleymaps.errors import ClassificationError

_SCHEMES: dict[str, str] = {
    "quantiles": "Quantiles",
    "quantile": "Quantiles",
    "naturalbreaks": "NaturalBreaks",
    "jenks": "NaturalBreaks",
    "fisherjenks": "NaturalBreaks",
    "equalinterval": "EqualInterval",
    "userdefined": "UserDefined",
    "user": "UserDefined",
}

SCHEME_NAMES: tuple[str, ...] = ("quantiles", "natural_breaks", "equal_interval", "user_defined")


def resolve_scheme(name: str) -> str:
    """mapclassify class name for a scheme name given by a user.

    >>> resolve_scheme("Natural Breaks"), resolve_scheme("QUANTILES")
    ('NaturalBreaks', 'Quantiles')
    """
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    try:
        return _SCHEMES[key]
    except KeyError:
        raise ClassificationError(
            f"unknown classification scheme {name!r}; use one of: {', '.join(SCHEME_NAMES)}"
        ) from None


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


def _mapclassify_breaks(
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
    import mapclassify  # slow to import (several seconds): only when a map is classified

    with warnings.catch_warnings():
        # ties (most places with no investment: many zeros) leave fewer quantiles than distinct
        # values; mapclassify then makes fewer classes, which is what we document, and says so
        warnings.filterwarnings("ignore", message="Not enough unique values", category=UserWarning)
        classifier = getattr(mapclassify, scheme)(values, k=k)
    return sorted({float(b) for b in classifier.bins})


def _sample(cmap_name: str, positions: npt.ArrayLike) -> list[str]:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps[cmap_name]
    return [to_hex(cmap(float(p))) for p in np.asarray(positions, dtype=float)]


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
    upper = _mapclassify_breaks(arr, scheme_cls, k, breaks)
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
