"""Place-level factors: a value per tract or county, ready to paint on the grid.

Two sources give values per place:

* ``table``: any CSV with a GEOID column (11 characters for tracts, 5 for
  counties, leading zeros kept) and a numeric column - out-commuting skilled
  workers, labour force, broadband, anything; the tables
  ``skilled_out_commuters`` and ``resident_workers`` are derived from the
  workspace's commuting flows when no file is given
  (:mod:`~valleymaps.suitability.flow_layers`);
* ``cluster_metric``: a cluster's location quotient, employment, share or
  growth from the cluster metrics handed in (tracts when tract employment
  and boundaries are imported, else counties).

With ``reach_m`` a place gets the sum (or mean) of the values of every place
whose centre lies within that distance of its own: the labour pool within
commuting reach rather than in the tract itself.

Nothing here opens a workspace: places, cluster metrics and flows come in a
:class:`~valleymaps.suitability.inputs.SuitabilityInputs`
(:mod:`valleymaps.workflows.suitability_inputs` gathers them from one).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from valleymaps import settings
from valleymaps.errors import (
    AnalysisError,
    DataSourceError,
    EmptyLayerError,
    FieldError,
    Problem,
    ValidationError,
)
from valleymaps.io.text_encoding import detect_file_encoding, is_wide_unicode
from valleymaps.suitability.inputs import SuitabilityInputs
from valleymaps.suitability.profile import SourceSpec

log = logging.getLogger(__name__)

LEVEL_BY_LENGTH = {11: "tract", 5: "county"}
PLURAL = {"tract": "tracts", "county": "counties"}


def read_place_table(path: str | os.PathLike[str], *, id_column: str, column: str) -> pd.Series:
    """``geoid -> value`` from a CSV table, with every problem reported at once.

    Raises
    ------
    DataSourceError
        If the file cannot be read.
    FieldError
        If a column is missing.
    ValidationError
        If GEOIDs lost their leading zeros or values are not numbers.
    """
    p = Path(path)
    try:
        declared = detect_file_encoding(p)
        table = pd.read_csv(p, dtype={id_column: str}, na_values={column: ["", "NA", "nan", "NaN", "NULL"]},
                            keep_default_na=False,
                            encoding=declared if is_wide_unicode(declared) else "utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"{p} cannot be read as a CSV table ({exc}).") from exc
    for needed in (id_column, column):
        if needed not in table.columns:
            raise FieldError(
                f"{p} has no column '{needed}' (found: {', '.join(map(str, table.columns))}). "
                "Fix 'id_column' or 'column' in the profile."
            )
    ids = table[id_column].astype("string").str.strip()
    values = pd.to_numeric(table[column], errors="coerce")
    problems = []
    for pos in np.flatnonzero(values.isna().to_numpy() & table[column].notna().to_numpy()):
        problems.append(
            Problem(f"{table[column].iloc[pos]!r} is not a number.", row=int(pos) + 1, column=column)
        )
    lengths = set(ids.dropna().str.len())
    if lengths & {10, 4}:
        example = ids[ids.str.len().isin([10, 4])].iloc[0]
        problems.append(
            Problem(
                f"GEOIDs lost their leading zero (example {example}); re-save the column as text, "
                f"e.g. {example.zfill(11 if len(example) == 10 else 5)}.",
                column=id_column,
            )
        )
    elif not lengths <= {11, 5}:
        problems.append(
            Problem(
                f"GEOIDs must be 11-character tract or 5-character county codes (found lengths "
                f"{sorted(lengths)}).",
                column=id_column,
            )
        )
    if problems:
        raise ValidationError(str(p), problems[:50])
    return pd.Series(values.to_numpy(dtype=float), index=ids.to_numpy(), name=column).groupby(level=0).sum()


def cluster_metric_values(
    inputs: SuitabilityInputs, *, metric: str, cluster: str, component: str = "", level: str = "auto"
) -> tuple[pd.Series, str, str]:
    """A cluster metric per place from the cluster metrics of the inputs.

    Parameters
    ----------
    inputs
        Its ``cluster_keys`` and ``cluster_metrics`` (per level).
    metric, cluster, component
        Which metric (``lq``, ``employment`` ...) of which cluster (and component).
    level
        ``"tract"``, ``"county"`` or ``"auto"``: tracts when they give values, else counties.

    Returns
    -------
    values
        GEOID -> metric.
    level
        ``"tract"`` or ``"county"``.
    source
        Description of the data used (for map footers).

    Raises
    ------
    FieldError
        If the cluster is not one of ``inputs.cluster_keys``.
    EmptyLayerError
        If no level's metrics give a value.
    """
    keys = list(inputs.cluster_keys)
    if cluster not in keys:
        raise FieldError(f"no cluster '{cluster}' in {inputs.clusters_source} (clusters: {', '.join(keys)}).")
    wanted = ["tract", "county"] if level == "auto" else [level]
    sources_without: list[str] = []
    for lvl in wanted:
        if lvl == "tract" and inputs.tracts is None:
            continue
        found = inputs.cluster_metrics.get(lvl)
        if found is None:
            continue
        m, source = found.table, found.source
        sources_without.append(f"{lvl}: {source}")
        rows = m[(m["level"] == lvl) & (m["cluster"] == cluster) & (m["component"] == component)]
        values = pd.Series(rows[metric].to_numpy(dtype=float), index=rows["geoid"].to_numpy())
        if values.notna().any():
            return values, lvl, source
        # e.g. components at tract level from sector-only data (LODES): use the next level
        log.info("no %s values of %s/%s at %s level; trying the next level", metric, cluster, component, lvl)
    what = f"'{metric}' of {cluster}{'/' + component if component else ''}"
    why = ""
    if component:
        why = " (a component needs NAICS detail that sector-only data such as LODES WAC lack)"
    if sources_without:
        # employment is there but cannot give this metric: e.g. a component's LQ needs NAICS
        # detail that sector-only data (LODES WAC) lack. The factor is left out, not the profile.
        raise EmptyLayerError(
            f"the employment data ({'; '.join(sources_without)}) give no cluster metric {what}{why}. "
            "Import County Business Patterns for it ('valleymaps import employment cbp21co.zip "
            "--format cbp')."
        )
    raise EmptyLayerError(
        f"no {' or '.join(wanted)} employment in {inputs.employment_source} for cluster metric {what}. "
        "Import some with 'valleymaps import employment FILE'."
    )


def within_reach(
    places: gpd.GeoDataFrame, values: pd.Series, *, reach_m: float, stat: str = "sum"
) -> pd.Series:
    """Sum (or mean) of the values of places whose centres are within ``reach_m`` of each place's centre.

    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"geoid": ["a", "b", "c"]},
    ...                      geometry=[Point(0, 0), Point(1000, 0), Point(50_000, 0)], crs="EPSG:3310")
    >>> within_reach(g, pd.Series([1.0, 2.0, 4.0], index=["a", "b", "c"]), reach_m=5000).tolist()
    [3.0, 3.0, 4.0]
    """
    centres = places.geometry.representative_point()
    xy = np.column_stack([centres.x.to_numpy(), centres.y.to_numpy()])
    v = values.reindex(places["geoid"]).to_numpy(dtype=float)
    have = np.isfinite(v)
    out = np.full(len(places), np.nan)
    for i in range(len(places)):
        near = (np.hypot(xy[:, 0] - xy[i, 0], xy[:, 1] - xy[i, 1]) <= reach_m) & have
        if near.any():
            out[i] = v[near].sum() if stat == "sum" else v[near].mean()
    return pd.Series(out, index=places["geoid"].to_numpy())


@dataclass(frozen=True)
class PlaceValues:
    """Places with a ``value`` column, ready to paint, and what the values are.

    Attributes
    ----------
    places
        Tracts or counties of the region (EPSG:3310) with ``geoid``, ``name``, ``value``.
    note
        The data source, for map source lines.
    caveats
        What the values are not (from :class:`~valleymaps.suitability.flow_layers.FlowValues`).
    """

    places: gpd.GeoDataFrame
    note: str
    caveats: tuple[str, ...] = ()


def place_values(
    spec: SourceSpec, *, inputs: SuitabilityInputs, table_files: Sequence[Path] | None, name: str
) -> PlaceValues:
    """Places with a ``value`` for a ``table`` or ``cluster_metric`` source.

    A ``table`` source without ``table_files`` names a layer derived from the
    commuting flows of the inputs (see :mod:`~valleymaps.suitability.flow_layers`).
    """
    caveats: tuple[str, ...] = ()
    if spec.kind == "table" and table_files:
        values = read_place_table(table_files[0], id_column=spec.id_column, column=spec.column or "")
        lengths = {len(str(g)) for g in values.index}
        level = "tract" if 11 in lengths else "county"
        note = f"{table_files[0].name}, column {spec.column}"
    elif spec.kind == "table":
        from valleymaps.suitability.flow_layers import flow_layer_values

        assert spec.ref is not None and spec.ref.layer is not None
        derived = inputs.derived_flows.get((spec.ref.layer, spec.column))
        if derived is None:
            tract_ids = None if inputs.tracts is None else inputs.tracts["geoid"].tolist()
            derived = flow_layer_values(
                inputs.flows,
                spec.ref.layer,
                region_counties=inputs.region_counties,
                column=spec.column,
                tract_ids=tract_ids,
                origin=inputs.origin,
            )
            inputs.derived_flows[(spec.ref.layer, spec.column)] = derived
        values, level, note, caveats = derived.values, derived.level, derived.note, derived.caveats
    else:
        values, level, note = cluster_metric_values(
            inputs,
            metric=spec.metric or "lq",
            cluster=spec.cluster or "",
            component=spec.component,
            level=spec.level,
        )
    places = inputs.places_at(level).to_crs(settings.ANALYSIS_CRS)
    matched = places["geoid"].isin(values.index)
    if not matched.any():
        raise AnalysisError(
            f"{name}: none of the {len(values)} GEOIDs of the data is a {level} of the region "
            f"(examples: {', '.join(map(str, list(values.index)[:3]))}); the factor lies outside the region."
        )
    if spec.reach_m:
        values = within_reach(places, values, reach_m=spec.reach_m, stat=spec.reach_stat)
        within = f"{spec.reach_m / 1000:g} km"
        note += f"; {spec.reach_stat} over the {PLURAL[level]} within {within} (centre to centre)"
    places = places.assign(value=values.reindex(places["geoid"]).to_numpy(dtype=float))
    log.info(
        "%s: %d of %d %s have a value",
        name,
        int(np.isfinite(places["value"]).sum()),
        len(places),
        PLURAL[level],
    )
    return PlaceValues(places, note, caveats)
