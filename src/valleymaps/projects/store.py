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

from valleymaps.projects.schema import PROJECT_COLUMNS
from valleymaps.projects.store_base import (
    GPKG_NAME,
    IMPORT_LOG_COLUMNS,
    IMPORTS_SUFFIX,
    PROJECTS_TABLE,
    ImportLogEntry,
    ProjectStore,
    UpsertResult,
    merge_projects,
    sort_projects,
)
from valleymaps.workspace import Workspace

#: Environment variable holding the PostGIS URL used when ``--db`` is not given.
DB_URL_ENV = "VALLEYMAPS_DB_URL"


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
    "IMPORTS_SUFFIX",
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
