"""``valleymaps import flows``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lodes_files import write_area_file, write_delineation_xlsx, write_od
from valleymaps.cli import cli

MAIN = [
    "060190001001000,060190002001000,5,1,2,2,1,2,2,1,2,2,20230321",
    "060370001001000,060190001001000,6,2,2,2,1,0,5,2,2,2,20230321",
    "060390001001000,060190001001000,4,2,2,0,1,2,1,2,2,0,20230321",
]
AUX = ["060190001001000,320030001001000,3,1,1,1,1,1,1,1,1,1,20230321"]
ACS = (
    "h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe\n"
    "06,019,006,019,317272,2838\n06,019,006,037,807,228\n06,019,303,NA,9,12\n06,019,NA,NA,19,31\n"
    "32,003,006,019,176,113\nNA,NA,NA,NA,NA,NA\n\"Source: U.S. Census Bureau\",NA,NA,NA,NA,NA\n"
)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_import_lodes_main_and_aux(tmp_path: Path, workspace: Path) -> None:
    main = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", MAIN)
    aux = write_od(tmp_path / "ca_od_aux_JT00_2021.csv.gz", AUX)

    code, out, err = _run("import", "flows", str(main), str(aux), "--format", "lodes-od",
                          "-w", str(workspace))

    assert code == 0, err
    # 2021 is a LODES8 year only: the version is in the source
    assert ("Imported ca_od_2021_jt00: LEHD LODES8 origin-destination 2021, all jobs (JT00), "
            "main+aux parts") in out
    assert "county pairs: 4 (4 touching San Joaquin Valley), 18 workers" in out
    assert "San Joaquin Valley: 15 employed residents, 12 jobs" in out
    assert "4 block pairs, 18 workers" in out
    folder = workspace / "data" / "econ" / "flows"
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "ca_od_2021_jt00.county.csv", "ca_od_2021_jt00.meta.json", "ca_od_2021_jt00.tract.csv"]
    # and the same tables as Parquet partitions a cluster can share
    store = folder / "parquet"
    parts = sorted(p.relative_to(store).parts[:3] for p in store.rglob("*.parquet"))
    assert parts == [("level=county", "state=ca", "year=2021"), ("level=tract", "state=ca", "year=2021")]


def test_import_acs_keeps_margins_and_counts_the_quirks(tmp_path: Path, workspace: Path) -> None:
    path = tmp_path / "acs_county_flows_2009_2013_us.csv"
    path.write_text(ACS, encoding="utf-8")

    code, out, err = _run("import", "flows", str(path), "--format", "ACS", "-w", str(workspace))

    assert code == 0, err
    assert "ACS 2009–2013 5-year county-to-county commuting flows" in out
    assert "1 rows with work places abroad (Mexico)" in out
    assert "1 rows with no work place" in out
    assert "2 lines at the end skipped" in out
    assert "margins of error kept" in out


def test_errors_are_messages_not_tracebacks(tmp_path: Path, workspace: Path) -> None:
    numbers = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", [r.replace("060", "60", 2) for r in MAIN])
    code, _, err = _run("import", "flows", str(numbers), "--format", "lodes-od", "-w", str(workspace))
    assert code == 1
    assert "Error:" in err and "'w_geocode'" in err and "15-character text" in err
    assert "Traceback" not in err

    code, _, err = _run("import", "flows", str(numbers), "--format", "cbp", "-w", str(workspace))
    assert code == 2 and "lodes-od" in err and "acs-county" in err and "lodes-rac" in err


def test_help_names_the_formats() -> None:
    code, out, _ = _run("import", "flows", "--help")
    assert code == 0
    assert "--format lodes-od|acs-county" in out
    assert "ca_od_main_JT00_2021.csv.gz" in out


def test_import_acs_workbook_as_published(tmp_path: Path, workspace: Path) -> None:
    from fetch_server import ACS_FLOWS, acs_flows_xlsx

    path = tmp_path / "table1.xlsx"
    path.write_bytes(acs_flows_xlsx(2020))

    code, out, err = _run("import", "flows", str(path), "--format", "acs-county",
                          "-w", str(workspace))

    assert code == 0, err
    assert "Imported acs_county_flows_2016_2020: ACS 2016–2020 5-year" in out
    assert f"county pairs: {len(ACS_FLOWS)} " in out
    assert "2 rows with work places abroad (Canada, Europe)" in out
    assert "4 lines at the end skipped" in out
    assert (workspace / "data/econ/flows/acs_county_flows_2016_2020.county.csv").is_file()


def test_rac_and_wac_add_totals_and_compare_them_with_the_flows(tmp_path: Path, workspace: Path) -> None:
    main = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", MAIN)
    assert _run("import", "flows", str(main), "--format", "lodes-od", "-w", str(workspace))[0] == 0
    rac = write_area_file(tmp_path / "ca_rac_S000_JT00_2021.csv.gz", "rac",
                          {"060190002001000": {"CNS01": 5}, "060190001001000": {"CNS01": 2}})

    code, out, err = _run("import", "flows", str(rac), "--format", "lodes-rac", "-w", str(workspace))

    assert code == 0, err
    assert "Added LEHD LODES8 RAC 2021, all jobs (JT00), of CA to ca_od_2021_jt00" in out
    assert "San Joaquin Valley: 7 employed residents (the OD flows give 15)" in out
    assert (workspace / "data" / "econ" / "flows" / "ca_od_2021_jt00.rac.csv").is_file()

    wrong = write_area_file(tmp_path / "ca_wac_S000_JT01_2021.csv.gz", "wac",
                            {"060190002001000": {"CNS01": 5}})
    code, _, err = _run("import", "flows", str(wrong), "--format", "lodes-wac", "-w", str(workspace))
    assert code == 1 and "no LODES OD dataset of CA 2021 JT01" in err and "Traceback" not in err


def test_import_metros(tmp_path: Path, workspace: Path) -> None:
    book = write_delineation_xlsx(tmp_path / "list1_2023.xlsx")

    code, out, err = _run("import", "metros", str(book), "-w", str(workspace))

    assert code == 0, err
    assert ("Imported the CBSA delineation (July 2023) from list1_2023.xlsx: 8 counties in 7 areas "
            "(6 metropolitan, 1 micropolitan)") in out
    assert (workspace / "data" / "geo" / "cbsa_delineation.csv").is_file()
    bad = tmp_path / "list1.xls"
    bad.write_bytes(b"\xd0\xcf")
    code, _, err = _run("import", "metros", str(bad), "-w", str(workspace))
    assert code == 1 and "save it as .xlsx" in err
    code, out, _ = _run("import", "metros", "--help")
    assert "list1_2023.xlsx" in out and "Rest of <state>" in out
