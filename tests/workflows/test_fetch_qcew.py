"""``valleymaps fetch qcew``: QCEW open-data area slices from a local copy of the BLS server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cli_logging import restore_cli_logging  # noqa: F401
from fetch_server import PROXY_VARIABLES, FileServer, make_workspace
from qcew_files import QCEW_PREFIX, qcew_quarterly_site, qcew_site
from valleymaps.cli import cli
from valleymaps.errors import DataExistsError
from valleymaps.io.download import DownloadCache, RetryPolicy
from valleymaps.io.employment.store import dataset_paths, list_datasets, load_dataset, private_path
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
    # which NAICS edition each year's slice uses, in the stored metadata
    meta = json.loads(dataset_paths(ws, "qcew_2012_2014")[1].read_text(encoding="utf-8"))
    assert meta["naics_editions"] == {"2012": 2012, "2013": 2012, "2014": 2012}


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


def test_quarterly_slices_give_the_annual_average_of_the_12_months(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    server.files.update(qcew_quarterly_site(YEARS[:2], list(VALLEY_COUNTIES)))

    result = fetch.fetch_qcew(ws, years=YEARS[:2], period="quarterly", cache=cache)

    assert len(result.downloads) == 2 * 4 * 10
    assert result.downloads[0].url.endswith("/cew/data/api/2012/1/area/06019.csv")
    dataset = result.imported
    assert dataset is not None and dataset.name == "qcew_2012_2013_quarterly"
    assert "annual averages" in dataset.source and "quarterly" in dataset.source
    total = dataset.table.set_index(["geoid", "naics", "year"])["employment"]
    # months 970, 980, 990, 1000, 1010, 1020, 1030, 1020, 1010, 1000, 990, 980: mean 1000,
    # the annual slice's own figure
    assert total[("06019", "TOTAL", 2012)] == pytest.approx(1000.0)
    annual = fetch.fetch_qcew(ws, years=YEARS[:2], cache=cache).imported
    assert annual is not None
    by_year = annual.table.set_index(["geoid", "naics", "year"])["employment"]
    for key in [("06019", "TOTAL", 2013), ("06", "TOTAL", 2012), ("US", "TOTAL", 2013)]:
        assert total[key] == pytest.approx(by_year[key], rel=1e-3), key
    flags = dataset.table.set_index(["geoid", "naics", "year"])["flag"]
    assert flags[("06019", "311", 2012)] == "D" and pd.isna(total[("06019", "311", 2012)])


def test_one_quarter_a_year_is_the_mean_of_its_three_months(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    server.files.update(qcew_quarterly_site(YEARS, list(VALLEY_COUNTIES), quarters="2"))

    result = fetch.fetch_qcew(ws, years=YEARS, period="q2", cache=cache)

    assert len(result.downloads) == 3 * 10
    assert all("/2/area/" in d.url for d in result.downloads)
    dataset = result.imported
    assert dataset is not None and dataset.name == "qcew_2012_2014_q2" and dataset.years == YEARS
    assert "Q2 averages" in dataset.source
    total = dataset.table.set_index(["geoid", "naics", "year"])["employment"]
    assert total[("06019", "TOTAL", 2012)] == pytest.approx(1010.0)  # (1000 + 1010 + 1020) / 3
    assert dataset.private is not None
    private = dataset.private.set_index(["geoid", "naics", "year"])["employment"]
    assert private[("06019", "TOTAL", 2012)] == pytest.approx(808.0)  # (800 + 808 + 816) / 3


def test_a_quarter_not_on_the_server_stops_the_quarterly_fetch(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    server.files.update(qcew_quarterly_site([2012], list(VALLEY_COUNTIES), quarters="123"))

    with pytest.raises(YearNotAvailableError, match="QCEW 2012 quarter 4, area 06019"):
        fetch.fetch_qcew(ws, years=[2012], period="quarterly", cache=cache)
    assert not any(n.startswith("qcew_2012") for n in list_datasets(ws))


def test_cli_fetch_qcew_quarterly_options(ws: Workspace, tmp_path: Path, server: FileServer) -> None:
    server.files.update(qcew_quarterly_site([2012], list(VALLEY_COUNTIES), quarters="3"))
    runner = CliRunner()
    base = ["fetch", "qcew", "--years", "2012", "--cache-dir", str(tmp_path / "c"), "-w", str(ws.root)]
    out = runner.invoke(cli, [*base, "--period", "Q3"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "Fetching QCEW Q3 averages 2012" in out.output and "Imported qcew_2012_q3" in out.output
    both = runner.invoke(cli, [*base, "--period", "q3", "--quarterly"])
    assert both.exit_code == 2 and "--quarterly" in both.output and "Traceback" not in both.output
