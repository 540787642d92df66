"""LODES OD files read one task per file on a real two-worker Dask cluster give the same tables as
reading them all in this process, also when a worker is killed mid-file; a bad file or a bad
scheduler address stop with one clear message."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cli_logging import restore_cli_logging  # noqa: F401
from cluster_files import KillingExecutor
from hostile_harness import expect_refusal, run_cli
from lodes_files import od_row, write_od
from valleymaps import settings
from valleymaps.errors import ValidationError
from valleymaps.io.flows.lodes_od import read_lodes_od
from valleymaps.io.flows.store import load_flows
from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace

REGION = ["06019", "06029", "06031"]
#: Counties of the blocks: the region's, other California ones, Nevada's and Arizona's.
COUNTIES = [*REGION, "06037", "06075", "06001", "32003", "04013"]


def _blocks(rng: random.Random, n: int) -> list[str]:
    return [f"{rng.choice(COUNTIES)}{rng.randrange(1, 40):06d}{rng.randrange(1000, 1004)}" for _ in range(n)]


def write_od_files(folder: Path, *, rows: int = 1500, seed: int = 7) -> list[Path]:
    """California main and aux, Nevada and Arizona aux of 2021: random block pairs, not in order
    (the readers must sort and merge), with pairs repeated across files."""
    rng = random.Random(seed)
    blocks = _blocks(rng, 300)
    paths = []
    for name in ("ca_od_main_JT00_2021.csv.gz", "ca_od_aux_JT00_2021.csv.gz",
                 "nv_od_aux_JT00_2021.csv.gz", "az_od_aux_JT00_2021.csv.gz"):
        lines = []
        for _ in range(rows):
            total = rng.randrange(1, 30)
            lines.append(od_row(rng.choice(blocks), rng.choice(blocks), total, rng.randrange(0, total + 1)))
        paths.append(write_od(folder / name, lines))
    return paths


def assert_same_aggregate(a: Any, b: Any) -> None:
    pd.testing.assert_frame_equal(a.county, b.county)
    pd.testing.assert_frame_equal(a.detail, b.detail)
    assert a.files == b.files and a.detail_counties == b.detail_counties
    assert len(a.detail) > 100 and a.workers > 10_000  # the files are not trivially small


def test_files_read_as_tasks_give_the_same_tables(tmp_path: Path, executor: Any) -> None:
    paths = write_od_files(tmp_path)
    here = read_lodes_od(paths, detail_counties=REGION)
    seen: list[tuple[int, int]] = []
    there = read_lodes_od(paths, detail_counties=REGION, executor=executor,
                          on_progress=lambda done, total: seen.append((done, total)))
    assert_same_aggregate(there, here)
    assert seen[-1][0] == seen[-1][1] == sum(p.stat().st_size for p in paths) and len(seen) == 4
    block_groups = read_lodes_od(paths, detail_level="block_group", executor=executor, engine="python")
    assert_same_aggregate(block_groups, read_lodes_od(paths, detail_level="block_group"))


def test_a_worker_killed_mid_file_is_replaced_and_the_tables_are_the_same(
    tmp_path: Path, executor: Any
) -> None:
    paths = write_od_files(tmp_path / "od")
    marker = tmp_path / "killed"
    killing = KillingExecutor(executor.client, marker=marker, module="valleymaps.io.flows.lodes_od",
                              attribute="_file_info")  # called once a file has been read to its end
    there = read_lodes_od(paths, detail_counties=REGION, executor=killing)
    assert marker.is_file(), "no worker was killed: the test proves nothing"
    assert_same_aggregate(there, read_lodes_od(paths, detail_counties=REGION))


def test_a_bad_file_among_tasks_raises_what_this_process_raises(tmp_path: Path, executor: Any) -> None:
    paths = write_od_files(tmp_path, rows=50)
    write_od(paths[2], [od_row("060190001001000", "060190001001001", 3),
                        od_row("060190001001000", "060190001001001", 2).replace(",2,", ",2.5,", 1)])
    with pytest.raises(ValidationError) as here:
        read_lodes_od(paths)
    with pytest.raises(ValidationError) as there:
        read_lodes_od(paths, executor=executor)
    assert str(there.value) == str(here.value) and there.value.problems == here.value.problems
    assert there.value.problems[0].row == 2 and there.value.problems[0].column == "S000"
    assert "nv_od_aux_JT00_2021.csv.gz" in str(there.value)


def _workspace(root: Path, scheduler: str | None = None) -> Path:
    root.mkdir(parents=True)
    config = DEFAULT_CONFIG
    if scheduler:
        config = config.replace('# scheduler = "tcp://10.0.0.5:8786"', f'scheduler = "{scheduler}"')
        assert scheduler in config
    (root / CONFIG_NAME).write_text(config, encoding="utf-8")
    return root


def test_import_flows_scheduler_option_and_workspace_setting(tmp_path: Path, cluster: Any) -> None:
    paths = write_od_files(tmp_path / "od")
    here, there = _workspace(tmp_path / "here"), _workspace(tmp_path / "there")
    configured = _workspace(tmp_path / "configured", cluster.scheduler_address)
    args = ["import", "flows", *map(str, paths), "--format", "lodes-od"]
    assert run_cli(here, args).exit_code == 0
    outcome = run_cli(there, [*args, "--scheduler", cluster.scheduler_address])
    assert outcome.exit_code == 0, outcome.output
    assert "Tasks run on the Dask cluster at" in outcome.output and "2 workers" in outcome.output
    outcome = run_cli(configured, args)
    assert outcome.exit_code == 0 and "Tasks run on the Dask cluster" in outcome.output, outcome.output
    (name,) = [p.name.removesuffix(".meta.json") for p in (here / "data/econ/flows").glob("*.meta.json")]
    expected = load_flows(Workspace.open(here), name).tables
    for ws in (there, configured):
        got = load_flows(Workspace.open(ws), name).tables
        assert got.keys() == expected.keys()
        for level in expected:
            pd.testing.assert_frame_equal(got[level], expected[level])


def test_an_unreachable_scheduler_is_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setattr(settings, "COMPUTE_CONNECT_TIMEOUT_S", 1.0)
    monkeypatch.delenv("VALLEYMAPS_SCHEDULER", raising=False)
    ws = _workspace(tmp_path / "ws")
    paths = write_od_files(tmp_path / "od", rows=20)
    args = ["import", "flows", *map(str, paths), "--format", "lodes-od"]
    expect_refusal(ws, [*args, "--scheduler", "tcp://127.0.0.1:9"],
                   "cannot reach the Dask scheduler", "tcp://127.0.0.1:9", "--scheduler", "Is it running")
    expect_refusal(ws, [*args, "--scheduler", "my-cluster"], "'my-cluster'", "tcp://HOST:PORT")
    monkeypatch.setenv("VALLEYMAPS_SCHEDULER", "tcp://127.0.0.1:9")
    expect_refusal(ws, args, "$VALLEYMAPS_SCHEDULER", "unset VALLEYMAPS_SCHEDULER")
    assert run_cli(ws, [*args, "--scheduler", "none"]).exit_code == 0  # the option wins
