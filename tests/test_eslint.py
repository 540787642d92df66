"""ESLint passes on the JavaScript valleymaps puts into its pages (``render/templates/*.js``).

ESLint comes with the browser-test assets (``tests/browser/package.json``; ``npm ci`` there, as
``scripts/test.sh`` does); the rules are in ``eslint.config.js``. Without ``node_modules`` the
test is skipped, unless ``CI`` is set: then it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "tests" / "browser" / "node_modules"
TEMPLATES = ROOT / "src" / "valleymaps" / "render" / "templates"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _eslint() -> Path:
    """ESLint's binary; skips only when node_modules is absent outside CI, else fails with the fix."""
    exe = NODE_MODULES / ".bin" / "eslint"
    if exe.exists() and shutil.which("node"):
        return exe
    if not NODE_MODULES.exists() and not _in_ci():
        pytest.skip(f"{NODE_MODULES} is absent: run 'npm ci' in tests/browser (or bash scripts/test.sh)")
    pytest.fail(f"ESLint is not installed in {NODE_MODULES} (or node is missing): run 'npm ci' in "
                "tests/browser (bash scripts/test.sh does it when package-lock.json changed)")


def test_the_page_scripts_pass_eslint() -> None:
    scripts = sorted(TEMPLATES.glob("*.js"))
    assert len(scripts) >= 4, scripts
    done = subprocess.run(
        [str(_eslint()), "--config", "eslint.config.js", "--max-warnings", "0",
         *[str(p.relative_to(ROOT)) for p in scripts]],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, f"ESLint found problems:\n{done.stdout}\n{done.stderr}"
