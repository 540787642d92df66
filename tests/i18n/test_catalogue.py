"""The Spanish catalogue holds every message the atlas uses; numbers and dates follow es-US.

The messages are found as ``pybabel extract`` finds them: every ``_()``, ``N_()``, ``gettext()``
and ``ngettext()`` call in the package's code, plus the texts passed through ``_()`` from
elsewhere (flag descriptions, the synthetic-data notice, names the code makes for places
outside the region: "Rest of Nevada", "Elsewhere abroad or at sea").
"""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.numbers import get_decimal_symbol, get_group_symbol

import valleymaps
from valleymaps import i18n, settings
from valleymaps.analysis.commuting import SEGMENTS
from valleymaps.analysis.io_model import COMMODITY_FLAGS
from valleymaps.core.codes import ABROAD_PLACES
from valleymaps.core.metros import PLACE_NAMES
from valleymaps.errors import ConfigError, UnknownLanguageError, UnknownNameError
from valleymaps.flags import ALL_FLAGS
from valleymaps.workspace import DEFAULT_CONFIG, WorkspaceConfig

PACKAGE = Path(valleymaps.__file__).resolve().parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def code_messages() -> dict[str, str]:
    """msgid -> the file and line that uses it (the first one)."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    for text in ALL_FLAGS.values():
        found.setdefault(text, "valleymaps/flags.py")
    for text in COMMODITY_FLAGS.values():
        found.setdefault(text, "valleymaps/analysis/io_model.py")
    for text in SEGMENTS.values():
        found.setdefault(text, "valleymaps/analysis/commuting.py")
    for text in ABROAD_PLACES.values():  # places abroad, named by the code
        found.setdefault(text, "valleymaps/core/codes.py")
    for text in PLACE_NAMES.values():  # metro roll-ups ("Rest of Nevada")
        found.setdefault(text, "valleymaps/core/metros.py")
    for what in ("employment", "commuting", None):
        found.setdefault(settings.synthetic_notice(what), "valleymaps/settings.py")
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_code_marks_the_atlas_messages() -> None:
    messages = code_messages()
    assert len(messages) > 80
    assert "Rank {rank} of {ranked} {places}" in messages  # a choropleth script's words
    assert "{county} County has the highest concentration (LQ {lq} vs {reference})" in messages


def test_no_message_hides_inside_an_f_string() -> None:
    """``f"{_('Notes')}"`` is invisible to the extractor: hoist the message out of the f-string."""
    hidden = re.compile(r"""\bf(["']).*\{[^{}]*\b(?:N_|_|gettext)\(\s*["']""")
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hidden.search(line)
    ]
    assert not found, found


def test_every_message_the_pages_use_has_a_spanish_translation() -> None:
    spanish = i18n.catalog_messages("es")
    missing = [f"{where}: {msgid!r}" for msgid, where in code_messages().items() if msgid not in spanish]
    assert not missing, "untranslated in locale/es/LC_MESSAGES/valleymaps.po:\n" + "\n".join(missing)


def test_translations_keep_the_fields_of_their_message() -> None:
    wrong = []
    for msgid, text in i18n.catalog_messages("es").items():
        forms = text if isinstance(text, tuple) else (text,)
        wrong += [f"{msgid!r} -> {form!r}" for form in forms if fields(form) != fields(msgid)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "template", ["choropleth.js", "flow_map.js", "leakage.js", "suitability.js", "a11y.js", "projects.js"]
)
def test_the_scripts_hold_no_english_words_of_the_catalogue(template: str) -> None:
    """The pages' scripts get their words from the page (a translated dict), not their source."""
    messages = set(code_messages())
    script = (PACKAGE / "render" / "templates" / template).read_text(encoding="utf-8")
    script = re.sub(r"/\*.*?\*/", "", script, flags=re.S)  # comments are not shown
    script = re.sub(r'case "[a-z_]+":', "", script)  # value formats ("jobs", "percent") are codes
    literals = set(re.findall(r'"((?:[^"\\]|\\.)*)"', script))
    english = sorted(text for text in literals if text.strip() in messages)
    assert not english, english


def test_english_is_the_code_itself() -> None:
    assert i18n.current_language() == "en"
    assert i18n.gettext("No data") == "No data"
    with i18n.use_language("es"):
        assert i18n.gettext("No data") == "Sin datos"
        assert i18n.gettext("a message nobody translated") == "a message nobody translated"
        assert i18n.html_lang() == "es" and i18n.js_locale() == "es-US"
    assert i18n.gettext("No data") == "No data"


@pytest.mark.parametrize("name", ["es", "ES", "es-US", "es_US", "Spanish", "español"])
def test_language_names_are_read_forgivingly(name: str) -> None:
    assert i18n.resolve_language(name) == "es"


def test_an_unknown_language_is_one_error_listing_the_available_ones() -> None:
    with pytest.raises(UnknownLanguageError, match=r"'fr'.*available: en \(en-US\), es \(es-US\)") as info:
        i18n.resolve_language("fr")
    assert isinstance(info.value, UnknownNameError) and isinstance(info.value, ValueError)


def test_numbers_and_dates_are_formatted_for_es_us() -> None:
    # CLDR es_US groups with "," and marks decimals with "." (109,303; 12.3%), unlike es_ES
    assert (get_group_symbol("es_US"), get_decimal_symbol("es_US")) == (",", ".")
    with i18n.use_language("es"):
        assert i18n.format_integer(109303.0) == "109,303"
        assert i18n.format_integer(-28358.0, signed=True) == "-28,358"
        assert i18n.format_integer(1204.0, signed=True) == "+1,204"
        assert i18n.format_decimal(5.456, 2) == "5.46"
        assert i18n.format_percent(0.0734) == "7.3%"
        assert i18n.format_percent(0.007, signed=True) == "+0.7%"
        assert i18n.format_date(date(2026, 12, 7)) == "7 dic 2026"
    assert i18n.format_date(date(2026, 12, 7)) == "2026-12-07"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "valleymaps.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_workspace_config_sets_the_atlas_language(tmp_path: Path) -> None:
    assert WorkspaceConfig.from_toml(_config(tmp_path, DEFAULT_CONFIG)).lang == "en"
    text = DEFAULT_CONFIG.replace('lang = "en"', 'lang = "es"')
    assert WorkspaceConfig.from_toml(_config(tmp_path, text)).lang == "es"


def test_an_unknown_workspace_language_is_a_config_error_naming_the_choices(tmp_path: Path) -> None:
    text = DEFAULT_CONFIG.replace('lang = "en"', 'lang = "klingon"')
    with pytest.raises(ConfigError, match=r"\[atlas\] lang: no atlas language 'klingon'.*en \(en-US\), es"):
        WorkspaceConfig.from_toml(_config(tmp_path, text))


def test_dollar_short_forms_follow_cldr_es_us() -> None:
    """es-US counts thousands (K), millions (M) and billones of 10^12 (B): a U.S. billion is
    written in millions (mil millones), with a no-break space before the unit."""
    from valleymaps.render.leakage_page import format_usd as leakage_usd
    from valleymaps.render.projects_map import format_usd as project_usd

    assert (project_usd(1.2e6), project_usd(2.5e9), project_usd(3.5e5)) == ("$1.2M", "$2.5B", "$350K")
    assert leakage_usd(1_162_907_171.0) == "$1.16B"
    with i18n.use_language("es"):
        assert project_usd(1.2e6) == "$1.2\u00a0M"
        assert project_usd(2.5e9) == "$2500\u00a0M"
        assert project_usd(3.5e5) == "$350\u00a0K"
        assert project_usd(9500) == "$9,500"
        assert project_usd(3e12) == "$3\u00a0B"  # un billón
        assert leakage_usd(1_162_907_171.0) == "$1162.9\u00a0M"
        assert leakage_usd(856_000_000.0) == "$856\u00a0M"
        assert leakage_usd(250_000.0) == "$250,000"


def test_messages_made_with_fields_are_written_again_in_spanish_and_survive_pickling() -> None:
    import pickle

    note = i18n.message(i18n.N_("region: {note}"), note=i18n.message(
        i18n.N_("{n} negative intermediate-use cells of the Use table set to 0."), n=15))
    assert note == "region: 15 negative intermediate-use cells of the Use table set to 0."
    again = pickle.loads(pickle.dumps(note))
    with i18n.use_language("es"):
        assert i18n.translate(again) == (
            "región: 15 celdas de uso intermedio negativas de la tabla de uso se fijaron en 0.")
        assert i18n.translate("No data") == "Sin datos"
    assert i18n.translate(again) == str(note)


def test_every_note_of_the_leakage_model_has_its_spanish_form(bundled_atlas: Any, tmp_path: Path) -> None:
    """The model's technical notes on the bundled workspace (synthetic jobs, the nation from the
    state, the BEA tables' quirks read back from the store) are all messages of the catalogue."""
    from valleymaps.workflows.leakage import run_leakage

    run = run_leakage(bundled_atlas.ws, out_dir=tmp_path / "out")  # the workspace is only read
    notes = run.result.notes
    assert len(notes) >= 8 and all(isinstance(n, i18n.Message) for n in notes), notes
    with i18n.use_language("es"):
        spanish = [i18n.translate(n) for n in notes]
    left = [s for s, n in zip(spanish, notes, strict=True) if s == str(n)]
    assert not left, left
    assert any(s.startswith("concordancia: 409 códigos") for s in spanish), spanish
