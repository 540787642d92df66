"""The atlas in the build's language: message catalogues and numbers for English or Spanish.

Words are looked up in gettext catalogues (``valleymaps/locale/<lang>/LC_MESSAGES/valleymaps.po``,
read with Babel when first needed; no compiled ``.mo`` file is needed, so a plain install and a
wheel work alike). Numbers and dates follow the CLDR rules of the language's locale (``en_US``,
``es_US``). English is the source language: its text and numbers are exactly those the code
writes, so an English atlas is the same whatever the catalogues hold.

A build sets its language once (:func:`use_language`); render and workflow code then calls
:func:`gettext` (``_``) and the ``format_*`` functions. Strings defined before a language is
known (module constants) are marked with :func:`N_` and translated where they are used.

>>> with use_language("es"):
...     gettext("No data"), format_integer(109303.0), format_percent(0.123)
('Sin datos', '109,303', '12.3%')
>>> gettext("No data"), format_integer(109303.0)
('No data', '109,303')
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cache
from importlib import resources

from valleymaps import settings
from valleymaps.errors import UnknownLanguageError

#: Languages an atlas can be written in, and the CLDR locale of their numbers and dates.
LOCALES: dict[str, str] = {"en": "en_US", "es": "es_US"}
LANGUAGES: tuple[str, ...] = tuple(LOCALES)
_DOMAIN = "valleymaps"

# The language of the build being run: a process-wide value (not a context variable), so that
# the workers a build forks write in the same language as the build.
_language: str = settings.ATLAS_LANGUAGE


def resolve_language(name: str | None) -> str:
    """The language code of ``name``, forgivingly (case, ``es-US``, ``es_US``, ``Spanish``).

    ``None`` gives the default (:data:`valleymaps.settings.ATLAS_LANGUAGE`).

    >>> resolve_language("ES"), resolve_language("es-US"), resolve_language("spanish")
    ('es', 'es', 'es')

    Raises
    ------
    UnknownLanguageError
        For a language valleymaps has no catalogue for; the message lists the available ones.
    """
    if name is None:
        return settings.ATLAS_LANGUAGE
    key = str(name).strip().lower().replace("_", "-")
    key = {"english": "en", "spanish": "es", "español": "es", "espanol": "es"}.get(key, key)
    code = key.split("-", 1)[0]
    if code in LOCALES:
        return code
    close = difflib.get_close_matches(key, list(LOCALES), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = str(name) if len(str(name)) <= 80 else str(name)[:77] + "..."
    raise UnknownLanguageError(
        f"no atlas language {shown!r}{hint}; available: "
        + ", ".join(f"{c} ({LOCALES[c].replace('_', '-')})" for c in LANGUAGES)
        + ". Pass --lang en or --lang es, or set [atlas] lang in valleymaps.toml."
    )


def current_language() -> str:
    """The language of the build being run (``"en"`` outside a build)."""
    return _language


@contextmanager
def use_language(name: str | None) -> Iterator[str]:
    """Write in language ``name`` inside the ``with`` block; gives the resolved code."""
    global _language
    code = resolve_language(name)
    previous, _language = _language, code
    try:
        yield code
    finally:
        _language = previous


def html_lang() -> str:
    """The page's ``lang`` attribute (BCP 47): ``en`` or ``es``."""
    return _language


def js_locale() -> str:
    """The locale a page's script formats numbers with (``Number.toLocaleString``): ``es-US``."""
    return LOCALES[_language].replace("_", "-")


@cache
def _catalog(code: str) -> dict[str, str | tuple[str, ...]]:
    """msgid -> translation (a tuple of plural forms for plural messages) of one language."""
    from babel.messages.pofile import read_po

    path = resources.files("valleymaps") / "locale" / code / "LC_MESSAGES" / f"{_DOMAIN}.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALES[code], domain=_DOMAIN)
    out: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            forms = tuple(message.string) if isinstance(message.string, tuple | list) else ()
            if forms and all(forms):
                out[message.id[0]] = forms
        elif message.string:
            out[str(message.id)] = str(message.string)
    return out


def catalog_messages(code: str) -> dict[str, str | tuple[str, ...]]:
    """Every translated message of a language's catalogue (for tests and tools)."""
    return dict(_catalog(resolve_language(code)))


def gettext(message: str) -> str:
    """``message`` in the build's language (itself in English, or when it has no translation)."""
    if _language == "en":
        return message
    found = _catalog(_language).get(message)
    return found if isinstance(found, str) else message


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message, by ``n``, in the build's language."""
    if _language == "en":
        return singular if n == 1 else plural
    found = _catalog(_language).get(singular)
    if isinstance(found, tuple) and found:
        from babel import Locale
        from babel.plural import PluralRule

        rule = PluralRule(Locale.parse(LOCALES[_language]).plural_form.rules)
        forms = ("one", "many", "other") if len(found) == 3 else ("one", "other")
        tag = rule(n)
        index = forms.index(tag) if tag in forms else len(found) - 1
        return found[index]
    return singular if n == 1 else plural


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a string for the catalogue without translating it now (module constants)."""
    return message


# -- numbers and dates ---------------------------------------------------------------------


def _babel_decimal(value: float, pattern: str) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, format=pattern, locale=LOCALES[_language]))


def format_integer(value: float, *, signed: bool = False) -> str:
    """A whole number with the language's grouping: ``109,303`` (es-US too); ``+1,204`` signed."""
    if _language == "en":
        return f"{value:+,.0f}" if signed else f"{value:,.0f}"
    text = _babel_decimal(round(value), "#,##0")
    return "+" + text if signed and round(value) >= 0 else text


def format_decimal(value: float, digits: int = 2, *, signed: bool = False) -> str:
    """A number with ``digits`` decimals: ``1.23``."""
    if _language == "en":
        return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    text = _babel_decimal(value, "0." + "0" * digits if digits else "0")
    return "+" + text if signed and not text.startswith("-") else text


def format_percent(value: float, digits: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: ``0.123`` -> ``12.3%`` (CLDR ``es_US`` has no space either)."""
    if _language == "en":
        return f"{value * 100:+.{digits}f}%" if signed else f"{value * 100:.{digits}f}%"
    from babel.numbers import format_percent as babel_percent

    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    text = str(babel_percent(value, format=pattern, locale=LOCALES[_language]))
    return "+" + text if signed and not text.startswith("-") else text


def format_date(day: date) -> str:
    """A date for a page: ``2026-12-07`` in English, ``7 dic 2026`` in Spanish."""
    if _language == "en":
        return day.isoformat()
    from babel.dates import format_date as babel_date

    return str(babel_date(day, format="medium", locale=LOCALES[_language]))



def format_compact_usd(value: float, digits: int = 1) -> str:
    """Dollars in the short form of the language's CLDR locale, at most ``digits`` decimals.

    Spanish (es-US) counts in thousands (``K``), millions (``M``) and *billones* of 10^12
    (``B``): a U.S. billion is ``2500 M`` (*mil millones*), written with a no-break space.

    >>> with use_language("es"):
    ...     format_compact_usd(1.2e6), format_compact_usd(2.5e9), format_compact_usd(3.5e5)
    ('$1.2\\xa0M', '$2500\\xa0M', '$350\\xa0K')
    >>> format_compact_usd(2.5e9)
    '$2.5B'
    """
    from babel.numbers import format_compact_currency

    return str(format_compact_currency(value, "USD", locale=LOCALES[_language], fraction_digits=digits))


# -- messages made with their fields, translated later ----------------------------------------------


class Message(str):
    """An English text that keeps the message it was made from and its fields.

    Everywhere it is the English ``str`` (a CLI line, a JSON file, ``startswith``); a page in
    another language writes it again from the catalogue with :func:`translate`. Made by
    :func:`message`; fields may be messages themselves.
    """

    template: str
    fields: dict[str, object]

    def __new__(cls, text: str, template: str, fields: dict[str, object]) -> Message:
        made = super().__new__(cls, text)
        made.template = template
        made.fields = dict(fields)
        return made

    def __reduce__(self) -> tuple[object, ...]:  # pickled as text, template and fields (to workers)
        return (Message, (str(self), self.template, self.fields))


def message(template: str, /, **fields: object) -> Message:
    """``template`` (an English message of the catalogue, marked with :func:`N_`) filled in with
    ``fields``, kept for :func:`translate`.

    >>> note = message(N_("{n} negative intermediate-use cells of the Use table set to 0."), n=15)
    >>> str(note)
    '15 negative intermediate-use cells of the Use table set to 0.'
    >>> with use_language("es"):
    ...     translate(note)
    '15 celdas de uso intermedio negativas de la tabla de uso se fijaron en 0.'
    """
    return Message(template.format(**fields), template, fields)


def translate(text: str) -> str:
    """``text`` in the build's language: a :class:`Message` from its template and fields (each
    translated too), any other text as :func:`gettext` gives it."""
    if not isinstance(text, Message):
        return gettext(text)
    if _language == "en":
        return str(text)
    fields = {k: translate(v) if isinstance(v, Message) else v for k, v in text.fields.items()}
    return gettext(text.template).format(**fields)


def recognise(text: str, templates: Sequence[str]) -> str:
    """``text`` as the :class:`Message` of the first of ``templates`` that made it (its fields
    as text), else ``text`` itself: for messages kept as plain text in a file.

    >>> str(recognise("12 cells clipped.", [N_("{n} cells clipped.")]).fields)
    "{'n': '12'}"
    """
    import re
    import string

    for template in templates:
        pattern, names = "", []
        for literal, field, _spec, _conv in string.Formatter().parse(template):
            pattern += re.escape(literal)
            if field is not None:
                pattern += "(.+?)"
                names.append(field)
        found = re.fullmatch(pattern, text, flags=re.S)
        if found and len(set(names)) == len(names):
            return Message(text, template, dict(zip(names, found.groups(), strict=True)))
    return text
