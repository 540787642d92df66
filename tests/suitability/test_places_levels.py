"""Cluster metrics as suitability factors fall back to counties where tracts lack them."""

from suitability_files import metals_lq_profile
from valleymaps.io.employment.store import import_employment
from valleymaps.io.tracts import import_tracts
from valleymaps.suitability.places import cluster_metric_values
from valleymaps.workflows.suitability_inputs import gather_suitability_inputs
from valleymaps.workspace import Workspace, init_workspace
from workspace_files import write_square_tracts, write_tract_employment


def _metric_inputs(ws: Workspace):
    """What a cluster-metric factor reads, from the workspace (tracts and counties)."""
    from valleymaps.suitability.profile import parse_profile

    profile = parse_profile(
        'name = "m"\n[[factors]]\nkey = "m"\nweight = 100\n'
        'source = { kind = "cluster_metric", metric = "lq", cluster = "agriculture" }\n'
        'transform = { kind = "identity" }\n'
    )
    return gather_suitability_inputs(ws, [profile])


def test_component_metric_falls_back_to_counties_for_sector_only_tract_data(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    geoids = write_square_tracts(tmp_path / "tracts.geojson", list(ws.config.region_counties))
    import_tracts(ws, [tmp_path / "tracts.geojson"])
    import_employment(ws, [write_tract_employment(tmp_path / "jobs.csv", geoids)], format="csv")

    # whole clusters exist at tract level (sector proxy) ...
    inputs = _metric_inputs(ws)
    assert set(inputs.cluster_metrics) == {"tract", "county"}
    values, level, _ = cluster_metric_values(inputs, metric="employment", cluster="agriculture")
    assert level == "tract" and set(values.index) == set(geoids)
    # ... components do not (sector-only data), so the counties' values are used
    values, level, _ = cluster_metric_values(
        inputs, metric="lq", cluster="agriculture", component="processing_and_packaging"
    )
    assert level == "county"
    assert set(values.index) == set(ws.config.region_counties) and values.notna().all()


def test_sector_only_lodes_leaves_out_the_component_factor_not_the_profile(tmp_path):
    import pytest

    from lodes_files import write_wac
    from valleymaps.errors import EmptyLayerError
    from valleymaps.workflows.suitability_inputs import list_profiles
    from valleymaps.workflows.suitability_pages import _compute_leaving_out_empty

    ws = init_workspace(tmp_path / "ws")
    geoids = write_square_tracts(tmp_path / "tracts.geojson", list(ws.config.region_counties))
    import_tracts(ws, [tmp_path / "tracts.geojson"])
    wac = write_wac(tmp_path / "ca_wac_S000_JT00_2021.csv.gz", geoids)
    import_employment(ws, [wac], format="lodes-wac")  # tracts and counties, sectors only

    with pytest.raises(EmptyLayerError, match=r"needs NAICS detail that sector-only data such as LODES"):
        cluster_metric_values(
            _metric_inputs(ws), metric="lq", cluster="manufacturing", component="electronics_and_electrical"
        )

    profile = next(p for p in list_profiles(ws) if p.key == "metals-vehicle-parts")
    result = _compute_leaving_out_empty(
        profile, gather_suitability_inputs(ws, [profile]), folder=tmp_path / "run", resolution=5000,
        cog=False,
    )
    notes = " ".join(result.profile.left_out)
    assert "give no cluster metric 'lq'" in notes and "Import County Business Patterns" in notes
    assert result.profile.factors  # the profile runs on its other factors, weights rescaled
    assert sum(f.weight for f in result.profile.factors) == pytest.approx(100)


LQ_PROFILE = metals_lq_profile(lq_name="Metals LQ", share_name="Manufacturing share")


def test_run_target_leaves_out_a_component_lq_only_when_allowed(tmp_path):
    import json

    import pytest

    from lodes_files import write_wac
    from valleymaps.errors import EmptyLayerError
    from valleymaps.workflows.suitability_run import run_target

    ws = init_workspace(tmp_path / "ws")
    geoids = write_square_tracts(tmp_path / "tracts.geojson", list(ws.config.region_counties))
    import_tracts(ws, [tmp_path / "tracts.geojson"])
    import_employment(ws, [write_wac(tmp_path / "ca_wac_S000_JT00_2021.csv.gz", geoids)], format="lodes-wac")
    profile = tmp_path / "lq.toml"
    profile.write_text(LQ_PROFILE, encoding="utf-8")
    out = tmp_path / "out"

    with pytest.raises(EmptyLayerError) as err:
        run_target(ws, "", profile_path=profile, resolution=5000, png=False, out_dir=out)
    text = str(err.value)
    assert "factor 'Metals LQ' (metals_lq, weight 60)" in text and "--allow-missing" in text
    assert "Import County Business Patterns" in text and err.value.factor == "metals_lq"
    assert not out.exists() and not list(tmp_path.glob(".out-build-*"))

    run = run_target(
        ws, "", profile_path=profile, resolution=5000, png=False, out_dir=out, allow_missing=True
    )
    assert [f.key for f in run.result.profile.factors] == ["manufacturing_share"]
    assert run.result.profile.factors[0].weight == pytest.approx(100)
    assert "Metals LQ (weight 60) left out" in run.result.profile.left_out[0]
    meta = json.loads((out / "run.json").read_text())
    assert meta["weights"] == {"manufacturing_share": 100.0}
    assert sorted(p.name for p in out.glob("factor-*.tif")) == [
        "factor-manufacturing_share-value.tif", "factor-manufacturing_share.tif"
    ]
