"""Test-wide set-up: shared file builders (``tests/*_files.py``) are importable by name, and the
tests are grouped for pytest-xdist (``scripts/test.sh`` runs ``-n <cpus> --dist loadgroup``).

Grouping (one group runs whole in one worker, so what it builds once is built once):

* every test of a module that uses a module- or class-scoped fixture (an atlas built once for
  the module) is in that module's group; the other tests are spread one by one;
* every test of ``tests/compute`` is in one group, so one Dask ``LocalCluster`` (two worker
  processes) runs at a time, not one per xdist worker.

pytest-xdist's own ``loadgroup`` does not see the groups with pytest 9 (it renames each test
through an attribute pytest no longer reads), so with ``--dist loadgroup`` each worker writes the
groups of the tests it collected to a file, and the scheduler below reads them: one work unit
per group, each other test a unit of its own; the largest groups are handed out first.

Session-scoped fixtures are built once per xdist worker; they must write only under
``tmp_path_factory`` (each worker has its own base folder).

``bundled_atlas``: the atlas of a fresh bundled workspace (no PNGs), built once per session for
the tests that only read it (a test that changes the workspace or rebuilds it builds its own from
``bundled_ws``); the session fails if a test changed it.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from workspace_files import BuiltAtlas

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
    """Mark the tests that must share a worker (see the module docstring); in an xdist worker,
    write each marked test's group where the scheduler reads it."""
    groups: dict[str, str] = {}
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            group = xdist_group_of(item)
            if group is not None:
                item.add_marker(pytest.mark.xdist_group(group))
        mark = item.get_closest_marker("xdist_group")
        if mark is not None:
            groups[item.nodeid] = str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    target = getattr(config, "workerinput", {}).get(_GROUPS_FILE)
    if target:
        Path(target).write_text(json.dumps(groups), encoding="utf-8")


# --- pytest-xdist controller: where the workers write their groups, and the scheduler ----------

_GROUPS_FILE = "valleymaps_xdist_groups_file"
_GROUPS_DIR = pytest.StashKey[Path]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Give each xdist worker the file to write the groups of its tests to."""
    config = node.config
    if _GROUPS_DIR not in config.stash:
        config.stash[_GROUPS_DIR] = Path(tempfile.mkdtemp(prefix="valleymaps-xdist-groups-"))
    node.workerinput[_GROUPS_FILE] = str(config.stash[_GROUPS_DIR] / f"{node.gateway.id}.json")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _GROUPS_DIR in config.stash:
        shutil.rmtree(config.stash[_GROUPS_DIR], ignore_errors=True)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: one work unit per group the workers wrote, one per other test."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupFileScheduling(LoadScopeScheduling):  # type: ignore[misc]
        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self._groups is None:  # first called once every worker has collected
                self._groups = {}
                folder = config.stash.get(_GROUPS_DIR, None)
                for path in sorted(folder.glob("*.json")) if folder else []:
                    self._groups.update(json.loads(path.read_text(encoding="utf-8")))
            group = self._groups.get(nodeid)
            return f"group:{group}" if group is not None else nodeid

    return GroupFileScheduling(config, log)


def _tree_state(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def bundled_atlas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltAtlas]:
    """A fresh workspace holding only the bundled data, and its atlas built without PNGs (as
    ``valleymaps build --no-png`` after ``valleymaps init``), shared by the tests: read only."""
    from valleymaps.projects.store import DB_URL_ENV
    from valleymaps.workflows.atlas import build_atlas
    from valleymaps.workspace import init_workspace
    from workspace_files import BuiltAtlas

    ws = init_workspace(tmp_path_factory.mktemp("bundled-atlas") / "ws")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DB_URL_ENV, raising=False)  # the workspace's (empty) project inventory
        result = build_atlas(ws, png=False)
    before = _tree_state(ws.root)
    yield BuiltAtlas(ws, result)
    after = _tree_state(ws.root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"a test changed the shared bundled atlas (build your own to change it): {changed}"
