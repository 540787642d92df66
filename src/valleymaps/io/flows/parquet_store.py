"""Flows also as a hive-partitioned Parquet store that a cluster (or DuckDB) can share.

Beside the CSV store (:mod:`valleymaps.io.flows.store`, which the atlas reads), every saved
dataset writes one Parquet file per level::

    data/econ/flows/parquet/level=county/state=ca/year=2021/dataset=ca_od_2021_jt00/part-0.parquet

``state`` is the LODES states read (``ca``, ``ca+nv``; ``us`` for ACS's national table),
``year`` the last year of the vintage (``2013`` for ACS 2009–2013). The files hold the flow
table as saved: ``h_geoid``, ``w_geoid`` (text), ``workers``, ``workers_moe`` and the segment
columns. A query over many years or states reads only the partitions it names (see
:mod:`valleymaps.workflows.flows_query`); on a cluster the folder goes on a shared file system
or object store. Each file is written atomically; a dataset saved again replaces its own
partitions and no other's.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

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


def write_flows_parquet(ws: Workspace, dataset: FlowDataset) -> list[Path]:
    """Write ``dataset``'s tables into the Parquet store, replacing its earlier partitions.

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
        with atomic_path(path) as tmp:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp, compression="zstd")
        written.append(path)
    keep = {p.parent for p in written}
    for stale in dataset_partitions(root, dataset.name):
        if stale not in keep:  # the dataset's earlier state, year or level
            shutil.rmtree(stale)
    log.info("flows %s in the Parquet store: %s", dataset.name,
             ", ".join(f"level={p.parent.parent.parent.parent.name[6:]}" for p in written))
    return written


__all__ = ["PARQUET_FOLDER", "dataset_partitions", "parquet_dir", "partition_values", "write_flows_parquet"]
