"""An exclusive lock on a file, held across processes (``fcntl.flock``).

Two ``valleymaps import projects`` run at the same time on one workspace would each
read the GeoPackage, merge their rows and write it back: the second write would drop
the first import's projects. :func:`exclusive_lock` makes the second wait until the
first is done. The lock lives in a file of its own beside the data (``projects.gpkg.lock``),
which is never deleted: the data file itself is replaced by every import, and a lock
on a file that is renamed away protects nothing. The kernel releases the lock when its
holder exits, even if it crashes, so a stale lock file blocks nobody.

POSIX only (Linux, macOS), like the rest of the tool's file handling.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


def lock_path_for(path: str | os.PathLike[str]) -> Path:
    """The lock file of ``path``: ``<name>.lock`` beside it.

    >>> lock_path_for("/ws/data/geo/projects.gpkg").as_posix()
    '/ws/data/geo/projects.gpkg.lock'
    """
    p = Path(path)
    return p.with_name(p.name + ".lock")


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {text})" if text.isdigit() else ""


@contextmanager
def exclusive_lock(path: str | os.PathLike[str], *, waiting: str) -> Iterator[Path]:
    """Hold the lock of ``path`` (see :func:`lock_path_for`) for the ``with`` block.

    When another process holds it, log ``waiting`` (a warning, with the lock file and
    the holder's process id) and wait for it.

    Parameters
    ----------
    path
        The file the lock protects.
    waiting
        What the caller waits for, for the message ("another import into projects.gpkg").

    Yields
    ------
    pathlib.Path
        The lock file.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "projects.gpkg"
    >>> with exclusive_lock(target, waiting="another import") as lock:
    ...     lock.name
    'projects.gpkg.lock'
    """
    lock = lock_path_for(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            log.warning("waiting for %s to finish%s; lock file %s", waiting, _holder(fd), lock)
            fcntl.flock(fd, fcntl.LOCK_EX)
            log.info("lock %s acquired, going on", lock)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield lock
    finally:
        os.close(fd)  # closing the descriptor releases the lock
