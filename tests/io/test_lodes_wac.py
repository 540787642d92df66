"""LODES workplace area characteristics (WAC) files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from lodes_files import write_area_file
from valleymaps.employment import LODES_SECTORS
from valleymaps.errors import FieldError, ValidationError
from valleymaps.io.employment import lodes_wac
from valleymaps.io.employment.lodes_wac import parse_lodes_wac, read_lodes_wac

MakeFile = Callable[[str, str], Path]

#: Blocks: two in Fresno tract 5.01, one in Fresno tract 6, one in Kings.
BLOCKS = [
    ("060190005011000", {"CNS01": 10, "CNS05": 5}),
    ("060190005011001", {"CNS01": 2, "CNS18": 3}),
    ("060190006001005", {"CNS05": 7}),
    ("060310010021010", {"CNS01": 40, "CNS16": 1}),
]


def _wac(build: SimpleNamespace, blocks=BLOCKS) -> str:  # type: ignore[no-untyped-def]
    return build.lines(",".join(build.lodes_header()), *(build.lodes_row(b, s) for b, s in blocks))


def _jobs(table, geoid: str, naics: str) -> float:  # type: ignore[no-untyped-def]
    row = table[(table.geoid == geoid) & (table.naics == naics)]
    assert len(row) == 1
    return float(row["employment"].iloc[0])


def test_blocks_sum_to_tract_county_and_state(make_file: MakeFile, build: SimpleNamespace) -> None:
    ds = read_lodes_wac(make_file("ca_wac_S000_JT00_2021.csv.gz", _wac(build)))
    table = ds.table
    assert ds.format == "lodes-wac" and ds.years == [2021]
    assert ds.source == "LEHD LODES WAC 2021 (S000, JT00)"
    assert ds.geoid_lengths() == {2, 5, 11}
    assert sorted(table["geoid"].unique()) == [
        "06", "06019", "06019000501", "06019000600", "06031", "06031001002"
    ]  # fmt: skip
    assert set(table["naics"]) == {"TOTAL", *LODES_SECTORS.values()}
    assert _jobs(table, "06019000501", "TOTAL") == 20
    assert _jobs(table, "06019000501", "11") == 12
    assert _jobs(table, "06019000501", "31-33") == 5
    assert _jobs(table, "06019", "31-33") == 12
    assert _jobs(table, "06031", "62") == 1
    assert _jobs(table, "06", "TOTAL") == 68
    assert _jobs(table, "06", "92") == 0
    assert set(table["flag"]) == {""}
    assert not table["employment"].isna().any()


def test_chunked_reading_gives_the_same_sums(
    make_file: MakeFile, build: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_file("ca_wac_S000_JT00_2021.csv.gz", _wac(build))
    whole = read_lodes_wac(path).table
    monkeypatch.setattr(lodes_wac, "_CHUNK_ROWS", 1)
    chunked = read_lodes_wac(path).table
    assert chunked.equals(whole)


def test_block_codes_that_lost_their_leading_zero(make_file: MakeFile, build: SimpleNamespace) -> None:
    numeric = [(b[1:], s) for b, s in BLOCKS]
    path = make_file("ca_wac_S000_JT00_2021.csv", _wac(build, numeric))
    with pytest.raises(ValidationError) as info:
        read_lodes_wac(path)
    message = str(info.value)
    assert "column 'w_geocode'" in message
    assert "4 block GEOIDs have 14 digits (example: 60190005011000)" in message
    assert "15-character text, e.g. 060190005011000" in message


def test_bad_rows_and_year(make_file: MakeFile, build: SimpleNamespace) -> None:
    rows = [build.lodes_row(*BLOCKS[0]), build.lodes_row("6019x", {}), build.lodes_row(*BLOCKS[1])]
    rows[2] = rows[2].replace(",2,", ",-2,", 1)
    path = make_file("wac_fresno.csv", build.lines(",".join(build.lodes_header()), *rows))
    _, problems = parse_lodes_wac(path)
    messages = [str(p) for p in problems]
    assert "pass --year YYYY" in messages[0]
    assert messages[1].startswith("row 2, column 'w_geocode': '6019x' is not a 15-digit")
    assert messages[2].startswith("row 3, column 'CNS01': '-2' is not a number of jobs")
    assert len(messages) == 3
    assert read_lodes_wac(make_file("wac_fresno.csv", _wac(build)), year=2020).years == [2020]


def test_missing_columns(make_file: MakeFile) -> None:
    with pytest.raises(FieldError, match=r"not a LODES WAC file: no column .*'CNS01'"):
        read_lodes_wac(make_file("ca_wac_S000_JT00_2021.csv", "w_geocode,C000\n060190005011000,1\n"))


def test_empty_and_fractional_counts_are_problems(make_file: MakeFile, build: SimpleNamespace) -> None:
    rows = [build.lodes_row(*BLOCKS[0]), build.lodes_row(*BLOCKS[1])]
    cells = rows[0].split(",")
    cells[9] = ""  # CNS02 empty
    rows[0] = ",".join(cells)
    cells = rows[1].split(",")
    cells[8] = "1.5"  # CNS01 not whole
    rows[1] = ",".join(cells)
    path = make_file("ca_wac_S000_JT00_2021.csv", build.lines(",".join(build.lodes_header()), *rows))
    _, problems = parse_lodes_wac(path)
    assert [(p.row, p.column) for p in problems] == [(1, "CNS02"), (2, "CNS01")]
    assert problems[0].message.startswith("'' is not a number of jobs")
    assert problems[1].message.startswith("'1.5' is not a number of jobs")


def test_a_rac_file_is_pointed_to_the_flows_import(tmp_path: Path) -> None:
    rac = write_area_file(tmp_path / "ca_rac_S000_JT00_2021.csv.gz", "rac", {"060190001001000": {"CNS01": 3}})
    with pytest.raises(FieldError, match=r"no column 'w_geocode'.*LODES RAC.*--format lodes-rac"):
        read_lodes_wac(rac)
