"""``--json``: one JSON document on standard output that a script can parse; messages on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli_logging import restore_cli_logging  # noqa: F401
from fetch_server import PROXY_VARIABLES, FileServer, census_site, make_workspace, source_env
from project_files import BAKERSFIELD, FRESNO, row, write_csv
from suitability_files import write_profile, write_workspace
from valleymaps.cli import cli
from valleymaps.workspace import init_workspace


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_projects_summary_json_is_the_table(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "valley").root
    src = write_csv(tmp_path / "p.csv", [row("F-1", at=FRESNO, cost="$12.5M"), row("K-1", at=BAKERSFIELD)])
    assert run("import", "projects", src, "-w", ws).exit_code == 0
    result = run("projects", "summary", "--json", "--out", tmp_path / "by_county.parquet", "-w", ws)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # nothing else on stdout
    assert doc["ok"] is True and doc["command"] == "projects summary" and doc["level"] == "county"
    assert doc["n_projects"] == 2
    fresno = next(p for p in doc["places"] if p["geoid"] == "06019")
    assert fresno["name"] == "Fresno County" and fresno["cost_usd"] == 12_500_000
    assert doc["written"] == str(tmp_path / "by_county.parquet")
    assert "Fresno County" in result.stderr  # the human table went to stderr


def test_suitability_list_json(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws")
    (ws.econ_dir / "suitability").mkdir()
    write_profile(ws.econ_dir / "suitability" / "test-plants.toml")
    result = run("suitability", "--list", "--json", "-w", ws.root)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    keys = [p["key"] for p in doc["profiles"]]
    assert "test-plants" in keys
    assert all(isinstance(p["missing_layers"], dict) for p in doc["profiles"])
    assert doc["targets"] and {"target", "profile"} <= set(doc["targets"][0])


def test_fetch_json_lists_downloads_and_imports_then_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    ws = make_workspace(tmp_path / "ws")
    with FileServer(census_site(2021)) as srv:
        for key, value in source_env(srv).items():
            monkeypatch.setenv(key, value)
        cache = tmp_path / "cache"
        args = ["fetch", "tracts", "--year", "2021", "--json", "--cache-dir", cache, "-w", ws.root]
        first, second = run(*args), run(*args)
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert doc["ok"] is True and doc["command"] == "fetch tracts"
    (download,) = doc["downloads"]
    assert download["file"] == "cb_2021_06_tract_500k.zip" and download["from_cache"] is False
    assert len(download["sha256"]) == 64
    assert doc["imported"][0]["kind"] == "tracts" and doc["imported"][0]["n_kept"] == 3
    assert "Imported 3 of 4 tracts" in first.stderr
    assert json.loads(second.stdout)["downloads"][0]["from_cache"] is True


def test_a_failing_command_prints_no_json(tmp_path: Path) -> None:
    result = run("projects", "summary", "--by", "tract", "--json", "-w", init_workspace(tmp_path / "v").root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "import tracts" in result.stderr
