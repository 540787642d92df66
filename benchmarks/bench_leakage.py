"""Benchmark: the regional input-output leakage model with the BEA's 405 x 405 tables.

Run from the repo root::

    nice -n 10 .venv/bin/python benchmarks/bench_leakage.py [--method sdp] [--repeat 3]

The BEA detail workbooks are read from ``../shared/realdata/io/`` when they are there (else a
synthetic 405 x 405 economy with the same shape is built in code). Employment: the bundled
synthetic county sample, latest year; the nation is California / 0.11 as ``valleymaps leakage``
does without national rows.

Times, per run (best of ``--repeat``):

1. reading the three workbooks (python-calamine) and the compact store (``.npz``) once;
2. the national structure (coefficients, product mix) once;
3. the model for the region (eight counties) and for each county alone: NAICS rows to BEA
   industries, regional output, demand, supply, purchase coefficients, leakage by commodity
   and by cluster (7 clusters + other buyers), targets - for each of sdp, slq, cilq, flq.

Peak memory: tracemalloc's peak during a second pass of the model runs (numpy arrays are
traced; not on while timing) and the
process's maximum resident set. Target: well under 1 s per run and 300 MB.
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from valleymaps.analysis.io_model import (  # noqa: E402
    METHODS,
    compute_leakage,
    parse_exclusions,
    prepare_structure,
)
from valleymaps.clusters import load_clusters  # noqa: E402
from valleymaps.core.io_tables import IOTables  # noqa: E402

REALDATA_IO = next((p for p in (REPO.parent / "shared" / "realdata" / "io",
                                REPO.parent.parent / "shared" / "realdata" / "io") if p.is_dir()),
                   REPO.parent / "shared" / "realdata" / "io")
EMPLOYMENT = REPO / "data" / "econ" / "employment" / "employment_synthetic_county_2011_2021.csv"
COUNTIES = ["06019", "06029", "06031", "06039", "06047", "06077", "06099", "06107"]


def synthetic_tables(n: int = 405, seed: int = 1) -> IOTables:
    """A 405 x 405 economy with BEA-like sparsity, industries named by 6-digit NAICS codes."""
    rng = np.random.default_rng(seed)
    codes = [f"{111100 + 1000 * k}" for k in range(n)]
    x = rng.uniform(1e3, 1e5, n)
    use = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.3) * x[None, :] * 0.002
    imports = use * rng.uniform(0, 0.3, (n, n))
    make = np.diag(x * 0.95) + rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.01)
    final = np.column_stack([x * 0.4, x * 0.05, -x * 0.1])
    conc = pd.DataFrame({"bea_code": codes, "title": codes, "naics": [c[:4] for c in codes],
                         "naics_text": codes, "shared": False, "note": ""})
    return IOTables(2012, codes, codes, codes, codes, use, make, imports,
                    ["F01000", "F04000", "F05000"], final, final * 0.1, x, make.sum(axis=0), conc)


def employment(year: int | None = None) -> tuple[dict[str, pd.Series], pd.Series]:
    emp = pd.read_csv(EMPLOYMENT, dtype={"geoid": str, "naics": str})
    year = int(emp["year"].max()) if year is None else year
    emp = emp[emp["year"] == year]

    def by_code(rows: pd.DataFrame) -> pd.Series:
        g = rows.groupby("naics")["employment"]
        total = g.sum(min_count=1)
        total[g.apply(lambda v: bool(v.isna().any())).to_numpy()] = np.nan
        return total

    places = {"region": by_code(emp[emp["geoid"].isin(COUNTIES)])}
    for c in COUNTIES:
        places[c] = by_code(emp[emp["geoid"] == c])
    nation = by_code(emp[emp["geoid"] == "06"]) / 0.11
    return places, nation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    files = sorted(REALDATA_IO.glob("*_DET*.xlsx"))
    if len(files) >= 3:
        from valleymaps.io.bea import load_io_tables, read_bea_workbooks, save_io_tables
        from valleymaps.workspace import init_workspace

        t0 = time.perf_counter()
        tables = read_bea_workbooks(files)
        t_read = time.perf_counter() - t0
        ws = init_workspace(Path(tempfile.mkdtemp()) / "ws")
        save_io_tables(ws, tables)
        t0 = time.perf_counter()
        tables = load_io_tables(ws)
        t_load = time.perf_counter() - t0
        npz_bytes = (ws.econ_dir / "io" / "bea_2012_detail.npz").stat().st_size
        print(f"tables: the BEA's 2012 detail workbooks ({len(tables.industries)} industries x "
              f"{len(tables.commodities)} commodities)")
        print(f"  read the three workbooks (calamine): {t_read:.2f} s; load the store "
              f"({npz_bytes / 1e3:,.0f} kB .npz): {t_load * 1e3:.0f} ms")
    else:
        tables = synthetic_tables()
        print(f"tables: synthetic 405 x 405 (no workbooks in {REALDATA_IO})")

    clusters = load_clusters(REPO / "data" / "econ" / "clusters.toml")
    cluster_map = {c.key: list(c.naics) for c in clusters}
    exclusions = parse_exclusions((REPO / "data" / "econ" / "leakage_exclusions.toml").read_text())
    places, nation = employment()

    t0 = time.perf_counter()
    structure = prepare_structure(tables)
    print(f"national structure (coefficients, product mix): {(time.perf_counter() - t0) * 1e3:.0f} ms")

    for method in METHODS:
        times: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for name, emp in places.items():
            best = best_cpu = float("inf")
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                res = compute_leakage(structure, emp, nation, method=method,
                                      cluster_map=cluster_map, exclusions=exclusions)
                best = min(best, time.perf_counter() - t0)
                best_cpu = min(best_cpu, time.process_time() - c0)
            times[name], cpu[name] = best, best_cpu
        counties = [times[c] for c in COUNTIES]
        print(f"{method:>4}: region {times['region'] * 1e3:5.0f} ms; counties "
              f"{min(counties) * 1e3:.0f}-{max(counties) * 1e3:.0f} ms; region + 8 counties "
              f"{sum(times.values()):.2f} s wall, {sum(cpu.values()):.2f} s CPU  "
              f"({len(res.targets)} targets in the last run)")
    # memory apart: tracemalloc slows every allocation down, so it is not on while timing
    tracemalloc.start()
    for method in METHODS:
        for emp in places.values():
            compute_leakage(structure, emp, nation, method=method, cluster_map=cluster_map,
                            exclusions=exclusions)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak traced memory during the model runs: {peak / 1e6:.1f} MB; process max RSS "
          f"{rss:.0f} MB (Python, pandas, numpy and the tables included)")


if __name__ == "__main__":
    main()
