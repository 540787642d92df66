"""Features whose coordinates cannot be right: swapped, in the wrong CRS, or outside their county.

:func:`find_misplaced` checks that every feature's coordinates are plausible for
its declared CRS and that it lies in (or overlaps) the county its GEOID names,
and tells the likely cause apart: latitude and longitude swapped, projected
metres labelled as degrees (which CRS they fit), degrees labelled as a
projection, or a feature that simply lies elsewhere (another county, another
state). Pure computation: geometries and counties in, findings out.

Examples
--------
>>> import geopandas as gpd, shapely
>>> counties = gpd.GeoDataFrame({"geoid": ["06019"], "name": ["Fresno"]},
...     geometry=[shapely.box(-120.9, 35.9, -118.4, 37.6)], crs="EPSG:4326")
>>> tracts = gpd.GeoSeries([shapely.box(-119.8, 36.7, -119.7, 36.8),
...     shapely.box(36.7, -119.8, 36.8, -119.7)], crs="EPSG:4326")
>>> [(m.position, m.cause) for m in find_misplaced(tracts, ["06019", "06019"], counties)]
[(1, 'swapped')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from valleymaps import settings

#: Metres by which a feature may lie outside the county its GEOID names (county outlines are
#: generalised, 1:5M: borders move by up to a few hundred metres).
COUNTY_TOLERANCE_M: float = 2000.0

#: Projections that coordinates mislabelled as degrees are tried in, most likely first
#: (California Albers, UTM zones 10 and 11 on NAD83 and WGS 84, State Plane zones 3-5 in
#: US feet, Web Mercator).
CANDIDATE_CRS: tuple[str, ...] = (
    "EPSG:3310", "EPSG:26910", "EPSG:26911", "EPSG:32610", "EPSG:32611",
    "EPSG:2227", "EPSG:2228", "EPSG:2229", "EPSG:3857",
)  # fmt: skip

#: Rough longitude/latitude boxes of the states, to say where a feature far away lies.
STATE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "California": (-124.5, 32.5, -114.1, 42.0),
    "Nevada": (-120.0, 35.0, -114.0, 42.0),
    "Oregon": (-124.6, 42.0, -116.5, 46.3),
    "Washington": (-124.8, 45.5, -116.9, 49.0),
    "Arizona": (-114.8, 31.3, -109.0, 37.0),
    "Utah": (-114.1, 37.0, -109.0, 42.0),
    "Idaho": (-117.2, 42.0, -111.0, 49.0),
    "New Mexico": (-109.1, 31.3, -103.0, 37.0),
    "Colorado": (-109.1, 37.0, -102.0, 41.0),
    "Texas": (-106.7, 25.8, -93.5, 36.5),
    "Oklahoma": (-103.0, 33.6, -94.4, 37.0),
    "Florida": (-87.6, 24.5, -80.0, 31.0),
    "New York": (-79.8, 40.5, -71.8, 45.0),
    "Mexico": (-117.1, 14.5, -86.7, 32.5),
}

_CAUSES = ("swapped", "projected_as_degrees", "degrees_as_projected", "wrong_projection", "not_degrees",
           "other_county", "elsewhere")  # fmt: skip


@dataclass(frozen=True)
class Misplacement:
    """One feature whose coordinates cannot be right.

    Attributes
    ----------
    position
        0-based position of the feature in the input.
    cause
        ``swapped`` (latitude/longitude), ``projected_as_degrees`` (metres or feet labelled as
        degrees; ``crs`` names the projection they fit), ``degrees_as_projected``,
        ``wrong_projection`` (another projection than the declared one fits), ``not_degrees``
        (out of range, no known projection fits), ``other_county`` or ``elsewhere``.
    where
        Where the feature lies as read: "in Kern County (06029)", "outside California, in or
        near Texas (-97.74, 30.27)".
    crs
        The CRS the coordinates fit, for the projection causes.
    """

    position: int
    cause: str
    where: str
    crs: str | None = None

    def explanation(self, *, declared: str) -> str:
        """What is wrong and what to do, for a message about this one feature.

        >>> Misplacement(0, "projected_as_degrees", "", "EPSG:3310").explanation(declared="EPSG:4326")
        'looks like projected metres (EPSG:3310) labelled as longitude/latitude: pass --assume-crs EPSG:3310'
        """
        what, fix = _what_and_fix(self.cause, self.crs, declared, self.where)
        return f"{what.replace('look ', 'looks ', 1).replace('lie ', 'lies ', 1)}: {fix}"


def _what_and_fix(cause: str, crs: str | None, declared: str, where: str) -> tuple[str, str]:
    """(what the features look like, plural verb; what to do)."""
    if cause == "swapped":
        return ("look like latitude/longitude swapped",
                "write x = longitude, y = latitude (swap the columns, or re-export the file)")
    if cause == "projected_as_degrees":
        unit = "feet" if crs in ("EPSG:2227", "EPSG:2228", "EPSG:2229") else "metres"
        what = f"look like projected {unit} ({crs}) labelled as longitude/latitude"
        return what, f"pass --assume-crs {crs}"
    if cause == "degrees_as_projected":
        return f"look like longitude/latitude degrees labelled as {declared}", "pass --assume-crs EPSG:4326"
    if cause == "wrong_projection":
        return f"look like {crs}, not the declared {declared}", f"pass --assume-crs {crs}"
    if cause == "not_degrees":
        return (f"have coordinates that are not longitude/latitude degrees (e.g. {where}) and fit no usual "
                "California projection", "pass --assume-crs with the file's CRS")
    return f"lie {where}", "check the file's CRS and the GEOIDs"


def _centres(geoms: np.ndarray) -> np.ndarray:
    b = shapely.bounds(geoms)
    return np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])


def _in_degree_range(geoms: np.ndarray) -> np.ndarray:
    b = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        return (np.abs(b[:, [0, 2]]) <= 180).all(axis=1) & (np.abs(b[:, [1, 3]]) <= 90).all(axis=1)


def _to_analysis(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    """Geometries in the analysis CRS; None where they cannot be transformed."""
    out = np.empty(len(geoms), dtype=object)
    if not len(geoms):
        return out
    ok = _in_degree_range(geoms) if crs.is_geographic else np.ones(len(geoms), dtype=bool)
    if ok.any():
        with np.errstate(all="ignore"):
            moved = gpd.GeoSeries(geoms[ok], crs=crs).to_crs(settings.ANALYSIS_CRS).to_numpy()
        out[ok] = moved
    finite = np.array([g is not None and bool(np.isfinite(shapely.bounds(g)).all()) for g in out], dtype=bool)
    out[~finite] = None
    return out


def _fits(geoms: np.ndarray, crs: CRS, areas: np.ndarray) -> np.ndarray:
    """Whether each geometry, read in ``crs``, meets its (buffered, projected) county area."""
    moved = _to_analysis(shapely.envelope(geoms), crs)
    ok = np.array([g is not None for g in moved], dtype=bool) & np.array([a is not None for a in areas])
    out = np.zeros(len(geoms), dtype=bool)
    if ok.any():
        out[ok] = shapely.intersects(moved[ok], areas[ok])
    return out


def _state_of(lon: float, lat: float) -> str | None:
    hits = [
        (abs((e - w) * (n - s)), name)
        for name, (w, s, e, n) in STATE_BOXES.items()
        if w <= lon <= e and s <= lat <= n and name not in ("California", "Mexico")
    ]
    if hits:
        return min(hits)[1]
    w, s, e, n = STATE_BOXES["Mexico"]
    return "Mexico" if w <= lon <= e and s <= lat <= n else None


def _where(geom: shapely.Geometry, crs: CRS, counties_web: gpd.GeoDataFrame) -> str:
    """Where a geometry read in ``crs`` lies: a county of the reference, or a state."""
    moved = _to_analysis(np.array([shapely.envelope(geom)], dtype=object), crs)[0]
    if moved is None:
        x, y = _centres(np.array([geom], dtype=object))[0]
        return f"at ({x:.6g}, {y:.6g}), not a place on Earth in {crs.to_string()}"
    point = gpd.GeoSeries([moved.centroid], crs=settings.ANALYSIS_CRS).to_crs(settings.WEB_CRS).iloc[0]
    lon, lat = point.x, point.y
    holding = counties_web[counties_web.geometry.intersects(point)]
    if len(holding):
        first = holding.iloc[0]
        return f"in {first['name']} County ({first['geoid']}) around ({lon:.4f}, {lat:.4f})"
    state = _state_of(lon, lat)
    if state is not None:
        return f"outside California, in or near {state} ({lon:.2f}, {lat:.2f})"
    return f"outside California ({lon:.2f}, {lat:.2f})"


def find_misplaced(
    geoms: gpd.GeoSeries,
    expected_county: Sequence[str | None],
    counties: gpd.GeoDataFrame,
    *,
    tolerance_m: float = COUNTY_TOLERANCE_M,
) -> list[Misplacement]:
    """Features that do not lie in (or overlap) their county, with the likely cause.

    Parameters
    ----------
    geoms
        The features as read, in their declared CRS (``geoms.crs`` must be set).
    expected_county
        County GEOID each feature should lie in (5 characters), or None where unknown: those
        features are only checked for coordinates plausible in their CRS.
    counties
        Reference counties: ``geoid``, ``name`` and polygons, any CRS.
    tolerance_m
        How far outside its county a feature may lie.

    Returns
    -------
    list of Misplacement
        In feature order; empty when every feature is where its GEOID says.
    """
    if geoms.crs is None:
        raise ValueError("find_misplaced needs geometries with a CRS")
    crs = CRS.from_user_input(geoms.crs)
    arr = np.asarray(geoms.to_numpy(), dtype=object)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    present &= np.isfinite(shapely.bounds(arr)).all(axis=1)
    counties_web = counties.to_crs(settings.WEB_CRS)
    projected = counties.to_crs(settings.ANALYSIS_CRS)
    buffered = dict(zip(projected["geoid"].astype(str), projected.geometry.buffer(tolerance_m), strict=True))
    for g in buffered.values():
        shapely.prepare(g)
    areas = np.array([buffered.get(str(c)) if c is not None else None for c in expected_county], dtype=object)
    known = np.array([a is not None for a in areas], dtype=bool)

    ok = np.zeros(len(arr), dtype=bool)
    moved = _to_analysis(shapely.envelope(arr[present]), crs)
    placed = np.array([g is not None for g in moved], dtype=bool)
    ok_present = placed.copy()
    check = placed & known[present]
    if check.any():
        ok_present[check] = shapely.intersects(moved[check], areas[present][check])
    ok[present] = ok_present

    bad = np.flatnonzero(present & ~ok)
    if not len(bad):
        return []
    cause = np.full(len(arr), "", dtype=object)
    fit_crs = np.full(len(arr), None, dtype=object)
    with_county = bad[known[bad]]
    # latitude/longitude swapped
    if crs.is_geographic and len(with_county):
        swapped = shapely.transform(arr[with_county], lambda c: c[:, ::-1])
        hit = _fits(swapped, crs, areas[with_county])
        cause[with_county[hit]] = "swapped"
    # the declared CRS is wrong: degrees labelled as a projection, or another projection
    left = with_county[cause[with_county] == ""]
    if len(left) and not crs.is_geographic:
        degrees = _in_degree_range(arr[left])
        if degrees.any():
            hit = _fits(arr[left][degrees], CRS.from_user_input(settings.WEB_CRS), areas[left][degrees])
            cause[left[degrees][hit]] = "degrees_as_projected"
    for candidate in CANDIDATE_CRS:
        left = with_county[cause[with_county] == ""]
        if not len(left):
            break
        cand = CRS.from_user_input(candidate)
        if cand.equals(crs):
            continue
        if crs.is_geographic and not (~_in_degree_range(arr[left])).any():
            # degrees in range that lie elsewhere are not taken for a projection
            continue
        hit = _fits(arr[left], cand, areas[left])
        cause[left[hit]] = "projected_as_degrees" if crs.is_geographic else "wrong_projection"
        fit_crs[left[hit]] = candidate
    out: list[Misplacement] = []
    for pos in bad:
        c = str(cause[pos])
        if not c:
            if crs.is_geographic and not _in_degree_range(arr[[pos]])[0]:
                x, y = _centres(arr[[pos]])[0]
                out.append(Misplacement(int(pos), "not_degrees", f"({x:.6g}, {y:.6g})"))
                continue
            where = _where(arr[pos], crs, counties_web)
            c = "other_county" if where.startswith("in ") else "elsewhere"
            out.append(Misplacement(int(pos), c, where))
            continue
        out.append(Misplacement(int(pos), c, "", fit_crs[pos]))
    return out


def describe_misplaced(
    found: Sequence[Misplacement],
    *,
    labels: Sequence[str],
    declared: str,
    expected_names: Sequence[str],
    n_total: int,
    noun: str = "tract",
    max_listed: int = 5,
) -> list[str]:
    """One line per cause: how many features, the first few and the fix.

    ``labels`` and ``expected_names`` are by position (e.g. "feature 3 (06019000100)" and
    "Fresno County").

    >>> m = [Misplacement(i, "swapped", "") for i in range(3)]
    >>> describe_misplaced(m, labels=["a", "b", "c"], declared="EPSG:4326",
    ...                    expected_names=["Fresno County"] * 3, n_total=3, max_listed=2)[0]
    'all 3 of 3 tracts look like latitude/longitude swapped (a, b and 1 more): write x = longitude, \
y = latitude (swap the columns, or re-export the file).'
    """
    lines: list[str] = []
    for cause in _CAUSES:
        group = [m for m in found if m.cause == cause]
        if not group:
            continue
        n = len(group)
        every = "all " if n == n_total and n > 1 else ""
        head = f"{every}{n:,} of {n_total:,} {noun}s"
        more = f" and {n - max_listed:,} more" if n > max_listed else ""
        if cause in ("other_county", "elsewhere"):
            shown = "; ".join(
                f"{labels[m.position]} lies {m.where}, not in {expected_names[m.position]}"
                for m in group[:max_listed]
            )
            lines.append(
                f"{head} lie outside the county their GEOID names ({shown}{more}): check the file's CRS "
                "and the GEOIDs."
            )
            continue
        crs_values = sorted({m.crs for m in group if m.crs})
        what, fix = _what_and_fix(cause, ", ".join(crs_values) or None, declared, group[0].where)
        shown = ", ".join(labels[m.position] for m in group[:max_listed])
        lines.append(f"{head} {what} ({shown}{more}): {fix}.")
    return lines
