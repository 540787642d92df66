"""Reading vector files: formats, zips, layers, CRS and error messages."""

from __future__ import annotations

import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from valleymaps.errors import CRSError, DataSourceError, ValleymapsError
from valleymaps.io.vector import read_vector


@pytest.mark.parametrize("name", ["t.shp", "t.gpkg", "t.geojson"])
def test_reads_common_formats_with_their_crs(tmp_path: Path, build: SimpleNamespace, name: str) -> None:
    path = build.write_vector(build.tract_frame(crs="EPSG:3310"), tmp_path / name)
    gdf = read_vector(path)
    assert list(gdf["GEOID"]) == build.GEOIDS
    assert gdf.crs.to_epsg() == 3310


def test_reads_zipped_shapefile_in_a_folder(tmp_path: Path, build: SimpleNamespace) -> None:
    shp = build.write_vector(build.tract_frame(), tmp_path / "tl_2021_06_tract.shp")
    archive = build.zip_shapefile(shp, tmp_path / "tl_2021_06_tract.zip", folder="tl_2021_06_tract/")
    gdf = read_vector(archive)
    assert list(gdf["GEOID"]) == build.GEOIDS
    assert gdf.crs.to_epsg() == 4326


def test_zip_without_dataset_says_what_it_holds(tmp_path: Path) -> None:
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(DataSourceError, match=r"holds no vector dataset \(found: readme\.txt\)"):
        read_vector(archive)


def test_topojson_prefers_named_layer_and_needs_a_crs(tmp_path: Path, build: SimpleNamespace) -> None:
    path = tmp_path / "06019.topo.json"
    path.write_text(build.topojson_text([(g, build.square(i)) for i, g in enumerate(build.GEOIDS)]))
    with pytest.raises(CRSError) as info:
        read_vector(path, preferred_layer="tracts")
    message = str(info.value)
    assert "06019.topo.json" in message
    assert "pass --assume-crs EPSG:4326 if the coordinates are longitude/latitude" in message
    gdf = read_vector(path, assume_crs="EPSG:4326", preferred_layer="tracts")
    assert list(gdf["id"]) == build.GEOIDS
    assert gdf.crs.to_epsg() == 4326
    counties = read_vector(path, assume_crs="EPSG:4326", layer="counties")
    assert list(counties["id"]) == ["06019"]


def test_several_layers_without_a_choice_is_an_error(tmp_path: Path, build: SimpleNamespace) -> None:
    path = tmp_path / "two.topo.json"
    path.write_text(build.topojson_text([("06019000501", build.square(0))]))
    with pytest.raises(DataSourceError, match=r"2 layers \(tracts, counties\)"):
        read_vector(path, assume_crs="EPSG:4326")


def test_file_crs_wins_over_assumed_crs(tmp_path: Path, build: SimpleNamespace) -> None:
    path = build.write_vector(build.tract_frame(crs="EPSG:3310"), tmp_path / "t.gpkg")
    assert read_vector(path, assume_crs="EPSG:4326").crs.to_epsg() == 3310


def test_shapefile_without_prj_and_bad_assumed_crs(tmp_path: Path, build: SimpleNamespace) -> None:
    path = build.write_vector(build.tract_frame(crs=None), tmp_path / "noprj.shp")
    assert not (tmp_path / "noprj.prj").exists()
    with pytest.raises(CRSError, match=r"noprj\.shp has no coordinate reference system"):
        read_vector(path)
    with pytest.raises(CRSError, match=r"'EPSG:99999999' is not a coordinate reference system"):
        read_vector(path, assume_crs="EPSG:99999999")
    assert read_vector(path, assume_crs="EPSG:4326").crs.to_epsg() == 4326


def test_missing_and_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"nope\.shp does not exist") as info:
        read_vector(tmp_path / "nope.shp")
    assert isinstance(info.value, OSError) and isinstance(info.value, ValleymapsError)
    bad = tmp_path / "bad.gpkg"
    bad.write_text("this is not a geopackage")
    with pytest.raises(DataSourceError, match=r"bad\.gpkg cannot be read"):
        read_vector(bad)


def test_unknown_layer_lists_the_layers(tmp_path: Path, build: SimpleNamespace) -> None:
    path = build.write_vector(build.tract_frame(), tmp_path / "t.gpkg", layer="tracts")
    with pytest.raises(DataSourceError, match=r"no layer 'nope' \(found: tracts\)"):
        read_vector(path, layer="nope")
