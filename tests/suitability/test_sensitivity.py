"""Rank stability when each weight moves by ±10 points."""

from __future__ import annotations

import pandas as pd
import pytest

from valleymaps.suitability.sensitivity import check_rank_stability, vary_weight


def test_moving_one_weight_rescales_the_others_to_keep_100() -> None:
    new = vary_weight({"a": 50, "b": 30, "c": 20}, "a", 10)
    assert new == pytest.approx({"a": 60, "b": 24, "c": 16})
    assert sum(new.values()) == pytest.approx(100)
    assert vary_weight({"a": 95, "b": 5}, "a", 10) == pytest.approx({"a": 100, "b": 0})


def test_a_clear_winner_is_stable_and_a_close_pair_swaps() -> None:
    means = pd.DataFrame(
        {"rail": [1.0, 0.62, 0.60, 0.0], "water": [1.0, 0.50, 0.55, 0.1]},
        index=pd.Index([1, 2, 3, 4], name="rank"),
    )
    summary, table = check_rank_stability(means, {"rail": 50, "water": 50}, count=3)
    by_rank = summary.set_index("rank")
    assert by_rank.loc[1, "stability"] == "stable"
    assert (by_rank.loc[1, "rank_best"], by_rank.loc[1, "rank_worst"]) == (1, 1)
    # rail 40 / water 60 puts site 3 (0.57) ahead of site 2 (0.548)
    assert (by_rank.loc[2, "rank_best"], by_rank.loc[2, "rank_worst"]) == (2, 3)
    assert by_rank.loc[2, "stability"] == "fairly stable"
    assert by_rank.loc[1, "stays_in_top"] == 1.0
    assert set(table["factor"]) == {"rail", "water"}
    assert len(table) == 4 * 4  # 4 variations x 4 sites
    row = table[(table["factor"] == "rail") & (table["change"] == -10) & (table["rank"] == 3)].iloc[0]
    assert row["new_rank"] == 2
    assert row["new_score"] == pytest.approx(40 * 0.60 + 60 * 0.55)
