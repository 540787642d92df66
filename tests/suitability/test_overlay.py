"""The weighted overlay on tiny rasters, with answers worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from valleymaps.errors import AnalysisError, ValidationError
from valleymaps.suitability.overlay import weighted_overlay


def _write(
    path: Path,
    values: np.ndarray,
    *,
    dtype: str = "float32",
    nodata: float | None = float("nan"),
    origin: tuple[float, float] = (0.0, 300.0),
) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=values.shape[1],
        height=values.shape[0],
        count=1,
        dtype=dtype,
        crs="EPSG:3310",
        transform=from_origin(*origin, 100, 100),
        nodata=nodata,
    ) as dst:
        dst.write(values.astype(dtype), 1)
    return path


@pytest.fixture
def layers(tmp_path: Path) -> dict[str, Path]:
    a = np.array([[0.0, 0.5, 1.0], [1.0, 1.0, 1.0], [0.2, np.nan, 0.0]])
    b = np.array([[1.0, 0.5, 0.0], [0.0, 0.5, 1.0], [0.4, 1.0, 0.0]])
    return {"a": _write(tmp_path / "a.tif", a), "b": _write(tmp_path / "b.tif", b)}


def test_weighted_sum_on_a_three_by_three_grid(layers: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "suit.tif"
    result = weighted_overlay(layers, {"a": 70, "b": 30}, out, rows=2)
    with rasterio.open(out) as src:
        got = src.read(1)
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    # 70 * a + 30 * b, cell by cell
    expected = np.array([[30.0, 50.0, 70.0], [70.0, 85.0, 100.0], [26.0, np.nan, 0.0]])
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert result.scored_cells == 8
    assert result.minimum == pytest.approx(0.0)
    assert result.maximum == pytest.approx(100.0)
    assert result.mean == pytest.approx((30 + 50 + 70 + 70 + 85 + 100 + 26 + 0) / 8, rel=1e-6)


def test_excluded_cells_get_no_suitability(layers: dict[str, Path], tmp_path: Path) -> None:
    mask = _write(
        tmp_path / "mask.tif", np.array([[0, 2, 0], [0, 0, 1], [0, 0, 0]]), dtype="uint8", nodata=None
    )
    out = tmp_path / "suit.tif"
    weighted_overlay(layers, {"a": 50, "b": 50}, out, exclude=mask)
    with rasterio.open(out) as src:
        got = src.read(1)
    assert np.isnan(got[0, 1]) and np.isnan(got[1, 2])
    assert got[0, 0] == pytest.approx(50.0)
    assert got[1, 1] == pytest.approx(75.0)


def test_input_nodata_other_than_nan_is_no_value(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.tif", np.array([[1.0, -9999.0]]), nodata=-9999.0)
    out = tmp_path / "s.tif"
    weighted_overlay({"a": a}, {"a": 100}, out)
    with rasterio.open(out) as src:
        got = src.read(1)
    assert got[0, 0] == pytest.approx(100.0) and np.isnan(got[0, 1])


def test_block_means_exclude_blocks_with_any_excluded_cell(tmp_path: Path) -> None:
    values = np.array([[1.0, 0.0, 0.5, 0.5], [0.0, 1.0, 0.5, np.nan], [1, 1, 1, 1], [1, 1, 0, 0]])
    a = _write(tmp_path / "a.tif", values, origin=(0.0, 400.0))
    result = weighted_overlay({"a": a}, {"a": 100}, tmp_path / "s.tif", block_factor=2, rows=3)
    assert result.blocks is not None
    assert result.blocks[0, 0] == pytest.approx(50.0)
    assert np.isnan(result.blocks[0, 1])
    assert result.blocks[1].tolist() == pytest.approx([100.0, 50.0])


def test_weights_not_adding_up_to_100_are_refused_with_the_sum_and_each_weight(
    layers: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(ValidationError) as info:
        weighted_overlay(layers, {"a": 60, "b": 30}, tmp_path / "s.tif")
    message = str(info.value)
    assert "add up to 90, not 100" in message and "a 60, b 30" in message
    assert not (tmp_path / "s.tif").exists()


def test_layers_on_different_grids_are_refused(layers: dict[str, Path], tmp_path: Path) -> None:
    shifted = _write(tmp_path / "c.tif", np.ones((3, 3)), origin=(100.0, 300.0))
    with pytest.raises(AnalysisError, match="not on the grid"):
        weighted_overlay({"a": layers["a"], "c": shifted}, {"a": 50, "c": 50}, tmp_path / "s.tif")
