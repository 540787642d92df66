"""Polygon repair (pure function, no files)."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Point, Polygon

from valleymaps.analysis.geometry import find_missing_geometries, repair_polygons


def test_repairs_only_invalid_polygons_and_counts_them(build: SimpleNamespace) -> None:
    gdf = gpd.GeoDataFrame(
        {"geoid": ["a", "b", "c"]},
        geometry=[build.square(0), build.bowtie(1), build.square(2)],
        crs="EPSG:4326",
    )
    repaired, n = repair_polygons(gdf)
    assert n == 1
    assert repaired.is_valid.all()
    assert set(repaired.geom_type) <= {"Polygon", "MultiPolygon"}
    assert repaired.geometry.iloc[0].equals(gdf.geometry.iloc[0])
    assert abs(repaired.geometry.iloc[1].area - 0.5 * 0.01**2) < 1e-12
    assert list(repaired["geoid"]) == ["a", "b", "c"]
    assert repaired.crs == gdf.crs
    assert not gdf.geometry.iloc[1].is_valid  # the input is untouched


def test_drops_lines_left_by_a_repair() -> None:
    spike = Polygon([(0, 0), (2, 0), (2, 2), (1, 2), (1, 3), (1, 2), (0, 2)])
    assert shapely.make_valid(spike).geom_type == "GeometryCollection"
    repaired, n = repair_polygons(gpd.GeoDataFrame(geometry=[spike]))
    assert n == 1
    assert repaired.geometry.iloc[0].geom_type == "Polygon"
    assert repaired.geometry.iloc[0].area == 4


def test_missing_empty_and_collapsed_geometries_are_found_not_counted(
    build: SimpleNamespace,
) -> None:
    flat = Polygon([(0, 0), (1, 0), (2, 0), (0, 0)])
    gdf = gpd.GeoDataFrame(geometry=[build.square(0), None, Polygon(), flat, Point(0, 0)])
    assert find_missing_geometries(gdf) == [1, 2, 4]
    repaired, n = repair_polygons(gdf)
    assert n == 1  # the collapsed polygon
    assert find_missing_geometries(repaired) == [1, 2, 3, 4]


def test_nothing_to_repair(build: SimpleNamespace) -> None:
    buffered_line = LineString([(0, 0), (1, 1)]).buffer(0.1)
    gdf = gpd.GeoDataFrame(geometry=[build.square(0), buffered_line])
    repaired, n = repair_polygons(gdf)
    assert n == 0
    assert repaired.geometry.equals(gdf.geometry)
