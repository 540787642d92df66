"""What the suitability model runs on: tables, layers and places, handed to it as arguments.

The model never opens a workspace. :mod:`valleymaps.workflows.suitability_inputs` reads,
once, everything a profile needs (the region, its tracts and counties, the cluster metrics,
the commuting flows, the project inventory, where the named layers are) into one
:class:`SuitabilityInputs`; a notebook or a test can build one from frames in memory.

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from valleymaps.suitability.layers import LayerCatalog
>>> region = gpd.GeoDataFrame({"geoid": ["06019"], "name": ["Fresno"]},
...                           geometry=[box(0, 0, 1000, 1000)], crs="EPSG:3310")
>>> inputs = SuitabilityInputs(region=region, catalog=LayerCatalog(root=None))
>>> inputs.places_at("county")["geoid"].tolist()
['06019']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from valleymaps.errors import WorkspaceError
from valleymaps.io.flows.dataset import FlowDataset
from valleymaps.suitability.flow_layers import FlowValues
from valleymaps.suitability.layers import LayerCatalog


@dataclass(frozen=True)
class LevelMetrics:
    """Cluster metrics of the employment dataset mapped at one level, and that dataset.

    Attributes
    ----------
    table
        Rows of :func:`~valleymaps.analysis.metrics.compute_cluster_metrics` (``geoid``,
        ``level``, ``cluster``, ``component``, ``lq``, ``employment`` ...).
    source
        The dataset, for map source lines ("LEHD LODES WAC (2021) (synthetic sample data)").
    """

    table: pd.DataFrame
    source: str


@dataclass(frozen=True)
class SuitabilityInputs:
    """Everything :func:`~valleymaps.suitability.model.compute_suitability` reads besides layer files.

    Attributes
    ----------
    region
        The region's counties (``geoid``, ``name``, polygons; any CRS): the grid covers their
        bounds, cells outside are excluded, and they are the county places of place factors.
    catalog
        Where named layers are (:class:`~valleymaps.suitability.layers.LayerCatalog`).
    tracts
        The region's tracts (``geoid``, ``name``, polygons), or None when none are imported.
    region_counties
        The region's county GEOIDs (for flow-derived tables).
    cluster_keys
        Keys of the clusters (to check a factor's ``cluster``).
    cluster_metrics
        Level (``"tract"``, ``"county"``) -> :class:`LevelMetrics`; a level without employment
        is absent.
    flows
        Commuting flow datasets (for ``skilled_out_commuters`` and ``resident_workers``).
    projects
        Infrastructure projects: each site gets the nearest one; None when there are none.
    zones
        Polygons to summarise suitability over (tracts), with ``zone_id``; None for none.
    zone_id
        Id column of ``zones``.
    origin
        Where the inputs come from (the workspace folder), for messages.
    clusters_source, employment_source
        Where the clusters and the employment come from, for messages.
    """

    region: gpd.GeoDataFrame
    catalog: LayerCatalog
    tracts: gpd.GeoDataFrame | None = None
    region_counties: tuple[str, ...] = ()
    cluster_keys: tuple[str, ...] = ()
    cluster_metrics: Mapping[str, LevelMetrics] = field(default_factory=dict)
    flows: tuple[FlowDataset, ...] = ()
    projects: gpd.GeoDataFrame | None = None
    zones: gpd.GeoDataFrame | None = None
    zone_id: str = "geoid"
    origin: str = "the inputs"
    clusters_source: str = "the clusters"
    employment_source: str = "the employment data"
    #: Flow-derived layers already computed from these inputs, by layer and column (the
    #: profiles of an atlas share them; see :func:`~valleymaps.suitability.places.place_values`).
    derived_flows: dict[tuple[str, str | None], FlowValues] = field(
        default_factory=dict, compare=False, repr=False
    )

    def places_at(self, level: str) -> gpd.GeoDataFrame:
        """The region's counties or tracts (``geoid``, ``name``, polygons), as given.

        Raises
        ------
        WorkspaceError
            If tracts are asked for and none were given.
        """
        if level == "county":
            return self.region[["geoid", "name", "geometry"]]
        if self.tracts is None:
            raise WorkspaceError(
                f"{self.origin} has no tracts yet (a tract-level factor needs them). "
                "Import them with 'valleymaps import tracts FILE'."
            )
        return self.tracts


__all__ = ["LevelMetrics", "SuitabilityInputs"]
