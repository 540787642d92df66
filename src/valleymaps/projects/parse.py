"""Parse the values agencies write: costs, years, statuses, categories, coordinates.

Pure functions. Each returns the parsed value, ``None`` for an empty cell
(and the placeholders agencies use for "not known yet", such as ``TBD``), and
raises :class:`ValueError` with a reason a user can act on when the value
cannot be read.

Examples
--------
>>> parse_cost("$1.2M"), parse_cost("1,200,000"), parse_cost("$350K"), parse_cost("TBD")
(1200000.0, 1200000.0, 350000.0, None)
>>> parse_year("FY 2024/25"), parse_year(2026.0)
(2024, 2026)
>>> parse_status("Under Construction"), parse_category("Bike/Ped")
('under construction', 'transportation')
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from valleymaps.errors import cut_value
from valleymaps.projects.schema import (
    CATEGORIES,
    CATEGORY_SYNONYMS,
    STATUS_SYNONYMS,
    STATUSES,
    normalize_word,
)

#: Years outside this range are reported as bad years.
MIN_YEAR, MAX_YEAR = 1900, 2100

#: Cell values that mean "not known" (compared after :func:`normalize_word`).
MISSING_WORDS = frozenset(
    {"", "tbd", "tba", "n/a", "na", "n.a.", "none", "null", "nan", "unknown", "-", "--", "?", "pending"}
)

_SCALES = {
    "": 1.0,
    "k": 1e3, "thousand": 1e3, "thousands": 1e3,
    "m": 1e6, "mm": 1e6, "mil": 1e6, "mill": 1e6, "million": 1e6, "millions": 1e6, "mn": 1e6,
    "b": 1e9, "bn": 1e9, "bil": 1e9, "billion": 1e9, "billions": 1e9,
}  # fmt: skip

_COST = re.compile(
    r"^(?P<neg>-)?\s*(?:usd|us\$)?\s*\$?\s*(?P<neg2>-)?\s*(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"|\.\d+)(?:e(?P<exp>[+-]?\d+))?\s*(?P<scale>[a-z]*)\.?\s*(?:usd|dollars)?$"
)


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas' NA and the words of :data:`MISSING_WORDS`.

    >>> is_missing(" TBD "), is_missing(float("nan")), is_missing("0")
    (True, True, False)
    """
    if isinstance(value, str):
        text = value.strip().lower()
        if text in MISSING_WORDS:
            return True
        if len(text) <= 12 and ("_" in text or "-" in text or "  " in text):
            return normalize_word(text) in MISSING_WORDS
        return False
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


def is_blank(value: Any) -> bool:
    """True for None, NaN, pandas' NA and empty or all-space text: the test for id and text cells.

    A project may be called "NA" or "None" (an id, an agency's abbreviation, a name): in id and
    text columns only an empty cell is missing. Numbers, years and choices use :func:`is_missing`.

    >>> is_blank(" "), is_blank("NA"), is_blank("nan"), is_blank(float("nan"))
    (True, False, False, True)
    """
    if isinstance(value, str):
        return not value.strip()
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in {"NAType", "NaTType"}


#: Texts Python reads as non-finite numbers: never a cost (an empty cell is an unknown cost).
_NON_FINITE_WORDS = frozenset(
    {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "$inf", "$infinity"}
)


def parse_cost(value: Any, *, multiplier: float = 1.0) -> float | None:
    """Dollars from ``"$1.2M"``, ``"1,200,000"``, ``"$350K"``, ``"2.5 billion"`` or a number.

    Parameters
    ----------
    value
        The cell.
    multiplier
        Applied to the parsed number (1000 for a column "in thousands of dollars").

    Raises
    ------
    ValueError
        If the value is not an amount, or is negative.

    Examples
    --------
    >>> parse_cost("$2.5 billion"), parse_cost(12.5, multiplier=1000), parse_cost("USD 1.5MM")
    (2500000000.0, 12500.0, 1500000.0)
    """
    if isinstance(value, str) and value.strip().lower() in _NON_FINITE_WORDS:
        raise ValueError(
            f"cost {cut_value(value.strip())} is not a finite amount; write the cost in dollars, e.g. "
            "1200000 or $1.2M (leave the cell empty if unknown)"
        )
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"cost {cut_value(value)} is not an amount")
    if isinstance(value, int | float):
        amount = float(value)
    else:
        text = str(value).strip().lower().replace("\u00a0", " ")
        accounting = text.startswith("(") and text.endswith(")")
        if accounting:
            text = text[1:-1].strip()
        m = _COST.match(text)
        if m is None or m["scale"] not in _SCALES:
            raise ValueError(
                f"cost {cut_value(str(value))} is not an amount; write it as 1200000, 1,200,000, "
                "$1.2M or $350K"
            )
        # float() of the whole literal: 1e309 is inf (refused below), never an OverflowError
        amount = float(f"{m['num'].replace(',', '')}e{m['exp'] or 0}") * _SCALES[m["scale"]]
        if m["neg"] or m["neg2"] or accounting:
            amount = -amount
    if not math.isfinite(amount) or not math.isfinite(amount * multiplier):
        raise ValueError(
            f"cost {cut_value(value)} is not a finite amount; write the cost in dollars, e.g. 1200000 or "
            "$1.2M (leave the cell empty if unknown)"
        )
    if amount < 0:
        raise ValueError(f"cost {cut_value(value)} is negative; a project's cost is 0 or more")
    return amount * multiplier


_YEAR = re.compile(
    r"^(?:fy|fiscal year|year|cy)?\s*'?(?P<y>\d{4}|\d{2})(?:\s*[-/–]\s*'?(?P<y2>\d{2}|\d{4}))?$"
)
_DATE = re.compile(r"^(?P<y>\d{4})-\d{1,2}(?:-\d{1,2})?(?:[ t].*)?$")
_US_DATE = re.compile(r"^\d{1,2}/\d{1,2}/(?P<y>\d{4})$")


def parse_year(value: Any) -> int | None:
    """A calendar or fiscal year from ``2026``, ``"FY 2024/25"``, ``"2024-25"``, a date.

    Fiscal years count as the year they start in. Two-digit years are 20xx.

    Raises
    ------
    ValueError
        If the value is not a year between :data:`MIN_YEAR` and :data:`MAX_YEAR`.

    Examples
    --------
    >>> parse_year("FY24"), parse_year("2027-06-30"), parse_year("6/30/2027")
    (2024, 2027, 2027)
    """
    if is_missing(value):
        return None
    year: int | None = None
    if isinstance(value, bool):
        year = None
    elif isinstance(value, dt.date | dt.datetime):
        year = value.year
    elif hasattr(value, "year") and isinstance(value.year, int):  # pandas Timestamp
        year = int(value.year)
    elif isinstance(value, int | float):
        if float(value).is_integer():
            year = int(value)
    else:
        text = re.sub(r"\s+", " ", str(value).strip().lower())
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        m = _YEAR.match(text)
        if m is not None:
            y = m["y"]
            year = int(y) if len(y) == 4 else 2000 + int(y)
        elif (d := _DATE.match(text) or _US_DATE.match(text)) is not None:
            year = int(d["y"])
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            f"year {value!r} is not a year between {MIN_YEAR} and {MAX_YEAR}; write it as 2026 or FY 2026/27"
        )
    return year


def parse_choice(
    value: Any,
    *,
    choices: tuple[str, ...],
    synonyms: Mapping[str, str],
    user: Mapping[str, str] | None = None,
    what: str,
) -> str | None:
    """One of ``choices`` for a cell, through the mapping file's table then the synonyms.

    Raises
    ------
    ValueError
        If the value matches nothing.
    """
    if is_missing(value):
        return None
    word = normalize_word(str(value))
    if user:
        for key, target in user.items():
            if normalize_word(key) == word:
                return target
    if word in choices:
        return word
    if word in synonyms:
        return synonyms[word]
    if word.endswith("s") and word[:-1] in synonyms:
        return synonyms[word[:-1]]
    raise ValueError(
        f"{what} {str(value)!r} is not one of: {', '.join(choices)}; "
        f"add it to the [{what.replace('status', 'statuses').replace('category', 'categories')}] "
        "table of the mapping file"
    )


def parse_status(value: Any, *, user: Mapping[str, str] | None = None) -> str | None:
    """The status for a cell (``"Construction"`` -> ``"under construction"``).

    >>> parse_status("In design"), parse_status("Proposed", user={"Proposed": "programmed"})
    ('programmed', 'programmed')
    """
    return parse_choice(value, choices=STATUSES, synonyms=STATUS_SYNONYMS, user=user, what="status")


def parse_category(value: Any, *, user: Mapping[str, str] | None = None) -> str | None:
    """The category for a cell (``"Highway"`` -> ``"transportation"``).

    >>> parse_category("Wastewater"), parse_category("HSR")
    ('water', 'rail')
    """
    return parse_choice(value, choices=CATEGORIES, synonyms=CATEGORY_SYNONYMS, user=user, what="category")


_HEMISPHERE = re.compile(r"^(?P<num>[-+]?\d+(?:\.\d+)?)\s*°?\s*(?P<h>[nsewNSEW])?$")


def parse_coordinate(value: Any, *, what: str) -> float | None:
    """A decimal-degree (or projected) coordinate: ``-119.78``, ``"36.74° N"``, ``"119.8 W"``.

    Raises
    ------
    ValueError
        If the value is not a number.

    Examples
    --------
    >>> parse_coordinate("119.5 W", what="longitude"), parse_coordinate("36.7", what="latitude")
    (-119.5, 36.7)
    """
    if is_missing(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip()
        if text.count(",") == 1 and "." not in text:  # decimal comma: "36,74"
            text = text.replace(",", ".")
        m = _HEMISPHERE.match(text)
        if m is None:
            raise ValueError(f"{what} {str(value)!r} is not a number (decimal degrees, e.g. -119.78)")
        number = float(m["num"])
        if m["h"] and m["h"].lower() in "sw":
            number = -abs(number)
    if not math.isfinite(number):
        raise ValueError(f"{what} {value!r} is not a finite number")
    return number


def parse_flag(value: Any) -> bool:
    """True for ``1``, ``"yes"``, ``"Y"``, ``"true"``, ``"x"``; False for empty and ``0``.

    >>> parse_flag(1.0), parse_flag("Yes"), parse_flag(None), parse_flag("0")
    (True, True, False, False)
    """
    if is_missing(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value) != 0
    return normalize_word(str(value)) in {"1", "1.0", "y", "yes", "true", "t", "x", "open", "✓"}
