"""Features in the wrong place: swapped, mislabelled CRS, another county, another state."""

from __future__ import annotations

import geopandas as gpd
import shapely

from valleymaps.core.misplaced import describe_misplaced, find_misplaced

FRESNO = shapely.box(-120.9, 35.9, -118.4, 37.6)
KERN = shapely.box(-120.2, 34.8, -117.6, 35.8)
COUNTIES = gpd.GeoDataFrame(
    {"geoid": ["06019", "06029"], "name": ["Fresno", "Kern"]}, geometry=[FRESNO, KERN], crs="EPSG:4326"
)
TRACT = shapely.box(-119.8, 36.7, -119.78, 36.72)


def _find(geom: shapely.Geometry, crs: str, county: str = "06019") -> list[tuple[str, str | None]]:
    found = find_misplaced(gpd.GeoSeries([geom], crs=crs), [county], COUNTIES)
    return [(m.cause, m.crs) for m in found]


def test_a_tract_in_its_county_is_fine() -> None:
    assert _find(TRACT, "EPSG:4326") == []


def test_swapped_coordinates_are_named() -> None:
    assert _find(shapely.transform(TRACT, lambda c: c[:, ::-1]), "EPSG:4326") == [("swapped", None)]


def test_albers_metres_labelled_as_degrees_are_named_with_their_crs() -> None:
    metres = gpd.GeoSeries([TRACT], crs="EPSG:4326").to_crs("EPSG:3310").iloc[0]
    assert _find(metres, "EPSG:4326") == [("projected_as_degrees", "EPSG:3310")]


def test_utm_metres_labelled_as_degrees_are_named_with_their_zone() -> None:
    metres = gpd.GeoSeries([TRACT], crs="EPSG:4326").to_crs("EPSG:26911").iloc[0]
    assert _find(metres, "EPSG:4326") == [("projected_as_degrees", "EPSG:26911")]


def test_degrees_labelled_as_albers_are_named() -> None:
    assert _find(TRACT, "EPSG:3310") == [("degrees_as_projected", None)]


def test_a_tract_in_another_county_and_one_in_texas() -> None:
    in_kern = shapely.box(-119.0, 35.3, -118.98, 35.32)
    texas = shapely.affinity.translate(TRACT, 22, -6)
    found = find_misplaced(gpd.GeoSeries([in_kern, texas], crs="EPSG:4326"), ["06019", "06019"], COUNTIES)
    assert [m.cause for m in found] == ["other_county", "elsewhere"]
    assert "Kern County (06029)" in found[0].where and "Texas" in found[1].where


def test_a_tract_just_over_the_county_line_is_within_the_tolerance() -> None:
    near = shapely.box(-118.39, 36.7, -118.38, 36.71)  # ~1 km east of the county's edge
    assert _find(near, "EPSG:4326") == []


def test_description_counts_and_cuts_the_list() -> None:
    swapped = shapely.transform(TRACT, lambda c: c[:, ::-1])
    found = find_misplaced(gpd.GeoSeries([swapped] * 8, crs="EPSG:4326"), ["06019"] * 8, COUNTIES)
    (line,) = describe_misplaced(
        found, labels=[f"feature {i + 1}" for i in range(8)], declared="EPSG:4326",
        expected_names=["Fresno County"] * 8, n_total=8,
    )
    assert line.startswith("all 8 of 8 tracts look like latitude/longitude swapped (feature 1,")
    assert "feature 5 and 3 more" in line and "feature 6" not in line
