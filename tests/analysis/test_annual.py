"""Annual series: metrics for every year, compound growth and shift-share over a chosen span."""

import math

import pytest

from valleymaps.analysis.annual import compute_annual_metrics, compute_span_growth
from valleymaps.analysis.cluster_employment import aggregate_cluster_employment
from valleymaps.analysis.metrics import compute_cluster_metrics
from valleymaps.errors import AnalysisError

REGION = {"06019": "Fresno", "06029": "Kern"}


@pytest.fixture
def three_years(employment_table):
    """2011, 2012 and 2014 (no 2013) for two counties and California."""
    rows = []
    for geoid, totals, oil in (
        ("06019", (1000, 1100, 1200), (50, 60, 80)),
        ("06029", (500, 480, 450), (100, 95, 90)),
        ("06", (10000, 10500, 11000), (200, 210, 220)),
    ):
        for year, total, jobs in zip((2011, 2012, 2014), totals, oil, strict=True):
            rows += [(geoid, "TOTAL", year, total, ""), (geoid, "211", year, jobs, "")]
    return employment_table(rows)


@pytest.fixture
def annual(three_years, energy_clusters):
    ce = aggregate_cluster_employment(three_years, energy_clusters)
    return compute_annual_metrics(ce, region_counties=REGION)


def at(frame, geoid, year, cluster="energy", component=""):
    m = frame[(frame.geoid == geoid) & (frame.year == year) & (frame.cluster == cluster)
              & (frame.component == component)]
    assert len(m) == 1
    return m.iloc[0]


def test_every_year_present_is_a_row(annual):
    assert sorted(set(annual.year)) == [2011, 2012, 2014]
    assert set(annual.level) == {"county", "region", "state"}
    fresno = annual[(annual.geoid == "06019") & (annual.cluster == "energy") & (annual.component == "")]
    assert fresno.year.tolist() == [2011, 2012, 2014]


def test_share_and_location_quotient_of_a_middle_year(annual):
    fresno = at(annual, "06019", 2012)
    assert fresno.employment == 60 and fresno.total == 1100
    assert fresno.share == pytest.approx(60 / 1100)
    assert fresno.lq == pytest.approx((60 / 1100) / (210 / 10500))  # 2.727...
    region = at(annual, "SJV", 2012)
    assert region.employment == 155 and region.total == 1580
    assert region.lq == pytest.approx((155 / 1580) / (210 / 10500))
    assert at(annual, "06", 2014).lq == pytest.approx(1.0)


def test_year_over_year_change_needs_the_year_before(annual):
    assert at(annual, "06019", 2012).yoy_change == 10
    assert at(annual, "06019", 2012).yoy_growth == pytest.approx(0.2)
    assert at(annual, "06029", 2012).yoy_change == -5
    assert math.isnan(at(annual, "06019", 2011).yoy_change)
    assert math.isnan(at(annual, "06019", 2014).yoy_change)  # 2013 is missing: no change shown


def test_compound_annual_growth_over_any_span(annual):
    span = compute_span_growth(annual, base_year=2011, end_year=2014).set_index(
        ["geoid", "cluster", "component"]
    )
    assert span.loc[("06019", "energy", ""), "cagr"] == pytest.approx((80 / 50) ** (1 / 3) - 1)
    assert span.loc[("SJV", "energy", ""), "cagr"] == pytest.approx((170 / 150) ** (1 / 3) - 1)
    assert span.loc[("06029", "energy", ""), "change"] == -10
    short = compute_span_growth(annual, base_year=2012, end_year=2014).set_index(
        ["geoid", "cluster", "component"]
    )
    assert short.loc[("06019", "energy", ""), "cagr"] == pytest.approx((80 / 60) ** 0.5 - 1)


def test_span_must_be_in_the_data_and_forward(annual):
    with pytest.raises(AnalysisError, match="2013"):
        compute_span_growth(annual, base_year=2013, end_year=2014)
    with pytest.raises(AnalysisError, match="swap"):
        compute_span_growth(annual, base_year=2014, end_year=2011)


def test_shift_share_and_cagr_over_a_chosen_span(three_years, energy_clusters):
    ce = aggregate_cluster_employment(three_years, energy_clusters)
    m = compute_cluster_metrics(ce, region_counties=REGION, base_year=2012, end_year=2014)
    fresno = m[(m.geoid == "06019") & (m.cluster == "energy") & (m.component == "")].iloc[0]
    g_total = 11000 / 10500 - 1
    g_energy = 220 / 210 - 1
    assert fresno.base_year == 2012 and fresno.year == 2014
    assert fresno.ss_reference_growth == pytest.approx(60 * g_total)
    assert fresno.ss_industry_mix == pytest.approx(60 * (g_energy - g_total))
    assert fresno.ss_regional_shift == pytest.approx(20 - 60 * g_energy)
    assert fresno.cagr == pytest.approx((80 / 60) ** 0.5 - 1)
    # the default span is still first to last year
    full = compute_cluster_metrics(ce, region_counties=REGION)
    assert set(full.base_year) == {2011} and set(full.year) == {2014}
