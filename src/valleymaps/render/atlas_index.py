"""The atlas front page: a card per map with a one-line finding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class AtlasCard:
    """One map in the atlas."""

    title: str
    finding: str
    href: str
    thumbnail: str | None = None
    kind: str = "Cluster choropleth"


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
"""


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
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header><main>",
    ]
    if synthetic_notice:
        parts.append(f'<div class="synthetic" id="synthetic-notice">{escape(synthetic_notice)}</div>')
    if headline:
        parts.append(f'<div class="headline" id="headline">{escape(headline)}</div>')
    parts.append('<section class="cards">')
    for card in cards:
        img = (
            f'<img src="{escape(card.thumbnail, quote=True)}" alt="{escape(card.title, quote=True)} map">'
            if card.thumbnail
            else ""
        )
        parts.append(
            f'<article class="card">{img}<div class="body">'
            f'<div class="kind">{escape(card.kind)}</div><h2>{escape(card.title)}</h2>'
            f'<p class="finding">{escape(card.finding)}</p>'
            + (f'<a class="open" href="{escape(card.href, quote=True)}">Open map &rarr;</a>'
               if card.href else "")
            + "</div></article>"
        )
    parts.append("</section><footer>")
    if downloads:
        links = " · ".join(
            f'<a href="{escape(href, quote=True)}">{escape(label)}</a>' for label, href in downloads
        )
        parts.append(f"<p>Downloads: {links}</p>")
    parts.extend(f"<p>{escape(line)}</p>" for line in footer_lines)
    parts.append("</footer></main></body></html>")
    return "\n".join(parts)
