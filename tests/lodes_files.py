"""LODES and ACS files in their published schemas, written in code.

* :func:`write_wac`: a LODES WAC file for given tracts, synthetic job counts (used by the
  build benchmark to give the 760 real tracts some employment; the numbers are random and
  labelled synthetic in the file name);
* :func:`write_od`: a LODES OD file (main or aux) from (work tract, home tract, workers) flows;
* :func:`write_acs_county_flows`: an ACS county-to-county commuting flows table, e.g. of
  :func:`acs_region_flows`.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

import numpy as np

WAC_COLUMNS = (
    ["w_geocode", "C000", "CA01", "CA02", "CA03", "CE01", "CE02", "CE03"]
    + [f"CNS{i:02d}" for i in range(1, 21)]
    + [f"CR{i:02d}" for i in (1, 2, 3, 4, 5, 7)]
    + ["CT01", "CT02", "CD01", "CD02", "CD03", "CD04", "CS01", "CS02"]
    + ["CFA01", "CFA02", "CFA03", "CFA04", "CFA05", "CFS01", "CFS02", "CFS03", "CFS04", "CFS05"]
    + ["createdate"]
)


def write_wac(
    path: Path,
    tract_geoids: Sequence[str],
    *,
    blocks_per_tract: int = 4,
    seed: int = 7,
    state_blocks: int = 200,
) -> Path:
    """Write ``path`` (``ca_wac_S000_JT00_<year>.csv.gz`` style) with blocks in the tracts.

    Adds ``state_blocks`` blocks elsewhere in California so the file carries a
    state total, as a real whole-state WAC file does.
    """
    rng = np.random.default_rng(seed)
    lines = [",".join(WAC_COLUMNS)]
    blocks = [f"{t}{1000 + b:04d}" for t in tract_geoids for b in range(blocks_per_tract)]
    blocks += [f"06037{200000 + i:06d}{1000:04d}" for i in range(state_blocks)]
    for block in blocks:
        sectors = rng.poisson(rng.uniform(1, 25, 20)).astype(int)
        total = int(sectors.sum())
        rest = [0] * (len(WAC_COLUMNS) - 2 - 6 - 20 - 1)
        ages = [total // 3, total // 3, total - 2 * (total // 3)]
        earn = [total // 4, total // 2, total - total // 4 - total // 2]
        row = [
            block,
            str(total),
            *map(str, ages),
            *map(str, earn),
            *map(str, sectors),
            *map(str, rest),
            "20230321",
        ]
        lines.append(",".join(row))
    with gzip.open(path, "wt", encoding="ascii", newline="") as f:
        f.write("\n".join(lines) + "\n")
    return path


OD_COLUMNS = ("w_geocode", "h_geocode", "S000", "SA01", "SA02", "SA03", "SE01", "SE02", "SE03",
              "SI01", "SI02", "SI03", "createdate")  # fmt: skip


def write_od(path: Path, flows: Sequence[tuple[str, str, int]], *, skilled_share: float = 0.25) -> Path:
    """Write a gzipped LODES OD file (``ca_od_main_JT00_2021.csv.gz`` style).

    ``flows`` are (work tract, home tract, workers); each tract gets one block (``<tract>1000``).
    Segments add up: ages split in three, ``skilled_share`` of the workers earn more than
    $3,333 a month (SE03), industries split in three.
    """
    lines = [",".join(OD_COLUMNS)]
    for work, home, n in flows:
        skilled = round(n * skilled_share)
        ages = [n // 3, n // 3, n - 2 * (n // 3)]
        earnings = [(n - skilled) // 2, n - skilled - (n - skilled) // 2, skilled]
        row = [f"{work}1000", f"{home}1000", n, *ages, *earnings, *ages, "20230321"]
        lines.append(",".join(map(str, row)))
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("ascii")))
    return path


def write_acs_county_flows(path: Path, flows: Sequence[tuple[str, str, int, int]]) -> Path:
    """Write an ACS county-to-county flows CSV (``acs_county_flows_2016_2020_us.csv`` style).

    ``flows`` are (home county GEOID, work county GEOID or ``F3xx`` abroad, workers, MOE).
    """
    lines = ["h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe"]
    for home, work, n, moe in flows:
        work_cols = f"{work[1:]},NA" if work.startswith("F") else f"0{work[:2]},{work[2:]}"
        lines.append(f"{home[:2]},{home[2:]},{work_cols},{n},{moe}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def acs_region_flows(counties: Sequence[str]) -> list[tuple[str, str, int, int]]:
    """ACS-style flows for ``counties``: each works at home, in the next county and in Los Angeles.

    Every county has its own proportions, so leakage rates, in-commuter shares and net
    commuting all differ between counties (a choropleth of them gets all its classes).
    """
    flows = []
    for i, county in enumerate(counties):
        flows += [
            (county, county, 100_000 + 7_000 * i, 900),
            (county, counties[(i + 1) % len(counties)], 1_000 * (i + 1) ** 2, 300),
            (county, "06037", 150 * (i + 2), 90),
        ]
    return flows
