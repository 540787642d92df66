"""Column mappings: adapt any agency's headers to the project schema.

A mapping is a small TOML file (see ``data/econ/project_mapping.example.toml``)::

    [source]
    layer = "FTIP 2025"          # Excel sheet, GeoPackage layer or PostGIS table
    crs = "EPSG:4326"            # CRS of coordinates/WKT when the file declares none
    cost_multiplier = 1000       # costs written in thousands of dollars

    [columns]                    # schema field = your header (or a list: the first found)
    project_id = "CTIPS ID"
    name = ["Project Title", "Title"]
    latitude = "Lat"
    longitude = "Long"

    [templates]                  # a field built from several columns
    name = "High-speed rail segment {Seg}"

    [defaults]                   # used where the column is absent or the cell empty
    agency = "Fresno COG"
    status = "planned"

    [categories]                 # your word = schema category
    "Local Streets" = "transportation"

    [statuses]                   # your word = schema status
    "FTIP" = "programmed"

    [year_flags.end_year]        # end year = first year whose column is set (1, yes, x)
    HSR_2022 = 2022

Fields without an entry are looked up under their common names
(:data:`COMMON_NAMES`), case, spaces and punctuation ignored.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from valleymaps.errors import ConfigError
from valleymaps.projects.parse import parse_category, parse_status
from valleymaps.projects.schema import CATEGORIES, MAPPABLE_FIELDS, STATUSES

#: Geometry fields a mapping can name besides the schema's.
GEOMETRY_FIELDS: tuple[str, ...] = ("latitude", "longitude", "wkt")

#: Headers recognised without a mapping, per field, in order of preference.
COMMON_NAMES: Mapping[str, tuple[str, ...]] = {
    "project_id": ("project_id", "project id", "projectid", "proj_id", "proj id", "project number",
                   "project no", "proj no", "project #", "project num", "ctips id", "ftip id", "rtp id",
                   "id"),
    "name": ("name", "project name", "project_name", "project title", "title", "project"),
    "agency": ("agency", "lead agency", "implementing agency", "sponsor", "project sponsor",
               "owner", "jurisdiction"),
    "county": ("county", "county name", "county_name", "cnty", "county fips", "county geoid"),
    "category": ("category", "project category", "project type", "type", "mode", "sector"),
    "cost": ("cost_usd", "cost", "total cost", "total project cost", "estimated cost",
             "cost estimate", "total_cost", "project cost", "budget", "amount"),
    "start_year": ("start_year", "start year", "begin year", "construction start", "start fy",
                   "start"),
    "end_year": ("end_year", "end year", "completion year", "year complete", "completion",
                 "open year", "opening year", "open to traffic", "end fy", "end"),
    "status": ("status", "project status", "phase", "stage"),
    "funding_source": ("funding_source", "funding source", "fund source", "funding sources",
                       "funding", "fund type", "funds"),
    "description": ("description", "project description", "desc", "scope", "notes"),
    "latitude": ("latitude", "lat", "lat_dd", "latitude_dd", "point_y", "y", "ycoord", "y_coord"),
    "longitude": ("longitude", "lon", "long", "lng", "lon_dd", "longitude_dd", "point_x", "x",
                  "xcoord", "x_coord"),
    "wkt": ("wkt", "wkt_geom", "geometry_wkt", "geometry", "geom", "the_geom", "shape"),
}  # fmt: skip

_SECTIONS = {"source", "columns", "templates", "defaults", "categories", "statuses", "year_flags"}
_SOURCE_KEYS = {"layer", "crs", "cost_multiplier"}
_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


def header_key(name: str) -> str:
    """Compare headers without case, spaces or punctuation: ``"Project #"`` -> ``"project"``.

    >>> header_key(" Total_Cost ($) "), header_key("Proj-ID")
    ('totalcost', 'projid')
    """
    return re.sub(r"[^0-9a-z]+", "", str(name).lower())


@dataclass(frozen=True)
class ColumnMapping:
    """How one agency's file maps to the project schema (see the module docstring).

    Attributes
    ----------
    columns
        Field -> candidate headers (the first present is used).
    templates
        Field -> template such as ``"HSR {Seg}"`` (``{header}`` is the cell's text).
    defaults
        Field -> value used where the column is absent or the cell empty.
    categories, statuses
        The agency's words -> schema category / status.
    year_flags
        ``"start_year"``/``"end_year"`` -> {header: year}; the first year whose
        cell is set gives the field.
    layer
        Excel sheet, GeoPackage layer or PostGIS table to read.
    crs
        CRS of coordinates in files that declare none (default EPSG:4326).
    cost_multiplier
        Multiplies every cost (1000 for thousands of dollars).
    path
        The TOML file, for messages.
    """

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    year_flags: dict[str, dict[str, int]] = field(default_factory=dict)
    layer: str | None = None
    crs: str | None = None
    cost_multiplier: float = 1.0
    path: str | None = None

    def with_overrides(
        self, *, layer: str | None = None, crs: str | None = None, defaults: Mapping[str, Any] | None = None
    ) -> ColumnMapping:
        """A copy with command-line overrides applied (``--layer``, ``--assume-crs``, ``--agency``)."""
        merged = dict(self.defaults)
        merged.update({k: v for k, v in (defaults or {}).items() if v is not None})
        return ColumnMapping(
            columns=self.columns,
            templates=self.templates,
            defaults=merged,
            categories=self.categories,
            statuses=self.statuses,
            year_flags=self.year_flags,
            layer=layer if layer is not None else self.layer,
            crs=crs if crs is not None else self.crs,
            cost_multiplier=self.cost_multiplier,
            path=self.path,
        )

    def resolve_columns(self, headers: Iterable[str]) -> dict[str, str]:
        """Field -> the header of ``headers`` that holds it (fields not found are left out).

        A field named in ``[columns]`` must be found; common names are tried for the rest.
        A header is used for one field only.

        Raises
        ------
        ConfigError
            If a header named in the mapping is not among ``headers``.

        Examples
        --------
        >>> ColumnMapping().resolve_columns(["Project Title", "Lat", "Long", "Status"])
        {'name': 'Project Title', 'status': 'Status', 'latitude': 'Lat', 'longitude': 'Long'}
        """
        headers = [str(h) for h in headers]
        by_key: dict[str, str] = {}
        for h in headers:
            by_key.setdefault(header_key(h), h)
        found: dict[str, str] = {}
        used: set[str] = set()
        missing: list[str] = []
        for fld, names in self.columns.items():
            hit = next((by_key[header_key(n)] for n in names if header_key(n) in by_key), None)
            if hit is None:
                missing.append(f"{fld} = {' or '.join(repr(n) for n in names)}")
            else:
                found[fld] = hit
                used.add(hit)
        if missing:
            raise ConfigError(
                f"{self.path or 'the mapping'}: [columns] names headers the file does not have: "
                f"{'; '.join(missing)} (found: {', '.join(headers)}). Fix the header names in the mapping."
            )
        template_fields = set(self.templates)
        flag_fields = set(self.year_flags)
        for fld in (*MAPPABLE_FIELDS, *GEOMETRY_FIELDS):
            if fld in found or fld in template_fields or fld in flag_fields:
                continue
            for name in COMMON_NAMES.get(fld, ()):
                header = by_key.get(header_key(name))
                if header is not None and header not in used:
                    found[fld] = header
                    used.add(header)
                    break
        return found


def _as_names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    raise ConfigError(f"{where} must be a header name or a list of header names (found {value!r}).")


def mapping_from_dict(raw: Mapping[str, Any], *, path: str | None = None) -> ColumnMapping:
    """Build and check a :class:`ColumnMapping` from parsed TOML.

    Every problem is reported at once.

    Raises
    ------
    ConfigError
        Listing every unknown section, field, category or status.

    Examples
    --------
    >>> m = mapping_from_dict({"columns": {"project_id": "PID"}, "defaults": {"agency": "KCOG"}})
    >>> m.columns, m.defaults
    ({'project_id': ('PID',)}, {'agency': 'KCOG'})
    """
    where = path or "mapping"
    errors: list[str] = []
    unknown = sorted(set(raw) - _SECTIONS)
    if unknown:
        errors.append(f"unknown section(s) {', '.join(unknown)} (valid: {', '.join(sorted(_SECTIONS))})")
    fields_ok = (*MAPPABLE_FIELDS, *GEOMETRY_FIELDS)

    def table(name: str) -> dict[str, Any]:
        value = raw.get(name, {})
        if not isinstance(value, dict):
            errors.append(f"[{name}] must be a table")
            return {}
        return value

    source = table("source")
    for key in sorted(set(source) - _SOURCE_KEYS):
        errors.append(f"[source] has unknown key {key!r} (valid: {', '.join(sorted(_SOURCE_KEYS))})")
    columns: dict[str, tuple[str, ...]] = {}
    for fld, value in table("columns").items():
        if fld not in fields_ok:
            errors.append(f"[columns] {fld!r} is not a field (valid: {', '.join(fields_ok)})")
            continue
        try:
            columns[fld] = _as_names(value, f"[columns] {fld}")
        except ConfigError as exc:
            errors.append(str(exc))
    templates: dict[str, str] = {}
    for fld, value in table("templates").items():
        if fld not in MAPPABLE_FIELDS:
            errors.append(f"[templates] {fld!r} is not a field (valid: {', '.join(MAPPABLE_FIELDS)})")
        elif not isinstance(value, str) or not _TEMPLATE_FIELD.search(value):
            errors.append(f'[templates] {fld} must be text naming columns in braces, e.g. "HSR {{Seg}}"')
        else:
            templates[fld] = value
    defaults: dict[str, Any] = {}
    for fld, value in table("defaults").items():
        if fld not in MAPPABLE_FIELDS:
            errors.append(f"[defaults] {fld!r} is not a field (valid: {', '.join(MAPPABLE_FIELDS)})")
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            errors.append(f"[defaults] {fld} must be text or a number (found {value!r})")
        else:
            defaults[fld] = value
    categories = {str(k): str(v) for k, v in table("categories").items()}
    for word, target in categories.items():
        if target not in CATEGORIES:
            errors.append(f"[categories] {word!r} = {target!r}: use one of {', '.join(CATEGORIES)}")
    statuses = {str(k): str(v) for k, v in table("statuses").items()}
    for word, target in statuses.items():
        if target not in STATUSES:
            errors.append(f"[statuses] {word!r} = {target!r}: use one of {', '.join(STATUSES)}")
    year_flags: dict[str, dict[str, int]] = {}
    for fld, flags in table("year_flags").items():
        if fld not in ("start_year", "end_year"):
            errors.append(f"[year_flags.{fld}]: only start_year and end_year take year flags")
        elif (
            not isinstance(flags, dict)
            or not flags
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in flags.values())
        ):
            errors.append(f"[year_flags.{fld}] must list header = year, e.g. HSR_2022 = 2022")
        else:
            year_flags[fld] = {str(k): int(v) for k, v in flags.items()}
    if "category" in defaults:
        try:
            parse_category(defaults["category"], user=categories)
        except ValueError as exc:
            errors.append(f"[defaults] {exc}")
    if "status" in defaults:
        try:
            parse_status(defaults["status"], user=statuses)
        except ValueError as exc:
            errors.append(f"[defaults] {exc}")
    multiplier = source.get("cost_multiplier", 1)
    if not isinstance(multiplier, int | float) or isinstance(multiplier, bool) or multiplier <= 0:
        errors.append(f"[source] cost_multiplier must be a positive number (found {multiplier!r})")
        multiplier = 1
    layer = source.get("layer")
    crs = source.get("crs")
    for key, value in (("layer", layer), ("crs", crs)):
        if value is not None and not isinstance(value, str):
            errors.append(f"[source] {key} must be text (found {value!r})")
    if errors:
        raise ConfigError(f"{where}: " + "; ".join(errors) + ".")
    return ColumnMapping(
        columns=columns,
        templates=templates,
        defaults=defaults,
        categories=categories,
        statuses=statuses,
        year_flags=year_flags,
        layer=layer,
        crs=crs,
        cost_multiplier=float(multiplier),
        path=path,
    )


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a mapping TOML file.

    Raises
    ------
    ConfigError
        If the file is missing, not TOML or has unknown fields or values.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the mapping file {p} ({exc.strerror}). Check the path.") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{p} is not valid TOML ({exc}). Compare it with project_mapping.example.toml."
        ) from exc
    return mapping_from_dict(raw, path=str(p))


def fill_template(template: str, row: Mapping[str, Any], *, headers: Mapping[str, str]) -> str | None:
    """Fill ``{Header}`` placeholders with the row's cells; None if every cell is empty.

    ``headers`` maps :func:`header_key` of each header to the real header.

    >>> fill_template("HSR segment {seg}", {"Seg": 9}, headers={"seg": "Seg"})
    'HSR segment 9'
    """
    any_value = False

    def sub(m: re.Match[str]) -> str:
        nonlocal any_value
        header = headers.get(header_key(m.group(1)))
        if header is None:
            raise ConfigError(f"template column {m.group(1)!r} is not in the file")
        value = row.get(header)
        if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
            return ""
        any_value = True
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    text = _TEMPLATE_FIELD.sub(sub, template).strip()
    return text if any_value else None


def template_columns(template: str) -> list[str]:
    """Headers named in a template.

    >>> template_columns("{Agency}-{ID}")
    ['Agency', 'ID']
    """
    return _TEMPLATE_FIELD.findall(template)
