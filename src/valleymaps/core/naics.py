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

import itertools

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


#: Where the concordances below were checked, six-digit code by code (see also the module
#: docstring of :mod:`valleymaps.analysis.naics_editions`). The Census Bureau publishes them as
#: spreadsheets, https://www.census.gov/naics/concordances/2012_to_2017_NAICS.xlsx and
#: .../2017_to_2022_NAICS.xlsx; they were read through the U.S. EPA's transcription of those
#: tables in the flowsa repository, file ``flowsa/data/NAICS_Crosswalk_TimeSeries.csv`` (GitHub
#: USEPA/flowsa, commit 41295f607617cf6e7d2a6e661439ddf8d5d3687e; columns NAICS_2012_Code,
#: NAICS_2017_Code, NAICS_2022_Code, built from useeior's master crosswalk, which reads the
#: Census files above). Every 6-digit row whose code differs between two adjacent columns is
#: listed here; no other 6-digit code of those columns changed.
#: Corroborated by the Census Bureau's own account of the 2022 changes,
#: https://www.census.gov/library/stories/2024/11/naics-changes.html ("over 100 six-digit NAICS
#: codes of the total 1,057 in 2017 were impacted"; 140 here; 212221 + 212222 -> 212220 and the
#: wholesale apparel merger 424320 + 424330 -> 424350 as below), and by BLS's implementation
#: schedule (QCEW on NAICS 2022 from the first quarter of 2022,
#: https://www.bls.gov/bls/naics-implementation-schedule.htm).
CONCORDANCE_SOURCE = (
    "U.S. Census Bureau NAICS concordances 2012_to_2017_NAICS.xlsx and 2017_to_2022_NAICS.xlsx "
    "(census.gov/naics/concordances), as transcribed in USEPA/flowsa "
    "flowsa/data/NAICS_Crosswalk_TimeSeries.csv (commit 41295f6)"
)

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
    # pumps: pump and pumping equipment with measuring and dispensing pumps
    "333911": ("333914",),
    "333913": ("333914",),
    # household appliances merged
    "335221": ("335220",),
    "335222": ("335220",),
    "335224": ("335220",),
    "335228": ("335220",),
    # department stores regrouped; discount department stores partly to supercenters
    "452111": ("452210",),
    "452112": ("452210", "452311"),
    "452910": ("452311",),
    "452990": ("452319",),
    # nonstore retail: electronic shopping, auctions and mail order merged
    "454111": ("454110",),
    "454112": ("454110",),
    "454113": ("454110",),
    # fuel dealers merged
    "454311": ("454310",),
    "454312": ("454310",),
    "454319": ("454310",),
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
    # research and development: nanotechnology taken out of both industries
    "541711": ("541713", "541714"),
    "541712": ("541713", "541715"),
}

#: Retail industries of NAICS 2022 that took a part of the NAICS 2017 nonstore retailers
#: 454390 (direct selling) and 454110 (electronic shopping and mail order): NAICS 2022 no
#: longer separates selling by mode of delivery, so these industries were split by product line.
_RETAIL_2022_FROM_NONSTORE: tuple[str, ...] = (
    "441330", "441340", "444140", "444180", "444230", "444240", "445131", "445240", "445250",
    "445298", "445320", "449110", "449121", "449122", "449129", "449210", "455219", "456110",
    "456120", "456130", "456191", "456199", "458110", "458210", "458310", "458320", "459110",
    "459120", "459130", "459140", "459210", "459310", "459410", "459420", "459510", "459910",
    "459920", "459991", "459999",
)  # fmt: skip

#: NAICS 2017 six-digit industries that NAICS 2022 renumbered, merged or split (Census Bureau,
#: "2017 NAICS to 2022 NAICS" concordance; same conventions as :data:`NAICS_2012_TO_2017`).
#: Every target not itself a key is a code new in NAICS 2022, so the table can be inverted.
NAICS_2017_TO_2022: dict[str, tuple[str, ...]] = {
    # coal, gold and silver, other metal ores, clay and other nonmetallic minerals
    "212111": ("212114",),
    "212112": ("212115",),
    "212113": ("212114", "212115"),
    "212221": ("212220",),
    "212222": ("212220",),
    "212291": ("212290",),
    "212299": ("212290",),
    "212324": ("212323",),
    "212325": ("212323",),
    "212391": ("212390",),
    "212392": ("212390",),
    "212393": ("212390",),
    "212399": ("212390",),
    # apparel, leather, wood, paper, fertilizer (compost split out)
    "315110": ("315120",),
    "315190": ("315120",),
    "315220": ("315250",),
    "315240": ("315250",),
    "315280": ("315250",),
    "316992": ("316990",),
    "316998": ("316990",),
    "321213": ("321215",),
    "321214": ("321215",),
    "322121": ("322120",),
    "322122": ("322120",),
    "325314": ("325314", "325315"),
    # machinery, computers and electrical equipment, vehicles, furniture
    "333244": ("333248",),
    "333249": ("333248",),
    "333314": ("333310",),
    "333316": ("333310",),
    "333318": ("333310",),
    "333997": ("333998",),
    "333999": ("333998",),
    "334613": ("334610",),
    "334614": ("334610",),
    "335110": ("335139",),
    "335121": ("335131",),
    "335122": ("335132",),
    "335129": ("335139",),
    "335911": ("335910",),
    "335912": ("335910",),
    "336111": ("336110",),
    "336112": ("336110",),
    "337124": ("337126",),
    "337125": ("337126",),
    # wholesale: apparel merged; electronic markets with agents and brokers
    "424320": ("424350",),
    "424330": ("424350",),
    "425110": ("425120",),
    # retail trade 44-45 restructured ("stores" become "retailers", by product line)
    "441228": ("441227",),
    "441310": ("441330",),
    "441320": ("441340",),
    "442110": ("449110",),
    "442210": ("449121",),
    "442291": ("449122",),
    "442299": ("449129",),
    "443141": ("449210",),
    "443142": ("449210",),
    "444130": ("444140",),
    "444190": ("444180",),
    "444210": ("444230",),
    "444220": ("444240",),
    "445120": ("445131",),
    "445210": ("445240",),
    "445220": ("445250",),
    "445299": ("445298",),
    "445310": ("445320",),
    "446110": ("456110",),
    "446120": ("456120",),
    "446130": ("456130",),
    "446191": ("456191",),
    "446199": ("456199",),
    "447110": ("457110",),
    "447190": ("457120",),
    "448110": ("458110",),
    "448120": ("458110",),
    "448130": ("458110",),
    "448140": ("458110",),
    "448150": ("458110",),
    "448190": ("458110",),
    "448210": ("458210",),
    "448310": ("458310",),
    "448320": ("458320",),
    "451110": ("459110",),
    "451120": ("459120",),
    "451130": ("459130",),
    "451140": ("459140",),
    "451211": ("459210",),
    "451212": ("459210",),
    "452210": ("455110",),
    "452311": ("455211",),
    "452319": ("455219",),
    "453110": ("459310",),
    "453210": ("459410",),
    "453220": ("459420",),
    "453310": ("459510",),
    "453910": ("459910",),
    "453920": ("459920",),
    "453930": ("459930",),
    "453991": ("459991",),
    "453998": ("455219", "459991", "459999"),
    "454110": tuple(sorted((*_RETAIL_2022_FROM_NONSTORE, "441227", "455110", "455211"))),
    "454210": ("445132",),
    "454310": ("457210",),
    "454390": _RETAIL_2022_FROM_NONSTORE,
    # information: publishers renumbered, broadcasting and internet publishing regrouped
    "511110": ("513110",),
    "511120": ("513120",),
    "511130": ("513130",),
    "511140": ("513140",),
    "511191": ("513191",),
    "511199": ("513199",),
    "511210": ("513210",),
    "515111": ("516210",),
    "515112": ("516110",),
    "515120": ("516120", "516210"),
    "515210": ("516210",),
    "517311": ("517111",),
    "517312": ("517112", "517122"),
    "517911": ("517121", "517122"),
    "517919": ("517810",),
    "519110": ("516210",),
    "519120": ("519210",),
    "519130": ("513110", "513120", "513130", "513140", "513191", "513199", "516210", "519290"),
    "519190": ("519290",),
    # finance: credit intermediation and securities regrouped
    "522120": ("522180",),
    "522190": ("522180",),
    "522293": ("522299",),
    "522294": ("522299",),
    "522298": ("522299",),
    "523110": ("523150",),
    "523120": ("523150",),
    "523130": ("523160",),
    "523140": ("523160",),
    "523920": ("523940",),
    "523930": ("523940",),
    # repair: automotive and electronic equipment repair merged
    "811112": ("811114",),
    "811113": ("811114",),
    "811118": ("811114",),
    "811211": ("811210",),
    "811212": ("811210",),
    "811213": ("811210",),
    "811219": ("811210",),
}


def invert_concordance(concordance: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The same concordance read the other way: each later code with the earlier codes it came from.

    Valid when every target that is not also a key is a code new in the later edition (true of
    the tables here): a later industry made of one earlier industry moves back whole, one made
    of parts of several is a split seen backwards.

    >>> invert_concordance({"1": ("a",), "2": ("a", "b")})
    {'a': ('1', '2'), 'b': ('2',)}
    """
    back: dict[str, list[str]] = {}
    for old, new in concordance.items():
        for code in new:
            back.setdefault(code, []).append(old)
    return {code: tuple(sorted(olds)) for code, olds in sorted(back.items())}


#: The NAICS editions valleymaps converts between, oldest first.
EDITIONS: tuple[int, ...] = (2012, 2017, 2022)

#: Editions valleymaps can convert, as (from, to): one step between adjacent editions, both ways.
CONCORDANCES: dict[tuple[int, int], dict[str, tuple[str, ...]]] = {
    (2012, 2017): NAICS_2012_TO_2017,
    (2017, 2022): NAICS_2017_TO_2022,
    (2017, 2012): invert_concordance(NAICS_2012_TO_2017),
    (2022, 2017): invert_concordance(NAICS_2017_TO_2022),
}


def find_concordance_steps(source: int, target: int) -> list[tuple[int, int]] | None:
    """The adjacent-edition steps from NAICS ``source`` to ``target``, or ``None`` when one is missing.

    >>> find_concordance_steps(2012, 2022), find_concordance_steps(2022, 2017)
    ([(2012, 2017), (2017, 2022)], [(2022, 2017)])
    >>> find_concordance_steps(2007, 2017) is None, find_concordance_steps(2017, 2017)
    (True, [])
    """
    if source not in EDITIONS or target not in EDITIONS:
        return None
    i, j = EDITIONS.index(source), EDITIONS.index(target)
    path = list(EDITIONS[i : j + 1]) if i <= j else list(reversed(EDITIONS[j : i + 1]))
    return list(itertools.pairwise(path))


#: First data year of each NAICS edition in the sources that publish by edition, up to the
#: last year valleymaps knows (:data:`EDITION_KNOWN_THROUGH`). QCEW moved to NAICS 2012 with its
#: 2011 data, to 2017 with 2017 and to NAICS 2022 with its 2022 data (BLS, NAICS implementation
#: schedule, https://www.bls.gov/bls/naics-implementation-schedule.htm; the U.S. slice of 2024
#: in ``../shared/realdata/qcew`` holds NAICS 2022-only codes such as 456110 and 513).
#: County Business Patterns moved to NAICS 2012 with its 2012 data and to NAICS 2017 with 2017,
#: and did *not* move to NAICS 2022 with its 2022 data: the Census Bureau's CBP API names its
#: industry variable ``NAICS2017`` for 2017 to 2023 (``api.census.gov/data/2022/cbp?get=...
#: NAICS2017...``, ``api.census.gov/data/2023/cbp?...&NAICS2017=...``), and the 2021 release
#: says its industries are "defined by the 2017 NAICS". So CBP 2017-2023 are NAICS 2017.
EDITION_START: dict[str, dict[int, int]] = {
    "qcew": {2007: 2007, 2012: 2011, 2017: 2017, 2022: 2022},
    "cbp": {2007: 2008, 2012: 2012, 2017: 2017},
}

#: Last data year of each source whose NAICS edition valleymaps knows; later years have no
#: known edition (:func:`naics_edition` gives ``None``) and their codes are used as published.
#: CBP: 2023, the last year whose API variable (``NAICS2017``) shows the edition, and the last
#: year ``valleymaps fetch cbp`` offers (``io.sources.CBP_YEARS``); what CBP 2024 uses is not known
#: here. QCEW: 2024, the last year ``valleymaps fetch qcew`` offers (``io.sources.QCEW_YEARS``)
#: and the latest year in ``../shared/realdata/qcew`` (NAICS 2022, as BLS's schedule says).
EDITION_KNOWN_THROUGH: dict[str, int] = {"qcew": 2024, "cbp": 2023}


def naics_edition(year: int, *, source: str) -> int | None:
    """The NAICS edition of a source's data of ``year``, or ``None`` when valleymaps does not know it.

    ``None`` for a source that does not publish by edition (LODES, plain CSV), and for a year
    before the source's first listed edition or after :data:`EDITION_KNOWN_THROUGH`.

    >>> naics_edition(2016, source="qcew"), naics_edition(2017, source="qcew")
    (2012, 2017)
    >>> naics_edition(2011, source="cbp"), naics_edition(2011, source="csv") is None
    (2007, True)
    >>> naics_edition(2022, source="qcew"), naics_edition(2023, source="cbp")
    (2022, 2017)
    >>> naics_edition(2024, source="cbp") is None, naics_edition(2025, source="qcew") is None
    (True, True)
    """
    starts = EDITION_START.get(source)
    if starts is None or year > EDITION_KNOWN_THROUGH[source]:
        return None
    editions = [edition for edition, first in starts.items() if first <= year]
    return max(editions) if editions else None
