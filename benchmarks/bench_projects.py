"""Benchmark: import and map 20,000 point projects.

Run from the repo root (generated data go to a temporary folder under /tmp)::

    nice -n 10 .venv/bin/python benchmarks/bench_projects.py [--n 20000] [--db URL]

1. Writes a CSV of ``--n`` projects spread over the eight counties (costs written the ways agencies
   write them, 1% of rows outside the region so the problem report has work to do).
2. Times ``import_projects`` into the workspace GeoPackage, and into PostGIS when ``--db`` (or
   ``$VALLEYMAPS_TEST_DB_URL``) is given; then the investment summary by county.
3. Renders the project page and times it; prints its bytes.
4. Opens it in headless Chromium (the browser-test harness, offline) and times the first render,
   a zoom in + pan, and a status filter. Peers measured in the same run: folium's own
   ``MarkerCluster`` of ``folium.Marker`` with popups (the usual way), and ``FastMarkerCluster``
   (no popups, no filter).

"Responsive" means: first render under 5 s and zoom/pan and filter each under 1 s.
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

FIRST_RENDER_LIMIT_S = 5.0
INTERACTION_LIMIT_S = 1.0

_COST_FORMS = (
    lambda c: f"${c / 1e6:.1f}M",
    lambda c: f"{c:,.0f}",
    lambda c: f"${c / 1e3:.0f}K",
    lambda c: f"{c:.0f}",
)


def write_projects_csv(path: Path, n: int, counties: Any, seed: int = 42) -> None:
    """``n`` projects inside the counties (1% outside the region)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    region = shapely.union_all(counties.geometry.to_numpy())
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    lon: list[float] = []
    lat: list[float] = []
    while len(lon) < n:
        x = rng.uniform(minx, maxx, n)
        y = rng.uniform(miny, maxy, n)
        inside = shapely.contains_xy(region, x, y)
        lon += x[inside].tolist()
        lat += y[inside].tolist()
    lon, lat = lon[:n], lat[:n]
    outside = rng.random(n) < 0.01
    lon_arr = np.where(outside, -122.4, np.array(lon))
    costs = 10 ** rng.uniform(4.5, 8.5, n)
    frame = pd.DataFrame(
        {
            "Project ID": [f"P{i:05d}" for i in range(n)],
            "Project Name": [f"Project {i}" for i in range(n)],
            "Lead Agency": rng.choice(["Fresno COG", "Kern COG", "SJCOG", "StanCOG", "TCAG"], n),
            "Type": rng.choice(["Road", "Transit", "Water", "Sewer", "Solar", "Fiber", "Library", "Rail"], n),
            "Total Cost": [_COST_FORMS[i % 4](c) for i, c in enumerate(costs)],
            "Start": rng.integers(2015, 2031, n),
            "Completion": rng.integers(2031, 2036, n),
            "Status": rng.choice(["Planned", "Programmed", "Construction", "Complete"], n),
            "Description": ["Improvements as listed in the RTP"] * n,
            "Latitude": np.round(lat, 6),
            "Longitude": np.round(lon_arr, 6),
        }
    )
    frame.to_csv(path, index=False)
    del gpd


def timed(label: str, fn: Any) -> Any:
    start = time.perf_counter()
    out = fn()
    print(f"  {label:<44} {time.perf_counter() - start:8.2f} s")
    return out


_FIND_MAP = "Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k])[0]"

_ZOOM_PAN = (
    """async () => {
  const map = """
    + _FIND_MAP
    + """;
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const t0 = performance.now();
  const done = new Promise(r => map.once('moveend', r));
  map.setView([36.75, -119.78], map.getZoom() + 3, {animate: false});
  await done; await frames();
  const t1 = performance.now();
  const done2 = new Promise(r => map.once('moveend', r));
  map.panBy([300, 200], {animate: false});
  await done2; await frames();
  const t2 = performance.now();
  return [t1 - t0, t2 - t1];
}"""
)

_FILTER = """async () => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const box = document.querySelector('input[name=vm-status][value=planned]');
  const t0 = performance.now();
  box.click();
  await frames();
  return performance.now() - t0;
}"""


def measure_page(opener: Any, path: Path, ready: str, label: str, *, has_filter: bool) -> dict[str, float]:
    start = time.perf_counter()
    page, report = opener(path, wait_for=ready, timeout_ms=120_000)
    first = time.perf_counter() - start
    zoom_ms, pan_ms = page.evaluate(_ZOOM_PAN)
    filter_ms = page.evaluate(_FILTER) if has_filter else float("nan")
    problems = report.problems()
    problems = [p for p in problems if "ERR_ABORTED" not in p]
    size = path.stat().st_size
    ok = first < FIRST_RENDER_LIMIT_S and max(zoom_ms, pan_ms) / 1000 < INTERACTION_LIMIT_S
    if has_filter:
        ok = ok and filter_ms / 1000 < INTERACTION_LIMIT_S
    print(
        f"  {label:<30} {size / 1e6:7.2f} MB  first render {first:6.2f} s  zoom {zoom_ms:7.0f} ms  "
        f"pan {pan_ms:6.0f} ms  filter {filter_ms:6.0f} ms  responsive: {'yes' if ok else 'NO'}"
        + (f"  ({len(problems)} page errors)" if problems else "")
    )
    for problem in problems[:3]:
        print(f"      {problem[:200]}")
    page.close()
    return {"bytes": size, "first": first, "zoom": zoom_ms, "pan": pan_ms, "filter": filter_ms}


def folium_peers(projects: Any, folder: Path) -> list[tuple[str, Path, str]]:
    import folium
    from folium.plugins import FastMarkerCluster, MarkerCluster

    lat = projects.geometry.y.to_numpy()
    lon = projects.geometry.x.to_numpy()
    pages = []
    fmap = folium.Map(location=[36.5, -119.5], zoom_start=7)
    cluster = MarkerCluster().add_to(fmap)
    for y, x, name, cost in zip(lat, lon, projects["name"], projects["cost_usd"], strict=True):
        folium.Marker([y, x], tooltip=name, popup=f"{name}<br>${cost:,.0f}").add_to(cluster)
    path = folder / "peer_markercluster.html"
    fmap.save(str(path))
    pages.append(("folium MarkerCluster+popups", path, ".marker-cluster"))
    fmap = folium.Map(location=[36.5, -119.5], zoom_start=7)
    FastMarkerCluster(list(zip(lat.tolist(), lon.tolist(), strict=True))).add_to(fmap)
    path = folder / "peer_fastmarkercluster.html"
    fmap.save(str(path))
    pages.append(("folium FastMarkerCluster", path, ".marker-cluster"))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="projects to generate")
    parser.add_argument(
        "--db", default=os.environ.get("VALLEYMAPS_TEST_DB_URL"), help="PostGIS URL (optional)"
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    args = parser.parse_args()

    from valleymaps.io.region import read_region_counties
    from valleymaps.projects.importer import import_projects
    from valleymaps.projects.store import open_store
    from valleymaps.projects.summary import summarize_investment
    from valleymaps.render.projects_map import render_project_map
    from valleymaps.workflows.project_inputs import load_jobs
    from valleymaps.workspace import init_workspace

    with tempfile.TemporaryDirectory(prefix="vm-bench-projects-", dir="/tmp") as tmp:
        folder = Path(tmp)
        ws = init_workspace(folder / "valley")
        counties = read_region_counties(ws)
        csv_path = folder / "projects.csv"
        timed(f"write {args.n:,} projects (CSV)", lambda: write_projects_csv(csv_path, args.n, counties))
        print(f"  CSV: {csv_path.stat().st_size / 1e6:.2f} MB")
        print("Import:")
        result = timed("import into the workspace GeoPackage", lambda: import_projects(csv_path, ws=ws))
        print(f"    kept {result.n_kept:,}, rejected {result.n_rejected:,}; report {result.report_path.name}")
        again = timed("import again (all replaced)", lambda: import_projects(csv_path, ws=ws))
        assert again.stored is not None
        print(f"    {again.stored.updated:,} replaced")
        if args.db:
            import psycopg

            schema = f"bench_{os.getpid()}"
            with psycopg.connect(args.db, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            try:
                timed(
                    "import into PostGIS",
                    lambda: import_projects(csv_path, ws=ws, db_url=args.db, table=f"{schema}.projects"),
                )
                timed(
                    "import into PostGIS again (upsert)",
                    lambda: import_projects(csv_path, ws=ws, db_url=args.db, table=f"{schema}.projects"),
                )
                timed(
                    "load from PostGIS",
                    lambda: open_store(ws, db_url=args.db, table=f"{schema}.projects").load(),
                )
            finally:
                with psycopg.connect(args.db, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
        else:
            print("  (no --db or VALLEYMAPS_TEST_DB_URL: PostGIS import not measured)")
        projects = timed("load from the GeoPackage", lambda: open_store(ws).load())
        jobs = load_jobs(ws, geoid_length=5)
        named = counties.assign(name=counties["name"] + " County")
        timed(
            "investment by county",
            lambda: summarize_investment(projects, named, jobs=jobs.jobs if jobs else None),
        )
        print("Map:")
        fmap = timed("render the project page", lambda: render_project_map(projects, title="Projects",
                                                                           outlines=named))  # fmt: skip
        page_path = folder / "projects.html"
        timed("save it", lambda: fmap.save(str(page_path)))
        print(f"    page: {page_path.stat().st_size:,} bytes")
        if args.no_browser:
            return
        peers = timed("render the peers (folium)", lambda: folium_peers(projects, folder))
        from harness import PageOpener, launch_chromium
        from playwright.sync_api import sync_playwright

        print("Chromium (offline harness, 1000x700):")
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            opener = PageOpener(browser)
            try:
                measure_page(
                    opener, page_path, "[data-projects-ready]", "valleymaps project page", has_filter=True
                )
                for label, path, ready in peers:
                    measure_page(opener, path, ready, label, has_filter=False)
            finally:
                opener.close()
                browser.close()


if __name__ == "__main__":
    main()
