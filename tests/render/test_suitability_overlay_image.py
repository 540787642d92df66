"""The suitability web overlay: Web Mercator pixels with the values GDAL's nearest-neighbour warp gives."""

from __future__ import annotations

import io

import numpy as np
from affine import Affine
from PIL import Image
from rasterio.enums import Resampling
from rasterio.warp import calculate_default_transform, reproject

from valleymaps.render import suitability_image
from valleymaps.render.suitability_image import web_overlay

CRS = "EPSG:3310"  # California Albers, the analysis grid's CRS
TRANSFORM = Affine(250.0, 0.0, -60_000.0, 0.0, -250.0, -80_000.0)  # the Valley, roughly


def _gdal_warp(values: np.ndarray, transform: Affine = TRANSFORM) -> np.ndarray:
    """The values warped as the overlay used to warp them: GDAL, nearest, NaN as nodata."""
    h, w = values.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (w, h)
    dst_transform, dst_w, dst_h = calculate_default_transform(
        CRS, "EPSG:3857", w, h, left=left, bottom=bottom, right=right, top=top)
    dst = np.full((dst_h, dst_w), np.nan, dtype=np.float32)
    reproject(values, dst, src_transform=transform, src_crs=CRS, src_nodata=np.nan,
              dst_transform=dst_transform, dst_crs="EPSG:3857", dst_nodata=np.nan,
              resampling=Resampling.nearest)
    return dst


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))  # palette indices: round(value), 255 = none


def _expected(values: np.ndarray, transform: Affine = TRANSFORM) -> np.ndarray:
    warped = _gdal_warp(values, transform)
    out = np.full(warped.shape, 255, dtype=np.uint8)
    ok = np.isfinite(warped)
    out[ok] = np.clip(np.rint(warped[ok]), 0, 100).astype(np.uint8)
    return out


def test_each_profile_gets_the_pixels_of_its_own_values_on_a_grid_warped_once() -> None:
    rng = np.random.default_rng(3)
    suitability_image._NEAREST.clear()
    shapes = []
    for _ in range(3):  # three profiles on one grid: different values, excluded cells in other places
        values = (rng.random((180, 150)) * 100).astype(np.float32)
        values[rng.random(values.shape) < 0.2] = np.nan
        values[:20, :] = np.nan  # a band outside the region
        image = web_overlay(values, transform=TRANSFORM, crs=CRS)
        got = _pixels(image.png)
        assert got.shape == (image.height, image.width)
        np.testing.assert_array_equal(got, _expected(values))
        shapes.append(got.shape)
    assert len(suitability_image._NEAREST) == 1  # the grid was warped once
    assert len(set(shapes)) == 1


def test_another_grid_is_warped_for_itself() -> None:
    values = np.linspace(0, 100, 60 * 40, dtype=np.float32).reshape(60, 40)
    half = values[::2, ::2].copy()
    coarse = TRANSFORM @ Affine.scale(2)
    for grid, transform in ((values, TRANSFORM), (half, coarse), (values, TRANSFORM)):
        image = web_overlay(grid, transform=transform, crs=CRS)
        np.testing.assert_array_equal(_pixels(image.png), _expected(grid, transform))
