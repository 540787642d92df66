"""The language of a folium page: ``<html lang="es">`` on a page written in Spanish.

branca's page template has no ``lang`` attribute; an English page is left exactly as folium
writes it, a page in another language gets the same template with its language.
"""

from __future__ import annotations

import folium
from branca.element import Figure
from jinja2 import Template

from valleymaps import i18n

#: branca's ``Figure`` template (branca 0.8) with the page's language.
_PAGE_TEMPLATE = Template(
    "<!DOCTYPE html>\n"
    '<html lang="{{ this.vm_page_lang|e }}">\n'
    "<head>\n"
    "{% if this.title %}<title>{{this.title}}</title>{% endif %}"
    "    {{this.header.render(**kwargs)}}\n"
    "</head>\n"
    "<body>\n"
    "    {{this.html.render(**kwargs)}}\n"
    "</body>\n"
    "<script>\n"
    "    {{this.script.render(**kwargs)}}\n"
    "</script>\n"
    "</html>\n",
)


def set_page_language(fmap: folium.Map) -> folium.Map:
    """Mark ``fmap``'s page with the build's language (see :mod:`valleymaps.i18n`); return it.

    A page whose template already carries a language (``vm_lang``) gets that value set.

    >>> from valleymaps.i18n import use_language
    >>> with use_language("es"):
    ...     html = set_page_language(folium.Map(tiles=None)).get_root().render()
    >>> html.splitlines()[1]
    '<html lang="es">'
    """
    root = fmap.get_root()
    if not isinstance(root, Figure):
        return fmap
    lang = i18n.html_lang()
    if getattr(root, "vm_lang", None) is not None:  # a page template with a language of its own
        root.vm_lang = lang  # type: ignore[attr-defined]
        return fmap
    if lang == "en":  # English pages stay as folium writes them
        return fmap
    root._template = _PAGE_TEMPLATE
    root.vm_page_lang = lang  # type: ignore[attr-defined]
    return fmap
