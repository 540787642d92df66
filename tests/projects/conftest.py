"""Fixtures of the project tests: square counties, a workspace, a real PostGIS database.

PostGIS tests use the server at ``$VALLEYMAPS_TEST_DB_URL`` (scripts/test.sh starts one). They are
skipped when it is unset, unless ``CI`` is set: then they fail. Each test gets its own schema,
dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest

from project_files import square_counties
from valleymaps.workspace import Workspace, init_workspace

DB_ENV = "VALLEYMAPS_TEST_DB_URL"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture
def counties() -> gpd.GeoDataFrame:
    return square_counties()


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A workspace with the bundled (real) county boundaries."""
    return init_workspace(tmp_path / "valley")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get(DB_ENV, "").strip()
    if not url:
        message = f"{DB_ENV} is not set: no PostGIS server to test against (scripts/test.sh starts one)"
        if in_ci():
            pytest.fail(message + " (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(message)
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            conn.execute("SELECT PostGIS_Version()")
    except psycopg.Error as exc:
        message = f"PostGIS at {DB_ENV} is not usable: {exc}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


@pytest.fixture
def pg_schema(pg_server_url: str) -> Iterator[str]:
    """A fresh schema for one test (dropped afterwards)."""
    import psycopg

    schema = f"vm_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_url(pg_server_url: str) -> str:
    return pg_server_url
