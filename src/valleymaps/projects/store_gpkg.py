"""The inventory in a GeoPackage (the workspace's ``data/geo/projects.gpkg``).

Every import rewrites the file into a temporary copy that replaces the old
one only when complete (:func:`valleymaps.io.atomic.atomic_path`): a failed
import leaves the previous file untouched. Imports run one at a time: each holds
an exclusive lock (``projects.gpkg.lock``, :func:`valleymaps.io.filelock.exclusive_lock`)
from reading the file to replacing it, so two imports started together both land,
one after the other, instead of the second overwriting the first; the second says
it is waiting. The projects layer has GDAL's R-tree spatial index and a unique index
on (agency, project_id); the import log is a table beside it.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors

from valleymaps.errors import DataSourceError
from valleymaps.io.atomic import atomic_path
from valleymaps.io.filelock import exclusive_lock, lock_path
from valleymaps.io.os_errors import library_writing_into
from valleymaps.projects.gpkg_styles import style_projects_layer
from valleymaps.projects.schema import conform_projects, empty_projects
from valleymaps.projects.store_base import (
    IMPORT_LOG_COLUMNS,
    IMPORTS_SUFFIX,
    PROJECTS_TABLE,
    ImportLogEntry,
    UpsertResult,
    merge_projects,
    sort_projects,
)

log = logging.getLogger(__name__)


class GeoPackageStore:
    """Projects in a GeoPackage file.

    Parameters
    ----------
    path
        The ``.gpkg`` file (created by the first import).
    layer
        Layer of the projects; the import log is ``<layer>_imports``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = GeoPackageStore(pathlib.Path(tempfile.mkdtemp()) / "projects.gpkg")
    >>> len(store.load())
    0
    """

    def __init__(self, path: str | Path, *, layer: str = PROJECTS_TABLE):
        self.path = Path(path)
        self.layer = layer
        self.log_layer = layer + IMPORTS_SUFFIX
        self.location = str(self.path)
        self.lock_path = lock_path(self.path)

    def _layers(self) -> list[str]:
        if not self.path.is_file():
            return []
        try:
            return [str(name) for name, _ in pyogrio.list_layers(self.path)]
        except pyogrio.errors.DataSourceError as exc:
            raise DataSourceError(
                f"{self.path} is not a readable GeoPackage ({exc}). Move it aside and import the "
                "projects again."
            ) from exc

    def load(self) -> gpd.GeoDataFrame:
        """Every project (EPSG:4326), sorted by agency and project id; empty before the first import."""
        if self.layer not in self._layers():
            return empty_projects()
        gdf = pyogrio.read_dataframe(self.path, layer=self.layer)
        return sort_projects(conform_projects(gdf))

    def import_log(self) -> pd.DataFrame:
        """The imports so far, oldest first."""
        if self.log_layer not in self._layers():
            return pd.DataFrame(columns=list(IMPORT_LOG_COLUMNS))
        frame = pyogrio.read_dataframe(self.path, layer=self.log_layer, read_geometry=False)
        return pd.DataFrame(frame)[list(IMPORT_LOG_COLUMNS)]

    def upsert(self, projects: gpd.GeoDataFrame, *, log_entry: ImportLogEntry | None = None) -> UpsertResult:
        """Insert or replace ``projects`` by (agency, project id); all or nothing.

        Holds the store's lock from reading to writing: an upsert started while another
        runs waits for it (logging that it waits) and then merges into its result.

        Returns
        -------
        UpsertResult
        """
        def waiting(holder: int | None) -> None:
            by = f" (process {holder})" if holder is not None else ""
            log.warning("waiting for another import into %s to finish%s; lock file %s",
                        self.path, by, self.lock_path)

        with exclusive_lock(self.lock_path, on_wait=waiting):
            existing = self.load()
            history = self.import_log()
            merged, inserted, updated = merge_projects(existing, projects)
            if log_entry is not None:
                row = {**log_entry.__dict__, "inserted": inserted, "updated": updated}
                history = pd.concat([history, pd.DataFrame([row])], ignore_index=True)
            # GDAL and SQLite report a full disk with their own errors: one clear message instead
            with library_writing_into(self.path.parent), atomic_path(self.path) as tmp:
                self._write(tmp, merged, history)
        log.info(
            "%s: %d projects inserted, %d replaced, %d in all", self.path.name, inserted, updated, len(merged)
        )
        return UpsertResult(inserted, updated, len(merged), self.location)

    def _write(self, path: Path, merged: gpd.GeoDataFrame, history: pd.DataFrame) -> None:
        pyogrio.write_dataframe(
            merged,
            path,
            layer=self.layer,
            driver="GPKG",
            geometry_type="Unknown",
            promote_to_multi=False,
            layer_options={"SPATIAL_INDEX": "YES", "FID": "fid"},
        )
        history = history.copy()
        for col in ("n_read", "n_kept", "n_rejected", "inserted", "updated"):
            history[col] = pd.to_numeric(history[col]).astype("int64")
        for col in ("imported_at", "source", "report"):
            history[col] = history[col].fillna("").astype(str)
        if len(history):
            pyogrio.write_dataframe(history, path, layer=self.log_layer, driver="GPKG")
        with sqlite3.connect(path) as db:
            db.execute(f'CREATE UNIQUE INDEX "{self.layer}_key" ON "{self.layer}" (agency, project_id)')
        db.close()
        sources = [str(s) for s in history["source"].tolist()] if len(history) else []
        style_projects_layer(
            path, self.layer, merged, sources=sources, log_layer=self.log_layer if len(history) else None
        )
