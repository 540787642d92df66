"""Factor and constraint sources, read onto the analysis grid one strip at a time.

Each source has ``read(window) -> float32 array`` (NaN = no value) for
full-width windows taken top to bottom:

* :class:`DistanceSource` - distance (metres) to the nearest feature of a
  vector layer, streamed (see :mod:`valleymaps.suitability.distance`);
  lines and points are burned with every cell they touch, polygons fill
  their cells (distance 0 inside);
* :class:`RasterSource` - any raster with a CRS, reprojected and resampled
  onto the grid by GDAL's warper (its nodata becomes NaN);
* :class:`PolygonSource` - 1 inside polygons and 0 outside, or category codes
  of a column (pixel-centre rule);
* :class:`PlaceValueSource` - a value per place (tract, county) painted on
  its cells (pixel-centre rule).

Every source checks up front that it reaches the region and raises
:class:`~valleymaps.errors.AnalysisError` (the factor lies outside the region)
or :class:`~valleymaps.errors.CRSError` (a raster without a CRS) otherwise.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import rasterio
import shapely
from pyproj import CRS
from rasterio import features
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from valleymaps.errors import AnalysisError, CRSError, DataSourceError, EmptyLayerError, FieldError
from valleymaps.io.vector import parse_crs
from valleymaps.suitability._shapes import geojson_shapes
from valleymaps.suitability.distance import DistanceStream
from valleymaps.suitability.grid import AnalysisGrid

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]


class StripSource(Protocol):
    """What the factor pass reads from."""

    labels: tuple[str, ...]

    def read(self, window: Window) -> FloatArray: ...

    def close(self) -> None: ...


def _intersects(bounds: Sequence[float], other: Sequence[float]) -> bool:
    return not (bounds[2] < other[0] or bounds[0] > other[2] or bounds[3] < other[1] or bounds[1] > other[3])


def _fmt_bounds(b: Sequence[float]) -> str:
    return f"x {b[0]:,.0f} to {b[2]:,.0f}, y {b[1]:,.0f} to {b[3]:,.0f} m (EPSG:3310)"


class _Burner:
    """Rasterizes geometries over windows of a grid, querying only those in reach."""

    def __init__(self, geoms: npt.NDArray[Any], grid: AnalysisGrid, values: Sequence[float] | None = None):
        self.geoms = geoms
        self.values = None if values is None else np.asarray(values, dtype=float)
        self.grid = grid
        self.tree = shapely.STRtree(geoms)

    def burn(
        self, row0: int, nrows: int, *, fill: float, dtype: str, all_touched: bool, default: float = 1
    ) -> npt.NDArray[Any]:
        window = Window(0, row0, self.grid.width, nrows)
        transform = self.grid.window_transform(window)
        x0, y1 = transform.c, transform.f
        box = shapely.box(
            x0, y1 - nrows * self.grid.resolution, x0 + self.grid.width * self.grid.resolution, y1
        )
        hits = np.sort(self.tree.query(box))
        if len(hits) == 0:
            return np.full((nrows, self.grid.width), fill, dtype=dtype)
        # GDAL walks every edge of a polygon on every scanline: clip detailed shapes to the strip
        # (plus a margin of cells, so no clipping edge falls near a cell centre of the strip).
        pad = 2 * self.grid.resolution
        bx0, by0, bx1, by1 = shapely.bounds(box)
        clipped = shapely.clip_by_rect(self.geoms[hits], bx0 - pad, by0 - pad, bx1 + pad, by1 + pad)
        mapped = geojson_shapes(clipped)
        keep = [i for i, m in enumerate(mapped) if m is not None]
        if not keep:
            return np.full((nrows, self.grid.width), fill, dtype=dtype)
        if self.values is None:
            shapes = [(mapped[i], default) for i in keep]
        else:
            values = self.values[hits]
            shapes = [(mapped[i], float(values[i])) for i in keep]
        return features.rasterize(
            shapes,
            out_shape=(nrows, self.grid.width),
            transform=transform,
            fill=fill,
            dtype=dtype,
            all_touched=all_touched,
        )


class DistanceSource:
    """Distance in metres to the nearest feature, capped at ``cap_m``.

    Parameters
    ----------
    layer
        Features in the grid's CRS.
    grid
        The analysis grid.
    cap_m
        Farther cells get ``cap_m``.
    name
        For messages ("layer 'rail_lines'").
    rows
        Strip height used by the caller.
    start_row
        First row the caller reads (a strip task's); rows are then read in order from it.
    """

    labels: tuple[str, ...] = ()

    def __init__(
        self, layer: gpd.GeoDataFrame, grid: AnalysisGrid, *, cap_m: float, name: str, rows: int,
        start_row: int = 0,
    ):
        geoms = layer.geometry.to_numpy()
        if len(geoms) == 0:
            raise EmptyLayerError(
                f"{name} has no features (after any 'where' filter); nothing to measure from."
            )
        reach = shapely.box(*grid.bounds).buffer(cap_m)
        if not shapely.intersects(geoms, reach).any():
            raise AnalysisError(
                f"{name} lies outside the region: none of its {len(geoms)} features is within "
                f"{cap_m / 1000:g} km of the region ({_fmt_bounds(grid.bounds)}; the layer covers "
                f"{_fmt_bounds(layer.total_bounds)}). Check the file, or its CRS if the coordinates "
                "look right."
            )
        self.cap_m = max(float(cap_m), grid.resolution)
        self._burner = _Burner(geoms, grid)
        self._stream = DistanceStream(
            lambda row0, n: self._burner.burn(row0, n, fill=0, dtype="uint8", all_touched=True),
            width=grid.width,
            height=grid.height,
            cap_cells=self.cap_m / grid.resolution,
            rows=rows,
            scale=grid.resolution,
            start_row=start_row,
        )

    def read(self, window: Window) -> FloatArray:
        return self._stream.read(int(window.row_off), int(window.height))

    def close(self) -> None:
        pass


class PolygonSource:
    """1 inside the polygons and 0 outside, or the code of a category column (NaN outside)."""

    def __init__(self, layer: gpd.GeoDataFrame, grid: AnalysisGrid, *, name: str, column: str | None = None):
        polys = layer[layer.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        if polys.empty:
            raise AnalysisError(f"{name} has no polygons (found {', '.join(layer.geom_type.unique())}).")
        if not _intersects(polys.total_bounds, grid.bounds):
            raise AnalysisError(
                f"{name} lies outside the region (it covers {_fmt_bounds(polys.total_bounds)}; the region "
                f"{_fmt_bounds(grid.bounds)}). Check the file, or its CRS."
            )
        geoms = polys.geometry.to_numpy()
        geoms = np.where(shapely.is_valid(geoms), geoms, shapely.make_valid(geoms))
        self.column = column
        if column is not None:
            if column not in polys.columns:
                found = ", ".join(c for c in polys.columns if c != polys.geometry.name)
                raise FieldError(
                    f"{name} has no column '{column}' (found: {found}). Fix 'column' in the profile."
                )
            text = polys[column].astype(str).to_numpy()
            self.labels: tuple[str, ...] = tuple(sorted(set(text)))
            codes = {label: i for i, label in enumerate(self.labels)}
            self._burner = _Burner(geoms, grid, [float(codes[t]) for t in text])
        else:
            self.labels = ()
            self._burner = _Burner(geoms, grid)

    def read(self, window: Window) -> FloatArray:
        if self.column is None:
            out = self._burner.burn(
                int(window.row_off), int(window.height), fill=0, dtype="uint8", all_touched=False
            )
            return out.astype(np.float32)
        return self._burner.burn(
            int(window.row_off), int(window.height), fill=np.nan, dtype="float32", all_touched=False
        )

    def close(self) -> None:
        pass


class PlaceValueSource:
    """A value per place painted on the cells whose centres it holds (NaN elsewhere)."""

    labels: tuple[str, ...] = ()

    def __init__(
        self, places: gpd.GeoDataFrame, grid: AnalysisGrid, *, value_column: str = "value", name: str
    ):
        places = places[np.isfinite(places[value_column].to_numpy(dtype=float))]
        if places.empty:
            raise AnalysisError(f"{name}: no place has a value; nothing to map.")
        if not _intersects(places.total_bounds, grid.bounds):
            raise AnalysisError(
                f"{name}: its places lie outside the region ({_fmt_bounds(places.total_bounds)})."
            )
        geoms = places.geometry.to_numpy()
        geoms = np.where(shapely.is_valid(geoms), geoms, shapely.make_valid(geoms))
        self._burner = _Burner(geoms, grid, places[value_column].to_numpy(dtype=float).tolist())

    def read(self, window: Window) -> FloatArray:
        return self._burner.burn(
            int(window.row_off), int(window.height), fill=np.nan, dtype="float32", all_touched=False
        )

    def close(self) -> None:
        pass


class RasterSource:
    """A raster reprojected and resampled onto the grid (its nodata becomes NaN).

    Raises
    ------
    DataSourceError
        If the file cannot be opened as a raster or has no such band.
    CRSError
        If it declares no CRS and ``assume_crs`` is not given.
    AnalysisError
        If it does not overlap the region.
    """

    labels: tuple[str, ...] = ()

    def __init__(
        self,
        path: str | os.PathLike[str],
        grid: AnalysisGrid,
        *,
        band: int = 1,
        resampling: str = "bilinear",
        assume_crs: str | None = None,
        name: str,
    ):
        try:
            self._src = rasterio.open(path)
        except RasterioIOError as exc:
            raise DataSourceError(
                f"{path} cannot be opened as a raster ({exc}). Give a GeoTIFF or another format GDAL reads."
            ) from exc
        src = self._src
        try:
            if band > src.count:
                raise DataSourceError(f"{path} has {src.count} band(s); the profile asks for band {band}.")
            crs = src.crs
            if crs is None:
                if assume_crs is None:
                    raise CRSError(
                        f"{path} has no coordinate reference system, so it cannot be placed on the map. "
                        "Add 'assume_crs = \"EPSG:4326\"' (or the right EPSG code) to the factor's source, "
                        "or assign one with gdal_edit.py -a_srs."
                    )
                crs = parse_crs(assume_crs, what="assume_crs")
            elif assume_crs is not None:
                log.info("%s declares its CRS; assume_crs is ignored", path)
            crs = CRS.from_user_input(crs)
            if src.transform.is_identity:
                raise CRSError(
                    f"{path} has no georeferencing (no geotransform); it cannot be placed on the map."
                )
            try:
                footprint = transform_bounds(crs, grid.crs, *src.bounds, densify_pts=21)
            except Exception as exc:  # pyproj/GDAL raise several kinds for impossible transforms
                raise CRSError(f"{path}: its extent cannot be transformed to EPSG:3310 ({exc}).") from exc
            if not all(math.isfinite(v) for v in footprint) or not _intersects(footprint, grid.bounds):
                raise AnalysisError(
                    f"{name} ({path}) lies outside the region: it covers {_fmt_bounds(footprint)}, "
                    "the region "
                    f"{_fmt_bounds(grid.bounds)}. Check the file, or its CRS ({crs.to_string()})."
                )
            nodata = src.nodatavals[band - 1]
            self._vrt = WarpedVRT(
                src,
                src_crs=crs,
                crs=grid.crs,
                transform=grid.transform,
                width=grid.width,
                height=grid.height,
                resampling=Resampling[resampling],
                src_nodata=nodata,
                nodata=np.nan,
                dtype="float32",
            )
        except BaseException:
            src.close()
            raise
        self.band = band
        self._path = path
        self._name = name

    def read(self, window: Window) -> FloatArray:
        try:
            return self._vrt.read(self.band, window=window, out_dtype="float32")
        except RasterioIOError as exc:  # a truncated or damaged file fails only when its blocks are read
            cause = exc.__cause__ if exc.__cause__ is not None else exc
            raise DataSourceError(
                f"{self._path} ({self._name}) is truncated or damaged: its pixels could not be read "
                f"({str(cause)[:160]}). Download or export it again; gdalinfo -checksum {self._path} "
                "shows whether a copy is whole."
            ) from exc

    def close(self) -> None:
        self._vrt.close()
        self._src.close()
