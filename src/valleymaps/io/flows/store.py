"""The workspace's flows store: ``data/econ/flows/<name>.<level>.csv`` + ``<name>.meta.json``.

Each dataset has one CSV per level (``county``, and ``tract`` for LODES) with the columns
``h_geoid,w_geoid,workers,workers_moe`` and, for LODES, the segment columns; GEOIDs are text
with their leading zeros, a missing MOE an empty cell. A JSON sidecar says what the data are:

.. code-block:: json

    {"name": "ca_od_2021_jt00", "format": "lodes-od", "source": "LEHD LODES ...",
     "vintage": "2021", "levels": ["county", "tract"], "detail_counties": ["06019", ...],
     "imported_from": ["ca_od_main_JT00_2021.csv.gz"], "synthetic": false, "notes": [],
     "rows": {"county": 3364, "tract": 176488}, "imported_at": "..."}

Every file is written atomically and the sidecar last, so a dataset is complete when its
sidecar exists; :func:`load_flows` reads it back as it was saved.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from valleymaps.errors import ConfigError, DataSourceError, FieldError, Problem, ValidationError
from valleymaps.io.atomic import atomic_path, write_text_atomic
from valleymaps.io.employment._common import is_synthetic, safe_name
from valleymaps.io.flows import acs_county, acs_xlsx, lodes_od
from valleymaps.io.flows.dataset import FLOW_COLUMNS, LEVEL_LENGTHS, FlowDataset
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

META_SUFFIX = ".meta.json"

#: Formats :func:`import_flows` reads, and what they are.
FORMATS: dict[str, str] = {
    lodes_od.FORMAT: "LEHD LODES origin-destination files ({st}_od_{main|aux}_JT0x_YYYY.csv.gz)",
    acs_county.FORMAT: "ACS county-to-county commuting flows table (table1.xlsx as published, "
                       "or CSV)",
}

JOB_TYPES: dict[str, str] = {
    "JT00": "all jobs",
    "JT01": "primary jobs",
    "JT02": "all private jobs",
    "JT03": "private primary jobs",
    "JT04": "all federal jobs",
    "JT05": "federal primary jobs",
}


def flows_dir(ws: Workspace) -> Path:
    """``data/econ/flows`` of a workspace."""
    return ws.econ_dir / "flows"


def resolve_flow_format(name: str) -> str:
    """Canonical format name (forgiving about case, ``_`` and spaces).

    >>> resolve_flow_format("LODES_OD"), resolve_flow_format("acs")
    ('lodes-od', 'acs-county')
    """
    key = re.sub(r"[^a-z]", "", name.lower())
    aliases = {"lodesod": lodes_od.FORMAT, "lodes": lodes_od.FORMAT, "od": lodes_od.FORMAT,
               "acscounty": acs_county.FORMAT, "acs": acs_county.FORMAT}
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


def save_flows(ws: Workspace, dataset: FlowDataset) -> list[Path]:
    """Write ``dataset`` to the workspace's flows store (replacing one of the same name).

    Returns
    -------
    list of pathlib.Path
        The CSV files written, then the sidecar.
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
    for stale in flows_dir(ws).glob(f"{dataset.name}.*.csv"):
        if stale not in written and stale.name.count(".") == 2:
            stale.unlink()
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
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    meta_path = _meta_path(ws, dataset.name)
    write_text_atomic(meta_path, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    written.append(meta_path)
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


def _read_table(path: Path, level: str) -> pd.DataFrame:
    if not path.is_file():
        raise DataSourceError(f"{path} is missing; import the flows again.")
    table = pd.read_csv(path, dtype={"h_geoid": "str", "w_geoid": "str"}, keep_default_na=True)
    missing = [c for c in FLOW_COLUMNS if c not in table.columns]
    if missing:
        raise FieldError(f"{path} has no column {', '.join(missing)}; import the flows again.")
    width = LEVEL_LENGTHS[level]
    for column in ("h_geoid", "w_geoid"):
        geoids = table[column]
        bad = geoids.isna() | ~(geoids.str.len().isin([2, width, 5]) | geoids.str.startswith("F"))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValidationError(str(path), [Problem(
                f"GEOID {geoids.iloc[row]!r} is not a {width}-character code", row=row + 1, column=column
            )])
    table["workers_moe"] = table["workers_moe"].astype("float64")
    return table


def load_flows(ws: Workspace, name: str) -> FlowDataset:
    """Read flow dataset ``name`` from the workspace.

    Raises
    ------
    DataSourceError
        If a table is missing.
    ConfigError
        If the sidecar is not valid JSON.
    """
    meta_path = _meta_path(ws, name)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataSourceError(f"no flows dataset {name!r} in {flows_dir(ws)}.") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{meta_path} is not valid JSON ({exc}); import the flows again.") from exc
    tables = {level: _read_table(_level_path(ws, name, level), level) for level in meta.get("levels", [])}
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
    )


def load_all_flows(ws: Workspace) -> list[FlowDataset]:
    """Every flow dataset of the workspace, sorted by name."""
    datasets = [load_flows(ws, name) for name in list_flows(ws)]
    log.info("loaded %d flow datasets from %s", len(datasets), flows_dir(ws))
    return datasets


def _lodes_dataset(paths: list[Path], *, region: Iterable[str], detail_level: str,
                   year: int | None, on_progress: Callable[[int, int], None] | None) -> FlowDataset:
    unnamed = [p.name for p in paths if lodes_od.parse_od_name(p) is None]
    if unnamed and year is None:
        raise ConfigError(
            f"the year of {', '.join(unnamed)} is not in the file name (as in "
            "ca_od_main_JT00_2021.csv.gz); pass --year."
        )
    agg = lodes_od.read_lodes_od(paths, detail_level=detail_level, detail_counties=list(region),
                                 on_progress=on_progress)
    data_year = agg.year or year
    job_type = agg.job_type
    parts = sorted({f.part for f in agg.files if f.part}, key=["main", "aux"].index)
    states = sorted({f.state for f in agg.files if f.state})
    tables = {}
    for level, table in (("county", agg.county), (agg.detail_level, agg.detail)):
        table = table.copy()
        table.insert(3, "workers_moe", np.nan)
        tables[level] = table
    source = (f"LEHD LODES origin-destination {data_year}"
              + (f", {JOB_TYPES.get(job_type, job_type)} ({job_type})" if job_type else "")
              + (f", {'+'.join(parts)} part{'s' if len(parts) > 1 else ''}" if parts else "")
              + (f" of {', '.join(s.upper() for s in states)}" if states else ""))
    notes = [f"{agg.rows:,} block pairs, {agg.workers:,} workers"]
    if "aux" not in parts:
        notes.append("no aux file: workers living in other states are not included")
    name = safe_name("_".join(filter(None, ["_".join(states) or "lodes", "od", str(data_year),
                                            (job_type or "").lower()])))
    return FlowDataset(name=name, format=lodes_od.FORMAT, source=source, vintage=str(data_year),
                       tables=tables, imported_from=[p.name for p in paths],
                       detail_counties=agg.detail_counties, notes=notes)


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


def read_flows(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    format: str,
    region_counties: Iterable[str],
    detail_level: str = "tract",
    year: int | None = None,
    name: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> FlowDataset:
    """Read flow files of one format into a dataset (nothing is written).

    Parameters
    ----------
    paths
        LODES OD files (one year and job type: a state's main and aux parts, other states' aux
        parts) or one ACS county flows table.
    format
        ``lodes-od`` or ``acs-county``.
    region_counties
        LODES: the finer table keeps pairs with an end in these counties.
    detail_level
        LODES: level of the finer table (``tract``, ``block_group``).
    year
        LODES: the year, when the file names do not tell it.
    name
        Dataset name (default from the files).
    on_progress
        LODES: called as ``on_progress(done, total)`` with bytes read.
    """
    fmt = resolve_flow_format(format)
    path_list = [Path(paths)] if isinstance(paths, str | os.PathLike) else [Path(p) for p in paths]
    if not path_list:
        raise ConfigError("no flows file given; pass at least one file.")
    if fmt == lodes_od.FORMAT:
        dataset = _lodes_dataset(path_list, region=region_counties, detail_level=detail_level,
                                 year=year, on_progress=on_progress)
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


def import_flows(
    ws: Workspace,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    format: str,
    detail_level: str = "tract",
    year: int | None = None,
    name: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> FlowDataset:
    """Read flow files and save them as one dataset in the workspace's flows store.

    LODES tract pairs are kept where the home or the work place is in the workspace's region;
    county pairs are all kept. See :func:`read_flows` for the parameters. Nothing is written
    unless every file reads without problems.

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
    dataset = read_flows(paths, format=format, region_counties=list(ws.config.region_counties),
                         detail_level=detail_level, year=year, name=name, on_progress=on_progress)
    save_flows(ws, dataset)
    return dataset
