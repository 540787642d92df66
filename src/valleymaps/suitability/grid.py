"""The analysis grid: California Albers cells snapped to the region's bounds.

Every factor, constraint and result of a suitability run lives on one grid.
Its origin is a multiple of the cell size, so grids of the same resolution
over overlapping regions line up cell for cell, and the region's bounding box
is covered completely.

Examples
--------
>>> from shapely.geometry import box
>>> import geopandas as gpd
>>> region = gpd.GeoSeries([box(1_050, 2_020, 1_990, 2_930)], crs="EPSG:3310")
>>> grid = make_grid(region, resolution=100)
>>> grid.width, grid.height, grid.bounds
(10, 10, (1000.0, 2000.0, 2000.0, 3000.0))
>>> [w.height for w in grid.strips(4)]
[4, 4, 2]
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from affine import Affine
from pyproj import CRS
from rasterio.windows import Window

from valleymaps import settings
from valleymaps.errors import AnalysisError, ConfigError
from valleymaps.suitability import defaults

if TYPE_CHECKING:  # geopandas is heavy; the overlay needs a grid, not a GeoDataFrame
    import geopandas as gpd

#: Finest and coarsest resolutions accepted (metres).
MIN_RESOLUTION_M = 1.0
MAX_RESOLUTION_M = 10_000.0


@dataclass(frozen=True)
class AnalysisGrid:
    """A north-up grid of square cells.

    Attributes
    ----------
    transform
        Affine transform of the top-left corner (``Affine(res, 0, x0, 0, -res, y0)``).
    width, height
        Columns and rows.
    crs
        Coordinate reference system (California Albers).
    """

    transform: Affine
    width: int
    height: int
    crs: CRS

    @property
    def resolution(self) -> float:
        """Cell size in metres."""
        return float(self.transform.a)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.height, self.width)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in the grid's CRS."""
        x0, y0 = self.transform.c, self.transform.f
        return (x0, y0 - self.height * self.resolution, x0 + self.width * self.resolution, y0)

    @property
    def cell_acres(self) -> float:
        """Area of one cell in acres."""
        return self.resolution**2 / defaults.M2_PER_ACRE

    def window_transform(self, window: Window) -> Affine:
        """Transform of the top-left corner of ``window``."""
        return self.transform @ Affine.translation(window.col_off, window.row_off)

    def strips(self, rows: int | None = None) -> Iterator[Window]:
        """Full-width windows of ``rows`` rows (the last may be shorter), top to bottom."""
        step = rows or defaults.STRIP_ROWS
        for row in range(0, self.height, step):
            yield Window(0, row, self.width, min(step, self.height - row))

    def profile(self, *, dtype: str = "float32", nodata: float | None = float("nan")) -> dict[str, Any]:
        """A rasterio profile for a single-band raster on this grid."""
        return {
            "driver": "GTiff",
            "width": self.width,
            "height": self.height,
            "count": 1,
            "dtype": dtype,
            "crs": self.crs,
            "transform": self.transform,
            "nodata": nodata,
        }

    def coarsen(self, factor: int) -> AnalysisGrid:
        """The grid of ``factor`` x ``factor`` blocks (edge blocks may be partial)."""
        return AnalysisGrid(
            transform=self.transform @ Affine.scale(factor),
            width=math.ceil(self.width / factor),
            height=math.ceil(self.height / factor),
            crs=self.crs,
        )


def check_resolution(resolution: float) -> float:
    """Return ``resolution`` as a float, or raise a clear error if it is unusable."""
    try:
        value = float(resolution)
    except (TypeError, ValueError):
        raise ConfigError(
            f"resolution {resolution!r} is not a number of metres; give e.g. 100 or 30."
        ) from None
    if not math.isfinite(value) or not MIN_RESOLUTION_M <= value <= MAX_RESOLUTION_M:
        raise ConfigError(
            f"resolution {resolution!r} m is out of range: give a cell size between "
            f"{MIN_RESOLUTION_M:g} and {MAX_RESOLUTION_M:g} metres (default {defaults.RESOLUTION_M:g}; "
            "30 for site-level detail)."
        )
    return value


def check_grid_size(grid: AnalysisGrid, *, n_factors: int = 1, force: bool = False) -> None:
    """Refuse a grid above :data:`~valleymaps.settings.SUITABILITY_MAX_CELLS` unless ``force``.

    The message gives the cells and the estimated memory and disk, and the resolution that fits.

    >>> from shapely.geometry import box
    >>> import geopandas as gpd
    >>> region = gpd.GeoSeries([box(0, 0, 400_000, 400_000)], crs="EPSG:3310")
    >>> check_grid_size(make_grid(region, resolution=30))
    >>> check_grid_size(make_grid(region, resolution=1))
    Traceback (most recent call last):
    ...
    valleymaps.errors.ConfigError: a 1 m grid over the region has 160,000,000,000 cells ...
    """
    cells = grid.width * grid.height
    if cells <= settings.SUITABILITY_MAX_CELLS or force:
        return
    memory = cells * settings.SUITABILITY_BYTES_PER_CELL
    disk = cells * 4 * (2 * max(n_factors, 1) + 2)
    fitting = grid.resolution * math.sqrt(cells / settings.SUITABILITY_MAX_CELLS)
    raise ConfigError(
        f"a {grid.resolution:g} m grid over the region has {cells:,} cells "
        f"({grid.width:,} x {grid.height:,}): about {_gb(memory)} of memory and {_gb(disk)} of disk, "
        f"above the limit of {settings.SUITABILITY_MAX_CELLS:,} cells "
        "(valleymaps.settings.SUITABILITY_MAX_CELLS). "
        f"Give --resolution {math.ceil(fitting)} or coarser, or pass --force to run it anyway."
    )


def _gb(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:,.1f} GB"


def make_grid(region: gpd.GeoSeries | gpd.GeoDataFrame, *, resolution: float | None = None) -> AnalysisGrid:
    """The analysis grid covering ``region``.

    Parameters
    ----------
    region
        The region's polygons, any CRS (reprojected to California Albers).
    resolution
        Cell size in metres; default :data:`~valleymaps.suitability.defaults.RESOLUTION_M`.

    Returns
    -------
    AnalysisGrid
        Origin and far corner snapped outward to multiples of ``resolution``.

    Raises
    ------
    AnalysisError
        If the region is empty.
    """
    res = check_resolution(defaults.RESOLUTION_M if resolution is None else resolution)
    if region.crs is None:
        raise AnalysisError("the region has no coordinate reference system; set one before making a grid")
    geoms = region.to_crs(settings.ANALYSIS_CRS)
    geoms = geoms[~(geoms.geometry.is_empty | geoms.geometry.isna())]
    if geoms.empty:
        raise AnalysisError("the region has no polygons; cannot lay out an analysis grid")
    minx, miny, maxx, maxy = (float(v) for v in geoms.total_bounds)
    eps = 1e-6  # of a cell: coordinates a reprojection round trip left a hair off a multiple
    x0 = math.floor(minx / res + eps) * res
    y0 = math.floor(miny / res + eps) * res
    x1 = math.ceil(maxx / res - eps) * res
    y1 = math.ceil(maxy / res - eps) * res
    width = max(1, round((x1 - x0) / res))
    height = max(1, round((y1 - y0) / res))
    return AnalysisGrid(
        transform=Affine(res, 0.0, x0, 0.0, -res, y1),
        width=width,
        height=height,
        crs=CRS.from_user_input(settings.ANALYSIS_CRS),
    )
