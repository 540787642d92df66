"""A profile and in-memory inputs for strip-task tests: two square counties (40 x 20 km), roads and a
canal as points, a reserve polygon. At 250 m and 8-row strips every distance reaches across
several strips: roads' cap 40 km (160 rows), the canal constraint's 3 km (12 rows)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Point

from suitability_files import FRESNO, KERN, KM, RESERVE, factor, profile_toml
from valleymaps.suitability.inputs import SuitabilityInputs
from valleymaps.suitability.layers import LayerCatalog, MemoryLayer

PROFILE = profile_toml(
    "Plants near roads, off the reserve",
    sites={"count": 2, "min_acres": 100, "max_acres": 20000, "threshold": 0},
    factors=[
        factor("roads", 60, {"kind": "distance", "layer": "projects",
                             "where": {"column": "category", "values": ["transportation"]}},
               {"kind": "inverse", "low": 0, "high": 40000}),
        factor("reserve", 40, {"kind": "polygons", "layer": "reserve"},
               {"kind": "categories", "scores": {"0": 1.0, "1": 0.2}}),
    ],
    constraints=[
        {"kind": "exclude_near", "name": "Not next to the canal", "layer": "canal", "distance_m": 3000},
    ],
)

RESOLUTION, ROWS = 250.0, 8


def strip_inputs() -> SuitabilityInputs:
    """The region, the projects (roads), the canal (a line) and the reserve, all in memory."""
    region = gpd.GeoDataFrame({"geoid": ["06019", "06029"], "name": ["Fresno", "Kern"]},
                              geometry=[FRESNO, KERN], crs=3310)  # fmt: skip
    projects = gpd.GeoDataFrame(
        {"name": ["Interchange", "Bridge", "Canal"],
         "category": ["transportation", "transportation", "water"]},
        geometry=[Point(5.5 * KM, 5.5 * KM), Point(33 * KM, 17 * KM), Point(35.5 * KM, 15.5 * KM)],
        crs=3310,
    )
    canal = gpd.GeoDataFrame({"name": ["Canal"]},
                             geometry=[LineString([(0, 9.1 * KM), (40 * KM, 11.3 * KM)])], crs=3310)
    reserve = gpd.GeoDataFrame({"name": ["Reserve"]}, geometry=[RESERVE], crs=3310)
    memory = {"projects": MemoryLayer(projects, "projects"), "canal": MemoryLayer(canal, "canal"),
              "reserve": MemoryLayer(reserve, "reserve")}
    return SuitabilityInputs(region=region, catalog=LayerCatalog(root=None, memory=memory),
                             region_counties=("06019", "06029"), projects=projects)
