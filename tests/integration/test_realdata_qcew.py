"""The real QCEW files of ../shared/realdata/qcew: the eight Valley counties' 2016 quarterly
"CSVs by area" files and a U.S. open-data API slice (2024 Q1)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from valleymaps.analysis.naics_editions import reconcile_naics_editions
from valleymaps.core.naics import NAICS_2012_TO_2017, naics_edition
from valleymaps.io.employment import detect_format, read_employment
from valleymaps.io.employment._common import read_header
from valleymaps.io.employment.qcew import describe_layout, read_qcew, read_qcew_records

REPO = Path(__file__).resolve().parents[2]
_CANDIDATES = [
    REPO / ".." / "shared" / "realdata" / "qcew",
    REPO / ".." / ".." / "shared" / "realdata" / "qcew",
]
QCEW = next((p.resolve() for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
FRESNO = QCEW / "2016.q1-q4 06019 Fresno County, California.csv"
US_SLICE = QCEW / "US000_2024q1_api_slice.csv"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not FRESNO.is_file(), reason=f"no real QCEW files in {QCEW}"),
]


@pytest.fixture(scope="module")
def fresno():  # type: ignore[no-untyped-def]
    return read_qcew(FRESNO)


def _raw_months(own: str, industry: str) -> list[int]:
    with open(FRESNO, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["own_code"] == own and r["industry_code"] == industry]
    assert sorted(r["qtr"] for r in rows) == ["1", "2", "3", "4"]
    return [int(r[f"month{m}_emplvl"]) for r in rows for m in (1, 2, 3)]


def test_fresno_2016_total_covered_jobs(fresno) -> None:  # type: ignore[no-untyped-def]
    total = fresno.table.set_index("naics").loc["TOTAL"]
    assert round(total["employment"]) == 374_939
    assert total["employment"] == pytest.approx(np.mean(_raw_months("0", "10")))  # mean of 12 months
    assert detect_format(FRESNO) == "qcew"
    assert fresno.years == [2016] and set(fresno.table["geoid"]) == {"06019"}


def test_private_plus_government_is_the_total() -> None:
    records, problems, layouts = read_qcew_records(FRESNO)
    assert problems == [] and layouts == ["CSVs by area, quarterly"]
    totals = records[records["naics"] == "TOTAL"].set_index("own")["employment"]
    assert set(totals.index) == {"0", "1", "2", "3", "5"}
    assert totals[["1", "2", "3", "5"]].sum() == pytest.approx(totals["0"])


def test_farm_jobs_counted_with_the_readme_figures(fresno) -> None:  # type: ignore[no-untyped-def]
    private = fresno.private.set_index("naics")["employment"]
    assert private["11"] == pytest.approx(46_700, abs=100)
    assert private["111"] == pytest.approx(13_900, abs=100)
    assert private["115"] == pytest.approx(30_600, abs=100)
    assert private["TOTAL"] < fresno.table.set_index("naics").loc["TOTAL", "employment"]


def test_withheld_cells_are_missing_never_zero(fresno) -> None:  # type: ignore[no-untyped-def]
    with open(FRESNO, newline="", encoding="utf-8") as fh:
        withheld = {
            r["industry_code"]
            for r in csv.DictReader(fh)
            if r["own_code"] == "5" and r["disclosure_code"] == "N" and r["agglvl_code"] == "78"
        }
    assert withheld
    private = fresno.private.set_index("naics")
    rows = private.loc[sorted(withheld & set(private.index))]
    assert rows["employment"].isna().all() and rows["flag"].str.contains("D").all()
    assert not fresno.table["naics"].isin(["101", "102", "1011", "1021", "10"]).any()  # BLS groupings


def test_all_eight_counties_read_together() -> None:
    files = sorted(QCEW.glob("2016.q1-q4 *.csv"))
    assert len(files) == 8
    ds = read_employment(files, format="qcew", name="qcew_valley_2016")
    assert ds.table["geoid"].nunique() == 8 and ds.private is not None
    assert ds.not_covered == ()


def test_api_slice_layout_and_a_single_quarter_is_refused(tmp_path: Path) -> None:
    assert describe_layout(read_header(US_SLICE)) == "open-data API slice, quarterly"
    records, problems, _ = read_qcew_records(US_SLICE)
    assert records.empty
    assert len(problems) == 1 and "only quarter 1" in problems[0].message
    # the same slice for the four quarters (quarter number changed) gives the annual average
    text = US_SLICE.read_bytes()
    paths = []
    for q in "1234":
        path = tmp_path / f"US000_2024_q{q}.csv"
        path.write_bytes(text.replace(b'"2024","1"', f'"2024","{q}"'.encode()))
        paths.append(path)
    ds = read_qcew(paths)
    total = ds.table.set_index(["geoid", "naics"]).loc[("US", "TOTAL"), "employment"]
    assert total == pytest.approx(np.mean([152393725, 153129544, 153848430]))
    assert ds.private is not None and ("US" in set(ds.private["geoid"]))


def test_api_slice_read_as_a_first_quarter_series() -> None:
    ds = read_qcew(US_SLICE, quarter="1")
    assert ds.years == [2024] and "Q1 averages" in ds.source
    total = ds.table.set_index(["geoid", "naics"]).loc[("US", "TOTAL"), "employment"]
    assert total == pytest.approx(np.mean([152393725, 153129544, 153848430]))
    assert ds.private is not None


def test_fresno_second_quarter_series_is_its_three_months() -> None:
    ds = read_qcew(FRESNO, quarter="2")
    total = ds.table.set_index("naics").loc["TOTAL", "employment"]
    assert total == pytest.approx(np.mean(_raw_months("0", "10")[3:6]))


def _naics_cell(table: pd.DataFrame, naics: str) -> tuple[float, str]:
    row = table[table["naics"] == naics]
    assert len(row) == 1, (naics, row)
    return float(row["employment"].iloc[0]), str(row["flag"].iloc[0])


def test_fresno_2016_private_jobs_recoded_to_naics_2017(fresno) -> None:  # type: ignore[no-untyped-def]
    """The 2016 file (NAICS 2012) brought to NAICS 2017, the clusters' edition."""
    private = fresno.private
    assert private is not None
    assert naics_edition(2016, source="qcew") == 2012
    result = reconcile_naics_editions(private, editions={2016: 2012})
    before, after = private.set_index("naics"), result.table
    assert result.converted == {2016: 2012}

    # renumbered whole: wired and wireless carriers, all other consumer goods rental
    assert _naics_cell(after, "517311") == pytest.approx((before.at["517110", "employment"], ""))
    assert _naics_cell(after, "517312") == pytest.approx((before.at["517210", "employment"], ""))
    assert _naics_cell(after, "532289") == (180.0, "")
    # department stores: 452111 whole plus part of discount department stores 452112, which
    # split with supercenters: a lower bound (I) with its reclassified part (R)
    value, flag = _naics_cell(after, "452210")
    assert value == pytest.approx(before.at["452111", "employment"]) and set(flag) == {"I", "R"}
    value, flag = _naics_cell(after, "452311")
    assert math.isnan(value) and set(flag) == {"D", "R"}
    # electronic shopping and mail order, both withheld in 2016: missing, withheld
    value, flag = _naics_cell(after, "454110")
    assert math.isnan(value) and flag == "D"
    # research and development in the physical sciences split: missing, flagged R
    value, flag = _naics_cell(after, "541715")
    assert math.isnan(value) and flag == "R"

    # no NAICS 2012-only code or level left behind
    left = set(after["naics"]) & (set(NAICS_2012_TO_2017) | {"5171", "51711", "5172", "51721", "4521"})
    assert not left
    # every industry the concordance does not touch (nor any level above one it does) is exactly
    # as published
    touched = {code[:k] for code in NAICS_2012_TO_2017 for k in (3, 4, 5, 6)}
    untouched = private[~private["naics"].isin(touched)]
    merged = untouched.merge(after, on=["geoid", "naics", "year"], suffixes=("", "_after"))
    assert len(merged) == len(untouched) > 1000
    assert merged["employment"].equals(merged["employment_after"])
    assert merged["flag"].equals(merged["flag_after"])
    assert _naics_cell(after, "111335")[0] == pytest.approx(2742.916667)  # tree nuts
    assert _naics_cell(after, "115115")[0] == pytest.approx(20464.833333)  # farm labour contractors


def _import_cli(tmp_path: Path, *args: str) -> tuple[int, str, str, Path]:
    from click.testing import CliRunner

    from valleymaps.cli import cli
    from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG

    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    (ws / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "employment", *args, "--format", "qcew", "-w", str(ws)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr, ws / "data" / "econ" / "employment"


def test_import_one_quarter_of_the_real_2016_file(tmp_path: Path) -> None:
    code, out, err, folder = _import_cli(tmp_path, str(FRESNO), "--quarter", "Q2")
    assert code == 0, err
    name = "2016.q1-q4_06019_Fresno_County_California_q2"
    assert f"Imported {name}: BLS Quarterly Census of Employment and Wages 2016 Q2 averages" in out
    assert "years: 2016" in out
    saved = pd.read_csv(folder / f"{name}.csv", dtype={"geoid": str, "naics": str})
    total = saved[(saved["geoid"] == "06019") & (saved["naics"] == "TOTAL")]
    months = _raw_months("0", "10")[3:6]  # April, May, June
    assert total["employment"].tolist() == [pytest.approx(sum(months) / 3)]
    assert total["employment"].iloc[0] != pytest.approx(374939, abs=1)  # not the annual average


def test_import_a_quarter_the_real_file_does_not_hold_is_one_clear_error(tmp_path: Path) -> None:
    code, out, err, folder = _import_cli(tmp_path, str(US_SLICE), "--quarter", "3")
    assert code == 1 and "Traceback" not in err + out
    assert f"Error: {US_SLICE}: 1 problem found" in err
    assert "column 'qtr': US000_2024q1_api_slice.csv: area US, 2024: no quarter 3 (quarter 1 only)" in err
    assert ".../2024/3/area/..." in err and "ask for a quarter the file has (1)" in err
    assert not folder.exists() or not any(folder.glob("qcew_2024*"))


def test_import_a_quarter_missing_from_a_cut_of_the_real_2016_file(tmp_path: Path) -> None:
    """The first quarter of the real Fresno file alone (a cut in tmp_path), asked for the fourth."""
    lines = FRESNO.read_bytes().split(b"\r\n")
    first = [line for line in lines[1:] if line.split(b",")[6:7] == [b'"1"']]
    assert len(first) > 1000
    cut = tmp_path / "2016.q1 06019 Fresno County, California.csv"
    cut.write_bytes(b"\r\n".join([lines[0], *first, b""]))
    code, out, err, folder = _import_cli(tmp_path, str(cut), "--quarter", "4")
    assert code == 1 and "Traceback" not in err + out and not folder.exists()
    assert f"{cut.name}: area 06019, 2016: no quarter 4 (quarter 1 only)" in err
    assert "column 'qtr'" in err and "'2016.q1-q4 ...'" in err
    code, out, err, _ = _import_cli(tmp_path, str(cut), "--quarter", "1")
    assert code == 0 and "2016 Q1 averages" in out, err
