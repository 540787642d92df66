"""``valleymaps build``."""

from __future__ import annotations

import os
from pathlib import Path

import click
from tqdm import tqdm

from valleymaps import settings
from valleymaps.cli.options import (
    lang_option,
    offline_cache_option,
    open_executor,
    scheduler_option,
    workspace_option,
)
from valleymaps.core.schemes import SCHEME_NAMES, resolve_scheme
from valleymaps.workspace import Workspace


def _parse_breaks(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[float] | None:
    if value is None:
        return None
    try:
        return [float(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r}: give numbers separated by commas, e.g. 0.5,1,2") from None


def _check_scheme(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an unknown scheme before any data are read."""
    if value is not None:
        try:
            resolve_scheme(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@click.command()
@workspace_option
@click.option(
    "--scheme",
    callback=_check_scheme,
    help=f"Classification: {', '.join(SCHEME_NAMES)} (default from valleymaps.toml).",
)
@click.option("--classes", "-k", type=click.IntRange(2, 9), help="Number of classes (2-9).")
@click.option(
    "--breaks",
    callback=_parse_breaks,
    help="Upper class bounds for --scheme user_defined, comma separated (e.g. 1000,5000,20000).",
)
@click.option(
    "--from",
    "--base-year",
    "base_year",
    type=int,
    help="First year of growth, compound annual growth and shift-share "
    "(default: [analysis] base_year in valleymaps.toml, else the earliest in the data).",
)
@click.option(
    "--to",
    "--end-year",
    "end_year",
    type=int,
    help="Last year of that span, and the year the maps open on "
    "(default: [analysis] end_year, else the latest in the data).",
)
@click.option("--no-png", is_flag=True, help="Skip the static PNG maps.")
@lang_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes for the static PNGs and the atlas sections (default 2, both cores of a laptop; "
    "at most the CPU count). The atlas is the same whatever the number.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Pages load their scripts and styles from outputs/maps/assets/ (copied from the download "
    "cache: run 'valleymaps fetch assets' once), so the atlas opens with no internet.",
)
@offline_cache_option
@scheduler_option
def build(
    workspace_dir: Path,
    scheme: str | None,
    classes: int | None,
    breaks: list[float] | None,
    base_year: int | None,
    end_year: int | None,
    no_png: bool,
    lang: str | None,
    workers: int | None,
    offline: bool,
    cache_dir: Path | None,
    scheduler: str | None,
) -> None:
    """Build the atlas in outputs/maps/ (index.html, a page per cluster, PNGs, tables).

    Imported infrastructure projects (data/geo/projects.gpkg, or
    $VALLEYMAPS_DB_URL) get pages of their own and are optional layers, off at
    first, on every cluster and commuting flow page.
    The previous atlas is replaced only when the new one is complete.
    Every year of the employment data is mapped (a year control on each cluster
    page); growth and shift-share cover --from to --to.
    --lang es writes the pages in Spanish (names from the data stay as they are).
    With --scheduler each suitability profile's model runs as a task on the
    Dask cluster; the rest of the build stays in this process.
    Example: valleymaps build --scheme natural_breaks -k 5 --from 2015 --to 2021
    """
    from valleymaps.cli.process import imports_without_collection, keep_freed_memory

    if _fresh_process():  # rasters and images of a few MB each, made and dropped by the hundred
        keep_freed_memory()
    with imports_without_collection():  # a million objects that live as long as the process
        from valleymaps.workflows.atlas import build_atlas

    ws = Workspace.open(workspace_dir)
    if workers is None:
        workers = _default_workers()
    if offline:  # say what is missing before building
        from valleymaps.workflows.offline import check_offline_assets

        check_offline_assets(cache_dir)
    executor = open_executor(scheduler, ws.config.scheduler)
    with executor, tqdm(total=None, unit="map", desc="Building atlas", leave=False, disable=None) as bar:

        def progress(label: str, done: int, total: int) -> None:
            bar.total = total
            bar.set_postfix_str(label)
            bar.update(done - bar.n)

        result = build_atlas(
            ws,
            scheme=scheme,
            classes=classes,
            breaks=breaks,
            base_year=base_year,
            end_year=end_year,
            png=not no_png,
            on_progress=progress,
            workers=workers,
            lang=lang,
            executor=executor,
        )
    if offline:
        from valleymaps.workflows.offline import make_atlas_offline

        done = make_atlas_offline(result.index_path.parent, cache=cache_dir)
        click.echo(
            f"Offline: {len(done.pages)} pages load {len(done.assets)} local files from "
            f"{result.index_path.parent / 'assets'} (basemap tiles still need the internet)"
        )
    click.echo(f"Atlas written: {result.index_path}")
    click.echo(
        f"  {len(result.pages)} cluster pages ({' and '.join(result.levels)} level), "
        f"{len(result.pngs)} PNGs, {len(result.tables)} table"
    )
    if (
        result.headline is not None
        and result.headline.share_of_employment == result.headline.share_of_employment
    ):
        click.echo(
            f"  clusters hold {result.headline.share_of_employment:.1%} of {ws.config.region_name} jobs "
            f"in {result.headline.end_year}"
        )
    if result.synthetic:
        click.secho("  Note: maps show synthetic sample data (not real employment figures).", fg="yellow")
    click.echo(f"Open {result.index_path.as_uri()} in a browser.")


def _default_workers() -> int | None:
    """Both cores when run from the command line (a fresh process); else the library default.

    A caller that invokes the command inside its own process (a notebook, a test session) may
    already have used GDAL's threads, and a forked worker could then wait forever on them.
    """
    return min(settings.CLI_BUILD_WORKERS, os.cpu_count() or 1) if _fresh_process() else None


def _fresh_process() -> bool:
    """Whether the command runs in a process of its own (the console script), not inside a
    caller's (a notebook, a test session)."""
    ctx = click.get_current_context()
    return isinstance(ctx.obj, dict) and bool(ctx.obj.get("fresh_process", False))
