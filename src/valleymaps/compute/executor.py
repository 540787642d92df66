"""Run independent tasks in this process or on a Dask cluster, with the same results.

An :class:`Executor` maps a picklable top-level function over a list of items and returns the
results in the items' order. :class:`InProcessExecutor` (the default) calls the function on each
item in turn; :class:`DaskExecutor` sends each call to a ``dask.distributed`` cluster as one task.
A task whose worker dies is started again by the scheduler on another worker; a task that raises
raises the same exception here (the first failing item's, in the items' order).

Tasks receive paths, not data: every worker must see the same files at the same paths (one
machine, or a shared file system), and have the same valleymaps installed. Tasks write nothing
where a reader could see it half-written: callers give them a staging folder and move the
finished outputs into place themselves.

Examples
--------
>>> with get_executor(None) as ex:
...     ex.map(abs, [-2, 3]), ex.description
([2, 3], 'this process')
>>> resolve_scheduler(None, configured="tcp://10.0.0.5:8786", environ={})
('tcp://10.0.0.5:8786', '[compute] scheduler in valleymaps.toml')
>>> resolve_scheduler("none", configured="tcp://10.0.0.5:8786", environ={})
(None, '--scheduler')
"""

from __future__ import annotations

import logging
import os
import re
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

from valleymaps import settings
from valleymaps.errors import (
    ComputeError,
    MissingDependencyError,
    SchedulerUnavailableError,
    cut_value,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Environment variable naming a scheduler for every command of the shell.
SCHEDULER_ENV = "VALLEYMAPS_SCHEDULER"

#: Values that mean "run in this process" (override a configured scheduler).
IN_PROCESS_NAMES = ("none", "in-process", "inprocess", "local-process", "")

_LOCAL = re.compile(r"^local(?::(?P<n>\d+))?$", re.IGNORECASE)
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?[\w.\-\[\]:]+:\d+$", re.IGNORECASE)

_INSTALL_FIX = "pip install 'valleymaps[dask]'"


def _current_worker() -> Any:
    """The Dask worker running this task, or None (not in a Dask task, or no dask installed)."""
    if "distributed" not in sys.modules:
        return None
    try:
        return sys.modules["distributed"].get_worker()
    except ValueError:
        return None


def task_threads(*, limit: int | None = None) -> int:
    """Threads a task may give its own thread pools (distance transform, GDAL compression).

    In a task on a Dask worker: the worker's threads (``threads_per_worker``, 1 on the clusters
    the README starts), so that tasks running side by side on one machine do not each take every
    core. Anywhere else every CPU of the machine. At most ``limit``.

    >>> task_threads(limit=1)
    1
    """
    n = os.cpu_count() or 1
    worker = _current_worker()
    if worker is not None:
        n = min(n, max(1, int(worker.state.nthreads)))
    return max(1, min(n, limit) if limit else n)


def gdal_threads() -> str:
    """:func:`task_threads` as GDAL's ``NUM_THREADS`` takes it (``ALL_CPUS`` when not limited)."""
    n = task_threads()
    return "ALL_CPUS" if n >= (os.cpu_count() or 1) else str(n)


def resolve_scheduler(
    scheduler: str | None,
    *,
    configured: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[str | None, str]:
    """The scheduler to use and where it was named: the option, the environment, the workspace.

    Parameters
    ----------
    scheduler
        ``--scheduler`` as given (None when not given). ``"none"`` forces this process.
    configured
        ``[compute] scheduler`` of the workspace's ``valleymaps.toml``.
    environ
        The environment (default ``os.environ``), read for ``$VALLEYMAPS_SCHEDULER``.

    Returns
    -------
    tuple
        The address (None: this process) and a label of where it came from, for messages.
    """
    env = os.environ if environ is None else environ
    for value, source in (
        (scheduler, "--scheduler"),
        (env.get(SCHEDULER_ENV), f"${SCHEDULER_ENV}"),
        (configured, "[compute] scheduler in valleymaps.toml"),
        (settings.COMPUTE_SCHEDULER, "valleymaps.settings.COMPUTE_SCHEDULER"),
    ):
        if value is None or (source != "--scheduler" and not value.strip()):
            continue
        text = value.strip()
        return (None if text.lower() in IN_PROCESS_NAMES else text), source
    return None, "default"


class Executor:
    """Runs a function over items; the base of :class:`InProcessExecutor` and :class:`DaskExecutor`."""

    #: What runs the tasks, for log lines and reports ("this process", "Dask cluster at ...").
    description: str = "this process"

    #: Whether tasks run in other processes (their arguments and results are pickled).
    distributed: bool = False

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        on_done: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        """``[fn(item) for item in items]``, each call a task; ``on_done(index, result)`` as each ends.

        Raises the exception of the first item (in order) whose call raised.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release the cluster connection (and a cluster this executor started)."""

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class InProcessExecutor(Executor):
    """Calls the function on each item in turn, in this process (the default)."""

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        on_done: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        results = []
        for i, item in enumerate(items):
            result = fn(item)
            if on_done is not None:
                on_done(i, result)
            results.append(result)
        return results


class DaskExecutor(Executor):
    """Sends each call to a ``dask.distributed`` cluster as one task.

    Parameters
    ----------
    client
        A connected ``distributed.Client``.
    cluster
        A cluster this executor started (closed with it), or None.
    """

    distributed = True

    def __init__(self, client: Any, *, cluster: Any = None):
        self.client = client
        self.cluster = cluster
        workers = len(client.scheduler_info().get("workers", {}))
        self.description = f"Dask cluster at {client.scheduler.address} ({workers} workers)"

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        on_done: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        if not items:
            return []
        name = getattr(fn, "__name__", "task").strip("_") or "task"
        run = uuid.uuid4().hex[:8]
        keys = [f"valleymaps-{name}-{run}-{i}" for i in range(len(items))]
        futures = self.client.map(fn, list(items), key=keys, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        log.info("%d %s tasks sent to %s", len(futures), name, self.description)
        done: dict[int, R] = {}
        try:
            with self.client.as_current():  # as_completed asks for the current client
                completed = as_completed(futures)
            for future in completed:  # every task ends (the first failing item's error is raised)
                i = index[future.key]
                if future.status == "finished":
                    done[i] = future.result()
                    if on_done is not None:
                        on_done(i, done[i])
            results = []
            for i, future in enumerate(futures):
                try:
                    results.append(done[i] if i in done else future.result())
                except KilledWorker as exc:
                    raise ComputeError(
                        f"task {i + 1} of {len(futures)} ({name} of {cut_value(items[i])}) was lost with "
                        f"its worker {settings.COMPUTE_ALLOWED_FAILURES} times or more (a worker killed, "
                        "or out of memory: raise the workers' memory limit, or run in this process with "
                        f"--scheduler none). {self.description}: {exc}"
                    ) from exc
            return results
        finally:
            self.client.cancel([f for f in futures if not f.done()])
            for future in futures:
                future.release()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _import_distributed(address: str, source: str) -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise MissingDependencyError(
            f"{source} names a Dask scheduler ({cut_value(address)}) but dask.distributed is not "
            f"installed. Install it with {_INSTALL_FIX}, or run in this process with --scheduler none"
            + (f" (or unset ${SCHEDULER_ENV})" if source.startswith("$") else "")
            + "."
        ) from exc
    return distributed


def _start_local(distributed: Any, workers: int) -> tuple[Any, Any]:
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": settings.COMPUTE_ALLOWED_FAILURES}):
        # the dashboard on a free port of this machine only: dashboard_address=None still binds
        # 8787, and a second local cluster (or any program holding 8787) then fails to start
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
        )
    return cluster, distributed.Client(cluster, set_as_default=False)


def get_executor(
    scheduler: str | None = None,
    *,
    configured: str | None = None,
    timeout: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> Executor:
    """The executor for a run: this process, or a Dask cluster when a scheduler is named.

    Parameters
    ----------
    scheduler
        ``--scheduler``: a Dask scheduler address (``tcp://host:8786``), ``"local"`` / ``"local:N"``
        (a cluster of N worker processes on this machine, started for the run and closed with the
        executor; N defaults to the CPU count), or ``"none"`` (this process). When None,
        ``$VALLEYMAPS_SCHEDULER`` and then ``configured`` are used.
    configured
        ``[compute] scheduler`` of the workspace (``ws.config.scheduler``).
    timeout
        Seconds to wait for the scheduler (default
        :data:`~valleymaps.settings.COMPUTE_CONNECT_TIMEOUT_S`).
    environ
        The environment (default ``os.environ``).

    Raises
    ------
    MissingDependencyError
        A scheduler is named but dask.distributed is not installed.
    SchedulerUnavailableError
        The address is not one, or nothing answers there; the message names the address, where it
        was set and the fix.
    """
    address, source = resolve_scheduler(scheduler, configured=configured, environ=environ)
    if address is None:
        return InProcessExecutor()
    local = _LOCAL.match(address)
    if not local and not _ADDRESS.match(address):
        raise SchedulerUnavailableError(
            f"{source} {cut_value(address)} is not a Dask scheduler address; write it as "
            "tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786), 'local' for a cluster on this machine, or "
            "'none' to run in this process."
        )
    distributed = _import_distributed(address, source)
    if local:
        workers = int(local.group("n") or (os.cpu_count() or 1))
        cluster, client = _start_local(distributed, max(1, workers))
        log.info("started a local Dask cluster of %d worker processes", workers)
        return DaskExecutor(client, cluster=cluster)
    wait = settings.COMPUTE_CONNECT_TIMEOUT_S if timeout is None else timeout
    try:
        client = distributed.Client(address, timeout=wait, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        unset = {
            "--scheduler": "check the address (start the scheduler with 'dask scheduler'), or leave "
            "out --scheduler to run in this process",
            f"${SCHEDULER_ENV}": f"check the address, or unset {SCHEDULER_ENV} to run in this process",
        }.get(source, "check the address, or remove [compute] scheduler from valleymaps.toml (or pass "
                      "--scheduler none) to run in this process")
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SchedulerUnavailableError(
            f"cannot reach the Dask scheduler at {cut_value(address)} (from {source}) within "
            f"{wait:g} s ({reason[:160]}). Is it running? {unset[0].upper()}{unset[1:]}."
        ) from exc
    executor = DaskExecutor(client)
    log.info("connected to %s", executor.description)
    return executor


def check_config_scheduler(value: object) -> str | None:
    """The problem with a ``[compute] scheduler`` value of ``valleymaps.toml``, or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        return (f"[compute] scheduler must be text in quotes such as \"tcp://10.0.0.5:8786\", not "
                f"{type(value).__name__} {cut_value(value)}")
    text = value.strip()
    if text.lower() in IN_PROCESS_NAMES or _LOCAL.match(text) or _ADDRESS.match(text):
        return None
    return (f"[compute] scheduler {cut_value(value)} is not a Dask scheduler address; write "
            "\"tcp://HOST:PORT\", \"local\", or remove the line to run in this process")


__all__ = [
    "SCHEDULER_ENV",
    "DaskExecutor",
    "Executor",
    "InProcessExecutor",
    "check_config_scheduler",
    "gdal_threads",
    "get_executor",
    "resolve_scheduler",
    "task_threads",
]
