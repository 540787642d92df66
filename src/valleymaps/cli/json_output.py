"""``--json``: one JSON document on standard output for scripts, everything else on standard error.

A command that takes :func:`json_option` runs as usual, but what it would have
printed goes to standard error; it records what it did with :func:`record`
and, when it ends normally (or says it failed with :func:`finish`), the report is
printed to standard output as one JSON document. A command that stops on an error
prints no JSON: the error is on standard error and the exit status is 1.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

_KEY = "valleymaps.json_report"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _jsonable(value.item())
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def dumps(document: dict[str, Any]) -> str:
    """The report as JSON text (NaN and infinities become null, paths strings)."""
    return json.dumps(_jsonable(document), indent=2, ensure_ascii=False)


def _start(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if not value:
        return value
    report: dict[str, Any] = {"command": ctx.command_path.split(" ", 1)[-1]}
    ctx.meta[_KEY] = report
    out = sys.stdout

    def emit() -> None:
        if "ok" in report:
            out.write(dumps(report) + "\n")
            out.flush()

    ctx.call_on_close(emit)  # runs after the redirection below ends (last in, first out)
    ctx.with_resource(contextlib.redirect_stdout(sys.stderr))
    return value


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--json`` flag (no parameter is passed to the command)."""
    return click.option(
        "--json",
        "json_output",
        is_flag=True,
        expose_value=False,
        callback=_start,
        help="Print one JSON document on standard output (for scripts); messages go to standard error.",
    )(func)


def report() -> dict[str, Any] | None:
    """The JSON report of the running command (None without ``--json``)."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if _KEY in ctx.meta:
            found: dict[str, Any] = ctx.meta[_KEY]
            return found
        ctx = ctx.parent
    return None


def record(key: str, value: Any, *, append: bool = False) -> None:
    """Set ``key`` of the report (or append ``value`` to its list); nothing without ``--json``."""
    doc = report()
    if doc is None:
        return
    if append:
        doc.setdefault(key, []).append(value)
    else:
        doc[key] = value


def finish(*, ok: bool = True) -> None:
    """Mark the report complete: it is printed when the command ends."""
    doc = report()
    if doc is not None:
        doc["ok"] = ok


__all__ = ["dumps", "finish", "json_option", "record", "report"]
