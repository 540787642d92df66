"""Tables that carry geometry are also written as GeoParquet (geometry and CRS kept)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyarrow.parquet as pq

from project_files import IN_WEST, inventory, row, square_counties, write_csv
from valleymaps.projects.export import export_projects, export_summary
from valleymaps.projects.read import read_csv_table
from valleymaps.projects.summary import summarize_investment
from valleymaps.projects.validate import validate_projects


def test_projects_export_as_geoparquet_keeps_every_geometry_kind_and_the_crs(tmp_path: Path) -> None:
    original = inventory()
    out = export_projects(original, tmp_path / "inventory.parquet")
    assert b"geo" in pq.read_schema(out).metadata  # GeoParquet metadata, not a plain Parquet table
    back = gpd.read_parquet(out)
    assert back.crs.to_epsg() == 4326
    assert back["name"].tolist() == original["name"].tolist()
    assert back.geometry.geom_type.tolist() == ["Point", "LineString", "Polygon"]


def test_summary_as_geoparquet_carries_the_places_polygons(tmp_path: Path) -> None:
    counties = square_counties()
    projects = validate_projects(
        read_csv_table(write_csv(tmp_path / "p.csv", [row("A1", at=IN_WEST)])), counties=counties
    ).projects
    summary = summarize_investment(projects, counties)
    back = gpd.read_parquet(export_summary(summary, tmp_path / "inv.parquet", places=counties))
    assert back["geoid"].tolist() == ["06019", "06031"]
    assert back["cost_usd"].tolist() == [1_200_000.0, 0.0]
    assert back.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
