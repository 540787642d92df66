"""Read a project inventory as the agency wrote it: CSV, Excel, GeoJSON, GeoPackage,
shapefile (zipped too) or a PostGIS table.

Readers do not interpret values; they return a :class:`RawTable` of the cells
as found (text for CSV, native values for Excel and GIS files), the
geometries of GIS sources and each record's row number, for
:func:`valleymaps.projects.validate.validate_projects` to check.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from valleymaps.errors import DataSourceError
from valleymaps.io.excel import open_workbook
from valleymaps.io.os_errors import ensure_readable
from valleymaps.io.text_encoding import decode_wide, detect_encoding, is_wide_unicode
from valleymaps.io.vector import VECTOR_EXTENSIONS, read_vector
from valleymaps.projects.mapping import COMMON_NAMES, header_key

log = logging.getLogger(__name__)

#: Kinds of source and the extensions that select them.
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
#: Preferred layer/sheet/table name when a source has several.
PREFERRED_LAYER = "projects"


@dataclass
class RawTable:
    """A source's records before validation.

    Attributes
    ----------
    source
        File name (or ``table`` of a database) for messages and the ``source`` column.
    kind
        ``"csv"``, ``"excel"``, ``"vector"`` or ``"postgis"``.
    frame
        One row per record, the source's columns, index 0..n-1.
    rows
        Row number per record: data rows counted from 1, header excluded.
    geometry
        The records' geometries (GIS sources) with their CRS, else None.
    line_offset
        Added to a row number to give the line (CSV) or spreadsheet row (Excel)
        the user sees; None for GIS sources.
    """

    source: str
    kind: str
    frame: pd.DataFrame
    rows: list[int]
    geometry: gpd.GeoSeries | None = None
    line_offset: int | None = None

    def location(self, row: int) -> str:
        """How a user finds a row: ``"row 3 (line 4)"``, ``"row 3 (Excel row 5)"``, ``"feature 3"``."""
        if self.kind == "csv" and self.line_offset is not None:
            return f"row {row} (line {row + self.line_offset})"
        if self.kind == "excel" and self.line_offset is not None:
            return f"row {row} (Excel row {row + self.line_offset})"
        return f"record {row}" if self.kind == "postgis" else f"feature {row}"


def is_database_url(source: str | os.PathLike[str]) -> bool:
    """True for ``postgresql://`` and ``postgres://`` URLs.

    >>> is_database_url("postgresql://me@db/region"), is_database_url("projects.csv")
    (True, False)
    """
    return str(source).lower().startswith(("postgresql://", "postgres://"))


def detect_source_kind(source: str | os.PathLike[str]) -> str:
    """``"csv"``, ``"excel"``, ``"vector"`` or ``"postgis"`` from a file name or URL.

    Raises
    ------
    DataSourceError
        For a file type that is not a project inventory (the message lists those that are).

    Examples
    --------
    >>> [detect_source_kind(n) for n in ("a.csv", "b.xlsx", "c.geojson", "d.zip", "postgresql://x/y")]
    ['csv', 'excel', 'vector', 'vector', 'postgis']
    """
    if is_database_url(source):
        return "postgis"
    name = Path(source).name.lower()
    if name.endswith(CSV_EXTENSIONS):
        return "csv"
    if name.endswith(EXCEL_EXTENSIONS):
        return "excel"
    if name.endswith(".xls"):
        raise DataSourceError(
            f"{source} is an old Excel 97-2003 workbook (.xls). Open it in Excel or LibreOffice and "
            "save it as .xlsx (or export the sheet as CSV), then import that file."
        )
    if name.endswith((*VECTOR_EXTENSIONS, ".zip")):
        return "vector"
    raise DataSourceError(
        f"{source}: unknown file type. Import a CSV (.csv), an Excel workbook (.xlsx), a GeoJSON, "
        "a GeoPackage (.gpkg), a shapefile (.shp or .zip) or a PostGIS table (postgresql://...)."
    )


def _decode(path: Path, data: bytes) -> str:
    declared = detect_encoding(data[:4096])
    if declared is not None and is_wide_unicode(declared):
        log.info("%s is %s text; read it as such", path.name, declared.upper())
        return decode_wide(path, data, declared)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding != "utf-8-sig":
            log.info("%s is not UTF-8; read it as Windows-1252 (Excel's CSV export)", path.name)
        return text
    raise DataSourceError(
        f"{path} is not a text file (not UTF-8 or Windows-1252). Export it again as CSV UTF-8."
    )


def read_csv_table(path: str | os.PathLike[str]) -> RawTable:
    """Read a CSV (or tab/semicolon separated) table; every cell as text.

    Raises
    ------
    DataSourceError
        If the file is missing, empty or not text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = p.write_text("id;name;lat;lon\\n1;Bridge;36.7;-119.8\\n")
    >>> t = read_csv_table(p)
    >>> t.frame.loc[0, "name"], t.rows, t.location(1)
    ('Bridge', [1], 'row 1 (line 2)')
    """
    p = Path(path)
    if not p.is_file():
        raise DataSourceError(f"{p} does not exist. Check the file name and folder.")
    text = _decode(p, p.read_bytes())
    if not text.strip():
        raise DataSourceError(f"{p} is empty. Export the project list again with its header row.")
    first = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(first.split("\n", 1)[0], delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataSourceError(
            f"{p} cannot be read as a table ({exc}). Check that every row has as many values as the "
            "header and that text with commas is quoted."
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        blank &= (frame[col].astype(str).str.strip() == "").to_numpy(dtype=bool)
    rows = [i + 1 for i in np.flatnonzero(~blank).tolist()]
    frame = frame[~blank].reset_index(drop=True)
    log.debug("read %d rows from %s", len(frame), p.name)
    return RawTable(source=p.name, kind="csv", frame=frame, rows=rows, line_offset=1)


def _header_score(cells: list[Any]) -> int:
    known = {header_key(n) for names in COMMON_NAMES.values() for n in names}
    return sum(1 for c in cells if c is not None and header_key(str(c)) in known)


def read_excel_table(path: str | os.PathLike[str], *, sheet: str | None = None) -> RawTable:
    """Read one sheet of an Excel workbook (.xlsx) with openpyxl.

    The sheet is ``sheet``, else the only one, else one named "Projects". The
    header is the first of the first ten rows that holds known headers (title
    rows above it are skipped). Cells keep their type (numbers, dates, text).

    Raises
    ------
    DataSourceError
        If the workbook cannot be opened, has no such sheet, or the sheet to
        read is unclear (the message lists the sheets).
    """
    p = Path(path)
    with open_workbook(p, hint="Save it again as .xlsx.") as wb:
        names = list(wb.sheetnames)
        if sheet is not None:
            match = [n for n in names if n == sheet] or [n for n in names if n.lower() == sheet.lower()]
            if not match:
                raise DataSourceError(
                    f"{p} has no sheet {sheet!r} (found: {', '.join(names)}). Pass one of these."
                )
            chosen = match[0]
        elif len(names) == 1:
            chosen = names[0]
        else:
            preferred = [n for n in names if n.strip().lower() == PREFERRED_LAYER]
            if not preferred:
                raise DataSourceError(
                    f"{p} has {len(names)} sheets ({', '.join(names)}) and it is not clear which holds "
                    "the projects. Pass the sheet name (--layer NAME, or layer in the mapping's [source])."
                )
            chosen = preferred[0]
        ws = wb[chosen]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
    head_index = 0
    scores = [_header_score(r) for r in values[:10]]
    if scores and max(scores) >= 2:
        head_index = scores.index(max(scores))
    else:
        head_index = next((i for i, r in enumerate(values) if any(c not in (None, "") for c in r)), 0)
    if not values or all(c in (None, "") for c in values[head_index]):
        raise DataSourceError(f"{p}, sheet {chosen!r}, is empty. Put the header in the first row.")
    header_cells = values[head_index]
    width = max(i + 1 for i, c in enumerate(header_cells) if c not in (None, ""))
    headers = []
    for i, c in enumerate(header_cells[:width]):
        name = str(c).strip() if c not in (None, "") else f"column {i + 1}"
        while name in headers:
            name += "_"
        headers.append(name)
    records, rows = [], []
    for offset, r in enumerate(values[head_index + 1 :], start=1):
        cells = (list(r) + [None] * width)[:width]
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        records.append(cells)
        rows.append(offset)
    frame = pd.DataFrame(records, columns=headers, dtype=object)
    log.info(
        "%s: read %d rows from sheet %r (header in Excel row %d)", p.name, len(frame), chosen, head_index + 1
    )
    return RawTable(
        source=f"{p.name}:{chosen}" if len(names) > 1 else p.name,
        kind="excel",
        frame=frame,
        rows=rows,
        line_offset=head_index + 1,
    )


def read_vector_table(
    path: str | os.PathLike[str], *, layer: str | None = None, assume_crs: str | CRS | None = None
) -> RawTable:
    """Read a GeoJSON, GeoPackage or (zipped) shapefile of projects.

    Raises
    ------
    DataSourceError, CRSError
        As :func:`valleymaps.io.vector.read_vector`.
    """
    p = Path(path)
    gdf = read_vector(p, layer=layer, assume_crs=assume_crs, preferred_layer=PREFERRED_LAYER)
    geometry = gdf.geometry.reset_index(drop=True)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True)
    return RawTable(
        source=p.name, kind="vector", frame=frame, rows=list(range(1, len(frame) + 1)), geometry=geometry
    )


def read_postgis_table(url: str, *, table: str | None) -> RawTable:
    """Read a table of a PostgreSQL/PostGIS database (its first geometry column, if any).

    Parameters
    ----------
    url
        ``postgresql://user@host:port/database``.
    table
        ``name`` or ``schema.name``.

    Raises
    ------
    DataSourceError
        If no table is given, the database cannot be reached or the table does not exist.
    """
    from valleymaps.projects.store_postgis import connect, mask_url, split_table

    if not table:
        raise DataSourceError(
            f"which table of {mask_url(url)} holds the projects? Pass --layer SCHEMA.TABLE "
            "(or layer in the mapping's [source])."
        )
    import psycopg
    import shapely
    from psycopg import sql

    schema, name = split_table(table)
    with connect(url) as conn:
        cur = conn.execute(
            "SELECT column_name, udt_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (schema, name),
        )
        cols = cur.fetchall()
        if not cols:
            raise DataSourceError(f"{mask_url(url)} has no table {schema}.{name}. Check the name (--layer).")
        geom_cols = [c for c, t in cols if t == "geometry"]
        plain = [c for c, t in cols if t != "geometry"]
        select: list[sql.Composable] = [sql.Identifier(c) for c in plain]
        srid = 4326
        if geom_cols:
            g = sql.Identifier(geom_cols[0])
            select.append(sql.SQL("ST_AsBinary({})").format(g))
            row = conn.execute(
                sql.SQL("SELECT ST_SRID({}) FROM {} WHERE {} IS NOT NULL LIMIT 1").format(
                    g, sql.Identifier(schema, name), g
                )
            ).fetchone()
            srid = int(row[0]) if row and row[0] else 4326
        try:
            records = conn.execute(
                sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(select), sql.Identifier(schema, name))
            ).fetchall()
        except psycopg.Error as exc:
            raise DataSourceError(f"cannot read {schema}.{name} from {mask_url(url)}: {exc}") from exc
    frame = pd.DataFrame([r[: len(plain)] for r in records], columns=plain, dtype=object)
    geometry = None
    if geom_cols:
        wkb = [bytes(r[-1]) if r[-1] is not None else None for r in records]
        geometry = gpd.GeoSeries(shapely.from_wkb(wkb), crs=f"EPSG:{srid}")
    return RawTable(
        source=f"{schema}.{name}",
        kind="postgis",
        frame=frame,
        rows=list(range(1, len(frame) + 1)),
        geometry=geometry,
    )


def read_project_source(
    source: str | os.PathLike[str], *, layer: str | None = None, assume_crs: str | CRS | None = None
) -> RawTable:
    """Read any supported project source (see :func:`detect_source_kind`).

    Parameters
    ----------
    source
        File path, or a ``postgresql://`` URL.
    layer
        Excel sheet, GeoPackage layer or PostGIS table.
    assume_crs
        CRS of GIS files that declare none.
    """
    kind = detect_source_kind(source)
    if kind != "postgis":
        ensure_readable([source])
    if kind == "csv":
        return read_csv_table(source)
    if kind == "excel":
        return read_excel_table(source, sheet=layer)
    if kind == "postgis":
        return read_postgis_table(str(source), table=layer)
    return read_vector_table(source, layer=layer, assume_crs=assume_crs)
