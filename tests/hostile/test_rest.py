"""Hostile inputs of issue 10, the rest: a project file whose every row is rejected, a suitability
profile whose cluster metric sector-only data cannot give, BEA tables imported over other data, and
byte-order marks and wrong files given to the QCEW and BEA readers. Every input is built here in code."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile_harness import expect_refusal, expect_success
from project_files import FRESNO, SAN_FRANCISCO, row, write_csv
from suitability_files import metals_lq_profile

# ---------------------------------------------------------------------------------------------
# 1. a project file whose every row is rejected stores nothing


@pytest.mark.parametrize(
    ("rows", "keywords"),
    [
        (
            [row("1", at=SAN_FRANCISCO), row("2", at=SAN_FRANCISCO)],
            ["all 2 rows", "outside the region (2 rows)"],
        ),
        ([row("", at=FRESNO)], ["the only row was rejected", "missing project id (1 row)", "project id"]),
        (
            [row("1", cost="lots", at=FRESNO), row("2", cost="1e309", at=FRESNO), row("3", at=None)],
            ["all 3 rows", "bad cost (2 rows), missing geometry (1 row)", "'lots'"],
        ),
        ([row("1", lat="abc", lon="-119.8")], ["bad coordinates (1 row)", "'abc'"]),
    ],
    ids=["outside", "no-id", "costs-and-geometry", "text-coordinates"],
)
@pytest.mark.parametrize("store", ["new", "existing"])
def test_every_row_rejected_is_refused_and_the_store_is_untouched(
    built_workspace: Path, tmp_path: Path, rows: list[list[str]], keywords: list[str], store: str
) -> None:
    gpkg = built_workspace / "data" / "geo" / "projects.gpkg"
    if store == "existing":
        good = write_csv(tmp_path / "good.csv", [row("9", at=FRESNO)])
        args = ["import", "projects", str(good), "--report", str(tmp_path / "g.csv")]
        expect_success(built_workspace, args)
        assert gpkg.is_file()
    path = write_csv(tmp_path / "ftip.csv", rows)
    report = tmp_path / "ftip-problems.csv"
    expect_refusal(
        built_workspace, ["import", "projects", str(path), "--report", str(report)],
        "ftip.csv", "rejected", "nothing was stored", "commonest reasons", str(report), *keywords,
    )
    assert gpkg.is_file() == (store == "existing")  # never an empty GeoPackage
    assert report.read_text(encoding="utf-8-sig").count("rejected") >= len(rows)


def test_every_row_rejected_in_the_default_report_place(fresh_workspace: Path, tmp_path: Path) -> None:
    from hostile_harness import run_cli

    path = write_csv(tmp_path / "RTP 2026.csv", [row("1", at=SAN_FRANCISCO)])
    outcome = run_cli(fresh_workspace, ["import", "projects", str(path)])
    assert outcome.exit_code == 1 and outcome.exception is None
    report = Path("outputs") / "reports" / "projects-rtp-2026-problems.csv"
    assert str(fresh_workspace / report) in outcome.output.replace("\n", "")
    assert (fresh_workspace / report).is_file()
    assert not (fresh_workspace / "data" / "geo" / "projects.gpkg").exists()
    assert outcome.output.count("Error:") == 1


def test_every_row_rejected_in_a_dry_run_says_nothing_would_be_stored(
    fresh_workspace: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "ftip.csv", [row("1", at=SAN_FRANCISCO)])
    expect_refusal(
        fresh_workspace,
        ["import", "projects", str(path), "--dry-run", "--report", str(tmp_path / "r.csv")],
        "the only row was rejected", "nothing would be stored (dry run)",
    )


def test_a_file_with_one_good_row_still_imports(fresh_workspace: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ftip.csv", [row("1", at=SAN_FRANCISCO), row("2", at=FRESNO)])
    expect_success(fresh_workspace, ["import", "projects", str(path)], "kept 1, rejected 1")


# ---------------------------------------------------------------------------------------------
# 2. suitability on sector-only employment (LODES WAC): a component LQ cannot be computed

LQ_PROFILE = metals_lq_profile()


@pytest.fixture
def lodes_workspace(fresh_workspace: Path, tmp_path: Path) -> Path:
    """The bundled workspace with square tracts and LODES WAC (sectors only) imported."""
    from lodes_files import write_wac
    from workspace_files import write_square_tracts

    counties = ["06019", "06029", "06031", "06039", "06047", "06077", "06099", "06107"]
    geoids = write_square_tracts(tmp_path / "tracts.geojson", counties)
    expect_success(fresh_workspace, ["import", "tracts", str(tmp_path / "tracts.geojson")])
    wac = write_wac(tmp_path / "ca_wac_S000_JT00_2021.csv.gz", geoids)
    expect_success(fresh_workspace, ["import", "employment", str(wac), "--format", "lodes-wac"])
    (tmp_path / "lq.toml").write_text(LQ_PROFILE, encoding="utf-8")
    return fresh_workspace


def test_component_lq_from_sector_only_data_is_refused_without_allow_missing(
    lodes_workspace: Path, tmp_path: Path
) -> None:
    args = ["suitability", "--profile", str(tmp_path / "lq.toml"), "--resolution", "5000", "--no-png"]
    expect_refusal(
        lodes_workspace, args,
        "factor 'metals and machinery concentration (lq)' (metals_lq, weight 60)", "lq.toml",
        "lodes wac", "naics detail", "valleymaps import employment", "--format cbp", "--allow-missing",
    )


def test_component_lq_from_sector_only_data_is_left_out_with_allow_missing(
    lodes_workspace: Path, tmp_path: Path
) -> None:
    import json

    out = tmp_path / "run"
    args = ["suitability", "--profile", str(tmp_path / "lq.toml"), "--resolution", "5000", "--no-png",
            "--allow-missing", "--out", str(out)]
    expect_success(
        lodes_workspace, args,
        "note: metals and machinery concentration (lq) (weight 60) left out", "sector-only", "--format cbp",
    )
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["weights"] == {"manufacturing_share": 100.0}
    assert not (out / "factor-metals_lq.tif").exists()


def test_a_bundled_target_on_sector_only_data_runs_with_allow_missing(lodes_workspace: Path) -> None:
    args = ["suitability", "-t", "Motor vehicle parts manufacturing", "--allow-missing",
            "--resolution", "5000", "--no-png"]
    expect_success(lodes_workspace, args, "metals and machinery concentration (lq) (weight 15) left out",
                   "site 1")


# ---------------------------------------------------------------------------------------------
# 3. BEA tables imported over other tables of the same year (the one replacement rule)


def test_import_io_over_the_bundled_tables_is_refused_then_replaced_when_asked(
    fresh_workspace: Path, tmp_path: Path
) -> None:
    from bea_files import write_bea_workbooks

    files = [str(p) for p in write_bea_workbooks(tmp_path / "bea")]
    expect_refusal(
        fresh_workspace, ["import", "io", *files],
        "bea_2012_detail.npz", "405 industries", "5 industries", "IOUse_Before_Redefinitions_PRO_DET.xlsx",
        "--replace",
    )
    expect_success(fresh_workspace, ["import", "io", *files, "--replace"], "5 industries")
    npz = fresh_workspace / "data" / "econ" / "io" / "bea_2012_detail.npz"
    stored = npz.read_bytes()
    expect_success(fresh_workspace, ["import", "io", *files], "5 industries")  # the same again
    assert npz.read_bytes() == stored


# ---------------------------------------------------------------------------------------------
# 4. byte-order marks and wrong files for the QCEW and BEA readers


@pytest.mark.parametrize(
    ("prefix", "encoding"),
    [(b"", "utf-16"), (b"", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")],
    ids=["utf16-bom", "utf16-no-bom", "utf16-be", "utf8-bom"],
)
def test_qcew_in_utf16_or_with_a_bom_imports(
    fresh_workspace: Path, tmp_path: Path, prefix: bytes, encoding: str
) -> None:
    from qcew_files import county_rows, qcew_bytes

    text = qcew_bytes("area-annual", county_rows("06019", 2016)).decode("utf-8")
    path = tmp_path / "2016.annual 06019.csv"
    path.write_bytes(prefix + text.encode(encoding))
    expect_success(fresh_workspace, ["import", "employment", str(path), "--format", "qcew"],
                   "places: 1 county", "years: 2016", "private employers kept apart")


def test_qcew_resaved_by_excel_is_refused_saying_what_it_is(fresh_workspace: Path, tmp_path: Path) -> None:
    import io

    import pandas as pd

    from qcew_files import county_rows, qcew_bytes

    frame = pd.read_csv(io.BytesIO(qcew_bytes("area-annual", county_rows("06019", 2016))), dtype=str)
    xlsx = tmp_path / "fresno.xlsx"
    frame.to_excel(xlsx, index=False, engine="openpyxl")
    expect_refusal(fresh_workspace, ["import", "employment", str(xlsx), "--format", "qcew"],
                   "fresno.xlsx", "excel workbook", "not a qcew csv", "csv utf-8")
    unicode_text = tmp_path / "fresno.txt"
    unicode_text.write_bytes(frame.to_csv(sep="\t", index=False).encode("utf-16"))
    expect_refusal(fresh_workspace, ["import", "employment", str(unicode_text), "--format", "qcew"],
                   "fresno.txt", "tab-separated", "utf-16", "unicode text", "as published")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"Code,Commodity Description,1111A0\n", "comma-separated text"),
        (b"\xef\xbb\xbfCode,Commodity Description\n", "comma-separated text (utf-8-sig)"),
        ("Code\tCommodity Description\n".encode("utf-16"), "tab-separated text (utf-16)"),
    ],
    ids=["csv", "csv-bom", "unicode-text"],
)
def test_a_csv_given_to_import_io_is_refused(
    fresh_workspace: Path, tmp_path: Path, data: bytes, said: str
) -> None:
    from bea_files import write_bea_workbooks

    files = write_bea_workbooks(tmp_path / "bea")
    csv = tmp_path / "IOUse_Before_Redefinitions_PRO_DET.csv"
    csv.write_bytes(data)
    args = ["import", "io", str(csv), *(str(p) for p in files if "Use" not in p.name), "--replace"]
    expect_refusal(fresh_workspace, args, "IOUse_Before_Redefinitions_PRO_DET.csv", said,
                   "not an excel workbook", "IOUse_Before_Redefinitions_PRO_DET.xlsx", "fetch bea")
