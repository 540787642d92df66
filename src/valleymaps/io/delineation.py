"""The Census Bureau's CBSA delineation file (list1): counties of metropolitan and micropolitan areas.

The file (``list1_2023.xlsx``, published at
https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/)
is a workbook whose first sheet has two title rows ("Core based statistical areas (CBSAs),
metropolitan divisions, and combined statistical areas (CSAs)", "July 2023"), a header row
(``CBSA Code``, ``Metropolitan Division Code``, ``CSA Code``, ``CBSA Title``,
``Metropolitan/Micropolitan Statistical Area``, ..., ``County/County Equivalent``, ``State Name``,
``FIPS State Code``, ``FIPS County Code``, ``Central/Outlying County``), one row per county, and
footnote rows ("Note: ...", "Source: ..."). The 2020 and earlier editions have the same columns;
a CSV saved from the workbook reads the same way. The header row is found by its labels; codes
are read as text with their leading zeros (codes stored as numbers are padded back: their widths
are fixed).

:func:`import_metro_delineation` stores it in a workspace as ``data/geo/cbsa_delineation.csv``
(``county_geoid,cbsa_code,cbsa_title,cbsa_type,county_name,state_name``, all text) with its
provenance in ``cbsa_delineation.meta.json``; :func:`load_metro_areas` reads it back for the
metro roll-up (:class:`valleymaps.core.metros.MetroAreas`).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from valleymaps.core.metros import MetroAreas
from valleymaps.errors import DataExistsError, DataSourceError, FieldError, Problem, ValidationError
from valleymaps.io.atomic import write_text_atomic
from valleymaps.io.excel import open_workbook
from valleymaps.io.filelock import exclusive_lock, lock_path
from valleymaps.io.os_errors import ensure_readable
from valleymaps.io.text_encoding import decode_wide, detect_encoding, detect_file_encoding, is_wide_unicode
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

#: Header label -> column of the stored table, and the width of codes.
HEADER: dict[str, tuple[str, int]] = {
    "CBSA Code": ("cbsa_code", 5),
    "CBSA Title": ("cbsa_title", 0),
    "Metropolitan/Micropolitan Statistical Area": ("cbsa_type", 0),
    "FIPS State Code": ("state_fips", 2),
    "FIPS County Code": ("county_fips", 3),
}
#: Labels read when present.
OPTIONAL: dict[str, str] = {"County/County Equivalent": "county_name", "State Name": "state_name"}

COLUMNS: tuple[str, ...] = ("county_geoid", "cbsa_code", "cbsa_title", "cbsa_type", "county_name",
                            "state_name")

STORE_NAME = "cbsa_delineation.csv"
META_NAME = "cbsa_delineation.meta.json"

#: Rows searched for the header.
HEADER_SEARCH_ROWS = 30

_EDITION = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|"
                      r"November|December)\s+((?:19|20)\d{2})\b", re.IGNORECASE)  # titles are in capitals
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass
class Delineation:
    """A delineation file read.

    Attributes
    ----------
    table
        One row per county: :data:`COLUMNS`, all text.
    edition
        The file's date ("July 2023"), from its title rows or name; "" when unknown.
    source
        The file name.
    notes
        What was skipped or repaired.
    """

    table: pd.DataFrame
    edition: str
    source: str
    notes: list[str] = field(default_factory=list)

    def metro_areas(self) -> MetroAreas:
        return MetroAreas.from_table(self.table, edition=self.edition)


def _norm(label: object) -> str:
    return re.sub(r"\s+", " ", str(label or "")).strip().casefold()


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    with open_workbook(path, hint="Download it again, or save it as .xlsx or .csv.") as book:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    raw = path.read_bytes()
    try:
        declared = detect_encoding(raw[:4096])
        if declared is not None and is_wide_unicode(declared):
            text = decode_wide(path, raw, declared)
        else:
            text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # saved by Excel on Windows
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        yield number, list(row)


def _rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    if not path.exists():
        raise DataSourceError(f"{path} does not exist. Check the file name and folder.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):  # the editions up to 2020 are .xls workbooks
        return _xlsx_rows(path)
    if suffix in (".csv", ".txt"):
        return _csv_rows(path)
    raise DataSourceError(
        f"{path.name}: expected the delineation workbook (.xlsx or .xls, as published) or a .csv of it."
    )


def _code(value: object, width: int) -> tuple[str, bool]:
    """A code as text of ``width`` digits, and whether it had to be padded (stored as a number)."""
    if isinstance(value, bool) or value is None:
        return "", False
    if isinstance(value, int | float):
        if float(value).is_integer():
            text = str(int(value))
            return text.zfill(width), len(text) < width
        return str(value), False
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    return text, False


def _find_header(rows: Sequence[tuple[int, list[object]]], path: Path) -> tuple[int, dict[str, int]]:
    wanted = {_norm(label): label for label in (*HEADER, *OPTIONAL)}
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {wanted[_norm(c)]: i for i, c in enumerate(cells) if _norm(c) in wanted}
        if all(label in found for label in HEADER):
            return index, found
    seen = next((c for _, c in rows[:HEADER_SEARCH_ROWS] if sum(1 for x in c if x not in (None, "")) > 3),
                [])
    raise FieldError(
        f"{path.name} is not a CBSA delineation file: no header row with "
        f"{', '.join(repr(h) for h in HEADER)} in its first {HEADER_SEARCH_ROWS} rows (the first "
        f"full row has: {', '.join(str(c) for c in seen[:8] if c not in (None, '')) or 'nothing'}). "
        "Pass list1 of the Census Bureau's delineation files (e.g. list1_2023.xlsx)."
    )


def _edition(titles: Sequence[list[object]], path: Path) -> str:
    for cells in titles:
        for cell in cells:
            match = _EDITION.search(str(cell or ""))
            if match:  # "MARCH 2020" -> "March 2020"
                return f"{match.group(1).capitalize()} {match.group(2)}"
    year = _YEAR_IN_NAME.search(path.name)
    return year.group(1) if year else ""


def read_cbsa_delineation(path: str | os.PathLike[str]) -> Delineation:
    """Read the Census Bureau's CBSA delineation file (list1, ``.xlsx`` or a ``.csv`` of it).

    Returns
    -------
    Delineation
        One row per county in a CBSA.

    Raises
    ------
    DataSourceError
        If the file is missing or not a workbook (``.xlsx``, ``.xls``) or CSV.
    FieldError
        If no header row with the delineation's labels is found.
    ValidationError
        Listing the rows whose codes are not codes (row numbers as in the spreadsheet), and
        counties given twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "list1_2023.csv"
    >>> _ = p.write_text("Core based statistical areas (CBSAs)\\nJuly 2023\\n"
    ...     "CBSA Code,CBSA Title,Metropolitan/Micropolitan Statistical Area,FIPS State Code,"
    ...     "FIPS County Code\\n39900,\\"Reno, NV\\",Metropolitan Statistical Area,32,031\\n"
    ...     "Note: footnote\\n")
    >>> d = read_cbsa_delineation(p)
    >>> d.edition, d.table[["county_geoid", "cbsa_code", "cbsa_title"]].values.tolist()
    ('July 2023', [['32031', '39900', 'Reno, NV']])
    """
    p = Path(path)
    ensure_readable([p])
    rows = list(_rows(p))
    header_at, columns = _find_header(rows, p)
    edition = _edition([cells for _, cells in rows[:header_at]], p)
    problems: list[Problem] = []
    records = []
    padded = skipped = 0

    def cell(cells: list[object], label: str) -> object:
        i = columns.get(label)
        return cells[i] if i is not None and i < len(cells) else None

    for number, cells in rows[header_at + 1:]:
        if all(c in (None, "") or str(c).strip() == "" for c in cells):
            continue
        values: dict[str, str] = {}
        row_padded = False
        for label, (name, width) in HEADER.items():
            if width:
                values[name], was_padded = _code(cell(cells, label), width)
                row_padded |= was_padded
            else:
                values[name] = str(cell(cells, label) or "").strip()
        if not any(values[HEADER[h][0]] for h in ("CBSA Code", "FIPS State Code", "FIPS County Code")):
            skipped += 1  # a footnote ("Note: ...", "Source: ...") written in the first column
            continue
        bad = [(label, values[name]) for label, (name, width) in HEADER.items()
               if width and not (len(values[name]) == width and values[name].isdigit())]
        if bad and not values["cbsa_title"] and not values["state_fips"].isdigit():
            skipped += 1  # a footnote in the code column
            continue
        for label, value in bad:
            width = next(w for lab, (_, w) in HEADER.items() if lab == label)
            problems.append(Problem(f"{value!r} is not a {width}-digit code", row=number, column=label))
        if bad:
            continue
        padded += row_padded
        records.append({
            "county_geoid": values["state_fips"] + values["county_fips"],
            "cbsa_code": values["cbsa_code"],
            "cbsa_title": values["cbsa_title"],
            "cbsa_type": values["cbsa_type"],
            "county_name": str(cell(cells, "County/County Equivalent") or "").strip(),
            "state_name": str(cell(cells, "State Name") or "").strip(),
        })
    table = pd.DataFrame(records, columns=list(COLUMNS), dtype="str")
    twice = table[table["county_geoid"].duplicated(keep=False)]
    if len(twice):
        problems.append(Problem(f"counties listed more than once: "
                                f"{', '.join(sorted(set(twice['county_geoid']))[:10])}"))
    if not len(table) and not problems:
        problems.append(Problem("no county rows under the header row"))
    if problems:
        raise ValidationError(str(p), problems)
    notes = [f"{skipped} footnote rows skipped"] if skipped else []
    if padded:
        notes.append(f"{padded} rows had codes stored as numbers; their leading zeros were restored")
    log.info("read %s (%s): %d counties in %d CBSAs", p.name, edition or "edition unknown", len(table),
             table["cbsa_code"].nunique())
    return Delineation(table=table, edition=edition, source=p.name, notes=notes)


def delineation_path(ws: Workspace) -> Path:
    """Where a workspace keeps its delineation: ``data/geo/cbsa_delineation.csv``."""
    return ws.geo_dir / STORE_NAME


def import_metro_delineation(ws: Workspace, path: str | os.PathLike[str], *, replace: bool = False) -> Path:
    """Read a CBSA delineation file (list1) and store it in the workspace for the metro roll-up.

    Parameters
    ----------
    ws
        The workspace.
    path
        ``list1_2023.xlsx`` as published (or an earlier edition, or a ``.csv`` saved from it).
    replace
        Replace a stored delineation with other areas (else refuse; the same table again
        replaces nothing).

    Returns
    -------
    pathlib.Path
        The stored table, ``data/geo/cbsa_delineation.csv`` (its provenance next to it in
        ``cbsa_delineation.meta.json``).

    Raises
    ------
    DataSourceError, FieldError, ValidationError
        As :func:`read_cbsa_delineation`; nothing is written then.
    DataExistsError
        If another delineation is stored and ``replace`` is false (editions and counts).
    """
    delineation = read_cbsa_delineation(path)
    target = delineation_path(ws)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = delineation.table.to_csv(index=False, lineterminator="\n")
    with exclusive_lock(lock_path(target)):
        if target.is_file() and not replace and target.read_text(encoding="utf-8") != text:
            old = load_delineation_meta(ws)
            raise DataExistsError(
                f"{target} holds the CBSA delineation {old.get('edition') or '(edition not stated)'} "
                f"({old.get('counties', '?')} counties in {old.get('cbsas', '?')} areas); this import "
                f"would replace it with {delineation.edition or 'an edition not stated'} "
                f"({len(delineation.table):,} counties in {delineation.table['cbsa_code'].nunique():,} "
                f"areas, from {Path(path).name}). Pass --replace to replace it."
            )
        write_text_atomic(target, text)
        _write_delineation_meta(ws, target, delineation)
    log.info("stored the CBSA delineation (%s) in %s", delineation.edition, target)
    return target


def _write_delineation_meta(ws: Workspace, target: Path, delineation: Delineation) -> None:
    kinds = delineation.table.drop_duplicates("cbsa_code")["cbsa_type"].str.lower()
    meta: dict[str, Any] = {
        "source": f"U.S. Census Bureau, CBSA delineation file ({delineation.source})",
        "imported_from": delineation.source,
        "edition": delineation.edition,
        "counties": len(delineation.table),
        "cbsas": int(delineation.table["cbsa_code"].nunique()),
        "metropolitan": int(kinds.str.contains("metro").sum()),
        "micropolitan": int(kinds.str.contains("micro").sum()),
        "notes": delineation.notes,
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_text_atomic(target.with_name(META_NAME), json.dumps(meta, indent=2, ensure_ascii=False) + "\n")


def load_delineation_meta(ws: Workspace) -> dict[str, Any]:
    """Provenance of the workspace's delineation, or ``{}``."""
    path = ws.geo_dir / META_NAME
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return meta if isinstance(meta, dict) else {}


def load_metro_areas(ws: Workspace) -> MetroAreas | None:
    """The workspace's CBSA delineation for the metro roll-up, or None when none is imported."""
    path = delineation_path(ws)
    if not path.is_file():
        return None
    declared = detect_file_encoding(path)
    table = pd.read_csv(path, dtype="str", keep_default_na=False,
                        encoding=declared if is_wide_unicode(declared) else "utf-8-sig")
    return MetroAreas.from_table(table, edition=str(load_delineation_meta(ws).get("edition", "")))
