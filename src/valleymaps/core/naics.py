"""A compact plausibility check of NAICS codes (every edition, 1997-2022).

Only the sectors (2 digits) and subsectors (3 digits) of all editions are listed: a code whose
first three digits are on neither list exists in no NAICS edition. Longer codes are not checked
digit by digit (that would take the full tables of every edition).

>>> find_naics_problem("3261"), find_naics_problem("31-33")
(None, None)
>>> find_naics_problem("999999")[:45]
"sector '99' exists in no NAICS edition (secto"
"""

from __future__ import annotations

#: Two-digit sectors; 31-33, 44-45 and 48-49 are one sector each written as a range.
SECTORS: tuple[str, ...] = (
    "11", "21", "22", "23", "31", "32", "33", "42", "44", "45", "48", "49",
    "51", "52", "53", "54", "55", "56", "61", "62", "71", "72", "81", "92",
)

#: Sector ranges as written in NAICS tables.
SECTOR_RANGES: dict[str, tuple[str, ...]] = {"31-33": ("31", "32", "33"), "44-45": ("44", "45"),
                                              "48-49": ("48", "49")}

#: Three-digit subsectors of the 1997, 2002, 2007, 2012, 2017 and 2022 editions together.
SUBSECTORS: frozenset[str] = frozenset(
    (
        "111", "112", "113", "114", "115",
        "211", "212", "213", "221", "233", "234", "235", "236", "237", "238",
        "311", "312", "313", "314", "315", "316", "321", "322", "323", "324", "325", "326", "327",
        "331", "332", "333", "334", "335", "336", "337", "339",
        "421", "422", "423", "424", "425", "441", "442", "443", "444", "445", "446", "447", "448",
        "449", "451", "452", "453", "454", "455", "456", "457", "458", "459", "481", "482", "483",
        "484", "485", "486", "487", "488", "491", "492", "493",
        "511", "512", "513", "514", "515", "516", "517", "518", "519", "521", "522", "523", "524",
        "525", "531", "532", "533", "541", "551", "561", "562",
        "611", "621", "622", "623", "624",
        "711", "712", "713", "721", "722",
        "811", "812", "813", "814",
        "921", "922", "923", "924", "925", "926", "927", "928",
    )
)


def _sector_list() -> str:
    names: list[str] = []
    for code in SECTORS:
        ranged = next((r for r, parts in SECTOR_RANGES.items() if code in parts), None)
        if ranged is None:
            names.append(code)
        elif ranged not in names:
            names.append(ranged)
    return ", ".join(names)


def find_naics_problem(code: str) -> str | None:
    """Why ``code`` exists in no NAICS edition, or ``None`` when it is plausible.

    Parameters
    ----------
    code
        A NAICS prefix of 2-6 digits, or a sector range such as ``"31-33"``.
    """
    code = code.strip()
    if code in SECTOR_RANGES:
        return None
    if not (code.isdigit() and 2 <= len(code) <= 6):
        return f"{code!r} is not a NAICS code (2-6 digits)"
    if code[:2] not in SECTORS:
        return f"sector {code[:2]!r} exists in no NAICS edition (sectors: {_sector_list()})"
    if len(code) >= 3 and code[:3] not in SUBSECTORS:
        return f"subsector {code[:3]!r} exists in no NAICS edition"
    return None


#: NAICS 2012 six-digit industries that NAICS 2017 renumbered, merged or split, with the 2017
#: industries they went to (Census Bureau, "2012 NAICS to 2017 NAICS" concordance; industries
#: without a change are not listed). One target: the whole industry moved (renamed, or merged
#: with others into it). Several targets: the industry split, and its jobs cannot be divided
#: among them without establishment records.
NAICS_2012_TO_2017: dict[str, tuple[str, ...]] = {
    # oil and gas extraction: crude petroleum and natural gas split by product
    "211111": ("211120", "211130"),
    "211112": ("211130",),
    # copper, nickel, lead and zinc mining merged
    "212231": ("212230",),
    "212234": ("212230",),
    # sound recording: record production and distribution merged
    "512210": ("512250",),
    "512220": ("512250",),
    # telecommunications carriers renumbered
    "517110": ("517311",),
    "517210": ("517312",),
    # consumer goods rental regrouped
    "532220": ("532281",),
    "532230": ("532282",),
    "532291": ("532283",),
    "532292": ("532284",),
    "532299": ("532289",),
    # household appliances merged
    "335221": ("335220",),
    "335222": ("335220",),
    "335224": ("335220",),
    "335228": ("335220",),
    # automobiles and light trucks merged
    "336111": ("336110",),
    "336112": ("336110",),
    # nonstore retail: electronic shopping, auctions and mail order merged
    "454111": ("454110",),
    "454112": ("454110",),
    "454113": ("454110",),
}

#: Editions valleymaps can convert, as (from, to): :data:`NAICS_2012_TO_2017`.
CONCORDANCES: dict[tuple[int, int], dict[str, tuple[str, ...]]] = {(2012, 2017): NAICS_2012_TO_2017}

#: First data year of each NAICS edition in the sources that publish by edition: QCEW moved to
#: NAICS 2012 with its 2011 data, County Business Patterns with 2012; both to 2017 and 2022 with
#: those years' data.
EDITION_START: dict[str, dict[int, int]] = {
    "qcew": {2007: 2007, 2012: 2011, 2017: 2017, 2022: 2022},
    "cbp": {2007: 2008, 2012: 2012, 2017: 2017, 2022: 2022},
}


def naics_edition(year: int, *, source: str) -> int | None:
    """The NAICS edition of a source's data of ``year``, or ``None`` when valleymaps does not know it.

    >>> naics_edition(2016, source="qcew"), naics_edition(2017, source="qcew")
    (2012, 2017)
    >>> naics_edition(2011, source="cbp"), naics_edition(2011, source="csv") is None
    (2007, True)
    """
    starts = EDITION_START.get(source)
    if starts is None:
        return None
    editions = [edition for edition, first in starts.items() if first <= year]
    return max(editions) if editions else None
