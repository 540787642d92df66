"""Tables, previews and page layers made from a :class:`~valleymaps.suitability.model.SuitabilityResult`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import rasterio
from affine import Affine
from rasterio.enums import Resampling

from valleymaps import i18n, settings
from valleymaps._version import __version__
from valleymaps.i18n import gettext as _
from valleymaps.i18n import ngettext
from valleymaps.io.atomic import atomic_path, write_text_atomic
from valleymaps.io.csv_safe import neutralise_formulas
from valleymaps.io.qgis_styles import describe_layer, write_layer_style, write_qml_beside, write_sld_beside
from valleymaps.render.qgis_styles import (
    build_exclusion_raster_qml,
    build_suitability_raster_qml,
    build_suitability_sites_qml,
)
from valleymaps.render.sld_styles import (
    build_exclusion_raster_sld,
    build_suitability_raster_sld,
    build_suitability_sites_sld,
)
from valleymaps.render.suitability_image import OverlayImage, web_overlay
from valleymaps.render.suitability_map import FactorInfo, TargetLayer, format_value
from valleymaps.suitability import defaults
from valleymaps.suitability.model import SuitabilityResult
from valleymaps.suitability.zonal import COUNTING_RULE

log = logging.getLogger(__name__)


def read_preview(
    path: str | os.PathLike[str], *, max_px: int | None = None
) -> tuple[npt.NDArray[np.float32], Affine]:
    """The raster at most ``max_px`` cells on its longer side (averaged, via its overviews)."""
    limit = max_px or defaults.OVERLAY_MAX_PX
    with rasterio.open(path) as src:
        scale = max(1.0, max(src.width, src.height) / limit)
        w, h = max(1, round(src.width / scale)), max(1, round(src.height / scale))
        data = src.read(1, out_shape=(h, w), resampling=Resampling.average, masked=True).astype(np.float32)
        values = data.filled(np.nan)
        transform = src.transform @ Affine.scale(src.width / w, src.height / h)
    return values, transform


def sites_text(result: SuitabilityResult) -> str:
    """One line on how the sites were found."""
    rules = result.profile.sites
    n = int(result.sites["selected"].sum()) if not result.sites.empty else 0
    how = (
        _("suitability at least {threshold}").format(threshold=f"{rules.threshold:g}")
        if rules.threshold is not None
        else _("the best {percent}% of the land (suitability ≥ {threshold})").format(
            percent=f"{rules.top_percent:g}", threshold=i18n.format_decimal(result.search.threshold, 1))
    )
    return ngettext(
        "{n} candidate site: contiguous areas of {low}–{high} acres in {how}, at least {km} km apart, "
        "ranked by mean suitability.",
        "{n} candidate sites: contiguous areas of {low}–{high} acres in {how}, at least {km} km apart, "
        "ranked by mean suitability.",
        n,
    ).format(n=n, low=f"{rules.min_acres:g}", high=f"{rules.max_acres:g}", how=how,
             km=f"{rules.min_distance_m / 1000:g}")


def site_table(result: SuitabilityResult, *, target: str | None = None) -> pd.DataFrame:
    """The sites as a flat table (CSV): rank, score, acres, place, longitude/latitude, factors, stability."""
    sites = result.sites
    if sites.empty:
        return pd.DataFrame(columns=["rank", "score", "area_acres"])
    centres = sites.geometry.representative_point().to_crs(settings.WEB_CRS)
    out = pd.DataFrame(
        {
            "rank": sites["rank"].astype(int),
            "selected": sites["selected"].astype(bool),
            "target": target or result.profile.name,
            "profile": result.profile.key,
            "score": sites["score"].round(2),
            "area_acres": sites["area_acres"].round(1),
            "county": sites.get("county", ""),
            "longitude": centres.x.round(5),
            "latitude": centres.y.round(5),
        }
    )
    for col in ("rank_best", "rank_worst", "stays_in_top", "stability"):
        if col in sites:
            out[col] = sites[col].to_numpy()
    for col in ("nearest_project", "nearest_project_category", "nearest_project_m"):
        if col in sites:
            out[col] = sites[col].to_numpy()
    for f in result.factors:
        k = f.key
        out[f"{k}_weight"] = f.factor.weight
        out[f"{k}_score"] = sites[f"{k}_score"].round(4).to_numpy()
        out[f"{k}_points"] = sites[f"{k}_points"].round(2).to_numpy()
        value = sites[f"{k}_value"]
        out[f"{k}_value"] = value.round(3).to_numpy() if value.dtype.kind == "f" else value.to_numpy()
    return out.reset_index(drop=True)


def write_tables(
    result: SuitabilityResult,
    folder: str | os.PathLike[str],
    *,
    target: str | None = None,
    zone_names: pd.Series | None = None,
) -> list[Path]:
    """Write ``sites.gpkg``/``.parquet``/``.csv``, ``suitability.qml``, ``sensitivity.csv``, ``zones.csv``,
    ``profile.toml``, ``run.json``."""
    folder = Path(folder)
    written = []
    table = site_table(result, target=target)
    path = folder / "sites.csv"
    with atomic_path(path) as tmp:
        neutralise_formulas(table).to_csv(tmp, index=False)
    written.append(path)
    if not result.sites.empty:
        gpkg = folder / "sites.gpkg"
        layer = gpd.GeoDataFrame(table, geometry=result.sites.geometry.to_numpy(), crs=result.sites.crs)
        with atomic_path(gpkg) as tmp:
            layer.to_file(tmp, layer="sites", driver="GPKG", engine="pyogrio")
            write_layer_style(
                tmp, "sites", build_suitability_sites_qml(), name="valleymaps suitability sites",
                description="Sites coloured by mean suitability (0-100), the web map's palette.",
                sld=build_suitability_sites_sld(),
            )  # fmt: skip
            describe_layer(tmp, "sites", identifier=f"Candidate sites: {target or result.profile.name}",
                           description=_sites_description(result, target))
        written.append(gpkg)
        geoparquet = folder / "sites.parquet"
        with atomic_path(geoparquet) as tmp:
            layer.to_parquet(tmp, index=False)
        written.append(geoparquet)
    raster = Path(result.suitability_path)
    if raster.parent.resolve() == folder.resolve() and raster.is_file():
        written.append(write_qml_beside(raster, build_suitability_raster_qml()))
        written.append(write_sld_beside(raster, build_suitability_raster_sld(layer=raster.stem)))
        for f in result.factors:  # factor scores 0-1 on the same ramp
            if f.score_path.is_file() and f.score_path.parent.resolve() == folder.resolve():
                written.append(write_qml_beside(f.score_path, build_suitability_raster_qml(maximum=1.0)))
                written.append(write_sld_beside(
                    f.score_path, build_suitability_raster_sld(layer=f.score_path.stem, maximum=1.0)
                ))  # fmt: skip
        exclusion = Path(result.exclusion_path)
        if exclusion.is_file() and exclusion.parent.resolve() == folder.resolve():
            written.append(write_qml_beside(exclusion, build_exclusion_raster_qml()))
            written.append(write_sld_beside(exclusion, build_exclusion_raster_sld(layer=exclusion.stem)))
    sens = folder / "sensitivity.csv"
    with atomic_path(sens) as tmp:
        neutralise_formulas(result.sensitivity_table).to_csv(tmp, index=False)
    written.append(sens)
    if result.zones is not None:
        zones = result.zones.copy()
        if zone_names is not None:
            zones.insert(1, "name", zones.iloc[:, 0].map(zone_names))
        zones_path = folder / "zones.csv"
        with atomic_path(zones_path) as tmp:
            neutralise_formulas(zones.round(4)).to_csv(tmp, index=False)
        written.append(zones_path)
    if result.profile.path is not None and Path(result.profile.path).is_file():
        written.append(
            write_text_atomic(folder / "profile.toml", Path(result.profile.path).read_text(encoding="utf-8"))
        )
    meta: dict[str, Any] = {
        "valleymaps": __version__,
        "profile": result.profile.key,
        "profile_name": result.profile.name,
        "target": target,
        "resolution_m": result.grid.resolution,
        "grid": {
            "width": result.grid.width,
            "height": result.grid.height,
            "bounds": list(result.grid.bounds),
            "crs": settings.ANALYSIS_CRS,
        },
        "weights": result.profile.weights,
        "region_cells": result.region_cells,
        "excluded_cells": result.excluded,
        "suitability": {
            "min": _num(result.overlay.minimum),
            "max": _num(result.overlay.maximum),
            "mean": _num(result.overlay.mean),
        },
        "site_threshold": _num(result.search.threshold),
        "zones_counting_rule": COUNTING_RULE,
        "left_out": list(result.profile.left_out),
        "factors": [
            {
                "key": f.key,
                "name": f.factor.name,
                "weight": f.factor.weight,
                "source": f.note,
                "caveats": list(f.caveats),
                "units": f.factor.units,
                "distance_cap_m": f.cap_m,
                "covered_cells": f.covered_cells,
            }
            for f in result.factors
        ],
    }
    written.append(write_text_atomic(folder / "run.json", json.dumps(meta, indent=2) + "\n"))
    log.info("wrote %d tables in %s", len(written), folder)
    return written


def _sites_description(result: SuitabilityResult, target: str | None) -> str:
    factors = "; ".join(f"{f.factor.name} ({f.factor.weight:g}%): {f.note}" for f in result.factors)
    return (
        f"Candidate sites for {target or result.profile.name} (profile {result.profile.key}), "
        f"ranked by mean suitability on a {result.grid.resolution:g} m grid (EPSG:3310). "
        f"{sites_text(result)} Sources: {factors or 'none'}. "
        f"Vintage: computed {dt.date.today().isoformat()} by valleymaps {__version__}."
    )


def _num(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), 4)


def target_layer(
    result: SuitabilityResult,
    *,
    key: str,
    title: str,
    image: OverlayImage,
    image_url: str,
    source_lines: Sequence[str] = (),
) -> TargetLayer:
    """The page layer of one result."""
    notes = []
    if result.profile.left_out_names:
        notes.append(
            _("Left out, no data in this workspace: {factors}. The other weights were scaled up to 100. Add "
              "the layers (see data/econ/suitability/layers.toml, or 'valleymaps suitability --list') for "
              "the full model.").format(factors="; ".join(result.profile.left_out_names))
        )
    if result.sites.empty:
        notes.append(
            _("No area met the site rules; loosen [sites] in the profile (smaller min_acres, lower "
              "threshold).")
        )
    notes += [f"{f.factor.name}: {caveat}" for f in result.factors for caveat in f.caveats]
    caps = [f for f in result.factors if f.cap_m]
    for f in caps:
        notes.append(_("{factor}: distances beyond {distance} all score the same.").format(
            factor=f.factor.name, distance=format_value(f.cap_m, "m")))
    return TargetLayer(
        key=key,
        title=title,
        description=result.profile.description,
        image_url=image_url,
        bounds=image.bounds,
        sites=result.sites,
        factors=[
            FactorInfo(
                f.key,
                f.factor.name,
                f.factor.weight,
                f.factor.units,
                f.labels,
                source=f.note,
                synthetic=f.synthetic,
            )
            for f in result.factors
        ],
        notes=notes,
        sites_text=sites_text(result),
        source_lines=[f"{f.factor.name}: {f.note}" for f in result.factors],
    )


def preview_and_overlay(result: SuitabilityResult) -> tuple[npt.NDArray[np.float32], Affine, OverlayImage]:
    """A reduced copy of the suitability raster for static maps, and its web overlay image."""
    values, transform = read_preview(result.suitability_path, max_px=defaults.OVERLAY_MAX_PX)
    image = web_overlay(values, transform=transform, crs=result.grid.crs)
    small, small_transform = read_preview(result.suitability_path, max_px=defaults.PNG_MAX_PX)
    return small, small_transform, image
