"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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

scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run the work's tasks (one per LODES OD file, one per suitability target) on the Dask "
    "cluster whose scheduler is at ADDRESS (tcp://HOST:8786; 'local' starts one on this machine; "
    "needs pip install 'valleymaps[dask]'). Worth it for many files or targets, or grids too big "
    "for this machine; the results are the same. Default: $VALLEYMAPS_SCHEDULER, else [compute] "
    "scheduler in valleymaps.toml, else this process ('none' forces it). Workers must see the "
    "workspace and the input files at the same paths.",
)


def open_executor(scheduler: str | None, configured: str | None) -> Any:
    """The executor for ``--scheduler`` (or the environment, or ``[compute] scheduler``); says
    where the tasks run when that is not this process."""
    from valleymaps.compute import get_executor

    executor = get_executor(scheduler, configured=configured)
    if executor.distributed:
        click.echo(f"Tasks run on the {executor.description}")
    return executor

def _lang_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The language code of ``--lang``; an unknown language is refused before anything is done."""
    if value is None:
        return None
    from valleymaps.i18n import resolve_language

    return resolve_language(value)


lang_option = click.option(
    "--lang",
    default=None,
    metavar="LANG",
    callback=_lang_callback,
    help="Language of the pages: en (English) or es (Spanish, numbers as es-US) "
    "(default: [atlas] lang in valleymaps.toml, else en). Messages on screen and CSV contents stay English.",
)

#: ``--cache-dir`` of the commands that write pages with ``--offline``.
offline_cache_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Download cache holding the assets of --offline (default: $VALLEYMAPS_CACHE_DIR, else the "
    "platform cache folder).",
)
