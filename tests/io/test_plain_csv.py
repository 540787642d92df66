"""Plain geoid,naics,year,employment[,flag] tables."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from valleymaps.errors import FieldError, ValidationError
from valleymaps.io.employment.plain_csv import parse_plain_csv, read_plain_csv

MakeFile = Callable[[str, str], Path]


def test_good_file(make_file: MakeFile) -> None:
    path = make_file(
        "valley_jobs.csv",
        "geoid,naics,year,employment,flag\n"
        "06019,11,2021,5400,G\n"
        "06019000501,31-33,2021,12.5,\n"
        "06,------,2021,15000000,\n"
        "06031,11----,2021,,D\n",
    )
    ds = read_plain_csv(path)
    rows = ds.table.to_dict("records")
    assert ds.format == "csv" and ds.name == "valley_jobs" and not ds.synthetic
    assert [(r["geoid"], r["naics"]) for r in rows] == [
        ("06", "TOTAL"), ("06019", "11"), ("06019000501", "31-33"), ("06031", "11"),
    ]  # fmt: skip
    assert rows[1]["employment"] == 5400 and rows[1]["flag"] == "G"
    assert math.isnan(rows[3]["employment"]) and rows[3]["flag"] == "D"
    assert ds.geoid_lengths() == {2, 5, 11}


def test_every_bad_row_is_reported(make_file: MakeFile) -> None:
    path = make_file(
        "jobs.csv",
        "geoid,naics,year,employment,flag\n"
        "06019,11,2021,5400,\n"  # 1 ok
        "6019,11,2021,5400,\n"  # 2 lost zero
        "06019,farming,2021,10,\n"  # 3 bad naics
        "06019,21,21,10,\n"  # 4 bad year
        "06019,22,2021,-5,\n"  # 5 negative
        "06019,23,2021,,\n"  # 6 empty without flag
        "06019,42,2021,3,Z\n"  # 7 unknown flag
        "06019,11,2021,7,\n"  # 8 duplicate of row 1
        '06019,51,2021,"1,234",\n'  # 9 thousands separator
        "06019,52,2021,0,D\n",  # 10 value given but flagged withheld
    )
    _, problems = parse_plain_csv(path)
    assert [(p.row, p.column) for p in problems] == [
        (2, "geoid"), (3, "naics"), (4, "year"), (5, "employment"), (6, "employment"),
        (7, "flag"), (8, None), (9, "employment"), (10, "employment"),
    ]  # fmt: skip
    text = [str(p) for p in problems]
    assert "lost its leading zero. Re-save the geoid column as text, e.g. 06019" in text[0]
    assert "same geoid, naics and year as row 1" in text[6]
    assert "without thousands separators" in text[7]
    with pytest.raises(ValidationError) as info:
        read_plain_csv(path)
    assert str(info.value).startswith(f"{path}: 9 problems found")


def test_missing_column(make_file: MakeFile) -> None:
    path = make_file("jobs.csv", "county,naics,year,employment\n06019,11,2021,5\n")
    with pytest.raises(FieldError, match=r"no column 'geoid' \(found: county, naics"):
        read_plain_csv(path)


def test_year_argument_fills_a_missing_year_column(make_file: MakeFile) -> None:
    path = make_file("jobs.csv", "geoid,naics,employment\n06019,11,5\n")
    assert read_plain_csv(path, year=2020).years == [2020]


def test_synthetic_from_sidecar_metadata(make_file: MakeFile) -> None:
    path = make_file("sample.csv", "geoid,naics,year,employment\n06019,11,2021,5\n")
    path.with_name("sample.meta.json").write_text(
        json.dumps({"synthetic": True, "source": "Invented sample"})
    )
    ds = read_plain_csv(path)
    assert ds.synthetic and ds.source == "Invented sample"


def test_non_finite_employment_is_refused_row_by_row(make_file: MakeFile) -> None:
    path = make_file(
        "jobs.csv",
        "geoid,naics,year,employment\n06019,11,2021,inf\n06019,21,2021,5\n06031,11,2021,1e400\n"
        "06031,21,2021,-Infinity\n",
    )
    with pytest.raises(ValidationError) as info:
        read_plain_csv(path)
    text = str(info.value)
    assert "3 problems" in text
    assert "row 1, column 'employment': 'inf' is not a finite number" in text
    assert "row 3, column 'employment': '1e400' is not a finite number" in text
    assert "row 4, column 'employment': '-Infinity' is not a finite number" in text
    assert "write the number of jobs" in text
