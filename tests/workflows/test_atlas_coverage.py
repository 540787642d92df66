"""An atlas built from County Business Patterns says what CBP does not count."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from valleymaps.employment import EmploymentDataset, default_not_covered
from valleymaps.io.employment.store import import_employment
from valleymaps.io.region import choose_dataset
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import Workspace
from workspace_files import write_cbp_files


def test_cbp_atlas_says_not_covered_never_zero(bundled_ws: Workspace, tmp_path: Path) -> None:
    files = write_cbp_files(tmp_path, list(bundled_ws.config.region_counties))
    import_employment(bundled_ws, files, format="cbp", name="cbp_2021")
    result = build_atlas(bundled_ws, png=False)
    table = pd.read_csv(bundled_ws.maps_dir / "tables" / "cluster_metrics.csv", dtype={"geoid": str})
    production = table[(table.cluster == "agriculture") & (table.component == "production")]
    assert len(production) == 10  # 8 counties, the region, California
    assert production["employment"].isna().all()
    assert set(production["coverage"]) == {"not covered"} and production["flag"].str.contains("C").all()
    whole = table[(table.cluster == "agriculture") & table.component.isna()]
    assert set(whole["coverage"]) == {"partly covered"}
    trucking = table[(table.cluster == "logistics") & (table.component == "trucking")]
    assert trucking["coverage"].isna().all() and (trucking["employment"] > 0).all()

    index = (bundled_ws.maps_dir / "index.html").read_text(encoding="utf-8")
    assert "Production: not covered by this source" in index
    assert "County Business Patterns does not count crop and animal production" in index
    assert "does not tell private from public employers" in index
    assert "Industries: NAICS 2017, the clusters" in index and "edition, in every year." in index
    assert result.headline is not None and not result.headline.has_ownership
    page = (bundled_ws.maps_dir / "cluster-agriculture.html").read_text(encoding="utf-8")
    assert "Not covered by this source" in page


def test_a_source_that_counts_every_industry_is_mapped_first() -> None:
    def dataset(name: str, fmt: str) -> EmploymentDataset:
        table = pd.DataFrame(
            {"geoid": ["06019"] * 2, "naics": ["TOTAL", "111110"], "year": [2021] * 2,
             "employment": [1.0, 1.0], "flag": [""] * 2}
        )  # fmt: skip
        return EmploymentDataset(name, table, name, fmt, not_covered=default_not_covered(fmt))

    qcew, cbp = dataset("qcew", "qcew"), dataset("cbp", "cbp")
    assert choose_dataset([qcew, cbp], geoid_length=5, counties=["06019"]) is qcew
    assert choose_dataset([cbp, qcew], geoid_length=5, counties=["06019"]) is qcew


def test_sector_only_source_says_so(bundled_ws: Workspace, tmp_path: Path) -> None:
    from lodes_files import write_wac
    from valleymaps.io.tracts import import_tracts
    from workspace_files import write_square_tracts

    geoids = write_square_tracts(tmp_path / "tracts.geojson", list(bundled_ws.config.region_counties))
    import_tracts(bundled_ws, [tmp_path / "tracts.geojson"])
    wac = write_wac(tmp_path / "ca_wac_S000_JT00_2021.csv.gz", geoids)
    dataset = import_employment(bundled_ws, wac, format="lodes-wac")
    assert "sector only" in dataset.detail_note and dataset.not_covered == ()
    build_atlas(bundled_ws, png=False)
    index = (bundled_ws.maps_dir / "index.html").read_text(encoding="utf-8")
    assert "LEHD LODES counts jobs by NAICS sector only" in index
