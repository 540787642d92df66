"""A fixture for test modules that run the CLI in process: the CLI configures the root logger on
every run (``logging.basicConfig(force=True)``, ``captureWarnings(True)``); this gives later tests
theirs back. Import it into a test module to use it there::

    from cli_logging import restore_cli_logging  # noqa: F401
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def restore_cli_logging() -> Iterator[None]:
    """Restore the root logger's handlers and level, and stop capturing warnings, after a test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)
