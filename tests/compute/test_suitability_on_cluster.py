"""Several suitability targets run one task each on a real two-worker Dask cluster write the same
files as running them in this process (GeoTIFFs byte for byte), also when a worker is killed
mid-target; nothing half-written is left, and the CLI runs them with --scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli_logging import restore_cli_logging  # noqa: F401
from cluster_files import KillingExecutor
from hostile_harness import run_cli
from suitability_files import plants_profile, write_layers, write_profile, write_workspace
from valleymaps.errors import OutputExistsError
from valleymaps.workflows.suitability_run import run_target, run_targets
from valleymaps.workspace import Workspace

#: The test profile and a second one that weighs water over rail.
SECOND = plants_profile(name="Water plants", targets=["Water bottling"], weights=(20, 60, 20))
RESOLUTION = 500.0


def _workspace(root: Path) -> tuple[Workspace, dict[str, Path]]:
    ws = write_workspace(root / "ws")
    folder = ws.econ_dir / "suitability"
    folder.mkdir(parents=True)
    write_profile(folder / "test-plants.toml")
    write_profile(folder / "water-plants.toml", SECOND)
    return ws, write_layers(root / "layers")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_same_outputs(a: Path, b: Path) -> None:
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    tifs = [name for name in fa if name.endswith(".tif")]
    assert len(tifs) >= 7, tifs  # suitability, exclusion, a score and a value raster per factor
    for name in fa:
        if name.endswith((".tif", ".csv", ".toml")):
            assert fa[name] == fb[name], f"{name} differs"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def test_targets_on_a_cluster_write_the_same_rasters_byte_for_byte(tmp_path: Path, executor: Any) -> None:
    ws, layers = _workspace(tmp_path)
    targets = ["test-plants", "water-plants"]
    here = run_targets(ws, targets, layers=layers, resolution=RESOLUTION, png=False,
                       out_dir=tmp_path / "here")
    done: list[str] = []
    there = run_targets(ws, targets, layers=layers, resolution=RESOLUTION, png=False,
                        out_dir=tmp_path / "there", executor=executor,
                        on_done=lambda run: done.append(run.folder.name))
    assert [r.folder.name for r in there] == [r.folder.name for r in here] == ["test-plants", "water-plants"]
    assert sorted(done) == ["test-plants", "water-plants"]
    for a, b in zip(here, there, strict=True):
        assert b.folder == tmp_path / "there" / a.folder.name and b.result.suitability_path.is_file()
        assert all(f.is_file() and f.parent == b.folder for f in b.files)
        assert b.result.sites["score"].tolist() == a.result.sites["score"].tolist()
        _assert_same_outputs(a.folder, b.folder)
    # and the same as one run_target, the way a single target has always been run
    alone = run_target(ws, "water-plants", layers=layers, resolution=RESOLUTION, png=False,
                       out_dir=tmp_path / "alone")
    _assert_same_outputs(alone.folder, there[1].folder)
    assert _leftovers(tmp_path / "there") == []
    with pytest.raises(OutputExistsError, match="2 output folder"):
        run_targets(ws, targets, layers=layers, resolution=RESOLUTION, out_dir=tmp_path / "there",
                    executor=executor)


def test_a_worker_killed_mid_target_is_replaced_and_nothing_half_written_is_left(
    tmp_path: Path, executor: Any
) -> None:
    ws, layers = _workspace(tmp_path)
    targets = ["test-plants", "water-plants"]
    marker = tmp_path / "killed"
    # replace_dir is what run_target calls once every file of the target is written
    killing = KillingExecutor(executor.client, marker=marker,
                              module="valleymaps.workflows.suitability_run", attribute="replace_dir")
    there = run_targets(ws, targets, layers=layers, resolution=RESOLUTION, png=False,
                        out_dir=tmp_path / "there", executor=killing)
    assert marker.is_file(), "no worker was killed: the test proves nothing"
    here = run_targets(ws, targets, layers=layers, resolution=RESOLUTION, png=False,
                       out_dir=tmp_path / "here")
    for a, b in zip(here, there, strict=True):
        _assert_same_outputs(a.folder, b.folder)
    assert _leftovers(tmp_path / "there") == []
    assert sorted(p.name for p in (tmp_path / "there").iterdir()) == ["test-plants", "water-plants"]


def test_the_cli_runs_several_targets_on_the_scheduler(tmp_path: Path, cluster: Any) -> None:
    ws, layers = _workspace(tmp_path)
    layer_args = [a for name, path in layers.items() for a in ("--layer", f"{name}={path}")]
    args = ["suitability", "-t", "test-plants", "-t", "water-plants", "--resolution", "500", "--no-png",
            *layer_args]
    outcome = run_cli(ws.root, [*args, "--scheduler", cluster.scheduler_address, "--out", "there"])
    assert outcome.exit_code == 0, outcome.output
    assert "Tasks run on the Dask cluster" in outcome.output and "2 targets written to" in outcome.output
    assert "Suitability for Test plants (profile test-plants)" in outcome.output
    assert run_cli(ws.root, [*args, "--out", "here"]).exit_code == 0
    for name in ("test-plants", "water-plants"):
        _assert_same_outputs(ws.root / "here" / name, ws.root / "there" / name)
    outcome = run_cli(ws.root, ["suitability", "-t", "test-plants", "--profile", str(layers["rail"]),
                                "-t", "water-plants"])
    assert outcome.exit_code != 0 and "--profile FILE models one target" in outcome.output


def test_suitability_with_an_unreachable_scheduler_is_one_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hostile_harness import expect_refusal
    from valleymaps import settings

    monkeypatch.setattr(settings, "COMPUTE_CONNECT_TIMEOUT_S", 1.0)
    monkeypatch.delenv("VALLEYMAPS_SCHEDULER", raising=False)
    ws, _layers = _workspace(tmp_path)
    config = ws.root / "valleymaps.toml"
    config.write_text(config.read_text().replace('# scheduler = "tcp://10.0.0.5:8786"',
                                                 'scheduler = "tcp://127.0.0.1:9"'))
    expect_refusal(ws.root, ["suitability", "-t", "test-plants", "-t", "water-plants"],
                   "cannot reach the Dask scheduler", "tcp://127.0.0.1:9",
                   "[compute] scheduler in valleymaps.toml", "--scheduler none")
    assert not (ws.root / "outputs").exists()
