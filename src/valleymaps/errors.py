"""Exceptions and warnings raised by valleymaps.

Every exception derives from :class:`ValleymapsError` *and* from the builtin it
resembles, so callers can catch either (``except ValleymapsError`` or
``except ValueError``). Errors are grouped by where they fail: the workspace,
a data source (file), its fields (columns) or its geometries.

Messages say what is wrong, show the offending value and say what to do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Characters of a value from the data echoed in a message; longer values are cut with "…".
ECHO_LIMIT = 80

#: A run of this many characters without a space in a message is a value from the data, not text.
_LONG_RUN = re.compile(r"\S{200,}")

#: Longest line of a message (the rest is cut with "…").
_LINE_LIMIT = 1000


def cut_value(value: object, *, limit: int = ECHO_LIMIT) -> str:
    """The value as it is echoed in a message: quoted, cut to ``limit`` characters with "…".

    A 10 MB cell must not become a 10 MB message: every value from the data that a message
    shows goes through this function.

    >>> cut_value("06019")
    "'06019'"
    >>> cut_value("x" * 100_000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (100,000 characters)"
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit] + '…'!r} ({len(text):,} characters)"


def cut_message(text: str) -> str:
    """``text`` with every overlong run of characters and every overlong line cut.

    The safety net behind :func:`cut_value`, applied to every message the command line prints.

    >>> text = cut_message("bad value " + "9" * 500 + " in row 1")
    >>> text == f"bad value {'9' * 80}… (500 characters) in row 1"
    True
    """
    text = _LONG_RUN.sub(lambda m: f"{m.group(0)[:ECHO_LIMIT]}… ({len(m.group(0)):,} characters)", text)
    return "\n".join(
        line if len(line) <= _LINE_LIMIT else f"{line[:_LINE_LIMIT]}… ({len(line):,} characters)"
        for line in text.split("\n")
    )


def _rebuild_error(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    """An exception of ``cls`` with ``args`` and attributes ``state``, without calling its ``__init__``."""
    exc = cls.__new__(cls, *args)
    BaseException.__init__(exc, *args)
    exc.__dict__.update(state)
    return exc


class ValleymapsError(Exception):
    """Root of every valleymaps exception.

    Every subclass survives pickling with its attributes (a task run on a Dask worker raises it
    in the caller), whatever its ``__init__`` takes:

    >>> import pickle
    >>> err = pickle.loads(pickle.dumps(ValidationError("a.csv", [Problem("bad", row=2)])))
    >>> err.source, str(err.problems[0]), str(err).splitlines()[0]
    ('a.csv', 'row 2: bad', 'a.csv: 1 problem found')
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (type(self), self.args, dict(self.__dict__)))


class WorkspaceError(ValleymapsError, FileNotFoundError):
    """A workspace is missing, incomplete or not a workspace at all."""


class OutputExistsError(ValleymapsError, FileExistsError):
    """An output exists and overwriting it was not asked for."""


class DataExistsError(OutputExistsError):
    """An import would replace data already in the workspace, and replacing was not asked for.

    The one rule of every import (tracts, employment, flows): the message gives what is there
    and what would replace it (counts before and after) and the option (``--replace``).
    """


class DataSourceError(ValleymapsError, OSError):
    """A data file cannot be opened or read (missing, wrong format, corrupt)."""


class UnreadableFileError(DataSourceError, PermissionError):
    """An input file exists but this user may not read it."""


class OutputWriteError(ValleymapsError, OSError):
    """An output could not be written (no space, no permission); the previous outputs are intact."""


class DiskFullError(OutputWriteError):
    """No space is left on the file system an output goes to."""


class ReadOnlyFolderError(OutputWriteError, PermissionError):
    """A folder an output goes to is read-only (permissions or a read-only file system)."""


class CRSError(ValleymapsError, ValueError):
    """A layer has no coordinate reference system, or one we cannot use."""


class YearNotAvailableError(DataSourceError):
    """A source publishes no file for the requested year; the message lists the years it has.

    Attributes
    ----------
    year
        The year asked for.
    available
        The years the source is known to publish.
    """

    def __init__(self, message: str, *, year: int, available: Sequence[int]):
        super().__init__(message)
        self.year = year
        self.available = list(available)


class DownloadError(DataSourceError):
    """A file could not be downloaded (HTTP error, retries exhausted, damaged file).

    Attributes
    ----------
    url
        The URL asked for.
    status
        The HTTP status of the last answer, if the server answered.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class OfflineError(DownloadError):
    """The host cannot be reached at all: no network, name not resolved, connection refused."""


class RemoteNotFoundError(DownloadError):
    """The server answered 404 (or 410): the file does not exist there."""


class FieldError(ValleymapsError, KeyError):
    """A required column is missing or holds values of the wrong kind."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class GeometryError(ValleymapsError, ValueError):
    """Geometries are missing, empty or beyond repair."""


class ComputeError(ValleymapsError, RuntimeError):
    """Work sent to a Dask cluster could not be done: its workers were lost again and again."""


class SchedulerUnavailableError(ComputeError, ConnectionError):
    """The Dask scheduler named by ``--scheduler``, ``$VALLEYMAPS_SCHEDULER`` or ``[compute]
    scheduler`` cannot be reached (or its address is not one)."""


class MissingDependencyError(ValleymapsError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""


class ConfigError(ValleymapsError, ValueError):
    """A configuration file (workspace, clusters, mapping) is invalid."""


class MissingDatasetError(ConfigError):
    """A dataset a step builds on is not in the workspace; the message says how to get it."""


class UnknownNameError(ValleymapsError, ValueError):
    """A name (cluster, metric, level, dataset, table) is not one valleymaps knows.

    The message lists the valid names.
    """


class UnknownLanguageError(UnknownNameError):
    """An atlas language valleymaps has no message catalogue for (``--lang``, ``[atlas] lang``)."""


class ClassificationError(ValleymapsError, ValueError):
    """An unknown classification scheme or unusable class breaks."""


class AnalysisError(ValleymapsError, ValueError):
    """The data do not support the requested computation."""


class EmptyLayerError(AnalysisError):
    """A layer has no features to measure from (after its ``where`` filter).

    ``factor`` is the key of the suitability factor that reads the layer, when known:
    a build leaves that factor out instead of the whole profile.
    """

    def __init__(self, message: str, *, factor: str | None = None) -> None:
        super().__init__(message)
        self.factor = factor


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    message
        What is wrong and what to do about it.
    row
        1-based row number in the file (data rows, header excluded) or
        feature number for geometries; ``None`` when the problem concerns the
        whole file.
    column
        The column (field) concerned, if any.
    """

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        message = cut_message(self.message)
        return f"{prefix}: {message}" if prefix else message


class ValidationError(ValleymapsError, ValueError):
    """An input has one or more problems; all of them are listed.

    Parameters
    ----------
    source
        The file (or layer) that was checked.
    problems
        Every problem found, in file order.
    """

    max_listed = 50

    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = list(problems)
        super().__init__(self._format())

    def _format(self) -> str:
        n = len(self.problems)
        lines = [f"{self.source}: {n} problem{'s' if n != 1 else ''} found"]
        for problem in self.problems[: self.max_listed]:
            lines.append(f"  - {problem}")
        if n > self.max_listed:
            lines.append(f"  ... and {n - self.max_listed} more")
        return "\n".join(lines)


class ValleymapsWarning(UserWarning):
    """Root of every valleymaps warning."""


class GeometryRepairedWarning(ValleymapsWarning):
    """Invalid geometries were repaired."""


class DataQualityWarning(ValleymapsWarning):
    """Values are suppressed, flagged or approximated in a way users should know."""


class ConfigWarning(ValleymapsWarning):
    """A configuration file holds something that is probably a mistake (an unknown key, a code
    that exists nowhere); it is ignored or kept as written, and the warning says the fix."""
