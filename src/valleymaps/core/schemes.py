"""Classification scheme names: what ``--scheme`` and ``[maps] scheme`` accept.

Kept apart from the classifier (:mod:`valleymaps.render.classify`) so that a scheme is checked
when the configuration is read, before any data are loaded.
"""

from __future__ import annotations

from valleymaps.errors import ClassificationError

_SCHEMES: dict[str, str] = {
    "quantiles": "Quantiles",
    "quantile": "Quantiles",
    "naturalbreaks": "FisherJenks",
    "natural": "FisherJenks",
    "jenks": "FisherJenks",
    "fisherjenks": "FisherJenks",
    "equalinterval": "EqualInterval",
    "userdefined": "UserDefined",
    "user": "UserDefined",
}

SCHEME_NAMES: tuple[str, ...] = ("quantiles", "natural_breaks", "equal_interval", "user_defined")


def resolve_scheme(name: str) -> str:
    """mapclassify class name for a scheme name given by a user.

    ``natural_breaks`` and ``jenks`` are Fisher–Jenks (exact, the same breaks on every
    run), not mapclassify's ``NaturalBreaks`` (unseeded k-means, different breaks between runs).

    >>> resolve_scheme("Natural Breaks"), resolve_scheme("QUANTILES"), resolve_scheme("jenks")
    ('FisherJenks', 'Quantiles', 'FisherJenks')
    """
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    try:
        return _SCHEMES[key]
    except KeyError:
        raise ClassificationError(
            f"unknown classification scheme {name!r}; use one of: {', '.join(SCHEME_NAMES)}"
        ) from None
