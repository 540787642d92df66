"""The streamed distance transform equals SciPy's exact one up to the cap."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from valleymaps.suitability.distance import DistanceStream


def _streamed(features: np.ndarray, cap: float, rows: int, scale: float = 1.0) -> np.ndarray:
    h, w = features.shape
    stream = DistanceStream(
        lambda r, n: features[r : r + n], width=w, height=h, cap_cells=cap, rows=rows, scale=scale
    )
    return np.vstack([stream.read(r, rows) for r in range(0, h, rows)])


@pytest.mark.parametrize(("density", "cap", "rows"), [(0.001, 40.5, 7), (0.02, 12.0, 64), (0.2, 3.0, 1)])
def test_matches_scipy_exact_edt_up_to_the_cap(density: float, cap: float, rows: int) -> None:
    rng = np.random.default_rng(42)
    features = (rng.random((157, 203)) < density).astype(np.uint8)
    features[80, :] = 0
    got = _streamed(features, cap, rows, scale=30.0)
    expected = np.minimum(ndimage.distance_transform_edt(features == 0), cap) * 30.0
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-3)


def test_no_feature_at_all_gives_the_cap_everywhere() -> None:
    got = _streamed(np.zeros((20, 30), dtype=np.uint8), 5.0, 8)
    assert np.all(got == 5.0)


def test_strips_must_come_in_order() -> None:
    f = np.zeros((10, 10), dtype=np.uint8)
    stream = DistanceStream(lambda r, n: f[r : r + n], width=10, height=10, cap_cells=3, rows=4)
    stream.read(0, 4)
    with pytest.raises(ValueError, match="in order"):
        stream.read(8, 2)
