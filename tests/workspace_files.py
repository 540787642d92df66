"""Files a workspace test needs, written in code: square tracts and tract employment."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

from valleymaps.workspace import bundled_data_dir

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
