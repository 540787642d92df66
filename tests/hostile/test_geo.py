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


# ---------------------------------------------------------------------------------------------
# non-finite numbers: refused per row with the file, row, column, value and fix

NON_FINITE = ["inf", "Infinity", "-inf", "1e400", "nan"]

_CBP_HEADER = '"fipstate","fipscty","naics","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est"'


def _cbp(folder: Path, value: str) -> Path:
    path = folder / "cbp21co.txt"
    path.write_text(
        f'{_CBP_HEADER}\n"06","019","------","G",250000,"G",1,"G",1,20000\n'
        f'"06","019","11----","H",{value},"G",1,"G",1,900\n',
        encoding="utf-8",
    )
    return path


def _area_file(folder: Path, value: str, kind: str, column: str) -> Path:
    import gzip

    from lodes_files import area_file_bytes

    lines = gzip.decompress(
        area_file_bytes(kind, {"060190001001000": {"CNS01": 5}, "060190001001001": {"CNS05": 3}})
    ).decode().splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index(column)] = value
    lines[2] = ",".join(cells)
    path = folder / f"ca_{kind}_S000_JT00_2021.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("ascii")))
    return path


def _plain(folder: Path, value: str) -> Path:
    path = folder / "jobs.csv"
    text = f"geoid,naics,year,employment\n06019,11,2021,{value}\n06019,31-33,2021,5\n"
    path.write_text(text, encoding="utf-8")
    return path


EMPLOYMENT = {
    "cbp": (lambda d, v: _cbp(d, v), "emp", "row 2"),
    "lodes-wac": (lambda d, v: _area_file(d, v, "wac", "CNS05"), "cns05", "row 2"),
    "csv": (lambda d, v: _plain(d, v), "employment", "row 1"),
}


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("fmt", sorted(EMPLOYMENT))
def test_non_finite_employment_is_refused(
    built_workspace: Path, tmp_path: Path, fmt: str, value: str
) -> None:
    make, column, row = EMPLOYMENT[fmt]
    path = make(tmp_path, value)
    expect_refusal(
        built_workspace,
        ["import", "employment", str(path), "--format", fmt, "--year", "2021"],
        path.name, row, f"column '{column}'", "number",
    )


def _od(folder: Path, value: str) -> Path:
    from lodes_files import od_row, write_od

    rows = [
        od_row("060190001001000", "060310001001000", 10),
        f"060190001001001,060190001001000,{value},0,5,0,5,0,0,0,0,5,20230321",
    ]
    return write_od(folder / "ca_od_main_JT00_2021.csv.gz", rows)


def _acs(folder: Path, value: str, column: str) -> Path:
    path = folder / "acs_county_flows_2016_2020_us.csv"
    flow, moe = (value, "40") if column == "flow" else ("500", value)
    path.write_text(
        "h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe\n"
        f"06,019,006,019,1000,90\n06,019,006,031,{flow},{moe}\n",
        encoding="utf-8",
    )
    return path


FLOWS = {
    "lodes-od": (_od, "s000", "whole number"),
    "lodes-rac": (lambda d, v: _area_file(d, v, "rac", "C000"), "c000", "whole number"),
    "lodes-wac": (lambda d, v: _area_file(d, v, "wac", "CA01"), "ca01", "whole number"),
    "acs-county-flow": (lambda d, v: _acs(d, v, "flow"), "flow", "as published"),
    "acs-county-moe": (lambda d, v: _acs(d, v, "moe"), "moe", "as published"),
}


@pytest.mark.parametrize("value", ["inf", "1e400", "-inf"])
@pytest.mark.parametrize("reader", sorted(FLOWS))
def test_non_finite_flows_are_refused(
    built_workspace: Path, tmp_path: Path, reader: str, value: str
) -> None:
    make, column, fix = FLOWS[reader]
    path = make(tmp_path, value)
    fmt = "acs-county" if reader.startswith("acs") else reader
    expect_refusal(
        built_workspace,
        ["import", "flows", str(path), "--format", fmt, "--year", "2021"],
        path.name, "row 2", f"column '{column}'", fix,
    )


@pytest.mark.parametrize("value", [*NON_FINITE, "1e309", "$inf"])
def test_non_finite_project_cost_goes_to_the_row_report(
    built_workspace: Path, tmp_path: Path, value: str
) -> None:
    from project_files import FRESNO, row, write_csv

    path = write_csv(tmp_path / "projects.csv", [row("1", cost=value, at=FRESNO), row("2", at=FRESNO)])
    args = ["import", "projects", str(path)]
    outcome = expect_success(built_workspace, args, "kept 1, rejected 1", "row 1", "not a finite amount")
    assert value.lower().lstrip("$") in outcome.output.lower()
    reports = list((built_workspace / "outputs" / "reports").glob("*.csv"))
    assert reports and "not a finite amount" in reports[0].read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# project coordinates


def test_projects_with_every_row_swapped_say_so_once(built_workspace: Path, tmp_path: Path) -> None:
    from project_files import BAKERSFIELD, FRESNO, VISALIA, row, write_csv

    rows = [row(str(i), lat=str(x), lon=str(y)) for i, (x, y) in enumerate([FRESNO, BAKERSFIELD, VISALIA])]
    path = write_csv(tmp_path / "swapped.csv", rows)
    expect_refusal(  # every row rejected: nothing stored, one message (tests/hostile/test_rest.py)
        built_workspace, ["import", "projects", str(path), "--report", str(tmp_path / "report.csv")],
        "all 3 rows were rejected", "row 1", "all 3 rows look like latitude and longitude swapped",
        "'latitude'",
    )


def test_a_project_just_outside_the_region_is_counted_in_the_nearest_county(
    built_workspace: Path, tmp_path: Path
) -> None:
    from project_files import FRESNO, row, write_csv

    # 500 m west of the region's westernmost vertex: kept (1 km tolerance), in no region county
    region = gpd.read_file(built_workspace / "data" / "geo" / "ca_counties.geojson")
    region = region[region["in_region"]].to_crs("EPSG:3310").union_all()
    coords = shapely.get_coordinates(region)
    x, y = coords[coords[:, 0].argmin()]
    lonlat = gpd.GeoSeries([shapely.Point(x - 500, y)], crs="EPSG:3310").to_crs("EPSG:4326").iloc[0]
    path = write_csv(tmp_path / "p.csv", [row("1", at=FRESNO, cost="$2M"), row("2", at=(lonlat.x, lonlat.y))])
    expect_success(built_workspace, ["import", "projects", str(path)], "kept 2", "row 2", "the nearest")
    out = tmp_path / "summary.csv"
    expect_success(built_workspace, ["projects", "summary", "--out", str(out)], "2 projects by county")
    import pandas as pd

    table = pd.read_csv(out)
    assert table["n_projects"].sum() == 2 and table["cost_usd"].sum() == pytest.approx(3.2e6)
