"""Download files into a local cache: resumable, verified, never fetched twice.

:class:`DownloadCache` keeps each file under ``<cache>/<key>`` (the key mirrors
the source's folders, e.g. ``tiger/TIGER2021/TRACT/tl_2021_06_tract.zip``) and
records its size and SHA-256 in ``<cache>/manifest.json`` the first time it is
downloaded. Later calls check the file against that record and use it without
touching the network; a file that no longer matches (truncated, edited,
damaged disk) is downloaded again.

A download goes to ``<name>.part`` beside the final name and is renamed only
once complete, so an interrupted download never looks like a finished one. An
interrupted download is resumed where it stopped (an HTTP ``Range`` request,
with ``If-Range`` so that a file changed on the server is fetched whole).
Before it is accepted, a file is checked: it must have the size the server
announced, and a ``.zip``/``.xlsx`` or ``.gz`` file must pass its own CRC
checks (this also catches an HTML error page served in place of the file).

Transient failures (HTTP 5xx, 408, 429, connection reset, time-outs, a
response cut short, a damaged file) are retried a bounded number of times
with exponential back-off (:class:`RetryPolicy`). A machine that cannot reach
the host at all (connection refused, name not resolved, network unreachable)
gets an :class:`OfflineError` at once, saying how to use a mirror.

Only the standard library is used (:mod:`urllib.request`), so proxies set
with ``https_proxy``/``http_proxy``/``no_proxy`` apply.

The cache folder is, in order: the ``cache_dir`` argument (``--cache-dir``),
the environment variable ``VALLEYMAPS_CACHE_DIR``, or the platform's cache
folder (``$XDG_CACHE_HOME/valleymaps`` or ``~/.cache/valleymaps`` on Linux,
``~/Library/Caches/valleymaps`` on macOS, ``%LOCALAPPDATA%\\valleymaps\\Cache``
on Windows).

Several runs may share a cache: each file is fetched under an exclusive lock
(``<name>.lock`` beside it, see :mod:`valleymaps.io.filelock`), so a second run
asking for a file that a first one is downloading waits for it (saying so)
and then uses the cached copy; the manifest is updated under its own lock.

Examples
--------
>>> import tempfile
>>> cache = DownloadCache(tempfile.mkdtemp())
>>> cache.path_for("cbp/2021/cbp21co.zip").relative_to(cache.root).as_posix()
'cbp/2021/cbp21co.zip'
>>> RetryPolicy(backoff=0.5).delay(3)
4.0
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import http.client
import json
import logging
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from valleymaps._version import __version__
from valleymaps.errors import DownloadError, OfflineError, RemoteNotFoundError
from valleymaps.io.atomic import write_text_atomic
from valleymaps.io.filelock import exclusive_lock, lock_path

log = logging.getLogger(__name__)

#: Environment variable naming the cache folder.
CACHE_ENV = "VALLEYMAPS_CACHE_DIR"

#: File recording the size and SHA-256 of every cached file, at the cache root.
MANIFEST_NAME = "manifest.json"

#: Suffix of incomplete downloads, and of their resume information.
PART_SUFFIX = ".part"
PART_INFO_SUFFIX = ".part.json"

#: Defaults of :class:`RetryPolicy`.
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
DEFAULT_TIMEOUT_S = 60.0

#: Bytes read per network read.
CHUNK_SIZE = 256 * 1024

#: HTTP statuses worth retrying.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

USER_AGENT = f"valleymaps/{__version__} (Python urllib; San Joaquin Valley cluster atlas)"

_OFFLINE_ERRNOS = frozenset(
    code
    for code in (
        getattr(errno, "ENETUNREACH", None),
        getattr(errno, "EHOSTUNREACH", None),
        getattr(errno, "ENETDOWN", None),
        getattr(errno, "EHOSTDOWN", None),
        getattr(errno, "EADDRNOTAVAIL", None),
    )
    if code is not None
)


def default_cache_dir() -> Path:
    """The platform's per-user cache folder for valleymaps (no extra dependency).

    ``$XDG_CACHE_HOME/valleymaps`` (absolute paths only, per the XDG spec) or
    ``~/.cache/valleymaps`` on Linux and other Unixes,
    ``~/Library/Caches/valleymaps`` on macOS and
    ``%LOCALAPPDATA%\\valleymaps\\Cache`` on Windows.
    """
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
        return base / "valleymaps" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "valleymaps"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "valleymaps"


def resolve_cache_dir(
    cache_dir: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> Path:
    """The cache folder: ``cache_dir``, else ``$VALLEYMAPS_CACHE_DIR``, else :func:`default_cache_dir`.

    Examples
    --------
    >>> resolve_cache_dir(environ={"VALLEYMAPS_CACHE_DIR": "/data/vm-cache"}).as_posix()
    '/data/vm-cache'
    """
    if cache_dir is not None and str(cache_dir).strip():
        return Path(cache_dir).expanduser()
    env = os.environ if environ is None else environ
    from_env = env.get(CACHE_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return default_cache_dir()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry transient failures.

    Attributes
    ----------
    retries
        Attempts after the first one (so at most ``retries + 1`` requests per file).
    backoff
        Delay before the first retry, in seconds; doubled each time.
    max_delay
        Longest delay between attempts (also caps a server's ``Retry-After``).
    timeout
        Seconds to wait for a connection or for data before giving up on an attempt.
    sleep
        Function that waits (injectable so tests do not wait).
    """

    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF_S
    max_delay: float = MAX_BACKOFF_S
    timeout: float = DEFAULT_TIMEOUT_S
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        if self.retries < 0 or self.backoff < 0 or self.max_delay < 0 or self.timeout <= 0:
            raise ValueError(
                f"RetryPolicy needs retries, backoff, max_delay >= 0 and timeout > 0 (got {self})"
            )

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based)."""
        return float(min(self.max_delay, self.backoff * (2**attempt)))


@dataclass(frozen=True)
class DownloadProgress:
    """Bytes of one file received so far (``total`` is ``None`` when the server does not say)."""

    url: str
    name: str
    done: int
    total: int | None


ProgressCallback = Callable[[DownloadProgress], None]


@dataclass(frozen=True)
class Download:
    """A file in the cache and how it got there.

    Attributes
    ----------
    url
        Where it was (or would have been) downloaded from.
    path
        The cached file.
    size
        Its size in bytes.
    sha256
        Its SHA-256, as recorded in the manifest.
    from_cache
        True when the cached file was valid and nothing was downloaded.
    downloaded
        Bytes received from the network by this call (attempts that failed included).
    resumed_from
        Bytes already on disk, from an interrupted attempt or an earlier run,
        when the successful attempt resumed (0: downloaded from the start).
    attempts
        Requests made (0 when served from the cache).
    """

    url: str
    path: Path
    size: int
    sha256: str
    from_cache: bool
    downloaded: int = 0
    resumed_from: int = 0
    attempts: int = 0


class _TransientError(Exception):
    """An attempt failed in a way worth retrying."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclass
class _AttemptResult:
    total: int
    resumed_from: int
    etag: str | None
    last_modified: str | None


def sha256_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, hex-encoded."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_archive(path: str | os.PathLike[str], *, name: str | None = None) -> str | None:
    """What is wrong with a ``.zip``/``.xlsx`` or ``.gz`` file, or ``None`` if its CRCs check out.

    Other kinds of file are not checked (``None``). ``name`` (default: the
    file's name) decides the kind, so a ``.part`` file can be checked as what
    it will become.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.zip"
    >>> _ = p.write_bytes(b"<!DOCTYPE html><p>Service unavailable</p>")
    >>> check_archive(p)
    'not a zip archive (it starts with an HTML page: a proxy or error page answered instead)'
    """
    p = Path(path)
    kind = (name or p.name).lower()
    try:
        if kind.endswith((".zip", ".xlsx")):
            if not zipfile.is_zipfile(p):
                return f"not a zip archive{_html_note(p)}"
            with zipfile.ZipFile(p) as archive:
                bad = archive.testzip()
            if bad is not None:
                return f"zip member {bad!r} fails its CRC check"
        elif kind.endswith(".gz"):
            with gzip.open(p, "rb") as fh:
                while fh.read(1 << 20):
                    pass
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        return f"damaged ({type(exc).__name__}: {exc}){_html_note(p)}"
    return None


def _html_note(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(256).lstrip().lower()
    except OSError:
        return ""
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head")):
        return " (it starts with an HTML page: a proxy or error page answered instead)"
    return ""


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None  # an HTTP date: fall back on our own back-off


def _parse_content_range(value: str | None) -> tuple[int, int | None] | None:
    """``bytes 100-199/1000`` -> (100, 1000); ``None`` if unparsable."""
    if not value or not value.strip().lower().startswith("bytes "):
        return None
    spec = value.strip()[6:]
    try:
        span, _, total_text = spec.partition("/")
        start_text, _, _ = span.partition("-")
        total = None if total_text.strip() == "*" else int(total_text)
        return int(start_text), total
    except ValueError:
        return None


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _reason_text(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "the host name could not be resolved"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(reason, OSError) and reason.errno in _OFFLINE_ERRNOS:
        return f"the network is unreachable ({reason.strerror})"
    return str(reason)


def _is_offline(reason: object) -> bool:
    if isinstance(reason, (socket.gaierror, ConnectionRefusedError)):
        return True
    return isinstance(reason, OSError) and reason.errno in _OFFLINE_ERRNOS


class DownloadCache:
    """A folder of downloaded files with a manifest of their sizes and checksums.

    Parameters
    ----------
    root
        Cache folder; see :func:`resolve_cache_dir` for the default.
    policy
        Retries, back-off and time-outs.

    Examples
    --------
    >>> import tempfile
    >>> cache = DownloadCache(tempfile.mkdtemp(), policy=RetryPolicy(retries=2, backoff=0))
    >>> cache.entry("tiger/TIGER2021/TRACT/tl_2021_06_tract.zip") is None
    True
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        *,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.root = resolve_cache_dir(root).resolve()
        self.policy = policy or RetryPolicy()
        self._opener = urllib.request.build_opener()
        self._opener.addheaders = [("User-Agent", USER_AGENT)]

    def __repr__(self) -> str:
        return f"DownloadCache({str(self.root)!r})"

    # --- layout ---------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    def path_for(self, key: str) -> Path:
        """Where the file of ``key`` (a relative, ``/``-separated path) is kept.

        Raises
        ------
        ValueError
            If ``key`` is absolute or climbs out of the cache (``..``).
        """
        pure = PurePosixPath(key)
        if not key or pure.is_absolute() or ".." in pure.parts or "\\" in key or ":" in key:
            raise ValueError(f"cache key {key!r} must be a relative path inside the cache")
        if key == MANIFEST_NAME:
            raise ValueError(f"cache key {key!r} is reserved")
        return self.root.joinpath(*pure.parts)

    # --- manifest -------------------------------------------------------------------------
    def _read_manifest(self) -> dict[str, dict[str, Any]]:
        try:
            raw = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable cache manifest %s (%s); cached files will be "
                        "checked again", self.manifest_path, exc)
            return {}
        files = raw.get("files") if isinstance(raw, dict) else None
        return {str(k): v for k, v in files.items() if isinstance(v, dict)} if isinstance(
            files, dict) else {}

    def _write_entry(self, key: str, entry: dict[str, Any] | None) -> None:
        # locked read-modify-write: another run may record its own files at the same time
        with exclusive_lock(lock_path(self.manifest_path)):
            files = self._read_manifest()
            if entry is None:
                files.pop(key, None)
            else:
                files[key] = entry
            text = json.dumps({"version": 1, "files": dict(sorted(files.items()))}, indent=2)
            write_text_atomic(self.manifest_path, text + "\n")

    def entry(self, key: str) -> dict[str, Any] | None:
        """The manifest record of ``key`` (url, size, sha256, downloaded_at, ...) or ``None``."""
        return self._read_manifest().get(key)

    def verify(self, key: str) -> str | None:
        """What is wrong with the cached file of ``key``, or ``None`` if it matches its record.

        A file without a record is checked as an archive (see :func:`check_archive`).
        """
        path = self.path_for(key)
        if not path.is_file():
            return "not in the cache"
        entry = self.entry(key)
        if entry is None:
            problem = check_archive(path)
            return f"not recorded in the manifest and {problem}" if problem else None
        size = path.stat().st_size
        recorded = entry.get("size")
        if not isinstance(recorded, int) or size != recorded:
            return f"its size is {size:,} bytes, the manifest records {recorded!r}"
        if sha256_file(path) != entry.get("sha256"):
            return "its SHA-256 differs from the one recorded when it was downloaded"
        return None

    # --- fetching -------------------------------------------------------------------------
    def fetch(
        self,
        url: str,
        key: str,
        *,
        refresh: bool = False,
        on_progress: ProgressCallback | None = None,
        hint: str | None = None,
    ) -> Download:
        """The cached file of ``key``, downloaded from ``url`` unless already valid in the cache.

        The file is locked meanwhile: another process fetching the same key waits (a warning
        says so) and then finds it in the cache.

        Parameters
        ----------
        url
            Where to download from.
        key
            Path of the file inside the cache (see :meth:`path_for`).
        refresh
            Download again even if the cached file is valid; the old file is
            replaced only once the new one is complete and checked.
        on_progress
            Called with a :class:`DownloadProgress` as bytes arrive.
        hint
            Sentence added to connection error messages (how to use a mirror).

        Returns
        -------
        Download

        Raises
        ------
        OfflineError
            If the host cannot be reached at all.
        RemoteNotFoundError
            If the server answers 404 or 410.
        DownloadError
            On other HTTP errors, or when transient failures outlast the retries.
        """
        dest = self.path_for(key)
        dest.parent.mkdir(parents=True, exist_ok=True)

        def waiting(pid: int | None) -> None:
            log.warning("%s is being downloaded by another valleymaps run%s; waiting for it to "
                        "finish (lock file %s)", dest.name, f" (process {pid})" if pid else "",
                        lock_path(dest))

        with exclusive_lock(lock_path(dest), on_wait=waiting):
            if not refresh and dest.is_file():
                cached = self._use_cached(url, key, dest)
                if cached is not None:
                    return cached
            part = dest.with_name(dest.name + PART_SUFFIX)
            info = dest.with_name(dest.name + PART_INFO_SUFFIX)
            if refresh:
                _unlink(part, info)
            return self._download(url, key, dest, part, info, on_progress=on_progress, hint=hint)

    def _use_cached(self, url: str, key: str, dest: Path) -> Download | None:
        entry = self.entry(key)
        if entry is None:
            problem = check_archive(dest)
            if problem is None:
                size = dest.stat().st_size
                sha = sha256_file(dest)
                self._write_entry(key, {
                    "url": url, "size": size, "sha256": sha,
                    "downloaded_at": None, "adopted_at": _now(),
                })  # fmt: skip
                log.info("using %s found in the cache (not downloaded by valleymaps; recorded "
                         "its checksum)", dest)
                return Download(url=url, path=dest, size=size, sha256=sha, from_cache=True)
            log.warning("cached %s is %s; downloading it again", dest, problem)
        else:
            problem = self.verify(key)
            if problem is None:
                log.info("using cached %s (%s bytes, checksum verified)", dest,
                         f"{entry['size']:,}")
                return Download(url=url, path=dest, size=int(entry["size"]),
                                sha256=str(entry["sha256"]), from_cache=True)
            log.warning("cached %s is corrupted: %s; downloading it again", dest, problem)
        _unlink(dest)
        self._write_entry(key, None)
        return None

    def _download(
        self,
        url: str,
        key: str,
        dest: Path,
        part: Path,
        info: Path,
        *,
        on_progress: ProgressCallback | None,
        hint: str | None,
    ) -> Download:
        policy = self.policy
        last: _TransientError | None = None
        tally = [0]  # bytes received over all attempts, failed ones included
        for attempt in range(policy.retries + 1):
            try:
                result = self._attempt(url, dest, part, info, on_progress=on_progress, hint=hint,
                                       tally=tally)
            except _TransientError as exc:
                last = exc
                if attempt == policy.retries:
                    break
                wait = policy.delay(attempt)
                if exc.retry_after is not None:
                    wait = min(policy.max_delay, max(wait, exc.retry_after))
                log.warning("%s: %s; retrying in %.1f s (attempt %d of %d)", dest.name,
                            exc.reason, wait, attempt + 2, policy.retries + 1)
                policy.sleep(wait)
                continue
            problem = check_archive(part, name=dest.name)
            if problem is not None:
                _unlink(part, info)
                last = _TransientError(f"the file received is {problem}")
                if attempt == policy.retries:
                    break
                wait = policy.delay(attempt)
                log.warning("%s: %s; downloading again in %.1f s (attempt %d of %d)", dest.name,
                            last.reason, wait, attempt + 2, policy.retries + 1)
                policy.sleep(wait)
                continue
            sha = sha256_file(part)
            os.replace(part, dest)
            _unlink(info)
            self._write_entry(key, {
                "url": url, "size": result.total, "sha256": sha, "downloaded_at": _now(),
                "etag": result.etag, "last_modified": result.last_modified,
            })  # fmt: skip
            log.info("downloaded %s (%s bytes%s) to %s", url, f"{result.total:,}",
                     f", resumed at {result.resumed_from:,}" if result.resumed_from else "",
                     dest)
            return Download(url=url, path=dest, size=result.total, sha256=sha, from_cache=False,
                            downloaded=tally[0], resumed_from=result.resumed_from,
                            attempts=attempt + 1)
        assert last is not None
        tries = policy.retries + 1
        kept = part.stat().st_size if part.is_file() else 0
        resume_note = (f" The {kept:,} bytes received are kept; the next run resumes from there."
                       if kept else "")
        raise DownloadError(
            f"could not download {url} ({tries} attempt{'s' if tries != 1 else ''}): "
            f"{last.reason}.{resume_note} Try again later."
            + (f" {hint}" if hint else ""),
            url=url,
            status=last.status,
        ) from last

    def _attempt(
        self,
        url: str,
        dest: Path,
        part: Path,
        info: Path,
        *,
        on_progress: ProgressCallback | None,
        hint: str | None,
        tally: list[int],
    ) -> _AttemptResult:
        """One request; appends to ``part``. Raises _TransientError or a DownloadError."""
        name = dest.name
        offset = part.stat().st_size if part.is_file() else 0
        saved = _read_json(info) if offset else {}
        if offset and saved.get("url") != url:
            log.info("%s: discarding a partial download from another URL", name)
            _unlink(part, info)
            offset, saved = 0, {}
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            validator = saved.get("etag") or saved.get("last_modified")
            if validator and not str(validator).startswith("W/"):
                headers["If-Range"] = str(validator)
        request = urllib.request.Request(url, headers=headers)
        try:
            response = self._opener.open(request, timeout=self.policy.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            self._raise_for_status(url, exc, offset, part, info)
            raise  # pragma: no cover - _raise_for_status always raises
        except urllib.error.URLError as exc:
            reason = exc.reason
            if _is_offline(reason):
                raise OfflineError(
                    f"cannot reach {_host(url)} to download {url}: {_reason_text(reason)}. "
                    "This machine seems to be offline, or the host is blocked here. "
                    + (f"{hint} " if hint else "")
                    + f"Or copy the file, downloaded elsewhere, to {dest}.",
                    url=url,
                ) from exc
            if isinstance(reason, ssl.SSLError):
                raise DownloadError(
                    f"cannot download {url}: secure connection failed ({reason}). Behind an "
                    "agency proxy that inspects HTTPS, point SSL_CERT_FILE at its certificate "
                    "bundle, or use an http:// mirror.",
                    url=url,
                ) from exc
            raise _TransientError(f"connection failed ({_reason_text(reason)})") from exc
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            raise _TransientError(f"connection failed ({type(exc).__name__}: {exc})") from exc

        with response:
            status = response.status
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
            length_text = response.headers.get("Content-Length")
            length = int(length_text) if length_text and length_text.isdigit() else None
            if offset and status == 206:
                parsed = _parse_content_range(response.headers.get("Content-Range"))
                if parsed is None or parsed[0] != offset:
                    _unlink(part, info)
                    raise _TransientError("the server resumed at the wrong place; starting over")
                total = parsed[1] if parsed[1] is not None else (
                    offset + length if length is not None else None)
                mode = "ab"
                resumed_from = offset
                log.info("%s: resuming at %s bytes", name, f"{offset:,}")
            else:
                if offset:
                    log.info("%s: the server sent the whole file; starting over", name)
                offset = 0
                total = length
                mode = "wb"
                resumed_from = 0
            _write_json(info, {"url": url, "etag": etag, "last_modified": last_modified,
                               "total": total})
            done = offset
            if on_progress is not None:
                on_progress(DownloadProgress(url, name, done, total))
            try:
                with open(part, mode) as fh:
                    while True:
                        chunk = response.read(CHUNK_SIZE)
                        if not chunk:
                            break
                        fh.write(chunk)
                        done += len(chunk)
                        tally[0] += len(chunk)
                        if on_progress is not None:
                            on_progress(DownloadProgress(url, name, done, total))
            except (TimeoutError, ConnectionError, http.client.HTTPException, ssl.SSLError) as exc:
                raise _TransientError(
                    f"the connection broke after {done:,} bytes ({type(exc).__name__})"
                ) from exc
        if total is None:
            total = done
        elif done != total:
            if done > total:
                _unlink(part, info)
            raise _TransientError(f"the response stopped after {done:,} of {total:,} bytes")
        return _AttemptResult(total=total, resumed_from=resumed_from, etag=etag,
                              last_modified=last_modified)

    @staticmethod
    def _raise_for_status(
        url: str, exc: urllib.error.HTTPError, offset: int, part: Path, info: Path
    ) -> None:
        status = exc.code
        if status == 416 and offset:
            _unlink(part, info)
            raise _TransientError("the server cannot resume this download (416); starting over",
                                  status=status) from exc
        if status in (404, 410):
            raise RemoteNotFoundError(
                f"{url} does not exist (the server answered {status} {exc.reason}).",
                url=url,
                status=status,
            ) from exc
        if status in RETRY_STATUSES:
            raise _TransientError(
                f"the server answered {status} {exc.reason}",
                status=status,
                retry_after=_parse_retry_after(exc.headers.get("Retry-After")),
            ) from exc
        if status in (401, 403, 407):
            what = "a proxy asks for credentials" if status == 407 else "access is refused"
            raise DownloadError(
                f"cannot download {url}: {what} ({status} {exc.reason}). A firewall or proxy may "
                "be blocking it; set https_proxy/http_proxy, or use a mirror.",
                url=url,
                status=status,
            ) from exc
        raise DownloadError(
            f"cannot download {url}: the server answered {status} {exc.reason}.",
            url=url,
            status=status,
        ) from exc


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _unlink(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(dict(data)) + "\n", encoding="utf-8")
