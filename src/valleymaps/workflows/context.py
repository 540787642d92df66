"""What an atlas build shares with its sections: :class:`AtlasContext` and the section signature.

Each capability that draws its own maps (commuting flows, infrastructure
projects, site suitability) provides one function with the
:data:`AtlasSection` signature and appends it to :data:`SECTIONS`. A section
reads what it needs from the workspace, writes its pages and PNGs into
``context.build_dir`` (the atlas being built; it is swapped in only when the
whole build succeeds) and returns one card per page for the index. A section
whose data are not in the workspace returns no cards.

Sections may run in a worker process, alongside the cluster pages
(:mod:`valleymaps.workflows.workers`): they get their own copy of the context,
write only under ``build_dir`` and report through their cards and
``context.downloads``; what they return must pickle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from valleymaps.render.atlas_index import AtlasCard
from valleymaps.workspace import Workspace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from valleymaps.compute.executor import Executor
    from valleymaps.render.project_overlay import ProjectOverlay
    from valleymaps.workflows.cluster_data import ClusterData


@dataclass(frozen=True)
class AtlasContext:
    """What the atlas build shares with its sections.

    Attributes
    ----------
    ws
        The workspace being built.
    build_dir
        Folder of the atlas being built (becomes ``outputs/maps/``); pages go
        at its top level, PNGs under ``png/``, tables under ``tables/``.
    counties_web
        The region's counties, web-ready (EPSG:4326, simplified): ``geoid``,
        ``name`` ("Fresno County"), geometry. Use them as outlines.
    tracts_web
        The region's tracts, web-ready, or None when none are imported.
    county_names
        County GEOID -> name ("Fresno").
    png
        Whether static PNGs were asked for.
    downloads
        Files a section wrote for the index page's downloads: (label, path relative to the
        atlas, e.g. ``"tables/commuting-x.csv"``); sections append to it.
    projects
        The workspace's infrastructure projects (its GeoPackage, or ``$VALLEYMAPS_DB_URL``),
        read once per build (:func:`valleymaps.workflows.projects_pages.load_project_overlay`);
        None when there are none. Sections lay them over their maps
        (:func:`valleymaps.render.project_overlay.add_project_overlay`).
    cluster_data
        The cluster figures of the build (:class:`~valleymaps.workflows.cluster_data.ClusterData`:
        the datasets mapped, span metrics and annual series of every level), computed once by
        the atlas; None when a section is built on its own.
    cache
        Results one section computes and another reuses (the leakage run, used by the
        suitability and leakage sections), so each is computed once per build.
    executor
        Where tasks that can leave the build process run (``valleymaps build --scheduler``: a
        Dask cluster runs the suitability profiles' models); None: in the build's processes.
    """

    ws: Workspace
    build_dir: Path
    counties_web: gpd.GeoDataFrame
    tracts_web: gpd.GeoDataFrame | None
    county_names: dict[str, str]
    png: bool
    downloads: list[tuple[str, str]] = field(default_factory=list)
    projects: ProjectOverlay | None = None
    cluster_data: ClusterData | None = None
    cache: dict[str, object] = field(default_factory=dict)
    executor: Executor | None = None

    def add_png(self, make: Callable[..., Figure], name: str, **kwargs: Any) -> str:
        """Draw ``make(**kwargs)`` (a function returning a figure) into ``png/<name>``.

        Written quickly and reproducibly (:func:`valleymaps.render.png.figure_png`: no
        timestamp, no software line). Returns the path relative to the atlas, for a
        card's thumbnail.
        """
        from valleymaps.render.png import figure_png

        return self.write_png(name, figure_png(make(**kwargs)))

    def write_png(self, name: str, data: bytes) -> str:
        """Write PNG bytes into ``png/<name>`` (atomically); returns the path relative to the atlas."""
        from valleymaps.io.atomic import write_bytes_atomic

        path = self.build_dir / "png" / name
        path.parent.mkdir(exist_ok=True)
        write_bytes_atomic(path, data)
        return f"png/{name}"


AtlasSection = Callable[[AtlasContext], list[AtlasCard]]


@dataclass(frozen=True)
class SectionParts:
    """A section split into tasks that can run side by side, and the step that puts them together.

    A section whose work divides (one suitability profile per task) provides a function
    ``(context) -> SectionParts`` beside its :data:`AtlasSection` (listed in
    :data:`valleymaps.workflows.sections.SECTION_PARTS`). The build hands each part to a
    worker (:mod:`valleymaps.workflows.workers`) and calls ``assemble`` in its own process
    with the parts' results, in the order of ``parts``; the cards are those of the section.

    Attributes
    ----------
    parts
        Key -> a function of no argument that does one part (writing under
        ``context.build_dir``); its result must pickle.
    assemble
        Called with the results by key; writes the section's pages and returns its cards.
    """

    parts: dict[str, Callable[[], Any]]
    assemble: Callable[[dict[str, Any]], list[AtlasCard]]
