"""Excel workbooks opened the one way every reader needs: values only, read-only.

Agencies publish tables as workbooks (the Census Bureau's commuting flows and
metro delineations, COGs' project lists); each reader finds its own header in the
rows, and shares how a workbook is opened and what a file that is not one says.

``.xlsx``/``.xlsm`` are read with openpyxl; old-style Excel 97-2003 ``.xls`` workbooks (the
Census Bureau's delineation files up to 2020, ``list1_2020.xls``) with python-calamine, behind
the same small interface (``sheetnames``, ``worksheets``, ``book[name]``, ``sheet.title``,
``sheet.iter_rows(values_only=True)``; empty cells are ``None`` either way).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from valleymaps.errors import DataSourceError

#: File name endings read with python-calamine (Excel 97-2003 workbooks).
XLS_SUFFIXES: tuple[str, ...] = (".xls",)


class Sheet(Protocol):
    """One sheet: its name and its rows of cell values."""

    @property
    def title(self) -> str: ...

    def iter_rows(self, *, values_only: bool = ...) -> Iterator[tuple[Any, ...]]: ...


class Workbook(Protocol):
    """What the readers use of a workbook."""

    @property
    def sheetnames(self) -> list[str]: ...

    @property
    def worksheets(self) -> list[Any]: ...

    def __getitem__(self, name: str) -> Any: ...

    def close(self) -> None: ...


class _CalamineSheet:
    """A sheet of an ``.xls`` workbook read with python-calamine, shaped like openpyxl's."""

    def __init__(self, book: Any, name: str) -> None:
        self.title = name
        self._book = book

    def iter_rows(self, *, values_only: bool = True) -> Iterator[tuple[Any, ...]]:
        for row in self._book.get_sheet_by_name(self.title).to_python(skip_empty_area=False):
            yield tuple(None if cell == "" else cell for cell in row)


class _CalamineBook:
    """An ``.xls`` workbook read with python-calamine, shaped like openpyxl's read-only workbook."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self.sheetnames = list(book.sheet_names)
        self.worksheets = [_CalamineSheet(book, name) for name in self.sheetnames]

    def __getitem__(self, name: str) -> _CalamineSheet:
        return self.worksheets[self.sheetnames.index(name)]

    def close(self) -> None:
        close = getattr(self._book, "close", None)
        if close is not None:
            close()


def _load(p: Path) -> Any:
    if p.suffix.lower() in XLS_SUFFIXES:
        from python_calamine import CalamineWorkbook

        return _CalamineBook(CalamineWorkbook.from_path(str(p)))
    from openpyxl import load_workbook

    return load_workbook(p, read_only=True, data_only=True)


@contextmanager
def open_workbook(path: str | os.PathLike[str], *, hint: str) -> Iterator[Workbook]:
    """Open ``path`` read-only with cell values (not formulas) for the ``with`` block.

    Parameters
    ----------
    path
        The workbook.
    hint
        What to do when it is not a readable workbook, for the message
        ("Pass the table as published (table1.xlsx)...").

    Raises
    ------
    DataSourceError
        If the file does not exist, is a folder or is not an Excel workbook (``.xlsx``, ``.xls``).

    Examples
    --------
    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "table1.xlsx"
    >>> _ = bad.write_text("not a workbook")
    >>> try:
    ...     with open_workbook(bad, hint="Save it as .xlsx."):
    ...         pass
    ... except DataSourceError as exc:
    ...     print(str(exc).split(" (")[0].endswith("cannot be opened as an Excel workbook"),
    ...           str(exc).endswith("Save it as .xlsx."))
    True True
    """
    p = Path(path)
    if not p.exists():
        raise DataSourceError(f"{p} does not exist. Check the file name and folder.")
    if p.is_dir():
        raise DataSourceError(f"{p} is a folder; pass the workbook inside it.")
    try:
        book = _load(p)
    except PermissionError:
        raise
    except Exception as exc:  # openpyxl/calamine raise zipfile, KeyError, ValueError... for a bad file
        raise DataSourceError(
            f"{p} cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}). {hint}"
        ) from exc
    try:
        yield book
    finally:
        book.close()
