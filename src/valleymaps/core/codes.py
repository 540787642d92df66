"""Reference codes shared by the readers and the analysis: states and places abroad.

Plain data, no behaviour: every layer may import it (it imports nothing of ours).

>>> STATE_NAMES["06"], ABROAD_PLACES["F303"]
('California', 'Mexico')
"""

from __future__ import annotations

#: Work places that are not US counties (ACS): code -> name. ``F`` and the ACS place-of-work
#: code (the Census Bureau's list used for ``POWSP`` in the ACS PUMS); ``F900`` gathers codes
#: abroad that are not on this list, ``F999`` rows with no work place at all.
ABROAD_PLACES: dict[str, str] = {
    "F166": "Europe",
    "F254": "Asia",
    "F301": "Canada",
    "F303": "Mexico",
    "F399": "Americas, not specified",
    "F555": "Elsewhere abroad or at sea",
    "F900": "Abroad, other place-of-work codes",
    "F999": "Work place not given (abroad elsewhere or unknown)",
}

#: State FIPS code -> name (50 states, DC, Puerto Rico).
STATE_NAMES: dict[str, str] = {
    "01": "Alabama", "02": "Alaska", "04": "Arizona", "05": "Arkansas", "06": "California",
    "08": "Colorado", "09": "Connecticut", "10": "Delaware", "11": "District of Columbia",
    "12": "Florida", "13": "Georgia", "15": "Hawaii", "16": "Idaho", "17": "Illinois",
    "18": "Indiana", "19": "Iowa", "20": "Kansas", "21": "Kentucky", "22": "Louisiana",
    "23": "Maine", "24": "Maryland", "25": "Massachusetts", "26": "Michigan", "27": "Minnesota",
    "28": "Mississippi", "29": "Missouri", "30": "Montana", "31": "Nebraska", "32": "Nevada",
    "33": "New Hampshire", "34": "New Jersey", "35": "New Mexico", "36": "New York",
    "37": "North Carolina", "38": "North Dakota", "39": "Ohio", "40": "Oklahoma", "41": "Oregon",
    "42": "Pennsylvania", "44": "Rhode Island", "45": "South Carolina", "46": "South Dakota",
    "47": "Tennessee", "48": "Texas", "49": "Utah", "50": "Vermont", "51": "Virginia",
    "53": "Washington", "54": "West Virginia", "55": "Wisconsin", "56": "Wyoming",
    "72": "Puerto Rico",
}  # fmt: skip
