"""Site suitability for the plan's target industries: factor rasters, weighted overlay, ranked sites.

As in ArcGIS's Suitability Modeler, in the open: a profile per group of
target industries (``data/econ/suitability/*.toml``) lists factors - each a
source layer, a transform to a common 0-1 scale and a weight, the weights
adding up to 100 - constraints that exclude land, and rules for candidate
sites. Everything runs on one grid in California Albers snapped to the
region's bounds (100 m by default; 30 m works), strip by strip, so memory
stays flat whatever the resolution.

Modules, by concern:

=================== ==========================================================================
``profile``         the profile format, read and checked (:func:`load_profile`)
``catalog``         profiles and targets read from given folders, target -> profile (:func:`match_target`)
``layers``          where named layers are, reading them (:class:`LayerCatalog`)
``grid``            the analysis grid (:func:`make_grid`)
``sources``         factor sources read strip by strip: distance, raster, polygons, places
``distance``        the streamed, capped exact distance transform
``places``          tract and county values: tables, cluster metrics, within commuting reach
``flow_layers``     skilled out-commuters and resident workers from the commuting flows
``transforms``      values -> 0-1 scores: linear, inverse, gaussian, thresholds, categories
``overlay``         the weighted overlay (:func:`weighted_overlay`)
``sites``           candidate sites (:func:`find_sites`)
``site_factors``    each site's factor contributions and nearest project
``sensitivity``     rank stability with each weight moved ±10 points
``zonal``           per-tract summaries, pixel-centre rule (:func:`summarize_zones`)
``cog``             Cloud-optimised GeoTIFF writing, GDAL settings
``inputs``          what a profile runs on, handed in (:class:`SuitabilityInputs`)
``model``           one profile end to end (:func:`compute_suitability`)
``outputs``         tables, previews and page layers of a result
``defaults``        documented defaults
=================== ==========================================================================

Nothing here opens a workspace: :mod:`valleymaps.workflows.suitability_inputs` reads one into
:class:`SuitabilityInputs`, :mod:`valleymaps.workflows.suitability_run` runs a target in a
workspace and :mod:`valleymaps.workflows.suitability_pages` writes the atlas page.

The names below are importable from this package directly (loaded on first use).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_profile": "profile",
    "parse_profile": "profile",
    "Profile": "profile",
    "match_target": "catalog",
    "read_profiles": "catalog",
    "LayerCatalog": "layers",
    "SuitabilityInputs": "inputs",
    "LevelMetrics": "inputs",
    "make_grid": "grid",
    "AnalysisGrid": "grid",
    "apply_transform": "transforms",
    "weighted_overlay": "overlay",
    "find_sites": "sites",
    "check_rank_stability": "sensitivity",
    "summarize_zones": "zonal",
    "compute_suitability": "model",
    "flow_layer_values": "flow_layers",
    "drop_missing_layers": "model",
    "SuitabilityResult": "model",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"valleymaps.suitability.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'valleymaps.suitability' has no attribute {name!r}")
