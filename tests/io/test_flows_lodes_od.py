"""Reading LODES origin-destination files: sums by county and tract pairs, main + aux, bad files."""

from __future__ import annotations

import functools
import gzip
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lodes_files import OD_HEADER, od_row
from valleymaps.errors import DataSourceError, FieldError, ValidationError
from valleymaps.io.flows.lodes_od import parse_od_name, read_lodes_od

Reader = Callable[..., Any]

HEADER = OD_HEADER

# blocks: two Fresno tracts, a Madera tract, a Los Angeles tract, a Nevada tract
T1B1, T1B2 = "060190001001000", "060190001001001"
T2B1 = "060190002001000"
T3B1 = "060390001001000"
T4B1, T4B2 = "060370001001000", "060370001001001"
NVB1 = "320030001001000"


@pytest.fixture(params=["c", "python"])
def read(request: pytest.FixtureRequest) -> Callable[..., object]:
    """read_lodes_od with the compiled engine and with the pure-Python one: same results."""
    if request.param == "c":
        from valleymaps.io.flows import _odscan

        if _odscan.load() is None:
            if os.environ.get("CI"):
                pytest.fail("the compiled LODES OD engine was not built at install time (CI: gcc and "
                            "python3-dev are installed by scripts/test.sh)")
            pytest.skip("the compiled engine was not built at install here (no C compiler?)")
    return functools.partial(read_lodes_od, engine=request.param)


MAIN_ROWS = [
    od_row(T1B1, T1B2, 10, 4),  # same tract
    od_row(T1B1, T2B1, 5, 2),  # tract 2 -> tract 1, same county
    od_row(T1B2, T3B1, 7, 3),  # Madera -> Fresno
    od_row(T3B1, T1B1, 4, 1),  # Fresno -> Madera
    od_row(T4B1, T1B1, 6, 5),  # Fresno -> Los Angeles
    od_row(T4B1, T3B1, 2, 0),  # Madera -> Los Angeles
    od_row(T4B1, T4B2, 50, 10),  # Los Angeles -> Los Angeles
]
AUX_ROWS = [od_row(T1B1, NVB1, 3, 1)]  # Nevada -> Fresno


def write_od(path: Path, rows: list[str], *, header: str = HEADER, compress: bool = True,
             newline: str = "\n") -> Path:
    text = newline.join([header, *rows]) + newline
    if compress:
        path.write_bytes(gzip.compress(text.encode("ascii")))
    else:
        path.write_text(text, encoding="ascii", newline="")
    return path


def pairs(frame: pd.DataFrame, column: str = "workers") -> dict[tuple[str, str], int]:
    return {(h, w): int(v) for h, w, v in zip(frame["h_geoid"], frame["w_geoid"], frame[column], strict=True)}


def test_county_and_tract_pairs_are_summed_by_geoid_prefix(tmp_path: Path, read: Reader) -> None:
    agg = read(write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", MAIN_ROWS))

    assert pairs(agg.county) == {
        ("06019", "06019"): 15, ("06039", "06019"): 7, ("06019", "06039"): 4,
        ("06019", "06037"): 6, ("06039", "06037"): 2, ("06037", "06037"): 50,
    }
    assert pairs(agg.county, "SE03")[("06019", "06019")] == 6
    assert pairs(agg.detail)[("06019000200", "06019000100")] == 5
    assert pairs(agg.detail)[("06019000100", "06019000100")] == 10
    assert agg.detail["h_geoid"].str.len().eq(11).all()
    assert agg.rows == 7 and agg.workers == 84
    assert (agg.year, agg.job_type) == (2021, "JT00")
    # GEOIDs stay text with their leading zero
    assert agg.county["h_geoid"].iloc[0].startswith("0")


def test_main_and_aux_together_add_out_of_state_residents(tmp_path: Path, read: Reader) -> None:
    main = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", MAIN_ROWS)
    aux = write_od(tmp_path / "ca_od_aux_JT00_2021.csv.gz", AUX_ROWS)

    agg = read([main, aux], detail_counties=["06019", "06039"])

    assert pairs(agg.county)[("32003", "06019")] == 3
    assert pairs(agg.detail)[("32003000100", "06019000100")] == 3
    assert [f.part for f in agg.files] == ["main", "aux"]
    assert agg.workers == 87
    # tract pairs are kept only when an end is in the region: Los Angeles -> Los Angeles is not
    assert not ((agg.detail["h_geoid"].str[:5] == "06037") & (agg.detail["w_geoid"].str[:5] == "06037")).any()
    # county pairs are complete
    assert pairs(agg.county)[("06037", "06037")] == 50


def test_block_geoid_stored_as_number_names_the_column_and_the_fix(
    tmp_path: Path, read: Reader
) -> None:
    # a spreadsheet turned 060190001001000 into 60190001001000
    rows = [r.replace("060190001001000", "60190001001000") for r in MAIN_ROWS]
    path = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", rows)

    with pytest.raises(FieldError) as err:
        read(path)
    message = str(err.value)
    assert "'w_geocode'" in message or "'h_geocode'" in message
    assert "stored as numbers" in message
    assert "15-character text" in message and "leading zero" in message
    assert "ca_od_main_JT00_2021.csv.gz" in message


def test_scientific_notation_geoid_is_also_a_number(tmp_path: Path, read: Reader) -> None:
    rows = [f"6.01900010010E+13,{T1B2},1,0,1,0,1,0,0,0,0,1,20230321"]
    with pytest.raises(FieldError, match=r"'w_geocode'.*stored as numbers"):
        read(write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", rows))


def test_bad_rows_are_listed_with_row_and_column(tmp_path: Path, read: Reader) -> None:
    rows = [*MAIN_ROWS[:2], f"{T1B1},{T1B2},x,0,1,0,1,0,0,0,0,1,20230321", f"{T1B1},{T1B2},1,0"]
    with pytest.raises(ValidationError) as err:
        read(write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", rows))
    text = str(err.value)
    assert "row 3, column 'S000'" in text
    assert "row 4" in text and "number of fields" in text


def test_a_wac_file_is_refused_with_the_right_command(tmp_path: Path, read: Reader) -> None:
    path = write_od(tmp_path / "ca_wac_S000_JT00_2021.csv.gz", ["060190001001000,5,5"],
                    header="w_geocode,C000,CNS01")
    with pytest.raises(FieldError, match=r"WAC.*import employment"):
        read(path)


def test_files_of_different_years_are_not_added(tmp_path: Path, read: Reader) -> None:
    a = write_od(tmp_path / "ca_od_main_JT00_2020.csv.gz", MAIN_ROWS)
    b = write_od(tmp_path / "ca_od_aux_JT00_2021.csv.gz", AUX_ROWS)
    with pytest.raises(ValidationError, match=r"different years"):
        read([a, b])


def test_truncated_download_is_a_data_source_error(tmp_path: Path, read: Reader) -> None:
    good = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", MAIN_ROWS * 50)
    cut = tmp_path / "cut" / good.name
    cut.parent.mkdir()
    cut.write_bytes(good.read_bytes()[:-30])
    with pytest.raises(DataSourceError, match=r"Download it again"):
        read(cut)


def test_plain_csv_crlf_and_quoted_geocodes_read_the_same(tmp_path: Path, read: Reader) -> None:
    reference = read(write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", MAIN_ROWS))
    quoted = [f'"{r[:15]}","{r[16:31]}"{r[31:]}' for r in MAIN_ROWS]
    (tmp_path / "q").mkdir()
    plain = write_od(tmp_path / "q" / "ca_od_main_JT00_2021.csv", quoted, compress=False, newline="\r\n")
    agg = read(plain)
    pd.testing.assert_frame_equal(agg.county, reference.county)
    assert pairs(agg.detail) == pairs(reference.detail)


def test_unsorted_rows_and_tiny_chunks_give_the_same_sums(tmp_path: Path, read: Reader) -> None:
    rng = random.Random(3)
    blocks = [f"06{c:03d}{t:06d}{b:04d}"
              for c in (19, 39, 37) for t in (100, 200, 300) for b in (1000, 1001)]
    rows = [od_row(rng.choice(blocks), rng.choice(blocks), rng.randint(1, 9)) for _ in range(3000)]
    rows_sorted = sorted(rows)
    a = read(write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", rows_sorted))
    (tmp_path / "u").mkdir()
    b = read(write_od(tmp_path / "u" / "ca_od_main_JT00_2021.csv.gz", rows), chunk_bytes=4096)

    key = ["h_geoid", "w_geoid"]
    pd.testing.assert_frame_equal(a.detail.sort_values(key, ignore_index=True),
                                  b.detail.sort_values(key, ignore_index=True))
    pd.testing.assert_frame_equal(a.county, b.county)
    assert a.detail["workers"].sum() == sum(int(r.split(",")[2]) for r in rows)


def test_file_names_tell_state_part_job_type_and_year() -> None:
    assert parse_od_name("ca_od_aux_JT01_2019.csv.gz") == {
        "state": "ca", "part": "aux", "job_type": "JT01", "year": "2019"}
    assert parse_od_name("od.csv") is None


def test_without_the_compiled_reader_it_says_once_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A source install without a compiler still reads OD files, and says why it is slower."""
    import importlib

    from valleymaps.io.flows import _odscan

    real_import = importlib.import_module

    def no_extension(name: str, *args: object) -> object:
        if name == _odscan.EXTENSION:
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_extension)
    monkeypatch.delenv("VALLEYMAPS_OD_ENGINE", raising=False)
    _odscan.load.cache_clear()
    try:
        with caplog.at_level("WARNING", logger="valleymaps.io.flows._odscan"):
            path = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", MAIN_ROWS)
            first = read_lodes_od([path])
            read_lodes_od([path])
        warnings = [r for r in caplog.records if "slower pure-Python engine" in r.getMessage()]
        assert len(warnings) == 1  # once per process
        assert "apt install gcc python3-dev" in warnings[0].getMessage()
        assert first.county["workers"].sum() == sum(int(r.split(",")[2]) for r in MAIN_ROWS)
        with pytest.raises(DataSourceError, match="not installed"):
            read_lodes_od([path], engine="c")
    finally:
        _odscan.load.cache_clear()
