"""folium and branca imported with their templates compiled when first used, not at import.

Every element class of folium and branca compiles its Jinja template when its module is
imported: 83 templates, about 0.4 s, before anything is drawn. A page uses a dozen of them,
and an atlas build imports folium before it forks its workers, so that time was spent on one
core while the other waited. :func:`import_folium` imports ``branca``, ``folium`` and
``folium.plugins`` with every template they make deferred: it is the same template (same
class, same source, same output), compiled the first time it is used.

Only templates made while these modules load are deferred; ``jinja2.Template`` is itself
again as soon as they are imported. If folium was imported before valleymaps, nothing
changes (its templates are already compiled).

>>> import folium, jinja2
>>> import_folium()
>>> type(jinja2.Template("x")) is jinja2.Template
True
>>> isinstance(folium.Map._template, jinja2.Template)
True
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

import jinja2

#: The modules imported by :func:`import_folium` (those the render layer uses).
FOLIUM_MODULES: tuple[str, ...] = ("branca.element", "branca.colormap", "folium", "folium.plugins")

#: Where a deferred template keeps what it was made with, until it is compiled.
_PENDING = "_valleymaps_template_source"
_ORIGINAL_NEW = jinja2.Template.__dict__["__new__"]
_LOCK = threading.RLock()
_DEFERRED_CLASSES: dict[type, type] = {}


def _compile(template: jinja2.Template, base: type) -> bool:
    """Compile ``template`` (a deferred instance of ``base``) in place; whether it was pending."""
    with _LOCK:
        pending = template.__dict__.get(_PENDING)
        if pending is None:
            return False
        args, kwargs = pending
        compiled = _ORIGINAL_NEW.__func__(base, *args, **kwargs)
        template.__dict__.update(compiled.__dict__)
        del template.__dict__[_PENDING]
    return True


def _deferred_class(base: type) -> type:
    """``base`` with the compiling on first use: a subclass of the same name."""
    deferred = _DEFERRED_CLASSES.get(base)
    if deferred is not None:
        return deferred

    def compile_on_first_use(self: jinja2.Template, name: str) -> Any:  # what is not there yet
        if not name.startswith("__"):
            _compile(self, base)  # here, or by the thread that held the lock before
            with contextlib.suppress(KeyError):
                return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    deferred = type(
        base.__name__,
        (base,),
        {
            "__getattr__": compile_on_first_use,
            "__module__": base.__module__,
            "__qualname__": base.__qualname__,
        },
    )
    _DEFERRED_CLASSES[base] = deferred
    return deferred


def _new_deferred(cls: type, *args: Any, **kwargs: Any) -> jinja2.Template:
    template: jinja2.Template = object.__new__(_deferred_class(cls))
    template.__dict__[_PENDING] = (args, kwargs)
    return template


@contextlib.contextmanager
def deferred_templates() -> Iterator[None]:
    """Within the block, ``jinja2.Template(...)`` (and subclasses) compile on first use."""
    with _LOCK:
        jinja2.Template.__new__ = _new_deferred  # type: ignore[method-assign]
        try:
            yield
        finally:
            jinja2.Template.__new__ = _ORIGINAL_NEW  # type: ignore[method-assign]


def import_folium() -> None:
    """Import :data:`FOLIUM_MODULES`, their templates deferred (if not imported already)."""
    if all(name in sys.modules for name in FOLIUM_MODULES):
        return
    with deferred_templates():
        for name in FOLIUM_MODULES:
            importlib.import_module(name)


def is_compiled(template: jinja2.Template) -> bool:
    """Whether ``template`` has been compiled (always, unless it was deferred and not used yet)."""
    return _PENDING not in template.__dict__


__all__ = ["FOLIUM_MODULES", "deferred_templates", "import_folium", "is_compiled"]
