"""A region as large as a state: a valleymaps.toml naming all 58 California counties works for the
pieces that run as tasks (suitability targets, LODES OD files), here and on a cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from lodes_files import od_row, write_od
from suitability_files import PROFILE, write_layers, write_profile, write_water_raster
from valleymaps.io.flows.store import import_flows
from valleymaps.workflows.suitability_run import run_targets
from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace

KM = 1000.0
#: California's 58 county GEOIDs; each a 5 km square of a 10 x 6 grid (50 x 30 km in all).
COUNTIES = [f"06{c:03d}" for c in range(1, 116, 2)]
SQUARES = {g: box((i % 10) * 5 * KM, (i // 10) * 5 * KM, (i % 10 + 1) * 5 * KM, (i // 10 + 1) * 5 * KM)
           for i, g in enumerate(COUNTIES)}


def state_workspace(root: Path) -> Workspace:
    (root / "data" / "geo").mkdir(parents=True)
    (root / "data" / "econ" / "suitability").mkdir(parents=True)
    listed = ", ".join(f'"{g}" = "County {g}"' for g in COUNTIES)
    config = "\n".join(f"counties = {{ {listed} }}" if line.startswith("counties =") else line
                       for line in DEFAULT_CONFIG.splitlines())
    (root / CONFIG_NAME).write_text(config.replace('"San Joaquin Valley"', '"California"') + "\n")
    gpd.GeoDataFrame({"geoid": COUNTIES, "name": [f"County {g}" for g in COUNTIES], "in_region": True},
                     geometry=list(SQUARES.values()), crs=3310).to_crs(4326).to_file(
        root / "data" / "geo" / "ca_counties.geojson", driver="GeoJSON")
    write_profile(root / "data" / "econ" / "suitability" / "test-plants.toml", PROFILE)
    return Workspace.open(root)


def test_all_58_counties_as_the_region_for_suitability_and_lodes(tmp_path: Path, executor: Any) -> None:
    ws = state_workspace(tmp_path / "ws")
    assert len(ws.config.region_counties) == 58 and ws.config.region_name == "California"
    layers: dict[str, Any] = write_layers(tmp_path / "layers")
    layers["water"] = write_water_raster(tmp_path / "layers" / "water.tif",
                                         bounds_3310=(-5 * KM, -5 * KM, 55 * KM, 35 * KM))
    (tmp_path / "layers" / "workers.csv").write_text(
        "geoid,workers\n" + "".join(f"{g},{100 + 3 * i}\n" for i, g in enumerate(COUNTIES)))
    here = run_targets(ws, ["test-plants"], layers=layers, resolution=1000, png=False,
                       out_dir=tmp_path / "here")
    there = run_targets(ws, ["test-plants"], layers=layers, resolution=1000, png=False,
                        out_dir=tmp_path / "there", executor=executor)
    result = there[0].result
    assert (result.grid.width, result.grid.height) == (50, 30)
    zones = pd.read_csv(there[0].folder / "zones.csv", dtype={"geoid": str})
    assert sorted(zones["geoid"]) == COUNTIES  # every county summarised, none assumed
    assert set(result.sites["county"]) <= {f"County {g}" for g in COUNTIES} and len(result.sites) > 0
    tif = "suitability.tif"
    assert (here[0].folder / tif).read_bytes() == (there[0].folder / tif).read_bytes()

    # LODES: commuters between counties across the whole state, two files read as two tasks
    rows = [od_row(f"{w}0001001000", f"{h}0001001000", 1 + (i % 7))
            for i, (w, h) in enumerate(zip(COUNTIES, COUNTIES[5:] + COUNTIES[:5], strict=True))]
    paths = [write_od(tmp_path / "od" / "ca_od_main_JT00_2021.csv.gz", rows),
             write_od(tmp_path / "od" / "ca_od_aux_JT00_2021.csv.gz", rows[:20])]
    dataset = import_flows(ws, paths, format="lodes-od", executor=executor)
    tract = dataset.tables["tract"]
    assert len(tract) == 58 and tract["workers"].sum() == sum(1 + (i % 7) for i in range(58)) + sum(
        1 + (i % 7) for i in range(20))
    assert set(tract["h_geoid"].str[:5]) == set(COUNTIES)  # tract pairs kept for all 58 counties
