"""Candidate sites: contiguous suitable areas, ranked by mean score, kept apart.

Pure computation on a suitability array (NaN = excluded) and its transform:

1. cells at or above the threshold (a score, or the best ``top_percent`` %
   of the scored cells) form areas of 8-connected cells;
2. areas smaller than ``min_acres`` are dropped; areas up to ``max_acres``
   are candidates as they are; a larger area is split into candidates of at
   most ``max_acres``, each grown from the best cell not yet taken (always
   adding the best neighbouring cell, within 1.5 times the radius of a
   circle of ``max_acres`` around that cell, so sites stay compact), and land
   within ``min_distance_m`` of a candidate is not used for the next one;
3. candidates are ranked by mean suitability (ties: larger first) and
   accepted in that order unless closer than ``min_distance_m`` (edge to
   edge) to a site already accepted.

Examples
--------
>>> import numpy as np
>>> from affine import Affine
>>> from valleymaps.suitability.profile import SiteRules
>>> score = np.full((20, 20), 10.0, dtype="float32")
>>> score[2:5, 2:5] = 90.0     # the best area: 9 cells
>>> score[12:16, 12:16] = 70.0  # second: 16 cells
>>> found = find_sites(score, transform=Affine(100, 0, 0, 0, -100, 2000), crs="EPSG:3310",
...                    rules=SiteRules(count=5, min_acres=10, max_acres=100, min_distance_m=0, threshold=60))
>>> found.sites["score"].tolist(), found.sites["cells"].tolist()
([90.0, 70.0], [9, 16])
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from affine import Affine
from rasterio import features
from scipy import ndimage
from shapely.geometry import shape

from valleymaps.suitability import defaults
from valleymaps.suitability.profile import SiteRules

log = logging.getLogger(__name__)

_EIGHT = np.ones((3, 3), dtype=bool)
_NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@dataclass
class _Piece:
    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    mean: float
    minimum: float

    @property
    def cells(self) -> int:
        return len(self.rows)


@dataclass
class SiteSearch:
    """Result of :func:`find_sites`.

    Attributes
    ----------
    sites
        Accepted sites, best first: ``rank``, ``score`` (mean suitability),
        ``score_min``, ``cells``, ``area_acres``, geometry (the grid's CRS).
        Holds up to ``alternates`` more than ``rules.count``; ``selected``
        marks the first ``rules.count``.
    threshold
        Suitability a cell had to reach.
    candidates
        Areas considered (before spacing).
    """

    sites: gpd.GeoDataFrame
    threshold: float
    candidates: int


def site_threshold(score: npt.NDArray[np.float32], rules: SiteRules) -> float:
    """The suitability a site's cells must reach: the rule's, or the top-percent cut."""
    if rules.threshold is not None:
        return float(rules.threshold)
    valid = score[np.isfinite(score)]
    if valid.size == 0:
        return math.nan
    return float(np.percentile(valid, 100.0 - rules.top_percent, overwrite_input=True))


def _grow(
    seed: int,
    member: npt.NDArray[np.bool_],
    taken: npt.NDArray[np.bool_],
    score: npt.NDArray[np.float32],
    limit: int,
) -> tuple[list[int], list[int]]:
    """Grow an area from ``seed`` (flat index), always adding the best free neighbour.

    Cells farther from the seed than :data:`~valleymaps.suitability.defaults.SITE_SHAPE_FACTOR`
    times the radius of a circle of ``limit`` cells are not added, so a site stays compact
    (a parcel, not a ribbon along a road).
    """
    h, w = member.shape
    r0, c0 = divmod(seed, w)
    reach2 = (defaults.SITE_SHAPE_FACTOR * math.sqrt(limit / math.pi) + 0.5) ** 2
    rows: list[int] = []
    cols: list[int] = []
    heap = [(-float(score[r0, c0]), r0, c0)]
    queued = {(r0, c0)}
    while heap and len(rows) < limit:
        _, r, c = heapq.heappop(heap)
        rows.append(r)
        cols.append(c)
        for dr, dc in _NEIGHBOURS:
            rr, cc = r + dr, c + dc
            if (
                0 <= rr < h
                and 0 <= cc < w
                and member[rr, cc]
                and not taken[rr, cc]
                and (rr, cc) not in queued
                and (rr - r0) ** 2 + (cc - c0) ** 2 <= reach2
            ):
                queued.add((rr, cc))
                heapq.heappush(heap, (-float(score[rr, cc]), rr, cc))
    return rows, cols


def _block_around(taken: npt.NDArray[np.bool_], rows: list[int], cols: list[int], radius: float) -> None:
    """Mark cells within ``radius`` cells of the piece as taken."""
    r_min, r_max, c_min, c_max = min(rows), max(rows), min(cols), max(cols)
    pad = math.ceil(radius)
    h, w = taken.shape
    y0, y1 = max(0, r_min - pad), min(h, r_max + pad + 1)
    x0, x1 = max(0, c_min - pad), min(w, c_max + pad + 1)
    local = np.ones((y1 - y0, x1 - x0), dtype=bool)
    local[np.asarray(rows) - y0, np.asarray(cols) - x0] = False
    dist = ndimage.distance_transform_edt(local)
    taken[y0:y1, x0:x1] |= dist <= radius


def _surroundings(
    score: npt.NDArray[np.float32], slc: tuple[slice, slice], side: int
) -> npt.NDArray[np.float32]:
    """Mean suitability of a ``side``-cell square around each cell of ``score[slc]`` (excluded cells count 0).

    It breaks ties between equally suitable cells in favour of those inside good land.
    """
    pad = side // 2 + 1
    r0, r1 = max(0, slc[0].start - pad), min(score.shape[0], slc[0].stop + pad)
    c0, c1 = max(0, slc[1].start - pad), min(score.shape[1], slc[1].stop + pad)
    window = score[r0:r1, c0:c1]
    filled = np.where(np.isfinite(window), window, np.float32(0)).astype(np.float32)
    smooth = ndimage.uniform_filter(filled, size=side, mode="constant")
    inner = smooth[slc[0].start - r0 : slc[0].stop - r0, slc[1].start - c0 : slc[1].stop - c0]
    return np.round(inner, 3)


def _kth_smallest(values: npt.NDArray[Any], k: int) -> Any:
    """``np.partition(values, k)[k]``, without partitioning when the smallest value takes the
    first ``k + 1`` places (a plateau of equal scores, where introselect is slow).

    >>> _kth_smallest(np.array([3.0, 1.0, 1.0, 2.0]), 1), _kth_smallest(np.array([3.0, 1.0, 2.0]), 1)
    (np.float64(1.0), np.float64(2.0))
    """
    low = values.min()
    if low == low and np.count_nonzero(values == low) > k:  # (NaN: partition places it last)
        return low
    return np.partition(values, k)[k]


def _best_first(
    cells: npt.NDArray[np.intp],
    primary: npt.NDArray[Any],
    ties: Callable[[npt.NDArray[np.intp]], tuple[npt.NDArray[Any], ...]],
    *,
    block: int = 65_536,
) -> Iterator[npt.NDArray[np.intp]]:
    """``cells`` ordered by ``primary``, then by the keys ``ties(cells)`` gives, a block at a time.

    The order of ``np.lexsort((*ties(cells), primary))`` (the last of the tie keys first after
    ``primary``), but a block of the best (smallest ``primary``) cells is sorted only when the
    one before is used up, and the tie keys are computed for that block only: a site search
    stops long before the end of a large area, and sorting all of it was most of its time.
    A plateau (a large area of one suitability) is taken apart the same way on its tie keys.
    """
    remaining = np.arange(len(cells))
    while remaining.size:
        candidates = primary[remaining]
        if remaining.size <= 2 * block:
            chosen = cells[remaining]
            yield chosen[np.lexsort((*ties(chosen), candidates))]
            return
        cut = _kth_smallest(candidates, block)
        if cut != cut:  # NaN: what is left has no order but lexsort's
            chosen = cells[remaining]
            yield chosen[np.lexsort((*ties(chosen), candidates))]
            return
        below = candidates < cut
        if below.any():
            chosen = cells[remaining[below]]
            yield chosen[np.lexsort((*ties(chosen), candidates[below]))]
        tied = cells[remaining[candidates == cut]]  # in the cells' order
        yield from _ordered_blocks(tied, list(reversed(ties(tied))), block)
        remaining = remaining[~(candidates <= cut)]  # NaNs stay for the end, as lexsort puts them


def _ordered_blocks(
    cells: npt.NDArray[np.intp], keys: list[npt.NDArray[Any]], block: int
) -> Iterator[npt.NDArray[np.intp]]:
    """``cells`` ordered by ``keys`` (most significant first; full ties keep the cells' order),
    a block at a time: only the best block is sorted, the rest split again on the keys."""
    pos = np.arange(len(cells))
    while pos.size:
        if not keys:
            yield cells[pos]
            return
        if pos.size <= 2 * block:
            yield cells[pos[np.lexsort([k[pos] for k in reversed(keys)])]]
            return
        first = keys[0][pos]
        cut = _kth_smallest(first, block)
        if cut != cut:
            yield cells[pos[np.lexsort([k[pos] for k in reversed(keys)])]]
            return
        below = pos[first < cut]
        if below.size:
            yield cells[below[np.lexsort([k[below] for k in reversed(keys)])]]
        tied = pos[first == cut]
        yield from _ordered_blocks(cells[tied], [k[tied] for k in keys[1:]], block)
        pos = pos[~(first <= cut)]


def _free_seeds(
    blocks: Iterable[npt.NDArray[np.intp]], taken_flat: npt.NDArray[np.bool_], chunk: int = 4096
) -> Iterator[int]:
    """The cells of ``blocks`` (in order) not taken yet when their turn comes.

    The same seeds as testing ``taken`` cell by cell, but the taken runs are skipped in chunks
    (a large area has far more cells than pieces).
    """
    for order in blocks:
        i = 0
        while i < len(order):
            free = np.flatnonzero(~taken_flat[order[i : i + chunk]])
            if free.size == 0:
                i += chunk
                continue
            i += int(free[0])
            yield int(order[i])
            i += 1


def _split_area(
    member: npt.NDArray[np.bool_],
    score: npt.NDArray[np.float32],
    *,
    min_cells: int,
    max_cells: int,
    spacing_cells: float,
    limit: int,
    surroundings: npt.NDArray[np.float32],
    origin: tuple[int, int],
) -> list[_Piece]:
    """Split one large area into pieces grown from its best free cells.

    Seeds go best cell first; among cells of equal suitability, the one whose
    surroundings (a site-sized neighbourhood) score higher goes first, then a
    fixed pseudo-random order, so a plateau of equal scores is not carved from
    its north-west corner onwards.
    """
    taken = np.zeros_like(member)
    flat = np.flatnonzero(member)
    w = member.shape[1]

    def ties(cells: npt.NDArray[np.intp]) -> tuple[npt.NDArray[Any], ...]:
        rows_g, cols_g = divmod(cells, w)
        scatter = ((rows_g + origin[0]) * 73_856_093) ^ ((cols_g + origin[1]) * 19_349_663)
        return scatter % 1_000_003, -surroundings.ravel()[cells]

    order = _best_first(flat, -score.ravel()[flat], ties)
    pieces: list[_Piece] = []
    taken_flat = taken.reshape(-1)  # a view: growing and blocking mark it too
    for seed in _free_seeds(order, taken_flat):
        rows, cols = _grow(int(seed), member, taken, score, max_cells)
        ra, ca = np.asarray(rows), np.asarray(cols)
        taken[ra, ca] = True
        if len(rows) >= min_cells:
            vals = score[ra, ca]
            pieces.append(_Piece(ra, ca, float(vals.mean(dtype=np.float64)), float(vals.min())))
            if spacing_cells > 0:
                _block_around(taken, rows, cols, spacing_cells)
            if len(pieces) >= limit:
                break
    return pieces


def _polygon(piece: _Piece, transform: Affine) -> shapely.Geometry:
    r0, c0 = int(piece.rows.min()), int(piece.cols.min())
    h = int(piece.rows.max()) - r0 + 1
    w = int(piece.cols.max()) - c0 + 1
    mask = np.zeros((h, w), dtype=np.uint8)
    mask[piece.rows - r0, piece.cols - c0] = 1
    local = transform @ Affine.translation(c0, r0)
    parts = [
        shape(geom) for geom, value in features.shapes(mask, mask=mask.astype(bool), transform=local) if value
    ]
    return shapely.union_all(parts)


def find_sites(
    score: npt.NDArray[np.float32],
    *,
    transform: Affine,
    crs: object,
    rules: SiteRules,
    alternates: int | None = None,
) -> SiteSearch:
    """Find candidate sites on a suitability array.

    Parameters
    ----------
    score
        Suitability (0-100), NaN where excluded; square cells.
    transform
        Affine transform of ``score`` (metres).
    crs
        CRS of the transform (for the output geometry).
    rules
        Count, sizes, spacing and threshold.
    alternates
        Extra sites beyond ``rules.count`` kept for the sensitivity check
        (default: as many again as ``rules.count``).

    Returns
    -------
    SiteSearch
    """
    cell = abs(float(transform.a))
    cell_acres = cell * cell / defaults.M2_PER_ACRE
    min_cells = max(1, math.ceil(rules.min_acres / cell_acres - 1e-9))
    max_cells = max(min_cells, math.floor(rules.max_acres / cell_acres + 1e-9))
    spacing = rules.min_distance_m / cell
    wanted = rules.count + (rules.count if alternates is None else alternates)
    threshold = site_threshold(score, rules)
    columns = ["rank", "score", "score_min", "cells", "area_acres", "selected"]
    empty = gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=crs)
    if not math.isfinite(threshold):
        log.warning("no scored cells: no candidate sites")
        return SiteSearch(empty, threshold, 0)
    with np.errstate(invalid="ignore"):
        qualifying = np.isfinite(score) & (score >= np.float32(threshold))
    side = max(3, 2 * round(math.sqrt(max_cells / math.pi)) + 1)
    labels, n_areas = ndimage.label(qualifying, structure=_EIGHT)
    sizes = np.bincount(labels.ravel(), minlength=n_areas + 1)
    slices = ndimage.find_objects(labels)
    pieces: list[_Piece] = []
    for label in range(1, n_areas + 1):
        if sizes[label] < min_cells:
            continue
        slc = slices[label - 1]
        assert slc is not None
        member = labels[slc] == label
        local = score[slc]
        if sizes[label] <= max_cells:
            rr, cc = np.nonzero(member)
            vals = local[rr, cc]
            pieces.append(
                _Piece(
                    rr + slc[0].start,
                    cc + slc[1].start,
                    float(vals.mean(dtype=np.float64)),
                    float(vals.min()),
                )
            )
        else:
            for p in _split_area(
                member,
                local,
                min_cells=min_cells,
                max_cells=max_cells,
                spacing_cells=spacing,
                limit=wanted,
                surroundings=_surroundings(score, slc, side),
                origin=(slc[0].start, slc[1].start),
            ):
                pieces.append(_Piece(p.rows + slc[0].start, p.cols + slc[1].start, p.mean, p.minimum))
    pieces.sort(key=lambda p: (-p.mean, -p.cells, int(p.rows.min()), int(p.cols.min())))
    accepted: list[tuple[_Piece, shapely.Geometry]] = []
    for piece in pieces:
        geom = _polygon(piece, transform)
        if rules.min_distance_m > 0 and accepted:
            others = np.array([g for _, g in accepted], dtype=object)
            if (shapely.distance(geom, others) < rules.min_distance_m - 1e-6).any():
                continue
        accepted.append((piece, geom))
        if len(accepted) >= wanted:
            break
    log.info(
        "sites: %d qualifying areas at suitability >= %.1f, %d candidates, %d kept",
        n_areas,
        threshold,
        len(pieces),
        len(accepted),
    )
    if not accepted:
        return SiteSearch(empty, threshold, len(pieces))
    sites = gpd.GeoDataFrame(
        {
            "rank": np.arange(1, len(accepted) + 1),
            "score": [round(p.mean, 4) for p, _ in accepted],
            "score_min": [round(p.minimum, 4) for p, _ in accepted],
            "cells": [p.cells for p, _ in accepted],
            "area_acres": [p.cells * cell_acres for p, _ in accepted],
            "selected": [i < rules.count for i in range(len(accepted))],
        },
        geometry=[g for _, g in accepted],
        crs=crs,
    )
    return SiteSearch(sites, threshold, len(pieces))
