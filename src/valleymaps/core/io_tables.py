"""National input-output tables: one data model for the readers and the regional model.

:class:`IOTables` holds the BEA's detail Use, Make and import-matrix tables of one
year (before redefinitions, producers' prices, millions of dollars of that year) and the
concordance from BEA detail codes to NAICS. The reader (:mod:`valleymaps.io.bea`) fills
it from the published workbooks or the workspace store; the model
(:mod:`valleymaps.analysis.io_model`) only reads it.

The concordance's NAICS column is written as the BEA writes it; :func:`parse_naics_list`
turns it into prefixes:

>>> parse_naics_list("11113-6, 11119")
['11113', '11114', '11115', '11116', '11119']
>>> parse_naics_list("23*"), parse_naics_list("n.a."), parse_naics_list(1112.0)
(['23'], [], ['1112'])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Final-use columns of the BEA Use table and import matrix (before redefinitions).
FINAL_USE_TITLES: dict[str, str] = {
    "F01000": "Personal consumption expenditures",
    "F02E00": "Nonresidential private fixed investment in equipment",
    "F02N00": "Nonresidential private fixed investment in intellectual property products",
    "F02R00": "Residential private fixed investment",
    "F02S00": "Nonresidential private fixed investment in structures",
    "F03000": "Change in private inventories",
    "F04000": "Exports of goods and services",
    "F05000": "Imports of goods and services",
    "F06C00": "Federal Government defense: Consumption expenditures",
    "F06E00": "Federal national defense: Gross investment in equipment",
    "F06N00": "Federal national defense: Gross investment in intellectual property products",
    "F06S00": "Federal national defense: Gross investment in structures",
    "F07C00": "Federal Government nondefense: Consumption expenditures",
    "F07E00": "Federal nondefense: Gross investment in equipment",
    "F07N00": "Federal nondefense: Gross investment in intellectual property products",
    "F07S00": "Federal nondefense: Gross investment in structures",
    "F10C00": "State and local government consumption expenditures",
    "F10E00": "State and local government: Gross investment in equipment",
    "F10N00": "State and local government: Gross investment in intellectual property products",
    "F10S00": "State and local government: Gross investment in structures",
}

#: Final uses that are not demand of the region's own residents, businesses and governments:
#: inventory change, exports and (negative) imports. Left out of regional final demand.
NON_REGIONAL_FINAL_USES: frozenset[str] = frozenset({"F03000", "F04000", "F05000"})


def parse_naics_list(text: object) -> list[str]:
    """NAICS prefixes of one cell of the BEA's ``Related 2012 NAICS Codes`` column.

    Handles lists (``"21221, 21222"``), ranges on the last digits (``"11111-2"``,
    ``"332111-2"``, ``"7223-4"``), a trailing asterisk (``"23*"``: the NAICS industry is
    shared by several BEA industries), ``"n.a."`` (no NAICS industry) and numbers stored as
    floats by the spreadsheet (``1112.0``).

    Raises
    ------
    ValueError
        For a token that is none of these (the caller names the cell).

    Examples
    --------
    >>> parse_naics_list("7223-4, 722514-5")
    ['7223', '7224', '722514', '722515']
    """
    if text is None:
        return []
    if isinstance(text, float):
        if np.isnan(text):
            return []
        text = str(int(text))
    raw = str(text).strip()
    if raw == "" or raw.lower().rstrip(".") in {"n.a", "na"}:
        return []
    out: list[str] = []
    for token in raw.split(","):
        tok = token.strip().rstrip("*").strip()
        if tok.endswith(".0") and tok[:-2].isdigit():
            tok = tok[:-2]
        if "-" in tok:
            left, right = (t.strip() for t in tok.split("-", 1))
            if not (left.isdigit() and right.isdigit() and 0 < len(right) < len(left)):
                raise ValueError(f"not a NAICS range: {token.strip()!r}")
            stem, first = left[: len(left) - len(right)], int(left[len(left) - len(right):])
            last = int(right)
            if last < first:
                raise ValueError(f"NAICS range runs backwards: {token.strip()!r}")
            out.extend(f"{stem}{n:0{len(right)}d}" for n in range(first, last + 1))
        elif tok.isdigit() and 2 <= len(tok) <= 6:
            out.append(tok)
        else:
            raise ValueError(f"not a NAICS code: {token.strip()!r}")
    return out


@dataclass
class IOTables:
    """The BEA's detail input-output tables of one year, in millions of that year's dollars.

    Attributes
    ----------
    year
        The table year (the benchmark, 2012, by default).
    industries, industry_titles
        The industry codes (columns of the Use table, rows of the Make table) and titles.
    commodities, commodity_titles
        The commodity codes (rows of the Use table, columns of the Make table) and titles.
    use
        Intermediate use, commodities x industries, as published (a few cells negative).
    make
        Make table, industries x commodities.
    imports
        Imported intermediate use (import matrix), commodities x industries, as published.
    final_codes
        Final-use column codes (``F01000`` ...), see :data:`FINAL_USE_TITLES`.
    use_final, imports_final
        Final uses (Use table) and their imported part (import matrix), commodities x final
        uses. ``F05000`` (imports) is negative, as published.
    industry_output
        Total industry output (Use table row ``T008``).
    commodity_output
        Total commodity output (Use table column ``T007``).
    concordance
        One row per BEA detail code and NAICS prefix: ``bea_code``, ``title``, ``naics``
        (the prefix, ``""`` for codes without NAICS), ``naics_text`` (as published),
        ``shared`` (the NAICS code carried an asterisk), ``note``.
    notes
        What the reader found and did (quirks, clipped cells), for every output.
    sources
        Where the tables came from: file name, SHA-256, sheet.
    """

    year: int
    industries: list[str]
    industry_titles: list[str]
    commodities: list[str]
    commodity_titles: list[str]
    use: np.ndarray
    make: np.ndarray
    imports: np.ndarray
    final_codes: list[str]
    use_final: np.ndarray
    imports_final: np.ndarray
    industry_output: np.ndarray
    commodity_output: np.ndarray
    concordance: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        nc, ni = len(self.commodities), len(self.industries)
        shapes = {
            "use": (self.use.shape, (nc, ni)),
            "make": (self.make.shape, (ni, nc)),
            "imports": (self.imports.shape, (nc, ni)),
            "use_final": (self.use_final.shape, (nc, len(self.final_codes))),
            "imports_final": (self.imports_final.shape, (nc, len(self.final_codes))),
            "industry_output": (self.industry_output.shape, (ni,)),
            "commodity_output": (self.commodity_output.shape, (nc,)),
        }
        wrong = [f"{k} is {got}, expected {want}" for k, (got, want) in shapes.items() if got != want]
        if wrong:
            raise ValueError("input-output tables do not fit together: " + "; ".join(wrong))

    @property
    def dollars(self) -> str:
        """The unit of every table, for outputs."""
        return f"millions of {self.year} dollars"
