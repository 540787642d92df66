"""An atlas on QCEW: all ownerships by default, private employers on request, and the plan's
private-sector job growth from the private figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qcew_files import qcew_site
from valleymaps.employment import EmploymentDataset
from valleymaps.io.employment.store import import_employment
from valleymaps.render.metric_specs import format_percent
from valleymaps.workflows.atlas import build_atlas, edition_line
from valleymaps.workspace import Workspace


def _import_qcew(ws: Workspace, tmp_path: Path) -> None:
    site = qcew_site([2012, 2013], list(ws.config.region_counties))
    paths = []
    for key, data in site.items():
        path = tmp_path / key.strip("/").replace("/", "_")
        path.write_bytes(data)
        paths.append(path)
    import_employment(ws, paths, format="qcew", name="qcew_2012_2013")


def _hospitals(ws: Workspace) -> pd.Series:
    table = pd.read_csv(ws.maps_dir / "tables" / "cluster_metrics.csv", dtype={"geoid": str})
    rows = table[(table.cluster == "health_and_wellness") & (table.component == "hospitals")]
    return rows.set_index("geoid")["employment"]


def test_all_ownerships_by_default_private_on_request(bundled_ws: Workspace, tmp_path: Path) -> None:
    _import_qcew(bundled_ws, tmp_path)
    result = build_atlas(bundled_ws, png=False)
    # public and private hospitals (the state's withheld part left out: a lower bound)
    assert _hospitals(bundled_ws)["06019"] == int(100 * 1.02) + int(40 * 1.02)  # files hold whole jobs
    h = result.headline
    assert h is not None and h.has_ownership and h.base_year == 2012
    assert h.share_of_private_growth is not None and 0 < h.share_of_private_growth < 1
    assert h.share_of_private_growth != h.share_of_growth  # private figures, not all ownerships
    index = (bundled_ws.maps_dir / "index.html").read_text(encoding="utf-8")
    assert f"held {format_percent(h.share_of_private_growth)} of private-sector job growth" in index
    assert "Counting private employers only, as the plan does, the clusters held" in index
    assert "of private-sector job growth since 2012" in index
    assert "does not tell private from public employers" not in index
    assert "not covered" not in index  # QCEW counts every industry
    # the series' NAICS edition, one line on the index and every cluster page
    edition = "edition; 2012, 2013 recoded from NAICS 2012 (R: an industry that cannot be divided"
    assert "Industries: NAICS 2017, the clusters" in index and edition in index
    assert edition in (bundled_ws.maps_dir / "cluster-logistics.html").read_text(encoding="utf-8")

    config = bundled_ws.root / "valleymaps.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[employment]\nownership = "private"\n')
    private_ws = Workspace.open(bundled_ws.root)
    build_atlas(private_ws, png=False)
    assert _hospitals(private_ws)["06019"] == int(100 * 1.02)
    page = (private_ws.maps_dir / "cluster-health-and-wellness.html").read_text(encoding="utf-8")
    assert "counts private employers only" in page


def test_the_edition_line_says_what_was_recoded_and_what_was_kept() -> None:
    def line(fmt: str, years: list[int]) -> str | None:
        table = pd.DataFrame({"geoid": "06019", "naics": "10", "year": years, "employment": 1.0, "flag": ""})
        return edition_line(EmploymentDataset("d", table, "source", fmt))

    assert line("qcew", [2010, 2014, 2015, 2016, 2017, 2022]) == (
        "Industries: NAICS 2017, the clusters' edition; 2010 kept in NAICS 2007 (no concordance); "
        "2014–2016 recoded from NAICS 2012; 2022 recoded from NAICS 2022 (R: an industry that "
        "cannot be divided between editions)."
    )
    assert line("cbp", [2018, 2021]) == "Industries: NAICS 2017, the clusters' edition, in every year."
    assert line("cbp", [2017, 2022, 2023]) == (
        "Industries: NAICS 2017, the clusters' edition, in every year."  # CBP stayed on NAICS 2017
    )
    # a year whose edition valleymaps does not know: said so, its codes used as published
    assert line("cbp", [2021, 2024]) == (
        "Industries: NAICS 2017, the clusters' edition; 2024: NAICS edition not known to "
        "valleymaps, codes used as published."
    )
    assert line("cbp", [2024, 2025]) == (
        "Industries: NAICS 2017, the clusters' edition; 2024, 2025: NAICS edition not known to "
        "valleymaps, codes used as published."
    )
    assert line("qcew", [2016, 2024, 2025]) == (
        "Industries: NAICS 2017, the clusters' edition; 2016 recoded from NAICS 2012; 2024 "
        "recoded from NAICS 2022; 2025: NAICS edition not known to valleymaps, codes used as "
        "published (R: an industry that cannot be divided between editions)."
    )
    assert line("csv", [2021]) is None and line("lodes-wac", [2021]) is None
