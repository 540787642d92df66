"""The workspace's flows store: ``data/econ/flows/<name>.<level>.csv`` + ``<name>.meta.json``.

Each dataset has one CSV per level (``county``, and ``tract`` or ``block_group`` for LODES) with
the columns ``h_geoid,w_geoid,workers,workers_moe`` and, for LODES, the segment columns; GEOIDs
are text with their leading zeros, a missing MOE an empty cell. A LODES dataset may also hold the
area totals of RAC and WAC files of the same state, year and job type (``<name>.rac.csv``,
``<name>.wac.csv``: ``geoid,workers,SA01,...,SI03`` for block groups, tracts and counties). A
JSON sidecar says what the data are:

.. code-block:: json

    {"name": "ca_od_2021_jt00", "format": "lodes-od", "source": "LEHD LODES8 ...",
     "vintage": "2021", "levels": ["county", "tract"], "detail_counties": ["06019", ...],
     "imported_from": ["ca_od_main_JT00_2021.csv.gz"], "synthetic": false, "notes": [],
     "rows": {"county": 3364, "tract": 176488}, "imported_at": "...",
     "lodes_version": "LODES8", "states": ["ca"], "job_type": "JT00",
     "totals": {"rac": {"source": "LEHD LODES8 RAC 2021 ...", "imported_from": [...], ...}}}

Every file is written atomically and the sidecar last, so a dataset is complete when its
sidecar exists; :func:`load_flows` reads it back as it was saved. The tables are also saved in the
hive-partitioned Parquet store (:mod:`valleymaps.io.flows.parquet_store`), and :func:`load_flows`,
the one reader of flows, takes them from there when it holds them whole (the same frames, read
faster), from the CSV files otherwise (workspaces imported before the Parquet store existed:
:func:`migrate_flows_to_parquet` adds their tables to it).
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from valleymaps import settings
from valleymaps.compute.executor import Executor
from valleymaps.errors import (
    ConfigError,
    DataExistsError,
    DataSourceError,
    FieldError,
    Problem,
    ValidationError,
)
from valleymaps.io.atomic import atomic_path, write_text_atomic
from valleymaps.io.employment._common import is_synthetic, safe_name
from valleymaps.io.filelock import exclusive_lock, lock_path
from valleymaps.io.flows import acs_county, acs_xlsx, lodes_area, lodes_od
from valleymaps.io.flows.dataset import FLOW_COLUMNS, LEVEL_LENGTHS, FlowDataset
from valleymaps.io.flows.lodes_area import AreaTotals
from valleymaps.io.flows.lodes_od import JOB_TYPES
from valleymaps.io.flows.lodes_version import resolve_lodes_version
from valleymaps.io.flows.parquet_store import (
    find_flows_parquet,
    read_flows_parquet,
    remove_flows_parquet,
    write_flows_parquet,
)
from valleymaps.io.os_errors import ensure_readable
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

META_SUFFIX = ".meta.json"

#: Formats :func:`import_flows` reads, and what they are.
FORMATS: dict[str, str] = {
    lodes_od.FORMAT: "LEHD LODES origin-destination files ({st}_od_{main|aux}_JT0x_YYYY.csv.gz)",
    acs_county.FORMAT: "ACS county-to-county commuting flows table (table1.xlsx as published, "
                       "or CSV)",
    "lodes-rac": "LEHD LODES residence area characteristics ({st}_rac_S000_JT0x_YYYY.csv.gz): "
    "employed residents of the areas of a LODES OD dataset",
    "lodes-wac": "LEHD LODES workplace area characteristics ({st}_wac_S000_JT0x_YYYY.csv.gz): "
    "jobs in the areas of a LODES OD dataset",
}


def flows_dir(ws: Workspace) -> Path:
    """``data/econ/flows`` of a workspace."""
    return ws.econ_dir / "flows"


def resolve_flow_format(name: str) -> str:
    """Canonical format name (forgiving about case, ``_`` and spaces).

    >>> resolve_flow_format("LODES_OD"), resolve_flow_format("acs"), resolve_flow_format("RAC")
    ('lodes-od', 'acs-county', 'lodes-rac')
    """
    key = re.sub(r"[^a-z]", "", name.lower())
    aliases = {"lodesod": lodes_od.FORMAT, "lodes": lodes_od.FORMAT, "od": lodes_od.FORMAT,
               "acscounty": acs_county.FORMAT, "acs": acs_county.FORMAT,
               "lodesrac": "lodes-rac", "rac": "lodes-rac", "lodeswac": "lodes-wac", "wac": "lodes-wac"}
    if key in aliases:
        return aliases[key]
    raise ConfigError(
        f"unknown flows format {name!r}; use one of: "
        + "; ".join(f"{k} ({v})" for k, v in FORMATS.items())
    )


def _level_path(ws: Workspace, name: str, level: str) -> Path:
    return flows_dir(ws) / f"{name}.{level}.csv"


def _meta_path(ws: Workspace, name: str) -> Path:
    return flows_dir(ws) / f"{name}{META_SUFFIX}"


def _write_table(path: Path, table: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        try:
            import pyarrow as pa
            import pyarrow.csv as pacsv
        except ImportError:  # pragma: no cover - pandas alone is slower but fine
            table.to_csv(tmp, index=False, lineterminator="\n", float_format="%.10g")
            return
        with open(tmp, "wb") as fh:
            fh.write((",".join(map(str, table.columns)) + "\n").encode("utf-8"))
            pacsv.write_csv(
                pa.Table.from_pandas(table, preserve_index=False),
                fh,
                pacsv.WriteOptions(include_header=False, quoting_style="none"),
            )


def _totals_meta(totals: AreaTotals, imported_at: str | None = None) -> dict[str, Any]:
    return {
        "source": totals.source,
        "imported_from": list(totals.imported_from),
        "states": list(totals.states),
        "postal": list(totals.postal),
        "year": totals.year,
        "job_type": totals.job_type,
        "lodes_version": totals.lodes_version,
        "notes": list(totals.notes),
        "rows": len(totals.table),
        "imported_at": imported_at or datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _write_totals(ws: Workspace, name: str, totals: AreaTotals) -> Path:
    path = _level_path(ws, name, totals.kind)
    _write_table(path, totals.table)
    return path


def _write_meta(ws: Workspace, dataset: FlowDataset, *, totals_imported: dict[str, str] | None = None,
                imported_at: str | None = None, parquet_id: str | None = None) -> Path:
    meta: dict[str, Any] = {
        "name": dataset.name,
        "format": dataset.format,
        "source": dataset.source,
        "vintage": dataset.vintage,
        "levels": dataset.levels,
        "detail_counties": list(dataset.detail_counties) if dataset.detail_counties else None,
        "imported_from": list(dataset.imported_from),
        "synthetic": bool(dataset.synthetic),
        "notes": list(dataset.notes),
        "rows": {level: len(t) for level, t in dataset.tables.items()},
        "imported_at": imported_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "lodes_version": dataset.lodes_version,
        "states": list(dataset.states),
        "job_type": dataset.job_type,
        "totals": {kind: _totals_meta(t, (totals_imported or {}).get(kind))
                   for kind, t in sorted(dataset.totals.items())},
    }
    if parquet_id is not None:  # the save whose tables the Parquet store holds
        meta["parquet_id"] = parquet_id
    path = _meta_path(ws, dataset.name)
    write_text_atomic(path, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return path


def save_flows(ws: Workspace, dataset: FlowDataset) -> list[Path]:
    """Write ``dataset`` to the workspace's flows store (replacing one of the same name).

    Returns
    -------
    list of pathlib.Path
        The CSV files written, the Parquet files (when
        :data:`~valleymaps.settings.FLOWS_PARQUET`), then the sidecar.
    """
    if safe_name(dataset.name) != dataset.name:
        raise ConfigError(
            f"dataset name {dataset.name!r} cannot be a file name; use letters, digits, '_', '-' "
            f"and '.', e.g. {safe_name(dataset.name)!r}."
        )
    written = []
    for level, table in dataset.tables.items():
        path = _level_path(ws, dataset.name, level)
        _write_table(path, table)
        written.append(path)
    written += [_write_totals(ws, dataset.name, t) for t in dataset.totals.values()]
    parquet_id = None
    if settings.FLOWS_PARQUET:  # also hive-partitioned Parquet (parquet_store), before the sidecar
        parquet_id = uuid.uuid4().hex
        written += write_flows_parquet(ws, dataset, save_id=parquet_id)
    else:  # no partitions of an earlier save left to be read instead of these tables
        remove_flows_parquet(ws, dataset.name)
    parts = {*LEVEL_LENGTHS, *lodes_area.KINDS}
    for stale in flows_dir(ws).glob(f"{dataset.name}.*.csv"):
        if stale not in written and stale.name.count(".") == 2 and stale.name.split(".")[1] in parts:
            stale.unlink()
    written.append(_write_meta(ws, dataset, parquet_id=parquet_id))
    log.info("saved flows %s: %s", dataset.name,
             ", ".join(f"{len(t):,} {lv} pairs" for lv, t in dataset.tables.items()))
    return written


def list_flows(ws: Workspace) -> list[str]:
    """Names of the flow datasets in the workspace, sorted."""
    folder = flows_dir(ws)
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(META_SUFFIX)] for p in folder.glob(f"*{META_SUFFIX}")
                  if not p.name.startswith("."))


def _check_geoids(path: Path, table: pd.DataFrame, column: str, widths: set[int], what: str) -> None:
    geoids = table[column]
    bad = geoids.isna() | ~(geoids.str.len().isin(list(widths)) | geoids.str.startswith("F"))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValidationError(str(path), [Problem(
            f"GEOID {geoids.iloc[row]!r} is not a {what}; import the flows again.", row=row + 1,
            column=column,
        )])


def _read_table(ws: Workspace, name: str, level: str, meta: dict[str, Any]) -> pd.DataFrame:
    """Dataset ``name``'s table at ``level``: from the Parquet store when it holds it whole, else
    from the CSV store (the same frame either way)."""
    parquet = read_flows_parquet(ws, name, level, save_id=meta.get("parquet_id"),
                                 rows=(meta.get("rows") or {}).get(level))
    if parquet is not None:
        path, table = parquet
    else:
        path = _level_path(ws, name, level)
        if not path.is_file():
            raise DataSourceError(f"{path} is missing; import the flows again.")
        table = pd.read_csv(path, dtype={"h_geoid": "str", "w_geoid": "str"}, keep_default_na=True)
    missing = [c for c in FLOW_COLUMNS if c not in table.columns]
    if missing:
        raise FieldError(f"{path} has no column {', '.join(missing)}; import the flows again.")
    width = LEVEL_LENGTHS[level]
    for column in ("h_geoid", "w_geoid"):
        _check_geoids(path, table, column, {2, width, 5}, f"{width}-character code")
    table["workers_moe"] = table["workers_moe"].astype("float64")
    return table


def _read_totals(ws: Workspace, name: str, kind: str, meta: dict[str, Any]) -> AreaTotals:
    path = _level_path(ws, name, kind)
    if not path.is_file():
        raise DataSourceError(f"{path} is missing; import the {kind.upper()} files again.")
    table = pd.read_csv(path, dtype={"geoid": "str"})
    if "geoid" not in table.columns or "workers" not in table.columns:
        raise FieldError(f"{path} has no column geoid or workers; import the {kind.upper()} files again.")
    _check_geoids(path, table, "geoid", set(lodes_area.LEVELS.values()),
                  "block group, tract or county code")
    return AreaTotals(
        kind=kind, table=table, source=str(meta.get("source", kind.upper())),
        imported_from=[str(x) for x in meta.get("imported_from", [])],
        states=tuple(str(x) for x in meta.get("states", [])),
        year=meta.get("year"), job_type=meta.get("job_type"), lodes_version=meta.get("lodes_version"),
        postal=tuple(str(x) for x in meta.get("postal", [])),
        notes=[str(x) for x in meta.get("notes", [])],
    )


def _read_meta(ws: Workspace, name: str) -> dict[str, Any]:
    meta_path = _meta_path(ws, name)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataSourceError(f"no flows dataset {name!r} in {flows_dir(ws)}.") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{meta_path} is not valid JSON ({exc}); import the flows again.") from exc
    if meta.get("format") == lodes_od.FORMAT and not meta.get("job_type"):
        # datasets saved before the fields existed: what their file names say
        parts = [lodes_od.parse_od_name(f) for f in meta.get("imported_from", [])]
        meta["states"] = sorted({p["state"] for p in parts if p})
        meta["job_type"] = next((p["job_type"] for p in parts if p), None)
    return dict(meta)


def load_flows(ws: Workspace, name: str) -> FlowDataset:
    """Read flow dataset ``name`` from the workspace.

    Raises
    ------
    DataSourceError
        If a table is missing.
    ConfigError
        If the sidecar is not valid JSON.
    """
    meta = _read_meta(ws, name)
    tables = {level: _read_table(ws, name, level, meta) for level in meta.get("levels", [])}
    totals = {kind: _read_totals(ws, name, kind, m) for kind, m in (meta.get("totals") or {}).items()}
    return _dataset_from_meta(name, meta, tables, totals)


def _dataset_from_meta(name: str, meta: dict[str, Any], tables: dict[str, pd.DataFrame],
                       totals: dict[str, AreaTotals]) -> FlowDataset:
    detail = meta.get("detail_counties")
    return FlowDataset(
        name=name,
        format=str(meta.get("format", "")),
        source=str(meta.get("source", name)),
        vintage=str(meta.get("vintage", "")),
        tables=tables,
        imported_from=[str(x) for x in meta.get("imported_from", [])],
        detail_counties=tuple(detail) if detail else None,
        synthetic=bool(meta.get("synthetic", False)),
        notes=[str(x) for x in meta.get("notes", [])],
        lodes_version=meta.get("lodes_version"),
        states=tuple(str(x) for x in meta.get("states") or ()),
        job_type=meta.get("job_type"),
        totals=totals,
    )


def migrate_flows_to_parquet(ws: Workspace) -> list[Path]:
    """Add to the Parquet store the tables of datasets saved before it existed (CSV store only).

    Datasets the store already holds whole are left alone; nothing is done when
    :data:`~valleymaps.settings.FLOWS_PARQUET` is off. Returns the Parquet files written.
    """
    if not settings.FLOWS_PARQUET:
        return []
    written: list[Path] = []
    for name in list_flows(ws):
        meta = _read_meta(ws, name)
        rows, save_id = meta.get("rows") or {}, meta.get("parquet_id")
        if all(find_flows_parquet(ws, name, lv, save_id=save_id, rows=rows.get(lv))
               for lv in meta.get("levels", [])):
            continue
        parquet_id = uuid.uuid4().hex
        written += write_flows_parquet(ws, load_flows(ws, name), save_id=parquet_id)
        raw = json.loads(_meta_path(ws, name).read_text(encoding="utf-8"))  # the sidecar as it was
        write_text_atomic(_meta_path(ws, name),
                          json.dumps({**raw, "parquet_id": parquet_id}, indent=2, ensure_ascii=False) + "\n")
    return written


def load_all_flows(ws: Workspace) -> list[FlowDataset]:
    """Every flow dataset of the workspace, sorted by name."""
    datasets = [load_flows(ws, name) for name in list_flows(ws)]
    log.info("loaded %d flow datasets from %s", len(datasets), flows_dir(ws))
    return datasets


def _lodes_dataset(paths: list[Path], *, region: Iterable[str], detail_level: str,
                   year: int | None, lodes_version: str | None,
                   on_progress: Callable[[int, int], None] | None,
                   executor: Executor | None = None) -> FlowDataset:
    unnamed = [p.name for p in paths if lodes_od.parse_od_name(p) is None]
    if unnamed and year is None:
        raise ConfigError(
            f"the year of {', '.join(unnamed)} is not in the file name (as in "
            "ca_od_main_JT00_2021.csv.gz); pass --year."
        )
    named_years = {int(p["year"]) for p in map(lodes_od.parse_od_name, paths) if p}
    version = resolve_lodes_version(paths, year=named_years.pop() if len(named_years) == 1 else year,
                                    given=lodes_version)
    agg = lodes_od.read_lodes_od(paths, detail_level=detail_level, detail_counties=list(region),
                                 on_progress=on_progress, executor=executor)
    data_year = agg.year or year
    job_type = agg.job_type
    parts = sorted({f.part for f in agg.files if f.part}, key=["main", "aux"].index)
    states = sorted({f.state for f in agg.files if f.state})
    tables = {}
    for level, table in (("county", agg.county), (agg.detail_level, agg.detail)):
        table = table.copy()
        table.insert(3, "workers_moe", np.nan)
        tables[level] = table
    source = (f"LEHD {version or 'LODES'} origin-destination {data_year}"
              + (f", {JOB_TYPES.get(job_type, job_type)} ({job_type})" if job_type else "")
              + (f", {'+'.join(parts)} part{'s' if len(parts) > 1 else ''}" if parts else "")
              + (f" of {', '.join(s.upper() for s in states)}" if states else ""))
    notes = [f"{agg.rows:,} block pairs, {agg.workers:,} workers"]
    if "aux" not in parts:
        notes.append("no aux file: workers living in other states are not included")
    if version is None:
        notes.append("LODES version not known (not in the folder names, and LODES7 and LODES8 both "
                     "have this year): pass --lodes-version")
    name = safe_name("_".join(filter(None, ["_".join(states) or "lodes", "od", str(data_year),
                                            (job_type or "").lower()])))
    return FlowDataset(name=name, format=lodes_od.FORMAT, source=source, vintage=str(data_year),
                       tables=tables, imported_from=[p.name for p in paths],
                       detail_counties=agg.detail_counties, notes=notes, lodes_version=version,
                       states=tuple(states), job_type=job_type)


def _acs_dataset(paths: list[Path]) -> FlowDataset:
    if len(paths) != 1:
        raise ConfigError("pass one ACS county flows table at a time.")
    if acs_xlsx.is_workbook(paths[0]):
        read = acs_xlsx.read_acs_xlsx_flows(paths[0])
    else:
        read = acs_county.read_acs_county_flows(paths[0])
    vintage = read.vintage or ""
    places = ", ".join(read.abroad_places)
    notes = [
        f"{read.rows:,} county pairs",
        f"{read.abroad_rows:,} rows with work places abroad{f' ({places})' if places else ''}",
        f"{read.not_given_rows:,} rows with no work place (kept as 'work place not given')",
        f"{read.skipped_trailer:,} lines at the end skipped (blank row, source notes)",
    ]
    if read.other_abroad_codes:
        notes.append(f"place-of-work codes {', '.join(read.other_abroad_codes)} (abroad, not on "
                     f"valleymaps' list) counted as '{acs_county.ABROAD[acs_county.ABROAD_OTHER]}'")
    return FlowDataset(
        name=safe_name(f"acs_county_flows_{vintage.replace('–', '_')}".rstrip("_")),
        format=acs_county.FORMAT,
        source=f"ACS {vintage + ' ' if vintage else ''}5-year county-to-county commuting flows",
        vintage=vintage,
        tables={"county": read.table},
        imported_from=[paths[0].name],
        notes=notes,
    )


def _path_list(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    path_list = [Path(paths)] if isinstance(paths, str | os.PathLike) else [Path(p) for p in paths]
    if not path_list:
        raise ConfigError("no flows file given; pass at least one file.")
    return path_list


def read_flows(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    format: str,
    region_counties: Iterable[str],
    detail_level: str = "tract",
    year: int | None = None,
    name: str | None = None,
    lodes_version: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> FlowDataset:
    """Read flow files of one format into a dataset (nothing is written).

    Parameters
    ----------
    paths
        LODES OD files (one year and job type: a state's main and aux parts, other states' aux
        parts) or one ACS county flows table.
    format
        ``lodes-od`` or ``acs-county`` (RAC and WAC files are added to a stored dataset with
        :func:`import_area_totals`).
    region_counties
        LODES: the finer table keeps pairs with an end in these counties.
    detail_level
        LODES: level of the finer table (``tract``, ``block_group``).
    year
        LODES: the year, when the file names do not tell it.
    name
        Dataset name (default from the files).
    lodes_version
        LODES: ``"LODES7"`` or ``"LODES8"``, when neither the folders (``.../LODES8/ca/od/``) nor
        the year (after 2019: LODES8) tell it.
    on_progress
        LODES: called as ``on_progress(done, total)`` with bytes read.
    executor
        LODES: where to read the files (:func:`valleymaps.compute.get_executor`; default this
        process). On a Dask cluster each file is one task; the tables are the same.
    """
    fmt = resolve_flow_format(format)
    path_list = _path_list(paths)
    ensure_readable(path_list)
    if fmt in lodes_area.FORMATS:
        raise ConfigError(f"{fmt} files are area totals, not flows: add them to a LODES OD dataset "
                          "with import_flows (or import_area_totals).")
    if fmt == lodes_od.FORMAT:
        dataset = _lodes_dataset(path_list, region=region_counties, detail_level=detail_level,
                                 year=year, lodes_version=lodes_version, on_progress=on_progress,
                                 executor=executor)
    else:
        dataset = _acs_dataset(path_list)
    if name is not None:
        if safe_name(name) != name:
            raise ConfigError(
                f"dataset name {name!r} cannot be a file name; use letters, digits, '_', '-' and "
                f"'.', e.g. {safe_name(name)!r}."
            )
        dataset.name = name
    dataset.synthetic = any(is_synthetic(p) for p in path_list)
    if dataset.synthetic and "synthetic" not in dataset.name:
        dataset.name += "_synthetic"
    return dataset


def _totals_fit(dataset: FlowDataset, totals: AreaTotals) -> list[str]:
    """Why ``totals`` do not belong to ``dataset`` (empty when they do)."""
    reasons = []
    if dataset.format != lodes_od.FORMAT:
        reasons.append(f"it is not a LODES OD dataset ({dataset.format})")
    if totals.year is not None and dataset.vintage != str(totals.year):
        reasons.append(f"its year is {dataset.vintage}, the files' {totals.year}")
    if totals.job_type and dataset.job_type and totals.job_type != dataset.job_type:
        reasons.append(f"its job type is {dataset.job_type}, the files' {totals.job_type}")
    if totals.postal and dataset.states and not set(totals.postal) <= set(dataset.states):
        reasons.append(f"it holds the OD files of {', '.join(s.upper() for s in dataset.states)}, "
                       f"not of {', '.join(s.upper() for s in totals.postal)}")
    if totals.lodes_version and dataset.lodes_version and totals.lodes_version != dataset.lodes_version:
        reasons.append(f"it is {dataset.lodes_version}, the files {totals.lodes_version}")
    return reasons


def _find_dataset(ws: Workspace, totals: AreaTotals, name: str | None) -> FlowDataset:
    if name is not None:
        dataset = load_flows(ws, name)
        reasons = _totals_fit(dataset, totals)
        if reasons:
            raise ConfigError(f"the {totals.kind.upper()} files ({totals.source}) cannot be added to "
                              f"flows {name!r}: {'; '.join(reasons)}.")
        return dataset
    metas = {n: _read_meta(ws, n) for n in list_flows(ws)}
    names = [n for n, m in metas.items() if m.get("format") == lodes_od.FORMAT]
    # which datasets fit is told by their sidecars: no table is read for it
    fitting = [d for d in (_dataset_from_meta(n, metas[n], {}, {}) for n in names)
               if not _totals_fit(d, totals)]
    if len(fitting) == 1:
        return load_flows(ws, fitting[0].name)
    what = (f"{', '.join(s.upper() for s in totals.postal) or 'the same state'} {totals.year or ''} "
            f"{totals.job_type or ''}").replace("  ", " ").strip()
    if not fitting:
        example = (f"{(totals.postal or ('ca',))[0]}_od_main_{totals.job_type or 'JT00'}_"
                   f"{totals.year or 'YYYY'}.csv.gz")
        raise ConfigError(
            f"no LODES OD dataset of {what} in {flows_dir(ws)} to add the {totals.kind.upper()} totals "
            f"to (LODES OD datasets: {', '.join(names) or 'none'}). Import the OD files first, e.g. "
            f"'valleymaps import flows {example} --format lodes-od', or pass --name DATASET."
        )
    raise ConfigError(f"several LODES OD datasets of {what} ({', '.join(d.name for d in fitting)}); "
                      "pass --name DATASET to choose one.")


def import_area_totals(
    ws: Workspace,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    kind: str,
    year: int | None = None,
    name: str | None = None,
    lodes_version: str | None = None,
    replace: bool = False,
) -> FlowDataset:
    """Add the area totals of LODES RAC or WAC files to the LODES OD dataset they belong to.

    The RAC files give the employed residents, the WAC files the jobs, of block groups, tracts
    and counties; the inflow/outflow measures then use them, keeping the OD-derived numbers for
    the check (see :func:`valleymaps.analysis.commuting.compute_inflow_outflow`).

    Parameters
    ----------
    ws
        The workspace.
    paths
        ``{st}_rac_S000_JT0x_YYYY.csv.gz`` or ``{st}_wac_...`` files of one year and job type.
    kind
        ``"rac"`` or ``"wac"`` (or the format names ``"lodes-rac"``, ``"lodes-wac"``).
    year, lodes_version
        When the file names and folders do not tell them.
    name
        The OD dataset to add them to (default: the one of the same state, year and job type).
    replace
        Replace totals of the same kind the dataset holds already (else refuse).

    Returns
    -------
    FlowDataset
        The OD dataset with its totals.

    Raises
    ------
    ConfigError
        If no (or more than one) stored LODES OD dataset matches the files' state, year, job type
        and LODES version.
    ValidationError, FieldError
        If the files cannot be read (block GEOIDs stored as numbers: the column and the fix).
    """
    kind = lodes_area.FORMATS.get(kind, kind)
    ensure_readable(_path_list(paths))
    totals = lodes_area.read_lodes_area_totals(_path_list(paths), kind=kind, year=year,
                                               lodes_version=lodes_version)
    dataset = _find_dataset(ws, totals, name)
    previous = _read_meta(ws, dataset.name)
    old = (previous.get("totals") or {}).get(kind)
    if old is not None and not replace and not _same_totals(ws, dataset.name, kind, previous, totals):
        raise DataExistsError(
            f"flows {dataset.name!r} already hold {kind.upper()} totals ({old.get('source', kind)}: "
            f"{old.get('rows', 0):,} areas); this import would replace them with {totals.source} "
            f"({len(totals.table):,} areas). Pass --replace to replace them."
        )
    dataset.totals[kind] = totals
    _write_totals(ws, dataset.name, totals)
    kept = {k: str(v.get("imported_at")) for k, v in (previous.get("totals") or {}).items() if k != kind}
    _write_meta(ws, dataset, totals_imported=kept, imported_at=previous.get("imported_at"),
                parquet_id=previous.get("parquet_id"))
    log.info("added %s totals (%s) to flows %s", kind.upper(), totals.source, dataset.name)
    return dataset


def _same_table(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    return bool(all(a[c].astype(str).reset_index(drop=True).equals(b[c].astype(str).reset_index(drop=True))
                    for c in a.columns))


def _holds_same_pairs(ws: Workspace, dataset: FlowDataset) -> bool:
    """Whether the stored dataset of that name holds exactly the pairs ``dataset`` would write
    (importing the same files again replaces nothing)."""
    try:
        old = load_flows(ws, dataset.name)
    except (DataSourceError, ConfigError, FieldError, ValidationError):
        return False
    return (old.format == dataset.format and sorted(old.tables) == sorted(dataset.tables)
            and all(_same_table(old.tables[lv], t) for lv, t in dataset.tables.items()))


def _same_totals(ws: Workspace, name: str, kind: str, meta: dict[str, Any], totals: AreaTotals) -> bool:
    try:
        old = _read_totals(ws, name, kind, (meta.get("totals") or {}).get(kind) or {})
    except (DataSourceError, FieldError, ValidationError):
        return False
    return _same_table(old.table, totals.table)


def _carry_totals(ws: Workspace, dataset: FlowDataset) -> None:
    """Keep the RAC/WAC totals of the dataset being replaced when they still fit."""
    if dataset.name not in list_flows(ws) or dataset.format != lodes_od.FORMAT:
        return
    try:
        old = load_flows(ws, dataset.name)
    except (DataSourceError, ConfigError, FieldError, ValidationError) as exc:
        log.warning("flows %s: the area totals of the previous import are dropped (%s)", dataset.name, exc)
        return
    for kind, totals in old.totals.items():
        if not _totals_fit(dataset, totals):
            dataset.totals[kind] = totals
            log.info("flows %s: kept the %s totals imported before", dataset.name, kind.upper())


def import_flows(
    ws: Workspace,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    format: str,
    detail_level: str = "tract",
    year: int | None = None,
    name: str | None = None,
    lodes_version: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    replace: bool = False,
    executor: Executor | None = None,
) -> FlowDataset:
    """Read flow files and save them as one dataset in the workspace's flows store.

    A dataset of the same name holding other pairs is replaced only when ``replace`` is true
    (the same pairs again replace nothing; else
    :class:`~valleymaps.errors.DataExistsError` with the pairs before and after); the check and
    the write hold the dataset's lock.

    LODES tract pairs are kept where the home or the work place is in the workspace's region;
    county pairs are all kept. RAC and WAC files (formats ``lodes-rac``, ``lodes-wac``) are added
    to the stored LODES OD dataset of the same state, year and job type
    (:func:`import_area_totals`; ``name`` then picks the dataset). See :func:`read_flows` for the
    parameters. Nothing is written unless every file reads without problems.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from valleymaps.workspace import Workspace, CONFIG_NAME
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / CONFIG_NAME).write_text("")
    >>> csv = root / "acs_county_flows_2009_2013_us.csv"
    >>> _ = csv.write_text("h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe\\n"
    ...                    "06,019,006,019,317272,2838\\n06,019,006,039,9921,763\\n")
    >>> ds = import_flows(Workspace.open(root), [csv], format="acs-county")
    >>> ds.name, load_flows(Workspace.open(root), ds.name).tables["county"]["workers"].tolist()
    ('acs_county_flows_2009_2013', [317272, 9921])
    """
    fmt = resolve_flow_format(format)
    if fmt in lodes_area.FORMATS:
        return import_area_totals(ws, paths, kind=lodes_area.FORMATS[fmt], year=year, name=name,
                                  lodes_version=lodes_version, replace=replace)
    dataset = read_flows(paths, format=fmt, region_counties=list(ws.config.region_counties),
                         detail_level=detail_level, year=year, name=name, lodes_version=lodes_version,
                         on_progress=on_progress, executor=executor)
    with exclusive_lock(lock_path(_meta_path(ws, dataset.name))):
        if dataset.name in list_flows(ws) and not replace and not _holds_same_pairs(ws, dataset):
            rows = _read_meta(ws, dataset.name).get("rows") or {}
            was = ", ".join(f"{n:,} {level} pairs" for level, n in rows.items()) or "no pairs"
            now = ", ".join(f"{len(t):,} {level} pairs" for level, t in dataset.tables.items())
            raise DataExistsError(
                f"flows dataset {dataset.name!r} exists ({flows_dir(ws)}: {was}); this import would "
                f"replace it with {now} (from {', '.join(dataset.imported_from)}). Pass --replace to "
                "replace it, or --name NEW to keep both."
            )
        _carry_totals(ws, dataset)
        save_flows(ws, dataset)
    return dataset
