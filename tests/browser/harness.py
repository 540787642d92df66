"""Open saved folium pages in headless Chromium without touching the network.

folium pages load Leaflet, jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers from CDNs.
The test machines have no internet, so every request a page makes is routed here:

* ``file:``, ``data:``, ``blob:`` and ``about:`` URLs pass through;
* a known CDN URL is answered from the npm copy in ``tests/browser/node_modules`` (pinned in
  ``package.json``; see :func:`resolve_url` and README.md for the table);
* a few stylesheets that exist on no npm package are answered with an empty stand-in
  (:data:`SUBSTITUTES`);
* map-tile requests (:data:`TILE_HOSTS`) get a blank grey 256×256 PNG;
* anything else is aborted and recorded in :attr:`PageReport.unexpected_requests`.

Console errors, uncaught page exceptions and failed requests are collected in a
:class:`PageReport`; :func:`assert_no_errors` fails a test that saw any of them.
The pytest fixtures that use this module live in ``conftest.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Locator,
        Page,
        Playwright,
        Request,
        Route,
    )

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
NODE_MODULES = HERE / "node_modules"
PACKAGE_JSON = HERE / "package.json"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

CHROMIUM_ENV = "VALLEYMAPS_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: The machines are offline: these keep Chromium from phoning home (and from logging every
#: refused connection). ``--disable-dev-shm-usage`` because containers often have a tiny /dev/shm
#: and Debian's launcher check for it breaks when ``findmnt`` prints two lines.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
VIEWPORT_WIDTH, VIEWPORT_HEIGHT = 1000, 700
DEFAULT_TIMEOUT_MS = 15_000

CONTENT_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
}
#: Pages are ``file://`` (origin ``null``); fonts from another origin need CORS, as on the real CDN.
CDN_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}

#: ``https://cdnjs.cloudflare.com/ajax/libs/<name>/<version>/<path>``
#: -> ``node_modules/<npm package>/<folder>/<path>``, for the cdnjs versions listed.
CDNJS_LIBRARIES: dict[str, tuple[str, str, frozenset[str]]] = {
    # cdnjs 2.0.2 == npm 2.0.5 dist/ except two CSS details (see README.md).
    "Leaflet.awesome-markers": ("leaflet.awesome-markers", "dist", frozenset({"2.0.2"})),
    # folium.plugins.MarkerCluster; cdnjs 1.1.0 == npm 1.1.0 dist/.
    "leaflet.markercluster": ("leaflet.markercluster", "dist", frozenset({"1.1.0"})),
}

#: Exact URLs that no npm package serves in that form: answered with an empty stand-in.
SUBSTITUTES: dict[str, tuple[str, bytes]] = {
    # Bootstrap 3.0.0's glyphicons sheet (icons for Icon(prefix="glyphicon")); not on npm.
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        CONTENT_TYPES[".css"],
        b"/* valleymaps test stand-in: empty */\n",
    ),
    # folium's marker-rotation classes; fetched from GitHub, not shipped in the folium wheel.
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
    "leaflet.awesome.rotate.min.css": (
        CONTENT_TYPES[".css"],
        b"/* valleymaps test stand-in: empty */\n",
    ),
}

#: Tile servers (host suffixes): answered with a blank tile.
TILE_HOSTS = (
    "tile.openstreetmap.org",
    "basemaps.cartocdn.com",
    "server.arcgisonline.com",
    "tiles.stadiamaps.com",
    "tile.opentopomap.org",
    "tile.openstreetmap.fr",
)

_JSDELIVR_NPM = re.compile(r"^/npm/(?P<pkg>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>.+)$")
_JQUERY = re.compile(r"^/jquery-(?P<version>\d+\.\d+\.\d+)(?P<min>\.min)?\.js$")
_CDNJS = re.compile(r"^/ajax/libs/(?P<name>[^/]+)/(?P<version>[^/]+)/(?P<path>.+)$")


def _blank_png(size: int = 256, rgb: tuple[int, int, int] = (238, 238, 236)) -> bytes:
    """Encode a ``size``×``size`` opaque PNG of one colour (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size, 9))
        + chunk(b"IEND", b"")
    )


BLANK_TILE = _blank_png()


# --------------------------------------------------------------------------------------------
# URL -> local file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """What the harness answers for one URL.

    ``kind`` is ``"pass"`` (let the browser load it), ``"file"`` (serve ``path``), ``"body"``
    (serve ``body``: a stand-in or a tile), ``"tile"`` or ``"unexpected"`` (abort; ``reason``
    says why and what to do).
    """

    kind: str
    path: Path | None = None
    body: bytes | None = None
    content_type: str | None = None
    reason: str = ""


def installed_version(package: str, node_modules: Path = NODE_MODULES) -> str | None:
    """Return the version of ``package`` installed in ``node_modules``, or ``None``."""
    manifest = node_modules / package / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def missing_assets(node_modules: Path = NODE_MODULES) -> list[str]:
    """List the packages pinned in ``package.json`` that are absent or at another version."""
    pins = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["dependencies"]
    problems = []
    for package, wanted in sorted(pins.items()):
        found = installed_version(package, node_modules)
        if found != wanted:
            problems.append(f"{package}@{wanted} (found: {found or 'nothing'})")
    return problems


def _from_package(package: str, version: str, inner: str, url: str) -> Resolution:
    found = installed_version(package)
    if found is None:
        return Resolution(
            "unexpected",
            reason=f"{url}: npm package {package!r} is not in tests/browser/package.json "
            f"(add {package}@{version} and run `npm install` there)",
        )
    if found != version:
        return Resolution(
            "unexpected",
            reason=f"{url}: page wants {package}@{version} but tests/browser has {found} "
            f"(pin {package}@{version} in tests/browser/package.json)",
        )
    root = (NODE_MODULES / package).resolve()
    path = (root / inner).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return Resolution("unexpected", reason=f"{url}: {package}@{version} has no file {inner!r}")
    return Resolution(
        "file", path=path, content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream")
    )


def resolve_url(url: str) -> Resolution:
    """Decide how to answer a request for ``url`` (pure: no browser, no network).

    >>> resolve_url("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js").path.name
    'leaflet.js'
    >>> resolve_url("https://a.tile.openstreetmap.org/1/0/0.png").kind
    'tile'
    """
    parts = urlsplit(url)
    if parts.scheme in {"file", "data", "blob", "about"}:
        return Resolution("pass")
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if bare in SUBSTITUTES:
        content_type, body = SUBSTITUTES[bare]
        return Resolution("body", body=body, content_type=content_type)
    host = parts.hostname or ""
    if any(host == h or host.endswith("." + h) for h in TILE_HOSTS):
        return Resolution("tile", body=BLANK_TILE, content_type="image/png")
    if host == "cdn.jsdelivr.net" and (m := _JSDELIVR_NPM.match(parts.path)):
        return _from_package(m["pkg"], m["version"], m["path"], url)
    if host == "code.jquery.com" and (m := _JQUERY.match(parts.path)):
        name = "jquery.min.js" if m["min"] else "jquery.js"
        return _from_package("jquery", m["version"], f"dist/{name}", url)
    if host == "cdnjs.cloudflare.com" and (m := _CDNJS.match(parts.path)):
        name, version = m["name"], m["version"]
        if name in CDNJS_LIBRARIES:
            package, folder, versions = CDNJS_LIBRARIES[name]
            if version not in versions:
                return Resolution(
                    "unexpected",
                    reason=f"{url}: cdnjs {name} {version} is not mapped (mapped versions: "
                    f"{', '.join(sorted(versions))}; see CDNJS_LIBRARIES in harness.py)",
                )
            # cdnjs and npm number these releases differently: any installed version serves.
            return _from_package(package, installed_version(package) or version, f"{folder}/{m['path']}", url)
    return Resolution(
        "unexpected",
        reason=f"{url}: no local copy (map it in tests/browser/harness.py, see README.md)",
    )


# --------------------------------------------------------------------------------------------
# What a page did
# --------------------------------------------------------------------------------------------


@dataclass
class PageReport:
    """Everything noteworthy one page did; filled in live while the page runs."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    unexpected_requests: list[str] = field(default_factory=list)
    console_messages: list[str] = field(default_factory=list)
    served: dict[str, str] = field(default_factory=dict)
    tile_requests: int = 0

    def problems(self, *, ignore: Iterable[str | re.Pattern[str]] = ()) -> list[str]:
        """Return one line per error, leaving out console errors matching ``ignore``."""
        patterns = [re.compile(p) if isinstance(p, str) else p for p in ignore]
        lines = [f"page error: {e}" for e in self.page_errors]
        lines += [
            f"console error: {e}" for e in self.console_errors if not any(p.search(e) for p in patterns)
        ]
        lines += [f"unexpected request: {r}" for r in self.unexpected_requests]
        lines += [f"failed request: {r}" for r in self.failed_requests]
        return lines


def assert_no_errors(report: PageReport, *, ignore: Iterable[str | re.Pattern[str]] = ()) -> None:
    """Fail if the page logged a console error, threw, or made a request we could not serve.

    ``ignore`` takes regular expressions for console errors that a test knows to be harmless.
    """
    problems = report.problems(ignore=ignore)
    if problems:
        listing = "\n  ".join(problems)
        raise AssertionError(f"{report.url} had {len(problems)} problem(s):\n  {listing}")


# --------------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------------


def chromium_path() -> str:
    """Return the Chromium to launch: ``$VALLEYMAPS_CHROMIUM`` or ``/usr/bin/chromium``."""
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch the system Chromium headless with the offline-friendly flags."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=list(CHROMIUM_ARGS)
    )


def _route(route: Route, report: PageReport) -> None:
    url = route.request.url
    res = resolve_url(url)
    if res.kind == "pass":
        route.continue_()
    elif res.kind == "file":
        assert res.path is not None
        # node_modules may be a symlink (a worktree sharing the main checkout's copy)
        report.served[url] = str(res.path.relative_to(NODE_MODULES.resolve()))
        route.fulfill(status=200, path=res.path, content_type=res.content_type, headers=CDN_HEADERS)
    elif res.kind in {"body", "tile"}:
        if res.kind == "tile":
            report.tile_requests += 1
        else:
            report.served[url] = "(empty stand-in)"
        route.fulfill(status=200, body=res.body, content_type=res.content_type, headers=CDN_HEADERS)
    else:
        report.unexpected_requests.append(res.reason)
        route.abort("blockedbyclient")


def _page_url(target: str | os.PathLike[str]) -> str:
    text = os.fspath(target)
    if re.match(r"^(file|https?|about|data):", text):
        return text
    path = Path(text).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no page to open at {path}")
    return path.as_uri()


class PageOpener:
    """Opens pages, each in a fresh browser context, and closes them all in :meth:`close`."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._contexts: list[BrowserContext] = []
        self.pages: list[Page] = []

    def __call__(
        self,
        target: str | os.PathLike[str],
        *,
        wait_for: str | None = ".leaflet-container",
        timeout_ms: float = DEFAULT_TIMEOUT_MS,
    ) -> tuple[Page, PageReport]:
        """Open ``target`` (a path or URL); return the page and its live :class:`PageReport`.

        Waits for the load event and then for ``wait_for`` (pass ``None`` not to wait).
        """
        url = _page_url(target)
        report = PageReport(url=url)
        context = self._browser.new_context(
            viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT}, device_scale_factor=1
        )
        self._contexts.append(context)
        context.set_default_timeout(timeout_ms)
        context.route("**/*", lambda route: _route(route, report))
        page = context.new_page()
        self.pages.append(page)
        page.on("pageerror", lambda exc: report.page_errors.append(str(exc)))

        def on_console(msg: ConsoleMessage) -> None:
            text = f"[{msg.type}] {msg.text}"
            location = msg.location
            if location and location.get("url"):
                text += f" ({location['url']}:{location.get('lineNumber', '?')})"
            report.console_messages.append(text)
            if msg.type == "error":
                report.console_errors.append(text)

        def on_failed(request: Request) -> None:
            if resolve_url(request.url).kind == "unexpected":
                return  # already in unexpected_requests: we aborted it
            report.failed_requests.append(f"{request.url}: {request.failure}")

        page.on("console", on_console)
        page.on("requestfailed", on_failed)
        page.goto(url, wait_until="load")
        if wait_for:
            from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

            try:
                page.wait_for_selector(wait_for)
            except PlaywrightTimeoutError:
                problems = "\n  ".join(report.problems()) or "(no errors reported)"
                raise AssertionError(
                    f"{wait_for!r} never appeared on {url} within {timeout_ms / 1000:g} s; "
                    f"the page reported:\n  {problems}"
                ) from None
        return page, report

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()
        self.pages.clear()


def save_screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save ``page`` to ``test-artifacts/<name>.png`` (repo root, git-ignored); return the path.

    Waits briefly for the network to go quiet so tiles and fonts are drawn.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "page"
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{safe}.png"
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with contextlib.suppress(PlaywrightTimeoutError):  # a busy page still gets its picture
        page.wait_for_load_state("networkidle", timeout=5_000)
    page.screenshot(path=path, full_page=full_page)
    return path


def point_on_line(path: Locator) -> tuple[float, float]:
    """Screen point halfway along an SVG ``<path>``, on a painted dash if the stroke is dashed.

    Clicking the centre of a line's bounding box misses curved lines, and a point in a gap of a
    dashed stroke is not part of the line for the browser: ``page.mouse.click(*point_on_line(p))``.
    """
    point = path.evaluate(
        """(path) => {
            const total = path.getTotalLength();
            const dashes = (path.getAttribute("stroke-dasharray") || "").split(/[ ,]+/).map(Number)
                .filter((d) => d > 0);
            let at = total / 2;
            if (dashes.length) {  // the middle of the dash that starts before the halfway point
                const period = dashes.length % 2 ? 2 * dashes.reduce((a, b) => a + b, 0)
                                                 : dashes.reduce((a, b) => a + b, 0);
                at = Math.floor(at / period) * period + dashes[0] / 2;
            }
            const p = path.getPointAtLength(at);
            const m = path.getScreenCTM();
            return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
        }"""
    )
    return float(point[0]), float(point[1])


def hover_for_tooltip(page: Page, target: Locator, *, tries: int = 3, timeout_ms: float = 5_000) -> Locator:
    """Hover ``target`` until Leaflet shows its tooltip; return the tooltip.

    A page may still be fitting its map to the data (an animated zoom) when first
    hovered, which moves the shape from under a mouse that then never moves again:
    move away and hover once more.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    tip = page.locator(".leaflet-tooltip")
    for attempt in range(tries):
        page.mouse.move(0, 0)
        target.hover()
        try:
            tip.wait_for(timeout=timeout_ms)
            return tip
        except PlaywrightTimeoutError:
            if attempt == tries - 1:
                raise
    return tip
