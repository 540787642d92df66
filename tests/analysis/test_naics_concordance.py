"""The NAICS concordances themselves (2012 -> 2017, 2017 -> 2022, and 2022 read back to 2017),
checked against the Census Bureau's tables (``valleymaps.core.naics.CONCORDANCE_SOURCE``), and a
2012-2022 series brought to the clusters' edition, NAICS 2017, in one call."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pandas as pd
import pytest

import valleymaps
from valleymaps.analysis.cluster_employment import aggregate_dataset_employment
from valleymaps.analysis.naics_editions import TARGET_EDITION, reconcile_naics_editions
from valleymaps.clusters import Cluster, Component, load_clusters
from valleymaps.core.naics import (
    CONCORDANCES,
    NAICS_2012_TO_2017,
    NAICS_2017_TO_2022,
    find_concordance_steps,
    find_naics_problem,
    naics_edition,
)
from valleymaps.employment import EmploymentDataset


@pytest.mark.parametrize("table", [NAICS_2012_TO_2017, NAICS_2017_TO_2022], ids=["2012-2017", "2017-2022"])
def test_every_code_is_a_six_digit_naics_code_and_the_table_inverts(
    table: dict[str, tuple[str, ...]],
) -> None:
    for old, new in table.items():
        assert len(old) == 6 and find_naics_problem(old) is None, old
        assert new and all(len(n) == 6 and find_naics_problem(n) is None for n in new), old
        assert len(set(new)) == len(new), old
    # a target that is also a key is the industry keeping its code while a part leaves it;
    # every other target is new in the later edition (what makes reading it backwards valid)
    for old, new in table.items():
        for code in new:
            if code in table:
                assert code == old and code in table[code], (old, code)


def test_hand_picked_changes_as_the_census_concordances_give_them() -> None:
    # 2012 -> 2017
    for code in ("454111", "454112", "454113"):
        assert NAICS_2012_TO_2017[code] == ("454110",)
    assert NAICS_2012_TO_2017["517110"] == ("517311",) and NAICS_2012_TO_2017["517210"] == ("517312",)
    assert NAICS_2012_TO_2017["333911"] == NAICS_2012_TO_2017["333913"] == ("333914",)
    assert NAICS_2012_TO_2017["452112"] == ("452210", "452311")
    assert NAICS_2012_TO_2017["541712"] == ("541713", "541715")
    # automobile and light truck manufacturing merged in NAICS 2022, not 2017
    assert "336111" not in NAICS_2012_TO_2017
    assert NAICS_2017_TO_2022["336111"] == NAICS_2017_TO_2022["336112"] == ("336110",)
    # 2017 -> 2022: retail 44-45 restructured
    assert NAICS_2017_TO_2022["446110"] == ("456110",)  # pharmacies
    assert NAICS_2017_TO_2022["447110"] == ("457110",)  # gasoline stations with convenience stores
    assert {NAICS_2017_TO_2022[c] for c in ("448110", "448120", "448130", "448140", "448150", "448190")} == {
        ("458110",)
    }
    assert NAICS_2017_TO_2022["452311"] == ("455211",)  # warehouse clubs and supercenters
    assert len(NAICS_2017_TO_2022["454110"]) == 42 and "459120" in NAICS_2017_TO_2022["454110"]
    # internet publishing and web search portals split among publishers, media and 519290
    assert {"516210", "519290", "513110"} <= set(NAICS_2017_TO_2022["519130"])
    assert NAICS_2017_TO_2022["517311"] == ("517111",)
    # unchanged industries are not listed
    for code in ("111335", "115115", "311421", "424480", "493110", "622110"):
        assert code not in NAICS_2012_TO_2017 and code not in NAICS_2017_TO_2022


def test_the_2022_table_read_backwards() -> None:
    back = CONCORDANCES[(2022, 2017)]
    assert back["457110"] == ("447110",)
    # pharmacies took the online pharmacies of electronic shopping: parts of three industries
    assert back["456110"] == ("446110", "454110", "454390")
    assert back["315120"] == ("315110", "315190")
    assert back["325315"] == ("325314",) and back["325314"] == ("325314",)
    assert back["458110"] == ("448110", "448120", "448130", "448140", "448150", "448190", "454110", "454390")
    assert find_concordance_steps(2012, 2022) == [(2012, 2017), (2017, 2022)]
    assert find_concordance_steps(2022, 2017) == [(2022, 2017)] and find_concordance_steps(2007, 2017) is None


def _table(rows: list[tuple[str, int, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [("06019", naics, year, jobs, flag) for naics, year, jobs, flag in rows],
        columns=["geoid", "naics", "year", "employment", "flag"],
    )


def _cell(table: pd.DataFrame, naics: str, year: int) -> tuple[float, str]:
    row = table[(table["naics"] == naics) & (table["year"] == year)]
    assert len(row) == 1, (naics, year, row)
    return float(row["employment"].iloc[0]), str(row["flag"].iloc[0])


def test_a_2012_2022_series_comes_out_in_naics_2017_throughout() -> None:
    rows = [
        # 2016, NAICS 2012
        ("454111", 2016, 40.0, ""), ("454113", 2016, 20.0, ""), ("447110", 2016, 300.0, ""),
        ("111335", 2016, 2700.0, ""),
        # 2017, NAICS 2017 (the target: as published)
        ("454110", 2017, 70.0, ""), ("447110", 2017, 310.0, ""), ("111335", 2017, 2750.0, ""),
        # 2022, NAICS 2022
        ("457", 2022, 330.0, ""), ("4571", 2022, 330.0, ""), ("457110", 2022, 330.0, ""),
        ("456110", 2022, 90.0, ""),
        ("315120", 2022, 12.0, ""), ("325314", 2022, 5.0, ""), ("325315", 2022, 3.0, ""),
        ("459120", 2022, 25.0, ""), ("111335", 2022, 2800.0, ""),
    ]  # fmt: skip
    editions = {y: naics_edition(y, source="qcew") for y in (2016, 2017, 2022)}
    assert editions == {2016: 2012, 2017: 2017, 2022: 2022} and TARGET_EDITION == 2017
    result = reconcile_naics_editions(_table(rows), editions=editions)
    t = result.table
    assert result.converted == {2016: 2012, 2022: 2022}
    # renumbered in 2022 (gasoline stations with convenience stores): back under its 2017 code
    assert [_cell(t, "447110", y) for y in (2016, 2017, 2022)] == [(300.0, ""), (310.0, ""), (330.0, "")]
    # the 2022 levels it left are gone; no row keeps a NAICS 2022-only code
    only_2022 = ["457", "4571", "457110", "456110", "315120", "325315", "459120"]
    assert t[(t["year"] == 2022) & t["naics"].isin(only_2022)].empty
    # pharmacies 2022 hold the online pharmacies of two other 2017 industries: the 2017
    # pharmacies cannot be told apart there, missing and flagged R, never a silent jump
    value, flag = _cell(t, "446110", 2022)
    assert math.isnan(value) and flag == "R"
    # merged in 2017: summed; split (seen backwards) in 2022: missing, flagged R
    assert _cell(t, "454110", 2016) == (60.0, "")
    value, flag = _cell(t, "454110", 2022)
    assert math.isnan(value) and "R" in flag  # electronic shopping went to 42 retailers by product
    for code in ("315110", "315190"):
        value, flag = _cell(t, code, 2022)
        assert math.isnan(value) and flag == "R"
    # compost split out of fertilizer in 2022: the two parts make the 2017 industry again
    assert _cell(t, "325314", 2022) == (8.0, "")
    # untouched: an industry no edition changed
    assert [_cell(t, "111335", y) for y in (2016, 2017, 2022)] == [(2700.0, ""), (2750.0, ""), (2800.0, "")]
    notes = result.unreconciled
    assert "459120" in set(notes.loc[notes["year"] == 2022, "naics"])
    assert "takes parts of several NAICS 2017" in notes.loc[notes["naics"] == "459120", "reason"].iloc[0]


def test_a_dataset_knows_the_edition_of_each_year() -> None:
    years = [2010, 2011, 2016, 2017, 2021, 2022, 2023]
    table = _table([("10", y, 1.0, "") for y in years])
    qcew = EmploymentDataset("q", table, "BLS QCEW", "qcew")
    assert qcew.naics_editions == {
        2010: 2007, 2011: 2012, 2016: 2012, 2017: 2017, 2021: 2017, 2022: 2022, 2023: 2022,
    }  # fmt: skip
    assert qcew.unknown_edition_years == []
    cbp = EmploymentDataset("c", table, "CBP", "cbp")
    assert cbp.naics_editions[2011] == 2007
    assert cbp.naics_editions[2022] == cbp.naics_editions[2023] == 2017  # CBP stayed on NAICS 2017
    late = _table([("10", y, 1.0, "") for y in (2023, 2024, 2025)])
    assert EmploymentDataset("c", late, "CBP", "cbp").naics_editions == {2023: 2017}
    assert EmploymentDataset("c", late, "CBP", "cbp").unknown_edition_years == [2024, 2025]
    lodes = EmploymentDataset("l", table, "LODES", "lodes-wac")
    assert lodes.naics_editions == {} and lodes.unknown_edition_years == []


def test_cbp_2022_keeps_its_naics_2017_codes_and_a_later_year_is_used_as_published(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """CBP 2022 and 2023 are NAICS 2017: read as NAICS 2022, their food and beverage stores row
    445 (a level some NAICS 2022 industries left) was dropped, and the component counted 0 jobs
    from 2022. 2024, whose edition is not known, is used as published and the log says so."""
    cluster = Cluster(
        "retail",
        "Retail",
        "",
        (
            Component("food", "Food and beverage stores", ("445",)),
            Component("online", "Electronic shopping", ("454110",)),
        ),
    )
    rows = [
        (code, year, jobs, "")
        for year in (2021, 2022, 2023, 2024)
        for code, jobs in (("445", 900.0), ("454110", 60.0))
    ]
    cbp = EmploymentDataset("cbp_2021_2024", _table(rows), "County Business Patterns", "cbp")
    with caplog.at_level(logging.WARNING):
        values = aggregate_dataset_employment(cbp, [cluster]).values
    county = values[values["geoid"] == "06019"]
    for component, jobs in (("food", 900.0), ("online", 60.0)):
        got = county[county["component"] == component].set_index("year")
        assert got["employment"].to_dict() == dict.fromkeys((2021, 2022, 2023, 2024), jobs), component
        assert set(got["flag"]) == {""}, component
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "employment 'cbp_2021_2024': the NAICS edition of 2024 is not known to valleymaps (it knows "
        "2008-2023): its codes are used as published, not recoded to NAICS 2017"
    ]


def test_the_bundled_water_technology_equipment_counts_the_2012_pumps() -> None:
    """The bundled clusters name 333914 (NAICS 2017 pumps): before 2017 its jobs are in 333911
    and 333913, which the concordance once missed (the component read 0 up to 2016)."""
    clusters = load_clusters(Path(valleymaps.__file__).parent / "bundled" / "econ" / "clusters.toml")
    table = _table([("333911", 2016, 30.0, ""), ("333913", 2016, 12.0, ""), ("333914", 2017, 45.0, "")])
    values = aggregate_dataset_employment(EmploymentDataset("q", table, "QCEW", "qcew"), clusters).values
    equipment = values[(values["cluster"] == "water_technology") & (values["component"] == "equipment")]
    assert equipment.set_index("year")["employment"].to_dict() == {2016: 42.0, 2017: 45.0}
