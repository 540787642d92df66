"""Industries a source does not cover are 'not covered', never 0 jobs; the private-sector headline."""

from __future__ import annotations

import math

import pandas as pd

from valleymaps.analysis.cluster_employment import ALL_CLUSTERS, aggregate_cluster_employment
from valleymaps.analysis.coverage import coverage_column, coverage_findings
from valleymaps.analysis.headline import compute_headline
from valleymaps.analysis.metrics import compute_cluster_metrics
from valleymaps.clusters import Cluster, Component
from valleymaps.employment import default_not_covered

REGION = {"06019": "Fresno", "06029": "Kern"}


def _table(rows: list[tuple[str, str, int, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["geoid", "naics", "year", "employment", "flag"]).astype(
        {"geoid": "str", "naics": "str", "year": "int64", "employment": "float64", "flag": "str"}
    )


AG = Cluster(
    "agriculture",
    "Agriculture",
    "",
    (
        Component("production", "Production", ("111", "112")),
        Component("processing", "Processing", ("311",)),
    ),
)
LOGISTICS = Cluster(
    "logistics",
    "Logistics",
    "",
    (
        Component("rail", "Rail and air freight", ("482", "481112")),
        Component("trucking", "Trucking", ("484",)),
    ),
)

# a CBP-like county table: no 111/112/482 rows at all (CBP does not count them)
CBP_LIKE = _table(
    [
        ("06019", "TOTAL", 2021, 1000, ""), ("06019", "311", 2021, 50, ""),
        ("06019", "481112", 2021, 5, ""), ("06019", "484", 2021, 30, ""),
        ("06029", "TOTAL", 2021, 500, ""), ("06029", "311", 2021, 20, ""),
        ("06029", "484", 2021, 10, ""),
        ("06", "TOTAL", 2021, 10000, ""), ("06", "311", 2021, 300, ""), ("06", "484", 2021, 200, ""),
        ("06", "481112", 2021, 50, ""),
    ]
)  # fmt: skip


def test_a_component_the_source_does_not_count_is_not_zero() -> None:
    ce = aggregate_cluster_employment(CBP_LIKE, [AG, LOGISTICS], not_covered=default_not_covered("cbp"))
    v = ce.values.set_index(["geoid", "cluster", "component"])
    production = v.loc[("06019", "agriculture", "production")]
    assert math.isnan(production["employment"]) and production["flag"] == "C"
    # the whole cluster and the headline union are the covered parts, flagged as lower bounds
    assert v.loc[("06019", "agriculture", ""), ["employment", "flag"]].tolist() == [50.0, "U"]
    assert "U" in v.loc[("06019", ALL_CLUSTERS, ""), "flag"]
    rail = v.loc[("06019", "logistics", "rail")]
    assert rail["employment"] == 5.0 and rail["flag"] == "U"  # 482 left out, 481112 counted
    assert v.loc[("06019", "logistics", "trucking"), "flag"] == ""
    # without a coverage record the old rule holds: absent rows are zero jobs
    plain = aggregate_cluster_employment(CBP_LIKE, [AG]).values.set_index(["geoid", "cluster", "component"])
    assert plain.loc[("06019", "agriculture", "production"), "employment"] == 0.0


def test_metrics_table_column_and_index_finding_say_not_covered() -> None:
    ce = aggregate_cluster_employment(CBP_LIKE, [AG], not_covered=default_not_covered("cbp"))
    m = compute_cluster_metrics(ce, region_counties=REGION)
    production = m[m["component"] == "production"]
    assert production["employment"].isna().all() and production["lq"].isna().all()
    assert set(coverage_column(production["flag"])) == {"not covered"}
    assert set(coverage_column(m[m["component"] == ""]["flag"])) == {"partly covered"}
    findings = coverage_findings(AG, m)
    assert findings == [
        "a lower bound: parts of the cluster are not covered by this source",
        "Production: not covered by this source (it does not count these industries)",
    ]


def test_private_sector_share_of_growth_where_ownership_is_known() -> None:
    # all ownerships: government hospitals in the clusters; private: the plan's measure
    health = Cluster("health", "Health", "", (Component("hospitals", "Hospitals", ("622",)),))
    every = _table(
        [
            ("06019", "TOTAL", 2012, 1000, ""), ("06019", "622", 2012, 100, ""),
            ("06019", "TOTAL", 2022, 1200, ""), ("06019", "622", 2022, 180, ""),
            ("06", "TOTAL", 2012, 9000, ""), ("06", "TOTAL", 2022, 9900, ""),
        ]
    )  # fmt: skip
    private = _table(
        [
            ("06019", "TOTAL", 2012, 800, ""), ("06019", "622", 2012, 60, ""),
            ("06019", "TOTAL", 2022, 900, ""), ("06019", "622", 2022, 90, ""),
            ("06", "TOTAL", 2012, 7000, ""), ("06", "TOTAL", 2022, 7500, ""),
        ]
    )  # fmt: skip

    def metrics(t: pd.DataFrame) -> pd.DataFrame:
        return compute_cluster_metrics(
            aggregate_cluster_employment(t, [health]), region_counties={"06019": "F"}
        )

    h = compute_headline(metrics(every), private_metrics=metrics(private))
    assert h.share_of_growth == 80 / 200
    assert h.has_ownership and h.share_of_private_growth == 30 / 100 and h.private_total_change == 100
    without = compute_headline(metrics(every))
    assert not without.has_ownership and without.share_of_private_growth is None
