"""valleymaps: maps of the San Joaquin Valley's industry clusters, commuting and infrastructure.

The notebook API (:mod:`valleymaps.api`) returns objects; the ``valleymaps`` command does the
same work and writes files::

    >>> import valleymaps as vm
    >>> ws = vm.open_workspace(".")                                     # doctest: +SKIP
    >>> vm.cluster_metrics(ws)                                          # doctest: +SKIP
    >>> vm.cluster_map(ws, "agriculture", metric="lq", level="county")  # doctest: +SKIP
    >>> vm.build_atlas(ws)                                              # doctest: +SKIP

``import valleymaps`` stays light: the API's modules (pandas, folium, rasterio ...) are
imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from valleymaps._version import __version__
from valleymaps.workspace import Workspace, init_workspace

if TYPE_CHECKING:
    from valleymaps.api import (
        Atlas,
        Flows,
        Raster,
        Suitability,
        build_atlas,
        cluster_map,
        cluster_metrics,
        flow_map,
        flows,
        load_projects,
        open_workspace,
        run_suitability,
    )

#: Names of :mod:`valleymaps.api` served from the package, imported on first use.
_API = (
    "Atlas",
    "Flows",
    "Raster",
    "Suitability",
    "build_atlas",
    "cluster_map",
    "cluster_metrics",
    "flow_map",
    "flows",
    "open_workspace",
    "load_projects",
    "run_suitability",
)


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module("valleymaps.api"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'valleymaps' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = [
    "Atlas",
    "Flows",
    "Raster",
    "Suitability",
    "Workspace",
    "__version__",
    "build_atlas",
    "cluster_map",
    "cluster_metrics",
    "flow_map",
    "flows",
    "init_workspace",
    "load_projects",
    "open_workspace",
    "run_suitability",
]
