"""The package's layers (``[tool.importlinter]`` in pyproject.toml) hold: ``lint-imports`` passes.

A broken rule names the import chain that breaks it, e.g. ``valleymaps.io.tracts ->
valleymaps.analysis.geometry``: move the shared code down (``valleymaps.core``) instead.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import valleymaps

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(valleymaps.__file__).resolve().parents[1]


def _lint_imports() -> str:
    exe = Path(sys.executable).with_name("lint-imports")
    found = str(exe) if exe.exists() else shutil.which("lint-imports")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("import-linter is not installed: pip install -e '.[test]'")
        pytest.skip("import-linter is not installed (pip install import-linter)")
    return found


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_import_contracts_hold() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_every_module_of_the_package_is_kept_from_importing_the_cli() -> None:
    """A new top-level module must join the 'cli-on-top' contract (else it could import the CLI)."""
    (contract,) = [c for c in _contracts() if c["id"] == "cli-on-top"]
    listed = set(contract["source_modules"])
    top = {f"valleymaps.{m.name}" for m in pkgutil.iter_modules(valleymaps.__path__)}
    missing = sorted(top - listed - {"valleymaps.cli", "valleymaps.__main__", "valleymaps.bundled"})
    assert missing == [], f"add {missing} to the 'cli-on-top' contract in pyproject.toml"


def test_the_package_has_no_import_cycle() -> None:
    """No module reaches itself through imports (lazy imports inside functions count too)."""
    import grimp

    graph = grimp.build_graph("valleymaps")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if module != imported and graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} -> {imported}")
    assert cycles == [], "import cycles:\n" + "\n".join(cycles[:20])
