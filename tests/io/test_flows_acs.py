"""Reading the ACS county-to-county commuting flows table with its quirks."""

from __future__ import annotations

from pathlib import Path

import pytest

from valleymaps.errors import FieldError, ValidationError
from valleymaps.io.flows.acs_county import NOT_GIVEN, read_acs_county_flows

HEADER = "h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe"
TRAILER = [
    "NA,NA,NA,NA,NA,NA",
    '"Source: U.S. Census Bureau, 2009-2013 American Community Survey.",NA,NA,NA,NA,NA',
    '"Data are based on a sample and are subject to sampling variability, see notes.",NA,NA,NA,NA,NA',
]
ROWS = [
    "06,019,006,019,317272,2838",
    "06,019,006,039,9921,763",
    "06,019,032,003,176,114",
    "06,019,301,NA,4,6",
    "06,019,303,NA,9,12",
    "06,019,NA,NA,19,31",
    "32,003,006,019,176,113",
]


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_quirks_become_text_geoids_and_counted_rows(tmp_path: Path) -> None:
    read = read_acs_county_flows(write(tmp_path / "acs_county_flows_2009_2013_us.csv", ROWS + TRAILER))

    table = read.table
    assert list(table["w_geoid"]) == ["06019", "06039", "32003", "F301", "F303", NOT_GIVEN, "06019"]
    assert list(table["h_geoid"])[:2] == ["06019", "06019"]
    assert table["workers_moe"].tolist()[:2] == [2838.0, 763.0]
    assert (read.rows, read.abroad_rows, read.not_given_rows, read.skipped_trailer) == (7, 2, 1, 3)
    assert read.vintage == "2009–2013"
    # every resident row is kept, so a county's residents add up
    assert table.loc[table["h_geoid"] == "06019", "workers"].sum() == 317272 + 9921 + 176 + 4 + 9 + 19


def test_codes_saved_as_numbers_are_refused_with_the_fix(tmp_path: Path) -> None:
    rows = [r.replace("06,019,", "6,19,", 1) for r in ROWS]
    with pytest.raises(FieldError, match=r"'h_state_fips' holds codes stored as numbers.*leading zeros"):
        read_acs_county_flows(write(tmp_path / "flows.csv", rows))
    rows = [r.replace(",006,", ",6,") for r in ROWS]
    with pytest.raises(FieldError, match=r"'w_state_fips'.*three digits"):
        read_acs_county_flows(write(tmp_path / "flows.csv", rows))


def test_bad_values_are_listed_by_row_and_column(tmp_path: Path) -> None:
    rows = [*ROWS, "06,107,006,abc,5,3", "06,107,006,019,many,3"]
    with pytest.raises(ValidationError) as err:
        read_acs_county_flows(write(tmp_path / "flows.csv", rows))
    text = str(err.value)
    assert "row 8, column 'w_county_fips'" in text
    assert "row 9, column 'flow'" in text


def test_missing_column_says_which(tmp_path: Path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text("h_state_fips,h_county_fips,flow\n06,019,5\n", encoding="utf-8")
    with pytest.raises(FieldError, match=r"no column 'w_state_fips', 'w_county_fips', 'moe'"):
        read_acs_county_flows(path)
