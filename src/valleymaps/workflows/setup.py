"""``valleymaps init``: a new workspace with the bundled data, its flows in both stores.

:func:`~valleymaps.workspace.init_workspace` copies the bundled files (the flows as CSV, as
shipped); :func:`create_workspace` also writes their tables into the Parquet store
(:func:`~valleymaps.io.flows.store.migrate_flows_to_parquet`), so that the atlas reads every
flow dataset, bundled or imported, the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

from valleymaps.io.flows.store import migrate_flows_to_parquet
from valleymaps.workspace import Workspace, init_workspace


def create_workspace(directory: str | os.PathLike[str], *, overwrite: bool = False) -> Workspace:
    """Create a workspace at ``directory`` holding the bundled data, flows also in the Parquet store.

    Parameters
    ----------
    directory
        Folder to create (it may exist if empty).
    overwrite
        Replace the bundled files and settings of an existing workspace (imported data are kept).

    Raises
    ------
    OutputExistsError
        If ``directory`` is already a workspace and ``overwrite`` is false.
    """
    ws = init_workspace(Path(directory), overwrite=overwrite)
    migrate_flows_to_parquet(ws)
    return ws


__all__ = ["create_workspace"]
