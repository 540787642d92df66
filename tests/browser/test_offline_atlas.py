"""``valleymaps fetch assets`` then ``build --offline``: the atlas opens with every outside request
blocked, draws its layers and logs no error; the page says the basemap needs the internet."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from harness import VIEWPORT_HEIGHT, VIEWPORT_WIDTH, resolve_url

from cli_logging import restore_cli_logging  # noqa: F401
from fetch_server import PROXY_VARIABLES, FileServer
from valleymaps.cli import cli
from valleymaps.render.offline_assets import OFFLINE_NOTE, css_references, page_asset_urls
from valleymaps.workspace import init_workspace

pytestmark = pytest.mark.browser

TILE_HOSTS = ("tile.openstreetmap.org", "basemaps.cartocdn.com", "arcgisonline.com")


def cdn_site() -> dict[str, bytes]:
    """The pages' CDN files at their exact paths (``/<host>/<path>``), from the npm copies."""
    files: dict[str, bytes] = {}
    todo = list(page_asset_urls())
    while todo:
        url = todo.pop(0)
        key = "/" + urlsplit(url).netloc + urlsplit(url).path
        if key in files:
            continue
        res = resolve_url(url)
        assert res.kind in {"file", "body"}, res.reason
        data = res.path.read_bytes() if res.path is not None else (res.body or b"")
        files[key] = data
        if url.endswith(".css"):
            todo += css_references(data.decode("utf-8", "replace"), url)
    return files


@pytest.fixture(scope="module")
def offline_atlas(tmp_path_factory: pytest.TempPathFactory, cdn_assets: Path) -> Path:
    tmp = tmp_path_factory.mktemp("offline")
    mp = pytest.MonkeyPatch()
    for name in PROXY_VARIABLES:
        mp.delenv(name, raising=False)
    try:
        ws = init_workspace(tmp / "ws")
        cache = tmp / "cache"
        with FileServer(cdn_site()) as srv:
            mp.setenv("VALLEYMAPS_ASSETS_URL", srv.url)
            fetched = CliRunner().invoke(cli, ["fetch", "assets", "--cache-dir", str(cache)])
            assert fetched.exit_code == 0, fetched.output
            again = CliRunner().invoke(cli, ["fetch", "assets", "--cache-dir", str(cache)])
            assert "0 downloaded" in again.output  # once into the cache, then checksummed copies
            n_hits = len(srv.hits)
        assert n_hits == len(cdn_site())
        built = CliRunner().invoke(
            cli, ["build", "--offline", "--no-png", "--cache-dir", str(cache), "-w", str(ws.root)]
        )
        assert built.exit_code == 0, built.output
        assert "Offline:" in built.output
    finally:
        mp.undo()
    return ws.maps_dir


def test_offline_pages_name_no_cdn(offline_atlas: Path) -> None:
    pages = sorted(offline_atlas.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for url in page_asset_urls():
            assert url not in text, f"{page.name} still loads {url}"
        assert OFFLINE_NOTE in text
    leaflet = offline_atlas / "assets" / "cdn.jsdelivr.net" / "npm" / "leaflet@1.9.3" / "dist" / "leaflet.js"
    assert leaflet.is_file()


def test_offline_atlas_draws_every_layer_with_the_network_blocked(
    offline_atlas: Path, chromium_browser
) -> None:
    pages = [
        p for p in sorted(offline_atlas.rglob("*.html")) if "assets" not in p.relative_to(offline_atlas).parts
    ]
    maps = [p for p in pages if "L.map(" in p.read_text(encoding="utf-8")]
    assert len(maps) >= 7  # the cluster pages at least
    for page_path in pages:
        blocked: list[str] = []
        errors: list[str] = []
        context = chromium_browser.new_context(
            viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT}
        )

        def route(r, blocked=blocked) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                r.continue_()
                return
            if not urlsplit(url).netloc.endswith(TILE_HOSTS):
                blocked.append(url)
            r.abort("internetdisconnected")

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda exc, errors=errors: errors.append(f"page error: {exc}"))

        def on_console(msg, errors=errors) -> None:
            source = (msg.location or {}).get("url", "")
            if msg.type == "error" and not urlsplit(source).netloc.endswith(TILE_HOSTS):
                errors.append(f"console: {msg.text} ({source})")

        page.on("console", on_console)
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        if page_path in maps:
            page.wait_for_selector(".leaflet-container", state="attached")
            assert page.evaluate("() => typeof L !== 'undefined'"), page_path.name
            page.wait_for_selector(".leaflet-interactive, .leaflet-marker-icon", state="attached")
            assert page.locator(".leaflet-interactive, .leaflet-marker-icon").count() > 0, page_path.name
            assert page.locator("#valleymaps-offline-note").is_visible()
        page.wait_for_timeout(300)
        context.close()
        assert blocked == [], f"{page_path.name} asked the internet for {blocked}"
        assert errors == [], f"{page_path.name}: {errors}"
