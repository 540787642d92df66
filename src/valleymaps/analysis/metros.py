"""Metro roll-up: counties grouped into Core Based Statistical Areas.

The data type lives in :mod:`valleymaps.core.metros` (the delineation reader in ``io``
builds it, so it sits below both); its names stay importable from here.
"""

from __future__ import annotations

from valleymaps.core.metros import (
    DELINEATION_URL,
    METRO_PREFIX,
    NO_DELINEATION,
    REST_PREFIX,
    TABLE_COLUMNS,
    MetroAreas,
    is_metro_key,
)

__all__ = [
    "DELINEATION_URL",
    "METRO_PREFIX",
    "NO_DELINEATION",
    "REST_PREFIX",
    "TABLE_COLUMNS",
    "MetroAreas",
    "is_metro_key",
]
