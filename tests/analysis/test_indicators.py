import numpy as np
import pytest

from valleymaps.analysis import indicators


def test_location_quotient_hand_computed():
    # 30 of 100 local jobs vs 1,000 of 10,000 statewide -> 0.30 / 0.10
    assert indicators.location_quotient(30, 100, 1_000, 10_000) == pytest.approx(3.0)


def test_location_quotient_zero_reference_is_nan_not_error():
    assert np.isnan(indicators.location_quotient(5, 100, 0, 10_000))


def test_shift_share_components_add_up_to_change():
    rg, im, rs = indicators.shift_share(
        [60.0, 100.0], [97.0, 90.0], ref_total_growth=0.1, ref_industry_growth=0.2
    )
    assert rg.tolist() == pytest.approx([6.0, 10.0])
    assert im.tolist() == pytest.approx([6.0, 10.0])
    assert rs.tolist() == pytest.approx([25.0, -30.0])
    assert (rg + im + rs).tolist() == pytest.approx([37.0, -10.0])


def test_growth_rate_and_share():
    assert indicators.growth_rate(200, 150).item() == pytest.approx(-0.25)
    assert np.isnan(indicators.growth_rate(0, 10).item())
    assert indicators.share(1, 4).item() == pytest.approx(0.25)


def test_rank_descending_ties_and_missing():
    ranks = indicators.rank_descending([3.0, 7.0, np.nan, 7.0, 1.0])
    assert ranks[[0, 1, 3, 4]].tolist() == [3.0, 1.0, 1.0, 4.0]
    assert np.isnan(ranks[2])
