"""A real PostgreSQL/PostGIS server: same schema, spatial index, upsert, one transaction per import."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner

from project_files import FRESNO, VISALIA, inventory, row, write_csv
from valleymaps.cli import cli
from valleymaps.errors import DataSourceError
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import DB_URL_ENV, open_store, sort_projects
from valleymaps.projects.store_gpkg import GeoPackageStore
from valleymaps.projects.store_postgis import PostgisStore, mask_url
from valleymaps.workspace import Workspace


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_projects_come_back_unchanged(pg_url: str, pg_schema: str, tmp_path: Path) -> None:
    store = PostgisStore(pg_url, table=f"{pg_schema}.projects")
    original = inventory()
    result = store.upsert(original)
    assert (result.inserted, result.updated, result.total) == (3, 0, 3)
    back = store.load()
    pd.testing.assert_frame_equal(back, sort_projects(original))
    gpkg = GeoPackageStore(tmp_path / "p.gpkg")
    gpkg.upsert(original)
    pd.testing.assert_frame_equal(back, gpkg.load())  # both stores keep the same schema


def test_the_table_has_a_key_a_spatial_index_and_the_rules(pg_url: str, pg_schema: str) -> None:
    PostgisStore(pg_url, table=f"{pg_schema}.projects").upsert(inventory())
    indexes = _rows(pg_url, f"SELECT indexdef FROM pg_indexes WHERE schemaname = '{pg_schema}'")
    defs = " ".join(str(r[0]) for r in indexes)
    assert "USING gist (geom)" in defs
    assert "(agency, project_id)" in defs
    geom_type = _rows(pg_url, f"SELECT type, srid FROM geometry_columns WHERE f_table_schema = '{pg_schema}'")
    assert geom_type == [("GEOMETRY", 4326)]
    with pytest.raises(psycopg.errors.CheckViolation), psycopg.connect(pg_url) as conn:
        conn.execute(f"UPDATE {pg_schema}.projects SET status = 'someday'")


def test_upsert_by_agency_and_project_id(pg_url: str, pg_schema: str) -> None:
    store = PostgisStore(pg_url, table=f"{pg_schema}.projects")
    store.upsert(inventory(3))
    store.upsert(inventory(2, agency="Kings CAG"))
    result = store.upsert(inventory(2, name="Renamed"))
    assert (result.inserted, result.updated, result.total) == (0, 2, 5)
    names = dict(_rows(pg_url, f"SELECT agency || '/' || project_id, name FROM {pg_schema}.projects"))
    assert names["Fresno COG/P0"] == "Renamed 0"
    assert names["Fresno COG/P2"] == "Road 2"
    assert names["Kings CAG/P1"] == "Road 1"


def test_a_failed_import_changes_nothing(pg_url: str, pg_schema: str) -> None:
    table = f"{pg_schema}.projects"
    store = PostgisStore(pg_url, table=table)
    store.upsert(inventory(3))
    before = store.load()
    log_before = store.import_log()
    with psycopg.connect(pg_url) as conn:  # a rule of the shared database that the import will break
        conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT no_boom CHECK (name <> 'Boom 2')")
    incoming = inventory(3, name="Boom")  # P0 and P1 would be replaced, then P2 fails
    with pytest.raises(DataSourceError, match=r"failed and nothing was changed.*no_boom"):
        from valleymaps.projects.store import ImportLogEntry

        store.upsert(incoming, log_entry=ImportLogEntry("2025-02-02T00:00:00Z", "boom.csv", 3, 3, 0))
    pd.testing.assert_frame_equal(store.load(), before)
    pd.testing.assert_frame_equal(store.import_log(), log_before)


def test_import_from_a_file_into_the_database(
    ws: Workspace, pg_url: str, pg_schema: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "rtp.csv", [row("1", at=FRESNO), row("2", at=VISALIA), row("3", at=(-100, 40))]
    )
    result = import_projects(path, ws=ws, db_url=pg_url, table=f"{pg_schema}.projects")
    assert result.stored is not None
    assert (result.stored.inserted, result.stored.total) == (2, 2)
    assert pg_url.split("@")[-1] in result.stored.location
    assert not (ws.geo_dir / "projects.gpkg").exists()
    log = PostgisStore(pg_url, table=f"{pg_schema}.projects").import_log()
    assert log[["source", "n_read", "n_kept", "n_rejected"]].values.tolist() == [["rtp.csv", 3, 2, 1]]


def test_the_environment_variable_chooses_the_database(
    ws: Workspace, pg_url: str, pg_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_URL_ENV, pg_url)
    path = write_csv(tmp_path / "rtp.csv", [row("1", at=FRESNO)])
    result = CliRunner().invoke(
        cli, ["import", "projects", str(path), "--db-table", f"{pg_schema}.projects", "-w", str(ws.root)]
    )
    assert result.exit_code == 0, result.output
    assert "Stored in postgresql://" in result.output
    assert len(open_store(ws, table=f"{pg_schema}.projects").load()) == 1


def test_a_postgis_table_is_a_source_too(ws: Workspace, pg_url: str, pg_schema: str) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            f"CREATE TABLE {pg_schema}.kcag (proj_no text, title text, phase text, cost text, "
            "geom geometry(Point, 3310))"
        )
        conn.execute(
            f"INSERT INTO {pg_schema}.kcag VALUES ('K1', 'Hanford bridge', 'Design', '$2M', "
            "ST_Transform(ST_SetSRID(ST_MakePoint(-119.64, 36.33), 4326), 3310)), "
            "('K2', 'No shape', 'Design', '$1M', NULL)"
        )
    result = import_projects(
        pg_url, ws=ws, layer=f"{pg_schema}.kcag", agency="KCAG", db_url=pg_url, table=f"{pg_schema}.projects"
    )
    assert [(p.row, p.reason, p.location) for p in result.validation.problems if p.row] == [
        (2, "missing_geometry", "record 2")
    ]
    p = PostgisStore(pg_url, table=f"{pg_schema}.projects").load().iloc[0]
    assert (p["project_id"], p["name"], p["status"], p["cost_usd"], p["county"]) == (
        "K1", "Hanford bridge", "programmed", 2e6, "Kings"
    )  # fmt: skip


def test_an_unreachable_database_is_explained_without_its_password() -> None:
    store = PostgisStore("postgresql://cog:s3cret@127.0.0.1:1/region", table="projects")
    with pytest.raises(DataSourceError) as err:
        store.load()
    text = str(err.value)
    assert "s3cret" not in text
    assert "cannot connect to postgresql://cog:***@127.0.0.1:1/region" in text
    assert mask_url("postgresql://a@h/db") == "postgresql://a@h/db"


def test_a_file_whose_every_row_is_rejected_changes_nothing_in_the_database(
    ws: Workspace, pg_url: str, pg_schema: str, tmp_path: Path
) -> None:
    from valleymaps.errors import ValidationError

    table = f"{pg_schema}.projects"
    bad = write_csv(tmp_path / "bad.csv", [row("1", at=(-100, 40)), row("2", cost="lots", at=FRESNO)])
    with pytest.raises(ValidationError) as err:
        import_projects(bad, ws=ws, db_url=pg_url, table=table)
    text = str(err.value)
    assert "all 2 rows were rejected" in text and f"{pg_schema}.projects) is unchanged" in text
    assert _rows(pg_url, f"SELECT to_regclass('{table}')") == [(None,)]  # no empty table created
    store = PostgisStore(pg_url, table=table)
    store.upsert(inventory(2))
    before, log_before = store.load(), store.import_log()
    with pytest.raises(ValidationError, match="outside the region"):
        import_projects(bad, ws=ws, db_url=pg_url, table=table)
    pd.testing.assert_frame_equal(store.load(), before)
    pd.testing.assert_frame_equal(store.import_log(), log_before)
