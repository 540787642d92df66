"""Workflows: the only layer that reads a workspace, computes, renders AND writes.

Each workflow reads its inputs once (through :mod:`valleymaps.io`, the region through
:mod:`valleymaps.io.region`), hands them to the pure layers (:mod:`valleymaps.analysis`,
:mod:`valleymaps.projects`, :mod:`valleymaps.suitability`), draws with
:mod:`valleymaps.render` and writes its outputs atomically. The notebook API
(:mod:`valleymaps.api`) and the CLI call workflows; nothing below imports them.

========================= ==========================================================
module                    what it does
========================= ==========================================================
``atlas``                 ``build_atlas``: the cluster pages, PNGs, tables, index
``cluster_data``          the cluster figures of a workspace, computed once per build
``context``               what a build shares with its sections (``AtlasContext``)
``sections``              the atlas's other sections, in order (add a page kind here)
``flows_pages``           commuting pages (county and tract)
``projects_pages``        infrastructure-project overlays and the investment page
``suitability_pages``     site-suitability pages of the atlas
``leakage_pages``         the value-chain leakage page
``suitability_run``       ``valleymaps suitability``: one profile, its rasters and page
``suitability_inputs``    what the suitability model runs on, read once from a workspace
``suitability_outputs``   a suitability run's tables, styles, previews and page layers, written
``leakage``               ``valleymaps leakage``: the regional input-output model's run
``projects``              ``valleymaps projects summary|near|map``
``project_inputs``        jobs and resident workers per place for project summaries
``fetch``                 downloads from the public sources, cached and checksummed
``check``                 ``valleymaps validate``: checks of a workspace's files
``workers``               worker processes of a build (PNGs and sections in parallel)
``offline``               copies the pages' script and style files for ``--offline``
``setup``                 ``valleymaps init``: the bundled data, flows in both stores
========================= ==========================================================
"""
