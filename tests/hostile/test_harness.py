"""The hostile-input harness itself: a refusal must leave the workspace as it was."""

from __future__ import annotations

from pathlib import Path

from hostile_harness import expect_refusal, snapshot


def test_missing_input_file_is_refused_with_its_name(built_workspace: Path) -> None:
    expect_refusal(built_workspace, ["import", "tracts", "no_such_tracts.zip"], "no_such_tracts.zip")


def test_snapshot_sees_a_changed_byte(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    before = snapshot(tmp_path)
    (tmp_path / "a.csv").write_text("x\n2\n", encoding="utf-8")
    assert snapshot(tmp_path) != before
