"""``valleymaps suitability`` from the command line, on a small made-up workspace."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from suitability_files import write_layers, write_profile, write_workspace
from valleymaps.cli import cli


@pytest.fixture
def ws_and_layers(tmp_path: Path):
    ws = write_workspace(tmp_path / "ws")
    layers = write_layers(tmp_path / "layers")
    (ws.econ_dir / "suitability").mkdir()
    write_profile(ws.econ_dir / "suitability" / "test-plants.toml")
    return ws, layers


def _layer_args(layers: dict[str, Path]) -> list[str]:
    return [arg for name, path in layers.items() for arg in ("--layer", f"{name}={path}")]


def test_a_target_run_writes_rasters_sites_and_a_map(ws_and_layers) -> None:
    ws, layers = ws_and_layers
    args = [
        "suitability",
        "-w",
        str(ws.root),
        "--target",
        "plastics bottle manufacturing",
        "--resolution",
        "500",
        *_layer_args(layers),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    out = ws.root / "outputs" / "suitability" / "plastics-bottle-manufacturing"
    assert "Suitability for Plastics bottle manufacturing (profile test-plants)" in result.output
    assert "site 1: suitability" in result.output
    for name in (
        "suitability.tif",
        "factor-rail.tif",
        "factor-water-value.tif",
        "sites.gpkg",
        "sites.parquet",
        "suitability.qml",
        "sites.csv",
        "sensitivity.csv",
        "zones.csv",
        "map.html",
        "map.png",
        "profile.toml",
        "run.json",
    ):
        assert (out / name).is_file(), name
    sites = pd.read_csv(out / "sites.csv")
    assert {"rank", "score", "area_acres", "longitude", "latitude", "rail_points", "stability"} <= set(
        sites.columns
    )
    zones = pd.read_csv(out / "zones.csv", dtype={"geoid": str})
    assert zones["geoid"].tolist() == ["06019", "06029"]
    assert not list(out.parent.glob(".*"))  # no build folder left behind

    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 1
    assert "exists. Pass --overwrite to replace it." in again.output
    assert CliRunner().invoke(cli, [*args, "--overwrite", "--no-png"]).exit_code == 0


def test_missing_layers_stop_the_run_unless_allowed(ws_and_layers) -> None:
    ws, layers = ws_and_layers
    partial = {k: v for k, v in layers.items() if k in ("rail", "reserve")}
    args = [
        "suitability",
        "-w",
        str(ws.root),
        "-t",
        "test-plants",
        "--resolution",
        "1000",
        *_layer_args(partial),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "2 layer(s) of profile 'test-plants'" in result.output
    assert "pass --allow-missing" in result.output
    assert "Traceback" not in result.output
    allowed = CliRunner().invoke(cli, [*args, "--allow-missing", "--no-png"])
    assert allowed.exit_code == 0, allowed.output
    assert "Note: Water (weight 30) left out" in allowed.output


def test_unknown_targets_are_answered_with_suggestions(ws_and_layers) -> None:
    ws, _ = ws_and_layers
    result = CliRunner().invoke(cli, ["suitability", "-w", str(ws.root), "-t", "paper mill"])
    assert result.exit_code == 1
    assert "unknown target 'paper mill'. Did you mean: Paper mills" in result.output
    usage = CliRunner().invoke(cli, ["suitability", "-w", str(ws.root)])
    assert usage.exit_code == 2 and "give --target" in usage.output


def test_list_shows_targets_profiles_and_missing_layers(ws_and_layers) -> None:
    ws, _ = ws_and_layers
    result = CliRunner().invoke(cli, ["suitability", "-w", str(ws.root), "--list"])
    assert result.exit_code == 0
    assert "Plastics bottle manufacturing  ->  test-plants" in result.output
    assert "test-plants" in result.output and "missing: factor 'rail'" in result.output


def test_the_page_follows_the_atlas_language_and_lang(ws_and_layers) -> None:
    """``[atlas] lang = "es"`` writes the page in Spanish (as the atlas); --lang en overrides it; the
    tables and the messages on screen stay English."""
    ws, layers = ws_and_layers
    config = ws.root / "valleymaps.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('lang = "en"', 'lang = "es"'), encoding="utf-8")
    args = ["suitability", "-w", str(ws.root), "-t", "plastics bottle manufacturing", "--resolution", "1000",
            "--no-png", *_layer_args(layers)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Suitability for Plastics bottle manufacturing" in result.output
    out = ws.root / "outputs" / "suitability" / "plastics-bottle-manufacturing"
    page = (out / "map.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in page and "¿Dónde podría ubicarse la industria" in page
    assert "Aptitud a 1000 m (EPSG:3310)" in page and "Where could" not in page
    assert "score" in pd.read_csv(out / "sites.csv").columns
    result = CliRunner().invoke(cli, [*args, "--overwrite", "--lang", "en"])
    assert result.exit_code == 0, result.output
    page = (out / "map.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Where could plastics bottle manufacturing locate?" in page
