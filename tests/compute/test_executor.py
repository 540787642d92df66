"""Choosing where tasks run: the option, the environment, the workspace, the default; the
messages when a scheduler is named but cannot be used."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from valleymaps.compute import InProcessExecutor, get_executor, resolve_scheduler
from valleymaps.errors import (
    ConfigError,
    EmptyLayerError,
    MissingDependencyError,
    SchedulerUnavailableError,
    YearNotAvailableError,
)
from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace

ADDRESS = "tcp://10.0.0.5:8786"


def test_the_option_wins_then_the_environment_then_the_workspace() -> None:
    env = {"VALLEYMAPS_SCHEDULER": "tcp://10.0.0.6:8786"}
    assert resolve_scheduler(ADDRESS, configured="local", environ=env) == (ADDRESS, "--scheduler")
    assert resolve_scheduler(None, configured="local", environ=env) == (
        "tcp://10.0.0.6:8786", "$VALLEYMAPS_SCHEDULER")
    assert resolve_scheduler(None, configured="local", environ={}) == (
        "local", "[compute] scheduler in valleymaps.toml")
    assert resolve_scheduler(None, environ={"VALLEYMAPS_SCHEDULER": " "}) == (None, "default")
    assert resolve_scheduler("none", configured="local", environ=env)[0] is None


def test_in_process_by_default_runs_in_order_and_raises_the_first_error() -> None:
    ex = get_executor(None, environ={})
    assert isinstance(ex, InProcessExecutor) and not ex.distributed
    seen: list[tuple[int, int]] = []
    assert ex.map(abs, [-3, 1, -2], on_done=lambda i, r: seen.append((i, r))) == [3, 1, 2]
    assert seen == [(0, 3), (1, 1), (2, 2)]
    with pytest.raises(TypeError):
        ex.map(abs, [1, "x", None])


def test_a_named_scheduler_without_dask_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(MissingDependencyError) as err:
        get_executor(None, environ={"VALLEYMAPS_SCHEDULER": ADDRESS})
    text = str(err.value)
    assert "$VALLEYMAPS_SCHEDULER" in text and ADDRESS in text and "pip install 'valleymaps[dask]'" in text
    assert isinstance(err.value, ImportError)


def test_an_address_that_is_not_one_is_refused_before_connecting() -> None:
    with pytest.raises(SchedulerUnavailableError) as err:
        get_executor("http://", environ={})
    text = str(err.value)
    assert "'http://' is not a Dask scheduler address" in text and "tcp://HOST:PORT" in text
    assert isinstance(err.value, ConnectionError)


def _workspace(tmp_path: Path, compute: str) -> Path:
    (tmp_path / CONFIG_NAME).write_text(DEFAULT_CONFIG.replace(
        '# scheduler = "tcp://10.0.0.5:8786"', compute), encoding="utf-8")
    return tmp_path


def test_the_workspace_setting_is_read_and_checked(tmp_path: Path) -> None:
    assert Workspace.open(_workspace(tmp_path, f'scheduler = "{ADDRESS}"')).config.scheduler == ADDRESS
    assert Workspace.open(_workspace(tmp_path, "")).config.scheduler is None
    with pytest.raises(ConfigError, match=r"\[compute\] scheduler must be text in quotes"):
        Workspace.open(_workspace(tmp_path, "scheduler = 8786"))
    with pytest.raises(ConfigError, match=r"\[compute\] scheduler 'dask cluster' is not a Dask scheduler"):
        Workspace.open(_workspace(tmp_path, 'scheduler = "dask cluster"'))
    with pytest.warns(UserWarning, match="did you mean 'scheduler'"):
        Workspace.open(_workspace(tmp_path, 'schedular = "local"'))


def test_errors_raised_on_a_worker_come_back_whole() -> None:
    for exc in (EmptyLayerError("no rail lines", factor="rail"),
                YearNotAvailableError("no 2031", year=2031, available=[2020, 2021])):
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc) and str(back) == str(exc) and back.__dict__ == exc.__dict__


def test_two_local_clusters_start_side_by_side_with_port_8787_taken() -> None:
    # '--scheduler local' starts a cluster for the run: another one running, or any program on
    # the dashboard's usual port, must not stop it
    import socket

    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8787))
        holder.listen()
    except OSError:
        pass  # already taken by something else: the same situation
    try:
        with get_executor("local:1", environ={}) as first, get_executor("local:1", environ={}) as second:
            assert first.map(abs, [-1, -2]) == [1, 2]
            assert second.map(abs, [-3]) == [3]
    finally:
        holder.close()
