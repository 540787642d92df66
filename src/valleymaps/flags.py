"""Data-quality flags carried with employment values.

Flags travel with values from the source file to the map tooltip. A value's
``flag`` is a string of one-letter codes (``""`` when clean); aggregates carry
the union of their parts' flags.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

#: Codes that mean the value itself was withheld (employment is missing, not zero).
SUPPRESSION_FLAGS: dict[str, str] = {
    "D": "withheld to avoid disclosing data of individual businesses",
    "S": "withheld: does not meet publication standards",
    "N": "not available or not comparable",
    "X": "missing from the source file",
}

#: County Business Patterns size-class codes (files before 2017): the value is
#: withheld and only its range is published.
SIZE_CLASS_FLAGS: dict[str, str] = {
    "a": "withheld (0-19 employees)",
    "b": "withheld (20-99 employees)",
    "c": "withheld (100-249 employees)",
    "e": "withheld (250-499 employees)",
    "f": "withheld (500-999 employees)",
    "g": "withheld (1,000-2,499 employees)",
    "h": "withheld (2,500-4,999 employees)",
    "i": "withheld (5,000-9,999 employees)",
    "j": "withheld (10,000-24,999 employees)",
    "k": "withheld (25,000-49,999 employees)",
    "l": "withheld (50,000-99,999 employees)",
    "m": "withheld (100,000 or more employees)",
}

#: Codes that qualify a published value.
QUALITY_FLAGS: dict[str, str] = {
    "G": "noise infusion under 2% (low)",
    "H": "noise infusion 2-5% (moderate)",
    "J": "noise infusion 5% or more (high)",
    "P": "approximated by NAICS sectors (source has no finer industry detail)",
    "I": "incomplete: includes withheld parts, so the value is a lower bound",
}

#: Codes that say what the source counts at all (set on aggregates, never read from files).
NOT_COVERED = "C"
PARTLY_COVERED = "U"
COVERAGE_FLAGS: dict[str, str] = {
    NOT_COVERED: "not covered by this source: it does not count these industries",
    PARTLY_COVERED: "partly not covered by this source: industries it does not count are "
    "left out, so the value is a lower bound",
}

#: Set where a year's industries could not be brought to the clusters' NAICS edition: an
#: industry of the earlier edition split, so its part is missing (never read from files).
EDITION_FLAG = "R"
EDITION_FLAGS: dict[str, str] = {
    EDITION_FLAG: "reclassified: an industry of this year's NAICS edition is divided among several "
    "industries of the series' edition, so its part is missing (a lower bound, or no value)",
}

ALL_FLAGS: dict[str, str] = {
    **SUPPRESSION_FLAGS, **SIZE_CLASS_FLAGS, **QUALITY_FLAGS, **COVERAGE_FLAGS, **EDITION_FLAGS,
}  # fmt: skip

#: Flags whose value is missing (withheld) rather than published.
WITHHELD: frozenset[str] = frozenset(SUPPRESSION_FLAGS) | frozenset(SIZE_CLASS_FLAGS)


def combine_flags(flags: Iterable[str]) -> str:
    """Union of flag strings, in a stable order.

    >>> combine_flags(["G", "", "DG", "H"])
    'DGH'
    """
    return _combine(frozenset("".join(f for f in flags if isinstance(f, str))))


@functools.lru_cache(maxsize=4096)
def _combine(codes: frozenset[str]) -> str:
    """The codes in :data:`ALL_FLAGS`' order (unknown ones last); each set ordered once."""
    order = list(ALL_FLAGS)
    return "".join(sorted(codes, key=lambda c: order.index(c) if c in order else len(order)))


def describe_flags(flag: str) -> list[str]:
    """Human-readable descriptions of a flag string, one per code.

    >>> describe_flags("DG")
    ['D: withheld to avoid disclosing data of individual businesses', 'G: noise infusion under 2% (low)']
    """
    return [f"{c.upper()}: {ALL_FLAGS.get(c, 'unknown flag')}" for c in flag]
