"""The atlas's suitability page when the project inventory lacks a category a profile measures from."""

from __future__ import annotations

from pathlib import Path

from project_files import FRESNO, row, write_csv
from valleymaps.projects.importer import import_projects
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workflows.suitability_inputs import list_profiles
from valleymaps.workspace import Workspace


def test_a_category_with_no_projects_leaves_out_the_factor_not_the_profile(
    bundled_ws: Workspace, tmp_path: Path
) -> None:
    # one rail project: the profiles measuring from broadband, energy or water projects find none
    inventory = write_csv(tmp_path / "cog.csv", [row("R-1", "Station area rail spur", kind="Rail",
                                                      at=FRESNO)])
    import_projects(inventory, ws=bundled_ws)

    build_atlas(bundled_ws, png=False)

    page = (bundled_ws.maps_dir / "suitability.html").read_text(encoding="utf-8")
    tech = next(p for p in list_profiles(bundled_ws) if p.key == "tech-rd")
    broadband = next(f for f in tech.factors if f.key == "broadband")
    assert tech.name.split(", ", 1)[1] in page  # the profile is on the page ... (its name has a &)
    # ... without its broadband factor (at its own weight), and the page says so
    notes = page[page.index('"key":"tech-rd"'):].split('"notes":[', 1)[1].split("]", 1)[0]
    assert f"{broadband.name} ({broadband.weight:g}%)" in notes
