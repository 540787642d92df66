"""Write files atomically: a reader never sees a half-written output.

Every writer goes to a temporary name in the destination folder and is moved
into place with :func:`os.replace` only once it has finished. On failure the
temporary file (and any side files a driver made next to it, such as a
GeoPackage's ``-journal``) is removed and the previous output, if any, is left
untouched. Inputs are never opened for writing.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
>>> _ = write_text_atomic(target, "hello\\n")
>>> target.read_text()
'hello\\n'
>>> with atomic_path(target) as tmp:
...     _ = tmp.write_text("bye\\n")
>>> target.read_text()
'bye\\n'
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_TMP_MARKER = ".tmp-"


def _temporary_sibling(path: Path) -> Path:
    """A unique, not yet existing name next to ``path`` that keeps its suffix.

    The suffix is kept so that drivers which infer the format from the name
    (``.gpkg``, ``.geojson``) still do.
    """
    suffix = "".join(path.suffixes) if path.suffixes else ""
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    while True:
        candidate = path.with_name(f".{stem}{_TMP_MARKER}{secrets.token_hex(4)}{suffix}")
        if not candidate.exists():
            return candidate


def _remove_with_side_files(tmp: Path) -> None:
    """Remove ``tmp`` and files a driver created beside it (``tmp-journal``, ``tmp-wal``)."""
    for candidate in [tmp, *tmp.parent.glob(f"{tmp.name}*")]:
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:  # pragma: no cover - only on odd file systems
            log.debug("could not remove temporary file %s: %s", candidate, exc)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path that replaces ``path`` when the block succeeds.

    The temporary path does not exist when yielded (so format drivers create
    it from scratch) and lies in the same folder as ``path``, which is created
    if missing. If the block raises, or writes nothing, the temporary file is
    removed, the exception propagates and ``path`` is left as it was.

    Parameters
    ----------
    path
        Final destination.

    Yields
    ------
    pathlib.Path
        Where to write.

    Raises
    ------
    FileNotFoundError
        If the block finished without creating the temporary file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> out.read_text()
    'a,b\\n'
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(final)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to {tmp} for {final}")
        os.replace(tmp, final)
    except BaseException:
        _remove_with_side_files(tmp)
        raise
    # drivers may leave side files (e.g. an emptied journal) next to the temporary name
    _remove_with_side_files(tmp)
    log.debug("wrote %s", final)


def write_atomic(path: str | os.PathLike[str], writer_fn: Callable[[Path], T]) -> T:
    """Call ``writer_fn(tmp_path)`` and move its output to ``path`` on success.

    Parameters
    ----------
    path
        Final destination.
    writer_fn
        Called with a temporary path in the same folder; it must create that file.

    Returns
    -------
    Whatever ``writer_fn`` returns.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "n.txt"
    >>> write_atomic(out, lambda p: p.write_text("42"))
    2
    """
    with atomic_path(path) as tmp:
        result = writer_fn(tmp)
    return result


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return ``path``.

    Newlines are written as given (no platform translation).
    """
    with atomic_path(path) as tmp, open(tmp, "w", encoding=encoding, newline="") as fh:
        fh.write(text)
    return Path(path)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def replace_dir(new_dir: str | os.PathLike[str], final: str | os.PathLike[str]) -> Path:
    """Put the finished folder ``new_dir`` in the place of ``final``, with renames only.

    The previous ``final`` is moved aside first and restored if the rename fails, so a
    reader sees either the old folder or the new one, never a mix. Both must be on one
    file system (build ``new_dir`` beside ``final``).
    """
    new, dest = Path(new_dir), Path(final)
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}-old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(dest, old)
    try:
        os.replace(new, dest)
    except OSError:
        if old is not None:
            os.replace(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return dest
