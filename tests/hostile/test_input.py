"""Hostile inputs of issue 10, part 'input': config mistakes, literal NA text, silent replacement,
bad-row tracebacks, encodings, and the smaller defects (echoed values, .dbf, county files, -w,
relative --out, grid size). Every input is built here in code."""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from hostile_harness import expect_refusal, expect_success, run_cli
from lodes_files import write_acs_county_flows, write_od_flows
from workspace_files import write_square_tracts

REGION = ["06019", "06029", "06031"]
CONFIG = "valleymaps.toml"
PROJECT_HEADER = ["project_id", "name", "agency", "cost", "lon", "lat", "status"]
FRESNO = ("-119.7871", "36.7378")
CONFIG_WARNINGS = pytest.mark.filterwarnings("always::valleymaps.errors.ConfigWarning")


def _edit_config(ws: Path, old: str, new: str) -> None:
    path = ws / CONFIG
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _counties_line(ws: Path) -> str:
    return next(line for line in (ws / CONFIG).read_text(encoding="utf-8").splitlines()
                if line.startswith("counties"))


def _write_projects(path: Path, rows: list[list[str]], *, encoding: str = "utf-8",
                    header: list[str] = PROJECT_HEADER) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _stored_projects(ws: Path) -> list[dict[str, object]]:
    frame = pyogrio.read_dataframe(ws / "data" / "geo" / "projects.gpkg", layer="infrastructure_projects",
                                   read_geometry=False)
    return frame.to_dict("records")  # type: ignore[no-any-return]


# --- 1. config mistakes ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "counties",
    [
        'counties = ["06019", "06029"]',
        'counties = "06019, 06029"',
        "counties = 6019",
        'counties = [{ geoid = "06019" }]',
    ],
    ids=["list", "text", "number", "array-of-tables"],
)
def test_counties_of_the_wrong_type_is_one_clear_error(fresh_workspace: Path, counties: str) -> None:
    _edit_config(fresh_workspace, _counties_line(fresh_workspace), counties)
    expect_refusal(fresh_workspace, ["suitability", "--list"], "valleymaps.toml", "[region] counties",
                   '"06019" = "Fresno"')


@pytest.mark.parametrize(
    ("old", "new", "keywords"),
    [
        ("classes = 5", 'classes = "five"', ["[maps] classes", "2-9"]),
        ('name = "California"', "name = 6", ["[reference] name", "text"]),
        ('[reference]\n# Location quotients and shift-share compare places with this area.\n'
         'geoid = "06"\nname = "California"', "", ["[reference] must be a table"]),
    ],
    ids=["classes-text", "reference-name-number", "section-as-value"],
)
def test_config_values_of_the_wrong_kind_are_refused(fresh_workspace: Path, old: str, new: str,
                                                     keywords: list[str]) -> None:
    _edit_config(fresh_workspace, old, new)
    if not new:  # the section written as a plain value above every header
        _edit_config(fresh_workspace, "[region]", 'reference = "06"\n[region]')
    expect_refusal(fresh_workspace, ["suitability", "--list"], "valleymaps.toml", *keywords)


def test_two_config_problems_are_listed_together(fresh_workspace: Path) -> None:
    _edit_config(fresh_workspace, _counties_line(fresh_workspace), 'counties = ["06019"]')
    _edit_config(fresh_workspace, "classes = 5", "classes = 12")
    expect_refusal(fresh_workspace, ["suitability", "--list"], "2 problems", "counties", "classes")


@CONFIG_WARNINGS
@pytest.mark.parametrize(
    ("old", "new", "keywords"),
    [
        ("scheme =", "shceme =", ["'shceme' in [maps]", "did you mean 'scheme'"]),
        ("[maps]", "[mpas]", ["section [mpas]", "did you mean 'maps'"]),
        ("[region]", "[regoin]", ["section [regoin]", "did you mean 'region'"]),
        ("counties =", "countis =", ["'countis' in [region]", "did you mean 'counties'"]),
        ("[region]", 'sceme = "quantiles"\n[region]', ["'sceme' outside any section", "maps.scheme"]),
        ("[maps]", "[maps]\ncolour = 'red'", ["'colour' in [maps]", "valid: scheme, classes"]),
    ],
    ids=["key-typo", "section-typo", "region-typo", "counties-typo", "key-outside-section", "no-match"],
)
def test_unknown_config_keys_are_warned_with_the_nearest_valid_one(
    fresh_workspace: Path, old: str, new: str, keywords: list[str]
) -> None:
    _edit_config(fresh_workspace, old, new)
    expect_success(fresh_workspace, ["suitability", "--list"], "ignored", *keywords)


@pytest.mark.parametrize(
    "args",
    [
        ["--lon", "500", "--lat", "36.7"],
        ["--lon", "-119.7", "--lat", "100"],
        ["--lon", "-119.7", "--lat", "-91"],
        ["--lon", "nan", "--lat", "36.7"],
        ["--lon", "inf", "--lat", "36.7"],
        ["--lon", "-181", "--lat", "36.7"],
    ],
    ids=["lon-500", "lat-100", "lat-minus-91", "lon-nan", "lon-inf", "lon-minus-181"],
)
def test_projects_near_refuses_coordinates_out_of_range(fresh_workspace: Path, args: list[str]) -> None:
    expect_refusal(fresh_workspace, ["projects", "near", *args], "decimal degrees", "swapped")


@pytest.mark.parametrize(
    ("layer", "keywords"),
    [
        ("rail_line=/no/such/rail.shp", ["rail_line", "did you mean 'rail_lines'", "no such file"]),
        ("groundwater_depth=no_such_depth.tif", ["groundwater_depth", "no such file",
                                                 "no_such_depth.tif"]),
        ("hihgways={existing}", ["hihgways", "did you mean 'highways'"]),
        ("sewer_lines={existing}", ["sewer_lines", "its layers:"]),
    ],
    ids=["name-and-path-typo", "path-typo", "name-typo", "unknown-name"],
)
def test_suitability_layer_typos_are_refused_even_with_allow_missing(
    fresh_workspace: Path, layer: str, keywords: list[str]
) -> None:
    existing = fresh_workspace / "data" / "geo" / "ca_counties.geojson"
    args = ["suitability", "-t", "Paper mills", "--allow-missing", "--no-png",
            "--layer", layer.format(existing=existing)]
    expect_refusal(fresh_workspace, args, "--allow-missing does not cover", *keywords)


def test_suitability_refuses_a_huge_grid_with_its_figures(fresh_workspace: Path) -> None:
    expect_refusal(fresh_workspace, ["suitability", "-t", "Paper mills", "--resolution", "1",
                                     "--allow-missing", "--no-png"],
                   "cells", "GB of memory", "SUITABILITY_MAX_CELLS", "--force", "--resolution 27")


# --- 2. literal NA text ----------------------------------------------------------------------

NA_SPELLINGS = ["NA", "None", "NULL", "nan", "N/A"]


@pytest.mark.parametrize("word", NA_SPELLINGS)
@pytest.mark.parametrize("column", ["project_id", "name", "agency"])
def test_na_words_in_project_text_columns_are_text(fresh_workspace: Path, tmp_path: Path,
                                                   word: str, column: str) -> None:
    values = {"project_id": "P1", "name": "Road", "agency": "Fresno COG", column: word}
    path = _write_projects(tmp_path / "na.csv", [[values["project_id"], values["name"],
                                                  values["agency"], "1000", *FRESNO, "planned"]])
    expect_success(fresh_workspace, ["import", "projects", str(path)], "kept 1, rejected 0")
    (stored,) = _stored_projects(fresh_workspace)
    assert stored[column] == word


@pytest.mark.parametrize("word", NA_SPELLINGS[:4])
def test_na_words_in_an_excel_inventory_are_text(fresh_workspace: Path, tmp_path: Path, word: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(PROJECT_HEADER)
    sheet.append([word, word, "Fresno COG", 1000, float(FRESNO[0]), float(FRESNO[1]), "planned"])
    path = tmp_path / "na.xlsx"
    book.save(path)
    expect_success(fresh_workspace, ["import", "projects", str(path)], "kept 1, rejected 0")
    (stored,) = _stored_projects(fresh_workspace)
    assert (stored["project_id"], stored["name"]) == (word, word)


def test_an_empty_project_id_is_still_missing(fresh_workspace: Path, tmp_path: Path) -> None:
    path = _write_projects(tmp_path / "blank.csv", [["  ", "Road", "Fresno COG", "1000", *FRESNO, "planned"],
                                                    ["P2", "Road", "Fresno COG", "1000", *FRESNO, "planned"]])
    expect_success(fresh_workspace, ["import", "projects", str(path)], "kept 1, rejected 1", "no project id")


# --- 3. silent replacement -------------------------------------------------------------------

def _tracts(tmp_path: Path, name: str, per_county: int) -> Path:
    path = tmp_path / name
    write_square_tracts(path, REGION, per_county=per_county)
    return path


def test_tracts_over_tracts_are_refused_with_the_counts(fresh_workspace: Path, tmp_path: Path) -> None:
    expect_success(fresh_workspace, ["import", "tracts", str(_tracts(tmp_path, "a.geojson", 3))])
    expect_refusal(fresh_workspace, ["import", "tracts", str(_tracts(tmp_path, "b.geojson", 1))],
                   "already holds 9 tracts", "with the 3 tracts", "--replace", "b.geojson")


def test_tracts_replace_when_asked(fresh_workspace: Path, tmp_path: Path) -> None:
    expect_success(fresh_workspace, ["import", "tracts", str(_tracts(tmp_path, "a.geojson", 3))])
    expect_success(fresh_workspace, ["import", "tracts", "--replace", str(_tracts(tmp_path, "b.geojson", 1))],
                   "kept 3")
    assert pyogrio.read_info(fresh_workspace / "data" / "geo" / "tracts.gpkg")["features"] == 3


def test_employment_name_of_the_bundled_synthetic_dataset_is_refused(fresh_workspace: Path,
                                                                     tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("geoid,naics,year,employment\n06019,11,2021,5\n", encoding="utf-8")
    name = "employment_synthetic_county_2011_2021"
    expect_refusal(fresh_workspace, ["import", "employment", str(jobs), "--format", "csv", "--name", name],
                   name, "exists", "rows", "with 1 rows", "--replace", "--name NEW")


def test_employment_imported_again_with_other_rows_is_refused_then_replaced_when_asked(
    fresh_workspace: Path, tmp_path: Path
) -> None:
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("geoid,naics,year,employment\n06019,11,2021,5\n06029,11,2021,7\n", encoding="utf-8")
    args = ["import", "employment", str(jobs), "--format", "csv"]
    expect_success(fresh_workspace, args, "rows: 2")
    expect_success(fresh_workspace, args, "rows: 2")  # the same rows again replace nothing
    jobs.write_text("geoid,naics,year,employment\n06019,11,2021,6\n", encoding="utf-8")
    expect_refusal(fresh_workspace, args, "'jobs' exists", "2 rows", "with 1 rows", "--replace")
    expect_success(fresh_workspace, [*args, "--replace"], "rows: 1")


def test_flows_dataset_imported_again_with_other_pairs_is_refused(fresh_workspace: Path,
                                                                  tmp_path: Path) -> None:
    name = "acs_county_flows_2009_2013_us.csv"
    acs = write_acs_county_flows(tmp_path / name, [("06019", "06019", 1000, 50), ("06019", "06029", 200, 20)])
    # a name of its own: new workspaces already hold the bundled real ACS 2009-2013 extract
    args = ["import", "flows", str(acs), "--format", "acs-county", "--name", "my_acs_flows"]
    expect_success(fresh_workspace, args)
    expect_success(fresh_workspace, args)  # the same pairs again replace nothing
    write_acs_county_flows(tmp_path / name, [("06019", "06019", 1001, 50)])
    expect_refusal(fresh_workspace, args, "flows dataset", "exists", "2 county pairs", "1 county pairs",
                   "--replace")
    expect_success(fresh_workspace, [*args, "--replace"])


def test_tracts_imported_again_unchanged_replace_nothing(fresh_workspace: Path, tmp_path: Path) -> None:
    path = _tracts(tmp_path, "a.geojson", 2)
    expect_success(fresh_workspace, ["import", "tracts", str(path)])
    expect_success(fresh_workspace, ["import", "tracts", str(path)], "kept 6")


def test_flows_name_of_another_dataset_is_refused(fresh_workspace: Path, tmp_path: Path) -> None:
    acs = write_acs_county_flows(tmp_path / "acs_county_flows_2009_2013_us.csv",
                                 [("06019", "06019", 1000, 50)])
    od = write_od_flows(tmp_path / "ca_od_main_JT00_2021.csv.gz", [("06019000100", "06029000100", 5, 1)])
    expect_success(fresh_workspace, ["import", "flows", str(acs), "--format", "acs-county", "--name", "mine"])
    expect_refusal(fresh_workspace, ["import", "flows", str(od), "--format", "lodes-od", "--name", "mine"],
                   "'mine' exists", "--replace")


def test_two_concurrent_tract_imports_do_not_both_win(fresh_workspace: Path, tmp_path: Path) -> None:
    files = [_tracts(tmp_path, "a.geojson", 3), _tracts(tmp_path, "b.geojson", 1)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen([sys.executable, "-m", "valleymaps", "-w", str(fresh_workspace), "import", "tracts",
                          str(f)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        for f in files
    ]
    outcomes = []
    for proc in procs:
        out, _ = proc.communicate(timeout=240)
        outcomes.append((proc.returncode, out))
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 1], outcomes
    refused = next(text for code, text in outcomes if code == 1)
    assert "--replace" in refused and "Traceback" not in refused
    kept = next(text for code, text in outcomes if code == 0)
    n = pyogrio.read_info(fresh_workspace / "data" / "geo" / "tracts.gpkg")["features"]
    assert f"kept {n}" in kept  # the tracts stored are those of the import that said it wrote them


# --- 4. one bad row is a row in the report, not a traceback ------------------------------------

@pytest.mark.parametrize(
    ("cost", "wkt", "keywords"),
    [
        ("1e309", "", ["not a finite amount"]),
        ("9e99999999999", "", ["not a finite amount"]),
        ("$1e308B", "", ["not a finite amount"]),
        ("1000", "POLYGON ((-119.8 36.7, -119.7 36.8, -119.7 36.7, -119.8 36.8, -119.8 36.7))",
         ["Polygon is not valid", "Self-intersection", "Fix geometries"]),
        ("1000", "POLYGON ((-119.8 36.7, -119.7 36.7, -119.7 36.8, -119.6 36.7, -119.8 36.7), "
                 "(-119.75 36.72, -119.5 36.72, -119.5 36.9, -119.75 36.72))",
         ["Polygon is not valid"]),
    ],
    ids=["cost-1e309", "cost-huge-exponent", "cost-scaled-overflow", "bow-tie-polygon", "hole-outside"],
)
def test_one_bad_project_row_goes_to_the_report(fresh_workspace: Path, tmp_path: Path, cost: str, wkt: str,
                                                keywords: list[str]) -> None:
    rows = [["P1", "Bad", "Fresno COG", cost, "" if wkt else FRESNO[0], "" if wkt else FRESNO[1], "planned",
             wkt],
            ["P2", "Good", "Fresno COG", "1000", *FRESNO, "planned", ""]]
    path = _write_projects(tmp_path / "bad.csv", rows, header=[*PROJECT_HEADER, "wkt"])
    expect_success(fresh_workspace, ["import", "projects", str(path)], "kept 1, rejected 1", "row 1",
                   *keywords)


# --- 5. smaller defects --------------------------------------------------------------------------

def test_a_huge_field_is_cut_in_a_refusal(fresh_workspace: Path, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("geoid,naics,year,employment\n06019,11,2021," + "9" * 2_000_000 + "x\n", encoding="utf-8")
    outcome = expect_refusal(fresh_workspace, ["import", "employment", str(jobs), "--format", "csv"],
                             "row 1", "employment", "characters)", max_chars=2000)
    assert outcome.output.count("9" * 81) == 0


def test_a_huge_project_field_is_cut_in_the_row_notes(fresh_workspace: Path, tmp_path: Path) -> None:
    path = _write_projects(tmp_path / "big.csv", [["P1", "Road", "Fresno COG", "x" * 1_000_000, *FRESNO,
                                                   "planned"]])
    # the only row rejected: refused, nothing stored (tests/hostile/test_rest.py); the cell is cut
    args = ["import", "projects", str(path), "--report", str(tmp_path / "report.csv")]
    outcome = expect_refusal(fresh_workspace, args, "the only row was rejected", "characters)")
    assert len(outcome.output) < 5000


def test_a_huge_tract_geoid_is_cut(fresh_workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "tracts.geojson"
    gpd.GeoDataFrame({"GEOID": ["06019000100", "1" * 500_000]},
                     geometry=[shapely.box(-120, 36, -119.9, 36.1)] * 2, crs=4326).to_file(path)
    expect_refusal(fresh_workspace, ["import", "tracts", str(path)], "500,000 characters", max_chars=3000)


@pytest.mark.parametrize(
    ("reader", "encoding"),
    [(r, e) for r in ("projects", "employment-csv", "employment-cbp", "acs-flows", "metros-csv")
     for e in ("utf-16", "utf-8-sig", "utf-16-le")],
)
def test_byte_order_marks_are_read_by_every_csv_reader(fresh_workspace: Path, tmp_path: Path, reader: str,
                                                       encoding: str) -> None:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_bytes(("\ufeff" + text if encoding == "utf-16-le" else text).encode(encoding))
        return path

    if reader == "projects":
        path = write("p.csv", "project_id,name,agency,cost,lon,lat,status\n"
                     f"P1,Café road,Fresno COG,1000,{FRESNO[0]},{FRESNO[1]},planned\n")
        expect_success(fresh_workspace, ["import", "projects", str(path)], "kept 1, rejected 0")
        assert _stored_projects(fresh_workspace)[0]["name"] == "Café road"
    elif reader == "employment-csv":
        path = write("jobs.csv", "geoid,naics,year,employment\n06019,11,2021,5\n")
        expect_success(fresh_workspace, ["import", "employment", str(path), "--format", "csv"], "rows: 1")
    elif reader == "employment-cbp":
        path = write("cbp21co.txt", "fipstate,fipscty,naics,emp_nf,emp\n06,019,------,G,1000\n"
                     "06,019,11----,G,100\n")
        expect_success(fresh_workspace, ["import", "employment", str(path), "--format", "cbp"], "rows: 2")
    elif reader == "acs-flows":
        text = ("h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe\n"
                "06,019,006,019,317272,2838\n06,019,006,039,9921,763\n")
        path = write("acs_county_flows_2009_2013_us.csv", text)
        expect_success(fresh_workspace, ["import", "flows", str(path), "--format", "acs-county",
                                         "--name", "my_acs_flows"], "county pairs")
    else:
        text = ("CBSA Code,Metropolitan Division Code,CSA Code,CBSA Title,Metropolitan/Micropolitan "
                "Statistical Area,Metropolitan Division Title,CSA Title,County/County Equivalent,"
                "State Name,FIPS State Code,FIPS County Code,Central/Outlying County\n"
                "23420,,,\"Fresno, CA\",Metropolitan Statistical Area,,,Fresno County,California,06,"
                "019,Central\n")
        path = write("list1_2023.csv", text)
        expect_success(fresh_workspace, ["import", "metros", str(path)])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_lodes_od_file_is_refused_saying_what_it_is(fresh_workspace: Path, tmp_path: Path,
                                                            encoding: str) -> None:
    text = "w_geocode,h_geocode,S000\n060190001001000,060190001001001,5\n"
    path = tmp_path / "ca_od_main_JT00_2021.csv"
    path.write_bytes(("\ufeff" + text if encoding == "utf-16-le" else text).encode(encoding))
    expect_refusal(fresh_workspace, ["import", "flows", str(path), "--format", "lodes-od"],
                   "UTF-16", "ca_od_main_JT00_2021.csv", "UTF-8")


def test_a_shapefile_without_its_dbf_says_so(fresh_workspace: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.read_file(_tracts(tmp_path, "t.geojson", 1)).to_file(folder / "tracts.shp")
    (folder / "tracts.dbf").unlink()
    expect_refusal(fresh_workspace, ["import", "tracts", str(folder / "tracts.shp")], ".dbf",
                   "tracts.dbf", "is missing")


@pytest.mark.parametrize("fmt", ["GeoJSON", "TopoJSON"])
def test_a_county_file_given_as_tracts_says_it_holds_counties(fresh_workspace: Path, tmp_path: Path,
                                                              fmt: str) -> None:
    counties = gpd.read_file(fresh_workspace / "data" / "geo" / "ca_counties.geojson")
    if fmt == "GeoJSON":
        path = tmp_path / "counties.geojson"
        counties[["geoid", "geometry"]].to_file(path)
    else:
        path = tmp_path / "counties.topo.json"
        arcs, geometries = [], []
        for geoid, geom in zip(counties["geoid"], counties.geometry, strict=True):
            ring = list(shapely.get_exterior_ring(shapely.convex_hull(geom)).coords)
            geometries.append({"type": "Polygon", "id": geoid, "arcs": [[len(arcs)]]})
            arcs.append([list(c) for c in ring])
        import json

        path.write_text(json.dumps({"type": "Topology", "arcs": arcs,
                                    "objects": {"counties": {"type": "GeometryCollection",
                                                             "geometries": geometries}}}))
    outcome = expect_refusal(fresh_workspace, ["import", "tracts", str(path), "--assume-crs", "EPSG:4326"],
                             "holds counties", "5-digit", "tract file")
    assert outcome.output.count("not a tract GEOID") == 0


def test_ten_digits_starting_with_zero_are_not_a_lost_zero(fresh_workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "tracts.geojson"
    gpd.GeoDataFrame({"GEOID": ["06019000100", "0601900010"]},
                     geometry=[shapely.box(-120, 36, -119.9, 36.1), shapely.box(-119.9, 36, -119.8, 36.1)],
                     crs=4326).to_file(path)
    outcome = expect_refusal(fresh_workspace, ["import", "tracts", str(path)], "'0601900010' has 10 digits",
                             "row 2", "GEOID")
    assert "leading zero" not in outcome.output


def test_ten_digits_not_starting_with_zero_are_still_a_lost_zero(fresh_workspace: Path,
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "tracts.geojson"
    gpd.GeoDataFrame({"GEOID": ["6019000100"]}, geometry=[shapely.box(-120, 36, -119.9, 36.1)],
                     crs=4326).to_file(path)
    expect_refusal(fresh_workspace, ["import", "tracts", str(path)], "lost their leading zero", "06019000100")


@pytest.mark.parametrize(
    "args",
    [["suitability", "--list"], ["projects", "log"], ["validate", "{tracts}"]],
    ids=["suitability", "projects-log", "validate"],
)
def test_workspace_option_before_the_command(fresh_workspace: Path, tmp_path: Path, args: list[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    tracts = _tracts(tmp_path, "t.geojson", 1)
    outcome = run_cli(elsewhere, ["-w", str(fresh_workspace), *(a.format(tracts=tracts) for a in args)])
    assert outcome.exception is None and outcome.exit_code == 0, outcome.output


def test_workspace_option_before_import_writes_into_that_workspace(fresh_workspace: Path,
                                                                    tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outcome = run_cli(elsewhere, ["-w", str(fresh_workspace), "import", "tracts",
                                  str(_tracts(tmp_path, "t.geojson", 1))])
    assert outcome.exit_code == 0, outcome.output
    assert (fresh_workspace / "data" / "geo" / "tracts.gpkg").is_file()


def test_relative_suitability_out_is_resolved(fresh_workspace: Path) -> None:
    sub = fresh_workspace / "sub"
    sub.mkdir()
    expect_success(sub, ["-w", "..", "suitability", "-t", "Paper mills", "--allow-missing", "--no-png",
                         "--resolution", "5000", "--out", "../../relative-out"], "file://")
    assert (fresh_workspace.parent / "relative-out" / "map.html").is_file()


def test_gzipped_utf16_employment_is_read(fresh_workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv.gz"
    path.write_bytes(gzip.compress("geoid,naics,year,employment\n06019,11,2021,5\n".encode("utf-16")))
    expect_success(fresh_workspace, ["import", "employment", str(path), "--format", "csv"], "rows: 1")


def test_another_metro_delineation_is_refused_then_replaced_when_asked(fresh_workspace: Path,
                                                                     tmp_path: Path) -> None:
    header = ("CBSA Code,Metropolitan Division Code,CSA Code,CBSA Title,Metropolitan/Micropolitan "
              "Statistical Area,Metropolitan Division Title,CSA Title,County/County Equivalent,"
              "State Name,FIPS State Code,FIPS County Code,Central/Outlying County\n")
    area = "Metropolitan Statistical Area"
    fresno = f"23420,,,\"Fresno, CA\",{area},,,Fresno County,California,06,019,Central\n"
    madera = f"31460,,,\"Madera, CA\",{area},,,Madera County,California,06,039,Central\n"
    first, second = tmp_path / "list1_2020.csv", tmp_path / "list1_2023.csv"
    first.write_text(header + fresno + madera, encoding="utf-8")
    second.write_text(header + fresno, encoding="utf-8")
    expect_success(fresh_workspace, ["import", "metros", str(first)])
    expect_success(fresh_workspace, ["import", "metros", str(first)])  # the same table again
    expect_refusal(fresh_workspace, ["import", "metros", str(second)], "holds the CBSA delineation",
                   "2 counties", "1 counties", "--replace")
    expect_success(fresh_workspace, ["import", "metros", str(second), "--replace"])
