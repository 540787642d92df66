"""The Census Bureau's CBSA delineation file (list1), read as published and stored in a workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lodes_files import DELINEATION_ROWS, write_delineation_xlsx
from valleymaps.errors import DataSourceError, FieldError, ValidationError
from valleymaps.io.delineation import (
    import_metro_delineation,
    load_metro_areas,
    read_cbsa_delineation,
)
from valleymaps.workspace import Workspace


def test_published_workbook_title_rows_header_and_footnotes(tmp_path: Path) -> None:
    d = read_cbsa_delineation(write_delineation_xlsx(tmp_path / "list1_2023.xlsx"))

    assert d.edition == "July 2023"
    assert len(d.table) == len(DELINEATION_ROWS)  # the footnote rows are not counties
    by_county = d.table.set_index("county_geoid")
    assert by_county.loc["06037", ["cbsa_code", "cbsa_title"]].tolist() == [
        "31080", "Los Angeles-Long Beach-Anaheim, CA"]
    assert by_county.loc["32001", "cbsa_type"] == "Micropolitan Statistical Area"
    assert by_county.loc["32031", ["county_name", "state_name"]].tolist() == ["Washoe County", "Nevada"]
    assert d.notes == ["3 footnote rows skipped"]
    metros = d.metro_areas()
    assert metros.keys_of(pd.Series(["06059", "32009"])).tolist() == ["M31080", "R32"]
    assert metros.name_of("M21980") == "Fallon, NV micro area"


def test_codes_stored_as_numbers_get_their_zeros_back(tmp_path: Path) -> None:
    d = read_cbsa_delineation(write_delineation_xlsx(tmp_path / "list1_2020.xlsx", numbers=True,
                                                     edition="March 2020"))
    assert d.edition == "March 2020"
    assert set(d.table["county_geoid"]) >= {"06037", "06001", "32003"}
    assert any("leading zeros were restored" in n for n in d.notes)


def test_bad_codes_are_listed_with_their_spreadsheet_rows(tmp_path: Path) -> None:
    rows = [*DELINEATION_ROWS[:2], ("3990", "Reno, NV", "Metropolitan Statistical Area", "Washoe County",
                                    "Nevada", "32", "31x")]
    with pytest.raises(ValidationError) as err:
        read_cbsa_delineation(write_delineation_xlsx(tmp_path / "list1_2023.xlsx", rows))
    text = str(err.value)
    # two title rows and the header: the third county is on row 6
    assert "row 6, column 'CBSA Code': '3990' is not a 5-digit code" in text
    assert "row 6, column 'FIPS County Code': '31x' is not a 3-digit code" in text


def test_other_files_are_refused_with_what_to_pass(tmp_path: Path) -> None:
    other = tmp_path / "counties.csv"
    other.write_text("GEOID,NAME,STATE,AREA\n06019,Fresno,CA,1\n", encoding="utf-8")
    with pytest.raises(FieldError, match=r"not a CBSA delineation file.*'CBSA Code'.*list1_2023.xlsx"):
        read_cbsa_delineation(other)
    old = tmp_path / "list1_2013.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataSourceError, match=r"save it as .xlsx"):
        read_cbsa_delineation(old)


def test_a_csv_saved_from_the_workbook_reads_the_same(tmp_path: Path) -> None:
    from_xlsx = read_cbsa_delineation(write_delineation_xlsx(tmp_path / "list1_2023.xlsx"))
    frame = pd.read_excel(tmp_path / "list1_2023.xlsx", header=None, dtype=str, engine="openpyxl")
    csv = tmp_path / "list1_2023.csv"
    frame.to_csv(csv, index=False, header=False, encoding="cp1252")
    from_csv = read_cbsa_delineation(csv)
    pd.testing.assert_frame_equal(from_csv.table, from_xlsx.table)
    assert from_csv.edition == "July 2023"


def test_import_stores_the_table_and_its_provenance(workspace: Workspace, tmp_path: Path) -> None:
    source = write_delineation_xlsx(tmp_path / "list1_2023.xlsx")
    before = source.read_bytes()
    assert load_metro_areas(workspace) is None

    path = import_metro_delineation(workspace, source)

    assert path == workspace.root / "data" / "geo" / "cbsa_delineation.csv"
    stored = pd.read_csv(path, dtype=str)
    assert stored.loc[stored["county_geoid"] == "06019", "cbsa_title"].tolist() == ["Fresno, CA"]
    meta = json.loads(path.with_name("cbsa_delineation.meta.json").read_text(encoding="utf-8"))
    assert meta["edition"] == "July 2023" and meta["imported_from"] == "list1_2023.xlsx"
    assert (meta["counties"], meta["metropolitan"], meta["micropolitan"]) == (8, 6, 1)
    metros = load_metro_areas(workspace)
    assert metros is not None and metros.edition == "July 2023"
    assert metros.counties["32031"] == "39900"
    assert source.read_bytes() == before
