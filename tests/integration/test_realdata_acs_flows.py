"""The real ACS 2009-2013 county-to-county commuting flows (../shared/realdata/commuting)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from fetch_server import acs_flows_rows, xlsx_bytes
from lodes_files import write_delineation_xlsx
from valleymaps.analysis.commuting import (
    compute_flow_lines,
    compute_inflow_outflow,
    flows_between_counties,
    rank_outside_places,
)
from valleymaps.io.delineation import read_cbsa_delineation
from valleymaps.io.flows.acs_county import NOT_GIVEN, read_acs_county_flows
from valleymaps.io.flows.acs_xlsx import read_acs_xlsx_flows
from valleymaps.settings import VALLEY_COUNTIES

REPO = Path(__file__).resolve().parents[2]
TABLE = (REPO / ".." / "shared" / "realdata" / "commuting" / "acs_county_flows_2009_2013_us.csv").resolve()
VALLEY = list(VALLEY_COUNTIES)

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not TABLE.is_file(), reason=f"no real ACS flows table at {TABLE}"),
]


@pytest.fixture(scope="module")
def raw_rows() -> list[list[str]]:
    """The table as plain text rows, read independently of valleymaps."""
    with open(TABLE, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[1:]


@pytest.fixture(scope="module")
def flows():
    return read_acs_county_flows(TABLE)


def test_quirky_rows_are_handled(flows, raw_rows: list[list[str]]) -> None:
    # 137,495 lines after the header: the last three are a blank row and two source notes
    assert len(raw_rows) == 137_495
    assert (flows.rows, flows.skipped_trailer) == (137_492, 3)
    assert flows.abroad_rows == sum(r[2] in ("301", "303") for r in raw_rows)
    assert flows.not_given_rows == sum(r[2] == "NA" and r[0] != "NA" and r[0].isdigit() for r in raw_rows)
    table = flows.table
    assert set(table.loc[table["w_geoid"].str.startswith("F"), "w_geoid"]) == {"F301", "F303", NOT_GIVEN}
    assert table["h_geoid"].str.fullmatch(r"\d{5}").all()
    assert table["workers_moe"].notna().all()


def test_county_totals_equal_the_sum_of_their_rows(flows, raw_rows: list[list[str]]) -> None:
    residents: Counter[str] = Counter()
    jobs: Counter[str] = Counter()
    for h_st, h_cty, w_st, w_cty, flow, _moe in raw_rows[:-3]:
        residents[h_st + h_cty] += int(flow)
        if w_st == "006":
            jobs["06" + w_cty] += int(flow)
    m = compute_inflow_outflow(flows.table, level="county", region_counties=VALLEY).set_index("geoid")
    for county in VALLEY:
        assert m.loc[county, "living"] == residents[county], county
        assert m.loc[county, "employed"] == jobs[county], county
        # OnTheMap's identities
        assert m.loc[county, "living"] == m.loc[county, "both"] + m.loc[county, "outflow"]
        assert m.loc[county, "employed"] == m.loc[county, "both"] + m.loc[county, "inflow"]
    assert m.loc["06019", "both"] == 317_272  # Fresno residents working in Fresno


def test_valley_inflow_outflow_with_margins_of_error(flows) -> None:
    region = compute_inflow_outflow(flows.table, level="region", region_counties=VALLEY).iloc[0]
    assert region["living"] == 1_464_422
    assert region["employed"] == 1_402_559
    assert region["outflow"] == 109_303 and region["inflow"] == 47_440
    assert region["net"] == 1_402_559 - 1_464_422
    assert region["leakage_rate"] == pytest.approx(109_303 / 1_464_422)
    # margins of error: root of the sum of squares of the rows' margins
    valley_rows = flows.table[flows.table["h_geoid"].isin(VALLEY)]
    assert region["living_moe"] == pytest.approx(np.sqrt((valley_rows["workers_moe"] ** 2).sum()))
    assert 0 < region["leakage_rate_moe"] < 0.01


def test_where_valley_commuters_go_and_come_from(flows) -> None:
    dest = rank_outside_places(flows.table, direction="destinations", region_counties=VALLEY, n=3)
    assert dest["geoid"].tolist() == ["06001", "06085", "06037"]  # Alameda, Santa Clara, Los Angeles
    states = rank_outside_places(flows.table, direction="destinations", region_counties=VALLEY,
                                 rollup="state", n=None)
    assert states.iloc[0]["geoid"] == "06"
    assert {"F301", "F303", NOT_GIVEN} <= set(states["geoid"])
    between = flows_between_counties(flows.table, region_counties=VALLEY)
    top = between.iloc[0]
    assert (top["h_geoid"], top["w_geoid"]) == ("06099", "06077")  # Stanislaus -> San Joaquin
    lines = compute_flow_lines(flows.table, level="county", region_counties=VALLEY,
                               mappable=[f"06{c:03d}" for c in range(1, 116, 2)])
    off = lines[~lines["on_map"]]
    assert set(off["kind"]) == {"leaving", "entering"}
    assert lines.loc[lines["on_map"], "workers"].sum() + off["workers"].sum() == lines["workers"].sum()


@pytest.mark.parametrize("edition", [2010, 2015])
def test_valley_rows_as_a_workbook_read_like_the_csv(tmp_path: Path, edition: int,
                                                     raw_rows: list[list[str]]) -> None:
    """The Valley's rows laid out as the Census Bureau's table1.xlsx read like the CSV table."""
    rows = [r for r in raw_rows if r[0].isdigit()]
    # the Valley's residents, wherever they work (abroad and "not given" included), in the
    # workbook's cells: no NA, a code abroad without county
    valley = [r for r in rows if r[0] + r[1] in VALLEY_COUNTIES]
    flows = [(h_st, h_cty, "" if w_st == "NA" else w_st, "" if w_cty == "NA" else w_cty,
              int(flow), int(moe)) for h_st, h_cty, w_st, w_cty, flow, moe in valley]
    numeric = range(0, len(flows), 7)  # some codes as Excel numbers (19 for 019)
    path = tmp_path / "table1.xlsx"
    path.write_bytes(xlsx_bytes(acs_flows_rows(edition, flows, numeric_code_rows=numeric)))
    csv_path = tmp_path / "acs_county_flows_2009_2013_valley.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["h_state_fips", "h_county_fips", "w_state_fips", "w_county_fips", "flow",
                         "moe"])
        writer.writerows(valley)

    from_xlsx = read_acs_xlsx_flows(path)
    from_csv = read_acs_county_flows(csv_path)

    assert from_xlsx.table.equals(from_csv.table)
    assert (from_xlsx.rows, from_xlsx.abroad_rows, from_xlsx.not_given_rows) == (
        from_csv.rows, from_csv.abroad_rows, from_csv.not_given_rows)
    assert from_xlsx.abroad_places == ["Canada", "Mexico"]
    living = compute_inflow_outflow(from_xlsx.table, level="region", region_counties=VALLEY,
                                    segments=[""])["living"].iloc[0]
    assert living == 1_464_422  # as from the whole CSV table (test_realdata_acs_flows.py)


def test_metro_roll_up_of_the_real_table(flows, raw_rows: list[list[str]], tmp_path: Path) -> None:
    """Valley residents working in the Los Angeles metro area: Los Angeles plus Orange County."""
    metros = read_cbsa_delineation(write_delineation_xlsx(tmp_path / "list1_2023.xlsx")).metro_areas()
    ranked = rank_outside_places(flows.table, direction="destinations", region_counties=VALLEY,
                                 rollup="metro", metros=metros, n=None).set_index("geoid")
    expected = sum(int(flow) for h_st, h_cty, w_st, w_cty, flow, _ in raw_rows[:-3]
                   if h_st + h_cty in VALLEY and w_st == "006" and w_cty in ("037", "059"))
    assert ranked.loc["M31080", "workers"] == expected > 10_000
    # California counties of no CBSA in this (partial) delineation make up "Rest of California"
    assert ranked.loc["R06", "workers"] > 0
    assert np.isfinite(ranked.loc["M31080", "workers_moe"])
