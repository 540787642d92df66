"""Interactive choropleth pages (folium) with metric switching by restyling.

Folium repeats geometry in every ``GeoJson`` layer; a cluster page with a
layer per metric would carry the tracts six times. Here each level (counties,
tracts) carries its geometry once, with every metric's classes, labels, ranks
and flags alongside; choosing a metric restyles the layer in the browser.

Rendering returns a :class:`folium.Map`; saving is the caller's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from branca.element import Figure, MacroElement
from jinja2 import Template

from valleymaps import i18n, settings
from valleymaps.flags import ALL_FLAGS, NOT_COVERED
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.render._safe_json import script_json
from valleymaps.render.classify import Classification, classify_values
from valleymaps.render.metric_specs import (
    MetricSpec,
    format_jobs,
    format_percent,
    format_ratio,
    format_signed_jobs,
    format_signed_percent,
)
from valleymaps.render.page_a11y import make_page_accessible
from valleymaps.render.page_language import set_page_language
from valleymaps.render.project_overlay import ProjectOverlay, add_project_overlay
from valleymaps.render.raw_html import RawHtml, page_map


@dataclass
class LevelLayer:
    """One level (counties or tracts) of a choropleth page.

    Parameters
    ----------
    level
        ``"county"`` or ``"tract"``.
    label
        Name in the layer control and legend ("Counties").
    rank_noun
        Completes "Rank 3 of 8 ..." in tooltips.
    places
        Web-ready polygons (EPSG:4326) with ``geoid`` and ``name`` columns.
    values
        One row per place: ``geoid``, each metric's ``MetricSpec.column``,
        optional ``rank_<metric key>`` (1 = highest), optional ``flag``
        (codes of :mod:`valleymaps.flags`) and optional ``component`` (rows
        whose component equals ``MetricSpec.component`` are used; cluster
        metrics from :func:`~valleymaps.analysis.metrics.compute_cluster_metrics`
        fit as they are).
    show
        Whether the level is the one shown when the page opens.
    geojson
        The places as GeoJSON, when the caller already has it (pages of one
        atlas share it); computed from ``places`` otherwise.
    series
        The annual series of the level (rows of
        :func:`~valleymaps.analysis.annual.compute_annual_metrics`: ``geoid``,
        ``component``, ``year``, the annual metrics' columns, ``flag``), for the
        metrics whose ``MetricSpec.annual`` is true; None for a page without years.
    """

    level: str
    label: str
    rank_noun: str
    places: gpd.GeoDataFrame
    values: pd.DataFrame
    show: bool = True
    classifications: dict[str, Classification] = field(default_factory=dict)
    geojson: dict[str, Any] | None = None
    series: pd.DataFrame | None = None


@dataclass(frozen=True)
class MapText:
    """Words on a map: title, subtitle, source lines, synthetic-data notice."""

    title: str
    subtitle: str = ""
    source_lines: tuple[str, ...] = ()
    synthetic_notice: str | None = None
    source_summary: str = N_("Sources and data vintage")


#: Tooltip value and legend entry of places whose value the source does not cover (flag ``C``).
NOT_COVERED_LABEL = N_("Not covered by this source")
#: The units of job counts (a metric in these units reads "1,234 jobs").
JOBS_UNITS = N_("jobs")
#: The classification schemes as the legend names them (mapclassify's class names).
SCHEME_LABELS = (N_("Quantiles"), N_("FisherJenks"), N_("EqualInterval"), N_("UserDefined"))


def _asset(name: str) -> str:
    return (resources.files("valleymaps.render") / "templates" / name).read_text(encoding="utf-8")


def _value_text(spec: MetricSpec, value: float) -> str:
    text = spec.format(value)
    if text == "–":
        return _("No data")
    return _("{value} jobs").format(value=text) if spec.units == JOBS_UNITS else text


def _extra_lines(spec: MetricSpec, row: dict[str, Any], *, year: int, base: int | None) -> list[str]:
    if spec.key in ("growth_rate", "change"):
        return [
            _("{base}: {before} → {year}: {after} jobs").format(
                base=base, before=format_jobs(row["employment_base"]), year=year,
                after=format_jobs(row["employment"]),
            )
        ]
    if spec.key == "ss_regional_shift":
        return [
            _("Reference growth: {value} jobs").format(value=format_signed_jobs(row["ss_reference_growth"])),
            _("Industry mix: {value} jobs").format(value=format_signed_jobs(row["ss_industry_mix"])),
        ]
    if spec.key == "lq":
        if "reference_name" not in row:
            return []
        return [_("Compared with: {place}").format(place=row["reference_name"])]
    return []


class _LevelRows:
    """A level's rows, split by component once for a page (each metric of a component asks for
    the same rows): its places' span rows (in the order of the places, with their records for
    tooltip lines) and its annual rows (each place and year located once)."""

    def __init__(self, layer: LevelLayer, years: Sequence[int] = ()) -> None:
        self.layer = layer
        self.years = list(years)
        self._span: dict[str, pd.DataFrame] = {}
        self._records: dict[str, list[dict[str, Any]]] = {}
        self._annual: dict[str, _PlaceYears] = {}

    def span(self, component: str) -> pd.DataFrame:
        """The span rows of ``component``, one per place of the layer (in its order)."""
        rows = self._span.get(component)
        if rows is None:
            frame = self.layer.values
            if "component" in frame:
                frame = frame[frame["component"] == component]
            rows = self._span[component] = frame.set_index("geoid").reindex(self.layer.places["geoid"])
        return rows

    def records(self, component: str) -> list[dict[str, Any]]:
        """:meth:`span` as one dict per place."""
        records = self._records.get(component)
        if records is None:
            records = self._records[component] = self.span(component).to_dict("records")
        return records

    def annual(self, component: str) -> _PlaceYears:
        """The annual rows of ``component`` located on the places × years grid."""
        hit = self._annual.get(component)
        if hit is None:
            frame = self.layer.series
            assert frame is not None
            if "component" in frame:
                frame = frame[frame["component"] == component]
            order = pd.Index(self.layer.places["geoid"])
            hit = self._annual[component] = _PlaceYears(frame, order, self.years)
        return hit


def _metric_payload(
    rows_of: _LevelRows,
    spec: MetricSpec,
    *,
    year: int,
    base: int | None,
    scheme: str | None,
    k: int | None,
    breaks: Sequence[float] | None,
) -> tuple[dict[str, Any], Classification]:
    rows = rows_of.span(spec.component)
    values = rows[spec.column].to_numpy(dtype=float)
    classification = classify_values(
        values, scheme=scheme, k=k, breaks=breaks if spec.center is None else None, center=spec.center
    )
    rank_col = f"rank_{spec.key}" if spec.component == "" else "rank_employment"
    ranks = rows[rank_col].to_numpy(dtype=float) if rank_col in rows else np.full(len(rows), np.nan)
    flags = rows["flag"].fillna("").astype(str).tolist() if "flag" in rows else [""] * len(rows)
    # a value the source does not count is only that: other flags (noise, totals) do not apply
    flags = [
        NOT_COVERED if NOT_COVERED in f and np.isnan(v) else f for f, v in zip(flags, values, strict=True)
    ]
    ranked = int(np.isfinite(ranks).sum())
    payload = {
        "cls": classification.class_of(values).tolist(),
        "text": [
            _(NOT_COVERED_LABEL) if NOT_COVERED in f and np.isnan(v) else _value_text(spec, v)
            for v, f in zip(values, flags, strict=True)
        ],
        "rank": [None if not np.isfinite(r) else int(r) for r in ranks],
        "ranked": ranked,
        "flags": flags,
        "extra": _extra_payload(rows_of, spec, year=year, base=base),
    }
    return payload, classification


def _extra_payload(
    rows_of: _LevelRows, spec: MetricSpec, *, year: int, base: int | None
) -> list[list[str]] | None:
    """Each place's extra tooltip lines for ``spec`` (None for a metric without them)."""
    if spec.key not in ("growth_rate", "change", "ss_regional_shift", "lq"):
        return None
    return [
        _extra_lines(spec, row, year=year, base=base) if pd.notna(row.get("employment")) else []
        for row in rows_of.records(spec.component)
    ]


#: How the browser formats each kind of value (mirrors metric_specs' format functions), and
#: the decimals kept in the page: whole jobs, shares to 0.01 percentage point, LQ to 0.001.
_VALUE_FORMATS: dict[Any, tuple[str, int]] = {
    format_jobs: ("jobs", 0),
    format_signed_jobs: ("signed_jobs", 0),
    format_percent: ("percent", 4),
    format_signed_percent: ("signed_percent", 4),
    format_ratio: ("ratio", 3),
}


def _compact(values: np.ndarray, digits: int) -> list[float | int | None]:
    """Rounded numbers for a page: ints for whole jobs, None for missing."""
    rounded = np.round(values, digits)
    if digits == 0:
        return [None if not np.isfinite(v) else int(v) for v in rounded]
    return [None if not np.isfinite(v) else float(v) for v in rounded]


class _PlaceYears:
    """Rows of an annual table located on a places × years grid (rows in ``order``).

    Where a place has several rows in a year the first non-missing value counts (as a pivot
    table's ``first``); rows of places or years not asked for are left out. A plain array
    fill: pivoting through pandas was most of the time of a cluster page. Each row is located
    once, for every column asked for.
    """

    def __init__(self, frame: pd.DataFrame, order: pd.Index, years: Sequence[int]) -> None:
        self.frame = frame
        self.shape = (len(order), len(years))
        self.rows = order.get_indexer(frame["geoid"])
        self.cols = pd.Index(list(years)).get_indexer(frame["year"])
        self.inside = (self.rows >= 0) & (self.cols >= 0)

    def array(self, column: str, *, missing: Any, skip_empty_text: bool = False) -> npt.NDArray[Any]:
        """``column`` as a places × years array, ``missing`` where absent (and, with
        ``skip_empty_text``, where the text is empty)."""
        out = np.full(self.shape, missing, dtype=float if missing is not None else object)
        series = self.frame[column]
        given = series.notna().to_numpy()
        if skip_empty_text:
            given = given & (series.fillna("") != "").to_numpy()
        keep = given & self.inside
        rows, cols = self.rows[keep], self.cols[keep]
        vals = series.to_numpy()[keep]
        first = ~pd.Series(rows * self.shape[1] + cols).duplicated(keep="first").to_numpy()
        out[rows[first], cols[first]] = vals[first]
        return out


def annual_metric_payload(
    rows_of: _LevelRows,
    spec: MetricSpec,
    *,
    scheme: str | None,
    k: int | None,
    breaks: Sequence[float] | None,
) -> tuple[dict[str, Any], Classification]:
    """A metric of every year (``rows_of.years``) for one level: classes and rounded values per year.

    The classes are computed once over all years, so a colour means the same value in
    every year. A year without any value is ``null``; flags are given only where set.

    Returns
    -------
    (payload, classification)
        ``payload = {"fmt": "jobs", "byYear": {"2011": {"cls": [...], "v": [...],
        "flags": {"3": "D"}}, ...}}`` (places in the order of ``layer.places``).
    """
    if rows_of.layer.series is None:
        raise ValueError(f"level {rows_of.layer.level} has no annual series for metric {spec.key}")
    years = rows_of.years
    fmt, digits = _VALUE_FORMATS.get(spec.format, ("ratio", 3))
    grid = rows_of.annual(spec.component)
    values = grid.array(spec.column, missing=np.nan).astype(float)
    flags = grid.array("flag", missing=None, skip_empty_text=True) if "flag" in grid.frame else None
    classification = classify_values(
        values.ravel(), scheme=scheme, k=k, breaks=breaks if spec.center is None else None, center=spec.center
    )
    by_year: dict[str, Any] = {}
    for j, year in enumerate(years):
        column = values[:, j]
        if np.isnan(column).all():
            by_year[str(year)] = None
            continue
        entry: dict[str, Any] = {
            "cls": classification.class_of(column).tolist(),
            "v": _compact(column, digits),
        }
        if flags is not None:
            # a value the source does not count is only that: other flags do not apply
            entry["flags"] = {
                str(i): NOT_COVERED if NOT_COVERED in f and np.isnan(column[i]) else str(f)
                for i, f in enumerate(flags[:, j])
                if f
            }
        by_year[str(year)] = entry
    return {"fmt": fmt, "byYear": by_year}, classification


def places_geojson(places: gpd.GeoDataFrame) -> dict[str, Any]:
    """Places as a GeoJSON FeatureCollection whose features carry only their row number ``i``."""
    features = []
    for i, geom in enumerate(places.geometry):
        features.append({"type": "Feature", "properties": {"i": i}, "geometry": geom.__geo_interface__})
    return {"type": "FeatureCollection", "features": features}


def choropleth_strings() -> dict[str, str]:
    """The words of a choropleth page's script, in the build's language (the script has none).

    ``locale`` is the locale its numbers are formatted in (``Number.toLocaleString``).
    """
    return {
        "locale": i18n.js_locale(),
        "jobsUnits": _(JOBS_UNITS),
        "valueJobs": _("{value} jobs"),
        "noData": _("No data"),
        "rank": _("Rank {rank} of {ranked} {places}"),
        "jobs": _("Jobs"),
        "noDataOrWithheld": _("No data or withheld"),
        "classes": _("Classes: {scheme}"),
        "show": _("Show"),
        "year": _("Year"),
        "spanNote": _("This measure covers the whole span; the year applies to jobs, shares and LQ."),
        "place": _("Place"),
        "notes": _("Notes"),
        "tableNote": _("Click a column heading to sort. Columns of ranked measures sort by rank."),
        "legend": _("Legend"),
        "panelLabel": _("Map panel: title and measures"),
    }


class _ChoroplethState(MacroElement):
    """Declares the page's shared state (current metric) before the layers."""

    _template = Template(
        """{% macro script(this, kwargs) %}
{% if this.has_years %}var {{ this.get_name() }} = valleymaps.newState(
  {{ this.metrics_json }}, {{ this.initial_json }}, {{ this.years_json }}, {{ this.year_json }});
{% else %}var {{ this.get_name() }} = valleymaps.newState({{ this.metrics_json }}, {{ this.initial_json }});
{% endif %}
{% endmacro %}"""
    )

    def __init__(
        self, metrics: list[dict[str, Any]], initial: str, *, years: list[int], year: int | None
    ):
        super().__init__()
        self._name = "VmState"
        self.metrics_json = script_json(metrics)
        self.initial_json = script_json(initial)
        self.has_years = bool(years)
        self.years_json = script_json(years)
        self.year_json = script_json(year)


class _MetricLayer(folium.map.Layer):
    """A level's polygons, coloured by the current metric."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = valleymaps.makeLayer({{ this.payload_json }}, {{ this.state.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, payload: dict[str, Any], state: _ChoroplethState, *, name: str, show: bool):
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "VmLevel"
        self.payload_json = script_json(payload)
        self.state = state


class _Outline(folium.map.Layer):
    """Non-interactive outlines drawn over the choropleth (county lines)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = valleymaps.makeOutline({{ this.geojson_json }}, {{ this.options_json }});
{% endmacro %}"""
    )

    def __init__(self, geojson: dict[str, Any], *, name: str, color: str, weight: float):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "VmOutline"
        self.geojson_json = script_json(geojson)
        self.options_json = script_json({"color": color, "weight": weight})


class _Attach(MacroElement):
    """Adds the metric panel, legend and source note, and wires the restyling."""

    _template = Template(
        """{% macro script(this, kwargs) %}
valleymaps.attach({{ this._parent.get_name() }}, {
  state: {{ this.state.get_name() }},
  metrics: {{ this.metrics_json }},
  title: {{ this.title_json }},
  subtitle: {{ this.subtitle_json }},
  synthetic: {{ this.synthetic_json }},
  sourceLines: {{ this.source_json }},
  sourceSummary: {{ this.source_summary_json }},
  strings: {{ this.strings_json }},
  outlines: [{{ this.outline_names }}]
});
{% endmacro %}"""
    )

    def __init__(
        self,
        state: _ChoroplethState,
        metrics: list[dict[str, Any]],
        text: MapText,
        outlines: Sequence[_Outline],
    ):
        super().__init__()
        self.state = state
        self.metrics_json = script_json(metrics)
        self.title_json = script_json(text.title)
        self.subtitle_json = script_json(text.subtitle)
        self.synthetic_json = script_json(text.synthetic_notice)
        self.source_json = script_json(list(text.source_lines))
        self.source_summary_json = script_json(_(text.source_summary))
        self.strings_json = script_json(choropleth_strings())
        self.outline_names = ", ".join(o.get_name() for o in outlines)


def render_choropleth(
    layers: Sequence[LevelLayer],
    specs: Sequence[MetricSpec],
    *,
    text: MapText,
    year: int,
    base_year: int | None,
    scheme: str | None = None,
    k: int | None = None,
    breaks: Sequence[float] | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    initial_metric: str | None = None,
    projects: ProjectOverlay | None = None,
    years: Sequence[int] | None = None,
) -> folium.Map:
    """A choropleth page: levels as base layers, metrics switched in a panel.

    Parameters
    ----------
    layers
        One :class:`LevelLayer` per level; the one with ``show=True`` opens first.
    specs
        Metrics offered in the panel, in order.
    text
        Title, subtitle, source lines and the synthetic-data notice (shown
        on the map when not None).
    year, base_year
        Years of the metrics (for titles and tooltips).
    scheme, k, breaks
        Classification (see :func:`~valleymaps.render.classify.classify_values`);
        ``breaks`` apply to sequential metrics only.
    outlines
        Polygons drawn as lines over every level (county outlines).
    initial_metric
        Metric key selected when the page opens (default the first).
    projects
        Infrastructure projects laid over the choropleth, a layer per category in the
        layer control (see :func:`~valleymaps.render.project_overlay.add_project_overlay`).
    years
        Years of the annual series: the page gets a year control that restyles the
        annual metrics (``MetricSpec.annual``, values from ``LevelLayer.series``) and
        tooltips draw each place's trend. The page opens on ``year``. Geometry is
        sent once; each year adds only classes and rounded values.

    Returns
    -------
    folium.Map
        Each layer's classifications are also stored in ``LevelLayer.classifications``.
    """
    if not layers:
        raise ValueError("render_choropleth needs at least one level layer")
    bounds = np.array([layer.places.total_bounds for layer in layers])
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    fmap = page_map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=7, tiles=None, control_scale=True
    )
    make_page_accessible(fmap, title=text.title)
    folium.TileLayer(settings.TILES, control=False).add_to(fmap)
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(RawHtml(f"<style>{_asset('choropleth.css')}</style>"))
    root.header.add_child(RawHtml(f"<script>{_asset('choropleth.js')}</script>"))
    root.title = text.title

    year_list = [int(y) for y in years] if years else []
    annual_mode = len(year_list) > 0 and all(layer.series is not None for layer in layers)
    metric_meta: list[dict[str, Any]] = []
    for s in specs:
        meta: dict[str, Any] = {
            "key": s.key,
            "title": s.title(year=year, base=base_year),
            "units": _(s.units),
            "description": s.description,
        }
        if annual_mode and s.annual:
            meta["titles"] = {str(y): s.title(year=y, base=base_year) for y in year_list}
        metric_meta.append(meta)
    state = _ChoroplethState(
        metric_meta,
        initial_metric or specs[0].key,
        years=year_list if annual_mode else [],
        year=year if annual_mode else None,
    )
    state.add_to(fmap)
    for layer in layers:
        metrics: dict[str, Any] = {}
        classes: dict[str, Any] = {}
        rows_of = _LevelRows(layer, year_list if annual_mode else ())
        for spec in specs:
            if annual_mode and spec.annual:
                payload, classification = annual_metric_payload(
                    rows_of, spec, scheme=scheme, k=k, breaks=breaks
                )
                payload["extra"] = (
                    _extra_payload(rows_of, spec, year=year, base=base_year) if spec.key == "lq" else None
                )
            else:
                payload, classification = _metric_payload(
                    rows_of, spec, year=year, base=base_year, scheme=scheme, k=k, breaks=breaks
                )
            layer.classifications[spec.key] = classification
            metrics[spec.key] = payload
            classes[spec.key] = {
                "colors": list(classification.colors),
                "labels": classification.labels(spec.format),
                "scheme": _(classification.scheme),
            }
        payload = {
            "level": layer.level,
            "label": layer.label,
            "rankNoun": layer.rank_noun,
            "names": layer.places["name"].astype(str).tolist(),
            "geojson": layer.geojson if layer.geojson is not None else places_geojson(layer.places),
            "metrics": metrics,
            "classes": classes,
            "flagText": {code: f"{code.upper()}: {_(desc)}" for code, desc in ALL_FLAGS.items()},
            "nodata": settings.NO_DATA_COLOR,
            "notCovered": {
                "color": settings.NOT_COVERED_COLOR,
                "label": _(NOT_COVERED_LABEL),
                "flag": NOT_COVERED,
            },
            "stroke": "#ffffff",
            "weight": 0.5 if layer.level == "tract" else 1.2,
        }
        _MetricLayer(payload, state, name=layer.label, show=layer.show).add_to(fmap)
    outline_layers: list[_Outline] = []
    if outlines is not None:
        outline = _Outline(places_geojson(outlines), name=_("County outlines"), color="#333333", weight=1.8)
        outline.add_to(fmap)
        outline_layers.append(outline)
    _Attach(state, metric_meta, text, outline_layers).add_to(fmap)
    add_project_overlay(fmap, projects)  # before the layer control, which lists the layers added so far
    folium.LayerControl(collapsed=False, position="topleft").add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return set_page_language(fmap)
