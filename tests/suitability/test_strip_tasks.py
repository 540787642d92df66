"""One target's factor pass split into strip tasks (bands of rows with a halo for distance factors)
writes the same rasters, byte for byte, as one pass over the grid, however the grid is split."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import rasterio

from strip_files import PROFILE, RESOLUTION, ROWS, strip_inputs
from valleymaps.suitability.model import compute_suitability, plan_bands
from valleymaps.suitability.profile import parse_profile


def _tifs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.tif"))}


@pytest.fixture(scope="module")
def one_pass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("one") / "out"
    compute_suitability(parse_profile(PROFILE), strip_inputs(), folder=folder, resolution=RESOLUTION,
                        rows=ROWS)
    return folder


@pytest.mark.parametrize("strips", [2, 3, 7])
def test_strip_tasks_write_the_rasters_of_one_pass_byte_for_byte(
    one_pass: Path, tmp_path: Path, strips: int
) -> None:
    folder = tmp_path / "out"
    result = compute_suitability(parse_profile(PROFILE), strip_inputs(), folder=folder, resolution=RESOLUTION,
                                 rows=ROWS, strips=strips)
    expected = _tifs(one_pass)
    assert len(expected) == 6  # suitability, exclusion, a score and a value raster per factor
    got = _tifs(folder)
    assert sorted(got) == sorted(expected)
    for name, data in expected.items():
        assert got[name] == data, f"{name} differs with {strips} strip tasks"
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)  # no staging left
    # the canal's 3 km really cuts across band edges, and the counts add up over the bands
    with rasterio.open(folder / "exclusion.tif") as src:
        code = src.read(1)
    bands = plan_bands(code.shape[0], ROWS, strips)
    rows_hit = np.flatnonzero((code == 2).any(axis=1))
    assert any(r0 in rows_hit and r0 - 1 in rows_hit for r0, _ in bands[1:])
    assert result.excluded["Not next to the canal"] == int((code == 2).sum()) > 0
    assert result.region_cells == int((code != 1).sum())


def test_bands_are_whole_strips_and_cover_the_grid() -> None:
    for height, rows, strips in [(80, 8, 3), (81, 8, 3), (5, 8, 4), (1000, 512, 10)]:
        bands = plan_bands(height, rows, strips)
        assert bands[0][0] == 0 and bands[-1][1] == height
        assert all(a[1] == b[0] for a, b in itertools.pairwise(bands))
        assert all(r0 % rows == 0 for r0, _ in bands)
        assert len(bands) <= strips


def test_a_strip_task_burns_long_diagonal_lines_exactly_as_one_pass() -> None:
    """Rail lines across a 1,000 x 420 km state at 250 m: rasterized over a window that starts
    elsewhere (a band's halo), such lines touch other cells; the stream burns the same aligned
    chunks whatever its first row, so a band's distances equal one pass's."""
    import geopandas as gpd
    from shapely.geometry import LineString, box

    from valleymaps.suitability.grid import make_grid
    from valleymaps.suitability.sources import DistanceSource

    km = 1000.0
    grid = make_grid(gpd.GeoSeries([box(0, 0, 1000 * km, 420 * km)], crs=3310), resolution=250)
    rails = [LineString([(0, y * km), (1000 * km, (y + 60) * km)]) for y in (30, 150, 300)]
    rails += [LineString([(x * km, 0), ((x + 100) * km, 420 * km)]) for x in (150, 480, 800)]
    layer = gpd.GeoDataFrame(geometry=rails, crs=3310)
    one = DistanceSource(layer, grid, cap_m=20_250, name="rail", rows=512)
    whole = np.vstack([one.read(w) for w in grid.strips(512)])
    for start in (512, 1024):
        band = DistanceSource(layer, grid, cap_m=20_250, name="rail", rows=512, start_row=start)
        got = np.vstack([band.read(w) for w in grid.strips(512) if start <= w.row_off < start + 512])
        assert np.array_equal(got, whole[start : start + 512]), f"band from row {start} differs"
