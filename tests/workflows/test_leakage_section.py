"""The atlas's leakage section: page, PNG, tables and the index card; the suitability targets."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner

from leakage_page_files import hostile_io_workspace
from valleymaps.cli import cli
from valleymaps.io.bea import io_store_paths
from valleymaps.render.atlas_index import render_atlas_index
from valleymaps.workflows.context import AtlasContext
from valleymaps.workflows.leakage_pages import MISSING_TABLES, leakage_section, target_market_support
from valleymaps.workspace import Workspace, init_workspace


def _context(ws: Workspace, build: Path, *, png: bool = True) -> AtlasContext:
    (build / "png").mkdir(parents=True)
    empty = gpd.GeoDataFrame({"geoid": [], "name": []}, geometry=[], crs="EPSG:4326")
    return AtlasContext(ws=ws, build_dir=build, counties_web=empty, tracts_web=None,
                        county_names={}, png=png)


@pytest.fixture(scope="module")
def hostile_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return hostile_io_workspace(tmp_path_factory.mktemp("leak") / "ws")


def test_section_writes_page_png_tables_and_one_card(hostile_ws: Workspace, tmp_path: Path) -> None:
    context = _context(hostile_ws, tmp_path / "build")
    (card,) = leakage_section(context)
    assert card.href == "leakage.html" and card.thumbnail == "png/leakage_targets.png"
    assert card.kind == "Value-chain leakage"
    assert card.finding.startswith("Top target: Services, $") and "2012 dollars" in card.finding
    assert (tmp_path / "build" / "leakage.html").is_file()
    assert (tmp_path / "build" / "png" / "leakage_targets.png").stat().st_size > 5000
    assert (tmp_path / "build" / "tables" / "leakage_targets.csv").is_file()
    assert ("Leakage targets (CSV)", "tables/leakage_targets.csv") in context.downloads
    assert context.cache["leakage_run"] is not None  # computed once, shared with suitability


def test_png_bytes_repeat(hostile_ws: Workspace, tmp_path: Path) -> None:
    leakage_section(_context(hostile_ws, tmp_path / "a"))
    leakage_section(_context(hostile_ws, tmp_path / "b"))
    png = "png/leakage_targets.png"
    assert (tmp_path / "a" / png).read_bytes() == (tmp_path / "b" / png).read_bytes()


def test_without_tables_the_card_says_how_to_get_them(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    for path in io_store_paths(ws):
        path.unlink()
    (card,) = leakage_section(_context(ws, tmp_path / "build"))
    assert card.finding == MISSING_TABLES and card.href == ""
    assert "valleymaps fetch bea" in card.finding and "valleymaps import io" in card.finding
    assert not (tmp_path / "build" / "leakage.html").exists()
    html = render_atlas_index([card], title="t", subtitle="", headline=None, synthetic_notice=None)
    assert "Open map" not in html  # no link to a page that is not there


def test_suitability_list_shows_recomputed_beside_plan(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")  # bundled real BEA tables, synthetic employment
    result = CliRunner().invoke(cli, ["suitability", "--list", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    support = target_market_support(ws)
    assert support is not None and len(support) == 23
    line = next(x for x in result.output.splitlines() if x.strip().startswith("Paper mills"))
    row = support[support["description"] == "Paper mills"].iloc[0]
    assert "plan $611.7M (2010 $)" in line
    assert f"rank {int(row['recomputed_rank'])})" in line and "(2012 $" in line
    for path in io_store_paths(ws):
        path.unlink()
    result = CliRunner().invoke(cli, ["suitability", "--list", "-w", str(ws.root)])
    assert result.exit_code == 0 and "valleymaps fetch bea" in result.output
    assert "recomputed" not in next(x for x in result.output.splitlines() if "Paper mills" in x)


def test_suitability_page_notes_show_recomputed_beside_plan(tmp_path: Path) -> None:
    from valleymaps.workflows.suitability_inputs import list_profiles
    from valleymaps.workflows.suitability_pages import _market_support, _support_notes

    ws = init_workspace(tmp_path / "ws")
    context = _context(ws, tmp_path / "build")
    support = _market_support(context)
    paper = next(p for p in list_profiles(ws) if p.key == "paper")
    notes = _support_notes(paper, support)
    assert len(notes) == len(paper.targets) == 2
    assert notes[0].startswith("Market support of Paper mills: plan $611.7M (2010 $) · recomputed $")
    assert context.cache["leakage_run"] is not None  # the leakage section reuses it
    for path in io_store_paths(ws):
        path.unlink()
    assert _market_support(_context(ws, tmp_path / "b2")) == {}


def test_the_build_runs_the_model_on_the_employment_it_has_read(
    hostile_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the cluster pages read the employment files; the leakage run uses those datasets instead of
    # reading the files a second time, and gives the same targets as a run that reads them
    import valleymaps.io.employment.store as store
    from valleymaps.workflows.cluster_data import compute_cluster_data
    from valleymaps.workflows.leakage import compute_workspace_leakage
    from valleymaps.workflows.leakage_pages import atlas_leakage_run

    data = compute_cluster_data(hostile_ws)
    assert data.datasets
    from_files = compute_workspace_leakage(hostile_ws)
    reads = []
    real = store.load_datasets
    monkeypatch.setattr(store, "load_datasets", lambda *a, **k: reads.append(a) or real(*a, **k))
    context = _context(hostile_ws, tmp_path / "build")
    context = AtlasContext(ws=hostile_ws, build_dir=context.build_dir, counties_web=context.counties_web,
                           tracts_web=None, county_names={}, png=False, cluster_data=data)
    run = atlas_leakage_run(context)
    assert reads == []
    assert run is not None
    assert run.result.targets.equals(from_files.result.targets)
