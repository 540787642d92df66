"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click


def _workspace_callback(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """The command's ``-w`` if given, else the group's (``valleymaps -w DIR build``), else ``.``."""
    if value is not None:
        return value
    parent = ctx.parent
    while parent is not None:
        given = parent.params.get("workspace_dir")
        if given is not None:
            return Path(given)
        parent = parent.parent
    return Path(".")


workspace_option = click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    callback=_workspace_callback,
    show_default="current folder",
    help="Workspace folder to act on (may also be given before the command: valleymaps -w DIR build).",
)

overwrite_option = click.option(
    "--overwrite",
    is_flag=True,
    default=False,
    help="Replace existing outputs instead of refusing.",
)

replace_option = click.option(
    "--replace",
    is_flag=True,
    default=False,
    help="Replace the data of the same name already in the workspace (without it, an import that "
    "would replace data refuses and says what is there).",
)
