"""Where work runs: in this process by default, or on a Dask cluster when a scheduler is named.

Operations that split naturally into independent tasks (one LODES OD file, one suitability
target) take an optional :class:`Executor`; :func:`get_executor` picks one from ``--scheduler``,
``$VALLEYMAPS_SCHEDULER`` or ``[compute] scheduler`` in ``valleymaps.toml``. The results are the
same whichever runs the tasks.
"""

from valleymaps.compute.executor import (
    DaskExecutor,
    Executor,
    InProcessExecutor,
    get_executor,
    resolve_scheduler,
)

__all__ = ["DaskExecutor", "Executor", "InProcessExecutor", "get_executor", "resolve_scheduler"]
