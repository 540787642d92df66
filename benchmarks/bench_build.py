"""Benchmark: time of ``valleymaps build`` and the bytes of every page.

Run from the repo root::

    .venv/bin/python benchmarks/bench_build.py

1. The bundled workspace (``valleymaps init`` + ``valleymaps build``).
2. The same with the 760 real tracts of ``../shared/realdata/tracts`` imported
   and a synthetic LODES WAC file for them (skipped when the folder is absent).

Prints seconds per build (best of ``--repeat``), peak memory of the build
process and each page's size; the targets (a cluster page under 2 MB over 760
tracts) are checked and reported, not asserted.
"""

from __future__ import annotations

import argparse
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


def run(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "valleymaps", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def report_pages(maps: Path) -> None:
    for page in sorted(maps.glob("*.html")):
        size = page.stat().st_size
        flag = "" if page.name == "index.html" or size < PAGE_LIMIT else "  OVER 2 MB"
        print(f"    {page.name:<40} {size:>10,} bytes{flag}")
    pngs = list((maps / "png").glob("*.png"))
    print(f"    {len(pngs)} PNGs, {sum(p.stat().st_size for p in pngs):,} bytes")


def bench(label: str, ws: Path, repeat: int, extra: list[str]) -> None:
    times = [run(["build", "-w", str(ws), *extra], REPO) for _ in range(repeat)]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"{label}: build {min(times):.2f} s (best of {repeat}; all {', '.join(f'{t:.2f}' for t in times)}),"
        f" peak RSS of any build so far {peak_mb:.0f} MB"
    )
    report_pages(ws / "outputs" / "maps")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-png", action="store_true", help="time builds without the PNGs too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "bundled"
        run(["init", str(ws)], REPO)
        bench("bundled workspace (8 counties)", ws, args.repeat, [])
        if args.no_png:
            bench("bundled workspace, --no-png", ws, args.repeat, ["--no-png"])
        if not REALDATA.is_dir():
            print(f"real tracts: skipped ({REALDATA} not found)")
            return
        tracts = sorted((REALDATA / "tracts").glob("*.topo.json"))
        t_import = run(
            ["import", "tracts", *map(str, tracts), "--assume-crs", "EPSG:4326", "-w", str(ws)], REPO
        )
        import geopandas as gpd

        geoids = sorted(gpd.read_file(ws / "data" / "geo" / "tracts.gpkg", layer="tracts")["geoid"])
        wac = write_wac(Path(tmp) / "synthetic_ca_wac_S000_JT00_2021.csv.gz", geoids)
        t_emp = run(["import", "employment", str(wac), "--format", "lodes-wac", "-w", str(ws)], REPO)
        print(f"import 760 real tracts: {t_import:.2f} s; import tract employment (LODES WAC): {t_emp:.2f} s")
        bench(f"bundled counties + {len(geoids)} real tracts", ws, args.repeat, [])
        if args.no_png:
            bench(f"{len(geoids)} real tracts, --no-png", ws, args.repeat, ["--no-png"])


if __name__ == "__main__":
    main()
