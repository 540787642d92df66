"""``valleymaps fetch qcew``: QCEW open-data area slices from a local copy of the BLS server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli_logging import restore_cli_logging  # noqa: F401
from fetch_server import PROXY_VARIABLES, FileServer, make_workspace
from qcew_files import QCEW_PREFIX, qcew_site
from valleymaps.cli import cli
from valleymaps.errors import DataExistsError
from valleymaps.io.download import DownloadCache, RetryPolicy
from valleymaps.io.employment.store import load_dataset, private_path
from valleymaps.io.sources import SOURCES, YearNotAvailableError
from valleymaps.settings import VALLEY_COUNTIES
from valleymaps.workflows import fetch
from valleymaps.workspace import Workspace

YEARS = [2012, 2013, 2014]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with FileServer(qcew_site(YEARS, list(VALLEY_COUNTIES))) as srv:
        monkeypatch.setenv("VALLEYMAPS_QCEW_URL", srv.url + QCEW_PREFIX)
        yield srv


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def cache(tmp_path: Path) -> DownloadCache:
    return DownloadCache(
        tmp_path / "cache", policy=RetryPolicy(retries=2, backoff=0, timeout=5, sleep=lambda s: None)
    )


def test_prefix_is_the_official_path() -> None:
    assert SOURCES["qcew"].default_url.endswith(QCEW_PREFIX)
    assert SOURCES["qcew"].env_var == "VALLEYMAPS_QCEW_URL"


def test_fetch_qcew_imports_counties_state_and_nation(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    result = fetch.fetch_qcew(ws, years=YEARS, cache=cache)
    assert len(result.downloads) == 3 * 10 and not result.from_cache
    assert result.downloads[0].url.endswith("/cew/data/api/2012/a/area/06019.csv")
    dataset = result.imported
    assert dataset is not None and dataset.name == "qcew_2012_2014" and dataset.years == YEARS
    stored = load_dataset(ws, "qcew_2012_2014")
    assert set(stored.table["geoid"]) == {*VALLEY_COUNTIES, "06", "US"}
    assert stored.private is not None and private_path(ws, "qcew_2012_2014").is_file()
    total = stored.table.set_index(["geoid", "naics", "year"])["employment"]
    assert total[("06019", "TOTAL", 2013)] == pytest.approx(1020.0, abs=1)  # own code 0, grown 2%
    assert total[("06", "TOTAL", 2012)] == 40_000.0
    # crop production is counted (QCEW covers farms), withheld values stay missing
    assert total[("06019", "111", 2012)] == 60.0 and stored.not_covered == ()
    assert stored.table.set_index(["geoid", "naics", "year"]).loc[("06019", "311", 2012), "flag"] == "D"


def test_second_fetch_comes_from_the_cache(ws: Workspace, cache: DownloadCache, server: FileServer) -> None:
    fetch.fetch_qcew(ws, years=YEARS, cache=cache)
    server.reset_hits()
    again = fetch.fetch_qcew(ws, years=YEARS, cache=cache)
    assert again.from_cache and server.hits_for() == []  # checksums verified, nothing asked


def test_cut_download_is_resumed(ws: Workspace, cache: DownloadCache, server: FileServer) -> None:
    path = f"{QCEW_PREFIX}/2013/a/area/06000.csv"
    server.fail(path, "cut")
    result = fetch.fetch_qcew(ws, years=YEARS, cache=cache)
    hits = server.hits_for(path)
    assert [h.status for h in hits] == [200, 206] and hits[1].range is not None
    [download] = [d for d in result.downloads if d.url.endswith("2013/a/area/06000.csv")]
    assert download.resumed_from > 0 and download.path.read_bytes() == server.files[path]


def test_year_not_on_the_server_lists_the_years(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    with pytest.raises(YearNotAvailableError, match=r"not on the server.*2012-2024"):
        fetch.fetch_qcew(ws, years=[2015], cache=cache)
    with pytest.raises(YearNotAvailableError, match="Years available: 2012-2024"):
        fetch.fetch_qcew(ws, years=[2005], cache=cache)


def test_workspace_sources_table_is_the_mirror(
    ws: Workspace, cache: DownloadCache, server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VALLEYMAPS_QCEW_URL")
    config = ws.root / "valleymaps.toml"
    config.write_text(config.read_text() + f'\n[sources]\nqcew = "{server.url}{QCEW_PREFIX}"\n')
    result = fetch.fetch_qcew(Workspace.open(ws.root), years=[2014], cache=cache)
    assert result.imported is not None and result.imported.name == "qcew_2014"


def test_cli_fetch_qcew(ws: Workspace, tmp_path: Path, server: FileServer) -> None:
    runner = CliRunner()
    out = runner.invoke(
        cli,
        ["fetch", "qcew", "--years", "2012-2013", "--cache-dir", str(tmp_path / "c"), "-w", str(ws.root)],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    assert "Fetching QCEW annual averages 2012-2013" in out.output
    assert "20 files: 0 from the cache" in out.output
    assert "1 state, 8 counties, the U.S." in out.output, out.output
    assert "private employers kept apart" in out.output
    bad = runner.invoke(cli, ["fetch", "qcew", "--years", "2012-20x", "-w", str(ws.root)])
    assert bad.exit_code == 2 and "2012-20x" in bad.output and "Traceback" not in bad.output


def test_revised_data_replace_the_dataset_only_when_asked(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    fetch.fetch_qcew(ws, years=[2012], cache=cache)
    path = f"{QCEW_PREFIX}/2012/a/area/06019.csv"
    server.files[path] = server.files[path].replace(b",1000,", b",1001,", 1)  # BLS revises
    with pytest.raises(DataExistsError, match="--replace"):
        fetch.fetch_qcew(ws, years=[2012], cache=cache, refresh=True)
    assert (
        load_dataset(ws, "qcew_2012")
        .table.set_index(["geoid", "naics"])
        .loc[("06019", "TOTAL"), "employment"]
        == 1000
    )
    fetch.fetch_qcew(ws, years=[2012], cache=cache, refresh=True, replace=True)
    assert (
        load_dataset(ws, "qcew_2012")
        .table.set_index(["geoid", "naics"])
        .loc[("06019", "TOTAL"), "employment"]
        == 1001
    )
