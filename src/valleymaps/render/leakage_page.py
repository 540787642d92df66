"""The atlas page "Value-chain leakage": ranked targets, cluster x commodity flows, the plan's table.

:func:`build_leakage_payload` turns the model's result into plain data (what the page shows,
tests call it directly); :func:`render_leakage_page` returns the page's HTML (a string; the
caller writes it) and :func:`render_leakage_png` a matplotlib figure of the ranked targets.

The page draws its bar chart and heat map with a small script (``templates/leakage.js``,
SVG built with ``createElementNS`` and every text set with ``textContent``); the same figures
are in plain tables (escaped here) for readers without the chart. No CDN.

>>> from valleymaps.analysis.io_model import compute_leakage, example_tables
>>> import pandas as pd
>>> res = compute_leakage(example_tables(), pd.Series({"111": 10.0, "311": 20.0, "54": 5.0}),
...                       pd.Series({"111": 100.0, "311": 100.0, "54": 100.0}))
>>> payload = build_leakage_payload(res, region_name="Valley")
>>> payload["dollars_year"], len(payload["targets"]) > 0
(2012, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

import pandas as pd

from valleymaps import i18n
from valleymaps.analysis.io_model import COMMODITY_FLAGS, OTHER_BUYERS, LeakageResult
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _
from valleymaps.render._safe_json import script_json
from valleymaps.render.plain_text import plain_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Targets in the bar chart, its table and the PNG.
TOP_TARGETS = 25

#: Commodities (columns) of the heat map: the top targets.
HEAT_COMMODITIES = 15

METHOD_LABELS: dict[str, str] = {
    "sdp": N_("supply-demand pooling"),
    "slq": N_("simple location quotients"),
    "cilq": N_("cross-industry location quotients"),
    "flq": N_("Flegg's location quotients (FLQ)"),
}
"""In English; shown through the catalogue."""


#: What the model calls purchases by industries in no cluster (``OTHER_BUYERS``).
OTHER_BUYERS_NAME = N_("Other buyers (no cluster)")


def _num(value: Any, digits: int = 0) -> float | None:
    """A finite number rounded to ``digits`` (whole dollars by default), else None.

    Rounded so that the last bits of a float sum (which may change with the order a threaded
    product adds them) never change the page's bytes between two builds.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return round(v, digits) + 0.0 if math.isfinite(v) else None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def format_usd(value: float | None) -> str:
    """``$1.16B`` / ``$856.0M``-style dollars; ``—`` for none.

    >>> format_usd(1_162_907_171.0), format_usd(856_000_000.0), format_usd(None)
    ('$1.16B', '$856.0M', '—')
    """
    if value is None or not math.isfinite(value):
        return "—"
    if i18n.current_language() == "en":
        if abs(value) >= 1e9:
            return f"${value / 1e9:,.2f}B"
        if abs(value) >= 1e6:
            return f"${value / 1e6:,.1f}M"
        return f"${value:,.0f}"
    if abs(value) >= 1e6:  # the language's short forms (es-US: $856 M, $1163 M for a U.S. billion)
        return i18n.format_compact_usd(value)
    return "$" + i18n.format_integer(value)


def _reasons(result: LeakageResult, *, employment_year: int | None) -> list[str]:
    method = result.method
    label = _(METHOD_LABELS[method]) if method in METHOD_LABELS else method
    farm = {
        "included": _("farms are in the employment data"),
        "estimated": _("farm jobs are estimated from another dataset's sector 11"),
    }.get(result.farm_coverage, _("farms are left out of the employment data: their purchases are "
                                  "missing and farm commodities flagged F"))
    data_year = (
        _("Data year: the plan used IMPLAN's 2010 model in 2010 dollars; this page uses employment of "
          "{employment_year} with the BEA's {year} benchmark tables in {year} dollars.")
        if employment_year
        else _("Data year: the plan used IMPLAN's 2010 model in 2010 dollars; this page uses the "
               "BEA's {year} benchmark tables in {year} dollars.")
    ).format(employment_year=employment_year, year=result.dollars_year)
    how = f"{method}" + (f", delta {result.delta:g}" if result.delta is not None else "")
    return [
        data_year,
        _("IMPLAN's own regional purchase coefficients: IMPLAN estimates them (econometric, from trade "
          "flows); here they come from {label} ({how}).").format(label=label, how=how),
        _("R&D and software: since the 2013 comprehensive revision the BEA treats them as investment "
          "(final demand), so business purchases of research and development and of software - two "
          "of the plan's top targets - are far smaller than in IMPLAN 3."),
        _("Farm coverage: {farm}.").format(farm=farm),
        _("Method and screen: the region's industries come from its employment by NAICS code through "
          "the BEA concordance, and the exclusion list (data/econ/leakage_exclusions.toml) screens "
          "out government, used goods, owner-occupied housing and similar commodities."),
    ]


def _buyers(by_cluster: pd.DataFrame, commodity: str, total: float) -> list[dict[str, Any]]:
    rows = by_cluster[by_cluster["commodity"] == commodity]
    rows = rows[rows["leakage_usd"] > 0].sort_values("leakage_usd", ascending=False)
    out = []
    for _i, r in rows.iterrows():
        share = round(float(r["leakage_usd"]) / total, 6) if total > 0 else None
        out.append({"cluster": _text(r["cluster_name"]) or _text(r["cluster"]),
                    "usd": _num(r["leakage_usd"]), "share": share})
    return out


def _unranked_note(by_commodity: pd.DataFrame, commodities: str) -> str:
    """Why a plan target has no recomputed rank (excluded, or no leakage at all)."""
    codes = [c for c in commodities.split(";") if c]
    rows = by_commodity[by_commodity["commodity"].isin(codes)]
    if rows.empty:
        return _("not in the BEA tables' commodities")
    excluded = rows[rows["excluded"].astype(bool)]
    if len(excluded):
        return _("excluded: {reason}").format(reason=_text(excluded["exclusion_reason"].iloc[0]))
    if float(rows["leakage_usd"].sum()) <= 0:
        rpc = _num(rows["rpc"].min(), 6)
        if rpc is None:
            return _("no leakage: bought in the region")
        return _("no leakage: bought in the region (purchase coefficient {rpc})").format(
            rpc=i18n.format_decimal(rpc, 2))
    return ""


def build_leakage_payload(
    result: LeakageResult,
    *,
    region_name: str,
    plan_comparison: pd.DataFrame | None = None,
    spearman: float | None = None,
    employment_dataset: str = "",
    employment_year: int | None = None,
    synthetic: bool = False,
    top: int = TOP_TARGETS,
    heat_commodities: int = HEAT_COMMODITIES,
) -> dict[str, Any]:
    """Everything the leakage page shows, as plain data (JSON-ready; NaN as None).

    Parameters
    ----------
    result
        The model's result (:func:`valleymaps.analysis.io_model.compute_leakage`).
    region_name
        The region, for titles.
    plan_comparison, spearman
        The plan's targets beside the recomputed list
        (:func:`~valleymaps.analysis.io_model.compare_with_plan`) and Spearman's rank
        correlation; None without the plan's table.
    employment_dataset, employment_year, synthetic
        The employment the model ran on.
    top, heat_commodities
        Targets in the bar chart and commodities (columns) of the heat map.

    Returns
    -------
    dict
        ``title, region, dollars_year, dollars, method, method_label, farm_coverage,
        employment_dataset, employment_year, synthetic, targets`` (rank, commodity,
        description, market_support_usd, leakage_us_usd, leakage_abroad_usd, share_us,
        share_abroad, flags, buyers), ``heat`` (clusters, commodities, descriptions, values),
        ``plan`` (rows, spearman, found, total), ``reasons``, ``flags``, ``notes``, ``finding``.
    """
    targets = result.targets.sort_values("rank").head(top)
    by_cluster = result.by_cluster
    if i18n.current_language() != "en" and len(by_cluster):  # the model's own name for the rest
        by_cluster = by_cluster.copy()
        others = by_cluster["cluster"] == OTHER_BUYERS
        by_cluster.loc[others, "cluster_name"] = _(OTHER_BUYERS_NAME)
    rows = []
    for _i, t in targets.iterrows():
        us, abroad = _num(t.get("leakage_us_usd")), _num(t.get("leakage_abroad_usd"))
        total = _num(t["market_support_usd"]) or 0.0
        rows.append({
            "rank": int(t["rank"]),
            "commodity": _text(t["commodity"]),
            "description": _text(t["description"]),
            "market_support_usd": _num(t["market_support_usd"]),
            "leakage_us_usd": us,
            "leakage_abroad_usd": abroad,
            "share_abroad": _num(t.get("share_from_abroad"), 6),
            "share_us": round(us / total, 6) if (us is not None and total > 0) else None,
            "flags": _text(t.get("flags")),
            "buyers": _buyers(by_cluster, str(t["commodity"]), total),
        })
    heat_codes = [r["commodity"] for r in rows[:heat_commodities]]
    heat = by_cluster[by_cluster["commodity"].isin(heat_codes)]
    cluster_order = (heat.groupby("cluster_name", sort=True)["leakage_usd"].sum()
                     .sort_values(ascending=False, kind="stable"))
    clusters = [str(c) for c in cluster_order.index]
    pivot = (heat.pivot_table(index="cluster_name", columns="commodity", values="leakage_usd",
                              aggfunc="sum", fill_value=0.0)
             .reindex(index=clusters, columns=heat_codes, fill_value=0.0)) if len(heat) else None
    values = ([[_num(v) or 0.0 for v in pivot.loc[c]] for c in clusters]
              if pivot is not None else [])
    plan_rows: list[dict[str, Any]] = []
    if plan_comparison is not None and len(plan_comparison):
        for _i, p in plan_comparison.iterrows():
            rank = _num(p.get("recomputed_rank"))
            plan_rows.append({
                "plan_rank": int(p["plan_rank"]),
                "description": _text(p["description"]),
                "plan_market_support_usd": _num(p.get("plan_market_support_usd")),
                "commodities": _text(p.get("commodities")),
                "recomputed_market_support_usd": _num(p.get("recomputed_market_support_usd")),
                "recomputed_rank": int(rank) if rank is not None else None,
                "note": "" if rank is not None else _unranked_note(result.by_commodity,
                                                                  _text(p.get("commodities"))),
            })
    rho = _num(spearman, 6)
    found = sum(1 for p in plan_rows if p["recomputed_rank"] is not None)
    flags_used = sorted({f for r in rows for f in str(r["flags"])})
    payload: dict[str, Any] = {
        "title": _("Value-chain leakage: {region}").format(region=region_name),
        "region": region_name,
        "dollars_year": int(result.dollars_year),
        "dollars": _("{year} dollars").format(year=result.dollars_year),
        "method": result.method,
        "method_label": _(METHOD_LABELS[result.method]) if result.method in METHOD_LABELS else result.method,
        "delta": result.delta,
        "farm_coverage": result.farm_coverage,
        "employment_dataset": employment_dataset,
        "employment_year": employment_year,
        "synthetic": bool(synthetic),
        "targets": rows,
        "total_targets": len(result.targets),
        "heat": {"clusters": clusters, "commodities": heat_codes,
                 "descriptions": [r["description"] for r in rows[:heat_commodities]],
                 "values": values},
        "plan": {"rows": plan_rows, "spearman": rho, "found": found, "total": len(plan_rows)},
        "reasons": _reasons(result, employment_year=employment_year),
        "flags": {f: _(COMMODITY_FLAGS[f]) for f in flags_used if f in COMMODITY_FLAGS},
        "notes": [i18n.translate(n) for n in result.notes],
    }
    payload["finding"] = leakage_finding(payload)
    return payload


def leakage_finding(payload: dict[str, Any]) -> str:
    """One line for the index card: the top target and its market support."""
    if not payload["targets"]:
        return _("No commodity leaks out of the region after the exclusion list.")
    top = payload["targets"][0]
    text = _("Top target: {target}, {usd} of purchases made outside the region ({dollars}, {method})").format(
        target=top["description"], usd=format_usd(top["market_support_usd"]), dollars=payload["dollars"],
        method=payload["method"])
    rho = payload["plan"]["spearman"]
    if rho is not None:
        text += "; " + _("rank correlation with the plan's 23 targets {rho}").format(
            rho=i18n.format_decimal(rho, 2, signed=True))
    return text + "."


def _template(name: str) -> str:
    return (resources.files("valleymaps.render") / "templates" / name).read_text(encoding="utf-8")


def _percent(value: float | None) -> str:
    return "—" if value is None else i18n.format_percent(value, 0)


def _buyers_text(buyers: Sequence[dict[str, Any]], limit: int = 3) -> str:
    parts = [f"{b['cluster']} {_percent(b['share'])}" for b in buyers[:limit]]
    return "; ".join(parts) + (" …" if len(buyers) > limit else "")


def _targets_table(payload: dict[str, Any]) -> str:
    head = "<tr>" + "".join(
        f'<th scope="col">{escape(_(h), quote=False)}</th>'
        for h in (N_("Rank"), N_("Commodity"), N_("Market support"), N_("Rest of U.S."), N_("Abroad"),
                  N_("Bought by"), N_("Flags"))
    ) + "</tr>"
    body = []
    for r in payload["targets"]:
        body.append(
            f"<tr><td>{r['rank']}</td><td>{escape(r['description'])} "
            f"<span class=\"code\">{escape(r['commodity'])}</span></td>"
            f"<td class=\"num\">{escape(format_usd(r['market_support_usd']))}</td>"
            f"<td class=\"num\">{escape(_percent(r['share_us']))}</td>"
            f"<td class=\"num\">{escape(_percent(r['share_abroad']))}</td>"
            f"<td>{escape(_buyers_text(r['buyers']))}</td><td>{escape(r['flags'])}</td></tr>"
        )
    caption = _("Top {n} targets, {dollars}").format(n=len(payload["targets"]), dollars=payload["dollars"])
    return (f"<table id=\"targets-table\"><caption>{escape(caption, quote=False)}</caption>"
            f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>")


def _plan_table(payload: dict[str, Any]) -> str:
    plan = payload["plan"]
    if not plan["rows"]:
        missing = _("The plan's table (data/econ/leakage_targets.csv) is not in this workspace.")
        return f"<p>{escape(missing, quote=False)}</p>"
    body = []
    for p in plan["rows"]:
        rank = p["recomputed_rank"]
        body.append(
            f"<tr><td>{p['plan_rank']}</td><td>{escape(p['description'])}</td>"
            f"<td class=\"num\">{escape(format_usd(p['plan_market_support_usd']))}</td>"
            f"<td class=\"num\">{'—' if rank is None else rank}</td>"
            f"<td class=\"num\">{escape(format_usd(p['recomputed_market_support_usd']))}</td>"
            f"<td><span class=\"code\">{escape(p['commodities'])}</span></td>"
            f"<td>{escape(p['note'])}</td></tr>"
        )
    rho = plan["spearman"]
    rho_text = _("not computable") if rho is None else i18n.format_decimal(rho, 2, signed=True)
    before, after = _(
        "Spearman rank correlation between the plan's ranks and the recomputed ranks: {rho} ({found} "
        "of {total} of the plan's targets found in the recomputed list of {listed})."
    ).split("{rho}")
    fields = {"found": plan["found"], "total": plan["total"], "listed": payload["total_targets"]}
    caption = _(
        "The plan's 2012 targets (IMPLAN 3, 2010 dollars) beside the recomputed list ({dollars})"
    ).format(dollars=payload["dollars"])
    heads = (N_("Plan rank"), N_("Target"), N_("Plan's market support"), N_("Recomputed rank"),
             N_("Recomputed market support"), N_("BEA commodities"), N_("Note"))
    return (
        f"<p id=\"spearman\">{escape(before.format(**fields), quote=False)}"
        f"<strong>{escape(rho_text)}</strong>"
        f"{escape(after.format(**fields), quote=False)}</p>"
        f"<table id=\"plan-table\"><caption>{escape(caption, quote=False)}</caption><thead><tr>"
        + "".join(f'<th scope="col">{escape(_(h), quote=False)}</th>' for h in heads)
        + f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def leakage_strings() -> dict[str, str]:
    """The words of the leakage page's script, in the build's language (the script has none)."""
    return {
        "locale": i18n.js_locale(),
        "usdB": "${value}B",
        "usdM": "${value}M",
        "compactUsd": "" if i18n.current_language() == "en" else "1",  # short forms of the locale
        "marketSupport": _("Market support: {usd} ({dollars})"),
        "fromWhere": _("From where: rest of the U.S. {us}, abroad {abroad}"),
        "whatBuys": _("What buys it:"),
        "flags": _("Flags: {flags}"),
        "noTargets": _("No targets."),
        "restOfUs": _("rest of the U.S."),
        "abroad": _("abroad"),
        "noPurchases": _("No purchases by cluster."),
        "boughtBy": _("Bought outside the region by {cluster}: {usd} ({dollars})"),
    }


def render_leakage_page(
    payload: dict[str, Any], *, synthetic_notice: str | None = None,
    source_lines: Sequence[str] = (), downloads: Sequence[tuple[str, str]] = (),
) -> str:
    """The page's HTML (a string). Text from data is escaped here or set with ``textContent``."""
    notice = (f'<div class="synthetic" id="synthetic-notice">{escape(synthetic_notice)}</div>'
              if synthetic_notice else "")
    emp = ""
    if payload["employment_dataset"]:
        emp = " " + escape(_("Employment: {dataset}.").format(
            dataset=payload["employment_dataset"]
            + (", " + str(payload["employment_year"]) if payload["employment_year"] else "")))
    flags = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in payload["flags"].items())
    notes = "".join(f"<li>{escape(n)}</li>" for n in payload["notes"])
    reasons = "".join(f"<li>{escape(r)}</li>" for r in payload["reasons"])
    links = " · ".join(f'<a href="{escape(h, quote=True)}">{escape(label)}</a>'
                       for label, h in downloads)
    sources = "".join(f"<p>{escape(s)}</p>" for s in source_lines)
    intro_before, intro_after = _(
        "What the region's businesses buy from other businesses outside the region: the market "
        "an attracted or expanded local business could serve. Market support in {dollars}; regional "
        "purchase coefficients by {method}."
    ).split("{dollars}")
    bar_label = _("Bar chart of the top targets by market support; the same figures are in the table below.")
    heat_hint = _("Purchases made outside the region by the buying cluster's industries, "
                  "for the top targets (darker: more dollars).")
    heat_label = _("Heat map of purchases outside the region by cluster and commodity")
    plan_heading = _("The plan's 2012 targets side by side")
    words = {
        "atlas": _("Atlas"),
        "ranked": _("Ranked targets: market support"),
        "hover": _("Hover or focus a bar: who buys it and from where."),
        "who": _("Who buys it: cluster × commodity"),
        "why": _("Why the dollars differ"),
        "notes": _("Notes"),
        "downloads": _("Downloads:"),
    }
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{escape(i18n.html_lang(), quote=True)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(payload['title'])}</title><style>{_template('leakage.css')}</style></head><body>",
        f'<header><p class="back"><a href="index.html">&larr; {escape(words["atlas"], quote=False)}</a></p>',
        f'<h1>{escape(payload["title"])}</h1>',
        f"<p>{escape(intro_before, quote=False)}"
        f"<strong id=\"dollars-year\">{escape(payload['dollars'])}</strong>"
        f"{escape(intro_after, quote=False).format(method=escape(payload['method_label']))}{emp}"
        "</p></header><main>",
        notice,
        '<section aria-labelledby="h-targets"><h2 id="h-targets">'
        f'{escape(words["ranked"], quote=False)}</h2>',
        f'<p class="hint">{escape(words["hover"], quote=False)}</p>',
        f'<div id="bar-chart" class="chart" role="img" aria-label="{escape(bar_label, quote=True)}"></div>',
        '<div id="leakage-tip" class="tip" role="tooltip" hidden></div>',
        _targets_table(payload),
        f"<ul class=\"flags\">{flags}</ul>" if flags else "",
        "</section>",
        '<section aria-labelledby="h-heat"><h2 id="h-heat">'
        f'{escape(words["who"], quote=False)}</h2>',
        f'<p class="hint">{escape(heat_hint, quote=False)}</p>',
        f'<div id="heat-map" class="chart" role="img" aria-label="{escape(heat_label, quote=True)}">'
        "</div></section>",
        f'<section aria-labelledby="h-plan"><h2 id="h-plan">{escape(plan_heading, quote=False)}</h2>',
        _plan_table(payload),
        f'<h3>{escape(words["why"], quote=False)}</h3><ul id="reasons">{reasons}</ul></section>',
        f'<section><h2>{escape(words["notes"], quote=False)}</h2><ul class="notes">{notes}</ul>',
        f"<p>{escape(words['downloads'], quote=False)} {links}</p>" if links else "",
        f"{sources}</section></main>",
        f'<script type="application/json" id="leakage-data">{script_json(payload)}</script>',
        f'<script type="application/json" id="leakage-strings">{script_json(leakage_strings())}</script>',
        f"<script>{_template('leakage.js')}</script>",
        "</body></html>",
    ])


#: Characters of a target's name beside its bar (a longer one ends in an ellipsis).
_LABEL_CHARS = 48


def _shortened(text: str, limit: int) -> str:
    """``text``, or its first ``limit - 1`` characters and an ellipsis when longer.

    >>> _shortened("Advertising, public relations, and related services", 30)
    'Advertising, public relations…'
    """
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;") + "…"


@plain_text
def render_leakage_png(payload: dict[str, Any], *, synthetic_notice: str | None = None) -> Figure:
    """A horizontal bar chart of the top targets for reports (a matplotlib figure)."""
    from matplotlib.figure import Figure

    rows = payload["targets"]
    fig = Figure(figsize=(9, 1.6 + 0.28 * max(len(rows), 1)), dpi=110)
    ax = fig.add_axes((0.42, 0.12, 0.54, 0.74))
    labels = [f"{r['rank']}. {_shortened(r['description'], _LABEL_CHARS)}" for r in rows][::-1]
    us = [(r["leakage_us_usd"] or 0.0) / 1e6 for r in rows][::-1]
    abroad = [(r["leakage_abroad_usd"] or 0.0) / 1e6 for r in rows][::-1]
    y = list(range(len(rows)))
    ax.barh(y, us, color="#1f4e5f", label=_("from the rest of the U.S."))
    ax.barh(y, abroad, left=us, color="#e0a03a", label=_("from abroad"))
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.set_xlabel(_("market support, millions of {dollars}").format(dollars=payload["dollars"]))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(payload["title"], x=0.02, ha="left", fontsize=12, fontweight="bold")
    sub = _("Top {n} targets by market support ({method})").format(
        n=len(rows), method=payload["method_label"])
    if synthetic_notice:
        sub += f" — {synthetic_notice}"
    fig.text(0.02, 0.9, sub, fontsize=8.5, color="#7a4b00" if synthetic_notice else "#444")
    return fig

