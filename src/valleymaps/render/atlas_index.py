"""The atlas front page: a card per map with a one-line finding."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from valleymaps import i18n
from valleymaps.i18n import N_
from valleymaps.i18n import gettext as _


@dataclass(frozen=True)
class CardTrend:
    """A cluster's path over the years in one place (the region): jobs and location quotient."""

    place: str
    years: tuple[int, ...]
    jobs: tuple[float, ...]
    lq: tuple[float, ...]


@dataclass(frozen=True)
class AtlasCard:
    """One map in the atlas."""

    title: str
    finding: str
    href: str
    thumbnail: str | None = None
    kind: str = N_("Cluster choropleth")
    """What the page is; translated where shown (a message of the catalogue, or shown as it is)."""
    trend: CardTrend | None = None


def _spark_svg(
    years: Sequence[int], values: Sequence[float], *, label: str = "", width: int = 120, height: int = 28
) -> str:
    """An inline SVG trend line drawn from numbers only; empty when fewer than two values.

    ``label`` (escaped here) is its text equivalent for screen readers: the numbers it draws.
    """
    points = [(y, v) for y, v in zip(years, values, strict=True) if math.isfinite(v)]
    if len(points) < 2:
        return ""
    y0, y1 = years[0], years[-1]
    lo, hi = min(v for _, v in points), max(v for _, v in points)

    def x(yr: int) -> float:
        return 3 + (width - 6) * ((yr - y0) / (y1 - y0) if y1 != y0 else 0.5)

    def y(v: float) -> float:
        return height - 3 - (height - 6) * ((v - lo) / (hi - lo) if hi != lo else 0.5)

    coords = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in points)
    last_x, last_y = x(points[-1][0]), y(points[-1][1])
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label, quote=True)}">'
        f'<polyline points="{coords}" fill="none" stroke="#1f4e5f" '
        f'stroke-width="1.6"/><circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="#d95f02"/></svg>'
    )


def _spark_label(
    what: str, years: Sequence[int], values: Sequence[float], fmt: Callable[[float], str]
) -> str:
    """A trend line's numbers as text: ``Jobs by year: 2011 1,200, 2012 1,250``."""
    return _("{what} by year: {values}").format(
        what=what, values=", ".join(f"{y} {fmt(v)}" for y, v in zip(years, values, strict=True)))


def _trend_html(trend: CardTrend) -> str:
    """Two rows: jobs and LQ over the years, each a sparkline with its first and last values."""
    span = f"{trend.years[0]}–{trend.years[-1]}"

    def fmt_jobs(v: float) -> str:
        return i18n.format_integer(v) if math.isfinite(v) else "–"

    def fmt_lq(v: float) -> str:
        return i18n.format_decimal(v, 2) if math.isfinite(v) else "–"

    rows = []
    for cls, label, values, fmt in (
        ("jobs", _("Jobs"), trend.jobs, fmt_jobs),
        ("lq", _("LQ"), trend.lq, fmt_lq),
    ):
        rows.append(
            f'<div class="trend-row trend-{cls}"><span class="trend-label">{escape(label)}</span>'
            f"{_spark_svg(trend.years, values, label=_spark_label(label, trend.years, values, fmt))}"
            f'<span class="trend-values">{escape(fmt(values[0]))} → {escape(fmt(values[-1]))}</span></div>'
        )
    return (
        f'<div class="trend" data-years="{escape(span, quote=True)}">'
        f'<div class="trend-title">{escape(trend.place)}, {escape(span)}</div>{"".join(rows)}</div>'
    )


_CSS = """
body { font: 15px/1.45 "Helvetica Neue", Arial, sans-serif; margin: 0; color: #222; background: #f6f6f3; }
header { background: #1f4e5f; color: #fff; padding: 22px 32px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #d9e7ec; }
main { padding: 20px 32px 40px; max-width: 1200px; }
.synthetic { background: #fff3cd; color: #7a4b00; border: 1px solid #e0b84a; border-radius: 4px;
  padding: 8px 12px; font-weight: 600; margin: 0 0 16px; }
.headline { background: #fff; border-left: 5px solid #1f4e5f; padding: 12px 16px; margin-bottom: 20px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 16px; }
.card { background: #fff; border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); overflow: hidden;
  display: flex; flex-direction: column; }
.card img { width: 100%; height: 180px; object-fit: cover; object-position: top; background: #eee; }
.card .body { padding: 10px 14px 14px; }
.card h2 { font-size: 18px; margin: 0 0 2px; }
.card .kind { color: #666; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card p { margin: 6px 0 0; }
.card a.open { display: inline-block; margin-top: 8px; font-weight: 600; color: #1f4e5f; }
footer { color: #555; font-size: 13px; margin-top: 26px; }
.trend { margin-top: 8px; font-size: 12px; color: #444; }
.trend-title { color: #666; }
.trend-row { display: flex; align-items: center; gap: 6px; }
.trend-label { width: 30px; font-weight: 600; }
.trend-values { white-space: nowrap; }
.spark { flex: none; }
"""

#: Longer words than "Jobs" and "LQ" beside the sparklines (a translated page).
_WIDE_LABELS_CSS = ".trend-label { width: auto; min-width: 30px; }\n"


def render_atlas_index(
    cards: Sequence[AtlasCard],
    *,
    title: str,
    subtitle: str,
    headline: str | None,
    synthetic_notice: str | None,
    footer_lines: Sequence[str] = (),
    downloads: Sequence[tuple[str, str]] = (),
) -> str:
    """HTML of the atlas front page. Every text is escaped.

    >>> html = render_atlas_index([AtlasCard("<b>Energy</b>", "x", "energy.html")],
    ...                           title="Atlas", subtitle="", headline=None, synthetic_notice=None)
    >>> "&lt;b&gt;Energy&lt;/b&gt;" in html and "<b>Energy" not in html
    True
    """
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(i18n.html_lang(), quote=True)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}{_WIDE_LABELS_CSS if i18n.html_lang() != 'en' else ''}"
        "</style></head><body>",
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header><main>",
    ]
    if synthetic_notice:
        parts.append(f'<div class="synthetic" id="synthetic-notice">{escape(synthetic_notice)}</div>')
    if headline:
        parts.append(f'<div class="headline" id="headline">{escape(headline)}</div>')
    parts.append('<section class="cards">')
    open_map, downloads_label = _("Open map"), _("Downloads:")
    for n, card in enumerate(cards, start=1):
        alt = _("Map: {title}").format(title=card.title)
        img = (
            f'<img src="{escape(card.thumbnail, quote=True)}" alt="{escape(alt, quote=True)}"'
            f' aria-describedby="finding-{n}">'
            if card.thumbnail
            else ""
        )
        parts.append(
            f'<article class="card">{img}<div class="body">'
            f'<div class="kind">{escape(_(card.kind))}</div><h2>{escape(card.title)}</h2>'
            f'<p class="finding" id="finding-{n}">{escape(card.finding)}</p>'
            + (_trend_html(card.trend) if card.trend is not None else "")
            + (f'<a class="open" href="{escape(card.href, quote=True)}">{escape(open_map)} &rarr;</a>'
               if card.href else "")
            + "</div></article>"
        )
    parts.append("</section><footer>")
    if downloads:
        links = " · ".join(
            f'<a href="{escape(href, quote=True)}">{escape(label)}</a>' for label, href in downloads
        )
        parts.append(f"<p>{escape(downloads_label)} {links}</p>")
    parts.extend(f"<p>{escape(line)}</p>" for line in footer_lines)
    parts.append("</footer></main></body></html>")
    return "\n".join(parts)
