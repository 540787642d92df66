"""Weighted overlay: factor scores (0-1) times their weights, summed to a 0-100 suitability.

The inputs are read one strip of rows at a time (aligned with their tiles),
so memory holds two strip-sized buffers whatever the grid's size; GDAL's
threads decompress and compress while numpy does the arithmetic in place.
A cell with no score in any factor, or excluded by the mask, gets no
suitability (NaN).

Optionally the overlay also returns the suitability averaged over blocks of
``block_factor`` x ``block_factor`` cells (a block with any cell without a
value has none): the grid candidate sites are searched on.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import rasterio
from pyproj import CRS
from rasterio.windows import Window

from valleymaps.errors import AnalysisError, Problem, ValidationError
from valleymaps.suitability import defaults
from valleymaps.suitability.cog import GridRasterWriter, gdal_env
from valleymaps.suitability.grid import AnalysisGrid

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


@dataclass
class OverlayResult:
    """What :func:`weighted_overlay` wrote and found.

    Attributes
    ----------
    path
        The suitability COG (0-100, NaN where excluded).
    grid
        Its grid.
    scored_cells
        Cells with a suitability.
    minimum, maximum, mean
        Of the suitability over scored cells (NaN when there are none).
    blocks
        Block means (``block_factor`` > 0), else None.
    block_factor
        Cells per block side.
    """

    path: Path
    grid: AnalysisGrid
    scored_cells: int
    minimum: float
    maximum: float
    mean: float
    blocks: npt.NDArray[np.float32] | None = None
    block_factor: int = 0


def check_weights(weights: Mapping[str, float], *, source: str = "weights") -> None:
    """Raise a clear error unless ``weights`` are 0-100 and add up to 100.

    >>> check_weights({"rail": 60, "water": 30})
    Traceback (most recent call last):
    ...
    valleymaps.errors.ValidationError: weights: 1 problem found
      - the weights add up to 90, not 100 (rail 60, water 30). Change them so they add up to 100.
    """
    problems = [
        Problem(f"weight of '{k}' must be between 0 and 100 (found {w!r}).")
        for k, w in weights.items()
        if not (isinstance(w, int | float) and math.isfinite(w) and 0 <= w <= 100)
    ]
    total = sum(float(w) for w in weights.values() if isinstance(w, int | float))
    if not problems and abs(total - 100.0) > 1e-6:
        listing = ", ".join(f"{k} {w:g}" for k, w in weights.items())
        problems.append(
            Problem(
                f"the weights add up to {total:g}, not 100 ({listing}). Change them so they add up to 100."
            )
        )
    if problems:
        raise ValidationError(source, problems)


def grid_of(src: Any) -> AnalysisGrid:
    """The :class:`AnalysisGrid` of an open raster."""
    return AnalysisGrid(transform=src.transform, width=src.width, height=src.height, crs=CRS(src.crs))


class _BlockMeans:
    """Means of ``factor`` x ``factor`` blocks, fed strip by strip (any strip height)."""

    def __init__(self, grid: AnalysisGrid, factor: int):
        self.factor = factor
        self.width = grid.width
        coarse = grid.coarsen(factor)
        self.out = np.full(coarse.shape, np.nan, dtype=np.float32)
        self._pending = np.zeros((0, grid.width), dtype=np.float32)
        self._row = 0
        self._full_cols = (grid.width // factor) * factor

    def feed(self, values: npt.NDArray[np.float32]) -> None:
        rows = np.concatenate([self._pending, values]) if len(self._pending) else values
        k = self.factor
        n = (len(rows) // k) * k
        if n:
            block = rows[:n, : self._full_cols].reshape(n // k, k, self._full_cols // k, k)
            means = block.mean(axis=(1, 3), dtype=np.float64).astype(np.float32)
            self.out[self._row : self._row + n // k, : self._full_cols // k] = means
            self._row += n // k
        self._pending = rows[n:].copy()


def _read_float(src: Any, window: Window, out: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    src.read(1, window=window, out=out)
    nodata = src.nodata
    if nodata is not None and not math.isnan(nodata):
        out[out == np.float32(nodata)] = np.nan
    return out


def weighted_overlay(
    layers: Mapping[str, PathLike],
    weights: Mapping[str, float],
    out_path: PathLike,
    *,
    exclude: PathLike | None = None,
    block_factor: int = 0,
    rows: int | None = None,
    description: str = "Suitability (0-100)",
    tags: Mapping[str, Any] | None = None,
    cog: bool = True,
) -> OverlayResult:
    """Sum weighted factor scores into a suitability raster (0-100), strip by strip.

    Parameters
    ----------
    layers
        Factor key -> raster of scores 0-1 (NaN or the file's nodata = no score).
        All on the same grid.
    weights
        Factor key -> weight (percent; they add up to 100).
    out_path
        Suitability COG to write (float32, NaN where excluded).
    exclude
        Optional uint8 raster on the same grid: cells that are not 0 are excluded.
    block_factor
        Also return block means of this many cells a side (0: no).
    rows
        Rows per strip (default: the first input's tile height, at least
        :data:`~valleymaps.suitability.defaults.STRIP_ROWS`).
    description, tags
        Band description and metadata of the output.
    cog
        Write a Cloud-optimised GeoTIFF (default) or a plain tiled GeoTIFF.

    Returns
    -------
    OverlayResult

    Raises
    ------
    ValidationError
        If the weights are not 0-100 or do not add up to 100, or a layer has no weight.
    AnalysisError
        If the inputs are not on one grid.
    """
    missing = sorted(set(layers) - set(weights))
    if missing:
        raise ValidationError("weights", [Problem(f"no weight for layer '{k}'.") for k in missing])
    check_weights({k: weights[k] for k in layers})
    keys = [k for k in layers if weights[k] > 0]
    if not keys:
        raise ValidationError("weights", [Problem("every weight is 0: nothing to overlay.")])
    with gdal_env(), contextlib.ExitStack() as stack:
        srcs = {k: stack.enter_context(rasterio.open(layers[k])) for k in keys}
        first = srcs[keys[0]]
        grid = grid_of(first)
        mask_src = stack.enter_context(rasterio.open(exclude)) if exclude is not None else None
        for key, src in [*srcs.items(), *([("exclusion mask", mask_src)] if mask_src is not None else [])]:
            if (src.width, src.height) != (grid.width, grid.height) or not src.transform.almost_equals(
                grid.transform
            ):
                raise AnalysisError(
                    f"{src.name} ({key}) is not on the grid of {first.name}: {src.width}x{src.height} cells "
                    f"at {src.transform.c:.1f}, {src.transform.f:.1f} vs {grid.width}x{grid.height} at "
                    f"{grid.transform.c:.1f}, {grid.transform.f:.1f}. Write every factor on one grid."
                )
        step = rows or max(defaults.STRIP_ROWS, int(first.block_shapes[0][0]))
        acc = np.empty((step, grid.width), dtype=np.float32)
        buf = np.empty((step, grid.width), dtype=np.float32)
        mbuf = np.empty((step, grid.width), dtype=np.uint8)
        flags = np.empty((step, grid.width), dtype=bool)
        blocks = _BlockMeans(grid, block_factor) if block_factor > 0 else None
        n = 0
        total = 0.0
        lo, hi = math.inf, -math.inf
        with GridRasterWriter(out_path, grid, description=description, tags=tags, cog=cog) as writer:
            for window in grid.strips(step):
                h = window.height
                a, b = acc[:h], buf[:h]
                for i, key in enumerate(keys):
                    target = a if i == 0 else b
                    _read_float(srcs[key], window, target)
                    np.multiply(target, np.float32(weights[key]), out=target)
                    if i:
                        np.add(a, b, out=a)
                f = flags[:h]
                if mask_src is not None:
                    m = mbuf[:h]
                    mask_src.read(1, window=window, out=m)
                    np.not_equal(m, 0, out=f)
                    np.copyto(a, np.float32(np.nan), where=f)
                writer.write(window, a)
                # running statistics without copies: fmin/fmax skip NaN, the sum skips them by mask
                np.isnan(a, out=f)
                count = a.size - int(np.count_nonzero(f))
                if count:
                    np.logical_not(f, out=f)
                    n += count
                    total += float(np.add.reduce(a, axis=None, dtype=np.float64, where=f))
                    lo = min(lo, float(np.fmin.reduce(a, axis=None)))
                    hi = max(hi, float(np.fmax.reduce(a, axis=None)))
                if blocks is not None:
                    blocks.feed(a)
    log.info("weighted overlay of %d factors: %d scored cells -> %s", len(keys), n, out_path)
    return OverlayResult(
        path=Path(out_path),
        grid=grid,
        scored_cells=n,
        minimum=lo if n else math.nan,
        maximum=hi if n else math.nan,
        mean=total / n if n else math.nan,
        blocks=blocks.out if blocks is not None else None,
        block_factor=block_factor,
    )
