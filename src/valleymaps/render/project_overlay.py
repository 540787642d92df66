"""Projects laid over another map: a cluster choropleth, a commuting flow map, the investment map.

The host page gets a layer per project category in its layer control (named
"Projects: Rail (3)"), the project symbols, lines, areas and popups of the project
page (:mod:`valleymaps.render.projects_map`), and their legend, which appears once a
category is on. An atlas makes the projects' page data once
(:func:`prepare_project_overlay`): into each page for an ordinary inventory, or once
into a script file beside the pages for a large one (this module returns that script's
text; the caller writes it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import folium
import geopandas as gpd

from valleymaps.i18n import N_, _
from valleymaps.render._safe_json import script_json
from valleymaps.render.projects_map import (
    DATA_GLOBAL,
    add_project_layers,
    default_clustering,
    project_payload,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)  # holds a frame: compared and hashed by identity
class ProjectOverlay:
    """Projects to lay over another map (a cluster choropleth, a flow map, the investment map).

    Attributes
    ----------
    projects
        Inventory in the project schema.
    source_lines
        Where the projects come from, written at the foot of their legend.
    show
        Whether the project layers are on when the page opens.
    payload_json, data_file, data_file_text
        Set by :func:`prepare_project_overlay` for pages that share the projects: their data
        made once, as JSON put in each page, or as a script (``data_file_text``) that the
        caller writes into ``data_file`` beside the pages.
    """

    projects: gpd.GeoDataFrame
    source_lines: tuple[str, ...] = ()
    show: bool = False
    payload_json: str | None = None
    data_file: str | None = None
    data_file_text: str | None = None


#: Largest project data (characters of JSON) put into each page the projects are laid over.
#: A larger inventory goes once into :data:`PROJECT_DATA_FILE` beside the pages: 20,000 point
#: projects are about 3 MB, and the cluster pages (budgeted at 2 MB with 760 tracts) would each
#: carry them.
INLINE_PROJECT_DATA_LIMIT = 500_000
#: The script file holding a large inventory for every page of an atlas, and the global it sets.
PROJECT_DATA_FILE = "projects-data.js"


def prepare_project_overlay(overlay: ProjectOverlay) -> ProjectOverlay:
    """Make the projects' page data once for all the pages of an atlas they are laid over.

    Up to :data:`INLINE_PROJECT_DATA_LIMIT` characters the data go into each page (a page
    works on its own, copied anywhere); beyond, the pages load them from one script file,
    :data:`PROJECT_DATA_FILE`, whose text comes back in ``data_file_text``: write it beside
    the pages (keep the pages and the file together). Nothing is written here.

    Returns
    -------
    ProjectOverlay
        ``overlay`` with ``payload_json``, or ``data_file`` and ``data_file_text``, set.

    Examples
    --------
    >>> import geopandas as gpd
    >>> prepare_project_overlay(ProjectOverlay(gpd.GeoDataFrame())).data_file is None
    True
    """
    if not len(overlay.projects):
        return overlay
    payload_json = script_json(
        project_payload(overlay.projects, cluster=default_clustering(overlay.projects))
    )
    if len(payload_json) <= INLINE_PROJECT_DATA_LIMIT:
        return replace(overlay, payload_json=payload_json, data_file=None, data_file_text=None)
    log.info(
        "projects: %d characters of data, to be written once to %s for every page",
        len(payload_json),
        PROJECT_DATA_FILE,
    )
    return replace(
        overlay,
        payload_json=None,
        data_file=PROJECT_DATA_FILE,
        data_file_text=f"window.{DATA_GLOBAL} = {payload_json};\n",
    )


#: Before each project layer's name in the layer control of a page that is not about projects.
OVERLAY_LAYER_PREFIX = N_("Projects: ")


def add_project_overlay(
    fmap: folium.Map,
    overlay: ProjectOverlay | None,
    *,
    layer_control: str | None = None,
    legend_position: str | None = None,
) -> folium.Map:
    """Lay projects over a map: a layer per category in its layer control, legend, popups.

    No panel and no filter (the host page has its own); the legend, with the projects'
    source lines at its foot, shows while a project layer is on. Does nothing when
    ``overlay`` is None or holds no projects.

    Parameters
    ----------
    fmap
        The host map. Its layer control, if it has one already, must be added after this
        call (a layer control lists the layers added before it).
    overlay
        The projects, their source lines and whether they are on when the page opens.
    layer_control
        Add a layer control at this corner ("topright" ...) after the project layers, for
        host pages that have none.
    legend_position
        Corner of the project legend (default bottom left, see
        :func:`~valleymaps.render.projects_map.add_project_layers`).
    """
    if overlay is None or not len(overlay.projects):
        return fmap
    add_project_layers(
        fmap,
        overlay.projects,
        panel=False,
        show=overlay.show,
        layer_prefix=_(OVERLAY_LAYER_PREFIX),
        legend_source_lines=overlay.source_lines,
        payload_json=overlay.payload_json,
        data_file=overlay.data_file,
        legend_position=legend_position,
    )
    if layer_control is not None:
        folium.LayerControl(collapsed=False, position=layer_control).add_to(fmap)
    return fmap
