"""``valleymaps import``: bring user data into the workspace (filled in by the importers)."""

from __future__ import annotations

import click


@click.group("import")
def import_group() -> None:
    """Import tract boundaries or employment into the workspace."""
