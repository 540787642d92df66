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


def _check_cog_tile(path: Path) -> None:
    """A valid Cloud-optimised GeoTIFF: GDAL sees the COG layout (its header ghost area says the IFDs
    come before the data), tiled in square blocks."""
    with rasterio.open(path) as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG", path
        assert src.profile["tiled"] and src.block_shapes[0][0] == src.block_shapes[0][1] == 512
    assert b"LAYOUT=IFDS_BEFORE_DATA" in path.read_bytes()[:400]


def test_a_failed_run_keeps_finished_cog_tiles_only_and_a_rerun_reuses_them(
    one_pass: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from valleymaps.suitability import model

    tiles, folder = tmp_path / "tiles", tmp_path / "out"
    run_strip_task, factor_pass = model.run_strip_task, model._factor_pass
    bands = plan_bands(80, ROWS, 4)
    assert len(bands) == 4

    def fail_third(task: model.StripTask) -> model.StripResult:
        if task.band == bands[2]:
            raise OSError("worker lost its disk")
        return run_strip_task(task)

    monkeypatch.setattr(model, "run_strip_task", fail_third)
    with pytest.raises(OSError, match="worker lost its disk"):
        compute_suitability(parse_profile(PROFILE), strip_inputs(), folder=folder, resolution=RESOLUTION,
                            rows=ROWS, strips=4, scratch=tiles)
    assert sorted(folder.iterdir()) == []  # no raster published
    (run,) = tiles.iterdir()
    assert sorted(p.name for p in run.iterdir()) == ["band-0000", "band-0001"]  # nothing half-written
    for band in run.iterdir():
        names = sorted(p.name for p in band.iterdir())
        assert names == ["exclusion.tif", "factor-reserve-value.tif", "factor-reserve.tif",
                         "factor-roads-value.tif", "factor-roads.tif", "manifest.json"]
        for tif in band.glob("*.tif"):
            _check_cog_tile(tif)
    with open(run / "band-0001" / "factor-roads.tif", "r+b") as fh:  # a damaged tile is not reused
        fh.seek(-1, 2)
        fh.write(b"\x00" if fh.read(1) != b"\x00" else b"\x01")

    computed: list[tuple[int, int] | None] = []

    def counting(*args: object, band: tuple[int, int] | None = None, **kwargs: object) -> object:
        computed.append(band)
        return factor_pass(*args, band=band, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(model, "run_strip_task", run_strip_task)
    monkeypatch.setattr(model, "_factor_pass", counting)
    result = compute_suitability(parse_profile(PROFILE), strip_inputs(), folder=folder, resolution=RESOLUTION,
                                 rows=ROWS, strips=4, scratch=tiles)
    assert computed == bands[1:]  # band 0 reused, band 1 (damaged) and the others computed
    assert _tifs(folder) == _tifs(one_pass)
    assert not tiles.exists()  # the store is removed after success
    with rasterio.open(folder / "exclusion.tif") as src:
        code = src.read(1)
    assert result.region_cells == int((code != 1).sum())  # the reused band's counts come back
    assert result.excluded["Not next to the canal"] == int((code == 2).sum())


def test_tiles_of_other_inputs_are_not_reused(tmp_path: Path) -> None:
    from valleymaps.suitability.tiles import fingerprint_of

    layer = tmp_path / "roads.geojson"
    layer.write_text("{}")
    first = fingerprint_of(parse_profile(PROFILE), strip_inputs(), files=[layer])
    assert fingerprint_of(parse_profile(PROFILE), strip_inputs(), files=[layer]) == first
    wider = parse_profile(PROFILE.replace("distance_m = 3000", "distance_m = 3100"))
    assert fingerprint_of(wider, strip_inputs(), files=[layer]) != first
    layer.write_text('{"type": "FeatureCollection", "features": []}')  # the layer file changed
    assert fingerprint_of(parse_profile(PROFILE), strip_inputs(), files=[layer]) != first
