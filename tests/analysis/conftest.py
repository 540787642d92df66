import pandas as pd
import pytest

from valleymaps.clusters import Cluster, Component


def _employment_table(rows):
    """Build an employment table from (geoid, naics, year, employment, flag) tuples."""
    return pd.DataFrame(rows, columns=["geoid", "naics", "year", "employment", "flag"]).astype(
        {"geoid": "str", "naics": "str", "year": "int64", "employment": "float64", "flag": "str"}
    )


@pytest.fixture
def energy_clusters():
    energy = Cluster(
        key="energy",
        name="Energy",
        description="",
        components=(
            Component("oil", "Oil and gas extraction", ("211",)),
            Component("refining", "Petroleum refining", ("324",)),
        ),
        sector_proxy=("21",),
    )
    ag = Cluster(
        key="agriculture",
        name="Agriculture",
        description="",
        components=(Component("production", "Crop production", ("111",)),),
        sector_proxy=("11",),
    )
    return [energy, ag]


@pytest.fixture
def two_county_table():
    """Two counties and California, 2011 and 2021 (numbers checked by hand in the tests)."""
    nan = float("nan")
    return _employment_table(
        [
            ("06019", "TOTAL", 2011, 1000, ""), ("06019", "TOTAL", 2021, 1200, ""),
            ("06019", "21", 2011, 55, ""), ("06019", "21", 2021, 85, ""),
            ("06019", "211", 2011, 50, ""), ("06019", "211", 2021, 80, ""),
            ("06019", "211111", 2011, 50, ""), ("06019", "211111", 2021, 80, ""),
            ("06019", "324110", 2011, 10, ""), ("06019", "324110", 2021, 12, "G"),
            ("06019", "324191", 2011, nan, "D"), ("06019", "324191", 2021, 5, ""),
            ("06029", "TOTAL", 2011, 500, ""), ("06029", "TOTAL", 2021, 450, ""),
            ("06029", "211", 2011, 100, ""), ("06029", "211", 2021, 90, ""),
            ("06029", "111", 2011, 40, ""), ("06029", "111", 2021, 44, ""),
            ("06", "TOTAL", 2011, 10000, ""), ("06", "TOTAL", 2021, 11000, ""),
            ("06", "211", 2011, 200, ""), ("06", "211", 2021, 220, ""),
            ("06", "324", 2011, 100, ""), ("06", "324", 2021, 140, ""),
            ("06", "111", 2011, 400, ""), ("06", "111", 2021, 400, ""),
        ]
    )


@pytest.fixture
def employment_table():
    """Factory: an employment table from (geoid, naics, year, employment, flag) tuples."""
    return _employment_table
