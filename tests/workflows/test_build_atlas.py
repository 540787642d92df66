import pandas as pd
import pytest

from valleymaps.clusters import load_clusters
from valleymaps.employment import EmploymentDataset
from valleymaps.errors import ValidationError
from valleymaps.io.region import choose_dataset
from valleymaps.workflows.atlas import build_atlas


def test_bundled_workspace_builds_the_whole_atlas(bundled_ws):
    result = build_atlas(bundled_ws)
    maps = bundled_ws.maps_dir
    pages = sorted(p.name for p in maps.glob("cluster-*.html"))
    assert pages == [
        "cluster-agriculture.html",
        "cluster-energy.html",
        "cluster-health-and-wellness.html",
        "cluster-logistics.html",
        "cluster-manufacturing.html",
        "cluster-public-sector-infrastructure.html",
        "cluster-water-technology.html",
    ]
    index = (maps / "index.html").read_text(encoding="utf-8")
    for page in pages:
        assert f'href="{page}"' in index
    # synthetic data are said to be synthetic on the index, every page and every PNG's source
    assert "Synthetic sample data" in index
    for page in maps.glob("cluster-*.html"):
        assert "Synthetic sample data" in page.read_text(encoding="utf-8")
    assert result.synthetic and result.levels == ["county"]
    # a PNG per cluster metric (7 clusters x 6) and per component at county level
    cluster_pngs = [
        p
        for p in (maps / "png").glob("*-county-*.png")
        if f"cluster-{p.name.split('-county-')[0]}.html" in pages
    ]
    n_components = len(load_clusters(bundled_ws.clusters_path)[0].components)
    assert n_components == 4  # agriculture
    assert len([p for p in cluster_pngs if p.name.startswith("agriculture-")]) == 6 + n_components
    assert (maps / "png" / "agriculture-county-component-production.png").is_file()
    assert (maps / "png" / "energy-county-lq.png").stat().st_size > 10_000


def test_headline_and_table_agree(bundled_atlas):
    bundled_ws, result = bundled_atlas
    table = pd.read_csv(bundled_ws.maps_dir / "tables" / "cluster_metrics.csv", dtype={"geoid": str})
    region = table[(table.geoid == "SJV") & (table.cluster == "_all_clusters")].iloc[0]
    assert result.headline.share_of_employment == pytest.approx(region.employment / region.total)
    assert 0.2 < result.headline.share_of_employment < 0.6
    index = (bundled_ws.maps_dir / "index.html").read_text(encoding="utf-8")
    assert f"{result.headline.share_of_employment * 100:.1f}%" in index
    # county names and places are in the table for people who open it in a spreadsheet
    assert "Fresno County" in set(table.place)


def test_failed_build_leaves_previous_atlas_intact(bundled_ws):
    build_atlas(bundled_ws, png=False)
    before = (bundled_ws.maps_dir / "index.html").read_bytes()
    bundled_ws.clusters_path.write_text("[clusters.bad]\nname = 'Bad'\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no components"):
        build_atlas(bundled_ws, png=False)
    assert (bundled_ws.maps_dir / "index.html").read_bytes() == before
    assert len(list(bundled_ws.maps_dir.glob("cluster-*.html"))) == 7
    leftovers = [p.name for p in bundled_ws.outputs_dir.iterdir() if p.name.startswith(".maps")]
    assert leftovers == []


def test_tracts_add_a_tract_level(tract_ws):
    ws, geoids = tract_ws
    result = build_atlas(ws, png=True)
    assert result.levels == ["county", "tract"]
    page = (ws.maps_dir / "cluster-agriculture.html").read_text(encoding="utf-8")
    assert "Census tracts" in page and "County outlines" in page
    assert (ws.maps_dir / "png" / "agriculture-tract-employment.png").is_file()
    table = pd.read_csv(ws.maps_dir / "tables" / "cluster_metrics.csv", dtype={"geoid": str})
    tracts = table[(table.level == "tract") & (table.cluster == "agriculture")]
    assert sorted(tracts.geoid) == sorted(geoids)
    # sector-only tract data: agriculture approximated by NAICS 11 and flagged P
    first = tracts.set_index("geoid").loc[geoids[0]]
    assert first.employment == 45 and "P" in first.flag


def test_tract_geometry_prepared_on_a_thread_matches_and_leaves_no_thread(tract_ws, monkeypatch):
    # the build simplifies the tracts on a thread while it computes the metrics; the pages get
    # the geometry prepare_web_geometry gives, and the thread is gone when the build goes on
    # (the command line forks its workers then). In process, as build_atlas() runs from Python:
    # a test process has GDAL threads of earlier tests, which a fork must not inherit.
    import threading

    import valleymaps.workflows.atlas as atlas
    from valleymaps.io.tracts import load_tracts
    from valleymaps.render.web_geometry import prepare_web_geometry

    ws, geoids = tract_ws
    drawn = []
    real = atlas.places_geojson
    monkeypatch.setattr(atlas, "places_geojson", lambda places: drawn.append(places) or real(places))
    alive = []
    real_workers = atlas.AtlasWorkers

    def workers(*args, **kwargs):  # what runs beside the build when it would fork
        alive.extend(t.name for t in threading.enumerate() if t.name.startswith("tract-geometry"))
        return real_workers(*args, **kwargs)

    monkeypatch.setattr(atlas, "AtlasWorkers", workers)
    build_atlas(ws, png=False)
    assert alive == []
    tract_web = next(places for places in drawn if len(places) == len(geoids))
    expected = prepare_web_geometry(load_tracts(ws)[["geoid", "name", "geometry"]])
    assert list(tract_web["geoid"]) == list(expected["geoid"])
    assert tract_web.geometry.geom_equals_exact(expected.geometry, tolerance=0).all()
    assert tract_web["name"].str.endswith(" County").all()  # named after their county


def _dataset(name, synthetic, codes):
    table = pd.DataFrame(
        {
            "geoid": ["06019"] * len(codes),
            "naics": codes,
            "year": [2021] * len(codes),
            "employment": [1.0] * len(codes),
            "flag": [""] * len(codes),
        }
    )
    return EmploymentDataset(name=name, table=table, source=name, format="csv", synthetic=synthetic)


def test_real_data_supersede_the_synthetic_sample():
    synthetic = _dataset("sample", True, ["TOTAL", "111", "111110"])
    real = _dataset("cbp", False, ["TOTAL", "11"])
    chosen = choose_dataset([synthetic, real], geoid_length=5, counties=["06019"])
    assert chosen is real
    finer = _dataset("cbp21", False, ["TOTAL", "111110"])
    assert choose_dataset([real, finer, synthetic], geoid_length=5, counties=["06019"]) is finer
    assert choose_dataset([real], geoid_length=11, counties=["06019"]) is None
