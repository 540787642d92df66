"""Project inventories written in code: square counties and agency files in every format."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from valleymaps.projects.schema import conform_projects

#: Two square "counties" side by side (Fresno west, Kings east), longitude/latitude.
WEST = shapely.box(-120.5, 36.0, -119.5, 37.0)
EAST = shapely.box(-119.5, 36.0, -118.5, 37.0)

#: Points inside each square.
IN_WEST = (-120.0, 36.5)
IN_EAST = (-119.0, 36.5)

#: Real places of the San Joaquin Valley (longitude, latitude), for workspaces with real counties.
FRESNO = (-119.7871, 36.7378)
BAKERSFIELD = (-119.0187, 35.3733)
MODESTO = (-120.9969, 37.6391)
VISALIA = (-119.2921, 36.3302)
SAN_FRANCISCO = (-122.4194, 37.7749)

HEADER = ["Project ID", "Project Name", "Agency", "County", "Type", "Total Cost", "Start", "Completion",
          "Status", "Fund Source", "Description", "Latitude", "Longitude"]  # fmt: skip


def square_counties() -> gpd.GeoDataFrame:
    """The two squares as counties: ``geoid``, ``name``, polygons (EPSG:4326)."""
    return gpd.GeoDataFrame(
        {"geoid": ["06019", "06031"], "name": ["Fresno", "Kings"]}, geometry=[WEST, EAST], crs="EPSG:4326"
    )


def row(
    pid: str,
    name: str = "Project",
    *,
    agency: str = "Fresno COG",
    county: str = "",
    kind: str = "Road",
    cost: str = "$1.2M",
    start: str = "2024",
    end: str = "2027",
    status: str = "Programmed",
    fund: str = "STIP",
    desc: str = "",
    at: tuple[float, float] | None = IN_WEST,
    lat: str | None = None,
    lon: str | None = None,
) -> list[str]:
    """One row of :data:`HEADER`; ``at`` is (longitude, latitude) unless lat/lon text is given."""
    lat_text = lat if lat is not None else ("" if at is None else str(at[1]))
    lon_text = lon if lon is not None else ("" if at is None else str(at[0]))
    return [pid, name, agency, county, kind, cost, start, end, status, fund, desc, lat_text, lon_text]


def write_csv(path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, **kw: Any) -> Path:
    """A CSV as agencies export it."""
    with path.open("w", newline="", encoding=kw.get("encoding", "utf-8")) as fh:
        writer = csv.writer(fh, delimiter=kw.get("delimiter", ","))
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    *,
    sheet: str = "Projects",
    title_rows: Sequence[str] = (),
    extra_sheets: Sequence[str] = (),
) -> Path:
    """An Excel workbook with an optional title above the header and other sheets."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for title in title_rows:
        ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    for name in extra_sheets:
        other = wb.create_sheet(name)
        other.append(["Notes"])
        other.append(["See the Projects sheet"])
    wb.save(path)
    return path


def projects_gdf(
    rows: Sequence[dict[str, Any]], geometries: Sequence[Any], crs: str = "EPSG:4326"
) -> gpd.GeoDataFrame:
    """A GIS layer of projects (any columns)."""
    return gpd.GeoDataFrame(list(rows), geometry=list(geometries), crs=crs)


def write_zipped_shapefile(gdf: gpd.GeoDataFrame, folder: Path, name: str = "projects") -> Path:
    """A shapefile zipped in a sub-folder, as agencies send them."""
    shp_dir = folder / f"{name}_shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / f"{name}.shp")
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(shp_dir.iterdir()):
            z.write(f, f"{name}/{f.name}")
    return archive


def inventory(n: int = 3, *, agency: str = "Fresno COG", name: str = "Road") -> gpd.GeoDataFrame:
    """A small inventory with every kind of geometry and missing values."""
    geoms = [
        shapely.Point(FRESNO),
        shapely.LineString([FRESNO, VISALIA]),
        shapely.Polygon([(-119.3, 36.3), (-119.2, 36.3), (-119.2, 36.4), (-119.3, 36.3)]),
    ]
    return conform_projects(
        gpd.GeoDataFrame(
            {
                "agency": [agency] * n,
                "project_id": [f"P{i}" for i in range(n)],
                "name": [f"{name} {i}" for i in range(n)],
                "county": ["Fresno"] * n,
                "county_geoid": ["06019"] * n,
                "category": ["transportation", "rail", "water"][:n],
                "cost_usd": [1.2e6, float("nan"), 3.5e5][:n],
                "start_year": pd.array([2024, None, 2026][:n], dtype="Int64"),
                "end_year": pd.array([2027, 2030, None][:n], dtype="Int64"),
                "status": ["programmed", "planned", "complete"][:n],
                "funding_source": ["STIP", "", "Measure C"][:n],
                "description": ['Widen, 4 lanes "quoted"', "", "Ünïcode & <b>"][:n],
                "source": ["p.csv"] * n,
                "source_row": pd.array([1, 2, 3][:n], dtype="Int64"),
                "imported_at": ["2025-01-01T00:00:00Z"] * n,
            },
            geometry=geoms[:n],
            crs="EPSG:4326",
        )
    )
