"""Bring a series of years classified under different NAICS editions to one edition.

Pure computation: an employment table in, the same table with its other-edition years
recoded, out. QCEW and County Business Patterns classify each year by the NAICS edition in
force (QCEW: 2012 from 2011 data, 2017 from 2017, 2022 from 2022); the clusters are written in
NAICS 2017 codes. Without this step a cluster made of an industry that NAICS 2017 renumbered
(telecom carriers 517110 -> 517311) or merged (electronic shopping 454111-454113 -> 454110)
would count no jobs up to 2016 and jump in 2017, and one made of an industry NAICS 2022
renumbered (pharmacies 446110 -> 456110) would drop to nothing from 2022.

The target edition is the clusters' edition, NAICS 2017 (:data:`TARGET_EDITION`; the bundled
``clusters.toml`` says so in its header), not the newest edition in the data: the cluster
definitions are read as they are written, and it is the data that move to them. NAICS 2012
years are converted forward (2012 -> 2017), NAICS 2022 years backward (2022 -> 2017, the
2017 -> 2022 concordance read the other way); a series 2012-2022 thus comes out in NAICS 2017
throughout. The tables, and the source they were checked against, are in
:mod:`valleymaps.core.naics` (:data:`~valleymaps.core.naics.CONCORDANCE_SOURCE`).

Rules, for each year of another edition with a concordance path to the target
(:data:`valleymaps.core.naics.CONCORDANCES`, one step between adjacent editions):

* A six-digit industry that moved whole (renamed, or merged with others) is recoded to its new
  code; industries merged into one are summed (a sum with withheld parts is a lower bound,
  flagged ``I``; only withheld parts: missing).
* A six-digit industry that corresponds to several industries of the other edition (split
  forward; backward, a NAICS 2022 industry made of parts of several NAICS 2017 ones, such as
  the 2022 retailers that took part of electronic shopping 454110) cannot be divided without
  establishment records: each of its industries gets a missing part flagged ``R``
  (:data:`valleymaps.flags.EDITION_FLAG`), so a cluster made of them is missing or a lower
  bound there, never a silent jump. A prefix covering every part of the split (``2111`` for
  the oil and gas split) is unaffected: its own row is published in both editions.
* Rows of intermediate levels (3-5 digits) that an industry left (``51711`` when 517110 became
  517311) are dropped, so no prefix counts jobs that the target edition classifies elsewhere;
  such a prefix is then summed from its six-digit industries.
* Years of an edition without a concordance path to the target (earlier than 2012) are kept as
  they are and listed in ``unreconciled``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from valleymaps.core.naics import CONCORDANCES, find_concordance_steps
from valleymaps.flags import EDITION_FLAG, combine_flags

log = logging.getLogger(__name__)

#: Edition the clusters' NAICS codes are written in (``clusters.toml``): every year is brought
#: to it.
TARGET_EDITION = 2017


@dataclass
class EditionReconciliation:
    """An employment table brought to one NAICS edition.

    Attributes
    ----------
    table
        ``geoid, naics, year, employment, flag`` with every convertible year in ``target``.
    target
        The edition of the result.
    converted
        Year -> the edition it was converted from.
    unreconciled
        ``year, naics, reason``: industries that split (every year they occur in) and years
        left in their edition (``naics`` empty), one row each.
    """

    table: pd.DataFrame
    target: int
    converted: dict[int, int] = field(default_factory=dict)
    unreconciled: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["year", "naics", "reason"])
    )


def _stale_levels(concordance: Mapping[str, tuple[str, ...]]) -> set[str]:
    """Intermediate codes (3-5 digits) of earlier-edition industries that left them."""
    stale: set[str] = set()
    for old, new in concordance.items():
        common = next((k for k in range(len(old)) if any(n[k : k + 1] != old[k] for n in new)), len(old))
        stale.update(old[:k] for k in range(max(common + 1, 3), len(old)))
    return stale


def _merge(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (geoid, naics, year): the sum, a lower bound (``I``) with withheld parts."""
    keys = ["geoid", "naics", "year"]
    grouped = rows.groupby(keys, sort=False, dropna=False)
    out = grouped["employment"].agg(["sum", "count", "size"])
    out["employment"] = out["sum"].where(out["count"] > 0)
    flags = grouped["flag"].agg(combine_flags)
    partial = (out["count"] < out["size"]) & (out["count"] > 0)
    out["flag"] = [combine_flags([f, "I"]) if p else f for f, p in zip(flags, partial, strict=True)]
    return out[["employment", "flag"]].reset_index()


def _convert_year(rows: pd.DataFrame, concordance: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    naics = rows["naics"].astype(str)
    stale = naics.isin(_stale_levels(concordance)).to_numpy()
    changed = naics.isin(list(concordance)).to_numpy()
    keep = rows[~stale & ~changed]
    moved = rows[changed]
    if moved.empty:
        return keep
    parts = []
    for old, new in concordance.items():
        sub = moved[moved["naics"].astype(str) == old]
        if sub.empty:
            continue
        for code in new:
            part = sub.assign(naics=code)
            if len(new) > 1:
                part = part.assign(
                    employment=np.nan, flag=[combine_flags([f, EDITION_FLAG]) for f in part["flag"]]
                )
            parts.append(part)
    moved = pd.concat(parts, ignore_index=True)
    targets = set(moved["naics"])
    joined = pd.concat([keep[keep["naics"].astype(str).isin(targets)], moved], ignore_index=True)
    rest = keep[~keep["naics"].astype(str).isin(targets)]
    return pd.concat([rest, _merge(joined)], ignore_index=True)


def reconcile_naics_editions(
    table: pd.DataFrame, *, editions: Mapping[int, int | None], target: int = TARGET_EDITION
) -> EditionReconciliation:
    """Bring every year of ``table`` to the NAICS edition ``target`` where a concordance allows.

    Parameters
    ----------
    table
        Employment table (``geoid, naics, year, employment, flag``).
    editions
        Year -> its NAICS edition (:func:`valleymaps.core.naics.naics_edition`); years
        absent or ``None`` are left as they are.
    target
        Edition to reach (default 2017, the clusters' edition).

    Returns
    -------
    EditionReconciliation

    Examples
    --------
    >>> t = pd.DataFrame({"geoid": ["06019"] * 4, "naics": ["454111", "454113", "454110", "211111"],
    ...                   "year": [2016, 2016, 2017, 2016], "employment": [40.0, 20.0, 75.0, 9.0],
    ...                   "flag": [""] * 4})
    >>> r = reconcile_naics_editions(t, editions={2016: 2012, 2017: 2017})
    >>> r.table.sort_values(["naics", "year"])[["naics", "year", "employment", "flag"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['211120', 2016, nan, 'R'], ['211130', 2016, nan, 'R'], ['454110', 2016, 60.0, ''],
     ['454110', 2017, 75.0, '']]
    >>> r.unreconciled.values.tolist()[0][:2]
    [2016, '211111']
    """
    years = sorted(int(y) for y in pd.unique(table["year"]))
    frames = []
    converted: dict[int, int] = {}
    notes: list[tuple[int, str, str]] = []
    for year in years:
        rows = table[table["year"] == year]
        edition = editions.get(year)
        if edition is None or edition == target:
            frames.append(rows)
            continue
        steps = find_concordance_steps(edition, target)
        if steps is None:
            frames.append(rows)
            notes.append(
                (year, "", f"NAICS {edition} data kept as published: no concordance to NAICS {target}")
            )
            continue
        for source, dest in steps:
            concordance = CONCORDANCES[(source, dest)]
            present = set(rows["naics"].astype(str))
            verb = "split into" if source < dest else "takes parts of several"
            notes += [
                (year, old, f"NAICS {source} {old} {verb} NAICS {dest} {', '.join(new)}")
                for old, new in concordance.items()
                if len(new) > 1 and old in present
            ]
            rows = _convert_year(rows, concordance)
        frames.append(rows)
        converted[year] = edition
    out = pd.concat(frames, ignore_index=True) if frames else table.iloc[0:0]
    out = out.sort_values(["geoid", "naics", "year"], kind="stable").reset_index(drop=True)
    out = out.astype(
        {"naics": table["naics"].dtype, "flag": table["flag"].dtype, "geoid": table["geoid"].dtype}
    )
    unreconciled = pd.DataFrame(notes, columns=["year", "naics", "reason"])
    if converted:
        log.info(
            "NAICS editions: %d year%s converted to NAICS %d (%s); %d industr%s split and cannot be divided",
            len(converted),
            "s" if len(converted) != 1 else "",
            target,
            ", ".join(map(str, sorted(converted))),
            int((unreconciled["naics"] != "").sum()),
            "y" if int((unreconciled["naics"] != "").sum()) == 1 else "ies",
        )
    kept = sorted({y for y, code, _ in notes if code == ""})
    if kept:
        log.warning(
            "NAICS editions: %d year%s kept in their own edition (no concordance to NAICS %d): %s; "
            "clusters of industries that changed may jump there",
            len(kept),
            "s" if len(kept) != 1 else "",
            target,
            ", ".join(map(str, kept)),
        )
    return EditionReconciliation(out[list(table.columns)], target, converted, unreconciled)
