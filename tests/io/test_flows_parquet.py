"""Imported flows are also written as hive-partitioned Parquet (level/state/year/dataset), and
DuckDB queries over that store give the same tables as the pandas functions on the CSV store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lodes_files import od_row, write_od
from valleymaps.analysis.commuting import flows_between_counties
from valleymaps.errors import DataSourceError
from valleymaps.io.flows.parquet_store import parquet_dir
from valleymaps.io.flows.store import import_flows, load_flows
from valleymaps.workspace import Workspace

pytest.importorskip("duckdb", reason="pip install duckdb")

from valleymaps.workflows.flows_query import (
    query_flows_between_counties,
    query_workers_by_year,
)

REGION = ["06019", "06039"]  # Fresno, Madera (the test workspace's region)


def _od(tmp_path: Path, year: int, scale: int) -> Path:
    """Work tract, home tract, workers (of which skilled): within and between counties, and beyond."""
    flows = [("06019000100", "06019000200", 5 * scale, 1), ("06019000100", "06039000100", 7 * scale, 2),
             ("06039000100", "06019000200", 3 * scale, 0), ("06039000100", "06039000200", 11 * scale, 4),
             ("06019000200", "06037000100", 13 * scale, 6), ("06037000100", "06019000100", 17, 9),
             ("06039000200", "06019000100", 2, 1)]  # fmt: skip
    rows = [od_row(w + "1000", h + "1000", n, s) for w, h, n, s in flows]
    return write_od(tmp_path / f"ca_od_main_JT00_{year}.csv.gz", rows)


@pytest.fixture
def imported(ws: Workspace, tmp_path: Path) -> list[str]:
    names = [import_flows(ws, [_od(tmp_path, year, scale)], format="lodes-od").name
             for year, scale in ((2020, 1), (2021, 2))]
    acs = tmp_path / "acs_county_flows_2009_2013_us.csv"
    acs.write_text("h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe\n"
                   "06,019,006,039,300,40\n06,039,006,037,20,\n06,019,006,019,77,\n06,039,006,019,120,30\n"
                   "06,039,006,039,900,50\n06,019,303,NA,9,\n06,019,006,037,44,12\n", encoding="utf-8")
    return [*names, import_flows(ws, [acs], format="acs").name]


def test_imported_flows_are_written_as_hive_partitions(ws: Workspace, imported: list[str]) -> None:
    root = parquet_dir(ws)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))
    assert files == [
        "level=county/state=ca/year=2020/dataset=ca_od_2020_jt00/part-0.parquet",
        "level=county/state=ca/year=2021/dataset=ca_od_2021_jt00/part-0.parquet",
        f"level=county/state=us/year=2013/dataset={imported[2]}/part-0.parquet",
        "level=tract/state=ca/year=2020/dataset=ca_od_2020_jt00/part-0.parquet",
        "level=tract/state=ca/year=2021/dataset=ca_od_2021_jt00/part-0.parquet",
    ]
    table = pd.read_parquet(root / files[1])
    assert table["h_geoid"].tolist() == load_flows(ws, "ca_od_2021_jt00").tables["county"]["h_geoid"].tolist()


@pytest.mark.parametrize("include_same", [False, True])
@pytest.mark.parametrize(("index", "level"), [(0, "county"), (1, "tract"), (2, "county")])
def test_duckdb_gives_the_county_flows_of_the_pandas_tables(
    ws: Workspace, imported: list[str], index: int, level: str, include_same: bool
) -> None:
    name = imported[index]
    expected = flows_between_counties(load_flows(ws, name).tables[level], region_counties=REGION,
                                      include_same=include_same)
    got = query_flows_between_counties(parquet_dir(ws), dataset=name, region_counties=REGION, level=level,
                                       include_same=include_same)
    assert len(expected) >= 2
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert got["workers"].dtype == expected["workers"].dtype


def test_one_query_sums_every_year_and_dataset(ws: Workspace, imported: list[str]) -> None:
    got = query_workers_by_year(parquet_dir(ws), region_counties=REGION).set_index("dataset")
    assert got.loc["ca_od_2021_jt00", "year"] == "2021" and got.loc[imported[2], "state"] == "us"
    for name in imported:
        county = load_flows(ws, name).tables["county"]
        h_in = county["h_geoid"].str[:5].isin(REGION)
        w_in = county["w_geoid"].str[:5].isin(REGION) & ~county["w_geoid"].str.startswith("F")
        assert got.loc[name, "jobs"] == county.loc[w_in, "workers"].sum()
        assert got.loc[name, "residents"] == county.loc[h_in, "workers"].sum()
        assert got.loc[name, "both"] == county.loc[h_in & w_in, "workers"].sum()
    two = query_workers_by_year(parquet_dir(ws), region_counties=REGION, datasets=["ca_od_2021_jt00"])
    assert two["dataset"].tolist() == ["ca_od_2021_jt00"]


def test_an_empty_store_says_what_to_import(ws: Workspace) -> None:
    with pytest.raises(DataSourceError,
                       match="holds no Parquet flows of dataset 'x' at level 'county'; import flows"):
        query_flows_between_counties(parquet_dir(ws), dataset="x", region_counties=REGION)
