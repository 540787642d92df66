"""Check a project inventory row by row and turn it into the project schema.

:func:`validate_projects` reads every record of a :class:`RawTable` through a
:class:`ColumnMapping`, keeps the good rows (as a schema GeoDataFrame) and
lists every bad one with its row number and reasons. Nothing is dropped
silently: a record is either in the result or among the rejected problems.
Problems that do not stop a row (an unknown category kept as "other", a
county that differs from the location) are listed too, as notes.

Problems with the whole file (no id column, no coordinates at all) raise
:class:`~valleymaps.errors.ValidationError` listing all of them.

Pure computation: no files are read or written here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from valleymaps import settings
from valleymaps.errors import Problem, ValidationError, cut_value
from valleymaps.projects.locate import REGION_TOLERANCE_M, _geom_column, check_locations, source_crs
from valleymaps.projects.mapping import (
    COMMON_NAMES,
    ColumnMapping,
    fill_template,
    header_key,
    template_columns,
)
from valleymaps.projects.overlay import main_place
from valleymaps.projects.parse import (
    is_blank,
    is_missing,
    parse_category,
    parse_coordinate,
    parse_cost,
    parse_flag,
    parse_status,
    parse_year,
)
from valleymaps.projects.problems import NOTE_REASONS, REJECT_REASONS, RowProblem
from valleymaps.projects.read import RawTable
from valleymaps.projects.schema import conform_projects, empty_projects

log = logging.getLogger(__name__)

_ALLOWED_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}


@dataclass
class ValidationResult:
    """What :func:`validate_projects` found.

    Attributes
    ----------
    projects
        The good rows in the project schema (EPSG:4326).
    problems
        Every problem, in row order (rejections and notes).
    raw
        The source as read (for the report of bad rows).
    columns
        Field -> source header used.
    """

    projects: gpd.GeoDataFrame
    problems: list[RowProblem]
    raw: RawTable
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def n_read(self) -> int:
        return len(self.raw.frame)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.rejected and p.row is not None})

    @property
    def n_rejected(self) -> int:
        return len(self.rejected_rows)

    @property
    def n_kept(self) -> int:
        return len(self.projects)

    def counts_by_reason(self) -> dict[str, int]:
        """Rows per reason (a row with two reasons counts under both)."""
        out: dict[str, int] = {}
        for p in self.problems:
            if p.row is not None:
                out[p.reason] = out.get(p.reason, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


#: Fields of free text or ids: only an empty cell is missing there ("NA" is a valid id or name).
TEXT_FIELDS = frozenset({"project_id", "agency", "name", "funding_source", "description"})


def _text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _county_lookup(counties: gpd.GeoDataFrame) -> dict[str, str]:
    """Ways of writing a region county -> its GEOID."""
    out: dict[str, str] = {}
    for geoid, name in zip(counties["geoid"], counties["name"], strict=True):
        base = str(name).lower().removesuffix(" county").strip()
        for key in (geoid, geoid[2:], str(int(geoid[2:])), base, f"{base} county", f"{base} co"):
            out[header_key(key)] = geoid
    return out


def _file_problems(raw: RawTable, mapping: ColumnMapping, columns: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    headers = list(raw.frame.columns)
    found = ", ".join(map(str, headers)) or "no columns"
    if len(raw.frame) == 0:
        problems.append(
            Problem("has no data rows. Check the sheet or layer, and that the header is in the first row.")
        )
    for fld, flags in mapping.year_flags.items():
        missing = [h for h in flags if header_key(h) not in {header_key(x) for x in headers}]
        if missing:
            problems.append(
                Problem(
                    f"[year_flags.{fld}] names columns the file does not have: {', '.join(missing)} "
                    f"(found: {found})."
                )
            )
    for fld, template in mapping.templates.items():
        missing = [
            h for h in template_columns(template) if header_key(h) not in {header_key(x) for x in headers}
        ]
        if missing:
            problems.append(
                Problem(
                    f"[templates] {fld} names columns the file does not have: {', '.join(missing)} "
                    f"(found: {found})."
                )
            )

    def has(fld: str) -> bool:
        return fld in columns or fld in mapping.templates or fld in mapping.defaults

    if not has("project_id"):
        problems.append(
            Problem(
                f"no project id column (looked for: {', '.join(COMMON_NAMES['project_id'][:6])}; "
                f"found: {found}). "
                'Name it in a mapping file: [columns] project_id = "Your ID header", or build one with '
                '[templates] project_id = "{Header}".',
                column="project_id",
            )
        )
    if not has("agency"):
        problems.append(
            Problem(
                f"no agency column (found: {found}). Pass --agency NAME, or set [defaults] agency in "
                "the mapping.",
                column="agency",
            )
        )
    if not (has("status") or "status" in mapping.year_flags):
        problems.append(
            Problem(
                f"no status column (found: {found}). Name it in the mapping ([columns] status = ...) or set "
                '[defaults] status = "planned" (or programmed, under construction, complete).',
                column="status",
            )
        )
    has_geometry = (
        raw.geometry is not None or "wkt" in columns or ("latitude" in columns and "longitude" in columns)
    )
    if not has_geometry:
        half = [f for f in ("latitude", "longitude") if f in columns]
        detail = f" (found {half[0]} but not its pair)" if half else ""
        problems.append(
            Problem(
                f"no coordinates{detail}: a CSV or spreadsheet needs latitude and longitude columns or a WKT "
                f'column (found: {found}). Name them in the mapping: [columns] latitude = "...", '
                'longitude = "...", or wkt = "...".',
                column="latitude",
            )
        )
    return problems


class _RowReader:
    """Gets a field's value for one record through the mapping."""

    def __init__(self, raw: RawTable, mapping: ColumnMapping, columns: dict[str, str]):
        self.mapping = mapping
        self.columns = columns
        self.headers = {header_key(h): h for h in raw.frame.columns}
        self.flag_headers = {
            fld: [(self.headers[header_key(h)], y) for h, y in flags.items()]
            for fld, flags in mapping.year_flags.items()
        }

    def get(self, fld: str, row: Mapping[str, Any]) -> tuple[Any, str | None]:
        """(value, source column) of a field; the default fills empty cells."""
        m = self.mapping
        value: Any = None
        column: str | None = None
        if fld in m.templates:
            value = fill_template(m.templates[fld], row, headers=self.headers)
            column = ", ".join(template_columns(m.templates[fld]))
        elif fld in self.columns:
            column = self.columns[fld]
            value = row.get(column)
        elif fld in self.flag_headers:
            years = [y for h, y in self.flag_headers[fld] if parse_flag(row.get(h))]
            value = min(years) if years else None
            column = ", ".join(h for h, _ in self.flag_headers[fld])
        empty = is_blank(value) if fld in TEXT_FIELDS else is_missing(value)
        if empty and fld in m.defaults:
            value = m.defaults[fld]
        return value, column


_REPORTED = object()  # a geometry problem already reported for the row


def _point_or_wkt(reader: _RowReader, row: Mapping[str, Any], add: Any) -> Any:
    """The row's WKT geometry or latitude/longitude point; None if absent, _REPORTED if bad."""
    if "wkt" in reader.columns:
        column = reader.columns["wkt"]
        cell = row.get(column)
        if not is_missing(cell):
            try:
                geom = shapely.from_wkt(str(cell).strip())
            except shapely.errors.GEOSException:
                add(
                    "bad_geometry",
                    f"{column} {cut_value(_text(cell))} is not WKT (e.g. POINT (-119.78 36.74))",
                    column,
                    cell,
                )
                return _REPORTED
            return geom
    if "latitude" in reader.columns and "longitude" in reader.columns:
        lat_col, lon_col = reader.columns["latitude"], reader.columns["longitude"]
        lat_cell, lon_cell = row.get(lat_col), row.get(lon_col)
        try:
            lat = parse_coordinate(lat_cell, what=f"latitude ({lat_col})")
        except ValueError as exc:
            add("bad_coordinates", str(exc), lat_col, lat_cell)
            return _REPORTED
        try:
            lon = parse_coordinate(lon_cell, what=f"longitude ({lon_col})")
        except ValueError as exc:
            add("bad_coordinates", str(exc), lon_col, lon_cell)
            return _REPORTED
        if lat is None and lon is None:
            return None
        if lat is None or lon is None:
            empty = lat_col if lat is None else lon_col
            add("missing_geometry", f"{empty} is empty: a point needs both latitude and longitude", empty, "")
            return _REPORTED
        return shapely.Point(lon, lat)
    return None


def _whole_file_location_notes(
    problems: Sequence[RowProblem], n_located: int, columns: Mapping[str, str]
) -> list[RowProblem]:
    """One note when every located row has the same coordinate mistake: the fix is the file's."""
    if n_located < 2:
        return []
    swapped = sum(1 for p in problems if p.reason == "swapped_coordinates")
    if swapped == n_located:
        where = (
            f" (columns {columns['latitude']!r} and {columns['longitude']!r})"
            if "latitude" in columns and "longitude" in columns
            else ""
        )
        return [
            RowProblem(
                None,
                "file",
                f"all {n_located:,} rows look like latitude and longitude swapped{where}: the columns "
                "are probably the other way round. Swap them in the mapping ([columns] latitude = ..., "
                "longitude = ...) or in the file, and import again.",
            )
        ]
    return []


def validate_projects(
    raw: RawTable,
    mapping: ColumnMapping | None = None,
    *,
    counties: gpd.GeoDataFrame,
    region_name: str | None = None,
    imported_at: str = "",
    tolerance_m: float | None = None,
) -> ValidationResult:
    """Check every record of ``raw`` and return the good ones in the project schema.

    Parameters
    ----------
    raw
        The source as read by :mod:`valleymaps.projects.read`.
    mapping
        Column mapping (default: common header names only).
    counties
        The region's counties (``geoid``, ``name``, polygons, any CRS): a
        project must lie within them; its county is the one holding it (or
        most of it).
    region_name
        Name of the region in messages.
    imported_at
        Timestamp stored with each project.
    tolerance_m
        How far outside the counties a project may lie (default
        :data:`REGION_TOLERANCE_M`).

    Returns
    -------
    ValidationResult

    Raises
    ------
    ValidationError
        When the file as a whole cannot be read as projects (no id or geometry
        columns, no rows): every such problem is listed.
    ConfigError
        When the mapping names headers the file does not have.

    Examples
    --------
    >>> import pandas as pd, geopandas as gpd, shapely
    >>> from valleymaps.projects.read import RawTable
    >>> county = gpd.GeoDataFrame({"geoid": ["06019"], "name": ["Fresno"]},
    ...                           geometry=[shapely.box(-120.9, 35.9, -118.4, 37.6)], crs="EPSG:4326")
    >>> frame = pd.DataFrame({"id": ["A", "A", "B"], "name": ["Bridge", "Road", "Well"],
    ...                       "agency": ["FCOG"] * 3, "status": ["planned"] * 3, "type": ["road"] * 3,
    ...                       "lat": ["36.7", "36.8", "-119.8"], "lon": ["-119.8", "-119.7", "36.7"]})
    >>> result = validate_projects(RawTable("p.csv", "csv", frame, [1, 2, 3], line_offset=1), counties=county)
    >>> result.n_kept, [(p.row, p.reason) for p in result.problems]
    (1, [(2, 'duplicate_id'), (3, 'swapped_coordinates')])
    """
    mapping = mapping or ColumnMapping()
    region = region_name or settings.REGION_NAME
    tolerance = REGION_TOLERANCE_M if tolerance_m is None else tolerance_m
    columns = mapping.resolve_columns(raw.frame.columns)
    file_problems = _file_problems(raw, mapping, columns)
    if file_problems:
        raise ValidationError(raw.source, file_problems)
    log.debug("%s: columns used: %s", raw.source, columns)

    counties = counties.reset_index(drop=True)
    county_lookup = _county_lookup(counties)
    county_names = dict(zip(counties["geoid"], counties["name"], strict=True))
    reader = _RowReader(raw, mapping, columns)
    problems: list[RowProblem] = []
    notes_file: list[RowProblem] = []
    if "name" not in columns and "name" not in mapping.templates and "name" not in mapping.defaults:
        notes_file.append(RowProblem(None, "file", "no name column: each project's id is used as its name"))
    if (
        "category" not in columns
        and "category" not in mapping.templates
        and "category" not in mapping.defaults
    ):
        notes_file.append(
            RowProblem(
                None,
                "file",
                "no category column: every project is 'other'. Name the column in the "
                "mapping ([columns] category) or set [defaults] category.",
            )
        )

    headers = list(raw.frame.columns)
    values = [raw.frame[c].astype(object).tolist() for c in headers]
    records = [dict(zip(headers, cells, strict=True)) for cells in zip(*values, strict=True)]
    n = len(records)
    out: dict[str, list[Any]] = {k: [None] * n for k in (
        "agency", "project_id", "name", "county", "county_geoid", "category", "cost_usd", "start_year",
        "end_year", "status", "funding_source", "description",
    )}  # fmt: skip
    geoms: list[BaseGeometry | None] = [None] * n
    bad = np.zeros(n, dtype=bool)
    given_county: list[str | None] = [None] * n
    first_seen: dict[tuple[str, str], int] = {}
    file_geoms = raw.geometry

    for i, row in enumerate(records):
        rownum = raw.rows[i]
        location = raw.location(rownum)

        def add(
            reason: str,
            message: str,
            column: str | None = None,
            value: Any = None,
            _row: int = rownum,
            _loc: str = location,
            _i: int = i,
        ) -> None:
            problems.append(RowProblem(_row, reason, message, column, _text(value), _loc))
            if reason in REJECT_REASONS:
                bad[_i] = True

        pid, pid_col = reader.get("project_id", row)
        agency, agency_col = reader.get("agency", row)
        pid_text, agency_text = _text(pid), _text(agency)
        if not pid_text:
            add(
                "missing_id",
                f"no project id ({pid_col or 'project_id'} is empty); every project needs one",
                pid_col,
            )
        if not agency_text:
            add(
                "missing_agency",
                f"no agency ({agency_col or 'agency'} is empty); pass --agency or fill the cell",
                agency_col,
            )
        if pid_text and agency_text:
            key = (agency_text, pid_text)
            if key in first_seen:
                add(
                    "duplicate_id",
                    f"project id {pid_text!r} of {agency_text} is also on "
                    f"{raw.location(first_seen[key])}; give each project its own id",
                    pid_col,
                    pid,
                )
            else:
                first_seen[key] = rownum
        out["project_id"][i], out["agency"][i] = pid_text, agency_text

        name, name_col = reader.get("name", row)
        name_text = _text(name)
        if not name_text and name_col is not None:
            add(
                "missing_name",
                f"{name_col} is empty: the project id {pid_text!r} is used as the name",
                name_col,
            )
        out["name"][i] = name_text or pid_text

        cat, cat_col = reader.get("category", row)
        try:
            category = parse_category(cat, user=mapping.categories)
        except ValueError as exc:
            add("unknown_category", f"{exc}; kept as 'other'", cat_col, cat)
            category = "other"
        out["category"][i] = category or "other"

        status, status_col = reader.get("status", row)
        try:
            parsed_status = parse_status(status, user=mapping.statuses)
        except ValueError as exc:
            add("bad_status", str(exc), status_col, status)
            parsed_status = None
        else:
            if parsed_status is None:
                add(
                    "bad_status",
                    f"no status ({status_col or 'status'} is empty); use planned, programmed, "
                    "under construction or complete, or set [defaults] status",
                    status_col,
                )
        out["status"][i] = parsed_status or ""

        cost, cost_col = reader.get("cost", row)
        try:
            out["cost_usd"][i] = parse_cost(cost, multiplier=mapping.cost_multiplier)
        except ValueError as exc:
            add("bad_cost", str(exc), cost_col, cost)

        years: dict[str, int | None] = {}
        for fld in ("start_year", "end_year"):
            value, col = reader.get(fld, row)
            try:
                years[fld] = parse_year(value)
            except ValueError as exc:
                add("bad_year", f"{fld.replace('_', ' ')}: {exc}", col, value)
                years[fld] = None
        s, e = years["start_year"], years["end_year"]
        if s is not None and e is not None and e < s:
            add("bad_year", f"end year {e} is before start year {s}", reader.get("end_year", row)[1], e)
        out["start_year"][i], out["end_year"][i] = s, e

        for fld in ("funding_source", "description"):
            out[fld][i] = _text(reader.get(fld, row)[0])

        cval, ccol = reader.get("county", row)
        if not is_missing(cval):
            geoid = county_lookup.get(header_key(_text(cval)))
            if geoid is None:
                add(
                    "unknown_county",
                    f"county {_text(cval)!r} is not a county of {region}; the county is taken "
                    "from the location",
                    ccol,
                    cval,
                )
            given_county[i] = geoid

        geom: Any = None
        if file_geoms is not None:
            g = file_geoms.iloc[i]
            if g is not None and not g.is_empty:
                geom = g
        else:
            geom = _point_or_wkt(reader, row, add)
        if geom is None:
            add(
                "missing_geometry",
                "no geometry: give latitude and longitude, a WKT geometry or draw the feature's shape",
                columns.get("wkt") or columns.get("latitude"),
            )
        elif geom is not _REPORTED:
            if geom.is_empty:
                add("missing_geometry", "the geometry is empty", columns.get("wkt"))
            elif geom.geom_type not in _ALLOWED_TYPES:
                add(
                    "bad_geometry",
                    f"a {geom.geom_type} is not a point, line or polygon; split it into those",
                    columns.get("wkt"),
                )
            elif not shapely.is_valid(geom):
                add(
                    "bad_geometry",
                    f"the {geom.geom_type} is not valid ({cut_value(shapely.is_valid_reason(geom))}): "
                    "its boundary crosses itself or a ring is open; redraw it, or repair it (QGIS: "
                    "Fix geometries) and import again",
                    columns.get("wkt"),
                    _text(shapely.to_wkt(geom, rounding_precision=6))[:200],
                )
            else:
                geoms[i] = shapely.force_2d(geom)

    check_locations(raw, mapping, columns, geoms, bad, problems, counties, region, tolerance)
    notes_file.extend(_whole_file_location_notes(problems, sum(g is not None for g in geoms), columns))

    # counties of the kept rows
    keep = ~bad
    keep_idx = np.flatnonzero(keep)
    if len(keep_idx):
        src_crs = source_crs(raw, mapping)
        kept_geoms = gpd.GeoSeries([geoms[i] for i in keep_idx], crs=src_crs)
        projected = kept_geoms.to_crs(settings.ANALYSIS_CRS).to_numpy()
        county_poly = counties.to_crs(settings.ANALYSIS_CRS).geometry.to_numpy()
        where = main_place(projected, county_poly)
        geoids = counties["geoid"].tolist()
        for j, i in enumerate(keep_idx.tolist()):
            located = geoids[where[j]] if where[j] >= 0 else None
            given = given_county[i]
            if located is None and given is None:
                # kept within the tolerance but outside every county: the nearest one counts it,
                # so that every total by county is the sum of its rows
                distances = shapely.distance(county_poly, projected[j])
                nearest = int(np.argmin(distances))
                located = geoids[nearest]
                problems.append(
                    RowProblem(
                        raw.rows[i],
                        "nearest_county",
                        f"lies {distances[nearest]:,.0f} m outside {county_names[located]} County, within "
                        f"the {tolerance:,.0f} m tolerance and outside every county of {region}; it is "
                        f"counted in {county_names[located]} County, the nearest",
                        _geom_column(raw, columns),
                        county_names[located],
                        raw.location(raw.rows[i]),
                    )
                )
            if given is not None and located is not None and given != located:
                problems.append(
                    RowProblem(
                        raw.rows[i],
                        "county_mismatch",
                        f"county is {county_names[given]} in the file but the project lies in "
                        f"{county_names[located]} County; {county_names[given]} is kept",
                        columns.get("county"),
                        county_names[given],
                        raw.location(raw.rows[i]),
                    )
                )
            chosen = given or located
            out["county_geoid"][i] = chosen or ""
            out["county"][i] = county_names.get(chosen, "") if chosen else ""
        web = kept_geoms.to_crs(settings.WEB_CRS)
    else:
        web = gpd.GeoSeries([], crs=settings.WEB_CRS)

    problems.sort(key=lambda p: p.row if p.row is not None else -1)
    problems = notes_file + problems
    if len(keep_idx):
        frame = pd.DataFrame({k: [v[i] for i in keep_idx] for k, v in out.items()})
        frame["source"] = raw.source
        frame["source_row"] = [raw.rows[i] for i in keep_idx]
        frame["imported_at"] = imported_at
        projects = conform_projects(gpd.GeoDataFrame(frame, geometry=web.to_numpy(), crs=settings.WEB_CRS))
    else:
        projects = empty_projects()
    n_bad = int(bad.sum())
    log.info(
        "%s: %d rows read, %d kept, %d rejected, %d notes",
        raw.source,
        n,
        len(projects),
        n_bad,
        sum(1 for p in problems if not p.rejected),
    )
    return ValidationResult(projects=projects, problems=problems, raw=raw, columns=columns)


__all__ = [
    "NOTE_REASONS",
    "REGION_TOLERANCE_M",
    "REJECT_REASONS",
    "RowProblem",
    "ValidationResult",
    "validate_projects",
]
