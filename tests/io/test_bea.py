"""The BEA's detail input-output workbooks: read as published (built in code and the real ones)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bea_files import INDUSTRIES, bea_workbook_bytes, workbook_bytes, write_bea_workbooks
from valleymaps.analysis.io_model import compute_leakage, map_employment_to_industries
from valleymaps.core.io_tables import parse_naics_list
from valleymaps.errors import DataSourceError, MissingDatasetError
from valleymaps.io.bea import import_io, io_store_paths, load_io_tables, read_bea_workbooks
from valleymaps.workspace import Workspace, init_workspace

REPO = Path(__file__).resolve().parents[2]
# ../shared/realdata beside the checkout (or beside the folder of worktrees)
REALDATA_IO = next(
    (p for p in (REPO.parent / "shared" / "realdata" / "io",
                 REPO.parent.parent / "shared" / "realdata" / "io") if p.is_dir()),
    REPO.parent / "shared" / "realdata" / "io",
)
REAL_FILES = sorted(REALDATA_IO.glob("*_DET*.xlsx"))
BUNDLED_EMPLOYMENT = REPO / "data" / "econ" / "employment" / "employment_synthetic_county_2011_2021.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11111-2", ["11111", "11112"]),
        ("11113-6, 11119", ["11113", "11114", "11115", "11116", "11119"]),
        ("1122, 1124-5, 1129", ["1122", "1124", "1125", "1129"]),
        ("332111-2, 332117", ["332111", "332112", "332117"]),
        ("23*", ["23"]),
        ("n.a.", []),
        (311.0, ["311"]),
    ],
)
def test_naics_cells_as_bea_writes_them(text: object, expected: list[str]) -> None:
    assert parse_naics_list(text) == expected


@pytest.mark.parametrize("text", ["11111-", "abc", "1234567", "1119-5"])
def test_unreadable_naics_cells_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="NAICS"):
        parse_naics_list(text)


def test_reads_the_published_layout_with_its_quirks(tmp_path: Path) -> None:
    paths = write_bea_workbooks(tmp_path)
    t = read_bea_workbooks(reversed(paths))  # any order
    assert t.industries == INDUSTRIES  # numeric codes come back as text
    assert t.commodities[-1] == "S00401"
    assert t.use[4, 3] == -1.0  # negative use cell kept as published
    assert t.use_final[:, t.final_codes.index("F05000")].min() < 0  # imports negative
    assert t.industry_output.tolist() == [100, 201, 50, 100, 30]
    conc = t.concordance
    assert conc.loc[conc["bea_code"] == "1111A0", "naics"].tolist() == ["11111", "11112"]
    assert conc.loc[conc["bea_code"] == "233210", "shared"].all()
    assert conc.loc[conc["bea_code"] == "S00500", "naics"].tolist() == [""]
    assert any("exceed" in n and "2 cells" in n for n in t.notes)
    assert {s["kind"] for s in t.sources} == {"use", "make", "imports"}
    assert all(len(s["sha256"]) == 64 for s in t.sources)


def test_store_round_trip_and_missing_store_message(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    assert load_io_tables(ws).industries[:1] == ["1111A0"]  # the bundled real tables
    for path in io_store_paths(ws):
        path.unlink()
    with pytest.raises(MissingDatasetError, match="valleymaps fetch bea"):
        load_io_tables(ws)
    t = import_io(ws, write_bea_workbooks(tmp_path / "in"))
    npz, meta = io_store_paths(ws)
    assert npz.name == "bea_2012_detail.npz"
    info = json.loads(meta.read_text())
    assert info["units"] == "millions of 2012 dollars" and len(info["files"]) == 3
    back = load_io_tables(Workspace.open(ws.root))
    assert back.industries == t.industries and back.final_codes == t.final_codes
    assert np.array_equal(back.use, t.use) and np.array_equal(back.imports_final, t.imports_final)
    pd.testing.assert_frame_equal(back.concordance, t.concordance, check_dtype=False)


def test_wrong_files_say_what_to_pass(tmp_path: Path) -> None:
    paths = write_bea_workbooks(tmp_path)
    with pytest.raises(DataSourceError, match="the Make Table is missing"):
        read_bea_workbooks([p for p in paths if "Make" not in p.name])
    with pytest.raises(DataSourceError, match=r"no sheet 2017.*2007, 2012"):
        read_bea_workbooks(paths, year=2017)
    with pytest.raises(DataSourceError, match="both the Use Table"):
        read_bea_workbooks([paths[0], paths[0], *paths[1:]])
    other = tmp_path / "other.xlsx"
    other.write_bytes(workbook_bytes([("2012", [["Employment by county"]])]))
    with pytest.raises(DataSourceError, match="not a BEA Use table"):
        read_bea_workbooks([other, *paths[1:]])
    after = tmp_path / "after.xlsx"
    after.write_bytes(workbook_bytes([("2012", [["Use Table, After Redefinitions, 2012"]])]))
    with pytest.raises(DataSourceError, match="before redefinitions"):
        read_bea_workbooks([after])
    summary = tmp_path / "summary.xlsx"
    summary.write_bytes(workbook_bytes([("2012", [["The Use of Commodities by Industries"], [],
                                                  ["IOCode", "Name"]])]))
    with pytest.raises(DataSourceError, match="summary-level"):
        read_bea_workbooks([summary])
    text = tmp_path / "IOUse.xlsx"
    text.write_text("not a workbook")
    with pytest.raises(DataSourceError, match="is plain text, not an Excel workbook"):
        read_bea_workbooks([text])
    text.write_bytes(bytes(range(256)) * 4)  # neither a workbook nor text
    with pytest.raises(DataSourceError, match="cannot be opened as an Excel workbook"):
        read_bea_workbooks([text])


@pytest.mark.parametrize(
    ("encoding", "prefix", "sep", "said"),
    [
        ("utf-8", b"", ",", "is comma-separated text, not an Excel workbook"),
        ("utf-8", b"\xef\xbb\xbf", ",", "is comma-separated text (UTF-8-SIG), not an Excel workbook"),
        ("utf-16", b"", "\t", "is tab-separated text (UTF-16), not an Excel workbook"),
        ("utf-16-le", b"", ",", "is comma-separated text (UTF-16-LE), not an Excel workbook"),
    ],
    ids=["csv", "csv-bom", "utf16-tab", "utf16-no-bom"],
)
def test_a_csv_given_for_a_workbook_is_refused_saying_what_it_is(
    tmp_path: Path, encoding: str, prefix: bytes, sep: str, said: str
) -> None:
    paths = write_bea_workbooks(tmp_path)
    csv = tmp_path / "IOUse_Before_Redefinitions_PRO_DET.csv"
    text = sep.join(["Code", "Commodity Description", "1111A0"]) + "\n" + "é" * 3000 + "\n"
    csv.write_bytes(prefix + text.encode(encoding))
    with pytest.raises(DataSourceError) as err:
        read_bea_workbooks([csv, *paths[1:]])
    assert said in str(err.value) and "IOUse_Before_Redefinitions_PRO_DET.xlsx" in str(err.value)
    assert "IOUse_Before_Redefinitions_PRO_DET.csv" in str(err.value)


def test_the_2007_sheet_is_read_on_request(tmp_path: Path) -> None:
    data = bea_workbook_bytes(years=(2007,))
    for name, payload in data.items():
        (tmp_path / name).write_bytes(payload)
    t = read_bea_workbooks(sorted(tmp_path.glob("*.xlsx")), year=2007)
    assert t.year == 2007 and t.dollars == "millions of 2007 dollars"


# --- the real workbooks ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_tables():  # type: ignore[no-untyped-def]
    return read_bea_workbooks(REAL_FILES)


@pytest.mark.realdata
@pytest.mark.skipif(len(REAL_FILES) < 3, reason=f"no BEA detail workbooks in {REALDATA_IO}")
def test_real_workbooks_with_every_quirk(real_tables) -> None:  # type: ignore[no-untyped-def]
    t = real_tables
    assert len(t.industries) == 405 and len(t.commodities) == 405
    assert "111200" in t.industries and "1111A0" in t.industries  # numbers read back as codes
    assert {"S00401", "S00402", "S00300", "S00900"} <= set(t.commodities)
    assert t.industry_output[t.industries.index("1111A0")] == 42655.0
    assert t.use_final[:, t.final_codes.index("F05000")].sum() < -2e6  # imports, negative
    assert int((t.use < 0).sum()) == 15
    assert int((t.imports > t.use).sum()) == 18
    assert int((t.imports - t.use > 1.0).sum()) == 17  # the README's 17, beyond rounding
    assert any("17 by more than" in n for n in t.notes)
    conc = t.concordance
    assert conc["bea_code"].nunique() == 409
    assert conc.loc[conc["naics"] == "", "bea_code"].nunique() == 16  # n.a.
    construction = conc.loc[conc["naics"] == "23", "bea_code"]
    assert len(construction) == 12 and conc.loc[construction.index, "shared"].all()
    assert sorted(conc.loc[conc["bea_code"] == "1111B0", "naics"]) == [
        "11113", "11114", "11115", "11116", "11119"]
    titles = dict(zip(t.commodities, t.commodity_titles, strict=True))
    assert titles["322120"] == "Paper mills" and titles["1111A0"] == "Oilseed farming"


@pytest.mark.realdata
@pytest.mark.skipif(len(REAL_FILES) < 3, reason=f"no BEA detail workbooks in {REALDATA_IO}")
def test_concordance_maps_the_bundled_sample_or_says_what_it_cannot(  # type: ignore[no-untyped-def]
    real_tables,
) -> None:
    emp = pd.read_csv(BUNDLED_EMPLOYMENT, dtype={"geoid": str, "naics": str})
    state = emp[(emp["geoid"] == "06") & (emp["year"] == 2021)].set_index("naics")["employment"]
    m = map_employment_to_industries(real_tables, state)
    # only public administration (92) has no BEA industry: BEA's government is "n.a."
    assert m.unmapped["naics"].tolist() == ["92"]
    mapped = m.jobs.sum() + m.unmapped["jobs"].sum()
    top_level = state[[c for c in state.index if len(c) == 2 or "-" in c]].sum()
    assert mapped == pytest.approx(top_level)
    assert any("333914" in n for n in m.notes)  # a NAICS 2017 code mapped through 33391
    res = compute_leakage(real_tables, state * 0.1, state, method="flq")
    assert any("92" in n and "no BEA industry" in n for n in res.notes)


@pytest.mark.realdata
@pytest.mark.skipif(len(REAL_FILES) < 3, reason=f"no BEA detail workbooks in {REALDATA_IO}")
def test_identities_hold_on_the_real_tables(real_tables) -> None:  # type: ignore[no-untyped-def]
    from valleymaps.analysis.io_model import METHODS, prepare_structure

    emp = pd.read_csv(BUNDLED_EMPLOYMENT, dtype={"geoid": str, "naics": str})
    emp = emp[emp["year"] == 2021]
    state = emp[emp["geoid"] == "06"].set_index("naics")["employment"]
    fresno = emp[emp["geoid"] == "06019"].set_index("naics")["employment"]
    s = prepare_structure(real_tables)
    use = np.maximum(real_tables.use, 0)
    for method in METHODS:
        nation = compute_leakage(s, state, state, method=method)
        assert np.allclose(nation.by_commodity["rpc"], 1.0), method
        assert nation.by_commodity["leakage_us_usd"].abs().max() < 1.0, method  # under $1
        region = compute_leakage(s, fresno, state, method=method)
        c = region.by_commodity
        x_reg = region.industries["output_usd"].to_numpy()
        inputs = (use.sum(axis=0) / real_tables.industry_output * x_reg).sum()
        assert c["demand_usd"].sum() == pytest.approx(inputs)
        assert (c["leakage_usd"] <= c["demand_usd"] * (1 + 1e-9) + 1e-6).all(), method
        assert (c["leakage_us_usd"] >= -1e-6).all(), method


def test_other_tables_of_the_same_year_are_replaced_only_when_asked(tmp_path: Path) -> None:
    from valleymaps.errors import DataExistsError

    ws = init_workspace(tmp_path / "ws")
    npz, meta = io_store_paths(ws)
    bundled = npz.read_bytes(), meta.read_bytes()
    files = write_bea_workbooks(tmp_path / "in")
    with pytest.raises(DataExistsError) as err:
        import_io(ws, files)
    text = str(err.value)
    assert "holds other BEA 2012 tables (405 industries and 405 commodities from IOUse" in text
    assert "IOUse_Before_Redefinitions_PRO_DET.xlsx" in text and "Pass --replace" in text
    assert "replace them with 5 industries" in text
    assert (npz.read_bytes(), meta.read_bytes()) == bundled  # untouched
    assert isinstance(err.value, FileExistsError)

    import_io(ws, files, replace=True)
    stored = npz.read_bytes()
    assert stored != bundled[0]
    import_io(ws, files)  # the same tables again go through
    assert npz.read_bytes() == stored
    older = tmp_path / "2007"
    older.mkdir()
    for name, payload in bea_workbook_bytes(years=(2007,)).items():
        (older / name).write_bytes(payload)
    import_io(ws, sorted(older.glob("*.xlsx")), year=2007)  # another year is another store
    assert io_store_paths(ws, 2007)[0].is_file() and npz.read_bytes() == stored


@pytest.mark.realdata
@pytest.mark.skipif(len(REAL_FILES) < 3, reason=f"no BEA detail workbooks in {REALDATA_IO}")
def test_plan_targets_find_the_commodities_their_naics_codes_cover_or_lie_under(  # type: ignore[no-untyped-def]
    real_tables,
) -> None:
    from valleymaps.analysis.io_model import naics_to_commodities

    conc = real_tables.concordance
    pairs = list(zip(conc["bea_code"].tolist(), conc["naics"].tolist(), strict=True))

    def by_definition(codes: list[str]) -> list[str]:
        return sorted({b for b, p in pairs if p and any(n.startswith(p) or p.startswith(n) for n in codes)})

    plan = pd.read_csv(REPO / "data" / "econ" / "leakage_targets.csv", dtype=str)
    asked = [str(n).split(";") for n in plan["naics"]]
    asked += [["3"], ["31-33"], ["23"], ["2381", "541713"], ["999999"], [""]]
    for codes in asked:
        assert naics_to_commodities(conc, codes) == by_definition(codes), codes
    assert naics_to_commodities(conc, ["322121"]) == ["322120"]  # a finer code: its industry
    assert "322120" in naics_to_commodities(conc, ["322"])  # a coarser code: every industry under it
    assert naics_to_commodities(conc, [""]) == sorted({b for b, p in pairs if p})  # an empty cell: all
