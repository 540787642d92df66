"""The atlas's sections beyond the cluster choropleths, in the order their cards follow them.

Each capability that draws its own maps (infrastructure projects, site suitability, commuting
flows, value-chain leakage) provides one function with the
:data:`~valleymaps.workflows.context.AtlasSection` signature; add a new page kind by writing
its module in this package and listing its function here. A section reads what the context
does not already hold, writes its pages and PNGs into ``context.build_dir`` (the atlas being
built; it is swapped in only when the whole build succeeds) and returns one card per page for
the index. A section whose data are not in the workspace returns no cards.

Sections may run in a worker process, alongside the cluster pages
(:mod:`valleymaps.workflows.workers`): they get their own copy of the context, write only
under ``build_dir`` and report through their cards and ``context.downloads``; what they
return must pickle.
"""

from __future__ import annotations

from collections.abc import Callable

from valleymaps.workflows.context import AtlasContext, AtlasSection, SectionParts
from valleymaps.workflows.flows_pages import flows_section
from valleymaps.workflows.leakage_pages import leakage_section
from valleymaps.workflows.projects_pages import projects_section
from valleymaps.workflows.suitability_pages import suitability_parts, suitability_section

#: Sections of the atlas; their cards follow the cluster cards, in this order.
SECTIONS: list[AtlasSection] = [projects_section, suitability_section, flows_section, leakage_section]

#: Sections that split into parts run side by side (one per suitability profile): the build
#: runs these instead of the section function, which gives the same pages in one go.
SECTION_PARTS: dict[AtlasSection, Callable[[AtlasContext], SectionParts]] = {
    suitability_section: suitability_parts,
}
