"""The browser harness itself: CDN files are served offline, maps draw, errors are caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import folium
import pytest
from harness import BLANK_TILE, NODE_MODULES, PageOpener, assert_no_errors, resolve_url

SQUARE_NAMES = ("Fresno", "Kings", "Tulare")


def _square(x0: float, y0: float, size: float, name: str) -> dict[str, object]:
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _write_square_map(folder: Path, *, extra_html: str | None = None) -> Path:
    """Save a map of three square "counties" with tooltips and a layer control."""
    squares = {
        "type": "FeatureCollection",
        "features": [_square(-120.5 + 0.6 * i, 36.2, 0.5, name) for i, name in enumerate(SQUARE_NAMES)],
    }
    fmap = folium.Map(location=[36.45, -119.6], zoom_start=8)
    folium.GeoJson(
        squares,
        name="counties",
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["County"]),
    ).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    if extra_html:
        root = fmap.get_root()
        assert isinstance(root, folium.Figure)
        root.html.add_child(folium.Element(extra_html))
    path = folder / "squares.html"
    fmap.save(path)
    return path


def test_every_folium_cdn_url_has_a_local_copy(cdn_assets: Path) -> None:
    urls = [url for _, url in (*folium.Map.default_js, *folium.Map.default_css)]
    answers = {url: resolve_url(url) for url in urls}
    unserved = {url: res.reason for url, res in answers.items() if res.kind not in {"file", "body"}}
    assert not unserved, unserved
    leaflet = resolve_url("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    assert leaflet.path == (NODE_MODULES / "leaflet/dist/leaflet.js").resolve()
    font = resolve_url(
        "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/webfonts/fa-solid-900.woff2"
    )
    assert font.kind == "file"
    assert font.content_type == "font/woff2"


def test_unknown_urls_and_versions_are_unexpected(cdn_assets: Path) -> None:
    assert resolve_url("https://example.com/x.js").kind == "unexpected"
    wrong = resolve_url("https://cdn.jsdelivr.net/npm/leaflet@1.7.1/dist/leaflet.js")
    assert wrong.kind == "unexpected"
    assert "1.9.3" in wrong.reason
    assert resolve_url("https://b.basemaps.cartocdn.com/light_all/8/42/101.png").kind == "tile"
    assert BLANK_TILE.startswith(b"\x89PNG")


@pytest.mark.browser
def test_square_map_draws_offline(
    open_page: PageOpener, tmp_path: Path, screenshot: Callable[..., Path]
) -> None:
    page, report = open_page(_write_square_map(tmp_path))

    paths = page.locator("path.leaflet-interactive")
    assert paths.count() == 3
    assert page.evaluate("window.L.version") == "1.9.3"
    assert page.locator(".leaflet-control-layers").count() == 1

    paths.nth(1).hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "County" in tooltip.inner_text()
    assert "Kings" in tooltip.inner_text()

    assert report.tile_requests > 0
    assert "leaflet/dist/leaflet.js" in report.served.values()
    assert_no_errors(report)
    screenshot(page)


@pytest.mark.browser
def test_page_error_is_reported(open_page: PageOpener, tmp_path: Path) -> None:
    # A script of its own, so the map's script still runs and the page gets a map.
    page_path = _write_square_map(tmp_path, extra_html="<script>throw new Error('boom from test');</script>")
    _, report = open_page(page_path)

    assert any("boom from test" in e for e in report.page_errors)
    with pytest.raises(AssertionError, match="boom from test"):
        assert_no_errors(report)


@pytest.mark.browser
def test_unexpected_request_is_reported(open_page: PageOpener, tmp_path: Path) -> None:
    page_path = _write_square_map(tmp_path)
    html = page_path.read_text(encoding="utf-8").replace(
        "</head>", '<script src="https://example.com/tracker.js"></script></head>', 1
    )
    page_path.write_text(html, encoding="utf-8")
    _, report = open_page(page_path)

    assert any("example.com/tracker.js" in r for r in report.unexpected_requests)
    with pytest.raises(AssertionError, match="unexpected request"):
        assert_no_errors(report)
