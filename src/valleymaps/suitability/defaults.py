"""Defaults of the site-suitability model, by their short names.

They are documented, and changed, in :mod:`valleymaps.settings` (the ``SUITABILITY_*``
values): one settings module for the whole package. Functions fall back to these values
when an argument (or a profile key) is ``None``.
"""

from __future__ import annotations

from valleymaps import settings

RESOLUTION_M = settings.SUITABILITY_RESOLUTION_M
ATLAS_RESOLUTION_M = settings.SUITABILITY_ATLAS_RESOLUTION_M
STRIP_ROWS = settings.SUITABILITY_STRIP_ROWS
BLOCK_SIZE = settings.SUITABILITY_BLOCK_SIZE
GDAL_CACHE_MB = settings.SUITABILITY_GDAL_CACHE_MB
DISTANCE_CAP_M = settings.SUITABILITY_DISTANCE_CAP_M
SITE_SEARCH_CELL_M = settings.SUITABILITY_SITE_SEARCH_CELL_M
SITE_COUNT = settings.SUITABILITY_SITE_COUNT
SITE_MIN_ACRES = settings.SUITABILITY_SITE_MIN_ACRES
SITE_MAX_ACRES = settings.SUITABILITY_SITE_MAX_ACRES
SITE_MIN_DISTANCE_M = settings.SUITABILITY_SITE_MIN_DISTANCE_M
SITE_SHAPE_FACTOR = settings.SUITABILITY_SITE_SHAPE_FACTOR
SITE_TOP_PERCENT = settings.SUITABILITY_SITE_TOP_PERCENT
SENSITIVITY_POINTS = settings.SUITABILITY_SENSITIVITY_POINTS
COLORMAP = settings.SUITABILITY_COLORMAP
OVERLAY_MAX_PX = settings.SUITABILITY_OVERLAY_MAX_PX
PNG_MAX_PX = settings.SUITABILITY_PNG_MAX_PX
M2_PER_ACRE = settings.SUITABILITY_M2_PER_ACRE
