"""A real two-worker Dask cluster (processes, one thread each, a memory limit) shared by tests/compute,
and a client on it (tests/cluster_files.py has an executor that kills a worker mid-job)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

distributed = pytest.importorskip("distributed", reason="pip install 'valleymaps[dask]'")

from valleymaps.compute import DaskExecutor  # noqa: E402

#: Memory limit per worker: the workers import geopandas, rasterio and matplotlib (~0.3 GB).
WORKER_MEMORY = "1.5GiB"


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    # the dashboard on a free port of this machine only: dashboard_address=None still binds 8787,
    # and when another cluster holds it (a parallel run, a colleague) Dask warns, which fails
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  memory_limit=WORKER_MEMORY, dashboard_address="127.0.0.1:0") as local:
        yield local


@pytest.fixture
def executor(cluster: Any) -> Iterator[DaskExecutor]:
    with distributed.Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=120)
        yield DaskExecutor(client)
