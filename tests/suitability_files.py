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

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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

# --- suitability profiles, built in code --------------------------------------------------------
# ``profile_toml(...)`` writes the TOML of a profile from Python values, so a test states the
# weights, names or targets it changes instead of editing the text of another profile.

Factor = dict[str, Any]


def toml_value(value: Any) -> str:
    """``value`` as a TOML value: text, number, boolean, list or inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML value for {value!r}")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_table(header: str, values: Mapping[str, Any]) -> str:
    lines = [header, *(f"{_toml_key(k)} = {toml_value(v)}" for k, v in values.items() if v is not None)]
    return "\n".join(lines)


def factor(key: str, weight: float, source: Mapping[str, Any], transform: Mapping[str, Any], *,
           name: str | None = None, units: str | None = None, missing: float | None = None) -> Factor:
    """One ``[[factors]]`` entry of a profile (None values are left out)."""
    return {"key": key, "name": name, "weight": weight, "units": units, "missing": missing,
            "source": dict(source), "transform": dict(transform)}


def profile_toml(name: str, factors: Sequence[Factor], *, key: str | None = None,
                 description: str | None = None, targets: Sequence[str] | None = None,
                 scale: str | None = None, sites: Mapping[str, float] | None = None,
                 constraints: Sequence[Mapping[str, Any]] = ()) -> str:
    """The TOML text of a suitability profile (``valleymaps.suitability.profile`` reads it)."""
    head = {"name": name, "key": key, "description": description,
            "targets": list(targets) if targets is not None else None, "scale": scale}
    parts = [_toml_table("", head).lstrip("\n")]
    if sites is not None:
        parts.append(_toml_table("[sites]", sites))
    parts += [_toml_table("[[factors]]", f) for f in factors]
    parts += [_toml_table("[[constraints]]", c) for c in constraints]
    return "\n".join(parts) + "\n"


def plants_profile(*, name: str = "Test plants", key: str | None = None,
                   targets: Sequence[str] = ("Plastics bottle manufacturing",),
                   weights: tuple[float, float, float] = (50, 30, 20)) -> str:
    """The test profile of this module's workspace: rail, water and workers ``weights``, the
    reserve excluded, three sites of 100-400 acres over 40."""
    rail, water, workers = weights
    return profile_toml(
        name, key=key, description="A made-up industry for tests.", targets=targets,
        sites={"count": 3, "min_acres": 100, "max_acres": 400, "min_distance_m": 3000, "threshold": 40},
        factors=[
            factor("rail", rail, {"kind": "distance", "layer": "rail"},
                   {"kind": "inverse", "low": 0, "high": 10000}, name="Close to rail"),
            factor("water", water, {"kind": "raster", "layer": "water"},
                   {"kind": "linear", "low": 0, "high": 100}, name="Water", units="ft"),
            factor("workers", workers, {"kind": "table", "layer": "workers", "column": "workers"},
                   {"kind": "linear", "low": 0, "high": 300}, name="Workers", units="workers"),
        ],
        constraints=[{"kind": "exclude_inside", "name": "Not in the reserve", "layer": "reserve"}],
    )


def metals_lq_profile(*, lq_name: str = "Metals and machinery concentration (LQ)",
                      share_name: str = "Manufacturing workforce") -> str:
    """Motor vehicle parts by cluster metrics: the metals-and-machinery component's LQ (60; a
    component LQ needs 6-digit NAICS, which sector-only employment cannot give) and the
    manufacturing share (40)."""
    return profile_toml(
        "Metals by LQ", key="metals-lq", targets=["Motor vehicle parts manufacturing"],
        factors=[
            factor("metals_lq", 60, {"kind": "cluster_metric", "metric": "lq", "cluster": "manufacturing",
                                     "component": "metals_and_machinery"},
                   {"kind": "linear", "low": 0.3, "high": 1.5}, name=lq_name),
            factor("manufacturing_share", 40,
                   {"kind": "cluster_metric", "metric": "share", "cluster": "manufacturing"},
                   {"kind": "linear", "low": 0.02, "high": 0.12}, name=share_name),
        ],
    )


PROFILE = plants_profile()

#: Labour pool (employed residents within 15 km, from the workspace's commuting flows) and
#: interchanges, half each.
LABOUR_PROFILE = profile_toml(
    "Truck-served plants", targets=["Truck-served plants"],
    sites={"count": 2, "min_acres": 100, "max_acres": 400, "min_distance_m": 5000, "threshold": 60},
    factors=[
        factor("labour", 50, {"kind": "table", "layer": "resident_workers", "column": "workers",
                              "reach_m": 15000},
               {"kind": "linear", "low": 0, "high": 4200}, name="Labour pool within 15 km", units="workers"),
        factor("interchange", 50, {"kind": "distance", "layer": "interchanges"},
               {"kind": "inverse", "low": 0, "high": 10000}, name="Close to an interchange"),
    ],
)

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
