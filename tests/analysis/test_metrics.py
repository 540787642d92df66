import math

import pytest

from valleymaps.analysis.cluster_employment import ALL_CLUSTERS, aggregate_cluster_employment
from valleymaps.analysis.headline import compute_headline
from valleymaps.analysis.metrics import compute_cluster_metrics
from valleymaps.errors import AnalysisError

REGION = {"06019": "Fresno", "06029": "Kern"}


@pytest.fixture
def metrics(two_county_table, energy_clusters):
    ce = aggregate_cluster_employment(two_county_table, energy_clusters)
    return compute_cluster_metrics(ce, region_counties=REGION)


def row(metrics, geoid, cluster="energy", component=""):
    m = metrics[(metrics.geoid == geoid) & (metrics.cluster == cluster) & (metrics.component == component)]
    assert len(m) == 1
    return m.iloc[0]


def test_levels_and_years(metrics):
    assert set(metrics.level) == {"county", "region", "state"}
    assert set(metrics.year) == {2021} and set(metrics.base_year) == {2011}


def test_location_quotients_hand_computed(metrics):
    # energy in California 2021: 220 + 140 = 360 of 11,000 jobs
    ref = 360 / 11000
    assert row(metrics, "06019").lq == pytest.approx((97 / 1200) / ref)
    assert row(metrics, "06029").lq == pytest.approx((90 / 450) / ref)
    assert row(metrics, "SJV").lq == pytest.approx((187 / 1650) / ref)
    assert row(metrics, "06").lq == pytest.approx(1.0)


def test_change_growth_share(metrics):
    fresno = row(metrics, "06019")
    assert fresno.employment_base == 60 and fresno.employment == 97
    assert fresno.change == 37
    assert fresno.growth_rate == pytest.approx(37 / 60)
    assert fresno.share == pytest.approx(97 / 1200)
    assert "I" in fresno.flag and "D" in fresno.flag  # withheld 2011 part travels
    kern = row(metrics, "06029")
    assert kern.growth_rate == pytest.approx(-0.1)


def test_shift_share_hand_computed(metrics):
    # California: all jobs +10 %, energy +20 %
    fresno, kern = row(metrics, "06019"), row(metrics, "06029")
    assert fresno.ss_reference_growth == pytest.approx(6)
    assert fresno.ss_industry_mix == pytest.approx(6)
    assert fresno.ss_regional_shift == pytest.approx(25)
    assert kern.ss_reference_growth == pytest.approx(10)
    assert kern.ss_industry_mix == pytest.approx(10)
    assert kern.ss_regional_shift == pytest.approx(-30)


def test_ranks_within_level(metrics):
    assert row(metrics, "06019").rank_employment == 1
    assert row(metrics, "06029").rank_employment == 2
    assert row(metrics, "06029").rank_lq == 1
    assert row(metrics, "SJV").rank_employment == 1  # alone at region level


def test_component_metrics(metrics):
    oil = row(metrics, "06029", component="oil")
    assert oil.lq == pytest.approx((90 / 450) / (220 / 11000))


def test_missing_reference_falls_back_to_region(two_county_table, energy_clusters):
    t = two_county_table[two_county_table.geoid != "06"]
    ce = aggregate_cluster_employment(t, energy_clusters)
    m = compute_cluster_metrics(ce, region_counties=REGION)
    assert set(m.reference) == {"SJV"}
    assert row(m, "SJV").lq == pytest.approx(1.0)


def test_unknown_year_is_a_clear_error(two_county_table, energy_clusters):
    ce = aggregate_cluster_employment(two_county_table, energy_clusters)
    with pytest.raises(AnalysisError, match="2011, 2021"):
        compute_cluster_metrics(ce, region_counties=REGION, end_year=2015)


def test_single_year_has_no_change(two_county_table, energy_clusters):
    ce = aggregate_cluster_employment(two_county_table[two_county_table.year == 2021], energy_clusters)
    m = compute_cluster_metrics(ce, region_counties=REGION)
    assert math.isnan(row(m, "06019").change)
    assert row(m, "06019").lq > 0


def test_headline_shares(metrics):
    h = compute_headline(metrics)
    # clusters together (energy + agriculture) in the region: 2021 97+90+44, 2011 60+100+40
    assert h.clusters == pytest.approx(231)
    assert h.share_of_employment == pytest.approx(231 / 1650)
    assert h.total_change == pytest.approx(150)
    assert h.share_of_growth == pytest.approx(31 / 150)
    assert row(metrics, "SJV", cluster=ALL_CLUSTERS).employment == pytest.approx(231)

