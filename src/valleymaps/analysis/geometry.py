"""Geometry checks and repairs.

They live in :mod:`valleymaps.core.geometry` (the tract reader repairs geometries at the
import boundary, and ``io`` does not import ``analysis``); the names stay importable here.
"""

from __future__ import annotations

from valleymaps.core.geometry import find_missing_geometries, repair_polygons

__all__ = ["find_missing_geometries", "repair_polygons"]
