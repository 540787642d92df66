"""What a command does to its own process: its garbage collector and its memory allocator.

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

A build also makes and drops hundreds of arrays of 2 to 20 MB (rasters of every suitability
profile, images of every map). glibc's allocator maps each such block from the kernel and
unmaps it when freed, so the next one is faulted in page by page again;
:func:`keep_freed_memory` has it keep freed blocks for reuse (about 0.4 s of system time per
build here, and the page faults that come with it).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
from collections.abc import Iterator

log = logging.getLogger(__name__)

#: glibc's ``mallopt`` parameters (malloc.h) and the values a build uses: blocks up to 64 MB
#: come from the heap, and up to 256 MB freed at its top stay there.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_BYTES = 64 * 1024 * 1024
_TRIM_THRESHOLD_BYTES = 256 * 1024 * 1024


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


def keep_freed_memory() -> bool:
    """Have glibc's allocator keep large freed blocks for reuse (this process and those it
    forks); whether it could (False elsewhere than glibc: nothing changes)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, Windows)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
    )
    log.debug("freed memory kept for reuse: %s", done)
    return done


def exit_without_final_collection() -> None:
    """Freeze every object, so that the interpreter's shutdown does not scan them all again."""
    gc.freeze()
