"""``valleymaps import metros``: the Census Bureau's CBSA delineation, for the metro roll-up."""

from __future__ import annotations

from pathlib import Path

import click

from valleymaps.io.delineation import import_metro_delineation, load_delineation_meta
from valleymaps.workspace import Workspace

from .options import replace_option, workspace_option


@click.command("metros")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path))
@replace_option
@workspace_option
def metros(file: Path, replace: bool, workspace_dir: Path) -> None:
    """Import metro areas (CBSA delineation FILE) into data/geo/.

    It is stored as data/geo/cbsa_delineation.csv. FILE is list1 of the
    Census Bureau's delineation files (counties of the metropolitan and
    micropolitan statistical areas), as published
    (list1_2023.xlsx: title rows, a header row, footnotes) or saved as CSV.
    The atlas then groups the places outside the region that commuters go to
    and come from by metro area (and "Rest of <state>" for counties outside
    every area) in the flow pages and the top-destination tables.

    \b
    Download it from (or let 'valleymaps fetch metros' download and import it):
      https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/list1_2023.xlsx
    Example:
      valleymaps import metros list1_2023.xlsx
    """
    ws = Workspace.open(workspace_dir)
    report_metros(ws, import_metro_delineation(ws, file, replace=replace), file.name)


def report_metros(ws: Workspace, path: Path, source: str) -> None:
    """Say what delineation was stored at ``path`` (read from the file named ``source``)."""
    meta = load_delineation_meta(ws)
    click.echo(f"Imported the CBSA delineation ({meta.get('edition') or 'edition not stated'}) from "
               f"{source}: {meta.get('counties', 0):,} counties in {meta.get('cbsas', 0):,} areas "
               f"({meta.get('metropolitan', 0):,} metropolitan, {meta.get('micropolitan', 0):,} "
               "micropolitan)")
    for note in meta.get("notes", []):
        click.echo(f"  {note}")
    click.echo(f"Wrote {path}  (the flow maps use it with 'valleymaps build')")
