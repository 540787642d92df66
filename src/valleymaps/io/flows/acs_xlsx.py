"""The ACS county-to-county commuting flows workbook as the Census Bureau publishes it.

``table1.xlsx`` ("Table 1. Residence County to Workplace County Commuting Flows for the United
States and Puerto Rico Sorted by Residence Geography: 5-Year ACS, 2016-2020") is one sheet:

* title rows (the period among them), then a two-row header: "Residence", "Place of Work",
  "Commuting Flow" above "State FIPS Code", "County FIPS Code", "State Name", "County Name" (for
  each end), "Workers in Commuting Flow" and "Margin of Error";
* the 2011-2015 and 2016-2020 editions put each end's codes before its names; the 2006-2010
  edition has the four codes, the workers and the margin of error first, then the four names;
* the place-of-work state code has three digits (``006``); codes from 100 up are places abroad
  (``301`` Canada, ``303`` Mexico, ``166`` Europe, ``254`` Asia, ...) with no county;
* footnote rows follow the data.

The header is found by its labels (whatever the number of title rows, whatever the order of the
columns), residence and place of work by the row above it (or, without one, by their order). Codes
stay text with their leading zeros: a cell Excel stores as a number (``19`` for county ``019``) is
padded back to its width. Footnotes and blank rows are skipped. The rows are then checked and
converted like the CSV table (:func:`valleymaps.io.flows.acs_county.normalise_acs_flows`), and a
bad row is reported with its spreadsheet row number.

>>> import tempfile, pathlib
>>> from openpyxl import Workbook
>>> wb = Workbook(); sheet = wb.active
>>> sheet.append(["Table 1. Residence County to Workplace County Commuting Flows: 5-Year ACS, 2016-2020"])
>>> sheet.append(["Residence", None, None, None, "Place of Work", None, None, None, "Commuting Flow"])
>>> sheet.append(["State FIPS Code", "County FIPS Code", "State Name", "County Name",
...               "State FIPS Code", "County FIPS Code", "State Name", "County Name",
...               "Workers in Commuting Flow", "Margin of Error"])
>>> sheet.append(["06", 19, "California", "Fresno County", "006", "019", "California",
...               "Fresno County", 334_520, 2_988])
>>> sheet.append(["Footnotes:"])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "table1.xlsx"; wb.save(path)
>>> read = read_acs_xlsx_flows(path)
>>> read.vintage, read.table.values.tolist()
('2016–2020', [['06019', '06019', 334520, 2988.0]])
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from valleymaps.errors import DataSourceError, FieldError
from valleymaps.io.excel import open_workbook
from valleymaps.io.flows.acs_county import (
    COLUMNS,
    AcsFlowsRead,
    normalise_acs_flows,
    vintage_from_text,
)

log = logging.getLogger(__name__)

#: File name endings read as workbooks (``.xls`` with python-calamine, see :mod:`valleymaps.io.excel`).
SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".xls")

#: Rows of each sheet searched for the header.
HEADER_SEARCH_ROWS = 40

#: Width of each code column (Excel may have stored the code as a number).
_WIDTHS = {"h_state_fips": 2, "h_county_fips": 3, "w_state_fips": 3, "w_county_fips": 3}


def is_workbook(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` names an Excel workbook (``.xlsx``, ``.xlsm``, ``.xls``).

    >>> is_workbook("table1.xlsx"), is_workbook("flows.csv")
    (True, False)
    """
    return str(path).lower().endswith(SUFFIXES)


def _key(value: Any) -> str:
    """A header cell as lowercase words: ``'State\\nFIPS Code'`` -> ``'state fips code'``."""
    return re.sub(r"[^a-z0-9]+", " ", str(value).lower()).strip() if value is not None else ""


def _kind(label: str) -> str | None:
    """What a header label names: a state or county code, the workers, the margin of error."""
    words = set(label.split())
    if "margin of error" in label or words & {"moe"}:
        return "moe"
    if "workers" in words or "commuting flow" in label:
        return "workers"
    if "name" in words or not words & {"fips", "code"}:
        return None
    if "state" in words:
        return "state"
    if "county" in words:
        return "county"
    return None


def _end(text: str) -> str | None:
    """Residence (``h``) or place of work (``w``) from a label or the group above it."""
    if "residence" in text or "home" in text.split():
        return "h"
    if "work" in text:  # place of work, workplace
        return "w"
    return None


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


@dataclass(frozen=True)
class _Header:
    """Where the table's header is and which column holds what."""

    row: int  # 0-based index of the header row in the sheet
    columns: dict[str, int]  # COLUMNS -> 0-based column index
    labels: dict[str, str]  # COLUMNS -> how messages name the column


def _find_header(rows: list[tuple[Any, ...]]) -> _Header | None:
    for r, cells in enumerate(rows):
        keys = [_key(c) for c in cells]
        kinds = [_kind(k) for k in keys]
        if kinds.count("state") < 2 or kinds.count("county") < 2 or "workers" not in kinds \
                or "moe" not in kinds:
            continue
        # the group row above ("Residence", "Place of Work"; merged cells: first cell only)
        groups: list[str] = []
        above = rows[r - 1] if r > 0 else ()
        current = ""
        for i in range(len(cells)):
            text = above[i] if i < len(above) else None
            if text is not None and str(text).strip():
                current = str(text).strip()
            groups.append(current)
        columns: dict[str, int] = {}
        labels: dict[str, str] = {}
        for kind, names in (("state", ("h_state_fips", "w_state_fips")),
                            ("county", ("h_county_fips", "w_county_fips"))):
            found = [i for i, k in enumerate(kinds) if k == kind]
            ends = [_end(keys[i]) or _end(_key(groups[i])) for i in found]
            h = [i for i, e in zip(found, ends, strict=True) if e == "h"]
            w = [i for i, e in zip(found, ends, strict=True) if e == "w"]
            pick = (h[0], w[0]) if h and w else (found[0], found[1])
            columns.update(zip(names, pick, strict=True))
        columns["flow"] = kinds.index("workers")
        columns["moe"] = kinds.index("moe")
        for name, i in columns.items():
            label = " ".join(str(cells[i]).split())
            group = " ".join(groups[i].split())
            labels[name] = f"{_column_letter(i)} ({group + ': ' if group else ''}{label})"
        return _Header(row=r, columns=columns, labels=labels)
    return None


def _text(value: Any, width: int | None = None) -> str:
    """A cell as text; whole numbers without ``.0``; codes padded to ``width`` digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, bool):
        text = str(value)
    else:
        text = str(value).strip()
    if width is not None and text.isdigit() and len(text) < width:
        text = text.zfill(width)
    return text


def _open_rows(path: Path) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """Each sheet's name and rows (cell values), read with openpyxl."""
    hint = ("Pass the table as published (table1.xlsx), or open it in a spreadsheet and save it "
            "as .xlsx.")
    with open_workbook(path, hint=hint) as wb:
        for sheet in wb.worksheets:
            yield sheet.title, list(sheet.iter_rows(values_only=True))


def read_acs_xlsx_flows(path: str | os.PathLike[str], *, sheet: str | None = None
                        ) -> AcsFlowsRead:
    """Read the ACS county-to-county commuting flows workbook (``table1.xlsx``).

    Parameters
    ----------
    path
        The workbook.
    sheet
        The sheet to read (default: the one whose header is that of the table).

    Returns
    -------
    AcsFlowsRead
        As :func:`~valleymaps.io.flows.acs_county.read_acs_county_flows`; the period comes
        from the title rows (or the file name).

    Raises
    ------
    DataSourceError
        If the file is not a workbook, or several sheets hold the table and ``sheet`` is not given.
    FieldError
        If no sheet has the table's header.
    ValidationError
        Listing the rows that cannot be read by spreadsheet row number and column.
    """
    p = Path(path)
    found: list[tuple[str, list[tuple[Any, ...]], _Header]] = []
    names: list[str] = []
    for name, rows in _open_rows(p):
        names.append(name)
        if sheet is not None and name != sheet:
            continue
        header = _find_header(rows[:HEADER_SEARCH_ROWS])
        if header is not None:
            found.append((name, rows, header))
    if sheet is not None and sheet not in names:
        raise DataSourceError(f"{p} has no sheet {sheet!r} (found: {', '.join(names)}).")
    if not found:
        raise FieldError(
            f"{p} is not the ACS county-to-county commuting flows table: no sheet "
            f"({', '.join(repr(n) for n in names)}) has its header in the first "
            f"{HEADER_SEARCH_ROWS} rows ('State FIPS Code' and 'County FIPS Code' for the "
            "residence and the place of work, 'Workers in Commuting Flow', 'Margin of Error'). "
            "Pass Table 1 of the Census Bureau's county-to-county commuting flows."
        )
    if len(found) > 1:
        raise DataSourceError(
            f"{p} has the flows table on {len(found)} sheets ({', '.join(n for n, _, _ in found)});"
            " read one at a time (sheet=...), or keep one sheet in the workbook."
        )
    name, rows, header = found[0]
    records: list[list[str]] = []
    numbers: list[int] = []
    for r in range(header.row + 1, len(rows)):
        cells = rows[r]
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        records.append([
            _text(cells[i] if i < len(cells) else None, _WIDTHS.get(column))
            for column, i in ((c, header.columns[c]) for c in COLUMNS)
        ])
        numbers.append(r + 1)
    data = pd.DataFrame(records, columns=list(COLUMNS), dtype="str")
    titles = " ".join(str(c) for row in rows[: header.row] for c in row if c is not None)
    vintage = vintage_from_text(titles) or vintage_from_text(p.name)
    log.info("%s, sheet %r: header on row %d, %d rows below it", p.name, name, header.row + 1,
             len(records))
    return normalise_acs_flows(data, source=f"{p}, sheet {name!r}", vintage=vintage,
                               row_numbers=numbers, labels=header.labels)
