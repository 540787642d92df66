"""The problem report lists every bad row with its cells; exports import again unchanged."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from project_files import IN_WEST, inventory, row, write_csv
from valleymaps.errors import OutputExistsError
from valleymaps.projects.export import export_projects, export_summary
from valleymaps.projects.importer import import_projects
from valleymaps.projects.read import read_csv_table
from valleymaps.projects.report import write_problem_report
from valleymaps.projects.store import open_store
from valleymaps.projects.validate import validate_projects
from valleymaps.workspace import Workspace


def test_report_lists_each_bad_row_once_with_all_reasons_and_its_cells(
    tmp_path: Path, counties: gpd.GeoDataFrame
) -> None:
    rows = [
        row("A1", "Good"),
        row("", "Two problems", start="soon"),
        row("A3", '=HYPERLINK("http://x")', kind="Zeppelin port"),
        row("A4", "Far", at=(-100.0, 45.0)),
    ]
    result = validate_projects(read_csv_table(write_csv(tmp_path / "p.csv", rows)), counties=counties)
    report = pd.read_csv(
        write_problem_report(result, tmp_path / "r.csv"),
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    assert report["row"].tolist() == ["2", "3", "4"]
    assert report["action"].tolist() == ["rejected", "kept", "rejected"]
    assert report["reasons"].tolist() == ["missing_id; bad_year", "unknown_category", "outside_region"]
    assert report["where"].tolist() == ["row 2 (line 3)", "row 3 (line 4)", "row 4 (line 5)"]
    assert report["Project Name"].tolist() == ["Two problems", '\'=HYPERLINK("http://x")', "Far"]
    assert report.loc[0, "Start"] == "soon"
    assert "no project id" in report.loc[0, "problems"] and "soon" in report.loc[0, "problems"]


def test_a_clean_file_still_gets_a_report(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    result = validate_projects(read_csv_table(write_csv(tmp_path / "p.csv", [row("A1")])), counties=counties)
    text = write_problem_report(result, tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("row,where,action,reasons,problems,Project ID")
    assert len(text.splitlines()) == 1


def test_csv_export_imports_again_unchanged(ws: Workspace, tmp_path: Path) -> None:
    original = inventory()
    out = export_projects(original, tmp_path / "inventory.csv")
    import_projects(out, ws=ws)
    back = open_store(ws).load()
    cols = [c for c in original.columns if c not in ("source", "source_row", "imported_at")]
    pd.testing.assert_frame_equal(back[cols], original[cols])
    with pytest.raises(OutputExistsError, match="--overwrite"):
        export_projects(original, out)


def test_geopackage_and_geojson_exports(tmp_path: Path) -> None:
    original = inventory()
    for name in ("inventory.gpkg", "inventory.geojson"):
        back = gpd.read_file(export_projects(original, tmp_path / name), layer="projects")
        assert back["name"].tolist() == original["name"].tolist()
        assert back.geometry.geom_type.tolist() == ["Point", "LineString", "Polygon"]


def test_summary_export_with_polygons(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    from valleymaps.projects.summary import summarize_investment

    projects = validate_projects(
        read_csv_table(write_csv(tmp_path / "p.csv", [row("A1", at=IN_WEST)])), counties=counties
    ).projects
    summary = summarize_investment(projects, counties)
    layer = gpd.read_file(export_summary(summary, tmp_path / "inv.gpkg", places=counties), layer="investment")
    assert layer["cost_usd"].tolist() == [1_200_000.0, 0.0]
    assert layer.geometry.notna().all()
    table = pd.read_csv(export_summary(summary, tmp_path / "inv.csv"), dtype={"geoid": str})
    assert table["geoid"].tolist() == ["06019", "06031"]
