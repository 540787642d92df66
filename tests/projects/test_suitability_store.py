"""Site suitability reads the project inventory through the project store, as every command does.

A profile's ``projects`` layer and each site's nearest project come from PostGIS when
``$VALLEYMAPS_DB_URL`` is set, else from ``data/geo/projects.gpkg``: the same inventory gives
the same rasters whichever store holds it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyproj import Transformer

from project_files import row, write_csv
from suitability_files import KM, factor, profile_toml, write_layers, write_profile, write_workspace
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import DB_URL_ENV
from valleymaps.workflows.suitability_run import run_target

PROFILE = profile_toml(
    "Near transport projects",
    sites={"count": 2, "min_acres": 100, "max_acres": 2000, "threshold": 0},
    factors=[
        factor("rail", 50, {"kind": "distance", "layer": "rail"},
               {"kind": "inverse", "low": 0, "high": 20000}),
        factor("transport_projects", 50, {"kind": "distance", "layer": "projects",
                                          "where": {"column": "category", "values": ["transportation"]}},
               {"kind": "inverse", "low": 0, "high": 30000}),
    ],
)


def _lonlat(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(3310, 4326, always_xy=True).transform(x, y)


def _inventory(tmp_path: Path) -> Path:
    """A road project in Fresno and a water project in Kern (the squares of suitability_files)."""
    return write_csv(tmp_path / "ftip.csv", [
        row("P1", "Depot road", kind="Road", at=_lonlat(5 * KM, 15 * KM)),
        row("P2", "Canal lining", kind="Water", at=_lonlat(35 * KM, 5 * KM)),
    ])  # fmt: skip


def _run(ws, profile: Path, rail: Path, out: Path):
    return run_target(ws, "", profile_path=profile, resolution=1000, layers={"rail": str(rail)},
                      png=False, out_dir=out)  # fmt: skip


def test_a_postgis_inventory_gives_the_factor_rasters_of_the_same_geopackage_inventory(
    tmp_path: Path, pg_url: str, pg_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    csv = _inventory(tmp_path)
    profile = write_profile(tmp_path / "near-projects.toml", PROFILE)
    rail = write_layers(tmp_path / "layers")["rail"]

    gpkg_ws = write_workspace(tmp_path / "gpkg")
    import_projects(csv, ws=gpkg_ws)
    pg_ws = write_workspace(tmp_path / "pg")
    table = f"{pg_schema}.infrastructure_projects"
    import_projects(csv, ws=pg_ws, db_url=pg_url, table=table)
    assert not (pg_ws.geo_dir / "projects.gpkg").exists()  # the inventory is only in PostGIS

    from_gpkg = _run(gpkg_ws, profile, rail, tmp_path / "from-gpkg")
    monkeypatch.setenv(DB_URL_ENV, pg_url)
    monkeypatch.setattr("valleymaps.projects.store.PROJECTS_TABLE", table)  # this test's own schema
    from_pg = _run(pg_ws, profile, rail, tmp_path / "from-postgis")

    rasters = sorted(p.name for p in from_gpkg.folder.glob("*.tif"))
    assert "factor-transport_projects.tif" in rasters and "factor-transport_projects-value.tif" in rasters
    assert sorted(p.name for p in from_pg.folder.glob("*.tif")) == rasters
    for name in rasters:
        assert (from_pg.folder / name).read_bytes() == (from_gpkg.folder / name).read_bytes(), name
    # only the road counts (the where filter ran on the store's category column)
    assert from_pg.result.factors[1].value_max > 0 and from_pg.result.factors[1].value_min == 0
    # each site's nearest project comes from PostGIS too
    sites_pg, sites_gpkg = from_pg.result.sites, from_gpkg.result.sites
    assert len(sites_pg) and sites_pg["nearest_project"].tolist() == sites_gpkg["nearest_project"].tolist()
    assert set(sites_pg["nearest_project"]) <= {"Depot road", "Canal lining"}
