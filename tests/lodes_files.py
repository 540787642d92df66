"""LODES files in the published schemas, written in code: WAC (synthetic job counts) and OD flows.

:func:`write_wac` gives the build benchmark's 760 real tracts some employment (random numbers,
labelled synthetic in the file name); :func:`write_od` writes commuting flows between given
tracts or blocks.
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


OD_HEADER = "w_geocode,h_geocode,S000,SA01,SA02,SA03,SE01,SE02,SE03,SI01,SI02,SI03,createdate"


def od_row(home: str, work: str, workers: int, skilled: int = 0) -> str:
    """One OD row (work block first, as published) whose segments add up.

    Tract GEOIDs (11 characters) get block ``1000`` appended. Ages are all SA02,
    earnings SE01 except ``skilled`` workers in SE03 (more than $3,333 a month),
    industries all SI03.
    """
    w, h = (g + "1000" if len(g) == 11 else g for g in (work, home))
    rest = workers - skilled
    return f"{w},{h},{workers},0,{workers},0,{rest},0,{skilled},0,0,{workers},20230321"


def write_od(path: Path, flows: Sequence[tuple[str, str, int, int]]) -> Path:
    """Write a gzipped LODES OD file of ``(home, work, workers, skilled)`` rows.

    Name the file as LODES does (``ca_od_main_JT00_2021.csv.gz``) so its year and
    part are read from the name; put "synthetic" in it to mark the data synthetic.
    """
    lines = [OD_HEADER, *(od_row(*flow) for flow in flows)]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("ascii")))
    return path
