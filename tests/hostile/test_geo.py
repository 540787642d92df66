"""Hostile inputs that gave silent wrong results (issue 10): misplaced geometry, non-finite numbers.

Every case builds its input in code and runs the real command through the harness: a refusal has a
non-zero exit, one message naming the file, the feature or row, the column and the fix, no
traceback, and leaves the workspace byte-identical.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from hostile_harness import expect_refusal, expect_success
from workspace_files import county_anchor

# ---------------------------------------------------------------------------------------------
# tract geometry


def _tracts() -> gpd.GeoDataFrame:
    """Four small square tracts inside their counties (two in Fresno, two in Kings), degrees."""
    rows, geoms = [], []
    for county in ("06019", "06031"):
        x, y = county_anchor(county)
        for t in range(2):
            rows.append(f"{county}{(t + 1) * 100:06d}")
            geoms.append(box(x + t * 0.02, y, x + (t + 1) * 0.02, y + 0.02))
    return gpd.GeoDataFrame({"GEOID": rows}, geometry=geoms, crs="EPSG:4326")


def _swapped(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["geometry"] = shapely.transform(gdf.geometry.to_numpy(), lambda c: c[:, ::-1])
    return out


def _texas(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["geometry"] = gdf.geometry.translate(xoff=22.0, yoff=-6.0)  # Fresno -> around Austin
    return out


def _metres_as_degrees(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs("EPSG:3310").set_crs("EPSG:4326", allow_override=True)


def _degrees_as_metres(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.set_crs("EPSG:3310", allow_override=True)


def _other_county(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    x, y = county_anchor("06029")  # Kern
    out.loc[0, "geometry"] = box(x, y, x + 0.02, y + 0.02)
    return out


DEFECTS = {
    "swapped": (_swapped, ("latitude/longitude swapped", "all 4 of 4 tracts", "feature 1 (06019000100)")),
    "texas": (_texas, ("texas", "outside the county", "feature 1 (06019000100)", "fresno county")),
    "metres": (_metres_as_degrees, ("projected metres", "--assume-crs epsg:3310", "feature 1")),
    "other-county": (_other_county, ("kern county", "not in fresno county", "feature 1 (06019000100)")),
}
FORMATS = {"geojson": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile"}


def _write(gdf: gpd.GeoDataFrame, folder: Path, name: str, ext: str) -> Path:
    path = folder / f"{name}.{ext}"
    gdf.to_file(path, driver=FORMATS[ext], engine="pyogrio")
    return path


@pytest.mark.parametrize("ext", sorted(FORMATS))
@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_misplaced_tracts_are_refused_with_the_cause(
    built_workspace: Path, tmp_path: Path, defect: str, ext: str
) -> None:
    make, keywords = DEFECTS[defect]
    path = _write(make(_tracts()), tmp_path, f"tracts_{defect}", ext)
    expect_refusal(built_workspace, ["import", "tracts", str(path)], path.name, *keywords)


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_validate_names_misplaced_tracts(built_workspace: Path, tmp_path: Path, defect: str) -> None:
    make, keywords = DEFECTS[defect]
    path = _write(make(_tracts()), tmp_path, f"tracts_{defect}", "gpkg")
    expect_refusal(built_workspace, ["validate", str(path)], path.name, *keywords)


def test_degrees_labelled_as_albers_are_refused(built_workspace: Path, tmp_path: Path) -> None:
    path = _write(_degrees_as_metres(_tracts()), tmp_path, "tracts_deg", "gpkg")
    expect_refusal(
        built_workspace, ["import", "tracts", str(path)], path.name, "degrees", "--assume-crs epsg:4326"
    )


def test_metres_labelled_as_degrees_import_with_the_suggested_crs(
    built_workspace: Path, tmp_path: Path
) -> None:
    path = _write(_metres_as_degrees(_tracts()), tmp_path, "tracts_m", "geojson")
    expect_success(built_workspace, ["import", "tracts", str(path), "--assume-crs", "EPSG:3310"], "4 tracts")
    stored = gpd.read_file(built_workspace / "data" / "geo" / "tracts.gpkg", layer="tracts")
    minx, miny, maxx, maxy = stored.total_bounds
    assert -121 < minx < maxx < -119 and 36 < miny < maxy < 37.5
