"""Workspaces for atlas tests: the bundled data plus square tracts and tract employment."""

from __future__ import annotations

from pathlib import Path

import pytest

from valleymaps.workspace import Workspace, init_workspace
from workspace_files import write_square_tracts, write_tract_employment


@pytest.fixture
def bundled_ws(tmp_path: Path) -> Workspace:
    """A fresh workspace holding only the bundled data."""
    return init_workspace(tmp_path / "ws")


@pytest.fixture
def tract_ws(bundled_ws: Workspace, tmp_path: Path) -> tuple[Workspace, list[str]]:
    """The bundled workspace with 24 square tracts and their employment imported."""
    from valleymaps.io.employment.store import import_employment
    from valleymaps.io.tracts import import_tracts

    counties = list(bundled_ws.config.region_counties)
    geoids = write_square_tracts(tmp_path / "tracts.geojson", counties)
    import_tracts(bundled_ws, [tmp_path / "tracts.geojson"])
    import_employment(bundled_ws, [write_tract_employment(tmp_path / "tract_jobs.csv", geoids)], format="csv")
    return bundled_ws, geoids
