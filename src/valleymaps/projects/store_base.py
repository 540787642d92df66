"""What both project stores share: the store protocol, the import log, table names and merging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import geopandas as gpd
import pandas as pd

from valleymaps.projects.schema import KEY, conform_projects

#: GeoPackage of the workspace (under ``data/geo/``).
GPKG_NAME = "projects.gpkg"

#: Layer (GeoPackage) or table (PostGIS) of the projects, and of the import log.
PROJECTS_TABLE = "infrastructure_projects"
IMPORTS_SUFFIX = "_imports"

#: Columns of the import log.
IMPORT_LOG_COLUMNS: tuple[str, ...] = (
    "imported_at", "source", "n_read", "n_kept", "n_rejected", "inserted", "updated", "report",
)  # fmt: skip


@dataclass(frozen=True)
class ImportLogEntry:
    """One line of a store's import log."""

    imported_at: str
    source: str
    n_read: int
    n_kept: int
    n_rejected: int
    report: str = ""


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert changed.

    Attributes
    ----------
    inserted, updated
        Projects new to the store, and projects replaced (same agency and id).
    total
        Projects in the store afterwards.
    location
        The store, for messages (a path, or a URL without password and the table).
    """

    inserted: int
    updated: int
    total: int
    location: str


class ProjectStore(Protocol):
    """What both stores offer."""

    location: str

    def upsert(self, projects: gpd.GeoDataFrame, *, log_entry: ImportLogEntry | None = None) -> UpsertResult:
        """Insert new projects and replace those with the same (agency, project id), in one transaction."""
        ...

    def load(self) -> gpd.GeoDataFrame:
        """Every project, sorted by agency and project id."""
        ...

    def import_log(self) -> pd.DataFrame:
        """The imports so far, oldest first."""
        ...


def sort_projects(projects: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Projects sorted by (agency, project id), index 0..n-1."""
    return projects.sort_values(list(KEY), kind="stable").reset_index(drop=True)


def merge_projects(
    existing: gpd.GeoDataFrame, incoming: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, int, int]:
    """Upsert ``incoming`` into ``existing`` by (agency, project id).

    Returns
    -------
    (merged, inserted, updated)
        ``merged`` is sorted by key.

    Examples
    --------
    >>> import shapely
    >>> from valleymaps.projects.schema import conform_projects
    >>> def inv(rows):
    ...     return conform_projects(gpd.GeoDataFrame(
    ...         {"agency": [r[0] for r in rows], "project_id": [r[1] for r in rows],
    ...          "name": [r[2] for r in rows]},
    ...         geometry=[shapely.Point(-119.8, 36.7)] * len(rows), crs="EPSG:4326"))
    >>> merged, ins, upd = merge_projects(inv([("A", "1", "old"), ("A", "2", "x")]), inv([("A", "1", "new")]))
    >>> merged["name"].tolist(), ins, upd
    (['new', 'x'], 0, 1)
    """
    incoming = conform_projects(incoming)
    existing = conform_projects(existing)
    new_keys = set(zip(incoming["agency"], incoming["project_id"], strict=True))
    old_keys = set(zip(existing["agency"], existing["project_id"], strict=True))
    keep_old = [k not in new_keys for k in zip(existing["agency"], existing["project_id"], strict=True)]
    parts = [p for p in (existing[keep_old], incoming) if len(p)]
    merged = pd.concat(parts, ignore_index=True) if parts else existing
    merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=existing.crs or incoming.crs)
    updated = len(new_keys & old_keys)
    return sort_projects(conform_projects(merged)), len(new_keys) - updated, updated
