"""Import a project inventory: read, check, report the bad rows, store the good ones.

>>> import tempfile, pathlib
>>> from valleymaps.workspace import init_workspace
>>> ws = init_workspace(pathlib.Path(tempfile.mkdtemp()) / "sjv")         # doctest: +SKIP
>>> result = import_projects("ftip.xlsx", ws=ws, agency="Fresno COG")       # doctest: +SKIP
>>> result.n_kept, result.n_rejected, result.report_path.name               # doctest: +SKIP
(212, 3, 'projects-ftip-problems.csv')
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyproj import CRS

from valleymaps.errors import ValidationError
from valleymaps.io.region import read_region_counties
from valleymaps.projects.mapping import ColumnMapping, load_mapping
from valleymaps.projects.problems import REJECT_REASONS
from valleymaps.projects.read import is_database_url, read_project_source
from valleymaps.projects.report import write_problem_report
from valleymaps.projects.store import ImportLogEntry, UpsertResult, open_store
from valleymaps.projects.validate import ValidationResult, validate_projects
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What an import did.

    Attributes
    ----------
    validation
        Kept projects and every problem (see :class:`ValidationResult`).
    report_path
        The problem report written.
    stored
        What the store changed; None for a dry run.
    """

    validation: ValidationResult
    report_path: Path
    stored: UpsertResult | None

    @property
    def n_read(self) -> int:
        return self.validation.n_read

    @property
    def n_kept(self) -> int:
        return self.validation.n_kept

    @property
    def n_rejected(self) -> int:
        return self.validation.n_rejected


def default_report_path(ws: Workspace, source: str | os.PathLike[str]) -> Path:
    """``outputs/reports/projects-<file name>-problems.csv`` in the workspace.

    >>> from valleymaps.workspace import Workspace, WorkspaceConfig
    >>> default_report_path(Workspace(Path("/w"), WorkspaceConfig()), "FTIP 2025.xlsx").as_posix()
    '/w/outputs/reports/projects-ftip-2025-problems.csv'
    """
    if is_database_url(source):
        stem = str(source).rsplit("/", 1)[-1].split("?")[0] or "database"
    else:
        stem = Path(source).name
        for suffix in (
            ".zip",
            ".shp",
            ".gpkg",
            ".geojson",
            ".json",
            ".csv",
            ".xlsx",
            ".xlsm",
            ".txt",
            ".tsv",
        ):
            stem = stem.removesuffix(suffix).removesuffix(suffix.upper())
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "projects"
    return ws.outputs_dir / "reports" / f"projects-{slug}-problems.csv"


#: Reasons named in the message of a file whose every row is rejected (the rest are in the report).
MAX_REASONS = 3

#: Rejected rows shown as examples in that message.
MAX_EXAMPLES = 3


def _nothing_kept_error(
    validation: ValidationResult, *, report: Path, location: str | None
) -> ValidationError:
    """The one message for a file whose every row is rejected: nothing is stored.

    It names the file, the number of rows, the commonest reasons (rows per reason), the notes
    about the whole file, a few rows as examples and where the row report is.
    """
    rows_by_reason: dict[str, set[int]] = {}
    for p in validation.problems:
        if p.rejected and p.row is not None:
            rows_by_reason.setdefault(p.reason, set()).add(p.row)
    ranked = sorted(rows_by_reason.items(), key=lambda kv: (-len(kv[1]), list(REJECT_REASONS).index(kv[0])))
    reasons = ", ".join(
        f"{REJECT_REASONS[reason]} ({len(rows):,} row{'s' if len(rows) != 1 else ''})"
        for reason, rows in ranked[:MAX_REASONS]
    )
    if len(ranked) > MAX_REASONS:
        others = len(ranked) - MAX_REASONS
        reasons += f", and {others} other reason{'s' if others != 1 else ''}"
    n = validation.n_read
    kept = (
        "nothing would be stored (dry run)"
        if location is None
        else f"nothing was stored ({location} is unchanged)"
    )
    lines = [
        f"{validation.raw.source}: {'the only row was' if n == 1 else f'all {n:,} rows were'} rejected, "
        f"so {kept}.",
        f"Commonest reasons: {reasons}.",
    ]
    lines += [f"  {p.message}" for p in validation.problems if p.row is None]
    rejected = [p for p in validation.problems if p.rejected]
    lines += [f"  {p}" for p in rejected[:MAX_EXAMPLES]]
    if len(rejected) > MAX_EXAMPLES:
        more = len(rejected) - MAX_EXAMPLES
        lines.append(f"  ... and {more:,} more problem{'s' if more != 1 else ''}")
    lines.append(
        f"Every row and its reasons are in {report}: fix the rows there (it keeps their cells) "
        "and import that file, or pass --mapping / --assume-crs if the columns were misread."
    )
    error = ValidationError(validation.raw.source, [p.as_problem() for p in rejected])
    error.args = ("\n".join(lines),)
    return error


def import_projects(
    source: str | os.PathLike[str],
    *,
    ws: Workspace,
    mapping: ColumnMapping | str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    table: str | None = None,
    layer: str | None = None,
    assume_crs: str | CRS | None = None,
    agency: str | None = None,
    report_path: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    strict: bool = False,
) -> ImportResult:
    """Import projects from ``source`` into the workspace's GeoPackage or a PostGIS database.

    Parameters
    ----------
    source
        CSV, Excel (.xlsx), GeoJSON, GeoPackage, shapefile (.shp or .zip) or a
        ``postgresql://`` URL (with ``layer`` naming the table).
    ws
        The workspace (its counties define the region; its GeoPackage is the default store).
    mapping
        A :class:`ColumnMapping` or the path of a mapping TOML file.
    db_url
        Store in this PostGIS database instead (default ``$VALLEYMAPS_DB_URL``, else the GeoPackage).
    table
        PostGIS table (``name`` or ``schema.name``).
    layer
        Excel sheet, GeoPackage layer or PostGIS table of the source (overrides the mapping).
    assume_crs
        CRS of the source's coordinates when it declares none (overrides the mapping).
    agency
        Agency of projects whose file has no agency column (overrides the mapping's default).
    report_path
        Where to write the problem report (default :func:`default_report_path`).
    dry_run
        Check and write the report, but store nothing.
    strict
        Store nothing when any row is rejected (raise instead).

    Returns
    -------
    ImportResult

    Raises
    ------
    ValidationError
        When the file as a whole is unusable, when every row is rejected, or with
        ``strict`` when a row is rejected (nothing is stored; the report is written).
    DataSourceError, ConfigError, CRSError
        For unreadable sources, mappings or databases (nothing is stored).
    """
    if mapping is None:
        column_mapping = ColumnMapping()
    elif isinstance(mapping, ColumnMapping):
        column_mapping = mapping
    else:
        column_mapping = load_mapping(Path(mapping))
    column_mapping = column_mapping.with_overrides(
        layer=layer,
        crs=str(assume_crs) if assume_crs is not None else None,
        defaults={"agency": agency} if agency else None,
    )
    raw = read_project_source(source, layer=column_mapping.layer, assume_crs=column_mapping.crs)
    imported_at = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    validation = validate_projects(
        raw,
        column_mapping,
        counties=read_region_counties(ws),
        region_name=ws.config.region_name,
        imported_at=imported_at,
    )
    report = Path(report_path) if report_path is not None else default_report_path(ws, source)
    write_problem_report(validation, report)
    if validation.n_read and not validation.n_kept:
        location = None if dry_run else open_store(ws, db_url=db_url, table=table).location
        raise _nothing_kept_error(validation, report=report, location=location)
    if strict and validation.n_rejected:
        rejected = [p.as_problem() for p in validation.problems if p.rejected]
        error = ValidationError(raw.source, rejected)
        error.args = (f"{error}\nNothing was stored (--strict). Every problem is listed in {report}.",)
        raise error
    stored = None
    if not dry_run:
        store = open_store(ws, db_url=db_url, table=table)
        entry = ImportLogEntry(
            imported_at=imported_at,
            source=raw.source,
            n_read=validation.n_read,
            n_kept=validation.n_kept,
            n_rejected=validation.n_rejected,
            report=str(report),
        )
        stored = store.upsert(validation.projects, log_entry=entry)
    log.info(
        "imported %s: %d read, %d kept, %d rejected (report %s)",
        raw.source,
        validation.n_read,
        validation.n_kept,
        validation.n_rejected,
        report,
    )
    return ImportResult(validation=validation, report_path=report, stored=stored)
