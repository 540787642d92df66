"""``valleymaps suitability``: where could a target industry locate?"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tqdm import tqdm

from valleymaps.cli import json_output
from valleymaps.cli.json_output import json_option
from valleymaps.cli.options import (
    lang_option,
    offline_cache_option,
    open_executor,
    overwrite_option,
    scheduler_option,
    workspace_option,
)
from valleymaps.suitability import defaults
from valleymaps.workspace import Workspace

if TYPE_CHECKING:
    from valleymaps.workflows.suitability_run import TargetRun


def _parse_layers(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, list[str]]:
    layers: dict[str, list[str]] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise click.BadParameter(f"{value!r}: write NAME=PATH, e.g. rail_lines=data/rail.shp")
        layers.setdefault(name.strip(), []).append(path.strip())
    return layers


def _list_targets(ws: Workspace) -> None:
    from valleymaps.suitability.catalog import profile_for_target
    from valleymaps.suitability.model import find_missing_layers
    from valleymaps.suitability.profile import normalize_target
    from valleymaps.workflows.leakage_pages import market_support_lookup, target_market_support
    from valleymaps.workflows.suitability_inputs import layer_catalog, list_profiles, load_targets

    profiles = list_profiles(ws)
    catalog = layer_catalog(ws)
    support = market_support_lookup(target_market_support(ws))
    click.echo("Targets (data/econ/leakage_targets.csv), their profiles"
               + (" and market support (the plan's; recomputed from the BEA tables):" if support
                  else " (no BEA tables: 'valleymaps fetch bea' adds the recomputed market support):"))
    for target in load_targets(ws)["description"].dropna():
        profile = profile_for_target(target, profiles)
        line = f"  {target}  ->  {profile.key if profile else '(no profile)'}"
        market = support.get(normalize_target(target))
        if market:
            line += f"  |  {market}"
        click.echo(line)
        json_output.record("targets", {"target": str(target), "profile": profile.key if profile else None,
                                       "market_support": market},
                           append=True)  # fmt: skip
    click.echo("\nProfiles:")
    json_output.record("profiles", [])
    for p in profiles:
        missing = find_missing_layers(p, catalog)
        status = "all layers found" if not missing else f"missing: {', '.join(missing)}"
        click.echo(f"  {p.key:<22} {p.name} ({status})")
        json_output.record("profiles", {
            "key": p.key, "name": p.name, "path": p.path, "missing_layers": dict(missing),
        }, append=True)  # fmt: skip


def _run_several(ws: Workspace, targets: list[str], **options: Any) -> None:
    from valleymaps.workflows.suitability_run import run_targets

    with tqdm(total=len(targets), unit="target", desc="Suitability", leave=False, disable=None) as bar:

        def done(run: TargetRun) -> None:
            bar.update(1)
            _report(run, several=len(targets) > 1)

        runs = run_targets(ws, targets, on_done=done, **options)
    if len(runs) > 1:
        click.echo(f"{len(runs)} targets written to {runs[0].folder.parent}")
    json_output.finish()


def _report(run: TargetRun, *, several: bool = False) -> None:
    """Say what one target's run wrote; record it in the --json report (under "runs" when several)."""
    result = run.result
    sites = result.selected_sites
    click.echo(f"Suitability for {run.choice.target} (profile {result.profile.key}) written to {run.folder}")
    click.echo(
        f"  grid {result.grid.width:,} x {result.grid.height:,} cells of {result.grid.resolution:g} m; "
        f"suitability {result.overlay.minimum:.0f}-{result.overlay.maximum:.0f} "
        f"(mean {result.overlay.mean:.0f})"
    )
    for note in result.profile.left_out:
        click.secho(f"  Note: {note}", fg="yellow")
    for f in result.factors:
        for caveat in f.caveats:
            click.secho(f"  Note: {f.factor.name}: {caveat}", fg="yellow")
    if sites.empty:
        click.echo("  No candidate site met the rules of the profile's [sites] table.")
    for _, row in sites.head(5).iterrows():
        where = f", {row['county']} County" if row.get("county") else ""
        click.echo(
            f"  site {int(row['rank'])}: suitability {row['score']:.1f}, "
            f"{row['area_acres']:,.0f} acres{where}, "
            f"{row.get('stability', '')}"
        )
    if result.synthetic:
        click.secho("  Note: some factors use synthetic sample data.", fg="yellow")
    click.echo(f"Open {run.page.as_uri()} in a browser.")
    doc = {
        "target": run.choice.target,
        "profile": result.profile.key,
        "folder": run.folder,
        "files": sorted(run.files),
        "suitability": {"min": result.overlay.minimum, "max": result.overlay.maximum,
                        "mean": result.overlay.mean},
        "sites": [
            {"rank": int(r["rank"]), "score": float(r["score"]), "area_acres": float(r["area_acres"]),
             "county": r.get("county") or None}
            for _, r in sites.iterrows()
        ],
        "notes": [*result.profile.left_out,
                  *(f"{f.factor.name}: {c}" for f in result.factors for c in f.caveats)],
    }  # fmt: skip
    if several:
        json_output.record("runs", doc, append=True)
    else:
        for key, value in doc.items():
            json_output.record(key, value)


@click.command()
@workspace_option
@click.option(
    "--target",
    "-t",
    "targets",
    multiple=True,
    help='Target industry, e.g. "Plastics bottle manufacturing", or a profile key (repeat for several: '
    "one task each, see --scheduler).",
)
@click.option(
    "--all", "all_profiles", is_flag=True, help="Run every profile (one task each, see --scheduler)."
)
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Profile file to use instead of the one listing the target.",
)
@click.option(
    "--resolution",
    type=click.FloatRange(1, 10_000),
    default=defaults.RESOLUTION_M,
    show_default=True,
    help="Cell size in metres (30 for site detail).",
)
@click.option(
    "--layer",
    "layers",
    multiple=True,
    callback=_parse_layers,
    metavar="NAME=PATH",
    help="Use PATH for the layer NAME of the profile (repeat; a name given twice reads both files).",
)
@click.option(
    "--allow-missing", is_flag=True, help="Leave out factors whose layers are missing (weights rescaled)."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default outputs/suitability/<target>/); with several targets, the folder "
    "that holds one folder per target (default outputs/suitability/).",
)
@overwrite_option
@scheduler_option
@click.option(
    "--force",
    is_flag=True,
    help="Run a grid above the size limit (valleymaps.settings.SUITABILITY_MAX_CELLS, 200 million cells).",
)
@click.option(
    "--strips",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Split one target's grid into N strip tasks (bands of rows, each with a halo as tall as its "
    "distance caps), run where --scheduler says and mosaicked into the same rasters, byte for byte. "
    "Default: 1 in this process; on a cluster one per valleymaps.settings.SUITABILITY_STRIP_TASK_CELLS "
    "cells (25 million). With several targets the targets are the tasks.",
)
@click.option("--no-png", is_flag=True, help="Skip the static PNG map.")
@click.option(
    "--offline",
    is_flag=True,
    help="The map page loads its scripts and styles from assets/ in the output folder (copied from "
    "the download cache: run 'valleymaps fetch assets' once), so it opens with no internet.",
)
@offline_cache_option
@lang_option
@click.option(
    "--list", "list_only", is_flag=True, help="List the targets, profiles and missing layers, then stop."
)
@json_option
def suitability(
    workspace_dir: Path,
    targets: tuple[str, ...],
    all_profiles: bool,
    profile_path: Path | None,
    resolution: float,
    layers: dict[str, list[str]],
    allow_missing: bool,
    out_dir: Path | None,
    overwrite: bool,
    force: bool,
    no_png: bool,
    list_only: bool,
    scheduler: str | None,
    strips: int | None,
    offline: bool,
    cache_dir: Path | None,
    lang: str | None,
) -> None:
    """Map where a target industry could locate: suitability raster, ranked sites, map.

    Writes COG rasters (suitability 0-100 and each factor), candidate sites
    (GeoPackage and CSV, with each factor's contribution and rank stability),
    a per-tract summary and a map page to outputs/suitability/<target>/.

    Layers come from --layer, data/econ/suitability/layers.toml or data/geo/;
    the tables skilled_out_commuters and resident_workers are derived from the
    workspace's commuting flows ('valleymaps import flows') when no file is given.

    \b
    Examples:
      valleymaps suitability --list
      valleymaps suitability --target "Plastics bottle manufacturing"
      valleymaps suitability -t "Paper mills" --resolution 30 \\
          --layer groundwater_depth=gw_2019.tif --layer rail_lines=rail.shp
      valleymaps suitability --all --resolution 30 --scheduler tcp://10.0.0.5:8786
      valleymaps suitability -t "Paper mills" --resolution 30 --strips 16 --scheduler tcp://10.0.0.5:8786
    """
    ws = Workspace.open(workspace_dir)
    if list_only:
        _list_targets(ws)
        json_output.finish()
        return
    if not targets and profile_path is None and not all_profiles:
        raise click.UsageError("give --target (see --list), --all or --profile FILE")
    if all_profiles:
        from valleymaps.workflows.suitability_inputs import list_profiles

        targets = (*targets, *(p.key for p in list_profiles(ws)))
    if len(targets) > 1 and profile_path is not None:
        raise click.UsageError("--profile FILE models one target: give one --target with it, or "
                               "put the profile in data/econ/suitability/ and run --all")
    executor = open_executor(scheduler, ws.config.scheduler)
    with executor:
        if len(targets) > 1 or executor.distributed:
            one = len(targets) <= 1
            _run_several(ws, list(targets) or [""], executor=executor, resolution=resolution,
                         layers=layers, allow_missing=allow_missing, overwrite=overwrite,
                         png=not no_png, force=force, profile_path=profile_path,
                         out_dir=None if one else out_dir, folder=out_dir if one else None,
                         strips=strips, offline=offline, cache=cache_dir, lang=lang)
            return
    from valleymaps.workflows.suitability_run import run_target
    target = targets[0] if targets else None

    with tqdm(total=None, unit="step", desc="Suitability", leave=False, disable=None) as bar:

        def progress(stage: str, done: int, total: int) -> None:
            bar.total = total
            bar.set_description(f"Suitability: {stage}")
            bar.n = done
            bar.refresh()

        run = run_target(
            ws,
            target or "",
            profile_path=profile_path,
            resolution=resolution,
            layers=layers,
            allow_missing=allow_missing,
            out_dir=out_dir,
            overwrite=overwrite,
            png=not no_png,
            force=force,
            on_progress=progress,
            strips=strips,
            offline=offline,
            cache=cache_dir,
            lang=lang,
        )
    _report(run)
    json_output.finish()
