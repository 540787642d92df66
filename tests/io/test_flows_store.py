"""The workspace's flows store: import, save atomically, load back unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lodes_files import od_row, write_area_file, write_od
from valleymaps.analysis.commuting import compute_inflow_outflow
from valleymaps.errors import ConfigError
from valleymaps.io.flows.store import flows_dir, import_flows, list_flows, load_all_flows, load_flows
from valleymaps.workspace import Workspace


def test_lodes_import_keeps_region_tracts_and_every_county_pair(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        "060190001001000,060190002001000,5,1,2,2,1,2,2,1,2,2,20230321",
        "060370001001000,060190001001000,6,2,2,2,1,0,5,2,2,2,20230321",
        "060370001001000,060370002001000,50,20,20,10,10,20,20,10,20,20,20230321",
    ]
    path = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", rows)

    ds = import_flows(ws, [path], format="LODES_OD")

    assert ds.name == "ca_od_2021_jt00" and ds.vintage == "2021"
    assert "all jobs (JT00)" in ds.source
    loaded = load_flows(ws, ds.name)
    assert loaded.levels == ["county", "tract"]
    assert set(loaded.tables["county"]["h_geoid"]) == {"06019", "06037"}
    tract = loaded.tables["tract"]
    assert set(zip(tract["h_geoid"], tract["w_geoid"], strict=True)) == {
        ("06019000200", "06019000100"), ("06019000100", "06037000100")}
    assert loaded.segments[:3] == ("SA01", "SA02", "SA03")
    assert not loaded.has_moe
    assert loaded.detail_counties == ("06019", "06039")
    assert any("no aux file" in n for n in loaded.notes)


def test_acs_import_round_trips_moe_and_leading_zeros(ws: Workspace, tmp_path: Path) -> None:
    csv = tmp_path / "acs_county_flows_2009_2013_us.csv"
    csv.write_text("h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe\n"
                   "06,019,006,019,317272,2838\n06,019,303,NA,9,\n", encoding="utf-8")

    ds = import_flows(ws, [csv], format="acs")

    again = load_flows(ws, ds.name).tables["county"]
    assert again["h_geoid"].tolist() == ["06019", "06019"]
    assert again["w_geoid"].tolist() == ["06019", "F303"]
    assert again["workers_moe"].iloc[0] == 2838.0 and np.isnan(again["workers_moe"].iloc[1])
    assert list_flows(ws) == [ds.name]
    assert [d.name for d in load_all_flows(ws)] == [ds.name]
    # no temporary files are left behind
    assert not [p for p in flows_dir(ws).iterdir() if p.name.startswith(".")]


def test_unknown_format_lists_the_valid_ones(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"lodes-od.*acs-county.*lodes-rac.*lodes-wac"):
        import_flows(ws, [tmp_path / "x.csv"], format="cbp")


def test_lodes_file_without_year_asks_for_it_before_reading(ws: Workspace, tmp_path: Path) -> None:
    path = write_od(tmp_path / "od.csv.gz", ["060190001001000,060190002001000,5,1,2,2,1,2,2,1,2,2,20230321"])
    with pytest.raises(ConfigError, match=r"pass --year"):
        import_flows(ws, [path], format="lodes-od")
    ds = import_flows(ws, [path], format="lodes-od", year=2019)
    assert ds.vintage == "2019"


def test_block_group_flows_end_to_end(ws: Workspace, tmp_path: Path) -> None:
    """LODES OD summed to block groups, stored, read back and measured, with RAC block groups."""
    a1, a2 = "060190001001000", "060190001001001"  # block group 060190001001
    b1 = "060190001002000"  # block group 060190001002, same tract
    m1 = "060390001001000"  # Madera
    rows = [od_row(a1, a2, 8, 3), od_row(b1, a1, 5, 1), od_row(a1, b1, 2), od_row(m1, b1, 4, 4)]
    path = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", rows)

    ds = import_flows(ws, [path], format="lodes-od", detail_level="block_group")
    rac = write_area_file(tmp_path / "ca_rac_S000_JT00_2021.csv.gz", "rac",
                            {a1: {"CNS01": 9}, b1: {"CNS05": 7}, m1: {"CNS07": 1}})
    import_flows(ws, [rac], format="lodes-rac")

    loaded = load_flows(ws, ds.name)
    assert loaded.levels == ["county", "block_group"]
    bg = loaded.tables["block_group"]
    assert bg["h_geoid"].str.len().eq(12).all() and bg["w_geoid"].str.len().eq(12).all()
    m = compute_inflow_outflow(bg, level="block_group", region_counties=["06019", "06039"],
                               residents=loaded.residents, segments=[""]).set_index("geoid")
    # block group 1: 8 live and work in it, 2 come from block group 2, 5 leave for block group 2
    assert m.loc["060190001001", ["employed", "both", "inflow", "living_od"]].tolist() == [10, 8, 2, 13]
    # its employed residents from RAC: 9 (the OD flows give 13), so 1 out-commuter beyond the 8
    assert m.loc["060190001001", ["living", "outflow"]].tolist() == [9, 1]
    # block group 2: 5 jobs; its residents (RAC 7) all work elsewhere
    assert m.loc["060190001002", ["employed", "living", "both", "outflow", "leakage_rate"]].tolist() == [
        5, 7, 0, 7, 1.0]
    assert m.loc["060390001001", ["employed", "living"]].tolist() == [4, 1]


def test_a_flows_dataset_of_the_same_name_is_replaced_only_when_asked(ws: Workspace, tmp_path: Path) -> None:
    from lodes_files import write_acs_county_flows
    from valleymaps.errors import DataExistsError

    path = tmp_path / "acs_county_flows_2009_2013_us.csv"
    write_acs_county_flows(path, [("06019", "06019", 100, 5), ("06019", "06029", 20, 3)])
    name = import_flows(ws, [path], format="acs").name
    import_flows(ws, [path], format="acs")  # the same pairs again replace nothing
    write_acs_county_flows(path, [("06019", "06019", 101, 5)])
    with pytest.raises(DataExistsError, match=r"2 county pairs.*with 1 county pairs.*--replace"):
        import_flows(ws, [path], format="acs")
    assert len(load_flows(ws, name).tables["county"]) == 2
    import_flows(ws, [path], format="acs", replace=True)
    assert len(load_flows(ws, name).tables["county"]) == 1


def test_area_totals_of_another_import_are_replaced_only_when_asked(ws: Workspace, tmp_path: Path) -> None:
    from valleymaps.errors import DataExistsError

    od = write_od(tmp_path / "ca_od_main_JT00_2021.csv.gz", [od_row("060190001001000", "060190001001001", 5)])
    import_flows(ws, [od], format="lodes-od")
    rac = tmp_path / "ca_rac_S000_JT00_2021.csv.gz"
    write_area_file(rac, "rac", {"060190001001001": {"CNS01": 5}})
    import_flows(ws, [rac], format="lodes-rac")
    import_flows(ws, [rac], format="lodes-rac")  # the same totals again
    write_area_file(rac, "rac", {"060190001001001": {"CNS01": 6}})
    with pytest.raises(DataExistsError, match="already hold RAC totals"):
        import_flows(ws, [rac], format="lodes-rac")
    assert import_flows(ws, [rac], format="lodes-rac", replace=True).totals["rac"].table["workers"].max() == 6
