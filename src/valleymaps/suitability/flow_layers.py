"""Place values derived from the workspace's commuting flows: skilled out-commuters, resident workers.

Two layer names need no file when the workspace has commuting flows
(``valleymaps import flows``); a profile uses them as ``table`` sources
(``column = "workers"``), like any per-tract or per-county CSV:

========================= ====================================================================
``skilled_out_commuters`` residents earning more than $3,333 a month (LODES segment ``SE03``,
                          the plan's skilled proxy) who work outside the region: the
                          ``outflow_region`` measure, the workers the plan wants to recapture
``resident_workers``      employed residents, wherever they work (the ``living`` measure):
                          the labour pool, summed within commuting reach with ``reach_m``
========================= ====================================================================

A file given for the same name (``--layer``, ``layers.toml``,
``data/econ/<name>.csv``) is used instead. The measures are those of
:func:`valleymaps.analysis.commuting.compute_inflow_outflow`. The flows used:
real data before synthetic, then tracts (a LODES dataset with a tract table,
when tracts are imported and their GEOIDs match) before counties, then the
newest. ACS county flows have no earnings segments: skilled out-commuters
then count all workers, and the factor's note says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd

from valleymaps.analysis.commuting import SKILLED_SEGMENT, compute_inflow_outflow
from valleymaps.errors import AnalysisError, FieldError, WorkspaceError
from valleymaps.io.flows.dataset import FlowDataset

log = logging.getLogger(__name__)

#: The one column of a flow-derived layer (a profile's ``column``).
VALUE_COLUMN = "workers"

#: Tract values are used when at least this share of the flows' region tracts are imported tracts
#: (else the flows and the tracts are of different census vintages and counties are used).
MIN_TRACT_MATCH = 0.5


@dataclass(frozen=True)
class FlowLayer:
    """A layer derived from commuting flows.

    Attributes
    ----------
    measure
        Measure of :func:`~valleymaps.analysis.commuting.compute_inflow_outflow`.
    segment
        Wanted segment (``""``: all workers).
    what
        What the values count, for notes.
    what_all
        What they count when the flows lack the segment (ACS): all workers.
    segment_text
        Who the segment is, for the note saying it was not available.
    """

    measure: str
    segment: str
    what: str
    what_all: str = ""
    segment_text: str = ""


#: Layer name -> how it is derived.
FLOW_LAYERS: dict[str, FlowLayer] = {
    "skilled_out_commuters": FlowLayer(
        "outflow_region",
        SKILLED_SEGMENT,
        "residents earning more than $3,333 a month who work outside the region",
        what_all="residents who work outside the region, whatever they earn",
        segment_text="those earning more than $3,333 a month (the plan's skilled proxy)",
    ),
    "resident_workers": FlowLayer("living", "", "employed residents (wherever they work)"),
}


@dataclass(frozen=True)
class FlowValues:
    """A flow-derived layer's values and what they are.

    Attributes
    ----------
    values
        GEOID -> workers, for the region's tracts or counties.
    level
        ``"tract"`` or ``"county"``.
    note
        The data source, for map source lines (says "synthetic sample data" when it is).
    caveats
        What the values are not (all workers instead of skilled ones, counties instead of tracts).
    synthetic
        Whether the flows are synthetic sample data.
    """

    values: pd.Series
    level: str
    note: str
    caveats: tuple[str, ...] = ()
    synthetic: bool = False


def _last_year(vintage: str) -> int:
    years = re.findall(r"\d{4}", vintage)
    return int(years[-1]) if years else 0


def choose_flows(
    datasets: Sequence[FlowDataset], *, segment: str, tracts: bool
) -> tuple[FlowDataset, str] | None:
    """The dataset and level a flow layer is derived from, or None when there are no flows.

    Real data come before synthetic, then tables with ``segment``, then tracts
    (only when ``tracts`` are imported) before counties, then the newest vintage.

    >>> t = pd.DataFrame(columns=["h_geoid", "w_geoid", "workers", "workers_moe", "SE03"])
    >>> lodes = FlowDataset("od", "lodes-od", "LODES", "2021", {"county": t, "tract": t})
    >>> acs = FlowDataset("acs", "acs-county", "ACS", "2009–2013", {"county": t.drop(columns="SE03")})
    >>> [(ds.name, level) for ds, level in [choose_flows([acs, lodes], segment="SE03", tracts=True),
    ...                                     choose_flows([acs, lodes], segment="SE03", tracts=False)]]
    [('od', 'tract'), ('od', 'county')]
    """
    ranked = []
    for ds in datasets:
        for level in ("tract", "county"):
            table = ds.tables.get(level)
            if table is None or (level == "tract" and not tracts):
                continue
            has_segment = segment == "" or segment in table.columns
            ranked.append(
                ((ds.synthetic, not has_segment, level != "tract", -_last_year(ds.vintage)), ds, level)
            )
    if not ranked:
        return None
    _, ds, level = min(ranked, key=lambda item: item[0])
    return ds, level


def compute_flow_layer(
    flows: pd.DataFrame,
    layer: FlowLayer,
    *,
    level: str,
    region_counties: Collection[str],
    areas: Sequence[str] | None = None,
) -> tuple[pd.Series, str]:
    """A flow layer's value per area, and the segment used (``""`` when the flows lack the wanted one).

    >>> flows = pd.DataFrame({"h_geoid": ["06019", "06019", "06039"], "w_geoid": ["06019", "06037", "06037"],
    ...                       "workers": [100, 30, 8], "workers_moe": [None] * 3, "SE03": [40, 20, 2]})
    >>> values, segment = compute_flow_layer(flows, FLOW_LAYERS["skilled_out_commuters"], level="county",
    ...                                      region_counties=["06019", "06039"])
    >>> values.to_dict(), segment
    ({'06019': 20.0, '06039': 2.0}, 'SE03')
    >>> compute_flow_layer(flows, FLOW_LAYERS["resident_workers"], level="county",
    ...                    region_counties=["06019", "06039"])[0].to_dict()
    {'06019': 130.0, '06039': 8.0}
    """
    segment = layer.segment if layer.segment in flows.columns else ""
    measures = compute_inflow_outflow(
        flows, level=level, region_counties=region_counties, segments=[segment], areas=areas
    )
    values = pd.Series(
        measures[layer.measure].to_numpy(dtype=float), index=measures["geoid"].to_numpy(), name=VALUE_COLUMN
    )
    return values, segment


def _areas(
    ds: FlowDataset, level: str, region_counties: Collection[str], tract_ids: Collection[str]
) -> list[str]:
    """Areas reported even without flows (zero workers): those the flows cover."""
    if level == "county":
        return sorted(region_counties)
    covered = set(ds.detail_counties or region_counties) & set(region_counties)
    return sorted(t for t in tract_ids if t[:5] in covered)


def flow_layer_values(
    datasets: Sequence[FlowDataset],
    name: str,
    *,
    region_counties: Collection[str],
    column: str | None = VALUE_COLUMN,
    tract_ids: Collection[str] | None = None,
    origin: str = "the inputs",
) -> FlowValues:
    """The values of flow layer ``name`` (see :data:`FLOW_LAYERS`) from commuting flows.

    Parameters
    ----------
    datasets
        The flows (:func:`valleymaps.io.flows.store.load_all_flows` reads a workspace's).
    name
        A key of :data:`FLOW_LAYERS`.
    region_counties
        The region's county GEOIDs.
    column
        The column the profile asks for; must be :data:`VALUE_COLUMN`.
    tract_ids
        GEOIDs of the imported tracts of the region, or None when none are imported
        (county values are used).
    origin
        Where the flows come from (the workspace folder), for messages.

    Raises
    ------
    FieldError
        If ``column`` is not ``"workers"``.
    WorkspaceError
        If there are no commuting flows.
    AnalysisError
        If the flows hold no resident of the region.
    """
    layer = FLOW_LAYERS[name]
    if column not in (None, VALUE_COLUMN):
        raise FieldError(
            f"layer '{name}' is derived from the commuting flows and has one column, '{VALUE_COLUMN}' "
            f"(the profile asks for '{column}'). Write column = \"{VALUE_COLUMN}\", or give a table "
            f"with --layer {name}=FILE."
        )
    region = list(region_counties)
    chosen = choose_flows(datasets, segment=layer.segment, tracts=bool(tract_ids))
    if chosen is None:
        raise WorkspaceError(
            f"layer '{name}' comes from commuting flows, and {origin} has none. Import some "
            "('valleymaps import flows ca_od_main_JT00_2021.csv.gz --format lodes-od', LODES for skilled "
            f"workers by tract) or give a table with --layer {name}=FILE (geoid, {VALUE_COLUMN})."
        )
    ds, level = chosen

    def measure(at: str) -> tuple[pd.Series, str]:
        areas = _areas(ds, at, region, tract_ids or ())
        return compute_flow_layer(ds.tables[at], layer, level=at, region_counties=region, areas=areas)

    caveats: list[str] = []
    values, segment = measure(level)
    if level == "tract":
        with_flows = values[values > 0].index
        matched = with_flows.isin(list(tract_ids or ())).mean() if len(with_flows) else 0.0
        if matched < MIN_TRACT_MATCH:
            caveats.append(
                f"Only {matched:.0%} of the tracts in the flows {ds.name} are imported tracts (a different "
                "census vintage?): county values are used."
            )
            level = "county"
            values, segment = measure(level)
    if not (values > 0).any():
        raise AnalysisError(
            f"layer '{name}': the flows {ds.name} hold no {layer.what} of the region's {level}s "
            f"({', '.join(region)}). Check that the flows are of this region."
        )
    what = layer.what
    if segment != layer.segment:
        what = layer.what_all
        caveats.append(
            f"{ds.source}: no earnings segments, so these are all {what}, not only {layer.segment_text}. "
            "Import LODES origin-destination files for the skilled count."
        )
    if layer.measure == "outflow_region" and ds.format == "lodes-od":
        caveats.append(
            "LODES counts jobs in the states whose files were imported: residents working in other "
            "states are counted only when those states' aux files are imported."
        )
    synthetic = " (synthetic sample data)" if ds.synthetic else ""
    segment_text = f", segment {segment}" if segment else ""
    note = f"{ds.source}{synthetic}: {what}, per {level} ({layer.measure}{segment_text})"
    log.info(
        "layer '%s' from flows %s: %d %ss, %s workers",
        name,
        ds.name,
        len(values),
        level,
        f"{values.sum():,.0f}",
    )
    return FlowValues(values=values, level=level, note=note, caveats=tuple(caveats), synthetic=ds.synthetic)


__all__ = [
    "FLOW_LAYERS",
    "VALUE_COLUMN",
    "FlowLayer",
    "FlowValues",
    "choose_flows",
    "compute_flow_layer",
    "flow_layer_values",
]
