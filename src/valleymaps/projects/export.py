"""Write the cleaned inventory and the investment summaries: CSV, GeoPackage, GeoJSON or GeoParquet.

CSV keeps the geometry as WKT (and longitude/latitude for points), so the
file imports again as it is. Every writer is atomic.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from valleymaps.errors import DataSourceError, OutputExistsError
from valleymaps.io.atomic import atomic_path, write_text_atomic
from valleymaps.io.csv_safe import csv_text
from valleymaps.projects.gpkg_styles import style_projects_layer, style_summary_layer
from valleymaps.projects.schema import PROJECT_COLUMNS, conform_projects

#: Output formats by extension.
EXPORT_FORMATS: dict[str, str] = {
    ".csv": "CSV", ".gpkg": "GPKG", ".geojson": "GeoJSON", ".parquet": "GeoParquet",
}  # fmt: skip


def _format_of(path: Path) -> str:
    fmt = EXPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataSourceError(
            f"{path}: cannot tell the format from '{path.suffix}'. Use one of: {', '.join(EXPORT_FORMATS)}."
        )
    return fmt


def _check_target(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} exists. Pass --overwrite to replace it.")


def _write_geoparquet(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    """GeoParquet (WKB geometry, the CRS in its metadata), atomically."""
    with atomic_path(path) as tmp:
        gpd.GeoDataFrame(gdf).to_parquet(tmp, index=False)
    return path


def _sources(projects: pd.DataFrame) -> list[str]:
    agencies = [str(a) for a in projects["agency"].dropna().unique()] if "agency" in projects else []
    return [f"inventories of {', '.join(agencies)}"] if agencies else []


def projects_to_csv_text(projects: gpd.GeoDataFrame) -> str:
    """The inventory as CSV text: schema columns, ``longitude``/``latitude`` for points, ``wkt``.

    >>> import shapely
    >>> p = conform_projects(gpd.GeoDataFrame({"agency": ["K"], "project_id": ["1"], "name": ["Well"]},
    ...     geometry=[shapely.Point(-119.25, 36.5)], crs="EPSG:4326"))
    >>> projects_to_csv_text(p).splitlines()[1].endswith("-119.25,36.5,POINT (-119.25 36.5)")
    True
    """
    projects = conform_projects(projects)
    frame = pd.DataFrame(projects[list(PROJECT_COLUMNS)])
    geoms = projects.geometry.to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    frame["longitude"] = [g.x if p else None for g, p in zip(geoms, is_point, strict=True)]
    frame["latitude"] = [g.y if p else None for g, p in zip(geoms, is_point, strict=True)]
    frame["wkt"] = shapely.to_wkt(geoms, rounding_precision=-1, trim=True)
    return csv_text(frame)  # names and ids from agencies' files never become live formulas


def export_projects(
    projects: gpd.GeoDataFrame, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the inventory to ``path`` (.csv, .gpkg, .geojson or .parquet).

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    p = Path(path)
    fmt = _format_of(p)
    _check_target(p, overwrite)
    if fmt == "CSV":
        return write_text_atomic(p, projects_to_csv_text(projects))
    data = conform_projects(projects)
    if fmt == "GeoParquet":
        return _write_geoparquet(data, p)
    with atomic_path(p) as tmp:
        pyogrio.write_dataframe(
            data, tmp, layer="projects", driver=fmt, geometry_type="Unknown", promote_to_multi=False
        )
        if fmt == "GPKG":
            style_projects_layer(tmp, "projects", data, sources=_sources(data))
    return p


def export_summary(
    summary: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    places: gpd.GeoDataFrame | None = None,
    overwrite: bool = False,
) -> Path:
    """Write an investment summary: CSV as it is, GeoPackage/GeoJSON/GeoParquet with the places' polygons.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    DataSourceError
        For a spatial format without ``places``.
    """
    p = Path(path)
    fmt = _format_of(p)
    _check_target(p, overwrite)
    if fmt == "CSV":
        return write_text_atomic(p, csv_text(summary))
    if places is None:
        raise DataSourceError(f"{p}: a {fmt} summary needs the places' polygons; write a .csv instead.")
    joined = places[["geoid", "geometry"]].merge(summary, on="geoid", how="right")
    gdf = gpd.GeoDataFrame(joined, geometry="geometry", crs=places.crs)
    if fmt == "GeoParquet":
        return _write_geoparquet(gdf, p)
    with atomic_path(p) as tmp:
        pyogrio.write_dataframe(gdf, tmp, layer="investment", driver=fmt, promote_to_multi=True)
        if fmt == "GPKG":
            style_summary_layer(tmp, "investment", summary)
    return p
