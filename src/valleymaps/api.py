"""The notebook API: a few functions that read a workspace and return objects.

Everything the ``valleymaps`` command does for a workspace is one call away here, and each call
returns something a notebook shows or a script keeps working with: a DataFrame, a
GeoDataFrame, a :class:`folium.Map` (it shows inline in Jupyter; ``m.save("map.html")`` writes
it), or a small result object. Nothing here writes into the workspace except
:func:`build_atlas`, which builds ``outputs/maps/`` as ``valleymaps build`` does.

Names are forgiving as in mapclassify: case, spaces, hyphens and underscores do not matter
(``"Health & Wellness"``, ``"health_wellness"``), and an unknown name is answered with the list
of valid ones (:class:`~valleymaps.errors.UnknownNameError`).

The inventory and the suitability model are ``load_projects`` and ``run_suitability``:
``valleymaps.projects`` and ``valleymaps.suitability`` are the packages that hold them.

>>> import valleymaps as vm
>>> ws = vm.open_workspace(".")                                    # doctest: +SKIP
>>> vm.cluster_metrics(ws).head()                                  # doctest: +SKIP
>>> vm.cluster_map(ws, "agriculture", metric="lq", level="county") # doctest: +SKIP
>>> vm.flows(ws).inflow_outflow(level="county")                    # doctest: +SKIP
>>> vm.flow_map(ws, level="county", top=40)                        # doctest: +SKIP
>>> vm.load_projects(ws)                                           # doctest: +SKIP
>>> r = vm.run_suitability(ws, "Paper mills", resolution=250)      # doctest: +SKIP
>>> r.raster.values.shape, r.sites.head(), r.map()                 # doctest: +SKIP
>>> vm.build_atlas(ws)                                             # doctest: +SKIP
"""

from __future__ import annotations

import html
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from valleymaps import settings
from valleymaps.errors import ConfigError, EmptyLayerError, UnknownNameError, WorkspaceError
from valleymaps.workspace import Workspace

if TYPE_CHECKING:
    import folium
    from affine import Affine

    from valleymaps.io.flows.dataset import FlowDataset
    from valleymaps.render.suitability_map import TargetLayer
    from valleymaps.suitability.profile import Profile
    from valleymaps.workflows.atlas import AtlasResult

log = logging.getLogger(__name__)

#: Levels of the cluster maps and of the commuting measures.
CLUSTER_LEVELS: tuple[str, ...] = ("county", "tract")
FLOW_LEVELS: tuple[str, ...] = ("county", "tract", "region")

#: Other names accepted for a metric of :func:`cluster_map`.
METRIC_ALIASES: Mapping[str, str] = {
    "jobs": "employment",
    "location_quotient": "lq",
    "growth": "growth_rate",
    "shift_share": "ss_regional_shift",
    "regional_shift": "ss_regional_shift",
}


# --------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("&", "and"))


def _pick(name: str, choices: Mapping[str, str], *, what: str) -> str:
    """The key in ``choices`` (key -> readable name) that ``name`` means, forgivingly.

    >>> _pick("Health & Wellness", {"health": "Health and Wellness"}, what="cluster")
    'health'
    >>> _pick("x", {"ag": "Agriculture", "energy": "Energy"}, what="cluster")
    Traceback (most recent call last):
    ...
    valleymaps.errors.UnknownNameError: unknown cluster 'x'. Valid: ag (Agriculture), energy.
    """
    wanted = _norm(name)
    for key, label in choices.items():
        if wanted in (_norm(key), _norm(label)):
            return key
    starts = [k for k, label in choices.items() if wanted and (_norm(k).startswith(wanted)
                                                              or _norm(label).startswith(wanted))]
    if len(starts) == 1:
        return starts[0]
    valid = ", ".join(k if _norm(k) == _norm(v) else f"{k} ({v})" for k, v in choices.items())
    raise UnknownNameError(f"unknown {what} {str(name)[:80]!r}. Valid: {valid}.")


def _pick_level(level: str, levels: Sequence[str], *, what: str) -> str:
    return _pick(level, {lv: lv for lv in levels}, what=f"{what} level")


# --------------------------------------------------------------------------------------------
# workspace and cluster metrics
# --------------------------------------------------------------------------------------------


def open_workspace(path: str | os.PathLike[str] = ".") -> Workspace:
    """Open the workspace at ``path`` (a folder with ``valleymaps.toml``).

    Raises
    ------
    WorkspaceError
        If ``path`` is not a workspace; the message says how to create one.
    """
    return Workspace.open(Path(path))


def _as_workspace(ws: Workspace | str | os.PathLike[str]) -> Workspace:
    return ws if isinstance(ws, Workspace) else Workspace.open(Path(ws))


@dataclass
class _ClusterData:
    metrics: pd.DataFrame
    clusters: list[Any]
    counties: gpd.GeoDataFrame  # region counties, EPSG:3310, "X County" names
    tracts: gpd.GeoDataFrame | None
    sources: list[str]
    synthetic: bool
    reference_name: str


def _cluster_data(ws: Workspace, *, base_year: int | None, end_year: int | None) -> _ClusterData:
    """The atlas's cluster figures (:func:`~valleymaps.workflows.cluster_data.compute_cluster_data`),
    with place and cluster names, and the places in the analysis CRS."""
    from valleymaps.workflows.cluster_data import compute_cluster_data

    cfg = ws.config
    data = compute_cluster_data(ws, base_year=base_year, end_year=end_year)
    clusters = data.clusters
    metrics = data.metrics.drop(columns="reference_name")
    used = [(level.lower(), ds) for level, ds in data.used.items()]
    counties = data.counties.to_crs(settings.ANALYSIS_CRS)
    counties["name"] = counties["name"].astype(str) + " County"
    county_names = dict(zip(counties["geoid"], counties["name"], strict=True))
    tracts = None
    if data.tracts is not None:
        tracts = data.tracts[["geoid", "name", "geometry"]].to_crs(settings.ANALYSIS_CRS)
        tracts = tracts[tracts["geoid"].str[:5].isin(list(cfg.region_counties))].reset_index(drop=True)
        tracts["name"] = [f"{n}, {county_names.get(g[:5], g[:5])}" for g, n in
                          zip(tracts["geoid"], tracts["name"], strict=True)]
    names = {c.key: c.name for c in clusters}
    places = county_names | {settings.REGION_GEOID: cfg.region_name, cfg.reference_geoid: cfg.reference_name}
    if tracts is not None:
        places |= dict(zip(tracts["geoid"], tracts["name"], strict=True))
    metrics = metrics.reset_index(drop=True)
    metrics.insert(1, "place", metrics["geoid"].map(places))
    metrics.insert(metrics.columns.get_loc("cluster") + 1, "cluster_name", metrics["cluster"].map(names))
    return _ClusterData(
        metrics=metrics,
        clusters=list(clusters),
        counties=counties,
        tracts=tracts,
        sources=[f"{lvl.capitalize()} employment: {ds.source} ({ds.vintage})" for lvl, ds in used],
        synthetic=any(ds.synthetic for _, ds in used),
        reference_name=data.reference_name,
    )


def cluster_metrics(
    ws: Workspace | str | os.PathLike[str],
    *,
    base_year: int | None = None,
    end_year: int | None = None,
) -> pd.DataFrame:
    """Cluster metrics of every place (tract, county, region, state), cluster and component.

    The same figures as the atlas's ``tables/cluster_metrics.csv``: the datasets are chosen as
    ``valleymaps build`` chooses them (real before synthetic, finer detail, then the latest).

    Parameters
    ----------
    ws
        The workspace (or its folder).
    base_year, end_year
        Years to compare (default: the earliest and the latest in the data).

    Returns
    -------
    pandas.DataFrame
        One row per place × cluster × component × year: ``geoid``, ``place`` (its name),
        ``level``, ``cluster``, ``cluster_name``, ``component`` (``""`` for the whole cluster),
        ``year``, ``employment``, ``share``, ``lq``, ``growth_rate``, ``change``, shift-share
        columns, ``flag`` ...

    Raises
    ------
    WorkspaceError
        If the workspace has no county employment for the region.
    """
    return _cluster_data(_as_workspace(ws), base_year=base_year, end_year=end_year).metrics


def cluster_map(
    ws: Workspace | str | os.PathLike[str],
    cluster: str,
    *,
    metric: str = "lq",
    level: str = "county",
    scheme: str | None = None,
    classes: int | None = None,
    base_year: int | None = None,
    end_year: int | None = None,
    year: int | None = None,
) -> folium.Map:
    """The atlas's choropleth of one cluster, opening on ``metric`` at ``level``.

    Parameters
    ----------
    ws
        The workspace (or its folder).
    cluster
        A cluster key or name, forgivingly (``"agriculture"``, ``"Health & Wellness"``).
    metric
        ``employment`` (``jobs``), ``share``, ``lq`` (``location_quotient``), ``growth_rate``,
        ``change``, ``ss_regional_shift`` (``shift_share``), or a component key; the page's
        panel offers the others too.
    level
        ``"county"`` or ``"tract"`` (tracts need tract boundaries and tract employment).
    scheme, classes
        Classification (default the workspace's ``[maps]`` settings).
    base_year, end_year
        Years to compare.
    year
        The year the map shows (default: the latest year of the data); the change metrics
        compare ``base_year`` (default the first year) with it. Same as ``end_year``.

    Returns
    -------
    folium.Map
        Shows inline in a notebook; ``.save("map.html")`` writes the page.

    Raises
    ------
    UnknownNameError
        For an unknown cluster, metric or level (the message lists the valid ones).
    WorkspaceError
        For the tract level in a workspace without tracts or tract employment.
    ConfigError
        For ``year`` and ``end_year`` that disagree.
    AnalysisError
        For a year the data do not have (the message lists the years).
    """
    from valleymaps.render.choropleth import LevelLayer, MapText, render_choropleth
    from valleymaps.render.metric_specs import cluster_metric_specs, component_metric_spec
    from valleymaps.render.web_geometry import prepare_web_geometry

    wsp = _as_workspace(ws)
    level = _pick_level(level, CLUSTER_LEVELS, what="cluster map")
    if year is not None and end_year is not None and int(year) != int(end_year):
        raise ConfigError(f"year={year} and end_year={end_year} disagree; pass one of them.")
    shown = int(year) if year is not None else end_year
    data = _cluster_data(wsp, base_year=base_year, end_year=shown)
    by_key = {c.key: c for c in data.clusters}
    chosen = by_key[_pick(cluster, {c.key: c.name for c in data.clusters}, what="cluster")]
    if level == "tract" and data.tracts is None:
        raise WorkspaceError(
            f"{wsp.root} has no tract layer: import tract boundaries ('valleymaps import tracts FILE') "
            "and tract employment ('valleymaps import employment FILE --format lodes-wac'), or pass "
            "level='county'."
        )
    m = data.metrics[data.metrics["cluster"] == chosen.key]
    year = int(m["year"].max())
    base = None if m["base_year"].isna().all() else int(m["base_year"].dropna().iloc[0])
    specs = list(cluster_metric_specs(has_change=base is not None, reference_name=data.reference_name))
    specs += [component_metric_spec(c.key, c.name) for c in chosen.components]
    choices = {s.key: s.key for s in specs} | {s.key: s.component for s in specs if s.component}
    metric_key = _pick(METRIC_ALIASES.get(_norm_key(metric), metric), choices, what="metric")
    counties_web = prepare_web_geometry(
        data.counties[["geoid", "name", "geometry"]], tolerance_m=settings.COUNTY_SIMPLIFY_TOLERANCE_M
    )
    layers = [LevelLayer("county", "Counties", "counties in the region", counties_web,
                         m[m["level"] == "county"], show=level == "county")]
    if data.tracts is not None:
        tracts_web = prepare_web_geometry(data.tracts[["geoid", "name", "geometry"]])
        layers.append(LevelLayer("tract", "Census tracts", "tracts in the region", tracts_web,
                                 m[m["level"] == "tract"], show=level == "tract"))
    cfg = wsp.config
    text = MapText(
        title=f"{chosen.name} cluster",
        subtitle=f"{cfg.region_name} · {chosen.description}".rstrip(" ·"),
        source_lines=tuple(data.sources),
        synthetic_notice=settings.SYNTHETIC_NOTICE if data.synthetic else None,
    )
    return render_choropleth(
        layers, specs, text=text, year=year, base_year=base, scheme=scheme or cfg.scheme,
        k=classes or cfg.classes, outlines=counties_web if len(layers) > 1 else None,
        initial_metric=metric_key,
    )


def _norm_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


# --------------------------------------------------------------------------------------------
# commuting flows
# --------------------------------------------------------------------------------------------


@dataclass
class Flows:
    """One commuting flow dataset of a workspace, with its measures one call away.

    Attributes
    ----------
    dataset
        The flows as imported (tables by level, RAC/WAC totals, source, vintage).
    region_counties
        The workspace region's county GEOIDs.
    """

    dataset: FlowDataset
    region_counties: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.dataset.name

    @property
    def levels(self) -> list[str]:
        """Levels the flow tables come at (``county``, ``tract``...)."""
        return list(self.dataset.tables)

    def table(self, level: str = "county") -> pd.DataFrame:
        """The flow table at ``level``: ``h_geoid``, ``w_geoid``, ``workers``, ``workers_moe`` ..."""
        level = _pick_level(level, self.levels, what=f"flows {self.name}")
        return self.dataset.tables[level]

    def inflow_outflow(self, level: str = "county", *, segments: Sequence[str] | None = None) -> pd.DataFrame:
        """OnTheMap-style inflow/outflow measures of every area at ``level``.

        Parameters
        ----------
        level
            ``"county"`` (the region's counties), ``"tract"`` (LODES with tract flows) or
            ``"region"`` (the region as one area).
        segments
            LODES segments (``""`` all workers, ``"SE03"`` the skilled...); default all.

        Returns
        -------
        pandas.DataFrame
            One row per area and segment: ``employed``, ``living``, ``inflow``, ``outflow``,
            ``net``, ``leakage_rate`` ... each with its ``_moe`` (the ACS 90% margin of error;
            NaN for LODES).
        """
        from valleymaps.analysis.commuting import compute_inflow_outflow

        level = _pick_level(level, FLOW_LEVELS, what="inflow/outflow")
        source = "county" if level in ("county", "region") else level
        table = self.table(source)
        return compute_inflow_outflow(
            table,
            level=level,
            region_counties=list(self.region_counties),
            areas=list(self.region_counties) if level == "county" else None,
            segments=segments,
            residents=self.dataset.residents,
            jobs=self.dataset.jobs,
        )

    def top_places(self, direction: str = "destinations", *, n: int = 10) -> pd.DataFrame:
        """Places outside the region its commuters go to (``destinations``) or come from."""
        from valleymaps.analysis.commuting import rank_outside_places

        return rank_outside_places(self.table("county"), direction=direction,
                                   region_counties=list(self.region_counties), n=n)

    def _repr_html_(self) -> str:
        levels = ", ".join(self.levels)
        return (f"<b>Flows {html.escape(self.name)}</b>: {html.escape(self.dataset.source)} "
                f"({html.escape(self.dataset.vintage)}; levels {html.escape(levels)})")


def _choose_flows(datasets: Sequence[FlowDataset]) -> FlowDataset:
    """Real before synthetic, with a county table, then the latest vintage."""
    usable = [ds for ds in datasets if "county" in ds.tables] or list(datasets)
    return max(enumerate(usable), key=lambda p: (not p[1].synthetic, p[1].vintage[-4:], p[0]))[1]


def flows(ws: Workspace | str | os.PathLike[str], name: str | None = None) -> Flows:
    """A commuting flow dataset of the workspace (``valleymaps import flows`` / ``fetch``).

    Parameters
    ----------
    ws
        The workspace (or its folder).
    name
        The dataset (``ca_od_2021_jt00``, ``acs_county_flows_2016_2020``...); default real before
        synthetic, then the latest.

    Raises
    ------
    WorkspaceError
        If no flows were imported.
    UnknownNameError
        For an unknown ``name`` (the message lists the datasets).
    """
    from valleymaps.io.flows.store import list_flows, load_flows

    wsp = _as_workspace(ws)
    names = list_flows(wsp)
    if not names:
        raise WorkspaceError(
            f"{wsp.root} has no commuting flows. Import some with 'valleymaps import flows FILE "
            "--format lodes-od|acs-county' or 'valleymaps fetch acs-flows'."
        )
    if name is not None:
        ds = load_flows(wsp, _pick(name, {n: n for n in names}, what="flow dataset"))
    else:
        ds = _choose_flows([load_flows(wsp, n) for n in names])
    return Flows(ds, tuple(wsp.config.region_counties))


def flow_map(
    ws: Workspace | str | os.PathLike[str],
    *,
    level: str = "county",
    top: int = 40,
    name: str | None = None,
    min_flow: float = 0.0,
) -> folium.Map:
    """The atlas's flow map: arcs between the region's areas and where their commuters go.

    Parameters
    ----------
    ws
        The workspace (or its folder).
    level
        ``"county"`` or ``"tract"`` (LODES tract flows and tract boundaries).
    top
        Arcs drawn when the map opens (the largest); the page's filter changes it.
    name
        The flow dataset (see :func:`flows`).
    min_flow
        Smallest flow drawn when the map opens (workers).

    Returns
    -------
    folium.Map
    """
    from valleymaps.analysis import commuting as cm
    from valleymaps.io.delineation import load_metro_areas
    from valleymaps.io.region import read_places
    from valleymaps.render.choropleth import MapText
    from valleymaps.render.flow_map import FlowMapOptions, render_flow_map
    from valleymaps.render.web_geometry import prepare_web_geometry

    wsp = _as_workspace(ws)
    level = _pick_level(level, ("county", "tract"), what="flow map")
    fl = flows(wsp, name)
    ds = fl.dataset
    cfg = wsp.config
    region = list(cfg.region_counties)
    counties = read_places(wsp, "county", crs=settings.ANALYSIS_CRS)
    counties["name"] = counties["name"].astype(str) + " County"
    county_names = dict(zip(counties["geoid"], counties["name"].str.removesuffix(" County"), strict=True))
    counties_web = prepare_web_geometry(counties, tolerance_m=settings.COUNTY_SIMPLIFY_TOLERANCE_M)
    others = _other_counties(wsp, region)
    if others is not None:
        county_names |= dict(zip(others["geoid"], others["name"].str.removesuffix(" County"), strict=True))
    if level == "tract":
        if "tract" not in ds.tables or not wsp.tracts_path.is_file():
            raise WorkspaceError(
                f"flows {ds.name} have no tract map: it needs LODES OD tract flows and tract "
                "boundaries ('valleymaps import tracts FILE'); or pass level='county'."
            )
        tracts = read_places(wsp, "tract", crs=settings.ANALYSIS_CRS)
        tracts["name"] = [f"{n}, {county_names.get(g[:5], g[:5])} County"
                          for g, n in zip(tracts["geoid"], tracts["name"], strict=True)]
        areas = prepare_web_geometry(tracts)
    else:
        areas = counties_web
    metros = load_metro_areas(wsp)
    table = ds.tables[level]
    measures = pd.concat([
        cm.compute_inflow_outflow(table, level=level, region_counties=region, areas=list(areas["geoid"]),
                                  residents=ds.residents, jobs=ds.jobs),
        cm.compute_inflow_outflow(ds.tables["county"], level="region", region_counties=region,
                                  residents=ds.residents, jobs=ds.jobs),
    ], ignore_index=True)
    mappable = list(areas["geoid"]) + (list(others["geoid"]) if others is not None else [])
    lines = cm.compute_flow_lines(table, level=level, region_counties=region, mappable=mappable,
                                  off_map="metro" if metros is not None else "auto", metros=metros)
    ids = sorted(set(lines["origin"]) | set(lines["destination"]) | set(areas["geoid"])
                 | {settings.REGION_GEOID})
    names = dict(zip(ids, cm.name_places(ids, county_names=county_names, region_name=cfg.region_name,
                                         metros=metros), strict=True))
    names |= {g: n for g, n in zip(areas["geoid"], areas["name"], strict=True)}
    segments = {s: cm.SEGMENTS[s] for s in ds.segments if s in cm.SEGMENTS}
    if level == "tract":
        segments = {s: n for s, n in segments.items() if s == cm.SKILLED_SEGMENT}
    text = MapText(
        title=f"Commuting flows: {cfg.region_name} {'census tracts' if level == 'tract' else 'counties'}",
        subtitle=ds.source,
        source_lines=(f"Flows: {ds.source} (imported from {', '.join(ds.imported_from)})",),
        synthetic_notice=settings.synthetic_notice("commuting") if ds.synthetic else None,
    )
    return render_flow_map(lines, areas, FlowMapOptions(
        measures=measures, names=names, text=text, region_name=cfg.region_name,
        places=others, outline=counties_web, level_label="Census tracts" if level == "tract" else "Counties",
        segments=segments, top_n=top, min_flow=min_flow,
        bundle_by=counties_web if level == "tract" else None,
        kinds=("within",) if level == "tract" else ("leaving", "entering", "within"),
    ))


def _other_counties(ws: Workspace, region: Sequence[str]) -> gpd.GeoDataFrame | None:
    """The state's other counties (web-ready, "X County") for context and arc ends."""
    from valleymaps.render.web_geometry import prepare_web_geometry

    if not ws.counties_path.is_file():
        return None
    counties = gpd.read_file(ws.counties_path)
    counties["geoid"] = counties["geoid"].astype(str)
    others = counties[~counties["geoid"].isin(list(region))][["geoid", "name", "geometry"]].copy()
    if others.empty:
        return None
    others = prepare_web_geometry(others, tolerance_m=1000.0)
    others["name"] = others["name"].astype(str) + " County"
    return others.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# projects
# --------------------------------------------------------------------------------------------


def load_projects(
    ws: Workspace | str | os.PathLike[str], *, db_url: str | None = None, table: str | None = None
) -> gpd.GeoDataFrame:
    """The workspace's infrastructure project inventory (EPSG:4326).

    Read through the same store as every command: the PostGIS database at ``db_url`` or
    ``$VALLEYMAPS_DB_URL`` when set (``table``: ``name`` or ``schema.name``), else the
    workspace's ``data/geo/projects.gpkg``. Empty (with the inventory's columns) before the
    first ``valleymaps import projects``.
    """
    from valleymaps.projects.store import open_store

    return open_store(_as_workspace(ws), db_url=db_url, table=table).load()


# --------------------------------------------------------------------------------------------
# site suitability
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Raster:
    """A raster in memory: ``values`` (rows × columns), their ``transform`` and ``crs``.

    ``values`` are float32 with NaN where the land is excluded (outside the region, under a
    constraint or without data). With rasterio: ``rasterio.open(path, "w", driver="GTiff",
    height=h, width=w, count=1, dtype="float32", crs=r.crs, transform=r.transform)``.
    """

    values: npt.NDArray[np.float32]
    transform: Affine
    crs: str

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in ``crs`` units."""
        h, w = self.values.shape
        left, top = self.transform * (0, 0)
        right, bottom = self.transform * (w, h)
        return (min(left, right), min(bottom, top), max(left, right), max(bottom, top))


@dataclass(eq=False)
class Suitability:
    """The suitability of the region for one target industry.

    Attributes
    ----------
    target
        The target industry (or profile) asked for.
    profile
        The profile used (after leaving out factors without data).
    raster
        Suitability 0–100 (:class:`Raster`).
    sites
        Candidate sites (EPSG:3310), best first: ``rank``, ``score``, ``area_acres``, each
        factor's contribution, ``county`` ...
    left_out
        Factors left out for lack of data in the workspace: label -> why.
    notes
        What the map page says about the result (left-out factors, caveats).
    """

    target: str
    profile: Profile
    raster: Raster
    sites: gpd.GeoDataFrame
    left_out: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _layer: TargetLayer | None = None
    _region: gpd.GeoDataFrame | None = None
    _subtitle: str = ""
    _synthetic: bool = False

    def map(self) -> folium.Map:
        """The suitability map page: the raster, the sites with popups, the factors' panel."""
        from valleymaps.render.suitability_map import render_suitability_map

        assert self._layer is not None
        return render_suitability_map(
            [self._layer],
            title=f"Where could {self.target.lower()} locate?",
            subtitle=self._subtitle,
            source_lines=[f"Profile: {self.profile.path.name if self.profile.path else self.profile.key} "
                          f"({self.profile.name})."],
            outlines=self._region,
            synthetic_notice=settings.synthetic_notice(None) if self._synthetic else None,
        )

    def _repr_html_(self) -> str:
        best = (f"best site {self.sites.iloc[0]['score']:.0f}/100" if len(self.sites)
                else "no site met the rules")
        return (f"<b>Suitability for {html.escape(self.target)}</b> ({html.escape(self.profile.name)}): "
                f"{self.raster.shape[1]} × {self.raster.shape[0]} cells, {len(self.sites)} sites, "
                f"{html.escape(best)}. <code>.raster</code>, <code>.sites</code>, <code>.map()</code>")


def run_suitability(
    ws: Workspace | str | os.PathLike[str],
    target: str,
    *,
    resolution: float | None = None,
    layers: Mapping[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]]] | None = None,
    allow_missing: bool = True,
) -> Suitability:
    """Model the region's suitability for one target industry, in memory.

    As ``valleymaps suitability --target`` but nothing is written to the workspace: the
    rasters are computed in a temporary folder and read back.

    Parameters
    ----------
    ws
        The workspace (or its folder).
    target
        A target industry (``data/econ/leakage_targets.csv``, any case) or a profile key.
    resolution
        Cell size in metres (default 100; 250 is quick).
    layers
        Layer name -> file, over the workspace's layers.
    allow_missing
        Leave out the factors whose data the workspace lacks (the other weights scaled back to
        100; ``left_out`` says which), as ``valleymaps build`` does; False raises instead.

    Raises
    ------
    ConfigError
        For an unknown target (the message lists close matches).
    DataSourceError
        When layers are missing and ``allow_missing`` is False.
    """
    import rasterio

    from valleymaps.errors import DataSourceError
    from valleymaps.suitability.model import compute_suitability, drop_missing_layers, find_missing_layers
    from valleymaps.workflows.suitability_inputs import (
        choose_target,
        gather_suitability_inputs,
        layer_catalog,
    )
    from valleymaps.workflows.suitability_outputs import preview_and_overlay, target_layer

    wsp = _as_workspace(ws)
    choice = choose_target(target, ws=wsp)
    catalog = layer_catalog(wsp, overrides=layers)
    missing = find_missing_layers(choice.profile, catalog)
    if missing and not allow_missing:
        raise DataSourceError(
            f"{len(missing)} layer(s) of profile '{choice.profile.key}' are missing:\n"
            + "\n".join(f"  - {label}: {why}" for label, why in missing.items())
            + "\nProvide them (layers={...}), or pass allow_missing=True to leave those factors out."
        )
    inputs = gather_suitability_inputs(wsp, [choice.profile], catalog=catalog)
    region = inputs.region
    empty: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="valleymaps-suitability-") as tmp:
        while True:
            try:
                profile = drop_missing_layers(choice.profile, catalog, empty=empty)
                result = compute_suitability(
                    profile, inputs, folder=Path(tmp), resolution=resolution, cog=False,
                )
                break
            except EmptyLayerError as exc:
                if not allow_missing or exc.factor is None or exc.factor in empty:
                    raise
                empty[exc.factor] = str(exc)
        with rasterio.open(result.suitability_path) as src:
            values = src.read(1, masked=True).astype("float32").filled(np.nan)
            raster = Raster(values, src.transform, str(src.crs))
        _, _, image = preview_and_overlay(result)
        layer = target_layer(result, key=profile.key, title=choice.target, image=image,
                             image_url=image.data_uri())
    if missing or empty:
        log.warning("suitability for %r: left out for lack of data: %s", choice.target,
                    "; ".join([*missing, *empty]))
    return Suitability(
        target=choice.target,
        profile=profile,
        raster=raster,
        sites=result.sites,
        left_out={**missing, **empty},
        notes=list(layer.notes),
        _layer=layer,
        _region=region,
        _subtitle=f"{wsp.config.region_name} site suitability · {profile.name} · "
                  f"{result.grid.resolution:g} m cells",
        _synthetic=result.synthetic,
    )


# --------------------------------------------------------------------------------------------
# the atlas
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Atlas:
    """An atlas built into ``outputs/maps/``: its pages and tables.

    Attributes
    ----------
    result
        What the build wrote (paths, headline, levels).
    """

    result: AtlasResult

    @property
    def index(self) -> Path:
        """The front page, ``outputs/maps/index.html``."""
        return self.result.index_path

    @property
    def pages(self) -> list[Path]:
        """Every HTML page, the index first."""
        found = sorted(p for p in self.result.maps_dir.glob("*.html") if p.name != "index.html")
        return [self.index, *found]

    @property
    def tables(self) -> dict[str, Path]:
        """CSV tables by name (``cluster_metrics`` ...); read one with :meth:`table`."""
        return {p.stem: p for p in sorted((self.result.maps_dir / "tables").glob("*.csv"))}

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame (GEOIDs kept as text)."""
        key = _pick(name, {k: k for k in self.tables}, what="atlas table")
        return pd.read_csv(self.tables[key], dtype={"geoid": str, "h_geoid": str, "w_geoid": str})

    def _repr_html_(self) -> str:
        def link(p: Path) -> str:
            return f'<a href="{html.escape(p.as_uri())}" target="_blank">{html.escape(p.name)}</a>'

        pages = "".join(f"<li>{link(p)}</li>" for p in self.pages)
        tables = ", ".join(html.escape(name) for name in self.tables)
        headline = ""
        if self.result.headline is not None:
            h = self.result.headline
            headline = (f"<p>In {h.end_year}, the clusters held {h.share_of_employment * 100:.1f}% "
                        "of the region's jobs.</p>")
        return (f"<div><b>valleymaps atlas</b> in {html.escape(str(self.result.maps_dir))}"
                f"{' (synthetic sample data)' if self.result.synthetic else ''}{headline}"
                f"<p>{len(self.pages)} pages:</p><ul>{pages}</ul><p>Tables: {tables}</p></div>")


def build_atlas(
    ws: Workspace | str | os.PathLike[str],
    *,
    scheme: str | None = None,
    classes: int | None = None,
    breaks: Iterable[float] | None = None,
    png: bool = False,
    lang: str | None = None,
) -> Atlas:
    """Build the atlas into the workspace's ``outputs/maps/``, as ``valleymaps build`` does.

    Static PNGs are off by default here (``png=True`` writes them, as the command does).
    ``lang="es"`` writes the pages in Spanish (default: the workspace's ``[atlas] lang``).

    Returns
    -------
    Atlas
        Its pages and tables; shows as a list of links in a notebook.
    """
    from valleymaps.workflows.atlas import build_atlas as build

    return Atlas(build(_as_workspace(ws), scheme=scheme, classes=classes,
                       breaks=list(breaks) if breaks is not None else None, png=png, lang=lang))


__all__ = [
    "Atlas",
    "Flows",
    "Raster",
    "Suitability",
    "build_atlas",
    "cluster_map",
    "cluster_metrics",
    "flow_map",
    "flows",
    "load_projects",
    "open_workspace",
    "run_suitability",
]
