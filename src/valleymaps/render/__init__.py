"""render: maps, pages and pictures drawn from what they are given (returned, never written).

folium and branca are imported here, before any module of the package, with their element
templates compiled when first used (:mod:`valleymaps.render.deferred_templates`).
"""

from valleymaps.render.deferred_templates import import_folium

import_folium()
