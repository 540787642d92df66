"""What each map metric is called, how its values read and how it is coloured."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from valleymaps import i18n
from valleymaps.i18n import gettext as _


def format_jobs(v: float) -> str:
    """``12,345``; ``–`` for missing."""
    return "–" if v is None or math.isnan(v) else i18n.format_integer(v)


def format_signed_jobs(v: float) -> str:
    return "–" if v is None or math.isnan(v) else i18n.format_integer(v, signed=True)


def format_percent(v: float) -> str:
    """A fraction as a percentage: ``0.123`` -> ``12.3%``."""
    return "–" if v is None or math.isnan(v) else i18n.format_percent(v)


def format_signed_percent(v: float) -> str:
    return "–" if v is None or math.isnan(v) else i18n.format_percent(v, signed=True)


def format_ratio(v: float) -> str:
    return "–" if v is None or math.isnan(v) else i18n.format_decimal(v, 2)


@dataclass(frozen=True)
class MetricSpec:
    """A metric as a map shows it.

    ``label`` may contain ``{year}`` and ``{base}``; ``center`` makes the
    palette diverging around that value.
    """

    key: str
    column: str
    label: str
    units: str
    format: Callable[[float], str]
    center: float | None = None
    component: str = ""
    description: str = ""
    annual: bool = False
    """True for a metric of every year (jobs, share, LQ ...): the year control switches it."""

    def title(self, *, year: int, base: int | None) -> str:
        return self.label.format(year=year, base=base if base is not None else "?")


def cluster_metric_specs(
    *,
    has_change: bool,
    reference_name: str = "California",
    annual: bool = False,
    has_yoy: bool = False,
) -> list[MetricSpec]:
    """The metric layers of a cluster page (components are added separately).

    With ``annual`` the jobs, share and location quotient are given for every year (a year
    control switches them), ``has_yoy`` adds the change from the year before, and the span
    measures (growth, change, compound annual growth, shift-share) cover base to end year.
    """
    specs = [
        MetricSpec(
            "employment",
            "employment",
            _("Jobs, {year}"),
            "jobs",
            format_jobs,
            description=_("Employment in the cluster"),
        ),
        MetricSpec(
            "share",
            "share",
            _("Share of all jobs, {year}"),
            _("% of all jobs"),
            format_percent,
            description=_("Cluster jobs as a share of all jobs in the place"),
        ),
        MetricSpec(
            "lq",
            "lq",
            _("Location quotient vs {reference}, {{year}}").format(reference=reference_name),
            _("LQ (1 = same as reference)"),
            format_ratio,
            center=1.0,
            description=_("Above 1: the cluster is more concentrated here than in {reference}").format(
                reference=reference_name
            ),
        ),
    ]
    if annual:
        specs = [replace(s, annual=True) for s in specs]
    if annual and has_yoy:
        specs.append(
            MetricSpec(
                "yoy_change",
                "yoy_change",
                _("Change in jobs from the year before, {year}"),
                "jobs",
                format_signed_jobs,
                center=0.0,
                description=_("Jobs gained or lost since the previous year"),
                annual=True,
            )
        )
    if has_change:
        specs += [
            MetricSpec(
                "growth_rate",
                "growth_rate",
                _("Job growth, {base}–{year}"),
                _("% change"),
                format_signed_percent,
                center=0.0,
            ),
            MetricSpec(
                "change", "change", _("Change in jobs, {base}–{year}"), "jobs", format_signed_jobs, center=0.0
            ),
            *([MetricSpec(
                "cagr",
                "cagr",
                _("Compound annual growth, {base}–{year}"),
                _("% a year"),
                format_signed_percent,
                center=0.0,
                description=_("Average yearly growth rate over the span"),
            )] if annual else []),
            MetricSpec(
                "ss_regional_shift",
                "ss_regional_shift",
                _("Regional shift (shift-share), {base}–{year}"),
                "jobs",
                format_signed_jobs,
                center=0.0,
                description=_("Jobs gained or lost beyond what the reference area's growth "
                              "of this cluster would predict"),
            ),
        ]
    return specs  # fmt: skip


def component_metric_spec(component_key: str, component_name: str, *, annual: bool = False) -> MetricSpec:
    """Employment in one component of a cluster (for every year with ``annual``)."""
    return MetricSpec(
        f"component:{component_key}",
        "employment",
        _("Jobs in {component}, {{year}}").format(component=component_name),
        "jobs",
        format_jobs,
        component=component_key,
        annual=annual,
    )
