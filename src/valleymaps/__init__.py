"""valleymaps: maps of the San Joaquin Valley's industry clusters, commuting and infrastructure.

The library API works in a notebook as well as behind the ``valleymaps`` command::

    >>> import valleymaps
    >>> ws = valleymaps.Workspace.open(".")          # doctest: +SKIP
    >>> valleymaps.build_atlas(ws)                    # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from valleymaps.workspace import Workspace, init_workspace

__all__ = ["Workspace", "__version__", "init_workspace"]
