"""Every source an agency may send: CSV, Excel, GeoJSON, GeoPackage, zipped shapefile."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from project_files import (
    HEADER,
    IN_EAST,
    IN_WEST,
    projects_gdf,
    row,
    write_csv,
    write_xlsx,
    write_zipped_shapefile,
)
from valleymaps.errors import DataSourceError
from valleymaps.projects.mapping import ColumnMapping
from valleymaps.projects.read import read_project_source
from valleymaps.projects.validate import validate_projects

DEFAULTS = ColumnMapping(defaults={"agency": "KCAG", "status": "planned"})


def test_csv_with_semicolons_and_windows_encoding(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    path = write_csv(tmp_path / "p.csv", [row("1", "Café road"), row("2", "Río bridge", at=IN_EAST)],
                     delimiter=";", encoding="cp1252")  # fmt: skip
    raw = read_project_source(path)
    assert raw.kind == "csv"
    assert raw.frame["Project Name"].tolist() == ["Café road", "Río bridge"]
    assert validate_projects(raw, counties=counties).n_kept == 2


def test_blank_lines_are_skipped_but_row_numbers_stay_true(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,name\n1,a\n,\n3,c\n", encoding="utf-8")
    raw = read_project_source(path)
    assert raw.rows == [1, 3]
    assert raw.location(3) == "row 3 (line 4)"


def test_excel_with_a_title_row_and_a_notes_sheet(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    rows = [row("1", "Road", cost="$1.2M"), row("2", "Well", cost=2500000, start=2025, at=IN_EAST)]  # type: ignore[arg-type]
    path = write_xlsx(
        tmp_path / "ftip.xlsx", rows, title_rows=["Fresno COG FTIP 2025"], extra_sheets=["Notes"]
    )
    raw = read_project_source(path)
    assert raw.source == "ftip.xlsx:Projects"
    assert raw.location(1) == "row 1 (Excel row 3)"
    result = validate_projects(raw, counties=counties)
    assert result.projects["cost_usd"].tolist() == [1_200_000.0, 2_500_000.0]


def test_excel_with_several_sheets_asks_which_one(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "rtp.xlsx", [row("1")], sheet="2025", extra_sheets=["2026"])
    with pytest.raises(DataSourceError, match=r"2 sheets \(2025, 2026\).*--layer NAME"):
        read_project_source(path)
    assert read_project_source(path, layer="2025").frame["Project ID"].tolist() == ["1"]
    with pytest.raises(DataSourceError, match="no sheet 'Summary'"):
        read_project_source(path, layer="Summary")


def test_old_excel_files_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataSourceError, match=r"save it as \.xlsx"):
        read_project_source(path)


def test_geojson_with_lines_and_points(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    gdf = projects_gdf(
        [{"id": "1", "name": "Canal", "type": "water"}, {"id": "2", "name": "Station", "type": "rail"}],
        [shapely.LineString([IN_WEST, IN_EAST]), shapely.Point(IN_EAST)],
    )
    path = tmp_path / "p.geojson"
    gdf.to_file(path, driver="GeoJSON")
    result = validate_projects(read_project_source(path), DEFAULTS, counties=counties)
    assert result.projects["category"].tolist() == ["water", "rail"]
    assert result.projects.geometry.geom_type.tolist() == ["LineString", "Point"]


def test_geopackage_layer_named_projects_is_chosen(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    path = tmp_path / "cog.gpkg"
    projects_gdf([{"id": "1", "name": "Road"}], [shapely.Point(IN_WEST)]).to_file(path, layer="projects")
    projects_gdf([{"id": "x"}], [shapely.Point(IN_EAST)]).to_file(path, layer="zones")
    result = validate_projects(read_project_source(path), DEFAULTS, counties=counties)
    assert result.projects["name"].tolist() == ["Road"]


def test_zipped_shapefile_in_a_projection(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    gdf = projects_gdf(
        [{"PROJ_ID": "7", "NAME": "Bridge", "COST": "$350K"}], [shapely.Point(IN_EAST)]
    ).to_crs(3310)
    archive = write_zipped_shapefile(gdf, tmp_path)
    raw = read_project_source(archive)
    assert raw.kind == "vector" and raw.geometry is not None and raw.geometry.crs.to_epsg() == 3310
    p = validate_projects(raw, DEFAULTS, counties=counties).projects.iloc[0]
    assert (p["project_id"], p["cost_usd"], p["county"]) == ("7", 350_000.0, "Kings")


def test_features_without_a_shape_are_reported(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    path = tmp_path / "p.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"id": "1"}, '
        '"geometry": {"type": "Point", "coordinates": [-120, 36.5]}},'
        '{"type": "Feature", "properties": {"id": "2"}, "geometry": null}]}',
        encoding="utf-8",
    )
    result = validate_projects(read_project_source(path), DEFAULTS, counties=counties)
    assert [(p.row, p.reason, p.location) for p in result.problems if p.row] == [
        (2, "missing_geometry", "feature 2")
    ]


def test_unknown_file_types_list_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"CSV \(\.csv\), an Excel workbook \(\.xlsx\)"):
        read_project_source(tmp_path / "p.docx")
    with pytest.raises(DataSourceError, match="does not exist"):
        read_project_source(tmp_path / "missing.csv")


def test_header_only_files_are_refused(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    from valleymaps.errors import ValidationError

    path = write_csv(tmp_path / "p.csv", [], header=HEADER)
    with pytest.raises(ValidationError, match="no data rows"):
        validate_projects(read_project_source(path), counties=counties)
