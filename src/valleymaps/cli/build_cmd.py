"""``valleymaps build``."""

from __future__ import annotations

import click


@click.command()
def build() -> None:
    """Build the atlas in outputs/maps/."""
    raise click.ClickException("not implemented yet")
