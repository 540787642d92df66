"""Stylesheets and scripts put into a page as written, not compiled as Jinja templates.

branca's ``Element(text)`` compiles ``text`` as a Jinja template: each page's tens of kilobytes
of script were lexed again for every page, and a ``{{``, ``{%`` or ``{#`` in a script (or in the
translated strings handed to it) would be read as template syntax. :class:`RawHtml` renders its
text unchanged.

>>> RawHtml("<script>const a = {{b: 1}};</script>").render()
'<script>const a = {{b: 1}};</script>'
"""

from __future__ import annotations

from typing import Any

from branca.element import Element


class RawHtml(Element):
    """An element whose HTML is ``html``, exactly (no template, no escaping)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self._html = html

    def render(self, **kwargs: Any) -> str:
        """The HTML as given."""
        return self._html
