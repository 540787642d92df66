"""Flow maps of commuting (folium): curved arcs between places, with an inflow/outflow summary.

The page draws the region's areas (counties or tracts), the other places of the map (e.g. the
rest of California's counties, faintly), the region's outline and one curved arc per flow,
its width scaled to the number of workers (``sqrt``, so areas of ink compare), its colour by
kind (leaving the region, entering it, within it) and an arrowhead at the work place. Panels:

* filters: the N largest flows, a minimum number of workers, kinds, and the segment (LODES:
  age, earnings, industry; earnings above $3,333 a month is the "skilled" proxy);
* an OnTheMap-style inflow/outflow summary of the region, or of the area clicked;
* flows to and from places off the map (other states, abroad), summarised as a list instead of
  lines to nowhere;
* a note saying what is not drawn (smaller flows, flows beyond the page's cap), in workers and
  share, so nothing disappears silently.

Tooltips give count, share and, for ACS flows, margins of error. All text from data goes into
the page as JSON (:func:`~valleymaps.render._safe_json.script_json`) and into the DOM with
``textContent``. :func:`render_static_flow_map` draws the same arcs as a matplotlib figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure as HtmlFigure
from branca.element import MacroElement
from jinja2 import Template
from matplotlib.figure import Figure

from valleymaps import i18n, settings
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.render._safe_json import script_json
from valleymaps.render.choropleth import MapText
from valleymaps.render.page_a11y import make_page_accessible
from valleymaps.render.page_language import set_page_language
from valleymaps.render.plain_text import plain_text
from valleymaps.render.project_overlay import ProjectOverlay, add_project_overlay
from valleymaps.render.raw_html import RawHtml, page_map
from valleymaps.render.static_map import static_layout

#: Colours of the three kinds of flows (Okabe-Ito vermillion, blue, green, darkened for 3:1 over the areas
#: they cross at the lines' opacity: tests/render/test_non_text_contrast.py).
KIND_COLORS: dict[str, str] = {"leaving": "#b34a00", "entering": "#0072b2", "within": "#007555"}
#: Line patterns of the kinds (SVG dash arrays; None: solid), so colour is not their only mark.
KIND_DASHES: dict[str, str | None] = {"leaving": "10 4", "entering": "3 3", "within": None}
#: The same patterns for the static map (matplotlib dashes, scaled by the line width).
_STATIC_LINESTYLES: dict[str, Any] = {
    "leaving": (0, (4, 1.6)),
    "entering": (0, (1.2, 1.2)),
    "within": "solid",
}
KIND_LABELS: dict[str, str] = {
    "leaving": N_("Leaving the region (live here, work outside)"),
    "entering": N_("Entering the region (work here, live outside)"),
    "within": N_("Within the region (between its areas)"),
}
"""In English; :func:`kind_labels` gives them in the build's language."""


def kind_labels() -> dict[str, str]:
    """The kinds of flows as the page names them, in the build's language."""
    return {kind: _(label) for kind, label in KIND_LABELS.items()}


def flow_map_strings() -> dict[str, str]:
    """The words of a flow page's script, in the build's language (the script has none)."""
    return {
        "locale": i18n.js_locale(),
        "allWorkers": _("All workers"),
        "jobsHere": _("Jobs here: {value}"),
        "employedResidents": _("Employed residents: {value}"),
        "outCommuters": _("Out-commuters: {value} ({rate})"),
        "inCommuters": _("In-commuters: {value} ({rate} of jobs)"),
        "clickAll": _("Click to show all flows"),
        "clickOnly": _("Click to show only this area's flows"),
        "workers": _("{value} workers"),
        "workersSegment": _("{value} workers ({segment})"),
        "shareOfIn": _("{share} of {place}'s in-commuters"),
        "shareOfOut": _("{share} of {place}'s out-commuters"),
        "bundlesOne": _("Bundles {n} flow of {level}; click an area to see its own"),
        "bundlesMany": _("Bundles {n} flows of {level}; click an area to see its own"),
        "livesWorks": _("Lives in {home}, works in {work}"),
        "largestShown": _("Largest flows shown"),
        "atLeast": _("At least (workers)"),
        "workersLabel": _("Workers"),
        "sources": _("Sources and data vintage"),
        "lineWidth": _("Line width: workers; arrow at the work place"),
        "lineWidthSegment": _("Line width: workers ({segment}); arrow at the work place"),
        "noFlowsDrawn": _("No flows drawn"),
        "drawn": _("Drawn: {flows} flows, {workers} workers ({share} of those between places on this map)"),
        "notDrawn": _(
            "Not drawn: {flows} smaller flows with {workers} workers. "
            "Raise “Largest flows shown” or lower “At least” to see more."
        ),
        "notDrawnCarried": _(
            "Not drawn: {flows} smaller flows with {workers} workers ({lines} of them too small to be "
            "carried by this page). Raise “Largest flows shown” or lower “At least” to see more."
        ),
        "offNote": _("Flows to and from places off the map (other states, abroad) are listed, not drawn."),
        "inflowOutflow": _("Inflow/Outflow: {place}"),
        "noFlowsArea": _("No flows for this area."),
        "sumEntering": _("Employed here, living outside"),
        "sumWithin": _("Living and employed here"),
        "sumLeaving": _("Living here, employed outside"),
        "sumJobs": _("Employed here (jobs)"),
        "sumLiving": _("Living here (employed residents)"),
        "odAlone": _("The OD flows alone give {jobs} jobs and {living} employed residents"),
        "net": _("Net job inflow (outflow)"),
        "leakage": _("Leakage rate (out-commuters / residents)"),
        "importRate": _("In-commuter share of jobs"),
        "residentsOutside": _("Residents working outside {region}"),
        "showRegion": _("Show the whole region"),
        "offMap": _("Off the map"),
        "workingAway": _("Working in other states or abroad"),
        "livingAway": _("Living in other states or abroad"),
        "morePlaces": _("{n} more places: {value}"),
        "none": _("None"),
        "total": _("Total: {value} workers"),
        "largestOnly": _("Largest only"),
        "flowsCaption": _("{title}: the {n} flows drawn ({who})"),
        "flowsNote": _("Workers who live in the first place and work in the second. Click a column heading "
                       "to sort."),
        "colFlow": _("Flow"),
        "colLivesIn": _("Lives in"),
        "colWorksIn": _("Works in"),
        "colKind": _("Kind"),
        "colShare": _("Share of the place's commuters"),
        "areasCaption": _("{level}: jobs, residents and commuters ({who})"),
        "colArea": _("Area"),
        "colJobsHere": _("Jobs here"),
        "colResidents": _("Employed residents"),
        "colOut": _("Out-commuters"),
        "colOutShare": _("Out-commuters, share"),
        "colIn": _("In-commuters"),
        "colInShare": _("In-commuters, share of jobs"),
        "panelLabel": _("Map panel: filters and legend"),
        "summaryLabel": _("Commuting summary"),
        "offLabel": _("Flows not drawn on the map"),
    }

#: Default number of arcs drawn, and most arcs a page carries.
DEFAULT_TOP_N = 40
MAX_LINES = 2000

_SUMMARY_FIELDS = ("employed", "living", "both", "inflow", "outflow", "net", "leakage_rate",
                   "import_rate", "outflow_region", "inflow_region", "region_leakage_rate",
                   "region_import_rate", "employed_od", "living_od")


def _asset(name: str) -> str:
    return (resources.files("valleymaps.render") / "templates" / name).read_text(encoding="utf-8")


def _num(value: Any) -> float | None:
    """A finite number for the page (whole numbers as ints, others rounded), or None."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(v):
        return None
    return int(v) if v.is_integer() and abs(v) < 2**53 else round(v, 6)


def _centroids(places: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Longitude/latitude of a point inside each place (its representative point)."""
    if places.empty:
        return {}
    pts = places.to_crs(settings.ANALYSIS_CRS).representative_point().to_crs(settings.WEB_CRS)
    return {str(g): (round(p.x, 5), round(p.y, 5)) for g, p in zip(places["geoid"], pts, strict=True)}


def _geojson(places: gpd.GeoDataFrame, *, with_geoid: bool = True) -> dict[str, Any]:
    feats = []
    for g, geom in zip(places["geoid"], places.geometry.to_crs(settings.WEB_CRS), strict=True):
        if geom is None or geom.is_empty:
            continue
        feats.append({"type": "Feature", "properties": {"geoid": str(g)} if with_geoid else {},
                      "geometry": geom.__geo_interface__})
    return {"type": "FeatureCollection", "features": feats}


def _segment_values(row: pd.Series, segments: Sequence[str]) -> dict[str, float | None]:
    return {s: _num(row[s]) for s in segments if s and s in row}


def _summary(measures: pd.DataFrame, segments: Sequence[str]) -> dict[str, Any]:
    """Area GEOID -> segment -> measures (and their MOEs)."""
    out: dict[str, Any] = {}
    for _i, row in measures.iterrows():
        seg = str(row["segment"])
        if seg not in ("", *segments):
            continue
        entry = {f: _num(row[f]) for f in _SUMMARY_FIELDS}
        entry |= {f"{f}_moe": _num(row.get(f"{f}_moe")) for f in _SUMMARY_FIELDS}
        # missing values (no margins of error with LODES) are left out: the page shows "–"
        out.setdefault(str(row["geoid"]), {})[seg] = {k: v for k, v in entry.items() if v is not None}
    return out


def _off_map(lines: pd.DataFrame, names: Mapping[str, str], segments: Sequence[str],
             cap: int) -> tuple[list[dict[str, Any]], bool]:
    """Lines to or from places off the map, per region area and outside place."""
    off = lines[~lines["on_map"]]
    rows = []
    for _i, r in off.head(cap).iterrows():
        leaving = r["kind"] == "leaving"
        rows.append({
            "area": str(r["origin"] if leaving else r["destination"]),
            "place": str(r["destination"] if leaving else r["origin"]),
            "name": names.get(str(r["destination"] if leaving else r["origin"]), ""),
            "k": str(r["kind"]), "w": _num(r["workers"]), "m": _num(r["workers_moe"]),
            "seg": _segment_values(r, segments),
        })
    return rows, len(off) > cap


def _line_payload(lines: pd.DataFrame, segments: Sequence[str]) -> list[dict[str, Any]]:
    cols = ["origin", "destination", "kind", "workers", "workers_moe", "share", "share_moe", *segments]
    out = []
    for r in lines[cols].itertuples(index=False):
        d = r._asdict()
        item: dict[str, Any] = {"o": str(d["origin"]), "d": str(d["destination"]), "k": str(d["kind"]),
                "w": _num(d["workers"]), "m": _num(d["workers_moe"]), "s": _num(d["share"]),
                "sm": _num(d["share_moe"])}
        if segments:
            item["seg"] = {s: _num(d[s]) for s in segments}
        out.append(item)
    return out


def _name_of(places: pd.DataFrame, geoid: str) -> str:
    match = places.loc[places["geoid"] == geoid, "name"]
    return str(match.iloc[0]) if len(match) else geoid


def _bundles(on_map: pd.DataFrame, width: int, segments: Sequence[str]) -> list[dict[str, Any]]:
    """Flows leaving or entering the region summed by the larger area of their region end."""
    cross = on_map[on_map["kind"] != "within"]
    if cross.empty:
        return []
    leaving = cross["kind"] == "leaving"
    origin = cross["origin"].where(~leaving, cross["origin"].str[:width])
    destination = cross["destination"].where(leaving, cross["destination"].str[:width])
    frame = pd.DataFrame({"origin": origin, "destination": destination, "kind": cross["kind"],
                          "workers": cross["workers"], "moe2": cross["workers_moe"] ** 2,
                          "n": 1, **{s: cross[s] for s in segments}})
    grouped = frame.groupby(["origin", "destination", "kind"], sort=False).sum(min_count=1).reset_index()
    grouped = grouped.sort_values("workers", ascending=False)
    out = []
    for r in grouped.itertuples(index=False):
        d = r._asdict()
        item: dict[str, Any] = {"o": str(d["origin"]), "d": str(d["destination"]), "k": str(d["kind"]),
                                "w": _num(d["workers"]), "m": _num(np.sqrt(d["moe2"])), "s": None,
                                "sm": None, "n": int(d["n"]), "bundle": True}
        if segments:
            item["seg"] = {s: _num(d[s]) for s in segments}
        out.append(item)
    return out


class _FlowLayer(MacroElement):
    """Draws the flows and their panels when the map is ready."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = vmFlows.draw({{ this._parent.get_name() }}, {{ this.payload_json }});
{% endmacro %}"""
    )

    def __init__(self, payload: dict[str, Any]):
        super().__init__()
        self._name = "VmFlows"
        self.payload_json = script_json(payload)


def flow_map_assets() -> tuple[str, str]:
    """The CSS and JavaScript of flow pages (also used to add MOE lines to choropleths)."""
    return _asset("flow_map.css"), _asset("flow_map.js")


@dataclass(frozen=True, kw_only=True)
class FlowMapOptions:
    """What a flow page shows besides its lines and areas, and how it opens (one value for
    :func:`build_flow_payload` and :func:`render_flow_map`).

    Attributes
    ----------
    measures
        Inflow/outflow measures (:func:`~valleymaps.analysis.commuting.compute_inflow_outflow`)
        of the areas and of the region (``geoid == region_geoid``).
    names
        GEOID -> name of every place in ``lines`` (areas, counties, states, abroad).
    text
        Title, subtitle, source lines, synthetic-data notice.
    places
        Other places lines may reach (``geoid``, ``name``, polygons; e.g. the other California
        counties), drawn faintly.
    outline
        Polygons whose union is the region's outline.
    level_label
        What the areas are ("Counties", "Census tracts").
    segments
        Segment column -> label offered in the page (LODES); None or empty for none.
    top_n, min_flow
        Initial filters: the N largest flows of at least ``min_flow`` workers are drawn.
    max_lines
        Most on-map lines the page carries (the largest); the rest are counted in its note.
    bundle_by
        Larger areas (``geoid``, ``name``, polygons; e.g. the region's counties for a tract
        page) whose GEOIDs prefix the areas' GEOIDs: flows leaving or entering the region are
        then drawn bundled, one arc per larger area and outside place, until an area is
        clicked, which shows its own flows.
    kinds
        Kinds of flows ticked when the page opens (the others can be ticked in the page).
    notes
        Lines shown under the inflow/outflow summary (where the totals come from, how they
        differ from the flows...).
    off_map_note
        How places off the map are grouped ("Grouped by state"), shown in their panel.
    region_geoid, region_name
        The region's GEOID in ``measures`` and its name.
    """

    measures: pd.DataFrame
    names: Mapping[str, str]
    text: MapText
    region_geoid: str = settings.REGION_GEOID
    region_name: str = settings.REGION_NAME
    places: gpd.GeoDataFrame | None = None
    outline: gpd.GeoDataFrame | None = None
    level_label: str = "Counties"
    segments: Mapping[str, str] | None = None
    top_n: int = DEFAULT_TOP_N
    min_flow: float = 0.0
    max_lines: int = MAX_LINES
    bundle_by: gpd.GeoDataFrame | None = None
    kinds: Sequence[str] = ("leaving", "entering", "within")
    notes: Sequence[str] = ()
    off_map_note: str | None = None


def build_flow_payload(
    lines: pd.DataFrame, areas: gpd.GeoDataFrame, options: FlowMapOptions
) -> dict[str, Any]:
    """What a flow page draws, as the dict its script receives (``vmFlows.draw``).

    ``lines``, ``areas`` and ``options`` are those of :func:`render_flow_map`. Keys include
    ``lines`` (the on-map flows carried, largest first: ``o``, ``d``, ``k`` kind, ``w`` workers,
    ``m`` its MOE ...), ``offMap`` (places off the map), ``summary`` (inflow/outflow measures per
    place and segment), ``places`` (name and centroid of each GEOID), ``defaults`` (initial filters)
    and the page's words. Text from data is plain text here; the page escapes it.
    """
    o = options
    segs = [s for s in (o.segments or {}) if s and s in lines.columns]
    on_map = lines[lines["on_map"]]
    carried = on_map.head(o.max_lines)
    rest = on_map.iloc[len(carried):]
    bundles = None
    if o.bundle_by is not None and len(o.bundle_by):
        width = len(str(o.bundle_by["geoid"].iloc[0]))
        bundles = _bundles(on_map, width, segs)
        rest = rest[rest["kind"] == "within"]  # the bundles carry every flow across the region's edge
    all_places = pd.concat([areas[["geoid", "name", "geometry"]],
                            o.places[["geoid", "name", "geometry"]] if o.places is not None else None,
                            o.bundle_by[["geoid", "name", "geometry"]] if o.bundle_by is not None else None])
    all_places = gpd.GeoDataFrame(all_places, geometry="geometry", crs=areas.crs)
    centroids = _centroids(all_places)
    area_ids = {str(g) for g in areas["geoid"]}
    region_rows = o.measures[o.measures["geoid"] == o.region_geoid]
    off_rows, off_truncated = _off_map(lines, o.names, segs, cap=o.max_lines)
    return {
        "title": o.text.title,
        "subtitle": o.text.subtitle,
        "sourceLines": list(o.text.source_lines),
        "synthetic": o.text.synthetic_notice,
        "levelLabel": o.level_label,
        "region": {"geoid": o.region_geoid, "name": o.region_name},
        "places": {g: {"name": o.names.get(g) or _name_of(all_places, g), "lon": xy[0], "lat": xy[1],
                       "area": g in area_ids}
                   for g, xy in centroids.items()},
        "areas": _geojson(areas),
        "context": _geojson(o.places) if o.places is not None else None,
        "outline": _geojson(o.outline, with_geoid=False) if o.outline is not None else None,
        "lines": _line_payload(carried, segs),
        "bundles": bundles,
        "notCarried": {
            "lines": len(rest),
            "workers": _num(rest["workers"].sum()),
            "seg": {s: _num(rest[s].sum()) for s in segs},
        },
        "offMap": off_rows,
        "offMapTruncated": off_truncated,
        "summary": _summary(o.measures, segs),
        "segments": [{"key": "", "label": _("All workers")}]
        + [{"key": s, "label": (o.segments or {})[s]} for s in segs],
        "hasMoe": bool(lines["workers_moe"].notna().any()) if len(lines) else False,
        "colors": KIND_COLORS,
        "dashes": KIND_DASHES,
        "kindLabels": kind_labels(),
        "defaults": {"topN": int(o.top_n), "minFlow": float(o.min_flow), "kinds": list(o.kinds)},
        "regionTotals": bool(len(region_rows)),
        "notes": [str(n) for n in o.notes],
        "offMapNote": o.off_map_note,
        "strings": flow_map_strings(),
    }


def render_flow_map(
    lines: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    options: FlowMapOptions,
    *,
    projects: ProjectOverlay | None = None,
) -> folium.Map:
    """A flow map page.

    Parameters
    ----------
    lines
        Flow lines from :func:`~valleymaps.analysis.commuting.compute_flow_lines`, largest
        first (``on_map=False`` lines go to the off-map panel).
    areas
        The region's areas at the lines' level (``geoid``, ``name``, polygons): drawn, clickable.
    options
        What else the page shows and its initial filters (:class:`FlowMapOptions`).
    projects
        Infrastructure projects laid over the flows, a layer per category in a layer control
        (top right; see :func:`~valleymaps.render.project_overlay.add_project_overlay`).

    Returns
    -------
    folium.Map
    """
    payload = build_flow_payload(lines, areas, options)
    text, top_n = options.text, options.top_n
    centroids = {g: (p["lon"], p["lat"]) for g, p in payload["places"].items()}
    region_bounds = areas.to_crs(settings.WEB_CRS).total_bounds
    ends = [centroids[g] for line in payload["lines"][:top_n]
            for g in (line["o"], line["d"]) if g in centroids]
    xs = [region_bounds[0], region_bounds[2], *(e[0] for e in ends)]
    ys = [region_bounds[1], region_bounds[3], *(e[1] for e in ends)]
    fmap = page_map(location=[(region_bounds[1] + region_bounds[3]) / 2,
                                (region_bounds[0] + region_bounds[2]) / 2],
                      zoom_start=7, tiles=None, control_scale=True, prefer_canvas=False)
    make_page_accessible(fmap, title=text.title)
    folium.TileLayer(settings.TILES, control=False).add_to(fmap)
    css, js = flow_map_assets()
    root = fmap.get_root()
    assert isinstance(root, HtmlFigure)
    root.header.add_child(RawHtml(f"<style>{css}</style>"))
    root.header.add_child(RawHtml(f"<script>{js}</script>"))
    root.title = text.title
    _FlowLayer(payload).add_to(fmap)
    # the legend goes under the flows panel (top left): at the bottom left it would cover the
    # panel's foot in a short window
    add_project_overlay(fmap, projects, layer_control="topright", legend_position="topleft")
    # the region and the places its largest flows reach
    fmap.fit_bounds([[min(ys) - 0.1, min(xs) - 0.1], [max(ys) + 0.1, max(xs) + 0.1]],
                    padding_top_left=(300, 10), padding_bottom_right=(270, 10))
    return set_page_language(fmap)


class _MoeLines(MacroElement):
    """Appends margins of error to a choropleth's tooltips (valleymaps choropleth pages)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
vmFlows.addMoeLines({{ this._parent.get_name() }}, {{ this.payload_json }});
{% endmacro %}"""
    )

    def __init__(self, payload: dict[str, Any]):
        super().__init__()
        self._name = "VmMoeLines"
        self.payload_json = script_json(payload)


def add_moe_lines(fmap: folium.Map, lines: Mapping[str, Mapping[str, Sequence[str]]]) -> folium.Map:
    """Add lines (margins of error) under the value in a choropleth's tooltips.

    Parameters
    ----------
    fmap
        A page from :func:`~valleymaps.render.choropleth.render_choropleth`.
    lines
        Level (``"county"``) -> metric key -> one text per place, in the order of the level's
        places (empty text: nothing added).
    """
    _css, js = flow_map_assets()
    root = fmap.get_root()
    assert isinstance(root, HtmlFigure)
    root.header.add_child(RawHtml(f"<script>{js}</script>"))
    _MoeLines({level: {k: list(v) for k, v in metrics.items()} for level, metrics in lines.items()}
              ).add_to(fmap)
    return fmap


# --------------------------------------------------------------------------------------------
# static version
# --------------------------------------------------------------------------------------------


def _arc(p0: np.ndarray, p1: np.ndarray, bend: float = 0.22, n: int = 32) -> np.ndarray:
    """Points of a quadratic curve from ``p0`` to ``p1`` bending to the right of travel."""
    mid = (p0 + p1) / 2
    d = p1 - p0
    normal = np.array([d[1], -d[0]])
    ctrl = mid + bend * normal
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t**2 * p1


@plain_text
def render_static_flow_map(
    lines: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    title: str,
    subtitle: str,
    places: gpd.GeoDataFrame | None = None,
    outline: gpd.GeoDataFrame | None = None,
    top_n: int = DEFAULT_TOP_N,
    source_lines: Sequence[str] = (),
    synthetic_notice: str | None = None,
    not_drawn_note: str | None = None,
) -> Figure:
    """The ``top_n`` largest on-map flows as a matplotlib figure (saving is separate)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    layout = static_layout([*([not_drawn_note] if not_drawn_note else []), *source_lines],
                           synthetic_notice=synthetic_notice)
    fig = layout.figure
    ax = fig.add_axes(layout.map_rect)
    crs = settings.ANALYSIS_CRS
    frames = [areas[["geoid", "geometry"]]] + ([places[["geoid", "geometry"]]] if places is not None else [])
    every = gpd.GeoDataFrame(pd.concat(frames), geometry="geometry", crs=areas.crs).to_crs(crs)
    if places is not None:
        places.to_crs(crs).plot(ax=ax, facecolor="#f2f2f2", edgecolor="#bbbbbb", linewidth=0.4)
    areas.to_crs(crs).plot(ax=ax, facecolor="#e6eef2", edgecolor="#ffffff", linewidth=0.5)
    if outline is not None:
        outline.to_crs(crs).dissolve().boundary.plot(ax=ax, color="#333333", linewidth=1.3)
    pts = every.representative_point()
    xy = {str(g): np.array([p.x, p.y]) for g, p in zip(every["geoid"], pts, strict=True)}
    drawn = lines[lines["on_map"]].head(top_n)
    vmax = float(drawn["workers"].max()) if len(drawn) else 1.0
    for r in drawn.iloc[::-1].itertuples(index=False):
        if r.origin not in xy or r.destination not in xy:
            continue
        curve = _arc(xy[r.origin], xy[r.destination])
        width = 0.6 + 7.0 * np.sqrt(r.workers / vmax)
        color = KIND_COLORS[r.kind]
        ax.plot(curve[:-3, 0], curve[:-3, 1], color=color, linewidth=width, alpha=0.75,
                solid_capstyle="round", linestyle=_STATIC_LINESTYLES[r.kind])
        ax.add_patch(FancyArrowPatch(curve[-6], curve[-1], arrowstyle="-|>", color=color,
                                     mutation_scale=6 + 2.2 * width, linewidth=0, alpha=0.9))
    xmin, ymin, xmax, ymax = areas.to_crs(crs).total_bounds
    for g in set(drawn["origin"]) | set(drawn["destination"]):
        if g in xy:
            xmin, xmax = min(xmin, xy[g][0]), max(xmax, xy[g][0])
            ymin, ymax = min(ymin, xy[g][1]), max(ymax, xy[g][1])
    pad = 0.08 * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_axis_off()
    ax.set_aspect("equal")
    handles = [Line2D([], [], color=c, linewidth=4, linestyle=_STATIC_LINESTYLES[k],
                      label=_(KIND_LABELS[k]).split(" (")[0])
               for k, c in KIND_COLORS.items()]  # fmt: skip
    for v in (vmax, vmax / 4):
        handles.append(Line2D([], [], color="#777777", linewidth=0.6 + 7.0 * np.sqrt(v / vmax),
                              label=_("{value} workers").format(value=i18n.format_integer(v))))
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(0.71, layout.legend_y), frameon=False,
               title=_("The {n} largest flows").format(n=len(drawn)), fontsize=9, title_fontsize=9)
    layout.draw_text(title=title, subtitle=subtitle, synthetic_notice=synthetic_notice)
    return fig
