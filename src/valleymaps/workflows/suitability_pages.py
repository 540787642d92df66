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
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

import pandas as pd

from valleymaps import i18n, settings
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
from valleymaps.workflows.context import AtlasContext
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


def suitability_section(context: AtlasContext) -> list[AtlasCard]:
    """Write the suitability page of the atlas; one card per profile."""
    ws = context.ws
    try:
        profiles = list_profiles(ws)
        region = read_analysis_region(ws)
    except ValleymapsError as exc:
        log.warning("site suitability left out of the atlas: %s", exc)
        return []
    if not profiles:
        return []

    # the cluster metrics and the projects are the atlas's own, read once per build
    projects = context.projects.projects if context.projects is not None else None
    catalog = layer_catalog(ws, projects=projects_layer(projects) if projects is not None else None,
                            read_projects=False)

    def gather(wanted: list[Profile]) -> SuitabilityInputs:
        metrics = None if context.cluster_data is None else level_metrics(context.cluster_data)
        return gather_suitability_inputs(ws, wanted, catalog=catalog, region=region, cluster_metrics=metrics)

    try:
        shared: SuitabilityInputs | None = gather(profiles)  # once for every profile
    except ValleymapsError:
        shared = None  # then each profile's own inputs, so one profile's bad data leaves out only it
    support = _market_support(context)
    image_dir = context.build_dir / "suitability"
    image_dir.mkdir(exist_ok=True)
    layers: list[TargetLayer] = []
    cards: list[AtlasCard] = []
    tables = []
    synthetic = False
    with work_dir(ws.outputs_dir, prefix=".suitability-atlas-") as scratch:
        for profile in profiles:
            try:
                result = _compute_leaving_out_empty(
                    profile,
                    shared if shared is not None else gather([profile]),
                    folder=scratch / profile.key,
                    resolution=defaults.ATLAS_RESOLUTION_M,
                    cog=False,
                )
            except OutputWriteError:  # a full disk is no reason to leave a profile out: stop the build
                raise
            except ValleymapsError as exc:
                log.warning("suitability profile %s left out of the atlas: %s", profile.key, exc)
                continue
            synthetic |= result.synthetic
            values, transform, image = preview_and_overlay(result)
            (image_dir / f"{profile.key}.png").write_bytes(image.png)
            layers.append(
                target_layer(
                    result,
                    key=profile.key,
                    title=profile.name,
                    image=image,
                    image_url=f"suitability/{profile.key}.png",
                )
            )
            layers[-1].notes = [*layers[-1].notes, *_support_notes(profile, support)]
            tables.append(site_table(result))
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
                    source_lines=list(layers[-1].source_lines),
                    notes=list(layers[-1].notes),
                    synthetic_notice=_(settings.synthetic_notice(None)) if result.synthetic else None,
                )
            cards.append(
                AtlasCard(
                    _("Sites for {profile}").format(profile=profile.name),
                    _finding(result),
                    f"{PAGE}#{profile.key}",
                    thumb,
                    kind=CARD_KIND,
                )
            )
            shutil.rmtree(scratch / profile.key, ignore_errors=True)
        if not layers:
            return []
        fmap = render_suitability_map(
            layers,
            title=_("Where could the target industries locate? ({region})").format(
                region=ws.config.region_name),
            subtitle=_("Site suitability per profile at {size} m; run 'valleymaps suitability "
                       "--target ...' for 100 m or 30 m detail.").format(
                size=f"{defaults.ATLAS_RESOLUTION_M:g}"),
            source_lines=[
                _("Profiles: data/econ/suitability/*.toml (weights, transforms, constraints, site rules)."),
            ],
            outlines=region,
            synthetic_notice=_(settings.synthetic_notice(None)) if synthetic else None,
        )
        with atomic_path(context.build_dir / PAGE) as tmp:
            fmap.save(str(tmp))
        tables_dir = context.build_dir / "tables"
        tables_dir.mkdir(exist_ok=True)
        with atomic_path(tables_dir / "suitability_sites.csv") as tmp:
            neutralise_formulas(pd.concat(tables, ignore_index=True)).to_csv(tmp, index=False)
    log.info("suitability atlas page: %d profiles", len(layers))
    return cards
