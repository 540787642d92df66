"""Build the atlas: every cluster choropleth, its PNGs, the tables and the index page.

This is the one place that reads the workspace, runs the analysis and writes
``outputs/maps/``. The new atlas is built in a temporary folder and swapped in
only when complete, so a failed build leaves the previous atlas intact.

>>> import tempfile, pathlib
>>> ws = init_workspace(pathlib.Path(tempfile.mkdtemp()) / "sjv")  # doctest: +SKIP
>>> build_atlas(ws).index_path.name                                 # doctest: +SKIP
'index.html'
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from valleymaps import i18n, settings
from valleymaps._version import __version__
from valleymaps.analysis.cluster_employment import ALL_CLUSTERS
from valleymaps.analysis.coverage import coverage_column, coverage_findings
from valleymaps.analysis.headline import Headline, compute_headline
from valleymaps.analysis.naics_editions import TARGET_EDITION
from valleymaps.clusters import Cluster
from valleymaps.compute.executor import Executor
from valleymaps.core.naics import find_concordance_steps
from valleymaps.employment import EmploymentDataset, format_years
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.io.atomic import remove_stale_temporaries, replace_dir, work_dir
from valleymaps.io.csv_safe import neutralise_formulas
from valleymaps.io.region import qualify_tract_names
from valleymaps.render.atlas_index import AtlasCard, CardTrend, render_atlas_index
from valleymaps.render.choropleth import LevelLayer, MapText, places_geojson, render_choropleth
from valleymaps.render.element_ids import stable_element_ids
from valleymaps.render.metric_specs import (
    MetricSpec,
    cluster_metric_specs,
    component_metric_spec,
    format_percent,
    format_ratio,
    format_signed_percent,
)
from valleymaps.render.static_map import StaticChoropleth, style_static_map
from valleymaps.render.web_geometry import prepare_web_geometry
from valleymaps.workflows.cluster_data import add_naics_edition_columns, compute_cluster_data
from valleymaps.workflows.context import AtlasContext, AtlasSection, SectionParts
from valleymaps.workflows.sections import SECTION_PARTS, SECTIONS
from valleymaps.workflows.workers import AtlasWorkers
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]

#: Metrics drawn on the pages but not as PNGs (the year-over-year change and the compound
#: growth): the static maps stay one per metric of the two-year atlas.
PAGE_ONLY_METRICS: frozenset[str] = frozenset({"yoy_change", "cagr"})


@dataclass
class AtlasResult:
    """What a build wrote."""

    maps_dir: Path
    pages: list[Path] = field(default_factory=list)
    pngs: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    headline: Headline | None = None
    levels: list[str] = field(default_factory=list)
    synthetic: bool = False

    @property
    def index_path(self) -> Path:
        return self.maps_dir / "index.html"


def slugify(text: str) -> str:
    """File-name-safe slug. ``slugify("Health & Wellness")`` -> ``'health-wellness'``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "map"






def _place_names(metrics_geoids: pd.Series, places: gpd.GeoDataFrame) -> pd.Series:
    names = dict(zip(places["geoid"], places["name"], strict=True))
    return metrics_geoids.map(names)






def _finding(
    cluster: Cluster, m: pd.DataFrame, county_names: dict[str, str], region: str, reference: str
) -> str:
    rows = m[(m["cluster"] == cluster.key) & (m["component"] == "")]
    counties = rows[rows["level"] == "county"].dropna(subset=["lq"])
    parts = []
    if not counties.empty:
        top = counties.sort_values("lq", ascending=False).iloc[0]
        parts.append(
            _("{county} County has the highest concentration (LQ {lq} vs {reference})").format(
                county=county_names.get(top["geoid"], top["geoid"]), lq=format_ratio(top["lq"]),
                reference=reference,
            )
        )
    reg = rows[rows["level"] == "region"]
    state = rows[rows["level"] == "state"]
    if not reg.empty and pd.notna(reg.iloc[0]["growth_rate"]):
        r = reg.iloc[0]
        text = (
            _("{region} jobs grew {percent} {base}–{year}")
            if r["growth_rate"] >= 0
            else _("{region} jobs fell {percent} {base}–{year}")
        ).format(
            region=region, percent=format_percent(abs(r["growth_rate"])), base=int(r["base_year"]),
            year=int(r["year"]),
        )
        if pd.notna(r.get("cagr")) and int(r["year"]) - int(r["base_year"]) > 1:
            text += " " + _("({percent} a year)").format(percent=format_signed_percent(r["cagr"]))
        if not state.empty and pd.notna(state.iloc[0]["growth_rate"]):
            text += f" ({reference}: {format_percent(state.iloc[0]['growth_rate'])})"
        parts.append(text)
    elif not reg.empty and pd.notna(reg.iloc[0]["employment"]):
        parts.append(
            _("{region}: {jobs} jobs in {year}").format(
                region=region,
                jobs=i18n.format_integer(reg.iloc[0]["employment"]),
                year=int(reg.iloc[0]["year"]),
            )
        )
    parts += coverage_findings(cluster, m)
    if not parts:
        return _("No employment data for this cluster.")
    text = "; ".join(parts) + "."
    return text if i18n.current_language() == "en" else text[:1].upper() + text[1:]


#: Source lines of each level's employment (the keys of a build's ``used`` datasets).
_LEVEL_SOURCE = {
    "County": N_("County employment: {source} ({vintage})"),
    "Tract": N_("Tract employment: {source} ({vintage})"),
}
_LEVEL_PRIVATE = {
    "County": N_(
        "County employment counts private employers only ([employment] ownership in valleymaps.toml)."
    ),
    "Tract": N_(
        "Tract employment counts private employers only ([employment] ownership in valleymaps.toml)."
    ),
}
_LEVEL_ALL_OWNERS = {
    "County": N_("County employment counts every ownership ([employment] ownership in valleymaps.toml)."),
    "Tract": N_("Tract employment counts every ownership ([employment] ownership in valleymaps.toml)."),
}
#: The level's word in "Sources · employment county 2021; tract 2021".
_LEVEL_WORD = {"County": N_("county"), "Tract": N_("tract")}


def _card_trend(annual: pd.DataFrame, region: str) -> CardTrend | None:
    """The region's jobs and location quotient of a cluster, year by year, for its index card."""
    rows = annual[(annual["level"] == "region") & (annual["component"] == "")].sort_values("year")
    if len(rows) < 2:
        return None
    return CardTrend(
        place=region,
        years=tuple(int(y) for y in rows["year"]),
        jobs=tuple(float(v) for v in rows["employment"]),
        lq=tuple(float(v) for v in rows["lq"]),
    )


def private_growth_text(h: Headline, *, source: str = "") -> str:
    """The plan's private-sector figure, or why it cannot be computed from this source."""
    if h.has_ownership:
        if h.base_year is None:
            return _("Private-sector job growth needs two years of data.")
        if h.share_of_private_growth is None:
            return _("Private-sector employment did not grow since {year}.").format(year=h.base_year)
        return _(
            "Counting private employers only, as the plan does, the clusters held "
            "{percent} of private-sector job growth since {year}."
        ).format(percent=format_percent(h.share_of_private_growth), year=h.base_year)
    what = source or _("The employment source")
    return _(
        "{source} does not tell private from public employers, so the clusters' share of "
        "private-sector job growth cannot be computed exactly (import QCEW for that)."
    ).format(source=what)


def _headline_text(h: Headline, region: str, *, source: str = "", coverage_note: str = "") -> str:
    share = format_percent(h.share_of_employment)
    if h.base_year is not None and h.share_of_growth is not None:
        text = _(
            "In {year}, the clusters held {share} of {region} jobs and {growth} of job growth since {base}"
        ).format(year=h.end_year, share=share, region=region, growth=format_percent(h.share_of_growth),
                 base=h.base_year)
    elif h.base_year is not None and h.total_change is not None:
        text = _(
            "In {year}, the clusters held {share} of {region} jobs; total employment did not grow "
            "since {base}"
        ).format(year=h.end_year, share=share, region=region, base=h.base_year)
    else:
        text = _("In {year}, the clusters held {share} of {region} jobs").format(
            year=h.end_year, share=share, region=region
        )
    text += " " + _("(Public Sector Infrastructure aside).")
    text += " " + private_growth_text(h, source=source)
    text += " " + _(
        "The 2012 action plan found 41% of employment and 73% of private-sector job growth for "
        "2001–2010."
    )
    if coverage_note:
        text += " " + _("{note}: the clusters' figures leave those industries out.").format(
            note=coverage_note
        )
    if "I" in h.flag:
        text += " " + _("Some parts were withheld in the source, so the figures are lower bounds.")
    return text


def edition_line(ds: EmploymentDataset) -> str | None:
    """The NAICS edition a dataset's series is in on the pages (one line), or ``None`` for a
    source that does not publish by edition.

    Years whose edition valleymaps does not know
    (:attr:`~valleymaps.employment.EmploymentDataset.unknown_edition_years`) are named as such:
    their codes are used as published, never recoded on a guess.
    """
    unknown = ds.unknown_edition_years
    if not ds.naics_editions and not unknown:
        return None
    other: dict[int, list[int]] = {}
    for year, edition in sorted(ds.naics_editions.items()):
        if edition != TARGET_EDITION:
            other.setdefault(edition, []).append(year)
    parts = [
        (
            _("{years} recoded from NAICS {edition}")
            if find_concordance_steps(edition, TARGET_EDITION) is not None
            else _("{years} kept in NAICS {edition} (no concordance)")
        ).format(years=format_years(years), edition=edition)
        for edition, years in sorted(other.items())
    ]
    if unknown:
        parts.append(
            _("{years}: NAICS edition not known to valleymaps, codes used as published").format(
                years=format_years(unknown)
            )
        )
    if not parts:
        return _("Industries: NAICS {target}, the clusters' edition, in every year.").format(
            target=TARGET_EDITION
        )
    if not other:
        return _("Industries: NAICS {target}, the clusters' edition; {recoded}.").format(
            target=TARGET_EDITION, recoded="; ".join(parts)
        )
    return _(
        "Industries: NAICS {target}, the clusters' edition; {recoded} (R: an industry that cannot "
        "be divided between editions)."
    ).format(target=TARGET_EDITION, recoded="; ".join(parts))


def _source_lines(ws: Workspace, used: dict[str, EmploymentDataset], tracts_note: str | None) -> list[str]:
    lines = []
    for level, ds in used.items():
        lines.append(_(_LEVEL_SOURCE[level]).format(source=ds.source, vintage=ds.vintage))
        editions = edition_line(ds)
        if editions:
            lines.append(editions)
        if ds.coverage_note:
            lines.append(
                _('{note}: shown as "not covered by this source", never 0 jobs.').format(
                    note=ds.coverage_note
                )
            )
        if ds.detail_note:
            lines.append(f"{ds.detail_note}.")
        if ds.private is not None:
            owners = (
                _(_LEVEL_PRIVATE[level]) if ws.config.ownership == "private" else _(_LEVEL_ALL_OWNERS[level])
            )
            lines.append(owners)
    meta_path = ws.geo_dir / "ca_counties.meta.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        lines.append(
            _("County boundaries: {source}").format(
                source=meta.get("source", _("Census cartographic boundaries"))
            )
        )
    if tracts_note:
        lines.append(tracts_note)
    lines.append(
        _("Clusters: data/econ/clusters.toml. Built {date} with valleymaps {version}.").format(
            date=i18n.format_date(date.today()), version=__version__
        )
    )
    return lines


def _static_charts(
    levels: Sequence[tuple[str, str, gpd.GeoDataFrame]],
    *,
    subtitle: str,
    sources: Sequence[str],
    notice: str | None,
    outlines: gpd.GeoDataFrame | None,
) -> dict[str, StaticChoropleth]:
    """One static chart per ``(level, label, places)``, laid out once for every cluster and metric."""
    return {
        level: StaticChoropleth(
            places,
            subtitle=f"{subtitle}, {label.lower()}",
            source_lines=sources,
            synthetic_notice=notice,
            outlines=outlines if level == "tract" else None,
        )
        for level, label, places in levels
    }


def _section_task(
    section: AtlasSection, context: AtlasContext, *, seed: str
) -> Callable[[], tuple[list[AtlasCard], list[tuple[str, str]]]]:
    """Run ``section`` on its own copy of the context: its cards and the downloads it added.

    Its page elements get ids counted from ``seed``, so its pages are the same whichever
    process runs it and whatever that process ran before.
    """
    from valleymaps.render.element_ids import stable_element_ids

    def run() -> tuple[list[AtlasCard], list[tuple[str, str]]]:
        own = replace(context, downloads=[])
        with stable_element_ids(seed):
            return section(own), own.downloads

    return run


SectionOutcome = tuple[list[AtlasCard], list[tuple[str, str]]]


def _part_task(part: Callable[[], Any], *, seed: str) -> Callable[[], Any]:
    """One part of a split section, its page elements (if any) counted from ``seed``."""
    from valleymaps.render.element_ids import stable_element_ids

    def run() -> Any:
        with stable_element_ids(seed):
            return part()

    return run


def _assemble_task(
    parts: SectionParts, context: AtlasContext, keys: list[str], *, seed: str
) -> Callable[[dict[str, Any]], SectionOutcome]:
    """Put a split section together from its parts' results (by task key), in this process; its
    page elements are counted from the section's ``seed``, as when the section runs in one go."""
    from valleymaps.render.element_ids import stable_element_ids

    names = list(parts.parts)

    def run(results: dict[str, Any]) -> SectionOutcome:
        with stable_element_ids(seed):
            cards = parts.assemble({name: results[key] for name, key in zip(names, keys, strict=True)})
        return cards, context.downloads

    return run


def _whole_section(key: str) -> Callable[[dict[str, Any]], SectionOutcome]:
    """The outcome of a section run in one task (``key``)."""

    def run(results: dict[str, Any]) -> SectionOutcome:
        outcome: SectionOutcome = results[key]
        return outcome

    return run


def _collect(
    collect: Callable[[dict[str, Any]], SectionOutcome], waiting: dict[str, Callable[[], Any]]
) -> Callable[[], SectionOutcome]:
    """A function that waits for every task of a section and returns its cards and downloads."""
    return lambda: collect({key: wait() for key, wait in waiting.items()})


class _TractGeometry:
    """The workspace's tracts, read once, and their web geometry simplified on a thread.

    GEOS lets go of Python's lock while it cleans and simplifies the coverage, so a build with
    760 tracts prepares their web geometry on the second core while the cluster metrics are
    computed on the first (the build forks its workers only after :meth:`close`).
    """

    def __init__(self, ws: Workspace) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from valleymaps.io.tracts import load_tracts

        self.tracts = load_tracts(ws) if ws.tracts_path.is_file() else None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tract-geometry")
        self._future = (
            self._pool.submit(prepare_web_geometry, self.tracts[["geoid", "name", "geometry"]])
            if self.tracts is not None
            else None
        )

    def result(self) -> gpd.GeoDataFrame | None:
        """The tracts' web geometry (``geoid``, ``name``, EPSG:4326), or None without tracts."""
        return self._future.result() if self._future is not None else None

    def close(self) -> None:
        """Wait for the thread and stop it (before any worker is forked)."""
        self._pool.shutdown(wait=True)


def _write_pngs(
    layers: Sequence[LevelLayer],
    specs: Sequence[MetricSpec],
    folder: Path,
    *,
    cluster: Cluster,
    year: int,
    base: int | None,
    jobs: AtlasWorkers,
) -> list[str]:
    """A static PNG of every choropleth of a cluster page that has values; returns the file names.

    The pictures are handed to ``jobs`` (drawn in the background, written by ``jobs.finish()``).
    """
    written = []
    for layer in layers:
        # each component's rows once per layer, in the order of the places drawn
        places = layer.places["geoid"]
        by_component = {
            component: rows.set_index("geoid").reindex(places)
            for component, rows in layer.values.groupby("component", sort=False)
        }
        for spec in specs:
            rows = by_component.get(spec.component)
            if rows is None:
                continue
            values = rows[spec.column].to_numpy(dtype=float)
            if np.isnan(values).all():  # e.g. components of sector-only tract data
                continue
            style = style_static_map(
                values,
                layer.classifications[spec.key],
                spec,
                title=f"{cluster.name}: {spec.title(year=year, base=base)}",
            )
            name = f"{slugify(cluster.key)}-{layer.level}-{slugify(spec.key)}.png"
            jobs.add_style(layer.level, style, folder / name)
            written.append(name)
    return written


def build_atlas(
    ws: Workspace,
    *,
    scheme: str | None = None,
    classes: int | None = None,
    breaks: Sequence[float] | None = None,
    base_year: int | None = None,
    end_year: int | None = None,
    png: bool = True,
    on_progress: ProgressCallback | None = None,
    workers: int | None = None,
    lang: str | None = None,
    executor: Executor | None = None,
) -> AtlasResult:
    """Build ``outputs/maps/`` of a workspace.

    Parameters
    ----------
    ws
        The workspace.
    scheme, classes, breaks
        Classification (default from the workspace's ``[maps]`` settings).
    base_year, end_year
        Years to compare (default: earliest and latest in the data).
    png
        Also write a static PNG of each cluster metric map.
    on_progress
        Called as ``on_progress(label, done, total)`` after each step.
    workers
        Processes forked for the PNGs and sections (default
        :data:`valleymaps.settings.BUILD_WORKERS`, 1: all in this process).
    lang
        Language of the pages: ``"en"`` or ``"es"`` (default the workspace's ``[atlas] lang``,
        else :data:`valleymaps.settings.ATLAS_LANGUAGE`).
    executor
        A Dask executor (:func:`valleymaps.compute.get_executor`) runs each suitability profile's
        model as a task on its cluster (the workers must see ``outputs/`` at the same path); the
        rest of the build stays in this process (and ``workers`` is then 1: no process is forked
        beside a cluster client's threads). The atlas is the same.

    Returns
    -------
    AtlasResult
    """
    from valleymaps.render.element_ids import stable_element_ids

    language = i18n.resolve_language(lang if lang is not None else ws.config.lang)
    # the same pages on every build, in the build's language (the workers inherit it)
    with stable_element_ids(f"atlas:{ws.config.region_name}"), i18n.use_language(language):
        return _build_atlas(
            ws,
            scheme=scheme,
            classes=classes,
            breaks=breaks,
            base_year=base_year,
            end_year=end_year,
            png=png,
            on_progress=on_progress,
            worker_count=workers,
            executor=executor,
        )


def _build_atlas(
    ws: Workspace,
    *,
    scheme: str | None,
    classes: int | None,
    breaks: Sequence[float] | None,
    base_year: int | None,
    end_year: int | None,
    png: bool,
    on_progress: ProgressCallback | None,
    worker_count: int | None,
    executor: Executor | None = None,
) -> AtlasResult:
    cfg = ws.config
    scheme = scheme or cfg.scheme
    base_year = base_year if base_year is not None else cfg.base_year
    end_year = end_year if end_year is not None else cfg.end_year
    classes = classes or cfg.classes
    from valleymaps.render.project_overlay import prepare_project_overlay
    from valleymaps.workflows.projects_pages import load_project_overlay

    tract_geometry = _TractGeometry(ws)  # simplified on a thread while the metrics are computed
    try:
        data = compute_cluster_data(ws, base_year=base_year, end_year=end_year, tracts=tract_geometry.tracts)
        tract_web_geometry = tract_geometry.result() if data.tracts is not None else None
    finally:
        tract_geometry.close()
    clusters, used, metrics, annual = data.clusters, data.used, data.metrics, data.annual
    counties, county_names, tracts = data.counties, data.county_names, data.tracts
    county_ds = used["County"]
    with_tracts = tracts is not None
    reference_name = _(data.reference_name)  # a place's name, or "the reference area" translated
    synthetic = any(ds.synthetic for ds in used.values())
    notice = _(settings.SYNTHETIC_NOTICE) if synthetic else None

    county_places = counties[["geoid", "geometry"]].copy()
    county_places["name"] = [
        _("{county} County").format(county=county_names[g]) for g in county_places["geoid"]
    ]
    county_web = prepare_web_geometry(county_places, tolerance_m=settings.COUNTY_SIMPLIFY_TOLERANCE_M)
    tract_web = None
    tracts_note = None
    if with_tracts:
        assert tracts is not None
        assert tract_web_geometry is not None
        tract_web = qualify_tract_names(tract_web_geometry, county_names)
        tracts_note = _("Tract boundaries: imported into {file} ({count} tracts)").format(
            file=ws.tracts_path.name, count=len(tract_web)
        )
    sources = _source_lines(ws, used, tracts_note)
    county_geojson = places_geojson(county_web)  # shared by every cluster page
    tract_geojson = places_geojson(tract_web) if tract_web is not None else None

    year = int(metrics["year"].iloc[0])
    base = None if metrics["base_year"].isna().all() else int(metrics["base_year"].dropna().iloc[0])
    years = sorted(int(y) for y in annual["year"].unique())
    annual_mode = len(years) > 1  # a year control on the cluster pages
    has_yoy = bool(np.isfinite(annual.loc[annual["level"] != "state", "yoy_change"].to_numpy(float)).any())
    specs_base = cluster_metric_specs(
        has_change=base is not None, reference_name=reference_name, annual=annual_mode, has_yoy=has_yoy
    )
    # the end year's change from the year before sits beside the span metrics (for the PNGs)
    end_yoy = annual.loc[annual["year"] == year, ["geoid", "cluster", "component", "yoy_change"]]
    metrics_with_yoy = metrics.merge(end_yoy, on=["geoid", "cluster", "component"], how="left")
    private_metrics = data.private_metrics
    headline = compute_headline(metrics, private_metrics=private_metrics)
    vintage = _("Sources · employment {vintages}").format(
        vintages="; ".join(f"{_(_LEVEL_WORD[lvl])} {ds.vintage}" for lvl, ds in used.items())
    )
    projects = load_project_overlay(ws)  # once per build: over every cluster page, and for the sections

    result = AtlasResult(
        maps_dir=ws.maps_dir,
        headline=headline,
        synthetic=synthetic,
        levels=["county"] + (["tract"] if with_tracts else []),
    )
    workers: AtlasWorkers | None = None
    # built in a folder beside outputs/maps/ that replaces it when complete; a full disk or a
    # read-only outputs/ becomes one clear error and leaves the previous atlas as it was
    with contextlib.ExitStack() as stack:
        build_dir = stack.enter_context(work_dir(ws.outputs_dir, prefix=".maps-build-"))

        def close_workers() -> None:
            if workers is not None:
                forked = workers.parallel
                workers.close()
                if forked:  # a worker stopped mid-task (another one failed) leaves its scratch folder
                    remove_stale_temporaries(ws.outputs_dir)

        stack.callback(close_workers)  # first thing on the way out, before the folder goes
        (build_dir / "png").mkdir()
        (build_dir / "tables").mkdir()
        if projects is not None:  # made once: in each page, or (a large inventory) in a file beside them
            projects = prepare_project_overlay(projects)
            if projects.data_file is not None and projects.data_file_text is not None:
                (build_dir / projects.data_file).write_text(projects.data_file_text, encoding="utf-8")
        context = AtlasContext(
            ws=ws,
            build_dir=build_dir,
            counties_web=county_web,
            tracts_web=tract_web,
            county_names=county_names,
            png=png,
            projects=projects,
            cluster_data=data,
            executor=executor if executor is not None and executor.distributed else None,
        )
        # Before the pages: the workers run the sections and draw the PNGs while the pages are written.
        levels = [("county", _("Counties"), county_web)]
        if with_tracts and tract_web is not None:
            levels.append(("tract", _("Census tracts"), tract_web))
        charts = (
            _static_charts(
                levels,
                subtitle=cfg.region_name,
                sources=sources,
                notice=notice,
                outlines=county_web if with_tracts else None,
            )
            if png
            else {}
        )
        tasks: dict[str, Callable[[], Any]] = {}
        plans: list[tuple[AtlasSection, list[str], Callable[[dict[str, Any]], SectionOutcome]]] = []
        for i, section in enumerate(SECTIONS):
            seed = f"atlas:{cfg.region_name}:section-{i}"
            split = SECTION_PARTS.get(section)
            if split is None:
                tasks[f"section-{i}"] = _section_task(section, context, seed=seed)
                plans.append((section, [f"section-{i}"], _whole_section(f"section-{i}")))
                continue
            own = replace(context, downloads=[])
            with stable_element_ids(f"{seed}:plan"):
                parts = split(own)
            keys = []
            for name, part in parts.parts.items():
                key = f"section-{i}:{name}"
                tasks[key] = _part_task(part, seed=f"{seed}:{name}")
                keys.append(key)
            plans.append((section, keys, _assemble_task(parts, own, keys, seed=seed)))
        if context.executor is not None and (worker_count or 1) > 1:
            log.info("--workers %d ignored beside a Dask cluster: the build runs in one process",
                     worker_count)
            worker_count = 1
        workers = AtlasWorkers(charts, tasks=tasks, workers=worker_count)
        started = {key: workers.start(key) for key in tasks}  # the order of the sections and their parts
        sections = [
            (section, _collect(collect, {k: started[k] for k in keys})) for section, keys, collect in plans
        ]
        total_steps = len(clusters) + 1
        cards = []
        for step, cluster in enumerate(clusters, start=1):
            specs: list[MetricSpec] = list(specs_base) + [
                component_metric_spec(c.key, c.name, annual=annual_mode) for c in cluster.components
            ]
            cm = metrics_with_yoy[metrics_with_yoy["cluster"] == cluster.key]
            ca = annual[annual["cluster"] == cluster.key]
            layers = [
                LevelLayer(
                    "county",
                    _("Counties"),
                    _("counties in the region"),
                    county_web,
                    cm[cm["level"] == "county"],
                    show=True,
                    geojson=county_geojson,
                    series=ca[ca["level"] == "county"] if annual_mode else None,
                )
            ]
            if with_tracts and tract_web is not None:
                layers.append(
                    LevelLayer(
                        "tract",
                        _("Census tracts"),
                        _("tracts in the region"),
                        tract_web,
                        cm[cm["level"] == "tract"],
                        show=False,
                        geojson=tract_geojson,
                        series=ca[ca["level"] == "tract"] if annual_mode else None,
                    )
                )
            subtitle = f"{cfg.region_name} · {cluster.description}".rstrip(" ·")
            text = MapText(
                title=_("{cluster} cluster").format(cluster=cluster.name),
                subtitle=subtitle,
                source_lines=tuple(sources),
                synthetic_notice=notice,
                source_summary=vintage,
            )
            fmap = render_choropleth(
                layers,
                specs,
                text=text,
                year=year,
                base_year=base,
                scheme=scheme,
                k=classes,
                breaks=breaks,
                outlines=county_web if with_tracts else None,
                projects=projects,
                years=years if annual_mode else None,
            )
            page = build_dir / f"cluster-{slugify(cluster.key)}.html"
            fmap.save(str(page))
            result.pages.append(ws.maps_dir / page.name)
            thumb = None
            if png:
                written = _write_pngs(
                    layers,
                    [s for s in specs if s.key not in PAGE_ONLY_METRICS],
                    build_dir / "png",
                    cluster=cluster,
                    year=year,
                    base=base,
                    jobs=workers,
                )
                result.pngs += [ws.maps_dir / "png" / name for name in written]
                thumb = next((f"png/{n}" for n in written if n.endswith("-county-lq.png")), None)
            cards.append(
                AtlasCard(
                    cluster.name,
                    _finding(cluster, metrics, county_names, cfg.region_name, reference_name),
                    page.name,
                    thumb,
                    trend=_card_trend(ca, cfg.region_name) if annual_mode else None,
                )
            )
            if on_progress:
                on_progress(cluster.name, step, total_steps)

        for section, outcome in sections:
            section_cards, downloads = outcome()
            cards.extend(section_cards)
            context.downloads.extend(downloads)
            log.info("atlas section %s: %d pages", getattr(section, "__name__", section), len(section_cards))

        table = metrics.copy()
        names = {c.key: c.name for c in clusters} | {ALL_CLUSTERS: "All clusters (headline)"}
        table.insert(3, "cluster_name", table["cluster"].map(names))
        place_names = {g: f"{n} County" for g, n in county_names.items()}
        place_names |= {settings.REGION_GEOID: cfg.region_name, cfg.reference_geoid: cfg.reference_name}
        if tract_web is not None:
            place_names |= dict(zip(tract_web["geoid"], tract_web["name"], strict=True))
        table.insert(1, "place", table["geoid"].map(place_names))
        table["coverage"] = coverage_column(table["flag"])
        table_path = build_dir / "tables" / "cluster_metrics.csv"
        neutralise_formulas(table).to_csv(table_path, index=False)  # cluster names come from clusters.toml
        result.tables.append(ws.maps_dir / "tables" / table_path.name)
        trends = annual.copy()
        trends.insert(1, "place", trends["geoid"].map(place_names))
        trends.insert(4, "cluster_name", trends["cluster"].map(names))
        trends["coverage"] = coverage_column(trends["flag"])
        trends = add_naics_edition_columns(trends, used)  # column names stay English, as the others
        trends_path = build_dir / "tables" / "cluster_trends.csv"
        neutralise_formulas(trends).to_csv(trends_path, index=False)
        result.tables.append(ws.maps_dir / "tables" / trends_path.name)
        result.tables += [ws.maps_dir / href for _, href in context.downloads]

        index_html = render_atlas_index(
            cards,
            title=_("{region} industry cluster atlas").format(region=cfg.region_name),
            subtitle=(
                _("Employment by cluster, county and census tract, {span}")
                if with_tracts
                else _("Employment by cluster, county, {span}")
            ).format(span=f"{base}–{year}")
            if base
            else f"{year}",
            headline=_headline_text(
                headline, cfg.region_name, source=county_ds.source, coverage_note=county_ds.coverage_note
            ),
            synthetic_notice=notice,
            footer_lines=sources,
            downloads=[
                (_("Cluster metrics (CSV)"), "tables/cluster_metrics.csv"),
                (_("Cluster trends, every year (CSV)"), "tables/cluster_trends.csv"),
                *context.downloads,
            ],
        )
        (build_dir / "index.html").write_text(index_html, encoding="utf-8")
        workers.finish()
        if on_progress:
            on_progress("index", total_steps, total_steps)
        if (ws.maps_dir / ".gitkeep").exists():  # the repository keeps its empty outputs/maps/ folder
            (build_dir / ".gitkeep").touch()
        replace_dir(build_dir, ws.maps_dir)
    log.info("built atlas: %d pages, %d PNGs in %s", len(result.pages) + 1, len(result.pngs), ws.maps_dir)
    return result
