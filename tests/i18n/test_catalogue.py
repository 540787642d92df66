"""The Spanish catalogue holds every message the atlas uses; numbers and dates follow es-US.

The messages are found as ``pybabel extract`` finds them: every ``_()``, ``N_()``, ``gettext()``
and ``ngettext()`` call in the package's code, plus the texts passed through ``_()`` from
elsewhere (flag descriptions, the synthetic-data notice).
"""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.numbers import get_decimal_symbol, get_group_symbol

import valleymaps
from valleymaps import i18n, settings
from valleymaps.analysis.commuting import SEGMENTS
from valleymaps.analysis.io_model import COMMODITY_FLAGS
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
