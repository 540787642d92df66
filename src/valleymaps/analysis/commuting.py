"""Commuting leakage: OnTheMap-style inflow/outflow measures from flow tables (pure functions).

A *flow table* has one row per pair of places: ``h_geoid`` (where the workers live), ``w_geoid``
(where they work), ``workers``, optionally ``workers_moe`` (ACS 90% margin of error) and LODES
segment columns (``SA01`` ... ``SI03``). GEOIDs are text: 11 characters for tracts, 5 for
counties; places abroad or not given have the codes of :data:`ABROAD_PLACES`.

For an *area* (a tract, a county, or the region: the set of counties a workspace names) the
measures are those of the Census Bureau's OnTheMap inflow/outflow analysis:

========================  ===================================================================
``employed``              jobs in the area (workers employed in it, wherever they live)
``living``                employed residents of the area (wherever they work)
``both``                  living and employed in the area
``inflow``                employed in the area, living outside it (in-commuters)
``outflow``               living in the area, employed outside it (out-commuters)
``net``                   ``employed - living`` = ``inflow - outflow`` (net job inflow)
``leakage_rate``          ``outflow / living``: share of employed residents who work elsewhere
``import_rate``           ``inflow / employed``: share of jobs held by in-commuters
``outflow_region``        living in the area, employed outside the region
``inflow_region``         employed in the area, living outside the region
``region_leakage_rate``   ``outflow_region / living``
``region_import_rate``    ``inflow_region / employed``
========================  ===================================================================

Each comes per *segment*: ``""`` (all workers) and, with LODES, the age, earnings and industry
segments; earnings above $3,333 a month (``SE03``) is the plan's "skilled" proxy. With ACS flows
every count has a ``<name>_moe`` column: sums combine margins by root-sum-of-squares, rates use
the Census Bureau's formula for proportions. Work places not given in the ACS table count as
outside every area (they are out-commuters), so residents always add up:
``living == both + outflow``.

With LODES *area totals* (RAC: employed residents, WAC: jobs; see
:func:`compute_inflow_outflow`'s ``residents`` and ``jobs``) ``employed`` and ``living`` come from
them, as in OnTheMap, and the flows that the OD files show are subtracted: ``inflow = employed -
both``, ``outflow = living - both``. ``employed_od`` and ``living_od`` keep what the OD flows
alone give, for the check: an OD dataset without the ``aux`` part misses workers living in other
states, and a state's RAC file counts only jobs in that state (its residents working in other
states are added back from the OD flows when other states' ``aux`` files were read).

>>> import pandas as pd
>>> flows = pd.DataFrame({"h_geoid": ["06019", "06019", "06039", "06037"],
...                       "w_geoid": ["06019", "06039", "06019", "06019"],
...                       "workers": [100, 20, 10, 5]})
>>> m = compute_inflow_outflow(flows, level="county", region_counties=["06019", "06039"])
>>> m.set_index("geoid").loc["06019", ["employed", "living", "inflow", "outflow", "net"]].tolist()
[115.0, 120.0, 15.0, 20.0, -5.0]
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from valleymaps import settings
from valleymaps.analysis.metros import NO_DELINEATION, MetroAreas, is_metro_key
from valleymaps.core.codes import ABROAD_PLACES, STATE_NAMES
from valleymaps.errors import AnalysisError, FieldError
from valleymaps.i18n import N_, gettext

#: Segments of LODES OD files ("" is all workers).
SEGMENTS: dict[str, str] = {
    "": "All workers",
    "SA01": "Age 29 or younger",
    "SA02": "Age 30 to 54",
    "SA03": "Age 55 or older",
    "SE01": "Earning $1,250 a month or less",
    "SE02": "Earning $1,251 to $3,333 a month",
    "SE03": "Earning more than $3,333 a month (skilled)",
    "SI01": "Goods-producing industries",
    "SI02": "Trade, transportation and utilities",
    "SI03": "All other services",
}

#: The plan's proxy for skilled workers.
SKILLED_SEGMENT = "SE03"

LEVELS: tuple[str, ...] = ("block_group", "tract", "county", "region")
_LEVEL_LENGTH = {"block_group": 12, "tract": 11, "county": 5}

_COUNTS = ("employed", "living", "both", "inflow", "outflow", "outflow_region", "inflow_region")
#: Count measures, then rates (each has a ``_moe`` column).
MEASURES: tuple[str, ...] = (
    *_COUNTS, "net", "leakage_rate", "import_rate", "region_leakage_rate", "region_import_rate",
)  # fmt: skip
#: Jobs and employed residents as the OD flows alone give them (no ``_moe`` column).
OD_CHECK: tuple[str, ...] = ("employed_od", "living_od")


# --------------------------------------------------------------------------------------------
# checks and helpers
# --------------------------------------------------------------------------------------------


def check_flow_table(flows: pd.DataFrame, *, source: str = "flow table") -> None:
    """Raise if ``flows`` lacks a column or holds GEOIDs as numbers.

    Raises
    ------
    FieldError
        Naming the column and the fix.

    Examples
    --------
    >>> check_flow_table(pd.DataFrame({"h_geoid": [6019], "w_geoid": ["06019"], "workers": [1]}))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    valleymaps.errors.FieldError: flow table: column 'h_geoid' holds numbers (int64), so GEOIDs ...
    """
    missing = [c for c in ("h_geoid", "w_geoid", "workers") if c not in flows.columns]
    if missing:
        raise FieldError(
            f"{source}: no column {', '.join(repr(m) for m in missing)} (found: "
            f"{', '.join(map(str, flows.columns[:10]))}); a flow table needs h_geoid, w_geoid, workers."
        )
    for column in ("h_geoid", "w_geoid"):
        dtype = flows[column].dtype
        if pd.api.types.is_numeric_dtype(dtype):
            raise FieldError(
                f"{source}: column '{column}' holds numbers ({dtype}), so GEOIDs have lost their "
                "leading zeros (6019 instead of 06019). Read the column as text (pandas: "
                f"dtype={{'{column}': str}}) or import the file with 'valleymaps import flows'."
            )


def moe_sum(moes: pd.Series | np.ndarray) -> float:
    """Margin of error of a sum of estimates: root of the sum of squares.

    >>> moe_sum([3.0, 4.0])
    5.0
    """
    arr = np.asarray(moes, dtype=float)
    return float(np.sqrt(np.nansum(arr**2))) if np.isfinite(arr).any() else float("nan")


def moe_proportion(
    num: np.ndarray, num_moe: np.ndarray, den: np.ndarray, den_moe: np.ndarray
) -> np.ndarray:
    """Margin of error of ``num / den`` when ``num`` is a subset of ``den`` (ACS formula).

    Uses the ratio formula where the proportion formula's radicand is negative, as the Census
    Bureau advises.

    >>> moe_proportion(np.array([20.0]), np.array([5.0]), np.array([100.0]), np.array([10.0])).round(4)
    array([0.0458])
    """
    num, num_moe, den, den_moe = (np.asarray(a, dtype=float) for a in (num, num_moe, den, den_moe))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = num / den
        radicand = num_moe**2 - p**2 * den_moe**2
        radicand = np.where(radicand < 0, num_moe**2 + p**2 * den_moe**2, radicand)
        out = np.sqrt(radicand) / den
    return np.where(np.isfinite(out), out, np.nan)


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num, dtype=float) / np.asarray(den, dtype=float)
    return np.where(np.isfinite(out), out, np.nan)


def _is_place(geoids: pd.Series) -> pd.Series:
    return ~geoids.str.startswith("F")


def area_ids(
    geoids: pd.Series, *, level: str, region_counties: Collection[str], region_geoid: str
) -> pd.Series:
    """The area (at ``level``) each GEOID lies in, or ``""`` when it is outside the region.

    >>> area_ids(pd.Series(["06019000100", "06037000100", "F301"]), level="county",
    ...          region_counties=["06019"], region_geoid="SJV").tolist()
    ['06019', '', '']
    """
    if level not in LEVELS:
        raise AnalysisError(f"unknown level {level!r}; use one of: {', '.join(LEVELS)}")
    geoids = geoids.astype("str")
    inside = _is_place(geoids) & geoids.str[:5].isin(list(region_counties))
    if level == "region":
        ids = pd.Series(region_geoid, index=geoids.index, dtype="str")
    else:
        width = _LEVEL_LENGTH[level]
        short = inside & (geoids.str.len() < width)
        if short.any():
            raise AnalysisError(
                f"{level} measures need {level} flows, but the table has "
                f"{int(short.sum()):,} region GEOIDs of {int(geoids[short].str.len().iloc[0])} "
                f"characters (e.g. {geoids[short].iloc[0]!r}). Use a LODES dataset's tract table."
            )
        ids = geoids.str[:width]
    return ids.where(inside, "")


def _segment_columns(flows: pd.DataFrame, segments: Sequence[str] | None) -> list[str]:
    available = [s for s in SEGMENTS if s and s in flows.columns]
    if segments is None:
        return ["", *available]
    unknown = [s for s in segments if s and s not in flows.columns]
    if unknown:
        raise AnalysisError(
            f"the flows have no segment {', '.join(unknown)} (available: "
            f"{', '.join(available) or 'none; ACS flows have no segments'})."
        )
    return list(segments)


def _weights(flows: pd.DataFrame, segment: str) -> pd.Series:
    return flows["workers" if segment == "" else segment].astype(float)


def _moe_squares(flows: pd.DataFrame, segment: str) -> pd.Series | None:
    if segment != "" or "workers_moe" not in flows.columns or not flows["workers_moe"].notna().any():
        return None
    return flows["workers_moe"].astype(float) ** 2


# --------------------------------------------------------------------------------------------
# inflow / outflow
# --------------------------------------------------------------------------------------------


def _totals_at(
    totals: pd.DataFrame, segment: str, *, level: str, index: pd.Index, region_counties: Collection[str],
    what: str,
) -> pd.Series:
    """Area totals (RAC or WAC table) of ``segment`` for the areas of ``index`` at ``level``."""
    column = "workers" if segment == "" else segment
    if column not in totals.columns:
        raise AnalysisError(f"the {what} totals have no column {column!r} (found: "
                            f"{', '.join(map(str, totals.columns))}).")
    geoids = totals["geoid"].astype("str")
    values = totals[column].astype(float)
    if level == "region":
        inside = (geoids.str.len() == 5) & geoids.isin(list(region_counties))
        return pd.Series(float(values[inside].sum()), index=index)
    width = _LEVEL_LENGTH[level]
    at_level = geoids.str.len() == width
    if not at_level.any():
        raise AnalysisError(f"the {what} totals have no {level} rows ({width}-character GEOIDs); "
                            "import the RAC/WAC files again.")
    return values[at_level].groupby(geoids[at_level].to_numpy()).sum().reindex(index, fill_value=0.0)


def _check_totals(totals: pd.DataFrame, what: str, region_counties: Collection[str]) -> set[str]:
    """The states the totals cover; an error when the region's are not among them."""
    missing_columns = [c for c in ("geoid", "workers") if c not in totals.columns]
    if missing_columns:
        raise FieldError(f"{what} totals: no column {', '.join(map(repr, missing_columns))} (found: "
                         f"{', '.join(map(str, totals.columns[:10]))}); area totals need geoid, workers.")
    if pd.api.types.is_numeric_dtype(totals["geoid"].dtype):
        raise FieldError(f"{what} totals: column 'geoid' holds numbers, so GEOIDs have lost their "
                         "leading zeros; read it as text (pandas: dtype={'geoid': str}).")
    states = set(totals["geoid"].astype("str").str[:2])
    missing = sorted({c[:2] for c in region_counties} - states)
    if missing:
        raise AnalysisError(f"the {what} totals cover states {', '.join(sorted(states)) or 'none'}, "
                            f"not the region's ({', '.join(missing)}); import that state's files.")
    return states


def compute_inflow_outflow(
    flows: pd.DataFrame,
    *,
    level: str,
    region_counties: Collection[str],
    region_geoid: str = settings.REGION_GEOID,
    segments: Sequence[str] | None = None,
    areas: Sequence[str] | None = None,
    residents: pd.DataFrame | None = None,
    jobs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """OnTheMap-style inflow/outflow measures of every area at ``level``.

    Parameters
    ----------
    flows
        Flow table (see the module docstring); tract measures need tract GEOIDs for the
        region's places, county and region measures work from tract or county tables.
    level
        ``"block_group"``, ``"tract"``, ``"county"`` or ``"region"`` (the region's counties as
        one area, with GEOID ``region_geoid``).
    region_counties
        County GEOIDs of the region.
    region_geoid
        GEOID given to the region.
    segments
        Segments to measure (``""`` is all workers); default all in the table.
    areas
        Areas to report even without flows (zeros); default those with flows.
    residents, jobs
        LODES area totals (RAC: employed residents by home area; WAC: jobs by work area):
        ``geoid`` (block group, tract and county GEOIDs; the rows at ``level`` are used, counties
        for the region), ``workers`` and the segment columns. When given, ``living`` and
        ``employed`` come from them and in- and out-commuters are what the flows between the area
        and elsewhere leave of them; the state's RAC counts only jobs in its state, so residents
        the flows show working in other states are added to it.

    Returns
    -------
    pandas.DataFrame
        One row per area and segment: ``geoid``, ``level``, ``segment``, the :data:`MEASURES`
        and a ``<measure>_moe`` for each (NaN without margins of error), then ``employed_od``
        and ``living_od`` (jobs and employed residents as the flows alone give them).

    Examples
    --------
    >>> flows = pd.DataFrame({"h_geoid": ["06019", "06019", "06039"],
    ...                       "w_geoid": ["06019", "06039", "06019"], "workers": [100, 20, 10]})
    >>> wac = pd.DataFrame({"geoid": ["06019", "06039"], "workers": [125, 20]})
    >>> m = compute_inflow_outflow(flows, level="county", region_counties=["06019", "06039"],
    ...                            jobs=wac).set_index("geoid")
    >>> m.loc["06019", ["employed", "employed_od", "inflow", "living", "outflow"]].tolist()
    [125.0, 110.0, 25.0, 120.0, 20.0]
    """
    check_flow_table(flows)
    segs = _segment_columns(flows, segments)
    h_area = area_ids(flows["h_geoid"], level=level, region_counties=region_counties,
                      region_geoid=region_geoid)
    w_area = area_ids(flows["w_geoid"], level=level, region_counties=region_counties,
                      region_geoid=region_geoid)
    h_region = area_ids(flows["h_geoid"], level="region", region_counties=region_counties,
                        region_geoid=region_geoid) != ""
    w_region = area_ids(flows["w_geoid"], level="region", region_counties=region_counties,
                        region_geoid=region_geoid) != ""
    h_in, w_in = h_area != "", w_area != ""
    same = h_in & (h_area == w_area)
    selections = {
        "employed": (w_in, w_area),
        "living": (h_in, h_area),
        "both": (same, h_area),
        "inflow": (w_in & ~same, w_area),
        "outflow": (h_in & ~same, h_area),
        "outflow_region": (h_in & ~w_region, h_area),
        "inflow_region": (w_in & ~h_region, w_area),
    }
    found = set(h_area[h_in]) | set(w_area[w_in]) | set(areas or [])
    rac_states: set[str] = set()
    for totals, what in ((residents, "RAC"), (jobs, "WAC")):
        if totals is None:
            continue
        states = _check_totals(totals, what, region_counties)
        rac_states |= states if what == "RAC" else set()
        if level == "region":
            found.add(region_geoid)
        else:
            geoids = totals["geoid"].astype("str")
            geoids = geoids[geoids.str.len() == _LEVEL_LENGTH[level]]
            ids = area_ids(geoids, level=level, region_counties=region_counties, region_geoid=region_geoid)
            found |= set(ids[ids != ""])
    if residents is not None:
        w_state = flows["w_geoid"].astype("str").str[:2]
        elsewhere = _is_place(flows["w_geoid"].astype("str")) & ~w_state.isin(list(rac_states))
        selections["living_other_states"] = (h_in & elsewhere, h_area)
        selections["living_in_region"] = (h_in & w_region, h_area)
    if jobs is not None:
        selections["employed_in_region"] = (w_in & h_region, w_area)
    index = pd.Index(sorted(found), name="geoid")
    frames = []
    for seg in segs:
        x = _weights(flows, seg)
        sq = _moe_squares(flows, seg)
        out = pd.DataFrame(index=index)
        for name, (mask, key) in selections.items():
            out[name] = x[mask].groupby(key[mask]).sum().reindex(index, fill_value=0.0)
            if sq is None:
                out[f"{name}_moe"] = np.nan
            else:
                out[f"{name}_moe"] = np.sqrt(sq[mask].groupby(key[mask]).sum().reindex(index, fill_value=0.0))
        out["employed_od"], out["living_od"] = out["employed"], out["living"]
        totals_args = {"level": level, "index": index, "region_counties": region_counties}
        if jobs is not None:
            out["employed"] = _totals_at(jobs, seg, what="WAC", **totals_args)
            out["inflow"] = (out["employed"] - out["both"]).clip(lower=0)
            out["inflow_region"] = (out["employed"] - out.pop("employed_in_region")).clip(lower=0)
            out[["employed_moe", "inflow_moe", "inflow_region_moe"]] = np.nan
        if residents is not None:
            out["living"] = (_totals_at(residents, seg, what="RAC", **totals_args)
                             + out.pop("living_other_states"))
            out["outflow"] = (out["living"] - out["both"]).clip(lower=0)
            out["outflow_region"] = (out["living"] - out.pop("living_in_region")).clip(lower=0)
            out[["living_moe", "outflow_moe", "outflow_region_moe"]] = np.nan
        out["net"] = out["employed"] - out["living"]
        out["net_moe"] = np.sqrt(out["inflow_moe"] ** 2 + out["outflow_moe"] ** 2)
        for rate, num, den in (
            ("leakage_rate", "outflow", "living"),
            ("import_rate", "inflow", "employed"),
            ("region_leakage_rate", "outflow_region", "living"),
            ("region_import_rate", "inflow_region", "employed"),
        ):
            out[rate] = _rate(out[num].to_numpy(), out[den].to_numpy())
            out[f"{rate}_moe"] = moe_proportion(
                out[num].to_numpy(), out[f"{num}_moe"].to_numpy(),
                out[den].to_numpy(), out[f"{den}_moe"].to_numpy(),
            )  # fmt: skip
        out.insert(0, "segment", seg)
        out.insert(0, "level", level)
        frames.append(out.reset_index())
    columns = ["geoid", "level", "segment"] + [c for m in MEASURES for c in (m, f"{m}_moe")] + list(OD_CHECK)
    return pd.concat(frames, ignore_index=True)[columns]


# --------------------------------------------------------------------------------------------
# places outside the region
# --------------------------------------------------------------------------------------------


#: Roll-ups of places outside the region.
ROLLUPS: dict[str, str] = {
    "county": "counties",
    "state": "states",
    "auto": "counties in the region's state, states beyond",
    "metro": "metropolitan and micropolitan areas (CBSAs), the rest of each state",
}


def roll_up(geoids: pd.Series, *, to: str, home_state: str = settings.STATE_FIPS,
            metros: MetroAreas | None = None) -> pd.Series:
    """GEOIDs rolled up to ``"county"``, ``"state"``, ``"auto"`` (counties of ``home_state``,
    states elsewhere) or ``"metro"`` (CBSAs of ``metros``, counties outside them to their state's
    remainder: see :mod:`valleymaps.analysis.metros`). Places abroad keep their codes.

    >>> roll_up(pd.Series(["06037000100", "32003001000", "F303"]), to="auto").tolist()
    ['06037', '32', 'F303']

    Raises
    ------
    AnalysisError
        For an unknown roll-up, or ``"metro"`` without ``metros`` (saying how to get them).
    """
    geoids = geoids.astype("str")
    place = _is_place(geoids)
    county, state = geoids.str[:5], geoids.str[:2]
    if to == "county":
        out = county
    elif to == "state":
        out = state
    elif to == "auto":
        out = county.where(state == home_state, state)
    elif to == "metro":
        if metros is None:
            raise AnalysisError(NO_DELINEATION)
        out = metros.keys_of(county)
    else:
        raise AnalysisError(f"unknown roll-up {to!r}; use one of: {', '.join(ROLLUPS)}")
    return out.where(place, geoids)


def rank_outside_places(
    flows: pd.DataFrame,
    *,
    direction: str,
    region_counties: Collection[str],
    rollup: str = "auto",
    segment: str = "",
    area: str | None = None,
    level: str = "region",
    n: int | None = 10,
    metros: MetroAreas | None = None,
) -> pd.DataFrame:
    """Top work places (``direction="destinations"``) of residents, or home places
    (``"origins"``) of workers, outside the region.

    Parameters
    ----------
    flows
        Flow table.
    direction
        ``"destinations"`` (where the area's residents work outside the region) or
        ``"origins"`` (where the area's in-commuters from outside the region live).
    region_counties
        The region's county GEOIDs.
    rollup
        ``"county"``, ``"state"``, ``"auto"`` (counties in the region's state, states beyond) or
        ``"metro"`` (CBSAs of ``metros``; counties outside any CBSA to "Rest of <state>").
    segment
        ``""`` for all workers or a segment column (``"SE03"``).
    area, level
        Limit to one area of the region (a county or tract GEOID at ``level``); default the region.
    n
        Places returned (None: all).
    metros
        The CBSA delineation, for ``rollup="metro"``.

    Returns
    -------
    pandas.DataFrame
        ``geoid``, ``workers``, ``workers_moe``, ``share`` (of all such flows of the area),
        ``share_moe``, ``rank``; largest first.
    """
    check_flow_table(flows)
    if direction not in ("destinations", "origins"):
        raise AnalysisError(f"direction must be 'destinations' or 'origins', not {direction!r}")
    _segment_columns(flows, [segment])
    near, far = ("h_geoid", "w_geoid") if direction == "destinations" else ("w_geoid", "h_geoid")
    region_geoid = settings.REGION_GEOID
    near_area = area_ids(flows[near], level=level, region_counties=region_counties,
                         region_geoid=region_geoid)
    far_region = area_ids(flows[far], level="region", region_counties=region_counties,
                          region_geoid=region_geoid)
    mask = (near_area != "") & (far_region == "")
    if area is not None:
        mask &= near_area == area
    home_state = sorted(region_counties)[0][:2] if region_counties else settings.STATE_FIPS
    key = roll_up(flows.loc[mask, far], to=rollup, home_state=home_state, metros=metros)
    x = _weights(flows, segment)[mask]
    out = x.groupby(key).sum().rename("workers").to_frame()
    sq = _moe_squares(flows, segment)
    out["workers_moe"] = np.sqrt(sq[mask].groupby(key).sum()) if sq is not None else np.nan
    total = float(out["workers"].sum())
    total_moe = moe_sum(out["workers_moe"]) if sq is not None else float("nan")
    out["share"] = _rate(out["workers"].to_numpy(), np.full(len(out), total))
    out["share_moe"] = moe_proportion(out["workers"].to_numpy(), out["workers_moe"].to_numpy(),
                                      np.full(len(out), total), np.full(len(out), total_moe))
    out = out.rename_axis("geoid").reset_index().sort_values(["workers", "geoid"], ascending=[False, True])
    out["rank"] = np.arange(1, len(out) + 1)
    return (out.head(n) if n is not None else out).reset_index(drop=True)


def flows_between_counties(
    flows: pd.DataFrame, *, region_counties: Collection[str], include_same: bool = False
) -> pd.DataFrame:
    """Flows from each of the region's counties to each other one (county table or finer).

    Returns
    -------
    pandas.DataFrame
        ``h_geoid``, ``w_geoid`` (counties), ``workers``, ``workers_moe`` and segment columns;
        largest first. Residents working in their own county are left out unless
        ``include_same``.
    """
    check_flow_table(flows)
    h = flows["h_geoid"].astype("str").str[:5]
    w = flows["w_geoid"].astype("str").str[:5]
    region = list(region_counties)
    mask = h.isin(region) & w.isin(region) & _is_place(flows["w_geoid"].astype("str"))
    if not include_same:
        mask &= h != w
    value_cols = ["workers", *[s for s in SEGMENTS if s and s in flows.columns]]
    grouped = flows.loc[mask, value_cols].astype(float).groupby([h[mask], w[mask]]).sum()
    if "workers_moe" in flows.columns and flows["workers_moe"].notna().any():
        moe2 = (flows.loc[mask, "workers_moe"].astype(float) ** 2).groupby([h[mask], w[mask]]).sum()
        grouped.insert(1, "workers_moe", np.sqrt(moe2))
    else:
        grouped.insert(1, "workers_moe", np.nan)
    grouped.index.names = ["h_geoid", "w_geoid"]
    return grouped.reset_index().sort_values(["workers", "h_geoid", "w_geoid"],
                                             ascending=[False, True, True]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# lines for a flow map
# --------------------------------------------------------------------------------------------

#: Kinds of flow lines.
LEAVING, ENTERING, WITHIN = "leaving", "entering", "within"


def compute_flow_lines(
    flows: pd.DataFrame,
    *,
    level: str,
    region_counties: Collection[str],
    mappable: Collection[str],
    region_geoid: str = settings.REGION_GEOID,
    off_map: str = "auto",
    metros: MetroAreas | None = None,
) -> pd.DataFrame:
    """Flows between places for a map: the region's areas at ``level``, outside places rolled up.

    An outside end becomes its county when that county is in ``mappable`` (drawn on the map,
    e.g. every California county) and otherwise its state (``off_map="auto"``) or its CBSA
    (``off_map="metro"``, with ``metros``; "Rest of <state>" outside every CBSA), places abroad
    keeping their codes; those lines are ``on_map=False`` and belong in a summary, not on the map.
    Residents working in their own area make no line.

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``destination``, ``kind`` (``"leaving"`` the region, ``"entering"`` it,
        ``"within"`` it), ``on_map``, ``workers``, ``workers_moe``, segment columns, and
        ``share``/``share_moe``: the line's part of its region-side area's out-commuters
        (leaving, within) or in-commuters (entering). Largest first.
    """
    check_flow_table(flows)
    if level == "region":
        raise AnalysisError("flow lines need areas inside the region: level county, tract or block_group")
    h_area = area_ids(flows["h_geoid"], level=level, region_counties=region_counties,
                      region_geoid=region_geoid)
    w_area = area_ids(flows["w_geoid"], level=level, region_counties=region_counties,
                      region_geoid=region_geoid)
    h_in, w_in = h_area != "", w_area != ""
    keep = (h_in | w_in) & (h_area != w_area)
    mappable_set = set(mappable)
    home_state = sorted(region_counties)[0][:2] if region_counties else settings.STATE_FIPS

    if off_map not in ("auto", "state", "metro"):
        raise AnalysisError(f"off_map must be auto, state or metro, not {off_map!r}")
    if off_map == "metro" and metros is None:
        raise AnalysisError(NO_DELINEATION)

    def outside(geoids: pd.Series) -> pd.Series:
        county = roll_up(geoids, to="county", home_state=home_state)
        beyond = roll_up(geoids, to=off_map, home_state=home_state, metros=metros)
        return county.where(county.isin(mappable_set), beyond)

    sub = flows.loc[keep]
    origin = h_area[keep].where(h_in[keep], outside(sub["h_geoid"].astype("str")))
    destination = w_area[keep].where(w_in[keep], outside(sub["w_geoid"].astype("str")))
    kind = np.where(h_in[keep] & w_in[keep], WITHIN, np.where(h_in[keep], LEAVING, ENTERING))
    value_cols = ["workers", *[s for s in SEGMENTS if s and s in flows.columns]]
    values = sub[value_cols].astype(float)
    has_moe = "workers_moe" in flows.columns and bool(flows["workers_moe"].notna().any())
    if has_moe:
        values = values.assign(_moe2=sub["workers_moe"].astype(float) ** 2)
    keys = pd.DataFrame({"origin": origin.to_numpy(), "destination": destination.to_numpy(),
                         "kind": kind}, index=sub.index)
    lines = values.join(keys).groupby(["origin", "destination", "kind"], sort=False).sum()
    lines = lines.reset_index()
    lines.insert(4, "workers_moe", np.sqrt(lines.pop("_moe2")) if has_moe else np.nan)
    lines.insert(3, "on_map", lines["origin"].isin(mappable_set) & lines["destination"].isin(mappable_set))
    # shares: of the origin's out-commuters (leaving, within) or the destination's in-commuters
    entering = (lines["kind"] == ENTERING).to_numpy()
    out_key, in_key = lines["origin"], lines["destination"]
    total = np.where(entering, lines.groupby(in_key)["workers"].transform("sum"),
                     lines.groupby(out_key)["workers"].transform("sum"))
    if has_moe:
        moe2 = lines["workers_moe"] ** 2
        total_moe = np.sqrt(np.where(entering, moe2.groupby(in_key).transform("sum"),
                                     moe2.groupby(out_key).transform("sum")))
    else:
        total_moe = np.full(len(lines), np.nan)
    lines["share"] = _rate(lines["workers"].to_numpy(), total)
    lines["share_moe"] = moe_proportion(lines["workers"].to_numpy(), lines["workers_moe"].to_numpy(),
                                        total, total_moe)
    return lines.sort_values(["workers", "origin", "destination"], ascending=[False, True, True],
                             ignore_index=True)


# --------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------


def name_places(geoids: Sequence[str], *, county_names: Mapping[str, str],
                region_geoid: str = settings.REGION_GEOID, region_name: str = settings.REGION_NAME,
                metros: MetroAreas | None = None) -> list[str]:
    """Readable names: counties ("Kern County"), states, places abroad, tracts, block groups and,
    with ``metros``, metro roll-up codes ("Reno, NV metro area", "Rest of Nevada").

    >>> name_places(["06029", "32", "F303", "06029000100", "SJV"], county_names={"06029": "Kern"})
    ['Kern County', 'Nevada', 'Mexico', 'Tract 1, Kern County', 'San Joaquin Valley']

    The words the names are made of are in the build's language (:mod:`valleymaps.i18n`);
    names from the data (counties, states, CBSA titles) stay as they are.
    """
    _ = gettext
    out = []
    for g in geoids:
        g = str(g)
        if g == region_geoid:
            out.append(region_name)
        elif is_metro_key(g):
            out.append(metros.name_of(g, STATE_NAMES, translate=gettext) if metros is not None else g)
        elif g in ABROAD_PLACES:
            out.append(_(ABROAD_PLACES[g]))
        elif len(g) == 2:
            out.append(STATE_NAMES.get(g) or _("State {code}").format(code=g))
        elif len(g) == 5:
            out.append(_county_name(g, county_names))
        elif len(g) >= 11:
            code = g[5:11]
            tract = f"{int(code[:4])}" + (f".{code[4:]}" if code[4:] != "00" else "")
            where = _("Tract {tract}, {county}").format(tract=tract, county=_county_name(g[:5], county_names))
            out.append(_("Block group {group}, {tract}").format(group=g[11], tract=where)
                       if len(g) == 12 else where)
        else:
            out.append(g)
    return out


def _county_name(geoid: str, county_names: Mapping[str, str]) -> str:
    """``Kern County`` (in the build's language), or ``County 32003 (Nevada)`` for a county with
    no name."""
    name = county_names.get(geoid)
    if name:
        return gettext(N_("{county} County")).format(county=name)
    state = STATE_NAMES.get(geoid[:2]) or gettext(N_("state {code}")).format(code=geoid[:2])
    return gettext(N_("County {code} ({state})")).format(code=geoid, state=state)
