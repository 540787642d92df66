"""Metro areas: counties grouped into Core Based Statistical Areas (a data type, no I/O).

The Census Bureau's delineation (OMB's metropolitan and micropolitan statistical areas) assigns
counties to CBSAs; counties outside every CBSA make up their state's non-metro remainder. A
rolled-up place gets a code that cannot be mistaken for a county GEOID:

* ``"M" + CBSA code`` for a CBSA (``"M39900"``: Reno, NV metro area);
* ``"R" + state FIPS`` for the rest of a state (``"R32"``: Rest of Nevada).

>>> import pandas as pd
>>> metros = MetroAreas.from_table(pd.DataFrame({
...     "county_geoid": ["32031", "06037"], "cbsa_code": ["39900", "31080"],
...     "cbsa_title": ["Reno, NV", "Los Angeles-Long Beach-Anaheim, CA"],
...     "cbsa_type": ["Metropolitan Statistical Area"] * 2}), edition="July 2023")
>>> metros.keys_of(pd.Series(["32031", "32023", "06037"])).tolist()
['M39900', 'R32', 'M31080']
>>> metros.name_of("M39900"), metros.name_of("R32")
('Reno, NV metro area', 'Rest of Nevada')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from valleymaps.core.codes import STATE_NAMES
from valleymaps.errors import AnalysisError, FieldError

METRO_PREFIX = "M"
REST_PREFIX = "R"

#: The words of roll-up names (English; the Spanish catalogue translates them, see
#: :meth:`MetroAreas.name_of`).
PLACE_NAMES: dict[str, str] = {
    "metro": "{title} metro area",
    "micro": "{title} micro area",
    "rest": "Rest of {state}",
    "state": "state {code}",
    "cbsa": "CBSA {code}",
}

#: Where the delineation file is published (the 2023 edition).
DELINEATION_URL = (
    "https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files/2023/"
    "delineation-files/list1_2023.xlsx"
)

#: The error when a metro roll-up is asked for without a delineation.
NO_DELINEATION = (
    "metro roll-up needs the Census Bureau's CBSA delineation file (list1): download "
    f"{DELINEATION_URL} and import it with 'valleymaps import metros list1_2023.xlsx' "
    "(or valleymaps.io.delineation.import_metro_delineation), or roll up to county or state."
)

TABLE_COLUMNS: tuple[str, ...] = ("county_geoid", "cbsa_code", "cbsa_title", "cbsa_type")


@dataclass(frozen=True)
class MetroAreas:
    """Counties -> CBSAs of one delineation.

    Attributes
    ----------
    counties
        County GEOID (5 characters) -> CBSA code (5 characters).
    titles
        CBSA code -> title ("Reno, NV").
    kinds
        CBSA code -> ``"metro"`` or ``"micro"``.
    edition
        The delineation's date ("July 2023").
    """

    counties: Mapping[str, str]
    titles: Mapping[str, str]
    kinds: Mapping[str, str] = field(default_factory=dict)
    edition: str = ""

    @classmethod
    def from_table(cls, table: pd.DataFrame, *, edition: str = "") -> MetroAreas:
        """From a table with :data:`TABLE_COLUMNS` (``cbsa_type`` as the delineation spells it)."""
        missing = [c for c in TABLE_COLUMNS if c not in table.columns]
        if missing:
            raise FieldError(f"a CBSA delineation table needs columns {', '.join(TABLE_COLUMNS)}; "
                             f"missing: {', '.join(missing)}.")
        codes = table["cbsa_code"].astype("str")
        kinds = ["micro" if "micro" in str(t).lower() else "metro" for t in table["cbsa_type"]]
        return cls(
            counties=dict(zip(table["county_geoid"].astype("str"), codes, strict=True)),
            titles=dict(zip(codes, table["cbsa_title"].astype("str"), strict=True)),
            kinds=dict(zip(codes, kinds, strict=True)),
            edition=edition,
        )

    def keys_of(self, counties: pd.Series) -> pd.Series:
        """Roll-up codes of county GEOIDs: ``M<cbsa>``, or ``R<state>`` outside every CBSA."""
        counties = counties.astype("str")
        cbsa = counties.map(self.counties)
        return (METRO_PREFIX + cbsa).where(cbsa.notna(), REST_PREFIX + counties.str[:2])

    def name_of(
        self, key: str, state_names: Mapping[str, str] | None = None, *, translate: Callable[[str], str] = str
    ) -> str:
        """Readable name of a roll-up code ("Reno, NV metro area", "Rest of Nevada").

        ``translate`` gives the words of :data:`PLACE_NAMES` in a page's language (the titles
        and state names are names, kept as they are).
        """
        names = state_names or STATE_NAMES
        if key.startswith(METRO_PREFIX):
            code = key[len(METRO_PREFIX):]
            title = self.titles.get(code, translate(PLACE_NAMES["cbsa"]).format(code=code))
            kind = "micro" if self.kinds.get(code) == "micro" else "metro"
            return translate(PLACE_NAMES[kind]).format(title=title)
        if key.startswith(REST_PREFIX):
            state = key[len(REST_PREFIX):]
            name = names.get(state) or translate(PLACE_NAMES["state"]).format(code=state)
            return translate(PLACE_NAMES["rest"]).format(state=name)
        raise AnalysisError(f"{key!r} is not a metro roll-up code (M<CBSA code> or R<state FIPS>).")

    def describe(self) -> str:
        """What the roll-up is, for pages and tables."""
        edition = f", {self.edition} delineation" if self.edition else ""
        return f"metropolitan and micropolitan statistical areas (CBSAs{edition})"


def is_metro_key(code: str) -> bool:
    """True for a roll-up code of :class:`MetroAreas` (``M39900``, ``R32``).

    >>> is_metro_key("M39900"), is_metro_key("R06"), is_metro_key("06037"), is_metro_key("F303")
    (True, True, False, False)
    """
    return len(code) in (3, 6) and code[0] in (METRO_PREFIX, REST_PREFIX) and code[1:].isdigit()
