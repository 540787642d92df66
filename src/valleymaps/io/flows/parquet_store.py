"""Flows also as a hive-partitioned Parquet store that a cluster (or DuckDB) can share.

Beside the CSV store (:mod:`valleymaps.io.flows.store`), every saved dataset writes one Parquet
file per level::

    data/econ/flows/parquet/level=county/state=ca/year=2021/dataset=ca_od_2021_jt00/part-0.parquet

``state`` is the LODES states read (``ca``, ``ca+nv``; ``us`` for ACS's national table),
``year`` the last year of the vintage (``2013`` for ACS 2009–2013). The files hold the flow
table as saved: ``h_geoid``, ``w_geoid`` (text), ``workers``, ``workers_moe`` and the segment
columns. A query over many years or states reads only the partitions it names (see
:mod:`valleymaps.workflows.flows_query`); on a cluster the folder goes on a shared file system
or object store. Each file is written atomically; a dataset saved again replaces its own
partitions and no other's.

:func:`~valleymaps.io.flows.store.load_flows` (what the atlas and every other consumer read)
takes a dataset's tables from here when the store holds them whole
(:func:`read_flows_parquet`), and from the CSV store otherwise (a workspace imported before the
Parquet store existed; :func:`~valleymaps.io.flows.store.migrate_flows_to_parquet` adds them).
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pandas as pd

from valleymaps.io.atomic import atomic_path
from valleymaps.io.flows.dataset import FlowDataset
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

#: Folder of the store under ``data/econ/flows``.
PARQUET_FOLDER = "parquet"


def parquet_dir(ws: Workspace) -> Path:
    """``data/econ/flows/parquet`` of a workspace."""
    return ws.econ_dir / "flows" / PARQUET_FOLDER


def partition_values(dataset: FlowDataset) -> tuple[str, str]:
    """The ``state`` and ``year`` partition values of a dataset.

    >>> import pandas as pd
    >>> partition_values(FlowDataset("acs", "acs-county", "ACS", "2009–2013", {}))
    ('us', '2013')
    >>> partition_values(FlowDataset("od", "lodes-od", "LODES", "2021", {}, states=("ca", "nv")))
    ('ca+nv', '2021')
    """
    state = "+".join(sorted(dataset.states)) if dataset.states else "us"
    years = re.findall(r"\d{4}", dataset.vintage or "")
    return state, years[-1] if years else "unknown"


def dataset_partitions(root: Path, name: str) -> list[Path]:
    """The partition folders of dataset ``name`` under ``root`` (any level, state, year)."""
    return sorted(p for p in root.glob(f"level=*/state=*/year=*/dataset={name}") if p.is_dir())


#: Key of the Parquet files' metadata holding the id of the save that wrote them.
SAVE_ID_KEY = b"valleymaps:save_id"


def write_flows_parquet(ws: Workspace, dataset: FlowDataset, *, save_id: str | None = None) -> list[Path]:
    """Write ``dataset``'s tables into the Parquet store, replacing its earlier partitions.

    ``save_id`` is written into each file's metadata; the CSV store's sidecar names it too, so that
    a reader takes the files of that save only (:func:`find_flows_parquet`).

    Returns
    -------
    list of pathlib.Path
        The Parquet files written, one per level.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = parquet_dir(ws)
    state, year = partition_values(dataset)
    written = []
    for level, table in sorted(dataset.tables.items()):
        folder = root / f"level={level}" / f"state={state}" / f"year={year}" / f"dataset={dataset.name}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "part-0.parquet"
        frame = table.astype({"h_geoid": "str", "w_geoid": "str"})
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        if save_id is not None:
            arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), SAVE_ID_KEY: save_id})
        with atomic_path(path) as tmp:
            pq.write_table(arrow, tmp, compression="zstd")
        written.append(path)
    keep = {p.parent for p in written}
    for stale in dataset_partitions(root, dataset.name):
        if stale not in keep:  # the dataset's earlier state, year or level
            shutil.rmtree(stale)
    log.info("flows %s in the Parquet store: %s", dataset.name,
             ", ".join(f"level={p.parent.parent.parent.parent.name[6:]}" for p in written))
    return written


def dataset_file(root: Path, name: str, level: str) -> Path | None:
    """The Parquet file of dataset ``name`` at ``level`` under ``root``, or None (none, or several)."""
    files = sorted(root.glob(f"level={level}/state=*/year=*/dataset={name}/part-0.parquet"))
    return files[0] if len(files) == 1 else None


def find_flows_parquet(ws: Workspace, name: str, level: str, *, save_id: str | None,
                       rows: int | None = None) -> Path | None:
    """The Parquet file of dataset ``name``'s table at ``level`` when the store holds it whole.

    None when it does not: no ``save_id`` (a dataset saved before the store existed, or with
    :data:`~valleymaps.settings.FLOWS_PARQUET` off), no file, several, one that cannot be read,
    one written by another save than ``save_id`` (the sidecar's ``parquet_id``), or one with
    another number of rows than ``rows`` (what the sidecar counts).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = dataset_file(parquet_dir(ws), name, level)
    if path is None or save_id is None:
        return None
    try:
        metadata = pq.ParquetFile(path).metadata
        found, written_by = metadata.num_rows, (metadata.metadata or {}).get(SAVE_ID_KEY, b"").decode()
    except (OSError, UnicodeDecodeError, pa.ArrowException) as exc:
        log.warning("flows %s: cannot read %s (%s); reading the CSV store", name, path, exc)
        return None
    if written_by != save_id:
        log.warning("flows %s: %s was not written with the CSV store's tables; reading those", name, path)
        return None
    if rows is not None and found != rows:
        log.warning("flows %s: %s has %d rows, the sidecar says %d; reading the CSV store",
                    name, path, found, rows)
        return None
    return path


def read_flows_parquet(ws: Workspace, name: str, level: str, *, save_id: str | None,
                       rows: int | None = None) -> tuple[Path, pd.DataFrame] | None:
    """Dataset ``name``'s table at ``level`` from the Parquet store, and its file; None when the
    store does not hold it whole (:func:`find_flows_parquet`).

    The frame is the one the CSV store gives: GEOIDs as text, counts as ``int64``.
    """
    import pyarrow.parquet as pq

    path = find_flows_parquet(ws, name, level, save_id=save_id, rows=rows)
    if path is None:
        return None
    table = pq.ParquetFile(path).read().to_pandas()
    # the counts as the CSV store gives them (int64 there, whatever width the import summed in)
    wide = {c: "int64" for c in table.columns if pd.api.types.is_integer_dtype(table[c].dtype)}
    return path, table.astype(wide)


def remove_flows_parquet(ws: Workspace, name: str) -> list[Path]:
    """Remove dataset ``name``'s partitions from the store (saved without them: none goes stale)."""
    stale = dataset_partitions(parquet_dir(ws), name)
    for folder in stale:
        shutil.rmtree(folder)
    return stale


__all__ = [
    "PARQUET_FOLDER",
    "SAVE_ID_KEY",
    "dataset_file",
    "dataset_partitions",
    "find_flows_parquet",
    "parquet_dir",
    "partition_values",
    "read_flows_parquet",
    "remove_flows_parquet",
    "write_flows_parquet",
]
