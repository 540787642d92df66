"""``valleymaps init``."""

from __future__ import annotations

from pathlib import Path

import click

from valleymaps.cli.options import overwrite_option
from valleymaps.workflows.setup import create_workspace


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@overwrite_option
def init(directory: Path, overwrite: bool) -> None:
    """Create a workspace in DIRECTORY holding the bundled data.

    The workspace gets data/geo/ (California counties), data/econ/ (cluster
    definitions, target industries, a synthetic employment sample) and
    outputs/maps/. Example: valleymaps init my-valley
    """
    ws = create_workspace(directory, overwrite=overwrite)
    click.echo(f"Created workspace {ws.root}")
    click.echo(f"Next: cd {directory} && valleymaps build")
