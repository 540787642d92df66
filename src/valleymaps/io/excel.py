"""Excel workbooks (``.xlsx``) opened the one way every reader needs: values only, read-only.

Agencies publish tables as workbooks (the Census Bureau's commuting flows and
metro delineations, COGs' project lists); each reader finds its own header in the
rows, and shares how a workbook is opened and what a file that is not one says.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from valleymaps.errors import DataSourceError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook


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
        If the file does not exist, is a folder or is not an ``.xlsx`` workbook.

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
    from openpyxl import load_workbook

    p = Path(path)
    if not p.exists():
        raise DataSourceError(f"{p} does not exist. Check the file name and folder.")
    if p.is_dir():
        raise DataSourceError(f"{p} is a folder; pass the workbook inside it.")
    try:
        book = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError... for a bad file
        raise DataSourceError(
            f"{p} cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}). {hint}"
        ) from exc
    try:
        yield book
    finally:
        book.close()
