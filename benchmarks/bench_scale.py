"""Benchmark: what a Dask cluster buys - suitability targets and LODES OD files as tasks.

Run from the repo root (needs ``pip install 'valleymaps[dask]'``; heavy: run it niced)::

    nice -n 10 .venv/bin/python benchmarks/bench_scale.py                 # defaults below
    .venv/bin/python benchmarks/bench_scale.py --resolution 1000 --od-rows 200000   # a quick run

Two jobs, each run twice: in this process (the default executor, one task after another) and on
a ``distributed.LocalCluster`` of ``--workers`` worker processes (one thread each, a memory limit
each), through the same library calls the CLI makes (``run_targets``, ``read_lodes_od``):

1. **Suitability of several targets over a synthetic state**: 58 square counties of 100 x 70 km
   (1,000 x 420 km, about California's 424,000 km2), all of them the region of the workspace's
   ``valleymaps.toml``; rail lines, a reserve, a groundwater-like raster and a county table;
   ``--targets`` profiles of five factors (three distance factors) with different weights, at
   ``--resolution`` metres (400 m: 2,500 x 1,050 cells per layer).
2. **LODES OD files**: ``--od-files`` California-like files (``benchmarks/_od_fixture.py``) of
   ``--od-rows`` rows each, read into county and tract pairs.
3. **One target in strips** (``--strip-tasks N``): the first profile over the same state, its grid
   split into N strip tasks (bands of rows with a halo as tall as each distance cap; the same
   call as ``valleymaps suitability -t plant-1 --strips N``), against one pass in this process.
4. **Flows in Parquet** (with the OD job): the OD files imported into the state's workspace,
   county-to-county flows among its 58 counties from the CSV store with pandas and from the
   hive-partitioned Parquet store with DuckDB (the same table, checked).

Printed per job: wall time in this process and on the cluster, each task's time, the peak memory
(VmHWM) of the process that ran the tasks (this one, or each worker), and the time projected for
N workers from the task times measured in this process (longest task first onto the least loaded
worker, plus the work done here between tasks and the cluster's measured overhead per task).
Data are generated once under ``/tmp/valleymaps-bench-scale/``. The outputs of the two runs are
compared (the GeoTIFFs byte for byte, the pair tables exactly).
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = Path("/tmp/valleymaps-bench-scale")
KM = 1000.0
#: California's 58 county FIPS codes (odd numbers 001-115).
COUNTIES = [f"06{c:03d}" for c in range(1, 116, 2)]

PROFILE = """
name = "Plant {i}"
targets = ["Synthetic target {i}"]
[sites]
count = 5
min_acres = 100
max_acres = 2000
min_distance_m = 20000
[[factors]]
key = "rail"
name = "Close to rail"
weight = {rail}
source = {{ kind = "distance", layer = "rail" }}
transform = {{ kind = "inverse", low = 0, high = 20000 }}
[[factors]]
key = "town"
name = "Close to a town"
weight = {town}
source = {{ kind = "distance", layer = "towns" }}
transform = {{ kind = "inverse", low = 0, high = 30000 }}
[[factors]]
key = "road"
name = "Close to a highway"
weight = {road}
source = {{ kind = "distance", layer = "highways" }}
transform = {{ kind = "inverse", low = 0, high = 15000 }}
[[factors]]
key = "water"
name = "Water"
weight = {water}
source = {{ kind = "raster", layer = "water" }}
transform = {{ kind = "linear", low = 0, high = 100 }}
[[factors]]
key = "workers"
name = "Workers"
weight = {workers}
source = {{ kind = "table", layer = "workers", column = "workers" }}
transform = {{ kind = "linear", low = 0, high = 50000 }}
[[constraints]]
kind = "exclude_inside"
name = "Not in the reserves"
layer = "reserve"
"""
WEIGHTS = [(30, 20, 20, 20, 10), (10, 30, 20, 30, 10), (20, 20, 30, 10, 20), (25, 25, 25, 15, 10),
           (40, 10, 10, 30, 10), (10, 10, 40, 20, 20), (20, 40, 10, 10, 20), (15, 15, 15, 45, 10)]


# --------------------------------------------------------------------------------------------
# timing tasks wherever they run
# --------------------------------------------------------------------------------------------


def _vmhwm_mb() -> float:
    """Peak resident memory of this process (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Timed:
    """``fn`` that writes its time and its process's peak memory to ``log_dir`` (one JSON file per task).

    Defined in ``__main__``, so cloudpickle sends it to the workers by value.
    """

    def __init__(self, fn: Callable[[Any], Any], log_dir: Path):
        self.fn, self.log_dir = fn, log_dir
        self.__name__ = getattr(fn, "__name__", "task")

    def __call__(self, item: Any) -> Any:
        start = time.perf_counter()
        result = self.fn(item)
        seconds = time.perf_counter() - start
        band = getattr(item, "band", None)
        label = (getattr(item, "target", None) or (band and f"rows {band[0]:,}-{band[1]:,}")
                 or Path(getattr(item, "path", "?")).name)
        record = {"task": label, "seconds": seconds, "peak_mb": _vmhwm_mb(), "pid": os.getpid()}
        (self.log_dir / f"{uuid.uuid4().hex}.json").write_text(json.dumps(record))
        return result


def timed_executor(base: Any, log_dir: Path) -> Any:
    """``base`` (an executor) whose tasks are :class:`Timed`."""

    class TimedExecutor(type(base)):  # type: ignore[misc]
        def map(self, fn: Callable[[Any], Any], items: Sequence[Any], **kwargs: Any) -> list[Any]:
            return super().map(Timed(fn, log_dir), items, **kwargs)

    executor = TimedExecutor.__new__(TimedExecutor)
    executor.__dict__.update(base.__dict__)
    return executor


def read_log(log_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(log_dir.glob("*.json"))]


def lpt(times: Sequence[float], workers: int) -> float:
    """Makespan of ``times`` on ``workers``: longest task first, onto the least loaded worker."""
    loads = [0.0] * workers
    heapq.heapify(loads)
    for t in sorted(times, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + t)
    return max(loads)


def report(name: str, here: tuple[float, list[dict[str, Any]]], there: tuple[float, list[dict[str, Any]]],
           workers: int, projected: Sequence[int]) -> None:
    wall_here, tasks_here = here
    wall_there, tasks_there = there
    sum_here = sum(t["seconds"] for t in tasks_here)
    print(f"\n== {name}: {len(tasks_here)} tasks")
    print(f"  in this process : {wall_here:7.1f} s wall ({sum_here:.1f} s in tasks), "
          f"peak {max(t['peak_mb'] for t in tasks_here):,.0f} MB")
    peaks: dict[int, float] = {}
    for t in tasks_there:
        peaks[t["pid"]] = max(peaks.get(t["pid"], 0.0), t["peak_mb"])
    sum_there = sum(t["seconds"] for t in tasks_there)
    print(f"  LocalCluster x{workers}: {wall_there:7.1f} s wall ({sum_there:.1f} s "
          f"in tasks), speed-up {wall_here / wall_there:.2f}x; peak per worker process: "
          + ", ".join(f"{mb:,.0f} MB" for mb in peaks.values()))
    for a in sorted(tasks_here, key=lambda t: t["task"]):
        b = [t for t in tasks_there if t["task"] == a["task"]]
        print(f"    {a['task']:<34} here {a['seconds']:6.1f} s   on a worker "
              + ", ".join(f"{t['seconds']:.1f} s" for t in b))
    outside = max(0.0, wall_here - sum_here)  # reading, merging, publishing in this process
    overhead = max(0.0, wall_there - lpt([t["seconds"] for t in tasks_there], workers) - outside)
    per_task = overhead / max(1, len(tasks_there))
    print(f"  work outside the tasks {outside:.1f} s; cluster overhead {overhead:.1f} s "
          f"({per_task:.2f} s a task: sending, scheduling, results back)")
    cells = []
    for n in projected:
        t = lpt([x["seconds"] + per_task for x in tasks_here], n) + outside
        cells.append(f"{n} workers {t:.1f} s")
    print("  projected: " + "; ".join(cells)
          + f"  (the longest task, {max(t['seconds'] for t in tasks_here):.1f} s, is the floor)")


# --------------------------------------------------------------------------------------------
# suitability over a synthetic state
# --------------------------------------------------------------------------------------------


def state_workspace(root: Path, n_targets: int) -> tuple[Any, dict[str, Path]]:
    import geopandas as gpd
    import numpy as np
    import rasterio
    from rasterio.transform import from_bounds
    from shapely.geometry import LineString, Point, box

    from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace

    cells = [(c, r) for r in range(6) for c in range(10)][:58]
    geoms = [box(c * 100 * KM, r * 70 * KM, (c + 1) * 100 * KM, (r + 1) * 70 * KM) for c, r in cells]
    names = {g: f"County {i + 1}" for i, g in enumerate(COUNTIES)}
    if not (root / CONFIG_NAME).is_file():
        (root / "data" / "geo").mkdir(parents=True, exist_ok=True)
        (root / "data" / "econ" / "suitability").mkdir(parents=True, exist_ok=True)
        counties = ", ".join(f'"{g}" = "{n}"' for g, n in names.items())
        config = DEFAULT_CONFIG.replace('name = "San Joaquin Valley"', 'name = "Synthetic State"')
        config = "\n".join(f"counties = {{ {counties} }}" if line.startswith("counties =") else line
                           for line in config.replace("\\\n", "").splitlines())
        (root / CONFIG_NAME).write_text(config + "\n", encoding="utf-8")
        gpd.GeoDataFrame({"geoid": COUNTIES, "name": list(names.values()), "in_region": True},
                         geometry=geoms, crs=3310).to_crs(4326).to_file(
            root / "data" / "geo" / "ca_counties.geojson", driver="GeoJSON")
    ws = Workspace.open(root)
    assert len(ws.config.region_counties) == 58
    for i in range(n_targets):
        rail, town, road, water, workers = WEIGHTS[i % len(WEIGHTS)]
        (ws.econ_dir / "suitability" / f"plant-{i + 1}.toml").write_text(
            PROFILE.format(i=i + 1, rail=rail, town=town, road=road, water=water, workers=workers))
    layers_dir = root / "layers"
    layers = {"rail": layers_dir / "rail.gpkg", "towns": layers_dir / "towns.gpkg",
              "highways": layers_dir / "highways.gpkg", "reserve": layers_dir / "reserve.gpkg",
              "water": layers_dir / "water.tif", "workers": layers_dir / "workers.csv"}
    if not layers["water"].is_file():
        layers_dir.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(5)
        rails = [LineString([(0, y * KM), (1000 * KM, (y + 60) * KM)]) for y in (30, 150, 300)]
        rails += [LineString([(x * KM, 0), ((x + 100) * KM, 420 * KM)]) for x in (150, 480, 800)]
        gpd.GeoDataFrame({"name": [f"line {i}" for i in range(len(rails))]}, geometry=rails,
                         crs=3310).to_file(layers["rail"])
        roads = [LineString([(0, y * KM), (1000 * KM, y * KM)]) for y in (60, 200, 350)]
        roads += [LineString([(x * KM, 0), (x * KM, 420 * KM)]) for x in (100, 300, 550, 700, 900)]
        gpd.GeoDataFrame({"name": [f"road {i}" for i in range(len(roads))]}, geometry=roads,
                         crs=3310).to_file(layers["highways"])
        towns = [Point(rng.uniform(0, 1000 * KM), rng.uniform(0, 420 * KM)) for _ in range(400)]
        gpd.GeoDataFrame({"name": [f"town {i}" for i in range(len(towns))]}, geometry=towns,
                         crs=3310).to_file(layers["towns"])
        reserves = [box(x, y, x + 30 * KM, y + 20 * KM)
                    for x, y in zip(rng.uniform(0, 950 * KM, 25), rng.uniform(0, 400 * KM, 25), strict=True)]
        gpd.GeoDataFrame({"name": [f"reserve {i}" for i in range(25)]}, geometry=reserves,
                         crs=3310).to_file(layers["reserve"])
        layers["workers"].write_text("geoid,workers\n" + "".join(
            f"{g},{int(rng.integers(1_000, 60_000))}\n" for g in COUNTIES))
        width, height = 4000, 1700
        x = np.linspace(0, 6 * np.pi, width, dtype=np.float32)
        y = np.linspace(0, 3 * np.pi, height, dtype=np.float32)[:, None]
        values = (50 + 30 * np.sin(x) * np.cos(y) + 20 * np.sin(x / 3 + y)).astype(np.float32)
        with rasterio.open(layers["water"], "w", driver="GTiff", width=width, height=height, count=1,
                           dtype="float32", crs="EPSG:3310", tiled=True, compress="deflate",
                           transform=from_bounds(-10 * KM, -10 * KM, 1010 * KM, 430 * KM, width, height)
                           ) as dst:
            dst.write(values, 1)
    return ws, layers


def run_suitability(ws: Any, layers: dict[str, Path], executor: Any, out: Path, log_dir: Path,
                    resolution: float, n_targets: int) -> tuple[float, list[dict[str, Any]]]:
    from valleymaps.workflows.suitability_run import run_targets

    log_dir.mkdir(parents=True)
    start = time.perf_counter()
    run_targets(ws, [f"plant-{i + 1}" for i in range(n_targets)], layers=layers, resolution=resolution,
                png=False, out_dir=out, overwrite=True, executor=timed_executor(executor, log_dir))
    return time.perf_counter() - start, read_log(log_dir)


def run_strips(ws: Any, layers: dict[str, Path], executor: Any, out: Path, log_dir: Path,
               resolution: float, strips: int) -> tuple[float, list[dict[str, Any]]]:
    from valleymaps.workflows.suitability_run import run_targets

    log_dir.mkdir(parents=True)
    start = time.perf_counter()
    run_targets(ws, ["plant-1"], layers=layers, resolution=resolution, png=False, out_dir=out,
                overwrite=True, executor=timed_executor(executor, log_dir), strips=strips)
    return time.perf_counter() - start, read_log(log_dir)


def run_flows_parquet(ws: Any, paths: list[Path]) -> None:
    import pandas as pd

    from valleymaps.analysis.commuting import flows_between_counties
    from valleymaps.io.flows.parquet_store import parquet_dir
    from valleymaps.io.flows.store import import_flows, load_flows
    from valleymaps.workflows.flows_query import query_flows_between_counties

    start = time.perf_counter()
    name = import_flows(ws, paths, format="lodes-od", replace=True).name
    t_import = time.perf_counter() - start
    region = sorted(ws.config.region_counties)
    results = {}
    for how in ("pandas", "duckdb"):
        start = time.perf_counter()
        for level in ("county", "tract"):
            if how == "pandas":
                table = load_flows(ws, name).tables[level]
                results[how, level] = flows_between_counties(table, region_counties=region)
            else:
                results[how, level] = query_flows_between_counties(parquet_dir(ws), dataset=name,
                                                                   region_counties=region, level=level)
        print(f"  {how:<6}: {time.perf_counter() - start:6.2f} s for county and tract tables "
              + ("(read the CSV store, group in pandas)" if how == "pandas"
                 else "(one SQL query each over the Parquet partitions)"))
    for level in ("county", "tract"):
        pd.testing.assert_frame_equal(results["duckdb", level], results["pandas", level], check_dtype=False)
    store = sum(p.stat().st_size for p in parquet_dir(ws).rglob("*.parquet"))
    csv = sum(p.stat().st_size for p in (ws.econ_dir / "flows").glob(f"{name}.*.csv"))
    print(f"  import (CSV and Parquet) {t_import:.1f} s; tables identical: True "
          f"({len(results['pandas', 'county']):,} county pairs); Parquet {store / 1e6:.1f} MB, "
          f"CSV {csv / 1e6:.1f} MB")


# --------------------------------------------------------------------------------------------
# LODES OD files
# --------------------------------------------------------------------------------------------

OD_NAMES = ["ca_od_main_JT00_2021", "ca_od_aux_JT00_2021", "nv_od_aux_JT00_2021", "az_od_aux_JT00_2021",
            "or_od_aux_JT00_2021", "wa_od_aux_JT00_2021", "ut_od_aux_JT00_2021", "id_od_aux_JT00_2021"]


def od_files(n: int, rows: int) -> list[Path]:
    sys.path.insert(0, str(Path(__file__).parent))
    from _od_fixture import write_od_file

    paths = []
    for i, name in enumerate(OD_NAMES[:n]):
        path = DATA / "od" / f"rows{rows}" / f"{name}.csv.gz"
        if not path.is_file():
            print(f"generating {path.name} ({rows:,} rows)...", flush=True)
            tmp = path.with_name(".partial-" + path.name)
            write_od_file(tmp, rows=rows, seed=100 + i)
            tmp.replace(path)
        paths.append(path)
    return paths


def run_od(paths: list[Path], executor: Any, log_dir: Path) -> tuple[float, list[dict[str, Any]], Any]:
    from valleymaps.io.flows.lodes_od import read_lodes_od, read_od_file_pairs

    log_dir.mkdir(parents=True)
    start = time.perf_counter()
    if executor.distributed:
        agg = read_lodes_od(paths, detail_counties=COUNTIES[:8], executor=timed_executor(executor, log_dir))
    else:  # the one-table read, timed per file the same way (each file as its own task)
        from valleymaps.io.flows.lodes_od import OdFileTask

        agg = read_lodes_od(paths, detail_counties=COUNTIES[:8])
        elapsed = time.perf_counter() - start
        timed = Timed(read_od_file_pairs, log_dir)
        for p in paths:
            timed(OdFileTask(path=p, detail_level="tract", detail_counties=tuple(COUNTIES[:8]),
                             chunk_bytes=8 << 20, engine="auto"))
        return elapsed, read_log(log_dir), agg
    return time.perf_counter() - start, read_log(log_dir), agg


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    parser.add_argument("--memory-limit", default="2GiB", help="per worker (default 2GiB)")
    parser.add_argument("--resolution", type=float, default=400.0, help="suitability cell size, m (400)")
    parser.add_argument("--targets", type=int, default=4, help="suitability targets (default 4)")
    parser.add_argument("--od-files", type=int, default=4, help="LODES OD files (default 4)")
    parser.add_argument("--od-rows", type=int, default=2_000_000, help="rows per OD file (default 2M)")
    parser.add_argument("--projected", default="1,2,4,8,16,32", help="worker counts to project")
    parser.add_argument("--strip-tasks", type=int, default=4, help="strip tasks of one target (default 4)")
    parser.add_argument("--skip", choices=["suitability", "od", "strips"], action="append", default=[])
    args = parser.parse_args()

    import cloudpickle
    import distributed
    import pandas as pd

    from valleymaps.compute import DaskExecutor, InProcessExecutor

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    projected = [int(n) for n in args.projected.split(",")]
    run_dir = DATA / "runs" / uuid.uuid4().hex[:8]
    print(f"{os.cpu_count()} CPUs here (load average {os.getloadavg()[0]:.1f}); LocalCluster of "
          f"{args.workers} processes x 1 thread, {args.memory_limit} each")
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  memory_limit=args.memory_limit, dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(args.workers)
        dask_ex = DaskExecutor(client)
        client.run(lambda: __import__("valleymaps.workflows.suitability_run"))  # warm the workers' imports
        if "suitability" not in args.skip:
            ws, layers = state_workspace(DATA / f"state-{args.targets}", args.targets)
            from valleymaps.io.region import read_analysis_region
            from valleymaps.suitability.grid import make_grid

            grid = make_grid(read_analysis_region(ws), resolution=args.resolution)
            print(f"\nsynthetic state: 58 counties, grid {grid.width:,} x {grid.height:,} = "
                  f"{grid.width * grid.height / 1e6:.1f} M cells of {args.resolution:g} m per layer")
            here = run_suitability(ws, layers, InProcessExecutor(), run_dir / "s-here",
                                   run_dir / "s-log-here", args.resolution, args.targets)
            there = run_suitability(ws, layers, dask_ex, run_dir / "s-there", run_dir / "s-log-there",
                                    args.resolution, args.targets)
            there_dir = run_dir / "s-there"
            same = all((run_dir / "s-here" / p.relative_to(there_dir)).read_bytes() == p.read_bytes()
                       for p in there_dir.rglob("*.tif"))
            report(f"suitability, {args.targets} targets at {args.resolution:g} m", here, there,
                   args.workers, projected)
            print(f"  GeoTIFFs byte-identical: {same}")
        if "strips" not in args.skip:
            ws, layers = state_workspace(DATA / f"state-{max(1, args.targets)}", max(1, args.targets))
            one = run_suitability(ws, layers, InProcessExecutor(), run_dir / "t-one", run_dir / "t-log-one",
                                  args.resolution, 1)
            here = run_strips(ws, layers, InProcessExecutor(), run_dir / "t-here", run_dir / "t-log-here",
                              args.resolution, args.strip_tasks)
            there = run_strips(ws, layers, dask_ex, run_dir / "t-there", run_dir / "t-log-there",
                               args.resolution, args.strip_tasks)
            report(f"one target in {args.strip_tasks} strips at {args.resolution:g} m", here, there,
                   args.workers, projected)
            print(f"  one pass, no strips, in this process: {one[0]:.1f} s wall, "
                  f"peak {one[1][0]['peak_mb']:,.0f} MB (this process's peaks only grow: run it first)")
            tifs = [p.relative_to(run_dir / "t-there") for p in (run_dir / "t-there").rglob("*.tif")]
            same = all((run_dir / "t-one" / t).read_bytes() == (run_dir / "t-there" / t).read_bytes()
                       == (run_dir / "t-here" / t).read_bytes() for t in tifs)
            print(f"  GeoTIFFs byte-identical to one pass (here and on the cluster): {same}")
        if "od" not in args.skip:
            paths = od_files(args.od_files, args.od_rows)
            size = sum(p.stat().st_size for p in paths)
            print(f"\nLODES OD: {len(paths)} files x {args.od_rows:,} rows ({size / 1e6:,.0f} MB gzipped)")
            t_here, log_here, agg_here = run_od(paths, InProcessExecutor(), run_dir / "o-log-here")
            t_there, log_there, agg_there = run_od(paths, dask_ex, run_dir / "o-log-there")
            report(f"LODES OD, {len(paths)} files", (t_here, log_here), (t_there, log_there), args.workers,
                   projected)
            pd.testing.assert_frame_equal(agg_here.county, agg_there.county)
            pd.testing.assert_frame_equal(agg_here.detail, agg_there.detail)
            print(f"  tables identical: True ({len(agg_here.county):,} county pairs, "
                  f"{len(agg_here.detail):,} tract pairs)")
            print("  (in this process: one pass into one table; its task times are each file read alone)")
            print("\n== flows: CSV store + pandas against the Parquet store + DuckDB")
            ws, _layers = state_workspace(DATA / f"state-{max(1, args.targets)}", max(1, args.targets))
            run_flows_parquet(ws, paths)
    print(f"\noutputs under {run_dir}")


if __name__ == "__main__":
    main()
