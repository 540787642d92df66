"""The atlas's static PNGs, drawn by a small pool of forked processes.

A build hands every static map to a :class:`PngJobs` as soon as it knows
what the map shows, goes on with its pages, and collects the pictures at the
end. Choropleths are recoloured on charts laid out once per level
(:class:`~valleymaps.render.static_map.StaticChoropleth`), set up before the
workers are forked so that each inherits them (geometry, footer and all)
instead of receiving them; a job then carries only colours, legend and title.
Other pictures are sent as a function and its arguments that return a figure.

The bytes of a PNG do not depend on which process drew it, nor on the order,
so two builds give identical files. With ``workers=1``, or where ``fork`` is
not available, every picture is drawn in the build process when it is added.
"""

from __future__ import annotations

import logging
import multiprocessing
import warnings
from collections.abc import Callable, Mapping
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import TracebackType
from typing import Any

from matplotlib.figure import Figure

from valleymaps import settings
from valleymaps.io.atomic import write_bytes_atomic
from valleymaps.render.png import figure_png
from valleymaps.render.static_map import StaticChoropleth, StaticMapStyle

log = logging.getLogger(__name__)

#: The charts of the build being drawn; forked workers inherit them.
_CHARTS: dict[str, StaticChoropleth] = {}


def _render_style(key: str, style: StaticMapStyle) -> bytes:
    return _CHARTS[key].render_png(style)


def _render_figure(make: Callable[..., Figure], kwargs: dict[str, Any]) -> bytes:
    return figure_png(make(**kwargs))


def _start_pool(workers: int) -> Pool | None:
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads (numpy's BLAS starts some);
        # the workers only draw with matplotlib and encode PNGs, never touching those threads' locks.
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        return multiprocessing.get_context("fork").Pool(workers)


class PngJobs:
    """Draw static PNGs in the background; :meth:`finish` writes them.

    Parameters
    ----------
    charts
        Choropleth charts by key, drawn once here (their static parts) before the
        workers start.
    workers
        Processes to use (default :data:`valleymaps.settings.BUILD_WORKERS`).

    Examples
    --------
    >>> with PngJobs({}, workers=1) as jobs:  # doctest: +SKIP
    ...     jobs.add_style("county", style, folder / "a.png")
    ...     written = jobs.finish()
    """

    def __init__(self, charts: Mapping[str, StaticChoropleth], *, workers: int | None = None) -> None:
        self._charts = dict(charts)
        for chart in self._charts.values():
            chart.prepare()
        _CHARTS.clear()
        _CHARTS.update(self._charts)
        self._pool = _start_pool(settings.BUILD_WORKERS if workers is None else workers)
        self._pending: list[tuple[Path, AsyncResult[bytes] | bytes]] = []

    @property
    def parallel(self) -> bool:
        """Whether the pictures are drawn by worker processes."""
        return self._pool is not None

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
        """Wait for every picture, write each (atomically) and stop the workers; returns the paths."""
        written = []
        try:
            for path, pending in self._pending:
                data = pending if isinstance(pending, bytes) else pending.get()
                write_bytes_atomic(path, data)
                written.append(path)
        finally:
            self._pending.clear()
            self.close()
        log.debug("wrote %d PNGs", len(written))
        return written

    def close(self) -> None:
        """Stop the workers (unfinished pictures are dropped)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        _CHARTS.clear()

    def __enter__(self) -> PngJobs:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
