"""Exceptions and warnings raised by valleymaps.

Every exception derives from :class:`ValleymapsError` *and* from the builtin it
resembles, so callers can catch either (``except ValleymapsError`` or
``except ValueError``). Errors are grouped by where they fail: the workspace,
a data source (file), its fields (columns) or its geometries.

Messages say what is wrong, show the offending value and say what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ValleymapsError(Exception):
    """Root of every valleymaps exception."""


class WorkspaceError(ValleymapsError, FileNotFoundError):
    """A workspace is missing, incomplete or not a workspace at all."""


class OutputExistsError(ValleymapsError, FileExistsError):
    """An output exists and overwriting it was not asked for."""


class DataSourceError(ValleymapsError, OSError):
    """A data file cannot be opened or read (missing, wrong format, corrupt)."""


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


class ConfigError(ValleymapsError, ValueError):
    """A configuration file (workspace, clusters, mapping) is invalid."""


class MissingDatasetError(ConfigError):
    """A dataset a step builds on is not in the workspace; the message says how to get it."""


class UnknownNameError(ValleymapsError, ValueError):
    """A name (cluster, metric, level, dataset, table) is not one valleymaps knows.

    The message lists the valid names.
    """


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
        return f"{prefix}: {self.message}" if prefix else self.message


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
