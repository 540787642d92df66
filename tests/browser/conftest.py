"""Fixtures for browser tests: one headless Chromium per session, pages served offline.

``open_page(path) -> (page, report)`` opens a saved page with every CDN request answered from
``tests/browser/node_modules`` (see harness.py and README.md). When Chromium or the npm assets are
missing the tests are skipped, unless ``CI`` is set: then they fail.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

# pytest runs with --import-mode=importlib, which puts no test folder on sys.path; the browser
# tests (and this file) import their helpers as the top-level module ``harness``.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from harness import (
    CHROMIUM_ENV,
    NODE_MODULES,
    PageOpener,
    chromium_path,
    launch_chromium,
    missing_assets,
    save_screenshot,
)

# harness.py is a helper module, not tests: collected as a doctest module (--doctest-modules) it
# would be imported a second time under another name, with its own state. Its examples are
# checked by test_harness_smoke.py.
collect_ignore = ["harness.py"]

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def in_ci() -> bool:
    """True when ``CI`` is set to anything but empty, ``0``, ``false`` or ``no``."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cdn_assets() -> Path:
    """The ``node_modules`` folder holding the CDN files; skip (fail in CI) if incomplete."""
    missing = missing_assets()
    if missing:
        _unavailable(
            f"browser test assets missing in {NODE_MODULES}: {', '.join(missing)}. "
            "Run `npm ci` in tests/browser (or scripts/test.sh)."
        )
    return NODE_MODULES


@pytest.fixture(scope="session")
def chromium_browser(cdn_assets: Path) -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    executable = chromium_path()
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        _unavailable(
            f"no Chromium at {executable}. Install it (`apt-get install chromium`, or run "
            f"scripts/test.sh) or point ${CHROMIUM_ENV} at one."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def open_page(chromium_browser: Browser, request: pytest.FixtureRequest) -> Iterator[PageOpener]:
    """Open a saved page offline: ``page, report = open_page(tmp_path / "map.html")``.

    Each call gets a fresh browser context, closed after the test. If the test fails, every page
    it opened is saved to ``test-artifacts/<test name>-failed-<n>.png``.
    """
    opener = PageOpener(chromium_browser)
    yield opener
    if request.node.stash.get(_CALL_FAILED, False):
        for n, page in enumerate(opener.pages, start=1):
            if not page.is_closed():
                save_screenshot(page, f"{request.node.name}-failed-{n}")
    opener.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``screenshot(page, label="")`` saves ``test-artifacts/<test name>[-label].png``."""

    def take(page: Page, label: str = "", *, full_page: bool = False) -> Path:
        name = request.node.name + (f"-{label}" if label else "")
        return save_screenshot(page, re.sub(r"[\[\]]", "_", name), full_page=full_page)

    return take
