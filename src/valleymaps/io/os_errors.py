"""Turn the operating system's refusals into valleymaps errors that say what to do.

A full disk, a read-only folder or an unreadable input are the user's environment, not a bug:
they become one clear message (:class:`~valleymaps.errors.DiskFullError`,
:class:`~valleymaps.errors.ReadOnlyFolderError`, :class:`~valleymaps.errors.UnreadableFileError`),
each also an :class:`OSError` with the original ``errno``. Only these errno values are mapped;
any other :class:`OSError` propagates unchanged.

Examples
--------
>>> import errno
>>> err = write_error(OSError(errno.ENOSPC, "No space left on device"), "/data/out")
>>> type(err).__name__, err.errno
('DiskFullError', 28)
>>> str(err).startswith("no space left on /data/out")
True
>>> write_error(OSError(errno.ENOENT, "gone"), "/data/out") is None
True
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from valleymaps.errors import (
    DiskFullError,
    OutputWriteError,
    ReadOnlyFolderError,
    UnreadableFileError,
    ValleymapsError,
)

log = logging.getLogger(__name__)

#: errno values meaning "the file system has no room for this".
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: errno values meaning "this user may not write here".
NO_PERMISSION = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})

#: Words by which libraries that do not raise OSError (GDAL, SQLite) report a full disk.
_NO_SPACE_WORDS = ("no space left", "database or disk is full", "disk full", "disk is full")


def _where(exc: OSError, folder: Path) -> str:
    """`` (writing FILE)`` when the refused file is not ``folder`` itself."""
    if exc.filename and Path(str(exc.filename)) != folder:
        return f" (writing {exc.filename})"
    return ""


def write_error(exc: OSError, folder: str | os.PathLike[str]) -> OutputWriteError | None:
    """The valleymaps error for ``exc`` raised while writing into ``folder``, or ``None``.

    Parameters
    ----------
    exc
        What the operating system said.
    folder
        The output folder being written (named in the message).

    Returns
    -------
    DiskFullError, ReadOnlyFolderError or None
        ``None`` when ``exc`` is neither a full disk nor a permission refusal.
    """
    if isinstance(exc, ValleymapsError):
        return None
    folder = Path(folder)
    if exc.errno in NO_SPACE:
        err: OutputWriteError = DiskFullError(
            f"no space left on {folder}{_where(exc, folder)}: free space or choose another "
            "folder. Nothing was half-written: the previous outputs are left as they were."
        )
    elif exc.errno in NO_PERMISSION:
        what = "is on a read-only file system" if exc.errno == errno.EROFS else "is read-only for this user"
        err = ReadOnlyFolderError(
            f"cannot write to {folder}: it {what}{_where(exc, folder)}. Make it writable "
            f"(chmod u+w {folder}) or choose another folder. The previous outputs are left as they were."
        )
    else:
        return None
    err.errno = exc.errno
    return err


def is_no_space_message(text: str) -> bool:
    """True when a library's error text (GDAL, SQLite) says the disk is full."""
    lowered = text.lower()
    return any(words in lowered for words in _NO_SPACE_WORDS)


def disk_full_error(folder: str | os.PathLike[str], detail: str) -> DiskFullError:
    """A :class:`DiskFullError` for a library that reported a full disk in words only."""
    log.debug("%s: full disk reported as %s", folder, detail)
    err = DiskFullError(
        f"no space left on {folder}: free space or choose another folder. "
        "Nothing was half-written: the previous outputs are left as they were."
    )
    err.errno = errno.ENOSPC
    return err


#: Below this many free bytes, a write a library (GDAL, SQLite) reports as failed is a full disk.
LOW_SPACE_BYTES = 1 << 20


def _free_bytes(folder: Path) -> int | None:
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


#: Top-level packages whose errors may stand for a full disk or a refused folder.
_IO_LIBRARIES = frozenset({"pyogrio", "rasterio", "fiona", "osgeo", "sqlite3", "PIL", "matplotlib"})


def _from_io_library(exc: BaseException) -> bool:
    return isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in _IO_LIBRARIES


def _folder_refuses_writing(folder: Path) -> OSError | None:
    """The error creating a file in ``folder`` gives, if it refuses (None when it accepts)."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".valleymaps-probe-")
    except OSError as exc:
        return exc if exc.errno in NO_PERMISSION else None
    os.close(fd)
    os.unlink(name)
    return None


@contextmanager
def library_writing_into(folder: str | os.PathLike[str]) -> Iterator[None]:
    """Like :func:`writing_into`, for libraries that report a full disk with their own errors.

    GDAL (rasterio, pyogrio) and SQLite raise their own exception types on a full disk or a
    read-only folder, often with the reason only on stderr ("Write failed. See previous
    exception"). An error of theirs becomes a :class:`~valleymaps.errors.DiskFullError` when its
    text says so or the folder's file system has less than :data:`LOW_SPACE_BYTES` free, and a
    :class:`~valleymaps.errors.ReadOnlyFolderError` when the folder refuses a new file; every other
    error propagates unchanged.
    """
    root = Path(folder)
    try:
        yield
    except ValleymapsError:
        raise
    except Exception as exc:
        err = write_error(exc, root) if isinstance(exc, OSError) else None
        if err is not None:
            raise err from exc
        if not _from_io_library(exc):
            raise
        free = _free_bytes(root)
        if is_no_space_message(str(exc)) or (free is not None and free < LOW_SPACE_BYTES):
            raise disk_full_error(root, f"{type(exc).__name__}: {exc}") from exc
        refused = _folder_refuses_writing(root) if root.is_dir() else None
        if refused is not None:
            err = write_error(refused, root)
            if err is not None:
                raise err from exc
        raise


@contextmanager
def writing_into(folder: str | os.PathLike[str]) -> Iterator[None]:
    """Raise a full disk or a permission refusal in the block as a valleymaps error about ``folder``.

    Examples
    --------
    >>> import errno
    >>> try:
    ...     with writing_into("/srv/atlas"):
    ...         raise OSError(errno.EROFS, "Read-only file system")
    ... except ReadOnlyFolderError as exc:
    ...     print(str(exc)[:60])
    cannot write to /srv/atlas: it is on a read-only file system
    """
    try:
        yield
    except OSError as exc:
        err = write_error(exc, folder)
        if err is None:
            raise
        raise err from exc


def read_error(exc: OSError, path: str | os.PathLike[str]) -> UnreadableFileError | None:
    """The valleymaps error for ``exc`` raised while opening the input ``path``, or ``None``."""
    if isinstance(exc, ValleymapsError) or exc.errno not in NO_PERMISSION:
        return None
    err = UnreadableFileError(
        f"cannot read {path}: permission denied for this user. Make it readable (chmod u+r {path}) "
        "or copy it somewhere you may read it."
    )
    err.errno = exc.errno
    return err


def ensure_readable(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse input files this user may not read, before anything is imported.

    Files that do not exist are left to the readers (they name the missing file their own way).

    Raises
    ------
    UnreadableFileError
        For the first file whose opening is refused.
    """
    for path in paths:
        p = Path(path)
        if not p.is_file():
            continue
        try:
            with open(p, "rb") as fh:
                fh.read(1)
        except OSError as exc:
            err = read_error(exc, p)
            if err is None:
                raise
            raise err from exc


__all__ = [
    "NO_PERMISSION",
    "NO_SPACE",
    "disk_full_error",
    "ensure_readable",
    "is_no_space_message",
    "library_writing_into",
    "read_error",
    "write_error",
    "writing_into",
]
