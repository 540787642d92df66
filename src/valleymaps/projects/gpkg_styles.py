"""Styles and descriptions of the project GeoPackages we write (inventory, export, summaries).

QGIS opens them drawn as the web map draws them: projects by category (colour,
shape, dashes) with symbol size by cost; investment summaries as the web map's
choropleth of total cost. See :mod:`valleymaps.render.qgis_styles`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely

from valleymaps.io.qgis_styles import describe_layer, write_layer_style
from valleymaps.render.classify import classify_values
from valleymaps.render.qgis_styles import build_graduated_qml, build_projects_qml
from valleymaps.render.sld_styles import build_graduated_sld, build_projects_sld

#: Geometry kind -> the style's name in QGIS.
_KINDS: dict[str, str] = {"point": "points", "line": "lines", "polygon": "areas"}


def _main_kind(geoms: gpd.GeoSeries) -> str:
    types = pd.Series(shapely.get_type_id(geoms.to_numpy()))
    kinds = types.map({0: "point", 4: "point", 1: "line", 5: "line", 3: "polygon", 6: "polygon"}).dropna()
    return str(kinds.mode().iloc[0]) if len(kinds) else "point"


def _today() -> str:
    return dt.date.today().isoformat()


def style_projects_layer(
    path: str | os.PathLike[str],
    layer: str,
    projects: gpd.GeoDataFrame,
    *,
    sources: Sequence[str] = (),
    log_layer: str | None = None,
) -> None:
    """Give the projects ``layer`` of ``path`` its QGIS styles and its ``gpkg_contents`` description.

    Three styles, one per geometry kind (QGIS draws a style's one symbol type); the
    kind most features have is the default.
    """
    main = _main_kind(projects.geometry)
    costs = projects["cost_usd"].to_numpy(dtype=float) if "cost_usd" in projects else []
    for kind, label in _KINDS.items():
        write_layer_style(
            path,
            layer,
            build_projects_qml(costs, geometry=kind),
            name=f"valleymaps projects ({label})",
            description=f"Projects as on the valleymaps web map ({label}): colour and shape by category, "
            "size by cost (one step per power of ten).",
            default=kind == main,
            sld=build_projects_sld(layer=layer, geometry=kind),
        )
    where = "; ".join(dict.fromkeys(s for s in sources if s))
    where = where or "project inventories imported into valleymaps"
    describe_layer(
        path,
        layer,
        identifier="Infrastructure projects",
        description=f"Infrastructure projects (one feature per project, EPSG:4326). Source: {where}. "
        f"Vintage: written {_today()}.",
    )
    if log_layer is not None:
        describe_layer(
            path,
            log_layer,
            identifier="Project imports",
            description="One row per import into the inventory: when, the file, rows read, kept, rejected.",
        )


def style_summary_layer(path: str | os.PathLike[str], layer: str, summary: pd.DataFrame) -> None:
    """Style an investment summary as the web map's choropleth of total cost, and describe it."""
    column = "cost_usd" if "cost_usd" in summary and summary["cost_usd"].notna().any() else "n_projects"
    classes = classify_values(pd.to_numeric(summary.get(column), errors="coerce").to_numpy(dtype=float))
    fmt = "${:,.0f}" if column == "cost_usd" else "{:,.0f}"
    write_layer_style(
        path,
        layer,
        build_graduated_qml(column, classes, label_format=fmt),
        name=f"valleymaps investment ({column})",
        description="Investment by place as on the valleymaps web map.",
        sld=build_graduated_sld(layer, column, classes, label_format=fmt),
    )
    jobs = _first(summary, "jobs_source")
    workers = _first(summary, "workers_source")
    describe_layer(
        path,
        layer,
        identifier="Investment by place",
        description="Infrastructure project cost by place (shared among the places a project lies in), "
        "per job and per resident worker. Sources: project inventories; jobs: "
        f"{jobs or 'not known'}; resident workers: {workers or 'not known'}. Vintage: written {_today()}.",
    )


def _first(frame: pd.DataFrame, column: str) -> str:
    if column not in frame:
        return ""
    values = frame[column].dropna().astype(str)
    values = values[values != ""]
    return str(values.iloc[0]) if len(values) else ""


__all__ = ["style_projects_layer", "style_summary_layer"]
