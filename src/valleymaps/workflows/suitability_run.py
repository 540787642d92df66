"""Run one target in a workspace and publish its outputs in ``outputs/suitability/<target>/``.

The whole folder is built beside its final place and swapped in only when
complete, so a failed run leaves the previous results intact.

Files written:

=========================== =================================================================
``suitability.tif``         suitability 0-100 (COG, float32, no data where excluded)
``factor-<key>.tif``        each factor's score 0-1 (COG)
``factor-<key>-value.tif``  each factor's values (metres, feet, LQ...) on the grid (COG)
``exclusion.tif``           0 available, 1 outside the region, 2 constraint, 3 no data (COG)
``sites.gpkg``/``.csv``     candidate sites with scores, factor contributions, rank stability
``sensitivity.csv``         every site's rank with each weight moved ±10 points
``zones.csv``               suitability per tract (or county), pixel-centre rule
``map.html``/``map.png``    the map page and a static map for reports
``profile.toml``            the profile used; ``run.json``: grid, weights, counts
=========================== =================================================================
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from valleymaps import i18n, settings
from valleymaps.compute.executor import Executor, InProcessExecutor
from valleymaps.errors import ConfigError, DataSourceError, EmptyLayerError, OutputExistsError
from valleymaps.i18n import _
from valleymaps.io.atomic import atomic_path, replace_dir, work_dir, write_text_atomic
from valleymaps.io.region import read_analysis_region
from valleymaps.render.element_ids import stable_element_ids
from valleymaps.render.suitability_map import render_suitability_map
from valleymaps.render.suitability_png import render_suitability_png
from valleymaps.suitability.catalog import TargetChoice
from valleymaps.suitability.grid import check_grid_size, make_grid
from valleymaps.suitability.inputs import SuitabilityInputs
from valleymaps.suitability.model import (
    SuitabilityResult,
    check_layer_overrides,
    choose_strip_tasks,
    compute_suitability,
    drop_missing_layers,
    find_missing_layers,
)
from valleymaps.suitability.profile import Profile
from valleymaps.workflows.offline import check_offline_assets, offline_page
from valleymaps.workflows.suitability_inputs import (
    choose_target,
    gather_suitability_inputs,
    layer_catalog,
    load_zones,
)
from valleymaps.workflows.suitability_outputs import preview_and_overlay, target_layer, write_tables
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class TargetRun:
    """What :func:`run_target` wrote."""

    choice: TargetChoice
    folder: Path
    result: SuitabilityResult
    files: list[Path] = field(default_factory=list)

    @property
    def page(self) -> Path:
        return self.folder / "map.html"


def _compute_leaving_out_empty(
    profile: Profile, inputs: SuitabilityInputs, *, allow_missing: bool, folder: Path, **kwargs: Any
) -> SuitabilityResult:
    """:func:`compute_suitability`, leaving out (with ``allow_missing``) the factors whose data give nothing.

    ``profile`` is the profile as written: factors whose layers are missing are left out here too.

    A factor whose layer has no features, or a cluster-metric factor the employment data cannot
    give (a component's LQ from sector-only LODES WAC), raises :class:`EmptyLayerError` only when
    it is computed. With ``allow_missing`` that factor is left out with a note and the other
    weights are rescaled from the profile's own (as for a missing layer, and as ``build`` does);
    without it the run is refused with a message naming the factor and both fixes.
    """
    empty: dict[str, str] = {}
    while True:
        try:
            return compute_suitability(
                drop_missing_layers(profile, inputs.catalog, empty=empty), inputs, folder=folder, **kwargs
            )
        except EmptyLayerError as exc:
            if exc.factor is None or exc.factor in empty:
                raise
            if not allow_missing:
                factor = next((f for f in profile.factors if f.key == exc.factor), None)
                label = repr(exc.factor)
                if factor is not None:
                    label = f"{factor.name!r} ({exc.factor}, weight {factor.weight:g})"
                raise EmptyLayerError(
                    f"factor {label} of profile '{profile.key}' ({profile.path or profile.key}) cannot be "
                    f"computed: {exc}\nOr pass --allow-missing to leave that factor out (the other "
                    "weights are scaled back to 100).",
                    factor=exc.factor,
                ) from exc
            log.info("suitability %s: factor %s left out: %s", profile.key, exc.factor, exc)
            empty[exc.factor] = str(exc)
            for leftover in folder.iterdir():  # a partial attempt's rasters
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()


def run_target(
    ws: Workspace,
    target: str,
    *,
    profile_path: str | os.PathLike[str] | None = None,
    resolution: float | None = None,
    layers: Mapping[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]]] | None = None,
    allow_missing: bool = False,
    out_dir: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    png: bool = True,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
    strips: int | None = None,
    executor: Executor | None = None,
    offline: bool = False,
    cache: str | os.PathLike[str] | None = None,
    lang: str | None = None,
) -> TargetRun:
    """Model the suitability of the region for one target industry and publish the results.

    Parameters
    ----------
    ws
        The workspace.
    target
        A target industry (as in ``data/econ/leakage_targets.csv``, any case) or a profile key.
    profile_path
        Use this profile file instead of the one listing the target.
    resolution
        Cell size in metres (default 100; 30 works).
    layers
        Layer name -> file, overriding the workspace's layers for this run.
    allow_missing
        Leave out factors and constraints whose data are missing, or give nothing (a layer
        without features, a cluster metric the employment data cannot give), with a note;
        the other weights are scaled back to 100. Without it such a run stops.
    out_dir
        Output folder (default ``outputs/suitability/<target-slug>/``).
    overwrite
        Replace an existing output folder.
    png
        Also write ``map.png``.
    force
        Run even when the grid has more cells than
        :data:`~valleymaps.settings.SUITABILITY_MAX_CELLS`.
    on_progress
        ``on_progress(stage, done, total)``.
    strips, executor
        Split the grid into this many strip tasks (bands of rows) run by ``executor`` (default this
        process; on a cluster one task per
        :data:`~valleymaps.settings.SUITABILITY_STRIP_TASK_CELLS` cells), mosaicked into the same
        rasters byte for byte (see :func:`~valleymaps.suitability.model.compute_suitability`). The
        strips are COG tiles in the workspace's
        :data:`~valleymaps.settings.SUITABILITY_TILE_STORE` until mosaicked; a rerun after a
        failure reuses the strips that were finished.
    offline, cache
        The page loads its scripts and styles from ``assets/`` in the output folder, copied from
        the download cache *cache* (``valleymaps fetch assets`` fills it once).
    lang
        Language of the page and the static map: ``"en"`` or ``"es"`` (default the workspace's
        ``[atlas] lang``, as for the atlas). Tables and messages stay English.

    Raises
    ------
    ConfigError
        If the target is unknown.
    OutputExistsError
        If the output folder exists and ``overwrite`` is false.
    DataSourceError
        If layers are missing (and ``allow_missing`` is false).
    EmptyLayerError
        If a factor's data give nothing (and ``allow_missing`` is false).
    ConfigError
        If a ``layers`` name is not a layer of the profile or its file does not exist (even with
        ``allow_missing``), or the grid is too large (and ``force`` is false).
    """
    language = i18n.resolve_language(lang if lang is not None else ws.config.lang)
    if offline:  # say what is missing before computing anything
        check_offline_assets(cache)
    choice = choose_target(target, ws=ws, profile_path=profile_path)
    final = (Path(out_dir) if out_dir is not None else ws.outputs_dir / "suitability" / choice.slug).resolve()
    if final.exists() and not overwrite:
        raise OutputExistsError(f"{final} exists. Pass --overwrite to replace it.")
    profile = choice.profile
    check_layer_overrides(profile, layers)
    catalog = layer_catalog(ws, overrides=layers)
    missing = find_missing_layers(profile, catalog)
    if missing and not allow_missing:
        raise DataSourceError(
            f"{len(missing)} layer(s) of profile '{profile.key}' ({profile.path}) are missing:\n"
            + "\n".join(f"  - {label}: {why}" for label, why in missing.items())
            + "\nProvide them, or pass --allow-missing to leave those factors out (the other weights are "
            "scaled back to 100)."
        )
    n_factors = len(drop_missing_layers(profile, catalog).factors)
    region = read_analysis_region(ws)
    check_grid_size(make_grid(region, resolution=resolution), n_factors=n_factors, force=force)
    zones, zone_level = load_zones(ws, region)
    # everything the model reads, read once; projects through the project store (PostGIS or GeoPackage)
    inputs = gather_suitability_inputs(ws, [profile], catalog=catalog, region=region, zones=zones)
    with work_dir(final.parent, prefix=f".{final.name}-build-") as work, i18n.use_language(language):
        result = _compute_leaving_out_empty(  # weights rescaled once, from the profile's own
            profile,
            inputs,
            allow_missing=allow_missing,
            folder=work,
            resolution=resolution,
            on_progress=on_progress,
            strips=strips,
            executor=executor,
            scratch=ws.root / settings.SUITABILITY_TILE_STORE,  # shared, and a rerun reuses its tiles
        )
        profile = result.profile
        files = write_tables(result, work, target=choice.target, zone_names=zones.set_index("geoid")["name"])
        values, transform, image = preview_and_overlay(result)
        layer = target_layer(
            result, key=profile.key, title=choice.target, image=image, image_url=image.data_uri()
        )
        size = f"{result.grid.resolution:g}"
        sources = [
            _("Suitability at {size} m (EPSG:3310); zones.csv summarises it per {zone} "
              "(a cell counts in the zone holding its centre).").format(size=size, zone=_(zone_level)),
            _("Profile: {file} ({profile}).").format(
                file=profile.path.name if profile.path else profile.key, profile=profile.name),
        ]
        notice = _(settings.synthetic_notice(None)) if result.synthetic else None
        with stable_element_ids(f"suitability:{profile.key}"):  # the same page on every run
            fmap = render_suitability_map(
                [layer],
                title=_("Where could {target} locate?").format(target=choice.target.lower()),
                subtitle=_("{region} site suitability · {profile}").format(
                    region=ws.config.region_name, profile=profile.name),
                source_lines=sources,
                outlines=region,
                synthetic_notice=notice,
            )
        if offline:
            text, _copies = offline_page(fmap.get_root().render(), work, cache=cache)
            write_text_atomic(work / "map.html", text)
        else:
            with atomic_path(work / "map.html") as tmp:
                fmap.save(str(tmp))
        files.append(work / "map.html")
        if png:
            fig = render_suitability_png(
                values,
                transform,
                sites=result.sites,
                title=_("Site suitability: {profile}").format(profile=choice.target),
                subtitle=_("{region} · {profile} · {size} m cells").format(
                    region=ws.config.region_name, profile=profile.name, size=size),
                outlines=region,
                source_lines=[*layer.source_lines, *sources],
                notes=list(layer.notes),
                synthetic_notice=notice,
            )
            fig.savefig(work / "map.png")
            files.append(work / "map.png")
        replace_dir(work, final)
    result.folder = final
    result.suitability_path = final / "suitability.tif"
    log.info("suitability for %r written to %s", choice.target, final)
    return TargetRun(choice=choice, folder=final, result=result, files=[final / f.name for f in files])


@dataclass(frozen=True)
class TargetTask:
    """One target of :func:`run_targets` as a task: the workspace folder, names and options, no data
    (picklable, so that a Dask worker can run it).

    ``out_dir`` is a staging folder the caller owns; :func:`run_target_task` writes the target's
    outputs there and the caller moves them into place.
    """

    workspace: Path
    target: str
    out_dir: Path
    profile_path: Path | None = None
    resolution: float | None = None
    layers: Mapping[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]]] | None = None
    allow_missing: bool = False
    png: bool = True
    force: bool = False
    offline: bool = False
    cache: Path | None = None
    lang: str | None = None


def run_target_task(task: TargetTask) -> TargetRun:
    """Run one target of :func:`run_targets` into its staging folder (a task, here or on a worker).

    A task started again after its worker died overwrites what the lost attempt left there.
    """
    ws = Workspace.open(task.workspace)
    run = run_target(ws, task.target, profile_path=task.profile_path, resolution=task.resolution,
                     layers=task.layers, allow_missing=task.allow_missing, out_dir=task.out_dir,
                     overwrite=True, png=task.png, force=task.force, offline=task.offline,
                     cache=task.cache, lang=task.lang)
    run.result.overlay.blocks = None  # the caller reads the rasters, not this preview
    return run


def _moved(path: Path, old: Path, new: Path) -> Path:
    try:
        return new / path.relative_to(old)
    except ValueError:
        return path


def _relocate(run: TargetRun, new: Path) -> TargetRun:
    """``run`` with every path under its folder moved to ``new``."""
    old, result = run.folder, run.result
    result.folder = _moved(result.folder, old, new)
    result.suitability_path = _moved(result.suitability_path, old, new)
    result.exclusion_path = _moved(result.exclusion_path, old, new)
    result.overlay.path = _moved(result.overlay.path, old, new)
    for factor in result.factors:
        factor.score_path = _moved(factor.score_path, old, new)
        factor.value_path = _moved(factor.value_path, old, new)
    return TargetRun(choice=run.choice, folder=new, result=result,
                     files=[_moved(f, old, new) for f in run.files])


def _strip_tasks(ws: Workspace, resolution: float | None, strips: int | None, executor: Executor) -> int:
    """How many strip tasks one target of :func:`run_targets` is split into (1: it is one task)."""
    if strips is None and not executor.distributed:
        return 1
    grid = make_grid(read_analysis_region(ws), resolution=resolution)
    return choose_strip_tasks(grid, strips, distributed=executor.distributed)


def run_targets(
    ws: Workspace,
    targets: Sequence[str],
    *,
    profile_path: str | os.PathLike[str] | None = None,
    folder: str | os.PathLike[str] | None = None,
    resolution: float | None = None,
    layers: Mapping[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]]] | None = None,
    allow_missing: bool = False,
    out_dir: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    png: bool = True,
    force: bool = False,
    executor: Executor | None = None,
    on_done: Callable[[TargetRun], None] | None = None,
    strips: int | None = None,
    offline: bool = False,
    cache: str | os.PathLike[str] | None = None,
    lang: str | None = None,
) -> list[TargetRun]:
    """Run several targets, one task each, and publish each one's folder as it is done.

    The same outputs as calling :func:`run_target` for each target, byte for byte, whichever
    executor runs the tasks. Each target is built in a staging folder and moved into
    ``<out_dir>/<target-slug>/`` (default ``outputs/suitability/``) when complete, so a reader
    never sees a half-written folder; the staging folder is removed at the end, whatever happened.
    Targets that resolve to the same profile and name run once.

    Parameters
    ----------
    ws
        The workspace.
    targets
        Targets or profile keys (as for :func:`run_target`).
    profile_path
        With one target: use this profile file instead of the one listing the target.
    out_dir
        Parent folder of the targets' folders (default ``outputs/suitability/``).
    folder
        With one target: its output folder (as ``out_dir`` of :func:`run_target`).
    executor
        Where the tasks run (:func:`valleymaps.compute.get_executor`; default this process, one
        target after another). On a Dask cluster the workers must see the workspace and the
        layers at the same paths.
    on_done
        Called with each target's run once its folder is in place.
    strips
        With one target: split its grid into this many strip tasks on ``executor`` (default on a
        cluster: one per :data:`~valleymaps.settings.SUITABILITY_STRIP_TASK_CELLS` cells); the
        target then runs here and only its factor pass is sent out. With several targets the
        targets are the tasks and ``strips`` is not used.
    resolution, layers, allow_missing, overwrite, png, force, offline, cache, lang
        As for :func:`run_target`, for every target (a worker writes in the language given here).

    Raises
    ------
    OutputExistsError
        If any target's folder exists and ``overwrite`` is false (all are named; nothing is run).
    ConfigError, DataSourceError, EmptyLayerError
        As :func:`run_target`: the first failing target's error (in the order given), once every
        task has ended; the targets done before it are in place.
    """
    if (profile_path is not None or folder is not None) and len(targets) != 1:
        raise ConfigError(f"a profile file or an output folder is for one target, not {len(targets)}; "
                          "give one target, or leave them out")
    choices: dict[str, str] = {}  # folder name -> the target as given
    for target in targets:
        choices.setdefault(choose_target(target, ws=ws, profile_path=profile_path).slug, target)
    parent = (Path(out_dir) if out_dir is not None else ws.outputs_dir / "suitability").resolve()
    if folder is not None:
        parent = Path(folder).resolve().parent
        choices = {Path(folder).resolve().name: targets[0]}
    existing = [parent / slug for slug in choices if (parent / slug).exists()]
    if existing and not overwrite:
        raise OutputExistsError(
            f"{len(existing)} output folder(s) exist: {', '.join(str(p) for p in existing[:10])}"
            + (" ..." if len(existing) > 10 else "") + ". Pass --overwrite to replace them."
        )
    if layers is not None:  # absolute: a worker does not run in this folder
        layers = {
            name: [str(Path(os.path.expanduser(os.fspath(p))).resolve())
                   for p in ([files] if isinstance(files, str | os.PathLike) else files)]
            for name, files in layers.items()
        }
    lang = i18n.resolve_language(lang if lang is not None else ws.config.lang)
    executor = executor or InProcessExecutor()
    if len(choices) == 1 and _strip_tasks(ws, resolution, strips, executor) > 1:
        (slug, target), = choices.items()  # one target too large for one task: its strips are the tasks
        run = run_target(ws, target, profile_path=profile_path, resolution=resolution, layers=layers,
                         allow_missing=allow_missing, out_dir=parent / slug, overwrite=overwrite, png=png,
                         force=force, strips=strips, executor=executor, offline=offline, cache=cache,
                         lang=lang)
        if on_done is not None:
            on_done(run)
        return [run]
    if strips is not None:
        log.info("--strips is for one target: %d targets run one task each", len(choices))
    log.info("suitability of %d targets on %s", len(choices), executor.description)
    runs: list[TargetRun] = []
    with work_dir(parent, prefix=".suitability-batch-") as stage:
        tasks = [
            TargetTask(workspace=ws.root.resolve(), target=target, out_dir=stage / slug,
                       profile_path=Path(profile_path).resolve() if profile_path is not None else None,
                       resolution=resolution, layers=layers, allow_missing=allow_missing, png=png,
                       force=force, offline=offline, cache=Path(cache).resolve() if cache else None,
                       lang=lang)
            for slug, target in choices.items()
        ]

        def publish(i: int, run: TargetRun) -> None:
            final = parent / tasks[i].out_dir.name
            replace_dir(tasks[i].out_dir, final)
            published = _relocate(run, final)
            runs.append(published)
            log.info("suitability for %r written to %s", published.choice.target, final)
            if on_done is not None:
                on_done(published)

        executor.map(run_target_task, tasks, on_done=publish)
    order = {slug: i for i, slug in enumerate(choices)}
    return sorted(runs, key=lambda r: order[r.folder.name])


__all__ = ["TargetRun", "TargetTask", "run_target", "run_target_task", "run_targets"]
