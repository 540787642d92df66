"""``valleymaps import flows``: commuting flows (LODES OD, ACS county flows) into the workspace."""

from __future__ import annotations

from pathlib import Path

import click
from tqdm import tqdm

from valleymaps.errors import ConfigError
from valleymaps.io.flows.dataset import FlowDataset
from valleymaps.io.flows.lodes_area import FORMATS as AREA_FORMATS
from valleymaps.io.flows.store import FORMATS, flows_dir, import_flows, resolve_flow_format
from valleymaps.settings import SYNTHETIC_NOTICE
from valleymaps.workspace import Workspace

from .options import open_executor, replace_option, scheduler_option, workspace_option


def _format_callback(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return resolve_flow_format(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


@click.command("flows")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path))
@click.option("--format", "fmt", required=True, metavar="|".join(FORMATS), callback=_format_callback,
              help="File format: " + "; ".join(f"{k}: {v}" for k, v in FORMATS.items()) + ".")
@click.option("--year", type=click.IntRange(1990, 2100), default=None,
              help="LODES: data year, for files whose name does not tell it.")
@click.option("--detail", "detail_level", type=click.Choice(["tract", "block_group"]), default="tract",
              show_default=True, help="LODES OD: level of the detailed flows kept for the region.")
@click.option("--lodes-version", type=click.Choice(["LODES7", "LODES8"], case_sensitive=False),
              default=None,
              help="LODES: version of the files (LODES7: 2010 census blocks, LODES8: 2020 blocks), "
              "when neither their folder (.../LODES8/ca/od/) nor the year (after 2019) tells it.")
@click.option("--name", default=None, metavar="NAME",
              help="Dataset name in the workspace (default: from the files); lodes-rac/lodes-wac: "
              "the LODES OD dataset to add the totals to (default: the one of the same state, year "
              "and job type).")
@replace_option
@scheduler_option
@workspace_option
def flows(files: tuple[Path, ...], fmt: str, year: int | None, detail_level: str,
          lodes_version: str | None, name: str | None, replace: bool, scheduler: str | None,
          workspace_dir: Path) -> None:
    """Import commuting flows from FILE... into data/econ/flows/.

    LODES origin-destination files of one year and job type (a state's main
    and aux parts, and other states' aux parts for residents working there)
    become one dataset: county pairs for the whole state, tract (or block
    group) pairs where the home or the work place is in the region. LODES
    RAC and WAC files (S000) of the same state, year and job type add the
    employed residents and jobs of every area to that dataset; the maps then
    take those totals from them and say how they differ from the OD flows.
    An ACS county-to-county flows table (the Census Bureau's table1.xlsx as
    published, or a CSV) keeps its margins of error; work places abroad and
    rows without a work place are kept and counted.

    \b
    Examples:
      valleymaps import flows ca_od_main_JT00_2021.csv.gz ca_od_aux_JT00_2021.csv.gz --format lodes-od
      valleymaps import flows */ca_od_*_JT00_2021.csv.gz --format lodes-od --scheduler tcp://10.0.0.5:8786
      valleymaps import flows ca_rac_S000_JT00_2021.csv.gz --format lodes-rac
      valleymaps import flows ca_wac_S000_JT00_2021.csv.gz --format lodes-wac
      valleymaps import flows acs_county_flows_2009_2013_us.csv --format acs-county
      valleymaps import flows table1.xlsx --format acs-county
    """
    ws = Workspace.open(workspace_dir)
    if fmt in AREA_FORMATS:
        report_totals(ws, import_flows(ws, list(files), format=fmt, year=year, name=name,
                                        lodes_version=lodes_version, replace=replace), AREA_FORMATS[fmt])
        return
    with open_executor(scheduler if fmt == "lodes-od" else "none", ws.config.scheduler) as executor, \
            tqdm(total=None, unit="B", unit_scale=True, desc="Reading flows", leave=False,
                 disable=None) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        dataset = import_flows(ws, list(files), format=fmt, year=year, name=name,
                               detail_level=detail_level, lodes_version=lodes_version,
                               on_progress=progress, replace=replace, executor=executor)
    report_flows(ws, dataset)


def report_flows(ws: Workspace, dataset: FlowDataset) -> None:
    """Say what was imported: pairs, workers, the region's residents and jobs, the notes."""
    click.echo(f"Imported {dataset.name}: {dataset.source} ({len(dataset.imported_from)} "
               f"file{'s' if len(dataset.imported_from) != 1 else ''})")
    region = set(ws.config.region_counties)
    for level, table in dataset.tables.items():
        h_in = table["h_geoid"].str[:5].isin(region)
        w_in = table["w_geoid"].str[:5].isin(region)
        click.echo(f"  {level} pairs: {len(table):,} ({int((h_in | w_in).sum()):,} touching "
                   f"{ws.config.region_name}), {int(table['workers'].sum()):,} workers")
    county = dataset.tables["county"]
    h_in = county["h_geoid"].str[:5].isin(region)
    w_in = county["w_geoid"].str[:5].isin(region)
    click.echo(f"  {ws.config.region_name}: {int(county.loc[h_in, 'workers'].sum()):,} employed "
               f"residents, {int(county.loc[w_in, 'workers'].sum()):,} jobs")
    for note in dataset.notes:
        click.echo(f"  {note}")
    for kind in sorted(dataset.totals):
        click.echo(f"  kept the {kind.upper()} totals imported before ({dataset.totals[kind].source})")
    if dataset.has_moe:
        click.echo("  margins of error kept (workers_moe)")
    if dataset.synthetic:
        click.echo(f"  note: {SYNTHETIC_NOTICE}")
    click.echo(f"Wrote {flows_dir(ws) / dataset.name}.*  (see the maps with 'valleymaps build')")


def report_totals(ws: Workspace, dataset: FlowDataset, kind: str) -> None:
    """Say what RAC (``kind="rac"``) or WAC totals were added to ``dataset``, and how the region's
    total compares with the OD flows'."""
    totals = dataset.totals[kind]
    what = "employed residents" if kind == "rac" else "jobs"
    click.echo(f"Added {totals.source} to {dataset.name} ({dataset.source}): {what} of every "
               "block group, tract and county")
    for note in totals.notes:
        click.echo(f"  {note}")
    table = totals.table
    county = table[table["geoid"].str.len() == 5]
    region = county[county["geoid"].isin(list(ws.config.region_counties))]
    od = dataset.tables["county"]
    side = "h_geoid" if kind == "rac" else "w_geoid"
    od_region = int(od.loc[od[side].isin(list(ws.config.region_counties)), "workers"].sum())
    click.echo(f"  {ws.config.region_name}: {int(region['workers'].sum()):,} {what} "
               f"(the OD flows give {od_region:,})")
    click.echo(f"Wrote {flows_dir(ws) / dataset.name}.{kind}.csv  (see the maps with 'valleymaps build')")
