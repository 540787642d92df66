"""One target's grid split into strip tasks on a real two-worker Dask cluster writes the same rasters,
byte for byte, as one pass in this process, also when a worker is killed mid-strip; the CLI sends
them with --strips and --scheduler, and no staging folder is left behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli_logging import restore_cli_logging  # noqa: F401
from cluster_files import FailAfter, KillingExecutor
from hostile_harness import run_cli
from strip_files import PROFILE, RESOLUTION, ROWS, strip_inputs
from suitability_files import write_layers, write_profile, write_workspace
from valleymaps.errors import ComputeError
from valleymaps.suitability import defaults, model
from valleymaps.suitability.model import compute_suitability
from valleymaps.suitability.profile import parse_profile


def _tifs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.tif"))}


def _run(folder: Path, **kwargs: Any) -> dict[str, bytes]:
    compute_suitability(parse_profile(PROFILE), strip_inputs(), folder=folder, resolution=RESOLUTION,
                        rows=ROWS, **kwargs)
    assert sorted(p.name for p in folder.iterdir()) == sorted(_tifs(folder))  # no staging left
    return _tifs(folder)


def test_strip_tasks_on_a_cluster_write_the_rasters_of_one_pass(tmp_path: Path, executor: Any) -> None:
    here = _run(tmp_path / "here")
    there = _run(tmp_path / "there", strips=4, executor=executor)
    assert len(here) == 6 and sorted(there) == sorted(here)
    for name, data in here.items():
        assert there[name] == data, f"{name} differs"


def test_a_worker_killed_mid_strip_is_replaced_and_the_rasters_are_the_same(
    tmp_path: Path, executor: Any
) -> None:
    marker = tmp_path / "killed"
    # _close_sources is what a strip task calls once its band is written
    killing = KillingExecutor(executor.client, marker=marker, module="valleymaps.suitability.model",
                              attribute="_close_sources")
    there = _run(tmp_path / "there", strips=3, executor=killing)
    assert marker.is_file(), "no worker was killed: the test proves nothing"
    assert there == _run(tmp_path / "here")


def test_a_failed_run_on_a_cluster_leaves_finished_cog_tiles_only_which_a_rerun_reuses(
    tmp_path: Path, executor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-strip (its attempt's tiles half-written) and then a task failing: the
    run stops, and the store holds finished bands only, each with its manifest; the rerun reuses
    them all and writes the rasters of one pass."""
    tiles, marker = tmp_path / "tiles", tmp_path / "killed"
    killing = KillingExecutor(executor.client, marker=marker, module="valleymaps.suitability.model",
                              attribute="_close_sources")
    monkeypatch.setattr(model, "run_strip_task", FailAfter(model.run_strip_task, "band", (64, 80)))
    with pytest.raises((RuntimeError, ComputeError), match="failed after its work"):
        _run(tmp_path / "there", strips=3, executor=killing, scratch=tiles)
    assert marker.is_file(), "no worker was killed: the test proves nothing"
    assert _tifs(tmp_path / "there") == {}
    (run,) = tiles.iterdir()
    assert sorted(p.name for p in run.iterdir()) == ["band-0000", "band-0001", "band-0002"]
    for band in run.iterdir():
        assert (band / "manifest.json").is_file() and len(list(band.glob("*.tif"))) == 5
        assert not list(band.glob(".*"))
    monkeypatch.undo()
    stamps = {p: p.stat().st_mtime_ns for p in run.rglob("*.tif")}
    seen: list[int] = []
    real_remove = model.remove_run

    def look(folder: Path) -> None:  # the tiles the mosaic read were the failed run's, untouched
        seen.extend(int(p.stat().st_mtime_ns == stamps[p]) for p in folder.rglob("*.tif"))
        real_remove(folder)

    monkeypatch.setattr(model, "remove_run", look)
    assert _run(tmp_path / "there", strips=3, executor=executor, scratch=tiles) == _run(tmp_path / "here")
    assert seen == [1] * 15 and not tiles.exists()


def test_the_cli_splits_one_target_into_strips_on_the_scheduler(
    tmp_path: Path, cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(defaults, "STRIP_ROWS", 8)  # 40 rows of 500 m: five strips
    ws = write_workspace(tmp_path / "ws")
    (ws.econ_dir / "suitability").mkdir(parents=True)
    write_profile(ws.econ_dir / "suitability" / "test-plants.toml")
    layers = write_layers(tmp_path / "layers")
    args = ["suitability", "-t", "test-plants", "--resolution", "500", "--no-png",
            *[a for name, path in layers.items() for a in ("--layer", f"{name}={path}")]]
    outcome = run_cli(ws.root, [*args, "--scheduler", cluster.scheduler_address, "--strips", "3",
                                "--out", "there"])
    assert outcome.exit_code == 0, outcome.output
    assert "Tasks run on the Dask cluster" in outcome.output
    assert run_cli(ws.root, [*args, "--out", "here"]).exit_code == 0
    here, there = ws.root / "here", ws.root / "there"
    assert len(_tifs(here)) >= 7 and _tifs(there) == _tifs(here)
    for name in ("sites.csv", "zones.csv", "sensitivity.csv"):
        assert (there / name).read_bytes() == (here / name).read_bytes()
    assert sorted(p.name for p in ws.root.rglob(".*")) == []
    assert not (ws.root / "scratch").exists()  # the tile store is removed after success
