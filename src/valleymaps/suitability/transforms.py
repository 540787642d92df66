"""Transforms from a factor's values to scores on a common 0-1 scale (1 = most suitable).

Pure functions over numpy arrays: NaN (no value) stays NaN, and
:func:`apply_transform` then gives those cells the factor's ``missing`` score
if it has one.

Examples
--------
>>> import numpy as np
>>> from valleymaps.suitability.profile import TransformSpec
>>> values = np.array([0.0, 5.0, 10.0, 20.0, np.nan])
>>> apply_transform(values, TransformSpec("linear", low=0, high=10)).tolist()
[0.0, 0.5, 1.0, 1.0, nan]
>>> apply_transform(values, TransformSpec("inverse", low=0, high=10)).tolist()
[1.0, 0.5, 0.0, 0.0, nan]
>>> apply_transform(values, TransformSpec("thresholds", breaks=(5, 15), scores=(0.25, 0.5, 1.0))).tolist()
[0.25, 0.5, 0.5, 1.0, nan]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from valleymaps.suitability.profile import TransformSpec

FloatArray = npt.NDArray[np.float32]


def linear(values: npt.ArrayLike, low: float, high: float) -> FloatArray:
    """0 at or below ``low``, rising in a straight line to 1 at or above ``high``."""
    v = np.asarray(values, dtype=np.float32)
    out = (v - np.float32(low)) / np.float32(high - low)
    return np.clip(out, 0.0, 1.0, out=out)


def inverse(values: npt.ArrayLike, low: float, high: float) -> FloatArray:
    """1 at or below ``low``, falling in a straight line to 0 at or above ``high``."""
    v = np.asarray(values, dtype=np.float32)
    out = (np.float32(high) - v) / np.float32(high - low)
    return np.clip(out, 0.0, 1.0, out=out)


def gaussian(values: npt.ArrayLike, ideal: float, spread: float) -> FloatArray:
    """``exp(-(v - ideal)^2 / (2 spread^2))``: 1 at the ideal value, 0.61 one spread away."""
    v = np.asarray(values, dtype=np.float32)
    z = (v - np.float32(ideal)) / np.float32(spread)
    out = np.exp(np.float32(-0.5) * z * z)
    return out.astype(np.float32, copy=False)


def thresholds(values: npt.ArrayLike, breaks: Sequence[float], scores: Sequence[float]) -> FloatArray:
    """Score of the class each value falls in.

    Classes are ``v < breaks[0]``, ``breaks[0] <= v < breaks[1]``, ...,
    ``v >= breaks[-1]``; ``scores`` has one more entry than ``breaks``.
    """
    v = np.asarray(values, dtype=np.float32)
    table = np.asarray(scores, dtype=np.float32)
    idx = np.searchsorted(np.asarray(breaks, dtype=np.float32), v, side="right")
    out = table[np.minimum(idx, len(table) - 1)]
    out[np.isnan(v)] = np.nan
    return out


def categories(
    codes: npt.ArrayLike,
    labels: Sequence[str],
    scores: dict[str, float],
    *,
    default: float | None = None,
) -> FloatArray:
    """Score of each cell's category.

    Parameters
    ----------
    codes
        Category codes: an index into ``labels``, or the category value itself
        when ``labels`` is empty (for example land-cover classes of a raster).
    labels
        Category names for the codes (from a polygon layer's column).
    scores
        Category name (or value written as text, ``"11"``) -> score.
    default
        Score of categories missing from ``scores``; NaN when ``None``.
    """
    v = np.asarray(codes, dtype=np.float32)
    out = np.full(v.shape, np.nan if default is None else default, dtype=np.float32)
    if labels:
        for code, label in enumerate(labels):
            if label in scores:
                out[v == code] = scores[label]
    else:
        for label, score in scores.items():
            try:
                value = float(label)
            except ValueError:
                continue
            out[v == np.float32(value)] = score
    out[np.isnan(v)] = np.nan
    return out


def apply_transform(
    values: npt.ArrayLike,
    spec: TransformSpec,
    *,
    labels: Sequence[str] = (),
    missing: float | None = None,
) -> FloatArray:
    """Scores (0-1, float32) of ``values`` under ``spec``.

    Parameters
    ----------
    values
        A factor's values (NaN = no value).
    spec
        The transform.
    labels
        Category names when ``values`` hold category codes.
    missing
        Score of cells without a value; ``None`` leaves them NaN (excluded).
    """
    if spec.kind == "linear":
        out = linear(values, spec.low, spec.high)  # type: ignore[arg-type]
    elif spec.kind == "inverse":
        out = inverse(values, spec.low, spec.high)  # type: ignore[arg-type]
    elif spec.kind == "gaussian":
        out = gaussian(values, spec.ideal, spec.spread)  # type: ignore[arg-type]
    elif spec.kind == "thresholds":
        out = thresholds(values, spec.breaks, spec.scores)
    elif spec.kind == "categories":
        out = categories(values, labels, dict(spec.categories), default=spec.default)
    elif spec.kind == "identity":
        out = np.clip(np.asarray(values, dtype=np.float32), 0.0, 1.0)
    else:  # pragma: no cover - profiles are validated
        raise ValueError(f"unknown transform {spec.kind!r}")
    if missing is not None:
        out = np.where(np.isnan(out), np.float32(missing), out).astype(np.float32, copy=False)
    return out
