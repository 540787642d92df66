"""The workspace GeoPackage: back unchanged, upsert by (agency, id), spatial index, all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from project_files import FRESNO, inventory, row, write_csv
from valleymaps.errors import DiskFullError
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import GPKG_NAME, PROJECTS_TABLE, open_store, sort_projects
from valleymaps.projects.store_gpkg import GeoPackageStore
from valleymaps.workspace import Workspace


def test_projects_come_back_unchanged(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "projects.gpkg")
    original = inventory()
    result = store.upsert(original)
    assert (result.inserted, result.updated, result.total) == (3, 0, 3)
    pd.testing.assert_frame_equal(store.load(), sort_projects(original))


def test_same_agency_and_id_replaces_others_stay(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "projects.gpkg")
    store.upsert(inventory(3))
    store.upsert(inventory(2, agency="Kings CAG"))
    result = store.upsert(inventory(1, name="Renamed"))
    assert (result.inserted, result.updated, result.total) == (0, 1, 5)
    loaded = store.load().set_index(["agency", "project_id"])
    assert loaded.loc[("Fresno COG", "P0"), "name"] == "Renamed 0"
    assert loaded.loc[("Fresno COG", "P1"), "name"] == "Road 1"
    assert loaded.loc[("Kings CAG", "P0"), "name"] == "Road 0"


def test_the_geopackage_has_a_spatial_index_and_a_unique_key(tmp_path: Path) -> None:
    path = tmp_path / "projects.gpkg"
    GeoPackageStore(path).upsert(inventory())
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        [index_sql] = [r[0] for r in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql LIKE '%UNIQUE%'",
            (PROJECTS_TABLE,),
        )]  # fmt: skip
    db.close()
    assert f"rtree_{PROJECTS_TABLE}_geom" in tables
    assert "(agency, project_id)" in index_sql


def test_a_failed_import_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "projects.gpkg"
    store = GeoPackageStore(path)
    store.upsert(inventory())
    before = path.read_bytes()

    real_write = GeoPackageStore._write

    def write_then_fail(self: GeoPackageStore, tmp: Path, *args: object) -> None:
        real_write(self, tmp, *args)  # type: ignore[arg-type]
        raise OSError("disk full")

    monkeypatch.setattr(GeoPackageStore, "_write", write_then_fail)
    with pytest.raises(DiskFullError, match=r"no space left on .*: free space or choose another folder"):
        store.upsert(inventory(2, name="Half written"))
    assert path.read_bytes() == before
    # no temporary file left, nor the lock file (removed when the import lets go of it)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projects.gpkg"]


def test_import_into_the_workspace_and_log(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ftip.csv", [row("1", at=FRESNO), row("2", at=(-122.42, 37.77))])
    result = import_projects(path, ws=ws)
    assert result.stored is not None and result.stored.location == str(ws.geo_dir / GPKG_NAME)
    store = open_store(ws)
    assert store.load()["project_id"].tolist() == ["1"]
    log = store.import_log()
    assert log[["source", "n_read", "n_kept", "n_rejected", "inserted"]].values.tolist() == [
        ["ftip.csv", 2, 1, 1, 1]
    ]
    assert result.report_path == ws.outputs_dir / "reports" / "projects-ftip-problems.csv"


def test_a_dry_run_stores_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ftip.csv", [row("1", at=FRESNO)])
    result = import_projects(path, ws=ws, dry_run=True)
    assert result.stored is None and result.report_path.is_file()
    assert not (ws.geo_dir / GPKG_NAME).exists()


def test_a_file_whose_every_row_is_rejected_stores_nothing(ws: Workspace, tmp_path: Path) -> None:
    from valleymaps.errors import ValidationError

    sf = (-122.42, 37.77)
    bad = write_csv(tmp_path / "bad.csv", [row("1", at=sf), row("2", at=sf), row("", at=FRESNO)])
    with pytest.raises(ValidationError) as err:
        import_projects(bad, ws=ws)
    text = str(err.value)
    assert "bad.csv: all 3 rows were rejected" in text
    assert "outside the region (2 rows), missing project id (1 row)" in text
    assert "projects-bad-problems.csv" in text
    assert not (ws.geo_dir / GPKG_NAME).exists()  # no empty GeoPackage
    report = ws.outputs_dir / "reports" / "projects-bad-problems.csv"
    assert report.read_text(encoding="utf-8-sig").count("rejected") == 3

    import_projects(write_csv(tmp_path / "good.csv", [row("9", at=FRESNO)]), ws=ws)
    before = (ws.geo_dir / GPKG_NAME).read_bytes()
    with pytest.raises(ValidationError, match="is unchanged"):
        import_projects(bad, ws=ws)
    assert (ws.geo_dir / GPKG_NAME).read_bytes() == before
    with pytest.raises(ValidationError, match=r"nothing would be stored \(dry run\)"):
        import_projects(bad, ws=ws, dry_run=True)
