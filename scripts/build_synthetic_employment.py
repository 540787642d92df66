#!/usr/bin/env python
"""Build the SYNTHETIC sample employment table bundled with valleymaps.

Writes ``employment_synthetic_county_2011_2021.csv`` and its ``.meta.json`` (default folder
``data/econ/employment``). The numbers are invented: they let a new workspace draw every map
before real data (County Business Patterns, LODES) are imported, and they are labelled
synthetic in the file name, in the metadata and on every map. Never quote them as facts.

Format: the plain employment table of :mod:`valleymaps.employment`::

    geoid,naics,year,employment,flag

* places: the eight San Joaquin Valley counties (5-character GEOIDs) and California as a
  whole (``06``, the reference area for location quotients);
* years: every year 2011 to 2021 (an annual series: the path between the two ends follows
  each place's and industry's growth, with a business cycle and a 2020 dip);
* per place and year: a ``TOTAL`` row, a row for each of the 20 NAICS sectors (``31-33``,
  ``44-45`` and ``48-49`` for the ranged ones) and a row for every NAICS prefix listed in
  ``data/econ/clusters.toml`` (read each run, so the two stay in sync);
* nesting holds: sectors add up to ``TOTAL``, and the finer rows under a sector (or under a
  listed shorter prefix) never add up to more than it;
* about 3% of the finer county rows are withheld (``employment`` empty, flag ``D``), as
  County Business Patterns does, and about 1% carry the noise flag ``H``.

The magnitudes imitate the Valley (farm jobs, Kern's oil, Stanislaus's food processing,
San Joaquin's warehouses, Kings's naval air station) so maps look plausible, and growth from
2011 to 2021 varies by county and industry. All randomness comes from SHA-256 hashes of
(seed, place, industry), so the output has the same bytes on every run, and adding a code to
clusters.toml leaves the other rows unchanged.

Usage::

    python scripts/build_synthetic_employment.py [--out-dir DIR] [--clusters TOML] [--seed N]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path

from valleymaps.clusters import load_clusters
from valleymaps.employment import LODES_SECTORS, SECTOR_RANGES, TOTAL_CODE

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = REPO / "data" / "econ" / "employment"
DEFAULT_CLUSTERS = REPO / "data" / "econ" / "clusters.toml"
NAME = "employment_synthetic_county_2011_2021"
SEED = 20120901
YEARS = tuple(range(2011, 2022))
FIRST, LAST = YEARS[0], YEARS[-1]

#: All-industry business cycle around the trend (1 at both ends of the series).
CYCLE: dict[int, float] = {
    2011: 1.0, 2012: 0.995, 2013: 0.995, 2014: 1.0, 2015: 1.005, 2016: 1.01, 2017: 1.012,
    2018: 1.015, 2019: 1.018, 2020: 0.95, 2021: 1.0,
}  # fmt: skip
#: Sectors hit harder in 2020 (factor on their share that year).
DIP_2020: dict[str, float] = {"71": 0.72, "72": 0.78, "44-45": 0.95, "81": 0.9, "62": 0.98}
#: Spread of the year-to-year wobble of county totals and sector shares (none at the two ends).
JITTER_YEAR = 0.012
#: Fixed so that the metadata has the same bytes on every run.
IMPORTED_AT = "2025-11-25T00:00:00+00:00"

WITHHELD_SHARE = 0.03  # of all finer rows; taken from county rows only
NOISE_SHARE = 0.01
WITHHOLD_BELOW = 1000  # only smaller values are withheld, as disclosure rules would

SECTORS: tuple[str, ...] = tuple(LODES_SECTORS.values())

REFERENCE = "06"
COUNTIES = ("06019", "06029", "06031", "06039", "06047", "06077", "06099", "06107")
PLACES = (REFERENCE, *COUNTIES)

#: Jobs in 2021 (all industries, all ownerships) and growth factor 2021/2011 of the total.
TOTAL_2021: dict[str, float] = {
    "06": 16_000_000, "06019": 330_000, "06029": 260_000, "06031": 35_000, "06039": 35_000,
    "06047": 65_000, "06077": 220_000, "06099": 165_000, "06107": 130_000,
}  # fmt: skip
TOTAL_GROWTH: dict[str, float] = {
    "06": 1.13, "06019": 1.16, "06029": 1.07, "06031": 1.09, "06039": 1.14,
    "06047": 1.15, "06077": 1.25, "06099": 1.14, "06107": 1.12,
}  # fmt: skip

#: Sector shares of all jobs in 2011, percent (normalised afterwards).
SHARES_CA: dict[str, float] = {
    "11": 2.6, "21": 0.2, "22": 0.4, "23": 4.3, "31-33": 8.3, "42": 4.7, "44-45": 10.4,
    "48-49": 3.2, "51": 3.0, "52": 3.5, "53": 1.7, "54": 6.8, "55": 1.4, "56": 6.4, "61": 9.0,
    "62": 11.5, "71": 1.7, "72": 9.3, "81": 3.2, "92": 6.4,
}  # fmt: skip
SHARES_VALLEY: dict[str, float] = {
    "11": 12.0, "21": 0.2, "22": 0.5, "23": 4.5, "31-33": 8.0, "42": 4.0, "44-45": 11.0,
    "48-49": 4.0, "51": 1.0, "52": 2.4, "53": 1.1, "54": 3.0, "55": 0.7, "56": 4.8, "61": 10.0,
    "62": 12.5, "71": 0.9, "72": 7.5, "81": 2.6, "92": 8.5,
}  # fmt: skip
SHARES_COUNTY: dict[str, dict[str, float]] = {
    "06019": {"11": 10.5, "62": 14.0, "54": 3.6, "92": 8.0},  # Fresno
    "06029": {"11": 15.0, "21": 4.2, "22": 0.8, "23": 5.5, "31-33": 5.0, "92": 10.0},  # Kern
    "06031": {"11": 14.0, "31-33": 10.0, "54": 1.5, "62": 7.0, "92": 22.0},  # Kings
    "06039": {"11": 20.0, "31-33": 9.0, "62": 13.0, "92": 10.0},  # Madera
    "06047": {"11": 15.0, "31-33": 13.0, "61": 12.0},  # Merced
    "06077": {"11": 6.5, "31-33": 9.0, "42": 5.5, "48-49": 9.0, "92": 9.0},  # San Joaquin
    "06099": {"11": 8.0, "31-33": 13.0, "62": 14.0},  # Stanislaus
    "06107": {"11": 24.0, "31-33": 8.5, "42": 3.5, "54": 1.8},  # Tulare
}

#: Relative sector growth 2011-2021 (the total's growth is set by TOTAL_GROWTH).
SECTOR_GROWTH: dict[str, float] = {
    "11": 1.02, "21": 0.62, "22": 1.05, "23": 1.45, "31-33": 1.03, "42": 1.05, "44-45": 1.00,
    "48-49": 1.75, "51": 1.20, "52": 1.02, "53": 1.10, "54": 1.25, "55": 1.12, "56": 1.10,
    "61": 1.05, "62": 1.35, "71": 0.95, "72": 1.05, "81": 0.98, "92": 1.02,
}  # fmt: skip
SECTOR_GROWTH_COUNTY: dict[str, dict[str, float]] = {
    "06019": {"48-49": 1.9},
    "06029": {"21": 0.55},
    "06031": {"92": 0.95},
    "06039": {"62": 1.40},
    "06047": {"61": 1.25},
    "06077": {"48-49": 2.3},
    "06099": {"31-33": 1.08},
    "06107": {"11": 1.08},
}

#: Jobs per 1,000 of the sector in California for each industry prefix, and the weight of the
#: sector's industries outside every listed prefix. A prefix missing here gets DEFAULT_WEIGHT.
WEIGHTS: dict[str, float] = {
    # 11
    "111": 450, "112": 60, "115111": 3, "115112": 40, "115113": 20, "115114": 60,
    "115115": 300, "115116": 15, "1152": 8,
    # 21
    "211": 300, "213111": 100, "213112": 300,
    # 22
    "221111": 40, "221112": 120, "221113": 30, "221114": 30, "221115": 10, "221116": 15,
    "221117": 8, "221118": 5, "22112": 450, "2212": 150, "221310": 100, "221320": 30,
    # 23
    "2371": 60, "2373": 50, "2379": 10, "236220": 80,
    # 31-33
    "311": 130, "3121": 45, "3122": 1, "3253": 3, "333111": 3, "324": 10, "3254": 45,
    "3391": 45, "333914": 3, "332911": 3, "332919": 2, "332996": 2, "326122": 2, "334514": 1,
    "322": 20, "32611": 8, "326160": 3, "33243": 3, "327213": 2,
    "3251": 5, "3252": 6, "3255": 5, "3256": 8, "3259": 6, "326121": 2, "32613": 1,
    "32614": 3, "32615": 3, "32619": 20, "3262": 5,
    "331": 15, "3321": 8, "3322": 4, "3323": 30, "33241": 2, "33242": 2, "3325": 5, "3326": 3,
    "3327": 50, "3328": 10, "332912": 2, "332913": 2, "332991": 1, "332992": 1, "332993": 1,
    "332994": 2, "332999": 8, "333112": 1, "33312": 3, "33313": 2, "3332": 15, "3333": 10,
    "3334": 8, "3335": 8, "3336": 4, "333912": 2, "33392": 4, "33399": 12,
    "3341": 45, "3342": 20, "3343": 5, "3344": 70, "334510": 10, "334511": 40, "334512": 2,
    "334513": 8, "334515": 8, "334516": 12, "334517": 3, "334519": 6, "3346": 2, "335": 30,
    "336": 110,
    "313": 5, "314": 5, "315": 35, "316": 3, "321": 12, "323": 30, "3271": 3, "327211": 1,
    "327212": 2, "327215": 3, "3273": 15, "3274": 1, "3279": 5, "337": 35, "3399": 35,
    # 42
    "4242": 60, "4244": 150, "4245": 10, "4247": 10, "4248": 25, "423450": 25, "423820": 10,
    "424910": 8,
    # 44-45
    "446110": 50,
    # 48-49
    "481112": 10, "481212": 2, "482": 12, "483111": 2, "483113": 2, "483211": 1, "484": 260,
    "486": 5, "488": 150, "492": 130, "493110": 110, "493120": 12, "493130": 3, "493190": 8,
    # 52, 54, 62, 71, 81
    "524114": 60, "5413": 150, "541620": 12, "541940": 25,
    "621": 380, "622": 290, "623": 140, "624120": 90, "713940": 220, "812191": 8,
}  # fmt: skip
OTHER_WEIGHT: dict[str, float] = {
    "11": 44, "21": 300, "22": 5, "23": 800, "31-33": 10, "42": 700, "44-45": 950,
    "48-49": 300, "52": 940, "54": 813, "62": 200, "71": 780, "81": 992,
}  # fmt: skip
DEFAULT_WEIGHT: dict[int, float] = {3: 60, 4: 20, 5: 8, 6: 3}

#: Multipliers of the California weights in every Valley county (key "other:<sector>" for the
#: sector's unlisted industries) ...
VALLEY_MULT: dict[str, float] = {
    "112": 1.8, "115111": 3, "115114": 1.3,
    "221113": 0, "221114": 2.5, "221310": 2.0,
    "2371": 1.2, "2373": 1.2,
    "311": 4, "3121": 2, "3253": 4, "333111": 6, "3254": 0.2, "3391": 0.25, "333914": 3,
    "332911": 2, "332919": 2, "332996": 2, "326122": 2.5, "334514": 1.5, "322": 1.5,
    "32611": 1.8, "326160": 2, "33243": 3, "327213": 3, "3341": 0.05, "3342": 0.1,
    "3343": 0.1, "3344": 0.08, "334510": 0.1, "334511": 0.1, "334513": 0.2, "334515": 0.2,
    "334516": 0.2, "334517": 0.2, "334519": 0.2, "3346": 0.2, "335": 0.5, "336": 0.4,
    "315": 0.2, "313": 0.3, "314": 0.8, "316": 0.3, "321": 1.2, "323": 0.7, "3273": 1.5,
    "337": 0.6, "3399": 0.5, "3251": 0.6, "3252": 0.3, "3255": 0.5, "3256": 0.4, "3259": 0.6,
    "331": 0.6, "3327": 0.6, "3332": 1.5, "3333": 0.5, "3334": 0.7, "3335": 0.5, "3336": 0.5,
    "4242": 0.4, "4244": 1.4, "4245": 6, "4248": 0.8, "423450": 0.4, "423820": 4, "424910": 5,
    "481112": 0.2, "481212": 0.3, "482": 1.3, "483111": 0.2, "483113": 0.2, "483211": 0.2,
    "484": 1.7, "488": 0.6, "492": 0.8, "493110": 1.8, "493120": 4, "493130": 10,
    "493190": 1.2,
    "524114": 0.6, "5413": 0.9, "541620": 1.1, "541940": 1.6, "624120": 1.3, "713940": 0.8,
    "other:21": 2.0,
}  # fmt: skip
#: ... and in single counties, on top of VALLEY_MULT.
COUNTY_MULT: dict[str, dict[str, float]] = {
    "06019": {"115114": 1.4, "221111": 1.5, "221114": 1.5, "311": 0.9, "333914": 2.0,
              "326122": 1.5, "332911": 2.0, "3332": 1.5, "484": 1.2, "622": 1.2},
    "06029": {"111": 1.1, "211": 2.0, "213111": 2.0, "213112": 2.0, "other:21": 0.15,
              "221112": 2.0, "221114": 3.0, "221115": 6.0, "2371": 2.0, "311": 0.7,
              "324": 5.0, "33313": 8.0, "3323": 1.3, "4247": 4.0, "486": 6.0, "493110": 1.3,
              "5413": 1.4},
    "06031": {"112": 1.8, "115111": 3.0, "221114": 3.0, "311": 1.6, "336": 0.2, "622": 0.8},
    "06039": {"221111": 2.0, "311": 0.8, "327213": 6.0, "622": 1.8},
    "06047": {"112": 1.6, "311": 1.5},
    "06077": {"115115": 0.8, "311": 0.9, "3121": 1.6, "322": 1.5, "336": 1.5, "3273": 1.3,
              "4244": 1.5, "482": 1.5, "483111": 8.0, "483113": 8.0, "483211": 8.0,
              "488": 1.5, "493110": 2.5},
    "06099": {"112": 1.3, "311": 1.4, "3121": 2.0, "33243": 2.0, "327213": 2.0},
    "06107": {"112": 2.0, "311": 1.2},
}

#: Relative growth 2011-2021 of a prefix within its sector.
PREFIX_GROWTH: dict[str, float] = {
    "111": 0.95, "112": 0.95, "115111": 0.6, "115115": 1.35,
    "211": 0.9, "213111": 0.7, "213112": 0.85,
    "221112": 0.8, "221113": 0.9, "221114": 3.0, "221115": 1.4, "221117": 0.9,
    "2371": 1.15, "2373": 1.05, "236220": 0.95,
    "311": 1.08, "3121": 1.2, "3254": 1.15, "3391": 1.05, "324": 0.9, "333914": 1.05,
    "322": 0.95, "3341": 0.85, "3344": 0.85, "336": 1.35, "315": 0.6, "323": 0.75,
    "4242": 1.1, "4244": 1.05, "423820": 1.1,
    "482": 0.8, "484": 1.05, "486": 0.9, "481112": 1.2, "492": 1.6, "493110": 1.9,
    "524114": 1.05, "5413": 1.05, "541620": 1.1,
    "621": 1.15, "622": 0.95, "623": 0.85, "624120": 1.4, "713940": 0.9, "812191": 0.8,
}  # fmt: skip

#: Spread (standard deviation of the log) of the county-level random variation.
JITTER_SECTOR_SHARE = 0.05
JITTER_SECTOR_GROWTH = 0.05
JITTER_WEIGHT = 0.25
JITTER_GROWTH = 0.10
JITTER_TOTAL = 0.02


def _uniform(seed: int, *key: object) -> float:
    """A number in (0, 1) fixed by the seed and the key."""
    digest = hashlib.sha256("|".join(map(str, (seed, *key))).encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 0.5) / 2.0**64


def _lognormal(seed: int, sigma: float, *key: object) -> float:
    """exp(N(0, sigma)) fixed by the seed and the key (Box-Muller)."""
    if sigma == 0:
        return 1.0
    u1, u2 = _uniform(seed, *key, "a"), _uniform(seed, *key, "b")
    return math.exp(sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))


#: 2-digit code -> its sector where a sector spans several codes ("32" -> "31-33").
_RANGE_OF: dict[str, str] = {
    str(two): sector
    for sector in SECTOR_RANGES.values()
    for two in range(int(sector[:2]), int(sector[-2:]) + 1)
}


def sector_of(code: str) -> str:
    """The NAICS sector (as in LODES_SECTORS) of a digit code.

    >>> sector_of("3261"), sector_of("493110"), sector_of("111")
    ('31-33', '48-49', '11')
    """
    return _RANGE_OF.get(code[:2], code[:2])


def industry_tree(prefixes: Iterable[str]) -> dict[str, list[str]]:
    """Parent (a sector or a shorter listed prefix) -> its listed children, sorted."""
    codes = sorted(set(prefixes))
    problems = []
    for code in codes:
        if sector_of(code) not in SECTORS:
            problems.append(f"{code}: sector {sector_of(code)} is not a NAICS sector")
        elif len(code) == 2:
            problems.append(f"{code}: a whole sector; use sector_proxy, not a component prefix")
    if problems:
        raise SystemExit("clusters.toml codes unusable for the synthetic table:\n  " + "\n  ".join(problems))
    tree: dict[str, list[str]] = {}
    for code in codes:
        parents = [p for p in codes if p != code and code.startswith(p)]
        parent = max(parents, key=len) if parents else sector_of(code)
        tree.setdefault(parent, []).append(code)
    return tree


def sector_values(place: str, seed: int) -> dict[int, dict[str, int]]:
    """Whole-job employment per sector for each year."""
    if place == REFERENCE:
        shares = dict(SHARES_CA)
        growth = dict(SECTOR_GROWTH)
    else:
        shares = {**SHARES_VALLEY, **SHARES_COUNTY.get(place, {})}
        growth = {**SECTOR_GROWTH, **SECTOR_GROWTH_COUNTY.get(place, {})}
        for s in SECTORS:
            shares[s] *= _lognormal(seed, JITTER_SECTOR_SHARE, "share", place, s)
            growth[s] *= _lognormal(seed, JITTER_SECTOR_GROWTH, "growth", place, s)
    total_2021 = TOTAL_2021[place]
    if place != REFERENCE:
        total_2021 *= _lognormal(seed, JITTER_TOTAL, "total", place)
    out: dict[int, dict[str, int]] = {}
    for year in YEARS:
        frac = (year - FIRST) / (LAST - FIRST)
        ends = year in (FIRST, LAST)
        wobble = 1.0 if ends or place == REFERENCE else _lognormal(seed, JITTER_YEAR, "year", place, year)
        total = total_2021 / TOTAL_GROWTH[place] ** (1.0 - frac) * CYCLE[year] * wobble
        weights = {
            s: shares[s] * growth[s] ** frac * (DIP_2020.get(s, 1.0) if year == 2020 else 1.0)
            * (1.0 if ends or place == REFERENCE
               else _lognormal(seed, JITTER_YEAR, "share-year", place, s, year))
            for s in SECTORS
        }
        norm = sum(weights.values())
        out[year] = {s: round(total * weights[s] / norm) for s in SECTORS}
    return out


def _weight(code: str, place: str, seed: int) -> float:
    base = WEIGHTS.get(code, DEFAULT_WEIGHT.get(len(code), 3.0))
    if place == REFERENCE:
        return base
    mult = VALLEY_MULT.get(code, 1.0) * COUNTY_MULT.get(place, {}).get(code, 1.0)
    return base * mult * _lognormal(seed, JITTER_WEIGHT, "weight", place, code)


def _growth(code: str, place: str, seed: int) -> float:
    g = PREFIX_GROWTH.get(code, 1.0)
    if place == REFERENCE:
        return g
    return g * _lognormal(seed, JITTER_GROWTH, "prefix-growth", place, code)


def _other(parent: str, children: list[str], place: str, weights: dict[str, float]) -> float:
    """Weight of the parent's industries not in any listed child."""
    if parent in SECTORS:
        # per 1,000 jobs: what the listed industries leave, but never less than the table says
        listed = sum(WEIGHTS.get(c, DEFAULT_WEIGHT.get(len(c), 3.0)) for c in children)
        base = max(OTHER_WEIGHT.get(parent, 10.0), 1000.0 - listed)
        if place != REFERENCE:
            key = f"other:{parent}"
            base *= VALLEY_MULT.get(key, 1.0) * COUNTY_MULT.get(place, {}).get(key, 1.0)
        return base
    return 0.25 * sum(weights[c] for c in children)  # a listed prefix keeps 20% for the rest


def fine_values(
    place: str, seed: int, tree: dict[str, list[str]], sectors: dict[int, dict[str, int]]
) -> dict[int, dict[str, int]]:
    """Employment per listed prefix and year; children of a node never exceed it."""
    codes = sorted({c for kids in tree.values() for c in kids})
    base = {c: _weight(c, place, seed) for c in codes}
    growth = {c: _growth(c, place, seed) for c in codes}
    out: dict[int, dict[str, int]] = {}
    for year in YEARS:
        frac = (year - FIRST) / (LAST - FIRST)
        weights = {c: base[c] * growth[c] ** frac for c in codes}
        values: dict[str, int] = {}
        for sector in SECTORS:
            _split(sector, sectors[year][sector], tree, weights, base, place, values)
        out[year] = values
    return out


def _split(
    node: str,
    value: int,
    tree: dict[str, list[str]],
    weights: dict[str, float],
    base: dict[str, float],
    place: str,
    values: dict[str, int],
) -> None:
    """Share ``value`` among the node's children by weight (rounded down), recursively."""
    children = tree.get(node, [])
    if not children:
        return
    norm = sum(weights[c] for c in children) + _other(node, children, place, base)
    for child in children:
        values[child] = math.floor(value * weights[child] / norm)
        _split(child, values[child], tree, weights, base, place, values)


def build_rows(prefixes: Iterable[str], seed: int) -> list[dict[str, str]]:
    """All rows of the table, ordered by place, year, TOTAL, sectors, finer codes."""
    tree = industry_tree(prefixes)
    fine_codes = sorted({c for kids in tree.values() for c in kids})
    records: list[dict[str, str]] = []
    fine_refs: list[int] = []
    for place in PLACES:
        sectors = sector_values(place, seed)
        fine = fine_values(place, seed, tree, sectors)
        for year in YEARS:
            rows = [(TOTAL_CODE, sum(sectors[year].values()))]
            rows += [(s, sectors[year][s]) for s in SECTORS]
            for code, value in rows:
                records.append({"geoid": place, "naics": code, "year": str(year),
                                "employment": str(value), "flag": ""})
            for code in fine_codes:
                fine_refs.append(len(records))
                records.append({"geoid": place, "naics": code, "year": str(year),
                                "employment": str(fine[year][code]), "flag": ""})
    _flag_rows(records, fine_refs, seed)
    return records


def _flag_rows(records: list[dict[str, str]], fine_refs: list[int], seed: int) -> None:
    """Withhold (D) and noise-flag (H) a few county rows, chosen by hash order."""
    def order(i: int) -> float:
        r = records[i]
        return _uniform(seed, "flag", r["geoid"], r["year"], r["naics"])

    county_refs = sorted((i for i in fine_refs if len(records[i]["geoid"]) == 5), key=order)
    n_withheld = round(WITHHELD_SHARE * len(fine_refs))
    n_noise = round(NOISE_SHARE * len(fine_refs))
    withheld = [i for i in county_refs if 0 < int(records[i]["employment"]) < WITHHOLD_BELOW]
    withheld = withheld[:n_withheld]
    for i in withheld:
        records[i]["employment"] = ""
        records[i]["flag"] = "D"
    taken = set(withheld)
    noisy = [i for i in reversed(county_refs) if i not in taken][:n_noise]
    for i in noisy:
        records[i]["flag"] = "H"


def render_csv(records: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    buffer.write("geoid,naics,year,employment,flag\n")
    for r in records:
        buffer.write(f"{r['geoid']},{r['naics']},{r['year']},{r['employment']},{r['flag']}\n")
    return buffer.getvalue()


def render_meta(seed: int) -> str:
    meta = {
        "name": NAME,
        "source": (
            f"Synthetic sample data generated by scripts/build_synthetic_employment.py "
            f"(seed {seed}); not real employment figures"
        ),
        "format": "csv",
        "synthetic": True,
        "imported_from": [f"{NAME}.csv"],
        "years": list(YEARS),
        "imported_at": IMPORTED_AT,
    }
    return json.dumps(meta, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help=f"folder to write {NAME}.csv and .meta.json (default: {DEFAULT_OUT_DIR})")
    parser.add_argument("--clusters", type=Path, default=DEFAULT_CLUSTERS,
                        help="cluster definitions whose NAICS prefixes get rows")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    args = parser.parse_args(argv)

    clusters = load_clusters(args.clusters)
    prefixes = [p for c in clusters for comp in c.components for p in comp.naics]
    records = build_rows(prefixes, args.seed)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.out_dir / f"{NAME}.csv"
    csv_path.write_bytes(render_csv(records).encode("utf-8"))
    (args.out_dir / f"{NAME}.meta.json").write_bytes(render_meta(args.seed).encode("utf-8"))
    n_d = sum(r["flag"] == "D" for r in records)
    n_h = sum(r["flag"] == "H" for r in records)
    print(
        f"wrote {csv_path}: {len(records):,} rows, {len(PLACES)} places x {len(YEARS)} years, "
        f"{len(set(prefixes))} cluster prefixes, {n_d} withheld (D), {n_h} noise-flagged (H); "
        "SYNTHETIC data",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
