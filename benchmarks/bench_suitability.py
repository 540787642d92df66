"""Benchmark: site suitability rasters - weighted overlay, distance factors, zonal summaries.

Run from the repo root (heavy: run it niced, on an otherwise quiet machine)::

    nice -n 10 .venv/bin/python benchmarks/bench_suitability.py            # 10,000 x 10,000
    .venv/bin/python benchmarks/bench_suitability.py --size 2000           # a quick run

Six float32 layers of ``size`` x ``size`` cells (smooth fields, 512 x 512 tiles,
DEFLATE with the floating-point predictor, as the factor rasters are written)
are generated once under ``/tmp/valleymaps-bench-suitability/<size>/`` on a
grid laid over the San Joaquin Valley (EPSG:3310; 10,000 cells across the
Valley are about 43 m). Every measurement runs in its own process; the
figures are wall time of the work (imports and set-up excluded) and the peak
resident memory of that process (``ru_maxrss``, interpreter and libraries
included), with the peers measured in the same run:

1. **Weighted overlay** (target: at most 1.3 x the I/O-only peer, under 500 MB):
   ``weighted_overlay`` of the six layers with an exclusion mask into a COG,
   against reading the same six layers and the mask strip by strip and
   writing one of them through the same COG writer (the arithmetic removed);
   optionally (``--naive``) a naive in-memory version with broadcast temporaries.
2. **Distance factor** (target: under 1 GB and no slower than SciPy): distance
   to the real passenger rail lines and high-speed rail stations of
   ``../shared/realdata`` (capped at ``--cap-km``), streamed by blocks and
   burning the features as it goes, against SciPy's exact
   ``distance_transform_edt`` of the same burned features (the burning not timed).
3. **Zonal summary per tract** (target: at least 2 x faster than exactextract):
   the 760 real tracts of ``../shared/realdata/tracts`` over one layer,
   ``summarize_zones`` (pixel-centre rule) against ``exactextract`` (mean and
   count, coverage fractions) and ``rasterstats`` (``--rasterstats``; slow).

Parts 2 and 3 are skipped when ``../shared/realdata`` is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
DATA_ROOT = Path("/tmp/valleymaps-bench-suitability")
LAYERS = 6
WEIGHTS = (25, 20, 20, 15, 10, 10)
#: The eight counties' bounding box in EPSG:3310 (metres), rounded outward.
VALLEY_BOUNDS = (-139_200.0, -358_000.0, 216_600.0, 32_100.0)


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------


def grid_transform(size: int) -> Any:
    from affine import Affine

    x0, y0, x1, y1 = VALLEY_BOUNDS
    res = max(x1 - x0, y1 - y0) / size
    return Affine(res, 0.0, x0, 0.0, -res, y1)


def layer_paths(size: int) -> tuple[list[Path], Path]:
    folder = DATA_ROOT / str(size)
    return [folder / f"layer{i}.tif" for i in range(LAYERS)], folder / "mask.tif"


def make_data(size: int) -> None:
    """Write the six layers and an exclusion mask (once per size)."""
    import numpy as np
    import rasterio

    paths, mask_path = layer_paths(size)
    if all(p.exists() for p in paths) and mask_path.exists():
        return
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    transform = grid_transform(size)
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:3310",
        "transform": transform,
        "nodata": float("nan"),
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "DEFLATE",
        "predictor": 3,
        "num_threads": "ALL_CPUS",
        "bigtiff": "IF_SAFER",
    }
    rng = np.random.default_rng(7)
    cols = np.arange(size, dtype=np.float32) / size
    print(f"generating {LAYERS} layers of {size:,} x {size:,} in {paths[0].parent} ...", flush=True)
    with rasterio.Env(GDAL_NUM_THREADS="ALL_CPUS", GDAL_CACHEMAX=256):
        for i, path in enumerate(paths):
            fx, fy, phase = rng.uniform(2, 9), rng.uniform(2, 9), rng.uniform(0, 6)
            tmp = path.with_suffix(".tmp.tif")
            with rasterio.open(tmp, "w", **profile) as dst:
                for row in range(0, size, 512):
                    h = min(512, size - row)
                    y = (np.arange(row, row + h, dtype=np.float32) / size)[:, None]
                    v = 0.5 + 0.25 * np.sin(fx * 6.28 * cols[None, :] + phase) * np.cos(fy * 6.28 * y)
                    v += 0.25 * np.sin(3.1 * (cols[None, :] + y) + i)
                    v += rng.normal(0, 0.01, size=(h, size)).astype(np.float32)
                    dst.write(np.clip(v, 0, 1).astype(np.float32), 1, window=((row, row + h), (0, size)))
            os.replace(tmp, path)
        mprofile = dict(profile, dtype="uint8", nodata=None, predictor=2)
        with rasterio.open(mask_path, "w", **mprofile) as dst:
            for row in range(0, size, 512):
                h = min(512, size - row)
                y = (np.arange(row, row + h) / size)[:, None]
                m = ((cols[None, :] - 0.5) ** 2 + (y - 0.5) ** 2 > 0.2).astype(np.uint8)
                dst.write(m, 1, window=((row, row + h), (0, size)))


# --------------------------------------------------------------------------------------------
# tasks (each runs in its own process)
# --------------------------------------------------------------------------------------------


def task_overlay(size: int, out: Path) -> dict[str, Any]:
    from valleymaps.suitability.overlay import weighted_overlay

    paths, mask = layer_paths(size)
    start = time.perf_counter()
    result = weighted_overlay(
        {f"f{i}": p for i, p in enumerate(paths)},
        {f"f{i}": w for i, w in enumerate(WEIGHTS)},
        out,
        exclude=mask,
    )
    return {"seconds": time.perf_counter() - start, "cells": result.scored_cells}


def task_io_only(size: int, out: Path) -> dict[str, Any]:
    """Read the six layers and the mask by the same strips and write one layer through the same writer.

    The excluded cells of the written layer are set to no data, so the output compresses like the
    overlay's (no-data runs are cheap to compress): only the weighted sum is missing.
    """
    import contextlib

    import numpy as np
    import rasterio

    from valleymaps.suitability import defaults
    from valleymaps.suitability.cog import GridRasterWriter, gdal_env
    from valleymaps.suitability.overlay import grid_of

    paths, mask = layer_paths(size)
    start = time.perf_counter()
    with gdal_env(), contextlib.ExitStack() as stack:
        srcs = [stack.enter_context(rasterio.open(p)) for p in paths]
        msrc = stack.enter_context(rasterio.open(mask))
        grid = grid_of(srcs[0])
        rows = defaults.STRIP_ROWS
        bufs = [np.empty((rows, grid.width), dtype=np.float32) for _ in range(2)]
        mbuf = np.empty((rows, grid.width), dtype=np.uint8)
        with GridRasterWriter(out, grid) as writer:
            for window in grid.strips(rows):
                h = window.height
                for i, src in enumerate(srcs):
                    src.read(1, window=window, out=bufs[min(i, 1)][:h])
                msrc.read(1, window=window, out=mbuf[:h])
                np.copyto(bufs[0][:h], np.float32(np.nan), where=mbuf[:h] != 0)
                writer.write(window, bufs[0][:h])
    return {"seconds": time.perf_counter() - start}


def task_naive(size: int, out: Path) -> dict[str, Any]:
    """Everything in memory with broadcast temporaries."""
    import numpy as np
    import rasterio

    from valleymaps.suitability.cog import GridRasterWriter, gdal_env
    from valleymaps.suitability.overlay import grid_of

    paths, mask = layer_paths(size)
    start = time.perf_counter()
    with gdal_env():
        stack = []
        for p in paths:
            with rasterio.open(p) as src:
                stack.append(src.read(1))
                grid = grid_of(src)
        with rasterio.open(mask) as src:
            excluded = src.read(1) != 0
        cube = np.stack(stack)
        weights = np.array(WEIGHTS, dtype=np.float64)[:, None, None]
        suit = (cube * weights).sum(axis=0)
        suit[excluded] = np.nan
        with GridRasterWriter(out, grid) as writer:
            writer.write(rasterio.windows.Window(0, 0, grid.width, grid.height), suit.astype(np.float32))
    return {"seconds": time.perf_counter() - start}


def _features(size: int) -> tuple[Any, Any]:
    import geopandas as gpd
    import pandas as pd

    from valleymaps.suitability.grid import AnalysisGrid

    rail = [REALDATA / "transport" / "sanjoaquin.shp", REALDATA / "transport" / "acetrainLine.shp"]
    stations = REALDATA / "infrastructure" / "HSR_Stations_v2_web.shp"
    frames = [gpd.read_file(p).to_crs(3310) for p in [*rail, stations]]
    layer = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=3310)
    from pyproj import CRS

    grid = AnalysisGrid(transform=grid_transform(size), width=size, height=size, crs=CRS.from_epsg(3310))
    return layer, grid


def task_distance_ours(size: int, cap_km: float) -> dict[str, Any]:
    import numpy as np

    from valleymaps.suitability import defaults
    from valleymaps.suitability.sources import DistanceSource

    layer, grid = _features(size)
    start = time.perf_counter()
    source = DistanceSource(
        layer, grid, cap_m=cap_km * 1000, name="rail and stations", rows=defaults.STRIP_ROWS
    )
    total = 0.0
    for window in grid.strips(defaults.STRIP_ROWS):
        total += float(np.mean(source.read(window)[:, ::97]))
    return {"seconds": time.perf_counter() - start, "check": total}


def task_distance_scipy(size: int, cap_km: float) -> dict[str, Any]:
    import numpy as np
    from rasterio import features
    from scipy import ndimage

    layer, grid = _features(size)
    burned = features.rasterize(
        ((g, 1) for g in layer.geometry),
        out_shape=grid.shape,
        transform=grid.transform,
        fill=0,
        dtype="uint8",
        all_touched=True,
    )
    background = burned == 0
    del burned
    start = time.perf_counter()
    dist = ndimage.distance_transform_edt(background, sampling=grid.resolution)
    seconds = time.perf_counter() - start
    np.minimum(dist, cap_km * 1000, out=dist)
    return {"seconds": seconds, "check": float(dist[:, ::97].mean())}


def _tracts() -> Any:
    import geopandas as gpd
    import pandas as pd
    import shapely

    files = sorted((REALDATA / "tracts").glob("*.topo.json"))
    frames = [gpd.read_file(f).set_crs(4326, allow_override=True) for f in files]  # lon/lat, no CRS declared
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    gdf = gdf.to_crs(3310)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.to_numpy())
    gdf = gdf.rename(columns={"id": "geoid"})[["geoid", "geometry"]]
    return gdf


def task_zonal_ours(size: int) -> dict[str, Any]:
    from valleymaps.suitability.zonal import summarize_zones

    tracts = _tracts()
    paths, _ = layer_paths(size)
    start = time.perf_counter()
    out = summarize_zones(paths[0], tracts)
    return {
        "seconds": time.perf_counter() - start,
        "zones": len(out),
        "mean_of_means": float(out["mean"].mean()),
    }


def task_zonal_exactextract(size: int) -> dict[str, Any]:
    from exactextract import exact_extract

    tracts = _tracts()
    paths, _ = layer_paths(size)
    start = time.perf_counter()
    out = exact_extract(str(paths[0]), tracts, ["mean", "count"], include_cols=["geoid"], output="pandas")
    return {
        "seconds": time.perf_counter() - start,
        "zones": len(out),
        "mean_of_means": float(out["mean"].mean()),
    }


def task_zonal_rasterstats(size: int) -> dict[str, Any]:
    from rasterstats import zonal_stats

    tracts = _tracts()
    paths, _ = layer_paths(size)
    start = time.perf_counter()
    out = zonal_stats(tracts, str(paths[0]), stats=["mean", "count"], nodata=float("nan"))
    means = [o["mean"] for o in out if o["mean"] is not None]
    return {
        "seconds": time.perf_counter() - start,
        "zones": len(out),
        "mean_of_means": sum(means) / len(means),
    }


TASKS = {
    "overlay": lambda a: task_overlay(a.size, Path(a.out)),
    "io_only": lambda a: task_io_only(a.size, Path(a.out)),
    "naive": lambda a: task_naive(a.size, Path(a.out)),
    "distance_ours": lambda a: task_distance_ours(a.size, a.cap_km),
    "distance_scipy": lambda a: task_distance_scipy(a.size, a.cap_km),
    "zonal_ours": lambda a: task_zonal_ours(a.size),
    "zonal_exactextract": lambda a: task_zonal_exactextract(a.size),
    "zonal_rasterstats": lambda a: task_zonal_rasterstats(a.size),
}


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------


def measure(task: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run ``task`` in a fresh process; return its figures and peak memory (MB)."""
    out = DATA_ROOT / str(args.size) / f"out-{task}.tif"
    cmd = [
        sys.executable,
        __file__,
        "--run",
        task,
        "--size",
        str(args.size),
        "--cap-km",
        str(args.cap_km),
        "--out",
        str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise RuntimeError(f"{task} failed:\n{proc.stderr[-3000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["peak_mb"] = figures.pop("_peak_mb")
    return figures


def best_of(task: str, args: argparse.Namespace) -> dict[str, Any]:
    runs = [measure(task, args) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    return best


def line(label: str, r: dict[str, Any], extra: str = "") -> None:
    print(f"  {label:<44} {r['seconds']:8.2f} s {r['peak_mb']:8.0f} MB{extra}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", type=int, default=10_000, help="cells per side of the layers (default 10000)"
    )
    parser.add_argument("--cap-km", type=float, default=30.0, help="distance cap in km (default 30)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best time is shown")
    parser.add_argument("--naive", action="store_true", help="also run the naive in-memory overlay (GBs)")
    parser.add_argument("--rasterstats", action="store_true", help="also run rasterstats (slow)")
    parser.add_argument(
        "--only",
        choices=["overlay", "distance", "zonal"],
        action="append",
        help="run only these parts (repeatable)",
    )
    parser.add_argument("--run", choices=sorted(TASKS), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.run:
        import resource

        figures = TASKS[args.run](args)
        figures["_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return

    parts = args.only or ["overlay", "distance", "zonal"]
    make_data(args.size)
    res = (VALLEY_BOUNDS[2] - VALLEY_BOUNDS[0]) / args.size
    print(
        f"grid {args.size:,} x {args.size:,} cells ({args.size**2 / 1e6:,.0f} M cells a layer, "
        f"{res:.0f} m over the Valley); {os.cpu_count()} CPUs"
    )

    if "overlay" in parts:
        print("\n1. Weighted overlay of 6 float32 layers + exclusion mask -> COG (DEFLATE)")
        io = best_of("io_only", args)
        ours = best_of("overlay", args)
        line("read inputs + write output (peer, I/O only)", io)
        ratio = ours["seconds"] / io["seconds"]
        line(
            "valleymaps weighted_overlay",
            ours,
            f"   ratio {ratio:.2f} (target <= 1.30: {'met' if ratio <= 1.3 else 'NOT met'}); "
            f"memory target < 500 MB: {'met' if ours['peak_mb'] < 500 else 'NOT met'}",
        )
        if args.naive:
            line("naive in-memory (peer)", best_of("naive", args))

    have_real = (REALDATA / "transport" / "sanjoaquin.shp").is_file()
    if "distance" in parts and have_real:
        print(f"\n2. Distance to rail lines and HSR stations (real data), capped at {args.cap_km:g} km")
        scipy_r = best_of("distance_scipy", args)
        ours = best_of("distance_ours", args)
        line("SciPy distance_transform_edt (peer)", scipy_r)
        speed = scipy_r["seconds"] / ours["seconds"]
        line(
            "valleymaps DistanceSource (streamed, burning)",
            ours,
            f"   {speed:.2f} x SciPy's speed (target >= 1: {'met' if speed >= 1 else 'NOT met'}); "
            f"memory target < 1 GB: {'met' if ours['peak_mb'] < 1024 else 'NOT met'}",
        )
    elif "distance" in parts:
        print(f"\n2. Distance: skipped ({REALDATA} absent)")

    if "zonal" in parts and (REALDATA / "tracts").is_dir():
        print("\n3. Zonal summary of one layer over the 760 real tracts")
        ours = best_of("zonal_ours", args)
        peers = []
        try:
            peers.append(("exactextract (peer, coverage fractions)", best_of("zonal_exactextract", args)))
        except RuntimeError as exc:
            print(f"  exactextract unavailable ({str(exc).splitlines()[-1]}); pip install '.[bench]'")
        if args.rasterstats:
            peers.append(("rasterstats (peer, pixel centre)", best_of("zonal_rasterstats", args)))
        line("valleymaps summarize_zones (pixel centre)", ours)
        for label, r in peers:
            speed = r["seconds"] / ours["seconds"]
            target = ""
            if label.startswith("exactextract"):
                target = f" (target >= 2: {'met' if speed >= 2 else 'NOT met'})"
            line(
                label,
                r,
                f"   valleymaps is {speed:.2f} x faster{target}; mean of means "
                f"{r['mean_of_means']:.4f} vs ours {ours['mean_of_means']:.4f}",
            )
    elif "zonal" in parts:
        print(f"\n3. Zonal: skipped ({REALDATA / 'tracts'} absent)")


if __name__ == "__main__":
    main()
