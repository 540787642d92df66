"""Documented defaults that functions fall back to when an argument is ``None``.

Change a value here (or in a workspace's ``valleymaps.toml``) rather than in
the functions that use it.
"""

from __future__ import annotations

from types import MappingProxyType

#: State FIPS code of California.
STATE_FIPS: str = "06"

#: The San Joaquin Valley's eight counties: 5-character county GEOID -> name.
VALLEY_COUNTIES: MappingProxyType[str, str] = MappingProxyType(
    {
        "06019": "Fresno",
        "06029": "Kern",
        "06031": "Kings",
        "06039": "Madera",
        "06047": "Merced",
        "06077": "San Joaquin",
        "06099": "Stanislaus",
        "06107": "Tulare",
    }
)

#: Name used for the region as a whole in tables and maps.
REGION_NAME: str = "San Joaquin Valley"

#: Place GEOID used for the region in tables (not a Census code).
REGION_GEOID: str = "SJV"

#: Reference area for location quotients and shift-share: California.
REFERENCE_GEOID: str = STATE_FIPS
REFERENCE_NAME: str = "California"

#: The reference state's share of national jobs, used by the leakage model only when the
#: employment data have no national rows: national jobs by industry are then the state's
#: divided by this share. About 11% for California (BLS Current Employment Statistics, 2012
#: annual averages, roughly 14.7 of 134 million nonfarm payroll jobs; approximate). Dollars of
#: leakage scale with it; rankings by supply-demand pooling and SLQ/CILQ do not.
STATE_SHARE_OF_NATION: float = 0.11

#: Whose jobs the clusters count (``[employment] ownership``): ``"all"`` employers,
#: government included (public hospitals belong to Health and Wellness, public utilities to
#: Energy), or ``"private"`` only. Applies to sources that tell ownership (QCEW).
EMPLOYMENT_OWNERSHIP: str = "all"

#: Coordinate reference system for analysis (California Albers, metres).
ANALYSIS_CRS: str = "EPSG:3310"

#: Coordinate reference system for web maps (WGS 84 longitude/latitude).
WEB_CRS: str = "EPSG:4326"

#: Tolerance (metres, in the analysis CRS) of the coverage simplification
#: applied to tract geometry before it goes into a web page.
TRACT_SIMPLIFY_TOLERANCE_M: float = 60.0

#: Tolerance for county geometry in web pages.
COUNTY_SIMPLIFY_TOLERANCE_M: float = 250.0

#: Decimal places kept for longitude/latitude in web pages (5 is about 1 m).
WEB_COORDINATE_PRECISION: int = 5

#: Language of the atlas pages (``[atlas] lang`` in valleymaps.toml, ``valleymaps build --lang``):
#: ``"en"`` (English) or ``"es"`` (Spanish, numbers and dates as CLDR ``es_US``).
ATLAS_LANGUAGE: str = "en"

#: Default classification scheme and number of classes for choropleths.
DEFAULT_SCHEME: str = "quantiles"
DEFAULT_CLASSES: int = 5

#: Sequential (sizes) and diverging (centred) colour maps; both colour-blind
#: safe (ColorBrewer YlGnBu and PuOr, via matplotlib).
SEQUENTIAL_CMAP: str = "YlGnBu"
DIVERGING_CMAP: str = "PuOr_r"

#: Fill colour for places without data (suppressed, missing).
NO_DATA_COLOR: str = "#bdbdbd"

#: Largest suitability grid (cells) run without ``--force``: 200 million cells (the Valley at
#: 30 m has about 154 million; at 10 m 1.4 billion, at 1 m 139 billion). Above it the run
#: refuses with the cell count and the memory and disk it would need.
SUITABILITY_MAX_CELLS: int = 200_000_000

#: Rough peak memory of a suitability run per grid cell (bytes, float32 arrays); the disk a run
#: writes is about 4 bytes per cell for each factor raster, twice, and the result.
SUITABILITY_BYTES_PER_CELL: int = 12

#: Fill colour for values the employment source does not cover (crop production in County
#: Business Patterns): set apart from "no data or withheld".
NOT_COVERED_COLOR: str = "#d8cbe6"

#: Web map tiles (a light basemap that keeps the choropleth readable).
TILES: str = "Esri.WorldGrayCanvas"

#: Processes that draw an atlas's static PNGs and run its sections while the build goes on
#: (forked from the build; 1 does everything in the build process itself, as do systems
#: without ``fork``). The output is the same either way. The default is 1: a process that has
#: already used GDAL's worker threads (a notebook that ran a suitability model, a test session)
#: must not fork, or a forked worker can wait forever on a thread pool it did not inherit.
#: ``valleymaps build --workers 2`` (a fresh process) uses both cores.
BUILD_WORKERS: int = 1

#: Processes of ``valleymaps build`` run from the command line without ``--workers``: a fresh
#: process, which has used no GDAL threads before it forks, so it may use both cores of a
#: laptop (at most the machine's CPU count).
CLI_BUILD_WORKERS: int = 2

#: Where work that splits into tasks (one LODES OD file, one suitability target) runs:
#: ``None`` runs it in this process, one task after another (the default: no cluster, no
#: service). A Dask scheduler address (``"tcp://10.0.0.5:8786"``) sends the tasks to that cluster
#: (``pip install 'valleymaps[dask]'``); ``"local"`` or ``"local:N"`` starts a Dask cluster of
#: N worker processes on this machine for the run. Set per workspace with ``[compute] scheduler``
#: in ``valleymaps.toml``, per shell with ``$VALLEYMAPS_SCHEDULER``, per command with
#: ``--scheduler`` (that order of precedence, the option winning; ``--scheduler none`` forces
#: this process).
COMPUTE_SCHEDULER: str | None = None

#: Seconds to wait for a Dask scheduler to answer before saying it cannot be reached.
COMPUTE_CONNECT_TIMEOUT_S: float = 10.0

#: Times the scheduler of a ``"local"`` cluster starts a task again when the worker running it
#: dies (killed, out of memory) before the run stops with an error naming the task (a cluster of
#: your own keeps its ``distributed.scheduler.allowed-failures``, 3 by default).
COMPUTE_ALLOWED_FAILURES: int = 3

#: Also write imported flows as hive-partitioned Parquet
#: (``data/econ/flows/parquet/level=/state=/year=/dataset=/part-0.parquet``) for DuckDB or a
#: cluster to query (:mod:`valleymaps.workflows.flows_query`).
FLOWS_PARQUET: bool = True



def synthetic_notice(what: str | None = "employment") -> str:
    """Text shown on every map that draws synthetic data; ``what`` kind of figures they are not.

    >>> synthetic_notice("commuting")
    'Synthetic sample data (not real commuting figures)'
    >>> synthetic_notice(None)
    'Synthetic sample data (not real figures; the sources say which)'
    """
    if what is None:
        return "Synthetic sample data (not real figures; the sources say which)"
    return f"Synthetic sample data (not real {what} figures)"


#: Text shown on every map that draws synthetic employment data.
SYNTHETIC_NOTICE: str = synthetic_notice()


# --------------------------------------------------------------------------------------------
# Site suitability (valleymaps.suitability; short names in valleymaps.suitability.defaults)
# --------------------------------------------------------------------------------------------

#: Cell size of the analysis grid, in metres of California Albers (EPSG:3310).
SUITABILITY_RESOLUTION_M: float = 100.0

#: Cell size used by ``valleymaps build`` for the atlas pages. Coarser than
#: :data:`SUITABILITY_RESOLUTION_M` so that every shipped profile fits in a fast build;
#: run ``valleymaps suitability`` for the full-resolution rasters.
SUITABILITY_ATLAS_RESOLUTION_M: float = 250.0

#: Rows of the grid processed at a time (raster blocks are this tall).
SUITABILITY_STRIP_ROWS: int = 512

#: On a cluster, one target's factor pass is split into one task per this many grid cells (bands
#: of whole strips, mosaicked into the same rasters); ``--strips N`` sets the count.
SUITABILITY_STRIP_TASK_CELLS: int = 25_000_000

#: Folder of a workspace (relative to its root) holding the strip tasks' COG tiles while a run is
#: mosaicked (``<store>/<profile>-<fingerprint>/band-NNNN/``, see
#: :mod:`valleymaps.suitability.tiles`): the workers must see it at the same path. Removed once the
#: run succeeds; after a failure it keeps only finished bands, which a rerun reuses.
SUITABILITY_TILE_STORE: str = "scratch"

#: Tile size of the Cloud-optimised GeoTIFFs written.
SUITABILITY_BLOCK_SIZE: int = 512

#: GDAL block cache (MB): big enough for a strip of tiles of a few layers,
#: small enough to keep memory flat whatever the grid size.
SUITABILITY_GDAL_CACHE_MB: int = 128

#: Distances are computed up to this many metres; farther cells get this value.
#: A factor's transform usually reaches its floor long before.
SUITABILITY_DISTANCE_CAP_M: float = 50_000.0

#: Candidate sites are searched on cells at least this large (metres): the
#: suitability is averaged over blocks of whole cells (a block with any
#: excluded cell is excluded) so the search stays small at 30 m.
SUITABILITY_SITE_SEARCH_CELL_M: float = 100.0

#: Candidate sites: how many, their size and spacing.
SUITABILITY_SITE_COUNT: int = 10
SUITABILITY_SITE_MIN_ACRES: float = 40.0
SUITABILITY_SITE_MAX_ACRES: float = 320.0
SUITABILITY_SITE_MIN_DISTANCE_M: float = 5_000.0

#: A site split out of a large suitable area stays within this many times the
#: radius of a circle of ``max_acres`` around its best cell (1 = a disc; larger
#: lets sites follow a ridge of high suitability further).
SUITABILITY_SITE_SHAPE_FACTOR: float = 1.5

#: When a profile gives no score threshold for sites, cells in the best
#: ``SUITABILITY_SITE_TOP_PERCENT`` percent of the suitable land qualify.
SUITABILITY_SITE_TOP_PERCENT: float = 10.0

#: Sensitivity check: each weight is moved by this many points (up and down).
SUITABILITY_SENSITIVITY_POINTS: float = 10.0

#: Colour map of suitability (perceptually uniform, colour-blind safe).
SUITABILITY_COLORMAP: str = "viridis"

#: Longest side (pixels) of the suitability image drawn on web maps.
SUITABILITY_OVERLAY_MAX_PX: int = 1200

#: Longest side (pixels) of the suitability drawn on static PNG maps.
SUITABILITY_PNG_MAX_PX: int = 800

#: Square metres per acre.
SUITABILITY_M2_PER_ACRE: float = 4046.8564224
