"""Harness for the hostile-input suite (issue 10).

Every case builds its hostile input in code, runs the real ``valleymaps`` command and asserts what a
user would see: the exit code, one clear message naming the file / row or feature / column and the
fix, no traceback, and a workspace whose data and outputs are byte-identical afterwards.

Use :func:`expect_refusal` for cases that must be refused and :func:`expect_success` for cases that
must give a correct result; the fixtures of ``tests/hostile/conftest.py`` give a copy of a workspace
built once per session (``built_workspace``: the bundled data with a built atlas, no PNGs).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from valleymaps.cli import cli


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (relative path -> digest); lock files left out."""
    digests: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(".lock"):
            digests[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


@dataclass
class Outcome:
    """What the command did: exit code and the text it printed (stdout and stderr together)."""

    exit_code: int
    output: str
    exception: BaseException | None


def run_cli(workspace: Path, args: Sequence[str], *, input: str | None = None) -> Outcome:
    """Run ``valleymaps ARGS`` in ``workspace`` (as the current folder), in process."""
    old = Path.cwd()
    os.chdir(workspace)
    try:
        result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=True)
    finally:
        os.chdir(old)
    exception = result.exception
    if isinstance(exception, SystemExit):
        exception = None
    return Outcome(result.exit_code, result.output, exception)


def _assert_no_traceback(outcome: Outcome, args: Sequence[str]) -> None:
    assert outcome.exception is None, (
        f"valleymaps {' '.join(args)} raised {type(outcome.exception).__name__}: {outcome.exception}\n"
        f"{outcome.output}"
    )
    assert "Traceback" not in outcome.output, outcome.output


def expect_refusal(
    workspace: Path,
    args: Sequence[str],
    *keywords: str,
    input: str | None = None,
    max_chars: int = 5000,
) -> Outcome:
    """Assert that ``valleymaps ARGS`` refuses: non-zero exit, one clear message, nothing changed.

    ``keywords`` are words the message must contain (case-insensitive): the file, the row or
    feature, the column, the fix. The workspace's files must be byte-identical afterwards.
    """
    before = snapshot(workspace)
    outcome = run_cli(workspace, args, input=input)
    _assert_no_traceback(outcome, args)
    assert outcome.exit_code != 0, f"valleymaps {' '.join(args)} succeeded:\n{outcome.output}"
    text = outcome.output.lower()
    missing = [k for k in keywords if k.lower() not in text]
    assert not missing, f"message lacks {missing}:\n{outcome.output}"
    assert len(outcome.output) <= max_chars, f"message of {len(outcome.output)} characters"
    after = snapshot(workspace)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the refused command changed the workspace: {changed[:10]}"
    return outcome


def expect_success(workspace: Path, args: Sequence[str], *keywords: str, input: str | None = None) -> Outcome:
    """Assert that ``valleymaps ARGS`` succeeds with no traceback and prints ``keywords``."""
    outcome = run_cli(workspace, args, input=input)
    _assert_no_traceback(outcome, args)
    assert outcome.exit_code == 0, f"valleymaps {' '.join(args)} failed:\n{outcome.output}"
    text = outcome.output.lower()
    missing = [k for k in keywords if k.lower() not in text]
    assert not missing, f"output lacks {missing}:\n{outcome.output}"
    return outcome
