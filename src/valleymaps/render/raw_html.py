"""Text put into a page as written, never compiled as a Jinja template.

branca's ``Element(text)`` compiles ``text`` as a Jinja template, and folium renders every
element of a map that way: each element's HTML and script (its data included: place names,
project names, layer names) are wrapped in ``Element(rendered)`` and rendered a second time.
So a ``{{``, ``{%`` or ``{#`` in the data was read as template syntax: a project named
``{{ 7*7 }}`` showed as ``49``, one named ``{{`` failed the build, and a template can call
Python. Compiling them also cost most of a page's rendering time.

* :class:`RawHtml` is an element whose HTML is its text (stylesheets, scripts);
* :class:`Page` is the page (branca ``Figure``) of every atlas map: while it renders, the parts
  folium's elements produce go in as written. :func:`page_map` makes a ``folium.Map`` on one.

>>> RawHtml("<script>const a = {{b: 1}};</script>").render()
'<script>const a = {{b: 1}};</script>'
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import branca.element
import folium
import folium.features
import folium.map
from branca.element import Element, Figure


class RawHtml(Element):
    """An element whose HTML is ``html``, exactly (no template, no escaping)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self._html = html

    def render(self, **kwargs: Any) -> str:
        """The HTML as given."""
        return self._html


class _Part(Element):
    """What ``Element(...)`` makes while a :class:`Page` renders: given text, that text as
    written; without (a container of parts), an ``Element``."""

    def __init__(self, template: str | None = None, template_name: str | None = None) -> None:
        if template is None or template_name is not None:
            super().__init__(template=template, template_name=template_name)
            self._text: str | None = None
            return
        super().__init__()
        self._template_str = template
        # as Jinja renders a template's text: less its last line break (keep_trailing_newline)
        for end in ("\r\n", "\n", "\r"):
            if template.endswith(end):
                template = template[: -len(end)]
                break
        self._text = template

    def render(self, **kwargs: Any) -> str:
        """The text as given, or the parts within."""
        return self._text if self._text is not None else super().render(**kwargs)


#: The modules whose ``render`` methods wrap rendered text in ``Element(...)`` (branca 0.8,
#: folium 0.19/0.20): ``MacroElement.render``, ``Figure``, folium's layers and features.
_WRAPPING_MODULES = (branca.element, folium.map, folium.features)
_RENDERING = threading.RLock()


@contextlib.contextmanager
def _parts_as_written() -> Iterator[None]:
    with _RENDERING:  # one page at a time: the modules' names are swapped while it renders
        saved = [(module, module.Element) for module in _WRAPPING_MODULES]
        for module, _ in saved:
            module.Element = _Part  # type: ignore[attr-defined]
        try:
            yield
        finally:
            for module, element in saved:
                module.Element = element  # type: ignore[attr-defined]


class Page(Figure):
    """A folium page whose elements' parts go in as written (see the module's description)."""

    def render(self, **kwargs: Any) -> str:
        """The page's HTML."""
        with _parts_as_written():
            return super().render(**kwargs)


def page_map(**kwargs: Any) -> folium.Map:
    """``folium.Map(**kwargs)`` on a :class:`Page`: saved, shown in a notebook or rendered, its
    data are text, never template syntax.

    >>> fmap = page_map(tiles=None)
    >>> _ = folium.Marker([36.7, -119.8], tooltip="Tract {{ 7*7 }} {% if x %}").add_to(fmap)
    >>> "Tract {{ 7*7 }} {% if x %}" in fmap.get_root().render()
    True
    """
    fmap = folium.Map(**kwargs)
    root = fmap.get_root()
    assert type(root) is Figure  # folium puts every map on a Figure of its own
    root.__class__ = Page  # the same element (and ids), rendered as a Page
    return fmap
