"""``valleymaps leakage`` and ``valleymaps import io``: value-chain leakage from the BEA tables."""

from __future__ import annotations

import math
from pathlib import Path

import click

from valleymaps.core.io_tables import IOTables
from valleymaps.io.bea import import_io, io_store_paths
from valleymaps.workflows.leakage import METHODS, run_leakage
from valleymaps.workspace import Workspace

from .options import replace_option, workspace_option


def report_io_tables(ws: Workspace, tables: IOTables) -> None:
    """Say what BEA tables were stored, with the quirks the reader met."""
    npz, _ = io_store_paths(ws, tables.year)
    click.echo(f"Imported the BEA {tables.year} detail input-output tables: "
               f"{len(tables.industries)} industries, {len(tables.commodities)} commodities "
               f"({tables.dollars})")
    for note in tables.notes:
        click.echo(f"  {note}")
    click.echo(f"  -> {npz}  (then run 'valleymaps leakage')")


@click.command("io")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=2012, show_default=True,
              help="Sheet (table year) to read: 2012, the benchmark, or 2007.")
@replace_option
@workspace_option
def import_io_cmd(files: tuple[Path, ...], year: int, replace: bool, workspace_dir: Path) -> None:
    """Import the BEA's detail input-output tables (Use, Make, import matrix) into data/econ/io/.

    FILES are the three workbooks as the BEA publishes them, in any order:
    IOUse_Before_Redefinitions_PRO_DET.xlsx, IOMake_Before_Redefinitions_DET.xlsx and
    ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx (each is recognised by its title).
    Or let 'valleymaps fetch bea' download them. Tables of the same year already in the
    workspace (the bundled 2012 ones included) are replaced only with --replace; the same
    tables again replace nothing.

    \b
    Example:
      valleymaps import io IOUse_Before_Redefinitions_PRO_DET.xlsx \\
          IOMake_Before_Redefinitions_DET.xlsx ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx
    """
    ws = Workspace.open(workspace_dir)
    report_io_tables(ws, import_io(ws, files, year=year, replace=replace))


def _counties(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in value:
        out.extend(c.strip() for c in v.split(",") if c.strip())
    return out


@click.command("leakage")
@workspace_option
@click.option("--method", type=click.Choice(METHODS, case_sensitive=False), default="sdp",
              show_default=True,
              help="Regional purchase coefficients: supply-demand pooling (sdp), simple (slq), "
              "cross-industry (cilq) or Flegg's (flq) location quotients.")
@click.option("--delta", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="FLQ's delta (0 = CILQ; larger = more leakage in a small region).")
@click.option("--counties", multiple=True, callback=_counties, metavar="GEOIDS",
              help="County GEOIDs of the region, comma separated or repeated (default: the "
              "workspace's region).")
@click.option("--year", type=int, default=None, help="Employment year (default: the latest).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: outputs/leakage/ of the workspace).")
@click.option("--top", type=click.IntRange(1, 400), default=25, show_default=True,
              help="Targets listed here and compared between methods.")
@click.option("--dollars-year", type=int, default=None,
              help="Give dollars of this year instead of 2012 (needs --price-index).")
@click.option("--price-index", type=float, default=None, metavar="FACTOR",
              help="The index of --dollars-year over 2012 (e.g. the BEA GDP price index ratio).")
@click.option("--index-name", default="price index given with --price-index", show_default=False,
              help="Name of that index, for the notes (e.g. 'BEA GDP price index').")
def leakage(workspace_dir: Path, method: str, delta: float, counties: list[str], year: int | None,
            out: Path | None, top: int, dollars_year: int | None, price_index: float | None,
            index_name: str) -> None:
    """Value-chain leakage: what the region's businesses buy from outside it, by commodity.

    A regional input-output model built from the BEA's national 2012 tables
    ('valleymaps fetch bea' or 'import io') and the workspace's employment: the
    region's purchases from other businesses, the part bought outside the region (rest
    of the U.S. and abroad), by buying cluster, and the recomputed target list in the
    plan's form beside the plan's 23 targets (rank of each, Spearman correlation).
    Dollars are 2012 dollars (or those of --dollars-year by --price-index). Writes
    leakage_by_commodity.csv, leakage_by_cluster.csv, leakage_targets.csv,
    leakage_sensitivity.csv (the top targets under each method), leakage_plan_comparison.csv,
    leakage_industries.csv and leakage_run.json.

    \b
    Examples:
      valleymaps leakage
      valleymaps leakage --method flq --delta 0.25 --counties 06019,06031
    """
    if (dollars_year is None) != (price_index is None):
        raise click.UsageError("--dollars-year and --price-index go together.")
    ws = Workspace.open(workspace_dir)
    scaling = None if dollars_year is None or price_index is None else (
        dollars_year, price_index, index_name)
    run = run_leakage(ws, out_dir=out, method=method.lower(), delta=delta, counties=counties or None,
                      year=year, top=top, price_index=scaling)
    res = run.result
    click.echo(f"Leakage ({res.method}{f', delta {res.delta}' if res.delta is not None else ''}) of "
               f"{len(run.counties)} counties, jobs of {run.year} ({run.dataset}"
               f"{', SYNTHETIC' if run.synthetic else ''}), in {res.dollars_year} dollars; farms "
               f"{res.farm_coverage}")
    total = res.by_commodity["leakage_usd"].sum()
    demand = res.by_commodity["demand_usd"].sum()
    click.echo(f"  business purchases ${demand / 1e6:,.0f} million, of which ${total / 1e6:,.0f} "
               f"million from outside the region ({total / demand:.0%})" if demand > 0 else
               "  no business purchases")
    click.echo(f"  top {min(top, len(res.targets))} targets (market support, share from abroad):")
    for r in res.targets.head(top).itertuples():
        click.echo(f"  {r.rank:>3}. {str(r.description)[:60]:<60} ${r.market_support_usd / 1e6:>9,.1f}M"
                   f"  {r.share_from_abroad:>4.0%}  {r.flags}")
    if len(run.plan_comparison):
        found = int(run.plan_comparison["recomputed_rank"].notna().sum())
        rho = "n/a" if math.isnan(run.spearman) else f"{run.spearman:+.2f}"
        click.echo(f"  the plan's {len(run.plan_comparison)} targets: {found} found in the recomputed "
                   f"list; Spearman rank correlation {rho}")
    for note in res.notes:
        click.echo(f"  note: {note}")
    click.echo(f"Wrote {len(run.paths)} files to {run.paths[0].parent}")
