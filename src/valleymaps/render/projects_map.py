"""Interactive maps of infrastructure projects (folium).

One layer per category, each with its own symbol (shape and colour, from a
colour-blind-safe palette) and a legend; symbol size (line width for lines)
grows with cost; lines and polygons are drawn as such; popups list the
project's fields; a panel filters by status and schedule. With many projects
the points of each category are grouped with ``folium.plugins.MarkerCluster``.

The data go into the page once, as JSON (:func:`script_json`), whatever the number of
layers, and every text from the user's file is put in the page with ``textContent``:
a project named ``<img src=x onerror=alert(1)>`` shows as exactly that. The same layers
are laid over other pages by :mod:`valleymaps.render.project_overlay`.

Rendering returns a :class:`folium.Map`; saving is the caller's business.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.plugins import MarkerCluster
from jinja2 import Template

from valleymaps import i18n, settings
from valleymaps.i18n import N_, _, ngettext
from valleymaps.render._safe_json import script_json
from valleymaps.render.page_a11y import make_page_accessible
from valleymaps.render.raw_html import RawHtml, page_map

#: Points above which each category's points are clustered (``cluster=None``).
CLUSTER_THRESHOLD = 300
#: The global a shared project data file sets (see :mod:`valleymaps.render.project_overlay`).
DATA_GLOBAL = "valleymapsProjectData"


@dataclass(frozen=True)
class CategoryStyle:
    """How a category is drawn: legend label, colour (Okabe-Ito hues, darkened to 3:1 on the basemap),
    point shape, line dashes."""

    label: str
    color: str
    shape: str
    dash: str | None


#: Category -> style. Shapes and dash patterns keep categories apart without colour. The colours
#: are Okabe-Ito's hues made dark enough for 3:1 against white and the grey basemap (WCAG 1.4.11:
#: a marker or line must stand out from what it is drawn on; tests/render/test_non_text_contrast.py).
CATEGORY_STYLES: dict[str, CategoryStyle] = {
    "transportation": CategoryStyle(N_("Transportation"), "#0072B2", "square", None),
    "rail": CategoryStyle(N_("Rail"), "#C25100", "diamond", "10 5"),
    "water": CategoryStyle(N_("Water"), "#00798C", "circle", "2 5"),
    "energy": CategoryStyle(N_("Energy"), "#A86500", "triangle", "10 4 2 4"),
    "broadband": CategoryStyle(N_("Broadband"), "#A8478A", "hexagon", "1 4"),
    "public facilities": CategoryStyle(N_("Public facilities"), "#2E7D32", "star", "6 3"),
    "other": CategoryStyle(N_("Other"), "#666666", "cross", "4 4"),
}

#: A category key as a word in a sentence ("most are transportation"), in the build's language.
CATEGORY_NOUNS: dict[str, str] = {
    "transportation": N_("transportation"),
    "rail": N_("rail"),
    "water": N_("water"),
    "energy": N_("energy"),
    "broadband": N_("broadband"),
    "public facilities": N_("public facilities"),
    "other": N_("other"),
}

#: Symbol sizes (pixels) from the smallest cost class to the largest; line widths alike.
SYMBOL_SIZES: tuple[int, ...] = (12, 15, 18, 22, 26, 31, 36)
LINE_WIDTHS: tuple[float, ...] = (2.5, 3.0, 3.5, 4.5, 5.5, 6.5, 8.0)

STATUS_ORDER: tuple[str, ...] = ("planned", "programmed", "under construction", "complete")
#: How a status is shown (the data keep the English codes of :data:`STATUS_ORDER`).
STATUS_LABELS: dict[str, str] = {
    "planned": N_("planned"),
    "programmed": N_("programmed"),
    "under construction": N_("under construction"),
    "complete": N_("complete"),
}


def _asset(name: str) -> str:
    return (resources.files("valleymaps.render") / "templates" / name).read_text(encoding="utf-8")


def format_usd(value: float | None) -> str:
    """Dollars in short form: ``$1.2M``, ``$350K``, ``$2.5B``, ``$9,500``.

    In another language, the short forms of its CLDR locale (es-US: ``$1.2 M``, ``$2500 M``).

    >>> format_usd(1_200_000), format_usd(350_000), format_usd(2.5e9), format_usd(9500), format_usd(None)
    ('$1.2M', '$350K', '$2.5B', '$9,500', 'cost not known')
    """
    if value is None or not math.isfinite(value):
        return _("cost not known")
    a = abs(value)
    if i18n.current_language() != "en":
        return i18n.format_compact_usd(value) if a >= 1e4 else "$" + i18n.format_integer(value)

    def trim(x: float) -> str:
        digits = 2 if x < 10 else (1 if x < 100 else 0)
        text = f"{x:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    if a >= 1e9:
        return f"${trim(value / 1e9)}B"
    if a >= 1e6:
        return f"${trim(value / 1e6)}M"
    if a >= 1e4:
        return f"${trim(value / 1e3)}K"
    return f"${value:,.0f}"


def size_classes(costs: np.ndarray) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Graduated symbol class per cost: one size step per power of ten, and the legend.

    Project costs span orders of magnitude (a $50K sidewalk, a $2B rail line);
    a size per decade keeps small projects visible and their order readable.
    The smallest decade present gets the smallest symbol; beyond
    ``len(SYMBOL_SIZES)`` decades the largest classes merge. Unknown costs get
    the smallest class (they are drawn hollow).

    Returns
    -------
    (classes, legend)
        ``legend`` lists ``{"label", "size"}`` for each class present, smallest first.

    >>> classes, legend = size_classes(np.array([5e4, 1.2e6, 8e6, 2e9, np.nan]))
    >>> classes.tolist(), [e["label"] for e in legend]
    ([0, 2, 2, 5, 0], ['$10K–$100K', '$1M–$10M', '$1B–$10B'])
    """
    n = len(SYMBOL_SIZES)
    costs = np.asarray(costs, dtype=float)
    ok = np.isfinite(costs) & (costs > 0)
    if not ok.any():
        return np.zeros(len(costs), dtype=int), []
    with np.errstate(divide="ignore", invalid="ignore"):
        decade = np.floor(np.log10(np.where(ok, costs, 1.0))).astype(int)
    low = int(decade[ok].min())
    out = np.where(ok, np.clip(decade - low, 0, n - 1), 0).astype(int)
    legend = []
    for k in sorted(set(out[ok].tolist())):
        lo = 10.0 ** (low + k)
        hi = 10.0 ** (low + k + 1) if k < n - 1 else None
        label = (
            f"{format_usd(lo)}–{format_usd(hi)}"
            if hi is not None
            else _("{usd} or more").format(usd=format_usd(lo))
        )
        legend.append({"label": label, "size": int(k)})
    return out, legend


def _dictionary(values: Sequence[str]) -> tuple[list[str], list[int]]:
    """Low-cardinality text as (unique values, codes); "" is -1."""
    uniques: dict[str, int] = {}
    codes = []
    for v in values:
        if not v:
            codes.append(-1)
            continue
        if v not in uniques:
            uniques[v] = len(uniques)
        codes.append(uniques[v])
    return list(uniques), codes


def _int_or_none(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values]


def _category_keys(projects: gpd.GeoDataFrame) -> list[str]:
    """Each project's category as a key of :data:`CATEGORY_STYLES` (unknown ones are "other")."""
    return [c if c in CATEGORY_STYLES else "other" for c in projects["category"].astype(str)]


def default_clustering(projects: gpd.GeoDataFrame) -> bool:
    """Whether points are clustered when not said: more than :data:`CLUSTER_THRESHOLD` of them."""
    if not len(projects):
        return False
    kinds = shapely.get_type_id(projects.geometry.to_numpy())
    return int(np.isin(kinds, (0, 4)).sum()) > CLUSTER_THRESHOLD


def project_strings() -> dict[str, str]:
    """The words of the project script, in the build's language (the script has none).

    ``locale`` is the locale its numbers are formatted in (``Number.toLocaleString``).
    """
    return {
        "locale": i18n.js_locale(),
        "compactUsd": "" if i18n.current_language() == "en" else "1",  # short forms of the locale
        "costNotKnown": _("cost not known"),
        "notScheduled": _("not scheduled"),
        "completion": _("completion {year}"),
        "from": _("from {year}"),
        "cost": _("Cost"),
        "schedule": _("Schedule"),
        "agency": _("Agency"),
        "projectId": _("Project ID"),
        "county": _("County"),
        "funding": _("Funding"),
        "description": _("Description"),
        "source": _("Source"),
        "sourceRow": _("{source}, row {row}"),
        "symbolSize": _("Symbol size: cost"),
        "hollow": _("Hollow: cost not known ({n})"),
        "clusterNote": _(
            "Numbered circles group nearby projects; the ring shows their categories. "
            "Zoom in or click to see them."
        ),
        "status": _("Status"),
        "fromLabel": _("From "),
        "toLabel": _("To "),
        "underWay": _("Under way or done between {from} and {to}"),
        "noSchedule": _(" no schedule given ({n})"),
        "showing": _("Showing {shown} of {n} projects"),
        "projects": _("Projects"),
        "caption": _("{title}: {n} projects shown"),
        "tableNote": _("The projects the filter shows. Click a column heading to sort."),
        "project": _("Project"),
        "category": _("Category"),
        "legendLabel": _("Projects legend"),
        "panelLabel": _("Map panel: title and filter"),
    }


def project_payload(
    projects: gpd.GeoDataFrame, *, cluster: bool, legend_title: str | None = None
) -> dict[str, Any]:
    """The data a project map carries (compact, column by column).

    Parameters
    ----------
    projects
        Inventory in the project schema (any CRS).
    cluster
        Whether points are clustered (recorded for the legend).
    """
    if legend_title is None:
        legend_title = _("Infrastructure projects")
    web = projects.to_crs(settings.WEB_CRS) if projects.crs is not None else projects
    web = web.reset_index(drop=True)
    digits = settings.WEB_COORDINATE_PRECISION
    geoms = shapely.set_precision(web.geometry.to_numpy(), 10.0**-digits)
    kinds = shapely.get_type_id(geoms)
    cats = _category_keys(web)
    cat_keys = list(CATEGORY_STYLES)
    statuses = [s for s in STATUS_ORDER]
    extra = sorted({s for s in web["status"].astype(str) if s not in statuses})
    statuses += extra
    cost = web["cost_usd"].to_numpy(dtype=float)
    classes, size_legend = size_classes(cost)
    dict_cols = {"agency": "agency", "county": "county", "funding": "funding_source", "source": "source"}
    dicts: dict[str, list[str]] = {}
    columns: dict[str, Any] = {}
    for key, col in dict_cols.items():
        dicts[key], columns[key] = _dictionary(web[col].astype(str).tolist())
    points = []
    features = []
    for i, (g, kind) in enumerate(zip(geoms, kinds, strict=True)):
        if kind == 0:
            points.append([round(g.y, digits), round(g.x, digits), i])
        elif kind == 4:
            for part in shapely.get_parts(g):
                points.append([round(part.y, digits), round(part.x, digits), i])
        else:
            features.append(
                {"type": "Feature", "properties": {"i": i}, "geometry": shapely.geometry.mapping(g)}
            )
    start = _int_or_none(web["start_year"])
    end = _int_or_none(web["end_year"])
    years = [y for y in start + end if y is not None]
    cat_index = [cat_keys.index(c) for c in cats]
    line_cats = {cats[f["properties"]["i"]] for f in features if "LineString" in f["geometry"]["type"]}
    categories = []
    for key in cat_keys:
        style = CATEGORY_STYLES[key]
        categories.append(
            {
                "key": key,
                "label": _(style.label),
                "color": style.color,
                "shape": style.shape,
                "dash": style.dash,
                "count": cats.count(key),
                "lines": key in line_cats,
            }
        )
    return {
        "legendTitle": legend_title,
        "categories": categories,
        "statuses": statuses,
        "statusLabels": [_(STATUS_LABELS[s]) if s in STATUS_LABELS else s for s in statuses],
        "statusCounts": [int((web["status"] == s).sum()) for s in statuses],
        "sizes": list(SYMBOL_SIZES),
        "lineWidths": list(LINE_WIDTHS),
        "sizeLegend": size_legend,
        "nUnknownCost": int((~np.isfinite(cost)).sum()),
        "nNoYear": sum(1 for s, e in zip(start, end, strict=True) if s is None and e is None),
        "years": [min(years), max(years)] if years else None,
        "cluster": cluster,
        "dict": dicts,
        "projects": {
            "pid": web["project_id"].astype(str).tolist(),
            "name": web["name"].astype(str).tolist(),
            "desc": web["description"].astype(str).tolist(),
            "cat": cat_index,
            "status": [statuses.index(s) if s in statuses else 0 for s in web["status"].astype(str)],
            "cost": [None if not math.isfinite(c) else float(c) for c in cost],
            "size": classes.tolist(),
            "start": start,
            "end": end,
            "row": _int_or_none(web["source_row"]) if "source_row" in web else [None] * len(web),
            **columns,
        },
        "points": points,
        "shapes": {"type": "FeatureCollection", "features": features},
        "strings": project_strings(),
    }


class _ProjectData(MacroElement):
    """Declares the page's project data and state, before the category layers.

    ``data`` is a JavaScript expression: the payload's JSON, or the global a shared data
    file sets (:data:`DATA_GLOBAL`).
    """

    _template = Template(
        """{% macro header(this, kwargs) %}{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = valleymapsProjects.load({{ this.data }}, {{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, data: str):
        super().__init__()
        self._name = "VmProjects"
        self.data = data


class _FillCategory(MacroElement):
    """Puts one category's projects into its layer (points into the shared cluster group, if any)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
valleymapsProjects.fill({{ this.data.get_name() }}, {{ this.layer.get_name() }}, {{ this.index }}, \
{{ this.points.get_name() if this.points else "null" }});
{% endmacro %}"""
    )

    def __init__(
        self, data: _ProjectData, layer: folium.map.Layer, index: int, points: MarkerCluster | None = None
    ):
        super().__init__()
        self._name = "VmFill"
        self.data = data
        self.layer = layer
        self.index = int(index)
        self.points = points


class _AttachProjects(MacroElement):
    """Adds the legend, the title and filter panel and the source note."""

    _template = Template(
        """{% macro script(this, kwargs) %}
valleymapsProjects.attach({{ this._parent.get_name() }}, {{ this.data.get_name() }}, {{ this.options_json }});
{% endmacro %}"""
    )

    def __init__(self, data: _ProjectData, options: dict[str, Any]):
        super().__init__()
        self._name = "VmAttachProjects"
        self.data = data
        self.options_json = script_json(options)


class _Outline(MacroElement):
    """County outlines under the projects (not interactive)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
L.geoJSON({{ this.geojson_json }}, {interactive: false, style: function () {
  return {fill: false, color: "#555555", weight: 1.4, opacity: 0.8}; }}).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, outlines: gpd.GeoDataFrame):
        super().__init__()
        self._name = "VmProjectOutline"
        geo = outlines.to_crs(settings.WEB_CRS)
        self.geojson_json = script_json(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
                    for g in geo.geometry
                ],
            }
        )


def _summary_line(projects: gpd.GeoDataFrame) -> str:
    n = len(projects)
    total = float(np.nansum(projects["cost_usd"].to_numpy(dtype=float))) if n else 0.0
    unknown = int(projects["cost_usd"].isna().sum()) if n else 0
    count = i18n.format_integer(n)
    if n and unknown == n:
        return ngettext("{n} project, no costs given", "{n} projects, no costs given", n).format(n=count)
    text = ngettext("{n} project, {usd} in all", "{n} projects, {usd} in all", n).format(
        n=count, usd=format_usd(total)
    )
    if unknown:
        text += _(" ({n} without a cost)").format(n=i18n.format_integer(unknown))
    return text


def add_project_layers(
    fmap: folium.Map,
    projects: gpd.GeoDataFrame,
    *,
    cluster: bool | None = None,
    panel: bool = True,
    title: str = "",
    subtitle: str = "",
    source_lines: Sequence[str] = (),
    show: bool = True,
    legend_title: str | None = None,
    layer_prefix: str = "",
    legend_source_lines: Sequence[str] = (),
    payload_json: str | None = None,
    data_file: str | None = None,
    legend_position: str | None = None,
) -> folium.Map:
    """Add the project layers, legend and (optionally) the title/filter panel to a map.

    Use it to put projects over another map (a choropleth, a flow map; see
    :func:`valleymaps.render.project_overlay.add_project_overlay`); :func:`render_project_map`
    makes a page of their own.
    The projects go into the page once, whatever the number of category layers.

    Parameters
    ----------
    fmap
        The map to draw on.
    projects
        Inventory in the project schema.
    cluster
        Cluster each category's points; default: when there are more than
        :data:`CLUSTER_THRESHOLD` points.
    panel
        Add the panel with the title and the status/year filter (top right).
    title, subtitle, source_lines
        Words for the panel and the source note (bottom left).
    show
        Whether the category layers are on when the page opens.
    legend_title
        Heading of the legend (default: "Infrastructure projects", in the build's language).
    layer_prefix
        Put before each category's name in the layer control ("Projects: Rail (3)"), where
        the projects share it with another map's layers.
    legend_source_lines
        Without the panel: where the projects come from, written at the foot of the legend
        (the host page's source note is about its own data).
    legend_position
        Corner of the legend (default: bottom right with the panel, bottom left over another
        map, whose own legend has the bottom right). Leaflet stacks the controls of one corner,
        so a host whose panel fills a corner puts the legend in that corner, under its panel.
    payload_json, data_file
        The projects' data made once for several pages (see
        :func:`valleymaps.render.project_overlay.prepare_project_overlay`):
        its JSON, put in the page, or the name of the script file beside the page that holds
        it. Both made with the default ``cluster`` and ``legend_title``. Default: made here.
    """
    payload_cluster = default_clustering(projects) if cluster is None else cluster
    root = fmap.get_root()
    assert isinstance(root, folium.Figure)
    root.header.add_child(RawHtml(f"<style>{_asset('projects.css')}</style>"), name="vm_projects_css")
    root.header.add_child(RawHtml(f"<script>{_asset('projects.js')}</script>"), name="vm_projects_js")
    if data_file is not None:
        src = html.escape(data_file, quote=True)
        root.header.add_child(RawHtml(f'<script src="{src}"></script>'), name="vm_projects_data")
        data = _ProjectData(f"window.{DATA_GLOBAL} || null")
    else:
        if payload_json is None:
            payload_json = script_json(
                project_payload(projects, cluster=payload_cluster, legend_title=legend_title)
            )
        data = _ProjectData(payload_json)
    data.add_to(fmap)
    points: MarkerCluster | None = None
    if payload_cluster:
        # one cluster group for every category (a cluster's ring shows its categories); the
        # category layers below hold lines and areas, and switch their points in and out
        points = MarkerCluster(
            name=_("Project points"),
            control=False,
            show=True,  # always on the map: it holds the points of the category layers that are on
            icon_create_function="function (cluster) { return valleymapsProjects.clusterIcon(cluster); }",
            options={
                "chunkedLoading": False,
                "showCoverageOnHover": False,
                "maxClusterRadius": 60,
                "disableClusteringAtZoom": 15,
                "spiderfyOnMaxZoom": True,
            },
        )
        points.add_to(fmap)
    counts = Counter(_category_keys(projects))
    for index, (key, style) in enumerate(CATEGORY_STYLES.items()):
        if not counts[key]:
            continue
        name = f"{layer_prefix}{_(style.label)} ({i18n.format_integer(counts[key])})"
        layer = folium.FeatureGroup(name=name, show=show)
        layer.add_to(fmap)
        _FillCategory(data, layer, index, points).add_to(fmap)
    _AttachProjects(
        data,
        {
            "panel": panel,
            "filter": panel,
            "title": title,
            "subtitle": subtitle,
            "summary": _summary_line(projects),
            "sourceLines": list(source_lines),
            "legendOnlyWhenOn": not panel,
            "legendPosition": legend_position or ("bottomright" if panel else "bottomleft"),
            "legendSourceLines": [] if panel else list(legend_source_lines),
        },
    ).add_to(fmap)
    return fmap


def render_project_map(
    projects: gpd.GeoDataFrame,
    *,
    title: str,
    subtitle: str = "",
    source_lines: Sequence[str] = (),
    outlines: gpd.GeoDataFrame | None = None,
    cluster: bool | None = None,
) -> folium.Map:
    """A page of projects: category layers, legend, popups, status/year filter.

    Parameters
    ----------
    projects
        Inventory in the project schema (see :mod:`valleymaps.projects.schema`).
    title, subtitle
        Headings of the panel.
    source_lines
        Source and date lines, shown bottom left.
    outlines
        Polygons drawn as thin lines under the projects (the region's counties);
        the map opens on them (else on the projects).
    cluster
        See :func:`add_project_layers`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import shapely
    >>> from valleymaps.projects.schema import conform_projects
    >>> p = conform_projects(gpd.GeoDataFrame({"agency": ["K"], "project_id": ["1"], "name": ["Well"],
    ...     "category": ["water"], "status": ["planned"], "cost_usd": [2e6]},
    ...     geometry=[shapely.Point(-119.2, 36.3)], crs="EPSG:4326"))
    >>> html = render_project_map(p, title="Projects").get_root().render()
    >>> "valleymapsProjects.load" in html
    True
    """
    frame = outlines if outlines is not None and len(outlines) else projects
    if len(frame):
        minx, miny, maxx, maxy = frame.to_crs(settings.WEB_CRS).total_bounds
    else:
        minx, miny, maxx, maxy = -121.6, 34.8, -117.6, 38.3
    fmap = page_map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=7, tiles=None, control_scale=True
    )
    make_page_accessible(fmap, title=title)
    folium.TileLayer(settings.TILES, control=False).add_to(fmap)
    fmap.get_root().header.add_child(  # type: ignore[attr-defined]
        RawHtml(f"<style>{_asset('projects_page.css')}</style>"), name="vm_projects_page_css"
    )
    if outlines is not None and len(outlines):
        _Outline(outlines).add_to(fmap)
    add_project_layers(
        fmap, projects, cluster=cluster, panel=True, title=title, subtitle=subtitle, source_lines=source_lines
    )
    folium.LayerControl(collapsed=False, position="topleft").add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap
