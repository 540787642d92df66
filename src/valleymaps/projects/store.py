"""Where the inventory lives: the workspace's GeoPackage or a PostGIS database.

Both stores keep the same schema (:mod:`valleymaps.projects.schema`), a
spatial index, one row per (agency, project id) and a log of imports, and
both apply an import entirely or not at all.

* :class:`~valleymaps.projects.store_gpkg.GeoPackageStore`: ``data/geo/projects.gpkg``
  in the workspace (the default; nothing to install).
* :class:`~valleymaps.projects.store_postgis.PostgisStore`: a table of a
  PostgreSQL/PostGIS database, chosen with ``--db URL`` or the environment
  variable :data:`DB_URL_ENV`.

Use :func:`open_store` to get the right one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

import geopandas as gpd
import pandas as pd

from valleymaps.projects.schema import KEY, PROJECT_COLUMNS, conform_projects
from valleymaps.workspace import Workspace

#: Environment variable holding the PostGIS URL used when ``--db`` is not given.
DB_URL_ENV = "VALLEYMAPS_DB_URL"

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


def resolve_db_url(db_url: str | None) -> str | None:
    """``db_url``, else ``$VALLEYMAPS_DB_URL``, else None (the GeoPackage)."""
    if db_url:
        return db_url
    env = os.environ.get(DB_URL_ENV, "").strip()
    return env or None


def open_store(ws: Workspace | None, *, db_url: str | None = None, table: str | None = None) -> ProjectStore:
    """The store to use: PostGIS when a URL is given (or in ``$VALLEYMAPS_DB_URL``), else the GeoPackage.

    Parameters
    ----------
    ws
        The workspace (its ``data/geo/projects.gpkg``); may be None with a database URL.
    db_url
        ``postgresql://user:password@host:port/database``.
    table
        Table name (``name`` or ``schema.name``) for PostGIS; default :data:`PROJECTS_TABLE`.
    """
    url = resolve_db_url(db_url)
    if url is not None:
        from valleymaps.projects.store_postgis import PostgisStore

        return PostgisStore(url, table=table or PROJECTS_TABLE)
    if ws is None:
        raise ValueError("open_store needs a workspace or a database URL")
    from valleymaps.projects.store_gpkg import GeoPackageStore

    return GeoPackageStore(ws.geo_dir / GPKG_NAME)


__all__ = [
    "DB_URL_ENV",
    "GPKG_NAME",
    "IMPORT_LOG_COLUMNS",
    "PROJECTS_TABLE",
    "PROJECT_COLUMNS",
    "ImportLogEntry",
    "ProjectStore",
    "UpsertResult",
    "merge_projects",
    "open_store",
    "resolve_db_url",
    "sort_projects",
]
