"""A commuting flows dataset: flows between places, at one or two levels, with their source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from valleymaps.io.flows.lodes_area import AreaTotals

#: Columns every flow table has: home place, work place, workers (and the MOE, NaN for LODES).
FLOW_COLUMNS: tuple[str, ...] = ("h_geoid", "w_geoid", "workers", "workers_moe")

#: GEOID length of each level a table can hold.
LEVEL_LENGTHS: dict[str, int] = {"county": 5, "tract": 11, "block_group": 12, "block": 15}


@dataclass
class FlowDataset:
    """Commuting flows imported into a workspace.

    Attributes
    ----------
    name
        File-name-safe name (``ca_od_2021_jt00``).
    format
        ``"lodes-od"`` or ``"acs-county"``.
    source
        What the data are, for map source lines ("LEHD LODES OD 2021, all jobs (JT00)").
    vintage
        Year or period of the data ("2021", "2009–2013").
    tables
        Level (``"county"``, ``"tract"``...) -> flow table: ``h_geoid``, ``w_geoid`` (text),
        ``workers``, ``workers_moe`` (NaN when the source has none) and, for LODES, the segment
        columns ``SA01`` ... ``SI03``. The county table is complete; finer tables may be limited
        to pairs with an end in :attr:`detail_counties`.
    imported_from
        File names read.
    detail_counties
        County GEOIDs the finer tables were limited to (the region at import), or None.
    synthetic
        True for made-up sample data (file name says "synthetic").
    notes
        What was done to the input (rows abroad, rows without a work place...).
    lodes_version
        LODES: ``"LODES7"`` (2010 census blocks) or ``"LODES8"`` (2020 blocks); None when unknown
        or not LODES.
    states
        LODES: postal codes of the states whose files were read (``("ca", "nv")``).
    job_type
        LODES: ``"JT00"`` ... ``"JT05"``.
    totals
        LODES: area totals from RAC (``"rac"``: employed residents) and WAC (``"wac"``: jobs)
        files of the same year and job type, when imported.
    """

    name: str
    format: str
    source: str
    vintage: str
    tables: dict[str, pd.DataFrame]
    imported_from: list[str] = field(default_factory=list)
    detail_counties: tuple[str, ...] | None = None
    synthetic: bool = False
    notes: list[str] = field(default_factory=list)
    lodes_version: str | None = None
    states: tuple[str, ...] = ()
    job_type: str | None = None
    totals: dict[str, AreaTotals] = field(default_factory=dict)

    @property
    def residents(self) -> pd.DataFrame | None:
        """Employed residents of areas (RAC), or None."""
        rac = self.totals.get("rac")
        return rac.table if rac is not None else None

    @property
    def jobs(self) -> pd.DataFrame | None:
        """Jobs of areas (WAC), or None."""
        wac = self.totals.get("wac")
        return wac.table if wac is not None else None

    @property
    def has_moe(self) -> bool:
        """Whether the flows carry margins of error (ACS)."""
        county = self.tables.get("county")
        return county is not None and bool(county["workers_moe"].notna().any())

    @property
    def segments(self) -> tuple[str, ...]:
        """Segment columns the tables carry (LODES: ``SA01`` ... ``SI03``; ACS: none)."""
        county = self.tables.get("county")
        if county is None:
            return ()
        return tuple(c for c in county.columns if c not in FLOW_COLUMNS)

    @property
    def levels(self) -> list[str]:
        """Levels held, coarsest first."""
        return sorted(self.tables, key=lambda lv: LEVEL_LENGTHS.get(lv, 99))
