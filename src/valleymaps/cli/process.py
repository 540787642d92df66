"""What a command does to its own process's garbage collector.

Python's cyclic collector scans every object it tracks. A command imports pandas, geopandas,
matplotlib, folium, rasterio and scipy (about two seconds, a million objects that live until
the process ends): the collector runs about 400 times while they load, and once more over all
of them when the process exits. Neither finds anything to free.

* :func:`imports_without_collection` imports a command's modules with the collector paused,
  then freezes what they made (:func:`gc.freeze`: moved out of every later scan, and, in the
  build's forked workers, pages shared with the build process stay shared);
* :func:`main` (the console script) freezes everything before the process exits, so Python
  does not scan it all once more on the way out (about 0.4 s after a build).

Cyclic garbage made by the command itself is still collected as it runs.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def imports_without_collection() -> Iterator[None]:
    """Pause the cyclic collector while the block imports modules, then freeze what they made.

    >>> import gc
    >>> with imports_without_collection():
    ...     import json
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def exit_without_final_collection() -> None:
    """Freeze every object, so that the interpreter's shutdown does not scan them all again."""
    gc.freeze()
