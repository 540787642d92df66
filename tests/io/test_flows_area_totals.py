"""LODES RAC and WAC files as the area totals of a flows dataset: reading, storing, the version."""

from __future__ import annotations

from pathlib import Path

import pytest

from lodes_files import od_row, write_area_file, write_od
from valleymaps.errors import ConfigError, DataSourceError, ValidationError
from valleymaps.io.flows.lodes_area import read_lodes_area_totals
from valleymaps.io.flows.lodes_version import resolve_lodes_version
from valleymaps.io.flows.store import flows_dir, import_flows, load_flows
from valleymaps.workspace import Workspace

# blocks: two in Fresno tract 1 (block groups 1 and 2), one in Fresno tract 2, one in Madera
F1A, F1B, F2, M1 = "060190001001000", "060190001002000", "060190002001000", "060390001001000"
LA = "060370001001000"

RAC = {
    F1A: {"CA01": 2, "CA02": 5, "CA03": 3, "CE01": 1, "CE02": 4, "CE03": 5, "CNS01": 4, "CNS05": 2,
          "CNS03": 1, "CNS16": 3},
    F1B: {"CA02": 6, "CE03": 6, "CNS02": 1, "CNS04": 1, "CNS07": 2, "CNS08": 1, "CNS20": 1},
    F2: {"CA01": 4, "CE01": 4, "CNS18": 4},
    M1: {"CA03": 7, "CE02": 7, "CNS06": 7},
}  # fmt: skip


def _od(folder: Path, *, year: int = 2021) -> Path:
    rows = [od_row(F1A, F1A, 10, 5), od_row(F1A, F2, 4), od_row(M1, F1B, 6, 6), od_row(LA, F2, 2)]
    return write_od(folder / f"ca_od_main_JT00_{year}.csv.gz", rows)


def test_blocks_sum_to_block_groups_tracts_and_counties_with_od_segments(tmp_path: Path) -> None:
    totals = read_lodes_area_totals(write_area_file(tmp_path / "ca_rac_S000_JT00_2021.csv.gz", "rac", RAC),
                                    kind="rac")
    t = totals.table.set_index("geoid")
    assert set(t.index) == {"060190001001", "060190001002", "060190002001", "060390001001",
                            "06019000100", "06019000200", "06039000100", "06019", "06039"}
    # C000 is the sum of the sectors; segments by age and earnings come from CA and CE columns
    assert t.loc["060190001001", ["workers", "SA01", "SA02", "SA03", "SE03"]].tolist() == [10, 2, 5, 3, 5]
    # industry groups: SI01 = NAICS 11, 21, 23, 31-33; SI02 = 22, 42, 44-45, 48-49; SI03 the rest
    assert t.loc["060190001001", ["SI01", "SI02", "SI03"]].tolist() == [6, 1, 3]
    assert t.loc["060190001002", ["SI01", "SI02", "SI03"]].tolist() == [2, 3, 1]
    assert t.loc["06039000100", ["SI01", "SI02", "SI03"]].tolist() == [0, 7, 0]
    assert t.loc["06019000100", "workers"] == 16 and t.loc["06019", "workers"] == 20
    assert t.loc["06019", "SE03"] == 11
    assert (totals.states, totals.year, totals.job_type, totals.kind) == (("06",), 2021, "JT00", "rac")
    assert totals.source == "LEHD LODES8 RAC 2021, all jobs (JT00), of CA"


def test_block_geoids_stored_as_numbers_name_the_file_the_column_and_the_fix(tmp_path: Path) -> None:
    numbers = {b[1:]: c for b, c in RAC.items()}  # a spreadsheet dropped the leading zero
    path = write_area_file(tmp_path / "ca_rac_S000_JT00_2021.csv.gz", "rac", numbers)
    with pytest.raises(ValidationError) as err:
        read_lodes_area_totals([path], kind="rac")
    message = str(err.value)
    assert "ca_rac_S000_JT00_2021.csv.gz" in message
    assert "column 'h_geocode'" in message
    assert "4 block GEOIDs have 14 digits (example: 60190001001000)" in message
    assert "15-character text, e.g. 060190001001000" in message


def test_other_segments_kinds_and_years_are_refused_with_the_right_file(tmp_path: Path) -> None:
    se03 = write_area_file(tmp_path / "ca_rac_SE03_JT00_2021.csv.gz", "rac", RAC)
    wac = write_area_file(tmp_path / "ca_wac_S000_JT00_2021.csv.gz", "wac", RAC)
    with pytest.raises(ValidationError) as err:
        read_lodes_area_totals([se03, wac], kind="rac")
    text = str(err.value)
    assert "import the S000 file (ca_rac_S000_JT00_2021.csv.gz)" in text
    assert "ca_wac_S000_JT00_2021.csv.gz is a WAC file; import it with --format lodes-wac" in text
    old = write_area_file(tmp_path / "ca_rac_S000_JT00_2019.csv.gz", "rac", RAC)
    new = write_area_file(tmp_path / "nv_rac_S000_JT00_2021.csv.gz", "rac", {"320310001001000": {"CNS01": 1}})
    with pytest.raises(ValidationError, match="different years"):
        read_lodes_area_totals([old, new], kind="rac")


def test_totals_are_stored_with_the_od_dataset_of_the_same_state_year_and_job_type(
    ws: Workspace, tmp_path: Path
) -> None:
    rac = write_area_file(tmp_path / "ca_rac_S000_JT00_2021.csv.gz", "rac", RAC)
    original = rac.read_bytes()
    with pytest.raises(ConfigError) as err:  # no OD dataset yet
        import_flows(ws, [rac], format="lodes-rac")
    assert "no LODES OD dataset of CA 2021 JT00" in str(err.value)
    assert "valleymaps import flows ca_od_main_JT00_2021.csv.gz --format lodes-od" in str(err.value)

    import_flows(ws, [_od(tmp_path)], format="lodes-od")
    import_flows(ws, [_od(tmp_path / "y2019", year=2019)], format="lodes-od", lodes_version="LODES7")
    ds = import_flows(ws, [rac], format="lodes-rac")
    assert ds.name == "ca_od_2021_jt00"  # not the 2019 dataset
    wac = write_area_file(tmp_path / "ca_wac_S000_JT00_2021.csv.gz", "wac", {F1A: {"CNS05": 12}})
    import_flows(ws, [wac], format="WAC")

    loaded = load_flows(ws, "ca_od_2021_jt00")
    assert sorted(loaded.totals) == ["rac", "wac"]
    assert loaded.residents is not None and loaded.jobs is not None
    assert loaded.residents.set_index("geoid").loc["06019", "workers"] == 20
    assert loaded.residents["geoid"].str.startswith("0").all()  # text with leading zeros
    assert loaded.totals["wac"].imported_from == ["ca_wac_S000_JT00_2021.csv.gz"]
    assert (flows_dir(ws) / "ca_od_2021_jt00.rac.csv").is_file()
    assert rac.read_bytes() == original  # the input is not modified

    # importing the OD files again keeps the totals that still fit
    again = import_flows(ws, [_od(tmp_path)], format="lodes-od", replace=True)
    assert sorted(again.totals) == ["rac", "wac"]
    assert sorted(load_flows(ws, "ca_od_2021_jt00").totals) == ["rac", "wac"]


def test_totals_of_another_version_or_job_type_are_refused(ws: Workspace, tmp_path: Path) -> None:
    import_flows(ws, [_od(tmp_path / "LODES7", year=2018)], format="lodes-od")
    assert load_flows(ws, "ca_od_2018_jt00").lodes_version == "LODES7"  # from the folder
    rac = write_area_file(tmp_path / "LODES8" / "ca_rac_S000_JT00_2018.csv.gz", "rac", RAC)
    with pytest.raises(ConfigError, match=r"it is LODES7, the files LODES8"):
        import_flows(ws, [rac], format="lodes-rac", name="ca_od_2018_jt00")
    primary = write_area_file(tmp_path / "LODES7" / "ca_rac_S000_JT01_2018.csv.gz", "rac", RAC)
    with pytest.raises(ConfigError, match=r"no LODES OD dataset of CA 2018 JT01"):
        import_flows(ws, [primary], format="lodes-rac")


def test_lodes_version_from_the_user_the_folder_or_the_year(tmp_path: Path) -> None:
    assert resolve_lodes_version([tmp_path / "LODES7" / "ca" / "od" / "x.csv.gz"], year=2015) == "LODES7"
    assert resolve_lodes_version([tmp_path / "x.csv.gz"], year=2021) == "LODES8"
    assert resolve_lodes_version([tmp_path / "x.csv.gz"], year=2015) is None
    assert resolve_lodes_version([tmp_path / "x.csv.gz"], year=2015, given="lodes7") == "LODES7"
    with pytest.raises(ConfigError, match="LODES7 has no year 2021"):
        resolve_lodes_version([tmp_path / "x.csv.gz"], year=2021, given="LODES7")
    with pytest.raises(ConfigError, match="in a LODES8 folder"):
        resolve_lodes_version([tmp_path / "LODES8" / "x.csv.gz"], year=2015, given="LODES7")


def test_od_dataset_records_its_lodes_version_in_the_source(ws: Workspace, tmp_path: Path) -> None:
    unknown = import_flows(ws, [_od(tmp_path, year=2018)], format="lodes-od")
    assert unknown.lodes_version is None and unknown.source.startswith("LEHD LODES origin-destination")
    assert any("pass --lodes-version" in n for n in unknown.notes)
    given = import_flows(ws, [_od(tmp_path, year=2018)], format="lodes-od", lodes_version="LODES7",
                         replace=True)
    assert given.source.startswith("LEHD LODES7 origin-destination 2018")
    assert load_flows(ws, given.name).lodes_version == "LODES7"


def test_a_truncated_rac_download_is_an_error(tmp_path: Path) -> None:
    good = write_area_file(tmp_path / "ok" / "ca_rac_S000_JT00_2021.csv.gz", "rac", RAC)
    cut = tmp_path / "ca_rac_S000_JT00_2021.csv.gz"
    cut.write_bytes(good.read_bytes()[:-20])
    with pytest.raises(DataSourceError, match="Check it is complete"):
        read_lodes_area_totals([cut], kind="rac")
