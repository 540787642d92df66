"""Documented defaults that functions fall back to when an argument is ``None``.

Change a value here (or in a workspace's ``valleymaps.toml``) rather than in
the functions that use it.
"""

from __future__ import annotations

from types import MappingProxyType

#: State FIPS code of California.
STATE_FIPS: str = "06"

#: The San Joaquin Valley's eight counties: 5-character county GEOID -> name.
VALLEY_COUNTIES: MappingProxyType[str, str] = MappingProxyType(
    {
        "06019": "Fresno",
        "06029": "Kern",
        "06031": "Kings",
        "06039": "Madera",
        "06047": "Merced",
        "06077": "San Joaquin",
        "06099": "Stanislaus",
        "06107": "Tulare",
    }
)

#: Name used for the region as a whole in tables and maps.
REGION_NAME: str = "San Joaquin Valley"

#: Place GEOID used for the region in tables (not a Census code).
REGION_GEOID: str = "SJV"

#: Reference area for location quotients and shift-share: California.
REFERENCE_GEOID: str = STATE_FIPS
REFERENCE_NAME: str = "California"

#: Coordinate reference system for analysis (California Albers, metres).
ANALYSIS_CRS: str = "EPSG:3310"

#: Coordinate reference system for web maps (WGS 84 longitude/latitude).
WEB_CRS: str = "EPSG:4326"

#: Tolerance (metres, in the analysis CRS) of the coverage simplification
#: applied to tract geometry before it goes into a web page.
TRACT_SIMPLIFY_TOLERANCE_M: float = 60.0

#: Tolerance for county geometry in web pages.
COUNTY_SIMPLIFY_TOLERANCE_M: float = 250.0

#: Decimal places kept for longitude/latitude in web pages (5 is about 1 m).
WEB_COORDINATE_PRECISION: int = 5

#: Default classification scheme and number of classes for choropleths.
DEFAULT_SCHEME: str = "quantiles"
DEFAULT_CLASSES: int = 5

#: Sequential (sizes) and diverging (centred) colour maps; both colour-blind
#: safe (ColorBrewer YlGnBu and PuOr, via matplotlib).
SEQUENTIAL_CMAP: str = "YlGnBu"
DIVERGING_CMAP: str = "PuOr_r"

#: Fill colour for places without data (suppressed, missing).
NO_DATA_COLOR: str = "#bdbdbd"

#: Web map tiles (a light basemap that keeps the choropleth readable).
TILES: str = "Esri.WorldGrayCanvas"



def synthetic_notice(what: str | None = "employment") -> str:
    """Text shown on every map that draws synthetic data; ``what`` kind of figures they are not.

    >>> synthetic_notice("commuting")
    'Synthetic sample data (not real commuting figures)'
    >>> synthetic_notice(None)
    'Synthetic sample data (not real figures; the sources say which)'
    """
    if what is None:
        return "Synthetic sample data (not real figures; the sources say which)"
    return f"Synthetic sample data (not real {what} figures)"


#: Text shown on every map that draws synthetic employment data.
SYNTHETIC_NOTICE: str = synthetic_notice()
