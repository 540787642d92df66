"""Accessibility shared by every folium page valleymaps renders (WCAG 2.1 AA).

:func:`make_page_accessible` gives a page what folium leaves out: a ``lang`` attribute, a
``<main>`` landmark holding the map, a level-one heading (the page title, for screen readers),
a title that stays text, and the shared script ``templates/a11y.js``: every map feature with a
tooltip or popup is reached with Tab and read with Enter or Space, focus is visible, and each
map has a "Data table" button listing the values it shows (pages register their own table;
without one the table lists the features and their tooltip text).

>>> import folium
>>> html = make_page_accessible(folium.Map(), title="Jobs <b>2021</b>").get_root().render()
>>> '<html lang="en">' in html, "<h1 class=\\"vm-visually-hidden\\">Jobs &lt;b&gt;2021&lt;/b&gt;</h1>" in html
(True, True)
"""

from __future__ import annotations

from importlib import resources

import folium
from branca.element import Figure
from jinja2 import Template

from valleymaps import i18n
from valleymaps.i18n import gettext as _
from valleymaps.render._safe_json import script_json
from valleymaps.render.raw_html import RawHtml

#: folium's page (branca ``Figure``) with a language, a main landmark and a heading; the title
#: and heading are escaped (branca puts the title in as it is).
_PAGE_TEMPLATE = Template(
    "<!DOCTYPE html>\n"
    '<html lang="{{ this.vm_lang|e }}">\n'
    "<head>\n"
    "{% if this.title %}<title>{{ this.title|e }}</title>{% endif %}"
    "    {{ this.header.render(**kwargs) }}\n"
    "</head>\n"
    "<body>\n"
    '<main class="vm-main">\n'
    '<h1 class="vm-visually-hidden">{{ this.vm_heading|e }}</h1>\n'
    "    {{ this.html.render(**kwargs) }}\n"
    "</main>\n"
    "</body>\n"
    "<script>\n"
    "    {{ this.script.render(**kwargs) }}\n"
    "</script>\n"
    "</html>\n"
)


def _asset(name: str) -> str:
    return (resources.files("valleymaps.render") / "templates" / name).read_text(encoding="utf-8")


def a11y_strings() -> dict[str, str]:
    """The words of the shared accessibility script, in the build's language (it has none)."""
    return {
        "group": _("Group of {n} nearby features: Enter zooms in"),
        "features": _("Features on the map"),
        "feature": _("Feature"),
        "details": _("Details"),
        "dataTable": _("Data table"),
        "tableTitle": _("Data table: {title}"),
        "map": _("map"),
        "closeTable": _("Close table"),
        "tables": _("Tables (scroll with the arrow keys)"),
        "mapLabel": _("Map: {title}. Tab to reach its features; Enter shows their details. The Data table "
                      "button lists the same values."),
        "skipLinks": _("Skip links"),
        "skipToFeatures": _("Skip to the map's features"),
        "skipToTable": _("Open the data table"),
    }


def make_page_accessible(fmap: folium.Map, *, title: str, lang: str | None = None) -> folium.Map:
    """Give ``fmap``'s page a language, landmarks, a heading and keyboard access; return it.

    Call it right after creating the map, before adding layers: the shared script must be set
    up before the page's map is created (it watches every layer added to it).

    Parameters
    ----------
    fmap
        A freshly created :class:`folium.Map`.
    title
        The page title, also its (visually hidden) level-one heading.
    lang
        The page's language (BCP 47); default the build's (:func:`valleymaps.i18n.html_lang`).
    """
    lang = lang or i18n.html_lang()
    root = fmap.get_root()
    if not isinstance(root, Figure):
        raise TypeError("make_page_accessible needs a folium.Map whose root is a page (branca Figure)")
    if getattr(root, "vm_lang", None) is not None:
        root.vm_lang = lang  # type: ignore[attr-defined]
        root.vm_heading = title  # type: ignore[attr-defined]
        return fmap
    root._template = _PAGE_TEMPLATE
    root.vm_lang = lang  # type: ignore[attr-defined]
    root.vm_heading = title  # type: ignore[attr-defined]
    root.title = title
    root.header.add_child(RawHtml(f"<style>{_asset('a11y.css')}</style>"))
    root.header.add_child(RawHtml(f"<script>{_asset('a11y.js')}</script>"))
    # in the page's closing script, before folium creates the map (Leaflet is loaded by then)
    root.script.add_child(RawHtml(f"valleymapsA11y.install({script_json(a11y_strings())});"),
                          name="vm_a11y_install")
    return fmap
