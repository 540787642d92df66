"""Test-wide set-up: shared file builders (``tests/*_files.py``) are importable by name, and the
tests are grouped for pytest-xdist (``scripts/test.sh`` runs ``-n <cpus> --dist loadgroup``).

Grouping (one group runs whole in one worker, so what it builds once is built once):

* every test of a module that uses a module- or class-scoped fixture (an atlas built once for
  the module) is in that module's group; the other tests are spread one by one;
* every test of ``tests/compute`` is in one group, so one Dask ``LocalCluster`` (two worker
  processes) runs at a time, not one per xdist worker.

Session-scoped fixtures are built once per xdist worker; they must write only under
``tmp_path_factory`` (each worker has its own base folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

#: Fixture scopes shared by several tests of one module: such a module stays in one worker.
_MODULE_SCOPES = frozenset({"module", "class", "package"})

#: Folders of tests/ whose tests all run in one worker, and the group's name.
_FOLDER_GROUPS = {"compute": "dask-cluster"}


def xdist_group_of(item: pytest.Item) -> str | None:
    """The pytest-xdist group of a test, or None when it may run in any worker."""
    try:
        parts = Path(item.path).resolve().relative_to(TESTS).parts
    except ValueError:  # a doctest of src/valleymaps
        return None
    if parts and parts[0] in _FOLDER_GROUPS:
        return _FOLDER_GROUPS[parts[0]]
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for defs in info.name2fixturedefs.values():
        if any(d.scope in _MODULE_SCOPES for d in defs):
            return "tests/" + "/".join(parts)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that must share a worker (see the module docstring); runs before pytest-xdist
    turns the marks into work units."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        group = xdist_group_of(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
