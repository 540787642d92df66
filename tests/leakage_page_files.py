"""A workspace whose BEA tables are the three-industry example with a hostile commodity name."""

from __future__ import annotations

from pathlib import Path

from valleymaps.analysis.io_model import example_tables
from valleymaps.io.bea import save_io_tables
from valleymaps.workspace import Workspace, init_workspace

#: The food-manufacturing commodity's title in the hostile tables.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"

#: The agriculture cluster's name in the hostile workspace.
HOSTILE_CLUSTER = "<svg onload=alert(2)>Agri"


def hostile_io_workspace(folder: Path) -> Workspace:
    """A fresh workspace (synthetic employment) with the example tables; a commodity and a cluster
    named like HTML."""
    ws = init_workspace(folder)
    clusters = ws.clusters_path.read_text(encoding="utf-8")
    ws.clusters_path.write_text(clusters.replace('name = "Agriculture"', f'name = "{HOSTILE_CLUSTER}"', 1),
                                encoding="utf-8")
    tables = example_tables()
    tables.commodity_titles[1] = HOSTILE_NAME
    save_io_tables(ws, tables)
    return ws
