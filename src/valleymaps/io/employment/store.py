"""The workspace's employment store: ``data/econ/employment/<name>.csv`` + ``.meta.json``.

Each dataset is a CSV with the normalised columns
(``geoid,naics,year,employment,flag``; GEOIDs as text with their leading
zeros, withheld values as empty cells with their flag) and a JSON sidecar:

.. code-block:: json

    {"name": "cbp21co", "source": "County Business Patterns 2021", "format": "cbp",
     "synthetic": false, "imported_from": ["cbp21co.txt"], "years": [2021],
     "rows": 41230, "imported_at": "2024-05-01T12:00:00+00:00"}

The sidecar also records ``not_covered``, the NAICS prefixes the source
leaves out (see :data:`valleymaps.employment.SOURCE_GAPS`; older sidecars
without it get their format's default), and ``ownership``: ``"all"`` when
the source tells ownership (QCEW), with the private employers' table in
``private/<name>.csv`` (same columns) beside it; ``"unknown"`` otherwise.

Both files are written atomically; :func:`load_datasets` reads them back
exactly as they were saved.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from valleymaps import settings
from valleymaps.employment import EMPLOYMENT_COLUMNS, EmploymentDataset, default_not_covered
from valleymaps.errors import ConfigError, DataExistsError, ValidationError
from valleymaps.io.atomic import atomic_path, write_text_atomic
from valleymaps.io.employment._common import safe_name
from valleymaps.io.filelock import exclusive_lock, lock_path
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

META_SUFFIX = ".meta.json"

#: Sub-folder of the employment store holding private-ownership tables.
PRIVATE_DIR = "private"


def dataset_paths(ws: Workspace, name: str) -> tuple[Path, Path]:
    """The CSV and metadata paths of dataset ``name`` in ``ws``."""
    return ws.employment_dir / f"{name}.csv", ws.employment_dir / f"{name}{META_SUFFIX}"


def private_path(ws: Workspace, name: str) -> Path:
    """Where the private-ownership table of dataset ``name`` is stored."""
    return ws.employment_dir / PRIVATE_DIR / f"{name}.csv"


def _format_employment(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def dataset_to_csv_text(table: pd.DataFrame) -> str:
    """The store's CSV text of an employment table (integers without ``.0``)."""
    out = pd.DataFrame(
        {
            "geoid": table["geoid"].astype(str),
            "naics": table["naics"].astype(str),
            "year": table["year"].astype("int64"),
            "employment": [_format_employment(v) for v in table["employment"]],
            "flag": table["flag"].fillna("").astype(str),
        }
    )
    return str(out.to_csv(index=False, lineterminator="\n"))


def save_dataset(ws: Workspace, dataset: EmploymentDataset) -> Path:
    """Write ``dataset`` to the workspace's employment store.

    Parameters
    ----------
    ws
        The workspace.
    dataset
        The dataset; its ``name`` becomes the file name and replaces a
        dataset of the same name.

    Returns
    -------
    pathlib.Path
        The CSV written.

    Raises
    ------
    ConfigError
        If the dataset name cannot be a file name.
    """
    if safe_name(dataset.name) != dataset.name:
        raise ConfigError(
            f"dataset name {dataset.name!r} cannot be a file name; use letters, digits, "
            f"'_', '-' and '.', e.g. {safe_name(dataset.name)!r}."
        )
    csv_path, meta_path = dataset_paths(ws, dataset.name)
    replaced = csv_path.exists()
    meta: dict[str, Any] = {
        "name": dataset.name,
        "source": dataset.source,
        "format": dataset.format,
        "synthetic": bool(dataset.synthetic),
        "imported_from": list(dataset.imported_from),
        "years": dataset.years,
        "rows": len(dataset.table),
        "not_covered": list(dataset.not_covered),
        # which NAICS edition each year's file uses (the series is brought to the clusters' one)
        "naics_editions": {str(year): edition for year, edition in dataset.naics_editions.items()},
        "ownership": "all" if dataset.private is not None else "unknown",
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    private = private_path(ws, dataset.name)
    # every file is complete before the table replaces its old version (a full disk changes none)
    with atomic_path(csv_path) as csv_tmp:
        csv_tmp.write_text(dataset_to_csv_text(dataset.table), encoding="utf-8", newline="")
        if dataset.private is not None:
            private.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(private, dataset_to_csv_text(dataset.private))
        elif private.exists():  # a replaced dataset's private table must not outlive it
            private.unlink()
        write_text_atomic(meta_path, json.dumps(meta, indent=2) + "\n")
    log.info(
        "%s %s: %d rows, years %s",
        "replaced" if replaced else "saved",
        csv_path,
        len(dataset.table),
        dataset.vintage,
    )
    return csv_path


def _read_meta(meta_path: Path) -> dict[str, Any]:
    if not meta_path.is_file():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"{meta_path} is not valid JSON ({exc}). Fix it, or import the data again."
        ) from exc
    if not isinstance(meta, dict):
        raise ConfigError(f"{meta_path} should hold a JSON object; import the data again.")
    return meta


def load_dataset(ws: Workspace, name: str) -> EmploymentDataset:
    """Read dataset ``name`` from the workspace's employment store.

    Raises
    ------
    DataSourceError
        If the dataset's CSV is missing.
    ValidationError
        If the CSV was edited into an invalid table.
    """
    from valleymaps.io.employment.plain_csv import parse_plain_csv

    csv_path, meta_path = dataset_paths(ws, name)
    meta = _read_meta(meta_path)
    table, problems = parse_plain_csv(csv_path)
    if problems:
        raise ValidationError(str(csv_path), problems)
    table = table[list(EMPLOYMENT_COLUMNS)]
    imported_from = meta.get("imported_from", [csv_path.name])
    fmt = str(meta.get("format", "csv"))
    private = None
    private_csv = private_path(ws, name)
    if meta.get("ownership") == "all" and private_csv.is_file():
        private, problems = parse_plain_csv(private_csv)
        if problems:
            raise ValidationError(str(private_csv), problems)
        private = private[list(EMPLOYMENT_COLUMNS)]
    not_covered = meta.get("not_covered")
    if not isinstance(not_covered, list):
        not_covered = list(default_not_covered(fmt))
    return EmploymentDataset(
        name=name,
        table=table,
        source=str(meta.get("source", name)),
        format=fmt,
        synthetic=bool(meta.get("synthetic", "synthetic" in name.lower())),
        imported_from=[str(x) for x in imported_from]
        if isinstance(imported_from, list)
        else [str(imported_from)],
        not_covered=tuple(str(c) for c in not_covered),
        private=private,
    )


def list_datasets(ws: Workspace) -> list[str]:
    """Names of the datasets in the workspace's employment store, sorted."""
    if not ws.employment_dir.is_dir():
        return []
    return sorted(
        p.name[: -len(".csv")] for p in ws.employment_dir.glob("*.csv") if not p.name.startswith(".")
    )


def load_datasets(ws: Workspace) -> list[EmploymentDataset]:
    """Every employment dataset in the workspace, sorted by name.

    GEOIDs keep their leading zeros, withheld values are NaN with their flags.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from valleymaps.workspace import Workspace, CONFIG_NAME
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / CONFIG_NAME).write_text("")
    >>> ws = Workspace.open(root)
    >>> table = pd.DataFrame({"geoid": ["06019"], "naics": ["11"], "year": [2021],
    ...                       "employment": [float("nan")], "flag": ["D"]})
    >>> _ = save_dataset(ws, EmploymentDataset("demo", table, "demo data", "csv"))
    >>> [(d.name, d.table.loc[0, "geoid"], d.table.loc[0, "flag"]) for d in load_datasets(ws)]
    [('demo', '06019', 'D')]
    """
    datasets = [load_dataset(ws, name) for name in list_datasets(ws)]
    log.info("loaded %d employment datasets from %s", len(datasets), ws.employment_dir)
    return datasets


def _holds_same_rows(csv_path: Path, dataset: EmploymentDataset) -> bool:
    """Whether the stored CSV already holds exactly the rows ``dataset`` would write (importing
    the same data again replaces nothing)."""
    try:
        return csv_path.read_text(encoding="utf-8") == dataset_to_csv_text(dataset.table)
    except (OSError, UnicodeDecodeError):
        return False


def import_employment(
    ws: Workspace,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    format: str,
    year: int | None = None,
    name: str | None = None,
    states: Collection[str] | None = (settings.STATE_FIPS,),
    replace: bool = False,
    quarter: str | None = None,
) -> EmploymentDataset:
    """Read employment files and save them as one dataset in the workspace.

    See :func:`valleymaps.io.employment.read_employment` for the parameters
    and errors. Nothing is written unless every file reads without problems.
    A dataset of the same name (the bundled synthetic one included) holding other rows is
    replaced only when ``replace`` is true (the same rows again replace nothing); the check
    and the write hold the dataset's lock, so two imports of one name cannot both think they
    are first.

    Returns
    -------
    EmploymentDataset
        The dataset saved.

    Raises
    ------
    DataExistsError
        If a dataset of that name exists and ``replace`` is false (rows before and after).
    """
    from valleymaps.io.employment.read import read_employment

    dataset = read_employment(paths, format=format, year=year, name=name, states=states, quarter=quarter)
    csv_path, meta_path = dataset_paths(ws, dataset.name)
    with exclusive_lock(lock_path(csv_path)):
        if csv_path.exists() and not replace and not _holds_same_rows(csv_path, dataset):
            meta = _read_meta(meta_path)
            rows = meta.get("rows")
            if not isinstance(rows, int):
                with open(csv_path, "rb") as fh:
                    rows = max(sum(1 for _ in fh) - 1, 0)
            years = meta.get("years") or []
            was = f"{rows:,} rows" + (f", years {', '.join(map(str, years))}" if years else "")
            raise DataExistsError(
                f"employment dataset {dataset.name!r} exists ({csv_path}: {was}); this import would "
                f"replace it with {len(dataset.table):,} rows, years {dataset.vintage or 'none'} "
                f"(from {', '.join(dataset.imported_from)}). Pass --replace to replace it, or "
                "--name NEW to keep both."
            )
        save_dataset(ws, dataset)
    return dataset
