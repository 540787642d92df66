"""Where the public data live: every official URL pattern, in one place.

Seven sources, each with a base URL that a mirror, an agency proxy or a test
server can replace:

=========  ==========================================================  =======================
key        default base URL                                            what
=========  ==========================================================  =======================
tiger      https://www2.census.gov/geo/tiger                           census tract boundaries
cbp        https://www2.census.gov/programs-surveys/cbp/datasets       County Business Patterns
lodes      https://lehd.ces.census.gov/data/lodes                      LEHD LODES (WAC, OD, RAC)
acs_flows  https://www2.census.gov/programs-surveys/demo/tables/       ACS county-to-county
           metro-micro                                                 commuting flows
metros     https://www2.census.gov/programs-surveys/metro-micro/       CBSA delineation file
           geographies/reference-files                                 (metro areas, list1)
bea        https://apps.bea.gov/industry/xls/io-annual                 BEA input-output tables
                                                                       (detail Use, Make, imports)
qcew       https://data.bls.gov/cew/data/api                           BLS QCEW open-data area
                                                                       slices (covered jobs)
=========  ==========================================================  =======================

A base URL is taken, in order, from the environment variable
``VALLEYMAPS_<KEY>_URL`` (``VALLEYMAPS_TIGER_URL``, ``VALLEYMAPS_ACS_FLOWS_URL``),
the ``[sources]`` table of the workspace's ``valleymaps.toml``, or the
default above. A mirror must keep the folder layout below the base URL::

    [sources]
    tiger = "https://gis.example.gov/mirror/census/geo/tiger"
    lodes = "http://proxy.example.gov:8080/lehd/data/lodes"

The functions returning a :class:`RemoteFile` (:func:`tract_file`,
:func:`cbp_file`, :func:`lodes_file`, :func:`lodes_crosswalk_file`,
:func:`acs_flows_file`, :func:`metro_delineation_file`, :func:`bea_io_files`) also check
the year against the years each source is known to publish, and refuse a year that does
not exist with the list of those that do. Years newer than the last one known here are tried (the
Census Bureau publishes a new year every year); the server then says whether
it exists.

Examples
--------
>>> f = tract_file(2021, state="06", kind="tiger", base_url=SOURCES["tiger"].default_url)
>>> f.url
'https://www2.census.gov/geo/tiger/TIGER2021/TRACT/tl_2021_06_tract.zip'
>>> f.cache_key
'tiger/TIGER2021/TRACT/tl_2021_06_tract.zip'
>>> cbp_file(2021, base_url="http://127.0.0.1:8000/cbp").url
'http://127.0.0.1:8000/cbp/2021/cbp21co.zip'
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urljoin

from valleymaps.errors import ConfigError, YearNotAvailableError

log = logging.getLogger(__name__)

#: Prefix and suffix of the environment variables overriding a base URL.
ENV_PREFIX = "VALLEYMAPS_"
ENV_SUFFIX = "_URL"

#: Name of the workspace configuration file and its table of base URLs.
CONFIG_NAME = "valleymaps.toml"
CONFIG_TABLE = "sources"


@dataclass(frozen=True)
class Source:
    """One publisher's file tree.

    Attributes
    ----------
    key
        Short name used in settings (``tiger``, ``cbp``, ``lodes``, ``acs_flows``, ``metros``).
    title
        What it publishes, for messages.
    default_url
        Official base URL (no trailing slash).
    homepage
        Page where a person can browse what exists.
    """

    key: str
    title: str
    default_url: str
    homepage: str

    @property
    def env_var(self) -> str:
        """Environment variable overriding the base URL, e.g. ``VALLEYMAPS_TIGER_URL``."""
        return f"{ENV_PREFIX}{self.key.upper()}{ENV_SUFFIX}"


#: Every source, by key.
SOURCES: Mapping[str, Source] = MappingProxyType(
    {
        "tiger": Source(
            "tiger",
            "Census Bureau TIGER/Line and cartographic boundary files",
            "https://www2.census.gov/geo/tiger",
            "https://www.census.gov/geographies/mapping-files.html",
        ),
        "cbp": Source(
            "cbp",
            "Census Bureau County Business Patterns",
            "https://www2.census.gov/programs-surveys/cbp/datasets",
            "https://www.census.gov/programs-surveys/cbp/data/datasets.html",
        ),
        "lodes": Source(
            "lodes",
            "LEHD Origin-Destination Employment Statistics (LODES)",
            "https://lehd.ces.census.gov/data/lodes",
            "https://lehd.ces.census.gov/data/#lodes",
        ),
        "acs_flows": Source(
            "acs_flows",
            "ACS county-to-county commuting flows",
            "https://www2.census.gov/programs-surveys/demo/tables/metro-micro",
            "https://www.census.gov/topics/employment/commuting/guidance/flows.html",
        ),
        "metros": Source(
            "metros",
            "Census Bureau CBSA delineation files (metropolitan and micropolitan areas)",
            "https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files",
            "https://www.census.gov/geographies/reference-files/time-series/demo/metro-micro/"
            "delineation-files.html",
        ),
        "bea": Source(
            "bea",
            "Bureau of Economic Analysis input-output tables",
            "https://apps.bea.gov/industry/xls/io-annual",
            "https://www.bea.gov/itable/input-output",
        ),
        "qcew": Source(
            "qcew",
            "BLS Quarterly Census of Employment and Wages (open data access)",
            "https://data.bls.gov/cew/data/api",
            "https://www.bls.gov/cew/additional-resources/open-data/",
        ),
        "assets": Source(
            "assets",
            "Script and style files the atlas pages load (Leaflet, Bootstrap, Font Awesome... from "
            "their CDNs)",
            "https://cdn.jsdelivr.net",
            "https://www.jsdelivr.com",
        ),
    }
)

# --- years each source is known to publish ------------------------------------------------
# Patterns and years as published (checked against the Census Bureau's data.gov catalogue
# entries for TIGER/Line tracts, pygris/tigris for the cartographic boundary layout, lehdr and
# the LEHD LODES folders, and scripts that download the CBP and ACS flow files by these names).
# Extend the ranges when more years are published; later years are tried anyway.

#: TIGER/Line state tract files ``TIGER{year}/TRACT/tl_{year}_{st}_tract.zip`` (2010 used
#: another layout, ``tl_2010_{st}_tract10.zip``, and is not offered).
TIGER_TRACT_YEARS: tuple[int, ...] = tuple(range(2011, 2025))

#: Cartographic boundary 1:500,000 tract files ``GENZ{year}/shp/cb_{year}_{st}_tract_500k.zip``
#: (2013 without the ``shp/`` folder).
CB_TRACT_YEARS: tuple[int, ...] = tuple(range(2013, 2025))

#: County Business Patterns with NAICS codes (1986-1997 files use SIC codes, which the
#: employment importer does not read).
CBP_YEARS: tuple[int, ...] = tuple(range(1998, 2024))

#: LODES years by version: LODES8 on 2020 census blocks (2002-2023 as of LODES 8.4), LODES7 on
#: 2010 blocks (ends 2019). Some states miss some years (e.g. Alaska, Arkansas, Mississippi in
#: 2019-2021).
LODES_YEARS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {"LODES8": tuple(range(2002, 2024)), "LODES7": tuple(range(2002, 2020))}
)

#: LODES job types published only from 2010 on (federal jobs: JT04 all, JT05 primary).
LODES_FEDERAL_JOB_TYPES: frozenset[str] = frozenset({"JT04", "JT05"})
LODES_FEDERAL_FIRST_YEAR = 2010

#: ACS commuting flow tables (Table 1, county to county), by the last year of the 5-year
#: period they cover, and the sub-folder they are published in. The 2009-2013 table lies outside
#: the ``demo/tables/metro-micro`` folder, in ``programs-surveys/commuting/tables/time-series/``
#: (its path climbs out of the base URL; a mirror keeps the host's layout).
ACS_FLOWS_TABLES: Mapping[int, tuple[str, str]] = MappingProxyType(
    {
        2010: ("2006-2010", "2010/commuting-employment-2010/table1.xlsx"),
        2013: ("2009-2013", "../../../commuting/tables/time-series/commuting-flows/table1.xlsx"),
        2015: ("2011-2015", "2015/commuting-flows-2015/table1.xlsx"),
        2020: ("2016-2020", "2020/commuting-flows-2020/table1.xlsx"),
    }
)

#: Earlier delineations, published as old-style Excel ``.xls`` workbooks (read with
#: python-calamine, see :mod:`valleymaps.io.excel`).
METRO_DELINEATION_XLS: Mapping[int, str] = MappingProxyType(
    {
        2013: "2013/delineation-files/list1.xls",
        2015: "2015/delineation-files/list1.xls",
        2017: "2017/delineation-files/list1.xls",
        2018: "2018/delineation-files/list1_Sep_2018.xls",
        2020: "2020/delineation-files/list1_2020.xls",
    }
)

#: CBSA delineation files (list1: the counties of each metropolitan and micropolitan statistical
#: area) by the year of the delineation (the latest: OMB bulletin 23-01, July 2023), and their
#: path below the base URL: the ``.xls`` editions up to 2020, ``.xlsx`` since. Later editions are
#: expected at the same place (``{year}/delineation-files/list1_{year}.xlsx``) and are tried.
METRO_DELINEATION_FILES: Mapping[int, str] = MappingProxyType(
    {**METRO_DELINEATION_XLS, 2023: "2023/delineation-files/list1_2023.xlsx"}
)

#: The BEA's detail input-output workbooks before redefinitions (2018 comprehensive update,
#: 2012 NAICS): Use table at producers' prices, Make table, import matrix. Each holds a sheet
#: per year; detail tables exist for the benchmark years 2007 and 2012 only.
BEA_IO_FILES: tuple[str, ...] = (
    "IOUse_Before_Redefinitions_PRO_DET.xlsx",
    "IOMake_Before_Redefinitions_DET.xlsx",
    "ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx",
)
BEA_IO_YEARS: tuple[int, ...] = (2007, 2012)

#: QCEW open-data area slices ``{year}/a/area/{area}.csv`` (annual averages) and
#: ``{year}/{quarter}/area/{area}.csv``: the open data access serves 2012 onwards; a year is
#: published some six months after it ends.
QCEW_YEARS: tuple[int, ...] = tuple(range(2012, 2025))

#: QCEW area code of the nation.
QCEW_NATION_AREA = "US000"

#: LODES versions that will get no new years.
CLOSED_LODES_VERSIONS: frozenset[str] = frozenset({"LODES7"})

#: LODES job types and worker segments (LODES technical documentation).
LODES_JOB_TYPES: tuple[str, ...] = ("JT00", "JT01", "JT02", "JT03", "JT04", "JT05")
LODES_SEGMENTS: tuple[str, ...] = (
    "S000", "SA01", "SA02", "SA03", "SE01", "SE02", "SE03", "SI01", "SI02", "SI03",
)  # fmt: skip
LODES_TABLES: tuple[str, ...] = ("wac", "rac", "od")
LODES_OD_PARTS: tuple[str, ...] = ("main", "aux")
TRACT_KINDS: tuple[str, ...] = ("cb", "tiger")

#: State (and DC, Puerto Rico) postal abbreviation -> FIPS code.
STATE_FIPS: Mapping[str, str] = MappingProxyType(
    {
        "al": "01", "ak": "02", "az": "04", "ar": "05", "ca": "06", "co": "08", "ct": "09",
        "de": "10", "dc": "11", "fl": "12", "ga": "13", "hi": "15", "id": "16", "il": "17",
        "in": "18", "ia": "19", "ks": "20", "ky": "21", "la": "22", "me": "23", "md": "24",
        "ma": "25", "mi": "26", "mn": "27", "ms": "28", "mo": "29", "mt": "30", "ne": "31",
        "nv": "32", "nh": "33", "nj": "34", "nm": "35", "ny": "36", "nc": "37", "nd": "38",
        "oh": "39", "ok": "40", "or": "41", "pa": "42", "ri": "44", "sc": "45", "sd": "46",
        "tn": "47", "tx": "48", "ut": "49", "vt": "50", "va": "51", "wa": "53", "wv": "54",
        "wi": "55", "wy": "56", "pr": "72",
    }
)  # fmt: skip
_FIPS_STATE = {v: k for k, v in STATE_FIPS.items()}


@dataclass(frozen=True)
class RemoteFile:
    """One published file: where it is and where it goes in the cache.

    Attributes
    ----------
    source
        Who publishes it.
    path
        Path below the source's base URL (``TIGER2021/TRACT/tl_2021_06_tract.zip``).
    base_url
        The base URL in use (official, mirror or test server).
    description
        What the file holds, for messages.
    year
        The data year asked for.
    """

    source: Source
    path: str
    base_url: str
    description: str
    year: int

    @property
    def url(self) -> str:
        """Base URL and path; a path starting with ``../`` climbs out of the base folder."""
        if self.path.startswith("../"):
            return urljoin(self.base_url + "/", self.path)
        return f"{self.base_url}/{self.path}"

    @property
    def name(self) -> str:
        """File name (last path segment)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def cache_key(self) -> str:
        """Path of the file inside the download cache: ``<source key>/<path>`` (no ``..``)."""
        inside = "/".join(part for part in self.path.split("/") if part not in ("", ".", ".."))
        return f"{self.source.key}/{inside}"

    def mirror_hint(self) -> str:
        """How to point valleymaps at a mirror of this file's source."""
        return (
            f"To use a mirror or proxy, set {self.source.env_var} to its base URL (now "
            f"{self.base_url}; a mirror keeps the layout below it), or add "
            f'[{CONFIG_TABLE}] {self.source.key} = "..." to {CONFIG_NAME}.'
        )


# --- base URLs --------------------------------------------------------------------------


def _check_url(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip().lower().startswith(("http://", "https://")):
        raise ConfigError(
            f"{where} must be an http:// or https:// URL (found {value!r}), for example "
            f"{SOURCES['tiger'].default_url!r}."
        )
    return value.strip().rstrip("/")


def _lookup_source(key: str) -> Source:
    normal = key.strip().lower().replace("-", "_")
    try:
        return SOURCES[normal]
    except KeyError:
        raise ConfigError(
            f"unknown data source {key!r}; use one of: {', '.join(SOURCES)}."
        ) from None


def configured_urls(workspace_root: str | os.PathLike[str] | None) -> dict[str, str]:
    """Base URLs set in the ``[sources]`` table of a workspace's ``valleymaps.toml``.

    Parameters
    ----------
    workspace_root
        Workspace folder; ``None`` (or a folder without the file or table) gives ``{}``.

    Raises
    ------
    ConfigError
        If the file is not valid TOML, names an unknown source or holds a value
        that is not an http(s) URL; every bad entry is listed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "valleymaps.toml").write_text('[sources]\\nacs-flows = "http://m/acs/"\\n')
    >>> configured_urls(root)
    {'acs_flows': 'http://m/acs'}
    """
    if workspace_root is None:
        return {}
    path = Path(workspace_root) / CONFIG_NAME
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the file or delete it.") from exc
    table = raw.get(CONFIG_TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: [{CONFIG_TABLE}] must be a table of base URLs, e.g. "
            f'[{CONFIG_TABLE}] tiger = "https://mirror.example.org/geo/tiger".'
        )
    urls: dict[str, str] = {}
    problems: list[str] = []
    for key, value in table.items():
        try:
            source = _lookup_source(str(key))
            urls[source.key] = _check_url(value, f"{path}: [{CONFIG_TABLE}] {key}")
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("; ".join(problems))
    return urls


def base_url(
    key: str,
    *,
    workspace_root: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The base URL of source ``key``: environment, then workspace config, then official.

    Parameters
    ----------
    key
        ``tiger``, ``cbp``, ``lodes``, ``acs_flows`` (``acs-flows`` also works) or ``metros``.
    workspace_root
        Workspace whose ``valleymaps.toml`` ``[sources]`` table is read, if any.
    environ
        Environment to read (default :data:`os.environ`).

    Returns
    -------
    str
        The base URL, without a trailing slash.

    Raises
    ------
    ConfigError
        If ``key`` is unknown or a configured value is not an http(s) URL.

    Examples
    --------
    >>> base_url("lodes", environ={})
    'https://lehd.ces.census.gov/data/lodes'
    >>> base_url("lodes", environ={"VALLEYMAPS_LODES_URL": "http://127.0.0.1:8000/lodes/"})
    'http://127.0.0.1:8000/lodes'
    """
    source = _lookup_source(key)
    env = os.environ if environ is None else environ
    from_env = env.get(source.env_var, "").strip()
    if from_env:
        url = _check_url(from_env, f"environment variable {source.env_var}")
        log.debug("%s base URL from %s: %s", source.key, source.env_var, url)
        return url
    configured = configured_urls(workspace_root).get(source.key)
    if configured:
        log.debug("%s base URL from %s: %s", source.key, CONFIG_NAME, configured)
        return configured
    return source.default_url


# --- years ------------------------------------------------------------------------------


def format_years(years: Collection[int]) -> str:
    """Years as compact ranges.

    >>> format_years([2002, 2003, 2004, 2010, 2015, 2016])
    '2002-2004, 2010, 2015-2016'
    """
    ordered = sorted(set(years))
    if not ordered:
        return "none"
    parts: list[str] = []
    start = prev = ordered[0]
    for y in [*ordered[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)


def check_year(
    year: int,
    available: Sequence[int],
    *,
    what: str,
    allow_newer: bool = True,
    listing: str | None = None,
) -> None:
    """Refuse ``year`` unless ``what`` is published for it.

    Parameters
    ----------
    year
        Year asked for.
    available
        Years known to exist.
    what
        The product, for the message ("TIGER/Line census tracts").
    allow_newer
        Let years after the last known one through, up to the current
        calendar year (they may have been published since).
    listing
        How to show the available years (default: compact ranges).

    Raises
    ------
    YearNotAvailableError
        Listing the available years.

    Examples
    --------
    >>> check_year(2021, range(2011, 2025), what="TIGER/Line census tracts")
    >>> check_year(2005, range(2011, 2025), what="TIGER/Line census tracts")
    Traceback (most recent call last):
    ...
    valleymaps.errors.YearNotAvailableError: TIGER/Line census tracts are not published \
for 2005. Years available: 2011-2024. Pass --year with one of these.
    """
    years = sorted(available)
    if year in years:
        return
    if allow_newer and years and years[-1] < year <= date.today().year:
        log.info("%s: %d is newer than the years known to valleymaps (%s); trying the server",
                 what, year, format_years(years))
        return
    shown = listing or format_years(years)
    raise YearNotAvailableError(
        f"{what} are not published for {year}. Years available: {shown}. "
        "Pass --year with one of these.",
        year=year,
        available=years,
    )


# --- states -----------------------------------------------------------------------------


def resolve_state(value: str) -> tuple[str, str]:
    """A state's FIPS code and lowercase postal abbreviation from either.

    Raises
    ------
    ConfigError
        If ``value`` is neither.

    Examples
    --------
    >>> resolve_state("CA"), resolve_state("06"), resolve_state("6")
    (('06', 'ca'), ('06', 'ca'), ('06', 'ca'))
    """
    text = str(value).strip().lower()
    if text in STATE_FIPS:
        return STATE_FIPS[text], text
    if text.isdigit() and text.zfill(2) in _FIPS_STATE:
        fips = text.zfill(2)
        return fips, _FIPS_STATE[fips]
    raise ConfigError(
        f"unknown state {value!r}; give a two-letter postal abbreviation (ca) or a 2-digit "
        "FIPS code (06)."
    )


# --- files ------------------------------------------------------------------------------


def _base(key: str, base: str | None, workspace_root: str | os.PathLike[str] | None) -> str:
    return base.rstrip("/") if base else base_url(key, workspace_root=workspace_root)


def tract_file(
    year: int,
    *,
    state: str = "06",
    kind: str = "cb",
    base_url: str | None = None,
    workspace_root: str | os.PathLike[str] | None = None,
) -> RemoteFile:
    """The state census tract file of ``year``.

    Parameters
    ----------
    year
        Vintage (2011-2024 TIGER/Line, 2013-2024 cartographic boundary).
    state
        State FIPS code or abbreviation.
    kind
        ``cb``: cartographic boundary, 1:500,000, clipped to the shoreline
        (smaller, made for thematic maps); ``tiger``: TIGER/Line, full detail.
    base_url
        Base URL to use instead of the configured one.
    workspace_root
        Workspace whose ``[sources]`` settings apply.

    Raises
    ------
    YearNotAvailableError, ConfigError

    Examples
    --------
    >>> tract_file(2021, base_url="https://www2.census.gov/geo/tiger").url
    'https://www2.census.gov/geo/tiger/GENZ2021/shp/cb_2021_06_tract_500k.zip'
    >>> tract_file(2013, base_url="https://www2.census.gov/geo/tiger").path
    'GENZ2013/cb_2013_06_tract_500k.zip'
    """
    fips, _ = resolve_state(state)
    kind_key = kind.strip().lower().replace("/", "").replace("-", "").replace("_", "")
    kind_key = {"tigerline": "tiger", "tl": "tiger", "cartographic": "cb", "500k": "cb"}.get(
        kind_key, kind_key
    )
    if kind_key == "tiger":
        check_year(year, TIGER_TRACT_YEARS, what="TIGER/Line census tracts")
        path = f"TIGER{year}/TRACT/tl_{year}_{fips}_tract.zip"
        description = f"TIGER/Line census tracts {year}, state {fips}"
    elif kind_key == "cb":
        check_year(year, CB_TRACT_YEARS, what="Cartographic boundary census tracts")
        folder = f"GENZ{year}" if year == 2013 else f"GENZ{year}/shp"
        path = f"{folder}/cb_{year}_{fips}_tract_500k.zip"
        description = f"cartographic boundary census tracts {year} (1:500,000), state {fips}"
    else:
        raise ConfigError(f"unknown tract file kind {kind!r}; use one of: {', '.join(TRACT_KINDS)}.")
    return RemoteFile(SOURCES["tiger"], path, _base("tiger", base_url, workspace_root),
                      description, year)


def tract_years(kind: str = "cb") -> tuple[int, ...]:
    """Years of tract files of ``kind`` (``cb`` or ``tiger``)."""
    return TIGER_TRACT_YEARS if kind.strip().lower().startswith("t") else CB_TRACT_YEARS


def cbp_file(
    year: int,
    *,
    level: str = "co",
    base_url: str | None = None,
    workspace_root: str | os.PathLike[str] | None = None,
) -> RemoteFile:
    """The County Business Patterns file of ``year``.

    Parameters
    ----------
    year
        Reference year (1998-2023 known).
    level
        ``co``: every county of the nation (``cbp21co.zip``); ``st``: every
        state (``cbp21st.zip``), which gives the reference state's totals.
    base_url, workspace_root
        As for :func:`tract_file`.

    Examples
    --------
    >>> cbp_file(2009, level="st", base_url="https://www2.census.gov/programs-surveys/cbp/datasets").url
    'https://www2.census.gov/programs-surveys/cbp/datasets/2009/cbp09st.zip'
    """
    if level not in ("co", "st"):
        raise ConfigError(f"unknown CBP level {level!r}; use 'co' (counties) or 'st' (states).")
    what = "County Business Patterns " + ("county" if level == "co" else "state") + " files"
    check_year(year, CBP_YEARS, what=what)
    yy = f"{year % 100:02d}"
    return RemoteFile(
        SOURCES["cbp"],
        f"{year}/cbp{yy}{level}.zip",
        _base("cbp", base_url, workspace_root),
        f"County Business Patterns {year}, {'counties' if level == 'co' else 'states'}",
        year,
    )


def _lodes_version(version: str) -> str:
    normal = version.strip().upper().replace(" ", "")
    if normal in ("8", "7"):
        normal = f"LODES{normal}"
    if normal not in LODES_YEARS:
        raise ConfigError(
            f"unknown LODES version {version!r}; use one of: {', '.join(LODES_YEARS)} "
            "(LODES8: 2020 census blocks; LODES7: 2010 blocks)."
        )
    return normal


def _pick(value: str, allowed: Sequence[str], what: str, *, upper: bool) -> str:
    normal = value.strip().upper() if upper else value.strip().lower()
    if normal not in allowed:
        raise ConfigError(f"unknown {what} {value!r}; use one of: {', '.join(allowed)}.")
    return normal


def lodes_file(
    table: str,
    *,
    year: int,
    state: str = "ca",
    segment: str = "S000",
    job_type: str = "JT00",
    part: str = "main",
    version: str = "LODES8",
    base_url: str | None = None,
    workspace_root: str | os.PathLike[str] | None = None,
) -> RemoteFile:
    """A LODES file: workplace (``wac``), residence (``rac``) or origin-destination (``od``).

    Parameters
    ----------
    table
        ``wac``, ``rac`` or ``od``.
    year
        Data year.
    state
        State abbreviation or FIPS code.
    segment
        Worker segment of WAC/RAC files (``S000``: all workers).
    job_type
        ``JT00`` (all jobs) ... ``JT05``.
    part
        OD only: ``main`` (home and work in the state) or ``aux`` (home in
        another state).
    version
        ``LODES8`` (2020 blocks, default) or ``LODES7`` (2010 blocks).
    base_url, workspace_root
        As for :func:`tract_file`.

    Examples
    --------
    >>> base = "https://lehd.ces.census.gov/data/lodes"
    >>> lodes_file("wac", year=2021, base_url=base).url
    'https://lehd.ces.census.gov/data/lodes/LODES8/ca/wac/ca_wac_S000_JT00_2021.csv.gz'
    >>> lodes_file("od", year=2019, part="aux", version="LODES7", base_url=base).path
    'LODES7/ca/od/ca_od_aux_JT00_2019.csv.gz'
    """
    kind = _pick(table, LODES_TABLES, "LODES table", upper=False)
    ver = _lodes_version(version)
    _, st = resolve_state(state)
    jt = _pick(job_type, LODES_JOB_TYPES, "LODES job type", upper=True)
    names = {"wac": "workplace area characteristics", "rac": "residence area characteristics",
             "od": "origin-destination"}
    if jt in LODES_FEDERAL_JOB_TYPES and year < LODES_FEDERAL_FIRST_YEAR:
        available = [y for y in LODES_YEARS[ver] if y >= LODES_FEDERAL_FIRST_YEAR]
        raise YearNotAvailableError(
            f"LODES job type {jt} (federal jobs) starts in {LODES_FEDERAL_FIRST_YEAR}: there are no "
            f"{jt} files for {year}. Years available: {format_years(available)}. Pass "
            f"--year {LODES_FEDERAL_FIRST_YEAR} or later, or a job type JT00-JT03 for {year}.",
            year=year,
            available=available,
        )
    check_year(year, LODES_YEARS[ver], what=f"{ver} {names[kind]} files",
               allow_newer=ver not in CLOSED_LODES_VERSIONS)
    if kind == "od":
        od_part = _pick(part, LODES_OD_PARTS, "LODES OD part", upper=False)
        name = f"{st}_od_{od_part}_{jt}_{year}.csv.gz"
        detail = f"{od_part}, {jt}"
    else:
        seg = _pick(segment, LODES_SEGMENTS, "LODES segment", upper=True)
        name = f"{st}_{kind}_{seg}_{jt}_{year}.csv.gz"
        detail = f"{seg}, {jt}"
    return RemoteFile(
        SOURCES["lodes"],
        f"{ver}/{st}/{kind}/{name}",
        _base("lodes", base_url, workspace_root),
        f"{ver} {names[kind]} {year}, {st.upper()} ({detail})",
        year,
    )


def lodes_crosswalk_file(
    *,
    state: str = "ca",
    version: str = "LODES8",
    base_url: str | None = None,
    workspace_root: str | os.PathLike[str] | None = None,
) -> RemoteFile:
    """The LODES block geography crosswalk of a state (``ca_xwalk.csv.gz``).

    Examples
    --------
    >>> lodes_crosswalk_file(base_url="https://lehd.ces.census.gov/data/lodes").url
    'https://lehd.ces.census.gov/data/lodes/LODES8/ca/ca_xwalk.csv.gz'
    """
    ver = _lodes_version(version)
    _, st = resolve_state(state)
    return RemoteFile(
        SOURCES["lodes"],
        f"{ver}/{st}/{st}_xwalk.csv.gz",
        _base("lodes", base_url, workspace_root),
        f"{ver} block geography crosswalk, {st.upper()}",
        0,
    )


def acs_flows_years_text() -> str:
    """The ACS flow tables as text: ``2010 (2006-2010), 2015 (2011-2015), ...``."""
    return ", ".join(f"{y} ({period})" for y, (period, _) in sorted(ACS_FLOWS_TABLES.items()))


def acs_flows_year_for(year: int) -> int:
    """The last ACS flow table whose period ends in or before ``year``.

    Raises
    ------
    YearNotAvailableError
        If ``year`` is before the first table.

    Examples
    --------
    >>> acs_flows_year_for(2021), acs_flows_year_for(2015)
    (2020, 2015)
    """
    candidates = [y for y in ACS_FLOWS_TABLES if y <= year]
    if not candidates:
        raise YearNotAvailableError(
            f"ACS county-to-county commuting flows start with 2006-2010; tables: "
            f"{acs_flows_years_text()}.",
            year=year,
            available=sorted(ACS_FLOWS_TABLES),
        )
    return max(candidates)


def acs_flows_file(
    year: int,
    *,
    base_url: str | None = None,
    workspace_root: str | os.PathLike[str] | None = None,
) -> RemoteFile:
    """The ACS county-to-county commuting flows table (Table 1) of the 5-year period ending ``year``.

    Parameters
    ----------
    year
        Last year of the period: 2010 (2006-2010), 2013 (2009-2013), 2015 (2011-2015) or 2020
        (2016-2020).
    base_url, workspace_root
        As for :func:`tract_file`.

    Examples
    --------
    >>> acs_flows_file(2020, base_url="https://www2.census.gov/programs-surveys/demo/tables/metro-micro").url
    'https://www2.census.gov/programs-surveys/demo/tables/metro-micro/2020/commuting-flows-2020/table1.xlsx'
    """
    check_year(year, sorted(ACS_FLOWS_TABLES), what="ACS county-to-county commuting flow tables",
               allow_newer=False, listing=acs_flows_years_text())
    period, path = ACS_FLOWS_TABLES[year]
    return RemoteFile(
        SOURCES["acs_flows"],
        path,
        _base("acs_flows", base_url, workspace_root),
        f"ACS {period} county-to-county commuting flows (Table 1)",
        year,
    )


def metro_delineation_file(
    year: int | None = None,
    *,
    base_url: str | None = None,
    workspace_root: str | os.PathLike[str] | None = None,
) -> RemoteFile:
    """The CBSA delineation file (list1) of the delineation of ``year``.

    Parameters
    ----------
    year
        Year of the delineation (default: the latest known, 2023): the editions of
        :data:`METRO_DELINEATION_FILES` (``.xls`` up to 2020, ``.xlsx`` since); years after the
        last one known are tried at the same place.
    base_url, workspace_root
        As for :func:`tract_file`.

    Raises
    ------
    YearNotAvailableError
        For a year without an edition, listing those that exist.

    Examples
    --------
    >>> base = "https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files"
    >>> metro_delineation_file(base_url=base).url
    'https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/list1_2023.xlsx'
    >>> metro_delineation_file(2020, base_url="https://mirror.example.gov").url
    'https://mirror.example.gov/2020/delineation-files/list1_2020.xls'
    """
    years = sorted(METRO_DELINEATION_FILES)
    year = years[-1] if year is None else year
    base = _base("metros", base_url, workspace_root)
    check_year(year, years, what="CBSA delineation files")
    path = METRO_DELINEATION_FILES.get(year, f"{year}/delineation-files/list1_{year}.xlsx")
    return RemoteFile(
        SOURCES["metros"],
        path,
        base,
        f"CBSA delineation file (list1) of {year}",
        year,
    )


def bea_io_files(
    year: int = 2012,
    *,
    base_url: str | None = None,
    workspace_root: str | os.PathLike[str] | None = None,
) -> list[RemoteFile]:
    """The BEA's detail Use, Make and import-matrix workbooks (sheet ``year`` is read from each).

    Parameters
    ----------
    year
        2012 (the benchmark, default) or 2007: the years with detail tables.
    base_url, workspace_root
        As for :func:`tract_file`.

    Examples
    --------
    >>> [f.url for f in bea_io_files(base_url="https://apps.bea.gov/industry/xls/io-annual")][0]
    'https://apps.bea.gov/industry/xls/io-annual/IOUse_Before_Redefinitions_PRO_DET.xlsx'
    >>> bea_io_files(2017, base_url="https://mirror.example.gov")
    Traceback (most recent call last):
    ...
    valleymaps.errors.YearNotAvailableError: BEA detail input-output tables are not published \
for 2017; years available: 2007, 2012.
    """
    if year not in BEA_IO_YEARS:
        raise YearNotAvailableError(
            f"BEA detail input-output tables are not published for {year}; years available: "
            f"{format_years(BEA_IO_YEARS)}.",
            year=year,
            available=list(BEA_IO_YEARS),
        )
    base = _base("bea", base_url, workspace_root)
    titles = ("Use table", "Make table", "import matrix")
    return [
        RemoteFile(SOURCES["bea"], name, base, f"BEA detail {title} ({name})", year)
        for name, title in zip(BEA_IO_FILES, titles, strict=True)
    ]


def qcew_area_code(geoid: str) -> str:
    """The QCEW area code of a GEOID: ``06019`` as it is, a state ``06`` -> ``06000``, ``US`` ->
    ``US000``.

    >>> qcew_area_code("06019"), qcew_area_code("06"), qcew_area_code("US")
    ('06019', '06000', 'US000')
    """
    code = geoid.strip().upper()
    if code in ("US", "00", QCEW_NATION_AREA):
        return QCEW_NATION_AREA
    if code.isdigit() and len(code) == 2:
        return f"{code}000"
    if code.isdigit() and len(code) == 5:
        return code
    raise ConfigError(
        f"{geoid!r} is not a county (5 digits), a state (2 digits) or the nation (US); QCEW "
        "area slices exist for those."
    )


def qcew_file(
    year: int,
    area: str,
    *,
    quarter: str = "a",
    base_url: str | None = None,
    workspace_root: str | os.PathLike[str] | None = None,
) -> RemoteFile:
    """A QCEW open-data area slice: annual averages (``quarter="a"``) or one quarter (1-4).

    Parameters
    ----------
    year
        Data year (2012 onwards).
    area
        County or state GEOID, or ``US``, or a QCEW area code (``06000``, ``US000``).
    quarter
        ``a`` for the annual averages (default) or ``1``-``4``.
    base_url, workspace_root
        As for :func:`tract_file`.

    Examples
    --------
    >>> qcew_file(2016, "06019", base_url="https://data.bls.gov/cew/data/api").url
    'https://data.bls.gov/cew/data/api/2016/a/area/06019.csv'
    >>> qcew_file(2024, "US", quarter="1", base_url="http://127.0.0.1:8000/cew").cache_key
    'qcew/2024/1/area/US000.csv'
    """
    period = str(quarter).strip().lower()
    if period not in ("a", "1", "2", "3", "4"):
        raise ConfigError(f"unknown QCEW period {quarter!r}; use a (annual averages) or 1-4.")
    check_year(year, QCEW_YEARS, what="QCEW open-data area slices")
    code = qcew_area_code(area)
    what = "annual averages" if period == "a" else f"quarter {period}"
    return RemoteFile(
        SOURCES["qcew"],
        f"{year}/{period}/area/{code}.csv",
        _base("qcew", base_url, workspace_root),
        f"QCEW {year} {what}, area {code}",
        year,
    )


def known_years(remote: RemoteFile) -> list[int]:
    """The years the source (and LODES version, tract kind) of ``remote`` is known to publish."""
    key = remote.source.key
    if key == "acs_flows":
        return sorted(ACS_FLOWS_TABLES)
    if key == "metros":
        return sorted(METRO_DELINEATION_FILES)
    if key == "cbp":
        return list(CBP_YEARS)
    if key == "bea":
        return list(BEA_IO_YEARS)
    if key == "qcew":
        return list(QCEW_YEARS)
    if key == "lodes":
        return list(LODES_YEARS.get(remote.path.split("/", 1)[0], ()))
    return list(TIGER_TRACT_YEARS if remote.path.startswith("TIGER") else CB_TRACT_YEARS)


def available_years_text(remote: RemoteFile) -> str:
    """The years the source of ``remote`` is known to publish, for messages."""
    if remote.source.key == "acs_flows":
        return acs_flows_years_text()
    return format_years(known_years(remote))


# --- page assets (scripts and styles the pages load from CDNs) ----------------------------


@dataclass(frozen=True)
class AssetFile(RemoteFile):
    """A script or style file of the pages, at its CDN URL (or a mirror's ``<base>/<host>/<path>``).

    ``path`` is ``<host>/<path>`` of the CDN URL; ``original`` the URL the pages name.
    """

    original: str = ""
    mirrored: bool = False

    @property
    def url(self) -> str:
        return f"{self.base_url}/{self.path}" if self.mirrored else self.original


def asset_file(url: str, *, workspace_root: str | os.PathLike[str] | None = None) -> AssetFile:
    """Where to download a page asset from, and its place in the cache (``assets/<host>/<path>``).

    >>> f = asset_file("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    >>> f.url, f.cache_key
    ('https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js', 'assets/cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js')
    """  # noqa: E501
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = f"{parts.netloc}{parts.path}"
    source = SOURCES["assets"]
    env_value = os.environ.get(source.env_var, "").strip()
    configured = configured_urls(workspace_root).get("assets") if not env_value else None
    mirror = (
        _check_url(env_value, f"environment variable {source.env_var}") if env_value else configured
    )
    return AssetFile(
        source, path, (mirror or f"{parts.scheme}://{parts.netloc}").rstrip("/"),
        f"page asset {parts.path.rsplit('/', 1)[-1]}", 0, original=url, mirrored=bool(mirror),
    )  # fmt: skip
