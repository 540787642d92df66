import math

import pytest

from valleymaps.analysis.cluster_employment import (
    ALL_CLUSTERS,
    aggregate_cluster_employment,
    compute_totals,
)


def value(ce, geoid, year, cluster, component=""):
    v = ce.values
    row = v[(v.geoid == geoid) & (v.year == year) & (v.cluster == cluster) & (v.component == component)]
    assert len(row) == 1, row
    return row.iloc[0]


def test_cbp_levels_are_not_double_counted(two_county_table, energy_clusters):
    ce = aggregate_cluster_employment(two_county_table, energy_clusters)
    # 211 row (80) is used, not 211 + its child 211111 (160)
    assert value(ce, "06019", 2021, "energy", "oil").employment == 80
    # no 324 row: its 6-digit children 12 + 5 are summed
    assert value(ce, "06019", 2021, "energy", "refining").employment == 17
    assert value(ce, "06019", 2021, "energy").employment == 97


def test_withheld_part_gives_flagged_lower_bound_never_zero(two_county_table, energy_clusters):
    ce = aggregate_cluster_employment(two_county_table, energy_clusters)
    row = value(ce, "06019", 2011, "energy", "refining")
    assert row.employment == 10  # 10 published + one withheld part
    assert "D" in row.flag and "I" in row.flag
    noisy = value(ce, "06019", 2021, "energy", "refining")
    assert noisy.flag == "G"


def test_all_withheld_is_missing(energy_clusters, employment_table):
    t = employment_table([("06019", "TOTAL", 2021, 100, ""), ("06019", "211", 2021, float("nan"), "D")])
    ce = aggregate_cluster_employment(t, energy_clusters)
    row = value(ce, "06019", 2021, "energy", "oil")
    assert math.isnan(row.employment) and row.flag == "D"


def test_absent_industry_is_zero_when_data_are_detailed(two_county_table, energy_clusters):
    ce = aggregate_cluster_employment(two_county_table, energy_clusters)
    assert value(ce, "06029", 2021, "energy", "refining").employment == 0


def test_sector_only_data_use_the_proxy_and_say_so(energy_clusters, employment_table):
    t = employment_table(
        [
            ("06019000501", "TOTAL", 2021, 300, ""),
            ("06019000501", "11", 2021, 40, ""),
            ("06019000501", "21", 2021, 9, ""),
            ("06019000501", "31-33", 2021, 20, ""),
        ]
    )
    ce = aggregate_cluster_employment(t, energy_clusters)
    energy = value(ce, "06019000501", 2021, "energy")
    assert energy.employment == 9 and "P" in energy.flag
    assert value(ce, "06019000501", 2021, ALL_CLUSTERS).employment == 49
    # no component rows for proxy places
    v = ce.values
    assert v[(v.geoid == "06019000501") & (v.component != "")].empty


def test_totals_from_total_row_or_sectors(employment_table):
    t = employment_table(
        [
            ("06019", "TOTAL", 2021, 500, ""),
            ("06019", "11", 2021, 400, ""),
            ("06029", "11", 2021, 30, ""),
            ("06029", "31-33", 2021, 20, "H"),
            ("06029", "311", 2021, 15, ""),
        ]
    )
    totals = compute_totals(t).set_index("geoid")
    assert totals.loc["06019", "employment"] == 500
    assert totals.loc["06029", "employment"] == 50  # sectors only, 311 not added
    assert totals.loc["06029", "flag"] == "H"


def test_headline_union_does_not_double_count_overlaps(employment_table):
    from valleymaps.clusters import Cluster, Component

    a = Cluster("a", "A", "", (Component("x", "X", ("311",)),))
    b = Cluster("b", "B", "", (Component("y", "Y", ("3111", "484")),))
    t = employment_table(
        [
            ("06019", "TOTAL", 2021, 100, ""),
            ("06019", "311", 2021, 10, ""),
            ("06019", "3111", 2021, 4, ""),
            ("06019", "484", 2021, 6, ""),
        ]
    )
    ce = aggregate_cluster_employment(t, [a, b])
    assert value(ce, "06019", 2021, ALL_CLUSTERS).employment == pytest.approx(16)
