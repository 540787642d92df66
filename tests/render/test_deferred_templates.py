"""folium imported through valleymaps compiles its templates when first used, with the same pages."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import jinja2
import pytest

from valleymaps.render.deferred_templates import deferred_templates, is_compiled

SRC = Path(__file__).resolve().parents[2] / "src"

# a page with a marker cluster, a GeoJSON layer with a tooltip and a layer control: templates
# of folium, folium.plugins and branca; printed with whether folium's templates were deferred
_PAGE = """
import sys
{first}
import folium, folium.plugins
from valleymaps.render.deferred_templates import is_compiled
from valleymaps.render.element_ids import stable_element_ids
before = is_compiled(folium.Map._template), is_compiled(folium.plugins.MarkerCluster._template)
with stable_element_ids("test"):
    m = folium.Map(location=[36.7, -119.8], zoom_start=8, tiles=None)
    folium.plugins.MarkerCluster(name="Projects").add_to(m)
    folium.GeoJson({"type": "FeatureCollection", "features": [{"type": "Feature",
                    "properties": {"name": "Fresno"},
                    "geometry": {"type": "Point", "coordinates": [-119.8, 36.7]}}]},
                   tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    folium.LayerControl().add_to(m)
    html = m.get_root().render()
print(before, is_compiled(folium.Map._template))
sys.stdout.write(html)
"""


def _page(first: str) -> tuple[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", _PAGE.replace("{first}", first)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    ).stdout
    state, _, html = out.partition("\n")
    return state, html


def test_folium_through_valleymaps_compiles_templates_on_first_use_with_the_same_page():
    deferred_state, deferred_html = _page("import valleymaps.render")
    eager_state, eager_html = _page("import folium.plugins, branca.colormap  # before valleymaps")
    # through valleymaps: not compiled at import, compiled once drawn; folium first: compiled
    assert deferred_state == "(False, False) True"
    assert eager_state == "(True, True) True"
    assert "L.markerClusterGroup" in deferred_html and "Fresno" in deferred_html
    assert deferred_html == eager_html


def test_templates_made_outside_the_import_are_plain_jinja():
    with deferred_templates():
        deferred = jinja2.Template("Hello {{ name }}")
    plain = jinja2.Template("Hello {{ name }}")
    assert type(plain) is jinja2.Template
    assert isinstance(deferred, jinja2.Template) and type(deferred).__name__ == "Template"
    assert not is_compiled(deferred) and is_compiled(plain)
    assert deferred.render(name="Fresno") == plain.render(name="Fresno") == "Hello Fresno"
    assert is_compiled(deferred)


def test_a_deferred_template_keeps_its_options_and_macros():
    with deferred_templates():
        t = jinja2.Template(
            "{% macro header(x) %}<h1>{{ x }}</h1>{% endmacro %}\n[{{ x }}]\n", keep_trailing_newline=True
        )
    assert t.module.header("Kern") == "<h1>Kern</h1>"
    assert t.render(x="Kings") == "\n[Kings]\n"


def test_a_deferred_template_still_reports_a_missing_attribute():
    with deferred_templates():
        t = jinja2.Template("{{ 1 }}")
    with pytest.raises(AttributeError, match="no_such_thing"):
        t.no_such_thing  # noqa: B018
    assert t.render() == "1"


def test_threads_that_first_use_a_template_together_all_get_it_right():
    with deferred_templates():
        templates = [jinja2.Template(f"{{{{ n }}}}-{k}") for k in range(50)]
    results: list[list[str]] = []
    start = threading.Barrier(4)

    def draw() -> None:
        start.wait()
        results.append([t.render(n="x") for t in templates])

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [[f"x-{k}" for k in range(50)]] * 4
