"""``valleymaps fetch`` end to end against a local copy of the Census and LEHD file trees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli_logging import restore_cli_logging  # noqa: F401
from fetch_server import (
    ACS_FLOWS_PREFIX,
    CBP_PREFIX,
    LODES_PREFIX,
    PROXY_VARIABLES,
    TIGER_PREFIX,
    FileServer,
    census_site,
    free_port,
    lodes_rac_gz,
    make_workspace,
    source_env,
)
from valleymaps.cli import cli
from valleymaps.io.download import DownloadCache, RetryPolicy
from valleymaps.io.sources import SOURCES
from valleymaps.workspace import Workspace

TRACT_PATH = f"{TIGER_PREFIX}/GENZ2021/shp/cb_2021_06_tract_500k.zip"
ACS_PATH = f"{ACS_FLOWS_PREFIX}/2020/commuting-flows-2020/table1.xlsx"
SRC = Path(__file__).resolve().parents[2] / "src"


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
        ("metros", "--state", "ca"),
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


@pytest.mark.filterwarnings("ignore:Not enough unique values:UserWarning")  # 3-tract fixture
def test_fetch_all_imports_everything_then_build_draws_the_flows(
    ws: Workspace, server: FileServer, tmp_path: Path
) -> None:
    result = fetch(ws, tmp_path / "cache", "all", "--year", "2021")

    assert result.exit_code == 0, result.output
    steps = ["[tracts] 2021", "[cbp] 2021", "[qcew] 2021", "[lodes-od] 2021", "[lodes-wac] 2021",
             "[lodes-rac] 2021", "[acs-flows] 2020",
             "[metros] 2023 (the latest CBSA delineation, whatever --year)"]
    assert [result.output.find(step) for step in steps] == sorted(
        result.output.find(step) for step in steps)
    assert "Imported 3 of 4 tracts" in result.output
    assert "Imported cbp_2021" in result.output
    assert "Imported qcew_2021" in result.output
    assert "Imported ca_wac_S000_JT00_2021" in result.output
    assert ("Imported ca_od_2021_jt00: LEHD LODES8 origin-destination 2021, all jobs (JT00), "
            "main+aux parts of CA (2 files)") in result.output
    assert "Added LEHD LODES8 WAC 2021, all jobs (JT00), of CA to ca_od_2021_jt00" in result.output
    assert "Added LEHD LODES8 RAC 2021, all jobs (JT00), of CA to ca_od_2021_jt00" in result.output
    assert "San Joaquin Valley: 16 employed residents (the OD flows give 5)" in result.output
    assert "Imported acs_county_flows_2016_2020: ACS 2016–2020" in result.output
    assert "Imported the CBSA delineation (July 2023) from list1_2023.xlsx" in result.output
    assert "not imported" not in result.output and "not added" not in result.output
    assert "Done: 8 of 8 steps, 19 files (0 from the cache)" in result.output
    imported = ("Imported into " + str(ws.root) + ": 3 tracts; employment cbp_2021; employment "
                "qcew_2021; flows "
                "ca_od_2021_jt00; employment ca_wac_S000_JT00_2021; WAC totals in "
                "ca_od_2021_jt00; RAC totals in ca_od_2021_jt00; flows acs_county_flows_2016_2020; "
                "metro areas (CBSA delineation, July 2023)")
    assert imported in result.output
    assert (ws.root / "data/geo/cbsa_delineation.csv").is_file()

    again = fetch(ws, tmp_path / "cache", "all", "--year", "2021")

    assert again.exit_code == 0, again.output
    assert "Done: 8 of 8 steps, 19 files (19 from the cache), 0 bytes downloaded." in again.output
    assert "downloaded " not in again.output
    assert imported in again.output  # imported again, from the cache

    build = run("build", "-w", ws.root, "--no-png")

    assert build.exit_code == 0, build.output
    pages = {p.name for p in ws.maps_dir.glob("*.html")}
    for name in ("ca-od-2021-jt00", "acs-county-flows-2016-2020"):
        assert f"commuting-{name}.html" in pages, sorted(pages)
        assert f"flows-{name}-county.html" in pages, sorted(pages)
    assert "flows-ca-od-2021-jt00-tract.html" in pages
    index = (ws.maps_dir / "index.html").read_text(encoding="utf-8")
    assert "flows-ca-od-2021-jt00-county.html" in index
    assert "commuting-acs-county-flows-2016-2020.html" in index
    # the Nevada commuter of the aux file lives in Clark County: named by its metro area
    flow_page = (ws.maps_dir / "flows-ca-od-2021-jt00-county.html").read_text(encoding="utf-8")
    assert '"name":"Las Vegas-Henderson-North Las Vegas, NV metro area"' in flow_page
    outside = (ws.maps_dir / "tables/commuting-ca-od-2021-jt00-outside.csv").read_text(
        encoding="utf-8")
    assert "M29820,\"Las Vegas-Henderson-North Las Vegas, NV metro area\",1" in outside
    commuting = (ws.maps_dir / "commuting-ca-od-2021-jt00.html").read_text(encoding="utf-8")
    assert "(CBSAs, July 2023 delineation) (workspace data/geo/cbsa_delineation.csv)" in commuting


def test_fetch_all_reports_a_failed_step_and_exits_1(ws: Workspace, server: FileServer,
                                                     tmp_path: Path) -> None:
    del server.files[f"{CBP_PREFIX}/2021/cbp21co.zip"]

    result = fetch(ws, tmp_path / "cache", "all", "--year", "2021")

    assert result.exit_code == 1
    assert "Done: 7 of 8 steps" in result.output
    assert "Imported into" in result.output and "employment cbp_2021" not in result.output
    assert "Error: cbp: County Business Patterns 2021, counties is not on the server" in (
        result.output)


def test_fetch_lodes_tables(ws: Workspace, server: FileServer, tmp_path: Path) -> None:
    result = fetch(ws, tmp_path / "cache", "lodes", "--year", "2021", "--table", "wac",
                   "--table", "od", "--segment", "s000", "--job-type", "jt00")

    assert result.exit_code == 0, result.output
    assert "Fetching LODES8 od, wac 2021 for CA" in result.output
    assert "Imported ca_wac_S000_JT00_2021" in result.output
    assert "downloaded ca_od_main_JT00_2021.csv.gz" in result.output
    assert "downloaded ca_od_aux_JT00_2021.csv.gz" in result.output
    assert "Imported ca_od_2021_jt00" in result.output
    # Kern -> Fresno 3, Fresno -> Kern 2 (main file), Nevada -> Fresno 1 (aux file)
    assert "county pairs: 3 (3 touching San Joaquin Valley), 6 workers" in result.output
    assert "San Joaquin Valley: 5 employed residents, 6 jobs" in result.output
    # the OD dataset came first, so the WAC jobs were added to it: Fresno 105 + Kern 75
    assert "San Joaquin Valley: 180 jobs (the OD flows give 6)" in result.output
    assert "not imported" not in result.output


def test_fetch_lodes_rac_imports_the_od_files_first(ws: Workspace, server: FileServer,
                                                    tmp_path: Path) -> None:
    result = fetch(ws, tmp_path / "cache", "lodes", "--year", "2021", "--table", "rac",
                   "--table", "od")

    assert result.exit_code == 0, result.output
    assert "Fetching LODES8 od, rac 2021 for CA" in result.output
    od_at = result.output.index("Imported ca_od_2021_jt00")
    rac_at = result.output.index("Added LEHD LODES8 RAC 2021, all jobs (JT00), of CA to "
                                 "ca_od_2021_jt00")
    assert od_at < rac_at
    assert "downloaded ca_rac_S000_JT00_2021.csv.gz" in result.output
    # the RAC fixture: Fresno 7, Kern 9 employed residents; the OD flows have 2 + 3 of them
    assert "San Joaquin Valley: 16 employed residents (the OD flows give 5)" in result.output
    assert (ws.root / "data/econ/flows/ca_od_2021_jt00.rac.csv").is_file()


def test_fetch_lodes_rac_without_the_od_dataset_says_what_to_fetch(
    ws: Workspace, server: FileServer, tmp_path: Path
) -> None:
    server.files[f"{LODES_PREFIX}/LODES8/ca/rac/ca_rac_S000_JT01_2021.csv.gz"] = lodes_rac_gz()

    result = fetch(ws, tmp_path / "cache", "lodes", "--year", "2021", "--table", "rac",
                   "--job-type", "jt01")

    assert result.exit_code == 1
    assert "Error: no LODES OD flows dataset 'ca_od_2021_jt01'" in result.output
    assert ("'valleymaps fetch lodes --year 2021 --job-type JT01 --table od --table rac'"
            in result.output)
    assert "Traceback" not in result.output


def test_fetch_lodes_wac_alone_imports_the_employment_and_says_what_the_totals_need(
    ws: Workspace, server: FileServer, tmp_path: Path
) -> None:
    result = fetch(ws, tmp_path / "cache", "lodes", "--year", "2021")

    assert result.exit_code == 0, result.output
    assert "Imported ca_wac_S000_JT00_2021" in result.output
    assert "jobs not added to the commuting flows as WAC totals" in result.output
    assert "'valleymaps fetch lodes --year 2021 --table od --table wac'" in result.output


def test_fetch_metros(ws: Workspace, server: FileServer, tmp_path: Path) -> None:
    result = fetch(ws, tmp_path / "cache", "metros")

    assert result.exit_code == 0, result.output
    assert "Fetching the CBSA delineation file (metro areas) of 2023" in result.output
    assert "downloaded list1_2023.xlsx" in result.output
    assert ("Imported the CBSA delineation (July 2023) from list1_2023.xlsx: 8 counties in 7 "
            "areas (6 metropolitan, 1 micropolitan)") in result.output
    assert (ws.root / "data/geo/cbsa_delineation.csv").is_file()
    assert (tmp_path / "cache/metros/2023/delineation-files/list1_2023.xlsx").is_file()


def test_fetch_metros_of_a_year_without_a_delineation_lists_the_editions(
    ws: Workspace, server: FileServer, tmp_path: Path
) -> None:
    result = fetch(ws, tmp_path / "cache", "metros", "--year", "2019")

    assert result.exit_code == 1
    assert "Years available: 2013, 2015, 2017-2018, 2020, 2023." in result.output
    assert "Traceback" not in result.output and server.hits_for() == []


def test_fetch_acs_flows_imports_the_workbook(ws: Workspace, server: FileServer,
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    monkeypatch.chdir(ws.root)

    result = run("fetch", "acs-flows", "--cache-dir", tmp_path / "cache")

    assert result.exit_code == 0, result.output
    assert "table ending 2020" in result.output
    assert (tmp_path / "cache/acs_flows/2020/commuting-flows-2020/table1.xlsx").is_file()
    assert "Imported acs_county_flows_2016_2020: ACS 2016–2020 5-year" in result.output
    assert "2 rows with work places abroad (Canada, Europe)" in result.output
    assert "margins of error kept" in result.output

    older = run("fetch", "acs-flows", "--year", "2015", "--name", "acs_2015",
                "--cache-dir", tmp_path / "cache")

    assert older.exit_code == 0, older.output
    assert "Imported acs_2015: ACS 2011–2015 5-year" in older.output

    wrong = run("fetch", "acs-flows", "--year", "2021", "--cache-dir", tmp_path / "cache")

    assert wrong.exit_code == 1
    assert ("Years available: 2010 (2006-2010), 2013 (2009-2013), 2015 (2011-2015), "
            "2020 (2016-2020).") in wrong.output


def test_fetch_acs_flows_needs_a_workspace(server: FileServer, tmp_path: Path) -> None:
    result = run("fetch", "acs-flows", "-w", tmp_path, "--cache-dir", tmp_path / "cache")

    assert result.exit_code == 1
    assert "is not a valleymaps workspace" in result.output
    assert server.hits_for() == []


def test_help_lists_the_commands_and_the_mirror_variables() -> None:
    result = run("fetch", "--help")

    assert result.exit_code == 0
    for command in ("tracts", "cbp", "lodes", "acs-flows", "metros", "all"):
        assert command in result.output
    for source in SOURCES.values():
        assert source.env_var in result.output
    for command in ("tracts", "cbp", "lodes", "acs-flows", "metros", "all"):
        sub = run("fetch", command, "--help")
        assert sub.exit_code == 0 and "--cache-dir" in sub.output and "--refresh" in sub.output


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_runs_at_once_download_a_file_once(server: FileServer, tmp_path: Path) -> None:
    """Two processes fetch into one cache: the second waits for the first, then uses its file."""
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env.update(source_env(server))
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    server.fail(ACS_PATH, "hold")  # the first download lasts until release()
    procs, logs = [], []

    def start(name: str) -> subprocess.Popen[bytes]:
        ws = make_workspace(tmp_path / name)
        log = (tmp_path / f"{name}.log").open("wb")
        logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-m", "valleymaps", "fetch", "acs-flows", "--cache-dir", str(cache),
             "-w", str(ws.root)], env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    try:
        first = start("first")
        _wait_for(lambda: len(server.hits_for(ACS_PATH)) == 1, "the first download to start")
        start("second")
        _wait_for(lambda: b"being downloaded by another" in (tmp_path / "second.log").read_bytes(),
                  "the second run to wait")
        server.release()
        codes = [p.wait(timeout=120) for p in procs]
    finally:
        server.release()
        for p in procs:
            if p.poll() is None:
                p.kill()
        for log in logs:
            log.close()

    out_first = (tmp_path / "first.log").read_text(encoding="utf-8")
    out_second = (tmp_path / "second.log").read_text(encoding="utf-8")
    assert codes == [0, 0], out_first + out_second
    assert len(server.hits_for(ACS_PATH)) == 1  # downloaded once
    assert "downloaded table1.xlsx" in out_first
    assert f"table1.xlsx is being downloaded by another valleymaps run (process {first.pid})" in (
        out_second)
    assert "cached     table1.xlsx" in out_second
    for out in (out_first, out_second):
        assert "Imported acs_county_flows_2016_2020" in out
    files = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert list(files) == ["acs_flows/2020/commuting-flows-2020/table1.xlsx"]
    cached = cache / "acs_flows/2020/commuting-flows-2020/table1.xlsx"
    assert files[cached.relative_to(cache).as_posix()]["size"] == cached.stat().st_size
    assert sorted(p.name for p in cached.parent.iterdir()) == ["table1.xlsx"]  # no .part, .lock


def test_fetch_over_tracts_imported_by_hand_refuses_then_replaces_with_replace(
    ws: Workspace, server: FileServer, tmp_path: Path
) -> None:
    from workspace_files import write_square_tracts

    mine = tmp_path / "mine.geojson"
    write_square_tracts(mine, ["06019", "06029"], per_county=4)
    assert run("import", "tracts", mine, "-w", ws.root).exit_code == 0
    cache = tmp_path / "cache"

    refused = fetch(ws, cache, "tracts", "--year", "2021")

    assert refused.exit_code == 1
    assert "already holds 8 tracts" in refused.output and "--replace" in refused.output
    assert "Traceback" not in refused.output

    replaced = fetch(ws, cache, "tracts", "--year", "2021", "--replace")

    assert replaced.exit_code == 0, replaced.output
    assert "Imported 3 of 4 tracts" in replaced.output
