"""An atlas on County Business Patterns across NAICS editions: ``tables/cluster_trends.csv``
says, row by row, which edition the source published each year in and whether its codes were
recoded to the clusters' edition; a year whose edition valleymaps does not know is said so on
the pages and in the log, and its codes are used as published."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from valleymaps.employment import EmploymentDataset
from valleymaps.io.employment.store import import_employment
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workflows.cluster_data import add_naics_edition_columns
from valleymaps.workspace import Workspace
from workspace_files import write_cbp_files


def _trends(ws: Workspace) -> pd.DataFrame:
    path = ws.maps_dir / "tables" / "cluster_trends.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert any(line.endswith(",2012,2017") for line in lines)  # whole years, not 2012.0
    editions = {"naics_edition": "Int64", "recoded_to": "Int64"}
    return pd.read_csv(path, dtype={"geoid": str, **editions}).fillna({c: 0 for c in editions})


def test_trends_name_the_edition_of_every_year(
    bundled_ws: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    counties = list(bundled_ws.config.region_counties)
    files: list[Path] = []
    for year in (2016, 2017, 2022, 2024):  # NAICS 2012, 2017, 2017 (not 2022), not known
        folder = tmp_path / str(year)
        folder.mkdir()
        files += write_cbp_files(folder, counties, year=year)
    import_employment(bundled_ws, files, format="cbp", name="cbp_2016_2024")
    with caplog.at_level(logging.WARNING):
        build_atlas(bundled_ws, png=False, lang="es")

    trends = _trends(bundled_ws)
    assert list(trends.columns[-2:]) == ["naics_edition", "recoded_to"]  # English, in Spanish too
    county = trends[trends["level"] != "tract"]
    assert set(county["level"]) >= {"county", "region", "state"}
    # (0: the cell is empty)
    by_year = county.groupby("year")[["naics_edition", "recoded_to"]].agg(set)
    assert by_year.loc[2016].tolist() == [{2012}, {2017}]  # recoded to the clusters' edition
    assert by_year.loc[2017].tolist() == [{2017}, {0}]
    assert by_year.loc[2022].tolist() == [{2017}, {0}]  # CBP 2022 is NAICS 2017: as published
    assert by_year.loc[2024].tolist() == [{0}, {0}]  # not known: neither guessed nor recoded

    # every year counts its jobs: 2024's codes are used as published
    trucking = county[(county["cluster"] == "logistics") & (county["component"] == "trucking")]
    jobs = trucking[trucking["geoid"] == counties[0]].set_index("year")["employment"]
    assert jobs[2016] == jobs[2017] == jobs[2022] == jobs[2024] == 2_500

    index = (bundled_ws.maps_dir / "index.html").read_text(encoding="utf-8")
    assert "2016 recodificados desde NAICS 2012" in index
    assert "2024: edición NAICS desconocida para valleymaps, códigos usados tal como se publicaron" in index
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "the NAICS edition of 2024 is not known to valleymaps" in m and "used as published" in m
        for m in warned
    ), warned


def test_each_row_takes_the_edition_of_its_levels_dataset() -> None:
    years = [2016, 2017, 2025]
    table = pd.DataFrame({"geoid": "06019", "naics": "10", "year": years, "employment": 1.0, "flag": ""})
    used = {
        "County": EmploymentDataset("q", table, "BLS QCEW", "qcew"),
        "Tract": EmploymentDataset("t", table.assign(geoid="06019000100"), "tract jobs", "csv"),
    }
    annual = pd.DataFrame(
        {"level": ["county", "region", "state", "tract"] * 3, "year": [y for y in years for _ in range(4)]}
    )
    out = add_naics_edition_columns(annual, used)
    rows = {(r.level, r.year): (r.naics_edition, r.recoded_to) for r in out.astype(object).itertuples()}
    na = pd.NA
    for level in ("county", "region", "state"):  # summed from the county dataset
        assert rows[(level, 2016)] == (2012, 2017) and rows[(level, 2017)] == (2017, na)
        assert rows[(level, 2025)] == (na, na)  # after the last year valleymaps knows
    assert all(rows[("tract", y)] == (na, na) for y in years)  # a plain CSV has no edition
    assert list(annual.columns) == ["level", "year"]  # the input is left as it was
