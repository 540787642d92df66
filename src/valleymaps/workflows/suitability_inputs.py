"""Read, once, everything the suitability model needs from a workspace.

The model (:mod:`valleymaps.suitability`) never opens a workspace: it runs on a
:class:`~valleymaps.suitability.inputs.SuitabilityInputs`. This module reads one from a
workspace - the region, its tracts, the cluster metrics, the commuting flows, the project
inventory (through :func:`valleymaps.projects.store.open_store`, so a PostGIS inventory in
``$VALLEYMAPS_DB_URL`` is the one used, as by every other command), where the named layers
are - and finds a workspace's profiles and targets. Only what the profiles ask for is read:
a profile without place factors reads no employment and no flows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from valleymaps import settings
from valleymaps.employment import EmploymentDataset
from valleymaps.errors import DataSourceError, ValleymapsError
from valleymaps.io.flows.dataset import FlowDataset
from valleymaps.io.region import load_employment, read_analysis_region, read_region_tracts
from valleymaps.suitability.catalog import (
    TargetChoice,
    match_target,
    read_profiles,
    read_targets,
)
from valleymaps.suitability.inputs import LevelMetrics, SuitabilityInputs
from valleymaps.suitability.layers import LAYERS_FILE, LayerCatalog, MemoryLayer, read_layer_catalog
from valleymaps.suitability.profile import Profile, load_profile
from valleymaps.workspace import Workspace, bundled_data_dir

if TYPE_CHECKING:
    from valleymaps.workflows.cluster_data import ClusterData

log = logging.getLogger(__name__)

LayerOverrides = Mapping[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]]]

#: The layer name profiles give the project inventory (``layer = "projects"``).
PROJECTS_LAYER = "projects"

#: Place-level factor kinds: they need the region's places (and metrics or flows).
PLACE_KINDS = ("cluster_metric", "table")


def suitability_dirs(ws: Workspace | None) -> list[Path]:
    """Folders holding profiles and ``layers.toml``: the workspace's, then the shipped one."""
    dirs = []
    if ws is not None:
        dirs.append(ws.econ_dir / "suitability")
    shipped = bundled_data_dir() / "econ" / "suitability"
    if not any(d.resolve() == shipped.resolve() for d in dirs if d.exists()):
        dirs.append(shipped)
    return dirs


def layer_catalog(
    ws: Workspace | None = None,
    *,
    overrides: LayerOverrides | None = None,
    projects: MemoryLayer | None = None,
    read_projects: bool = True,
) -> LayerCatalog:
    """The layer catalogue of a workspace (or of none: only overrides and absolute paths).

    The ``projects`` layer is the workspace's inventory read through the project store
    (:func:`load_suitability_projects`: PostGIS when ``$VALLEYMAPS_DB_URL`` is set, else
    ``data/geo/projects.gpkg``), unless an override or ``layers.toml`` names a file for it.

    Parameters
    ----------
    ws
        The workspace, or None.
    overrides
        Layer name -> file(s), taking precedence over everything else.
    projects
        The project inventory when already read (the atlas's).
    read_projects
        Read the inventory through the project store when ``projects`` is not given.
    """
    from valleymaps.io.flows.store import list_flows

    if projects is None and read_projects and ws is not None:
        projects = load_suitability_projects(ws)
    return read_layer_catalog(
        ws.root if ws is not None else None,
        layer_files=[folder / LAYERS_FILE for folder in reversed(suitability_dirs(ws))],
        overrides=overrides,
        flows=list_flows(ws) if ws is not None else (),
        memory={PROJECTS_LAYER: projects} if projects is not None else None,
    )


def list_profiles(ws: Workspace | None = None) -> list[Profile]:
    """Every profile: the workspace's first, then the shipped ones, each sorted by key.

    A workspace profile replaces a shipped one with the same key, and comes
    first when both list the same target.
    """
    return read_profiles(suitability_dirs(ws))


def load_targets(ws: Workspace | None = None) -> pd.DataFrame:
    """The plan's target industries: the workspace's ``data/econ/leakage_targets.csv``, else the shipped one.

    Raises
    ------
    DataSourceError
        If neither exists.
    """
    candidates = ([ws.targets_path] if ws is not None else []) + [
        bundled_data_dir() / "econ" / "leakage_targets.csv"
    ]
    return read_targets(candidates)


def choose_target(
    target: str, *, ws: Workspace | None = None, profile_path: str | os.PathLike[str] | None = None
) -> TargetChoice:
    """Resolve a user's ``--target`` (and optional ``--profile``) to a target and its profile.

    ``target`` may be a target description (any case) or a profile key.

    Raises
    ------
    ConfigError
        If the target is unknown (the message lists close matches and every
        target) or has no profile.
    """
    if profile_path is not None:
        profile = load_profile(profile_path)
        return TargetChoice(target=target or profile.name, profile=profile)
    profiles = list_profiles(ws)
    try:
        known = load_targets(ws)["description"].dropna().tolist()
    except DataSourceError:
        known = []
    return match_target(target, profiles=profiles, known_targets=known)


def load_zones(ws: Workspace, region: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str]:
    """Tracts when imported, else the region's counties; and what they are."""
    if ws.tracts_path.is_file():
        from valleymaps.io.tracts import load_tracts

        tracts = load_tracts(ws)
        tracts = tracts[tracts["geoid"].str[:5].isin(list(ws.config.region_counties))]
        return tracts[["geoid", "name", "geometry"]].reset_index(drop=True), "tract"
    return region[["geoid", "name", "geometry"]], "county"


def load_suitability_projects(ws: Workspace) -> MemoryLayer | None:
    """The workspace's project inventory, through the project store, or None when there is none.

    PostGIS when ``$VALLEYMAPS_DB_URL`` is set, else ``data/geo/projects.gpkg``: the inventory
    every other command uses. An inventory that cannot be read is logged and left out (sites
    then get no nearest project).
    """
    from valleymaps.projects.store import GPKG_NAME, open_store, resolve_db_url

    if resolve_db_url(None) is None and not (ws.geo_dir / GPKG_NAME).is_file():
        return None
    try:
        projects = open_store(ws).load()
    except (ValleymapsError, OSError, ValueError) as exc:
        log.warning("could not read the project inventory (%s); sites get no nearest project", exc)
        return None
    log.info("project inventory: %d projects", len(projects))
    return projects_layer(projects) if len(projects) else None


def projects_layer(projects: gpd.GeoDataFrame) -> MemoryLayer:
    """The inventory as the ``projects`` layer, with where it comes from (the store in use)."""
    from valleymaps.projects.store import GPKG_NAME, resolve_db_url

    return MemoryLayer(projects, "project inventory (PostGIS)" if resolve_db_url(None) else GPKG_NAME)


def compute_level_metrics(ws: Workspace, *, tracts: bool) -> dict[str, LevelMetrics]:
    """The cluster metrics of the dataset mapped at each level (tracts only when ``tracts``).

    As the atlas computes them, for the years of ``[analysis]`` in ``valleymaps.toml`` (the atlas
    hands its own on to the suitability page instead: :func:`level_metrics`); a level without
    employment is absent.
    """
    from valleymaps.analysis.cluster_employment import aggregate_dataset_employment
    from valleymaps.analysis.metrics import compute_cluster_metrics
    from valleymaps.clusters import load_clusters
    from valleymaps.io.employment.store import load_datasets

    clusters = load_clusters(ws.clusters_path)
    datasets = load_datasets(ws)
    out: dict[str, LevelMetrics] = {}
    for level in ("tract", "county") if tracts else ("county",):
        ds = load_employment(ws, level, datasets=datasets)
        if ds is None:
            continue
        metrics = compute_cluster_metrics(
            aggregate_dataset_employment(ds, clusters, ownership=ws.config.ownership),
            region_counties=ws.config.region_counties,
            reference_geoid=ws.config.reference_geoid,
            base_year=ws.config.base_year,
            end_year=ws.config.end_year,
        )
        out[level] = LevelMetrics(metrics[metrics["level"] == level].reset_index(drop=True),
                                  dataset_source(ds))
    return out


def level_metrics(data: ClusterData) -> dict[str, LevelMetrics]:
    """The cluster metrics the atlas computed (:class:`ClusterData`), per level, for the model.

    The county level from the county dataset, the tract level when the atlas mapped tracts.
    """
    out: dict[str, LevelMetrics] = {}
    for level, label in (("tract", "Tract"), ("county", "County")):
        ds = data.used.get(label)
        if ds is not None:
            rows = data.metrics[data.metrics["level"] == level].reset_index(drop=True)
            out[level] = LevelMetrics(rows, dataset_source(ds))
    return out


def dataset_source(ds: EmploymentDataset) -> str:
    """An employment dataset for map source lines: "source (vintage)", marked when synthetic."""
    synthetic = " (synthetic sample data)" if ds.synthetic else ""
    return f"{ds.source} ({ds.vintage}){synthetic}"


def _needs(profiles: Sequence[Profile], catalog: LayerCatalog) -> tuple[bool, bool, bool]:
    """Whether the profiles have place factors, cluster-metric factors, tables derived from flows."""
    factors = [f for p in profiles for f in p.factors]
    places = any(f.source.kind in PLACE_KINDS for f in factors)
    metrics = any(f.source.kind == "cluster_metric" for f in factors)
    flows = any(
        f.source.kind == "table"
        and f.source.ref is not None
        and catalog.resolve(f.source.ref) is None
        and catalog.derivable(f.source.ref)
        for f in factors
    )
    return places, metrics, flows


def gather_suitability_inputs(
    ws: Workspace,
    profiles: Sequence[Profile],
    *,
    catalog: LayerCatalog | None = None,
    region: gpd.GeoDataFrame | None = None,
    cluster_metrics: Mapping[str, LevelMetrics] | None = None,
    zones: gpd.GeoDataFrame | None = None,
) -> SuitabilityInputs:
    """Everything ``profiles`` need from ``ws``, read once.

    Parameters
    ----------
    ws
        The workspace.
    profiles
        The profiles to run: only the data they ask for are read.
    catalog
        Where named layers are (default: :func:`layer_catalog` of ``ws``); its ``projects``
        layer is the project inventory each site gets the nearest project of.
    region
        The region's counties in the analysis CRS, when already read.
    cluster_metrics
        Level -> cluster metrics, when already computed (the atlas's); default: computed here
        when a profile has a cluster-metric factor.
    zones
        Polygons to summarise suitability over (see :func:`load_zones`), or None.
    """
    catalog = catalog if catalog is not None else layer_catalog(ws)
    region = region if region is not None else read_analysis_region(ws)
    need_places, need_metrics, need_flows = _needs(profiles, catalog)
    tracts = read_region_tracts(ws, crs=settings.ANALYSIS_CRS) if need_places else None
    keys: tuple[str, ...] = ()
    metrics: Mapping[str, LevelMetrics] = {}
    if need_metrics:
        from valleymaps.clusters import load_clusters

        keys = tuple(c.key for c in load_clusters(ws.clusters_path))
        metrics = (
            cluster_metrics if cluster_metrics is not None
            else compute_level_metrics(ws, tracts=tracts is not None)
        )
    flows: tuple[FlowDataset, ...] = ()
    if need_flows:
        from valleymaps.io.flows.store import load_all_flows

        flows = tuple(load_all_flows(ws))
    projects = catalog.memory.get(PROJECTS_LAYER)
    return SuitabilityInputs(
        region=region,
        catalog=catalog,
        tracts=tracts,
        region_counties=tuple(ws.config.region_counties),
        cluster_keys=keys,
        cluster_metrics=metrics,
        flows=flows,
        projects=projects.frame if projects is not None else None,
        zones=zones,
        origin=str(ws.root),
        clusters_source=str(ws.clusters_path),
        employment_source=str(ws.employment_dir),
    )


__all__ = [
    "choose_target",
    "compute_level_metrics",
    "dataset_source",
    "gather_suitability_inputs",
    "layer_catalog",
    "level_metrics",
    "list_profiles",
    "load_suitability_projects",
    "load_targets",
    "load_zones",
    "projects_layer",
    "suitability_dirs",
]
