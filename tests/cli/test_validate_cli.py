"""``valleymaps validate``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from valleymaps.cli import cli


def test_clean_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("geoid,naics,year,employment,flag\n06019,11,2021,5,\n06031,11,2021,,D\n")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{path}: no problems found"


def test_problems_are_listed_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("geoid,naics,year,employment\n6019,11,2021,5\n06019,xx,2021,3\n")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "csv"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}: 2 problems found"
    assert lines[1].startswith("  - row 1, column 'geoid': '6019' has 4 digits")
    assert lines[2].startswith("  - row 2, column 'naics': 'xx' is not a NAICS code")


def test_tract_file_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "t.topo.json"
    path.write_text(
        '{"type":"Topology","arcs":[[[-119.8,36.7],[-119.7,36.7],[-119.7,36.8],[-119.8,36.7]]],'
        '"objects":{"tracts":{"type":"GeometryCollection","geometries":'
        '[{"type":"Polygon","arcs":[[0]],"id":"06019000501"}]}}}'
    )
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1 and "--assume-crs EPSG:4326" in result.stdout
    result = CliRunner().invoke(cli, ["validate", str(path), "--assume-crs", "EPSG:4326"])
    assert result.exit_code == 0, result.output


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
