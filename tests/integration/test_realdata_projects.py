"""The California High-Speed Rail route and stations (../shared/realdata/infrastructure)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import open_store
from valleymaps.render.projects_map import render_project_map
from valleymaps.workspace import init_workspace

REPO = Path(__file__).resolve().parents[2]
INFRA = (REPO / ".." / "shared" / "realdata" / "infrastructure").resolve()
STATIONS = INFRA / "HSR_Stations_v2_web.shp"
ROUTE = INFRA / "HSR_Route_web.shp"
EXAMPLE_MAPPING = REPO / "data" / "econ" / "project_mapping.example.toml"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not STATIONS.is_file(), reason=f"no real infrastructure files in {INFRA}"),
]


def test_stations_in_web_mercator_with_opening_phases(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "valley")
    result = import_projects(STATIONS, ws=ws, mapping=EXAMPLE_MAPPING)
    v = result.validation
    assert (v.n_read, v.n_kept, v.n_rejected) == (26, 6, 20)
    assert {p.reason for p in v.problems} == {"outside_region"}  # San Francisco to San Diego
    kept = open_store(ws).load().set_index("project_id")
    assert sorted(kept.index) == [
        "Bakersfield", "Downtown Merced", "Downtown Modesto", "Fresno", "Stockton",
        "Visalia/Tulare/Hanford - Potential Station",
    ]  # fmt: skip
    assert kept.loc["Fresno", "end_year"] == 2022  # HSR_2022 = 1
    assert pd.isna(kept.loc["Stockton", "end_year"])  # no opening phase given
    assert kept.loc["Visalia/Tulare/Hanford - Potential Station", "county"] == "Kings"
    assert kept.loc["Bakersfield", "county_geoid"] == "06029"
    assert kept.crs.to_epsg() == 4326
    fresno = kept.loc["Fresno"].geometry
    assert -119.8 < fresno.x < -119.78 and 36.72 < fresno.y < 36.74


def test_route_segments_as_lines_with_a_duplicate_segment_id(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "valley")
    mapping = tmp_path / "route.toml"
    mapping.write_text(
        '[columns]\nproject_id = "Seg"\n[templates]\nname = "High-speed rail segment {Seg}"\n'
        '[defaults]\nagency = "California High-Speed Rail Authority"\ncategory = "rail"\n'
        'status = "under construction"\n',
        encoding="utf-8",
    )
    result = import_projects(ROUTE, ws=ws, mapping=mapping)
    v = result.validation
    assert (v.n_read, v.n_kept) == (11, 5)
    duplicate = [p for p in v.problems if p.reason == "duplicate_id"]
    assert [(p.row, p.value) for p in duplicate] == [(11, "9")]
    assert "also on feature 9" in duplicate[0].message
    projects = open_store(ws).load()
    assert set(projects.geometry.geom_type) <= {"LineString", "MultiLineString"}
    html = render_project_map(projects, title="HSR").get_root().render()
    assert "High-speed rail segment 1" in html
