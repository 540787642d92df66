"""Transforms to the 0-1 scale, checked against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from valleymaps.suitability.profile import TransformSpec
from valleymaps.suitability.transforms import apply_transform, categories, gaussian, thresholds


def test_linear_rises_from_low_to_high_and_is_clamped() -> None:
    out = apply_transform([-5.0, 0.0, 2.5, 10.0, 99.0], TransformSpec("linear", low=0, high=10))
    assert out.tolist() == [0.0, 0.0, 0.25, 1.0, 1.0]
    assert out.dtype == np.float32


def test_inverse_falls_from_low_to_high() -> None:
    # 1 km -> 1, 5.5 km -> 0.5, 10 km and beyond -> 0
    out = apply_transform(
        [500.0, 1000.0, 5500.0, 10_000.0, 50_000.0], TransformSpec("inverse", low=1000, high=10_000)
    )
    assert out.tolist() == [1.0, 1.0, 0.5, 0.0, 0.0]


def test_gaussian_is_one_at_the_ideal_and_exp_minus_half_one_spread_away() -> None:
    out = gaussian([20.0, 25.0, 15.0, 40.0], ideal=20, spread=5)
    assert out[0] == pytest.approx(1.0)
    assert out[1] == pytest.approx(math.exp(-0.5), rel=1e-6)
    assert out[2] == pytest.approx(math.exp(-0.5), rel=1e-6)
    assert out[3] == pytest.approx(math.exp(-8.0), rel=1e-5)


def test_thresholds_give_the_score_of_each_class_breaks_belong_to_the_class_above() -> None:
    out = thresholds(
        [0.0, 999.0, 1000.0, 4999.0, 5000.0, np.nan], breaks=[1000, 5000], scores=[1.0, 0.5, 0.0]
    )
    assert out[:5].tolist() == [1.0, 1.0, 0.5, 0.5, 0.0]
    assert np.isnan(out[5])


def test_categories_by_label_and_by_value_with_default() -> None:
    labels = ("farmland", "industrial", "wetland")
    codes = np.array([0.0, 1.0, 2.0, np.nan])
    out = categories(codes, labels, {"industrial": 1.0, "farmland": 0.25})
    assert out[:2].tolist() == [0.25, 1.0]
    assert np.isnan(out[2]) and np.isnan(out[3])  # no score for wetland, no value
    with_default = categories(codes, labels, {"industrial": 1.0}, default=0.1)
    assert with_default[:3].tolist() == pytest.approx([0.1, 1.0, 0.1])
    land_cover = categories(np.array([11.0, 21.0, 82.0]), (), {"21": 0.5, "82": 1.0}, default=0.0)
    assert land_cover.tolist() == [0.0, 0.5, 1.0]


def test_missing_values_are_excluded_unless_the_factor_gives_them_a_score() -> None:
    spec = TransformSpec("linear", low=0, high=10)
    assert np.isnan(apply_transform([np.nan], spec)[0])
    assert apply_transform([np.nan, 5.0], spec, missing=0.2).tolist() == pytest.approx([0.2, 0.5])


def test_profile_scale_of_one_to_ten_is_turned_into_zero_to_one() -> None:
    from valleymaps.suitability.profile import parse_profile

    profile = parse_profile(
        """
name = "Scale"
scale = "1-10"
[[factors]]
key = "d"
weight = 100
source = { kind = "raster", path = "x.tif" }
transform = { kind = "thresholds", breaks = [100], scores = [10, 1] }
"""
    )
    assert profile.factor("d").transform.scores == (1.0, 0.0)
