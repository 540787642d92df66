"""Infrastructure project inventories: import, check, store, summarise.

Modules by concern:

* :mod:`~valleymaps.projects.schema`: the inventory's columns, categories and statuses;
* :mod:`~valleymaps.projects.mapping`: column mappings (TOML) adapting any agency's headers;
* :mod:`~valleymaps.projects.parse`: costs ("$1.2M"), years, statuses, categories, coordinates;
* :mod:`~valleymaps.projects.read`: CSV, Excel, GeoJSON, GeoPackage, shapefile, PostGIS sources;
* :mod:`~valleymaps.projects.validate`: row-by-row checks, problems with row numbers and reasons
  (:mod:`~valleymaps.projects.problems`: reason codes; :mod:`~valleymaps.projects.locate`: outside
  the region, swapped or mis-signed coordinates);
* :mod:`~valleymaps.projects.report`: the report of bad rows;
* :mod:`~valleymaps.projects.store` (``store_gpkg``, ``store_postgis``): GeoPackage or PostGIS;
* :mod:`~valleymaps.projects.importer`: the whole import in one call;
* :mod:`~valleymaps.projects.overlay` and :mod:`~valleymaps.projects.summary`: investment by
  place, projects near a site; :mod:`~valleymaps.workflows.project_inputs`: the places, jobs and resident
  workers (from the commuting flows) summaries divide by;
* :mod:`~valleymaps.projects.export`: CSV/GeoPackage/GeoJSON output;
* :mod:`~valleymaps.workflows.projects_pages`: the atlas pages, and the projects laid over the
  cluster and flow pages.

Maps are drawn by :mod:`valleymaps.render.projects_map` and :mod:`valleymaps.render.investment_map`.

Examples
--------
>>> from valleymaps.projects import parse_cost
>>> parse_cost("$1.2M")
1200000.0
"""

from valleymaps.projects.export import export_projects, export_summary
from valleymaps.projects.importer import ImportResult, import_projects
from valleymaps.projects.mapping import ColumnMapping, load_mapping
from valleymaps.projects.parse import parse_cost, parse_year
from valleymaps.projects.read import RawTable, read_project_source
from valleymaps.projects.schema import CATEGORIES, PROJECT_COLUMNS, STATUSES
from valleymaps.projects.store import open_store
from valleymaps.projects.summary import filter_projects, projects_near, summarize_investment
from valleymaps.projects.validate import RowProblem, ValidationResult, validate_projects

__all__ = [
    "CATEGORIES",
    "PROJECT_COLUMNS",
    "STATUSES",
    "ColumnMapping",
    "ImportResult",
    "RawTable",
    "RowProblem",
    "ValidationResult",
    "export_projects",
    "export_summary",
    "filter_projects",
    "import_projects",
    "load_mapping",
    "open_store",
    "parse_cost",
    "parse_year",
    "projects_near",
    "read_project_source",
    "summarize_investment",
    "validate_projects",
]
