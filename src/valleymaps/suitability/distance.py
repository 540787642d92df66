"""Exact Euclidean distance transform, streamed by blocks of rows, with a distance cap.

SciPy's ``distance_transform_edt`` holds the whole grid, its feature indices
and float64 temporaries in memory (about 33 bytes a cell: 3.3 GB for
10,000 x 10,000). Distances beyond a cap are of no use to a suitability
factor, which lets the transform run a block at a time: a cell's nearest
feature closer than the cap lies within ``cap`` cells of it, so a block of
rows computed together with ``cap`` rows above and below (its halo) gets
every distance up to the cap exactly. Farther cells get the cap.

Each block is transformed by the ``edt`` package (Felzenszwalb & Huttenlocher's
linear-time algorithm, float32, multi-threaded), which needs about 5 bytes a
cell. Blocks are sized to hold at most ``max_cells`` cells (halo included);
on grids too wide for that they are split into column tiles with a halo on
every side. Feature rows are burned once and kept in a rolling buffer.

Examples
--------
>>> import numpy as np
>>> features = np.zeros((5, 6), dtype=np.uint8)
>>> features[2, 3] = 1
>>> stream = DistanceStream(lambda row0, nrows: features[row0:row0 + nrows], width=6, height=5,
...                         cap_cells=2.5, rows=2)
>>> np.vstack([stream.read(0, 2), stream.read(2, 2), stream.read(4, 1)]).round(2)[:, 1:]
array([[2.5 , 2.24, 2.  , 2.24, 2.5 ],
       [2.24, 1.41, 1.  , 1.41, 2.24],
       [2.  , 1.  , 0.  , 1.  , 2.  ],
       [2.24, 1.41, 1.  , 1.41, 2.24],
       [2.5 , 2.24, 2.  , 2.24, 2.5 ]], dtype=float32)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import edt
import numpy as np
import numpy.typing as npt

from valleymaps.compute.executor import task_threads

#: ``burn(row0, nrows)`` -> uint8 array (nrows, width): 1 where a feature is.
BurnFunction = Callable[[int, int], npt.NDArray[np.uint8]]

#: Cells transformed at once (halo included): about 5 bytes each, so ~200 MB.
MAX_CELLS = 40_000_000


def _threads() -> int:
    return task_threads(limit=8)  # a Dask worker's share, else every CPU (at most 8)


class DistanceStream:
    """Distances to feature cells, one strip of rows at a time, top to bottom.

    Parameters
    ----------
    burn
        ``burn(row0, nrows)`` returns the feature cells (uint8, 1 = feature)
        of rows ``row0`` to ``row0 + nrows``; each row is asked for once.
    width, height
        Grid size in cells.
    cap_cells
        Distances above this (in cells) are returned as the cap.
    rows
        Strip height the caller reads (blocks are whole multiples of it).
    scale
        Multiplier of the output (the cell size, for metres).
    max_cells
        Most cells transformed at once (sets block and tile sizes).
    start_row
        First row read (a strip task's first row): the feature rows of its halo above it are
        burned too, so its distances are those of a stream started at row 0.

    Notes
    -----
    :meth:`read` must be called for consecutive strips from ``start_row``.
    """

    def __init__(
        self,
        burn: BurnFunction,
        *,
        width: int,
        height: int,
        cap_cells: float,
        rows: int = 512,
        scale: float = 1.0,
        max_cells: int = MAX_CELLS,
        start_row: int = 0,
    ):
        if cap_cells <= 0:
            raise ValueError("cap_cells must be above 0")
        self._burn = burn
        self.rows = rows
        self._chunk: tuple[int, npt.NDArray[np.uint8]] | None = None
        self.width = width
        self.height = height
        self.cap = float(cap_cells)
        self.halo = math.ceil(cap_cells) + 1
        self.scale = float(scale)
        span = max_cells // max(1, width) - 2 * self.halo
        self.block_rows = max(rows, (span // rows) * rows) if span > 0 else rows
        tall = self.block_rows + 2 * self.halo
        if tall * width <= max_cells:
            self.tile_cols = width
        else:
            self.tile_cols = max(256, max_cells // tall - 2 * self.halo)
        self._buffer = np.zeros((0, width), dtype=np.uint8)
        self._buffer_row = max(0, start_row - self.halo)  # the halo above the first block
        self._block = np.zeros((0, width), dtype=np.float32)
        self._block_row = start_row
        self._next_row = start_row

    def _burn_aligned(self, row0: int, row1: int) -> npt.NDArray[np.uint8]:
        """Feature rows ``row0:row1``, burned in chunks of ``rows`` rows aligned on row 0.

        Rasterizing a line over another window can touch other cells (its clipped vertices fall
        elsewhere), so every stream burns the same chunks whatever rows it starts from: a strip
        task then sees exactly the features one pass over the grid sees.
        """
        pieces = []
        for c in range((row0 // self.rows) * self.rows, row1, self.rows):
            n = min(self.rows, self.height - c)
            if self._chunk is None or self._chunk[0] != c:
                chunk = np.asarray(self._burn(c, n), dtype=np.uint8)
                if chunk.shape != (n, self.width):
                    raise ValueError(f"burn returned shape {chunk.shape}, expected {(n, self.width)}")
                self._chunk = (c, chunk)
            pieces.append(self._chunk[1][max(row0, c) - c : min(row1, c + n) - c])
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def _features(self, row0: int, row1: int) -> npt.NDArray[np.uint8]:
        """Feature rows ``row0:row1`` (burning new rows, dropping rows above ``row0``)."""
        have = self._buffer_row + len(self._buffer)
        if row1 > have:
            burned = self._burn_aligned(have, row1)
            self._buffer = np.concatenate([self._buffer, burned]) if len(self._buffer) else burned
        drop = row0 - self._buffer_row
        if drop > 0:
            self._buffer = self._buffer[drop:]
            self._buffer_row = row0
        return self._buffer[: row1 - row0]

    def _compute_block(self, row0: int) -> None:
        row1 = min(self.height, row0 + self.block_rows)
        top, bottom = max(0, row0 - self.halo), min(self.height, row1 + self.halo)
        features = self._features(top, bottom)
        cap = np.float32(self.cap * self.scale)
        if self.tile_cols >= self.width:  # one tile: serve the strips straight from the transform's output
            background = (features == 0).view(np.uint8)
            if background.all():
                self._block = np.full((row1 - row0, self.width), cap, dtype=np.float32)
            else:
                dist = edt.edt(background, anisotropy=(self.scale, self.scale), parallel=_threads())
                del background
                np.minimum(dist, cap, out=dist)
                self._block = dist[row0 - top : row1 - top]
            self._block_row = row0
            return
        out = np.empty((row1 - row0, self.width), dtype=np.float32)
        for col0 in range(0, self.width, self.tile_cols):
            col1 = min(self.width, col0 + self.tile_cols)
            left, right = max(0, col0 - self.halo), min(self.width, col1 + self.halo)
            background = np.ascontiguousarray(features[:, left:right] == 0, dtype=np.uint8)
            if not background.all():
                dist = edt.edt(background, anisotropy=(self.scale, self.scale), parallel=_threads())
                np.minimum(
                    dist[row0 - top : row1 - top, col0 - left : col1 - left], cap, out=out[:, col0:col1]
                )
            else:
                out[:, col0:col1] = cap
        self._block = out
        self._block_row = row0

    def read(self, row0: int, nrows: int) -> npt.NDArray[np.float32]:
        """Distances of rows ``row0`` to ``row0 + nrows`` (float32, capped)."""
        if row0 != self._next_row:
            raise ValueError(f"strips must be read in order: expected row {self._next_row}, got {row0}")
        nrows = min(nrows, self.height - row0)
        pieces = []
        row, end = row0, row0 + nrows
        while row < end:
            if row >= self._block_row + len(self._block):
                self._compute_block(row)
            take = min(end, self._block_row + len(self._block)) - row
            pieces.append(self._block[row - self._block_row : row - self._block_row + take])
            row += take
        self._next_row = end
        return pieces[0].copy() if len(pieces) == 1 else np.concatenate(pieces)
