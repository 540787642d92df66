"""The problem report of an import: every bad row, with its reasons and its cells.

One line per source row that has a problem (rejected, or kept with a note),
in file order, after any notes about the whole file. The row's original
cells follow the reasons, so a user can fix the rows in the report and import
it again. Written as CSV (UTF-8 with a byte-order mark, so Excel shows
accents); text cells that Excel would run as formulas are prefixed with ``'``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from valleymaps.io.atomic import write_text_atomic
from valleymaps.io.csv_safe import csv_text
from valleymaps.projects.problems import NOTE_REASONS, REJECT_REASONS
from valleymaps.projects.validate import ValidationResult

#: Leading columns of the report.
REPORT_COLUMNS: tuple[str, ...] = ("row", "where", "action", "reasons", "problems")

def problem_report(result: ValidationResult) -> pd.DataFrame:
    """The report as a table (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        :data:`REPORT_COLUMNS`, then the source's columns.
    """
    raw = result.raw
    by_row: dict[int, list[Any]] = {}
    file_lines = []
    for p in result.problems:
        if p.row is None:
            file_lines.append(
                {
                    "row": "",
                    "where": "whole file",
                    "action": "note",
                    "reasons": p.reason,
                    "problems": p.message,
                }
            )
        else:
            by_row.setdefault(p.row, []).append(p)
    position = {r: i for i, r in enumerate(raw.rows)}
    lines = []
    for row in sorted(by_row):
        items = by_row[row]
        rejected = any(p.rejected for p in items)
        reasons = []
        for p in items:
            if p.reason not in reasons:
                reasons.append(p.reason)
        line: dict[str, Any] = {
            "row": row,
            "where": items[0].location or raw.location(row),
            "action": "rejected" if rejected else "kept",
            "reasons": "; ".join(reasons),
            "problems": " | ".join(p.message for p in items),
        }
        cells = raw.frame.iloc[position[row]].to_dict() if row in position else {}
        for key, value in cells.items():
            name = str(key) if str(key) not in REPORT_COLUMNS else f"source {key}"
            line[name] = value
        lines.append(line)
    columns = list(REPORT_COLUMNS) + [
        (str(c) if str(c) not in REPORT_COLUMNS else f"source {c}") for c in raw.frame.columns
    ]
    frame = pd.DataFrame(file_lines + lines, columns=columns)
    return frame


def write_problem_report(result: ValidationResult, path: str | os.PathLike[str]) -> Path:
    """Write :func:`problem_report` to ``path`` (CSV), atomically; returns the path.

    A file is written even when there are no problems (just the header), so a
    user always finds the report of the latest import.
    """
    text = csv_text(problem_report(result))  # text from the input never becomes a live formula
    return write_text_atomic(path, "\ufeff" + text)


def describe_reasons() -> dict[str, str]:
    """Every reason code with its label (rejections first)."""
    return {**REJECT_REASONS, **NOTE_REASONS}
