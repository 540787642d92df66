"""``valleymaps build --scheduler``: the suitability profiles of the atlas run as tasks on a real
two-worker Dask cluster, and the suitability page, its overlay images, static maps and site table
are byte for byte those of a build in one process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli_logging import restore_cli_logging  # noqa: F401
from hostile_harness import run_cli
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import init_workspace


def _suitability_outputs(maps: Path) -> dict[str, bytes]:
    files = [maps / "suitability.html", maps / "tables" / "suitability_sites.csv",
             *sorted((maps / "suitability").glob("*.png")), *sorted((maps / "png").glob("suitability-*.png"))]
    return {p.relative_to(maps).as_posix(): p.read_bytes() for p in files}


def test_build_sends_the_suitability_profiles_to_the_cluster_and_writes_the_same_atlas(
    tmp_path: Path, executor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = init_workspace(tmp_path / "ws")
    build_atlas(ws)
    here = _suitability_outputs(ws.maps_dir)
    assert len(here) >= 2 + 2 * 3  # page, table, an overlay and a static map per profile that ran

    sent: list[str] = []
    real_map = executor.map

    def recording(fn: Any, items: Any, **kwargs: Any) -> Any:
        sent.extend(item.profile.key for item in items)
        return real_map(fn, items, **kwargs)

    monkeypatch.setattr(executor, "map", recording)
    build_atlas(ws, executor=executor)
    assert len(sent) == 7 and "paper" in sent  # every profile went to the cluster
    assert _suitability_outputs(ws.maps_dir) == here
    assert sorted(p.name for p in ws.maps_dir.rglob(".*")) == []  # no task folder left
    assert sorted(p.name for p in ws.outputs_dir.iterdir()) == ["maps"]


def test_the_cli_builds_with_a_scheduler(tmp_path: Path, cluster: Any) -> None:
    ws = init_workspace(tmp_path / "ws")
    outcome = run_cli(ws.root, ["build", "--no-png", "--scheduler", cluster.scheduler_address])
    assert outcome.exit_code == 0, outcome.output
    assert "Tasks run on the Dask cluster" in outcome.output
    assert (ws.maps_dir / "suitability.html").is_file()

