"""Row-by-row checks: every bad row is reported with its row number and reason, good rows are kept."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from project_files import HEADER, IN_EAST, IN_WEST, row, write_csv
from valleymaps.errors import ConfigError, ValidationError
from valleymaps.projects.mapping import ColumnMapping, mapping_from_dict
from valleymaps.projects.read import RawTable, read_csv_table
from valleymaps.projects.validate import validate_projects


def _check(tmp_path: Path, rows: list[list[str]], counties: gpd.GeoDataFrame, **kw: object):  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "projects.csv", rows, header=kw.pop("header", HEADER))  # type: ignore[arg-type]
    return validate_projects(read_csv_table(path), kw.pop("mapping", None), counties=counties)  # type: ignore[arg-type]


def _reasons(result) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    out: dict[int, list[str]] = {}
    for p in result.problems:
        if p.row is not None:
            out.setdefault(p.row, []).append(p.reason)
    return out


def test_each_bad_row_is_reported_with_its_row_number_and_reason(
    tmp_path: Path, counties: gpd.GeoDataFrame
) -> None:
    rows = [
        row("A1", "Good road", county="Fresno"),  # 1 good
        row("", "No id"),  # 2
        row("A1", "Same id again"),  # 3 duplicate of row 1
        row("A4", "Nowhere", at=None),  # 4 missing geometry
        row("A5", "Swapped", lat=str(IN_WEST[0]), lon=str(IN_WEST[1])),  # 5
        row("A6", "Far away", at=(-122.42, 37.77)),  # 6 outside the region
        row("A7", "Bad start", start="someday"),  # 7
        row("A8", "Backwards", start="2030", end="2025"),  # 8 end before start
        row("A9", "Odd status", status="Maybe"),  # 9
        row("A10", "No status", status=""),  # 10
        row("A11", "Bad cost", cost="lots"),  # 11
        row("A12", "Half a point", lat="36.5", lon=""),  # 12
        row("A13", "Text latitude", lat="north", lon="-120"),  # 13
        row("A14", "East side", at=IN_EAST, cost="$350K"),  # 14 good
    ]
    result = _check(tmp_path, rows, counties)
    assert _reasons(result) == {
        2: ["missing_id"],
        3: ["duplicate_id"],
        4: ["missing_geometry"],
        5: ["swapped_coordinates"],
        6: ["outside_region"],
        7: ["bad_year"],
        8: ["bad_year"],
        9: ["bad_status"],
        10: ["bad_status"],
        11: ["bad_cost"],
        12: ["missing_geometry"],
        13: ["bad_coordinates"],
    }
    assert result.projects["project_id"].tolist() == ["A1", "A14"]
    assert result.n_read == 14 and result.n_kept == 2 and result.n_rejected == 12
    by_row = {p.row: p for p in result.problems}
    assert by_row[3].location == "row 3 (line 4)"
    assert "also on row 1 (line 2)" in by_row[3].message
    assert "swapped" in by_row[5].message and "Swap" in by_row[5].message
    assert "km outside the region" in by_row[6].message
    assert "someday" in by_row[7].message
    assert "end year 2025 is before start year 2030" in by_row[8].message
    assert "'Maybe' is not one of: planned, programmed, under construction, complete" in by_row[9].message
    assert by_row[11].column == "Total Cost" and by_row[11].value == "lots"
    assert "Longitude is empty" in by_row[12].message


def test_good_rows_are_kept_in_the_schema(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    rows = [
        row("A1", "Good road", kind="Highway", cost="$1.2M", start="FY 2024/25", end="2027",
            status="Under Construction", fund="STIP; local", desc="Widen to 4 lanes", at=IN_EAST)
    ]  # fmt: skip
    p = _check(tmp_path, rows, counties).projects.iloc[0]
    assert (p["agency"], p["project_id"], p["name"]) == ("Fresno COG", "A1", "Good road")
    assert (p["category"], p["status"], p["cost_usd"]) == (
        "transportation",
        "under construction",
        1_200_000.0,
    )
    assert (p["start_year"], p["end_year"]) == (2024, 2027)
    assert (p["county"], p["county_geoid"]) == ("Kings", "06031")
    assert (p["funding_source"], p["description"]) == ("STIP; local", "Widen to 4 lanes")
    assert (p["source"], p["source_row"]) == ("projects.csv", 1)
    assert p.geometry.equals(shapely.Point(IN_EAST))


def test_notes_keep_the_row(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    rows = [
        row("A1", "Odd kind", kind="Zeppelin port"),
        row("A2", "", county="Fresno"),
        row("A3", "Wrong county", county="Kings", at=IN_WEST),
        row("A4", "Unknown county", county="Atlantis"),
    ]
    result = _check(tmp_path, rows, counties)
    assert result.n_kept == 4 and result.n_rejected == 0
    assert _reasons(result) == {
        1: ["unknown_category"],
        2: ["missing_name"],
        3: ["county_mismatch"],
        4: ["unknown_county"],
    }
    kept = result.projects.set_index("project_id")
    assert kept.loc["A1", "category"] == "other"
    assert kept.loc["A2", "name"] == "A2"
    assert kept.loc["A3", "county"] == "Kings"  # as the agency wrote it; the note says where it lies
    assert kept.loc["A4", "county"] == "Fresno"  # from the location


def test_no_row_is_dropped_silently(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    rows = [row(f"P{i}", at=(IN_WEST if i % 3 else (-100.0, 40.0))) for i in range(30)]
    result = _check(tmp_path, rows, counties)
    assert result.n_kept + result.n_rejected == result.n_read == 30
    assert result.rejected_rows == list(range(1, 31, 3))


def test_wkt_points_lines_and_polygons(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    header = ["id", "name", "agency", "status", "category", "wkt"]
    rows = [
        ["L1", "Road across", "KCAG", "planned", "road", "LINESTRING (-120.0 36.5, -119.3 36.5)"],
        [
            "P1",
            "Basin",
            "KCAG",
            "planned",
            "water",
            "POLYGON ((-119.2 36.2, -119.0 36.2, -119.0 36.4, -119.2 36.2))",
        ],
        ["B1", "Broken", "KCAG", "planned", "water", "POLYGON ((-119.2 36.2,"],
        ["G1", "Mixed", "KCAG", "planned", "water", "GEOMETRYCOLLECTION (POINT (-120 36.5))"],
        ["E1", "Empty", "KCAG", "planned", "water", "POINT EMPTY"],
        ["S1", "Swapped line", "KCAG", "planned", "road", "LINESTRING (36.5 -120.0, 36.6 -119.9)"],
    ]
    result = _check(tmp_path, rows, counties, header=header)
    assert _reasons(result) == {3: ["bad_geometry"], 4: ["bad_geometry"], 5: ["missing_geometry"],
                                6: ["swapped_coordinates"]}  # fmt: skip
    kept = result.projects.set_index("project_id")
    assert kept.loc["L1"].geometry.geom_type == "LineString"
    assert kept.loc["L1", "county"] == "Fresno"  # most of its length
    assert kept.loc["P1", "county"] == "Kings"


def test_a_longitude_without_its_minus_sign_is_explained(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    result = _check(tmp_path, [row("A1", lat="36.5", lon="120.0")], counties)
    [problem] = result.problems
    assert problem.reason == "bad_coordinates"
    assert "wrong sign" in problem.message


def test_projected_coordinates_read_as_degrees_ask_for_the_crs(
    tmp_path: Path, counties: gpd.GeoDataFrame
) -> None:
    xy = gpd.GeoSeries([shapely.Point(IN_WEST)], crs="EPSG:4326").to_crs("EPSG:3310").iloc[0]
    result = _check(tmp_path, [row("A1", lat=str(xy.y), lon=str(xy.x))], counties)
    [problem] = result.problems
    assert problem.reason == "bad_coordinates"
    assert "--assume-crs" in problem.message
    mapping = mapping_from_dict({"source": {"crs": "EPSG:3310"}})
    assert _check(tmp_path, [row("A1", lat=str(xy.y), lon=str(xy.x))], counties, mapping=mapping).n_kept == 1


def test_degrees_read_as_a_projection_ask_for_epsg_4326(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    mapping = mapping_from_dict({"source": {"crs": "EPSG:3310"}})
    result = _check(tmp_path, [row("A1")], counties, mapping=mapping)
    [problem] = result.problems
    assert problem.reason == "bad_coordinates"
    assert 'crs = "EPSG:4326"' in problem.message


def test_a_file_without_ids_or_coordinates_is_refused_with_every_reason(
    tmp_path: Path, counties: gpd.GeoDataFrame
) -> None:
    header = ["Title", "Sponsor Name", "Where"]
    with pytest.raises(ValidationError) as err:
        _check(tmp_path, [["Road", "FCOG", "Fresno"]], counties, header=header)
    text = str(err.value)
    assert "projects.csv: 4 problems found" in text
    assert "no project id column" in text and "[columns] project_id" in text
    assert "no agency column" in text and "--agency" in text
    assert "no status column" in text and "[defaults] status" in text
    assert "no coordinates" in text and "found: Title, Sponsor Name, Where" in text


def test_defaults_and_templates_fill_missing_columns(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    header = ["Seg", "Lat", "Lon"]
    mapping = mapping_from_dict({
        "columns": {"project_id": "Seg"},
        "templates": {"name": "Segment {Seg}"},
        "defaults": {"agency": "CHSRA", "status": "under construction", "category": "rail"},
    })  # fmt: skip
    result = _check(tmp_path, [["9", "36.5", "-120"]], counties, header=header, mapping=mapping)
    p = result.projects.iloc[0]
    assert (p["agency"], p["project_id"], p["name"], p["category"]) == ("CHSRA", "9", "Segment 9", "rail")


def test_year_flags_give_the_opening_year(counties: gpd.GeoDataFrame) -> None:
    frame = pd.DataFrame({"Station": ["Fresno", "Gilroy", "Modesto"], "HSR_2022": [1.0, 0.0, None],
                          "HSR_2026": [1.0, 1.0, None]})  # fmt: skip
    geoms = gpd.GeoSeries([shapely.Point(IN_WEST), shapely.Point(IN_EAST), shapely.Point(IN_WEST)], crs=4326)
    raw = RawTable("stations.shp", "vector", frame, [1, 2, 3], geometry=geoms)
    mapping = mapping_from_dict({
        "columns": {"project_id": "Station", "name": "Station"},
        "defaults": {"agency": "CHSRA", "status": "planned", "category": "rail"},
        "year_flags": {"end_year": {"HSR_2022": 2022, "HSR_2026": 2026}},
    })  # fmt: skip
    result = validate_projects(raw, mapping, counties=counties)
    assert result.projects["end_year"].tolist() == [2022, 2026, pd.NA]


def test_a_projected_gis_layer_is_stored_in_longitude_latitude(counties: gpd.GeoDataFrame) -> None:
    geoms = gpd.GeoSeries([shapely.Point(IN_WEST)], crs=4326).to_crs(3857)
    raw = RawTable("p.shp", "vector", pd.DataFrame({"id": ["1"]}), [1], geometry=geoms)
    mapping = ColumnMapping(defaults={"agency": "A", "status": "planned", "category": "water"})
    result = validate_projects(raw, mapping, counties=counties)
    assert result.projects.crs.to_epsg() == 4326
    assert result.projects.geometry.iloc[0].equals_exact(shapely.Point(IN_WEST), 1e-9)


def test_mapping_naming_a_missing_header_is_a_config_error(
    tmp_path: Path, counties: gpd.GeoDataFrame
) -> None:
    mapping = mapping_from_dict({"columns": {"cost": "Cost ($000s)"}})
    with pytest.raises(ConfigError, match="Cost"):
        _check(tmp_path, [row("A1")], counties, mapping=mapping)


def test_a_project_just_outside_every_county_counts_in_the_nearest(
    tmp_path: Path, counties: gpd.GeoDataFrame
) -> None:
    # ~500 m east of the east square's edge (-118.5): inside the 1 km tolerance, in no county
    result = _check(tmp_path, [row("1", at=(-118.4944, 36.5)), row("2", at=IN_WEST)], counties)
    assert result.projects["county_geoid"].tolist() == ["06031", "06019"]
    assert result.projects["county"].tolist() == ["Kings", "Fresno"]
    (note,) = [p for p in result.problems if p.reason == "nearest_county"]
    assert note.row == 1 and not note.rejected
    assert "outside Kings County" in note.message and "counted in Kings County, the nearest" in note.message


def test_when_every_row_is_swapped_the_file_note_says_so(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    rows = [row(str(i), lat=str(IN_WEST[0] + i * 0.01), lon=str(IN_WEST[1])) for i in range(3)]
    result = _check(tmp_path, rows, counties)
    assert result.projects.empty
    assert [p.reason for p in result.problems if p.row is not None] == ["swapped_coordinates"] * 3
    (note,) = [p for p in result.problems if p.row is None and "swapped" in p.message]
    assert note.message.startswith("all 3 rows look like latitude and longitude swapped")
    assert "'Latitude'" in note.message and "Swap them in the mapping" in note.message


def test_one_swapped_row_gets_no_file_note(tmp_path: Path, counties: gpd.GeoDataFrame) -> None:
    rows = [row("1", lat=str(IN_WEST[0]), lon=str(IN_WEST[1])), row("2", at=IN_WEST)]
    result = _check(tmp_path, rows, counties)
    assert not [p for p in result.problems if p.row is None and "swapped" in p.message]
