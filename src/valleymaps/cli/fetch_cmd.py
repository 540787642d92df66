"""``valleymaps fetch``: download public data into the cache and import it.

Each subcommand parses its options, calls one function of
:mod:`valleymaps.workflows.fetch` and reports. The progress bar (bytes and speed) is
drawn here, from the library's ``on_progress`` callback, only when standard
error is a terminal and ``-q`` was not given.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from valleymaps.core.io_tables import IOTables
from valleymaps.employment import EmploymentDataset
from valleymaps.errors import ValleymapsError
from valleymaps.io.delineation import load_delineation_meta
from valleymaps.io.download import Download, DownloadCache, DownloadProgress
from valleymaps.io.flows.dataset import FlowDataset
from valleymaps.io.sources import (
    ACS_FLOWS_TABLES,
    BEA_IO_YEARS,
    LODES_JOB_TYPES,
    LODES_SEGMENTS,
    LODES_YEARS,
    METRO_DELINEATION_FILES,
    acs_flows_years_text,
    format_years,
)
from valleymaps.io.tracts import TractReadResult
from valleymaps.workflows import fetch as fetch_lib
from valleymaps.workspace import Workspace

from . import json_output
from .flows_cmd import report_flows, report_totals
from .leakage_cmd import report_io_tables
from .metros_cmd import report_metros
from .options import open_executor, replace_option, scheduler_option, workspace_option

F = TypeVar("F", bound=Callable[..., Any])

#: ``fetch lodes --table`` values, in the order they are fetched: the OD flows before the RAC
#: and WAC totals added to them.
LODES_TABLE_ORDER: tuple[str, ...] = ("od", "wac", "rac", "xwalk")


def _size(n: int) -> str:
    """Bytes as text: ``1.2 MB``."""
    value = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value):,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n:,} bytes"  # pragma: no cover


class _ProgressBars:
    """One tqdm bar (bytes, speed) per file, fed by the library's progress callback."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bars: dict[str, Any] = {}

    def __call__(self, progress: DownloadProgress) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self._bars.get(progress.url)
        if bar is None:
            bar = tqdm(
                total=progress.total,
                initial=progress.done,
                desc=progress.name,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
                disable=None,  # off when stderr is not a terminal
            )
            self._bars[progress.url] = bar
        elif progress.done < bar.n:  # the server sent the whole file again
            bar.reset(total=progress.total)
            bar.update(progress.done)
        else:
            bar.update(progress.done - bar.n)

    def reading(self, done: int, total: int) -> None:
        """Bytes read while importing (LODES OD files): one more bar."""
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self._bars.get("reading")
        if bar is None or done < bar.n:
            if bar is not None:
                bar.close()
            bar = self._bars["reading"] = tqdm(total=total, desc="Importing", unit="B",
                                               unit_scale=True, unit_divisor=1024,
                                               file=sys.stderr, leave=False, disable=None)
        bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def _progress_enabled() -> bool:
    """False when ``valleymaps -q`` was given."""
    ctx = click.get_current_context(silent=True)
    return not (ctx is not None and ctx.find_root().params.get("quiet"))


def _run(cache_dir: Path | None, call: Callable[[DownloadCache, _ProgressBars], Any]) -> Any:
    """Open the cache, run ``call`` with progress bars and close them whatever happens."""
    from tqdm.contrib.logging import logging_redirect_tqdm

    cache = DownloadCache(cache_dir)
    click.echo(f"Cache: {cache.root}")
    json_output.record("cache", cache.root)
    bars = _ProgressBars(enabled=_progress_enabled())
    try:
        with logging_redirect_tqdm():
            return call(cache, bars)
    finally:
        bars.close()


def _report_downloads(downloads: Iterable[Download]) -> None:
    for d in downloads:
        json_output.record("downloads", {
            "file": d.path.name, "path": d.path, "url": d.url, "size": d.size, "sha256": d.sha256,
            "from_cache": d.from_cache, "resumed_from": d.resumed_from,
        }, append=True)  # fmt: skip
        if d.from_cache:
            click.echo(f"  cached     {d.path.name} ({_size(d.size)}, checksum verified)")
        else:
            resumed = f", resumed at {_size(d.resumed_from)}" if d.resumed_from else ""
            click.echo(f"  downloaded {d.path.name} ({_size(d.size)}{resumed}) from {d.url}")
        click.echo(f"             -> {d.path}")


def _report_tracts(ws: Workspace, result: TractReadResult) -> None:
    counties = ws.config.region_counties
    by_county = result.counts_by_county()
    click.echo(
        f"Imported {result.n_kept:,} of {result.n_read:,} tracts ({ws.config.region_name}) into "
        f"{ws.tracts_path}"
    )
    click.echo(
        "  " + ", ".join(f"{counties.get(g, g)} {n:,}" for g, n in by_county.items())
    )
    missing = [name for g, name in counties.items() if g not in by_county]
    json_output.record("imported", {
        "kind": "tracts", "path": ws.tracts_path, "n_read": result.n_read, "n_kept": result.n_kept,
        "by_county": by_county, "counties_without_tracts": missing,
    }, append=True)  # fmt: skip
    if missing:
        click.echo(f"  no tracts for: {', '.join(missing)}")


def _report_dataset(ws: Workspace, dataset: EmploymentDataset) -> None:
    table = dataset.table
    levels = table["geoid"].drop_duplicates().str.len().value_counts().to_dict()
    names = {2: ("state", "states"), 5: ("county", "counties"), 11: ("tract", "tracts")}
    nation = bool((table["geoid"] == "US").any())
    if nation:
        levels[2] -= 1
    places = ", ".join(f"{int(levels[n]):,} {names[n][int(levels[n]) != 1]}"
                       for n in sorted(levels) if n in names and levels[n]) + (", the U.S." if nation else "")
    withheld = int(table["employment"].isna().sum())
    json_output.record("imported", {
        "kind": "employment", "name": dataset.name, "source": dataset.source, "rows": len(table),
        "years": dataset.vintage, "withheld": withheld,
        "path": ws.employment_dir / (dataset.name + ".csv"),
    }, append=True)  # fmt: skip
    click.echo(f"Imported {dataset.name}: {dataset.source}")
    click.echo(f"  {len(table):,} rows, {places}, years {dataset.vintage}, {withheld:,} withheld "
               "values (kept as missing, never 0)")
    click.echo(f"  -> {ws.employment_dir / (dataset.name + '.csv')}")


def _report_imported(ws: Workspace, imported: object, source: str) -> str | None:
    """Report what a fetch imported (from the file named ``source``); its short description
    (``None``: nothing imported)."""
    if isinstance(imported, TractReadResult):
        _report_tracts(ws, imported)
        return f"{imported.n_kept:,} tracts"
    if isinstance(imported, EmploymentDataset):
        _report_dataset(ws, imported)
        return f"employment {imported.name}"
    if isinstance(imported, FlowDataset):
        report_flows(ws, imported)
        json_output.record("imported", {"kind": "flows", "name": imported.name}, append=True)
        return f"flows {imported.name}"
    if isinstance(imported, IOTables):
        report_io_tables(ws, imported)
        json_output.record("imported", {"kind": "io_tables", "year": imported.year}, append=True)
        return f"BEA {imported.year} input-output tables"
    if isinstance(imported, Path):
        report_metros(ws, imported, source)
        edition = load_delineation_meta(ws).get("edition")
        json_output.record("imported", {"kind": "metros", "path": imported, "edition": edition}, append=True)
        return f"metro areas (CBSA delineation{f', {edition}' if edition else ''})"
    return None


def _report_result(ws: Workspace, result: fetch_lib.FetchResult[Any]) -> list[str]:
    """Report the downloads, the import, the RAC/WAC totals added and the notes of one fetch;
    short descriptions of what was imported, for the summary of 'fetch all'."""
    _report_downloads(result.downloads)
    done: list[str] = []
    totals = result.totals
    if result.imported is not None and (totals is None or result.imported is not totals.dataset):
        what = _report_imported(ws, result.imported, result.path.name)
        if what is not None:
            done.append(what)
    if totals is not None:
        report_totals(ws, totals.dataset, totals.kind)
        done.append(f"{totals.kind.upper()} totals in {totals.dataset.name}")
        json_output.record("imported", {"kind": f"{totals.kind}_totals", "name": totals.dataset.name},
                           append=True)  # fmt: skip
    for note in result.notes:
        click.echo(f"  {note}")
        json_output.record("notes", note, append=True)
    return done


def _not_imported(what: str) -> None:
    json_output.record("notes", f"not imported: valleymaps cannot import {what} yet", append=True)
    click.echo(f"  not imported: valleymaps cannot import {what} yet; the file stays in the cache "
               "for when it can.")


def _upper_choice(values: Iterable[str]) -> Callable[[click.Context, click.Parameter, str], str]:
    """Option callback accepting ``values`` in any case (``s000`` -> ``S000``)."""
    allowed = tuple(values)

    def check(ctx: click.Context, param: click.Parameter, value: str) -> str:
        normal = value.strip().upper()
        if normal not in allowed:
            raise click.BadParameter(f"{value!r} is not one of {', '.join(allowed)}.", ctx=ctx,
                                     param=param)
        return normal

    return check


def common_options(
    *, state_default: str | None, year_help: str, state: bool = True
) -> Callable[[F], F]:
    """Options every fetch subcommand takes (``--state`` only where it applies)."""

    def decorate(func: F) -> F:
        decorators = [
            click.option("--year", type=click.IntRange(1990, 2100), default=None, help=year_help),
            *([click.option(
                "--state",
                default=state_default,
                show_default=state_default is not None,
                metavar="ST",
                help="State: postal abbreviation or FIPS code.",
            )] if state else []),
            click.option("--refresh", is_flag=True, default=False,
                         help="Download again even if a valid copy is cached."),
            click.option(
                "--cache-dir",
                type=click.Path(file_okay=False, path_type=Path),
                default=None,
                help="Download cache folder (default: $VALLEYMAPS_CACHE_DIR, else the platform "
                "cache folder, e.g. ~/.cache/valleymaps).",
            ),
            workspace_option,
            json_output.json_option,
        ]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            out = func(*args, **kwargs)
            json_output.finish(ok=True)  # a command that returns normally succeeded
            return out

        wrapped: Any = run
        for decorator in reversed(decorators):
            wrapped = decorator(wrapped)
        return cast(F, wrapped)

    return decorate


@click.group("fetch")
def fetch_group() -> None:
    """Download public data (Census Bureau, LEHD) and import it into the workspace.

    Files are kept in a download cache and never downloaded twice: a cached
    file is checked against the size and SHA-256 recorded when it was
    downloaded, and fetched again only if it no longer matches (or with
    --refresh). Interrupted downloads resume where they stopped.

    \b
    Mirrors and proxies: set VALLEYMAPS_TIGER_URL, VALLEYMAPS_CBP_URL,
    VALLEYMAPS_LODES_URL, VALLEYMAPS_ACS_FLOWS_URL, VALLEYMAPS_METROS_URL,
    VALLEYMAPS_BEA_URL, VALLEYMAPS_QCEW_URL or VALLEYMAPS_ASSETS_URL (the pages' script and style
    files, as <mirror>/<host>/<path>) to a base URL with the same folder layout, or add
    them to valleymaps.toml:
      [sources]
      tiger = "https://mirror.example.gov/geo/tiger"
    https_proxy / http_proxy are honoured.

    \b
    Examples:
      valleymaps fetch all --year 2021
      valleymaps fetch tracts --year 2021 --kind tiger
      valleymaps fetch lodes --year 2021 --table od --table rac --table wac
      valleymaps fetch metros
      valleymaps fetch qcew --years 2012-2022
      valleymaps fetch bea             # BEA input-output tables, for 'valleymaps leakage'
      valleymaps fetch assets          # the pages' scripts and styles, for 'build --offline'
    """


@fetch_group.command("tracts")
@common_options(state_default="ca", year_help="Tract vintage (default: the latest known).")
@click.option("--kind", type=click.Choice(["cb", "tiger"], case_sensitive=False), default="cb",
              show_default=True,
              help="cb: cartographic boundary 1:500,000, shoreline-clipped, for thematic maps; "
              "tiger: TIGER/Line, full detail.")
@replace_option
def tracts_cmd(year: int | None, state: str, refresh: bool, cache_dir: Path | None,
               workspace_dir: Path, kind: str, replace: bool) -> None:
    """Census tracts of a state; the region's are imported into data/geo/tracts.gpkg."""
    ws = Workspace.open(workspace_dir)
    y = year if year is not None else fetch_lib.default_year("tracts", kind=kind.lower())
    what = "TIGER/Line" if kind.lower() == "tiger" else "cartographic boundary (1:500,000)"
    click.echo(f"Fetching {what} census tracts {y} for {state.upper()}")
    result = _run(cache_dir, lambda cache, bars: fetch_lib.fetch_tracts(
        ws, year=y, state=state, kind=kind.lower(), refresh=refresh, on_progress=bars,
        cache=cache, replace=replace))
    _report_downloads(result.downloads)
    _report_tracts(ws, result.imported)


@fetch_group.command("cbp")
@common_options(state_default=None,
                year_help="Reference year, 1998 or later (default: the latest known).")
@click.option("--name", default=None, metavar="NAME",
              help="Dataset name in the workspace (default: cbp_<year>).")
@replace_option
def cbp_cmd(year: int | None, state: str | None, refresh: bool, cache_dir: Path | None,
            workspace_dir: Path, name: str | None, replace: bool) -> None:
    """County Business Patterns: county and state files, imported as one employment dataset.

    Keeps the counties and state of the region and its reference area (or
    --state). Withheld values stay missing with their flag, never 0.
    """
    ws = Workspace.open(workspace_dir)
    y = year if year is not None else fetch_lib.default_year("cbp")
    click.echo(f"Fetching County Business Patterns {y}")
    result = _run(cache_dir, lambda cache, bars: fetch_lib.fetch_cbp(
        ws, year=y, state=state, name=name, refresh=refresh, on_progress=bars, cache=cache,
        replace=replace))
    _report_downloads(result.downloads)
    _report_dataset(ws, result.imported)


def parse_years(text: str) -> list[int]:
    """Years from ``2012-2022``, ``2012,2016,2020`` or ``2016`` (ranges and lists mixed).

    >>> parse_years("2012-2014, 2020")
    [2012, 2013, 2014, 2020]
    """
    years: set[int] = set()
    for part in text.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if not (first.isdigit() and len(first) == 4 and (not dash or (last.isdigit() and len(last) == 4))):
            raise ValueError(part)
        start, end = int(first), int(last) if dash else int(first)
        if end < start:
            raise ValueError(part)
        years.update(range(start, end + 1))
    return sorted(years)


def _years_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        return parse_years(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r}: {str(exc)!r} is not a year or a span of years; write e.g. 2012-2022 or "
            "2012,2016,2020.", ctx=ctx, param=param) from exc


@fetch_group.command("qcew")
@common_options(state_default=None, state=False,
                year_help="One data year (default: the latest known); see --years for several.")
@click.option("--years", default=None, metavar="YYYY-YYYY", callback=_years_callback,
              help="Data years: a span (2012-2022) or a list (2012,2016,2020).")
@click.option("--name", default=None, metavar="NAME",
              help="Dataset name in the workspace (default: qcew_<first year>_<last year>).")
@click.option("--quarterly", is_flag=True, default=False,
              help="Fetch the four quarterly slices of each year; each year's value is the mean "
                   "of its 12 months (the annual average, from the quarters).")
@click.option("--period", type=click.Choice(["a", "q1", "q2", "q3", "q4"], case_sensitive=False),
              default=None, help="a: annual slices (default); q1-q4: that quarter of each year, "
                                 "each year's value the mean of the quarter's 3 months.")
@replace_option
def qcew_cmd(year: int | None, years: list[int] | None, refresh: bool, cache_dir: Path | None,
             workspace_dir: Path, name: str | None, quarterly: bool, period: str | None,
             replace: bool) -> None:
    """BLS QCEW annual averages (open-data area slices), imported as one employment dataset.

    One slice per year for each of the region's counties, the reference state and the nation:
    every job covered by unemployment insurance, farms and government included. The dataset
    counts all ownerships and keeps private employers apart ([employment] ownership in
    valleymaps.toml chooses which the clusters count; the plan's private-sector job growth uses
    the private figures). Withheld values stay missing with their flag, never 0.

    --quarterly fetches the quarterly slices instead and averages each year's 12 months (a year
    is refused if a quarter is missing); --period q2 builds a series of second quarters (each
    year: the mean of April-June), comparable year to year.
    """
    if quarterly and period not in (None, "a", "A"):
        raise click.UsageError("--quarterly fetches all four quarters; leave out --period, or pass "
                               "--period alone for one quarter.")
    chosen = "quarterly" if quarterly else (period or "a").lower().removeprefix("q")
    ws = Workspace.open(workspace_dir)
    wanted = sorted(set((years or []) + ([year] if year is not None else [])))
    if not wanted:
        wanted = [fetch_lib.default_year("qcew")]
    what = {"a": "annual averages", "quarterly": "annual averages from the quarterly slices"}.get(
        chosen, f"Q{chosen} averages")
    click.echo(f"Fetching QCEW {what} {format_years(wanted)} "
               f"({len(ws.config.region_counties)} counties, the reference state and the U.S.)")
    result = _run(cache_dir, lambda cache, bars: fetch_lib.fetch_qcew(
        ws, years=wanted, period=chosen, name=name, refresh=refresh, on_progress=bars,
        cache=cache, replace=replace))
    n_cached = sum(d.from_cache for d in result.downloads)
    click.echo(f"  {len(result.downloads)} files: {n_cached} from the cache (checksum verified), "
               f"{len(result.downloads) - n_cached} downloaded ({_size(result.bytes_downloaded)})")
    _report_dataset(ws, result.imported)
    if result.imported is not None and result.imported.private is not None:
        click.echo(f"  private employers kept apart: {len(result.imported.private):,} rows "
                   f"-> {ws.employment_dir / 'private' / (result.imported.name + '.csv')}")


@fetch_group.command("lodes")
@common_options(state_default="ca", year_help="Data year (default: the latest known).")
@click.option("--table", "tables", type=click.Choice(LODES_TABLE_ORDER, case_sensitive=False),
              multiple=True, default=("wac",), show_default=True,
              help="Files to fetch (repeat the option for several; they are fetched in the "
              "order od, wac, rac, xwalk): od (origin-destination, main and aux parts, imported "
              "together as one flows dataset), wac (jobs by workplace: an employment dataset, "
              "and the jobs of the OD dataset's areas when it is there), rac (employed residents "
              "by home: added to the OD dataset, which must be there or fetched with it), xwalk "
              "(block crosswalk, cached, not imported).")
@click.option("--segment", metavar="|".join(LODES_SEGMENTS[:4]) + "|...", default="S000",
              show_default=True, callback=_upper_choice(LODES_SEGMENTS),
              help="Worker segment of WAC/RAC files: " + ", ".join(LODES_SEGMENTS) + ".")
@click.option("--job-type", metavar="JT00|...|JT05", default="JT00", show_default=True,
              callback=_upper_choice(LODES_JOB_TYPES),
              help="Job type: " + ", ".join(LODES_JOB_TYPES) + " (JT00: all jobs).")
@click.option("--lodes-version", metavar="|".join(LODES_YEARS), default="LODES8",
              show_default=True, callback=_upper_choice(LODES_YEARS),
              help="LODES8: 2020 census blocks; LODES7: 2010 blocks, 2002-2019.")
@replace_option
@scheduler_option
def lodes_cmd(year: int | None, state: str, refresh: bool, cache_dir: Path | None,
              workspace_dir: Path, tables: tuple[str, ...], segment: str, job_type: str,
              lodes_version: str, replace: bool, scheduler: str | None) -> None:
    """LEHD LODES files of a state, imported into the workspace.

    OD main and aux become one flows dataset, as with 'valleymaps import flows
    --format lodes-od': aux holds the workers who live in another state, so
    they count as in-commuters. RAC (S000) adds the employed residents of
    every block group, tract and county to that dataset, WAC (S000) its jobs,
    as with 'import flows --format lodes-rac|lodes-wac'; the commuting maps
    then take those totals from them, as OnTheMap does. The OD dataset must be
    there first: ask for od with rac, it is fetched first. WAC also becomes an
    employment dataset (blocks summed to tracts, counties and the state). The
    crosswalk is downloaded into the cache only.
    """
    ws = Workspace.open(workspace_dir)
    version = lodes_version
    y = year if year is not None else fetch_lib.default_year("lodes", version=version)
    common: dict[str, Any] = {"state": state, "job_type": job_type, "version": version,
              "refresh": refresh, "replace": replace}
    asked = {t.lower() for t in tables}
    wanted = [t for t in LODES_TABLE_ORDER if t in asked]  # the OD flows before their totals
    click.echo(f"Fetching {version} {', '.join(wanted)} {y} for {state.upper()}")

    def call(cache: DownloadCache, bars: _ProgressBars) -> None:
        for table in wanted:
            if table == "wac":
                _report_result(ws, fetch_lib.fetch_lodes_wac(
                    ws, year=y, segment=segment, cache=cache, on_progress=bars, **common))
            elif table == "od":
                with open_executor(scheduler, ws.config.scheduler) as ex:
                    _report_result(ws, fetch_lib.fetch_lodes_od(
                        ws, year=y, cache=cache, on_progress=bars, on_read=bars.reading,
                        executor=ex, **common))
            elif table == "rac":
                _report_result(ws, fetch_lib.fetch_lodes_rac(
                    ws, year=y, segment=segment, cache=cache, on_progress=bars, **common))
            else:
                xwalk = fetch_lib.fetch_lodes_crosswalk(
                    ws, state=state, version=version, refresh=refresh, cache=cache,
                    on_progress=bars)
                _report_downloads(xwalk.downloads)
                _not_imported("the LODES block crosswalk")

    _run(cache_dir, call)


@fetch_group.command(
    "acs-flows",
    help="ACS county-to-county commuting flows (Table 1, table1.xlsx), imported as a flows "
    "dataset.\n\nThe import is that of 'valleymaps import flows --format acs-county': every "
    "county pair of the nation with its margin of error; work places abroad and rows without a "
    "work place are kept. Tables by last year of their 5-year period: "
    f"{acs_flows_years_text()}.",
)
@common_options(state_default=None, state=False, year_help="Last year of the 5-year ACS period: "
                + ", ".join(str(y) for y in sorted(ACS_FLOWS_TABLES)) + " (default: the latest).")
@click.option("--name", default=None, metavar="NAME",
              help="Dataset name in the workspace (default: acs_county_flows_<period>).")
@replace_option
def acs_flows_cmd(year: int | None, refresh: bool, cache_dir: Path | None,
                  workspace_dir: Path, name: str | None, replace: bool) -> None:
    ws = Workspace.open(workspace_dir)
    y = year if year is not None else fetch_lib.default_year("acs-flows")
    click.echo(f"Fetching ACS county-to-county commuting flows, table ending {y}")
    result = _run(cache_dir, lambda cache, bars: fetch_lib.fetch_acs_flows(
        ws, year=y, name=name, refresh=refresh, on_progress=bars, cache=cache, replace=replace))
    _report_result(ws, result)


@fetch_group.command(
    "metros",
    help="Metro areas: the Census Bureau's CBSA delineation file (list1), stored as "
    "data/geo/cbsa_delineation.csv.\n\nThe import is that of 'valleymaps import metros': the "
    "counties of every metropolitan and micropolitan statistical area. The flow maps and "
    "top-destination tables then group the places outside the region by metro area (\"Rest of "
    "<state>\" for counties outside every area). Delineations: "
    f"{format_years(METRO_DELINEATION_FILES)} (.xls workbooks up to 2020, .xlsx since).",
)
@common_options(state_default=None, state=False,
                year_help="Year of the delineation: "
                + ", ".join(str(y) for y in sorted(METRO_DELINEATION_FILES))
                + " (default: the latest).")
@replace_option
def metros_cmd(year: int | None, refresh: bool, cache_dir: Path | None,
               workspace_dir: Path, replace: bool) -> None:
    ws = Workspace.open(workspace_dir)
    y = year if year is not None else fetch_lib.default_year("metros")
    click.echo(f"Fetching the CBSA delineation file (metro areas) of {y}")
    result = _run(cache_dir, lambda cache, bars: fetch_lib.fetch_metros(
        ws, year=y, refresh=refresh, on_progress=bars, cache=cache, replace=replace))
    _report_result(ws, result)


@fetch_group.command(
    "bea",
    help="Input-output tables: the Bureau of Economic Analysis's detail Use, Make and import-matrix "
    "workbooks (2018 release, before redefinitions, producers' prices), stored as "
    "data/econ/io/bea_<year>_detail.npz for 'valleymaps leakage'.\n\nThe import is that of "
    "'valleymaps import io'. Detail tables exist for "
    + ", ".join(str(y) for y in BEA_IO_YEARS) + " (default: 2012, the benchmark).",
)
@common_options(state_default=None, state=False, year_help="Table year: "
                + ", ".join(str(y) for y in BEA_IO_YEARS) + " (default: 2012).")
@replace_option
def bea_cmd(year: int | None, refresh: bool, cache_dir: Path | None, workspace_dir: Path,
            replace: bool) -> None:
    ws = Workspace.open(workspace_dir)
    y = 2012 if year is None else year
    click.echo(f"Fetching the BEA detail input-output tables of {y}")
    result = _run(cache_dir, lambda cache, bars: fetch_lib.fetch_bea(
        ws, year=y, refresh=refresh, on_progress=bars, cache=cache, replace=replace))
    _report_result(ws, result)


@fetch_group.command("assets")
@common_options(state_default=None, state=False, year_help="Not used (the pages' files have no year).")
def assets_cmd(year: int | None, refresh: bool, cache_dir: Path | None, workspace_dir: Path) -> None:
    """The script and style files the atlas pages load (Leaflet, jQuery, Bootstrap, Font Awesome,
    marker plugins, and the images and fonts their style sheets load), into the download cache.

    Once they are cached, 'valleymaps build --offline' writes an atlas that loads them from
    outputs/maps/assets/ and opens with no internet (only the basemap tiles need it). A mirror:
    VALLEYMAPS_ASSETS_URL (or [sources] assets) serving <mirror>/<host>/<path>.
    """
    ws = Workspace.open(workspace_dir) if (Path(workspace_dir) / "valleymaps.toml").is_file() else None
    click.echo("Fetching the pages' script and style files")
    result = _run(cache_dir, lambda cache, bars: fetch_lib.fetch_assets(
        ws, refresh=refresh, on_progress=bars, cache=cache))
    _report_downloads(result.downloads)
    n_cached = sum(d.from_cache for d in result.downloads)
    click.echo(f"  {len(result.downloads)} files: {n_cached} from the cache (checksum verified), "
               f"{len(result.downloads) - n_cached} downloaded. Now: valleymaps build --offline")


@fetch_group.command("all")
@common_options(state_default="ca", year_help="Data year (default: the latest year tracts, "
                "CBP and LODES all have).")
@click.option("--kind", type=click.Choice(["cb", "tiger"], case_sensitive=False), default="cb",
              show_default=True, help="Tract file kind (see 'fetch tracts').")
@click.option("--qcew-years", default=None, metavar="YYYY-YYYY", callback=_years_callback,
              help="QCEW years: a span (2012-2022) or a list (default: --year alone).")
@replace_option
@click.pass_context
def all_cmd(ctx: click.Context, year: int | None, state: str, refresh: bool,
            cache_dir: Path | None, workspace_dir: Path, kind: str, qcew_years: list[int] | None,
            replace: bool) -> None:
    """Everything the atlas uses, each imported: tracts, CBP, QCEW, LODES OD, WAC and RAC, ACS
    flows, metro areas.

    Tracts go to data/geo/tracts.gpkg; CBP, QCEW (annual averages of the
    region's counties, the reference state and the U.S. for --qcew-years) and
    LODES WAC become employment datasets; LODES OD (main and aux parts together) and the ACS table become
    flows datasets, as with 'valleymaps import'; then the WAC jobs and RAC
    employed residents are added to the LODES OD dataset as its area totals.
    ACS flows come from the last 5-year table ending in or before --year; metro
    areas from the latest CBSA delineation, whatever --year. A step that fails
    does not stop the others; the command then exits with 1. Then run
    'valleymaps build'.
    """
    ws = Workspace.open(workspace_dir)

    def on_step(step: str, step_year: int) -> None:
        note = " (the latest CBSA delineation, whatever --year)" if step == "metros" else ""
        if step == "qcew" and qcew_years:
            click.echo(f"[{step}] {format_years(qcew_years)} (annual averages)")
            return
        click.echo(f"[{step}] {step_year}{note}")

    imported: list[str] = []

    def on_done(step: str, outcome: fetch_lib.FetchResult[Any] | ValleymapsError) -> None:
        if isinstance(outcome, ValleymapsError):
            click.secho(f"  failed: {outcome}", fg="red", err=True)
            json_output.record("errors", {"step": step, "error": str(outcome)}, append=True)
            return
        done = _report_result(ws, outcome)
        if not done and not outcome.notes:
            _not_imported("these files")
        imported.extend(done)

    result = _run(cache_dir, lambda cache, bars: fetch_lib.fetch_all(
        ws, year=year, qcew_years=qcew_years, state=state, kind=kind.lower(), refresh=refresh,
        replace=replace,
        on_progress=bars, on_step=on_step, on_done=on_done, on_read=bars.reading, cache=cache))
    n_down = sum(r.bytes_downloaded for r in result.results.values())
    n_files = sum(len(r.downloads) for r in result.results.values())
    n_cached = sum(d.from_cache for r in result.results.values() for d in r.downloads)
    click.echo(f"Done: {len(result.results)} of {len(result.results) + len(result.errors)} "
               f"steps, {n_files} files ({n_cached} from the cache), {_size(n_down)} downloaded.")
    click.echo(f"Imported into {ws.root}: " + ("; ".join(imported) if imported else "nothing"))
    json_output.record("summary", {"steps_done": len(result.results), "steps_failed": len(result.errors),
                                   "files": n_files, "from_cache": n_cached, "bytes_downloaded": n_down})
    if result.errors:
        for step, exc in result.errors.items():
            click.secho(f"Error: {step}: {exc}", fg="red", err=True)
        json_output.finish(ok=False)
        ctx.exit(1)
