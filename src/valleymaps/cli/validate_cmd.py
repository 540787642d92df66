"""``valleymaps validate``."""

from __future__ import annotations

import click


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def validate(file: str) -> None:
    """Check FILE and print every problem found, without importing it."""
    raise click.ClickException("not implemented yet")
