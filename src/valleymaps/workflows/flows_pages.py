"""The commuting section of the atlas: flow maps and leakage choropleths for each flow dataset.

For every flow dataset imported into the workspace (``valleymaps import flows``) the section
writes, into the atlas being built:

* ``flows-<name>-county.html``: a flow map between the region's counties and the places their
  commuters come from and go to (California counties drawn, other states listed);
* ``flows-<name>-tract.html`` (LODES, when tracts are imported): the same between tracts, with
  the page carrying the largest :data:`TRACT_LINE_CAP` flows;
* ``commuting-<name>.html``: choropleths of the leakage rate (residents working outside their
  area), residents working outside the region, the in-commuter share of jobs, net commuting
  and, with LODES, the same for skilled workers (earning more than $3,333 a month); ACS
  margins of error in every tooltip;
* PNGs of the flow maps and of the county choropleths under ``png/``; the measures as
  ``tables/commuting-<name>.csv``, flows between the region's counties as
  ``tables/commuting-<name>-between-counties.csv`` and the places outside the region its
  commuters go to or come from as ``tables/commuting-<name>-outside.csv`` (counties in the
  state, states beyond, abroad; and, when the workspace has a CBSA delineation, metro areas),
  all three listed among the index page's downloads;

and returns one atlas card per page.

Places off the map are grouped by metro area (CBSA, "Rest of <state>" outside them) when the
workspace has a delineation (``valleymaps import metros``), else by state; the pages say which.
A LODES dataset with RAC/WAC totals takes its jobs and employed residents from them, and its
pages say how they differ from what the OD flows alone give.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from valleymaps import i18n, settings
from valleymaps.analysis import commuting as cm
from valleymaps.analysis.metros import MetroAreas
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.io.atomic import atomic_path
from valleymaps.io.csv_safe import neutralise_formulas
from valleymaps.io.delineation import STORE_NAME as DELINEATION_FILE
from valleymaps.io.delineation import load_metro_areas
from valleymaps.io.flows.dataset import FlowDataset
from valleymaps.io.flows.lodes_od import parse_od_name
from valleymaps.io.flows.store import load_all_flows
from valleymaps.render.atlas_index import AtlasCard
from valleymaps.render.choropleth import LevelLayer, MapText, render_choropleth
from valleymaps.render.flow_map import (
    FlowMapOptions,
    add_moe_lines,
    render_flow_map,
    render_static_flow_map,
)
from valleymaps.render.metric_specs import (
    MetricSpec,
    format_jobs,
    format_percent,
    format_signed_jobs,
)
from valleymaps.render.static_map import StaticChoropleth, style_static_map
from valleymaps.render.web_geometry import prepare_web_geometry
from valleymaps.workflows.context import AtlasContext

log = logging.getLogger(__name__)

#: Most tract flows a tract flow page carries (the largest).
TRACT_LINE_CAP = 1500
#: Arcs drawn when a page opens: counties, tracts; arcs of the tract page's PNG.
COUNTY_TOP_N = 40
TRACT_TOP_N = 150
TRACT_PNG_TOP_N = 60

CARD_KIND_FLOWS = N_("Commuting flow map")
CARD_KIND_LEAKAGE = N_("Commuting leakage choropleth")


def commuting_metric_specs(*, skilled: bool, period: str = "{year}") -> list[MetricSpec]:
    """The metrics of a commuting choropleth page (``period`` is written in the titles)."""
    specs = [
        MetricSpec("leakage_rate", "leakage_rate", _("Out-commuting (leakage) rate, ") + period,
                   _("% of employed residents"), format_percent,
                   description=_("Employed residents who work outside their own area")),
        MetricSpec("region_leakage_rate", "region_leakage_rate",
                   _("Residents working outside the region, ") + period, _("% of employed residents"),
                   format_percent, description=_("Employed residents who work outside the region")),
        MetricSpec("import_rate", "import_rate", _("In-commuter share of jobs, ") + period, _("% of jobs"),
                   format_percent, description=_("Jobs held by people who live outside the area")),
        MetricSpec("net", "net", _("Net commuting (jobs − employed residents), ") + period,
                   _("workers"), format_signed_jobs, center=0.0,
                   description=_("Positive: more in-commuters than out-commuters")),
    ]
    if skilled:
        specs += [
            MetricSpec("skilled_leakage_rate", "leakage_rate",
                       _("Skilled out-commuting rate (earning > $3,333/month), ") + period,
                       _("% of skilled employed residents"), format_percent,
                       component=cm.SKILLED_SEGMENT,
                       description=_("Residents earning more than $3,333 a month who work outside "
                                     "their own area")),
            MetricSpec("skilled_region_leakage_rate", "region_leakage_rate",
                       _("Skilled residents working outside the region, ") + period,
                       _("% of skilled employed residents"), format_percent,
                       component=cm.SKILLED_SEGMENT),
        ]
    return specs


def _moe_text(spec: MetricSpec, value: float, moe: float) -> str:
    if not np.isfinite(moe):
        return ""
    if spec.format is format_percent:
        return _("Margin of error (90%): ± {value} points").format(value=i18n.format_decimal(moe * 100, 1))
    return _("Margin of error (90%): ± {value}").format(value=format_jobs(moe))


def _with_ranks(values: pd.DataFrame, specs: Sequence[MetricSpec]) -> pd.DataFrame:
    out = values.copy()
    for spec in specs:
        if spec.component == "":
            out[f"rank_{spec.key}"] = np.nan
            rows = out["component"] == ""
            out.loc[rows, f"rank_{spec.key}"] = out.loc[rows, spec.column].rank(ascending=False,
                                                                               method="min")
    return out


def _read_california(ws_counties: Path, region: Sequence[str]) -> gpd.GeoDataFrame | None:
    """The state's other counties (web-ready, named "X County") for context and arc ends."""
    if not ws_counties.is_file():
        return None
    counties = gpd.read_file(ws_counties)
    counties["geoid"] = counties["geoid"].astype(str)
    others = counties[~counties["geoid"].isin(list(region))][["geoid", "name", "geometry"]].copy()
    if others.empty:
        return None
    others = prepare_web_geometry(others, tolerance_m=1000.0)
    others["name"] = [_("{county} County").format(county=n) for n in others["name"].astype(str)]
    return others.reset_index(drop=True)


def _rollup_line(metros: MetroAreas | None) -> str:
    if metros is not None:
        return _("Places outside the region: California counties; beyond, {metros} "
                 "(workspace data/geo/{file}), other counties as the rest of their "
                 "state.").format(metros=metros.describe(), file=DELINEATION_FILE)
    return _("Places outside the region: California counties; beyond, whole states (import the CBSA "
             "delineation with 'valleymaps import metros list1_2023.xlsx' to group them by metro "
             "area).")


def _source_lines(ds: FlowDataset, context: AtlasContext, metros: MetroAreas | None) -> tuple[str, ...]:
    lines = [_("Flows: {source} (imported from {files})").format(
        source=ds.source, files=", ".join(ds.imported_from))]
    for kind, what in (("wac", N_("Jobs: {source} (imported from {files})")),
                       ("rac", N_("Employed residents: {source} (imported from {files})"))):
        totals = ds.totals.get(kind)
        if totals is not None:
            lines.append(_(what).format(source=totals.source, files=", ".join(totals.imported_from)))
    if ds.has_moe:
        lines.append(_("ACS estimates: ± is the 90% margin of error; sums combine margins as the "
                       "root of the sum of squares."))
    lines.append(_rollup_line(metros))
    lines.append(_("County boundaries: workspace data/geo/ca_counties.geojson"))
    return tuple(lines)


def _totals_notes(ds: FlowDataset, region_row: pd.Series, region_name: str) -> list[str]:
    """What the page says of RAC/WAC totals: where they come from and how the OD flows differ."""
    notes: list[str] = []
    if not ds.totals:
        return notes
    parts = {p["part"] for p in map(parse_od_name, ds.imported_from) if p}
    jobs, jobs_od = float(region_row["employed"]), float(region_row["employed_od"])
    living, living_od = float(region_row["living"]), float(region_row["living_od"])
    if "wac" in ds.totals:
        text = _("Jobs in {region}: {jobs} from LODES WAC; the OD flows alone give {od}").format(
            region=region_name, jobs=format_jobs(jobs), od=format_jobs(jobs_od))
        if round(jobs) == round(jobs_od):
            text += " " + _("(the same).")
        elif "aux" not in parts and jobs_od < jobs:
            text += " " + _("(the OD files have no aux part, so workers living in other states are "
                            "missing from them).")
        else:
            text += " " + _("(LEHD builds the files separately; they differ slightly).")
        notes.append(text)
    if "rac" in ds.totals:
        text = _("Employed residents of {region}: {living} from LODES RAC (a state's "
                 "RAC counts only jobs in that state; residents the OD flows show working in other "
                 "states are added); the OD flows alone give {od}").format(
            region=region_name, living=format_jobs(living), od=format_jobs(living_od))
        text += " " + _("(the same).") if round(living) == round(living_od) else "."
        notes.append(text)
    notes.append(_("In- and out-commuters are those totals less the residents working in their own "
                   "area (from the OD flows); the OD numbers are in the table of measures for each area."))
    return notes


def _missing_tracts_note(tract_flows: pd.DataFrame, tracts: pd.DataFrame, region: Sequence[str],
                         ds: FlowDataset) -> str | None:
    """A note when flows reach region tracts that the workspace's boundaries do not have."""
    known = set(tracts["geoid"])
    total = missing = 0.0
    for column in ("h_geoid", "w_geoid"):
        inside = tract_flows[column].str[:5].isin(list(region))
        total += float(tract_flows.loc[inside, "workers"].sum())
        missing += float(tract_flows.loc[inside & ~tract_flows[column].isin(known), "workers"].sum())
    if not missing:
        return None
    vintage = " " + _("({version}: 2020 census tracts)").format(version=ds.lodes_version) \
        if ds.lodes_version == "LODES8" else (
        " " + _("({version}: 2010 census tracts)").format(version=ds.lodes_version)
        if ds.lodes_version == "LODES7" else "")
    return _("{share} of the region's tract flow ends are in tracts the "
             "workspace's tract boundaries do not have{vintage}: import boundaries of the same "
             "vintage as the flows to map them all.").format(share=format_percent(missing / total),
                                                             vintage=vintage)


def _names(geoids: set[str], county_names: dict[str, str], tract_names: dict[str, str],
           region_name: str, metros: MetroAreas | None) -> dict[str, str]:
    names = dict(zip(sorted(geoids), cm.name_places(sorted(geoids), county_names=county_names,
                                                    region_name=region_name, metros=metros),
                     strict=True))
    # counties in the build's language ("Condado de Kern"; the same "Kern County" in English)
    names.update({g: _("{county} County").format(county=county_names[g])
                  for g in geoids if g in county_names})
    names.update({g: n for g, n in tract_names.items() if g in geoids})
    return names


def _headline(region_row: pd.Series, top: pd.DataFrame, names: dict[str, str], region_name: str,
              skilled: pd.Series | None) -> str:
    def pm(v: float, asp: bool = False) -> str:
        if not np.isfinite(v):
            return ""
        return " ± " + (format_percent(v) if asp else format_jobs(v))

    text = _("{share} of {region}'s employed residents work outside it ({workers})").format(
        share=format_percent(region_row["region_leakage_rate"])
        + pm(region_row["region_leakage_rate_moe"], True),
        region=region_name,
        workers=format_jobs(region_row["outflow_region"]) + pm(region_row["outflow_region_moe"]),
    )
    if skilled is not None and np.isfinite(skilled["region_leakage_rate"]):
        text += "; " + _("{share} of skilled residents").format(
            share=format_percent(skilled["region_leakage_rate"]))
    if len(top):
        first = top.iloc[0]
        text += "; " + _("top destination: {place} ({workers})").format(
            place=names.get(first["geoid"], first["geoid"]),
            workers=format_jobs(first["workers"]) + pm(first["workers_moe"]))
    return text + "."


def _leakage_finding(county: pd.DataFrame, names: dict[str, str]) -> str:
    rows = county[county["segment"] == ""].dropna(subset=["leakage_rate"])
    if rows.empty:
        return _("No commuting flows for the region's counties.")
    top = rows.sort_values("leakage_rate", ascending=False).iloc[0]
    moe = top["leakage_rate_moe"]
    pm = f" ± {format_percent(moe)}" if np.isfinite(moe) else ""
    net = rows.sort_values("net").iloc[0]
    return _("Highest out-commuting: {place}, {share} of employed residents work outside the "
             "county; largest net outflow: {net_place} ({net}).").format(
        place=names.get(top["geoid"], top["geoid"]), share=format_percent(top["leakage_rate"]) + pm,
        net_place=names.get(net["geoid"], net["geoid"]), net=format_signed_jobs(net["net"]))


def _tract_pages(
    context: AtlasContext, ds: FlowDataset, *, slug: str, others: gpd.GeoDataFrame | None,
    county_areas: gpd.GeoDataFrame, county_names: dict[str, str], tract_names: dict[str, str],
    measures_region: pd.DataFrame, segments: dict[str, str], sources: tuple[str, ...],
    notice: str | None, notes: list[str], metros: MetroAreas | None,
) -> tuple[list[AtlasCard], pd.DataFrame | None]:
    """The tract flow page (LODES with tracts imported), its PNG and card; the tract measures."""
    cfg = context.ws.config
    region = list(cfg.region_counties)
    tract_flows = ds.tables.get("tract")
    with_tracts = (tract_flows is not None and context.tracts_web is not None
                   and ds.detail_counties is not None and set(region) <= set(ds.detail_counties))
    if tract_flows is not None and context.tracts_web is not None and not with_tracts:
        log.warning("flows %s: tract flows were imported for other counties than the region's; "
                    "import them again for tract pages", ds.name)
    if not with_tracts:
        return [], None
    assert tract_flows is not None and context.tracts_web is not None
    tracts = context.tracts_web[["geoid", "name", "geometry"]].copy()
    skilled = cm.SKILLED_SEGMENT in segments
    measures_tract = cm.compute_inflow_outflow(
        tract_flows, level="tract", region_counties=region, areas=list(tracts["geoid"]),
        segments=["", cm.SKILLED_SEGMENT] if skilled else [""], residents=ds.residents, jobs=ds.jobs,
    )
    tract_mappable = list(tracts["geoid"]) + (list(others["geoid"]) if others is not None else [])
    tract_lines = cm.compute_flow_lines(tract_flows, level="tract", region_counties=region,
                                        mappable=tract_mappable, off_map="metro" if metros else "auto",
                                        metros=metros)
    tnames = _names(set(tract_lines["origin"]) | set(tract_lines["destination"])
                    | {settings.REGION_GEOID}, county_names, tract_names, cfg.region_name, metros)
    ttitle = _("Commuting flows: {region} census tracts").format(region=cfg.region_name)
    missing = _missing_tracts_note(tract_flows, tracts, region, ds)
    # all workers and the skilled only: every segment of 760 tracts would make a heavy page
    tract_segments = {s: n for s, n in segments.items() if s == cm.SKILLED_SEGMENT}
    tfmap = render_flow_map(tract_lines, tracts, FlowMapOptions(
        measures=pd.concat([measures_tract, measures_region]), names=tnames,
        text=MapText(title=ttitle, subtitle=ds.source, source_lines=sources, synthetic_notice=notice),
        region_name=cfg.region_name, places=others, outline=county_areas,
        level_label=_("Census tracts"), segments=tract_segments, top_n=TRACT_TOP_N,
        max_lines=TRACT_LINE_CAP, bundle_by=county_areas, kinds=("within",),
        notes=[*notes, *([missing] if missing else [])],
        off_map_note=_off_map_note(metros),
    ), projects=context.projects)
    tpage = f"flows-{slug}-tract.html"
    tfmap.save(str(context.build_dir / tpage))
    thumb = None
    n_on = int(tract_lines["on_map"].sum())
    within = tract_lines[tract_lines["kind"] == cm.WITHIN]
    if context.png:
        thumb = context.add_png(
            render_static_flow_map, f"flows-{slug}-tract.png",
            lines=within, areas=tracts, title=ttitle, subtitle=ds.source, outline=county_areas,
            top_n=TRACT_PNG_TOP_N, source_lines=sources, synthetic_notice=notice,
            not_drawn_note=_("Drawn: the {n} largest of {total} flows between the region's tracts; "
                             "flows across the region's edge are on the web page.").format(
                n=i18n.format_integer(min(TRACT_PNG_TOP_N, len(within))),
                total=i18n.format_integer(len(within))),
        )
    card = AtlasCard(
        _("Tract commuting flows ({vintage})").format(vintage=ds.vintage),
        _("The {n} largest of {total} flows between the region's tracts "
          "and California counties (flows across the region's edge bundled by county); click a "
          "tract for its own flows.").format(n=i18n.format_integer(min(TRACT_TOP_N, n_on)),
                                             total=i18n.format_integer(n_on)),
        tpage, thumb, kind=CARD_KIND_FLOWS,
    )
    return [card], measures_tract


def _off_map_note(metros: MetroAreas | None) -> str:
    if metros is not None:
        return _("Grouped by {metros}; other counties as the rest of their state.").format(
            metros=metros.describe())
    return _("Grouped by state (no CBSA delineation in the workspace).")


def _write_tables(
    context: AtlasContext, ds: FlowDataset, *, slug: str, tables: list[pd.DataFrame],
    names: dict[str, str], tract_names: dict[str, str], county_names: dict[str, str],
    metros: MetroAreas | None,
) -> None:
    """The measures, flows between the region's counties and the places outside it, as CSV."""
    cfg = context.ws.config
    region = list(cfg.region_counties)
    folder = context.build_dir / "tables"
    folder.mkdir(exist_ok=True)
    table = pd.concat(tables, ignore_index=True)
    table.insert(1, "place", [names.get(g) or tract_names.get(g) or g for g in table["geoid"]])
    table.insert(3, "segment_name", table["segment"].map(cm.SEGMENTS))
    county_flows = ds.tables["county"]
    between = cm.flows_between_counties(county_flows, region_counties=region)
    between.insert(1, "home", between["h_geoid"].map(names))
    between.insert(3, "work", between["w_geoid"].map(names))
    outside = []
    for rollup in (["metro"] if metros is not None else []) + ["auto"]:
        for direction in ("destinations", "origins"):
            ranked = cm.rank_outside_places(county_flows, direction=direction, region_counties=region,
                                            n=None, rollup=rollup, metros=metros)
            ranked.insert(0, "rollup", cm.ROLLUPS[rollup])
            ranked.insert(1, "direction", direction)
            ranked.insert(3, "place", cm.name_places(list(ranked["geoid"]), county_names=county_names,
                                                     region_name=cfg.region_name, metros=metros))
            outside.append(ranked)
    label = f"{ds.vintage} {ds.lodes_version or ds.format.split('-')[0].upper()}".strip()
    for name, frame, what in (
        (f"commuting-{slug}.csv", table, N_("Commuting {label}: inflow/outflow by area (CSV)")),
        (f"commuting-{slug}-between-counties.csv", between,
         N_("Commuting {label}: flows between the region's counties (CSV)")),
        (f"commuting-{slug}-outside.csv", pd.concat(outside, ignore_index=True),
         N_("Commuting {label}: places outside the region (CSV)")),
    ):
        with atomic_path(folder / name) as tmp:
            neutralise_formulas(frame).to_csv(tmp, index=False)
        context.downloads.append((_(what).format(label=label), f"tables/{name}"))


def _dataset_pages(
    context: AtlasContext, ds: FlowDataset, others: gpd.GeoDataFrame | None, metros: MetroAreas | None
) -> list[AtlasCard]:
    ws = context.ws
    cfg = ws.config
    region = list(cfg.region_counties)
    build = context.build_dir
    slug = ds.name.replace("_", "-").lower()
    county_names = {str(g): str(n) for g, n in context.county_names.items()}
    if others is not None:
        county_names |= {g: n.removesuffix(" County") for g, n in zip(others["geoid"], others["name"],
                                                                       strict=True)}
    segments = {s: _(cm.SEGMENTS[s]) for s in ds.segments if s in cm.SEGMENTS}
    skilled = cm.SKILLED_SEGMENT in segments
    county_flows = ds.tables["county"]
    year = int(ds.vintage[-4:]) if ds.vintage[-4:].isdigit() else 0
    notice = _(settings.synthetic_notice("commuting")) if ds.synthetic else None
    sources = _source_lines(ds, context, metros)
    rollup = "metro" if metros is not None else "auto"
    cards: list[AtlasCard] = []

    county_areas = context.counties_web[["geoid", "name", "geometry"]].copy()
    measures_county = cm.compute_inflow_outflow(county_flows, level="county", region_counties=region,
                                                areas=region, residents=ds.residents, jobs=ds.jobs)
    measures_region = cm.compute_inflow_outflow(county_flows, level="region", region_counties=region,
                                                region_geoid=settings.REGION_GEOID,
                                                residents=ds.residents, jobs=ds.jobs)
    mappable = list(county_areas["geoid"]) + (list(others["geoid"]) if others is not None else [])
    lines = cm.compute_flow_lines(county_flows, level="county", region_counties=region, mappable=mappable,
                                  off_map=rollup, metros=metros)
    tract_names = (dict(zip(context.tracts_web["geoid"], context.tracts_web["name"], strict=True))
                   if context.tracts_web is not None else {})
    names = _names(set(lines["origin"]) | set(lines["destination"]) | set(region) | {settings.REGION_GEOID},
                   county_names, tract_names, cfg.region_name, metros)
    region_row = measures_region[measures_region["segment"] == ""].iloc[0]
    skilled_row = (measures_region[measures_region["segment"] == cm.SKILLED_SEGMENT].iloc[0]
                   if skilled else None)
    top = cm.rank_outside_places(county_flows, direction="destinations", region_counties=region, n=5,
                                 rollup=rollup, metros=metros)
    names |= _names(set(top["geoid"]), county_names, tract_names, cfg.region_name, metros)
    headline = _headline(region_row, top, names, cfg.region_name, skilled_row)
    notes = _totals_notes(ds, region_row, cfg.region_name)

    # --- county flow map
    title = _("Commuting flows: {region} counties").format(region=cfg.region_name)
    text = MapText(title=title, subtitle=f"{ds.source}", source_lines=sources, synthetic_notice=notice)
    fmap = render_flow_map(lines, county_areas, FlowMapOptions(
        measures=pd.concat([measures_county, measures_region]), names=names,
        text=text, region_name=cfg.region_name, places=others, outline=county_areas,
        level_label=_("Counties"), segments=segments, top_n=COUNTY_TOP_N, notes=notes,
        off_map_note=_off_map_note(metros),
    ), projects=context.projects)
    page = f"flows-{slug}-county.html"
    fmap.save(str(build / page))
    thumb = None
    if context.png:
        on_map = lines[lines["on_map"]]
        note = _("Not drawn: {n} smaller flows; flows to other "
                 "states and abroad are listed on the web page.").format(
            n=i18n.format_integer(max(0, len(on_map) - COUNTY_TOP_N)))
        thumb = context.add_png(render_static_flow_map, f"flows-{slug}-county.png",
                                lines=lines, areas=county_areas, title=title, subtitle=ds.source,
                                places=others, outline=county_areas, top_n=COUNTY_TOP_N,
                                source_lines=sources, synthetic_notice=notice, not_drawn_note=note)
    cards.append(AtlasCard(_("Commuting flows ({vintage})").format(vintage=ds.vintage or ds.format),
                           headline, page, thumb,
                           kind=CARD_KIND_FLOWS))

    # --- tract flow map (LODES with tracts imported)
    tract_cards, measures_tract = _tract_pages(
        context, ds, slug=slug, others=others, county_areas=county_areas, county_names=county_names,
        tract_names=tract_names, measures_region=measures_region, segments=segments, sources=sources,
        notice=notice, notes=notes, metros=metros,
    )
    cards += tract_cards

    # --- leakage choropleths
    period = ds.vintage.replace("{", "").replace("}", "") or "{year}"
    specs = commuting_metric_specs(skilled=skilled, period=period)
    wanted_segments = ["", cm.SKILLED_SEGMENT] if skilled else [""]

    def values_of(measures: pd.DataFrame) -> pd.DataFrame:
        v = measures[measures["segment"].isin(wanted_segments)].rename(columns={"segment": "component"})
        return _with_ranks(v, specs)

    layers = [LevelLayer("county", _("Counties"), _("counties in the region"), context.counties_web,
                         values_of(measures_county), show=True)]
    if measures_tract is not None and context.tracts_web is not None:
        layers.append(LevelLayer("tract", _("Census tracts"), _("tracts in the region"), context.tracts_web,
                                 values_of(measures_tract), show=False))
    ctitle = _("Commuting leakage: {region}").format(region=cfg.region_name)
    cmap = render_choropleth(
        layers, specs,
        text=MapText(title=ctitle, subtitle=ds.source, source_lines=sources, synthetic_notice=notice),
        year=year, base_year=None, scheme=cfg.scheme, k=cfg.classes,
        outlines=context.counties_web if len(layers) > 1 else None,
        projects=context.projects,
    )
    moe_lines: dict[str, dict[str, list[str]]] = {}
    for layer in layers:
        per_metric: dict[str, list[str]] = {}
        for spec in specs:
            rows = layer.values[layer.values["component"] == spec.component].set_index("geoid")
            rows = rows.reindex(layer.places["geoid"])
            per_metric[spec.key] = [
                _moe_text(spec, v, m) if np.isfinite(v) else ""
                for v, m in zip(rows[spec.column].to_numpy(float),
                                rows[f"{spec.column}_moe"].to_numpy(float), strict=True)
            ]
        moe_lines[layer.level] = per_metric
    if ds.has_moe:
        add_moe_lines(cmap, moe_lines)
    cpage = f"commuting-{slug}.html"
    cmap.save(str(build / cpage))
    cthumb = None
    if context.png:
        layer = layers[0]
        # one chart of the counties, recoloured per measure (its headings and notes drawn once)
        chart = StaticChoropleth(layer.places, source_lines=sources, synthetic_notice=notice,
                                 subtitle=_("{region}, counties").format(region=cfg.region_name))
        for spec in specs:
            vals = (layer.values[layer.values["component"] == spec.component].set_index("geoid")[spec.column]
                    .reindex(layer.places["geoid"]).to_numpy(dtype=float))
            style = style_static_map(vals, layer.classifications[spec.key], spec,
                                     title=f"{spec.title(year=year, base=None)}")
            written = context.write_png(f"commuting-{slug}-county-{spec.key.replace('_', '-')}.png",
                                        chart.render_png(style))
            if spec.key == "leakage_rate":
                cthumb = written
    cards.append(AtlasCard(_("Commuting leakage ({vintage})").format(vintage=ds.vintage or ds.format),
                           _leakage_finding(measures_county, names), cpage, cthumb,
                           kind=CARD_KIND_LEAKAGE))

    # --- the measures and the flows as tables
    frames = [measures_region, measures_county] + ([measures_tract] if measures_tract is not None else [])
    _write_tables(context, ds, slug=slug, tables=frames, names=names, tract_names=tract_names,
                  county_names=county_names, metros=metros)
    return cards


def _tracts_web(context: AtlasContext) -> gpd.GeoDataFrame | None:
    """The region's tracts, web-ready: the atlas's, or the workspace's when the atlas has none
    (it maps tracts only with tract employment; flows need only their boundaries)."""
    if context.tracts_web is not None:
        return context.tracts_web
    if not context.ws.tracts_path.is_file():
        return None
    from valleymaps.io.tracts import load_tracts

    tracts = load_tracts(context.ws)
    tracts = tracts[tracts["geoid"].str[:5].isin(list(context.ws.config.region_counties))]
    if tracts.empty:
        return None
    places = tracts[["geoid", "name", "geometry"]].copy()
    places["name"] = [f"{n}, " + _("{county} County").format(county=context.county_names.get(g[:5], g[:5]))
                      for g, n in zip(places["geoid"], places["name"], strict=True)]
    return prepare_web_geometry(places.reset_index(drop=True))


def flows_section(context: AtlasContext) -> list[AtlasCard]:
    """The atlas section of commuting flows (no cards when no flows are imported)."""
    datasets = load_all_flows(context.ws)
    if not datasets:
        return []
    others = _read_california(context.ws.counties_path, list(context.ws.config.region_counties))
    if context.tracts_web is None and any("tract" in ds.tables for ds in datasets):
        context = replace(context, tracts_web=_tracts_web(context))
    metros = load_metro_areas(context.ws)
    cards: list[AtlasCard] = []
    for ds in datasets:
        if "county" not in ds.tables:
            log.warning("flows %s has no county table; import it again", ds.name)
            continue
        cards.extend(_dataset_pages(context, ds, others, metros))
    log.info("commuting section: %d pages from %d flow datasets", len(cards), len(datasets))
    return cards
