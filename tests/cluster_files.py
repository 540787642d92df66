"""Dask test helpers: an executor whose first task kills its own worker process once, mid-job.

Tasks defined here run on workers that cannot import this file: it is pickled by value.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cloudpickle

from valleymaps.compute import DaskExecutor


class KillOnce:
    """``fn`` as a task that, the first time any worker runs it, kills that worker mid-job.

    The kill comes from inside the library: ``module.attribute`` (a function the task calls once
    its work is mostly done) is replaced in the worker by one that SIGKILLs the worker process.
    ``marker`` records that the kill happened, so the task started again on a worker finishes.
    """

    def __init__(self, fn: Callable[[Any], Any], marker: Path, module: str, attribute: str):
        self.fn, self.marker, self.module, self.attribute = fn, marker, module, attribute
        self.__name__ = getattr(fn, "__name__", "task")

    def __call__(self, item: Any) -> Any:
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return self.fn(item)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        module = importlib.import_module(self.module)

        def die(*_args: Any, **_kwargs: Any) -> Any:
            os.kill(os.getpid(), signal.SIGKILL)

        setattr(module, self.attribute, die)
        return self.fn(item)


class FailAfter:
    """``fn`` as a task that raises once it has run on the item whose ``attribute`` is ``value``."""

    def __init__(self, fn: Callable[[Any], Any], attribute: str, value: Any):
        self.fn, self.attribute, self.value = fn, attribute, value
        self.__name__ = getattr(fn, "__name__", "task")

    def __call__(self, item: Any) -> Any:
        result = self.fn(item)
        if getattr(item, self.attribute) == self.value:
            raise RuntimeError("the task failed after its work was written")
        return result


class KillingExecutor(DaskExecutor):
    """A :class:`DaskExecutor` whose first task kills its worker (see :class:`KillOnce`)."""

    def __init__(self, client: Any, *, marker: Path, module: str, attribute: str):
        super().__init__(client)
        self.kill = (marker, module, attribute)

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], **kwargs: Any) -> list[Any]:
        return super().map(KillOnce(fn, *self.kill), items, **kwargs)


cloudpickle.register_pickle_by_value(sys.modules[__name__])
