"""Load the compiled inner loop of the LODES OD reader (``_odscan.c``).

The loop is built when the package is installed, as the extension module
``valleymaps.io.flows._odscan_ext`` (``setup.py``; a wheel carries it). Its functions are plain
C99, called through :mod:`ctypes` with declared argument types; the calls release the GIL, so
decompression runs on another core meanwhile. When the module is missing (installed from source
on a machine without a C compiler or without Python's headers) :func:`load` returns None, the
reader uses its slower pure-Python (pyarrow + numpy) engine, and a warning says so once, with
how to get the fast one. ``VALLEYMAPS_OD_ENGINE=python`` asks for the pure-Python engine.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
from functools import lru_cache

import numpy as np

log = logging.getLogger(__name__)

#: The compiled module, and the version of the interface between it and this file.
EXTENSION = "valleymaps.io.flows._odscan_ext"
ABI = 1

#: What the fallback says (once per process).
SLOW_ENGINE_MESSAGE = (
    "LODES OD files are read with the slower pure-Python engine (about half as fast): the "
    "compiled reader {module} {why}. To get the fast one, install a C compiler and Python's "
    "headers (Debian: apt install gcc python3-dev) and reinstall valleymaps "
    "('pip install --force-reinstall --no-deps .' in its folder, or a wheel built for this "
    "platform)."
)

# constants shared with _odscan.c
SKIP, W_GEOCODE, H_GEOCODE, COUNT = 0, 1, 2, 3
DONE, TABLE_FULL, TOO_MANY_ERRORS = 0, 1, 2
ERR_NOT_DIGITS, ERR_LENGTH, ERR_COUNT, ERR_FIELDS = 1, 2, 3, 4
ERR_COLUMNS = 5
STAT_ROWS, STAT_ERRORS, STAT_WORKERS = 0, 1, 2
N_STATS = 3
RUN_KEY, RUN_N, RUN_LAST, RUN_UNSORTED = 0, 1, 2, 3
N_RUN = 4
MAX_COUNTS = 16

_P = ctypes.c_void_p
_I = ctypes.c_int64


def _slow(why: str) -> None:
    log.warning(SLOW_ENGINE_MESSAGE.format(module=EXTENSION, why=why))


@lru_cache(maxsize=1)
def load() -> ctypes.CDLL | None:
    """The compiled library, or None (the pure-Python engine) when it is not installed."""
    if os.environ.get("VALLEYMAPS_OD_ENGINE", "").lower() == "python":
        return None
    try:
        module = importlib.import_module(EXTENSION)
    except ImportError as exc:
        _slow(f"is not installed ({exc})")
        return None
    if getattr(module, "ABI", None) != ABI:
        _slow(f"is from another version of valleymaps (interface {getattr(module, 'ABI', '?')}, "
              f"this one needs {ABI})")
        return None
    try:
        lib = ctypes.CDLL(str(module.__file__))
    except OSError as exc:
        _slow(f"cannot be loaded ({exc})")
        return None
    lib.od_scan.restype = _I
    lib.od_scan.argtypes = [
        _P, _I, _I,  # buf, pos, end
        _P, _P, _I, _I,  # kinds, slot_of, n_fields, ncount
        _I, _P, _I,  # fine_len, region, use_region
        _P, _P, _I, _P, _P, _P, _I,  # run, lslots, lslots_n, lkeys, lsums, lpos, run_cap
        _P, _P, _P, _P, _I,  # okw, okh, ocols (column pointers), on, out_cap
        _P, _I, _P, _P, _P, _I,  # cslots, cslots_n, ckeys, csums, cn, c_cap
        _P, _P, _I, _I, _P,  # stats, errs, max_errs, final, pos_out
    ]
    lib.od_rehash.restype = None
    lib.od_rehash.argtypes = [_P, _I, _P, _I]
    lib.od_format.restype = None
    lib.od_format.argtypes = [_P, _I, _I, _P]
    return lib


def ptr(array: np.ndarray) -> int:
    """Address of a C-contiguous array's data, for ctypes."""
    assert array.flags.c_contiguous
    return int(array.ctypes.data)


def format_geoids(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal text of non-negative integers: one uint8 buffer, ``width`` bytes each."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    lib = load()
    if lib is None:
        powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
        return ((values[:, None] // powers) % 10 + 48).astype(np.uint8).ravel()
    out = np.empty(len(values) * width, dtype=np.uint8)
    lib.od_format(ptr(values), len(values), width, ptr(out))
    return out
