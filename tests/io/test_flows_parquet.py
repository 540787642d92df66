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


def _csv_frames(ws: Workspace, names: list[str]) -> dict[tuple[str, str], pd.DataFrame]:
    """Every table as the CSV store gives it (the Parquet store moved away meanwhile)."""
    root = parquet_dir(ws)
    aside = root.with_name("parquet-aside")
    root.rename(aside)
    try:
        return {(n, lv): t for n in names for lv, t in load_flows(ws, n).tables.items()}
    finally:
        aside.rename(root)


def test_load_flows_reads_the_parquet_store_and_gives_the_frames_of_the_csv_store(
    ws: Workspace, imported: list[str]
) -> None:
    expected = _csv_frames(ws, imported)
    assert len(expected) == 5
    for path in ws.econ_dir.glob("flows/*.csv"):  # the CSV tables gone: read from Parquet only
        path.unlink()
    for (name, level), table in expected.items():
        got = load_flows(ws, name).tables[level]
        pd.testing.assert_frame_equal(got, table, check_exact=True)  # values, dtypes, index


def test_load_flows_falls_back_to_the_csv_store_when_parquet_is_missing_or_stale(
    ws: Workspace, imported: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from valleymaps import settings
    from valleymaps.io.flows.parquet_store import dataset_file
    from valleymaps.io.flows.store import save_flows

    expected = _csv_frames(ws, imported)
    name = imported[1]
    stale = dataset_file(parquet_dir(ws), imported[0], "county")
    assert stale is not None
    stale.write_bytes(dataset_file(parquet_dir(ws), name, "county").read_bytes())  # another year's rows
    pd.testing.assert_frame_equal(load_flows(ws, imported[0]).tables["county"],
                                  expected[(imported[0], "county")], check_exact=True)
    monkeypatch.setattr(settings, "FLOWS_PARQUET", False)  # saved again without Parquet: none left
    dataset = load_flows(ws, name)
    dataset.tables["county"] = dataset.tables["county"].iloc[:2]
    save_flows(ws, dataset)
    assert dataset_file(parquet_dir(ws), name, "county") is None
    assert len(load_flows(ws, name).tables["county"]) == 2


def test_workspaces_saved_before_the_parquet_store_are_migrated(
    ws: Workspace, imported: list[str], tmp_path: Path
) -> None:
    import shutil

    from valleymaps.io.flows.store import migrate_flows_to_parquet
    from valleymaps.workflows.setup import create_workspace

    expected = _csv_frames(ws, imported)
    shutil.rmtree(parquet_dir(ws))
    assert len(migrate_flows_to_parquet(ws)) == 5 and migrate_flows_to_parquet(ws) == []
    for path in ws.econ_dir.glob("flows/*.csv"):
        path.unlink()
    for (name, level), table in expected.items():
        pd.testing.assert_frame_equal(load_flows(ws, name).tables[level], table, check_exact=True)
    fresh = create_workspace(tmp_path / "fresh")  # valleymaps init: the bundled flows in both stores
    assert [p.relative_to(parquet_dir(fresh)).parts[:3] for p in parquet_dir(fresh).rglob("*.parquet")] == [
        ("level=county", "state=us", "year=2013")]
