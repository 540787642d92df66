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


def test_echoed_values_are_cut_with_their_length() -> None:
    assert errors.cut_value("06019") == "'06019'"
    cut = errors.cut_value("x" * 10_000_000)
    assert len(cut) < 120 and cut.endswith("…' (10,000,000 characters)")


def test_every_overlong_run_and_line_of_a_message_is_cut() -> None:
    text = errors.cut_message("value " + "9" * 1_000_000 + " in row 3\n" + "word " * 1000)
    assert len(text) < 2500 and "in row 3" in text and "(1,000,000 characters)" in text


def test_a_problem_never_echoes_a_huge_value() -> None:
    problem = errors.Problem(f"{'7' * 500_000!r} is not a number.", row=1, column="employment")
    assert len(str(problem)) < 200


def test_refused_replacement_is_an_output_exists_error_and_a_file_exists_error() -> None:
    assert issubclass(errors.DataExistsError, errors.OutputExistsError)
    assert issubclass(errors.DataExistsError, FileExistsError)
