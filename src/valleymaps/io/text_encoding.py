"""Byte-order marks: which text encoding a file declares, for every CSV reader.

Excel's "Unicode text" and many Windows tools save UTF-16 with a byte-order mark; read as UTF-8
it gives mojibake headers or "Expected 13 fields". Every CSV reader asks :func:`detect_encoding`
first, then reads UTF-16 as text (or refuses saying what the file is).

>>> detect_encoding("a,b\\n".encode("utf-16"))
'utf-16'
>>> detect_encoding(b"\\xef\\xbb\\xbfa,b"), detect_encoding(b"a,b")
('utf-8-sig', None)
>>> detect_encoding("a,b".encode("utf-16-le"))
'utf-16-le'
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import IO

from valleymaps.errors import DataSourceError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Largest UTF-16 file read into memory to be re-encoded as UTF-8 (bytes).
MAX_UTF16_BYTES = 512 * 1024 * 1024


def detect_encoding(head: bytes) -> str | None:
    """The encoding a file's first bytes declare (byte-order mark), or show (UTF-16 without one).

    ``None`` when nothing is declared: the reader's own default applies (UTF-8, then
    Windows-1252).
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    sample = head[:200]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
    return None


def detect_file_encoding(path: Path) -> str | None:
    """:func:`detect_encoding` of a file's first bytes (``None`` if it cannot be opened: the
    reader then gives its own message)."""
    try:
        with open(path, "rb") as fh:
            return detect_encoding(fh.read(4096))
    except OSError:
        return None


def is_wide_unicode(encoding: str | None) -> bool:
    """Whether ``encoding`` is UTF-16 or UTF-32 (text that a byte-wise UTF-8 reader cannot read)."""
    return encoding is not None and encoding.startswith(("utf-16", "utf-32"))


def decode_wide(path: Path, data: bytes, encoding: str) -> str:
    """``data`` (UTF-16/32) as text, or a clear error naming the encoding."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataSourceError(
            f"{path} looks like {encoding.upper()} text but does not decode as it ({exc.reason} at "
            f"byte {exc.start:,}). Save it again as CSV UTF-8."
        ) from exc


def utf8_stream(path: Path, fh: IO[bytes]) -> IO[bytes]:
    """``fh`` itself when it is not UTF-16/32, else its text re-encoded as UTF-8 (in memory).

    ``fh`` must be positioned at its start; the returned stream is too.
    """
    try:
        head = fh.read(4)  # a byte-order mark
    except (EOFError, OSError) as exc:  # a truncated download fails where the reader reads it
        return io.BufferedReader(_Prefixed(b"", fh, error=exc))
    encoding = detect_encoding(head) if len(head) == 4 else None
    if not is_wide_unicode(encoding):
        return io.BufferedReader(_Prefixed(head, fh))
    assert encoding is not None
    rest = fh.read(MAX_UTF16_BYTES + 1 - len(head))
    data = head + rest
    if len(data) > MAX_UTF16_BYTES:
        raise DataSourceError(
            f"{path} is {encoding.upper()} text larger than {MAX_UTF16_BYTES // 2**20:,} MB. "
            "Save it again as CSV UTF-8 (Excel: Save As > CSV UTF-8)."
        )
    return io.BytesIO(decode_wide(path, data, encoding).encode("utf-8"))


class _Prefixed(io.RawIOBase):
    """A binary stream giving ``head`` and then the rest of ``fh`` (or raising ``error``, the one
    reading its head raised)."""

    def __init__(self, head: bytes, fh: IO[bytes], *, error: BaseException | None = None):
        self._head = head
        self._fh = fh
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        if self._error is not None:
            raise self._error
        read = getattr(self._fh, "read1", self._fh.read)  # what is there, as the stream gives it
        data = read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n
