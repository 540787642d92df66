"""valleymaps.workflows.fetch end to end against a local copy of the Census and LEHD file trees."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from fetch_server import (
    ACS_FLOWS,
    ACS_FLOWS_PREFIX,
    CBP_PREFIX,
    LODES_PREFIX,
    METROS_PREFIX,
    PROXY_VARIABLES,
    TIGER_PREFIX,
    FileServer,
    census_site,
    lodes_od_gz,
    lodes_rac_gz,
    make_workspace,
    source_env,
)
from valleymaps.analysis.commuting import compute_inflow_outflow
from valleymaps.employment import TOTAL_CODE
from valleymaps.errors import MissingDatasetError
from valleymaps.io.delineation import load_metro_areas
from valleymaps.io.download import DownloadCache, OfflineError, RetryPolicy
from valleymaps.io.employment.store import list_datasets, load_dataset
from valleymaps.io.flows.store import list_flows, load_flows
from valleymaps.io.sources import SOURCES, YearNotAvailableError
from valleymaps.io.tracts import load_tracts
from valleymaps.workflows import fetch
from valleymaps.workspace import Workspace
from workspace_files import remove_bundled_flows


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with FileServer(census_site(2021)) as srv:
        for key, value in source_env(srv).items():
            monkeypatch.setenv(key, value)
        yield srv


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A new workspace without the bundled ACS extract: these tests count the flows they fetch."""
    workspace = make_workspace(tmp_path / "ws")
    remove_bundled_flows(workspace.root)
    return workspace


@pytest.fixture
def cache(tmp_path: Path) -> DownloadCache:
    return DownloadCache(tmp_path / "cache",
                         policy=RetryPolicy(retries=2, backoff=0, timeout=5, sleep=lambda s: None))


@pytest.mark.parametrize("kind", ["cb", "tiger"])
def test_fetch_tracts_imports_the_region_tracts(ws: Workspace, cache: DownloadCache,
                                                server: FileServer, kind: str) -> None:
    result = fetch.fetch_tracts(ws, year=2021, kind=kind, cache=cache)

    assert result.imported is not None
    assert (result.imported.n_read, result.imported.n_kept) == (4, 3)  # Alameda left out
    assert sorted(load_tracts(ws)["geoid"]) == ["06019000100", "06019000200", "06029000100"]
    assert result.path == cache.root / "tiger" / (
        "GENZ2021/shp/cb_2021_06_tract_500k.zip" if kind == "cb"
        else "TIGER2021/TRACT/tl_2021_06_tract.zip")


def test_fetch_cbp_imports_counties_and_the_reference_state(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    result = fetch.fetch_cbp(ws, year=2021, cache=cache)

    dataset = result.imported
    assert dataset is not None and dataset.name == "cbp_2021"
    assert sorted(dataset.table["geoid"].unique()) == ["06", "06019", "06029"]
    assert [d.path.name for d in result.downloads] == ["cbp21co.zip", "cbp21st.zip"]
    stored = load_dataset(ws, "cbp_2021").table
    withheld = stored[(stored["geoid"] == "06019") & (stored["naics"] == "3113")]
    assert withheld["employment"].isna().all() and (withheld["flag"] == "D").all()


def test_fetch_lodes_wac_sums_blocks(ws: Workspace, cache: DownloadCache,
                                     server: FileServer) -> None:
    result = fetch.fetch_lodes_wac(ws, year=2021, cache=cache)

    assert result.imported is not None
    table = result.imported.table
    totals = table[table["naics"] == TOTAL_CODE].set_index("geoid")["employment"]
    assert "ca_wac_S000_JT00_2021" in list_datasets(ws)
    assert totals["06019"] == 105 and totals["06029"] == 75 and totals["06"] == 280
    assert totals["06019000100"] == 105


def test_fetch_lodes_od_imports_main_and_aux_as_one_dataset(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    result = fetch.fetch_lodes_od(ws, year=2021, cache=cache)

    assert [d.path.name for d in result.downloads] == ["ca_od_main_JT00_2021.csv.gz",
                                                       "ca_od_aux_JT00_2021.csv.gz"]
    dataset = result.imported
    assert dataset is not None and dataset.name == "ca_od_2021_jt00"
    assert dataset.imported_from == ["ca_od_main_JT00_2021.csv.gz", "ca_od_aux_JT00_2021.csv.gz"]
    assert "main+aux parts" in dataset.source
    stored = load_flows(ws, "ca_od_2021_jt00")
    county = stored.tables["county"]
    # by hand from the fixture: Kern -> Fresno 3, Fresno -> Kern 2 (main), Nevada -> Fresno 1 (aux)
    assert sorted(county[["h_geoid", "w_geoid", "workers"]].values.tolist()) == [
        ["06019", "06029", 2], ["06029", "06019", 3], ["32003", "06019", 1]]
    measures = compute_inflow_outflow(county, level="county", segments=[""],
                                      region_counties=list(ws.config.region_counties))
    fresno = measures.set_index("geoid").loc["06019"]
    assert (fresno["employed"], fresno["inflow"], fresno["inflow_region"]) == (4, 4, 1)
    region = compute_inflow_outflow(county, level="region", segments=[""],
                                    region_counties=list(ws.config.region_counties))
    assert region["inflow"].iloc[0] == 1  # the Nevada resident, from the aux file
    assert set(stored.tables["tract"]["w_geoid"]) == {"06019000100", "06029000100"}


def test_fetch_lodes7_od_is_named_apart(ws: Workspace, cache: DownloadCache,
                                        server: FileServer) -> None:
    for part in ("main", "aux"):
        server.files[f"{LODES_PREFIX}/LODES7/ca/od/ca_od_{part}_JT01_2019.csv.gz"] = (
            lodes_od_gz("ca", 2019, part))
    server.files[f"{LODES_PREFIX}/LODES7/ca/rac/ca_rac_S000_JT01_2019.csv.gz"] = lodes_rac_gz(
        "ca", 2019)

    result = fetch.fetch_lodes_od(ws, year=2019, job_type="jt01", version="LODES7", cache=cache)
    rac = fetch.fetch_lodes_rac(ws, year=2019, job_type="jt01", version="LODES7", cache=cache)

    assert result.imported is not None and result.imported.name == "ca_od_2019_jt01_lodes7"
    assert list_flows(ws) == ["ca_od_2019_jt01_lodes7"]
    assert rac.imported is not None and rac.imported.name == "ca_od_2019_jt01_lodes7"
    assert "rac" in load_flows(ws, "ca_od_2019_jt01_lodes7").totals


def test_fetch_lodes_rac_adds_employed_residents_to_the_od_dataset(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    fetch.fetch_lodes_od(ws, year=2021, cache=cache)

    result = fetch.fetch_lodes_rac(ws, year=2021, cache=cache)

    assert result.path == cache.root / "lodes/LODES8/ca/rac/ca_rac_S000_JT00_2021.csv.gz"
    assert result.totals is not None and result.totals.kind == "rac"
    assert result.imported is result.totals.dataset and result.imported.name == "ca_od_2021_jt00"
    stored = load_flows(ws, "ca_od_2021_jt00")
    assert stored.residents is not None and stored.jobs is None
    residents = stored.residents.set_index("geoid")
    # by hand from the RAC fixture: Fresno blocks 2 + (4 + 1) jobs, 1 + 3 of them SE03; Kern 3 + 6
    assert residents.loc["06019", "workers"] == 7 and residents.loc["06019", "SE03"] == 4
    assert residents.loc["06019000200", "workers"] == 5
    assert residents.loc["060190002001", "workers"] == 5
    assert residents.loc["06029", "workers"] == 9
    county = stored.tables["county"]
    measures = compute_inflow_outflow(county, level="county", segments=[""],
                                      region_counties=list(ws.config.region_counties),
                                      residents=stored.residents)
    fresno = measures.set_index("geoid").loc["06019"]
    assert fresno["living"] == 7  # from the RAC file; the OD flows alone give 2
    assert fresno["living_od"] == 2


def test_fetch_lodes_rac_without_the_od_dataset_says_what_to_fetch(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    with pytest.raises(MissingDatasetError) as info:
        fetch.fetch_lodes_rac(ws, year=2021, cache=cache)

    message = str(info.value)
    assert "no LODES OD flows dataset 'ca_od_2021_jt00'" in message
    assert "'valleymaps fetch lodes --year 2021 --table od --table rac'" in message
    assert list_flows(ws) == []
    assert (cache.root / "lodes/LODES8/ca/rac/ca_rac_S000_JT00_2021.csv.gz").is_file()


def test_fetch_lodes_wac_adds_jobs_to_the_od_dataset_once_it_is_there(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    before = fetch.fetch_lodes_wac(ws, year=2021, cache=cache)

    assert before.imported is not None and before.totals is None
    assert "'valleymaps fetch lodes --year 2021 --table od --table wac'" in before.notes[0]

    fetch.fetch_lodes_od(ws, year=2021, cache=cache)
    after = fetch.fetch_lodes_wac(ws, year=2021, cache=cache)

    assert after.imported is not None and after.imported.name == "ca_wac_S000_JT00_2021"
    assert after.totals is not None and after.totals.kind == "wac" and after.notes == ()
    jobs = load_flows(ws, "ca_od_2021_jt00").jobs
    assert jobs is not None
    assert jobs.set_index("geoid").loc["06019", "workers"] == 105  # 55 + 50, as the employment


def test_fetch_metros_stores_the_delineation(ws: Workspace, cache: DownloadCache,
                                             server: FileServer) -> None:
    result = fetch.fetch_metros(ws, cache=cache)

    assert result.path == cache.root / "metros/2023/delineation-files/list1_2023.xlsx"
    assert result.imported == ws.root / "data/geo/cbsa_delineation.csv"
    assert result.imported.is_file()
    metros = load_metro_areas(ws)
    assert metros is not None and metros.edition == "July 2023"
    assert metros.name_of(metros.keys_of(pd.Series(["32003"])).iloc[0]) == (
        "Las Vegas-Henderson-North Las Vegas, NV metro area")


@pytest.mark.parametrize(("year", "expected"), [
    (2019, "are not published for 2019. Years available: 2013, 2015, 2017-2018, 2020, 2023."),
])
def test_fetch_metros_of_a_missing_year_lists_the_years(
    ws: Workspace, cache: DownloadCache, server: FileServer, year: int, expected: str
) -> None:
    with pytest.raises(YearNotAvailableError, match=re.escape(expected)) as info:
        fetch.fetch_metros(ws, year=year, cache=cache)

    assert info.value.available == [2013, 2015, 2017, 2018, 2020, 2023]
    assert server.hits_for() == []
    assert not (ws.root / "data/geo/cbsa_delineation.csv").exists()


def test_fetch_metros_newer_year_not_on_the_server(ws: Workspace, cache: DownloadCache,
                                                   server: FileServer) -> None:
    with pytest.raises(YearNotAvailableError) as info:
        fetch.fetch_metros(ws, year=2024, cache=cache)

    message = str(info.value)
    assert "answered 404" in message and "Years available: 2013, 2015, 2017-2018, 2020, 2023." in message
    assert [h.path for h in server.hits_for()] == [
        f"{METROS_PREFIX}/2024/delineation-files/list1_2024.xlsx"]


def test_without_a_workspace_only_downloads(cache: DownloadCache, server: FileServer) -> None:
    od = fetch.fetch_lodes_od(None, year=2021, cache=cache)
    flows = fetch.fetch_acs_flows(None, year=2020, cache=cache)

    assert od.imported is None and flows.imported is None
    assert [p.name for p in od.paths] == ["ca_od_main_JT00_2021.csv.gz",
                                          "ca_od_aux_JT00_2021.csv.gz"]
    assert flows.path == cache.root / "acs_flows/2020/commuting-flows-2020/table1.xlsx"


@pytest.mark.parametrize("year", [2020, 2015])
def test_fetch_acs_flows_imports_the_workbook(ws: Workspace, cache: DownloadCache,
                                              server: FileServer, year: int) -> None:
    result = fetch.fetch_acs_flows(ws, year=year, cache=cache)

    dataset = result.imported
    assert dataset is not None and dataset.name == f"acs_county_flows_{year - 4}_{year}"
    county = load_flows(ws, dataset.name).tables["county"]
    assert len(county) == len(ACS_FLOWS)
    assert county.loc[(county["h_geoid"] == "06019") & (county["w_geoid"] == "06019"),
                      "workers"].tolist() == [380000]  # county 019 was a number in the workbook
    assert sorted(county.loc[county["w_geoid"].str.startswith("F"), "w_geoid"]) == ["F166",
                                                                                   "F301"]
    assert county["workers_moe"].notna().all()


def test_acs_flows_fixture_reads_like_the_published_table(cache: DownloadCache,
                                                          server: FileServer) -> None:
    pytest.importorskip("openpyxl")
    import pandas as pd

    path = fetch.fetch_acs_flows(None, year=2020, cache=cache).path
    table = pd.read_excel(path, header=7, skipfooter=4, dtype=str, engine="openpyxl")

    assert len(table) == len(ACS_FLOWS)
    assert table.columns[8] == "Workers in Commuting Flow"
    assert table.iloc[0, 4] == "006"


def test_fetch_all_then_nothing_twice(ws: Workspace, cache: DownloadCache,
                                      server: FileServer) -> None:
    steps: list[tuple[str, int]] = []
    first = fetch.fetch_all(ws, year=2021, cache=cache, on_step=lambda s, y: steps.append((s, y)))
    n_hits = len(server.hits_for())

    second = fetch.fetch_all(ws, year=2021, cache=cache)

    assert first.ok and second.ok, (first.errors, second.errors)
    assert steps == [("tracts", 2021), ("cbp", 2021), ("qcew", 2021), ("lodes-od", 2021),
                     ("lodes-wac", 2021), ("lodes-rac", 2021), ("acs-flows", 2020), ("metros", 2023)]
    assert [s for s, _ in steps] == list(fetch.ALL_STEPS)
    # tract, cbp co + st, qcew 8 counties + state + nation, od main + aux, wac, rac, acs flows,
    # delineation
    assert n_hits == 19
    assert len(server.hits_for()) == n_hits
    assert all(r.from_cache for r in second.results.values())
    # the second run imports the same data again
    for step in ("lodes-od", "acs-flows"):
        a, b = first.results[step].imported, second.results[step].imported
        assert a.name == b.name
        for level, table in a.tables.items():
            assert table.equals(b.tables[level]), (step, level)
    assert list_flows(ws) == ["acs_county_flows_2016_2020", "ca_od_2021_jt00"]
    for step, kind in (("lodes-wac", "wac"), ("lodes-rac", "rac")):
        totals = second.results[step].totals
        assert totals is not None and totals.kind == kind, step
        assert totals.dataset.name == "ca_od_2021_jt00"
    stored = load_flows(ws, "ca_od_2021_jt00")
    assert sorted(stored.totals) == ["rac", "wac"]
    assert stored.residents is not None
    assert stored.residents.set_index("geoid").loc["06019", "workers"] == 7
    assert first.results["metros"].imported == ws.root / "data/geo/cbsa_delineation.csv"


def test_fetch_all_records_a_failed_step_and_goes_on(ws: Workspace, cache: DownloadCache,
                                                     server: FileServer) -> None:
    del server.files[f"{CBP_PREFIX}/2021/cbp21st.zip"]

    result = fetch.fetch_all(ws, year=2021, cache=cache)

    assert list(result.errors) == ["cbp"]
    assert isinstance(result.errors["cbp"], YearNotAvailableError)
    assert list(result.results) == ["tracts", "qcew", "lodes-od", "lodes-wac", "lodes-rac",
                                    "acs-flows", "metros"]


def test_fetch_all_without_the_od_files_says_what_the_totals_need(
    ws: Workspace, cache: DownloadCache, server: FileServer
) -> None:
    del server.files[f"{LODES_PREFIX}/LODES8/ca/od/ca_od_aux_JT00_2021.csv.gz"]

    result = fetch.fetch_all(ws, year=2021, cache=cache)

    assert list(result.errors) == ["lodes-od", "lodes-rac"]
    assert isinstance(result.errors["lodes-rac"], MissingDatasetError)
    assert "--table od --table rac" in str(result.errors["lodes-rac"])
    wac = result.results["lodes-wac"]
    assert wac.imported is not None and wac.totals is None  # the employment is imported anyway
    assert "--table od --table wac" in wac.notes[0]


def test_fetch_all_stops_when_offline(ws: Workspace, cache: DownloadCache,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from fetch_server import free_port

    for source in SOURCES.values():
        monkeypatch.setenv(source.env_var, f"http://127.0.0.1:{free_port()}/x")

    with pytest.raises(OfflineError, match="VALLEYMAPS_TIGER_URL"):
        fetch.fetch_all(ws, year=2021, cache=cache)


def test_server_404_lists_the_years_that_exist(ws: Workspace, cache: DownloadCache,
                                               server: FileServer) -> None:
    with pytest.raises(YearNotAvailableError) as info:
        fetch.fetch_cbp(ws, year=2019, cache=cache)

    message = str(info.value)
    assert "County Business Patterns 2019, counties is not on the server" in message
    assert "answered 404" in message and "Years available: 1998-2023." in message
    assert "check that the mirror holds this file" in message  # a test server is not official
    assert info.value.year == 2019 and 2021 in info.value.available


def test_workspace_sources_table_is_used(ws: Workspace, cache: DownloadCache,
                                         server: FileServer,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VALLEYMAPS_LODES_URL")
    config = ws.root / "valleymaps.toml"
    config.write_text(config.read_text() + f'\n[sources]\nlodes = "{server.url}{LODES_PREFIX}"\n')

    result = fetch.fetch_lodes_od(Workspace.open(ws.root), year=2021, cache=cache)

    assert result.downloads[0].url.startswith(server.url)


def test_default_years() -> None:
    assert fetch.default_year("all") == 2023
    assert fetch.default_year("lodes") == 2023
    assert fetch.default_year("acs-flows") == 2020
    assert fetch.default_year("metros") == 2023
    assert fetch.default_year("lodes", version="LODES7") == 2019


def test_prefixes_match_the_official_paths() -> None:
    for key, prefix in [("tiger", TIGER_PREFIX), ("cbp", CBP_PREFIX), ("lodes", LODES_PREFIX),
                        ("acs_flows", ACS_FLOWS_PREFIX), ("metros", METROS_PREFIX)]:
        assert SOURCES[key].default_url.endswith(prefix)


def test_fetch_all_fetches_qcew_for_the_years_asked(ws: Workspace, cache: DownloadCache,
                                                     server: FileServer) -> None:
    from qcew_files import QCEW_PREFIX, qcew_site
    from valleymaps.settings import VALLEY_COUNTIES

    server.files.update(qcew_site([2019, 2020, 2021], list(VALLEY_COUNTIES)))
    cut = f"{QCEW_PREFIX}/2020/a/area/06019.csv"
    server.fail(cut, "cut")  # the connection drops half-way: the next request resumes

    result = fetch.fetch_all(ws, year=2021, qcew_years=range(2019, 2022), cache=cache)

    assert result.ok, result.errors
    qcew = result.results["qcew"]
    assert len(qcew.downloads) == 3 * 10
    assert [h.status for h in server.hits_for(cut)] == [200, 206]
    dataset = load_dataset(ws, "qcew_2019_2021")
    assert dataset.years == [2019, 2020, 2021]
    assert set(dataset.table["geoid"]) == {"06", "US", *VALLEY_COUNTIES}
    totals = dataset.table.set_index(["geoid", "naics", "year"])["employment"]
    assert totals[("06019", TOTAL_CODE, 2019)] == 1000  # all ownerships, own code 0
    assert dataset.private is not None

    server.reset_hits()
    again = fetch.fetch_all(ws, year=2021, qcew_years=[2019, 2020, 2021], cache=cache)
    assert again.results["qcew"].from_cache and server.hits_for() == []


def test_fetch_all_records_a_missing_qcew_year_and_goes_on(ws: Workspace, cache: DownloadCache,
                                                          server: FileServer) -> None:
    result = fetch.fetch_all(ws, year=2021, qcew_years=[2020, 2021], cache=cache)

    assert list(result.errors) == ["qcew"]
    assert isinstance(result.errors["qcew"], YearNotAvailableError)
    assert "QCEW 2020" in str(result.errors["qcew"]) and "cbp" in result.results
    assert "qcew_2020_2021" not in list_datasets(ws)
