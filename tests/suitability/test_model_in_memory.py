"""The suitability model runs on tables and frames in memory: no workspace on disk.

A notebook (or another program) builds the inputs itself: the region's counties and tracts,
cluster metrics per county, commuting flows per tract and a project inventory. Only the
output folder is on disk.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from suitability_files import FRESNO, KERN, KM, TRACTS, cell_value, factor, profile_toml, tract_centre
from valleymaps.io.flows.dataset import FlowDataset
from valleymaps.suitability.inputs import LevelMetrics, SuitabilityInputs
from valleymaps.suitability.layers import LayerCatalog, MemoryLayer
from valleymaps.suitability.model import compute_suitability, drop_missing_layers
from valleymaps.suitability.profile import parse_profile

PROFILE = profile_toml(
    "Manufacturing near workers and roads",
    sites={"count": 2, "min_acres": 100, "max_acres": 20000, "threshold": 0},
    factors=[
        factor("mfg_lq", 40, {"kind": "cluster_metric", "metric": "lq", "cluster": "manufacturing"},
               {"kind": "linear", "low": 0, "high": 2}),
        factor("workers", 40, {"kind": "table", "layer": "resident_workers", "column": "workers"},
               {"kind": "linear", "low": 0, "high": 400}),
        factor("roads", 20, {"kind": "distance", "layer": "projects",
                             "where": {"column": "category", "values": ["transportation"]}},
               {"kind": "inverse", "low": 0, "high": 40000}),
    ],
)

#: Manufacturing LQ per county, and employed residents per tract (Fresno's 100, Kern's 300).
LQ = {"06019": 1.5, "06029": 0.5}
RESIDENTS = {g: 100 if g.startswith("06019") else 300 for g in TRACTS}


def _inputs() -> SuitabilityInputs:
    region = gpd.GeoDataFrame({"geoid": ["06019", "06029"], "name": ["Fresno", "Kern"]},
                              geometry=[FRESNO, KERN], crs=3310)  # fmt: skip
    tracts = gpd.GeoDataFrame(
        {"geoid": list(TRACTS), "name": list(TRACTS)},
        geometry=[box(x, y, x + 10 * KM, y + 10 * KM) for x, y in TRACTS.values()],
        crs=3310,
    )
    metrics = pd.DataFrame({"geoid": list(LQ), "level": "county", "cluster": "manufacturing",
                            "component": "", "lq": list(LQ.values())})  # fmt: skip
    od = pd.DataFrame({"h_geoid": list(RESIDENTS), "w_geoid": list(RESIDENTS),
                       "workers": list(RESIDENTS.values()), "workers_moe": float("nan")})  # fmt: skip
    county_od = od.assign(h_geoid=od["h_geoid"].str[:5], w_geoid=od["w_geoid"].str[:5])
    county_od = county_od.groupby(["h_geoid", "w_geoid"], as_index=False).agg(
        workers=("workers", "sum"), workers_moe=("workers_moe", "first")
    )
    flows = FlowDataset("od", "lodes-od", "Test flows", "2021", {"tract": od, "county": county_od})
    projects = gpd.GeoDataFrame(
        {"name": ["Interchange", "Canal"], "category": ["transportation", "water"]},
        geometry=[Point(5.5 * KM, 5.5 * KM), Point(35.5 * KM, 15.5 * KM)],
        crs=3310,
    ).to_crs(4326)
    return SuitabilityInputs(
        region=region,
        catalog=LayerCatalog(root=None, flows=("od",), memory={"projects": MemoryLayer(projects, "list")}),
        tracts=tracts,
        region_counties=("06019", "06029"),
        cluster_keys=("manufacturing",),
        cluster_metrics={"county": LevelMetrics(metrics, "Test employment (2021)")},
        flows=(flows,),
        projects=projects,
    )


def test_the_model_runs_from_tables_and_frames_in_memory(tmp_path: Path) -> None:
    profile = parse_profile(PROFILE)
    inputs = _inputs()
    assert drop_missing_layers(profile, inputs.catalog) == profile  # every layer is there, in memory
    result = compute_suitability(profile, inputs, folder=tmp_path / "out", resolution=1000, cog=False)

    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing but the outputs on disk
    fresno, kern = tract_centre("06019000400"), tract_centre("06029000400")
    out = tmp_path / "out"
    assert cell_value(out / "factor-mfg_lq-value.tif", *fresno) == pytest.approx(1.5)
    assert cell_value(out / "factor-mfg_lq-value.tif", *kern) == pytest.approx(0.5)
    assert cell_value(out / "factor-workers-value.tif", *fresno) == pytest.approx(100)
    assert cell_value(out / "factor-workers-value.tif", *kern) == pytest.approx(300)
    # the water project is filtered out: Kern's north-east tract is far from the only road project
    assert cell_value(out / "factor-roads-value.tif", 5.5 * KM, 5.5 * KM) == 0
    assert cell_value(out / "factor-roads-value.tif", *kern) > 25 * KM

    notes = {f.key: f.note for f in result.factors}
    assert notes["mfg_lq"] == "Test employment (2021)" and notes["roads"] == "list"
    assert "Test flows" in notes["workers"]
    roads = cell_value(out / "factor-roads.tif", *fresno)
    expected = 40 * (1.5 / 2) + 40 * (100 / 400) + 20 * roads
    assert cell_value(result.suitability_path, *fresno) == pytest.approx(expected, rel=1e-5)
    assert set(result.sites["nearest_project"]) <= {"Interchange", "Canal"}
    assert set(result.sites["county"]) <= {"Fresno", "Kern"}


def test_a_flow_table_without_flows_says_where_none_are(tmp_path: Path) -> None:
    from dataclasses import replace

    from valleymaps.errors import WorkspaceError

    profile = parse_profile(PROFILE).without_factors(["mfg_lq", "roads"])
    inputs = replace(_inputs(), tracts=None, flows=(), origin="my notebook")
    with pytest.raises(WorkspaceError, match="commuting flows, and my notebook has none"):
        compute_suitability(profile, inputs, folder=tmp_path / "out", resolution=1000, cog=False)
