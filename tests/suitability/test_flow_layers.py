"""Skilled out-commuters and the labour pool from the workspace's commuting flows; interchanges.

The region is the two square counties of ``suitability_files`` cut into eight 10 km tracts;
flows are LODES OD (or ACS) files written in code and imported as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

from lodes_files import write_od_flows
from suitability_files import (
    FRESNO_IC,
    INTERCHANGES,
    KERN_IC,
    LABOUR_PROFILE,
    TRACTS,
    cell_value,
    tract_centre,
    write_points,
    write_tracts,
    write_workspace,
)
from valleymaps.errors import FieldError, WorkspaceError
from valleymaps.io.flows.store import import_flows, load_all_flows
from valleymaps.io.tracts import import_tracts
from valleymaps.render.suitability_image import web_overlay
from valleymaps.suitability.flow_layers import FlowValues, flow_layer_values
from valleymaps.suitability.model import compute_suitability, drop_missing_layers, find_missing_layers
from valleymaps.suitability.profile import parse_profile
from valleymaps.workflows.suitability_inputs import choose_target, gather_suitability_inputs, layer_catalog
from valleymaps.workflows.suitability_outputs import read_preview, target_layer, write_tables
from valleymaps.workspace import Workspace

FRESNO_SW, FRESNO_SE, FRESNO_NW, FRESNO_NE = (g for g in TRACTS if g.startswith("06019"))
KERN_SW, KERN_SE, KERN_NW, KERN_NE = (g for g in TRACTS if g.startswith("06029"))
LA_TRACT, ALAMEDA_TRACT = "06037000100", "06001000100"

#: (home, work, workers, skilled): out of the region to Los Angeles and Alameda, and within it.
FLOWS = [
    (FRESNO_SW, FRESNO_SW, 600, 100),
    (FRESNO_SW, LA_TRACT, 300, 200),
    (FRESNO_SW, KERN_SW, 50, 40),  # Kern is in the region: not an out-commuter of the region
    (FRESNO_SE, ALAMEDA_TRACT, 200, 150),
    (KERN_NW, LA_TRACT, 80, 10),
    (KERN_NW, FRESNO_SW, 20, 5),
    (LA_TRACT, FRESNO_SW, 70, 70),  # lives outside the region: nobody's resident
]


#: A profile of one factor: the region's skilled out-commuters (0 to 350 workers).
RECAPTURE = """
name = "Recapture"
[sites]
min_acres = 100
max_acres = 1000
[[factors]]
key = "skilled"
name = "Skilled out-commuters"
weight = 100
units = "workers"
source = { kind = "table", layer = "skilled_out_commuters", column = "workers" }
transform = { kind = "linear", low = 0, high = 350 }
"""


def _workspace(tmp_path: Path, *, tracts: bool = True) -> Workspace:
    ws = write_workspace(tmp_path / "ws")
    if tracts:
        import_tracts(ws, [write_tracts(tmp_path / "tracts.gpkg")])
    return ws


def _import_od(ws: Workspace, tmp_path: Path, flows, name: str = "ca_od_main_JT00_2021.csv.gz", **kw):
    return import_flows(ws, [write_od_flows(tmp_path / name, flows)], format="lodes-od", **kw)


def _import_acs(ws: Workspace, tmp_path: Path, rows: list[tuple[str, str, int, int]]):
    """ACS county flows as published: (home county, work county, workers, moe)."""
    lines = ["h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe"]
    lines += [f"{h[:2]},{h[2:]},0{w[:2]},{w[2:]},{n},{m}" for h, w, n, m in rows]
    path = tmp_path / "acs_county_flows_2009_2013_us.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return import_flows(ws, [path], format="acs-county")


def _run(ws: Workspace, profile_text: str, folder: Path, *, resolution: float, **layers: Path):
    profile = parse_profile(profile_text)
    catalog = layer_catalog(ws, overrides={k: str(v) for k, v in layers.items()})
    inputs = gather_suitability_inputs(ws, [profile], catalog=catalog)
    return compute_suitability(profile, inputs, folder=folder, resolution=resolution)


def _flow_values(ws: Workspace, name: str, **kwargs) -> FlowValues:
    """A flow layer from the workspace's flows, as the suitability workflow reads them."""
    return flow_layer_values(
        load_all_flows(ws), name, region_counties=tuple(ws.config.region_counties), origin=str(ws.root),
        **kwargs,
    )


def test_lodes_tract_flows_give_skilled_out_commuters_and_resident_workers_per_tract(tmp_path) -> None:
    ws = _workspace(tmp_path)
    _import_od(ws, tmp_path, FLOWS)

    skilled = _flow_values(ws, "skilled_out_commuters", tract_ids=list(TRACTS))
    # residents earning over $3,333 a month working outside the two counties
    assert skilled.level == "tract"
    assert skilled.values[skilled.values > 0].to_dict() == {FRESNO_SW: 200, FRESNO_SE: 150, KERN_NW: 10}
    assert set(skilled.values.index) == set(TRACTS)  # tracts nobody commutes from count 0, not missing
    assert "LEHD LODES8 origin-destination 2021" in skilled.note and "SE03" in skilled.note
    assert "per tract" in skilled.note and not skilled.synthetic
    assert any("aux files" in c for c in skilled.caveats)  # residents working in other states

    workers = _flow_values(ws, "resident_workers", tract_ids=list(TRACTS))
    assert workers.values[workers.values > 0].to_dict() == {FRESNO_SW: 950, FRESNO_SE: 200, KERN_NW: 100}
    assert workers.caveats == ()

    with pytest.raises(FieldError, match="has one column, 'workers'"):
        _flow_values(ws, "resident_workers", column="jobs", tract_ids=list(TRACTS))


def test_without_imported_tracts_the_lodes_county_table_is_used(tmp_path) -> None:
    ws = _workspace(tmp_path, tracts=False)
    _import_od(ws, tmp_path, FLOWS)
    skilled = _flow_values(ws, "skilled_out_commuters")
    assert skilled.level == "county"
    assert skilled.values[["06019", "06029"]].to_dict() == {"06019": 350, "06029": 10}


def test_tract_flows_of_another_census_vintage_fall_back_to_counties_and_say_so(tmp_path) -> None:
    ws = _workspace(tmp_path)

    def other_vintage(geoid: str) -> str:  # same counties, tract codes the workspace does not have
        return geoid[:5] + "99" + geoid[7:] if geoid[:5] in ("06019", "06029") else geoid

    _import_od(ws, tmp_path, [(other_vintage(h), other_vintage(w), n, s) for h, w, n, s in FLOWS])
    workers = _flow_values(ws, "resident_workers", tract_ids=list(TRACTS))
    assert workers.level == "county"
    assert workers.values[["06019", "06029"]].to_dict() == {"06019": 1150, "06029": 100}
    assert any("different census vintage" in c for c in workers.caveats)


def test_acs_flows_count_all_out_commuters_and_the_map_says_so(tmp_path) -> None:
    ws = _workspace(tmp_path)
    _import_acs(
        ws,
        tmp_path,
        [("06019", "06019", 900, 40), ("06019", "06037", 300, 30), ("06019", "06001", 50, 12),
         ("06029", "06019", 70, 9), ("06029", "06037", 40, 8)],
    )  # fmt: skip
    skilled = _flow_values(ws, "skilled_out_commuters", tract_ids=list(TRACTS))
    assert skilled.level == "county"  # ACS has no tracts
    assert skilled.values[["06019", "06029"]].to_dict() == {"06019": 350, "06029": 40}  # all earnings
    assert "residents who work outside the region, whatever they earn" in skilled.note
    assert "ACS 2009–2013" in skilled.note

    result = _run(ws, RECAPTURE, tmp_path / "out", resolution=1000)
    assert cell_value(result.folder / "factor-skilled-value.tif", 5_500, 5_500) == 350
    assert cell_value(result.suitability_path, 35_500, 15_500) == pytest.approx(100 * 40 / 350)
    values, transform = read_preview(result.suitability_path)
    layer = target_layer(
        result, key="r", title="R", image=web_overlay(values, transform=transform, crs=result.grid.crs),
        image_url="r.png",
    )  # fmt: skip
    caveat = next(n for n in layer.notes if "no earnings segments" in n)
    assert caveat.startswith("Skilled out-commuters: ACS 2009–2013")
    assert "these are all residents who work outside the region" in caveat
    assert "not only those earning more than $3,333 a month" in caveat
    assert any(line.startswith("Skilled out-commuters: ACS") for line in layer.source_lines)
    write_tables(result, tmp_path / "out")
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert "no earnings segments" in run["factors"][0]["caveats"][0]


def test_real_lodes_beats_synthetic_and_synthetic_flows_are_labelled(tmp_path) -> None:
    ws = _workspace(tmp_path)
    _import_od(ws, tmp_path, FLOWS[:1], name="ca_od_main_JT00_2021_synthetic.csv.gz", year=2021)
    only = _flow_values(ws, "resident_workers", tract_ids=list(TRACTS))
    assert only.synthetic and "(synthetic sample data)" in only.note
    _import_acs(ws, tmp_path, [("06019", "06019", 5, 1)])
    real = _flow_values(ws, "resident_workers", tract_ids=list(TRACTS))
    assert not real.synthetic and real.level == "county" and "ACS" in real.note


def test_a_file_given_for_the_layer_is_used_instead_of_the_flows(tmp_path) -> None:
    ws = _workspace(tmp_path)
    _import_od(ws, tmp_path, FLOWS)
    table = tmp_path / "pool.csv"
    table.write_text("geoid,workers\n06019,4200\n06029,0\n", encoding="utf-8")
    interchanges = write_points(tmp_path / "ic.gpkg", INTERCHANGES)
    result = _run(
        ws,
        LABOUR_PROFILE,
        tmp_path / "out",
        resolution=1000,
        resident_workers=table,
        interchanges=interchanges,
    )
    assert result.factors[0].note.startswith("pool.csv, column workers")
    assert cell_value(result.folder / "factor-labour-value.tif", 5_500, 5_500) == 4200


def test_without_flows_the_layers_are_missing_with_the_fix_and_left_out(tmp_path) -> None:
    ws = _workspace(tmp_path)
    profile = parse_profile(LABOUR_PROFILE)
    catalog = layer_catalog(ws)
    missing = find_missing_layers(profile, catalog)
    assert set(missing) == {"factor 'labour'", "factor 'interchange'"}
    assert "no commuting flows to derive it from" in missing["factor 'labour'"]
    assert "valleymaps import flows" in missing["factor 'labour'"]
    _import_od(ws, tmp_path, FLOWS)
    assert set(find_missing_layers(profile, layer_catalog(ws))) == {"factor 'interchange'"}
    trimmed = drop_missing_layers(profile, layer_catalog(ws))
    assert trimmed.weights == {"labour": 100.0}
    assert trimmed.left_out_names == ("Close to an interchange (50%)",)
    with pytest.raises(WorkspaceError, match=r"has none\. Import some"):
        _flow_values(_workspace(tmp_path / "empty", tracts=False), "resident_workers")


def test_cells_near_interchanges_and_a_large_labour_pool_score_higher(tmp_path) -> None:
    """Hand-reasoned: every Fresno tract has 1,000 employed residents, every Kern tract 100.

    Tract centres are 10 km apart (diagonals 14.1 km), so within 15 km of a tract lie its own
    and its horizontal, vertical and diagonal neighbours: the western Fresno tracts reach the
    four Fresno tracts (4,000), the eastern ones also two Kern tracts (4,200), the western
    Kern tracts two Fresno and four Kern tracts (2,400), the eastern Kern tracts 400.
    """
    ws = _workspace(tmp_path)
    flows = [(g, g, 1000 if g.startswith("06019") else 100, 0) for g in TRACTS]
    _import_od(ws, tmp_path, flows)
    interchanges = write_points(tmp_path / "ic.gpkg", INTERCHANGES)
    result = _run(ws, LABOUR_PROFILE, tmp_path / "out", resolution=500, interchanges=interchanges)
    pool = {FRESNO_SW: 4000, FRESNO_NW: 4000, FRESNO_SE: 4200, FRESNO_NE: 4200,
            KERN_SW: 2400, KERN_NW: 2400, KERN_SE: 400, KERN_NE: 400}  # fmt: skip
    for geoid, expected in pool.items():
        assert cell_value(result.folder / "factor-labour-value.tif", *tract_centre(geoid)) == expected, geoid
    assert ", per tract (living); sum over the tracts within 15 km" in result.factors[0].note

    def suitability(x: float, y: float) -> float:
        return cell_value(result.suitability_path, x, y)

    def by_hand(x: float, y: float, geoid: str, interchange: tuple[float, float]) -> float:
        distance = float(np.hypot(x - interchange[0], y - interchange[1]))
        return 50 * pool[geoid] / 4200 + 50 * max(0.0, 1 - distance / 10_000)

    assert suitability(*FRESNO_IC) == pytest.approx(100)  # the biggest pool and an interchange
    for x, y, geoid in [(19_750, 250, FRESNO_SE), (13_250, 5_250, FRESNO_SE), (5_250, 9_750, FRESNO_SW)]:
        assert suitability(x, y) == pytest.approx(by_hand(x, y, geoid, FRESNO_IC), abs=1e-3)
    # same tract: nearer the interchange is better; same distance: the bigger pool is better
    assert suitability(15_250, 7_250) > suitability(15_250, 9_750) > suitability(19_750, 250)
    two_km_west = [suitability(x - 2000, y) for x, y in (FRESNO_IC, KERN_IC)]
    assert two_km_west == pytest.approx([50 + 40, 50 * 400 / 4200 + 40], abs=1e-3)
    best = result.selected_sites.iloc[0]
    assert best.geometry.distance(Point(*FRESNO_IC)) < 1000
    assert best["labour_value"] == pytest.approx(4200, rel=0.05)


def test_shipped_profiles_use_interchanges_and_the_labour_pool_left_out_when_missing(tmp_path) -> None:
    ws = _workspace(tmp_path)
    _import_od(ws, tmp_path, [(g, g, 500, 100) for g in TRACTS] + [(FRESNO_SW, LA_TRACT, 400, 300)])
    catalog = layer_catalog(ws)
    for target in ("Motor vehicle parts manufacturing", "Plastics bottle manufacturing"):
        profile = choose_target(target).profile
        assert profile.factor("interchange").source.ref.layer == "interchanges"
        assert sum(profile.weights.values()) == pytest.approx(100)
        trimmed = drop_missing_layers(profile, catalog)
        assert "interchange" not in trimmed.weights
        assert "Close to a highway interchange (truck access) (25%)" in trimmed.left_out_names
    for target in ("Scientific research and development services", "Management, scientific, and "
                   "technical consulting services"):  # fmt: skip
        profile = choose_target(target).profile
        labour = profile.factor("labour_pool").source
        assert (labour.ref.layer, labour.reach_m) == ("resident_workers", 30_000)
        trimmed = drop_missing_layers(profile, catalog)
        assert {"labour_pool", "skilled_outcommuters"} <= set(trimmed.weights)  # derived from the flows


def test_profiles_on_the_same_inputs_derive_a_flow_layer_once(tmp_path, monkeypatch) -> None:
    # the atlas runs several profiles on one set of inputs: the flow-derived layer is computed
    # once and the second profile reads the same values
    import valleymaps.suitability.flow_layers as flow_layers

    ws = _workspace(tmp_path)
    _import_acs(ws, tmp_path, [("06019", "06037", 300, 30), ("06029", "06037", 40, 8)])
    calls = []
    real = flow_layers.flow_layer_values
    monkeypatch.setattr(flow_layers, "flow_layer_values", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    profile = parse_profile(RECAPTURE)
    inputs = gather_suitability_inputs(ws, [profile], catalog=layer_catalog(ws))
    first = compute_suitability(profile, inputs, folder=tmp_path / "a", resolution=1000)
    second = compute_suitability(profile, inputs, folder=tmp_path / "b", resolution=1000)
    assert calls == ["skilled_out_commuters"]
    for result in (first, second):
        assert cell_value(result.folder / "factor-skilled-value.tif", 5_500, 5_500) == 300
