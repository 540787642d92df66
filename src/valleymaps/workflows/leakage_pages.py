"""The atlas section "Value-chain leakage": its page, PNG, tables and index card.

With the BEA tables in the workspace (bundled, or ``valleymaps fetch bea`` / ``valleymaps
import io``), ``valleymaps build`` runs the leakage model once
(:func:`valleymaps.workflows.leakage.compute_workspace_leakage`) and writes:

* ``leakage.html`` - the ranked targets (bar chart and table), the cluster x commodity
  heat map and the plan's 2012 table side by side;
* ``png/leakage_targets.png`` - the ranked targets for reports;
* ``tables/leakage_*.csv`` and ``tables/leakage_run.json``.

Without the tables the index gets a card that says how to get them.
:func:`recomputed_market_support` gives the suitability targets their recomputed figures.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pandas as pd

from valleymaps import settings
from valleymaps.errors import ValleymapsError
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.io.atomic import write_text_atomic
from valleymaps.io.bea import DEFAULT_YEAR, io_store_paths
from valleymaps.render.atlas_index import AtlasCard
from valleymaps.render.leakage_page import (
    build_leakage_payload,
    format_usd,
    render_leakage_page,
    render_leakage_png,
)
from valleymaps.workflows.context import AtlasContext
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

PAGE = "leakage.html"
PNG = "leakage_targets.png"
KIND = N_("Value-chain leakage")

#: The card when the workspace has no BEA tables.
MISSING_TABLES = N_(
    "The BEA input-output tables are not in this workspace: run 'valleymaps fetch bea' or "
    "'valleymaps import io FILES' (the three BEA workbooks), then build again."
)


def has_io_tables(ws: Workspace, year: int = DEFAULT_YEAR) -> bool:
    """Whether the workspace stores the BEA tables of ``year``."""
    return io_store_paths(ws, year)[0].is_file()


def leakage_payload(ws: Workspace, run: Any) -> dict[str, Any]:
    """The page's payload for a :class:`~valleymaps.workflows.leakage.LeakageRun` of ``ws``."""
    return build_leakage_payload(
        run.result,
        region_name=ws.config.region_name,
        plan_comparison=run.plan_comparison,
        spearman=run.spearman,
        employment_dataset=run.dataset,
        employment_year=run.year,
        synthetic=run.synthetic,
    )


def leakage_section(context: AtlasContext) -> list[AtlasCard]:
    """Write the leakage page, PNG and tables; one card (or a card saying how to get the tables)."""
    from valleymaps.workflows.leakage import write_leakage_tables

    ws = context.ws
    if not has_io_tables(ws):
        return [AtlasCard(_(KIND), _(MISSING_TABLES), "", None, kind=KIND)]
    run = atlas_leakage_run(context)
    if run is None:
        exc = context.cache.get("leakage_error")
        return [AtlasCard(_(KIND), _("Not computed: {error}").format(error=exc), "", None, kind=KIND)]
    payload = leakage_payload(ws, run)
    tables = context.build_dir / "tables"
    tables.mkdir(exist_ok=True)
    written = write_leakage_tables(run, tables)
    downloads = [(f"{p.name}", f"tables/{p.name}") for p in written]
    context.downloads.append((_("Leakage targets (CSV)"), "tables/leakage_targets.csv"))
    notice = _(settings.synthetic_notice()) if run.synthetic else None
    html = render_leakage_page(
        payload, synthetic_notice=notice, downloads=downloads,
        source_lines=[
            _("Input-output tables: U.S. Bureau of Economic Analysis, {year} detail Use, "
              "Make and import-matrix tables before redefinitions (producers' prices).").format(
                year=DEFAULT_YEAR),
            _("Employment: {dataset} ({year}); national jobs: {national}.").format(
                dataset=run.dataset, year=run.year, national=run.national_source),
            _("Clusters: data/econ/clusters.toml; exclusion list: data/econ/leakage_exclusions.toml; "
              "the plan's targets: data/econ/leakage_targets.csv."),
        ],
    )
    write_text_atomic(context.build_dir / PAGE, html)
    thumb = None
    if context.png:
        thumb = context.add_png(render_leakage_png, PNG, payload=payload, synthetic_notice=notice)
    return [AtlasCard(_(KIND), payload["finding"], PAGE, thumb, kind=KIND)]


def atlas_leakage_run(context: AtlasContext) -> Any | None:
    """The build's leakage run (computed once, kept in ``context.cache``); None without tables."""
    if "leakage_run" not in context.cache:
        context.cache["leakage_run"] = None
        if has_io_tables(context.ws):
            from valleymaps.workflows.leakage import compute_workspace_leakage

            try:
                data = context.cluster_data  # the employment the build has read already
                context.cache["leakage_run"] = compute_workspace_leakage(
                    context.ws, datasets=data.datasets if data is not None and data.datasets else None
                )
            except ValleymapsError as exc:
                context.cache["leakage_error"] = exc
                log.warning("value-chain leakage not computed: %s", exc)
    return context.cache["leakage_run"]


def target_market_support(ws: Workspace, *, run: Any | None = None) -> pd.DataFrame | None:
    """The plan's targets with their recomputed market support, or None without BEA tables.

    Parameters
    ----------
    ws
        The workspace.
    run
        A :class:`~valleymaps.workflows.leakage.LeakageRun` already computed (else it is computed).

    Returns
    -------
    DataFrame or None
        ``description, plan_market_support_usd, recomputed_market_support_usd,
        recomputed_rank, dollars_year`` (one row per plan target; NaN where the target's
        commodities are not in the recomputed list).
    """
    if run is None:
        if not has_io_tables(ws):
            return None
        from valleymaps.workflows.leakage import compute_workspace_leakage

        try:
            run = compute_workspace_leakage(ws)
        except ValleymapsError as exc:
            log.warning("recomputed market support not available: %s", exc)
            return None
    comp = run.plan_comparison
    if not len(comp):
        return None
    out = comp[["description", "plan_market_support_usd", "recomputed_market_support_usd",
                "recomputed_rank"]].copy()
    out["dollars_year"] = run.result.dollars_year
    return out.reset_index(drop=True)


def market_support_text(row: Any) -> str:
    """``plan $336.1M (2010 $) · recomputed $81.6M (2012 $, rank 70)`` for one target row."""
    plan = _usd(row.get("plan_market_support_usd"))
    usd = row.get("recomputed_market_support_usd")
    rank = row.get("recomputed_rank")
    year = int(row["dollars_year"])
    if usd is None or pd.isna(usd):
        recomputed = _("not among the screened targets")
    else:
        recomputed = _("{usd} ({year} $, rank {rank})").format(usd=format_usd(float(usd)), year=year,
                                                             rank=int(rank))
    return _("plan {plan} (2010 $) · recomputed {recomputed}").format(plan=plan, recomputed=recomputed)


def _usd(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    return format_usd(v) if math.isfinite(v) else "—"


def market_support_lookup(table: pd.DataFrame | None) -> dict[str, str]:
    """Normalised target description -> :func:`market_support_text`."""
    from valleymaps.suitability.profile import normalize_target

    if table is None:
        return {}
    return {normalize_target(str(r["description"])): market_support_text(r)
            for _, r in table.iterrows()}
