from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from valleymaps.render.web_geometry import prepare_web_geometry

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"


def grid_tracts(n=6, size=0.05, wiggle=True):
    """n x n square 'tracts' near Fresno sharing edges, with detailed (vertex-rich) edges."""
    polys = []
    for i in range(n):
        for j in range(n):
            x0, y0 = -119.8 + i * size, 36.7 + j * size
            polys.append(box(x0, y0, x0 + size, y0 + size).segmentize(size / 40))
    return gpd.GeoDataFrame({"geoid": [f"06019{k:06d}" for k in range(n * n)]}, geometry=polys, crs=4326)


def assert_clean_coverage(geoms):
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)  # no overlaps, shared edges identical


def test_simplified_neighbours_still_share_edges():
    tracts = grid_tracts()
    web = prepare_web_geometry(tracts, tolerance_m=200)
    assert len(web) == len(tracts) and web.crs.to_epsg() == 4326
    assert_clean_coverage(web.geometry.to_numpy())
    # fewer vertices, same outer area (no gaps opened)
    assert shapely.get_num_coordinates(web.geometry.to_numpy()).sum() < shapely.get_num_coordinates(
        tracts.geometry.to_numpy()
    ).sum()
    assert web.union_all().area == pytest.approx(tracts.union_all().area, rel=1e-3)


def test_coordinates_are_rounded():
    web = prepare_web_geometry(grid_tracts(n=2), tolerance_m=0, precision=4)
    xy = shapely.get_coordinates(web.geometry.to_numpy())
    assert np.allclose(xy, np.round(xy, 4), atol=1e-12)


@pytest.mark.realdata
@pytest.mark.skipif(not (REALDATA / "tracts").is_dir(), reason="../shared/realdata is absent")
def test_real_tracts_have_no_gaps_or_overlaps_after_simplification():
    files = sorted((REALDATA / "tracts").glob("*.topo.json"))
    tracts = pd.concat([gpd.read_file(f).set_crs(4326, allow_override=True) for f in files])
    tracts["geometry"] = shapely.make_valid(tracts.geometry.to_numpy())
    # the county files were simplified separately: they overlap and leave slivers at county lines
    assert not shapely.coverage_is_valid(tracts.geometry.to_numpy())
    web = prepare_web_geometry(tracts)
    geoms = web.geometry.to_numpy()
    assert len(web) == 760 and not shapely.is_empty(geoms).any()
    assert_clean_coverage(geoms)
    # slivers between county files are closed: the region has no interior holes left
    region = shapely.union_all(geoms)
    holes = sum(len(p.interiors) for p in getattr(region, "geoms", [region]))
    assert holes == 0
