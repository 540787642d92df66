"""Documented defaults of the site-suitability model.

Functions fall back to these values when an argument (or a profile key) is
``None``; change them here rather than in the functions that use them.
"""

from __future__ import annotations

#: Cell size of the analysis grid, in metres of California Albers (EPSG:3310).
RESOLUTION_M: float = 100.0

#: Cell size used by ``valleymaps build`` for the atlas pages. Coarser than
#: :data:`RESOLUTION_M` so that every shipped profile fits in a fast build;
#: run ``valleymaps suitability`` for the full-resolution rasters.
ATLAS_RESOLUTION_M: float = 250.0

#: Rows of the grid processed at a time (raster blocks are this tall).
STRIP_ROWS: int = 512

#: Tile size of the Cloud-optimised GeoTIFFs written.
BLOCK_SIZE: int = 512

#: GDAL block cache (MB): big enough for a strip of tiles of a few layers,
#: small enough to keep memory flat whatever the grid size.
GDAL_CACHE_MB: int = 128

#: Distances are computed up to this many metres; farther cells get this value.
#: A factor's transform usually reaches its floor long before.
DISTANCE_CAP_M: float = 50_000.0

#: Candidate sites are searched on cells at least this large (metres): the
#: suitability is averaged over blocks of whole cells (a block with any
#: excluded cell is excluded) so the search stays small at 30 m.
SITE_SEARCH_CELL_M: float = 100.0

#: Candidate sites: how many, their size and spacing.
SITE_COUNT: int = 10
SITE_MIN_ACRES: float = 40.0
SITE_MAX_ACRES: float = 320.0
SITE_MIN_DISTANCE_M: float = 5_000.0

#: A site split out of a large suitable area stays within this many times the
#: radius of a circle of ``max_acres`` around its best cell (1 = a disc; larger
#: lets sites follow a ridge of high suitability further).
SITE_SHAPE_FACTOR: float = 1.5

#: When a profile gives no score threshold for sites, cells in the best
#: ``SITE_TOP_PERCENT`` percent of the suitable land qualify.
SITE_TOP_PERCENT: float = 10.0

#: Sensitivity check: each weight is moved by this many points (up and down).
SENSITIVITY_POINTS: float = 10.0

#: Colour map of suitability (perceptually uniform, colour-blind safe).
COLORMAP: str = "viridis"

#: Longest side (pixels) of the suitability image drawn on web maps.
OVERLAY_MAX_PX: int = 1200

#: Longest side (pixels) of the suitability drawn on static PNG maps.
PNG_MAX_PX: int = 800

#: Square metres per acre.
M2_PER_ACRE: float = 4046.8564224
