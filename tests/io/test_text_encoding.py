"""Byte-order marks: every CSV reader gets UTF-8 bytes whatever the file's Unicode encoding."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from valleymaps.errors import DataSourceError
from valleymaps.io.text_encoding import decode_wide, detect_encoding, utf8_stream

TEXT = "geoid,name\n06019,Fresno — Café\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (TEXT.encode("utf-8"), None),
        (TEXT.encode("cp1252", errors="replace"), None),
        (b"", None),
    ],
    ids=["utf16-bom", "utf16be-no-bom", "utf16le-no-bom", "utf32", "utf8-bom", "utf8", "cp1252", "empty"],
)
def test_the_encoding_is_told_by_the_first_bytes(data: bytes, expected: str | None) -> None:
    assert detect_encoding(data) == expected


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8", "utf-8-sig"])
def test_the_stream_gives_utf8(tmp_path: Path, encoding: str) -> None:
    data = TEXT.encode(encoding)
    out = utf8_stream(tmp_path / "x.csv", io.BytesIO(data)).read()
    assert out.decode("utf-8-sig") == TEXT


def test_a_truncated_gzip_fails_where_the_reader_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(TEXT.encode())[:-12])
    with gzip.open(path, "rb") as fh:
        stream = utf8_stream(path, fh)  # opening does not fail
        with pytest.raises(EOFError):
            stream.read()


def test_utf16_that_does_not_decode_says_what_it_looks_like(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="looks like UTF-16"):
        decode_wide(tmp_path / "x.csv", b"\xff\xfe\x00\xd8a", "utf-16")
