"""The regional input-output model of leakage: a hand-checked economy and its identities."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from valleymaps.analysis.io_model import (
    METHODS,
    OTHER_BUYERS,
    LeakageResult,
    compare_methods,
    compare_with_plan,
    compute_leakage,
    example_tables,
    map_employment_to_industries,
    parse_exclusions,
    prepare_structure,
)
from valleymaps.core.io_tables import IOTables
from valleymaps.errors import AnalysisError, ConfigError

M = 1e6  # the tables are in millions

# region: 10 farm, 20 food, 5 service jobs of 100 each nationally; national output 100, 200, 100
REGION = pd.Series({"TOTAL": 35.0, "111": 10.0, "311": 20.0, "54": 5.0})
NATION = pd.Series({"TOTAL": 300.0, "111": 100.0, "311": 100.0, "54": 100.0})
PHI = 35 / 300
CLUSTERS = {"agri": ["111", "311"]}


def _leak(method: str, **kw: object) -> pd.DataFrame:
    res = compute_leakage(example_tables(), REGION, NATION, method=method,
                          cluster_map=CLUSTERS, **kw)  # type: ignore[arg-type]
    return res.by_commodity.set_index("commodity")


# --- the three-industry economy, every step by hand ----------------------------------------
#
# x^R = x * E^R / E^N = [100*0.1, 200*0.2, 100*0.05] = [10, 40, 5]
# a = U / x:  [[.05, .2, 0], [0, .05, .05], [.1, .1, .1]];  imports m = [[.01, .05, 0], [0, .01, .01], 0]
# demand z^R = a x^R: farm 0.5 + 8 = 8.5; food 2 + 0.25 = 2.25; services 1 + 4 + 0.5 = 5.5
# from abroad m x^R: farm 0.1 + 2 = 2.1; food 0.4 + 0.05 = 0.45; services 0
# domestic: farm 6.4, food 1.8, services 5.5; supply (diagonal Make) = x^R = [10, 40, 5]


def test_steps_one_to_four_by_hand() -> None:
    res = compute_leakage(example_tables(), REGION, NATION, method="sdp")
    ind = res.industries.set_index("industry")
    assert ind["jobs"].tolist() == [10.0, 20.0, 5.0]
    assert ind["output_usd"].tolist() == pytest.approx([10 * M, 40 * M, 5 * M])
    c = res.by_commodity.set_index("commodity")
    assert c["demand_usd"].tolist() == pytest.approx([8.5 * M, 2.25 * M, 5.5 * M])
    assert c["leakage_abroad_usd"].tolist() == pytest.approx([2.1 * M, 0.45 * M, 0.0])
    assert c["domestic_demand_usd"].tolist() == pytest.approx([6.4 * M, 1.8 * M, 5.5 * M])
    assert c["supply_usd"].tolist() == pytest.approx([10 * M, 40 * M, 5 * M])
    assert res.dollars_year == 2012
    assert any("2012 dollars" in n for n in res.notes)


def test_supply_demand_pooling_by_hand() -> None:
    # regional demand for domestic output = domestic intermediate + phi * domestic final demand
    # (personal consumption only here: exports and imports are not the region's demand)
    # farm 6.4 + 30 phi = 9.9 < 10 supply -> rpc 1; food 1.8 + 141 phi -> 1; services 5.5 + 60 phi = 12.5
    c = _leak("sdp")
    assert c["rpc"].tolist() == pytest.approx([1.0, 1.0, 5 / 12.5])
    assert c["leakage_us_usd"].tolist() == pytest.approx([0.0, 0.0, (1 - 0.4) * 5.5 * M])
    assert c["leakage_usd"].tolist() == pytest.approx([2.1 * M, 0.45 * M, 3.3 * M])


def test_simple_location_quotient_by_hand() -> None:
    lq = np.array([0.1, 0.2, 0.05]) / PHI  # regional share of national supply / share of jobs
    c = _leak("slq")
    assert c["rpc"].tolist() == pytest.approx(np.minimum(1, lq).tolist())
    assert c["leakage_us_usd"].tolist() == pytest.approx(
        [(1 - lq[0]) * 6.4 * M, 0.0, (1 - lq[2]) * 5.5 * M])


@pytest.mark.parametrize("method", ["cilq", "flq"])
def test_cross_industry_and_flegg_by_hand(method: str) -> None:
    lq = np.array([0.1, 0.2, 0.05]) / PHI  # 6/7, 12/7, 3/7
    lam = math.log2(1 + PHI) ** 0.3 if method == "flq" else 1.0
    # farm bought by farming (diagonal: its own LQ), food (LQ_farm / LQ_food), services (>1)
    farm_local = 0.4 * min(1, lam * lq[0]) + 6 * min(1, lam * lq[0] / lq[1]) + 0.0
    # food: bought by food (diagonal) 1.6 and services 0.2 (LQ_food / LQ_services = 4)
    food_local = 1.6 * min(1, lam * lq[1]) + 0.2 * min(1, lam * lq[1] / lq[2])
    # services: by farming 1, food 4, services 0.5 (diagonal)
    serv_local = (1 * min(1, lam * lq[2] / lq[0]) + 4 * min(1, lam * lq[2] / lq[1])
                  + 0.5 * min(1, lam * lq[2]))
    c = _leak(method, delta=0.3)
    assert c["local_usd"].tolist() == pytest.approx([farm_local * M, food_local * M, serv_local * M])
    assert c["leakage_us_usd"].tolist() == pytest.approx(
        [(6.4 - farm_local) * M, (1.8 - food_local) * M, (5.5 - serv_local) * M])
    if method == "cilq":  # by hand: 0.4*6/7 + 6*0.5 = 3.342857...; 0.5 + 1 + 0.5*3/7
        assert farm_local == pytest.approx(3.342857, abs=1e-6)
        assert serv_local == pytest.approx(1.714286, abs=1e-6)


def test_flq_delta_zero_is_cilq_and_larger_delta_leaks_more() -> None:
    cilq = _leak("cilq")["leakage_usd"]
    assert _leak("flq", delta=0.0)["leakage_usd"].tolist() == pytest.approx(cilq.tolist())
    low, high = _leak("flq", delta=0.1)["leakage_usd"], _leak("flq", delta=0.5)["leakage_usd"]
    assert (high >= low - 1e-6).all() and high.sum() > low.sum()


def test_leakage_by_cluster_splits_each_buyer_by_its_jobs() -> None:
    res = compute_leakage(example_tables(), REGION, NATION, method="sdp", cluster_map=CLUSTERS,
                          cluster_names={"agri": "Agriculture"})
    bc = res.by_cluster.set_index(["cluster", "commodity"])
    # services leak 3.3 (0.6 of every purchase): farming buys 1, food 4 (agri), services 0.5 (other)
    assert bc.loc[("agri", "540000"), "leakage_usd"] == pytest.approx(0.6 * 5 * M)
    assert bc.loc[(OTHER_BUYERS, "540000"), "leakage_usd"] == pytest.approx(0.6 * 0.5 * M)
    assert bc.loc[("agri", "540000"), "cluster_name"] == "Agriculture"
    total = res.by_cluster.groupby("commodity")["leakage_usd"].sum()
    assert total.tolist() == pytest.approx(res.by_commodity.set_index("commodity")
                                           .loc[total.index, "leakage_usd"].tolist())
    top = res.targets.iloc[0]
    assert top["commodity"] == "540000" and top["buying_clusters"].startswith("Agriculture 91%")


def test_exclusions_screen_targets_but_keep_the_commodity() -> None:
    ex = parse_exclusions('[[exclude]]\ncodes = ["54*"]\nreason = "services stay local"\n')
    res = compute_leakage(example_tables(), REGION, NATION, exclusions=ex)
    assert "540000" not in res.targets["commodity"].tolist()
    row = res.by_commodity.set_index("commodity").loc["540000"]
    assert bool(row["excluded"]) and row["exclusion_reason"] == "services stay local"
    assert "E" in row["flags"]
    assert res.targets["rank"].tolist() == [1, 2]
    assert (res.targets["dollars_year"] == 2012).all()


@pytest.mark.parametrize("text", ["[[exclude]]\nreason = 'x'\n", "[[exclude]]\ncodes = ['1']\n",
                                  "[[exclude]\n"])
def test_bad_exclusion_lists_say_what_to_fix(text: str) -> None:
    with pytest.raises(ConfigError, match=r"leakage_exclusions\.toml"):
        parse_exclusions(text)


def test_unknown_method_and_bad_delta_are_refused() -> None:
    with pytest.raises(AnalysisError, match="sdp, slq, cilq, flq"):
        compute_leakage(example_tables(), REGION, NATION, method="implan")
    with pytest.raises(AnalysisError, match="delta"):
        compute_leakage(example_tables(), REGION, NATION, method="flq", delta=-1)
    with pytest.raises(AnalysisError, match="no jobs"):
        compute_leakage(example_tables(), pd.Series({"111": 0.0}), NATION)


# --- identities -------------------------------------------------------------------------


def _identities(tables: IOTables, emp: pd.Series) -> None:
    s = prepare_structure(tables)
    for method in METHODS:
        res = compute_leakage(s, emp, emp, method=method, cluster_map=CLUSTERS)
        c = res.by_commodity
        # a region equal to the nation buys everything domestic at home
        assert np.allclose(c["rpc"], 1.0), method
        assert np.allclose(c["leakage_us_usd"], 0.0, atol=1e-3), method
        # and what it imports is what the import matrix says
        imports = np.clip(tables.imports, 0, np.maximum(tables.use, 0)).sum(axis=1)
        assert np.allclose(c["leakage_abroad_usd"], imports * M), method


def test_a_region_equal_to_the_nation_leaks_nothing_at_home() -> None:
    _identities(example_tables(), NATION)


def test_demand_adds_up_to_the_regions_intermediate_inputs_and_leakage_stays_below_it() -> None:
    t = example_tables()
    for method in METHODS:
        res = compute_leakage(t, REGION, NATION, method=method, cluster_map=CLUSTERS)
        x_reg = res.industries["output_usd"].to_numpy()
        inputs = (t.use.sum(axis=0) / t.industry_output * x_reg).sum()
        c = res.by_commodity
        assert c["demand_usd"].sum() == pytest.approx(inputs)
        assert (c["leakage_usd"] <= c["demand_usd"] + 1e-6).all()
        assert (c["leakage_us_usd"] >= -1e-9).all() and (c["leakage_abroad_usd"] >= 0).all()
        bc = res.by_cluster
        assert (bc["leakage_usd"] <= bc["demand_usd"] + 1e-6).all()


# --- step 1: NAICS rows to BEA industries -------------------------------------------------


def test_mixed_levels_withheld_rows_and_codes_without_an_industry() -> None:
    t = example_tables()
    emp = pd.Series({"TOTAL": 60.0, "11": 12.0, "111": 10.0, "31-33": 30.0, "311": np.nan,
                     "3121": 5.0, "54": 8.0, "92": 10.0})
    m = map_employment_to_industries(t, emp, clusters={"food": ["311"]})
    # 11 keeps 2 jobs no BEA industry covers; 31-33 less its published 3121 goes to 311
    # (3121 itself is in no industry of this economy: unmapped), 92 has no industry
    assert m.jobs.tolist() == [10.0, 25.0, 8.0]
    assert m.total == 60.0
    assert m.withheld.tolist() == [False, True, False]
    assert sorted(m.unmapped["naics"]) == ["11", "3121", "92"]
    assert any("withheld" in n for n in m.notes)
    assert m.cluster_jobs is not None and m.cluster_jobs.loc["food"].sum() == 0.0  # 311 withheld


def test_farms_left_out_or_estimated_are_said_and_flagged() -> None:
    t = example_tables()
    no_farms = pd.Series({"311": 20.0, "54": 5.0})
    left = compute_leakage(t, no_farms, NATION, farms_in_source=False)
    assert left.farm_coverage == "left out"
    assert any("left out" in n for n in left.notes)
    assert "F" in left.by_commodity.set_index("commodity").loc["111000", "flags"]
    est = compute_leakage(t, no_farms, NATION, farms_in_source=False, farm_jobs=(10.0, 100.0))
    assert est.farm_coverage == "estimated"
    assert est.industries.set_index("industry").loc["111000", "output_usd"] == pytest.approx(10 * M)
    assert "F" not in est.by_commodity.set_index("commodity").loc["111000", "flags"]
    assert "F" in est.industries.set_index("industry").loc["111000", "flags"]


def test_method_sensitivity_and_comparison_with_the_plan() -> None:
    t = example_tables()
    table = compare_methods(t, REGION, NATION, top=3)
    assert {f"rank_{m}" for m in METHODS} <= set(table.columns)
    assert table["rank_sdp"].tolist() == sorted(table["rank_sdp"].tolist())
    res = compute_leakage(t, REGION, NATION)
    plan = pd.DataFrame({"description": ["Services", "Farming", "Food", "Mining"],
                         "market_support_usd": [9.0, 8.0, 1.0, 0.5],
                         "naics": ["541110;541211", "111110", "311", "212"]})
    cmp, rho = compare_with_plan(res.targets, plan, t.concordance)
    assert cmp["recomputed_rank"].tolist()[:3] == [1, 2, 3]
    assert pd.isna(cmp["recomputed_rank"].iloc[3])  # mining: not a commodity of this economy
    assert rho == pytest.approx(1.0)


def test_method_sensitivity_reuses_the_reference_result_it_is_given() -> None:
    s = prepare_structure(example_tables())
    exclusions = parse_exclusions('[[exclude]]\ncodes = ["54*"]\nreason = "r"\n')

    def leak(method: str) -> LeakageResult:
        return compute_leakage(s, REGION, NATION, method=method, cluster_map=CLUSTERS, exclusions=exclusions)

    def sensitivity(reference: str, known: LeakageResult | None = None) -> pd.DataFrame:
        return compare_methods(
            s, REGION, NATION, top=3, reference=reference, known=known, cluster_map=CLUSTERS,
            exclusions=exclusions,
        )

    for method in METHODS:
        pd.testing.assert_frame_equal(sensitivity(method, known=leak(method)), sensitivity(method))
    # the reference column is the one given, not computed again
    ref = leak("sdp")
    ref.targets["market_support_usd"] = ref.targets["market_support_usd"] * 2
    doubled, computed = sensitivity("sdp", known=ref), sensitivity("sdp")
    assert doubled["market_support_usd_sdp"].tolist() == (computed["market_support_usd_sdp"] * 2).tolist()
    assert doubled["market_support_usd_flq"].tolist() == computed["market_support_usd_flq"].tolist()
    with pytest.raises(AnalysisError, match="delta"):
        compare_methods(s, REGION, NATION, delta=-1.0)
