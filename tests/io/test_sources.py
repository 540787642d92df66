"""Official URL patterns, base URL overrides, years and states."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from valleymaps.errors import ConfigError, DataSourceError
from valleymaps.io.sources import (
    ACS_FLOWS_TABLES,
    CB_TRACT_YEARS,
    CBP_YEARS,
    LODES_YEARS,
    METRO_DELINEATION_FILES,
    METRO_DELINEATION_XLS,
    SOURCES,
    TIGER_TRACT_YEARS,
    YearNotAvailableError,
    acs_flows_file,
    acs_flows_year_for,
    base_url,
    cbp_file,
    check_year,
    configured_urls,
    format_years,
    lodes_crosswalk_file,
    lodes_file,
    metro_delineation_file,
    resolve_state,
    tract_file,
)

CENSUS = "https://www2.census.gov"
LEHD = "https://lehd.ces.census.gov/data/lodes"


@pytest.fixture(autouse=True)
def _official_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    for source in SOURCES.values():
        monkeypatch.delenv(source.env_var, raising=False)


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        (lambda: tract_file(2021, state="06", kind="tiger"),
         f"{CENSUS}/geo/tiger/TIGER2021/TRACT/tl_2021_06_tract.zip"),
        (lambda: tract_file(2021, state="ca", kind="cb"),
         f"{CENSUS}/geo/tiger/GENZ2021/shp/cb_2021_06_tract_500k.zip"),
        (lambda: tract_file(2013, kind="cb"),
         f"{CENSUS}/geo/tiger/GENZ2013/cb_2013_06_tract_500k.zip"),
        (lambda: cbp_file(2021), f"{CENSUS}/programs-surveys/cbp/datasets/2021/cbp21co.zip"),
        (lambda: cbp_file(2005, level="st"),
         f"{CENSUS}/programs-surveys/cbp/datasets/2005/cbp05st.zip"),
        (lambda: lodes_file("wac", year=2021), f"{LEHD}/LODES8/ca/wac/ca_wac_S000_JT00_2021.csv.gz"),
        (lambda: lodes_file("od", year=2021, part="main"),
         f"{LEHD}/LODES8/ca/od/ca_od_main_JT00_2021.csv.gz"),
        (lambda: lodes_file("od", year=2019, part="aux", job_type="jt01", version="7"),
         f"{LEHD}/LODES7/ca/od/ca_od_aux_JT01_2019.csv.gz"),
        (lambda: lodes_file("rac", year=2020, state="06", segment="se01"),
         f"{LEHD}/LODES8/ca/rac/ca_rac_SE01_JT00_2020.csv.gz"),
        (lambda: lodes_crosswalk_file(), f"{LEHD}/LODES8/ca/ca_xwalk.csv.gz"),
        (lambda: acs_flows_file(2020),
         f"{CENSUS}/programs-surveys/demo/tables/metro-micro/2020/commuting-flows-2020/table1.xlsx"),
        (lambda: acs_flows_file(2015),
         f"{CENSUS}/programs-surveys/demo/tables/metro-micro/2015/commuting-flows-2015/table1.xlsx"),
        (lambda: acs_flows_file(2010),
         f"{CENSUS}/programs-surveys/demo/tables/metro-micro/2010/commuting-employment-2010/"
         "table1.xlsx"),
        (lambda: metro_delineation_file(),
         f"{CENSUS}/programs-surveys/metro-micro/geographies/reference-files/2023/"
         "delineation-files/list1_2023.xlsx"),
    ],
)
def test_official_urls(remote, url: str) -> None:
    assert remote().url == url


def test_cache_keys_mirror_the_published_folders() -> None:
    remote = lodes_file("wac", year=2021)
    assert remote.cache_key == "lodes/LODES8/ca/wac/ca_wac_S000_JT00_2021.csv.gz"
    assert remote.name == "ca_wac_S000_JT00_2021.csv.gz"
    assert acs_flows_file(2015).cache_key != acs_flows_file(2020).cache_key


def test_environment_variable_replaces_the_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALLEYMAPS_CBP_URL", "http://127.0.0.1:8080/mirror/cbp/")
    monkeypatch.setenv("VALLEYMAPS_ACS_FLOWS_URL", "https://proxy.example.gov/acs")

    assert cbp_file(2021).url == "http://127.0.0.1:8080/mirror/cbp/2021/cbp21co.zip"
    assert acs_flows_file(2020).url.startswith("https://proxy.example.gov/acs/2020/")
    assert tract_file(2021).url.startswith(CENSUS)  # other sources keep the official URL


def _workspace(tmp_path: Path, sources: str) -> Path:
    (tmp_path / "valleymaps.toml").write_text(f'[region]\nname = "X"\n\n{sources}\n')
    return tmp_path


def test_workspace_config_replaces_the_base_url(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(tmp_path, '[sources]\ntiger = "https://gis.example.gov/tiger/"\n'
                                'acs-flows = "http://m.example.gov/acs"')

    assert configured_urls(root) == {"tiger": "https://gis.example.gov/tiger",
                                     "acs_flows": "http://m.example.gov/acs"}
    assert tract_file(2021, workspace_root=root).url == (
        "https://gis.example.gov/tiger/GENZ2021/shp/cb_2021_06_tract_500k.zip")
    assert base_url("lodes", workspace_root=root) == LEHD

    monkeypatch.setenv("VALLEYMAPS_TIGER_URL", "http://127.0.0.1:9/tiger")
    assert base_url("tiger", workspace_root=root) == "http://127.0.0.1:9/tiger"  # env wins


def test_bad_source_settings_are_all_reported(tmp_path: Path) -> None:
    root = _workspace(tmp_path, '[sources]\ntigr = "https://x"\ncbp = "ftp://old.example.gov"')

    with pytest.raises(ConfigError) as info:
        configured_urls(root)

    message = str(info.value)
    assert "unknown data source 'tigr'" in message
    assert "tiger, cbp, lodes, acs_flows, metros" in message
    assert "must be an http:// or https:// URL (found 'ftp://old.example.gov')" in message


def test_bad_environment_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALLEYMAPS_LODES_URL", "lehd.ces.census.gov/data/lodes")
    with pytest.raises(ConfigError, match="VALLEYMAPS_LODES_URL must be an http"):
        lodes_file("wac", year=2021)


def test_missing_workspace_or_table_gives_official_urls(tmp_path: Path) -> None:
    assert configured_urls(None) == {}
    assert configured_urls(tmp_path) == {}
    assert configured_urls(_workspace(tmp_path, "")) == {}


@pytest.mark.parametrize(
    ("call", "listed"),
    [
        (lambda: tract_file(2009, kind="tiger"), "2011-2024"),
        (lambda: tract_file(2012, kind="cb"), "2013-2024"),
        (lambda: cbp_file(1990), "1998-2023"),
        (lambda: lodes_file("wac", year=2020, version="LODES7"), "2002-2019"),
        (lambda: lodes_file("wac", year=2001), "2002-2023"),
        (lambda: lodes_file("wac", year=2009, job_type="JT05"), "2010-2023"),
        (lambda: acs_flows_file(2021),
         "2010 (2006-2010), 2013 (2009-2013), 2015 (2011-2015), 2020 (2016-2020)"),
        (lambda: metro_delineation_file(2019), "2013, 2015, 2017-2018, 2020, 2023"),
    ],
)
def test_missing_year_lists_the_years_that_exist(call, listed: str) -> None:
    with pytest.raises(YearNotAvailableError) as info:
        call()
    assert f"Years available: {listed}." in str(info.value)
    assert isinstance(info.value, DataSourceError)


def test_year_after_the_known_ones_is_tried_up_to_this_year() -> None:
    this_year = date.today().year
    if max(CBP_YEARS) < this_year:
        check_year(max(CBP_YEARS) + 1, CBP_YEARS, what="CBP")  # tried, not refused
    with pytest.raises(YearNotAvailableError):
        check_year(this_year + 1, CBP_YEARS, what="CBP")
    with pytest.raises(YearNotAvailableError):
        check_year(max(CBP_YEARS) + 1, CBP_YEARS, what="CBP", allow_newer=False)


@pytest.mark.parametrize("year", sorted(METRO_DELINEATION_XLS))
def test_metro_editions_published_as_xls_are_offered(year: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALLEYMAPS_METROS_URL", "https://mirror.example.gov/metros")

    remote = metro_delineation_file(year)

    assert remote.url == f"https://mirror.example.gov/metros/{METRO_DELINEATION_XLS[year]}"
    assert remote.name.endswith(".xls")


def test_metro_delineations_offered() -> None:
    assert METRO_DELINEATION_FILES[2023].endswith(".xlsx")
    assert set(METRO_DELINEATION_XLS) <= set(METRO_DELINEATION_FILES)
    assert metro_delineation_file().year == max(METRO_DELINEATION_FILES) == 2023
    assert metro_delineation_file().cache_key == "metros/2023/delineation-files/list1_2023.xlsx"


def test_acs_flows_table_for_a_data_year() -> None:
    assert [acs_flows_year_for(y) for y in (2010, 2012, 2014, 2015, 2019, 2021, 2030)] == [
        2010, 2010, 2013, 2015, 2015, 2020, 2020]
    with pytest.raises(YearNotAvailableError, match="start with 2006-2010"):
        acs_flows_year_for(2009)


def test_known_years_are_sane() -> None:
    assert min(TIGER_TRACT_YEARS) == 2011 and min(CB_TRACT_YEARS) == 2013
    assert max(LODES_YEARS["LODES7"]) == 2019
    assert max(LODES_YEARS["LODES8"]) == 2023  # LODES 8.4
    assert max(CBP_YEARS) == 2023 and max(TIGER_TRACT_YEARS) == max(CB_TRACT_YEARS) == 2024
    assert sorted(ACS_FLOWS_TABLES) == [2010, 2013, 2015, 2020]


@pytest.mark.parametrize("value", ["ca", "CA", " Ca ", "06", "6"])
def test_states_by_abbreviation_or_fips(value: str) -> None:
    assert resolve_state(value) == ("06", "ca")


def test_unknown_state_says_what_to_give() -> None:
    with pytest.raises(ConfigError, match="two-letter postal abbreviation"):
        resolve_state("California")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lodes_file("wac", year=2021, segment="S999"), "unknown LODES segment 'S999'"),
        (lambda: lodes_file("wac", year=2021, job_type="JT9"), "JT00, JT01"),
        (lambda: lodes_file("xyz", year=2021), "use one of: wac, rac, od"),
        (lambda: lodes_file("od", year=2021, part="both"), "use one of: main, aux"),
        (lambda: lodes_file("wac", year=2021, version="LODES9"), "LODES8, LODES7"),
        (lambda: tract_file(2021, kind="gdb"), "use one of: cb, tiger"),
        (lambda: cbp_file(2021, level="us"), "'co' (counties) or 'st' (states)"),
        (lambda: base_url("implan"), "unknown data source 'implan'"),
    ],
)
def test_bad_arguments_are_answered_with_the_valid_values(call, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_tract_kind_is_forgiving() -> None:
    assert tract_file(2021, kind="TIGER/Line").path.startswith("TIGER2021/")
    assert tract_file(2021, kind="CB").path.startswith("GENZ2021/")


def test_format_years() -> None:
    assert format_years([2020, 2018, 2019, 2010]) == "2010, 2018-2020"
    assert format_years([]) == "none"


def test_mirror_hint_names_the_variable_and_setting() -> None:
    hint = lodes_file("wac", year=2021).mirror_hint()
    assert "VALLEYMAPS_LODES_URL" in hint and "[sources] lodes" in hint and LEHD in hint
