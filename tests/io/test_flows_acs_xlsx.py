"""Reading the ACS county-to-county commuting flows workbook (table1.xlsx) as published."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from fetch_server import ACS_FLOWS, ACS_LAYOUTS, acs_flows_rows, xlsx_bytes
from valleymaps.errors import DataSourceError, FieldError, ValidationError
from valleymaps.io.flows.acs_county import ABROAD_OTHER, read_acs_county_flows
from valleymaps.io.flows.acs_xlsx import read_acs_xlsx_flows
from valleymaps.io.flows.store import import_flows, load_flows
from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace

pytest.importorskip("openpyxl")

#: ACS_FLOWS as the table they should become.
EXPECTED = [
    ["06019", "06019", 380000, 3000.0],
    ["06019", "06029", 2500, 400.0],
    ["06019", "F301", 35, 28.0],
    ["06029", "06029", 340000, 2800.0],
    ["06029", "06019", 1800, 300.0],
    ["06029", "F166", 20, 18.0],
]


def write(tmp_path: Path, rows: Sequence[Sequence[Any]], name: str = "table1.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows))
    return path


def first_data_row(year: int) -> int:
    """Spreadsheet row of the first data row in the layout of ``year``."""
    return ACS_LAYOUTS[year][0] + 3


@pytest.mark.parametrize("year", sorted(ACS_LAYOUTS))
def test_every_edition_reads_to_the_same_table(tmp_path: Path, year: int) -> None:
    rows = acs_flows_rows(year)
    assert rows[first_data_row(year) - 1][1] == 19  # the county code Excel keeps as a number

    read = read_acs_xlsx_flows(write(tmp_path, rows))

    assert read.table.values.tolist() == EXPECTED
    assert read.vintage == f"{year - 4}–{year}"
    assert (read.rows, read.abroad_rows, read.not_given_rows) == (len(ACS_FLOWS), 2, 0)
    assert read.skipped_trailer == ACS_LAYOUTS[year][1]  # the footnotes
    assert read.abroad_places == ["Canada", "Europe"]


def test_header_is_found_below_any_number_of_title_rows(tmp_path: Path) -> None:
    rows = acs_flows_rows(2020)
    rows = [["Extra title row"], [None], *rows, [None], ["Another footnote"]]

    read = read_acs_xlsx_flows(write(tmp_path, rows))

    assert read.table.values.tolist() == EXPECTED


def test_codes_stored_as_numbers_are_padded(tmp_path: Path) -> None:
    flows = [(6, 19, 6, 29, 2500, 400), (6, 107, 32, 3, 17, 12), (6, 107, 399, None, 4, 5)]

    read = read_acs_xlsx_flows(write(tmp_path, acs_flows_rows(2020, flows, numeric_code_rows=())))

    assert read.table[["h_geoid", "w_geoid"]].values.tolist() == [
        ["06019", "06029"], ["06107", "32003"], ["06107", "F399"]]


def test_bad_rows_are_reported_with_their_spreadsheet_row(tmp_path: Path) -> None:
    flows = list(ACS_FLOWS)
    flows[1] = ("06", "019", "006", "0x9", 2500, 400)
    flows[4] = ("06", "029", "006", "019", "many", 300)
    path = write(tmp_path, acs_flows_rows(2020, flows))
    first = first_data_row(2020)

    with pytest.raises(ValidationError) as err:
        read_acs_xlsx_flows(path)

    text = str(err.value)
    assert f"{path}, sheet 'Table 1': 2 problems found" in text
    assert (f"row {first + 1}, column 'F (Place of Work: County FIPS Code)': work county '0x9' "
            "is not a 3-digit code") in text
    assert (f"row {first + 4}, column 'I (Commuting Flow: Workers in Commuting Flow)': flow "
            "'many' is not a whole number of workers") in text


def test_the_2006_2010_column_order_names_its_own_columns(tmp_path: Path) -> None:
    flows = list(ACS_FLOWS)
    flows[0] = ("06", "019", "006", "019", 380000, "n/a?")
    path = write(tmp_path, acs_flows_rows(2010, flows))

    with pytest.raises(ValidationError, match=rf"row {first_data_row(2010)}, column 'F "
                                              r"\(Commuting Flow: Margin of Error\)'"):
        read_acs_xlsx_flows(path)


def test_places_abroad_known_and_unknown(tmp_path: Path) -> None:
    flows = [("06", "019", "006", "019", 1000, 50), ("06", "019", "254", None, 30, 20),
             ("06", "019", "555", None, 6, 8), ("06", "019", "412", None, 3, 4),
             ("06", "019", "498", None, 9, 3), ("06", "029", "412", None, 2, None)]

    read = read_acs_xlsx_flows(write(tmp_path, acs_flows_rows(2020, flows)))

    table = read.table.set_index(["h_geoid", "w_geoid"])
    assert read.abroad_places == ["Abroad, other place-of-work codes", "Asia",
                                  "Elsewhere abroad or at sea"]
    assert read.other_abroad_codes == ("412", "498")
    assert table.loc[("06019", "F254"), "workers"] == 30
    assert table.loc[("06019", "F555"), "workers"] == 6
    # the two unknown codes of Fresno's residents become one place, margins combined
    assert table.loc[("06019", ABROAD_OTHER), "workers"] == 3 + 9
    assert math.isclose(table.loc[("06019", ABROAD_OTHER), "workers_moe"], 5.0)
    assert table.loc[("06029", ABROAD_OTHER), "workers"] == 2
    assert math.isnan(table.loc[("06029", ABROAD_OTHER), "workers_moe"])
    # residents still add up
    assert read.table.loc[read.table["h_geoid"] == "06019", "workers"].sum() == 1000 + 30 + 6 + 12


def test_csv_table_takes_the_same_codes_abroad(tmp_path: Path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text("h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe\n"
                    "06,019,166,NA,40,20\n06,019,777,NA,3,2\n", encoding="utf-8")

    assert read_acs_county_flows(path).table["w_geoid"].tolist() == ["F166", ABROAD_OTHER]


def test_a_workbook_without_the_table_says_what_it_looked_for(tmp_path: Path) -> None:
    path = write(tmp_path, [["Projects"], ["id", "name", "cost"], [1, "Road", 5]])

    with pytest.raises(FieldError, match=r"not the ACS county-to-county commuting flows table: "
                                         r"no sheet \('Table 1'\).*'Workers in Commuting Flow'"):
        read_acs_xlsx_flows(path)


@pytest.mark.parametrize("name", ["table1.xlsx", "table1.xls"])
def test_a_file_that_is_not_a_workbook(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"<!DOCTYPE html><p>Service unavailable</p>")

    with pytest.raises(DataSourceError, match=r"cannot be opened as an Excel workbook.*save it "
                                              r"as \.xlsx"):
        read_acs_xlsx_flows(path)


def test_import_flows_takes_the_workbook(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    ws = Workspace.open(root)
    path = write(tmp_path, acs_flows_rows(2015))

    dataset = import_flows(ws, path, format="acs-county")

    assert dataset.name == "acs_county_flows_2011_2015"
    assert dataset.vintage == "2011–2015"
    assert "2 rows with work places abroad (Canada, Europe)" in dataset.notes
    stored = load_flows(ws, dataset.name).tables["county"]
    assert stored[["h_geoid", "w_geoid", "workers", "workers_moe"]].values.tolist() == EXPECTED
