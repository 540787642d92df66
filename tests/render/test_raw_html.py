"""Scripts and stylesheets go into the pages exactly as written (never read as Jinja templates)."""

from __future__ import annotations

import folium

from valleymaps.render.raw_html import RawHtml

#: A script with what Jinja would take for its own syntax: output, statement and comment.
SCRIPT = "<script>const t = {{a: 1}}; /* {% raw %} */ const c = '{# not a comment #}';</script>"


def test_a_script_with_template_syntax_is_written_as_it_is() -> None:
    fmap = folium.Map(location=(36.7, -119.8), zoom_start=8, tiles=None)
    root = fmap.get_root()
    root.header.add_child(RawHtml(SCRIPT))
    root.script.add_child(RawHtml("window.vm = {{x: '{{y}}'}};"))
    html = root.render()
    assert SCRIPT in html
    assert "window.vm = {{x: '{{y}}'}};" in html

