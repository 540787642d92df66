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
def asset_cache(tmp_path_factory: pytest.TempPathFactory, cdn_assets: Path) -> Path:
    """A download cache filled by ``valleymaps fetch assets`` from a local mirror of the CDNs."""
    cache = tmp_path_factory.mktemp("offline-cache")
    mp = pytest.MonkeyPatch()
    for name in PROXY_VARIABLES:
        mp.delenv(name, raising=False)
    try:
        with FileServer(cdn_site()) as srv:
            mp.setenv("VALLEYMAPS_ASSETS_URL", srv.url)
            fetched = CliRunner().invoke(cli, ["fetch", "assets", "--cache-dir", str(cache)])
            assert fetched.exit_code == 0, fetched.output
            again = CliRunner().invoke(cli, ["fetch", "assets", "--cache-dir", str(cache)])
            assert "0 downloaded" in again.output  # once into the cache, then checksummed copies
            n_hits = len(srv.hits)
        assert n_hits == len(cdn_site())
    finally:
        mp.undo()
    return cache


@pytest.fixture(scope="module")
def offline_atlas(tmp_path_factory: pytest.TempPathFactory, asset_cache: Path) -> Path:
    tmp = tmp_path_factory.mktemp("offline")
    mp = pytest.MonkeyPatch()
    for name in PROXY_VARIABLES:
        mp.delenv(name, raising=False)
    try:
        ws = init_workspace(tmp / "ws")
        cache = asset_cache
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
        assert_draws_offline(chromium_browser, page_path, is_map=page_path in maps)


def assert_draws_offline(chromium_browser, page_path: Path, *, is_map: bool) -> None:
    """Open *page_path* with every outside request blocked: no request, no error, layers drawn."""
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
    if is_map:
        page.wait_for_selector(".leaflet-container", state="attached")
        assert page.evaluate("() => typeof L !== 'undefined'"), page_path.name
        page.wait_for_selector(".leaflet-interactive, .leaflet-marker-icon", state="attached")
        assert page.locator(".leaflet-interactive, .leaflet-marker-icon").count() > 0, page_path.name
        assert page.locator("#valleymaps-offline-note").is_visible()
    page.wait_for_timeout(300)
    context.close()
    assert blocked == [], f"{page_path.name} asked the internet for {blocked}"
    assert errors == [], f"{page_path.name}: {errors}"


def test_a_standalone_project_page_opens_offline(
    asset_cache: Path, chromium_browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``valleymaps projects map OUT --offline``: the page and its assets/ folder work with no internet."""
    from project_files import FRESNO, VISALIA, row, write_csv

    monkeypatch.delenv("VALLEYMAPS_DB_URL", raising=False)
    ws = init_workspace(tmp_path / "ws")
    src = write_csv(tmp_path / "ftip.csv", [row("T1", "Widening", at=FRESNO), row("W1", "Basin", at=VISALIA)])
    imported = CliRunner().invoke(cli, ["import", "projects", str(src), "-w", str(ws.root)])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "share" / "projects.html"
    out.parent.mkdir()
    made = CliRunner().invoke(
        cli, ["projects", "map", str(out), "--offline", "--cache-dir", str(asset_cache), "-w", str(ws.root)]
    )
    assert made.exit_code == 0, made.output
    text = out.read_text(encoding="utf-8")
    for url in page_asset_urls():
        assert url not in text, f"the page still loads {url}"
    leaflet = out.parent / "assets" / "cdn.jsdelivr.net" / "npm" / "leaflet@1.9.3" / "dist" / "leaflet.js"
    assert leaflet.is_file()
    assert_draws_offline(chromium_browser, out, is_map=True)


def test_a_standalone_page_offline_without_the_assets_says_to_fetch_them(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("VALLEYMAPS_DB_URL", raising=False)
    ws = init_workspace(tmp_path / "ws")
    out = tmp_path / "projects.html"
    args = ["projects", "map", str(out), "--offline", "--cache-dir", str(tmp_path / "empty")]
    made = CliRunner().invoke(cli, [*args, "-w", str(ws.root)])
    assert made.exit_code == 1
    assert "valleymaps fetch assets" in made.output and "Traceback" not in made.output
    assert not out.exists()


def test_a_standalone_suitability_page_opens_offline(
    asset_cache: Path, chromium_browser, tmp_path: Path
) -> None:
    """``valleymaps suitability -t ... --offline``: the page draws its raster with no internet."""
    ws = init_workspace(tmp_path / "ws")
    args = ["suitability", "-t", "paper", "--resolution", "4000", "--no-png", "--allow-missing"]
    made = CliRunner().invoke(cli, [*args, "--offline", "--cache-dir", str(asset_cache), "-w", str(ws.root)])
    assert made.exit_code == 0, made.output
    folder = ws.root / "outputs" / "suitability" / "paper-and-paperboard-mills"
    text = (folder / "map.html").read_text(encoding="utf-8")
    for url in page_asset_urls():
        assert url not in text, f"the page still loads {url}"
    leaflet = folder / "assets" / "cdn.jsdelivr.net" / "npm" / "leaflet@1.9.3" / "dist" / "leaflet.js"
    assert leaflet.is_file()
    assert_draws_offline(chromium_browser, folder / "map.html", is_map=True)
