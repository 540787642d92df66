"""Inflow/outflow measures, checked by hand on a small OD table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from valleymaps.analysis.commuting import (
    check_flow_table,
    compute_flow_lines,
    compute_inflow_outflow,
    flows_between_counties,
    moe_proportion,
    name_places,
    rank_outside_places,
    roll_up,
)
from valleymaps.analysis.metros import MetroAreas
from valleymaps.errors import AnalysisError, FieldError

REGION = ["06019", "06039"]  # Fresno and Madera
T1, T2, T3, T4 = "06019000100", "06019000200", "06039000100", "06037000100"
NV = "32003000100"


@pytest.fixture
def od() -> pd.DataFrame:
    """Tract pairs (home -> work), all workers and skilled (SE03).

    Fresno tract 1 <- Fresno tract 1: 10 (4 skilled)   Fresno tract 1 <- Fresno tract 2: 5 (2)
    Fresno <- Madera: 7 (3)    Madera <- Fresno: 4 (1)    Los Angeles <- Fresno: 6 (5)
    Los Angeles <- Madera: 2 (0)    Los Angeles <- Los Angeles: 50 (10)    Fresno <- Nevada: 3 (1)
    """
    rows = [
        (T1, T1, 10, 4), (T2, T1, 5, 2), (T3, T1, 7, 3), (T1, T3, 4, 1),
        (T1, T4, 6, 5), (T3, T4, 2, 0), (T4, T4, 50, 10), (NV, T1, 3, 1),
    ]
    return pd.DataFrame(rows, columns=["h_geoid", "w_geoid", "workers", "SE03"])


def measure(frame: pd.DataFrame, geoid: str, segment: str = "") -> pd.Series:
    return frame[(frame["geoid"] == geoid) & (frame["segment"] == segment)].iloc[0]


def test_county_measures_match_the_hand_count(od: pd.DataFrame) -> None:
    m = compute_inflow_outflow(od, level="county", region_counties=REGION)

    fresno = measure(m, "06019")
    # jobs: 10 + 5 + 7 + 3; residents: 10 + 5 + 4 + 6; both: 10 + 5
    counts = ["employed", "living", "both", "inflow", "outflow", "net"]
    assert fresno[counts].tolist() == [25, 25, 15, 10, 10, 0]
    assert fresno["leakage_rate"] == pytest.approx(10 / 25)
    assert fresno["import_rate"] == pytest.approx(10 / 25)
    # outside the region: Los Angeles (6) and Nevada (3)
    assert fresno[["outflow_region", "inflow_region"]].tolist() == [6, 3]
    assert fresno["region_leakage_rate"] == pytest.approx(6 / 25)
    madera = measure(m, "06039")
    assert madera[counts].tolist() == [4, 9, 0, 4, 9, -5]
    assert madera["leakage_rate"] == 1.0
    # LODES has no margins of error
    assert np.isnan(fresno["employed_moe"])


def test_region_and_tract_measures(od: pd.DataFrame) -> None:
    region = measure(compute_inflow_outflow(od, level="region", region_counties=REGION), "SJV")
    counts = ["employed", "living", "both", "inflow", "outflow", "net"]
    assert region[counts].tolist() == [29, 34, 26, 3, 8, -5]
    assert region["leakage_rate"] == pytest.approx(8 / 34)
    assert region["leakage_rate"] == region["region_leakage_rate"]

    tracts = compute_inflow_outflow(od, level="tract", region_counties=REGION,
                                    areas=[T1, T2, T3, "06019000300"])
    t1 = measure(tracts, T1)
    assert t1[["employed", "living", "both", "inflow", "outflow"]].tolist() == [25, 20, 10, 15, 10]
    assert t1["outflow_region"] == 6
    assert measure(tracts, T2)[["living", "outflow", "employed"]].tolist() == [5, 5, 0]
    empty = measure(tracts, "06019000300")
    assert empty["living"] == 0 and np.isnan(empty["leakage_rate"])
    # Los Angeles is not an area of the region
    assert T4 not in set(tracts["geoid"])


def test_block_groups_are_areas_too() -> None:
    flows = pd.DataFrame({"h_geoid": ["060190001001", "060190001002"],
                          "w_geoid": ["060190001002", "060370001001"], "workers": [4, 3]})
    m = compute_inflow_outflow(flows, level="block_group", region_counties=REGION)
    assert measure(m, "060190001002")[["employed", "living", "inflow", "outflow"]].tolist() == [4, 3, 4, 3]


def test_skilled_segment(od: pd.DataFrame) -> None:
    m = compute_inflow_outflow(od, level="county", region_counties=REGION, segments=["", "SE03"])
    skilled = measure(m, "06019", "SE03")
    assert skilled[["employed", "living", "both", "inflow", "outflow", "outflow_region"]].tolist() == [
        10, 12, 6, 4, 6, 5]
    assert skilled["region_leakage_rate"] == pytest.approx(5 / 12)
    with pytest.raises(AnalysisError, match="no segment SI09"):
        compute_inflow_outflow(od, level="county", region_counties=REGION, segments=["SI09"])


def test_moe_are_combined_by_root_sum_of_squares() -> None:
    flows = pd.DataFrame({
        "h_geoid": ["06019", "06019", "06019", "06039"],
        "w_geoid": ["06019", "06001", "06037", "06019"],
        "workers": [100, 30, 40, 20],
        "workers_moe": [10.0, 3.0, 4.0, 6.0],
    })
    fresno = measure(compute_inflow_outflow(flows, level="county", region_counties=REGION), "06019")
    assert fresno["living"] == 170
    assert fresno["living_moe"] == pytest.approx(math.sqrt(100 + 9 + 16))
    assert fresno["outflow_moe"] == pytest.approx(5.0)
    assert fresno["net_moe"] == pytest.approx(math.sqrt(6.0**2 + 5.0**2))
    expected = moe_proportion(np.array([70.0]), np.array([5.0]), np.array([170.0]),
                              np.array([math.sqrt(125)]))[0]
    assert fresno["leakage_rate_moe"] == pytest.approx(expected)
    assert 0 < fresno["leakage_rate_moe"] < 0.05


def test_top_outside_places_roll_up_to_county_and_state(od: pd.DataFrame) -> None:
    dest = rank_outside_places(od, direction="destinations", region_counties=REGION)
    assert dest[["geoid", "workers", "rank"]].values.tolist() == [["06037", 8.0, 1]]
    assert dest["share"].iloc[0] == 1.0
    orig = rank_outside_places(od, direction="origins", region_counties=REGION)
    assert orig["geoid"].tolist() == ["32"]
    skilled = rank_outside_places(od, direction="destinations", region_counties=REGION, segment="SE03")
    assert skilled["workers"].tolist() == [5.0]
    madera = rank_outside_places(od, direction="destinations", region_counties=REGION, area="06039",
                                 level="county")
    assert madera["workers"].tolist() == [2.0]


def test_flows_between_the_regions_counties(od: pd.DataFrame) -> None:
    between = flows_between_counties(od, region_counties=REGION)
    assert between[["h_geoid", "w_geoid", "workers", "SE03"]].values.tolist() == [
        ["06039", "06019", 7.0, 3.0], ["06019", "06039", 4.0, 1.0]]


def test_flow_lines_kinds_shares_and_places_off_the_map(od: pd.DataFrame) -> None:
    lines = compute_flow_lines(od, level="county", region_counties=REGION,
                               mappable=["06019", "06039", "06037"])
    got = {(r.origin, r.destination): (r.kind, r.on_map, r.workers, round(r.share, 4))
           for r in lines.itertuples()}
    assert got == {
        ("06039", "06019"): ("within", True, 7.0, round(7 / 9, 4)),
        ("06019", "06039"): ("within", True, 4.0, round(4 / 10, 4)),
        ("06019", "06037"): ("leaving", True, 6.0, round(6 / 10, 4)),
        ("06039", "06037"): ("leaving", True, 2.0, round(2 / 9, 4)),
        ("32", "06019"): ("entering", False, 3.0, round(3 / 10, 4)),
    }
    # tract lines: areas are tracts, the outside end rolled up to its county
    tract_lines = compute_flow_lines(od, level="tract", region_counties=REGION,
                                     mappable=[T1, T2, T3, "06037"])
    assert (T2, T1) in set(zip(tract_lines["origin"], tract_lines["destination"], strict=True))
    assert (T1, "06037") in set(zip(tract_lines["origin"], tract_lines["destination"], strict=True))


def test_geoids_read_as_numbers_name_the_column_and_the_fix(od: pd.DataFrame) -> None:
    broken = od.assign(h_geoid=od["h_geoid"].astype("int64"))
    with pytest.raises(FieldError, match=r"column 'h_geoid' holds numbers.*dtype=\{'h_geoid': str\}"):
        check_flow_table(broken)
    with pytest.raises(FieldError):
        compute_inflow_outflow(broken, level="county", region_counties=REGION)


def test_tract_measures_need_a_tract_table() -> None:
    county_table = pd.DataFrame({"h_geoid": ["06019"], "w_geoid": ["06037"], "workers": [5]})
    with pytest.raises(AnalysisError, match="tract measures need tract flows"):
        compute_inflow_outflow(county_table, level="tract", region_counties=REGION)


def test_place_names() -> None:
    assert name_places(["06019", "32", "F301", "F999", "06019000100", "06019001202", "SJV"],
                       county_names={"06019": "Fresno"}) == [
        "Fresno County", "Nevada", "Canada", "Work place not given (abroad elsewhere or unknown)",
        "Tract 1, Fresno County", "Tract 12.02, Fresno County", "San Joaquin Valley"]


# --------------------------------------------------------------------------------------------
# RAC/WAC area totals
# --------------------------------------------------------------------------------------------

NV2 = "32003000200"  # Clark County, Nevada


@pytest.fixture
def od_out_of_state(od: pd.DataFrame) -> pd.DataFrame:
    """The OD table plus 4 Fresno residents (tract 1) working in Nevada (from Nevada's aux file)."""
    return pd.concat([od, pd.DataFrame([(T1, NV2, 4, 2)], columns=od.columns)], ignore_index=True)


def totals(rows: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """An area totals table: geoid -> (workers, SE03)."""
    return pd.DataFrame([(g, w, s) for g, (w, s) in rows.items()], columns=["geoid", "workers", "SE03"])


RAC = totals({"06019": (22, 9), "06039": (6, 2), "06019000100": (18, 7), "06019000200": (4, 2),
              "06039000100": (6, 2), "06037": (52, 10)})
WAC = totals({"06019": (30, 12), "06039": (5, 1), "06019000100": (27, 11), "06019000200": (3, 1),
              "06039000100": (5, 1), "06037": (58, 15)})


def test_rac_and_wac_give_residents_and_jobs_and_the_od_numbers_are_kept(
    od_out_of_state: pd.DataFrame,
) -> None:
    m = compute_inflow_outflow(od_out_of_state, level="county", region_counties=REGION,
                               residents=RAC, jobs=WAC, segments=["", "SE03"])
    fresno = measure(m, "06019")
    # jobs from WAC; the OD flows alone: 10 + 5 + 7 + 3
    assert fresno[["employed", "employed_od"]].tolist() == [30, 25]
    # employed residents: RAC (in-state jobs only) + 4 working in Nevada; OD: 10 + 5 + 4 + 6 + 4
    assert fresno[["living", "living_od"]].tolist() == [26, 29]
    # living and working in Fresno (OD): 15; the rest of the totals commute
    assert fresno[["both", "inflow", "outflow", "net"]].tolist() == [15, 15, 11, 4]
    assert fresno["leakage_rate"] == pytest.approx(11 / 26)
    assert fresno["import_rate"] == pytest.approx(15 / 30)
    # outside the region: living 26 less 19 working in Fresno or Madera; jobs 30 less 22 held by
    # people living in Fresno or Madera
    assert fresno[["outflow_region", "inflow_region"]].tolist() == [7, 8]
    skilled = measure(m, "06019", "SE03")
    assert skilled[["employed", "employed_od", "living", "living_od"]].tolist() == [12, 10, 11, 14]

    region = measure(compute_inflow_outflow(od_out_of_state, level="region", region_counties=REGION,
                                            residents=RAC, jobs=WAC), "SJV")
    assert region[["employed", "living", "employed_od", "living_od"]].tolist() == [35, 32, 29, 38]

    tract = measure(compute_inflow_outflow(od_out_of_state, level="tract", region_counties=REGION,
                                           residents=RAC, jobs=WAC), T1)
    assert tract[["employed", "living", "both", "inflow", "outflow"]].tolist() == [27, 22, 10, 17, 12]


def test_totals_must_cover_the_region_and_keep_their_zeros(od: pd.DataFrame) -> None:
    nevada_only = totals({"32003": (10, 1)})
    with pytest.raises(AnalysisError, match=r"cover states 32, not the region's \(06\)"):
        compute_inflow_outflow(od, level="county", region_counties=REGION, jobs=nevada_only)
    numbers = RAC.assign(geoid=RAC["geoid"].astype("int64"))
    with pytest.raises(FieldError, match="lost their leading zeros"):
        compute_inflow_outflow(od, level="county", region_counties=REGION, residents=numbers)
    county_only = RAC[RAC["geoid"].str.len() == 5]
    with pytest.raises(AnalysisError, match="no tract rows"):
        compute_inflow_outflow(od, level="tract", region_counties=REGION, residents=county_only)


# --------------------------------------------------------------------------------------------
# metro roll-up
# --------------------------------------------------------------------------------------------

ES = "32009000100"  # Esmeralda County, Nevada: in no CBSA


@pytest.fixture
def metros() -> MetroAreas:
    return MetroAreas.from_table(pd.DataFrame(
        [("06037", "31080", "Los Angeles-Long Beach-Anaheim, CA", "Metropolitan Statistical Area"),
         ("06059", "31080", "Los Angeles-Long Beach-Anaheim, CA", "Metropolitan Statistical Area"),
         ("32003", "29820", "Las Vegas-Henderson-North Las Vegas, NV", "Metropolitan Statistical Area")],
        columns=["county_geoid", "cbsa_code", "cbsa_title", "cbsa_type"]), edition="July 2023")


def test_outside_places_roll_up_to_metro_areas_and_the_rest_of_each_state(
    od_out_of_state: pd.DataFrame, metros: MetroAreas
) -> None:
    flows = pd.concat([od_out_of_state, pd.DataFrame([(T3, ES, 5, 0), (T1, "06059000100", 1, 1)],
                                                     columns=od_out_of_state.columns)])
    dest = rank_outside_places(flows, direction="destinations", region_counties=REGION, rollup="metro",
                               metros=metros)
    # Los Angeles and Orange counties are one metro area: 6 + 2 + 1
    assert dest[["geoid", "workers"]].values.tolist() == [["M31080", 9.0], ["R32", 5.0], ["M29820", 4.0]]
    names = name_places(list(dest["geoid"]), county_names={}, metros=metros)
    assert names == ["Los Angeles-Long Beach-Anaheim, CA metro area", "Rest of Nevada",
                     "Las Vegas-Henderson-North Las Vegas, NV metro area"]
    orig = rank_outside_places(flows, direction="origins", region_counties=REGION, rollup="metro",
                               metros=metros)
    assert orig["geoid"].tolist() == ["M29820"]
    # places abroad keep their codes
    rolled = roll_up(pd.Series(["F303", "06037000100"]), to="metro", metros=metros)
    assert rolled.tolist() == ["F303", "M31080"]


def test_flow_lines_group_places_off_the_map_by_metro_area(
    od_out_of_state: pd.DataFrame, metros: MetroAreas
) -> None:
    lines = compute_flow_lines(od_out_of_state, level="county", region_counties=REGION,
                               mappable=["06019", "06039", "06037"], off_map="metro", metros=metros)
    off = lines[~lines["on_map"]]
    assert set(zip(off["origin"], off["destination"], off["workers"], strict=True)) == {
        ("M29820", "06019", 3.0), ("06019", "M29820", 4.0)}
    # California counties on the map stay counties
    assert ("06019", "06037") in set(zip(lines["origin"], lines["destination"], strict=True))


def test_metro_roll_up_without_a_delineation_says_how_to_get_one(od: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError) as err:
        rank_outside_places(od, direction="destinations", region_counties=REGION, rollup="metro")
    assert "valleymaps import metros list1_2023.xlsx" in str(err.value)
    assert "www2.census.gov/programs-surveys/metro-micro" in str(err.value)
    with pytest.raises(AnalysisError, match="valleymaps import metros"):
        compute_flow_lines(od, level="county", region_counties=REGION, mappable=[], off_map="metro")
