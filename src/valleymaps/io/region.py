"""The one region reader: the workspace region's counties, tracts and employment.

Every workflow that needs the region's places or the employment dataset to map reads them
here, so that counties, tracts and the dataset chosen for a level are the same on every page.

>>> from valleymaps.workspace import init_workspace
>>> import tempfile, pathlib
>>> ws = init_workspace(pathlib.Path(tempfile.mkdtemp()) / "sjv")
>>> read_region_counties(ws)["name"].tolist()[:3]
['Fresno', 'Kern', 'Kings']
>>> load_employment(ws, "county").synthetic
True
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd

from valleymaps.employment import EmploymentDataset
from valleymaps.errors import WorkspaceError
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

#: GEOID length of each level of places.
GEOID_LENGTH = {"county": 5, "tract": 11}


def _missing_counties(ws: Workspace) -> WorkspaceError:
    return WorkspaceError(
        f"{ws.counties_path} is missing. Restore the bundled data with "
        f"'valleymaps init {ws.root} --overwrite'."
    )


def read_counties(ws: Workspace) -> gpd.GeoDataFrame:
    """Every county of the workspace's county file (the region's and its neighbours').

    Columns ``geoid`` (text), ``name`` ("Fresno"), geometry, as stored (EPSG:4326).

    Raises
    ------
    WorkspaceError
        If the workspace's county boundaries are missing.
    """
    if not ws.counties_path.is_file():
        raise _missing_counties(ws)
    counties = gpd.read_file(ws.counties_path)
    counties["geoid"] = counties["geoid"].astype(str)
    if "name" not in counties.columns:
        counties["name"] = counties["geoid"].map(ws.config.region_counties)
    return counties


def read_region_counties(
    ws: Workspace, *, crs: str | None = None, from_tracts: bool = False
) -> gpd.GeoDataFrame:
    """The region's counties: ``geoid``, ``name`` ("Fresno"), polygons.

    Parameters
    ----------
    ws
        The workspace; its ``[region] counties`` say which counties.
    crs
        Reproject to this CRS (stored in EPSG:4326).
    from_tracts
        When the county file is missing, dissolve the imported tracts into counties instead
        of refusing (the suitability model only needs the region's outline).

    Raises
    ------
    WorkspaceError
        If the county boundaries are missing (and no tracts may stand in), or hold none of the
        region's counties.
    """
    region = list(ws.config.region_counties)
    if not ws.counties_path.is_file() and from_tracts and ws.tracts_path.is_file():
        from valleymaps.io.tracts import load_tracts

        tracts = load_tracts(ws)
        tracts["geoid"] = tracts["geoid"].str[:5]
        counties = tracts[tracts["geoid"].isin(region)].dissolve(by="geoid", as_index=False)
        counties["name"] = counties["geoid"].map(ws.config.region_counties)
        log.info("no county boundaries: region built from %d counties of imported tracts", len(counties))
    else:
        counties = read_counties(ws)
        counties = counties[counties["geoid"].isin(region)]
    if counties.empty:
        raise WorkspaceError(
            f"{ws.counties_path} holds none of the region's counties ({', '.join(region)}). "
            "Check [region] counties in valleymaps.toml."
        )
    counties = counties[["geoid", "name", "geometry"]].reset_index(drop=True)
    return counties.to_crs(crs) if crs else counties


def read_region_tracts(ws: Workspace, *, crs: str | None = None) -> gpd.GeoDataFrame | None:
    """The imported tracts of the region (``geoid``, ``name``, polygons), or None when none are.

    ``name`` is the tract's name as imported (its GEOID when the file has none).
    """
    if not ws.tracts_path.is_file():
        return None
    from valleymaps.io.tracts import load_tracts

    tracts = load_tracts(ws)
    tracts = tracts[tracts["geoid"].str[:5].isin(list(ws.config.region_counties))].reset_index(drop=True)
    if "name" not in tracts:
        tracts["name"] = tracts["geoid"]
    tracts = tracts[["geoid", "name", "geometry"]]
    return tracts.to_crs(crs) if crs else tracts


def _detail(ds: EmploymentDataset) -> int:
    digits = ds.table["naics"].str.fullmatch(r"\d{2,6}")
    return int(ds.table.loc[digits, "naics"].str.len().max()) if digits.any() else 0


def choose_dataset(
    datasets: Sequence[EmploymentDataset], *, geoid_length: int, counties: Sequence[str]
) -> EmploymentDataset | None:
    """The dataset to map at one level: real before synthetic, finer NAICS detail, a source that
    counts every industry (QCEW) before one that leaves some out (CBP), then the latest.

    Parameters
    ----------
    datasets
        Employment datasets of the workspace, oldest import first.
    geoid_length
        5 for counties, 11 for tracts.
    counties
        The region's county GEOIDs.
    """
    candidates = []
    for order, ds in enumerate(datasets):
        geoids = ds.table["geoid"]
        if ((geoids.str.len() == geoid_length) & geoids.str[:5].isin(list(counties))).any():
            candidates.append((not ds.synthetic, _detail(ds), not ds.not_covered, order, ds))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[:4])[4]


def load_employment(
    ws: Workspace, level: str, *, datasets: Sequence[EmploymentDataset] | None = None
) -> EmploymentDataset | None:
    """The employment dataset mapped at *level* (``"county"`` or ``"tract"``), or None.

    *datasets* are the workspace's datasets when already read (read once per build).
    """
    from valleymaps.io.employment.store import load_datasets

    if datasets is None:
        datasets = load_datasets(ws)
    region = list(ws.config.region_counties)
    return choose_dataset(datasets, geoid_length=GEOID_LENGTH[level], counties=region)


def read_analysis_region(ws: Workspace) -> gpd.GeoDataFrame:
    """The region's counties in the analysis CRS (EPSG:3310): the suitability grid's extent.

    Built from the imported tracts when the county file is missing.
    """
    from valleymaps import settings

    return read_region_counties(ws, crs=settings.ANALYSIS_CRS, from_tracts=True)


def read_places(ws: Workspace, level: str, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """The region's counties or tracts (``geoid``, ``name``, geometry), optionally reprojected.

    Raises
    ------
    WorkspaceError
        If the level's boundaries are not in the workspace.
    """
    if level == "county":
        return read_region_counties(ws, crs=crs, from_tracts=True)
    tracts = read_region_tracts(ws, crs=crs)
    if tracts is None:
        from valleymaps.io.tracts import load_tracts

        load_tracts(ws)  # raises its WorkspaceError: no tracts imported yet, and how to import them
        raise AssertionError("unreachable")
    return tracts


def qualify_tract_names(tracts: gpd.GeoDataFrame, county_names: dict[str, str]) -> gpd.GeoDataFrame:
    """A copy of *tracts* whose ``name`` says the county: "Census Tract 1, Fresno County"."""
    tracts = tracts.copy()
    tracts["name"] = [
        f"{name}, {county_names.get(g[:5], g[:5])} County"
        for g, name in zip(tracts["geoid"], tracts["name"], strict=True)
    ]
    return tracts
