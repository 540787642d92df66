"""Scripts and stylesheets go into the pages exactly as written (never read as Jinja templates)."""

from __future__ import annotations

from pathlib import Path

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



def test_a_page_map_writes_text_from_data_as_text_however_it_is_rendered(tmp_path: Path) -> None:
    import html as html_module

    from valleymaps.render.raw_html import page_map

    fmap = page_map(location=(36.7, -119.8), zoom_start=8, tiles=None)
    group = folium.FeatureGroup(name="Layer {{ 6*7 }}").add_to(fmap)  # a name in the layer control
    folium.Marker((36.7, -119.8), tooltip="Tract {% if 1 %}one{% endif %} {#").add_to(group)
    folium.LayerControl().add_to(fmap)
    fmap.save(tmp_path / "page.html")
    saved = (tmp_path / "page.html").read_text(encoding="utf-8")
    shown = html_module.unescape(fmap._repr_html_())  # as a notebook shows it
    for text in (saved, fmap.get_root().render(), shown):
        assert "Layer {{ 6*7 }}" in text and "Layer 42" not in text
        assert "Tract {% if 1 %}one{% endif %} {#" in text
