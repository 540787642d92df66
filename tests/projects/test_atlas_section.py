"""The atlas section: a project page, an investment page, tables and PNGs; nothing without projects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from project_files import BAKERSFIELD, FRESNO, row, write_csv
from valleymaps.projects.importer import import_projects
from valleymaps.projects.store import DB_URL_ENV
from valleymaps.workflows.context import AtlasContext
from valleymaps.workflows.projects_pages import projects_section
from valleymaps.workflows.sections import SECTIONS
from valleymaps.workspace import Workspace


def test_the_section_is_registered() -> None:
    assert any("projects" in getattr(s, "__name__", "") for s in SECTIONS)


def test_no_projects_no_pages(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atlas_context: Callable[..., AtlasContext]
) -> None:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    assert projects_section(atlas_context(ws, tmp_path / "build", png=False)) == []


def test_pages_tables_and_pngs(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atlas_context: Callable[..., AtlasContext]
) -> None:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    src = write_csv(
        tmp_path / "p.csv",
        [
            row("1", "Road", at=FRESNO, cost="$12M"),
            row("2", "Well", at=BAKERSFIELD, cost="TBD", kind="Water"),
        ],
    )
    import_projects(src, ws=ws)
    build = tmp_path / "build"
    cards = projects_section(atlas_context(ws, build, png=True))
    assert [c.href for c in cards] == ["projects.html", "investment.html"]
    assert cards[0].finding == "2 projects, $12M in all (1 without a cost); most are transportation (1)."
    assert cards[1].finding.startswith("Fresno County has the most investment ($12M)")
    assert (build / "projects.html").stat().st_size > 10_000
    assert "Public investment in infrastructure" in (build / "investment.html").read_text(encoding="utf-8")
    assert {p.name for p in (build / "png").iterdir()} == {"projects.png", "investment-county.png"}
    table = pd.read_csv(build / "tables" / "investment_by_county.csv", dtype={"geoid": str})
    assert table.set_index("geoid").loc["06019", "cost_usd"] == 12e6
    assert len(pd.read_csv(build / "tables" / "projects.csv")) == 2
    assert len(gpd.read_parquet(build / "tables" / "projects.parquet")) == 2  # GeoParquet beside
    by_county = gpd.read_parquet(build / "tables" / "investment_by_county.parquet")
    assert by_county["geoid"].tolist() == table["geoid"].tolist() and by_county.geometry.notna().all()


def _just_outside_the_region(ws: Workspace) -> tuple[float, float]:
    """A point 500 m west of the region's westernmost vertex (outside every region county)."""
    import geopandas as gpd
    import shapely

    from valleymaps.io.region import read_region_counties

    region = read_region_counties(ws).to_crs("EPSG:3310").union_all()
    coords = shapely.get_coordinates(region)
    x, y = coords[coords[:, 0].argmin()]
    point = gpd.GeoSeries([shapely.Point(x - 500, y)], crs="EPSG:3310").to_crs("EPSG:4326").iloc[0]
    return (point.x, point.y)


def test_a_project_just_outside_a_county_line_adds_up_in_summary_and_page(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atlas_context: Callable[..., AtlasContext]
) -> None:
    from click.testing import CliRunner

    from valleymaps.cli import cli

    monkeypatch.delenv(DB_URL_ENV, raising=False)
    src = write_csv(
        tmp_path / "p.csv",
        [
            row("1", "Road", at=FRESNO, cost="$12M"),
            row("2", "Well", at=_just_outside_the_region(ws), cost="$3M"),
        ],
    )
    result = import_projects(src, ws=ws)
    assert [p.reason for p in result.validation.problems] == ["nearest_county"]
    out = tmp_path / "by_county.csv"
    run = CliRunner().invoke(cli, ["projects", "summary", "-w", str(ws.root), "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert "2 projects by county" in run.output and "Not in any" not in run.output
    table = pd.read_csv(out)
    assert table["n_projects"].sum() == 2
    assert table["cost_usd"].sum() == pytest.approx(15e6)

    build = tmp_path / "build"
    cards = projects_section(atlas_context(ws, build, png=False))
    assert cards[0].finding.startswith("2 projects, $15M in all")
    page_table = pd.read_csv(build / "tables" / "investment_by_county.csv")
    assert page_table["n_projects"].sum() == 2
    assert page_table["cost_usd"].sum() == pytest.approx(15e6)
