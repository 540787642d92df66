"""Problems found in a project inventory, row by row: reason codes and :class:`RowProblem`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from valleymaps.errors import Problem

#: Reason codes of rejected rows, with a short label (the report's ``reason`` column).
REJECT_REASONS: Mapping[str, str] = {
    "missing_id": "missing project id",
    "duplicate_id": "duplicate project id",
    "missing_agency": "missing agency",
    "missing_geometry": "missing geometry",
    "bad_geometry": "unreadable geometry",
    "bad_coordinates": "bad coordinates",
    "swapped_coordinates": "latitude and longitude swapped",
    "outside_region": "outside the region",
    "bad_year": "bad year",
    "bad_status": "bad status",
    "bad_cost": "bad cost",
}

#: Reason codes of notes on rows that are kept.
NOTE_REASONS: Mapping[str, str] = {
    "unknown_category": "category not recognised: kept as 'other'",
    "missing_name": "no name: the project id is used",
    "unknown_county": "county not recognised: taken from the location",
    "county_mismatch": "county differs from the location",
    "nearest_county": "just outside every county: counted in the nearest",
    "file": "about the whole file",
}


@dataclass(frozen=True)
class RowProblem:
    """One problem of one record (or, with ``row=None``, of the whole file).

    Attributes
    ----------
    row
        Data row number (1-based, header excluded), None for the file.
    reason
        A code of :data:`REJECT_REASONS` (the row is rejected) or :data:`NOTE_REASONS` (kept).
    message
        What is wrong and what to do.
    column
        The source column concerned, if any.
    value
        The offending cell as text.
    location
        How to find the row in the file ("row 3 (line 4)").
    """

    row: int | None
    reason: str
    message: str
    column: str | None = None
    value: str = ""
    location: str = ""

    @property
    def rejected(self) -> bool:
        return self.reason in REJECT_REASONS

    def as_problem(self) -> Problem:
        return Problem(self.message, row=self.row, column=self.column)

    def __str__(self) -> str:
        where = self.location or (f"row {self.row}" if self.row is not None else "file")
        return f"{where}: {self.message}"
