"""``valleymaps fetch`` end to end against a local copy of the Census and LEHD file trees."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fetch_server import (
    CBP_PREFIX,
    PROXY_VARIABLES,
    TIGER_PREFIX,
    FileServer,
    census_site,
    free_port,
    make_workspace,
    source_env,
)
from valleymaps.cli import cli
from valleymaps.io.download import DownloadCache, RetryPolicy
from valleymaps.io.sources import SOURCES
from valleymaps.workspace import Workspace

TRACT_PATH = f"{TIGER_PREFIX}/GENZ2021/shp/cb_2021_06_tract_500k.zip"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures the root logger on every run; give later tests theirs back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("VALLEYMAPS_CACHE_DIR", raising=False)
    with FileServer(census_site(2021)) as srv:
        for key, value in source_env(srv).items():
            monkeypatch.setenv(key, value)
        yield srv


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "ws")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def fetch(ws: Workspace, cache: Path, *args: str) -> Result:
    return run("fetch", *args, "--cache-dir", cache, "-w", ws.root)


def test_fetch_tracts_end_to_end_then_cached_then_refreshed(
    ws: Workspace, server: FileServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"

    first = fetch(ws, cache, "tracts", "--year", "2021")

    assert first.exit_code == 0, first.output
    assert "downloaded cb_2021_06_tract_500k.zip" in first.output
    assert "Imported 3 of 4 tracts (San Joaquin Valley)" in first.output
    assert "Fresno 2, Kern 1" in first.output
    assert ws.tracts_path.is_file()
    assert (cache / "tiger/GENZ2021/shp/cb_2021_06_tract_500k.zip").is_file()
    assert len(server.hits_for(TRACT_PATH)) == 1

    second = fetch(ws, cache, "tracts", "--year", "2021")

    assert second.exit_code == 0, second.output
    assert "cached     cb_2021_06_tract_500k.zip" in second.output
    assert len(server.hits_for(TRACT_PATH)) == 1  # nothing downloaded

    third = fetch(ws, cache, "tracts", "--year", "2021", "--refresh")

    assert third.exit_code == 0 and "downloaded" in third.output
    assert len(server.hits_for(TRACT_PATH)) == 2


def test_fetch_uses_the_cache_dir_variable_and_the_current_workspace(
    ws: Workspace, server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALLEYMAPS_CACHE_DIR", str(tmp_path / "env-cache"))
    monkeypatch.chdir(ws.root)

    result = run("fetch", "tracts", "--year", "2021", "--kind", "tiger")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "env-cache/tiger/TIGER2021/TRACT/tl_2021_06_tract.zip").is_file()


def test_transient_server_errors_are_retried(ws: Workspace, server: FileServer,
                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    original = DownloadCache.__init__

    def no_waiting(self: DownloadCache, root: object = None, *, policy: object = None) -> None:
        original(self, root, policy=RetryPolicy(backoff=0, timeout=5))  # type: ignore[arg-type]

    monkeypatch.setattr(DownloadCache, "__init__", no_waiting)
    server.fail(TRACT_PATH, "cut", "503")

    result = fetch(ws, tmp_path / "cache", "tracts", "--year", "2021")

    assert result.exit_code == 0, result.output
    assert [h.status for h in server.hits_for(TRACT_PATH)] == [200, 503, 206]
    assert "resumed at" in result.output


def test_year_that_does_not_exist_lists_the_years(ws: Workspace, server: FileServer,
                                                  tmp_path: Path) -> None:
    result = fetch(ws, tmp_path / "cache", "tracts", "--year", "2005")

    assert result.exit_code == 1
    assert ("Error: Cartographic boundary census tracts are not published for 2005. Years "
            "available: 2013-2024.") in result.output
    assert "Traceback" not in result.output
    assert server.hits_for() == []


def test_server_404_lists_the_years(ws: Workspace, server: FileServer, tmp_path: Path) -> None:
    result = fetch(ws, tmp_path / "cache", "cbp", "--year", "2020")

    assert result.exit_code == 1
    assert "answered 404" in result.output and "Years available: 1998-2023." in result.output
    assert "Traceback" not in result.output


def test_offline_says_how_to_use_a_mirror(ws: Workspace, server: FileServer, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALLEYMAPS_TIGER_URL", f"http://127.0.0.1:{free_port()}/geo/tiger")

    result = fetch(ws, tmp_path / "cache", "tracts", "--year", "2021")

    assert result.exit_code == 1
    assert "cannot reach 127.0.0.1" in result.output and "connection was refused" in result.output
    assert "set VALLEYMAPS_TIGER_URL" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("tracts", "--kind", "shp"),
        ("tracts", "--year", "twenty"),
        ("lodes", "--segment", "S999"),
        ("lodes", "--table", "blocks"),
        ("lodes", "--lodes-version", "LODES5"),
        ("nothing",),
    ],
)
def test_usage_errors_exit_with_2(ws: Workspace, tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run("fetch", *args, "-w", ws.root)
    assert result.exit_code == 2, result.output


def test_not_a_workspace(tmp_path: Path, server: FileServer) -> None:
    result = run("fetch", "tracts", "--year", "2021", "-w", tmp_path, "--cache-dir", tmp_path)
    assert result.exit_code == 1
    assert "is not a valleymaps workspace" in result.output


def test_fetch_all(ws: Workspace, server: FileServer, tmp_path: Path) -> None:
    result = fetch(ws, tmp_path / "cache", "all", "--year", "2021")

    assert result.exit_code == 0, result.output
    for step in ("[tracts] 2021", "[cbp] 2021", "[lodes-wac] 2021", "[lodes-od] 2021",
                 "[acs-flows] 2020"):
        assert step in result.output
    assert "Imported cbp_2021" in result.output
    assert "Imported ca_wac_S000_JT00_2021" in result.output
    assert "not imported: valleymaps cannot import the ACS commuting flows table" in result.output
    assert "Done: 5 of 5 steps" in result.output

    again = fetch(ws, tmp_path / "cache", "all", "--year", "2021")

    assert again.exit_code == 0 and "Done: 5 of 5 steps, 0 bytes downloaded." in again.output
    assert "downloaded " not in again.output


def test_fetch_all_reports_a_failed_step_and_exits_1(ws: Workspace, server: FileServer,
                                                     tmp_path: Path) -> None:
    del server.files[f"{CBP_PREFIX}/2021/cbp21co.zip"]

    result = fetch(ws, tmp_path / "cache", "all", "--year", "2021")

    assert result.exit_code == 1
    assert "Done: 4 of 5 steps" in result.output
    assert "Error: cbp: County Business Patterns 2021, counties is not on the server" in (
        result.output)


def test_fetch_lodes_tables(ws: Workspace, server: FileServer, tmp_path: Path) -> None:
    result = fetch(ws, tmp_path / "cache", "lodes", "--year", "2021", "--table", "wac",
                   "--table", "od", "--segment", "s000", "--job-type", "jt00")

    assert result.exit_code == 0, result.output
    assert "Imported ca_wac_S000_JT00_2021" in result.output
    assert "ca_od_main_JT00_2021.csv.gz" in result.output
    assert "ca_od_aux_JT00_2021.csv.gz" in result.output
    assert "not imported: valleymaps cannot import LODES origin-destination files" in result.output


def test_fetch_acs_flows_needs_no_workspace(server: FileServer, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = run("fetch", "acs-flows", "--cache-dir", tmp_path / "cache")

    assert result.exit_code == 0, result.output
    assert "table ending 2020" in result.output
    assert (tmp_path / "cache/acs_flows/2020/commuting-flows-2020/table1.xlsx").is_file()

    wrong = run("fetch", "acs-flows", "--year", "2021", "--cache-dir", tmp_path / "cache")

    assert wrong.exit_code == 1
    assert "Years available: 2010 (2006-2010), 2015 (2011-2015), 2020 (2016-2020)." in (
        wrong.output)


def test_help_lists_the_commands_and_the_mirror_variables() -> None:
    result = run("fetch", "--help")

    assert result.exit_code == 0
    for command in ("tracts", "cbp", "lodes", "acs-flows", "all"):
        assert command in result.output
    for source in SOURCES.values():
        assert source.env_var in result.output
    for command in ("tracts", "cbp", "lodes", "acs-flows", "all"):
        sub = run("fetch", command, "--help")
        assert sub.exit_code == 0 and "--cache-dir" in sub.output and "--refresh" in sub.output
