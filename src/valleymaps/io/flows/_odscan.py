"""Load the compiled inner loop of the LODES OD reader (``_odscan.c``), compiling it on first use.

The C source ships with the package. The first time it is needed it is compiled with the
system C compiler (``$CC`` or ``cc``) into the user's cache folder
(``$VALLEYMAPS_CACHE_DIR``, else ``$XDG_CACHE_HOME/valleymaps``, else ``~/.cache/valleymaps``)
and loaded with :mod:`ctypes`; later runs load the cached library. Without a compiler,
:func:`load` returns None and the reader uses its slower pure-Python (pyarrow + numpy) engine.
Calls into the library release the GIL, so decompression runs on another core meanwhile.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

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


def cache_dir() -> Path:
    """Where compiled helpers are kept."""
    if os.environ.get("VALLEYMAPS_CACHE_DIR"):
        return Path(os.environ["VALLEYMAPS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "valleymaps"


def _source() -> bytes:
    return (resources.files("valleymaps.io.flows") / "_odscan.c").read_bytes()


def _compile(source: bytes, target: Path) -> bool:
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not compiler:
        log.info("no C compiler found: LODES OD files are read with the slower pure-Python engine")
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        src = Path(tmp) / "_odscan.c"
        src.write_bytes(source)
        out = Path(tmp) / target.name
        cmd = [*compiler.split(), "-O3", "-std=c99", "-shared", "-fPIC", "-o", str(out), str(src)]
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            log.info("compiling the LODES OD reader failed (%s): using the pure-Python engine", exc)
            return False
        if result.returncode != 0 or not out.is_file():
            log.info("compiling the LODES OD reader failed: %s", result.stderr.strip()[:500])
            return False
        os.replace(out, target)  # atomic: concurrent processes never load a half-written file
    log.debug("compiled %s", target)
    return True


@lru_cache(maxsize=1)
def load() -> ctypes.CDLL | None:
    """The compiled library, or None when it cannot be built on this machine."""
    if os.environ.get("VALLEYMAPS_OD_ENGINE", "").lower() == "python":
        return None
    source = _source()
    tag = hashlib.sha256(source + sys.version.encode() + (sysconfig.get_platform() or "").encode())
    target = cache_dir() / f"_odscan-{tag.hexdigest()[:16]}{'.dll' if os.name == 'nt' else '.so'}"
    try:
        if not target.is_file() and not _compile(source, target):
            return None
        lib = ctypes.CDLL(str(target))
    except OSError as exc:
        log.info("cannot load the compiled LODES OD reader (%s): using the pure-Python engine", exc)
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
