"""``valleymaps import projects`` and ``valleymaps projects ...`` as a COG analyst uses them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
from click.testing import CliRunner, Result

from lodes_files import write_acs_county_flows
from project_files import BAKERSFIELD, FRESNO, MODESTO, SAN_FRANCISCO, VISALIA, row, write_csv, write_xlsx
from valleymaps.cli import cli
from valleymaps.workspace import init_workspace


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _workspace(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "valley").root


def test_import_lists_problem_rows_and_stores_the_good_ones(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    rows = [
        row("F-1", "Blackstone widening", at=FRESNO, cost="$12.5M"),
        row("F-2", "Bakersfield bridge", at=BAKERSFIELD, cost="$350K", status="Construction"),
        row("F-3", "Bay Bridge", at=SAN_FRANCISCO),
        row("F-4", "Wrong way round", lat=str(FRESNO[0]), lon=str(FRESNO[1])),
        row("F-5", "Someday", at=VISALIA, start="someday"),
    ]
    src = write_xlsx(tmp_path / "FTIP 2025.xlsx", rows)
    result = run("import", "projects", src, "-w", ws)
    assert result.exit_code == 0, result.output
    assert "Read 5 rows from FTIP 2025.xlsx: kept 2, rejected 3." in result.output
    assert "outside the region: 1" in result.output
    assert "latitude and longitude swapped: 1" in result.output
    assert "row 3 (Excel row 4): point at (-122.419, 37.7749) is" in result.output
    assert "row 5 (Excel row 6): start year: year 'someday' is not a year" in result.output
    report = ws / "outputs" / "reports" / "projects-ftip-2025-problems.csv"
    assert f"Report: {report}" in result.output
    assert "Stored in " in result.output and "2 new projects, 0 replaced, 2 projects in all." in result.output
    assert len(pd.read_csv(report, encoding="utf-8-sig")) == 3

    again = run("import", "projects", src, "-w", ws)
    assert "0 new projects, 2 replaced, 2 projects in all." in again.output


def test_strict_import_stores_nothing_when_a_row_is_bad(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    src = write_csv(tmp_path / "rtp.csv", [row("1", at=FRESNO), row("2", at=SAN_FRANCISCO)])
    result = run("import", "projects", src, "--strict", "-w", ws)
    assert result.exit_code == 1
    assert "rtp.csv: 1 problem found" in result.output
    assert "Nothing was stored (--strict)" in result.output
    assert "Traceback" not in result.output
    assert not (ws / "data" / "geo" / "projects.gpkg").exists()


def test_a_file_without_needed_columns_gets_one_clear_message(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    src = tmp_path / "list.csv"
    src.write_text("Title,Where\nRoad,Fresno\n", encoding="utf-8")
    result = run("import", "projects", src, "-w", ws)
    assert result.exit_code == 1
    assert "list.csv: 4 problems found" in result.output
    assert "--agency" in result.output and "Traceback" not in result.output


def test_mapping_agency_and_summary_export_near_map_log(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    header = ["CTIPS", "Title", "Phase", "Cost ($1,000s)", "WKT"]
    road = f"LINESTRING ({FRESNO[0]} {FRESNO[1]}, {VISALIA[0]} {VISALIA[1]})"
    rows = [
        ["K1", "Route 99 widening", "FTIP", "12,000", road],
        ["K2", "Modesto well", "RTP", "350", f"POINT ({MODESTO[0]} {MODESTO[1]})"],
    ]
    src = write_csv(tmp_path / "kcag.csv", rows, header=header)
    mapping = tmp_path / "kcag.toml"
    mapping.write_text(
        '[source]\ncost_multiplier = 1000\n[columns]\nproject_id = "CTIPS"\nname = "Title"\n'
        'status = "Phase"\ncost = "Cost ($1,000s)"\n[statuses]\nFTIP = "programmed"\nRTP = "planned"\n'
        '[defaults]\ncategory = "transportation"\n',
        encoding="utf-8",
    )
    result = run("import", "projects", src, "--mapping", mapping, "--agency", "KCAG", "-w", ws)
    assert result.exit_code == 0, result.output
    assert "kept 2, rejected 0" in result.output

    summary = run("projects", "summary", "-w", ws, "--out", tmp_path / "by_county.csv")
    assert summary.exit_code == 0, summary.output
    assert "2 projects by county; jobs: synthetic sample" in summary.output
    lines = {line.split("  ")[1].strip(): line for line in summary.output.splitlines() if "County" in line}
    assert "$350K" in lines["Stanislaus County"]
    table = pd.read_csv(tmp_path / "by_county.csv", dtype={"geoid": str})
    assert table["cost_usd"].sum() == 12_350_000.0  # the road's cost is shared by Fresno and Tulare

    exported = run("projects", "export", tmp_path / "all.gpkg", "--status", "programmed", "-w", ws)
    assert exported.exit_code == 0 and "Wrote 1 project" in exported.output

    near = run("projects", "near", "--lon", MODESTO[0], "--lat", MODESTO[1], "--within", "2km", "-w", ws)
    assert near.exit_code == 0, near.output
    assert "1 project within 2km" in near.output and "Modesto well" in near.output
    bad = run("projects", "near", "--lon", 0, "--lat", 0, "--within", "5", "-w", ws)
    assert bad.exit_code == 2 and "5km, 800m or 3mi" in bad.output

    page = tmp_path / "projects.html"
    mapped = run("projects", "map", page, "-w", ws)
    assert mapped.exit_code == 0 and page.stat().st_size > 10_000
    assert run("projects", "map", page, "-w", ws).exit_code == 1  # no --overwrite

    log = run("projects", "log", "-w", ws)
    assert "1 import" in log.output and "kcag.csv: 2 read, 2 kept, 0 rejected; 2 new" in log.output


def test_a_bad_mapping_file_is_a_clean_error(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    src = write_csv(tmp_path / "p.csv", [row("1", at=FRESNO)])
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\nproject = "ID"\n', encoding="utf-8")
    result = run("import", "projects", src, "--mapping", mapping, "-w", ws)
    assert result.exit_code == 1
    assert "'project' is not a field" in result.output and "Traceback" not in result.output


def test_summary_per_resident_worker_from_the_commuting_flows(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    src = write_csv(tmp_path / "p.csv", [row("1", "Fresno road", at=FRESNO, cost="$12M")])
    assert run("import", "projects", src, "-w", ws).exit_code == 0
    flows = write_acs_county_flows(
        tmp_path / "acs_county_flows_2016_2020_us.csv",
        [("06019", "06019", 300_000, 2800), ("06019", "06037", 100_000, 900), ("06029", "06029", 5, 4)],
    )
    assert run("import", "flows", flows, "--format", "acs-county", "-w", ws).exit_code == 0

    summary = run("projects", "summary", "-w", ws, "--out", tmp_path / "by_county.gpkg")
    assert summary.exit_code == 0, summary.output
    assert "Resident workers: ACS 2016–2020 5-year county-to-county commuting flows" in summary.output
    assert "per worker" in summary.output
    fresno = next(line for line in summary.output.splitlines() if "Fresno County" in line)
    assert "$30" in fresno.split()  # $12M for 400,000 employed residents
    table = pyogrio.read_dataframe(tmp_path / "by_county.gpkg", layer="investment").set_index("geoid")
    assert table.loc["06019", "cost_per_worker"] == 30.0
    assert table.loc["06019", "workers_source"].startswith("ACS 2016–2020")


def test_projects_map_follows_the_atlas_language_and_lang(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    config = ws / "valleymaps.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('lang = "en"', 'lang = "es"'), encoding="utf-8")
    src = write_csv(tmp_path / "ftip.csv", [row("W1", "Basin", kind="Water", at=VISALIA)])
    assert run("import", "projects", src, "-w", ws).exit_code == 0
    page = tmp_path / "es.html"
    done = run("projects", "map", page, "-w", ws)  # [atlas] lang = "es"
    assert done.exit_code == 0, done.output
    html = page.read_text(encoding="utf-8")
    assert '<html lang="es">' in html and "Proyectos de infraestructura" in html and "Inventario: " in html
    done = run("projects", "map", tmp_path / "en.html", "-w", ws, "--lang", "en")  # --lang wins
    assert done.exit_code == 0, done.output
    html = (tmp_path / "en.html").read_text(encoding="utf-8")
    assert "Infrastructure projects" in html and "Proyectos de infraestructura" not in html
    bad = run("projects", "map", tmp_path / "fr.html", "-w", ws, "--lang", "fr")
    assert bad.exit_code == 1 and "no atlas language 'fr'" in bad.output and "Traceback" not in bad.output
    assert not (tmp_path / "fr.html").exists()
