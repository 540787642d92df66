"""Profiles: every problem reported at once, clearly; the shipped profiles cover every target."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from valleymaps.errors import ConfigError, ValidationError
from valleymaps.suitability.catalog import profile_for_target
from valleymaps.suitability.profile import parse_profile
from valleymaps.workflows.suitability_inputs import choose_target, list_profiles

GOOD = """
name = "Demo"
[[factors]]
key = "rail"
name = "Rail"
weight = 60
source = { kind = "distance", layer = "rail_lines" }
transform = { kind = "inverse", low = 500, high = 10000 }
[[factors]]
key = "water"
weight = 40
source = { kind = "raster", path = "gw.tif" }
transform = { kind = "gaussian", ideal = 50, spread = 20 }
"""


def test_a_good_profile_reads_with_defaults() -> None:
    p = parse_profile(GOOD, source="demo.toml")
    assert p.key == "demo"
    assert p.weights == {"rail": 60.0, "water": 40.0}
    assert p.factor("rail").source.ref is not None and p.factor("rail").source.ref.layer == "rail_lines"
    assert p.factor("rail").units == "m"
    assert p.factor("water").missing is None  # no value -> excluded
    assert p.sites.count == 10


def test_weights_not_adding_up_to_100_name_the_sum_and_every_weight() -> None:
    with pytest.raises(ValidationError) as info:
        parse_profile(GOOD.replace("weight = 40", "weight = 30"), source="demo.toml")
    message = str(info.value)
    assert message.startswith("demo.toml: 1 problem found")
    assert "add up to 90, not 100 (rail 60, water 30)" in message


def test_every_problem_is_listed_with_where_it_is_and_a_fix() -> None:
    text = """
name = "Broken"
[[factors]]
key = "rail"
wieght = 60
source = { kind = "distanse", layer = "rail" }
transform = { kind = "linear", low = 10, high = 5 }
[[factors]]
key = "b"
weight = 40
source = { kind = "raster" }
transform = { kind = "thresholds", breaks = [1, 2], scores = [1, 0] }
[sites]
min_acres = -3
"""
    with pytest.raises(ValidationError) as info:
        parse_profile(text, source="broken.toml")
    message = str(info.value)
    assert "factor 'rail': unknown key 'wieght'. Did you mean 'weight'?" in message
    assert "factor 'rail': 'weight' is missing" in message
    assert "unknown source kind 'distanse'. Did you mean 'distance'?" in message
    assert "'low' (10) must be below 'high' (5)" in message
    assert "give either 'layer' (a layer name) or 'path' (a file)" in message
    assert "'scores' must list 3 scores" in message
    assert "'min_acres' must be above 0" in message


def test_not_toml_at_all() -> None:
    with pytest.raises(ValidationError, match="not valid TOML"):
        parse_profile("name = [unclosed", source="x.toml")


def test_every_target_of_the_plan_has_exactly_one_shipped_profile() -> None:
    from valleymaps.workspace import bundled_data_dir

    targets = pd.read_csv(bundled_data_dir() / "econ" / "leakage_targets.csv")["description"]
    profiles = list_profiles()
    assert len(profiles) >= 5
    for target in targets:
        holders = [p.key for p in profiles if profile_for_target(target, [p]) is not None]
        assert len(holders) == 1, (target, holders)
    for p in profiles:
        assert sum(p.weights.values()) == pytest.approx(100)


def test_targets_are_found_forgivingly_and_unknown_ones_get_suggestions() -> None:
    choice = choose_target("plastics BOTTLE manufacturing")
    assert choice.target == "Plastics bottle manufacturing"
    assert choice.profile.key == "packaging"
    assert choice.slug == "plastics-bottle-manufacturing"
    assert choose_target("paper").profile.key == "paper"
    with pytest.raises(ConfigError) as info:
        choose_target("Plastic bottles manufacturing")
    assert "Did you mean: Plastics bottle manufacturing" in str(info.value)


def test_a_profile_file_can_be_given_directly(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    choice = choose_target("My plant", profile_path=path)
    assert choice.profile.key == "mine" and choice.target == "My plant"
