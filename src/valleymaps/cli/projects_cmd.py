"""``valleymaps import projects`` and ``valleymaps projects ...``: the infrastructure project inventory."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from valleymaps.cli import json_output
from valleymaps.cli.json_output import json_option
from valleymaps.cli.options import lang_option, offline_cache_option, overwrite_option, workspace_option
from valleymaps.workspace import Workspace

if TYPE_CHECKING:
    import geopandas as gpd

    from valleymaps.projects.store import ProjectStore

#: Rejected rows listed on screen (all of them are in the report).
MAX_LISTED = 25

db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=None,
    help="PostgreSQL/PostGIS database to use instead of the workspace's data/geo/projects.gpkg, "
    "e.g. postgresql://user:password@host:5432/region (default: $VALLEYMAPS_DB_URL if set).",
)
db_table_option = click.option(
    "--db-table",
    "table",
    metavar="NAME",
    default=None,
    help="Table in the database (name or schema.name; default infrastructure_projects).",
)
status_option = click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["planned", "programmed", "under construction", "complete"], case_sensitive=False),
    help="Only projects with this status (repeat for several).",
)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


@click.command("projects")
@click.argument("source", metavar="FILE")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file mapping your headers to the project fields (see data/econ/project_mapping.example.toml).",
)
@db_option
@db_table_option
@click.option(
    "--layer",
    metavar="NAME",
    default=None,
    help="Excel sheet, GeoPackage layer or PostGIS table of FILE (default: the only one).",
)
@click.option(
    "--agency", metavar="NAME", default=None, help="Agency of the projects, when FILE has no agency column."
)
@click.option(
    "--assume-crs",
    metavar="CRS",
    default=None,
    help="CRS of FILE's coordinates when it declares none, e.g. EPSG:3310 (default EPSG:4326).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the problem report (default outputs/reports/projects-<file>-problems.csv).",
)
@click.option("--dry-run", is_flag=True, help="Check FILE and write the report, but store nothing.")
@click.option("--strict", is_flag=True, help="Store nothing if any row is rejected.")
@workspace_option
def import_projects_cmd(
    source: str,
    mapping_path: Path | None,
    db_url: str | None,
    table: str | None,
    layer: str | None,
    agency: str | None,
    assume_crs: str | None,
    report_path: Path | None,
    dry_run: bool,
    strict: bool,
    workspace_dir: Path,
) -> None:
    """Import infrastructure projects from FILE into the inventory.

    FILE is a CSV (latitude/longitude columns or WKT), an Excel workbook (.xlsx),
    a GeoJSON, a GeoPackage, a shapefile (.shp or zipped) or a PostGIS table
    (postgresql://... with --layer TABLE). Costs such as "$1.2M", "1,200,000" or
    "$350K" are read as dollars. Every problem row is listed with its row
    number and reason in a report file; good rows are stored, bad rows are not.
    Projects are keyed by (agency, project id): importing a project again
    replaces it. Each import is all or nothing. Imports into the workspace's
    GeoPackage run one at a time: one started while another runs says it is
    waiting, then adds its projects to the other's.

    \b
    Examples:
      valleymaps import projects ftip_2025.xlsx --agency "Fresno COG"
      valleymaps import projects rtp.csv --mapping kcag_mapping.toml --db postgresql://cog@db/region
      valleymaps import projects HSR_Stations_v2_web.shp --mapping hsr.toml
    """
    from valleymaps.projects.importer import import_projects

    ws = Workspace.open(workspace_dir)
    result = import_projects(
        source,
        ws=ws,
        mapping=mapping_path,
        db_url=db_url,
        table=table,
        layer=layer,
        assume_crs=assume_crs,
        agency=agency,
        report_path=report_path,
        dry_run=dry_run,
        strict=strict,
    )
    v = result.validation
    click.echo(
        f"Read {_plural(v.n_read, 'row')} from {v.raw.source}: kept {v.n_kept:,}, rejected {v.n_rejected:,}."
    )
    from valleymaps.projects.report import describe_reasons

    labels = describe_reasons()
    for reason, n in v.counts_by_reason().items():
        click.echo(f"  {labels.get(reason, reason)}: {n:,}")
    rejected = [p for p in v.problems if p.rejected]
    notes = [p for p in v.problems if not p.rejected]
    if rejected:
        click.secho(f"Rejected rows ({len(rejected):,} problems):", fg="yellow")
        for p in rejected[:MAX_LISTED]:
            click.echo(f"  {p}")
        if len(rejected) > MAX_LISTED:
            click.echo(f"  ... and {len(rejected) - MAX_LISTED:,} more in the report")
    if notes:
        click.echo(f"Notes on kept rows ({len(notes):,}):")
        for p in notes[:MAX_LISTED]:
            click.echo(f"  {p}")
        if len(notes) > MAX_LISTED:
            click.echo(f"  ... and {len(notes) - MAX_LISTED:,} more in the report")
    click.echo(f"Report: {result.report_path}")
    if result.stored is None:
        click.echo("Dry run: nothing stored.")
    else:
        s = result.stored
        click.echo(
            f"Stored in {s.location}: {_plural(s.inserted, 'new project')}, {s.updated:,} replaced, "
            f"{_plural(s.total, 'project')} in all."
        )


@click.group("projects")
def projects_group() -> None:
    """The infrastructure project inventory: summaries, exports, maps."""


def _load(
    workspace_dir: Path, db_url: str | None, table: str | None
) -> tuple[Workspace, ProjectStore, gpd.GeoDataFrame]:
    from valleymaps.projects.store import open_store

    ws = Workspace.open(workspace_dir)
    store = open_store(ws, db_url=db_url, table=table)
    return ws, store, store.load()


@projects_group.command("summary")
@click.option(
    "--by",
    "level",
    type=click.Choice(["county", "tract"]),
    default="county",
    show_default=True,
    help="Places to sum over (tracts must be imported).",
)
@status_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the table (.csv, or .gpkg/.geojson/.parquet with the places' polygons).",
)
@overwrite_option
@db_option
@db_table_option
@workspace_option
@json_option
def summary(
    level: str,
    statuses: tuple[str, ...],
    out: Path | None,
    overwrite: bool,
    db_url: str | None,
    table: str | None,
    workspace_dir: Path,
) -> None:
    """Investment by county or tract: projects, total cost, cost per job and per resident worker.

    Costs of lines and areas are shared among places by length and area.
    Jobs come from the workspace's employment data (latest year); resident workers
    (employed residents, wherever they work) from its commuting flows
    ('valleymaps import flows': ACS county flows first for counties, LODES OD for tracts).
    The table written with --out names both sources in its jobs_source and
    workers_source columns.

    \b
    Examples:
      valleymaps projects summary
      valleymaps projects summary --by tract --status programmed --out investment.gpkg
    """
    from valleymaps.render.projects_map import format_usd
    from valleymaps.workflows.projects import summarize_projects

    ws = Workspace.open(workspace_dir)
    result = summarize_projects(
        ws, level=level, statuses=statuses, db_url=db_url, table=table, out=out, overwrite=overwrite
    )
    table_, jobs, workers = result.table, result.jobs, result.workers
    n_apart, cost_apart = result.n_apart, result.cost_apart
    json_output.record("level", level)
    json_output.record("n_projects", result.n_projects)
    json_output.record("jobs", None if jobs is None else {
        "source": jobs.source, "year": jobs.year, "synthetic": jobs.synthetic})  # fmt: skip
    json_output.record("resident_workers", None if workers is None else {
        "source": workers.source, "synthetic": workers.synthetic})  # fmt: skip
    json_output.record("total_cost_usd", float(table_["cost_usd"].sum()))
    json_output.record("not_in_any_place", {"n_projects": n_apart, "cost_usd": cost_apart})
    json_output.record("places", json.loads(table_.to_json(orient="records")))
    jobs_text = ""
    if jobs is not None:
        jobs_text = f"; jobs: synthetic sample ({jobs.year})" if jobs.synthetic else f"; jobs: {jobs.source}"
    click.echo(f"{_plural(result.n_projects, 'project')} by {level}{jobs_text}")
    if workers is not None:
        synthetic = "synthetic sample: " if workers.synthetic else ""
        click.echo(f"Resident workers: {synthetic}{workers.source} (commuting flows)")
    shown = table_.sort_values("cost_usd", ascending=False)
    if level == "tract":
        shown = shown[shown["n_projects"] > 0].head(20)
    width = max([len(str(n)) for n in shown["name"]] + [10])
    heads = f"{'projects':>8}  {'cost':>10}  {'per job':>9}  {'per worker':>10}  {'no cost':>7}"
    click.echo(f"  {'place':<{width}}  {heads}")
    for row in shown.itertuples():
        no_cost = row.n_projects > 0 and row.n_without_cost == row.n_projects
        cost = "–" if no_cost else format_usd(row.cost_usd)
        per_job, per_worker = (
            format_usd(v) if v == v and not no_cost else "–" for v in (row.cost_per_job, row.cost_per_worker)
        )
        click.echo(
            f"  {row.name:<{width}}  {row.n_projects:>8,}  {cost:>10}  {per_job:>9}  {per_worker:>10}  "
            f"{row.n_without_cost:>7,}"
        )
    click.echo(f"  {'all ' + level + ' parts':<{width}}  {'':>8}  {format_usd(result.total_cost):>10}")
    if n_apart or cost_apart:
        click.echo(
            f"  Not in any {level} row: {_plural(n_apart, 'project')} more than 1 km from every {level}"
            f"{', and parts of lines and areas beyond them' if cost_apart else ''}"
            f" ({format_usd(cost_apart)} of the inventory's cost)."
        )
    if out is not None:
        click.echo(f"Wrote {out}")
        json_output.record("written", out)
    json_output.finish()


@projects_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@status_option
@overwrite_option
@db_option
@db_table_option
@workspace_option
def export(
    out: Path,
    statuses: tuple[str, ...],
    overwrite: bool,
    db_url: str | None,
    table: str | None,
    workspace_dir: Path,
) -> None:
    """Write the cleaned inventory to OUT (.csv with WKT, .gpkg, .geojson or GeoParquet .parquet).

    \b
    Example:
      valleymaps projects export projects_2025.csv
    """
    from valleymaps.projects.export import export_projects
    from valleymaps.projects.summary import filter_projects

    _ws, store, projects = _load(workspace_dir, db_url, table)
    if statuses:
        projects = filter_projects(projects, statuses=[s.lower() for s in statuses])
    export_projects(projects, out, overwrite=overwrite)
    click.echo(f"Wrote {_plural(len(projects), 'project')} from {store.location} to {out}")


_DISTANCE = re.compile(
    r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>km|m|mi|miles?|kilometres?|kilometers?|metres?|meters?)\s*$"
)
_UNITS = {"km": 1000.0, "m": 1.0, "mi": 1609.344}


def parse_distance(value: str) -> float:
    """Metres from ``"5km"``, ``"800 m"``, ``"3 mi"``.

    >>> parse_distance("5km"), parse_distance("3 mi")
    (5000.0, 4828.032)
    """
    m = _DISTANCE.match(value.lower())
    if m is None:
        raise click.BadParameter(f"{value!r}: give a distance with its unit, e.g. 5km, 800m or 3mi")
    unit = m["unit"]
    key = "km" if unit.startswith("k") else ("mi" if unit.startswith("mi") else "m")
    return float(m["num"]) * _UNITS[key]


def _coordinate_callback(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Refuse a longitude outside -180..180 or a latitude outside -90..90 (and nan, inf)."""
    if value is None:
        return None
    limit = 180.0 if param.name == "lon" else 90.0
    if not math.isfinite(value) or abs(value) > limit:
        example = "-119.79" if param.name == "lon" else "36.74"
        raise click.BadParameter(
            f"{value!r} is not a {'longitude' if param.name == 'lon' else 'latitude'} "
            f"(decimal degrees between -{limit:g} and {limit:g}, e.g. {example}); "
            "were --lon and --lat swapped, or projected metres given?",
            ctx=ctx, param=param,
        )
    return value


@projects_group.command("near")
@click.option("--lon", type=float, default=None, callback=_coordinate_callback,
              help="Longitude of the site (decimal degrees, -180 to 180).")
@click.option("--lat", type=float, default=None, callback=_coordinate_callback,
              help="Latitude of the site (decimal degrees, -90 to 90).")
@click.option(
    "--place", metavar="GEOID", default=None, help="A county (5 digits) or tract (11 digits) instead."
)
@click.option(
    "--within",
    "within",
    default="5km",
    show_default=True,
    help="Search distance with its unit: 5km, 800m, 3mi.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the projects found (.csv, .gpkg, .geojson or .parquet).",
)
@overwrite_option
@db_option
@db_table_option
@workspace_option
def near(
    lon: float | None,
    lat: float | None,
    place: str | None,
    within: str,
    out: Path | None,
    overwrite: bool,
    db_url: str | None,
    table: str | None,
    workspace_dir: Path,
) -> None:
    """List the projects within a distance of a site or place, nearest first.

    \b
    Examples:
      valleymaps projects near --lon -119.79 --lat 36.74 --within 10km
      valleymaps projects near --place 06031 --within 0km
    """
    from valleymaps.render.projects_map import format_usd
    from valleymaps.workflows.projects import find_projects_near

    distance = parse_distance(within)
    if place is None and (lon is None or lat is None):
        raise click.UsageError("give the site as --lon X --lat Y, or a place as --place GEOID")
    found, label = find_projects_near(
        Workspace.open(workspace_dir), distance_m=distance, lon=lon, lat=lat, place=place,
        db_url=db_url, table=table, out=out, overwrite=overwrite,
    )
    click.echo(f"{_plural(len(found), 'project')} within {within} of {label}:")
    for row in found.itertuples():
        click.echo(
            f"  {row.distance_m / 1000:7.1f} km  {row.name}  ({row.agency} {row.project_id}; {row.category}, "
            f"{row.status}, {format_usd(row.cost_usd)})"
        )
    if out is not None:
        click.echo(f"Wrote {out}")


@projects_group.command("map")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--cluster/--no-cluster",
    default=None,
    help="Group nearby points (default: when there are more than 300).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="The page loads its scripts and styles from assets/ beside it (copied from the download "
    "cache: run 'valleymaps fetch assets' once), so it opens with no internet.",
)
@offline_cache_option
@lang_option
@overwrite_option
@db_option
@db_table_option
@workspace_option
def map_(
    out: Path,
    cluster: bool | None,
    offline: bool,
    cache_dir: Path | None,
    lang: str | None,
    overwrite: bool,
    db_url: str | None,
    table: str | None,
    workspace_dir: Path,
) -> None:
    """Write a page of the projects to OUT (.html): categories, legend, popups, filter.

    The atlas (valleymaps build) has this page too, beside the investment choropleths.
    --lang es writes it in Spanish (names from the data stay as they are).
    """
    from valleymaps.workflows.projects import write_projects_map

    n = write_projects_map(
        Workspace.open(workspace_dir), out, cluster=cluster, overwrite=overwrite, db_url=db_url, table=table,
        offline=offline, cache=cache_dir, lang=lang,
    )
    click.echo(
        f"Wrote {out} ({_plural(n, 'project')}). Open {out.resolve().as_uri()} in a browser."
    )


@projects_group.command("log")
@db_option
@db_table_option
@workspace_option
def log_(db_url: str | None, table: str | None, workspace_dir: Path) -> None:
    """List the imports into the inventory, oldest first."""
    from valleymaps.projects.store import open_store

    ws = Workspace.open(workspace_dir)
    store = open_store(ws, db_url=db_url, table=table)
    history = store.import_log()
    click.echo(f"{store.location}: {_plural(len(history), 'import')}")
    for row in history.itertuples():
        click.echo(
            f"  {row.imported_at}  {row.source}: {row.n_read:,} read, {row.n_kept:,} kept, "
            f"{row.n_rejected:,} rejected; {row.inserted:,} new, {row.updated:,} replaced"
        )
