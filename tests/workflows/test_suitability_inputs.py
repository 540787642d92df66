"""What the suitability model runs on is read from a workspace once, and the atlas's figures are reused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from valleymaps.workflows import suitability_inputs
from valleymaps.workflows.cluster_data import compute_cluster_data
from valleymaps.workflows.suitability_inputs import (
    compute_level_metrics,
    gather_suitability_inputs,
    level_metrics,
    list_profiles,
)
from valleymaps.workspace import Workspace, init_workspace


@pytest.mark.parametrize("years", ["", "[analysis]\nbase_year = 2013\nend_year = 2017\n"])
def test_the_atlas_cluster_metrics_are_handed_to_the_model_not_computed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, years: str
) -> None:
    ws = init_workspace(tmp_path / "ws")
    if years:  # a run on its own models the years the atlas maps
        config = ws.root / "valleymaps.toml"
        config.write_text(config.read_text(encoding="utf-8").replace("[analysis]\n", years), encoding="utf-8")
        ws = Workspace.open(ws.root)
        assert ws.config.end_year == 2017
    handed = level_metrics(compute_cluster_data(ws))
    own = compute_level_metrics(ws, tracts=False)  # what a run on its own computes
    assert set(handed) == set(own) == {"county"}
    assert handed["county"].source == own["county"].source and "synthetic" in own["county"].source
    keys = ["geoid", "cluster", "component"]
    columns = [*keys, "employment", "lq"]
    atlas = handed["county"].table[columns].sort_values(keys).reset_index(drop=True)
    alone = own["county"].table[columns].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(atlas, alone)  # the same figures: the same rasters either way

    def recompute(*args: object, **kwargs: object) -> None:
        raise AssertionError("cluster metrics computed again")

    monkeypatch.setattr(suitability_inputs, "compute_level_metrics", recompute)
    profiles = [p for p in list_profiles(ws) if any(f.source.kind == "cluster_metric" for f in p.factors)]
    assert profiles
    inputs = gather_suitability_inputs(ws, profiles, cluster_metrics=handed)
    assert inputs.cluster_metrics is handed and "manufacturing" in inputs.cluster_keys


def test_profiles_without_place_factors_read_no_employment_and_no_flows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = init_workspace(tmp_path / "ws")
    profiles = [p for p in list_profiles(ws) if p.key == "tech-rd"]
    distance_only = profiles[0].without_factors(
        [f.key for f in profiles[0].factors if f.source.kind in ("cluster_metric", "table")]
    )
    monkeypatch.setattr(suitability_inputs, "compute_level_metrics", None)  # would fail if called
    inputs = gather_suitability_inputs(ws, [distance_only])
    assert inputs.cluster_metrics == {} and inputs.flows == () and inputs.tracts is None
