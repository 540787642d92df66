"""Fixtures of the project tests: square counties, a workspace, a real PostGIS database.

PostGIS tests use the server at ``$VALLEYMAPS_TEST_DB_URL`` (scripts/test.sh starts one). They are
skipped when it is unset, unless ``CI`` is set: then they fail. Each test gets its own schema,
dropped afterwards, named after the pytest-xdist worker that made it (tests run in parallel).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pytest

from project_files import square_counties
from valleymaps.workflows.context import AtlasContext
from valleymaps.workspace import Workspace, init_workspace
from workspace_files import remove_bundled_flows

DB_ENV = "VALLEYMAPS_TEST_DB_URL"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def xdist_worker() -> str:
    """The pytest-xdist worker running this test (``gw0``, ``gw1``...), or ``main`` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture
def counties() -> gpd.GeoDataFrame:
    return square_counties()


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A workspace with the bundled (real) county boundaries, and no commuting flows (the
    bundled ACS extract removed: the tests import the flows they need)."""
    workspace = init_workspace(tmp_path / "valley")
    remove_bundled_flows(workspace.root)
    return workspace


@pytest.fixture
def atlas_context() -> Callable[..., AtlasContext]:
    """``atlas_context(ws, build_dir, png=False)``: what the atlas build hands its sections,
    with the workspace's projects read as the build reads them."""

    def make(ws: Workspace, build: Path, *, png: bool) -> AtlasContext:
        from valleymaps.io.region import read_region_counties
        from valleymaps.render.web_geometry import prepare_web_geometry
        from valleymaps.workflows.projects_pages import load_project_overlay

        counties = read_region_counties(ws)
        names = dict(zip(counties["geoid"], counties["name"], strict=True))
        counties = counties.assign(name=[f"{n} County" for n in counties["name"]])
        build.mkdir()
        return AtlasContext(
            ws=ws,
            build_dir=build,
            counties_web=prepare_web_geometry(counties, tolerance_m=250),
            tracts_web=None,
            county_names=names,
            png=png,
            projects=load_project_overlay(ws),
        )

    return make


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

    schema = f"vm_test_{xdist_worker()}_{uuid.uuid4().hex[:10]}"
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
