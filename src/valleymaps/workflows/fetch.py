"""Fetch real public data into the download cache and import it into a workspace.

Each ``fetch_*`` function builds the official URL (:mod:`valleymaps.io.sources`),
downloads the file into the cache unless a valid copy is there already
(:mod:`valleymaps.io.download`) and imports it through the same code as
``valleymaps import``:

* :func:`fetch_tracts`: a state's tract file (cartographic boundary 1:500,000
  or TIGER/Line); the region's tracts go to ``data/geo/tracts.gpkg`` through
  :func:`~valleymaps.io.tracts.import_tracts`.
* :func:`fetch_cbp`: County Business Patterns county and state files, one
  employment dataset through
  :func:`~valleymaps.io.employment.store.import_employment`.
* :func:`fetch_qcew`: BLS QCEW open-data area slices (annual averages, or
  quarters) of the region's counties, the reference state and the nation for a
  span of years, one employment dataset (all ownerships, and private employers
  apart).
* :func:`fetch_lodes_od`: a state's LODES origin-destination files, main and
  aux parts together, one flows dataset through
  :func:`~valleymaps.io.flows.store.import_flows` (as ``valleymaps import flows
  --format lodes-od``).
* :func:`fetch_lodes_wac`: a LODES workplace area characteristics file, one
  employment dataset (blocks summed to tracts, counties, state), and, when the
  OD dataset of the same state, year and job type is there, its jobs added to it
  as WAC area totals (:func:`~valleymaps.io.flows.store.import_area_totals`, as
  ``valleymaps import flows --format lodes-wac``).
* :func:`fetch_lodes_rac`: a LODES residence area characteristics file, its
  employed residents added to that OD dataset as RAC area totals (the OD
  dataset must be fetched first).
* :func:`fetch_acs_flows`: the ACS county-to-county commuting flows workbook
  (``table1.xlsx``), one flows dataset through the same function.
* :func:`fetch_metros`: the CBSA delineation file (``list1_2023.xlsx``), stored
  as ``data/geo/cbsa_delineation.csv`` through
  :func:`~valleymaps.io.delineation.import_metro_delineation` (as ``valleymaps
  import metros``): the flow maps then group outside places by metro area.
* :func:`fetch_bea`: the BEA's detail input-output workbooks (Use, Make, import matrix),
  stored as ``data/econ/io/bea_<year>_detail.npz`` through
  :func:`~valleymaps.io.bea.import_io` (as ``valleymaps import io``), for ``valleymaps
  leakage``.
* :func:`fetch_lodes_crosswalk`: download only (``result.path`` is the cached file).

Every function takes ``cache`` (a :class:`~valleymaps.io.download.DownloadCache`
or a folder; default: ``--cache-dir``, ``$VALLEYMAPS_CACHE_DIR`` or the
platform cache folder), ``refresh`` (download again even when cached) and
``on_progress`` (called as bytes arrive; the CLI draws a progress bar with it).
Base URLs come from ``VALLEYMAPS_<SOURCE>_URL`` or the workspace's
``[sources]`` table, so a mirror or a test server can stand in.

Examples
--------
Against a mirror (here: no server, so nothing is run)::

    import os
    from valleymaps.workspace import Workspace
    from valleymaps.workflows.fetch import fetch_tracts
    os.environ["VALLEYMAPS_TIGER_URL"] = "https://mirror.example.gov/geo/tiger"
    result = fetch_tracts(Workspace.open("my-valley"), year=2021)
    result.imported.n_kept, result.path
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from valleymaps.compute.executor import Executor
from valleymaps.employment import EmploymentDataset
from valleymaps.errors import (
    ConfigError,
    MissingDatasetError,
    OfflineError,
    OutputWriteError,
    RemoteNotFoundError,
    ValleymapsError,
    YearNotAvailableError,
)
from valleymaps.io.download import Download, DownloadCache, ProgressCallback
from valleymaps.io.flows.dataset import FlowDataset
from valleymaps.io.sources import (
    CB_TRACT_YEARS,
    CBP_YEARS,
    LODES_OD_PARTS,
    LODES_YEARS,
    METRO_DELINEATION_FILES,
    QCEW_YEARS,
    TIGER_TRACT_YEARS,
    RemoteFile,
    acs_flows_file,
    acs_flows_year_for,
    available_years_text,
    bea_io_files,
    cbp_file,
    known_years,
    lodes_crosswalk_file,
    lodes_file,
    metro_delineation_file,
    qcew_area_code,
    qcew_file,
    resolve_state,
    tract_file,
)
from valleymaps.io.tracts import TractReadResult
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

T = TypeVar("T")

CacheLike = DownloadCache | str | os.PathLike[str] | None

#: Steps of :func:`fetch_all`, in order: the LODES OD flows come before the RAC and WAC area
#: totals that are added to them.
ALL_STEPS: tuple[str, ...] = (
    "tracts", "cbp", "qcew", "lodes-od", "lodes-wac", "lodes-rac", "acs-flows", "metros",
)  # fmt: skip


@dataclass(frozen=True)
class AddedTotals:
    """LODES RAC or WAC area totals added to a LODES OD flows dataset.

    Attributes
    ----------
    kind
        ``"rac"`` (employed residents) or ``"wac"`` (jobs).
    dataset
        The OD flows dataset, with the totals in ``dataset.totals[kind]``.
    """

    kind: str
    dataset: FlowDataset


@dataclass(frozen=True)
class FetchResult(Generic[T]):
    """Files fetched into the cache and what was imported from them.

    Attributes
    ----------
    downloads
        One :class:`~valleymaps.io.download.Download` per file (cached path,
        whether it came from the cache, bytes received).
    imported
        What the importer returned (tracts, an employment or a flows dataset,
        the stored delineation's path), or ``None`` when nothing was imported
        (download-only sources, no workspace).
    totals
        LODES RAC/WAC: the area totals added to the OD flows dataset (for RAC
        ``imported`` is that dataset too), ``None`` when none were added.
    notes
        What was not done, and why (WAC totals without an OD dataset).
    """

    downloads: list[Download]
    imported: T | None = None
    totals: AddedTotals | None = None
    notes: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        """The (first) cached file."""
        return self.downloads[0].path

    @property
    def paths(self) -> list[Path]:
        return [d.path for d in self.downloads]

    @property
    def bytes_downloaded(self) -> int:
        return sum(d.downloaded for d in self.downloads)

    @property
    def from_cache(self) -> bool:
        """True when every file came from the cache (nothing downloaded)."""
        return all(d.from_cache for d in self.downloads)


def _as_cache(cache: CacheLike) -> DownloadCache:
    return cache if isinstance(cache, DownloadCache) else DownloadCache(cache)


def _not_found(remote: RemoteFile, exc: RemoteNotFoundError) -> YearNotAvailableError:
    years = known_years(remote)
    newer = bool(years) and remote.year > max(years)
    mirror = (
        f" The base URL {remote.base_url} is not the official one ({remote.source.default_url}):"
        " check that the mirror holds this file."
        if remote.base_url != remote.source.default_url
        else ""
    )
    if remote.source.key == "lodes":
        mirror += " LODES misses some years for some states."
    return YearNotAvailableError(
        f"{remote.description} is not on the server: {remote.url} answered {exc.status} (not "
        f"found){' - it may not be published yet' if newer else ''}. Years available: "
        f"{available_years_text(remote)}. Pass --year with one of these.{mirror}",
        year=remote.year,
        available=years,
    )


def download_remote(
    remote: RemoteFile,
    *,
    cache: CacheLike = None,
    refresh: bool = False,
    on_progress: ProgressCallback | None = None,
) -> Download:
    """Download ``remote`` into the cache (or use the valid cached copy).

    Raises
    ------
    YearNotAvailableError
        If the server has no such file (404), listing the years that exist.
    OfflineError, DownloadError
        See :meth:`~valleymaps.io.download.DownloadCache.fetch`.
    """
    try:
        return _as_cache(cache).fetch(
            remote.url,
            remote.cache_key,
            refresh=refresh,
            on_progress=on_progress,
            hint=remote.mirror_hint(),
        )
    except RemoteNotFoundError as exc:
        raise _not_found(remote, exc) from exc


def _download_all(
    remotes: Iterable[RemoteFile],
    *,
    cache: CacheLike,
    refresh: bool,
    on_progress: ProgressCallback | None,
) -> list[Download]:
    store = _as_cache(cache)
    downloads = [
        download_remote(r, cache=store, refresh=refresh, on_progress=on_progress) for r in remotes
    ]
    n_cached = sum(d.from_cache for d in downloads)
    log.info(
        "fetched %d file%s: %d from the cache, %d downloaded (%s bytes)",
        len(downloads),
        "s" if len(downloads) != 1 else "",
        n_cached,
        len(downloads) - n_cached,
        f"{sum(d.downloaded for d in downloads):,}",
    )
    return downloads


def _root(ws: Workspace | None) -> Path | None:
    return ws.root if ws is not None else None


def fetch_tracts(
    ws: Workspace,
    *,
    year: int,
    state: str = "06",
    kind: str = "cb",
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[TractReadResult]:
    """Download a state's census tracts and import the region's into the workspace.

    Parameters
    ----------
    ws
        The workspace (its counties decide which tracts are kept).
    year
        Vintage: 2013-2024 for ``cb``, 2011-2024 for ``tiger``.
    state
        State FIPS code or abbreviation.
    kind
        ``cb``: cartographic boundary 1:500,000, clipped to the shoreline, made
        for thematic maps (default); ``tiger``: TIGER/Line, full detail.
    refresh
        Download again even when a valid copy is cached.
    replace
        Replace data already in the workspace that differ from the download (without it such
        an import refuses, as ``valleymaps import`` does; the same data again replace nothing).
        Every ``fetch_*`` function that imports takes it.
    on_progress
        Called with download progress.
    cache
        Download cache or its folder.

    Returns
    -------
    FetchResult[TractReadResult]

    Raises
    ------
    YearNotAvailableError
        If ``year`` is not published, listing the years that are.
    OfflineError, DownloadError
        If the download fails.
    ValidationError, DataSourceError
        If the file does not import (see :func:`~valleymaps.io.tracts.import_tracts`).
    """
    from valleymaps.io.tracts import import_tracts

    remote = tract_file(year, state=state, kind=kind, workspace_root=_root(ws))
    downloads = _download_all([remote], cache=cache, refresh=refresh, on_progress=on_progress)
    result = import_tracts(ws, downloads[0].path, replace=replace)
    return FetchResult(downloads, result)


def _region_states(ws: Workspace) -> list[str]:
    states = {g[:2] for g in ws.config.region_counties}
    states.add(ws.config.reference_geoid[:2])
    return sorted(states)


def fetch_cbp(
    ws: Workspace,
    *,
    year: int,
    state: str | None = None,
    name: str | None = None,
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[EmploymentDataset]:
    """Download County Business Patterns county and state files and import them as one dataset.

    The county file gives the region's counties, the state file the
    reference state's totals (location quotients need both). Withheld values
    stay missing with their flags.

    Parameters
    ----------
    ws
        The workspace.
    year
        Reference year (1998-2023 known; newer years are tried).
    state
        State to keep (FIPS or abbreviation); default the states of the
        region's counties and of the reference area.
    name
        Dataset name (default ``cbp_<year>``).
    refresh, on_progress, cache
        As for :func:`fetch_tracts`.

    Returns
    -------
    FetchResult[EmploymentDataset]
    """
    from valleymaps.io.employment.store import import_employment

    remotes = [
        cbp_file(year, level=level, workspace_root=_root(ws)) for level in ("co", "st")
    ]
    states = [resolve_state(state)[0]] if state is not None else _region_states(ws)
    downloads = _download_all(remotes, cache=cache, refresh=refresh, on_progress=on_progress)
    dataset = import_employment(
        ws, [d.path for d in downloads], format="cbp", year=year, name=name, states=states,
        replace=replace,
    )
    return FetchResult(downloads, dataset)


def fetch_qcew(
    ws: Workspace,
    *,
    years: Iterable[int],
    period: str = "a",
    name: str | None = None,
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[EmploymentDataset]:
    """Download QCEW open-data area slices (annual averages or quarters) and import them as one
    dataset.

    One slice per year (and quarter) and area: the region's counties, the reference state
    (``06000``) and the nation (``US000``). Every file goes through the download cache (checked against its
    size and SHA-256, resumed where it stopped), so a fetch that fails half-way starts again
    from the files it already has. The import is that of ``valleymaps import employment
    --format qcew``: all ownerships in the dataset's table, private employers in its private
    table, withheld values missing and flagged.

    Parameters
    ----------
    ws
        The workspace.
    years
        Data years (2012 onwards known; newer years are tried).
    period
        ``"a"`` (default): the annual slices (``{year}/a/area/…``), BLS's annual averages.
        ``"quarterly"``: the four quarterly slices of each year (``{year}/1/area/…`` …
        ``{year}/4/…``); each year's value is the mean of its 12 months, BLS's own rule for
        the annual average, so the series is the annual one; a quarter not published yet
        stops the fetch (a year is never averaged over fewer months). ``"1"``-``"4"`` (or
        ``q1``-``q4``): that quarter's slice of each year; each year's value is the mean of
        the quarter's three months (a same-season series, named ``…_q<n>``).
    name
        Dataset name (default ``qcew_<first year>_<last year>``, or ``qcew_<year>``; with
        ``quarterly`` ``…_quarterly``, with a quarter ``…_q<n>``).
    refresh, on_progress, cache, replace
        As for :func:`fetch_tracts` (BLS revises past years: a refetch that changes a dataset
        needs ``replace``).

    Returns
    -------
    FetchResult[EmploymentDataset]
    """
    from valleymaps.io.employment.store import import_employment

    wanted = sorted(set(int(y) for y in years))
    if not wanted:
        raise ConfigError("no year given; pass --years, e.g. --years 2012-2022.")
    from valleymaps.io.employment.qcew import check_quarter

    text = str(period).strip().lower()
    quarter = None if text in ("a", "annual", "quarterly") else check_quarter(text)
    slices = ["1", "2", "3", "4"] if text == "quarterly" else [quarter or "a"]
    areas = [*sorted(ws.config.region_counties), ws.config.reference_geoid, "US"]
    codes = list(dict.fromkeys(qcew_area_code(a) for a in areas))
    root = _root(ws)
    remotes = [qcew_file(y, c, quarter=q, workspace_root=root) for y in wanted for q in slices for c in codes]
    downloads = _download_all(remotes, cache=cache, refresh=refresh, on_progress=on_progress)
    if name is None:
        name = f"qcew_{wanted[0]}" if len(wanted) == 1 else f"qcew_{wanted[0]}_{wanted[-1]}"
        name += "_quarterly" if text == "quarterly" else f"_q{quarter}" if quarter else ""
    dataset = import_employment(
        ws, [d.path for d in downloads], format="qcew", name=name, states=_region_states(ws),
        replace=replace, quarter=quarter,
    )
    return FetchResult(downloads, dataset)


def _version_tag(remote: RemoteFile) -> str | None:
    """``lodes7`` for a LODES file of another version than the default LODES8, else ``None``
    (dataset names get it, so that both versions of a year can be kept)."""
    version = remote.path.split("/", 1)[0]
    return None if version == "LODES8" else version.lower()


def _od_dataset_name(remote: RemoteFile, job_type: str) -> str:
    """Name of the OD flows dataset :func:`fetch_lodes_od` imports for the version, state and
    year of the LODES file ``remote`` (``ca_od_2021_jt00``; ``ca_od_2019_jt00_lodes7``)."""
    state = remote.path.split("/", 2)[1]
    return "_".join(filter(None, [state, "od", str(remote.year), job_type.strip().lower(),
                                  _version_tag(remote)]))


def _fetch_od_command(remote: RemoteFile, job_type: str, kind: str) -> str:
    """The ``valleymaps fetch lodes`` command that fetches the OD files, then ``kind``."""
    version, state = remote.path.split("/", 2)[:2]
    options = [f"--year {remote.year}"]
    if state != "ca":
        options.append(f"--state {state}")
    if job_type.strip().upper() != "JT00":
        options.append(f"--job-type {job_type.strip().upper()}")
    if version != "LODES8":
        options.append(f"--lodes-version {version}")
    return f"valleymaps fetch lodes {' '.join(options)} --table od --table {kind}"


def _add_area_totals(ws: Workspace, remote: RemoteFile, path: Path, *, kind: str,
                     job_type: str, replace: bool = False) -> AddedTotals:
    """Add the RAC/WAC file ``path`` to the OD flows dataset of its state, year, job type and
    LODES version: the one :func:`fetch_lodes_od` names, else one imported under another name.

    Raises
    ------
    MissingDatasetError
        If the workspace has no such OD dataset, saying what to fetch.
    """
    from valleymaps.io.flows.store import import_area_totals, list_flows

    od_name = _od_dataset_name(remote, job_type)
    version = remote.path.split("/", 1)[0]
    names = list_flows(ws)
    if od_name in names:
        dataset = import_area_totals(ws, path, kind=kind, name=od_name, lodes_version=version,
                                     replace=replace)
        return AddedTotals(kind, dataset)
    try:  # imported by hand under another name ('valleymaps import flows --name')
        dataset = import_area_totals(ws, path, kind=kind, lodes_version=version, replace=replace)
    except ConfigError as exc:
        log.debug("no OD dataset for %s: %s", remote.name, exc)
        raise MissingDatasetError(
            f"no LODES OD flows dataset {od_name!r} in the workspace to add the {kind.upper()} "
            f"totals of {remote.name} to (flows datasets there: {', '.join(names) or 'none'}): "
            "they belong to the OD flows of the same state, year and job type. Fetch the OD "
            f"files first: '{_fetch_od_command(remote, job_type, kind)}' (the OD files are "
            f"imported first, then the totals; {remote.name} stays in the cache)."
        ) from exc
    return AddedTotals(kind, dataset)


def _is_all_segments(segment: str) -> bool:
    return segment.strip().upper() == "S000"


def fetch_lodes_wac(
    ws: Workspace,
    *,
    year: int,
    state: str = "ca",
    segment: str = "S000",
    job_type: str = "JT00",
    version: str = "LODES8",
    name: str | None = None,
    add_totals: bool = True,
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[EmploymentDataset]:
    """Download a LODES workplace area characteristics file and import it.

    Blocks are summed to tracts, counties and the state (see
    :mod:`valleymaps.io.employment.lodes_wac`). When the workspace has the LODES OD flows
    dataset of the same state, year, job type and version (:func:`fetch_lodes_od`), the file's
    jobs are also added to it as WAC area totals (as ``valleymaps import flows --format
    lodes-wac``); without one, ``result.notes`` says what to fetch.

    Parameters
    ----------
    ws
        The workspace.
    year
        Data year (LODES8: 2002-2023 known; LODES7: 2002-2019).
    state
        State abbreviation or FIPS code.
    segment
        Worker segment (``S000``: all workers).
    job_type
        ``JT00`` (all jobs) to ``JT05``.
    version
        ``LODES8`` (2020 census blocks, default) or ``LODES7`` (2010 blocks).
    name
        Dataset name (default: the file name, with ``_lodes7`` for LODES7).
    add_totals
        Add the jobs to the OD flows dataset as WAC totals when it is there (S000 files only:
        their columns carry every segment).
    refresh, on_progress, cache
        As for :func:`fetch_tracts`.

    Returns
    -------
    FetchResult[EmploymentDataset]
        ``imported``: the employment dataset; ``totals``: the OD dataset with the WAC totals,
        or ``None`` (``notes`` says why).
    """
    from valleymaps.io.employment.store import import_employment

    remote = lodes_file("wac", year=year, state=state, segment=segment, job_type=job_type,
                        version=version, workspace_root=_root(ws))
    downloads = _download_all([remote], cache=cache, refresh=refresh, on_progress=on_progress)
    tag = _version_tag(remote)
    if name is None and tag:
        name = remote.name.removesuffix(".csv.gz") + f"_{tag}"
    dataset = import_employment(ws, downloads[0].path, format="lodes-wac", year=year, name=name,
                                replace=replace)
    if not add_totals:
        return FetchResult(downloads, dataset)
    if not _is_all_segments(segment):
        return FetchResult(downloads, dataset, notes=(
            f"jobs not added to the commuting flows as WAC totals: those come from the S000 file "
            f"(its columns carry every segment), not {segment.strip().upper()}.",))
    try:
        totals = _add_area_totals(ws, remote, downloads[0].path, kind="wac", job_type=job_type,
                                  replace=replace)
    except MissingDatasetError as exc:
        return FetchResult(downloads, dataset,
                           notes=(f"jobs not added to the commuting flows as WAC totals: {exc}",))
    return FetchResult(downloads, dataset, totals=totals)


def fetch_lodes_od(
    ws: Workspace | None,
    *,
    year: int,
    state: str = "ca",
    job_type: str = "JT00",
    version: str = "LODES8",
    detail_level: str = "tract",
    name: str | None = None,
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    on_read: Callable[[int, int], None] | None = None,
    cache: CacheLike = None,
    executor: Executor | None = None,
) -> FetchResult[FlowDataset]:
    """Download a state's LODES origin-destination files (main and aux) and import them as one
    flows dataset.

    The ``main`` file has the workers who live and work in the state, ``aux`` those who work in
    it and live in another state: read together, the out-of-state workers count as
    in-commuters of the counties they work in. The import is that of ``valleymaps import flows
    --format lodes-od`` (:func:`~valleymaps.io.flows.store.import_flows`): county pairs for
    the whole state, tract pairs with an end in the region.

    Parameters
    ----------
    ws
        The workspace to import into; ``None``: download only (``result.paths`` are the
        cached files).
    year, state, job_type, version
        As for :func:`fetch_lodes_wac`.
    detail_level
        Level of the finer flows kept for the region: ``tract`` or ``block_group``.
    name
        Dataset name (default ``<st>_od_<year>_<jt>``, with ``_lodes7`` for LODES7; the RAC
        and WAC totals fetched later are added to the dataset of that name).
    refresh, on_progress, cache
        As for :func:`fetch_tracts`.
    on_read
        Called as ``on_read(done, total)`` with bytes read while importing.
    executor
        Where to read the files (:func:`valleymaps.compute.get_executor`): on a Dask cluster
        main and aux are read as two tasks (the cache folder must be shared with the workers).

    Returns
    -------
    FetchResult[FlowDataset]
        Downloads in the order main, aux.
    """
    from valleymaps.io.flows.store import import_flows

    remotes = [lodes_file("od", year=year, state=state, part=part, job_type=job_type,
                          version=version, workspace_root=_root(ws)) for part in LODES_OD_PARTS]
    downloads = _download_all(remotes, cache=cache, refresh=refresh, on_progress=on_progress)
    if ws is None:
        return FetchResult(downloads)
    if name is None:
        name = _od_dataset_name(remotes[0], job_type)
    dataset = import_flows(ws, [d.path for d in downloads], format="lodes-od", year=year,
                           name=name, detail_level=detail_level, lodes_version=version.upper(),
                           on_progress=on_read, replace=replace, executor=executor)
    return FetchResult(downloads, dataset)


def fetch_lodes_rac(
    ws: Workspace | None,
    *,
    year: int,
    state: str = "ca",
    segment: str = "S000",
    job_type: str = "JT00",
    version: str = "LODES8",
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[FlowDataset]:
    """Download a LODES residence area characteristics file and add its employed residents to
    the LODES OD flows dataset of the same state, year, job type and version.

    The import is that of ``valleymaps import flows --format lodes-rac``
    (:func:`~valleymaps.io.flows.store.import_area_totals`): blocks summed to block groups,
    tracts and counties; the inflow/outflow measures then take the employed residents from
    them. The OD dataset must be there first (:func:`fetch_lodes_od`).

    Parameters
    ----------
    ws
        The workspace; ``None``: download only (``result.path`` is the cached file).
    year, state, job_type, version
        As for :func:`fetch_lodes_wac`.
    segment
        ``S000`` (default): its columns carry every segment. Another segment's file is
        downloaded only (``result.notes`` says so).
    refresh, on_progress, cache
        As for :func:`fetch_tracts`.

    Returns
    -------
    FetchResult[FlowDataset]
        ``imported``: the OD flows dataset with its RAC totals (``totals`` says the same).

    Raises
    ------
    MissingDatasetError
        If the workspace has no LODES OD dataset of the file's state, year, job type and
        version; the message says what to fetch.
    """
    remote = lodes_file("rac", year=year, state=state, segment=segment, job_type=job_type,
                        version=version, workspace_root=_root(ws))
    downloads = _download_all([remote], cache=cache, refresh=refresh, on_progress=on_progress)
    if ws is None:
        return FetchResult(downloads)
    if not _is_all_segments(segment):
        return FetchResult(downloads, notes=(
            f"not imported: the employed residents of the commuting flows come from the S000 "
            f"file (its columns carry every segment), not {segment.strip().upper()}; the file "
            "stays in the cache.",))
    totals = _add_area_totals(ws, remote, downloads[0].path, kind="rac", job_type=job_type,
                              replace=replace)
    return FetchResult(downloads, totals.dataset, totals=totals)


def fetch_lodes_crosswalk(
    ws: Workspace | None,
    *,
    state: str = "ca",
    version: str = "LODES8",
    refresh: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[None]:
    """Download a state's LODES block geography crosswalk into the cache (no import yet)."""
    remote = lodes_crosswalk_file(state=state, version=version, workspace_root=_root(ws))
    return FetchResult(_download_all([remote], cache=cache, refresh=refresh,
                                     on_progress=on_progress))


def fetch_acs_flows(
    ws: Workspace | None,
    *,
    year: int = 2020,
    name: str | None = None,
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[FlowDataset]:
    """Download the ACS county-to-county commuting flows table (``table1.xlsx``) and import it.

    The import is that of ``valleymaps import flows --format acs-county``
    (:func:`~valleymaps.io.flows.store.import_flows`, reading the workbook with
    :func:`~valleymaps.io.flows.acs_xlsx.read_acs_xlsx_flows`): every county pair of the
    nation with its margin of error, work places abroad and rows without a work place kept.

    Parameters
    ----------
    ws
        The workspace to import into; ``None``: download only.
    year
        Last year of the 5-year period: 2010 (2006-2010), 2015 (2011-2015) or
        2020 (2016-2020, default).
    name
        Dataset name (default ``acs_county_flows_<first year>_<last year>``).
    refresh, on_progress, cache
        As for :func:`fetch_tracts`.

    Returns
    -------
    FetchResult[FlowDataset]
    """
    from valleymaps.io.flows.store import import_flows

    remote = acs_flows_file(year, workspace_root=_root(ws))
    downloads = _download_all([remote], cache=cache, refresh=refresh, on_progress=on_progress)
    if ws is None:
        return FetchResult(downloads)
    dataset = import_flows(ws, downloads[0].path, format="acs-county", name=name, replace=replace)
    return FetchResult(downloads, dataset)


def fetch_metros(
    ws: Workspace | None,
    *,
    year: int | None = None,
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[Path]:
    """Download the Census Bureau's CBSA delineation file (list1) and store it in the workspace.

    The import is that of ``valleymaps import metros``
    (:func:`~valleymaps.io.delineation.import_metro_delineation`): one row per county of a
    metropolitan or micropolitan statistical area, in ``data/geo/cbsa_delineation.csv``. The
    flow maps and top-destination tables then group the places outside the region by metro
    area ("Rest of <state>" for counties outside every area).

    Parameters
    ----------
    ws
        The workspace; ``None``: download only.
    year
        Year of the delineation (default: the latest, 2023); the editions up to 2020 are
        ``.xls`` workbooks (``list1_2020.xls``), read like the ``.xlsx`` ones.
    refresh, on_progress, cache
        As for :func:`fetch_tracts`.

    Returns
    -------
    FetchResult[pathlib.Path]
        ``imported``: the stored table.
    """
    from valleymaps.io.delineation import import_metro_delineation

    remote = metro_delineation_file(year, workspace_root=_root(ws))
    downloads = _download_all([remote], cache=cache, refresh=refresh, on_progress=on_progress)
    if ws is None:
        return FetchResult(downloads)
    return FetchResult(downloads, import_metro_delineation(ws, downloads[0].path, replace=replace))


def fetch_bea(
    ws: Workspace | None,
    *,
    year: int = 2012,
    refresh: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
    replace: bool = False,
) -> FetchResult[Any]:
    """Download the BEA's detail Use, Make and import-matrix workbooks and store the tables.

    The import is that of ``valleymaps import io`` (:func:`~valleymaps.io.bea.import_io`):
    the tables of ``year`` (a sheet of each workbook) go to
    ``data/econ/io/bea_<year>_detail.npz`` with the files' SHA-256 in its ``.meta.json``.

    Parameters
    ----------
    ws
        The workspace; ``None``: download only.
    year
        2012 (the benchmark, default) or 2007.
    refresh, on_progress, cache
        As for :func:`fetch_tracts`.
    replace
        Replace other tables of ``year`` already stored (else refuse; the same tables again
        replace nothing).

    Returns
    -------
    FetchResult[IOTables]
        ``imported``: the tables stored.
    """
    from valleymaps.io.bea import import_io

    remotes = bea_io_files(year, workspace_root=_root(ws))
    downloads = _download_all(remotes, cache=cache, refresh=refresh, on_progress=on_progress)
    if ws is None:
        return FetchResult(downloads)
    return FetchResult(downloads, import_io(ws, [d.path for d in downloads], year=year, replace=replace))


def default_year(step: str, *, kind: str = "cb", version: str = "LODES8") -> int:
    """The latest year known for a step of :data:`ALL_STEPS` (``all``: the latest every
    annual source has).

    Examples
    --------
    >>> default_year("acs-flows"), default_year("metros")
    (2020, 2023)
    """
    lodes = max(LODES_YEARS[version.upper()])
    tracts = max(TIGER_TRACT_YEARS if kind == "tiger" else CB_TRACT_YEARS)
    latest = {"tracts": tracts, "cbp": max(CBP_YEARS), "lodes-wac": lodes, "lodes-od": lodes,
              "lodes-rac": lodes, "lodes": lodes, "acs-flows": acs_flows_year_for(9999),
              "metros": max(METRO_DELINEATION_FILES), "qcew": max(QCEW_YEARS)}
    if step == "all":
        return min(tracts, max(CBP_YEARS), lodes)
    return latest[step]


@dataclass
class FetchAllResult:
    """What :func:`fetch_all` fetched, step by step.

    Attributes
    ----------
    results
        Step name -> its :class:`FetchResult`.
    errors
        Step name -> the error that stopped it.
    """

    results: dict[str, FetchResult[Any]] = field(default_factory=dict)
    errors: dict[str, ValleymapsError] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def fetch_all(
    ws: Workspace,
    *,
    year: int | None = None,
    qcew_years: Iterable[int] | None = None,
    state: str = "ca",
    kind: str = "cb",
    refresh: bool = False,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    on_step: Callable[[str, int], None] | None = None,
    on_done: Callable[[str, FetchResult[Any] | ValleymapsError], None] | None = None,
    on_read: Callable[[int, int], None] | None = None,
    cache: CacheLike = None,
) -> FetchAllResult:
    """Fetch everything the atlas uses and import it: tracts, CBP, QCEW, LODES OD, WAC and RAC,
    ACS flows, metro areas.

    Each step (:data:`ALL_STEPS`) imports what it downloads into the workspace, as its own
    ``fetch_*`` function does: tracts, three employment datasets (CBP, QCEW annual averages
    of the region's counties, the reference state and the nation, LODES WAC), two flows
    datasets (LODES OD main and aux together, the ACS table), the WAC and RAC area totals
    added to the LODES OD dataset (after it), and the CBSA delineation for the metro roll-up.

    A step that fails does not stop the others (its error is recorded),
    except when the machine is offline: :class:`OfflineError` is raised at once.

    Parameters
    ----------
    ws
        The workspace.
    year
        Data year for tracts, CBP and LODES (default: the latest year all of
        them have); ACS flows use the last 5-year table ending in or before it,
        metro areas the latest delineation whatever the year.
    qcew_years
        Years of QCEW annual averages (default: ``year`` alone); one dataset
        (:func:`fetch_qcew`: ``qcew_<year>`` or ``qcew_<first>_<last>``). ``on_step`` gets
        the last of them.
    state
        State abbreviation or FIPS code (tracts, LODES).
    kind
        Tract file kind (``cb`` or ``tiger``).
    refresh, on_progress, cache
        As for :func:`fetch_tracts`.
    on_step
        Called with each step name and its year before it starts.
    on_done
        Called with each step name and its result (or error) when it ends.
    on_read
        Called with bytes read while the LODES OD files are imported (see
        :func:`fetch_lodes_od`).

    Returns
    -------
    FetchAllResult
    """
    store = _as_cache(cache)
    data_year = year if year is not None else default_year("all", kind=kind)
    common: dict[str, Any] = {"refresh": refresh, "on_progress": on_progress, "cache": store}
    out = FetchAllResult()

    def flows_year() -> int:
        return acs_flows_year_for(data_year)

    wanted_qcew = sorted(set(int(y) for y in qcew_years)) if qcew_years is not None else [data_year]
    if not wanted_qcew:
        raise ConfigError("no QCEW year given; pass e.g. --qcew-years 2012-2022, or leave it out.")

    steps: list[tuple[str, Callable[[], int], Callable[[int], FetchResult[Any]]]] = [
        ("tracts", lambda: data_year,
         lambda y: fetch_tracts(ws, year=y, state=state, kind=kind, replace=replace, **common)),
        ("cbp", lambda: data_year, lambda y: fetch_cbp(ws, year=y, replace=replace, **common)),
        ("qcew", lambda: wanted_qcew[-1],
         lambda y: fetch_qcew(ws, years=wanted_qcew, replace=replace, **common)),
        ("lodes-od", lambda: data_year,
         lambda y: fetch_lodes_od(ws, year=y, state=state, on_read=on_read, replace=replace, **common)),
        ("lodes-wac", lambda: data_year,
         lambda y: fetch_lodes_wac(ws, year=y, state=state, replace=replace, **common)),
        ("lodes-rac", lambda: data_year,
         lambda y: fetch_lodes_rac(ws, year=y, state=state, replace=replace, **common)),
        ("acs-flows", flows_year, lambda y: fetch_acs_flows(ws, year=y, replace=replace, **common)),
        ("metros", lambda: default_year("metros"),
         lambda y: fetch_metros(ws, year=y, replace=replace, **common)),
    ]
    for step, pick_year, run in steps:
        outcome: FetchResult[Any] | ValleymapsError
        try:
            step_year = pick_year()
            if on_step is not None:
                on_step(step, step_year)
            outcome = out.results[step] = run(step_year)
        except (OfflineError, OutputWriteError):  # no later step could write either
            raise
        except ValleymapsError as exc:
            log.debug("%s failed: %s", step, exc)
            outcome = out.errors[step] = exc
        if on_done is not None:
            on_done(step, outcome)
    log.info("fetch all: %d of %d steps done", len(out.results), len(steps))
    return out


def list_page_assets(cache: CacheLike = None) -> list[str]:
    """The URLs of every page asset: the pages' scripts and style sheets, then what the cached
    style sheets load in turn (images, fonts)."""
    from valleymaps.io.sources import asset_file
    from valleymaps.render.offline_assets import css_references, page_asset_urls

    store = _as_cache(cache)
    urls = page_asset_urls()
    more: list[str] = []
    for url in urls:
        if urlsplit(url).path.endswith(".css"):
            path = store.path_for(asset_file(url).cache_key)
            if path.is_file():
                more += css_references(path.read_text(encoding="utf-8", errors="replace"), url)
    return list(dict.fromkeys([*urls, *more]))


def fetch_assets(
    ws: Workspace | None = None,
    *,
    refresh: bool = False,
    on_progress: ProgressCallback | None = None,
    cache: CacheLike = None,
) -> FetchResult[None]:
    """Download the script and style files the pages load (and the images and fonts their style
    sheets load) into the cache, once, checksummed; ``valleymaps build --offline`` copies them
    into the atlas.

    The URLs are the pages' own (:func:`valleymaps.render.offline_assets.page_asset_urls`);
    a mirror (``VALLEYMAPS_ASSETS_URL`` or ``[sources] assets``) serves them as
    ``<mirror>/<host>/<path>``.

    Returns
    -------
    FetchResult[None]
        One download per file; nothing is imported.
    """
    from valleymaps.io.sources import asset_file
    from valleymaps.render.offline_assets import css_references, page_asset_urls

    root = _root(ws)
    first = [asset_file(u, workspace_root=root) for u in page_asset_urls()]
    downloads = _download_all(first, cache=cache, refresh=refresh, on_progress=on_progress)
    more: list[str] = []
    for remote, d in zip(first, downloads, strict=True):
        if d.path.suffix == ".css":
            more += css_references(d.path.read_text(encoding="utf-8", errors="replace"), remote.original)
    seen = {r.original for r in first}
    second = [asset_file(u, workspace_root=root) for u in dict.fromkeys(more) if u not in seen]
    downloads += _download_all(second, cache=cache, refresh=refresh, on_progress=on_progress)
    return FetchResult(downloads)
