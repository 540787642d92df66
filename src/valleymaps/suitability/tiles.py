"""A shared scratch store of the strip tasks' COG tiles: written atomically, reused on a rerun.

A strip task (:func:`~valleymaps.suitability.model.run_strip_task`) writes its band of every
raster of the factor pass as Cloud-optimised GeoTIFFs (:data:`TILE_COG_OPTIONS`) into a folder
of its own in the store, ``<store>/<profile>-<fingerprint>/band-0003/``, on a file system every
worker sees. The band is built in a temporary folder beside it (``.band-0003-build-<pid>-...``)
and renamed into place only once its ``manifest.json`` is written: the manifest names the run's
fingerprint (:func:`fingerprint_of`: the profile, the inputs, the files the layers resolve to,
the grid and the bands), each tile's SHA-256 and size, and what the task counted. A task that
finds its band in place, with a matching fingerprint and checksums, returns those counts and
computes nothing, so a run started again after a killed worker or a killed command does only
the bands that were not finished. The mosaic then reads the tiles by windows; once it is done the
run's folder is removed (:func:`remove_run`), and after a failure only finished bands stay
(:func:`remove_temporaries` removes what the run's tasks left half-written).

>>> import tempfile, pathlib
>>> store = pathlib.Path(tempfile.mkdtemp())
>>> run = run_folder(store, "paper-mill", "0123456789abcdef" * 4)
>>> run.name, band_folder(run, 3).name
('paper-mill-0123456789abcdef', 'band-0003')
>>> read_manifest(band_folder(run, 3), "0" * 64) is None
True
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from valleymaps._version import __version__
from valleymaps.io.atomic import remove_stale_temporaries, write_text_atomic
from valleymaps.io.os_errors import writing_into
from valleymaps.suitability.cog import COG_OPTIONS

log = logging.getLogger(__name__)

#: Creation options of the tiles: COGs like the published rasters (tiled, internal overviews when a
#: tile is larger than a block), with quick ZSTD compression since each is read once, by the mosaic.
TILE_COG_OPTIONS: dict[str, str] = {**COG_OPTIONS, "COMPRESS": "ZSTD", "LEVEL": "1"}

MANIFEST = "manifest.json"

_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")


def _feed(h: Any, obj: Any) -> None:
    """Feed ``obj`` to the hash ``h`` by value (frames by content, files by size and time)."""
    if obj is None or isinstance(obj, bool | int | float | str | bytes):
        h.update(repr((type(obj).__name__, obj)).encode())
    elif isinstance(obj, os.PathLike):
        path = Path(obj)
        h.update(f"path:{path}".encode())
        if path.is_file():  # a layer file changed since the tiles were written: they are not reused
            st = path.stat()
            h.update(f":{st.st_size}:{st.st_mtime_ns}".encode())
    elif isinstance(obj, gpd.GeoSeries):
        h.update(f"geoseries:{obj.crs.to_wkt() if obj.crs else None}".encode())
        for wkb in shapely.to_wkb(np.asarray(obj.array, dtype=object)):
            h.update(b"-" if wkb is None else wkb)
    elif isinstance(obj, pd.DataFrame):
        h.update(f"frame:{list(map(str, obj.columns))}:{len(obj)}".encode())
        _feed(h, obj.index)
        for column in obj.columns:
            _feed(h, obj[column])
    elif isinstance(obj, pd.Series | pd.Index):
        if isinstance(obj.dtype, gpd.array.GeometryDtype):
            _feed(h, gpd.GeoSeries(obj))
            return
        h.update(f"series:{obj.dtype}:{len(obj)}".encode())
        try:
            h.update(pd.util.hash_pandas_object(obj, index=False).to_numpy().tobytes())
        except TypeError:  # unhashable cells (lists): by their text
            h.update(repr(obj.tolist()).encode())
    elif isinstance(obj, np.ndarray):
        h.update(f"array:{obj.dtype}:{obj.shape}".encode())
        h.update(np.ascontiguousarray(obj).tobytes() if obj.dtype != object else repr(obj.tolist()).encode())
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        h.update(f"dataclass:{type(obj).__qualname__}".encode())
        for f in dataclasses.fields(obj):
            h.update(f.name.encode())
            _feed(h, getattr(obj, f.name))
    elif isinstance(obj, Mapping):
        h.update(f"mapping:{len(obj)}".encode())
        for key in sorted(obj, key=repr):
            _feed(h, key)
            _feed(h, obj[key])
    elif isinstance(obj, list | tuple):
        h.update(f"seq:{len(obj)}".encode())
        for item in obj:
            _feed(h, item)
    elif isinstance(obj, set | frozenset):
        _feed(h, sorted(obj, key=repr))
    else:  # CRS, Affine...: by their text (an address in it only makes a rerun recompute)
        h.update(f"{type(obj).__qualname__}:{obj!r}".encode())


def fingerprint_of(*parts: Any, files: Iterable[Path] = ()) -> str:
    """A SHA-256 (hex) of ``parts`` by value and of ``files``' paths, sizes and modification times.

    The same inputs give the same fingerprint in any process; a changed frame, profile, option or
    file gives another, so tiles written for other inputs are never reused.

    >>> import pandas as pd
    >>> a, b = pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1, 2]})
    >>> fingerprint_of(a, 250.0) == fingerprint_of(b, 250.0)
    True
    >>> fingerprint_of(pd.DataFrame({"a": [1, 2]})) == fingerprint_of(pd.DataFrame({"a": [1, 3]}))
    False
    """
    h = hashlib.sha256()
    _feed(h, (__version__, TILE_COG_OPTIONS, parts, sorted(Path(f) for f in files)))
    return h.hexdigest()


def run_folder(store: Path, key: str, fingerprint: str) -> Path:
    """The store's folder of one run: ``<store>/<key>-<first 16 hex digits of the fingerprint>``."""
    return Path(store) / f"{_SLUG.sub('-', key).strip('-.') or 'run'}-{fingerprint[:16]}"


def band_folder(run: Path, index: int) -> Path:
    """The folder of band ``index`` in the run's folder."""
    return Path(run) / f"band-{index:04d}"


def temporary_band_folder(final: Path, token: str) -> Path:
    """A new temporary folder beside ``final`` for one attempt at a band (``token``: the run's)."""
    name = f".{final.name}-build-{os.getpid()}-{token}-{secrets.token_hex(4)}"
    with writing_into(final.parent):
        final.parent.mkdir(parents=True, exist_ok=True)
        (final.parent / name).mkdir()
    return final.parent / name


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(folder: Path, fingerprint: str) -> dict[str, Any] | None:
    """The manifest of a finished band in ``folder``, or None when it cannot be reused.

    Reused only when the manifest names ``fingerprint`` and every tile it lists is there with its
    size and SHA-256 (a tile damaged or left by other inputs is computed again).
    """
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("fingerprint") != fingerprint:
        return None
    tiles = manifest.get("tiles")
    if not isinstance(tiles, dict) or not tiles:
        return None
    for name, facts in tiles.items():
        path = Path(folder) / name
        try:
            if path.stat().st_size != facts["bytes"] or _sha256(path) != facts["sha256"]:
                return None
        except (OSError, KeyError, TypeError):
            return None
    return manifest


def publish_band(work: Path, final: Path, *, fingerprint: str, band: tuple[int, int],
                 counts: Mapping[str, Any]) -> None:
    """Write ``work``'s manifest (tiles' checksums, ``counts``) and rename ``work`` to ``final``.

    If another attempt at the same band finished first (a task run twice), its band stays and
    ``work`` is removed; a band in ``final`` that cannot be reused is replaced.
    """
    tiles = {p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)}
             for p in sorted(work.glob("*.tif"))}
    manifest = {"fingerprint": fingerprint, "band": list(band), "tiles": tiles, "counts": dict(counts)}
    write_text_atomic(work / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    with writing_into(final.parent):
        if final.exists() and read_manifest(final, fingerprint) is None:
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.rename(work, final)
        except OSError:  # final exists (a finished twin attempt): keep it
            if read_manifest(final, fingerprint) is None:
                raise
            shutil.rmtree(work, ignore_errors=True)


def remove_temporaries(run: Path, token: str) -> list[Path]:
    """Remove the bands half-written by this run's tasks (``token``) and by killed processes.

    Called once every task has ended: whatever an attempt of this run left unfinished (a worker
    killed mid-band) is not a band anybody will finish.
    """
    removed = remove_stale_temporaries(run)
    for path in Path(run).glob(f".band-*-build-*-{token}-*"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def remove_run(run: Path) -> None:
    """Remove the run's folder, and the store's folder when it is left empty."""
    shutil.rmtree(run, ignore_errors=True)
    with contextlib.suppress(OSError):  # not empty: another run's tiles
        run.parent.rmdir()


__all__ = [
    "MANIFEST",
    "TILE_COG_OPTIONS",
    "band_folder",
    "fingerprint_of",
    "publish_band",
    "read_manifest",
    "remove_run",
    "remove_temporaries",
    "run_folder",
    "temporary_band_folder",
]
