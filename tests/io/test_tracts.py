"""Reading and importing census tracts."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pytest

from valleymaps.errors import CRSError, FieldError, GeometryRepairedWarning, ValidationError
from valleymaps.io.tracts import check_tracts, import_tracts, load_tracts, read_tracts
from valleymaps.workspace import Workspace


def test_reads_geoid_column_keeps_region_and_reprojects(tmp_path: Path, build: SimpleNamespace) -> None:
    path = build.write_vector(build.tract_frame(crs="EPSG:3310"), tmp_path / "tracts.shp")
    result = read_tracts(path)
    assert (result.n_read, result.n_kept, result.n_repaired) == (4, 3, 0)
    gdf = result.gdf
    assert list(gdf.columns) == ["geoid", "county_geoid", "name", "geometry"]
    assert list(gdf["geoid"]) == ["06019000501", "06019000600", "06031001002"]
    assert list(gdf["county_geoid"]) == ["06019", "06019", "06031"]
    assert list(gdf["name"]) == ["Tract 5.01", "Tract 6", "Tract 10.02"]
    assert gdf.crs.to_epsg() == 4326
    assert abs(gdf.total_bounds[0] - -119.8) < 1e-6
    assert result.counts_by_county() == {"06019": 2, "06031": 1}


def test_builds_geoid_from_parts_with_vintage_suffix(tmp_path: Path, build: SimpleNamespace) -> None:
    gdf = build.tract_frame(["06019000501", "06107000100"]).drop(columns="GEOID")
    gdf["STATEFP10"] = ["06", "06"]
    gdf["COUNTYFP10"] = ["019", "107"]
    gdf["TRACTCE10"] = ["000501", "000100"]
    path = build.write_vector(gdf, tmp_path / "tl_2010_06_tract10.shp")
    assert list(read_tracts(path).gdf["geoid"]) == ["06019000501", "06107000100"]


def test_zipped_shapefile_and_prefixed_geoid(tmp_path: Path, build: SimpleNamespace) -> None:
    gdf = build.tract_frame(column="AFFGEOID")
    gdf["AFFGEOID"] = ["1400000US" + g for g in build.GEOIDS]
    shp = build.write_vector(gdf, tmp_path / "cb_2021_06_tract_500k.shp")
    archive = build.zip_shapefile(shp, tmp_path / "cb_2021_06_tract_500k.zip")
    assert read_tracts(archive).n_kept == 3


def test_topojson_needs_assumed_crs_and_uses_id(tmp_path: Path, build: SimpleNamespace) -> None:
    path = tmp_path / "06019.topo.json"
    path.write_text(build.topojson_text([(g, build.tract_square(g, i)) for i, g in enumerate(build.GEOIDS)]))
    with pytest.raises(CRSError, match="--assume-crs EPSG:4326"):
        read_tracts(path)
    result = read_tracts(path, assume_crs="EPSG:4326")
    assert result.n_kept == 3 and result.gdf.loc[0, "geoid"] == "06019000501"


def test_id_column_option(tmp_path: Path, build: SimpleNamespace) -> None:
    path = build.write_vector(build.tract_frame(column="tract_id"), tmp_path / "t.geojson")
    with pytest.raises(FieldError, match=r"no tract GEOID column .*found: tract_id.*--id-column"):
        read_tracts(path)
    assert read_tracts(path, id_column="tract_id").n_kept == 3
    with pytest.raises(FieldError, match=r"no column 'nope' \(found: tract_id\)"):
        read_tracts(path, id_column="nope")


@pytest.mark.parametrize(
    "values",
    [
        [6019000501, 6019000600],  # numbers
        ["6019000501", "6019000600"],  # text that lost the zero
    ],
)
def test_geoid_that_lost_its_leading_zero_is_refused(
    tmp_path: Path, build: SimpleNamespace, values: list[object]
) -> None:
    path = build.write_vector(build.tract_frame(values), tmp_path / "excel.gpkg")
    with pytest.raises(ValidationError) as info:
        read_tracts(path)
    message = str(info.value)
    assert "excel.gpkg" in message
    assert "column 'GEOID'" in message
    assert "6019000501" in message
    assert "Re-save the column as 11-character text, e.g. 06019000501" in message


def test_malformed_geoids_are_listed_with_feature_numbers(tmp_path: Path, build: SimpleNamespace) -> None:
    path = build.write_vector(build.tract_frame(["06019000501", "060190005", None]), tmp_path / "t.geojson")
    problems = check_tracts(path)
    assert [(p.row, p.column) for p in problems] == [(2, "GEOID"), (3, "GEOID")]
    assert "'060190005' has 9 digits; a tract GEOID has 11" in problems[0].message
    with pytest.raises(ValidationError, match="2 problems found"):
        read_tracts(path)


def test_duplicates_across_files_are_listed(tmp_path: Path, build: SimpleNamespace) -> None:
    a = build.write_vector(build.tract_frame(build.GEOIDS[:2]), tmp_path / "a.geojson")
    b = build.write_vector(build.tract_frame(build.GEOIDS[1:3]), tmp_path / "b.geojson")
    with pytest.raises(ValidationError) as info:
        read_tracts([a, b])
    message = str(info.value)
    assert "GEOID 06019000600 appears 2 times: a.geojson (feature 2), b.geojson (feature 1)" in (message)
    assert "06019000501" not in message


def test_invalid_polygons_are_repaired_and_counted(tmp_path: Path, build: SimpleNamespace) -> None:
    gdf = build.tract_frame()
    gdf.loc[1, "geometry"] = build.bowtie(1)
    path = build.write_vector(gdf, tmp_path / "t.gpkg")
    with pytest.warns(GeometryRepairedWarning, match="repaired 1 invalid tract polygon"):
        result = read_tracts(path)
    assert result.n_repaired == 1
    assert result.repaired_geoids == ["06019000600"]
    assert result.gdf.is_valid.all()


def test_empty_geometry_is_left_out_and_reported(tmp_path: Path, build: SimpleNamespace) -> None:
    gdf = build.tract_frame()
    gdf.loc[0, "geometry"] = None
    path = build.write_vector(gdf, tmp_path / "t.geojson")
    result = read_tracts(path)
    assert result.n_kept == 2
    assert [p.row for p in result.problems] == [1]
    assert "tract 06019000501 has no polygon" in result.problems[0].message


def test_no_tract_in_region_is_an_error(tmp_path: Path, build: SimpleNamespace) -> None:
    path = build.write_vector(build.tract_frame(["06001400100"]), tmp_path / "alameda.geojson")
    with pytest.raises(ValidationError, match=r"none of the 1 tracts is in the region.*06001"):
        read_tracts(path)
    assert read_tracts(path, counties=["06001"]).n_kept == 1


def test_import_writes_geopackage_atomically(
    tmp_path: Path, build: SimpleNamespace, workspace: Workspace
) -> None:
    path = build.write_vector(build.tract_frame(), tmp_path / "tracts.shp")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = import_tracts(workspace, [path])
    assert result.n_kept == 3
    stored = gpd.read_file(workspace.tracts_path, layer="tracts")
    assert list(stored["geoid"]) == ["06019000501", "06019000600", "06031001002"]
    assert stored.crs.to_epsg() == 4326
    assert list(load_tracts(workspace)["geoid"]) == list(stored["geoid"])
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # inputs untouched

    bad = build.write_vector(build.tract_frame([6019000501]), tmp_path / "bad.gpkg")
    with pytest.raises(ValidationError):
        import_tracts(workspace, [bad])
    assert len(gpd.read_file(workspace.tracts_path, layer="tracts")) == 3
    assert [p.name for p in workspace.geo_dir.iterdir()] == ["tracts.gpkg"]


def test_import_uses_the_workspace_counties(
    tmp_path: Path, build: SimpleNamespace, workspace: Workspace
) -> None:
    config = workspace.root / "valleymaps.toml"
    config.write_text('[region]\nname = "Bay"\ncounties = { "06001" = "Alameda" }\n')
    path = build.write_vector(build.tract_frame(), tmp_path / "t.geojson")
    result = import_tracts(Workspace.open(workspace.root), path)
    assert list(result.gdf["geoid"]) == ["06001400100"]


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(ValidationError, match=r"no features in empty\.geojson"):
        read_tracts(path)


def test_import_over_other_tracts_refuses_with_the_counts_unless_replace(
    tmp_path: Path, build: SimpleNamespace, workspace: Workspace
) -> None:
    from valleymaps.errors import DataExistsError

    first = build.write_vector(build.tract_frame(), tmp_path / "first.geojson")
    other = build.write_vector(build.tract_frame(["06019000501"]), tmp_path / "other.geojson")
    import_tracts(workspace, [first])
    before = workspace.tracts_path.read_bytes()
    with pytest.raises(DataExistsError, match=r"already holds 3 tracts.*with the 1 tracts.*--replace"):
        import_tracts(workspace, [other])
    assert workspace.tracts_path.read_bytes() == before
    assert import_tracts(workspace, [first]).n_kept == 3  # the same tracts again: nothing replaced
    assert import_tracts(workspace, [other], replace=True).n_kept == 1
    assert len(gpd.read_file(workspace.tracts_path, layer="tracts")) == 1


def test_two_imports_at_once_take_turns_and_the_second_refuses(
    tmp_path: Path, build: SimpleNamespace, workspace: Workspace
) -> None:
    import threading

    from valleymaps.errors import DataExistsError

    files = [build.write_vector(build.tract_frame(), tmp_path / "a.geojson"),
             build.write_vector(build.tract_frame(["06019000501"]), tmp_path / "b.geojson")]
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def run(path: Path) -> None:
        start.wait()
        try:
            outcomes.append(import_tracts(workspace, [path]).n_kept)
        except DataExistsError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept = [o for o in outcomes if isinstance(o, int)]
    assert len(kept) == 1 and sum(isinstance(o, DataExistsError) for o in outcomes) == 1
    assert len(gpd.read_file(workspace.tracts_path, layer="tracts")) == kept[0]
