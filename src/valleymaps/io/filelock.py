"""An exclusive lock between processes, held on a ``.lock`` file beside what it protects.

The lock is an advisory ``flock`` (``msvcrt.locking`` on Windows) on an open lock file: the
operating system releases it when the process ends, however it ends, so a crashed run never
leaves a stale lock behind (a ``.lock`` file left by a crash is simply locked again). The holder
writes its process id into the file, so that a process kept waiting can say who it waits for,
and removes the file when it is done.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "table1.xlsx"
>>> with exclusive_lock(lock_path(target)) as lock:
...     lock.name, lock.read_text() == str(os.getpid())
('table1.xlsx.lock', True)
>>> lock.exists()
False
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from valleymaps.io.os_errors import writing_into

#: Suffix of lock files.
LOCK_SUFFIX = ".lock"

#: Seconds between attempts while another process holds the lock.
POLL_SECONDS = 0.1


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file of ``path``: ``<path>.lock`` in the same folder."""
    p = Path(path)
    return p.with_name(p.name + LOCK_SUFFIX)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fh: IO[bytes]) -> bool:
        fh.seek(0)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fh: IO[bytes]) -> bool:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _holder(fh: IO[bytes]) -> int | None:
    """The process id the holder wrote into the lock file, if it did."""
    with contextlib.suppress(OSError, ValueError):
        fh.seek(0)
        text = fh.read(32).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    return None


def _same_file(fh: IO[bytes], path: Path) -> bool:
    """True when ``path`` still names the file ``fh`` has open (not removed or replaced)."""
    try:
        return os.path.samestat(os.fstat(fh.fileno()), os.stat(path))
    except OSError:
        return False


@contextlib.contextmanager
def exclusive_lock(
    path: str | os.PathLike[str],
    *,
    on_wait: Callable[[int | None], None] | None = None,
    poll: float = POLL_SECONDS,
) -> Iterator[Path]:
    """Hold an exclusive lock on ``path`` (created if needed) for the ``with`` block.

    The lock file is removed when the lock is released (except on Windows): a process that was
    waiting on the removed file sees it is gone and locks the new one instead.

    Parameters
    ----------
    path
        The lock file (see :func:`lock_path`).
    on_wait
        Called once, with the holder's process id (or ``None``), when another process holds
        the lock and this one has to wait for it.
    poll
        Seconds between attempts while waiting.

    Yields
    ------
    pathlib.Path
        The lock file.
    """
    p = Path(path)
    with writing_into(p.parent):  # a read-only folder: one clear error, not a traceback
        p.parent.mkdir(parents=True, exist_ok=True)
    waited = False
    while True:
        with writing_into(p.parent):
            fh = os.fdopen(os.open(p, os.O_RDWR | os.O_CREAT, 0o666), "r+b", buffering=0)
        try:
            while not _try_lock(fh):
                if not waited and on_wait is not None:
                    on_wait(_holder(fh))
                waited = True
                time.sleep(poll)
            if _same_file(fh, p):
                break
            _unlock(fh)  # the holder removed it while this process waited: lock the new one
        except BaseException:
            fh.close()
            raise
        fh.close()
    try:
        with contextlib.suppress(OSError):
            fh.truncate(0)
            fh.write(str(os.getpid()).encode("ascii"))
        yield p
    finally:
        try:
            if sys.platform != "win32":
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()  # while still holding the lock, see above
            _unlock(fh)
        finally:
            fh.close()
