"""``valleymaps fetch bea``, ``import io`` and ``leakage`` end to end (small workbooks built in code)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from bea_files import write_bea_workbooks
from cli_logging import restore_cli_logging  # noqa: F401
from fetch_server import BEA_PREFIX, PROXY_VARIABLES, FileServer, bea_site, make_workspace, source_env
from valleymaps.cli import cli
from valleymaps.errors import YearNotAvailableError
from valleymaps.io.bea import io_store_paths, load_io_tables
from valleymaps.io.download import DownloadCache, RetryPolicy
from valleymaps.io.sources import SOURCES
from valleymaps.workflows import fetch
from valleymaps.workflows.leakage import TABLE_NAMES, compute_workspace_leakage
from valleymaps.workspace import Workspace

USE_PATH = f"{BEA_PREFIX}/IOUse_Before_Redefinitions_PRO_DET.xlsx"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with FileServer(bea_site()) as srv:
        for key, value in source_env(srv).items():
            monkeypatch.setenv(key, value)
        yield srv


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "ws")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_official_url_and_mirror_setting() -> None:
    assert SOURCES["bea"].default_url == "https://apps.bea.gov/industry/xls/io-annual"
    assert SOURCES["bea"].default_url.endswith(BEA_PREFIX)
    assert SOURCES["bea"].env_var == "VALLEYMAPS_BEA_URL"


def test_fetch_bea_downloads_caches_and_stores(ws: Workspace, server: FileServer,
                                               tmp_path: Path) -> None:
    cache = DownloadCache(tmp_path / "cache", policy=RetryPolicy(retries=1, backoff=0, timeout=5,
                                                                 sleep=lambda s: None))
    result = fetch.fetch_bea(ws, cache=cache, replace=True)
    assert len(result.downloads) == 3 and not result.from_cache
    assert result.imported is not None and result.imported.year == 2012
    assert io_store_paths(ws)[0].is_file()
    meta = json.loads(io_store_paths(ws)[1].read_text())
    digests = {f["file"]: f["sha256"] for f in meta["files"]}
    assert digests["IOUse_Before_Redefinitions_PRO_DET.xlsx"] == cache.entry(
        "bea/IOUse_Before_Redefinitions_PRO_DET.xlsx")["sha256"]
    again = fetch.fetch_bea(ws, cache=cache, replace=True)
    assert again.from_cache and len(server.hits_for(USE_PATH)) == 1
    with pytest.raises(YearNotAvailableError, match="2007, 2012"):
        fetch.fetch_bea(ws, year=2017, cache=cache)


def test_fetch_bea_command_and_a_broken_download(ws: Workspace, server: FileServer,
                                                 tmp_path: Path) -> None:
    server.fail(USE_PATH, "500")
    result = run("fetch", "bea", "--replace", "-w", ws.root, "--cache-dir", tmp_path / "cache")
    assert result.exit_code == 0, result.output
    assert "Imported the BEA 2012 detail input-output tables: 5 industries" in result.output
    assert len(server.hits_for(USE_PATH)) == 2  # retried after the 500
    assert "VALLEYMAPS_BEA_URL" in run("fetch", "--help").output


def test_import_io_then_leakage_on_the_bundled_sample(ws: Workspace, tmp_path: Path) -> None:
    files = write_bea_workbooks(tmp_path / "bea")
    result = run("import", "io", *files, "--replace", "-w", ws.root)
    assert result.exit_code == 0, result.output
    assert "2 cells of the import matrix exceed" in result.output
    assert load_io_tables(ws).industries[0] == "1111A0"

    result = run("leakage", "-w", ws.root, "--method", "FLQ", "--delta", "0.2", "--top", "3")
    assert result.exit_code == 0, result.output
    out = ws.root / "outputs" / "leakage"
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLE_NAMES)
    assert "SYNTHETIC" in result.output and "2012 dollars" in result.output
    targets = pd.read_csv(out / "leakage_targets.csv", dtype={"commodity": str})
    assert list(targets.columns[:4]) == ["rank", "commodity", "description", "market_support_usd"]
    assert (targets["dollars_year"] == 2012).all() and (targets["method"] == "flq").all()
    assert "S00401" not in set(targets["commodity"])  # scrap: excluded by the bundled list
    by_commodity = pd.read_csv(out / "leakage_by_commodity.csv", dtype={"commodity": str})
    assert by_commodity.set_index("commodity").loc["S00401", "excluded"]
    assert (by_commodity["leakage_usd"] <= by_commodity["demand_usd"] + 1).all()
    by_cluster = pd.read_csv(out / "leakage_by_cluster.csv")
    assert {"agriculture", "_other"} <= set(by_cluster["cluster"])
    comparison = pd.read_csv(out / "leakage_plan_comparison.csv")
    assert len(comparison) == 23 and "recomputed_rank" in comparison.columns
    meta = json.loads((out / "leakage_run.json").read_text())
    assert meta["method"] == "flq" and meta["delta"] == 0.2 and meta["synthetic"]
    assert meta["national_jobs"] == "06 rows / 0.11" and meta["farm_coverage"] == "included"
    assert any("92" in n for n in meta["notes"])  # public administration: no BEA industry
    sens = pd.read_csv(out / "leakage_sensitivity.csv")
    assert {"rank_sdp", "rank_slq", "rank_cilq", "rank_flq"} <= set(sens.columns)


def test_leakage_for_some_counties_and_a_year(ws: Workspace, tmp_path: Path) -> None:
    run("import", "io", *write_bea_workbooks(tmp_path / "bea"), "--replace", "-w", ws.root)
    one = compute_workspace_leakage(Workspace.open(ws.root), counties=["06019"], year=2011)
    all8 = compute_workspace_leakage(Workspace.open(ws.root))
    assert one.counties == ["06019"] and one.year == 2011 and all8.year == 2021
    assert (one.result.by_commodity["demand_usd"].sum()
            < all8.result.by_commodity["demand_usd"].sum())
    result = run("leakage", "-w", ws.root, "--counties", "06019,06031", "--out", tmp_path / "o")
    assert result.exit_code == 0 and (tmp_path / "o" / "leakage_targets.csv").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--counties", "6019"), "5-digit GEOIDs"),
        (("--counties", "06019,06001"), "no 2021 rows for the counties 06001"),
        (("--counties", "06001"), "no employment data for the counties 06001"),
        (("--year", "1999"), "no year 1999"),
    ],
)
def test_leakage_refusals_are_one_clear_message(ws: Workspace, tmp_path: Path,
                                                args: tuple[str, ...], message: str) -> None:
    run("import", "io", *write_bea_workbooks(tmp_path / "bea"), "--replace", "-w", ws.root)
    result = CliRunner().invoke(cli, ["leakage", "-w", str(ws.root), *args])
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_leakage_without_tables_says_how_to_get_them(ws: Workspace) -> None:
    for path in io_store_paths(ws):  # the bundled tables removed
        path.unlink(missing_ok=True)
    result = CliRunner().invoke(cli, ["leakage", "-w", str(ws.root)])
    assert result.exit_code == 1
    assert "valleymaps fetch bea" in result.output and "Traceback" not in result.output


def test_hostile_names_stay_text_in_the_csv(ws: Workspace, tmp_path: Path) -> None:
    run("import", "io", *write_bea_workbooks(tmp_path / "bea"), "--replace", "-w", ws.root)
    clusters = ws.clusters_path.read_text().replace('name = "Agriculture"', 'name = "=HYPERLINK(1)"')
    ws.clusters_path.write_text(clusters)
    assert run("leakage", "-w", ws.root).exit_code == 0
    text = (ws.root / "outputs" / "leakage" / "leakage_by_cluster.csv").read_text()
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def _save(ws: Workspace, name: str, fmt: str, rows: list[tuple[str, str, float]]) -> None:
    from valleymaps.employment import EmploymentDataset
    from valleymaps.io.employment.store import save_dataset

    table = pd.DataFrame([{"geoid": g, "naics": n, "year": 2021, "employment": v, "flag": ""}
                          for g, n, v in rows])
    save_dataset(ws, EmploymentDataset(name, table, f"test {fmt}", fmt))


def test_national_rows_and_farms_estimated_from_another_source(ws: Workspace,
                                                               tmp_path: Path) -> None:
    run("import", "io", *write_bea_workbooks(tmp_path / "bea"), "--replace", "-w", ws.root)
    # County Business Patterns: no farms (its NAICS 11 is forestry, fishing, support: 113-115)
    _save(ws, "cbp_2021", "cbp", [
        ("06019", "TOTAL", 1000.0), ("06019", "11", 100.0), ("06019", "311", 500.0),
        ("06019", "5411", 50.0),
        ("00", "TOTAL", 100000.0), ("00", "11", 10000.0), ("00", "311", 50000.0),
        ("00", "5411", 20000.0),
    ])
    # LODES WAC: sector 11 with farms
    _save(ws, "wac_2021", "lodes-wac", [
        ("06019", "TOTAL", 1000.0), ("06019", "11", 400.0), ("06019", "31-33", 500.0),
        ("00", "TOTAL", 100000.0), ("00", "11", 30000.0), ("00", "31-33", 50000.0),
    ])
    res = compute_workspace_leakage(Workspace.open(ws.root), counties=["06019"])
    assert res.dataset == "cbp_2021" and res.national_source == "national rows"
    assert res.result.farm_coverage == "estimated"
    assert any("wac_2021" in n and "cbp_2021" in n for n in res.result.notes)
    farm = res.result.industries.set_index("industry").loc["1111A0"]
    assert (farm["jobs"], farm["national_jobs"]) == (300.0, 20000.0)  # 400 - 100; 30000 - 10000
    assert "F" in farm["flags"]

    (ws.employment_dir / "wac_2021.csv").unlink()
    (ws.employment_dir / "wac_2021.meta.json").unlink()
    left = compute_workspace_leakage(Workspace.open(ws.root), counties=["06019"])
    assert left.result.farm_coverage == "left out"
    assert "F" in left.result.by_commodity.set_index("commodity").loc["1111A0", "flags"]


def test_dollars_of_another_year_by_a_stated_index(ws: Workspace, tmp_path: Path) -> None:
    run("import", "io", *write_bea_workbooks(tmp_path / "bea"), "--replace", "-w", ws.root)
    assert run("leakage", "-w", ws.root, "--out", tmp_path / "a").exit_code == 0
    result = run("leakage", "-w", ws.root, "--out", tmp_path / "b", "--dollars-year", "2021",
                 "--price-index", "1.2", "--index-name", "GDP price index")
    assert result.exit_code == 0, result.output
    a = pd.read_csv(tmp_path / "a" / "leakage_targets.csv")
    b = pd.read_csv(tmp_path / "b" / "leakage_targets.csv")
    assert (b["dollars_year"] == 2021).all()
    assert b["market_support_usd"].sum() == pytest.approx(a["market_support_usd"].sum() * 1.2,
                                                         abs=len(a))
    notes = json.loads((tmp_path / "b" / "leakage_run.json").read_text())["notes"]
    assert any("GDP price index" in n and "2021 dollars" in n for n in notes)
    bad = CliRunner().invoke(cli, ["leakage", "-w", str(ws.root), "--dollars-year", "2021"])
    assert bad.exit_code == 2 and "go together" in bad.output


def test_sector_only_employment_is_said(ws: Workspace, tmp_path: Path) -> None:
    run("import", "io", *write_bea_workbooks(tmp_path / "bea"), "--replace", "-w", ws.root)
    _save(ws, "wac_2021", "lodes-wac", [
        ("06019", "TOTAL", 1000.0), ("06019", "11", 400.0), ("06019", "31-33", 500.0),
        ("06", "TOTAL", 100000.0), ("06", "11", 30000.0), ("06", "31-33", 50000.0),
    ])
    res = compute_workspace_leakage(Workspace.open(ws.root), counties=["06019"])
    assert res.dataset == "wac_2021"
    assert any("only NAICS sectors" in n for n in res.result.notes)
    assert res.result.farm_coverage == "included"  # LODES sector 11 holds farms
