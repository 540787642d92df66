"""A cluster page with eleven years of every metric over the 760 real tracts stays under 2 MB."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from valleymaps import settings
from valleymaps.errors import GeometryRepairedWarning
from valleymaps.io.tracts import read_tracts
from valleymaps.render.choropleth import LevelLayer, MapText, places_geojson, render_choropleth
from valleymaps.render.metric_specs import cluster_metric_specs, component_metric_spec
from valleymaps.render.web_geometry import prepare_web_geometry
from valleymaps.workspace import bundled_data_dir

REPO = Path(__file__).resolve().parents[2]
REALDATA = Path(os.environ.get("VALLEYMAPS_REALDATA", REPO.parent / "shared" / "realdata")).resolve()
TRACT_FILES = sorted((REALDATA / "tracts").glob("*.topo.json"))
YEARS = list(range(2011, 2022))
COMPONENTS = ["c1", "c2", "c3", "c4", "c5", "c6"]  # as many as the largest cluster (manufacturing)
LIMIT = 2_000_000

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not TRACT_FILES, reason=f"no real tract files in {REALDATA}"),
]


def _series(geoids: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Every annual metric, every year, every component: unrounded numbers, a few withheld."""
    frames = []
    for component in ["", *COMPONENTS]:
        for year in YEARS:
            n = len(geoids)
            jobs = rng.gamma(1.5, 300.0, n)
            jobs[rng.random(n) < 0.03] = np.nan
            frames.append(pd.DataFrame({
                "geoid": geoids, "component": component, "year": year, "employment": jobs,
                "share": rng.random(n) * 0.4, "lq": rng.gamma(2.0, 0.6, n),
                "yoy_change": rng.normal(0, 40, n) if year > YEARS[0] else np.nan,
                "flag": np.where(np.isnan(jobs), "D", ""),
            }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def _span(geoids: list[str], rng: np.random.Generator) -> pd.DataFrame:
    n = len(geoids)
    frames = []
    for component in ["", *COMPONENTS]:
        frames.append(pd.DataFrame({
            "geoid": geoids, "component": component, "employment": rng.gamma(1.5, 300.0, n),
            "employment_base": rng.gamma(1.5, 300.0, n), "share": rng.random(n),
            "lq": rng.gamma(2.0, 0.6, n), "growth_rate": rng.normal(0.1, 0.3, n),
            "change": rng.normal(20, 80, n), "cagr": rng.normal(0.01, 0.03, n),
            "ss_regional_shift": rng.normal(0, 50, n), "ss_reference_growth": rng.normal(5, 5, n),
            "ss_industry_mix": rng.normal(0, 5, n), "flag": "", "reference_name": "California",
            "yoy_change": rng.normal(0, 40, n),
        }))  # fmt: skip
    span = pd.concat(frames, ignore_index=True)
    for metric in ("employment", "share", "lq", "growth_rate", "change", "ss_regional_shift"):
        span[f"rank_{metric}"] = span.groupby("component")[metric].rank(method="min", ascending=False)
    return span


def test_eleven_years_of_every_metric_over_760_tracts_stay_under_2_mb(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeometryRepairedWarning)
        tracts = read_tracts(TRACT_FILES, assume_crs="EPSG:4326").gdf
    assert len(tracts) == 760
    tract_places = prepare_web_geometry(tracts[["geoid", "name", "geometry"]].reset_index(drop=True))
    counties = gpd.read_file(bundled_data_dir() / "geo" / "ca_counties.geojson")
    counties = counties[counties["geoid"].isin(list(settings.VALLEY_COUNTIES))].reset_index(drop=True)
    county_places = prepare_web_geometry(
        counties[["geoid", "name", "geometry"]], tolerance_m=settings.COUNTY_SIMPLIFY_TOLERANCE_M
    )
    rng = np.random.default_rng(12)
    layers = []
    for level, places, show in (("county", county_places, True), ("tract", tract_places, False)):
        geoids = places["geoid"].tolist()
        layers.append(LevelLayer(level, level.title(), f"{level}s in the region", places,
                                 _span(geoids, rng), show=show, geojson=places_geojson(places),
                                 series=_series(geoids, rng)))  # fmt: skip
    specs = cluster_metric_specs(has_change=True, annual=True, has_yoy=True)
    specs += [component_metric_spec(c, f"Component {c}", annual=True) for c in COMPONENTS]
    fmap = render_choropleth(
        layers, specs, text=MapText(title="Manufacturing cluster"), year=2021, base_year=2011,
        outlines=county_places, years=YEARS,
    )  # fmt: skip
    page = tmp_path / "cluster.html"
    fmap.save(str(page))
    size = page.stat().st_size
    print(f"\n760 tracts x 11 years x {len(specs)} metrics: {size:,} bytes")
    assert size < LIMIT, f"{size:,} bytes"
    html = page.read_text(encoding="utf-8")
    assert html.count('"type":"Feature"') == 760 + 8 + 8  # tracts, counties, county outlines: once
    assert '"2015":{"cls":' in html
