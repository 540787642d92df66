"""Make a built atlas open with no internet: local copies of the pages' scripts and styles.

``valleymaps fetch assets`` puts the files in the download cache (checksummed);
:func:`make_atlas_offline` copies them into ``outputs/maps/assets/<host>/<path>`` and
rewrites every page of the atlas to load them from there, with a visible note that
basemap tiles still need the internet. Style sheets keep their relative ``url(...)``
references, which the mirrored folder layout satisfies.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from valleymaps.errors import DataSourceError
from valleymaps.io.atomic import atomic_path, write_text_atomic
from valleymaps.io.download import DownloadCache
from valleymaps.io.sources import asset_file
from valleymaps.render.offline_assets import ASSETS_DIR, local_asset_path, make_page_offline
from valleymaps.workflows.fetch import CacheLike, list_page_assets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfflineAtlas:
    """What :func:`make_atlas_offline` did: the asset copies and the pages rewritten."""

    assets: list[Path]
    pages: list[Path]


def check_offline_assets(cache: CacheLike = None) -> tuple[DownloadCache, list[str]]:
    """The cache and the asset URLs, once every asset is there and matches its checksum.

    Raises
    ------
    DataSourceError
        If an asset is not in the cache, or no longer matches its recorded checksum: run
        ``valleymaps fetch assets`` (once, with internet).
    """
    store = cache if isinstance(cache, DownloadCache) else DownloadCache(cache)
    urls = list_page_assets(store)
    problems = []
    for url in urls:
        why = store.verify(asset_file(url).cache_key)
        if why is not None:
            problems.append(f"  {url}: {why}")
    if problems:
        raise DataSourceError(
            f"{len(problems)} of the {len(urls)} files the pages load are not ready in the download "
            f"cache {store.root}:\n" + "\n".join(problems[:10])
            + "\nRun 'valleymaps fetch assets' once (with internet, or with VALLEYMAPS_ASSETS_URL "
            "pointing at a mirror), then run the command again with --offline."
        )
    return store, urls


def _copy_assets(root: Path, store: DownloadCache, urls: list[str]) -> list[Path]:
    copies = []
    for url in urls:
        target = root / local_asset_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            shutil.copyfile(store.path_for(asset_file(url).cache_key), tmp)
        copies.append(target)
    return copies


def offline_page(
    text: str, folder: str | os.PathLike[str], *, cache: CacheLike = None
) -> tuple[str, list[Path]]:
    """A standalone page's HTML made to load its scripts and styles from ``folder/assets``.

    Copies the cached assets into ``folder/assets/<host>/<path>`` (the page is to be written in
    *folder*) and returns the rewritten page text with the copies.

    Raises
    ------
    DataSourceError
        If an asset is not in the cache, or no longer matches its recorded checksum.
    """
    store, urls = check_offline_assets(cache)
    copies = _copy_assets(Path(folder), store, urls)
    return make_page_offline(text, {url: local_asset_path(url) for url in urls}), copies


def make_atlas_offline(build_dir: str | os.PathLike[str], *, cache: CacheLike = None) -> OfflineAtlas:
    """Copy the cached page assets into ``build_dir/assets`` and point every page at them.

    Raises
    ------
    DataSourceError
        If an asset is not in the cache, or no longer matches its recorded checksum: run
        ``valleymaps fetch assets`` (once, with internet).
    """
    root = Path(build_dir)
    store, urls = check_offline_assets(cache)
    copies = _copy_assets(root, store, urls)
    pages = []
    for page in sorted(root.rglob("*.html")):
        rel = page.relative_to(root)
        if rel.parts[0] == ASSETS_DIR:
            continue
        up = "../" * (len(rel.parts) - 1)
        mapping = {url: up + local_asset_path(url) for url in urls}
        text = page.read_text(encoding="utf-8")
        write_text_atomic(page, make_page_offline(text, mapping))
        pages.append(page)
    log.info("offline atlas: %d pages load %d local files from %s/", len(pages), len(copies), ASSETS_DIR)
    return OfflineAtlas(copies, pages)


__all__ = ["OfflineAtlas", "check_offline_assets", "make_atlas_offline", "offline_page"]
