"""Guards before a suitability run: --layer typos and grids too large for the machine."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from suitability_files import PROFILE
from valleymaps import settings
from valleymaps.errors import ConfigError
from valleymaps.suitability.grid import check_grid_size, make_grid
from valleymaps.suitability.model import check_layer_overrides
from valleymaps.suitability.profile import parse_profile


def test_layers_of_the_profile_with_existing_files_pass(tmp_path: Path) -> None:
    rail = tmp_path / "rail.gpkg"
    rail.write_bytes(b"")
    check_layer_overrides(parse_profile(PROFILE), {"rail": str(rail)})
    check_layer_overrides(parse_profile(PROFILE), None)


def test_a_misspelt_layer_name_is_refused_with_the_nearest_one(tmp_path: Path) -> None:
    rail = tmp_path / "rail.gpkg"
    rail.write_bytes(b"")
    with pytest.raises(ConfigError, match="did you mean 'rail'") as info:
        check_layer_overrides(parse_profile(PROFILE), {"rial": str(rail)})
    assert "its layers: " in str(info.value) and "water" in str(info.value)


def test_every_missing_file_is_listed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="2 problems") as info:
        check_layer_overrides(parse_profile(PROFILE), {"rail": [str(tmp_path / "a.shp"),
                                                                str(tmp_path / "b.shp")]})
    assert "a.shp" in str(info.value) and "b.shp" in str(info.value)


def _grid(resolution: float) -> object:
    region = gpd.GeoSeries([box(0, 0, 400_000, 400_000)], crs="EPSG:3310")
    return make_grid(region, resolution=resolution)


def test_a_grid_within_the_limit_runs() -> None:
    check_grid_size(_grid(30))  # type: ignore[arg-type]


def test_a_grid_above_the_limit_is_refused_with_its_figures() -> None:
    with pytest.raises(ConfigError) as info:
        check_grid_size(_grid(10), n_factors=5)  # type: ignore[arg-type]
    message = str(info.value)
    assert "1,600,000,000 cells" in message and "GB of memory" in message and "GB of disk" in message
    assert f"{settings.SUITABILITY_MAX_CELLS:,}" in message and "--resolution 29" in message
    assert "--force" in message


def test_force_runs_a_grid_above_the_limit() -> None:
    check_grid_size(_grid(10), force=True)  # type: ignore[arg-type]
