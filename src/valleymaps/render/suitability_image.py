"""Suitability rasters as images: a web overlay (Web Mercator PNG) and colour scales.

Pure functions over in-memory arrays; reading the raster (at a reduced size)
is :func:`valleymaps.workflows.suitability_outputs.read_preview`'s job.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from affine import Affine
from matplotlib import colormaps
from matplotlib.colors import to_hex
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import calculate_default_transform, reproject

from valleymaps import settings
from valleymaps.render.png import indexed_png

WEB_MERCATOR = "EPSG:3857"
_TRANSPARENT = 255


@dataclass(frozen=True)
class OverlayImage:
    """A PNG to lay over a web map.

    Attributes
    ----------
    png
        The image (palette PNG; cells without a value are transparent).
    bounds
        ``((south, west), (north, east))`` in degrees, as Leaflet wants them.
    width, height
        Pixels.
    """

    png: bytes
    bounds: tuple[tuple[float, float], tuple[float, float]]
    width: int
    height: int

    def data_uri(self) -> str:
        """The image as a ``data:`` URI (a page that needs no side files)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def color_stops(cmap: str | None = None, n: int = 11) -> list[str]:
    """``n`` hex colours evenly spaced along the suitability colour map (0 to 100)."""
    cm = colormaps[cmap or settings.SUITABILITY_COLORMAP]
    return [to_hex(cm(i / (n - 1))) for i in range(n)]


def palette_png(values: npt.NDArray[np.floating], *, cmap: str | None = None) -> bytes:
    """Encode suitability (0-100, NaN = none) as a palette PNG: 101 colours plus transparency."""
    cm = colormaps[cmap or settings.SUITABILITY_COLORMAP]
    index = np.full(values.shape, _TRANSPARENT, dtype=np.uint8)
    finite = np.isfinite(values)
    index[finite] = np.clip(np.rint(values[finite]), 0, 100).astype(np.uint8)
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[:101] = (np.array([cm(i / 100.0)[:3] for i in range(101)]) * 255).round().astype(np.uint8)
    return indexed_png(index, palette, transparent=_TRANSPARENT)


#: The source cell of each Web Mercator pixel, by source grid (shape, transform, CRS): every
#: profile of an atlas has the same grid, and a process warps it once.
_NEAREST: dict[tuple[object, ...], tuple[npt.NDArray[np.int64], Affine]] = {}


def _nearest_cells(
    shape: tuple[int, ...], transform: Affine, crs: str | CRS
) -> tuple[npt.NDArray[np.int64], Affine]:
    """The flat index of the source cell nearest each pixel of the grid warped to Web Mercator
    (-1: none), and that grid's transform.

    GDAL warps the cells' numbers with nearest-neighbour resampling: taking each pixel's value
    from its cell gives the values GDAL gives warping the values themselves (nodata included:
    a pixel whose cell is NaN is NaN).
    """
    height, width = shape
    key = (height, width, tuple(transform), str(crs))
    hit = _NEAREST.get(key)
    if hit is not None:
        return hit
    left, top = transform @ (0, 0)
    right, bottom = transform @ (width, height)
    dst_transform, dst_w, dst_h = calculate_default_transform(
        crs, WEB_MERCATOR, width, height, left=left, bottom=bottom, right=right, top=top
    )
    numbers = np.arange(height * width, dtype=np.float64).reshape(height, width)
    warped = np.full((dst_h, dst_w), np.nan, dtype=np.float64)
    reproject(
        numbers,
        warped,
        src_transform=transform,
        src_crs=crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=WEB_MERCATOR,
        dst_nodata=np.nan,
        resampling=Resampling.nearest,
    )
    cells = np.where(np.isfinite(warped), warped, -1).astype(np.int64)
    cells.flags.writeable = False
    if len(_NEAREST) > 16:
        _NEAREST.clear()
    _NEAREST[key] = (cells, dst_transform)
    return cells, dst_transform


def web_overlay(
    values: npt.NDArray[np.floating], *, transform: Affine, crs: str | CRS, cmap: str | None = None
) -> OverlayImage:
    """Warp suitability values to Web Mercator and colour them for a Leaflet image overlay.

    Parameters
    ----------
    values
        Suitability 0-100 (NaN = excluded), a reduced-size copy of the raster.
    transform, crs
        Georeferencing of ``values``.
    cmap
        Colour map name (default :data:`~valleymaps.suitability.settings.SUITABILITY_COLORMAP`).
    """
    src = np.asarray(values, dtype=np.float32)
    cells, dst_transform = _nearest_cells(src.shape, transform, crs)
    dst = np.full(cells.shape, np.nan, dtype=np.float32)
    found = cells >= 0
    dst[found] = src.ravel()[cells[found]]
    dst_h, dst_w = cells.shape[0], cells.shape[1]
    x0, y0 = dst_transform @ (0, 0)
    x1, y1 = dst_transform @ (dst_w, dst_h)
    to_lonlat = Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True)
    west, north = to_lonlat.transform(x0, y0)
    east, south = to_lonlat.transform(x1, y1)
    return OverlayImage(
        png=palette_png(dst, cmap=cmap),
        bounds=((float(south), float(west)), (float(north), float(east))),
        width=int(dst_w),
        height=int(dst_h),
    )
