import math

import numpy as np
import pytest

from valleymaps.errors import ClassificationError
from valleymaps.render.classify import classify_values, resolve_scheme


@pytest.mark.parametrize(
    ("name", "expected"),
    [("quantiles", "Quantiles"), ("Natural Breaks", "NaturalBreaks"), ("natural_breaks", "NaturalBreaks"),
     ("jenks", "NaturalBreaks"), ("EQUAL-INTERVAL", "EqualInterval"), ("user_defined", "UserDefined")],
)
def test_scheme_names_are_forgiving(name, expected):
    assert resolve_scheme(name) == expected


def test_unknown_scheme_lists_valid_ones():
    with pytest.raises(ClassificationError, match="quantiles, natural_breaks, equal_interval, user_defined"):
        resolve_scheme("headtail")


def test_equal_interval_breaks_and_classes():
    c = classify_values([0, 10, 20, 30, 40], scheme="equal_interval", k=4)
    assert c.breaks == pytest.approx((10, 20, 30, 40))
    assert c.class_of([0, 10, 11, 40, math.nan]).tolist() == [0, 0, 1, 3, -1]
    assert c.labels(lambda v: f"{v:.0f}") == ["0 – 10", "10 – 20", "20 – 30", "30 – 40"]


def test_user_defined_breaks_extend_to_the_maximum():
    c = classify_values([1, 5, 50, 500], scheme="user_defined", breaks=[10, 100])
    assert c.breaks == (10, 100, 500)
    assert c.class_of([5, 50, 500]).tolist() == [0, 1, 2]


def test_user_defined_without_breaks_is_an_error():
    with pytest.raises(ClassificationError, match="needs breaks"):
        classify_values([1, 2, 3], scheme="user_defined")


def test_fewer_distinct_values_than_classes_does_not_fail():
    c = classify_values([2, 2, 2, 3], scheme="quantiles", k=5)
    assert len(c.breaks) <= 2


def test_ties_make_fewer_quantiles_without_a_warning():
    # most places without investment: four distinct values, but the zeros fill several quantiles
    c = classify_values([0, 0, 0, 0, 0, 5, 40, 700], scheme="quantiles", k=5)  # filterwarnings = error
    assert 2 <= len(c.breaks) < 4 and c.breaks[-1] == 700
    assert c.class_of([0, 700]).tolist() == [0, len(c.breaks) - 1]


def test_diverging_palette_is_centred_on_one_for_lq():
    values = [0.3, 0.6, 0.9, 1.1, 1.8, 2.5, 4.0]
    c = classify_values(values, scheme="quantiles", k=5, center=1.0)
    assert 1.0 in c.breaks  # a class boundary exactly at LQ = 1
    below = [col for col, b in zip(c.colors, c.breaks, strict=True) if b <= 1.0]
    above = [col for col, b in zip(c.colors, c.breaks, strict=True) if b > 1.0]
    assert below and above and not set(below) & set(above)
    # classes below 1 and above 1 get different hues (PuOr: purples vs oranges)
    def red_minus_blue(hex_color):
        return int(hex_color[1:3], 16) - int(hex_color[5:7], 16)

    assert all(red_minus_blue(col) < 0 for col in below)
    assert all(red_minus_blue(col) > 0 for col in above)


def test_all_missing_gives_a_no_data_class_only():
    c = classify_values([np.nan, np.nan])
    assert c.class_of([np.nan]).tolist() == [-1]


def test_values_all_at_the_centre_make_one_class():
    c = classify_values([0.0, 0.0, 0.0], center=0.0)
    assert c.class_of([0.0]).tolist() == [0]
    assert len(c.labels(str)) == len(c.colors) == 1
