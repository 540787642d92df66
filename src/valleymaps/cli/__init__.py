"""The ``valleymaps`` command: a thin layer over the library API.

Each command group lives in its own module; commands parse options, call one
library function and report. Library errors become a clean message and exit
code 1, never a traceback; usage errors exit with 2.
"""

from __future__ import annotations

import importlib
import logging
import sys
import warnings
from pathlib import Path

import click

from valleymaps import __version__
from valleymaps.errors import ValleymapsError, ValleymapsWarning, cut_message

#: Each command's module and name: a command's module is imported when the command runs (or
#: ``--help`` lists it), so ``valleymaps build`` does not import what ``fetch`` needs.
_COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init_cmd", "init"),
    "import": ("import_cmd", "import_group"),
    "validate": ("validate_cmd", "validate"),
    "build": ("build_cmd", "build"),
    "fetch": ("fetch_cmd", "fetch_group"),
    "projects": ("projects_cmd", "projects_group"),
    "suitability": ("suitability_cmd", "suitability"),
    "leakage": ("leakage_cmd", "leakage"),
}

#: Subcommands of ``valleymaps import`` that live beside their own command group.
_IMPORT_SUBCOMMANDS: tuple[tuple[str, str], ...] = (
    ("projects_cmd", "import_projects_cmd"),
    ("flows_cmd", "flows"),
    ("metros_cmd", "metros"),
    ("leakage_cmd", "import_io_cmd"),
)


def _load(module: str, name: str) -> click.Command:
    command = getattr(importlib.import_module(f"valleymaps.cli.{module}"), name)
    assert isinstance(command, click.Command)
    return command


class _ValleymapsGroup(click.Group):
    """Load each command when it is used; turn library errors into a message and exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        if cmd_name not in self.commands:
            command = _load(*_COMMANDS[cmd_name])
            if cmd_name == "import" and isinstance(command, click.Group):
                for module, name in _IMPORT_SUBCOMMANDS:
                    command.add_command(_load(module, name))
            self.add_command(command, cmd_name)
        return self.commands[cmd_name]

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ValleymapsError as exc:
            click.secho(f"Error: {cut_message(str(exc))}", fg="red", err=True)
            ctx.exit(1)


@click.group(cls=_ValleymapsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="valleymaps")
@click.option("-v", "--verbose", count=True, help="Log what happens, with counts (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Workspace folder every command acts on (default: the current folder); a command's own "
    "-w wins.",
)
def cli(verbose: int, quiet: bool, workspace_dir: Path | None) -> None:
    """Maps of the San Joaquin Valley's industry clusters.

    \b
    Typical session:
      valleymaps init my-valley        # a workspace with the bundled data
      cd my-valley
      valleymaps import tracts tl_2021_06_tract.zip
      valleymaps import employment cbp21co.txt --format cbp
      valleymaps build                 # writes outputs/maps/index.html
    """
    level = logging.ERROR if quiet else [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True
    )
    logging.captureWarnings(True)
    warnings.showwarning = _show_warning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    """Log valleymaps' own warnings as their message alone; others as Python formats them."""
    if issubclass(category, ValleymapsWarning):
        logging.getLogger("valleymaps").warning("%s", message)
    else:
        logging.getLogger("py.warnings").warning(
            "%s", warnings.formatwarning(message, category, filename, lineno, line)
        )


def main() -> None:
    """Entry point of the console script (a fresh process: the build may fork its workers)."""
    from valleymaps.cli.process import exit_without_final_collection

    try:
        cli(prog_name="valleymaps", obj={"fresh_process": True})
    finally:  # click ends by raising SystemExit
        exit_without_final_collection()
