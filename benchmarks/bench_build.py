"""Benchmark: time of ``valleymaps build`` and the bytes of every page.

Run from the repo root::

    nice -n 0 .venv/bin/python benchmarks/bench_build.py [--repeat 3] [--no-png]

1. The bundled workspace (``valleymaps init`` + ``valleymaps build``). When the
   bundled sample is an annual series (more than two years) this is the annual
   case, and it says so with the years.
2. The same with the 760 real tracts of ``../shared/realdata/tracts`` imported
   and a synthetic LODES WAC file for them (skipped when the folder is absent).

Prints seconds per build (best of ``--repeat``, and every run), the CPU seconds
of each build with its worker processes (user + system: steadier than wall time
on a shared machine), a speed probe of the machine before and after the runs
(a fixed single-core workload: compare figures only between runs with similar
probes), the peak memory of any build process and each page's size. The targets
(bundled atlas with PNGs under 8 s, 760 tracts under 12 s, under 1 GB, a cluster
page under 2 MB over 760 tracts) are checked and reported, not asserted.
"""

from __future__ import annotations

import argparse
import compileall
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
sys.path.insert(0, str(REPO / "tests"))

from lodes_files import write_wac  # noqa: E402

PAGE_LIMIT = 2_000_000
MEMORY_LIMIT_MB = 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "valleymaps", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def timed_build(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the build and its workers) of one ``valleymaps`` run."""
    cpu = _cpu_seconds()
    wall = run(args, cwd)
    return wall, _cpu_seconds() - cpu


def sample_years(ws: Path) -> list[int]:
    """Years of the workspace's bundled synthetic county employment."""
    import pandas as pd

    years: set[int] = set()
    for path in (ws / "data" / "econ" / "employment").glob("employment_synthetic_county_*.csv"):
        years |= set(pd.read_csv(path, usecols=["year"])["year"].astype(int))
    return sorted(years)


def report_pages(maps: Path) -> None:
    for page in sorted(maps.glob("*.html")):
        size = page.stat().st_size
        flag = "" if page.name == "index.html" or size < PAGE_LIMIT else "  OVER 2 MB"
        print(f"    {page.name:<40} {size:>10,} bytes{flag}")
    pngs = list((maps / "png").glob("*.png"))
    print(f"    {len(pngs)} PNGs, {sum(p.stat().st_size for p in pngs):,} bytes")


def speed_probe() -> float:
    """Seconds of a fixed single-core workload (Python loop, numpy sort): the machine's speed now.

    The build's times scale with it; on a shared machine it moves by tens of percent within an
    hour, so figures from runs with different probes are not comparable.
    """
    import numpy as np

    start = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i * i
    np.sort(np.random.default_rng(0).random(3_000_000))
    return time.perf_counter() - start


def bench(label: str, ws: Path, repeat: int, extra: list[str], target_s: float | None = None) -> None:
    before = speed_probe()
    runs = [timed_build(["build", "-w", str(ws), *extra], REPO) for _ in range(repeat)]
    after = speed_probe()
    times = [wall for wall, _ in runs]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    verdict = ""
    if target_s is not None:
        verdict = f"; target < {target_s:g} s: {'met' if min(times) < target_s else 'NOT met'}"
    print(
        f"{label}: build {min(times):.2f} s (best of {repeat}; all {', '.join(f'{t:.2f}' for t in times)}),"
        f" CPU {', '.join(f'{c:.1f}' for _, c in runs)} s{verdict}"
    )
    print(f"    machine speed probe before and after: {before:.2f} s, {after:.2f} s (a fixed workload)")
    print(
        f"    peak RSS of any build process so far {peak_mb:.0f} MB"
        f" ({'under' if peak_mb < MEMORY_LIMIT_MB else 'OVER'} {MEMORY_LIMIT_MB} MB)"
    )
    report_pages(ws / "outputs" / "maps")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-png", action="store_true", help="time builds without the PNGs too")
    parser.add_argument("--realdata", type=Path, default=REALDATA,
                        help=f"folder of the real data, with tracts/ (default {REALDATA})")
    parser.add_argument("--workers", type=int, default=2,
                        help="valleymaps build --workers N (default 2: both cores; 1 is the build's default)")
    parser.add_argument("--skip-bundled", action="store_true",
                        help="only the 760-tract case (the bundled builds are not timed)")
    args = parser.parse_args()
    realdata: Path = args.realdata
    workers = ["--workers", str(args.workers)]
    print(f"builds run with --workers {args.workers}")
    # Python keeps each module's bytecode in __pycache__ after its first import, unless told not
    # to (PYTHONDONTWRITEBYTECODE, set on some CI machines): compile the package once, as a first
    # run leaves it, so that every timed build starts as a user's second one does
    import valleymaps

    compileall.compile_dir(Path(valleymaps.__file__).parent, quiet=1)
    print("valleymaps's modules compiled (__pycache__), as after a first run")
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "bundled"
        run(["init", str(ws)], REPO)
        years = sample_years(ws)
        if len(years) > 2:
            label = f"bundled workspace (8 counties, annual {years[0]}–{years[-1]}: {len(years)} years)"
        else:
            label = "bundled workspace (8 counties)"
            print(
                f"annual case: not available, the bundled sample has {len(years)} years "
                f"({', '.join(map(str, years))}); rerun once it is an annual series"
            )
        if not args.skip_bundled:
            bench(label, ws, args.repeat, workers, target_s=8)
            if args.no_png:
                bench("bundled workspace, --no-png", ws, args.repeat, [*workers, "--no-png"])
        if not realdata.is_dir():
            print(f"real tracts: skipped ({realdata} not found; pass --realdata)")
            return
        tracts = sorted((realdata / "tracts").glob("*.topo.json"))
        t_import = run(
            ["import", "tracts", *map(str, tracts), "--assume-crs", "EPSG:4326", "-w", str(ws)], REPO
        )
        import geopandas as gpd

        geoids = sorted(gpd.read_file(ws / "data" / "geo" / "tracts.gpkg", layer="tracts")["geoid"])
        wac = write_wac(Path(tmp) / "synthetic_ca_wac_S000_JT00_2021.csv.gz", geoids)
        t_emp = run(["import", "employment", str(wac), "--format", "lodes-wac", "-w", str(ws)], REPO)
        print(f"import 760 real tracts: {t_import:.2f} s; import tract employment (LODES WAC): {t_emp:.2f} s")
        bench(f"bundled counties + {len(geoids)} real tracts", ws, args.repeat, workers, target_s=12)
        if args.no_png:
            bench(f"{len(geoids)} real tracts, --no-png", ws, args.repeat, [*workers, "--no-png"])


if __name__ == "__main__":
    main()
