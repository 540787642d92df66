"""Fixtures shared by the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A bare workspace: only ``valleymaps.toml`` (commands create the folders they need)."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    return root
