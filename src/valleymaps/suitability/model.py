"""Run a profile: factor rasters, constraints, weighted overlay, sites, sensitivity, zones.

:func:`compute_suitability` writes the rasters of one profile into a folder
and returns everything else as data (sites, tables); writing tables, pages
and publishing the folder is :mod:`valleymaps.workflows.suitability_run`'s business.

One pass over the grid, strip by strip, reads every factor source, writes its
values and 0-1 scores (both COGs) and an exclusion raster
(``exclusion.tif``: 0 available, 1 outside the region, 2 excluded by a
constraint, 3 a factor has no value there); the weighted overlay then reads
the scores back into ``suitability.tif``. Memory stays flat whatever the
resolution.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from rasterio.windows import Window

from valleymaps import settings
from valleymaps.compute.executor import Executor, InProcessExecutor
from valleymaps.errors import AnalysisError, DataSourceError, EmptyLayerError
from valleymaps.suitability import defaults
from valleymaps.suitability.cog import GridRasterWriter, gdal_env, open_rasters
from valleymaps.suitability.grid import AnalysisGrid, make_grid
from valleymaps.suitability.inputs import SuitabilityInputs
from valleymaps.suitability.layers import LayerCatalog, read_layer, select_features
from valleymaps.suitability.overlay import OverlayResult, weighted_overlay
from valleymaps.suitability.places import place_values
from valleymaps.suitability.profile import Constraint, Factor, LayerRef, Profile, TransformSpec
from valleymaps.suitability.sensitivity import check_rank_stability
from valleymaps.suitability.site_factors import FactorRasters, nearest_features, place_of, site_factor_means
from valleymaps.suitability.sites import SiteSearch, find_sites
from valleymaps.suitability.sources import (
    DistanceSource,
    PlaceValueSource,
    PolygonSource,
    RasterSource,
    StripSource,
    _Burner,
)
from valleymaps.suitability.tiles import (
    TILE_COG_OPTIONS,
    band_folder,
    fingerprint_of,
    publish_band,
    read_manifest,
    remove_run,
    remove_temporaries,
    run_folder,
    temporary_band_folder,
)
from valleymaps.suitability.transforms import apply_transform
from valleymaps.suitability.zonal import summarize_zones

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]

#: Codes of ``exclusion.tif``.
AVAILABLE, OUTSIDE_REGION, CONSTRAINED, NO_VALUE = 0, 1, 2, 3


@dataclass
class FactorOutput:
    """One factor's rasters and facts about them.

    ``note`` names the data source (it says "synthetic" when they are); ``caveats``
    say what the values are not (all workers for lack of skilled ones...).
    """

    factor: Factor
    score_path: Path
    value_path: Path
    labels: tuple[str, ...] = ()
    note: str = ""
    caveats: tuple[str, ...] = ()
    cap_m: float | None = None
    covered_cells: int = 0
    value_min: float = math.nan
    value_max: float = math.nan

    @property
    def key(self) -> str:
        return self.factor.key

    @property
    def synthetic(self) -> bool:
        """Whether the factor's data are synthetic sample data."""
        return "synthetic" in self.note.lower()


@dataclass
class SuitabilityResult:
    """Everything one profile run produced.

    Attributes
    ----------
    sites
        Candidate sites (EPSG:3310), best first, with ``rank``, ``score``,
        ``area_acres``, ``selected`` (within the profile's count), factor
        columns ``<key>_score`` / ``<key>_points`` / ``<key>_value``, the
        sensitivity summary (``rank_best``, ``rank_worst``, ``stays_in_top``,
        ``stability``), ``county`` and, with a projects layer,
        ``nearest_project``, ``nearest_project_category``, ``nearest_project_m``.
    """

    profile: Profile
    grid: AnalysisGrid
    folder: Path
    suitability_path: Path
    exclusion_path: Path
    factors: list[FactorOutput]
    overlay: OverlayResult
    search: SiteSearch
    sites: gpd.GeoDataFrame
    sensitivity: pd.DataFrame
    sensitivity_table: pd.DataFrame
    zones: pd.DataFrame | None = None
    region_cells: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """Whether any factor uses synthetic sample data."""
        return any(f.synthetic for f in self.factors)

    @property
    def selected_sites(self) -> gpd.GeoDataFrame:
        return self.sites[self.sites["selected"]] if not self.sites.empty else self.sites


def distance_cap(transform: TransformSpec, resolution: float, cap_m: float | None = None) -> float:
    """The distance beyond which a distance factor's score no longer changes (plus a cell).

    >>> distance_cap(TransformSpec("inverse", low=0, high=20_000), 100)
    20100.0
    """
    if cap_m is not None:
        return float(cap_m)
    if transform.kind in ("linear", "inverse") and transform.high is not None:
        useful = transform.high
    elif transform.kind == "thresholds" and transform.breaks:
        useful = transform.breaks[-1]
    elif transform.kind == "gaussian" and transform.ideal is not None and transform.spread is not None:
        useful = transform.ideal + 4 * transform.spread
    else:
        useful = defaults.DISTANCE_CAP_M
    return max(2 * resolution, float(useful) + resolution)


def _refs(profile: Profile) -> list[tuple[str, LayerRef]]:
    refs = [(f"factor '{f.key}'", f.source.ref) for f in profile.factors if f.source.ref is not None]
    refs += [(f"constraint '{c.name}'", c.ref) for c in profile.constraints if c.ref is not None]
    return refs


def _missing(ref: LayerRef, catalog: LayerCatalog, *, kind: str = "") -> bool:
    """Whether a layer has no file (tables derived from commuting flows are there when flows are)."""
    return not catalog.has(ref) and not (kind == "table" and catalog.derivable(ref))


def find_missing_layers(profile: Profile, catalog: LayerCatalog) -> dict[str, str]:
    """Factors and constraints whose layer or file is not there: label -> what to do."""
    kinds = {f"factor '{f.key}'": f.source.kind for f in profile.factors}
    return {
        label: catalog.explain_missing(ref)
        for label, ref in _refs(profile)
        if _missing(ref, catalog, kind=kinds.get(label, ""))
    }


def check_layer_overrides(
    profile: Profile, layers: Mapping[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]]] | None
) -> None:
    """Refuse ``--layer NAME=PATH`` overrides that the profile does not use or whose file is not there.

    A misspelt name or path must not silently leave a factor out, even when missing layers are
    allowed: every problem is listed in one error.

    Raises
    ------
    ConfigError
        If a name is not a layer of the profile, or a path does not exist.
    """
    import difflib

    from valleymaps.errors import ConfigError, cut_value

    used = sorted({ref.layer for _, ref in _refs(profile) if ref.layer is not None})
    problems: list[str] = []
    for name, value in (layers or {}).items():
        if name not in used:
            close = difflib.get_close_matches(name, used, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                f"--layer {cut_value(name)}: profile '{profile.key}' has no layer of that name; "
                f"{hint}its layers: {', '.join(used) or 'none'}"
            )
        items = [value] if isinstance(value, str | os.PathLike) else list(value)
        for item in items:
            path = Path(os.path.expanduser(os.fspath(item)))
            if not path.exists():
                problems.append(f"--layer {cut_value(name)}={cut_value(os.fspath(item))}: no such file "
                                f"({path.resolve()}); check the path")
    if problems:
        raise ConfigError(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} with --layer "
            "(--allow-missing does not cover a misspelt layer or path):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def drop_missing_layers(
    profile: Profile, catalog: LayerCatalog, *, empty: Mapping[str, str] | None = None
) -> Profile:
    """``profile`` without the factors and constraints whose data are missing (weights rescaled to 100).

    ``empty`` names more factors to leave out (factor key -> why: its layer has no
    features), so that all the weights are rescaled once, from the profile's own.
    """
    empty = empty or {}
    missing_factors = []
    reasons = []
    for f in profile.factors:
        why = empty.get(f.key)
        if why is None and f.source.ref is not None and _missing(f.source.ref, catalog, kind=f.source.kind):
            why = catalog.explain_missing(f.source.ref)
        if why is not None:
            missing_factors.append(f.key)
            reasons.append(f"{f.name} (weight {f.weight:g}) left out: {why}")
    constraints = []
    for c in profile.constraints:
        if c.ref is not None and not catalog.has(c.ref):
            reasons.append(f"Constraint '{c.name}' left out: {catalog.explain_missing(c.ref)}")
        else:
            constraints.append(c)
    if not reasons:
        return profile
    trimmed = replace(profile, constraints=tuple(constraints))
    dropped = tuple(f"constraint '{c.name}'" for c in profile.constraints if c not in constraints)
    trimmed = replace(trimmed, left_out_names=trimmed.left_out_names + dropped)
    if missing_factors:
        return trimmed.without_factors(missing_factors, reasons=reasons)
    return replace(trimmed, left_out=trimmed.left_out + tuple(reasons))


def _files(ref: LayerRef, catalog: LayerCatalog, label: str) -> list[Path]:
    files = catalog.resolve(ref)
    if files is None:
        raise DataSourceError(f"{label}: {catalog.explain_missing(ref)}")
    return files


def _vector(ref: LayerRef, catalog: LayerCatalog, label: str) -> tuple[gpd.GeoDataFrame, str]:
    """A vector layer (from its files, or handed in as a frame) and its source note."""
    memory = catalog.frame(ref)
    if memory is not None:
        return select_features(memory, ref), memory.note
    files = _files(ref, catalog, label)
    return read_layer(files, ref), ", ".join(f.name for f in files)


@dataclass
class _OpenFactor:
    source: StripSource
    note: str
    cap_m: float | None = None
    caveats: tuple[str, ...] = ()


def _open_factor(
    factor: Factor, grid: AnalysisGrid, inputs: SuitabilityInputs, rows: int, start_row: int = 0
) -> _OpenFactor:
    spec = factor.source
    catalog = inputs.catalog
    label = f"factor '{factor.key}'"
    if spec.kind == "cluster_metric":
        pv = place_values(spec, inputs=inputs, table_files=None, name=label)
        return _OpenFactor(PlaceValueSource(pv.places, grid, name=label), pv.note)
    assert spec.ref is not None
    name = f"{label} ({spec.ref.label})"
    if spec.kind == "table":  # a file, else derived from the commuting flows
        derived = catalog.resolve(spec.ref) is None and catalog.derivable(spec.ref)
        files = None if derived else _files(spec.ref, catalog, label)
        pv = place_values(spec, inputs=inputs, table_files=files, name=name)
        return _OpenFactor(PlaceValueSource(pv.places, grid, name=name), pv.note, caveats=pv.caveats)
    if spec.kind == "distance":
        layer, note = _vector(spec.ref, catalog, label)
        cap = distance_cap(factor.transform, grid.resolution, spec.cap_m)
        source = DistanceSource(layer, grid, cap_m=cap, name=name, rows=rows, start_row=start_row)
        return _OpenFactor(source, note, cap)
    if spec.kind == "polygons":
        layer, note = _vector(spec.ref, catalog, label)
        return _OpenFactor(PolygonSource(layer, grid, name=name, column=spec.column), note)
    files = _files(spec.ref, catalog, label)
    note = ", ".join(f.name for f in files)
    if spec.kind == "raster":
        src = RasterSource(
            files[0],
            grid,
            band=spec.band,
            resampling=spec.resampling,
            assume_crs=spec.ref.assume_crs,
            name=name,
        )
        return _OpenFactor(src, note)
    raise AssertionError(f"unknown source kind {spec.kind!r}")  # the profile checks kinds


def _open_constraint(
    c: Constraint, grid: AnalysisGrid, catalog: LayerCatalog, rows: int, start_row: int = 0
) -> StripSource | None:
    if c.kind == "exclude_values":
        return None
    assert c.ref is not None
    label = f"constraint '{c.name}'"
    layer, _ = _vector(c.ref, catalog, label)
    if c.kind == "exclude_near":
        assert c.distance_m is not None
        return DistanceSource(layer, grid, cap_m=c.distance_m + grid.resolution, name=label, rows=rows,
                              start_row=start_row)
    return PolygonSource(layer, grid, name=label)


def _excluded_by(
    c: Constraint, src: StripSource | None, raws: Mapping[str, np.ndarray], window: Any
) -> np.ndarray:
    if c.kind == "exclude_values":
        values = raws[c.factor or ""]
        out = np.zeros(values.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            if c.below is not None:
                out |= values < c.below
            if c.above is not None:
                out |= values > c.above
        return out
    assert src is not None
    values = src.read(window)
    if c.kind == "exclude_near":
        return values <= (c.distance_m or 0)
    if c.kind == "exclude_inside":
        return values == 1
    return values == 0  # keep_inside


def _factor_pass(
    profile: Profile,
    grid: AnalysisGrid,
    region: gpd.GeoDataFrame,
    outputs: list[FactorOutput],
    sources: dict[str, StripSource],
    constraint_sources: list[StripSource | None],
    folder: Path,
    rows: int,
    on_progress: ProgressCallback | None,
    cog: bool,
    band: tuple[int, int] | None = None,
    cog_options: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, int]]:
    """Compute the strips of rows ``band`` (default all), write them into ``folder``'s rasters.

    With ``band`` the rasters cover those rows only (a strip task's tile of the mosaic).
    """
    region_geoms = region.to_crs(grid.crs).geometry.to_numpy()
    region_burner = _Burner(region_geoms, grid)
    needed_raw = {c.factor for c in profile.constraints if c.kind == "exclude_values"}
    row0, row1 = band or (0, grid.height)
    windows = [w for w in grid.strips(rows) if row0 <= w.row_off < row1]
    out_grid = band_grid(grid, row0, row1)
    region_cells = 0
    excluded = {c.name: 0 for c in profile.constraints}
    excluded["no value in a factor"] = 0
    with gdal_env(), contextlib.ExitStack() as stack:
        writers, mask_writer = _open_writers(stack, outputs, out_grid, folder, cog, cog_options)
        for i, window in enumerate(windows, start=1):
            h = int(window.height)
            local = Window(0, int(window.row_off) - row0, window.width, h)
            inside = region_burner.burn(int(window.row_off), h, fill=0, dtype="uint8", all_touched=False) == 1
            code = np.where(inside, AVAILABLE, OUTSIDE_REGION).astype(np.uint8)
            region_cells += int(inside.sum())
            raws: dict[str, np.ndarray] = {}
            for out in outputs:
                f = out.factor
                raw = sources[f.key].read(window)
                if f.key in needed_raw:
                    raws[f.key] = raw
                score = apply_transform(raw, f.transform, labels=out.labels, missing=f.missing)
                value = np.where(inside, raw, np.float32(np.nan)).astype(np.float32, copy=False)
                score = np.where(inside, score, np.float32(np.nan)).astype(np.float32, copy=False)
                score_writer, value_writer = writers[f.key]
                score_writer.write(local, score)
                value_writer.write(local, value)
                have = ~np.isnan(value)
                n = int(have.sum())
                if n:
                    out.covered_cells += n
                    if not out.labels:
                        vals = value[have]
                        out.value_min = float(np.nanmin([out.value_min, vals.min()]))
                        out.value_max = float(np.nanmax([out.value_max, vals.max()]))
                lost = (code == AVAILABLE) & np.isnan(score)
                excluded["no value in a factor"] += int(lost.sum())
                code[lost] = NO_VALUE
            for c, src in zip(profile.constraints, constraint_sources, strict=True):
                hit = _excluded_by(c, src, raws, window) & (code == AVAILABLE)
                excluded[c.name] += int(hit.sum())
                code[hit] = CONSTRAINED
            mask_writer.write(local, code)
            if on_progress:
                on_progress("factors", i, len(windows))
    return region_cells, excluded


def band_grid(grid: AnalysisGrid, row0: int, row1: int) -> AnalysisGrid:
    """The rows ``row0:row1`` of ``grid`` as a grid of their own."""
    if (row0, row1) == (0, grid.height):
        return grid
    return replace(grid, transform=grid.window_transform(Window(0, row0, grid.width, row1 - row0)),
                   height=row1 - row0)


def _open_writers(
    stack: contextlib.ExitStack,
    outputs: Sequence[FactorOutput],
    grid: AnalysisGrid,
    folder: Path,
    cog: bool,
    cog_options: Mapping[str, str] | None = None,
) -> tuple[dict[str, tuple[GridRasterWriter, GridRasterWriter]], GridRasterWriter]:
    """Writers of each factor's score and value rasters and of ``exclusion.tif``, on ``grid``."""
    writers = {}
    for out in outputs:
        f = out.factor
        tags = {"factor": f.key, "name": f.name, "weight": f.weight, "units": f.units}
        if out.labels:
            tags["categories"] = "; ".join(f"{i}={label}" for i, label in enumerate(out.labels))
        if out.cap_m:
            tags["distance_cap_m"] = out.cap_m
        writers[f.key] = (
            stack.enter_context(
                GridRasterWriter(folder / out.score_path.name, grid, description=f"{f.name}: score 0-1",
                                 tags=tags, cog=cog, cog_options=cog_options)
            ),
            stack.enter_context(
                GridRasterWriter(folder / out.value_path.name, grid,
                                 description=f"{f.name}: value {f.units}".strip(), tags=tags, cog=cog,
                                 cog_options=cog_options)
            ),
        )
    mask_writer = stack.enter_context(
        GridRasterWriter(
            folder / "exclusion.tif",
            grid,
            dtype="uint8",
            nodata=None,
            description=(
                "0 available, 1 outside the region, 2 excluded by a constraint, 3 a factor has no value"
            ),
            cog=cog,
            cog_options=cog_options,
        )
    )
    return writers, mask_writer


def _open_sources(
    profile: Profile,
    grid: AnalysisGrid,
    inputs: SuitabilityInputs,
    folder: Path,
    rows: int,
    start_row: int = 0,
) -> tuple[list[FactorOutput], dict[str, StripSource], list[StripSource | None]]:
    """Each factor's output record and source, and each constraint's source (closed on failure)."""
    sources: dict[str, StripSource] = {}
    constraint_sources: list[StripSource | None] = []
    outputs: list[FactorOutput] = []
    try:
        for f in profile.factors:
            try:
                opened = _open_factor(f, grid, inputs, rows, start_row)
            except EmptyLayerError as exc:
                raise EmptyLayerError(str(exc), factor=f.key) from exc
            sources[f.key] = opened.source
            outputs.append(
                FactorOutput(
                    factor=f,
                    score_path=folder / f"factor-{f.key}.tif",
                    value_path=folder / f"factor-{f.key}-value.tif",
                    labels=getattr(opened.source, "labels", ()),
                    note=opened.note,
                    caveats=opened.caveats,
                    cap_m=opened.cap_m,
                )
            )
        for c in profile.constraints:
            constraint_sources.append(_open_constraint(c, grid, inputs.catalog, rows, start_row))
    except BaseException:
        _close_sources(sources, constraint_sources)
        raise
    return outputs, sources, constraint_sources


def _close_sources(
    sources: Mapping[str, StripSource], constraint_sources: Sequence[StripSource | None]
) -> None:
    for s in [*sources.values(), *[c for c in constraint_sources if c is not None]]:
        s.close()


@dataclass(frozen=True)
class StripTask:
    """One band of rows of a profile's factor pass, as a task (picklable: a Dask worker can run it).

    ``folder`` is the band's folder in the tile store (:mod:`valleymaps.suitability.tiles`), which
    the caller mosaics from; ``fingerprint`` identifies the run's inputs (a finished band with
    another fingerprint is not reused) and ``token`` the run (in its temporary folders' names).
    ``inputs`` travel with the task (the projects and zones, which the factor pass does not read,
    are left out).
    """

    profile: Profile
    inputs: SuitabilityInputs
    resolution: float
    rows: int
    band: tuple[int, int]
    folder: Path
    fingerprint: str = ""
    token: str = ""


@dataclass(frozen=True)
class StripResult:
    """What a :class:`StripTask` counted: region cells, cells excluded, and per factor the cells
    with a value and their range."""

    region_cells: int
    excluded: dict[str, int]
    covered: dict[str, tuple[int, float, float]]


def run_strip_task(task: StripTask) -> StripResult:
    """Compute the rows ``task.band`` of the factor pass as COG tiles in ``task.folder`` (here or on
    a worker), or reuse them when a finished attempt left them there.

    Distance factors burn the feature rows of a halo as tall as their cap above and below the
    band, so their distances are exactly those of one pass over the whole grid. The tiles are
    written in a temporary folder renamed into place with their manifest
    (:func:`~valleymaps.suitability.tiles.publish_band`); a band already in place with the run's
    fingerprint and intact tiles is not computed again (a task started again after its worker
    died, or a rerun of a command that was stopped).
    """
    final = Path(task.folder)
    manifest = read_manifest(final, task.fingerprint)
    if manifest is not None:
        log.info("%s: rows %d-%d reused from %s", task.profile.key, *task.band, final)
        counts = manifest["counts"]
        covered_ = {k: (int(n), float(low), float(high)) for k, (n, low, high) in counts["covered"].items()}
        return StripResult(int(counts["region_cells"]), {k: int(v) for k, v in counts["excluded"].items()},
                           covered_)
    grid = make_grid(task.inputs.region, resolution=task.resolution)
    work = temporary_band_folder(final, task.token)
    try:
        outputs, sources, constraint_sources = _open_sources(
            task.profile, grid, task.inputs, work, task.rows, start_row=task.band[0]
        )
        try:
            region_cells, excluded = _factor_pass(
                task.profile, grid, task.inputs.region, outputs, sources, constraint_sources, work,
                task.rows, None, True, band=task.band, cog_options=TILE_COG_OPTIONS,
            )
        finally:
            _close_sources(sources, constraint_sources)
        covered = {o.key: (o.covered_cells, o.value_min, o.value_max) for o in outputs}
        result = StripResult(region_cells, excluded, covered)
        publish_band(work, final, fingerprint=task.fingerprint, band=task.band,
                     counts={"region_cells": region_cells, "excluded": excluded, "covered": covered})
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


def plan_bands(height: int, rows: int, strips: int) -> list[tuple[int, int]]:
    """Row ranges of ``strips`` tasks over ``height`` rows, each a whole number of ``rows``-row strips.

    >>> plan_bands(100, 8, 3)
    [(0, 40), (40, 80), (80, 100)]
    >>> plan_bands(10, 8, 4)
    [(0, 8), (8, 10)]
    """
    n_strips = math.ceil(height / rows)
    per = math.ceil(n_strips / max(1, min(strips, n_strips)))
    return [(r, min(height, r + per * rows)) for r in range(0, height, per * rows)]


def choose_strip_tasks(grid: AnalysisGrid, strips: int | None, *, distributed: bool) -> int:
    """How many strip tasks to split one target's grid into.

    ``strips`` when given; else, on a cluster, one task per
    :data:`~valleymaps.settings.SUITABILITY_STRIP_TASK_CELLS` cells; in this process one.

    >>> from shapely.geometry import box
    >>> import geopandas as gpd
    >>> g = make_grid(gpd.GeoSeries([box(0, 0, 300_000, 500_000)], crs="EPSG:3310"), resolution=30)
    >>> choose_strip_tasks(g, None, distributed=True), choose_strip_tasks(g, None, distributed=False)
    (7, 1)
    """
    if strips is not None:
        return max(1, int(strips))
    if not distributed:
        return 1
    return max(1, math.ceil(grid.width * grid.height / settings.SUITABILITY_STRIP_TASK_CELLS))


def _mosaic(
    outputs: Sequence[FactorOutput],
    grid: AnalysisGrid,
    folder: Path,
    bands: Sequence[tuple[int, int]],
    band_folders: Sequence[Path],
    rows: int,
    cog: bool,
) -> None:
    """Write the final rasters from the strip tasks' COG tiles (read by windows), strip by strip as
    one pass writes them."""
    names = [n for o in outputs for n in (o.score_path.name, o.value_path.name)] + ["exclusion.tif"]
    with gdal_env(), contextlib.ExitStack() as stack:
        writers, mask_writer = _open_writers(stack, outputs, grid, folder, cog)
        targets = {"exclusion.tif": mask_writer}
        for o in outputs:
            targets[o.score_path.name], targets[o.value_path.name] = writers[o.key]
        for (row0, row1), band_folder in zip(bands, band_folders, strict=True):
            with open_rasters({n: band_folder / n for n in names}) as parts:
                for window in grid.strips(rows):
                    if not row0 <= window.row_off < row1:
                        continue
                    local = Window(0, int(window.row_off) - row0, window.width, window.height)
                    for n in names:
                        targets[n].write(window, parts[n].read(1, window=local))


def _run_strip_tasks(
    profile: Profile,
    inputs: SuitabilityInputs,
    grid: AnalysisGrid,
    outputs: list[FactorOutput],
    bands: Sequence[tuple[int, int]],
    *,
    folder: Path,
    rows: int,
    cog: bool,
    executor: Executor,
    on_progress: ProgressCallback | None,
    store: Path,
) -> tuple[int, dict[str, int]]:
    """The factor pass as one task per band (COG tiles in ``store``), then the mosaic; the counts of
    :func:`_factor_pass`.

    The run's tiles are removed once the mosaic is written. After a failure the finished bands
    stay in ``store`` (a rerun with the same inputs reuses them) and nothing half-written does.
    """
    light = replace(inputs, projects=None, zones=None)  # the factor pass reads neither
    refs = [f.source.ref for f in profile.factors] + [c.ref for c in profile.constraints]
    files = [p for ref in refs if ref is not None for p in (inputs.catalog.resolve(ref) or [])]
    fingerprint = fingerprint_of(profile, light, grid, rows, list(bands), files=files)
    run = run_folder(store, profile.key, fingerprint)
    token = uuid.uuid4().hex[:8]
    band_folders = [band_folder(run, i) for i in range(len(bands))]
    tasks = [StripTask(profile, light, grid.resolution, rows, band, folder_, fingerprint, token)
             for band, folder_ in zip(bands, band_folders, strict=True)]
    log.info("%s: factor pass in %d strip tasks on %s, tiles in %s", profile.key, len(tasks),
             executor.description, run)
    done = 0

    def progress(_i: int, _result: StripResult) -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress("factors", done, len(tasks))

    try:
        results = executor.map(run_strip_task, tasks, on_done=progress)
        _mosaic(outputs, grid, folder, bands, band_folders, rows, cog)
    except BaseException:
        remove_temporaries(run, token)  # every task has ended: what is half-written stays so
        raise
    remove_run(run)
    excluded = {c.name: 0 for c in profile.constraints}
    excluded["no value in a factor"] = 0
    for result in results:
        for name, n in result.excluded.items():
            excluded[name] += n
    for out in outputs:
        for result in results:
            n, low, high = result.covered[out.key]
            if n:
                out.covered_cells += n
                out.value_min = float(np.nanmin([out.value_min, low]))
                out.value_max = float(np.nanmax([out.value_max, high]))
    return sum(r.region_cells for r in results), excluded


def compute_suitability(
    profile: Profile,
    inputs: SuitabilityInputs,
    *,
    folder: str | os.PathLike[str],
    resolution: float | None = None,
    rows: int | None = None,
    on_progress: ProgressCallback | None = None,
    cog: bool = True,
    strips: int | None = None,
    executor: Executor | None = None,
    scratch: str | os.PathLike[str] | None = None,
) -> SuitabilityResult:
    """Run ``profile`` over the region of ``inputs`` and write its rasters into ``folder``.

    Parameters
    ----------
    profile
        The profile (weights adding up to 100; see :func:`drop_missing_layers`
        to leave out factors whose data are absent).
    inputs
        What the profile runs on: the region (the grid covers its bounds and cells outside
        it are excluded), where named layers are, the places, cluster metrics and flows of
        place factors, the projects (each site gets the nearest one) and the zones to
        summarise over (:class:`~valleymaps.suitability.inputs.SuitabilityInputs`).
    folder
        Output folder (created): ``suitability.tif``, ``exclusion.tif``,
        ``factor-<key>.tif`` (scores 0-1) and ``factor-<key>-value.tif``.
    resolution
        Cell size (m), default 100.
    rows
        Rows per strip.
    on_progress
        ``on_progress(stage, done, total)``.
    cog
        Write Cloud-optimised GeoTIFFs (default); False writes plain tiled
        GeoTIFFs, quicker, for rasters nobody keeps (the atlas).
    strips
        Split the factor pass (reading and scoring every factor: the costly part) into this many
        tasks, each a band of whole strips (:func:`run_strip_task`), and mosaic their bands into
        the rasters. Default: one task in this process; on a cluster (``executor``) one per
        :data:`~valleymaps.settings.SUITABILITY_STRIP_TASK_CELLS` cells. The rasters are the same,
        byte for byte, however the grid is split.
    executor
        Where the strip tasks run (default this process); the workers must see ``scratch`` and the
        layer files at the same paths.
    scratch
        The tile store of strip tasks (default ``folder/.strip-tiles``): each task writes its band
        there as COG tiles (:mod:`valleymaps.suitability.tiles`), and the mosaic reads them. A
        rerun with the same inputs and the same store reuses the bands a stopped run finished.

    Returns
    -------
    SuitabilityResult

    Raises
    ------
    DataSourceError
        If a layer or file is missing (every one is listed).
    CRSError
        If a raster has no CRS.
    AnalysisError
        If a factor lies outside the region or has no value in it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    region, catalog, projects, zones = inputs.region, inputs.catalog, inputs.projects, inputs.zones
    missing = find_missing_layers(profile, catalog)
    if missing:
        raise DataSourceError(
            f"{profile.path or profile.key}: {len(missing)} layer(s) missing:\n"
            + "\n".join(f"  - {label}: {why}" for label, why in missing.items())
        )
    grid = make_grid(region, resolution=resolution)
    step = rows or defaults.STRIP_ROWS
    log.info(
        "%s: grid %d x %d cells of %g m (%s cells)",
        profile.key,
        grid.width,
        grid.height,
        grid.resolution,
        f"{grid.width * grid.height:,}",
    )
    # every source opened here first: a missing or empty layer is refused before any task runs
    outputs, sources, constraint_sources = _open_sources(profile, grid, inputs, folder, step)
    bands = plan_bands(grid.height, step, choose_strip_tasks(
        grid, strips, distributed=executor is not None and executor.distributed))
    try:
        if len(bands) == 1:
            region_cells, excluded = _factor_pass(
                profile, grid, region, outputs, sources, constraint_sources, folder, step, on_progress, cog
            )
    finally:
        _close_sources(sources, constraint_sources)
    if len(bands) > 1:
        region_cells, excluded = _run_strip_tasks(
            profile, inputs, grid, outputs, bands, folder=folder, rows=step, cog=cog,
            executor=executor or InProcessExecutor(), on_progress=on_progress,
            store=Path(scratch) if scratch is not None else folder / ".strip-tiles",
        )
    empty = [o for o in outputs if o.covered_cells == 0]
    if empty:
        raise AnalysisError(
            "\n".join(
                f"factor '{o.key}' ({o.note}) has no value anywhere in the region: "
                "it lies outside the region or "
                "holds only no-data there. Check the file and its CRS."
                for o in empty
            )
        )
    block = max(1, round(defaults.SITE_SEARCH_CELL_M / grid.resolution))
    overlay = weighted_overlay(
        {o.key: o.score_path for o in outputs},
        profile.weights,
        folder / "suitability.tif",
        exclude=folder / "exclusion.tif",
        block_factor=block,
        rows=step,
        tags={"profile": profile.key, "name": profile.name},
        cog=cog,
    )
    if on_progress:
        on_progress("overlay", 1, 1)
    assert overlay.blocks is not None
    coarse = grid.coarsen(block)
    search = find_sites(overlay.blocks, transform=coarse.transform, crs=grid.crs, rules=profile.sites)
    sites = search.sites
    sensitivity = pd.DataFrame(columns=["rank", "rank_best", "rank_worst", "stays_in_top", "stability"])
    table = pd.DataFrame()
    if not sites.empty:
        means = site_factor_means(
            sites,
            grid,
            overlay.path,
            [FactorRasters(o.key, o.factor.weight, o.score_path, o.value_path, o.labels) for o in outputs],
        )
        sites = sites.drop(columns=["score"]).merge(means, left_on="rank", right_index=True)
        sites = sites[["rank", "score", *[c for c in sites.columns if c not in ("rank", "score")]]]
        score_cols = means[[f"{o.key}_score" for o in outputs]].rename(columns=lambda c: c[: -len("_score")])
        sensitivity, table = check_rank_stability(score_cols, profile.weights, count=profile.sites.count)
        sites = sites.merge(sensitivity.drop(columns=["variations"]), on="rank", how="left")
        sites["county"] = place_of(sites, region)
        if projects is not None and not projects.empty:
            near = nearest_features(sites, projects)
            sites["nearest_project"] = near["nearest_name"].to_numpy()
            sites["nearest_project_category"] = near["nearest_category"].to_numpy()
            sites["nearest_project_m"] = pd.to_numeric(near["nearest_m"]).to_numpy()
        sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=grid.crs)
    if on_progress:
        on_progress("sites", 1, 1)
    zone_table = None
    if zones is not None and not zones.empty:
        zone_table = summarize_zones(
            overlay.path, zones, id_column=inputs.zone_id, threshold=search.threshold, rows=step
        )
    log.info(
        "%s: %d region cells, suitability %.1f-%.1f (mean %.1f), %d sites",
        profile.key,
        region_cells,
        overlay.minimum,
        overlay.maximum,
        overlay.mean,
        int(sites["selected"].sum()) if not sites.empty else 0,
    )
    return SuitabilityResult(
        profile=profile,
        grid=grid,
        folder=folder,
        suitability_path=overlay.path,
        exclusion_path=folder / "exclusion.tif",
        factors=outputs,
        overlay=overlay,
        search=search,
        sites=sites,
        sensitivity=sensitivity,
        sensitivity_table=table,
        zones=zone_table,
        region_cells=region_cells,
        excluded=excluded,
        notes=list(profile.left_out),
    )


__all__: Sequence[str] = (
    "FactorOutput",
    "StripResult",
    "StripTask",
    "SuitabilityResult",
    "band_grid",
    "check_layer_overrides",
    "choose_strip_tasks",
    "compute_suitability",
    "distance_cap",
    "drop_missing_layers",
    "find_missing_layers",
    "plan_bands",
    "run_strip_task",
)
