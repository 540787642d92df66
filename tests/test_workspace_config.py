"""valleymaps.toml: values of the wrong kind are one error, unknown keys a warning naming the
nearest valid key."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from valleymaps.errors import ConfigError, ConfigWarning
from valleymaps.workspace import DEFAULT_CONFIG, WorkspaceConfig


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "valleymaps.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_config_reads_without_a_warning(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        config = WorkspaceConfig.from_toml(_config(tmp_path, DEFAULT_CONFIG + '\n[sources]\ncbp = "x"\n'))
    assert config.region_counties["06019"] == "Fresno"


def test_counties_as_a_list_is_a_config_error_and_a_value_error(tmp_path: Path) -> None:
    path = _config(tmp_path, '[region]\ncounties = ["06019", "06029"]\n')
    with pytest.raises(ValueError, match=r"\[region\] counties must be a table") as info:
        WorkspaceConfig.from_toml(path)
    assert isinstance(info.value, ConfigError)
    assert '"06019" = "Fresno"' in str(info.value)


def test_every_problem_is_listed_once(tmp_path: Path) -> None:
    path = _config(tmp_path, '[region]\nname = 3\ncounties = "06019"\n[maps]\nclasses = true\n')
    with pytest.raises(ConfigError, match="3 problems") as info:
        WorkspaceConfig.from_toml(path)
    for words in ("[region] name", "[region] counties", "[maps] classes"):
        assert str(info.value).count(words) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[maps]\nshceme = 'jenks'\n", "did you mean 'scheme'"),
        ("[mpas]\nscheme = 'jenks'\n", "did you mean 'maps'"),
        ("[region]\ncountys = {}\n", "did you mean 'counties'"),
        ("clases = 4\n", "did you mean 'maps.classes'"),
    ],
)
def test_unknown_keys_are_warned_with_the_nearest_one(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.warns(ConfigWarning, match=expected):
        config = WorkspaceConfig.from_toml(_config(tmp_path, text))
    assert config.scheme == "quantiles"  # the misspelt value is not used


def test_a_config_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "valleymaps.toml"
    path.write_bytes('[region]\nname = "Valle"\n'.encode("utf-16"))
    with pytest.raises(ConfigError, match="UTF-8"):
        WorkspaceConfig.from_toml(path)
