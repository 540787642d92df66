"""The QCEW reader on files built in code in the four published layouts, and every quirk."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from qcew_files import COLUMNS, Row, county_rows, qcew_bytes
from valleymaps.errors import ConfigError, FieldError, ValidationError
from valleymaps.io.employment import detect_format, import_employment, load_datasets, read_employment
from valleymaps.io.employment.qcew import read_qcew
from valleymaps.io.employment.store import private_path
from valleymaps.workspace import Workspace


def _write(path: Path, layout: str, rows: list[Row]) -> Path:
    path.write_bytes(qcew_bytes(layout, rows))
    return path


def _value(table, geoid: str, naics: str) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    row = table[(table["geoid"] == geoid) & (table["naics"] == naics)]
    assert len(row) == 1, (geoid, naics, row)
    return float(row["employment"].iloc[0]), str(row["flag"].iloc[0])


def test_layouts_have_the_published_column_counts() -> None:
    assert {k: len(v) for k, v in COLUMNS.items()} == {
        "area-quarterly": 47, "api-quarterly": 42, "area-annual": 43, "api-annual": 38,
    }  # fmt: skip


@pytest.mark.parametrize("layout", ["area-annual", "api-annual"])
def test_annual_layouts(tmp_path: Path, layout: str) -> None:
    path = _write(
        tmp_path / "2016.annual 06019 Fresno County, California.csv", layout, county_rows("06019", 2016)
    )
    assert detect_format(path) == "qcew"
    ds = read_employment(path, format="qcew")
    t = ds.table
    assert _value(t, "06019", "TOTAL") == (1000.0, "")  # own code 0, not the sum of the parts
    assert _value(t, "06019", "111") == (60.0, "")
    assert _value(t, "06019", "31-33") == (80.0, "")
    # public and private hospitals: all ownerships sum them; the withheld state part makes a lower bound
    assert _value(t, "06019", "622110") == (140.0, "I")
    assert _value(ds.private, "06019", "622110") == (100.0, "")
    assert _value(ds.private, "06019", "TOTAL") == (800.0, "")
    # withheld (disclosure N, zeros in the cells): missing and flagged, never 0
    emp, flag = _value(t, "06019", "311")
    assert math.isnan(emp) and flag == "D"
    # BLS domains and supersectors are not NAICS codes
    assert not t["naics"].isin(["101", "1011", "10"]).any()
    assert "annual" in ds.source and ds.format == "qcew"


def test_quarterly_by_area_annual_average_is_the_mean_of_12_months(tmp_path: Path) -> None:
    rows = []
    for q, scale in zip("1234", [1.0, 1.1, 1.2, 1.3], strict=True):
        rows += county_rows("06019", 2016, qtr=q, scale=scale)
    rows = [r for r in rows if not (r.industry == "111" and r.qtr == "3")]  # absent from one quarter
    path = _write(tmp_path / "2016.q1-q4 06019 Fresno County, California.csv", "area-quarterly", rows)
    ds = read_qcew(path)
    emp, flag = _value(ds.table, "06019", "TOTAL")
    assert emp == pytest.approx(1000 * (1.0 + 1.1 + 1.2 + 1.3) / 4) and flag == ""
    emp, flag = _value(ds.table, "06019", "111")
    assert math.isnan(emp) and flag == "X"  # a quarter missing: no annual average, said so


def test_quarterly_api_slices_together(tmp_path: Path) -> None:
    paths = [
        _write(tmp_path / f"US000_{q}.csv", "api-quarterly", county_rows("US000", 2024, qtr=q, scale=s))
        for q, s in zip("1234", [1, 2, 3, 4], strict=True)
    ]
    ds = read_employment(paths, format="qcew")
    assert _value(ds.table, "US", "TOTAL") == (2500.0, "")
    assert ds.name == "qcew_2024"
    # one slice alone cannot make an annual average, and the message says so
    with pytest.raises(ValidationError, match=r"only quarter 2.*four quarters"):
        read_qcew(paths[1])


def test_withheld_quarter_makes_the_year_withheld(tmp_path: Path) -> None:
    rows = [Row("06019", "5", "622", "75", 2016, q, (10, 10, 10), "N" if q == "2" else "") for q in "1234"]
    rows += [Row("06019", "0", "10", "70", 2016, q, (50, 50, 50)) for q in "1234"]
    ds = read_qcew(_write(tmp_path / "q.csv", "area-quarterly", rows))
    emp, flag = _value(ds.private, "06019", "622")
    assert math.isnan(emp) and flag == "D"


def test_areas_kept_state_nation_counties(tmp_path: Path) -> None:
    rows = (
        county_rows("06000", 2016)
        + county_rows("US000", 2016)
        + county_rows("06019", 2016)
        + county_rows("06999", 2016)  # county unknown
        + county_rows("32003", 2016)  # another state
        + [Row("C2342", "0", "10", "40", 2016, "A", 9)]  # a metro area
        + [Row("06019", "5", "111", "75", 2016, "A", 5, size="1")]  # a size class
    )
    ds = read_qcew(_write(tmp_path / "areas.csv", "area-annual", rows))
    assert sorted(ds.table["geoid"].unique()) == ["06", "06019", "US"]
    assert _value(ds.table, "06019", "111") == (60.0, "")
    everywhere = read_qcew(_write(tmp_path / "areas2.csv", "area-annual", rows), states=None)
    assert "32003" in set(everywhere.table["geoid"])


def test_published_zero_disclosure_dash_is_a_real_zero(tmp_path: Path) -> None:
    rows = [Row("06019", "0", "10", "70", 2016, "A", 10), Row("06019", "5", "1111", "76", 2016, "A", 0, "-")]
    ds = read_qcew(_write(tmp_path / "z.csv", "api-annual", rows))
    assert _value(ds.table, "06019", "1111") == (0.0, "")


def test_bad_rows_are_listed_with_row_and_column(tmp_path: Path) -> None:
    rows = [
        Row("06019", "0", "10", "70", 2016, "A", 10),
        Row("06019", "5", "1011", "75", 2016, "A", 10),  # a grouping labelled as 3-digit NAICS
        Row("06019", "5", "111", "75", 2016, "Q", 10),  # not the annual marker
        Row("06019", "5", "112", "75", 2016, "A", 10, "Z"),  # unknown disclosure code
        Row("06019", "X", "113", "75", 2016, "A", 10),  # ownership
    ]
    path = _write(tmp_path / "bad.csv", "area-annual", rows)
    with pytest.raises(ValidationError) as info:
        read_qcew(path)
    text = str(info.value)
    assert "4 problems" in text
    assert "row 2, column 'industry_code'" in text and "'1011' does not match agglvl_code '75'" in text
    assert "row 3, column 'qtr'" in text and "row 4, column 'disclosure_code'" in text
    assert "row 5, column 'own_code'" in text


def test_negative_or_text_jobs_are_problems(tmp_path: Path) -> None:
    good = qcew_bytes("area-annual", [Row("06019", "0", "10", "70", 2016, "A", 10)])
    path = tmp_path / "neg.csv"
    path.write_bytes(good + good.split(b"\r\n")[1].replace(b",10,", b",-4,", 1) + b"\r\n")
    with pytest.raises(ValidationError, match=r"row 2, column 'annual_avg_emplvl'.*'-4' is not a number"):
        read_qcew(path)


def test_annual_and_quarterly_of_one_year_is_refused(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.csv", "api-annual", county_rows("06019", 2016))
    q = [_write(tmp_path / f"q{n}.csv", "api-quarterly", county_rows("06019", 2016, qtr=n)) for n in "1234"]
    with pytest.raises(ValidationError, match="come twice"):
        read_qcew([a, *q])


def test_not_a_qcew_file_says_what_it_looks_like(tmp_path: Path) -> None:
    cbp = tmp_path / "cbp21co.txt"
    cbp.write_text('fipstate,fipscty,naics,emp_nf,emp\n"06","019","------","G",250\n')
    with pytest.raises(FieldError, match="pass --format cbp"):
        read_employment(cbp, format="qcew")
    other = tmp_path / "x.csv"
    other.write_text("area_fips,own_code\n06019,0\n")
    with pytest.raises(FieldError, match="is not a QCEW file"):
        read_qcew(other)


def test_store_keeps_the_private_table_and_coverage(tmp_path: Path, workspace: Workspace) -> None:
    path = _write(
        tmp_path / "06019.csv", "api-annual", county_rows("06019", 2016) + county_rows("06000", 2016)
    )
    ds = import_employment(workspace, path, format="qcew", name="qcew_2016")
    assert private_path(workspace, "qcew_2016").is_file()
    [loaded] = [d for d in load_datasets(workspace) if d.name == "qcew_2016"]
    assert loaded.private is not None and loaded.format == "qcew" and loaded.not_covered == ()
    assert loaded.private.equals(ds.private) and loaded.table.equals(ds.table)
    # a CBP dataset saved under the same name drops the private table
    cbp = tmp_path / "cbp16co.txt"
    cbp.write_text('fipstate,fipscty,naics,emp_nf,emp\n"06","019","------","G",250\n')
    import_employment(workspace, cbp, format="cbp", name="qcew_2016", replace=True)
    assert not private_path(workspace, "qcew_2016").exists()
    [cbp_ds] = [d for d in load_datasets(workspace) if d.name == "qcew_2016"]
    assert cbp_ds.private is None and "111" in cbp_ds.not_covered


@pytest.mark.parametrize(
    ("prefix", "encoding"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"", "utf-16"), (b"\xfe\xff", "utf-16-be"), (b"", "utf-16-le"),
     (b"", "utf-32")],
    ids=["utf8-bom", "utf16-bom", "utf16-be-bom", "utf16-no-bom", "utf32"],
)
@pytest.mark.parametrize("layout", ["area-annual", "api-quarterly"])
def test_byte_order_marks_and_utf16_are_read_as_utf8(
    tmp_path: Path, prefix: bytes, encoding: str, layout: str
) -> None:
    rows = county_rows("06019", 2016) if layout == "area-annual" else [
        r for q in "1234" for r in county_rows("06019", 2016, qtr=q)
    ]
    plain = _write(tmp_path / "plain.csv", layout, rows)
    other = tmp_path / "other.csv"
    other.write_bytes(prefix + plain.read_bytes().decode("utf-8").encode(encoding))
    expected = read_employment(plain, format="qcew")
    got = read_employment(other, format="qcew")
    assert detect_format(other) == "qcew"
    assert got.table.equals(expected.table) and got.private is not None
    assert got.private.equals(expected.private)


def test_workbooks_and_excel_unicode_text_are_refused_saying_what_they_are(tmp_path: Path) -> None:
    import pandas as pd

    plain = _write(tmp_path / "plain.csv", "area-annual", county_rows("06019", 2016))
    frame = pd.read_csv(plain, dtype=str)
    xlsx = tmp_path / "2016.annual 06019.xlsx"
    frame.to_excel(xlsx, index=False, engine="openpyxl")
    with pytest.raises(FieldError, match=r"2016.annual 06019.xlsx is an Excel workbook \(.xlsx\).*CSV UTF-8"):
        read_employment(xlsx, format="qcew")
    text = tmp_path / "2016.annual 06019.txt"
    text.write_bytes(frame.to_csv(sep="\t", index=False).encode("utf-16"))
    with pytest.raises(FieldError, match=r"is tab-separated text \(UTF-16\), as Excel saves 'Unicode Text'"):
        read_employment(text, format="qcew")


def test_one_quarter_a_year_is_the_mean_of_that_quarters_months(tmp_path: Path) -> None:
    paths = []
    for year in (2016, 2017):
        for q, scale in zip("1234", [1.0, 1.1, 1.2, 1.3], strict=True):
            rows = county_rows("06019", year, qtr=q, scale=scale, months=(0.9, 1.0, 1.1))
            paths.append(_write(tmp_path / f"{year}_{q}_06019.csv", "api-quarterly", rows))
    ds = read_qcew(paths, quarter="q3")
    assert ds.name == "qcew_2016_2017_q3" and ds.years == [2016, 2017]
    t = ds.table[ds.table["year"] == 2017]
    assert _value(t, "06019", "TOTAL") == (pytest.approx(1200.0), "")  # (1080 + 1200 + 1320) / 3
    assert "Q3 averages" in ds.source
    emp, flag = _value(t, "06019", "311")
    assert math.isnan(emp) and flag == "D"  # withheld stays withheld in a quarter series


def test_a_quarter_series_refuses_annual_files_and_years_without_the_quarter(tmp_path: Path) -> None:
    annual = _write(tmp_path / "2015.csv", "api-annual", county_rows("06019", 2015))
    q1 = _write(tmp_path / "2016_1.csv", "api-quarterly", county_rows("06019", 2016, qtr="1"))
    q2 = _write(tmp_path / "2017_2.csv", "api-quarterly", county_rows("06019", 2017, qtr="2"))
    with pytest.raises(ValidationError) as info:
        read_qcew([annual, q1, q2], quarter="2")
    message = str(info.value)
    assert "column 'qtr': 2015.csv is an annual file" in message and "holds no quarter 2" in message
    assert "2016_1.csv: area 06019, 2016: no quarter 2 (quarter 1 only)" in message
    assert "2017_2.csv" not in message
    with pytest.raises(ConfigError, match="unknown quarter 'q5'"):
        read_qcew([q2], quarter="q5")
    with pytest.raises(ConfigError, match="QCEW files only"):
        read_employment(tmp_path / "2015.csv", format="csv", quarter="2")
