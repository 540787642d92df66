"""validate_file: detect what a file is and list every problem, writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from valleymaps.errors import ConfigError
from valleymaps.workflows.check import detect_kind, validate_file

MakeFile = Callable[[str, str], Path]


def test_good_files_have_no_problems(tmp_path: Path, make_file: MakeFile, build: SimpleNamespace) -> None:
    shp = build.write_vector(build.tract_frame(), tmp_path / "tracts.shp")
    cbp = make_file("cbp21co.txt", build.lines(build.CBP_HEADER_NEW, *build.CBP_NEW_ROWS))
    wac = make_file(
        "ca_wac_S000_JT00_2021.csv.gz",
        build.lines(",".join(build.lodes_header()), build.lodes_row("060190005011000", {})),
    )
    plain = make_file("jobs.csv", "geoid,naics,year,employment\n06019,11,2021,5\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    for path in (shp, cbp, wac, plain):
        assert validate_file(path) == [], path
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_tract_problems(tmp_path: Path, build: SimpleNamespace) -> None:
    numeric = build.write_vector(build.tract_frame([6019000501, 6019000600]), tmp_path / "n.gpkg")
    (problem,) = validate_file(numeric)
    assert problem.column == "GEOID" and "06019000501" in problem.message
    topo = tmp_path / "06019.topo.json"
    topo.write_text(build.topojson_text([("06019000501", build.square(0))]))
    (problem,) = validate_file(topo)
    assert "pass --assume-crs EPSG:4326" in problem.message
    assert validate_file(topo, assume_crs="EPSG:4326") == []


def test_employment_problems_with_rows(make_file: MakeFile) -> None:
    path = make_file("jobs.csv", "geoid,naics,year,employment\n6019,11,2021,5\n06019,11,2021,-1\n")
    assert [(p.row, p.column) for p in validate_file(path)] == [(1, "geoid"), (2, "employment")]
    cbp = make_file("cbp_fresno.txt", "fipstate,fipscty,naics,emp_nf,emp\n06,019,------,G,5\n")
    (problem,) = validate_file(cbp)
    assert "pass --year" in problem.message
    assert validate_file(cbp, year=2021) == []


def test_wrong_format_and_unknown_files(make_file: MakeFile) -> None:
    plain = make_file("jobs.csv", "geoid,naics,year,employment\n06019,11,2021,5\n")
    (problem,) = validate_file(plain, format="cbp")
    assert "not a County Business Patterns" in problem.message
    other = make_file("other.csv", "a,b\n1,2\n")
    (problem,) = validate_file(other)
    assert "not a known employment table" in problem.message
    (problem,) = validate_file(make_file("jobs.xlsx", "x"))
    assert "cannot tell what jobs.xlsx is" in problem.message
    with pytest.raises(ConfigError, match="unknown kind"):
        validate_file(plain, kind="roads")


def test_detect_kind(tmp_path: Path) -> None:
    assert detect_kind("a.topo.json") == "tracts"
    assert detect_kind("ca_wac_S000_JT00_2021.csv.gz") == "employment"
    assert detect_kind(tmp_path / "missing.zip") is None
