"""Every exception valleymaps raises is defined in ``valleymaps.errors`` (one place to look)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import valleymaps
from valleymaps import errors


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(valleymaps.__path__, prefix="valleymaps."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def test_every_public_exception_class_lives_in_errors() -> None:
    outside = []
    for name in _modules():
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == name
                and name != "valleymaps.errors"
                and not attr.startswith("_")  # private retry signals never reach a caller
            ):
                outside.append(f"{name}.{attr}")
    assert outside == [], f"move these into valleymaps/errors.py: {outside}"


def test_moved_exceptions_are_still_importable_where_they_were() -> None:
    from valleymaps.io.download import DownloadError, OfflineError, RemoteNotFoundError
    from valleymaps.io.sources import YearNotAvailableError

    assert DownloadError is errors.DownloadError
    assert OfflineError is errors.OfflineError
    assert RemoteNotFoundError is errors.RemoteNotFoundError
    assert YearNotAvailableError is errors.YearNotAvailableError
    # and they still catch as the builtin they resemble
    assert issubclass(errors.OfflineError, OSError)
    assert issubclass(errors.YearNotAvailableError, errors.ValleymapsError)
