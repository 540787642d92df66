"""The ``valleymaps`` command: a thin layer over the library API.

Each command group lives in its own module; commands parse options, call one
library function and report. Library errors become a clean message and exit
code 1, never a traceback; usage errors exit with 2.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import click

from valleymaps import __version__
from valleymaps.errors import ValleymapsError, ValleymapsWarning, cut_message


class _ValleymapsGroup(click.Group):
    """Turn library errors into a message and exit status 1."""

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


def _register() -> None:
    from valleymaps.cli import (
        build_cmd,
        fetch_cmd,
        flows_cmd,
        import_cmd,
        init_cmd,
        leakage_cmd,
        metros_cmd,
        projects_cmd,
        suitability_cmd,
        validate_cmd,
    )

    cli.add_command(init_cmd.init)
    cli.add_command(import_cmd.import_group)
    cli.add_command(validate_cmd.validate)
    cli.add_command(build_cmd.build)
    cli.add_command(fetch_cmd.fetch_group)
    import_cmd.import_group.add_command(projects_cmd.import_projects_cmd)
    cli.add_command(projects_cmd.projects_group)
    cli.add_command(suitability_cmd.suitability)
    import_cmd.import_group.add_command(flows_cmd.flows)
    import_cmd.import_group.add_command(metros_cmd.metros)
    import_cmd.import_group.add_command(leakage_cmd.import_io_cmd)
    cli.add_command(leakage_cmd.leakage)


_register()


def main() -> None:
    """Entry point of the console script (a fresh process: the build may fork its workers)."""
    cli(prog_name="valleymaps", obj={"fresh_process": True})
