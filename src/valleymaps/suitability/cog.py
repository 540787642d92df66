"""Write grid rasters strip by strip and publish them as Cloud-optimised GeoTIFFs.

GDAL's COG driver can only copy a finished dataset, so a raster is first
written window by window to a scratch tiled GeoTIFF (quick ZSTD compression),
then copied to a COG (DEFLATE with the floating-point predictor, internal
overviews, 512 x 512 tiles) and moved into place atomically. The scratch file
is removed whatever happens.

:func:`gdal_env` turns GDAL's worker threads on (decompression, compression,
overviews) and caps its block cache so memory stays flat on big grids.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt
import rasterio
import rasterio.shutil
from rasterio.windows import Window

from valleymaps.compute.executor import gdal_threads
from valleymaps.io.atomic import atomic_path
from valleymaps.io.os_errors import library_writing_into
from valleymaps.suitability import defaults
from valleymaps.suitability.grid import AnalysisGrid

log = logging.getLogger(__name__)

#: Creation options of the published COGs (``NUM_THREADS``: :func:`gdal_threads` when written).
COG_OPTIONS: dict[str, str] = {
    "COMPRESS": "DEFLATE",
    "LEVEL": "6",
    "PREDICTOR": "YES",
    "NUM_THREADS": "ALL_CPUS",
    "OVERVIEW_RESAMPLING": "AVERAGE",
    "BIGTIFF": "IF_SAFER",
}

#: Creation options of the scratch GeoTIFFs (written once, read once).
SCRATCH_OPTIONS: dict[str, Any] = {
    "tiled": True,
    "compress": "ZSTD",
    "zstd_level": 1,
    "num_threads": "ALL_CPUS",
    "bigtiff": "IF_SAFER",
}


def gdal_env(*, cache_mb: int | None = None, **options: Any) -> rasterio.Env:
    """A ``rasterio.Env`` with GDAL threads on and the block cache capped.

    Parameters
    ----------
    cache_mb
        GDAL block cache in MB (default :data:`~valleymaps.suitability.defaults.GDAL_CACHE_MB`).
    options
        More GDAL configuration options.
    """
    return rasterio.Env(
        GDAL_NUM_THREADS=gdal_threads(),  # a Dask worker's share, else every CPU
        # rasterio hands an integer GDAL_CACHEMAX to GDALSetCacheMax64: bytes, not megabytes
        GDAL_CACHEMAX=int(cache_mb or defaults.GDAL_CACHE_MB) * 1024 * 1024,
        GDAL_TIFF_INTERNAL_MASK=True,
        **options,
    )


def write_cog_from(
    source: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    block: int | None = None,
    options: Mapping[str, str] | None = None,
) -> Path:
    """Copy a finished raster to a COG at ``path`` (atomically), with ``options`` (default
    :data:`COG_OPTIONS`)."""
    target = Path(path)
    with atomic_path(target) as tmp:
        rasterio.shutil.copy(
            str(source), str(tmp), driver="COG", BLOCKSIZE=str(block or defaults.BLOCK_SIZE),
            **{**(COG_OPTIONS if options is None else options), "NUM_THREADS": gdal_threads()}
        )
    return target


class GridRasterWriter:
    """Write a single-band raster on ``grid`` by windows; publish it as a COG on success.

    Use as a context manager: on a clean exit the COG replaces ``path``; on
    an exception nothing is published and the scratch file is removed.

    Parameters
    ----------
    path
        Final COG path.
    grid
        The analysis grid.
    dtype, nodata
        Pixel type and no-data value (NaN for float rasters).
    description
        Band description (shown by GDAL and QGIS).
    tags
        Metadata written to the file (``units``, ``categories``...).
    scratch_dir
        Folder of the scratch file (default: beside ``path``).
    cog
        Publish a COG (default). False writes a plain tiled GeoTIFF straight
        to ``path`` (for intermediate rasters that are read once).
    cog_options
        The COG's creation options (default :data:`COG_OPTIONS`).

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> from shapely.geometry import box
    >>> import geopandas as gpd
    >>> from valleymaps.suitability.grid import make_grid
    >>> grid = make_grid(gpd.GeoSeries([box(0, 0, 1000, 600)], crs="EPSG:3310"), resolution=100)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "ones.tif"
    >>> with GridRasterWriter(out, grid) as w:
    ...     for win in grid.strips(4):
    ...         w.write(win, np.ones((win.height, win.width), dtype="float32"))
    >>> with rasterio.open(out) as src:
    ...     (src.width, src.height, float(src.read(1).sum()), src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"])
    (10, 6, 60.0, 'COG')
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        grid: AnalysisGrid,
        *,
        dtype: str = "float32",
        nodata: float | None = float("nan"),
        description: str | None = None,
        tags: Mapping[str, Any] | None = None,
        scratch_dir: str | os.PathLike[str] | None = None,
        cog: bool = True,
        cog_options: Mapping[str, str] | None = None,
    ):
        self.path = Path(path)
        self.cog = cog
        self.cog_options = cog_options
        self.grid = grid
        self.dtype = dtype
        self.nodata = nodata
        self.description = description
        self.tags = {k: str(v) for k, v in (tags or {}).items()}
        folder = Path(scratch_dir) if scratch_dir is not None else self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        self._scratch = folder / f".{self.path.stem}.scratch-{os.getpid()}-{id(self):x}.tif"
        if not cog:
            self._scratch = folder / f".{self.path.stem}.tmp-{os.getpid()}-{id(self):x}.tif"
        self._dst: Any = None

    def __enter__(self) -> GridRasterWriter:
        profile = self.grid.profile(dtype=self.dtype, nodata=self.nodata)
        block = min(defaults.BLOCK_SIZE, 16 * max(1, self.grid.width // 16))
        profile.update(SCRATCH_OPTIONS, num_threads=gdal_threads(), blockxsize=max(16, block),
                       blockysize=max(16, block))
        if not self.cog:  # read once, soon: skip compression
            profile.pop("compress", None)
            profile.pop("zstd_level", None)
        with library_writing_into(self._scratch.parent):
            self._dst = rasterio.open(self._scratch, "w", **profile)
            if self.description:
                self._dst.set_band_description(1, self.description)
            if self.tags:
                self._dst.update_tags(**self.tags)
        return self

    def write(self, window: Window, array: npt.ArrayLike) -> None:
        """Write ``array`` (shaped like ``window``) into the raster.

        Raises
        ------
        DiskFullError
            When the file system of the scratch file is full.
        """
        with library_writing_into(self._scratch.parent):
            self._dst.write(np.asarray(array, dtype=self.dtype), 1, window=window)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            with library_writing_into(self.path.parent):
                if self._dst is not None:
                    self._dst.close()
                if exc_type is None:
                    if self.cog:
                        write_cog_from(self._scratch, self.path, options=self.cog_options)
                    else:
                        os.replace(self._scratch, self.path)
                    log.debug("wrote %s", self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self._scratch.unlink()


@contextlib.contextmanager
def open_rasters(paths: Mapping[str, str | os.PathLike[str]]) -> Iterator[dict[str, Any]]:
    """Open several rasters for reading; close them all at the end."""
    with contextlib.ExitStack() as stack:
        yield {key: stack.enter_context(rasterio.open(p)) for key, p in paths.items()}
