"""The infrastructure project inventory: one schema whatever the source.

Every reader and store hands over a :class:`geopandas.GeoDataFrame` with
exactly the columns of :data:`PROJECT_COLUMNS` (in that order) plus a
``geometry`` in WGS 84 (EPSG:4326):

================ ======= =====================================================================
column           dtype   meaning
================ ======= =====================================================================
agency           str     agency that owns the project (with ``project_id``, the key)
project_id       str     the agency's identifier of the project
name             str     project name
county           str     county name ("Fresno"); where the project lies, or as given
county_geoid     str     5-character county GEOID ("06019"); "" when outside every county
category         str     one of :data:`CATEGORIES`
cost_usd         float   total cost in US dollars; NaN when unknown
start_year       Int64   first year of work (construction, or the schedule's start)
end_year         Int64   year of completion or opening
status           str     one of :data:`STATUSES`
funding_source   str     fund source(s) as written by the agency
description      str     free text
source           str     file (or table) the row was imported from
source_row       Int64   row number in that file (data rows, header excluded, 1-based)
imported_at      str     when it was imported (ISO 8601, UTC)
geometry                 Point, LineString, Polygon or their Multi- forms, EPSG:4326
================ ======= =====================================================================

The key is (``agency``, ``project_id``): importing a project again replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from valleymaps import settings


@dataclass(frozen=True)
class ProjectField:
    """One column of the inventory."""

    name: str
    dtype: str
    required: bool
    description: str


PROJECT_FIELDS: tuple[ProjectField, ...] = (
    ProjectField("agency", "str", True, "Agency that owns the project"),
    ProjectField("project_id", "str", True, "The agency's identifier of the project"),
    ProjectField("name", "str", True, "Project name"),
    ProjectField("county", "str", False, "County name"),
    ProjectField("county_geoid", "str", False, "County GEOID"),
    ProjectField("category", "str", True, "Category"),
    ProjectField("cost_usd", "float", False, "Total cost (US dollars)"),
    ProjectField("start_year", "Int64", False, "Start year"),
    ProjectField("end_year", "Int64", False, "Completion or opening year"),
    ProjectField("status", "str", True, "Status"),
    ProjectField("funding_source", "str", False, "Funding source"),
    ProjectField("description", "str", False, "Description"),
    ProjectField("source", "str", False, "Imported from"),
    ProjectField("source_row", "Int64", False, "Row in the source file"),
    ProjectField("imported_at", "str", False, "Imported at (UTC)"),
)

#: Column names, in order (geometry excluded).
PROJECT_COLUMNS: tuple[str, ...] = tuple(f.name for f in PROJECT_FIELDS)

#: The fields a mapping file can point at a column of the source (the rest are computed).
MAPPABLE_FIELDS: tuple[str, ...] = (
    "project_id", "name", "agency", "county", "category", "cost", "start_year", "end_year",
    "status", "funding_source", "description",
)  # fmt: skip

KEY: tuple[str, str] = ("agency", "project_id")

#: Project categories, in legend order.
CATEGORIES: tuple[str, ...] = (
    "transportation",
    "rail",
    "water",
    "energy",
    "broadband",
    "public facilities",
    "other",
)

#: Project statuses, in the order a project goes through them.
STATUSES: tuple[str, ...] = ("planned", "programmed", "under construction", "complete")

#: Words agencies use, normalised (lower case, single spaces) -> category.
CATEGORY_SYNONYMS: Mapping[str, str] = {
    **{w: "transportation" for w in (
        "transportation", "transport", "road", "roads", "roadway", "street", "streets", "highway",
        "highways", "freeway", "interchange", "bridge", "bridges", "transit", "bus", "bike",
        "bicycle", "pedestrian", "bike ped", "bike/ped", "active transportation", "trail",
        "airport", "aviation", "port", "freight", "goods movement", "local streets and roads",
        "state highway", "safety",
    )},
    **{w: "rail" for w in (
        "rail", "railroad", "railway", "high speed rail", "high-speed rail", "hsr", "passenger rail",
        "commuter rail", "intercity rail", "light rail", "rail station", "station", "stations",
        "freight rail",
    )},
    **{w: "water" for w in (
        "water", "wastewater", "waste water", "sewer", "stormwater", "storm water", "storm drain",
        "drainage", "flood", "flood control", "groundwater", "recharge", "irrigation", "canal",
        "drinking water", "water supply", "water quality", "levee",
    )},
    **{w: "energy" for w in (
        "energy", "power", "electric", "electricity", "electrical", "solar", "wind", "transmission",
        "substation", "natural gas", "gas", "renewable energy", "ev charging", "utilities",
        "utility",
    )},
    **{w: "broadband" for w in (
        "broadband", "internet", "fiber", "fibre", "fiber optic", "telecom", "telecommunications",
        "wireless", "communications",
    )},
    **{w: "public facilities" for w in (
        "public facilities", "public facility", "facility", "facilities", "public building",
        "public buildings", "building", "civic", "civic center", "school", "schools", "library",
        "hospital", "clinic", "health", "park", "parks", "recreation", "community center",
        "fire station", "police", "public safety", "courthouse", "housing",
    )},
    "other": "other",
    "misc": "other",
    "miscellaneous": "other",
}  # fmt: skip

#: Words agencies use, normalised -> status.
STATUS_SYNONYMS: Mapping[str, str] = {
    **{w: "planned" for w in (
        "planned", "plan", "proposed", "concept", "conceptual", "future", "unfunded", "study",
        "planning", "long range", "vision", "identified",
    )},
    **{w: "programmed" for w in (
        "programmed", "funded", "design", "in design", "engineering", "environmental",
        "approved", "scheduled", "pre construction", "preconstruction", "right of way",
        "ready to list", "advertised", "awarded",
    )},
    **{w: "under construction" for w in (
        "under construction", "construction", "in construction", "in progress", "underway",
        "under way", "active", "building", "ongoing", "started",
    )},
    **{w: "complete" for w in (
        "complete", "completed", "done", "finished", "built", "open", "opened", "in service",
        "operational", "closed out", "closeout",
    )},
}  # fmt: skip


_SEPARATORS = re.compile(r"[_\-]+")
_SPACES = re.compile(r"\s+")


def normalize_word(value: str) -> str:
    """Lower case, ``_`` and ``-`` as spaces, single spaces.

    >>> normalize_word("  Under_Construction ")
    'under construction'
    """
    return _SPACES.sub(" ", _SEPARATORS.sub(" ", str(value))).strip().lower()


def empty_projects() -> gpd.GeoDataFrame:
    """An inventory with no projects (the schema's columns and dtypes).

    >>> list(empty_projects().columns)[:3]
    ['agency', 'project_id', 'name']
    """
    frame = pd.DataFrame({f.name: pd.Series(dtype=_pandas_dtype(f.dtype)) for f in PROJECT_FIELDS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=settings.WEB_CRS), crs=settings.WEB_CRS)


def _pandas_dtype(dtype: str) -> str:
    return {"str": "str", "float": "float64", "Int64": "Int64"}[dtype]


def conform_projects(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Put an inventory in schema order and dtypes (text as ``str``, "" for missing).

    Extra columns are dropped, missing optional columns are added empty.

    Parameters
    ----------
    gdf
        Projects with at least the key columns and a geometry with a CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`PROJECT_COLUMNS` + ``geometry`` in EPSG:4326, index 0..n-1.
    """
    out = {}
    n = len(gdf)
    for f in PROJECT_FIELDS:
        col = gdf[f.name] if f.name in gdf.columns else pd.Series([None] * n, index=gdf.index)
        if f.dtype == "str":
            obj = pd.Series(col, dtype=object)
            out[f.name] = obj.where(obj.notna(), "").astype(str).to_numpy()
        elif f.dtype == "float":
            out[f.name] = pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
        else:
            out[f.name] = pd.array(pd.to_numeric(col, errors="coerce"), dtype="Int64")
    geometry = gdf.geometry
    if geometry.crs is None:
        raise ValueError("projects need a CRS")
    if not geometry.crs.equals(settings.WEB_CRS):
        geometry = geometry.to_crs(settings.WEB_CRS)
    frame = pd.DataFrame(out)
    frame["geometry"] = geometry.to_numpy()
    for f in PROJECT_FIELDS:
        if f.dtype == "str":
            frame[f.name] = frame[f.name].astype("str")
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=settings.WEB_CRS)
