"""A workspace whose BEA tables are the three-industry example with a hostile commodity name."""

from __future__ import annotations

from pathlib import Path

from valleymaps.analysis.io_model import example_tables
from valleymaps.io.bea import save_io_tables
from valleymaps.workspace import Workspace, init_workspace

#: The food-manufacturing commodity's title in the hostile tables.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def hostile_io_workspace(folder: Path) -> Workspace:
    """A fresh workspace (synthetic employment) with the example tables, one title hostile."""
    ws = init_workspace(folder)
    tables = example_tables()
    tables.commodity_titles[1] = HOSTILE_NAME
    save_io_tables(ws, tables)
    return ws
