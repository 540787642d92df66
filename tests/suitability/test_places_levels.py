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
