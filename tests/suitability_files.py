"""A small suitability workspace written in code: two square counties, rail, a raster, a reserve, a table.

Geometry in California Albers (EPSG:3310), metres:

* county 06019 "Fresno" = box(0, 0, 20 km, 20 km), county 06029 "Kern" = box(20 km, 0, 40 km, 20 km);
* ``rail.gpkg``: one line along x = 10 km (in Fresno), EPSG:3310;
* ``water.tif``: a raster in EPSG:4326 (as the real groundwater raster is) whose value is the
  longitude-ish position: it rises from west to east, nodata -3.4e38, with a no-data hole;
* ``reserve.gpkg``: a polygon box(25 km, 5 km, 35 km, 15 km) in Kern (a constraint);
* ``workers.csv``: a county table, Fresno 100, Kern 300;
* tracts (:func:`write_tracts`): each county cut into four 10 km squares, :data:`TRACTS`;
* interchanges (:func:`write_points`): points as a GeoPackage, :data:`INTERCHANGES`; with
  commuting flows, :data:`LABOUR_PROFILE` scores the labour pool and the interchanges.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from rasterio.transform import from_bounds
from shapely.geometry import LineString, Point, box

from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace

KM = 1000.0
FRESNO = box(0, 0, 20 * KM, 20 * KM)
KERN = box(20 * KM, 0, 40 * KM, 20 * KM)
RESERVE = box(25 * KM, 5 * KM, 35 * KM, 15 * KM)
RAIL_X = 10 * KM
NODATA = -3.3999999521443642e38

#: Tract GEOID -> lower-left corner (x, y) of its 10 km square: four per county, centres at
#: x = 5, 15 (Fresno), 25, 35 km (Kern) and y = 5, 15 km.
TRACTS: dict[str, tuple[float, float]] = {
    "06019000100": (0, 0), "06019000200": (10 * KM, 0),
    "06019000300": (0, 10 * KM), "06019000400": (10 * KM, 10 * KM),
    "06029000100": (20 * KM, 0), "06029000200": (30 * KM, 0),
    "06029000300": (20 * KM, 10 * KM), "06029000400": (30 * KM, 10 * KM),
}  # fmt: skip

PROFILE = """
name = "Test plants"
description = "A made-up industry for tests."
targets = ["Plastics bottle manufacturing"]

[sites]
count = 3
min_acres = 100
max_acres = 400
min_distance_m = 3000
threshold = 40

[[factors]]
key = "rail"
name = "Close to rail"
weight = 50
source = { kind = "distance", layer = "rail" }
transform = { kind = "inverse", low = 0, high = 10000 }

[[factors]]
key = "water"
name = "Water"
weight = 30
units = "ft"
source = { kind = "raster", layer = "water" }
transform = { kind = "linear", low = 0, high = 100 }

[[factors]]
key = "workers"
name = "Workers"
weight = 20
units = "workers"
source = { kind = "table", layer = "workers", column = "workers" }
transform = { kind = "linear", low = 0, high = 300 }

[[constraints]]
kind = "exclude_inside"
name = "Not in the reserve"
layer = "reserve"
"""


#: Labour pool (employed residents within 15 km, from the workspace's commuting flows) and
#: interchanges, half each.
LABOUR_PROFILE = """
name = "Truck-served plants"
targets = ["Truck-served plants"]
[sites]
count = 2
min_acres = 100
max_acres = 400
min_distance_m = 5000
threshold = 60
[[factors]]
key = "labour"
name = "Labour pool within 15 km"
weight = 50
units = "workers"
source = { kind = "table", layer = "resident_workers", column = "workers", reach_m = 15000 }
transform = { kind = "linear", low = 0, high = 4200 }
[[factors]]
key = "interchange"
name = "Close to an interchange"
weight = 50
source = { kind = "distance", layer = "interchanges" }
transform = { kind = "inverse", low = 0, high = 10000 }
"""

#: Interchanges at cell centres of the 500 m grid: in the middle of Fresno's south-east tract
#: and of Kern's north-east tract.
FRESNO_IC, KERN_IC = (15_250.0, 5_250.0), (35_250.0, 15_250.0)
INTERCHANGES = [FRESNO_IC, KERN_IC]


def write_workspace(root: Path) -> Workspace:
    """A workspace holding only its settings and the two square counties."""
    (root / "data" / "geo").mkdir(parents=True)
    (root / "data" / "econ").mkdir(parents=True)
    (root / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    counties = gpd.GeoDataFrame(
        {"geoid": ["06019", "06029"], "name": ["Fresno", "Kern"], "in_region": [True, True]},
        geometry=[FRESNO, KERN],
        crs=3310,
    ).to_crs(4326)
    counties.to_file(root / "data" / "geo" / "ca_counties.geojson", driver="GeoJSON")
    return Workspace.open(root)


def write_water_raster(
    path: Path,
    *,
    crs: str | None = "EPSG:4326",
    hole: bool = True,
    bounds_3310: tuple[float, float, float, float] | None = None,
) -> Path:
    """A 200 x 120 float32 raster covering the counties (and a margin), rising from 0 (west) to 100 (east)."""
    x0, y0, x1, y1 = bounds_3310 or (-5 * KM, -5 * KM, 45 * KM, 25 * KM)
    frame = gpd.GeoSeries([box(x0, y0, x1, y1)], crs=3310).to_crs(4326)
    w, s, e, n = frame.total_bounds
    width, height = 200, 120
    values = np.tile(np.linspace(0, 100, width, dtype=np.float32), (height, 1))
    if hole:
        values[50:70, 20:40] = NODATA
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "float32",
        "nodata": NODATA,
        "transform": from_bounds(w, s, e, n, width, height),
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)
    return path


def write_layers(folder: Path) -> dict[str, Path]:
    """The layer files; returns layer name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    rail = folder / "rail.gpkg"
    gpd.GeoDataFrame(
        {"name": ["Main line"]}, geometry=[LineString([(RAIL_X, -5 * KM), (RAIL_X, 25 * KM)])], crs=3310
    ).to_file(rail, driver="GPKG")
    reserve = folder / "reserve.gpkg"
    gpd.GeoDataFrame({"name": ["Reserve"]}, geometry=[RESERVE], crs=3310).to_file(reserve, driver="GPKG")
    workers = folder / "workers.csv"
    workers.write_text("geoid,workers\n06019,100\n06029,300\n", encoding="utf-8")
    water = write_water_raster(folder / "water.tif")
    return {"rail": rail, "reserve": reserve, "workers": workers, "water": water}


def write_profile(path: Path, text: str = PROFILE) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def tract_centre(geoid: str) -> tuple[float, float]:
    """Centre (x, y) of a tract of :data:`TRACTS`."""
    x0, y0 = TRACTS[geoid]
    return x0 + 5 * KM, y0 + 5 * KM


def write_tracts(path: Path, tracts: dict[str, tuple[float, float]] | None = None) -> Path:
    """A GeoPackage of 10 km square tracts (``GEOID`` as text), default :data:`TRACTS`."""
    items = (tracts or TRACTS).items()
    gpd.GeoDataFrame(
        {"GEOID": [g for g, _ in items]},
        geometry=[box(x, y, x + 10 * KM, y + 10 * KM) for _, (x, y) in items],
        crs=3310,
    ).to_file(path, driver="GPKG")
    return path


def write_points(path: Path, points: list[tuple[float, float]], *, name: str = "Interchange") -> Path:
    """A GeoPackage of points (EPSG:3310), e.g. highway interchanges."""
    gpd.GeoDataFrame(
        {"name": [f"{name} {i + 1}" for i in range(len(points))]},
        geometry=[Point(x, y) for x, y in points],
        crs=3310,
    ).to_file(path, driver="GPKG")
    return path


def cell_value(path: Path, x: float, y: float) -> float:
    """The value of a raster at a point (x, y in the raster's CRS)."""
    with rasterio.open(path) as src:
        return float(next(src.sample([(x, y)]))[0])
