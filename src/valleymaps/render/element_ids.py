"""Element ids of folium pages that are the same on every build.

folium (through branca) names every element of a page with a random 128-bit id
(``map_3f9c…``), so two builds of the same workspace would give pages that differ
in every id. Inside :func:`stable_element_ids` elements get ids counted from a
seed instead: the same workspace built twice gives byte-identical pages. Outside
it (a notebook calling a ``render_*`` function) folium's random ids are kept.

>>> import folium
>>> with stable_element_ids("atlas"):
...     first = folium.Map().get_name()
>>> with stable_element_ids("atlas"):
...     second = folium.Map().get_name()
>>> first == second, first.startswith("map_")
(True, True)
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from branca.element import Element

_counter: ContextVar[tuple[str, Iterator[int]] | None] = ContextVar("valleymaps_element_ids", default=None)
_random_id = Element._generate_id


def _generate_id(cls: type[Element]) -> str:
    state = _counter.get()
    if state is None:
        return _random_id()
    prefix, counter = state
    return f"{prefix}{next(counter):08x}"


Element._generate_id = classmethod(_generate_id)  # type: ignore[method-assign, assignment]


@contextmanager
def stable_element_ids(seed: str) -> Iterator[None]:
    """Give the folium elements created inside the block ids counted from ``seed``.

    Ids stay unique within the block (one counter); blocks nest (the inner one
    restores the outer counter when it ends). Contexts are per thread.
    """
    prefix = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:24]
    token = _counter.set((prefix, itertools.count()))
    try:
        yield
    finally:
        _counter.reset(token)
