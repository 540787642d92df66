"""The bundled data under data/: contents, consistency, provenance and reproducibility."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

from valleymaps import settings
from valleymaps.clusters import load_clusters
from valleymaps.employment import LODES_SECTORS, TOTAL_CODE
from valleymaps.flags import ALL_FLAGS, WITHHELD
from valleymaps.workspace import BUNDLED_FILES

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SCRIPTS = REPO / "scripts"
COUNTIES = DATA / "geo" / "ca_counties.geojson"
COUNTIES_META = DATA / "geo" / "ca_counties.meta.json"
CLUSTERS = DATA / "econ" / "clusters.toml"
TARGETS = DATA / "econ" / "leakage_targets.csv"
EMPLOYMENT_NAME = "employment_synthetic_county_2011_2021"
EMPLOYMENT = DATA / "econ" / "employment" / f"{EMPLOYMENT_NAME}.csv"
EMPLOYMENT_META = DATA / "econ" / "employment" / f"{EMPLOYMENT_NAME}.meta.json"
PROVENANCE = DATA / "PROVENANCE.md"
SHARED_TARGETS = REPO.parent / "shared" / "leakage_targets.csv"
FLOWS_NAME = "acs_county_flows_2009_2013"
FLOWS = DATA / "econ" / "flows" / f"{FLOWS_NAME}.county.csv"
FLOWS_META = DATA / "econ" / "flows" / f"{FLOWS_NAME}.meta.json"
REALDATA = Path(os.environ.get("VALLEYMAPS_REALDATA", REPO.parent / "shared" / "realdata"))
ACS_TABLE = REALDATA / "commuting" / "acs_county_flows_2009_2013_us.csv"

SECTORS = tuple(LODES_SECTORS.values())
CLUSTER_KEYS = {
    "agriculture",
    "energy",
    "health_and_wellness",
    "logistics",
    "manufacturing",
    "water_technology",
    "public_sector_infrastructure",
}


def _sector_of(code: str) -> str:
    for sector in SECTORS:
        if "-" in sector:
            low, high = (int(x) for x in sector.split("-"))
            if low <= int(code[:2]) <= high:
                return sector
    return code[:2]


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    return pyogrio.read_dataframe(COUNTIES)


@pytest.fixture(scope="module")
def clusters() -> list:
    return load_clusters(CLUSTERS)


@pytest.fixture(scope="module")
def employment() -> pd.DataFrame:
    return pd.read_csv(
        EMPLOYMENT,
        dtype={"geoid": str, "naics": str, "year": int, "flag": str},
        keep_default_na=False,
        na_values={"employment": [""]},
    )


# --- every bundled file --------------------------------------------------------------------


def test_every_bundled_file_exists() -> None:
    missing = [rel for rel in BUNDLED_FILES if not (DATA / rel).is_file()]
    assert not missing, f"missing from data/: {missing}; run bash scripts/build_all_data.sh"


def test_provenance_checksums_match_the_files() -> None:
    text = PROVENANCE.read_text(encoding="utf-8")
    listed = dict(re.findall(r"\| `([^`]+)` \| [\d,]+ \| `([0-9a-f]{64})` \|", text))
    expected = {rel for rel in BUNDLED_FILES if rel != "PROVENANCE.md"}
    assert set(listed) == expected
    stale = [
        rel
        for rel, digest in listed.items()
        if hashlib.sha256((DATA / rel).read_bytes()).hexdigest() != digest
    ]
    assert not stale, (
        f"{stale} changed without their checksums in data/PROVENANCE.md; document the change "
        "and run bash scripts/build_all_data.sh (it refreshes the table)"
    )


# --- counties -----------------------------------------------------------------------------


def test_counties_are_californias_58(counties: pd.DataFrame) -> None:
    assert len(counties) == 58
    assert list(counties.columns[:3]) == ["geoid", "name", "in_region"]
    assert counties["geoid"].map(lambda g: isinstance(g, str) and len(g) == 5).all()
    assert counties["geoid"].str.startswith("06").all()
    assert counties["geoid"].is_unique
    assert counties["geoid"].tolist() == sorted(counties["geoid"])


def test_counties_mark_the_eight_valley_counties(counties: pd.DataFrame) -> None:
    region = counties[counties["in_region"].astype(bool)]
    assert dict(zip(region["geoid"], region["name"], strict=True)) == dict(
        settings.VALLEY_COUNTIES
    )


def test_counties_crs_is_wgs84(counties: pd.DataFrame) -> None:
    assert counties.crs is not None and counties.crs.to_epsg() == 4326


def test_counties_geometries_are_valid_polygons_without_gaps(counties: pd.DataFrame) -> None:
    geoms = counties.geometry.values
    assert set(shapely.get_type_id(geoms).tolist()) <= {3, 6}  # Polygon, MultiPolygon
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    assert shapely.coverage_is_valid(geoms)  # neighbours neither overlap nor leave gaps


def test_counties_coordinates_have_at_most_five_decimals() -> None:
    numbers = re.findall(r"-?\d+\.(\d+)", COUNTIES.read_text(encoding="utf-8"))
    assert numbers and max(len(n) for n in numbers) <= 5


def test_counties_meta_records_source_and_checksum() -> None:
    meta = json.loads(COUNTIES_META.read_text(encoding="utf-8"))
    script = (SCRIPTS / "build_counties.py").read_text(encoding="utf-8")
    assert meta["package"] == "us-atlas" and meta["package_version"] == "3.0.1"
    assert meta["vintage"] == 2017
    assert meta["tarball_sha256"] in script and meta["tarball_sha512"] in script
    assert meta["crs"] == "EPSG:4326" and meta["features"] == 58 and meta["in_region"] == 8
    assert "public domain" in meta["license"] and "ISC" in meta["license"]
    assert meta["build_command"] == "python scripts/build_counties.py"


# --- clusters -----------------------------------------------------------------------------


def test_clusters_are_the_plans_seven(clusters: list) -> None:
    assert {c.key for c in clusters} == CLUSTER_KEYS
    assert all(c.name and c.description and c.source for c in clusters)
    headline = {c.key: c.in_headline for c in clusters}
    assert headline.pop("public_sector_infrastructure") is False
    assert all(headline.values())


def test_agriculture_has_the_plans_four_components(clusters: list) -> None:
    agriculture = next(c for c in clusters if c.key == "agriculture")
    assert [comp.name for comp in agriculture.components] == [
        "Production",
        "Processing and packaging",
        "Distribution",
        "Support activities",
    ]


def test_no_code_is_counted_twice_within_a_cluster(clusters: list) -> None:
    problems = []
    for cluster in clusters:
        codes = [(comp.key, code) for comp in cluster.components for code in comp.naics]
        for i, (comp_a, a) in enumerate(codes):
            for comp_b, b in codes[i + 1 :]:
                if a.startswith(b) or b.startswith(a):
                    problems.append(f"{cluster.key}: {comp_a} {a} / {comp_b} {b}")
    assert not problems


def test_clusters_do_not_overlap_each_other(clusters: list) -> None:
    owner = {code: c.key for c in clusters for code in c.naics}
    overlaps = [
        (a, owner[a], b, owner[b])
        for a in owner
        for b in owner
        if a != b and b.startswith(a) and owner[a] != owner[b]
    ]
    assert not overlaps, "clusters.toml says cluster totals can be added up"


def test_sector_proxies_are_sectors(clusters: list) -> None:
    assert all(set(c.sector_proxy) <= set(SECTORS) for c in clusters)


# --- leakage targets ----------------------------------------------------------------------


def _target_rows() -> list[dict[str, str]]:
    with TARGETS.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_target_has_naics_codes_and_a_cluster(clusters: list) -> None:
    rows = _target_rows()
    assert len(rows) == 23
    keys = {c.key for c in clusters}
    for row in rows:
        codes = row["naics"].split(";")
        assert codes and all(c.isdigit() and len(c) == 6 for c in codes), row
        assert len(set(codes)) == len(codes), row
        assert row["cluster"] in keys, row
        assert row["market_support_usd"].isdigit(), row


def test_target_codes_are_in_a_cluster_or_documented_as_outside(clusters: list) -> None:
    prefixes = [p for c in clusters for p in c.naics]
    text = PROVENANCE.read_text(encoding="utf-8")
    section = text.split("### NAICS codes of leakage targets outside the clusters", 1)[1]
    section = section.split("\n## ", 1)[0]
    documented = set(re.findall(r"\b\d{6}\b", section))
    outside = {
        code
        for row in _target_rows()
        for code in row["naics"].split(";")
        if not any(code.startswith(p) for p in prefixes)
    }
    assert outside, "the services among the targets are expected outside the clusters"
    assert outside <= documented, f"list these in data/PROVENANCE.md: {sorted(outside - documented)}"
    inside_but_listed = {c for c in documented if any(c.startswith(p) for p in prefixes)}
    assert inside_but_listed <= {"541620"}  # named there as the exception


@pytest.mark.skipif(not SHARED_TARGETS.is_file(), reason="../shared/leakage_targets.csv absent")
def test_targets_keep_the_plans_figures() -> None:
    with SHARED_TARGETS.open(newline="", encoding="utf-8") as handle:
        plan = [(r["description"], r["market_support_usd"]) for r in csv.DictReader(handle)]
    assert [(r["description"], r["market_support_usd"]) for r in _target_rows()] == plan


# --- synthetic employment -----------------------------------------------------------------


def test_employment_is_labelled_synthetic() -> None:
    meta = json.loads(EMPLOYMENT_META.read_text(encoding="utf-8"))
    assert list(meta) == [
        "name",
        "source",
        "format",
        "synthetic",
        "imported_from",
        "years",
        "imported_at",
    ]
    assert meta["synthetic"] is True
    assert meta["name"] == EMPLOYMENT_NAME and "synthetic" in EMPLOYMENT.name
    assert meta["source"].startswith("Synthetic sample data generated by ")
    assert "not real employment figures" in meta["source"]
    assert meta["format"] == "csv"
    assert meta["years"] == list(range(2011, 2022))
    assert meta["imported_from"] == [EMPLOYMENT.name]
    assert isinstance(meta["imported_at"], str)


def test_employment_geoids_keep_leading_zeros(employment: pd.DataFrame) -> None:
    assert list(employment.columns) == ["geoid", "naics", "year", "employment", "flag"]
    assert set(employment["geoid"]) == {"06", *settings.VALLEY_COUNTIES}
    assert set(employment["year"]) == set(range(2011, 2022))  # an annual series
    with EMPLOYMENT.open(encoding="utf-8") as handle:
        next(handle)
        assert all(line.startswith("06") for line in handle)


def test_employment_has_every_level_for_every_place_year(
    employment: pd.DataFrame, clusters: list
) -> None:
    prefixes = {code for c in clusters for comp in c.components for code in comp.naics}
    expected = {TOTAL_CODE, *SECTORS, *prefixes}
    for (geoid, year), group in employment.groupby(["geoid", "year"]):
        assert set(group["naics"]) == expected, (geoid, year)
        assert group["naics"].is_unique, (geoid, year)


def test_employment_sectors_add_up_to_total(employment: pd.DataFrame) -> None:
    for (geoid, year), group in employment.groupby(["geoid", "year"]):
        values = group.set_index("naics")["employment"]
        assert values[list(SECTORS)].notna().all()
        assert values[list(SECTORS)].sum() == values[TOTAL_CODE], (geoid, year)


def test_employment_children_never_exceed_their_parent(employment: pd.DataFrame) -> None:
    problems = []
    for (geoid, year), group in employment.groupby(["geoid", "year"]):
        values = group.set_index("naics")["employment"].to_dict()
        fine = [c for c in values if c != TOTAL_CODE and c not in SECTORS]
        children_of: dict[str, list[str]] = {}
        for code in fine:
            parents = [p for p in fine if p != code and code.startswith(p)]
            parent = max(parents, key=len) if parents else _sector_of(code)
            children_of.setdefault(parent, []).append(code)
        for parent, children in children_of.items():
            total = sum(values[c] for c in children if pd.notna(values[c]))
            if total > values[parent]:
                problems.append((geoid, year, parent, total, values[parent]))
    assert not problems


def test_employment_withheld_rows_are_empty_and_flagged(employment: pd.DataFrame) -> None:
    assert set("".join(employment["flag"])) <= set(ALL_FLAGS)
    missing = employment["employment"].isna()
    assert missing.any()
    assert employment.loc[missing, "flag"].map(lambda f: bool(set(f) & WITHHELD)).all()
    assert not employment.loc[~missing, "flag"].map(lambda f: bool(set(f) & WITHHELD)).any()
    assert (employment.loc[~missing, "employment"] >= 0).all()
    fine = ~employment["naics"].isin([TOTAL_CODE, *SECTORS])
    share = (missing & fine).sum() / fine.sum()
    assert 0.02 <= share <= 0.04
    assert (employment["flag"] == "H").any()
    assert not (missing & (employment["geoid"] == settings.REFERENCE_GEOID)).any()


def test_employment_california_exceeds_the_valley(employment: pd.DataFrame) -> None:
    totals = employment[employment["naics"] == TOTAL_CODE]
    for year, group in totals.groupby("year"):
        by_place = group.set_index("geoid")["employment"]
        valley = by_place.drop(settings.REFERENCE_GEOID).sum()
        assert by_place[settings.REFERENCE_GEOID] > 5 * valley, year


def test_employment_magnitudes_are_plausible(employment: pd.DataFrame) -> None:
    values = employment.set_index(["geoid", "naics", "year"])["employment"]
    assert 250_000 < values[("06019", TOTAL_CODE, 2021)] < 400_000  # Fresno
    assert 12e6 < values[("06", TOTAL_CODE, 2021)] < 20e6  # California
    # Kern's oil: far more concentrated than in California as a whole
    kern = values[("06029", "21", 2021)] / values[("06029", TOTAL_CODE, 2021)]
    california = values[("06", "21", 2021)] / values[("06", TOTAL_CODE, 2021)]
    assert kern > 10 * california
    growth = (
        values.xs(2021, level="year").xs(TOTAL_CODE, level="naics")
        / values.xs(2011, level="year").xs(TOTAL_CODE, level="naics")
    )
    assert growth.max() - growth.min() > 0.1  # maps of growth show variation


# --- reproducibility ----------------------------------------------------------------------


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def _assert_same_bytes(built: Path, bundled: Path, script: str) -> None:
    assert built.read_bytes() == bundled.read_bytes(), (
        f"scripts/{script} no longer reproduces {bundled.relative_to(REPO)}: rebuild with "
        "bash scripts/build_all_data.sh and document the change in data/PROVENANCE.md"
    )


def test_synthetic_employment_rebuilds_identically(tmp_path: Path) -> None:
    proc = _run("build_synthetic_employment.py", "--out-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    for bundled in (EMPLOYMENT, EMPLOYMENT_META):
        _assert_same_bytes(tmp_path / bundled.name, bundled, "build_synthetic_employment.py")


@pytest.mark.skipif(not SHARED_TARGETS.is_file(), reason="../shared/leakage_targets.csv absent")
def test_leakage_targets_rebuild_identically(tmp_path: Path) -> None:
    proc = _run("build_leakage_targets.py", str(SHARED_TARGETS), "--out-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    _assert_same_bytes(tmp_path / TARGETS.name, TARGETS, "build_leakage_targets.py")


def test_employment_is_an_annual_series_that_moves_between_its_ends(employment: pd.DataFrame) -> None:
    totals = employment[employment["naics"] == TOTAL_CODE].pivot(index="geoid", columns="year",
                                                                values="employment")
    assert list(totals.columns) == list(range(2011, 2022))
    # every county's path differs from a straight line, and 2020 is a dip below 2019
    assert (totals[2020] < totals[2019]).all()
    steps = totals.diff(axis=1).iloc[:, 1:]
    assert (steps.nunique(axis=1) > 5).all()


# --- bundled real commuting flows (ACS extract) ---------------------------------------------


def test_acs_extract_is_real_and_says_where_it_comes_from() -> None:
    meta = json.loads(FLOWS_META.read_text(encoding="utf-8"))
    assert meta["name"] == FLOWS_NAME and meta["synthetic"] is False and meta["bundled"] is True
    assert meta["format"] == "acs-county" and meta["vintage"] == "2009–2013"
    assert meta["imported_from"] == ["acs_county_flows_2009_2013_us.csv"]
    assert re.fullmatch(r"[0-9a-f]{64}", meta["source_sha256"])


def test_acs_extract_holds_every_valley_row_and_gives_the_published_figures() -> None:
    from valleymaps.analysis.commuting import compute_inflow_outflow

    table = pd.read_csv(FLOWS, dtype={"h_geoid": str, "w_geoid": str})
    valley = list(settings.VALLEY_COUNTIES)
    assert (table["h_geoid"].isin(valley) | table["w_geoid"].isin(valley)).all()
    assert len(table) < 2000  # an extract, never the whole U.S. table
    region = compute_inflow_outflow(table, level="region", region_counties=valley).iloc[0]
    assert region["outflow"] == 109_303 and round(region["outflow_moe"]) == 2_689
    assert region["living"] == 1_464_422 and region["inflow"] == 47_440


@pytest.mark.skipif(not ACS_TABLE.is_file(), reason="../shared/realdata ACS table absent")
def test_acs_extract_rebuilds_identically(tmp_path: Path) -> None:
    proc = _run("build_acs_flows_extract.py", str(ACS_TABLE), "--out-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    for bundled in (FLOWS, FLOWS_META):
        _assert_same_bytes(tmp_path / bundled.name, bundled, "build_acs_flows_extract.py")


def test_leakage_targets_refuse_an_unmapped_description(tmp_path: Path) -> None:
    source = tmp_path / "targets.csv"
    source.write_text("description,market_support_usd\nWidget polishing,1000\n", encoding="utf-8")
    proc = _run("build_leakage_targets.py", str(source), "--out-dir", str(tmp_path / "out"))
    assert proc.returncode != 0
    assert "Widget polishing" in proc.stderr and "no NAICS mapping" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm to fetch us-atlas")
def test_counties_rebuild_identically(tmp_path: Path) -> None:
    """Downloads us-atlas 3.0.1 with npm pack; skipped when the registry cannot be reached."""
    proc = _run("build_counties.py", "--out-dir", str(tmp_path))
    if proc.returncode == 3:
        pytest.skip(f"us-atlas could not be fetched: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr
    for bundled in (COUNTIES, COUNTIES_META):
        _assert_same_bytes(tmp_path / bundled.name, bundled, "build_counties.py")


REAL_IO = REPO.parent / "shared" / "realdata" / "io"
BEA_STORE = DATA / "econ" / "io" / "bea_2012_detail.npz"
BEA_META = DATA / "econ" / "io" / "bea_2012_detail.meta.json"


def test_bea_tables_are_bundled_real_and_small() -> None:
    """The default workspace has the BEA's 2012 detail tables (the atlas's leakage page)."""
    assert BEA_STORE.stat().st_size < 3_000_000
    meta = json.loads(BEA_META.read_text(encoding="utf-8"))
    assert meta["year"] == 2012 and meta["industries"] == 405 and meta["commodities"] == 405
    assert {f["kind"] for f in meta["files"]} == {"use", "make", "imports"}
    text = PROVENANCE.read_text(encoding="utf-8")
    for f in meta["files"]:  # every source workbook named with its checksum in PROVENANCE.md
        assert f["file"] in text and f["sha256"] in text


@pytest.mark.skipif(not REAL_IO.is_dir(), reason="../shared/realdata/io absent")
def test_bea_extract_rebuilds_identically(tmp_path: Path) -> None:
    proc = _run("build_bea_extract.py", str(REAL_IO), "--out-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    for bundled in (BEA_STORE, BEA_META):
        _assert_same_bytes(tmp_path / bundled.name, bundled, "build_bea_extract.py")
