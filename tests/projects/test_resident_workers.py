"""Investment per resident worker: employed residents from the workspace's commuting flows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from lodes_files import write_acs_county_flows, write_od_segments
from project_files import BAKERSFIELD, FRESNO, row, write_csv
from valleymaps.io.flows.store import import_flows
from valleymaps.io.region import read_region_counties
from valleymaps.projects.export import export_summary
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import DB_URL_ENV
from valleymaps.projects.summary import summarize_investment
from valleymaps.workflows.context import AtlasContext
from valleymaps.workflows.project_inputs import load_resident_workers
from valleymaps.workflows.projects_pages import projects_section
from valleymaps.workspace import Workspace

#: (work tract, home tract, workers): Fresno and Kern tracts, and a Los Angeles work place.
OD = [
    ("06019000100", "06019000200", 40),
    ("06037000100", "06019000200", 30),  # lives in Fresno, works in Los Angeles: still a resident worker
    ("06019000200", "06029000300", 25),
    ("06019000100", "06037000500", 9),  # lives outside the region: no resident of it
    ("06029000300", "06029000300", 15),
]
#: (home county, work county, workers, MOE).
ACS = [("06019", "06019", 300_000, 2800), ("06019", "06037", 800, 220), ("06019", "F303", 9, 12),
       ("06029", "06029", 250_000, 2500), ("06037", "06019", 1_000, 300)]  # fmt: skip


def _residents(flows: list[tuple[str, str, int]], width: int) -> dict[str, float]:
    """Workers by home place (first ``width`` characters of the home tract), region homes only."""
    out: dict[str, float] = {}
    for _work, home, n in flows:
        if home[:5] in ("06019", "06029"):
            out[home[:width]] = out.get(home[:width], 0.0) + n
    return out


@pytest.fixture
def lodes(ws: Workspace, tmp_path: Path) -> Workspace:
    import_flows(ws, [write_od_segments(tmp_path / "ca_od_main_JT00_2021.csv.gz", OD)], format="lodes-od")
    return ws


def test_no_flows_no_workers(ws: Workspace) -> None:
    assert load_resident_workers(ws, geoid_length=5) is None
    assert load_resident_workers(ws, geoid_length=11) is None


def test_tract_and_county_workers_from_lodes(lodes: Workspace) -> None:
    tracts = load_resident_workers(lodes, geoid_length=11)
    assert tracts is not None and "LODES" in tracts.source and "2021" in tracts.source
    found = tracts.workers[tracts.workers > 0].to_dict()
    assert found == _residents(OD, 11)  # where they live, wherever they work
    counties = load_resident_workers(lodes, geoid_length=5)
    assert counties is not None
    assert counties.workers[counties.workers > 0].to_dict() == _residents(OD, 5)


def test_counties_prefer_acs_tracts_keep_lodes(lodes: Workspace, tmp_path: Path) -> None:
    acs = write_acs_county_flows(tmp_path / "acs_county_flows_2016_2020_us.csv", ACS)
    import_flows(lodes, [acs], format="acs-county")
    counties = load_resident_workers(lodes, geoid_length=5)
    assert counties is not None and counties.source.startswith("ACS 2016–2020")
    assert counties.workers["06019"] == 300_000 + 800 + 9  # abroad and elsewhere count: they live here
    assert counties.workers["06029"] == 250_000
    tracts = load_resident_workers(lodes, geoid_length=11)
    assert tracts is not None and "LODES" in tracts.source  # ACS has no tracts


def test_summary_divides_by_resident_workers_and_names_the_source(lodes: Workspace, tmp_path: Path) -> None:
    counties = read_region_counties(lodes)
    projects = gpd.GeoDataFrame(
        {"agency": ["A", "A"], "project_id": ["1", "2"], "cost_usd": [7e6, 1e6]},
        geometry=gpd.points_from_xy([FRESNO[0], BAKERSFIELD[0]], [FRESNO[1], BAKERSFIELD[1]]),
        crs="EPSG:4326",
    )
    workers = load_resident_workers(lodes, geoid_length=5)
    assert workers is not None
    s = summarize_investment(
        projects, counties, workers=workers.workers, workers_source=workers.source
    ).set_index("geoid")
    assert s.loc["06019", "cost_per_worker"] == pytest.approx(7e6 / 70)
    assert s.loc["06029", "cost_per_worker"] == pytest.approx(1e6 / 40)
    assert np.isnan(s.loc["06031", "cost_per_worker"])  # Kings: no resident workers known
    assert s.loc["06019", "rank_cost_per_worker"] == 1.0
    assert (s["workers_source"] == workers.source).all() and (s["jobs_source"] == "").all()
    gpkg = export_summary(s.reset_index(), tmp_path / "investment.gpkg", places=counties)
    back = pyogrio.read_dataframe(gpkg, layer="investment").set_index("geoid")
    assert back.loc["06019", "cost_per_worker"] == pytest.approx(7e6 / 70)
    assert back.loc["06019", "workers_source"] == workers.source


def test_investment_page_and_table_per_resident_worker(
    lodes: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    atlas_context: Callable[..., AtlasContext],
) -> None:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    acs = write_acs_county_flows(tmp_path / "acs_county_flows_2016_2020_us.csv", ACS)
    import_flows(lodes, [acs], format="acs-county")
    src = write_csv(tmp_path / "p.csv", [row("1", "Road", at=FRESNO, cost="$12M")])
    import_projects(src, ws=lodes)
    build = tmp_path / "build"
    cards = projects_section(atlas_context(lodes, build, png=False))
    table = pd.read_csv(build / "tables" / "investment_by_county.csv", dtype={"geoid": str})
    table = table.set_index("geoid")
    assert table.loc["06019", "workers"] == 300_809
    assert table.loc["06019", "cost_per_worker"] == pytest.approx(12e6 / 300_809)
    assert table.loc["06019", "workers_source"].startswith("ACS 2016–2020 5-year county-to-county")
    html = (build / "investment.html").read_text(encoding="utf-8")
    assert "Investment per resident worker" in html
    assert "Resident workers: ACS 2016–2020 5-year county-to-county commuting flows" in html
    assert "investment per resident worker ($40)" in cards[1].finding
