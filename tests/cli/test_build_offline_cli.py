"""``build --offline`` without the assets in the cache: one clear error saying what to run."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli_logging import restore_cli_logging  # noqa: F401
from valleymaps.cli import cli
from valleymaps.render.offline_assets import make_page_offline, page_asset_urls
from valleymaps.workspace import init_workspace


def test_build_offline_without_fetched_assets_says_to_fetch_them(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    result = CliRunner().invoke(
        cli, ["build", "--offline", "--no-png", "--cache-dir", str(tmp_path / "cache"), "-w", str(ws.root)]
    )
    assert result.exit_code == 1
    assert "Run 'valleymaps fetch assets' once" in result.output
    assert "leaflet.js: not in the cache" in result.output
    assert "Traceback" not in result.output
    assert not (ws.maps_dir / "index.html").exists()  # checked before building, nothing built


def test_page_rewrite_points_every_cdn_url_at_the_local_copy() -> None:
    urls = page_asset_urls()
    page = "".join(f'<script src="{u}"></script>' for u in urls) + "<body></body>"
    out = make_page_offline(page, {u: "../assets/x" + str(i) for i, u in enumerate(urls)})
    assert "https://" not in out
    assert out.count('id="valleymaps-offline-note"') == 1
    assert make_page_offline(out, {}) == out  # a second pass changes nothing
