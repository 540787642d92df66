"""Worker processes of an atlas build: static PNGs and whole sections drawn alongside the pages.

A build on two cores spends most of its time drawing static maps and running
the site-suitability profiles, neither of which needs the cluster pages. The
build hands them to :class:`AtlasWorkers`, goes on with its pages and collects
the results at the end:

* choropleth PNGs are recoloured on charts laid out once per level
  (:class:`~valleymaps.render.static_map.StaticChoropleth`); a job carries only
  colours, legend and title;
* other PNGs are a module-level function and its (picklable) arguments that
  return a figure;
* tasks (the atlas sections) are functions registered before the workers
  start, run by key; only their results travel back.

Charts and tasks are set up before the workers are forked, so each worker
inherits them (geometry, footer, workspace and all) instead of receiving them.
The bytes of a PNG do not depend on which process drew it, nor on the order,
so two builds give identical files. With ``workers=1``, or where ``fork`` is
not available, everything runs in the build process: PNGs when added, tasks
when their result is asked for.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
import warnings
from collections.abc import Callable, Mapping
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import TracebackType
from typing import Any

from matplotlib.figure import Figure

from valleymaps import settings
from valleymaps.errors import ValleymapsError
from valleymaps.io.atomic import write_bytes_atomic
from valleymaps.render.png import figure_png
from valleymaps.render.static_map import StaticChoropleth, StaticMapStyle

log = logging.getLogger(__name__)

#: Charts and tasks of the build being run; forked workers inherit them.
_CHARTS: dict[str, StaticChoropleth] = {}
_TASKS: dict[str, Callable[[], Any]] = {}


def _render_style(key: str, style: StaticMapStyle) -> bytes:
    return _CHARTS[key].render_png(style)


def _render_figure(make: Callable[..., Figure], kwargs: dict[str, Any]) -> bytes:
    return figure_png(make(**kwargs))


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling back to the build, else an error with the same message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        if isinstance(exc, ValleymapsError):
            return ValleymapsError(str(exc))
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _run_task(key: str) -> Any:
    try:
        return _TASKS[key]()
    except BaseException as exc:
        raise _portable(exc) from None


def _init_worker(parent: int) -> None:
    """Die with the build: a killed build leaves no worker behind (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _start_pool(workers: int) -> Pool | None:
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads (numpy's BLAS starts some);
        # the workers draw, encode and run sections, never touching those threads' locks.
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        return multiprocessing.get_context("fork").Pool(workers, _init_worker, (os.getpid(),))


class AtlasWorkers:
    """Draw static PNGs and run tasks in the background; :meth:`finish` writes the PNGs.

    Parameters
    ----------
    charts
        Choropleth charts by key; their static parts are drawn here, once, before
        the workers start.
    tasks
        Functions by key, to run with :meth:`start` (their results must pickle).
    workers
        Processes to use (default :data:`valleymaps.settings.BUILD_WORKERS`).

    Examples
    --------
    >>> with AtlasWorkers({}, tasks={"two": lambda: 1 + 1}, workers=1) as pool:
    ...     pool.start("two")()
    2
    """

    def __init__(
        self,
        charts: Mapping[str, StaticChoropleth],
        *,
        tasks: Mapping[str, Callable[[], Any]] | None = None,
        workers: int | None = None,
    ) -> None:
        self._charts = dict(charts)
        for chart in self._charts.values():
            chart.prepare()
        _CHARTS.clear()
        _CHARTS.update(self._charts)
        _TASKS.clear()
        _TASKS.update(tasks or {})
        self._pool = _start_pool(settings.BUILD_WORKERS if workers is None else workers)
        self._pending: list[tuple[Path, AsyncResult[bytes] | bytes]] = []

    @property
    def parallel(self) -> bool:
        """Whether worker processes do the work."""
        return self._pool is not None

    def start(self, key: str) -> Callable[[], Any]:
        """Start task ``key``; returns a function that waits for its result (or runs it, serially)."""
        if self._pool is None:
            task = _TASKS[key]
            return task
        pending = self._pool.apply_async(_run_task, (key,))
        return pending.get

    def add_style(self, key: str, style: StaticMapStyle, path: Path) -> None:
        """Recolour chart ``key`` with ``style``; the PNG goes to ``path``."""
        if self._pool is None:
            self._pending.append((path, self._charts[key].render_png(style)))
        else:
            self._pending.append((path, self._pool.apply_async(_render_style, (key, style))))

    def add_figure(self, make: Callable[..., Figure], path: Path, **kwargs: Any) -> None:
        """Draw ``make(**kwargs)`` (a module-level function returning a figure) into ``path``."""
        if self._pool is None:
            self._pending.append((path, _render_figure(make, kwargs)))
        else:
            self._pending.append((path, self._pool.apply_async(_render_figure, (make, kwargs))))

    def finish(self) -> list[Path]:
        """Wait for every PNG, write each (atomically) and stop the workers; returns the paths."""
        written = []
        try:
            for path, pending in self._pending:
                data = pending if isinstance(pending, bytes) else pending.get()
                write_bytes_atomic(path, data)
                written.append(path)
        finally:
            self.close()
        log.debug("wrote %d PNGs", len(written))
        return written

    def close(self) -> None:
        """Stop the workers (unfinished work is dropped)."""
        self._pending.clear()
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        _CHARTS.clear()
        _TASKS.clear()

    def __enter__(self) -> AtlasWorkers:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
