"""Cluster metrics as suitability factors fall back to counties where tracts lack them."""

from valleymaps.io.employment.store import import_employment
from valleymaps.io.tracts import import_tracts
from valleymaps.suitability.places import cluster_metric_values
from valleymaps.workspace import init_workspace
from workspace_files import write_square_tracts, write_tract_employment


def test_component_metric_falls_back_to_counties_for_sector_only_tract_data(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    geoids = write_square_tracts(tmp_path / "tracts.geojson", list(ws.config.region_counties))
    import_tracts(ws, [tmp_path / "tracts.geojson"])
    import_employment(ws, [write_tract_employment(tmp_path / "jobs.csv", geoids)], format="csv")

    # whole clusters exist at tract level (sector proxy) ...
    values, level, _ = cluster_metric_values(ws, metric="employment", cluster="agriculture")
    assert level == "tract" and set(values.index) == set(geoids)
    # ... components do not (sector-only data), so the counties' values are used
    values, level, _ = cluster_metric_values(
        ws, metric="lq", cluster="agriculture", component="processing_and_packaging"
    )
    assert level == "county"
    assert set(values.index) == set(ws.config.region_counties) and values.notna().all()


def test_sector_only_lodes_leaves_out_the_component_factor_not_the_profile(tmp_path):
    import pytest

    from lodes_files import write_wac
    from valleymaps.errors import EmptyLayerError
    from valleymaps.suitability.atlas_section import _compute_leaving_out_empty
    from valleymaps.suitability.catalog import list_profiles
    from valleymaps.suitability.layers import layer_catalog
    from valleymaps.suitability.places import load_region

    ws = init_workspace(tmp_path / "ws")
    geoids = write_square_tracts(tmp_path / "tracts.geojson", list(ws.config.region_counties))
    import_tracts(ws, [tmp_path / "tracts.geojson"])
    wac = write_wac(tmp_path / "ca_wac_S000_JT00_2021.csv.gz", geoids)
    import_employment(ws, [wac], format="lodes-wac")  # tracts and counties, sectors only

    with pytest.raises(EmptyLayerError, match=r"needs NAICS detail that sector-only data such as LODES"):
        cluster_metric_values(
            ws, metric="lq", cluster="manufacturing", component="electronics_and_electrical"
        )

    profile = next(p for p in list_profiles(ws) if p.key == "metals-vehicle-parts")
    result = _compute_leaving_out_empty(
        profile, layer_catalog(ws), region=load_region(ws), folder=tmp_path / "run", ws=ws,
        resolution=5000, projects=None, cog=False,
    )
    notes = " ".join(result.profile.left_out)
    assert "give no cluster metric 'lq'" in notes and "Import County Business Patterns" in notes
    assert result.profile.factors  # the profile runs on its other factors, weights rescaled
    assert sum(f.weight for f in result.profile.factors) == pytest.approx(100)
