"""The site suitability web page: a layer per target, candidate sites, a colour bar.

Each target layer holds the suitability raster as an image overlay and its
candidate sites as outlined polygons labelled with their rank; clicking a
site opens its score, area, place, rank stability, nearest infrastructure
project and factor breakdown. Layers are check boxes, so two targets can be
shown together and compared; the page opens on the target named in its URL
fragment (``suitability.html#packaging``), else the first.

Rendering returns a :class:`folium.Map`; saving is the caller's business.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from valleymaps import i18n, settings
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.render._safe_json import script_json
from valleymaps.render.page_a11y import make_page_accessible
from valleymaps.render.page_language import set_page_language
from valleymaps.render.raw_html import RawHtml, page_map
from valleymaps.render.suitability_image import color_stops

#: Outline colours of the sites of each target (in layer order), readable on viridis.
OUTLINE_COLORS: tuple[str, ...] = (
    "#e41a1c", "#ff7f00", "#f781bf", "#a65628", "#e7298a", "#d95f02", "#ffffff", "#000000",
)  # fmt: skip


@dataclass(frozen=True)
class FactorInfo:
    """A factor as the page describes it (``source``: its data, listed in site popups)."""

    key: str
    name: str
    weight: float
    units: str = ""
    labels: tuple[str, ...] = ()
    source: str = ""
    synthetic: bool = False


@dataclass
class TargetLayer:
    """One target (profile run) on the page.

    Parameters
    ----------
    key
        Identifier (URL fragment).
    title
        Name in the layer list and popups.
    description
        One or two sentences on what the target needs.
    image_url
        The suitability image (a relative path or a ``data:`` URI).
    bounds
        ``((south, west), (north, east))`` of the image.
    sites
        Candidate sites (any CRS) as produced by
        :func:`~valleymaps.suitability.model.compute_suitability`; only the
        ``selected`` ones are drawn.
    factors
        The factors, in profile order.
    notes
        Lines shown under the factors (factors left out, data caveats).
    sites_text
        One line on how the sites were found.
    source_lines
        Data sources of this target.
    """

    key: str
    title: str
    description: str
    image_url: str
    bounds: tuple[tuple[float, float], tuple[float, float]]
    sites: gpd.GeoDataFrame
    factors: Sequence[FactorInfo]
    notes: Sequence[str] = ()
    sites_text: str = ""
    source_lines: Sequence[str] = field(default_factory=tuple)


def _asset(name: str) -> str:
    return (resources.files("valleymaps.render") / "templates" / name).read_text(encoding="utf-8")


def format_value(value: Any, units: str) -> str:
    """A factor value for people: distances in km, others with their units.

    >>> format_value(2345.0, "m"), format_value(135.27, "ft"), format_value(1.234, "")
    ('2.3 km', '135 ft', '1.23')
    >>> format_value(float("nan"), "m")
    '–'
    """
    if isinstance(value, str):
        return value or "–"
    if value is None or not math.isfinite(float(value)):
        return "–"
    v = float(value)
    if units == "m":
        return f"{i18n.format_decimal(v / 1000, 1)} km" if v >= 1000 else f"{i18n.format_decimal(v, 0)} m"
    text = (i18n.format_integer(v) if abs(v) >= 100
            else (i18n.format_decimal(v, 2) if abs(v) >= 0.01 else f"{v:.3g}"))
    return f"{text} {units}".strip()


def _stability_text(row: pd.Series, count: int) -> str:
    if "stability" not in row or pd.isna(row.get("stability")):
        return ""
    best, worst = int(row["rank_best"]), int(row["rank_worst"])
    span = _("rank {best}").format(best=best) if best == worst else _("ranks {best}–{worst}").format(
        best=best, worst=worst)
    stays = row.get("stays_in_top")
    if stays is None or pd.isna(stays):
        return _("Rank stability: {stability} ({span} when each weight moves ±10 points)").format(
            stability=_(str(row["stability"])), span=span)
    return _(
        "Rank stability: {stability} ({span} when each weight moves ±10 points; in the top {count} in "
        "{share} of them)"
    ).format(stability=_(str(row["stability"])), span=span, count=count,
             share=i18n.format_percent(float(stays), 0))


def _site_payload(layer: TargetLayer) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    sites = layer.sites
    if "selected" in sites.columns:
        sites = sites[sites["selected"].astype(bool)]
    sites = sites.to_crs(settings.WEB_CRS) if not sites.empty else sites
    count = len(sites)
    features = []
    info = []
    for i, (_i, row) in enumerate(sites.iterrows()):
        geom = row.geometry.simplify(1e-5)
        features.append({"type": "Feature", "properties": {"i": i}, "geometry": geom.__geo_interface__})
        project = None
        if "nearest_project" in row and isinstance(row["nearest_project"], str) and row["nearest_project"]:
            cat = row.get("nearest_project_category") or ""
            dist = format_value(row.get("nearest_project_m"), "m")
            project = _("{project}, {distance} away").format(
                project=f"{row['nearest_project']}{f' ({cat})' if cat else ''}", distance=dist)
        factors = []
        for f in layer.factors:
            score = row.get(f"{f.key}_score", np.nan)
            points = row.get(f"{f.key}_points", np.nan)
            factors.append(
                {
                    "name": _("{factor} (synthetic data)").format(factor=f.name) if f.synthetic else f.name,
                    "weight": f"{f.weight:.0f}%" if float(f.weight).is_integer() else f"{f.weight:.1f}%",
                    "value": format_value(row.get(f"{f.key}_value", np.nan), f.units),
                    "score": "–" if pd.isna(score) else i18n.format_decimal(score, 2),
                    "points": "–" if pd.isna(points) else i18n.format_decimal(points, 1),
                }
            )
        info.append(
            {
                "rank": int(row["rank"]),
                "score": i18n.format_decimal(row["score"], 1),
                "acres": i18n.format_integer(row["area_acres"]),
                "place": _("{county} County").format(county=row["county"])
                if isinstance(row.get("county"), str) and row["county"]
                else "",
                "stability": _stability_text(row, count),
                "project": project,
                "factors": factors,
            }
        )
    return {"type": "FeatureCollection", "features": features}, info


class _Attach(MacroElement):
    _template = Template(
        """{% macro script(this, kwargs) %}
valleymapsSuitability.attach({{ this._parent.get_name() }}, {{ this.spec_json }});
{% endmacro %}"""
    )

    def __init__(self, spec: dict[str, Any]):
        super().__init__()
        self._name = "VmSuitability"
        self.spec_json = script_json(spec)


def render_suitability_map(
    targets: Sequence[TargetLayer],
    *,
    title: str,
    subtitle: str = "",
    source_lines: Sequence[str] = (),
    outlines: gpd.GeoDataFrame | None = None,
    outlines_label: str = N_("County outlines"),
    synthetic_notice: str | None = None,
    initial: str | None = None,
) -> folium.Map:
    """A suitability page with one check-box layer per target.

    Parameters
    ----------
    targets
        The targets, in layer-list order (the first is shown unless ``initial`` names another).
    title, subtitle
        Headings of the info panel.
    source_lines
        Data sources common to every target.
    outlines
        Polygons drawn as lines (county outlines), any CRS.
    synthetic_notice
        Shown in the panel when some data are synthetic.
    initial
        Key of the target shown when the page opens.

    Returns
    -------
    folium.Map
    """
    if not targets:
        raise ValueError("render_suitability_map needs at least one target")
    south = min(t.bounds[0][0] for t in targets)
    west = min(t.bounds[0][1] for t in targets)
    north = max(t.bounds[1][0] for t in targets)
    east = max(t.bounds[1][1] for t in targets)
    fmap = page_map(
        location=[(south + north) / 2, (west + east) / 2], zoom_start=7, tiles=None, control_scale=True
    )
    make_page_accessible(fmap, title=title)
    # The page's script fits the view first and adds the basemap after, so no tile is fetched at a
    # zoom the page then leaves.
    tile = folium.TileLayer(settings.TILES)
    tiles = {
        "url": tile.tiles,
        "options": {
            "attribution": tile.options.get("attribution", ""),
            "minZoom": tile.options.get("min_zoom", 0),
            "maxZoom": tile.options.get("max_zoom", 18),
            "maxNativeZoom": tile.options.get("max_native_zoom", 18),
            "subdomains": tile.options.get("subdomains", "abc"),
        },
    }
    root = fmap.get_root()
    root.header.add_child(RawHtml(f"<style>{_asset('suitability.css')}</style>"))  # type: ignore[attr-defined]
    root.header.add_child(RawHtml(f"<script>{_asset('suitability.js')}</script>"))  # type: ignore[attr-defined]
    root.title = title  # type: ignore[attr-defined]
    payload = []
    for i, t in enumerate(targets):
        geojson, info = _site_payload(t)
        payload.append(
            {
                "key": t.key,
                "title": t.title,
                "description": t.description,
                "image": t.image_url,
                "bounds": [list(t.bounds[0]), list(t.bounds[1])],
                "outline": OUTLINE_COLORS[i % len(OUTLINE_COLORS)],
                "sites": geojson,
                "siteInfo": info,
                "factors": [
                    {
                        "name": f.name,
                        "weight": f"{f.weight:.0f}" if float(f.weight).is_integer() else f"{f.weight:.1f}",
                        "source": f.source,
                    }
                    for f in t.factors
                ],
                "notes": list(t.notes),
                "sitesText": t.sites_text,
                "sourceLines": list(t.source_lines),
            }
        )
    outline_geojson = None
    if outlines is not None and not outlines.empty:
        web = outlines.to_crs(settings.WEB_CRS)
        outline_geojson = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {}, "geometry": g.__geo_interface__} for g in web.geometry
            ],
        }
    spec = {
        "title": title,
        "subtitle": subtitle,
        "synthetic": synthetic_notice,
        "sourceLines": list(source_lines),
        "targets": payload,
        "initial": initial or targets[0].key,
        "bounds": [[south, west], [north, east]],
        "tiles": tiles,
        "outlines": outline_geojson,
        "outlinesLabel": _(outlines_label),
        "legend": {
            "title": _("Suitability (0 = least, 100 = most suitable)"),
            "colors": color_stops(n=11),
            "ticks": ["0", "25", "50", "75", "100"],
            "excluded": _("No colour: excluded (constraints, outside the region, no data)"),
            "site": _("Candidate site (number = rank; click for details)"),
        },
        "strings": suitability_strings(),
    }
    _Attach(spec).add_to(fmap)
    return set_page_language(fmap)


#: How steady a site's rank is (:mod:`valleymaps.suitability.sensitivity`), as the page says it.
STABILITY_WORDS = (N_("stable"), N_("fairly stable"), N_("sensitive"))


def suitability_strings() -> dict[str, str]:
    """The words of the suitability page's script, in the build's language (the script has none)."""
    return {
        "siteTitle": _("Site {rank} · {target}"),
        "score": _("Suitability {score} / 100"),
        "area": _("Area: {acres} acres"),
        "where": _("Where: {place}"),
        "nearestProject": _("Nearest project: {project}"),
        "factor": _("Factor"),
        "weight": _("Weight"),
        "value": _("Value"),
        "scoreHead": _("Score"),
        "points": _("Points"),
        "suitability": _("Suitability"),
        "pointsNote": _("Points = weight × mean score of the factor over the site; they add up to the "
                        "site's suitability."),
        "data": _("Data"),
        "turnOn": _("Turn a target on in the layer list."),
        "legend": _("Legend"),
        "tableCaption": _("Candidate sites of the targets shown"),
        "tableNote": _("Each site's factors and data are in its popup (Tab to the site, then Enter)."),
        "colSite": _("Site"),
        "colRank": _("Rank"),
        "colAcres": _("Acres"),
        "colWhere": _("Where"),
        "colProject": _("Nearest project"),
        "panelLabel": _("Site suitability"),
    }
