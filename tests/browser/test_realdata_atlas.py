"""The atlas over the 760 real tracts (../shared/realdata/tracts) with LODES WAC employment.

The tract boundaries are real; the job counts are synthetic, written in the exact
LODES WAC format (two years) so the whole import path is exercised.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely
from harness import assert_no_errors

from lodes_files import write_wac
from valleymaps.atlas import build_atlas
from valleymaps.io.employment.store import import_employment
from valleymaps.io.tracts import import_tracts
from valleymaps.workspace import init_workspace

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
TRACT_FILES = sorted((REALDATA / "tracts").glob("*.topo.json"))

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not TRACT_FILES, reason=f"no real tract files in {REALDATA}"),
]

PAGE_LIMIT = 2_000_000


@pytest.fixture(scope="module")
def real_atlas(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real")
    ws = init_workspace(tmp / "ws")
    with pytest.warns(UserWarning, match="repaired"):
        result = import_tracts(ws, TRACT_FILES, assume_crs="EPSG:4326")
    geoids = sorted(result.gdf["geoid"])
    files = [
        write_wac(tmp / f"synthetic_ca_wac_S000_JT00_{year}.csv.gz", geoids, seed=year)
        for year in (2011, 2021)
    ]
    import_employment(ws, files, format="lodes-wac", name="lodes_wac_synthetic")
    atlas = build_atlas(ws, png=False)
    return ws, atlas, geoids


def _layer_payloads(page_html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"valleymaps\.makeLayer\((\{.*?\}), vm_state_\w+\)", page_html)]


def test_every_cluster_page_over_760_tracts_stays_under_2_mb(real_atlas):
    ws, atlas, geoids = real_atlas
    assert atlas.levels == ["county", "tract"] and len(geoids) == 760
    for page in ws.maps_dir.glob("cluster-*.html"):
        size = page.stat().st_size
        assert size < PAGE_LIMIT, f"{page.name} is {size:,} bytes"


def test_tract_geometry_is_sent_once_without_gaps_or_overlaps(real_atlas):
    ws, _, _ = real_atlas
    html = (ws.maps_dir / "cluster-agriculture.html").read_text(encoding="utf-8")
    layers = {p["level"]: p for p in _layer_payloads(html)}
    assert set(layers) == {"county", "tract"}
    assert html.count('"level":"tract"') == 1  # one copy of the tract geometry, whatever the metrics
    tracts = layers["tract"]
    assert len(tracts["geojson"]["features"]) == 760
    assert len(tracts["metrics"]) >= 6  # every metric rides along with the single geometry
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in tracts["geojson"]["features"]])
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)  # neighbours share edges exactly: no overlaps
    region = shapely.union_all(geoms)
    assert sum(len(p.interiors) for p in getattr(region, "geoms", [region])) == 0  # no gaps


@pytest.mark.browser
def test_real_tract_page_in_chromium(real_atlas, open_page, screenshot):
    ws, _, _ = real_atlas
    page, report = open_page(ws.maps_dir / "cluster-logistics.html")
    page.locator(".leaflet-control-layers-base label", has_text="Census tracts").click()
    assert page.locator("path.leaflet-interactive").count() == 760
    page.get_by_label("Share of all jobs, 2021").check()
    assert page.locator(".vm-legend-title").inner_text() == "Share of all jobs, 2021"
    page.locator("path.leaflet-interactive").nth(400).hover(force=True)
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    assert re.search(r"Tract [\d.]+, \w[\w ]* County", tip.inner_text())
    assert re.search(r"\d+\.\d%", tip.locator(".vm-tip-value").inner_text())
    screenshot(page, "real-tracts")
    assert_no_errors(report)
