"""Files a workspace test needs, written in code: square tracts and tract employment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import geopandas as gpd
from shapely.geometry import box

from valleymaps.workspace import Workspace, bundled_data_dir

if TYPE_CHECKING:
    from valleymaps.workflows.atlas import AtlasResult


class BuiltAtlas(NamedTuple):
    """A workspace and what ``build_atlas`` returned for it (the ``bundled_atlas`` fixture)."""

    ws: Workspace
    result: AtlasResult

TRACT_CSV_HEADER = "geoid,naics,year,employment,flag\n"


def county_anchor(county: str) -> tuple[float, float]:
    """A point inside a California county (bundled boundaries): where its test tracts start."""
    if not _ANCHORS:
        counties = gpd.read_file(bundled_data_dir() / "geo" / "ca_counties.geojson")
        for geoid, geom in zip(counties["geoid"], counties.geometry, strict=True):
            p = geom.representative_point()
            _ANCHORS[str(geoid)] = (round(p.x, 3), round(p.y, 3))
    return _ANCHORS[county]


_ANCHORS: dict[str, tuple[float, float]] = {}


def write_square_tracts(path: Path, county_geoids: list[str], per_county: int = 3) -> list[str]:
    """A GeoJSON of small square tracts (3 per county, side by side, inside it) with GEOIDs as text."""
    rows, geoms = [], []
    for county in county_geoids:
        ax, ay = county_anchor(county)
        for t in range(per_county):
            x0, y0 = ax + t * 0.05, ay
            rows.append(f"{county}{(t + 1) * 100:06d}")
            geoms.append(box(x0, y0, x0 + 0.05, y0 + 0.05))
    gpd.GeoDataFrame({"GEOID": rows}, geometry=geoms, crs=4326).to_file(path, driver="GeoJSON")
    return rows


def write_tract_employment(path: Path, geoids: list[str]) -> Path:
    """Tract employment in the plain CSV format, sector level only (as LODES gives), two years."""
    lines = [TRACT_CSV_HEADER.strip()]
    for n, g in enumerate(geoids):
        for year, grow in ((2011, 0), (2021, 5)):
            ag, mfg, trans = 40 + 7 * n + grow, 15 + n, 10 + 2 * n
            lines += [
                f"{g},TOTAL,{year},{ag + mfg + trans + 100},",
                f"{g},11,{year},{ag},",
                f"{g},31-33,{year},{mfg},",
                f"{g},48-49,{year},{trans},",
                f"{g},62,{year},100,",
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


CBP_COUNTY_HEADER = (
    '"fipstate","fipscty","naics","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est","n<5",'
    '"n5_9","n10_19","n20_49","n50_99","n100_249","n250_499","n500_999","n1000","n1000_1",'
    '"n1000_2","n1000_3","n1000_4"'
)
CBP_STATE_HEADER = (
    '"fipstate","naics","lfo","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est","n<5",'
    '"n5_9","n10_19","n20_49","n50_99","n100_249","n250_499","n500_999","n1000"'
)
_CBP_TAIL = ',"G",97944,"G",424826,924,442,222,118,100,31,8,"N","N","N","N","N","N","N"'
_CBP_STATE_TAIL = ',"G",97944,"G",424826,924,442,222,118,100,31,8,"N","N"'

#: CBP codes as published (padded with - and /) and jobs per county; no 111/112 (CBP leaves
#: crop and animal production out) and no 482 (rail).
CBP_COUNTY_CODES: tuple[tuple[str, int], ...] = (
    ("------", 100_000), ("11----", 3_000), ("115///", 3_000), ("1151//", 3_000),
    ("11511/", 3_000), ("115114", 1_200), ("115115", 1_800), ("31----", 9_000),
    ("311///", 6_000), ("3121//", 500), ("48----", 4_000), ("484///", 2_500), ("493///", 900),
    ("62----", 15_000), ("622///", 5_000),
)  # fmt: skip


def write_cbp_files(folder: Path, county_geoids: list[str], year: int = 2021) -> list[Path]:
    """A County Business Patterns county file and state file (``cbpYYco.txt``, ``cbpYYst.txt``)
    in the published layout, for ``county_geoids`` and their state."""
    yy = f"{year % 100:02d}"
    county = [CBP_COUNTY_HEADER]
    for n, geoid in enumerate(county_geoids):
        for code, jobs in CBP_COUNTY_CODES:
            county.append(f'"{geoid[:2]}","{geoid[2:]}","{code}","G",{jobs + 100 * n}{_CBP_TAIL}')
    state = [CBP_STATE_HEADER]
    for code, jobs in CBP_COUNTY_CODES:
        state.append(f'"{county_geoids[0][:2]}","{code}","-","G",{jobs * 30}{_CBP_STATE_TAIL}')
    paths = [folder / f"cbp{yy}co.txt", folder / f"cbp{yy}st.txt"]
    paths[0].write_text("\n".join(county) + "\n", encoding="utf-8")
    paths[1].write_text("\n".join(state) + "\n", encoding="utf-8")
    return paths


def remove_bundled_flows(ws_root: Path) -> None:
    """Delete the bundled ACS flows extract from a new workspace (for tests about workspaces
    without commuting flows, or with only the flows they import)."""
    for path in (ws_root / "data" / "econ" / "flows").glob("acs_county_flows_2009_2013.*"):
        path.unlink()
