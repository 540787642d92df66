"""``valleymaps import``: bring tract boundaries and employment into the workspace."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import click

from valleymaps.employment import EmploymentDataset
from valleymaps.errors import ConfigError, GeometryRepairedWarning
from valleymaps.flags import ALL_FLAGS
from valleymaps.io.employment import FORMATS, resolve_format
from valleymaps.io.employment.store import dataset_paths, import_employment
from valleymaps.io.tracts import import_tracts
from valleymaps.settings import SYNTHETIC_NOTICE
from valleymaps.workspace import Workspace

from .options import replace_option, workspace_option

_LEVELS = {2: ("state", "states"), 5: ("county", "counties"), 11: ("tract", "tracts")}


def _format_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Accept format names forgivingly (``LODES_WAC``), answer unknown ones with the list."""
    if value is None:
        return None
    try:
        return resolve_format(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


format_option = click.option(
    "--format",
    "fmt",
    metavar="|".join(FORMATS),
    callback=_format_callback,
    help="Employment file format: " + "; ".join(f"{k}: {v}" for k, v in FORMATS.items()) + ".",
)

assume_crs_option = click.option(
    "--assume-crs",
    metavar="CRS",
    default=None,
    help="CRS of files that declare none, e.g. EPSG:4326 for longitude/latitude.",
)

id_column_option = click.option(
    "--id-column",
    metavar="COLUMN",
    default=None,
    help="Column holding the 11-character tract GEOID (default: GEOID, GEOID20, GEOID10, id "
    "or STATEFP+COUNTYFP+TRACTCE).",
)

year_option = click.option(
    "--year",
    type=click.IntRange(1900, 2100),
    default=None,
    help="Data year, for files whose name does not tell it.",
)

_files_argument = click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path),
)


@click.group("import")
def import_group() -> None:
    """Import tract boundaries, employment, commuting flows, projects or metro areas."""


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


@import_group.command("tracts")
@_files_argument
@assume_crs_option
@id_column_option
@click.option(
    "--layer",
    metavar="NAME",
    default=None,
    help="Layer to read in files with several (default: 'tracts' or the only polygon layer).",
)
@replace_option
@workspace_option
def tracts(
    files: tuple[Path, ...],
    assume_crs: str | None,
    id_column: str | None,
    layer: str | None,
    replace: bool,
    workspace_dir: Path,
) -> None:
    """Import census tracts from FILE... into data/geo/tracts.gpkg.

    FILE may be a shapefile, a zipped shapefile (as downloaded from the Census
    Bureau), a GeoPackage, GeoJSON or TopoJSON; several files (e.g. one per
    county) are merged. Only the region's tracts are kept and invalid polygons
    are repaired.

    \b
    Examples:
      valleymaps import tracts tl_2021_06_tract.zip
      valleymaps import tracts 06*.topo.json --assume-crs EPSG:4326
    """
    ws = Workspace.open(workspace_dir)
    with warnings.catch_warnings():
        # the repair count is reported below
        warnings.simplefilter("ignore", GeometryRepairedWarning)
        result = import_tracts(
            ws, list(files), assume_crs=assume_crs, id_column=id_column, layer=layer, replace=replace
        )
    counties = ws.config.region_counties
    click.echo(
        f"Read {_plural(result.n_read, 'tract')} from {_plural(result.n_files, 'file')}: "
        f"kept {result.n_kept:,} in {ws.config.region_name}, "
        f"repaired {_plural(result.n_repaired, 'invalid polygon')}."
    )
    if 0 < result.n_repaired <= 10:
        click.echo(f"  repaired: {', '.join(result.repaired_geoids)}")
    for county, n in result.counts_by_county().items():
        click.echo(f"  {counties.get(county, county)} ({county}): {n:,}")
    missing = [f"{name} ({g})" for g, name in counties.items() if g not in result.counts_by_county()]
    if missing:
        click.echo(f"  no tracts for: {', '.join(missing)}")
    for problem in result.problems:
        click.echo(f"  left out: {problem}")
    click.echo(f"Wrote {ws.tracts_path}")


def summarize_dataset(dataset: EmploymentDataset) -> list[str]:
    """Lines describing an imported dataset: rows, places by level, years, flags."""
    table = dataset.table
    lengths = table["geoid"].drop_duplicates().str.len().value_counts()
    nation = bool((table["geoid"] == "US").any())
    if nation:
        lengths[2] -= 1
    places = ", ".join(
        _plural(int(lengths[n]), *_LEVELS[n]) for n in sorted(lengths.index) if n in _LEVELS and lengths[n]
    ) + (", the U.S." if nation else "")
    n_withheld = int(table["employment"].isna().sum())
    flag_counts: Counter[str] = Counter()
    for flag, n in table["flag"].value_counts().items():
        for code in str(flag):
            flag_counts[code] += int(n)
    n_flagged = int((table["flag"] != "").sum())
    lines = [
        f"  rows: {len(table):,}",
        f"  places: {places or 'none'}",
        f"  years: {dataset.vintage or 'none'}",
        f"  withheld: {n_withheld:,} values (kept as missing, never 0)",
        f"  flagged: {n_flagged:,} values"
        + (
            " ("
            + ", ".join(
                f"{code} {n:,}"
                for code, n in sorted(
                    flag_counts.items(),
                    key=lambda kv: list(ALL_FLAGS).index(kv[0]) if kv[0] in ALL_FLAGS else len(ALL_FLAGS),
                )
            )
            + ")"
            if flag_counts
            else ""
        ),
    ]
    if dataset.private is not None:
        n_private = len(dataset.private)
        lines.append(f"  ownership: all employers; private employers kept apart ({n_private:,} rows)")
    if dataset.coverage_note:
        lines.append(f"  not covered: {dataset.coverage_note}")
    if dataset.detail_note:
        lines.append(f"  detail: {dataset.detail_note}")
    if dataset.synthetic:
        lines.append(f"  note: {SYNTHETIC_NOTICE}")
    return lines


@import_group.command("employment")
@_files_argument
@click.option(
    "--format",
    "fmt",
    required=True,
    metavar="|".join(FORMATS),
    callback=_format_callback,
    help="File format: " + "; ".join(f"{k}: {v}" for k, v in FORMATS.items()) + ".",
)
@year_option
@click.option(
    "--quarter",
    type=click.Choice(["1", "2", "3", "4", "q1", "q2", "q3", "q4"], case_sensitive=False),
    default=None,
    help="QCEW quarterly files only: each year's value is the mean of that quarter's 3 months "
    "(as 'fetch qcew --period qN'); default: annual averages.",
)
@click.option(
    "--name",
    default=None,
    metavar="NAME",
    help="Dataset name in the workspace (default: from the file name).",
)
@replace_option
@workspace_option
def employment(
    files: tuple[Path, ...],
    fmt: str,
    year: int | None,
    quarter: str | None,
    name: str | None,
    replace: bool,
    workspace_dir: Path,
) -> None:
    """Import employment from FILE... into data/econ/employment/.

    Several files of one format (e.g. CBP county and state files, or one LODES
    file per year) become one dataset. Withheld values stay missing with
    their flag, never 0.

    \b
    Examples:
      valleymaps import employment cbp21co.zip cbp21st.txt --format cbp
      valleymaps import employment ca_wac_S000_JT00_2021.csv.gz --format lodes-wac
      valleymaps import employment my_jobs.csv --format csv
      valleymaps import employment "2016.q1-q4 06019 Fresno County, California.csv" --format qcew --quarter 2
    """
    ws = Workspace.open(workspace_dir)
    dataset = import_employment(
        ws, list(files), format=fmt, year=year, name=name, replace=replace, quarter=quarter
    )
    click.echo(
        f"Imported {dataset.name}: {dataset.source} "
        f"({dataset.format}, {_plural(len(dataset.imported_from), 'file')})"
    )
    for line in summarize_dataset(dataset):
        click.echo(line)
    click.echo(f"Wrote {dataset_paths(ws, dataset.name)[0]}")
