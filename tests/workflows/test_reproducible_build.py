"""Two builds of the same workspace give byte-identical pages and tables (timestamps aside)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hostile_harness import run_cli
from valleymaps.workspace import init_workspace

#: ISO dates and times (a build may stamp when it ran); everything else must match byte for byte.
_TIMESTAMP = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _outputs(root: Path) -> dict[str, bytes]:
    maps = root / "outputs" / "maps"
    return {
        p.relative_to(maps).as_posix(): _TIMESTAMP.sub(b"<time>", p.read_bytes())
        for p in sorted(maps.rglob("*"))
        if p.is_file()
    }


def test_two_builds_of_the_bundled_workspace_are_byte_identical(tmp_path: Path) -> None:
    first = tmp_path / "first"
    init_workspace(first)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    for root in (first, second):
        outcome = run_cli(root, ["build", "--no-png"])
        assert outcome.exit_code == 0, outcome.output
    a, b = _outputs(first), _outputs(second)
    assert sorted(a) == sorted(b)
    assert any(name.endswith(".html") for name in a) and any(name.endswith(".csv") for name in a)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"pages or tables differ between two builds: {differ}"


def test_a_build_with_two_worker_processes_writes_the_same_atlas(tmp_path: Path) -> None:
    """``valleymaps build --workers 2`` (a fresh process, as a user runs it) gives the same files."""
    import subprocess
    import sys

    serial = tmp_path / "serial"
    init_workspace(serial)
    parallel = tmp_path / "parallel"
    shutil.copytree(serial, parallel)
    outcome = run_cli(serial, ["build"])
    assert outcome.exit_code == 0, outcome.output
    done = subprocess.run(
        [sys.executable, "-m", "valleymaps", "build", "--workers", "2", "-w", str(parallel)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    a, b = _outputs(serial), _outputs(parallel)
    assert sorted(a) == sorted(b)
    assert any(name.endswith(".png") for name in a)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"files differ between one and two worker processes: {differ}"
