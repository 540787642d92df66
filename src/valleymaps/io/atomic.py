"""Write files atomically: a reader never sees a half-written output.

Every writer goes to a temporary name in the destination folder and is moved
into place with :func:`os.replace` only once it has finished. On failure the
temporary file (and any side files a driver made next to it, such as a
GeoPackage's ``-journal``) is removed and the previous output, if any, is left
untouched. Inputs are never opened for writing.

Temporary names carry the id of the process that made them
(``.projects.tmp-<pid>-<hex>.gpkg``, ``.maps-build-<pid>-<random>``): a process killed
with ``kill -9`` cannot tidy up, so the next writer into the same folder removes the
temporaries whose process is gone (:func:`remove_stale_temporaries`). A full disk or a
read-only folder becomes :class:`~valleymaps.errors.DiskFullError` or
:class:`~valleymaps.errors.ReadOnlyFolderError` (see :mod:`valleymaps.io.os_errors`).

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
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from valleymaps.io.os_errors import library_writing_into, writing_into

log = logging.getLogger(__name__)

T = TypeVar("T")

_TMP_MARKER = ".tmp-"

#: Every temporary name valleymaps makes: ``.<base>.tmp-<pid>-...`` (files),
#: ``.<base>-build-<pid>-...`` / ``.<base>-atlas-<pid>-...`` (work folders) and
#: ``.<base>-old-<pid>`` (a folder moved aside by :func:`replace_dir`).
_TEMPORARY = re.compile(r"^\.(?P<base>.+?)(?P<kind>\.tmp-|-build-|-atlas-|-old-)(?P<pid>\d+)(?:-|$)")


def is_process_alive(pid: int) -> bool:
    """True unless process ``pid`` is known to be gone (no such process, or a zombie).

    Examples
    --------
    >>> is_process_alive(os.getpid())
    True
    """
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process
        return True
    except (OverflowError, ValueError):
        return False
    try:  # a killed child its parent has not reaped yet is dead too
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] not in (["Z"], ["X"])


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove temporaries in ``folder`` left by killed processes; return what was removed.

    Only names made by valleymaps (see ``_TEMPORARY``) whose owner process is gone are
    touched. A folder that :func:`replace_dir` had moved aside when its process was killed is
    moved back if nothing took its place, else removed.
    """
    root = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None:
            continue
        if (match["kind"] == ".tmp-") == entry.is_dir(follow_symlinks=False):
            continue  # temporary files are .tmp-, temporary folders the others: anything else is not ours
        if is_process_alive(int(match["pid"])):
            continue
        path = Path(entry.path)
        try:
            if match["kind"] == "-old-" and entry.is_dir() and not (root / match["base"]).exists():
                os.replace(path, root / match["base"])
                log.warning("restored %s, moved aside by process %s that was killed", root / match["base"],
                            match["pid"])
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.debug("could not remove stale temporary %s: %s", path, exc)
            continue
        removed.append(path)
    if removed:
        log.info("removed %d temporaries left by killed processes in %s", len(removed), root)
    return removed


def _temporary_sibling(path: Path) -> Path:
    """A unique, not yet existing name next to ``path`` that keeps its suffix.

    The suffix is kept so that drivers which infer the format from the name
    (``.gpkg``, ``.geojson``) still do.
    """
    suffix = "".join(path.suffixes) if path.suffixes else ""
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    while True:
        candidate = path.with_name(f".{stem}{_TMP_MARKER}{os.getpid()}-{secrets.token_hex(4)}{suffix}")
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
    with writing_into(final.parent):
        final.parent.mkdir(parents=True, exist_ok=True)
    # GDAL and SQLite drivers write here too: their full-disk and permission errors are mapped
    with library_writing_into(final.parent):
        remove_stale_temporaries(final.parent)
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
    with writing_into(dest.parent):
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


@contextmanager
def work_dir(parent: str | os.PathLike[str], *, prefix: str, mode: int = 0o755) -> Iterator[Path]:
    """Yield a new folder in ``parent`` to build outputs in; it is removed when the block ends.

    Its name is ``<prefix><pid>-<random>``, so that a later run can tell it is stale once this
    process is gone; stale temporaries in ``parent`` are removed first. Move what should stay out
    of it (:func:`replace_dir`) before the block ends. A full disk or a read-only ``parent`` in the
    block raises :class:`~valleymaps.errors.DiskFullError` / :class:`~valleymaps.errors.ReadOnlyFolderError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with work_dir(root, prefix=".maps-build-") as work:
    ...     _ = (work / "index.html").write_text("<html></html>")
    ...     _ = replace_dir(work, root / "maps")
    >>> sorted(p.name for p in root.iterdir())
    ['maps']
    """
    root = Path(parent)
    with writing_into(root):
        root.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(root)
        work = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=root))
        os.chmod(work, mode)  # mkdtemp makes it private; outputs are for sharing
    try:
        with library_writing_into(root):
            yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)
