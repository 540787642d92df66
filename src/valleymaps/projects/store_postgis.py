"""The inventory in a PostgreSQL/PostGIS database (the region's shared store).

The table has the project schema, ``geom geometry(Geometry, 4326)`` with a
GiST index, the primary key (agency, project_id) and CHECK constraints for
categories, statuses, years and costs, so other programs writing to it keep
the rules too. An import copies the projects (geometries as WKB) into a
temporary table and upserts them with ``INSERT ... ON CONFLICT`` inside one
transaction: a failure anywhere changes nothing.

Uses psycopg 3.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from valleymaps import settings
from valleymaps.errors import ConfigError, DataSourceError
from valleymaps.projects.parse import MAX_YEAR, MIN_YEAR
from valleymaps.projects.schema import CATEGORIES, PROJECT_FIELDS, STATUSES, conform_projects, empty_projects
from valleymaps.projects.store_base import (
    IMPORT_LOG_COLUMNS,
    IMPORTS_SUFFIX,
    PROJECTS_TABLE,
    ImportLogEntry,
    UpsertResult,
    sort_projects,
)

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

_SQL_TYPES = {"str": "text", "float": "double precision", "Int64": "integer"}


def mask_url(url: str) -> str:
    """The URL without its password, for messages.

    >>> mask_url("postgresql://cog:s3cret@db.example.org:5432/region")
    'postgresql://cog:***@db.example.org:5432/region'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def split_table(table: str) -> tuple[str, str]:
    """``"schema.name"`` -> ``("schema", "name")``; a bare name is in ``public``.

    >>> split_table("cog.projects"), split_table("projects")
    (('cog', 'projects'), ('public', 'projects'))
    """
    parts = [p.strip().strip('"') for p in table.split(".")]
    if len(parts) == 1 and parts[0]:
        return "public", parts[0]
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    raise ConfigError(f"table {table!r} is not a table name; write it as name or schema.name")


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A psycopg connection, closed afterwards; connection failures become DataSourceError."""
    import psycopg

    try:
        conn = psycopg.connect(url, connect_timeout=15)
    except psycopg.Error as exc:
        raise DataSourceError(
            f"cannot connect to {mask_url(url)}: {str(exc).strip()}. Check the URL (--db or "
            "VALLEYMAPS_DB_URL: postgresql://user:password@host:port/database) and that the server runs."
        ) from exc
    except Exception as exc:  # malformed URL
        raise DataSourceError(f"{mask_url(url)} is not a usable database URL ({exc}).") from exc
    try:
        yield conn
    finally:
        conn.close()


def _columns_ddl() -> str:
    lines = []
    for f in PROJECT_FIELDS:
        sql_type = _SQL_TYPES[f.dtype]
        if f.dtype == "str":
            line = f"{f.name} text NOT NULL DEFAULT ''"
            if f.required:
                line += f" CHECK ({f.name} <> '')"
        else:
            line = f"{f.name} {sql_type}"
        lines.append(line)
    cats = ", ".join(f"'{c}'" for c in CATEGORIES)
    stats = ", ".join(f"'{s}'" for s in STATUSES)
    lines += [
        "geom geometry(Geometry, 4326) NOT NULL",
        "PRIMARY KEY (agency, project_id)",
        f"CHECK (category IN ({cats}))",
        f"CHECK (status IN ({stats}))",
        "CHECK (cost_usd IS NULL OR cost_usd >= 0)",
        f"CHECK (start_year IS NULL OR start_year BETWEEN {MIN_YEAR} AND {MAX_YEAR})",
        f"CHECK (end_year IS NULL OR end_year BETWEEN {MIN_YEAR} AND {MAX_YEAR})",
        "CHECK (start_year IS NULL OR end_year IS NULL OR end_year >= start_year)",
    ]
    return ",\n  ".join(lines)


class PostgisStore:
    """Projects in a PostGIS table.

    Parameters
    ----------
    url
        ``postgresql://user:password@host:port/database``.
    table
        ``name`` or ``schema.name`` (default ``public.infrastructure_projects``);
        the import log is ``<name>_imports`` in the same schema.
    """

    def __init__(self, url: str, *, table: str = PROJECTS_TABLE):
        self.url = url
        self.schema, self.table = split_table(table)
        self.location = f"{mask_url(url)} (table {self.schema}.{self.table})"

    # --- SQL pieces ---------------------------------------------------------------------
    def _ident(self, suffix: str = "") -> Any:
        from psycopg import sql

        return sql.Identifier(self.schema, self.table + suffix)

    def _exists(self, conn: psycopg.Connection[Any], suffix: str = "") -> bool:
        row = conn.execute("SELECT to_regclass(%s)", (f'"{self.schema}"."{self.table + suffix}"',)).fetchone()
        return bool(row and row[0])

    def ensure_table(self, conn: psycopg.Connection[Any]) -> None:
        """Create PostGIS (if allowed), the schema, the tables and the spatial index when missing."""
        import psycopg
        from psycopg import sql

        has_postgis = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
        if not has_postgis:
            try:
                with conn.transaction():
                    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.Error as exc:
                raise DataSourceError(
                    f"{mask_url(self.url)} has no PostGIS and it cannot be added here ({str(exc).strip()}). "
                    "Ask the database's administrator to run CREATE EXTENSION postgis."
                ) from exc
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
        conn.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (\n  " + _columns_ddl() + "\n)").format(self._ident())
        )
        conn.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING GIST (geom)").format(
                sql.Identifier(self.table + "_geom_idx"), self._ident()
            )
        )
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id serial PRIMARY KEY, imported_at text NOT NULL, "
                "source text NOT NULL, n_read integer NOT NULL, n_kept integer NOT NULL, "
                "n_rejected integer NOT NULL, inserted integer NOT NULL, updated integer NOT NULL, "
                "report text NOT NULL DEFAULT '')"
            ).format(self._ident(IMPORTS_SUFFIX))
        )
        self._check_columns(conn)

    def _check_columns(self, conn: psycopg.Connection[Any]) -> None:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
            (self.schema, self.table),
        ).fetchall()
        have = {r[0] for r in rows}
        missing = [f.name for f in PROJECT_FIELDS if f.name not in have] + (
            ["geom"] if "geom" not in have else []
        )
        if missing:
            raise DataSourceError(
                f"{self.location} exists but lacks the columns {', '.join(missing)}: it is not a valleymaps "
                "project table. Use another table (--db-table NAME)."
            )

    # --- reading --------------------------------------------------------------------------
    def load(self) -> gpd.GeoDataFrame:
        """Every project, sorted by agency and project id; empty if the table does not exist yet."""
        from psycopg import sql

        names = [f.name for f in PROJECT_FIELDS]
        with connect(self.url) as conn:
            if not self._exists(conn):
                return empty_projects()
            rows = conn.execute(
                sql.SQL("SELECT {}, ST_AsBinary(geom) FROM {} ORDER BY agency, project_id").format(
                    sql.SQL(", ").join(sql.Identifier(n) for n in names), self._ident()
                )
            ).fetchall()
        if not rows:
            return empty_projects()
        frame = pd.DataFrame([r[:-1] for r in rows], columns=names)
        geoms = shapely.from_wkb([bytes(r[-1]) for r in rows])
        gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=settings.WEB_CRS)
        return sort_projects(conform_projects(gdf))

    def import_log(self) -> pd.DataFrame:
        """The imports so far, oldest first."""
        from psycopg import sql

        with connect(self.url) as conn:
            if not self._exists(conn, IMPORTS_SUFFIX):
                return pd.DataFrame(columns=list(IMPORT_LOG_COLUMNS))
            rows = conn.execute(
                sql.SQL("SELECT {} FROM {} ORDER BY id").format(
                    sql.SQL(", ").join(sql.Identifier(c) for c in IMPORT_LOG_COLUMNS),
                    self._ident(IMPORTS_SUFFIX),
                )
            ).fetchall()
        return pd.DataFrame(rows, columns=list(IMPORT_LOG_COLUMNS))

    # --- writing --------------------------------------------------------------------------
    def upsert(self, projects: gpd.GeoDataFrame, *, log_entry: ImportLogEntry | None = None) -> UpsertResult:
        """Insert or replace ``projects`` by (agency, project id) in one transaction.

        Raises
        ------
        DataSourceError
            If the database refuses any row (nothing is changed then).
        """
        import psycopg
        from psycopg import sql

        projects = conform_projects(projects)
        names = [f.name for f in PROJECT_FIELDS]
        wkb = shapely.to_wkb(projects.geometry.to_numpy(), output_dimension=2)
        records = _records(projects, names)
        with connect(self.url) as conn:
            try:
                with conn.transaction():
                    self.ensure_table(conn)
                    conn.execute(
                        sql.SQL(
                            "CREATE TEMP TABLE vm_incoming (LIKE {} INCLUDING DEFAULTS, wkb bytea) "
                            "ON COMMIT DROP"
                        ).format(self._ident())
                    )
                    conn.execute("ALTER TABLE vm_incoming DROP COLUMN geom")
                    cols = sql.SQL(", ").join(sql.Identifier(n) for n in names)
                    with conn.cursor().copy(
                        sql.SQL("COPY vm_incoming ({}, wkb) FROM STDIN").format(cols)
                    ) as copy:
                        for rec, geom in zip(records, wkb, strict=True):
                            copy.write_row((*rec, geom))
                    updates = sql.SQL(", ").join(
                        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(n), sql.Identifier(n))
                        for n in [*names, "geom"]
                        if n not in ("agency", "project_id")
                    )
                    flags = conn.execute(
                        sql.SQL(
                            "INSERT INTO {} ({}, geom) SELECT {}, ST_GeomFromWKB(wkb, 4326) FROM vm_incoming "
                            "ON CONFLICT (agency, project_id) DO UPDATE SET {} RETURNING (xmax = 0)"
                        ).format(self._ident(), cols, cols, updates)
                    ).fetchall()
                    inserted = sum(1 for (f,) in flags if f)
                    updated = len(flags) - inserted
                    if log_entry is not None:
                        conn.execute(
                            sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                                self._ident(IMPORTS_SUFFIX),
                                sql.SQL(", ").join(sql.Identifier(c) for c in IMPORT_LOG_COLUMNS),
                                sql.SQL(", ").join(sql.Placeholder() for _ in IMPORT_LOG_COLUMNS),
                            ),
                            (
                                log_entry.imported_at,
                                log_entry.source,
                                log_entry.n_read,
                                log_entry.n_kept,
                                log_entry.n_rejected,
                                inserted,
                                updated,
                                log_entry.report,
                            ),
                        )
                    total_row = conn.execute(
                        sql.SQL("SELECT count(*) FROM {}").format(self._ident())
                    ).fetchone()
            except psycopg.Error as exc:
                raise DataSourceError(
                    f"the import into {self.location} failed and nothing was changed: {str(exc).strip()}"
                ) from exc
        total = int(total_row[0]) if total_row else 0
        log.info("%s: %d projects inserted, %d replaced, %d in all", self.location, inserted, updated, total)
        return UpsertResult(inserted, updated, total, self.location)


def _records(projects: gpd.GeoDataFrame, names: list[str]) -> list[tuple[Any, ...]]:
    """Rows as Python values for COPY (None for missing numbers)."""
    columns = []
    for f in PROJECT_FIELDS:
        col = projects[f.name]
        if f.dtype == "str":
            columns.append(col.astype(str).tolist())
        elif f.dtype == "float":
            values = col.to_numpy(dtype=float)
            columns.append([None if not np.isfinite(v) else float(v) for v in values])
        else:
            columns.append([None if pd.isna(v) else int(v) for v in col])
    return list(zip(*columns, strict=True)) if columns and len(projects) else []
