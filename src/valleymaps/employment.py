"""The employment table: one data model whatever the source format.

Every reader (County Business Patterns, LODES WAC, plain CSV) returns an
:class:`EmploymentDataset` whose ``table`` has exactly these columns:

========== ======= ==============================================================
column     dtype   meaning
========== ======= ==============================================================
geoid      str     place: 2 chars = state, 5 = county, 11 = tract (leading zeros kept)
naics      str     normalised NAICS code: digits only, 2-6 long ("11", "3261",
                   "326160"); a sector range ("31-33", "44-45", "48-49"); or
                   ``TOTAL`` for all industries
year       int     reference year
employment float   jobs; NaN when withheld (never silently 0)
flag       str     data-quality flags, see :mod:`valleymaps.flags` ("" = clean)
========== ======= ==============================================================

Rows with the same (geoid, year) but NAICS codes at different levels may
coexist (CBP publishes every level); aggregations pick one level per prefix.
``geoid`` is ``US`` for the nation (QCEW's ``US000``).

Two more things travel with a dataset, beside the table:

* **Coverage**: ``not_covered`` lists the NAICS prefixes its source leaves
  out by design (County Business Patterns does not count crop and animal
  production, railroads, the Postal Service ...; see :data:`SOURCE_GAPS`).
  A cluster or component made only of such industries is "not covered by
  this source" (flag ``C``), never 0 jobs.
* **Ownership**: sources that tell ownership (QCEW: federal, state and local
  government, private) give ``table`` for all ownerships and ``private``, the
  same layout restricted to private employers. That smallest addition keeps
  the one table everyone reads, and lets the plan's *private-sector* job
  growth be computed exactly; ``private`` is ``None`` for sources without
  ownership (CBP counts mostly private employers but cannot tell them apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from valleymaps.core.naics import EDITION_START, naics_edition

EMPLOYMENT_COLUMNS: tuple[str, ...] = ("geoid", "naics", "year", "employment", "flag")

TOTAL_CODE = "TOTAL"

#: NAICS sectors that span several 2-digit codes, keyed by their first code.
SECTOR_RANGES: dict[str, str] = {"31": "31-33", "44": "44-45", "48": "48-49"}

#: GEOID of the nation (QCEW area ``US000``).
NATION_GEOID = "US"

#: Ownership settings: every employer (government included), or private employers only.
OWNERSHIPS: tuple[str, ...] = ("all", "private")

#: NAICS prefixes each source format leaves out by design, and how to say it.
#: County Business Patterns, per the Census Bureau ("CBP covers approximately 1,200 NAICS
#: industries, excluding ..."; it also leaves out public schools, 6111-6113, but keeps private
#: ones, so those codes stay covered). LODES counts every sector; QCEW every covered job.
SOURCE_GAPS: dict[str, tuple[tuple[str, ...], str]] = {
    "cbp": (
        ("111", "112", "482", "491", "5251", "525920", "814", "92"),
        "County Business Patterns does not count crop and animal production (NAICS 111-112), "
        "rail transportation (482), the Postal Service (491), insurance and employee benefit "
        "funds (5251), trusts and estates (525920), private households (814) or public "
        "administration (92), nor most government employers",
    ),
}


#: Sources that count every industry but only at coarse detail, and how to say it.
SOURCE_DETAIL: dict[str, str] = {
    "lodes-wac": "LEHD LODES counts jobs by NAICS sector only (20 sectors): clusters are "
    "approximated by sectors (flag P) and their components are not available",
}


def default_not_covered(format: str) -> tuple[str, ...]:
    """The NAICS prefixes a source format leaves out by design (``()``: it covers all).

    >>> default_not_covered("cbp")[:3], default_not_covered("qcew")
    (('111', '112', '482'), ())
    """
    return SOURCE_GAPS.get(format, ((), ""))[0]


def is_covered(code: str, not_covered: tuple[str, ...] | list[str]) -> bool:
    """False when NAICS ``code`` lies inside a prefix the source leaves out.

    >>> is_covered("111", ["111", "112"]), is_covered("1111", ["111"]), is_covered("11", ["111"])
    (False, False, True)
    """
    return not any(code.startswith(p) for p in not_covered)


#: LODES WAC/RAC industry columns -> NAICS sector.
LODES_SECTORS: dict[str, str] = {
    "CNS01": "11", "CNS02": "21", "CNS03": "22", "CNS04": "23", "CNS05": "31-33",
    "CNS06": "42", "CNS07": "44-45", "CNS08": "48-49", "CNS09": "51", "CNS10": "52",
    "CNS11": "53", "CNS12": "54", "CNS13": "55", "CNS14": "56", "CNS15": "61",
    "CNS16": "62", "CNS17": "71", "CNS18": "72", "CNS19": "81", "CNS20": "92",
}  # fmt: skip


@dataclass
class EmploymentDataset:
    """Employment by place, industry and year, with where it came from.

    Parameters
    ----------
    name
        Short identifier (file stem in the workspace store).
    table
        The table described in this module's docstring.
    source
        Human description for map footers, e.g. "County Business Patterns 2021".
    format
        Reader used: ``cbp``, ``lodes-wac`` or ``csv``.
    synthetic
        True for invented sample data; every map showing it says so.
    imported_from
        Original file names.
    not_covered
        NAICS prefixes the source leaves out by design (see :data:`SOURCE_GAPS`).
    private
        The same table for private employers only, when the source tells
        ownership (QCEW); ``None`` otherwise.
    """

    name: str
    table: pd.DataFrame
    source: str
    format: str
    synthetic: bool = False
    imported_from: list[str] = field(default_factory=list)
    not_covered: tuple[str, ...] = ()
    private: pd.DataFrame | None = None

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.table["year"].unique())

    @property
    def naics_editions(self) -> dict[int, int]:
        """Year -> the NAICS edition its source classifies that year by (QCEW: 2012 from 2011
        data, 2017 from 2017, 2022 from 2022; CBP: 2012 from 2012, 2017 from 2017 through 2023),
        ``{}`` for sources that do not publish by edition (LODES sectors, plain CSV). Years whose
        edition valleymaps does not know are left out (:attr:`unknown_edition_years`)."""
        if self.format not in EDITION_START:
            return {}
        editions = {year: naics_edition(year, source=self.format) for year in self.years}
        return {year: edition for year, edition in editions.items() if edition is not None}

    @property
    def unknown_edition_years(self) -> list[int]:
        """Years of a source that publishes by NAICS edition whose edition valleymaps does not
        know (after :data:`~valleymaps.core.naics.EDITION_KNOWN_THROUGH`, or before the first
        edition listed): their codes are used as published, not recoded. ``[]`` for sources
        that do not publish by edition."""
        if self.format not in EDITION_START:
            return []
        return [year for year in self.years if naics_edition(year, source=self.format) is None]

    @property
    def vintage(self) -> str:
        """The years, runs of three or more written as a span: ``"2011–2021"``, ``"2011, 2021"``."""
        return format_years(self.years)

    @property
    def coverage_note(self) -> str:
        """What the source leaves out, in words (``""`` when it covers every industry)."""
        if not self.not_covered:
            return ""
        known, text = SOURCE_GAPS.get(self.format, ((), ""))
        if text and tuple(self.not_covered) == known:
            return text
        return f"{self.source} does not count NAICS {', '.join(self.not_covered)}"

    @property
    def detail_note(self) -> str:
        """What detail the source lacks, in words (``""`` for 6-digit NAICS sources)."""
        return SOURCE_DETAIL.get(self.format, "")

    def geoid_lengths(self) -> set[int]:
        return {int(n) for n in self.table["geoid"].str.len().unique()}


def format_years(years: list[int]) -> str:
    """Years as text, runs of three or more consecutive years as a span.

    >>> format_years([2011, 2021]), format_years(list(range(2011, 2022)))
    ('2011, 2021', '2011–2021')
    >>> format_years([2010, 2012, 2013, 2014])
    '2010, 2012–2014'

    """
    parts: list[str] = []
    run: list[int] = []
    for year in sorted(set(years)):
        if run and year != run[-1] + 1:
            parts += [f"{run[0]}–{run[-1]}"] if len(run) >= 3 else [str(y) for y in run]
            run = []
        run.append(year)
    if run:
        parts += [f"{run[0]}–{run[-1]}"] if len(run) >= 3 else [str(y) for y in run]
    return ", ".join(parts)


def empty_employment_table() -> pd.DataFrame:
    """A table with the employment columns and dtypes and no rows."""
    return pd.DataFrame(
        {
            "geoid": pd.Series(dtype="string"),
            "naics": pd.Series(dtype="string"),
            "year": pd.Series(dtype="int64"),
            "employment": pd.Series(dtype="float64"),
            "flag": pd.Series(dtype="string"),
        }
    )


def normalize_naics(code: str) -> str:
    """Normalise a NAICS code as the Census writes it in its files.

    Strips CBP's ``-`` and ``/`` padding, maps CBP's all-industry code to
    ``TOTAL`` and 2-digit codes of multi-code sectors to their range.

    >>> normalize_naics("------"), normalize_naics("31----"), normalize_naics("3261//")
    ('TOTAL', '31-33', '3261')
    >>> normalize_naics("31-33"), normalize_naics(" 484121 ")
    ('31-33', '484121')
    """
    code = str(code).strip()
    if code in SECTOR_RANGES.values():
        return code
    stripped = code.rstrip("-/")
    if stripped == "" or code.upper() in {"TOTAL", "00"}:
        return TOTAL_CODE
    if not stripped.isdigit() or not 2 <= len(stripped) <= 6:
        raise ValueError(f"not a NAICS code: {code!r}")
    return SECTOR_RANGES.get(stripped, stripped)
