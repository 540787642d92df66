"""The real tract files of the eight counties (../shared/realdata/tracts)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from valleymaps.errors import CRSError, GeometryRepairedWarning
from valleymaps.io.tracts import import_tracts, read_tracts
from valleymaps.workflows.check import validate_file
from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace

REPO = Path(__file__).resolve().parents[2]
REALDATA = (REPO / ".." / "shared" / "realdata").resolve()
TRACT_FILES = sorted((REALDATA / "tracts").glob("*.topo.json"))

#: Tracts per county, from realdata/README.md.
EXPECTED = {
    "06019": 199, "06029": 151, "06031": 27, "06039": 23,
    "06047": 49, "06077": 139, "06099": 94, "06107": 78,
}  # fmt: skip

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not TRACT_FILES, reason=f"no real tract files in {REALDATA}"),
]


def test_files_have_no_crs_and_say_how_to_fix_it() -> None:
    with pytest.raises(CRSError, match="pass --assume-crs EPSG:4326"):
        read_tracts(TRACT_FILES)
    (problem,) = validate_file(TRACT_FILES[0])
    assert "--assume-crs EPSG:4326" in problem.message
    assert validate_file(TRACT_FILES[0], assume_crs="EPSG:4326") == []


def test_reads_all_760_tracts_and_repairs_the_invalid_ones() -> None:
    assert len(TRACT_FILES) == 8
    with pytest.warns(GeometryRepairedWarning):
        result = read_tracts(TRACT_FILES, assume_crs="EPSG:4326")
    assert result.n_read == 760
    assert result.n_kept == 760
    assert result.counts_by_county() == EXPECTED
    assert result.n_repaired > 0
    assert result.problems == []
    gdf = result.gdf
    assert gdf.is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert gdf["geoid"].str.fullmatch(r"06\d{9}").all()
    assert gdf["geoid"].is_unique
    assert gdf.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = gdf.total_bounds
    assert -122 < minx < maxx < -117 and 34 < miny < maxy < 39


def test_import_into_a_workspace(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    ws = Workspace.open(tmp_path)
    with pytest.warns(GeometryRepairedWarning):
        result = import_tracts(ws, TRACT_FILES, assume_crs="EPSG:4326")
    stored = gpd.read_file(ws.tracts_path, layer="tracts")
    assert len(stored) == result.n_kept == 760
    assert stored["geoid"].iloc[0] == "06019000100"
    assert stored.is_valid.all()
