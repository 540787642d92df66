"""The script and style files our pages load from CDNs, and pages rewritten to load local copies.

:func:`page_asset_urls` lists the exact URLs the pages name: folium's own lists
(``folium.Map`` and the plugins we use) and any CDN URL in our templates.
:func:`css_references` finds what a style sheet loads in turn (Leaflet's marker images,
Font Awesome's fonts). :func:`make_page_offline` rewrites a page's URLs to a local folder
and adds a visible note that basemap tiles need the internet. Pure text in, text out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from importlib import resources
from urllib.parse import urljoin, urlsplit

#: The atlas folder that holds the local copies (``outputs/maps/assets/<host>/<path>``).
ASSETS_DIR = "assets"
#: The note offline pages show (tiles are the one thing that cannot be offline).
OFFLINE_NOTE = (
    "Offline copy: the background map (tiles) needs the internet and may be blank; "
    "this page's own layers, legends and tables work without it."
)
#: Marks a page already rewritten (so a second pass changes nothing).
OFFLINE_MARK = "valleymaps-offline-note"

_URL_IN_TEXT = re.compile(r"https://[A-Za-z0-9.-]+/[^\s\"'<>()]+\.(?:js|css)\b")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def page_asset_urls() -> list[str]:
    """Every script and style sheet URL our pages may load, in a stable order.

    >>> urls = page_asset_urls()
    >>> "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in urls
    True
    """
    import folium
    from folium.plugins import MarkerCluster

    urls: list[str] = []
    for cls in (folium.Map, MarkerCluster):
        urls += [url for _, url in getattr(cls, "default_js", [])]
        urls += [url for _, url in getattr(cls, "default_css", [])]
    templates = resources.files("valleymaps.render") / "templates"
    for entry in sorted(templates.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith((".html", ".js", ".css", ".jinja", ".j2")):
            urls += _URL_IN_TEXT.findall(entry.read_text(encoding="utf-8"))
    return list(dict.fromkeys(u for u in urls if u.startswith("https://")))


def css_references(css: str, css_url: str) -> list[str]:
    """Absolute URLs of the files a style sheet loads (``url(...)``), without queries or anchors.

    >>> css_references("a{background:url(images/layers.png)} b{src:url('../f.woff2?v=1#x')}",
    ...                "https://cdn.example/lib/css/x.css")
    ['https://cdn.example/lib/css/images/layers.png', 'https://cdn.example/lib/f.woff2']
    """
    found = []
    for _, ref in _CSS_URL.findall(css):
        ref = ref.strip()
        if not ref or ref.startswith(("data:", "#")):
            continue
        absolute = urljoin(css_url, ref)
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https"):
            found.append(f"{parts.scheme}://{parts.netloc}{parts.path}")
    return list(dict.fromkeys(found))


def local_asset_path(url: str) -> str:
    """The copy's path inside the atlas folder: ``assets/<host>/<path>``.

    >>> local_asset_path("https://code.jquery.com/jquery-3.7.1.min.js")
    'assets/code.jquery.com/jquery-3.7.1.min.js'
    """
    parts = urlsplit(url)
    return f"{ASSETS_DIR}/{parts.netloc}{parts.path}"


def make_page_offline(page: str, urls: Mapping[str, str]) -> str:
    """The page with each asset URL replaced by its local path and a visible offline note.

    Parameters
    ----------
    page
        The HTML text.
    urls
        CDN URL -> path relative to the page (``assets/...`` or ``../assets/...``).

    >>> out = make_page_offline('<script src="https://a.b/x.js"></script><body></body>',
    ...                         {"https://a.b/x.js": "assets/a.b/x.js"})
    >>> 'src="assets/a.b/x.js"' in out and "Offline copy" in out
    True
    """
    for url in sorted(urls, key=len, reverse=True):
        page = page.replace(url, urls[url])
    if OFFLINE_MARK in page:
        return page
    note = (
        f'<div id="{OFFLINE_MARK}" role="note" style="position:fixed;left:8px;bottom:8px;z-index:10000;'
        "max-width:420px;padding:4px 8px;background:#fffbe6;border:1px solid #8a6d00;color:#3d3000;"
        f'font:12px/1.4 sans-serif;border-radius:3px">{html.escape(OFFLINE_NOTE, quote=False)}</div>'
    )
    # inside the page's main landmark when it has one (render/page_a11y.py), so no text is left
    # outside a landmark
    idx = page.rfind("</main>")
    if idx < 0:
        idx = page.rfind("</body>")
    return page[:idx] + note + page[idx:] if idx >= 0 else page + note


__all__ = [
    "ASSETS_DIR",
    "OFFLINE_NOTE",
    "css_references",
    "local_asset_path",
    "make_page_offline",
    "page_asset_urls",
]
