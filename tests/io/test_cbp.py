"""County Business Patterns files in their published layouts."""

from __future__ import annotations

import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from valleymaps.errors import FieldError, ValidationError
from valleymaps.io.employment.cbp import parse_cbp, read_cbp

MakeFile = Callable[[str, str], Path]


def _value(table, geoid: str, naics: str) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    row = table[(table.geoid == geoid) & (table.naics == naics)]
    assert len(row) == 1, f"{geoid}/{naics}: {len(row)} rows"
    return float(row["employment"].iloc[0]), str(row["flag"].iloc[0])


def test_county_file_2021_layout(make_file: MakeFile, build: SimpleNamespace) -> None:
    path = make_file("cbp21co.txt", build.lines(build.CBP_HEADER_NEW, *build.CBP_NEW_ROWS))
    ds = read_cbp(path)
    table = ds.table
    assert ds.format == "cbp" and ds.name == "cbp21co" and not ds.synthetic
    assert ds.source == "County Business Patterns 2021"
    assert ds.years == [2021]
    assert sorted(table["geoid"].unique()) == ["06019", "06031"]  # Alabama, county 999 dropped
    assert set(table[table.geoid == "06019"]["naics"]) == {
        "TOTAL", "11", "113", "1133", "113310", "31-33", "3261"
    }  # fmt: skip
    assert _value(table, "06019", "TOTAL") == (250000.0, "G")
    assert _value(table, "06019", "11") == (5400.0, "H")
    assert _value(table, "06031", "TOTAL") == (30000.0, "J")
    for geoid, naics, flag in [("06019", "3261", "D"), ("06031", "11", "S")]:
        value, got_flag = _value(table, geoid, naics)
        assert math.isnan(value) and got_flag == flag  # withheld: NaN, never 0
    assert list(table.columns) == ["geoid", "naics", "year", "employment", "flag"]


def test_all_states_on_request(make_file: MakeFile, build: SimpleNamespace) -> None:
    path = make_file("cbp21co.txt", build.lines(build.CBP_HEADER_NEW, *build.CBP_NEW_ROWS))
    table = read_cbp(path, states=None).table
    assert "01001" in set(table["geoid"])


def test_older_layout_with_size_class_flags(make_file: MakeFile, build: SimpleNamespace) -> None:
    for name, year in [("cbp11co.txt", 2011), ("cbp2011co.txt", 2011), ("CBP98CO.TXT", 1998)]:
        path = make_file(name, build.lines(build.CBP_HEADER_OLD, *build.CBP_OLD_ROWS))
        table = read_cbp(path).table
        assert set(table["year"]) == {year}
        assert _value(table, "06019", "TOTAL") == (240000.0, "G")
        assert _value(table, "06019", "11") == (5100.0, "H")
        value, flag = _value(table, "06019", "113")
        assert math.isnan(value) and flag == "a"  # size class A: 0-19, withheld
        value, flag = _value(table, "06019", "3261")
        assert math.isnan(value) and flag == "g"  # size class G, not the G noise flag


def test_year_from_argument_or_error(make_file: MakeFile, build: SimpleNamespace) -> None:
    path = make_file("county_business.txt", build.lines(build.CBP_HEADER_NEW, *build.CBP_NEW_ROWS))
    with pytest.raises(ValidationError, match=r"cannot tell the year .* pass --year YYYY"):
        read_cbp(path)
    assert read_cbp(path, year=2019).years == [2019]


def test_zipped_county_file(tmp_path: Path, build: SimpleNamespace) -> None:
    archive = tmp_path / "cbp21co.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("cbp21co.txt", build.lines(build.CBP_HEADER_NEW, *build.CBP_NEW_ROWS))
    ds = read_cbp(archive)
    assert ds.name == "cbp21co" and ds.years == [2021]
    assert _value(ds.table, "06019", "TOTAL") == (250000.0, "G")


def test_state_file_keeps_all_legal_forms_only(make_file: MakeFile) -> None:
    text = (
        '"fipstate","naics","lfo","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est"\n'
        '"06","------","-","G",15000000,"G",1,"G",1,900000\n'
        '"06","------","C","G",9000000,"G",1,"G",1,400000\n'
        '"06","11----","-","G",180000,"G",1,"G",1,9000\n'
        '"06","113///","-","D",0,"D",0,"D",0,40\n'
        '"32","------","-","G",1200000,"G",1,"G",1,70000\n'
    )
    ds = read_cbp(make_file("cbp21st.txt", text))
    table = ds.table
    assert set(table["geoid"]) == {"06"}
    assert _value(table, "06", "TOTAL") == (15000000.0, "G")
    assert math.isnan(_value(table, "06", "113")[0])


def test_unpadded_codes_are_zero_padded(make_file: MakeFile) -> None:
    text = "fipstate,fipscty,naics,emp_nf,emp\n6,19,------,G,250000\n"
    assert list(read_cbp(make_file("cbp21co.txt", text)).table["geoid"]) == ["06019"]


def test_bad_rows_are_listed(make_file: MakeFile) -> None:
    text = (
        "fipstate,fipscty,naics,emp_nf,emp\n"
        "06,019,------,G,250000\n"
        "06,019,A100,G,12\n"
        "06,019,11----,Q,5400\n"
        "06,019,21----,G,lots\n"
    )
    table, problems = parse_cbp(make_file("cbp21co.txt", text))
    assert [(p.row, p.column) for p in problems] == [(2, "naics"), (3, "emp_nf"), (4, "emp")]
    assert list(table["naics"]) == ["TOTAL"]
    with pytest.raises(ValidationError, match=r"row 2, column 'naics': 'A100' is not a NAICS"):
        read_cbp(make_file("cbp21co.txt", text))


def test_not_a_cbp_file(make_file: MakeFile) -> None:
    with pytest.raises(FieldError, match=r"not a County Business Patterns .*--format csv"):
        read_cbp(make_file("cbp21co.txt", "geoid,naics,year,employment\n06019,11,2021,5\n"))


def test_synthetic_name(make_file: MakeFile, build: SimpleNamespace) -> None:
    path = make_file("cbp21co_synthetic.txt", build.lines(build.CBP_HEADER_NEW, *build.CBP_NEW_ROWS))
    assert read_cbp(path).synthetic


@pytest.mark.parametrize("value", ["inf", "Infinity", "1e400"])
def test_infinite_employment_is_refused(tmp_path: Path, build: SimpleNamespace, value: str) -> None:
    rows = [build.cbp_row("06", "019", "------", "G", 250000), build.cbp_row("06", "019", "11----", "H", 1)]
    rows[1] = rows[1].replace(",1,", f",{value},", 1)
    path = tmp_path / "cbp21co.txt"
    path.write_text(build.lines(build.CBP_HEADER_NEW, *rows))
    with pytest.raises(ValidationError, match=r"row 2, column 'emp': 'inf' is not a number of employees"):
        read_cbp(path)
