"""The atlas section: every profile's suitability and candidate sites on one page.

``valleymaps build`` runs each profile (shipped and workspace ones) at
:data:`~valleymaps.suitability.defaults.ATLAS_RESOLUTION_M` (250 m, coarser
than the 100 m default of ``valleymaps suitability``, so the whole atlas
builds in seconds) and writes:

* ``suitability.html`` - one layer per profile, switchable and comparable;
  ``suitability.html#<profile key>`` opens on that profile;
* ``suitability/<key>.png`` - the overlay images the page loads;
* ``png/suitability-<key>.png`` - a static map per profile;
* ``tables/suitability_sites.csv`` - every profile's candidate sites.

Factors whose layers are not in the workspace are left out (the remaining
weights are scaled back to 100) and the page says so; a profile with no
factor left is skipped with a warning.

With a Dask executor (``valleymaps build --scheduler``) each profile's model run (rasters,
overlay, sites: :func:`run_atlas_profile`) is a task on the cluster, all sent at once while the
build writes its other pages; the previews, static maps, cards and the page are then made in
the build process from the rasters the tasks wrote under the atlas being built (the workers
must see the workspace's ``outputs/`` at the same path). The page is the same either way.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from valleymaps import i18n, settings
from valleymaps.compute.executor import Executor
from valleymaps.errors import EmptyLayerError, OutputWriteError, ValleymapsError
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.io.atomic import atomic_path, work_dir
from valleymaps.io.csv_safe import neutralise_formulas
from valleymaps.io.region import read_analysis_region
from valleymaps.render.atlas_index import AtlasCard
from valleymaps.render.suitability_map import TargetLayer, render_suitability_map
from valleymaps.render.suitability_png import render_suitability_png
from valleymaps.suitability import defaults
from valleymaps.suitability.inputs import SuitabilityInputs
from valleymaps.suitability.model import SuitabilityResult, compute_suitability, drop_missing_layers
from valleymaps.suitability.profile import Profile
from valleymaps.workflows.context import AtlasContext, SectionParts
from valleymaps.workflows.suitability_inputs import (
    gather_suitability_inputs,
    layer_catalog,
    level_metrics,
    list_profiles,
    projects_layer,
)
from valleymaps.workflows.suitability_outputs import preview_and_overlay, site_table, target_layer

log = logging.getLogger(__name__)

PAGE = "suitability.html"
CARD_KIND = N_("Site suitability")


def _finding(result: SuitabilityResult) -> str:
    sites = result.selected_sites
    targets = "; ".join(result.profile.targets[:3]) + (" …" if len(result.profile.targets) > 3 else "")
    if sites.empty:
        return _("No candidate site met the rules. Targets: {targets}.").format(targets=targets)
    best = sites.iloc[0]
    fields = {"score": i18n.format_decimal(best["score"], 0), "n": len(sites), "targets": targets,
              "acres": i18n.format_integer(best["area_acres"])}
    if isinstance(best.get("county"), str) and best["county"]:
        return _("Best site in {county} County: suitability {score}/100, {acres} acres ({n} sites). "
                 "Targets: {targets}.").format(county=best["county"], **fields)
    return _("Best site: suitability {score}/100, {acres} acres ({n} sites). Targets: {targets}.").format(
        **fields)


def _compute_leaving_out_empty(
    profile: Profile, inputs: SuitabilityInputs, **kwargs: Any
) -> SuitabilityResult:
    """:func:`compute_suitability` without the factors whose layers are missing or have no features.

    A workspace's project inventory without, say, broadband projects leaves the
    broadband factor out (its weight shared among the others, and the page says
    so), as a layer missing altogether does, rather than the whole profile.
    """
    empty: dict[str, str] = {}
    while True:
        try:
            return compute_suitability(drop_missing_layers(profile, inputs.catalog, empty=empty),
                                       inputs, **kwargs)
        except EmptyLayerError as exc:
            if exc.factor is None or exc.factor in empty:
                raise
            empty[exc.factor] = str(exc)


def _market_support(context: AtlasContext) -> dict[str, str]:
    """Target -> the plan's and the recomputed market support, when the workspace has BEA tables."""
    from valleymaps.workflows.leakage_pages import (
        atlas_leakage_run,
        market_support_lookup,
        target_market_support,
    )

    run = atlas_leakage_run(context)
    return market_support_lookup(target_market_support(context.ws, run=run)) if run is not None else {}


def _support_notes(profile: Profile, support: dict[str, str]) -> list[str]:
    from valleymaps.suitability.profile import normalize_target

    return [_("Market support of {target}: {support} (see leakage.html).").format(
                target=t, support=support[normalize_target(t)])
            for t in profile.targets if normalize_target(t) in support]


@dataclass
class _ProfileOutcome:
    """What one profile's run gives the page: its layer, site table and card (all picklable)."""

    layer: TargetLayer
    sites: pd.DataFrame
    card: AtlasCard
    synthetic: bool


@dataclass
class _Shared:
    """What every profile of a build reads: the layer catalogue, the inputs of all profiles (None
    when one profile's bad data would fail them all), the market support."""

    gather: Callable[[list[Profile]], SuitabilityInputs]
    inputs: SuitabilityInputs | None
    support: dict[str, str]


def _shared(context: AtlasContext, profiles: list[Profile], region: Any) -> _Shared:
    """The inputs shared by the profiles, gathered once per process (kept in ``context.cache``)."""
    cached = context.cache.get("suitability_shared")
    if isinstance(cached, _Shared):
        return cached
    ws = context.ws
    # the cluster metrics and the projects are the atlas's own, read once per build
    projects = context.projects.projects if context.projects is not None else None
    catalog = layer_catalog(ws, projects=projects_layer(projects) if projects is not None else None,
                            read_projects=False)

    def gather(wanted: list[Profile]) -> SuitabilityInputs:
        metrics = None if context.cluster_data is None else level_metrics(context.cluster_data)
        return gather_suitability_inputs(ws, wanted, catalog=catalog, region=region, cluster_metrics=metrics)

    try:
        inputs: SuitabilityInputs | None = gather(profiles)  # once for every profile
    except ValleymapsError:
        inputs = None  # then each profile's own inputs, so one profile's bad data leaves out only it
    shared = _Shared(gather, inputs, _market_support(context))
    context.cache["suitability_shared"] = shared
    return shared


@dataclass(frozen=True)
class AtlasProfileTask:
    """One profile of the atlas's suitability section as a task (picklable: a Dask worker can run
    it): the profile, what it reads, and the folder its rasters go to (under the atlas being built)."""

    profile: Profile
    inputs: SuitabilityInputs
    folder: Path
    resolution: float = defaults.ATLAS_RESOLUTION_M


def run_atlas_profile(task: AtlasProfileTask) -> SuitabilityResult | str:
    """Run one profile of the atlas (here or on a worker): its result, or why it is left out.

    A full disk stops the build (raised); any other valleymaps error leaves the profile out of
    the page, with a warning, and is returned as text.
    """
    try:
        return _compute_leaving_out_empty(task.profile, task.inputs, folder=task.folder,
                                          resolution=task.resolution, cog=False)
    except OutputWriteError:  # a full disk is no reason to leave a profile out: stop the build
        raise
    except ValleymapsError as exc:
        return str(exc)


def _profile_inputs(shared: _Shared, profile: Profile) -> SuitabilityInputs | str:
    """The inputs of ``profile`` (those of every profile when they could be read together), or
    why they cannot be read."""
    if shared.inputs is not None:
        return shared.inputs
    try:
        return shared.gather([profile])
    except OutputWriteError:
        raise
    except ValleymapsError as exc:
        return str(exc)


def _run_profile(
    context: AtlasContext, profile: Profile, profiles: list[Profile], region: Any
) -> _ProfileOutcome | None:
    """Run one profile at the atlas resolution: its overlay image and static PNG written, its
    layer, sites and card returned; None (with a warning) when it cannot run."""
    shared = _shared(context, profiles, region)
    with work_dir(context.ws.outputs_dir, prefix=".suitability-atlas-") as scratch:
        inputs = _profile_inputs(shared, profile)
        outcome = inputs if isinstance(inputs, str) else run_atlas_profile(
            AtlasProfileTask(profile, inputs, scratch / profile.key))
        return _finish_profile(context, profile, outcome, region, shared)


def _finish_profile(
    context: AtlasContext, profile: Profile, outcome: SuitabilityResult | str, region: Any, shared: _Shared
) -> _ProfileOutcome | None:
    """A profile's overlay image and static PNG written from its rasters, its layer, sites and
    card returned; None (with a warning) when it could not run (``outcome`` says why)."""
    if isinstance(outcome, str):
        log.warning("suitability profile %s left out of the atlas: %s", profile.key, outcome)
        return None
    ws, result = context.ws, outcome
    image_dir = context.build_dir / "suitability"
    image_dir.mkdir(exist_ok=True)
    values, transform, image = preview_and_overlay(result)
    (image_dir / f"{profile.key}.png").write_bytes(image.png)
    layer = target_layer(
        result,
        key=profile.key,
        title=profile.name,
        image=image,
        image_url=f"suitability/{profile.key}.png",
    )
    layer.notes = [*layer.notes, *_support_notes(profile, shared.support)]
    thumb = None
    if context.png:
        thumb = context.add_png(
            render_suitability_png,
            f"suitability-{profile.key}.png",
            values=values,
            transform=transform,
            sites=result.sites,
            title=_("Site suitability: {profile}").format(profile=profile.name),
            subtitle=_("{region} · {size} m cells").format(
                region=ws.config.region_name, size=f"{result.grid.resolution:g}"),
            outlines=region,
            source_lines=list(layer.source_lines),
            notes=list(layer.notes),
            synthetic_notice=_(settings.synthetic_notice(None)) if result.synthetic else None,
        )
    card = AtlasCard(
        _("Sites for {profile}").format(profile=profile.name),
        _finding(result),
        f"{PAGE}#{profile.key}",
        thumb,
        kind=CARD_KIND,
    )
    return _ProfileOutcome(layer, site_table(result), card, result.synthetic)


def _assemble(context: AtlasContext, outcomes: list[_ProfileOutcome | None], region: Any) -> list[AtlasCard]:
    """Write the page (one layer per profile that ran) and the site table; the profiles' cards."""
    ws = context.ws
    done = [o for o in outcomes if o is not None]
    if not done:
        return []
    fmap = render_suitability_map(
        [o.layer for o in done],
        title=_("Where could the target industries locate? ({region})").format(region=ws.config.region_name),
        subtitle=_(
            "Site suitability per profile at {size} m; run 'valleymaps suitability "
            "--target ...' for 100 m or 30 m detail."
        ).format(size=f"{defaults.ATLAS_RESOLUTION_M:g}"),
        source_lines=[
            _("Profiles: data/econ/suitability/*.toml (weights, transforms, constraints, site rules)."),
        ],
        outlines=region,
        synthetic_notice=_(settings.synthetic_notice(None)) if any(o.synthetic for o in done) else None,
    )
    with atomic_path(context.build_dir / PAGE) as tmp:
        fmap.save(str(tmp))
    tables_dir = context.build_dir / "tables"
    tables_dir.mkdir(exist_ok=True)
    with atomic_path(tables_dir / "suitability_sites.csv") as tmp:
        neutralise_formulas(pd.concat([o.sites for o in done], ignore_index=True)).to_csv(tmp, index=False)
    log.info("suitability atlas page: %d profiles", len(done))
    return [o.card for o in done]


def _profiles_and_region(context: AtlasContext) -> tuple[list[Profile], Any] | None:
    try:
        profiles = list_profiles(context.ws)
        region = read_analysis_region(context.ws)
    except ValleymapsError as exc:
        log.warning("site suitability left out of the atlas: %s", exc)
        return None
    return (profiles, region) if profiles else None


def suitability_section(context: AtlasContext) -> list[AtlasCard]:
    """Write the suitability page of the atlas; one card per profile."""
    found = _profiles_and_region(context)
    if found is None:
        return []
    profiles, region = found
    return _assemble(context, [_run_profile(context, p, profiles, region) for p in profiles], region)


def suitability_parts(context: AtlasContext) -> SectionParts:
    """:func:`suitability_section` as one part per profile (run side by side) and the page.

    The profiles and the region are read here, in the build process, and so are the inputs
    every profile shares and the market support (the leakage run, which the leakage section
    then reuses): the build's forked workers inherit them instead of each gathering its own.
    Each part runs its profile.
    """
    found = _profiles_and_region(context)
    if found is None:
        return SectionParts({}, lambda results: [])
    profiles, region = found
    if context.executor is not None and context.executor.distributed:
        return _parts_on_cluster(context, profiles, region, context.executor)
    _shared(context, profiles, region)  # kept in context.cache, before any worker is forked

    def part(profile: Profile) -> Callable[[], _ProfileOutcome | None]:
        return lambda: _run_profile(context, profile, profiles, region)

    def assemble(results: dict[str, Any]) -> list[AtlasCard]:
        return _assemble(context, [results[p.key] for p in profiles], region)

    return SectionParts({p.key: part(p) for p in profiles}, assemble)


def _parts_on_cluster(
    context: AtlasContext, profiles: list[Profile], region: Any, executor: Executor
) -> SectionParts:
    """The section with every profile's model run sent to ``executor`` now, as one task each
    (:func:`run_atlas_profile`), in a thread of the build process that waits for them while the
    build writes its other pages; ``assemble`` (in this process) makes the rest from their rasters.

    The rasters go to a hidden folder in the atlas being built, removed once assembled (and with
    the atlas's folder if the build fails).
    """
    shared = _shared(context, profiles, region)
    stage = Path(tempfile.mkdtemp(prefix=".suitability-tasks-", dir=context.build_dir))
    stage.chmod(0o755)  # the workers may run as another user of the shared file system
    early: dict[str, str] = {}  # profiles whose inputs cannot be read
    tasks = []
    for profile in profiles:
        inputs = _profile_inputs(shared, profile)
        if isinstance(inputs, str):
            early[profile.key] = inputs
        else:
            tasks.append(AtlasProfileTask(profile, inputs, stage / profile.key))
    log.info("suitability atlas: %d profiles sent to %s", len(tasks), executor.description)
    pool = ThreadPoolExecutor(1, thread_name_prefix="valleymaps-suitability")
    running = pool.submit(executor.map, run_atlas_profile, tasks)
    pool.shutdown(wait=False)

    def assemble(_results: dict[str, Any]) -> list[AtlasCard]:
        try:
            done: dict[str, SuitabilityResult | str] = {
                t.profile.key: r for t, r in zip(tasks, running.result(), strict=True)}
            done |= early
            outcomes = [_finish_profile(context, p, done[p.key], region, shared) for p in profiles]
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return _assemble(context, outcomes, region)

    return SectionParts({}, assemble)


__all__ = ["AtlasProfileTask", "run_atlas_profile", "suitability_parts", "suitability_section"]
