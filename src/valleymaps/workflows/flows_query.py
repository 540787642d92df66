"""Aggregate the flows' Parquet store with DuckDB (embedded, no server): one SQL query over every
partition it names, reading only the columns and partitions it needs.

The store is :mod:`valleymaps.io.flows.parquet_store`; the results equal the pandas functions of
:mod:`valleymaps.analysis.commuting` on the same tables (``flows_between_counties``), and a query
may span datasets, years and states at once (``workers_by_year``) without loading them into
memory. DuckDB is an optional dependency (``pip install 'valleymaps[dask]'`` or ``duckdb``).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from valleymaps.analysis.commuting import SEGMENTS
from valleymaps.errors import DataSourceError, MissingDependencyError, cut_value


def _connect() -> Any:
    try:
        import duckdb
    except ImportError as exc:
        raise MissingDependencyError(
            "querying the flows' Parquet store needs DuckDB; install it with pip install duckdb "
            "(or 'valleymaps[dask]')."
        ) from exc
    return duckdb.connect()


def _source(root: str | os.PathLike[str], level: str, dataset: str | None = None) -> str:
    """``read_parquet`` of every partition at ``level`` (of one dataset when named)."""
    folder = Path(root) / f"level={level}"
    partition = "dataset=*" if dataset is None else f"dataset={dataset}"
    if not any(folder.glob(f"state=*/year=*/{partition}/part-*.parquet")):
        what = "" if dataset is None else f" of dataset {cut_value(dataset)}"
        raise DataSourceError(
            f"{folder} holds no Parquet flows{what} at level {cut_value(level)}; import flows with "
            "'valleymaps import flows' (they are written there too) and check the name and level."
        )
    glob = (folder / "*" / "*" / partition / "*.parquet").as_posix().replace("'", "''")
    return f"read_parquet('{glob}', hive_partitioning = true, union_by_name = true)"


def _columns(con: Any, source: str, where: str, params: list[Any]) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source} WHERE {where}", params).fetchall()]


def query_flows_between_counties(
    root: str | os.PathLike[str],
    *,
    dataset: str,
    region_counties: Collection[str],
    level: str = "county",
    include_same: bool = False,
) -> pd.DataFrame:
    """Flows between the region's counties, from the Parquet store: the same frame as
    :func:`~valleymaps.analysis.commuting.flows_between_counties` on the dataset's ``level`` table.

    Parameters
    ----------
    root
        The store (``data/econ/flows/parquet``; :func:`~valleymaps.io.flows.parquet_store.parquet_dir`).
    dataset
        The dataset's name.
    region_counties
        County GEOIDs of the region.
    level
        The table summed up to counties (``county``, ``tract``...).
    include_same
        Keep residents working in their own county.

    Raises
    ------
    DataSourceError
        If the store holds nothing at ``level``.
    MissingDependencyError
        If DuckDB is not installed.
    """
    con = _connect()
    try:
        source = _source(root, level, dataset)  # that dataset's files only
        region = sorted(set(region_counties))
        where = "dataset = ?"
        columns = _columns(con, source, where, [dataset])
        segments = [s for s in SEGMENTS if s and s in columns]
        moe = ("workers_moe" in columns and con.execute(
            f"SELECT count(*) FROM {source} WHERE {where} AND NOT isnan(workers_moe)", [dataset]
        ).fetchone()[0] > 0)
        sums = ", ".join(f'sum("{s}"::DOUBLE) AS "{s}"' for s in ["workers", *segments])
        moe_sql = ("sqrt(coalesce(sum(CASE WHEN isnan(workers_moe) THEN NULL ELSE workers_moe::DOUBLE ^ 2 "
                   "END), 0))" if moe else "NULL::DOUBLE")
        same = "" if include_same else "AND h != w"
        sql = f"""
            WITH f AS (SELECT *, left(h_geoid, 5) AS h, left(w_geoid, 5) AS w FROM {source} WHERE {where})
            SELECT h AS h_geoid, w AS w_geoid, {sums}, {moe_sql} AS workers_moe FROM f
            WHERE h IN (SELECT unnest(?)) AND w IN (SELECT unnest(?)) AND NOT starts_with(w_geoid, 'F') {same}
            GROUP BY h, w ORDER BY workers DESC, h_geoid, w_geoid
        """
        out = con.execute(sql, [dataset, region, region]).df()
    finally:
        con.close()
    out = out[["h_geoid", "w_geoid", "workers", "workers_moe", *segments]]
    out["workers_moe"] = out["workers_moe"].astype(float).fillna(np.nan)
    return out.astype({"h_geoid": "str", "w_geoid": "str"}).reset_index(drop=True)


def query_workers_by_year(
    root: str | os.PathLike[str],
    *,
    region_counties: Collection[str],
    level: str = "county",
    datasets: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Jobs in the region and employed residents of it, per dataset, state and year, in one query
    over every partition (or the ``datasets`` named).

    Returns
    -------
    pandas.DataFrame
        ``dataset``, ``state``, ``year``, ``jobs`` (flows with a work place in the region),
        ``residents`` (with a home in it), ``both`` (living and working in the region); by year,
        then dataset.
    """
    con = _connect()
    try:
        source = _source(root, level)
        region = sorted(set(region_counties))
        names = "" if datasets is None else "AND dataset IN (SELECT unnest(?))"
        params: list[Any] = [region, region]
        if datasets is not None:
            params.append(list(datasets))
        sql = f"""
            WITH f AS (SELECT dataset, state, year::VARCHAR AS year, workers::DOUBLE AS workers,
                              left(h_geoid, 5) IN (SELECT unnest(?)) AS h_in,
                              left(w_geoid, 5) IN (SELECT unnest(?)) AND NOT starts_with(w_geoid, 'F') AS w_in
                       FROM {source})
            SELECT dataset, state::VARCHAR AS state, year,
                   sum(CASE WHEN w_in THEN workers ELSE 0 END) AS jobs,
                   sum(CASE WHEN h_in THEN workers ELSE 0 END) AS residents,
                   sum(CASE WHEN h_in AND w_in THEN workers ELSE 0 END) AS both
            FROM f WHERE (h_in OR w_in) {names}
            GROUP BY ALL ORDER BY year, dataset
        """
        out = con.execute(sql, params).df()
    finally:
        con.close()
    return out.astype({"dataset": "str", "state": "str", "year": "str"}).reset_index(drop=True)


__all__ = ["query_flows_between_counties", "query_workers_by_year"]
