"""``valleymaps validate``: check a file without importing it."""

from __future__ import annotations

from pathlib import Path

import click

from valleymaps.workflows.check import KINDS, validate_file

from .import_cmd import assume_crs_option, format_option, id_column_option, year_option


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path))
@format_option
@click.option(
    "--kind",
    type=click.Choice(KINDS, case_sensitive=False),
    default=None,
    help="What FILE holds (default: detected from its name and header).",
)
@assume_crs_option
@id_column_option
@year_option
@click.pass_context
def validate(
    ctx: click.Context,
    file: Path,
    fmt: str | None,
    kind: str | None,
    assume_crs: str | None,
    id_column: str | None,
    year: int | None,
) -> None:
    """Check FILE and print every problem found, without importing it.

    FILE is tract boundaries (shapefile, zip, GeoPackage, GeoJSON, TopoJSON) or
    an employment table (CBP, LODES WAC or geoid,naics,year,employment CSV).
    Exits with status 1 when there are problems.

    \b
    Examples:
      valleymaps validate tl_2021_06_tract.zip
      valleymaps validate my_jobs.csv --format csv
    """
    problems = validate_file(
        file, kind=kind, format=fmt, assume_crs=assume_crs, id_column=id_column, year=year
    )
    if not problems:
        click.echo(f"{file}: no problems found")
        return
    n = len(problems)
    click.echo(f"{file}: {n} problem{'s' if n != 1 else ''} found")
    for problem in problems:
        click.echo(f"  - {problem}")
    ctx.exit(1)
