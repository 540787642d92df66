"""Benchmark: aggregating a LODES OD file to county and tract pairs, against other engines.

Run from the repo root (the full run generates a 15-million-row file once, about a minute)::

    nice -n 10 .venv/bin/python benchmarks/bench_lodes_od.py            # 15,000,000 rows
    .venv/bin/python benchmarks/bench_lodes_od.py --rows 1000000        # a quick run

1. Writes ``ca_od_main_JT00_2021.csv.gz`` in the published schema (block GEOIDs as
   15-character text, rows sorted by work block, gzip) under ``--dir`` (default
   ``/tmp/valleymaps-bench-od``), once per row count and seed.
2. Runs each engine in its own process, one after the other: every engine sums S000 and the nine
   segment columns by tract pairs (first 11 characters of the work and home GEOIDs) and by
   county pairs (first 5). Engines: valleymaps (``read_lodes_od``, compiled loop), valleymaps
   pure-Python engine (its fallback where the compiled loop was not built), polars lazy scan, DuckDB, pandas'
   default reader, and ``gzip -dc`` alone (decompression only, for scale).
3. Prints wall seconds and peak memory (peak RSS of the process, from ``wait4``) per engine,
   the ratio of each to valleymaps and to ``gzip -dc``, and checks that all engines agree on
   the number of pairs and workers.
4. Runs valleymaps the way ``valleymaps import flows`` does (tract pairs kept for the Valley's
   counties, county pairs for all) on the file and on one a tenth its size: streaming, its
   peak memory must not follow the size of the file. Targets: at least as fast as the fastest
   other engine, peak under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

COUNTS = ["S000", "SA01", "SA02", "SA03", "SE01", "SE02", "SE03", "SI01", "SI02", "SI03"]
ENGINES = ["valleymaps", "valleymaps-python", "polars", "duckdb", "pandas", "gzip -dc"]
PEERS = ["polars", "duckdb", "pandas"]


# --------------------------------------------------------------------------------------------
# engines (each runs in a child process: `bench_lodes_od.py --engine NAME FILE`)
# --------------------------------------------------------------------------------------------


def run_valleymaps(path: str, engine: str, *, region: bool = False) -> dict[str, int]:
    from valleymaps.io.flows.lodes_od import read_lodes_od
    from valleymaps.settings import VALLEY_COUNTIES

    agg = read_lodes_od(path, detail_level="tract", engine=engine,
                        detail_counties=list(VALLEY_COUNTIES) if region else None)
    return {"tract_pairs": len(agg.detail), "county_pairs": len(agg.county),
            "workers": int(agg.detail["workers"].sum()), "se03": int(agg.county["SE03"].sum())}


def run_polars(path: str) -> dict[str, int]:
    import polars as pl

    lf = pl.scan_csv(path, schema_overrides={"w_geocode": pl.String, "h_geocode": pl.String})
    tract = (lf.select(pl.col("h_geocode").str.slice(0, 11).alias("h_geoid"),
                       pl.col("w_geocode").str.slice(0, 11).alias("w_geoid"), *COUNTS)
             .group_by("h_geoid", "w_geoid").agg(pl.col(COUNTS).sum()))
    county = (tract.group_by(pl.col("h_geoid").str.slice(0, 5), pl.col("w_geoid").str.slice(0, 5))
              .agg(pl.col(COUNTS).sum()))
    tract_df, county_df = pl.collect_all([tract, county])
    return {"tract_pairs": tract_df.height, "county_pairs": county_df.height,
            "workers": int(tract_df["S000"].sum()), "se03": int(county_df["SE03"].sum())}


def run_duckdb(path: str) -> dict[str, int]:
    import duckdb

    con = duckdb.connect()
    sums = ", ".join(f"sum({c}) AS {c}" for c in COUNTS)
    con.execute(
        f"CREATE TABLE tract AS SELECT h_geocode[1:11] AS h_geoid, w_geocode[1:11] AS w_geoid, {sums} "
        f"FROM read_csv('{path}', header=true, types={{'w_geocode': 'VARCHAR', 'h_geocode': 'VARCHAR'}}) "
        "GROUP BY ALL"
    )
    con.execute(f"CREATE TABLE county AS SELECT h_geoid[1:5] AS h, w_geoid[1:5] AS w, {sums} "
                "FROM tract GROUP BY ALL")
    tract_pairs, workers = con.execute("SELECT count(*), sum(S000) FROM tract").fetchone()
    county_pairs, se03 = con.execute("SELECT count(*), sum(SE03) FROM county").fetchone()
    return {"tract_pairs": int(tract_pairs), "county_pairs": int(county_pairs),
            "workers": int(workers), "se03": int(se03)}


def run_pandas(path: str) -> dict[str, int]:
    import pandas as pd

    df = pd.read_csv(path)  # the default reader: every column, types inferred
    # GEOIDs came in as numbers (leading zero lost): tract and county by integer division
    df["h_tract"] = df["h_geocode"] // 10_000
    df["w_tract"] = df["w_geocode"] // 10_000
    tract = df.groupby(["h_tract", "w_tract"], sort=False)[COUNTS].sum().reset_index()
    county = tract.groupby([tract["h_tract"] // 1_000_000, tract["w_tract"] // 1_000_000])[COUNTS].sum()
    return {"tract_pairs": len(tract), "county_pairs": len(county),
            "workers": int(tract["S000"].sum()), "se03": int(county["SE03"].sum())}


def child(engine: str, path: str) -> None:
    start = time.perf_counter()
    if engine == "valleymaps":
        result = run_valleymaps(path, "c")
    elif engine == "valleymaps-import":
        result = run_valleymaps(path, "c", region=True)
    elif engine == "valleymaps-python":
        result = run_valleymaps(path, "python")
    elif engine == "polars":
        result = run_polars(path)
    elif engine == "duckdb":
        result = run_duckdb(path)
    elif engine == "pandas":
        result = run_pandas(path)
    else:
        raise SystemExit(f"unknown engine {engine}")
    result["inner_seconds"] = time.perf_counter() - start
    result["vmhwm_mb"] = _vmhwm_mb()
    print(json.dumps(result))


def _vmhwm_mb() -> float:
    """Peak resident memory of this process image (Linux), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# --------------------------------------------------------------------------------------------
# the parent: generate, run, report
# --------------------------------------------------------------------------------------------


def measure_child(cmd: list[str], *, quiet: bool) -> tuple[float, float, str]:
    """Like :func:`measure`, but reaps the process with wait4 to get its own peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if not quiet else subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    # read the pipes while it runs, then reap it ourselves
    out = proc.stdout.read() if proc.stdout is not None else b""
    err = proc.stderr.read() if proc.stderr is not None else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, out.decode()


def data_file(folder: Path, rows: int, seed: int) -> Path:
    """The generated file (made in a child process, so this one stays small: peak RSS of the
    children it forks then reflects only their own work)."""
    path = folder / f"rows{rows}-seed{seed}-v3" / "ca_od_main_JT00_2021.csv.gz"
    if not path.is_file():
        print(f"generating {path} ({rows:,} rows)...", flush=True)
        start = time.perf_counter()
        tmp = path.with_name(".partial-" + path.name)
        code = ("import sys, pathlib; sys.path.insert(0, sys.argv[1]); "
                "from _od_fixture import write_od_file; "
                "write_od_file(pathlib.Path(sys.argv[2]), rows=int(sys.argv[3]), seed=int(sys.argv[4]))")
        subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(tmp), str(rows),
                        str(seed)], check=True)
        tmp.replace(path)
        print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=15_000_000, help="rows of the OD file (default 15M)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/valleymaps-bench-od"),
                        help="where generated files are kept (reused by later runs)")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated subset of: {', '.join(ENGINES)}")
    parser.add_argument("--no-scaling", action="store_true", help="skip the run on a file 10x smaller")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        child(args.engine, args.file)
        return

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    path = data_file(args.dir, args.rows, args.seed)
    size = path.stat().st_size
    print(f"file: {path} ({size / 1e6:.0f} MB gzipped)")

    # the compiled loop is built when valleymaps is installed (setup.py); say when it is not
    start = time.perf_counter()
    check = subprocess.run([sys.executable, "-c", "from valleymaps.io.flows import _odscan; "
                            "print(_odscan.load() is not None)"], capture_output=True, text=True, check=True)
    compiled = check.stdout.strip() == "True"
    state = "installed" if compiled else "NOT INSTALLED (built at install: needs gcc and python3-dev)"
    print(f"valleymaps compiled loop: {state} ({time.perf_counter() - start:.2f} s)")

    results: dict[str, dict[str, float]] = {}
    for engine in engines:
        if engine == "gzip -dc":
            seconds, peak, _ = measure_child(["gzip", "-dc", str(path)], quiet=True)
            results[engine] = {"seconds": seconds, "peak_mb": peak}
        else:
            seconds, peak, out = measure_child(
                [sys.executable, __file__, "--engine", engine, str(path)], quiet=False)
            result = json.loads(out.strip().splitlines()[-1])
            # the child's own high-water mark when the system reports it (exact for its image)
            if result.get("vmhwm_mb") == result.get("vmhwm_mb"):
                peak = float(result["vmhwm_mb"])
            results[engine] = {"seconds": seconds, "peak_mb": peak, **result}
        r = results[engine]
        print(f"  {engine:<18} {r['seconds']:7.2f} s  {r['peak_mb']:7.0f} MB", flush=True)

    # do they agree?
    keys = ("tract_pairs", "county_pairs", "workers", "se03")
    answers = {e: tuple(int(r[k]) for k in keys) for e, r in results.items() if "workers" in r}
    agree = len(set(answers.values())) <= 1

    print()
    print(f"LODES OD aggregation to county and tract pairs, {args.rows:,} rows ({size / 1e6:.0f} MB gz)")
    ours = results.get("valleymaps")
    gz = results.get("gzip -dc")
    header = f"{'engine':<18} {'seconds':>8} {'peak MB':>8} {'vs valleymaps':>14} {'vs gzip -dc':>12}"
    print(header)
    print("-" * len(header))
    for engine, r in results.items():
        vs_ours = f"{r['seconds'] / ours['seconds']:.2f}x" if ours else "–"
        vs_gz = f"{r['seconds'] / gz['seconds']:.2f}x" if gz else "–"
        print(f"{engine:<18} {r['seconds']:8.2f} {r['peak_mb']:8.0f} {vs_ours:>14} {vs_gz:>12}")
    if answers:
        first = next(iter(answers.values()))
        print(f"\nresults {'agree' if agree else 'DIFFER'}: {first[0]:,} tract pairs, {first[1]:,} county "
              f"pairs, {first[2]:,} workers" + ("" if agree else f"  {answers}"))
    if ours:
        peers = {e: results[e]["seconds"] for e in PEERS if e in results}
        if peers:
            fastest = min(peers, key=peers.__getitem__)
            ok_speed = ours["seconds"] <= peers[fastest]
            print(f"speed target (at least as fast as the fastest engine, {fastest} "
                  f"{peers[fastest]:.2f} s): {'met' if ok_speed else 'NOT MET'} "
                  f"({ours['seconds']:.2f} s, {peers[fastest] / ours['seconds']:.2f}x faster)")
        print(f"memory target (peak under 1 GB): {'met' if ours['peak_mb'] < 1024 else 'NOT MET'} "
              f"({ours['peak_mb']:.0f} MB)")
        if not args.no_scaling and args.rows >= 100_000:
            # streaming: with the output bounded (tract pairs kept for the Valley only, as
            # `valleymaps import flows` does), memory must not follow the size of the file
            small = data_file(args.dir, args.rows // 10, args.seed)
            peaks = {}
            for label, f in (("file", path), ("file 10x smaller", small)):
                sec, peak, out = measure_child(
                    [sys.executable, __file__, "--engine", "valleymaps-import", str(f)], quiet=False)
                peaks[label] = float(json.loads(out.strip().splitlines()[-1]).get("vmhwm_mb", peak))
                print(f"import path (tract pairs of the Valley only), {label}: {sec:.2f} s, "
                      f"{peaks[label]:.0f} MB")
            print(f"10x the rows needs {peaks['file'] / peaks['file 10x smaller']:.2f}x the memory "
                  "(full-state tract pairs above grow with the number of distinct pairs, the output)")

if __name__ == "__main__":
    main()
