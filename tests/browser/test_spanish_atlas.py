"""The Spanish atlas in a real browser: no English label of the catalogue is left on the index or
the cluster pages, numbers read as es-US, and the pages say they are Spanish.

What a reader sees (``innerText``: panel, legend, layer control, sources, a tooltip) is compared
with every English message of the catalogue (``locale/es/LC_MESSAGES/valleymaps.po``), its
``{fields}`` standing for any text. Names from the data (counties, clusters) stay as they are.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from harness import assert_no_errors, hover_for_tooltip

import valleymaps
from valleymaps import i18n
from valleymaps.clusters import load_clusters
from valleymaps.workflows.atlas import build_atlas
from valleymaps.workspace import init_workspace

pytestmark = pytest.mark.browser


def data_names() -> set[str]:
    """Names the bundled data give (the clusters of ``clusters.toml``): they stay as the data has
    them, even where a fixed label of the catalogue has the same words (the project category
    "Energy" and the cluster "Energy")."""
    bundled = Path(valleymaps.__file__).parent / "bundled" / "econ" / "clusters.toml"
    return {c.name for c in load_clusters(bundled)}


def english_patterns() -> dict[str, re.Pattern[str]]:
    """A pattern per English message whose Spanish differs: its words, any text in its fields."""
    out = {}
    names = data_names()
    for msgid, text in i18n.catalog_messages("es").items():
        if text == msgid or isinstance(text, tuple) or msgid in names:
            continue
        parts, words = [], ""
        for literal, field, _spec, _conv in string.Formatter().parse(msgid):
            literal = literal.replace("{{", "{").replace("}}", "}")
            words += literal
            parts.append(re.escape(literal))
            if field is not None and field.endswith("year"):
                parts.append(r"\d{4}")  # a year field: a year ("from {year}" is not "from purchased")
            elif field is not None:
                parts.append(r"[^\n]{1,120}?")  # a field: any text on the same line
        if len(re.findall(r"[A-Za-z]", words)) < 3:  # "{value}B": too little English to tell
            continue
        if " " not in msgid.strip():  # one word ("Data", "county"): only as a label on a line of its own,
            out[msgid] = re.compile(r"^\s*" + "".join(parts) + r":?\s*$", re.M)  # not inside a data name
            continue
        out[msgid] = re.compile(r"(?<![\w])" + "".join(parts) + r"(?![\w])")
    return out


def english_left(text: str) -> list[str]:
    """The English messages found in ``text``, each with the text it matched."""
    found = []
    for msgid, pattern in english_patterns().items():
        match = pattern.search(text)
        if match:
            found.append(f"{msgid!r} in {text[max(0, match.start() - 50):match.end() + 50]!r}")
    return sorted(found)


@pytest.fixture(scope="module")
def spanish_atlas(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("es") / "ws")
    build_atlas(ws, png=False, lang="es")
    return ws


def test_index_is_spanish(spanish_atlas, open_page):
    page, report = open_page(spanish_atlas.maps_dir / "index.html", wait_for="header")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.title().startswith("Atlas de clústeres industriales")
    cluster_cards = page.locator("article.card", has=page.locator('a[href^="cluster-"]'))
    assert cluster_cards.count() == 7
    own = "\n".join(
        [page.locator("header").inner_text(), page.locator("#headline").inner_text(),
         *cluster_cards.all_inner_texts(), page.locator("footer").inner_text()]
    )
    assert english_left(own) == []
    assert "Abrir mapa" in own and "Empleos" in own
    # es-US numbers: comma groups, point decimals (a Spanish-Spain page would write 189.741)
    assert re.search(r"\b\d{1,3}(,\d{3})+ → \d{1,3}(,\d{3})+\b", own), own
    assert re.search(r"\bCL \d\.\d\d frente a California\b", own), own
    assert_no_errors(report)


def test_cluster_page_is_spanish_panel_legend_sources_and_tooltip(spanish_atlas, open_page, screenshot):
    page, report = open_page(spanish_atlas.maps_dir / "cluster-energy.html")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".vm-title").inner_text() == "Clúster Energy"  # the name stays as the data has it
    assert page.locator(".vm-legend-title").inner_text() == "Empleos, 2021"
    page.locator(".vm-source summary").click()
    tip = hover_for_tooltip(page, page.locator("path.leaflet-interactive").nth(0))
    tip_text = tip.inner_text()
    assert re.search(r"^\d{1,3}(,\d{3})* empleos$", tip.locator(".vm-tip-value").inner_text(), re.M)
    assert re.fullmatch(r"Puesto \d de 8 condados de la región", tip.locator(".vm-tip-rank").inner_text())
    assert tip.locator(".vm-tip-name").inner_text().startswith("Condado de ")
    visible = page.locator("body").inner_text()
    assert english_left(visible + "\n" + tip_text) == []
    # every metric of the panel, with its legend: no English left
    for label in page.locator(".vm-metric").all():
        page.evaluate("key => window.valleymapsSetMetric(key)", label.locator("input").get_attribute("value"))
        legend = page.locator(".vm-legend").inner_text()
        assert english_left(legend + "\n" + label.inner_text()) == [], label.inner_text()
    screenshot(page, "es")
    assert_no_errors(report)


def without_cancelled_tiles(report):
    """The report less basemap tiles the page cancelled itself (it zooms to the flows as it opens:
    on a slow machine the first zoom's tiles are still loading), which have nothing to do with words."""
    report.failed_requests = [r for r in report.failed_requests if not ("/tile/" in r and "ERR_ABORTED" in r)]
    return report


def test_commuting_flow_page_is_spanish(spanish_atlas, open_page):
    page, report = open_page(spanish_atlas.maps_dir / "flows-acs-county-flows-2009-2013-county.html")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator(".vm-source summary").click()
    visible = page.locator("body").inner_text()
    assert "Entradas/salidas: San Joaquin Valley" in visible
    assert "Flujos mayores mostrados" in visible
    point = page.evaluate(
        """() => {
            const all = document.querySelectorAll("path.vm-arc");
            const path = all[all.length - 1];
            const p = path.getPointAtLength(path.getTotalLength() / 2);
            const m = path.getScreenCTM();
            return {x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f};
        }"""
    )
    page.mouse.move(point["x"], point["y"])
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    tip_text = tip.inner_text()
    assert re.search(r"\d{1,3}(,\d{3})*( ± [\d,]+)? trabajadores", tip_text), tip_text
    assert "Vive en " in tip_text and ", trabaja en " in tip_text
    assert english_left(visible + "\n" + tip_text) == []
    assert_no_errors(without_cancelled_tiles(report))


def test_commuting_leakage_page_is_spanish(spanish_atlas, open_page):
    page, report = open_page(spanish_atlas.maps_dir / "commuting-acs-county-flows-2009-2013.html")
    assert page.locator("html").get_attribute("lang") == "es"
    tip = hover_for_tooltip(page, page.locator("path.leaflet-interactive").nth(0))
    assert tip.locator(".vm-tip-name").inner_text().startswith("Condado de ")
    visible = page.locator("body").inner_text()
    assert english_left(visible + "\n" + tip.inner_text()) == []
    assert_no_errors(report)


def test_value_chain_leakage_page_is_spanish(spanish_atlas, open_page):
    page, report = open_page(spanish_atlas.maps_dir / "leakage.html", wait_for="#bar-chart svg")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text().startswith("Fuga en la cadena de valor")
    bar = page.locator("#bar-chart g.bar").first
    bar.focus()
    tip = page.locator("#leakage-tip")
    tip.wait_for()
    # dollars in es-US short forms (CLDR: $856 M; a U.S. billion is $1162.9 M, "mil millones")
    assert re.search(r"Mercado potencial: \$\d+(\.\d)?\u00a0M\b", tip.inner_text()), tip.inner_text()
    visible = page.locator("body").inner_text()
    assert not re.search(r"\$\d+(\.\d+)?[KMB]\b", visible)  # no English $1.2M, $2.5B
    # the model's technical notes are Spanish too (numbers and codes as the model gives them)
    notes = page.locator("ul.notes").inner_text()
    assert "nación: " in notes and "concordancia: " in notes and "dólares: dólares de 2012" in notes, notes
    assert english_left(visible) == []
    assert_no_errors(report)


def test_suitability_page_is_spanish(spanish_atlas, open_page):
    page, report = open_page(spanish_atlas.maps_dir / "suitability.html")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".vm-title").inner_text().startswith("¿Dónde podrían ubicarse")
    visible = page.locator("body").inner_text()
    assert "Aptitud (0 = menos apto, 100 = más apto)" in visible
    assert english_left(visible) == []
    assert_no_errors(report)


@pytest.fixture(scope="module")
def spanish_projects_atlas(tmp_path_factory):
    """The bundled workspace with three imported projects (two water, one road; one without a
    cost or schedule), built in Spanish."""
    from project_files import FRESNO, VISALIA, row, write_csv
    from valleymaps.projects.importer import import_projects

    root = tmp_path_factory.mktemp("es-projects")
    ws = init_workspace(root / "ws")
    rows = [
        row("T1", "Widening", at=FRESNO),
        row("W1", "Basin", kind="Water", at=VISALIA),
        row("W2", "Canal", kind="Water", at=VISALIA, cost="", start="", end="", status="Planned"),
    ]
    import_projects(write_csv(root / "ftip.csv", rows), ws=ws)
    build_atlas(ws, png=False, lang="es")
    return ws


def test_projects_page_is_spanish_panel_legend_filter_and_popup(spanish_projects_atlas, open_page):
    page, report = open_page(
        spanish_projects_atlas.maps_dir / "projects.html", wait_for="[data-projects-ready]"
    )
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".vm-title").inner_text() == "Proyectos de infraestructura"
    assert page.locator(".vm-project-summary").inner_text().startswith("3 proyectos, $")
    legend = page.locator(".vm-project-legend").inner_text()
    assert "Transporte (1)" in legend and "Agua (2)" in legend and "Hueco: costo desconocido (1)" in legend
    statuses = page.locator(".vm-filter-status").all_inner_texts()
    assert [s.strip() for s in statuses] == ["planificado (1)", "programado (2)", "en construcción (0)",
                                             "terminado (0)"]  # fmt: skip
    assert page.locator(".vm-project-count").inner_text() == "Se muestran 3 de 3 proyectos"
    page.locator(".vm-project-icon").first.click()
    popup = page.locator(".vm-popup")
    popup.wait_for()
    assert "Costo" in popup.inner_text() and "Agencia" in popup.inner_text()
    visible = page.locator("body").inner_text()
    assert "Proyectos: 3 de ftip.csv" in visible
    assert english_left(visible + "\n" + popup.inner_text()) == []
    assert_no_errors(report)


def test_investment_page_is_spanish_with_the_project_layers(spanish_projects_atlas, open_page):
    page, report = open_page(
        spanish_projects_atlas.maps_dir / "investment.html", wait_for="[data-projects-ready]"
    )
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.title() == "Inversión pública en infraestructura"
    assert page.locator(".vm-title").inner_text() == "Inversión pública en infraestructura"
    control = page.locator(".leaflet-control-layers").inner_text()
    assert "Proyectos: Agua (2)" in control and "Proyectos: Transporte (1)" in control
    legend = page.locator(".vm-project-legend").inner_text()
    assert "Proyectos de infraestructura" in legend and "Agua (2)" in legend
    visible = page.locator("body").inner_text()
    assert english_left(visible) == []
    index = (spanish_projects_atlas.maps_dir / "index.html").read_text(encoding="utf-8")
    assert "Inversión pública por lugar" in index and "la mayoría son de agua (2)" in index
    assert_no_errors(report)


@pytest.fixture(scope="module")
def spanish_standalone_pages(spanish_projects_atlas, tmp_path_factory):
    """The pages of ``valleymaps projects map --lang es`` and ``valleymaps suitability --lang es``,
    written from the Spanish projects workspace (its ``[atlas] lang`` is English: --lang decides)."""
    from click.testing import CliRunner

    from valleymaps.cli import cli

    ws = spanish_projects_atlas
    out = tmp_path_factory.mktemp("es-standalone")
    runner = CliRunner()
    done = runner.invoke(cli, ["-w", str(ws.root), "projects", "map", str(out / "projects.html"),
                               "--lang", "es"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["-w", str(ws.root), "suitability", "-t", "Plastics bottle manufacturing",
                               "--resolution", "1000", "--allow-missing", "--no-png", "--lang", "es",
                               "--out", str(out / "suitability")])  # fmt: skip
    assert done.exit_code == 0, done.output
    return out / "projects.html", out / "suitability" / "map.html"


def test_the_projects_map_command_writes_spanish_with_lang_es(spanish_standalone_pages, open_page):
    projects, _suitability = spanish_standalone_pages
    page, report = open_page(projects, wait_for="[data-projects-ready]")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".vm-title").inner_text() == "Proyectos de infraestructura"
    legend = page.locator(".vm-project-legend").inner_text()
    assert "Agua (2)" in legend and "Hueco: costo desconocido (1)" in legend
    page.locator(".vm-project-icon").first.click()
    popup = page.locator(".vm-popup")
    popup.wait_for()
    assert "Costo" in popup.inner_text()
    page.locator(".vm-table-toggle").click()
    table = page.locator(".vm-table-panel table")
    table.wait_for()
    visible = page.locator("body").inner_text()
    assert "Inventario: " in visible
    assert english_left(visible + "\n" + popup.inner_text()) == []
    assert_no_errors(report)


def test_the_suitability_command_writes_spanish_with_lang_es(spanish_standalone_pages, open_page):
    _projects, suitability = spanish_standalone_pages
    page, report = open_page(suitability)
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".vm-title").inner_text() == (
        "¿Dónde podría ubicarse la industria plastics bottle manufacturing?")  # the name as the data has it
    visible = page.locator("body").inner_text()
    assert "Aptitud (0 = menos apto, 100 = más apto)" in visible
    assert "Aptitud a 1000 m (EPSG:3310)" in visible and "Perfil: " in visible
    page.locator(".vm-table-toggle").click()
    page.locator(".vm-table-panel table").first.wait_for()
    visible = page.locator("body").inner_text()
    assert english_left(visible) == []
    assert_no_errors(report)
