"""Hostile QCEW files (issue 12): each built here in code, imported with the real command; the
refusals name the file, the row and column and the fix, and leave the workspace as it was."""

from __future__ import annotations

from pathlib import Path

from hostile_harness import expect_refusal, expect_success
from qcew_files import Row, county_rows, qcew_bytes


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _import(*files: str) -> list[str]:
    return ["import", "employment", *files, "--format", "qcew"]


def test_truncated_download_is_refused_with_its_row(fresh_workspace: Path, tmp_path: Path) -> None:
    data = qcew_bytes("area-annual", county_rows("06019", 2016))
    cut = data[: len(data) * 2 // 3]
    cut = cut[: cut.rfind(b",")]  # the last row stops in the middle of its cells
    path = _file(tmp_path, "2016.annual 06019 Fresno County, California.csv", cut)
    expect_refusal(fresh_workspace, _import(path), "2016.annual 06019", "row", "annual_avg_emplvl")


def test_missing_quarters_are_named(fresh_workspace: Path, tmp_path: Path) -> None:
    rows = county_rows("06019", 2016, qtr="1") + county_rows("06019", 2016, qtr="2")
    path = _file(tmp_path, "2016.q1-q2 06019.csv", qcew_bytes("area-quarterly", rows))
    expect_refusal(fresh_workspace, _import(path), "only quarters 1, 2", "four quarters", "annual file")


def test_one_api_quarter_alone_is_refused(fresh_workspace: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, "US000.csv", qcew_bytes("api-quarterly", county_rows("US000", 2024, qtr="1")))
    expect_refusal(fresh_workspace, _import(path), "area US, 2024", "only quarter 1", "every quarter")


def test_spreadsheet_thousands_separators_are_row_problems(fresh_workspace: Path, tmp_path: Path) -> None:
    data = qcew_bytes("api-annual", [Row("06019", "0", "10", "70", 2016, "A", 374939)])
    data = data.replace(b",374939,", b',"374,939",')
    path = _file(tmp_path, "06019.csv", data)
    expect_refusal(fresh_workspace, _import(path), "row 1", "annual_avg_emplvl", "'374,939'", "not a number")


def test_empty_and_header_only_files(fresh_workspace: Path, tmp_path: Path) -> None:
    empty = _file(tmp_path, "empty.csv", b"")
    expect_refusal(fresh_workspace, _import(empty), "empty.csv", "empty")
    header = qcew_bytes("api-annual", []).split(b"\r\n")[0] + b"\r\n"
    only = _file(tmp_path, "header.csv", header)
    expect_refusal(fresh_workspace, _import(only), "header.csv", "no data rows")


def test_semicolon_resave_is_not_taken_for_qcew(fresh_workspace: Path, tmp_path: Path) -> None:
    data = qcew_bytes("area-annual", county_rows("06019", 2016)).replace(b",", b";")
    path = _file(tmp_path, "resaved.csv", data)
    expect_refusal(fresh_workspace, _import(path), "resaved.csv", "not a qcew file", "as published")


def test_the_same_file_twice_is_refused(fresh_workspace: Path, tmp_path: Path) -> None:
    a = _file(tmp_path, "a.csv", qcew_bytes("api-annual", county_rows("06019", 2016)))
    b = _file(tmp_path, "b.csv", qcew_bytes("api-annual", county_rows("06019", 2016)))
    expect_refusal(fresh_workspace, _import(a, b), "come twice", "pass each year once")


def test_only_other_states_or_size_classes(fresh_workspace: Path, tmp_path: Path) -> None:
    rows = [*county_rows("32003", 2016), Row("06019", "5", "111", "75", 2016, "A", 5, size="3")]
    path = _file(tmp_path, "nevada.csv", qcew_bytes("area-annual", rows))
    expect_refusal(fresh_workspace, _import(path), "no rows for the nation or state 06", "06000", "us000")


def test_withheld_everywhere_imports_as_missing_not_zero(fresh_workspace: Path, tmp_path: Path) -> None:
    rows = [
        Row("06019", "0", "10", "70", 2016, "A", 0, "N"),
        Row("06019", "5", "111", "75", 2016, "A", 0, "N"),
    ]
    path = _file(tmp_path, "withheld.csv", qcew_bytes("area-annual", rows))
    expect_success(fresh_workspace, _import(path), "withheld: 2 values (kept as missing, never 0)")
    stored = (fresh_workspace / "data" / "econ" / "employment" / "withheld.csv").read_text()
    assert "06019,111,2016,,D" in stored and "06019,TOTAL,2016,,D" in stored


def test_utf8_bom_file_imports(fresh_workspace: Path, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + qcew_bytes("area-annual", county_rows("06019", 2016))
    path = _file(tmp_path, "bom.csv", data)
    expect_success(fresh_workspace, _import(path), "places: 1 county", "private employers kept apart")


def test_unknown_ownership_setting_is_refused(built_workspace: Path) -> None:
    config = built_workspace / "valleymaps.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[employment]\nownership = "public"\n')
    expect_refusal(built_workspace, ["build", "--no-png"], "[employment] ownership", '"private"', "public")
