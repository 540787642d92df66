"""Column mappings: the shipped example loads, mistakes are all listed, headers are matched loosely."""

from __future__ import annotations

from pathlib import Path

import pytest

from valleymaps.errors import ConfigError
from valleymaps.projects.mapping import ColumnMapping, fill_template, load_mapping, mapping_from_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "econ" / "project_mapping.example.toml"


def test_the_example_mapping_loads() -> None:
    m = load_mapping(EXAMPLE)
    assert m.columns["project_id"] == ("Station_N",)
    assert m.defaults["agency"] == "California High-Speed Rail Authority"
    assert m.year_flags["end_year"] == {"HSR_2022": 2022, "HSR_2026": 2026, "HSR_2028": 2028}
    assert m.statuses["FTIP"] == "programmed"


def test_every_mistake_of_a_mapping_is_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        '[columns]\nproject_name = "Title"\n[categories]\n"Roads" = "roads"\n'
        '[statuses]\n"Done" = "finished"\n[colums]\nx = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_mapping(path)
    text = str(err.value)
    assert str(path) in text
    assert "'project_name' is not a field" in text
    assert "'Roads' = 'roads'" in text and "transportation" in text
    assert "'Done' = 'finished'" in text
    assert "unknown section(s) colums" in text


def test_a_mapping_that_is_not_toml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text("[columns\nproject_id = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_mapping(path)


def test_headers_match_without_case_spaces_or_punctuation() -> None:
    found = ColumnMapping().resolve_columns(["PROJECT_ID", "Project Title", "Lead Agency", "Total Cost ($)",
                                             "LAT", "Long", "Phase"])  # fmt: skip
    assert found == {
        "project_id": "PROJECT_ID",
        "name": "Project Title",
        "agency": "Lead Agency",
        "cost": "Total Cost ($)",
        "status": "Phase",
        "latitude": "LAT",
        "longitude": "Long",
    }


def test_total_cost_header_is_found_through_the_mapping() -> None:
    m = mapping_from_dict({"columns": {"cost": ["Cost ($000s)", "Total Cost ($)"]}})
    assert m.resolve_columns(["Total Cost ($)", "ID"])["cost"] == "Total Cost ($)"


def test_a_mapped_header_missing_from_the_file_lists_what_the_file_has() -> None:
    m = mapping_from_dict({"columns": {"project_id": "CTIPS ID"}}, path="fcog.toml")
    with pytest.raises(ConfigError, match=r"fcog.toml.*'CTIPS ID'.*found: ID, Name"):
        m.resolve_columns(["ID", "Name"])


def test_templates_fill_from_cells() -> None:
    assert fill_template("HSR {Seg}", {"Seg": 9.0}, headers={"seg": "Seg"}) == "HSR 9"
    assert fill_template("HSR {Seg}", {"Seg": None}, headers={"seg": "Seg"}) is None
