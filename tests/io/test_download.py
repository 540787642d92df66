"""The download cache against a local server: resume, retries, checksums, offline."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fetch_server import PROXY_VARIABLES, FileServer, free_port
from valleymaps.errors import DataSourceError
from valleymaps.io.download import (
    MANIFEST_NAME,
    DownloadCache,
    DownloadError,
    DownloadProgress,
    OfflineError,
    RemoteNotFoundError,
    RetryPolicy,
    check_archive,
    default_cache_dir,
    resolve_cache_dir,
)


def _noise(n: int) -> bytes:
    """``n`` deterministic bytes that do not compress."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:n])


def _zip(n: int = 60_000) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("data.bin", (2022, 1, 1, 0, 0, 0)), _noise(n))
    return buffer.getvalue()


ZIP_PATH = "/files/data.zip"
GZ_PATH = "/files/table.csv.gz"
ZIP = _zip()
GZ = gzip.compress(b"w_geocode,C000\n" + b"060190001001000,5\n" * 5000, mtime=0)


class SleepRecorder:
    """A ``sleep`` that records the delays asked for and does not wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FileServer]:
    with FileServer({ZIP_PATH: ZIP, GZ_PATH: GZ}, stall_seconds=0.5) as srv:
        yield srv


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def cache(tmp_path: Path, sleeps: SleepRecorder) -> DownloadCache:
    return DownloadCache(tmp_path / "cache",
                         policy=RetryPolicy(retries=3, backoff=1.0, timeout=5, sleep=sleeps))


def _fetch(cache: DownloadCache, server: FileServer, path: str = ZIP_PATH, **kwargs: object):
    return cache.fetch(server.url_for(path), "src" + path, **kwargs)  # type: ignore[arg-type]


def test_download_records_size_and_checksum(cache: DownloadCache, server: FileServer) -> None:
    result = _fetch(cache, server)

    assert result.path.read_bytes() == ZIP
    assert (result.from_cache, result.size, result.downloaded, result.attempts) == (
        False, len(ZIP), len(ZIP), 1)
    manifest = json.loads((cache.root / MANIFEST_NAME).read_text())
    entry = manifest["files"]["src/files/data.zip"]
    assert entry["size"] == len(ZIP)
    assert entry["sha256"] == hashlib.sha256(ZIP).hexdigest()
    assert entry["url"] == server.url_for(ZIP_PATH)
    assert not list(result.path.parent.glob("*.part*"))


def test_second_fetch_downloads_nothing(cache: DownloadCache, server: FileServer) -> None:
    first = _fetch(cache, server)
    second = _fetch(cache, server)
    third = DownloadCache(cache.root).fetch(server.url_for(ZIP_PATH), "src" + ZIP_PATH)

    assert len(server.hits_for(ZIP_PATH)) == 1
    assert (second.from_cache, third.from_cache) == (True, True)
    assert second.path == first.path and second.sha256 == first.sha256


def test_cut_response_is_resumed_with_a_range_request(
    cache: DownloadCache, server: FileServer, sleeps: SleepRecorder
) -> None:
    server.fail(ZIP_PATH, "cut")
    progress: list[DownloadProgress] = []

    result = _fetch(cache, server, on_progress=progress.append)

    hits = server.hits_for(ZIP_PATH)
    half = len(ZIP) // 2
    assert [(h.status, h.range) for h in hits] == [(200, None), (206, f"bytes={half}-")]
    assert result.path.read_bytes() == ZIP
    assert (result.resumed_from, result.downloaded, result.attempts) == (half, len(ZIP), 2)
    assert sleeps.delays == [1.0]
    assert progress[-1].done == progress[-1].total == len(ZIP)
    assert all(b.done >= a.done for a, b in itertools.pairwise(progress))


def test_interrupted_run_is_resumed_by_the_next_run(tmp_path: Path, server: FileServer) -> None:
    once = DownloadCache(tmp_path / "c", policy=RetryPolicy(retries=0, timeout=5,
                                                            sleep=SleepRecorder()))
    server.fail(ZIP_PATH, "cut")
    with pytest.raises(DownloadError, match="bytes received are kept") as info:
        once.fetch(server.url_for(ZIP_PATH), "k/data.zip")
    assert "1 attempt" in str(info.value)
    part = once.path_for("k/data.zip").with_name("data.zip.part")
    assert part.stat().st_size == len(ZIP) // 2

    result = DownloadCache(tmp_path / "c").fetch(server.url_for(ZIP_PATH), "k/data.zip")

    assert server.hits_for(ZIP_PATH)[-1].range == f"bytes={len(ZIP) // 2}-"
    assert result.path.read_bytes() == ZIP
    assert result.downloaded == len(ZIP) - len(ZIP) // 2
    assert not part.exists()


@pytest.mark.parametrize("fault", ["500", "503", "reset"])
def test_transient_error_then_success(
    cache: DownloadCache, server: FileServer, sleeps: SleepRecorder, fault: str
) -> None:
    server.fail(ZIP_PATH, fault)

    result = _fetch(cache, server)

    assert result.path.read_bytes() == ZIP
    assert len(server.hits_for(ZIP_PATH)) == 2
    assert sleeps.delays == [1.0]


def test_back_off_doubles_and_retries_are_bounded(
    cache: DownloadCache, server: FileServer, sleeps: SleepRecorder
) -> None:
    server.fail(ZIP_PATH, *["500"] * 10)

    with pytest.raises(DownloadError, match=r"\(4 attempts\): the server answered 500") as info:
        _fetch(cache, server)

    assert len(server.hits_for(ZIP_PATH)) == 4
    assert sleeps.delays == [1.0, 2.0, 4.0]
    assert info.value.status == 500
    assert isinstance(info.value, DataSourceError) and isinstance(info.value, OSError)
    assert not cache.path_for("src" + ZIP_PATH).exists()


def test_back_off_is_capped() -> None:
    policy = RetryPolicy(backoff=1.0, max_delay=5.0)
    assert [policy.delay(i) for i in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_timeout_is_retried(tmp_path: Path, server: FileServer) -> None:
    sleeps = SleepRecorder()
    cache = DownloadCache(tmp_path, policy=RetryPolicy(retries=2, backoff=0, timeout=0.2,
                                                       sleep=sleeps))
    server.fail(ZIP_PATH, "stall")

    result = cache.fetch(server.url_for(ZIP_PATH), "t/data.zip")

    assert result.path.read_bytes() == ZIP
    assert len(server.hits_for(ZIP_PATH)) == 2


def test_not_found_is_not_retried(cache: DownloadCache, server: FileServer,
                                  sleeps: SleepRecorder) -> None:
    with pytest.raises(RemoteNotFoundError, match="does not exist") as info:
        cache.fetch(server.url_for("/files/2099.zip"), "src/files/2099.zip")
    assert info.value.status == 404
    assert len(server.hits_for("/files/2099.zip")) == 1
    assert sleeps.delays == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage-same-size"])
def test_corrupted_cached_file_is_downloaded_again(
    cache: DownloadCache, server: FileServer, damage: str
) -> None:
    path = _fetch(cache, server).path
    if damage == "flip":
        data = bytearray(ZIP)
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    elif damage == "truncate":
        path.write_bytes(ZIP[:1000])
    else:
        path.write_bytes(b"\0" * len(ZIP))
    assert cache.verify("src" + ZIP_PATH) is not None

    result = _fetch(cache, server)

    assert result.from_cache is False
    assert result.path.read_bytes() == ZIP
    assert len(server.hits_for(ZIP_PATH)) == 2
    assert cache.verify("src" + ZIP_PATH) is None


@pytest.mark.parametrize("path", [ZIP_PATH, GZ_PATH])
def test_damaged_download_is_detected_and_fetched_again(
    cache: DownloadCache, server: FileServer, path: str
) -> None:
    server.fail(path, "corrupt")

    result = _fetch(cache, server, path)

    assert result.path.read_bytes() == server.files[path]
    assert [h.fault for h in server.hits_for(path)] == ["corrupt", None]


def test_always_damaged_file_fails_and_leaves_nothing(cache: DownloadCache,
                                                      server: FileServer) -> None:
    server.fail(GZ_PATH, *["corrupt"] * 4)

    with pytest.raises(DownloadError, match="damaged"):
        _fetch(cache, server, GZ_PATH)

    folder = cache.path_for("src" + GZ_PATH).parent
    assert list(folder.iterdir()) == []
    assert cache.entry("src" + GZ_PATH) is None


def test_html_page_instead_of_archive_is_refused(cache: DownloadCache,
                                                 server: FileServer) -> None:
    server.files["/files/portal.zip"] = b"<!DOCTYPE html><html><body>Sign in</body></html>"

    with pytest.raises(DownloadError, match="HTML page"):
        cache.fetch(server.url_for("/files/portal.zip"), "src/files/portal.zip")


def test_refresh_downloads_again_and_keeps_the_old_file_on_failure(
    cache: DownloadCache, server: FileServer
) -> None:
    _fetch(cache, server)
    refreshed = _fetch(cache, server, refresh=True)
    assert refreshed.from_cache is False
    assert len(server.hits_for(ZIP_PATH)) == 2

    server.fail(ZIP_PATH, "404")
    with pytest.raises(RemoteNotFoundError):
        _fetch(cache, server, refresh=True)
    assert cache.path_for("src" + ZIP_PATH).read_bytes() == ZIP
    assert cache.verify("src" + ZIP_PATH) is None


def _leave_part(cache: DownloadCache, server: FileServer, data: bytes, etag: str | None) -> Path:
    dest = cache.path_for("src" + ZIP_PATH)
    dest.parent.mkdir(parents=True)
    dest.with_name(dest.name + ".part").write_bytes(data)
    dest.with_name(dest.name + ".part.json").write_text(
        json.dumps({"url": server.url_for(ZIP_PATH), "etag": etag, "last_modified": None}))
    return dest


def test_partial_file_of_another_version_is_not_resumed(
    cache: DownloadCache, server: FileServer
) -> None:
    _leave_part(cache, server, b"x" * 5000, '"an-older-version"')

    result = _fetch(cache, server)

    hit = server.hits_for(ZIP_PATH)[0]
    assert (hit.range, hit.status) == ("bytes=5000-", 200)  # If-Range did not match
    assert result.path.read_bytes() == ZIP and result.resumed_from == 0


def test_server_ignoring_the_range_restarts_from_zero(
    cache: DownloadCache, server: FileServer
) -> None:
    _leave_part(cache, server, ZIP[:5000], None)
    server.fail(ZIP_PATH, "ignore-range")

    result = _fetch(cache, server)

    assert result.path.read_bytes() == ZIP
    assert len(server.hits_for(ZIP_PATH)) == 1


def test_unsatisfiable_range_starts_over(cache: DownloadCache, server: FileServer) -> None:
    _leave_part(cache, server, ZIP + b"extra", None)

    result = _fetch(cache, server)

    assert [h.status for h in server.hits_for(ZIP_PATH)] == [416, 200]
    assert result.path.read_bytes() == ZIP


def test_file_placed_in_the_cache_by_hand_is_adopted(cache: DownloadCache,
                                                     server: FileServer) -> None:
    dest = cache.path_for("src" + ZIP_PATH)
    dest.parent.mkdir(parents=True)
    dest.write_bytes(ZIP)

    result = _fetch(cache, server)

    assert result.from_cache and server.hits_for() == []
    entry = cache.entry("src" + ZIP_PATH)
    assert entry is not None and entry["sha256"] == hashlib.sha256(ZIP).hexdigest()


def test_damaged_file_placed_by_hand_is_replaced(cache: DownloadCache, server: FileServer) -> None:
    dest = cache.path_for("src" + ZIP_PATH)
    dest.parent.mkdir(parents=True)
    dest.write_bytes(ZIP[:-100])

    result = _fetch(cache, server)

    assert not result.from_cache and result.path.read_bytes() == ZIP


def test_connection_refused_is_offline_error_with_the_fix(cache: DownloadCache) -> None:
    url = f"http://127.0.0.1:{free_port()}/geo/tiger/x.zip"

    with pytest.raises(OfflineError) as info:
        cache.fetch(url, "tiger/x.zip", hint="To use a mirror, set VALLEYMAPS_TIGER_URL.")

    message = str(info.value)
    assert url in message and "connection was refused" in message
    assert "VALLEYMAPS_TIGER_URL" in message and str(cache.path_for("tiger/x.zip")) in message
    assert isinstance(info.value, DataSourceError)


def test_name_resolution_failure_is_offline_error(
    cache: DownloadCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)

    with pytest.raises(OfflineError, match="could not be resolved"):
        cache.fetch("https://www2.census.gov/geo/tiger/x.zip", "tiger/x.zip")


def test_check_archive_accepts_good_and_names_bad(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz"
    good.write_bytes(GZ)
    bad.write_bytes(GZ[: len(GZ) // 2])
    assert check_archive(good) is None
    assert "damaged" in str(check_archive(bad))
    assert check_archive(tmp_path / "a.csv.gz", name="whatever.txt") is None


def test_cache_folder_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VALLEYMAPS_CACHE_DIR", str(tmp_path / "env"))
    assert resolve_cache_dir() == tmp_path / "env"
    assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("VALLEYMAPS_CACHE_DIR")
    assert resolve_cache_dir() == default_cache_dir()
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert default_cache_dir() == tmp_path / "xdg" / "valleymaps"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
        assert default_cache_dir() == Path.home() / ".cache" / "valleymaps"


@pytest.mark.parametrize("key", ["../escape.zip", "/abs.zip", "", "a/../../b", MANIFEST_NAME])
def test_cache_keys_stay_inside_the_cache(cache: DownloadCache, key: str) -> None:
    with pytest.raises(ValueError, match="cache key"):
        cache.path_for(key)
