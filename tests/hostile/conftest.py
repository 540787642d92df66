"""Fixtures of the hostile-input suite; the assertions live in ``tests/hostile_harness.py``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile_harness import run_cli
from valleymaps.workspace import init_workspace


@pytest.fixture(scope="session")
def _built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-template") / "ws"
    init_workspace(root)
    outcome = run_cli(root, ["build", "--no-png"])
    assert outcome.exit_code == 0, outcome.output
    return root


@pytest.fixture
def built_workspace(_built_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the bundled workspace with its atlas built (no PNGs)."""
    root = tmp_path / "ws"
    shutil.copytree(_built_template, root, symlinks=True)
    yield root


@pytest.fixture
def fresh_workspace(tmp_path: Path) -> Path:
    """The bundled workspace, not built."""
    root = tmp_path / "fresh"
    init_workspace(root)
    return root
