"""Small BEA input-output workbooks in the exact published layout, built in code.

The BEA's detail workbooks (``IOUse_Before_Redefinitions_PRO_DET.xlsx`` ...) have a
``ReadMe`` sheet, a ``NAICS Codes`` concordance sheet (a staircase; NAICS ranges, lists,
``23*`` and ``n.a.``) and one sheet per year: title rows 1-3, names on row 5, codes on
row 6 (``A6 = "Code"``), data from row 7, codes that look like numbers stored as numbers.
:func:`bea_workbooks` writes the three tables of a small economy in that layout:
the three-industry economy of :func:`valleymaps.analysis.io_model.example_tables` plus a
construction industry (``23*``), a special commodity (``S00401`` scrap, ``n.a.``) and a
government industry (``S00500``, ``n.a.``).

Test modules import it as the top-level module ``bea_files``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

INDUSTRIES = ["1111A0", "311000", "233210", "541100", "S00500"]
INDUSTRY_TITLES = ["Oilseed farming", "Food manufacturing", "Health care structures",
                   "Legal services", "Federal general government (defense)"]
COMMODITIES = [*INDUSTRIES[:4], "S00401"]
COMMODITY_TITLES = [*INDUSTRY_TITLES[:4], "Scrap"]
NAICS_TEXT = ["11111-2", 311.0, "23*", "5411, 54199", "n.a."]
FINAL = ["F01000", "F02E00", "F03000", "F04000", "F05000", "F10C00"]

#: Intermediate use, commodities x industries (one negative cell, as BEA publishes).
USE = [
    [5, 40, 0, 0, 0],
    [0, 10, 0, 1, 2],
    [0, 0, 0, 0, 0],
    [10, 20, 5, 10, 4],
    [0, 1, 0, -1, 0],
]
#: Imported intermediate use; one cell above total use (commodity 311000 by 541100).
IMPORTS = [
    [1, 10, 0, 0, 0],
    [0, 2, 0, 3, 0],
    [0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0],
]
MAKE = [
    [100, 0, 0, 0, 0],
    [0, 200, 0, 0, 1],
    [0, 0, 50, 0, 0],
    [0, 0, 0, 100, 0],
    [0, 0, 0, 0, 0],
]
INDUSTRY_OUTPUT = [100, 201, 50, 100, 30]
#: Final uses (F05000 imports negative) chosen so each row adds up to commodity output.
USE_FINAL = [
    [30, 0, 0, 36, -11, 0],
    [150, 0, 0, 47, -13, 3],
    [0, 20, 0, 0, 0, 30],
    [45, 0, 0, 0, 0, 6],
    [0, 0, 0, 0, 0, 1],
]
IMPORTS_FINAL = [
    [0, 0, 0, 0, -11, 0],
    [8, 0, 0, 0, -13, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
]


def _code_cell(code: str) -> Any:
    """A code as BEA stores it: a number when it looks like one."""
    return int(code) if code.isdigit() else code


def _title_rows(title: str) -> list[list[Any]]:
    return [[title], ["[Millions of Dollars]"], ["Bureau of Economic Analysis"], []]


def naics_sheet_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Industry Codes and Aggregations in the Industry Economic Accounts"],
        ["Estimates in the Industry Economic Accounts ..."],
        [],
        ["BEA Industry Code", "", "", "", "Industry Title"],
        ["Sector", "Summary", "U.Summary", "Detail", "", "Notes", "Related 2012 NAICS Codes"],
        [11, "AGRICULTURE, FORESTRY, FISHING, AND HUNTING"],
        [],
        ["", "111CA", "Farms"],
        ["", "", 111, "Crop production"],
    ]
    for code, title, naics in zip(INDUSTRIES[:4], INDUSTRY_TITLES[:4], NAICS_TEXT[:4], strict=True):
        note = "\u2020" if code.startswith("23") else ""
        rows.append(["", "", "", _code_cell(code), title, note, naics])
        rows.append([])
    rows += [
        ["", "", "S005 ", "Federal general government (defense)"],
        ["", "", "", "S00500", "Federal general government (defense)", "", "n.a."],
        ["", "", "", "S00401", "Scrap", "\u2020\u2020", "n.a."],
        ["n.a. Not applicable."],
        ["Note. An asterisk following a (NAICS) code indicates ..."],
    ]
    return rows


def use_rows(year: int = 2012) -> list[list[Any]]:
    rows = _title_rows(f"Use Table, Before Redefinitions, Producers' Value, {year}")
    tail = ["T001", *FINAL, "T004", "T007", "Short commodity name"]
    rows.append(["Commodity / Industry", "", *INDUSTRY_TITLES, "Total Intermediate", *FINAL,
                 "Total Final Uses", "Total Commodity Output", ""])
    rows.append(["Code", "Commodity Description", *(_code_cell(c) for c in INDUSTRIES), *tail])
    for k, (code, title) in enumerate(zip(COMMODITIES, COMMODITY_TITLES, strict=True)):
        inter = USE[k]
        final = USE_FINAL[k]
        rows.append([_code_cell(code), title, *(v if v != 0 else "" for v in inter), sum(inter),
                     *(v if v != 0 else "" for v in final), sum(final), sum(inter) + sum(final),
                     title[:10]])
    rows.append(["T005", "Total Intermediate", *(sum(USE[r][c] for r in range(5)) for c in range(5))])
    rows.append(["V00100", "Compensation of employees", *[1] * 5])
    rows.append(["T008", "Total Industry Output", *INDUSTRY_OUTPUT])
    rows.append([])
    rows.append(["Note.  Detail may not add to total due to rounding."])
    return rows


def make_rows(year: int = 2012) -> list[list[Any]]:
    rows = _title_rows(f"Make Table, Before Redefinitions, {year}")
    rows.append(["Industry / Commodity", "", *COMMODITY_TITLES, "Total Industry Output"])
    rows.append(["Code", "Industry Description", *(_code_cell(c) for c in COMMODITIES), "T008"])
    for k, (code, title) in enumerate(zip(INDUSTRIES, INDUSTRY_TITLES, strict=True)):
        rows.append([_code_cell(code), title, *(v if v else "" for v in MAKE[k]), sum(MAKE[k])])
    rows.append(["T007", "Total Commodity Output",
                 *(sum(MAKE[r][c] for r in range(5)) for c in range(5))])
    return rows


def imports_rows(year: int = 2012) -> list[list[Any]]:
    rows = _title_rows(f"Import Matrix, Before Redefinitions, {year}")
    rows.append(["Commodity / Industry", "", *INDUSTRY_TITLES, "Total", *FINAL, "Total"])
    rows.append(["Code", "Commodity Description", *(_code_cell(c) for c in INDUSTRIES), "T001",
                 *FINAL, "T004"])
    for k, (code, title) in enumerate(zip(COMMODITIES, COMMODITY_TITLES, strict=True)):
        rows.append([_code_cell(code), title, *IMPORTS[k], sum(IMPORTS[k]), *IMPORTS_FINAL[k],
                     sum(IMPORTS_FINAL[k])])
    return rows


def workbook_bytes(sheets: Sequence[tuple[str, list[list[Any]]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def bea_workbook_bytes(years: Sequence[int] = (2007, 2012)) -> dict[str, bytes]:
    """The three workbooks by their published file names."""
    readme = [["ReadMe"], ["The statistics in these spreadsheets are not copyrighted."]]
    out = {}
    for name, builder in (
        ("IOUse_Before_Redefinitions_PRO_DET.xlsx", use_rows),
        ("IOMake_Before_Redefinitions_DET.xlsx", make_rows),
        ("ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx", imports_rows),
    ):
        sheets = [("ReadMe", readme), ("NAICS Codes", naics_sheet_rows()),
                  *((str(y), builder(y)) for y in years)]
        out[name] = workbook_bytes(sheets)
    return out


def write_bea_workbooks(folder: Path) -> list[Path]:
    """Write the three workbooks into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in bea_workbook_bytes().items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths
