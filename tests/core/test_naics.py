"""NAICS plausibility: codes of any edition pass, codes of none are named with the reason."""

from __future__ import annotations

import pytest

from valleymaps.core.naics import find_naics_problem


@pytest.mark.parametrize(
    "code",
    ["11", "3261", "31-33", "44-45", "48-49", "484121", "4541", "455219", "516110", "92", "233"],
)
def test_codes_of_some_edition_pass(code: str) -> None:
    assert find_naics_problem(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("999999", "sector '99'"),
        ("10", "sector '10'"),
        ("19", "sector '19'"),
        ("3291", "subsector '329'"),
        ("2390", "subsector '239'"),
        ("12-3", "not a NAICS code"),
        ("1", "not a NAICS code"),
    ],
)
def test_codes_of_no_edition_say_why(code: str, reason: str) -> None:
    problem = find_naics_problem(code)
    assert problem is not None and reason in problem
