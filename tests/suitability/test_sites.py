"""Candidate sites on constructed grids whose best sites are known."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from affine import Affine

from valleymaps.suitability.profile import SiteRules
from valleymaps.suitability.sites import find_sites

CELL = 100.0  # metres: a cell is 2.47 acres
TRANSFORM = Affine(CELL, 0, 0, 0, -CELL, 100 * CELL)


def _grid() -> np.ndarray:
    score = np.full((100, 100), 20.0, dtype=np.float32)
    score[:, :5] = np.nan  # excluded strip
    return score


def test_the_best_area_is_site_one_and_each_site_reports_its_mean_and_area() -> None:
    score = _grid()
    score[10:16, 10:16] = 95.0  # best: 36 cells at 95
    score[60:68, 60:68] = 80.0  # second: 64 cells at 80
    score[40:48, 20:28] = 85.0  # 64 cells at 85, but one cell sinks the mean
    score[40, 20] = 61.0
    rules = SiteRules(count=3, min_acres=50, max_acres=200, min_distance_m=0, threshold=60)
    found = find_sites(score, transform=TRANSFORM, crs="EPSG:3310", rules=rules)
    sites = found.sites
    assert sites["rank"].tolist() == [1, 2, 3]
    assert sites["score"].iloc[0] == pytest.approx(95.0)
    assert sites["cells"].iloc[0] == 36
    assert sites["area_acres"].iloc[0] == pytest.approx(36 * CELL * CELL / 4046.8564224)
    assert sites["score"].iloc[1] == pytest.approx((63 * 85 + 61) / 64)
    assert sites["score"].iloc[2] == pytest.approx(80.0)
    best = sites.geometry.iloc[0]
    assert best.equals(shapely.box(10 * CELL, 84 * CELL, 16 * CELL, 90 * CELL))


def test_areas_smaller_than_the_minimum_size_are_not_sites() -> None:
    score = _grid()
    score[10:13, 10:13] = 99.0  # 9 cells = 22 acres
    score[50:60, 50:60] = 70.0  # 100 cells = 247 acres
    rules = SiteRules(count=5, min_acres=50, max_acres=400, min_distance_m=0, threshold=60)
    sites = find_sites(score, transform=TRANSFORM, crs="EPSG:3310", rules=rules).sites
    assert len(sites) == 1
    assert sites["score"].iloc[0] == pytest.approx(70.0)


def test_large_areas_are_split_into_sites_no_bigger_than_the_maximum_grown_around_the_best_cells() -> None:
    score = _grid()
    yy, xx = np.mgrid[0:100, 0:100]
    field = 60 + 40 * np.exp(-((yy - 30.0) ** 2 + (xx - 70.0) ** 2) / 400.0)
    score[20:80, 20:90] = field[20:80, 20:90]
    rules = SiteRules(count=4, min_acres=20, max_acres=50, min_distance_m=1000, threshold=60)
    sites = find_sites(score, transform=TRANSFORM, crs="EPSG:3310", rules=rules).sites
    assert (sites["area_acres"] <= 50 + 1e-9).all()
    assert sites["score"].is_monotonic_decreasing
    centre = shapely.Point(70.5 * CELL, (100 - 30.5) * CELL)
    assert sites.geometry.iloc[0].distance(centre) < CELL  # the peak is in site 1


def test_sites_keep_the_minimum_distance_apart() -> None:
    score = _grid()
    score[10:20, 10:20] = 90.0
    score[10:20, 22:32] = 89.0  # 200 m away from the first: too close
    score[10:20, 60:70] = 80.0  # 4 km away
    rules = SiteRules(count=3, min_acres=20, max_acres=400, min_distance_m=1000, threshold=60)
    sites = find_sites(score, transform=TRANSFORM, crs="EPSG:3310", rules=rules).sites
    assert sites["score"].tolist() == pytest.approx([90.0, 80.0])
    geoms = sites.geometry.to_numpy()
    assert shapely.distance(geoms[0], geoms[1]) >= 1000


def test_without_a_threshold_the_best_top_percent_qualify() -> None:
    score = _grid()
    score[50:60, 50:60] = 90.0  # 100 of 9,500 scored cells: the top ~1%
    rules = SiteRules(count=2, min_acres=10, max_acres=400, min_distance_m=0, top_percent=1.0)
    found = find_sites(score, transform=TRANSFORM, crs="EPSG:3310", rules=rules)
    assert found.threshold == pytest.approx(90.0)
    assert found.sites["cells"].tolist() == [100]


def test_excluded_cells_are_never_part_of_a_site() -> None:
    score = np.full((30, 30), 90.0, dtype=np.float32)
    score[:, 14:16] = np.nan
    rules = SiteRules(count=5, min_acres=5, max_acres=10_000, min_distance_m=0, threshold=50)
    sites = find_sites(score, transform=TRANSFORM, crs="EPSG:3310", rules=rules).sites
    excluded = shapely.box(14 * CELL, 70 * CELL, 16 * CELL, 100 * CELL)
    assert len(sites) == 2
    assert all(g.intersection(excluded).area == 0 for g in sites.geometry)


def test_best_first_blocks_give_the_order_of_one_full_sort():
    # the site search sorts a large area a block at a time; the seeds must come in exactly
    # the order of sorting every cell at once, ties (plateaus of equal suitability) included
    from valleymaps.suitability.sites import _best_first

    rng = np.random.default_rng(5)
    n = 50_000
    cells = np.sort(rng.choice(10 * n, n, replace=False))
    score = np.round(rng.uniform(0, 100, n), 0).astype(np.float32)  # many ties
    around = np.round(rng.uniform(0, 100, n), 1).astype(np.float32)
    scatter = rng.integers(0, 1_000_003, n)
    expected = cells[np.lexsort((scatter, -around, -score))]
    position = {c: i for i, c in enumerate(cells)}

    def ties(chosen):
        at = np.array([position[c] for c in chosen], dtype=int)
        return scatter[at], -around[at]

    got = np.concatenate(list(_best_first(cells, -score, ties, block=1_000)))
    assert np.array_equal(got, expected)
    assert np.array_equal(np.concatenate(list(_best_first(cells, -score, ties))), expected)

    # a plateau: every cell equally suitable, the neighbourhood and the scatter keys tied in runs
    # (an inland area of 100s: the seeds follow the neighbourhood, then the scatter, then the cells)
    flat = np.full(n, 100.0, dtype=np.float32)
    around[:] = np.round(rng.uniform(99, 100, n), 1)
    scatter[:] = rng.integers(0, 500, n)
    expected = cells[np.lexsort((scatter, -around, -flat))]
    for block in (100, 1_000, 65_536):
        blocks = list(_best_first(cells, -flat, ties, block=block))
        assert np.array_equal(np.concatenate(blocks), expected)
    assert len(blocks) == 1 and len(list(_best_first(cells, -flat, ties, block=100))) > 10
