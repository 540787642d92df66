"""Helpers shared by the employment readers (private)."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from valleymaps.employment import (
    EMPLOYMENT_COLUMNS,
    EmploymentDataset,
    default_not_covered,
    normalize_naics,
)
from valleymaps.errors import DataSourceError, Problem, ValidationError
from valleymaps.io.text_encoding import utf8_stream

log = logging.getLogger(__name__)

#: Most row problems listed per file; a file with a systematic fault would
#: otherwise produce one problem per row.
MAX_ROW_PROBLEMS = 1000

_TEXT_SUFFIXES = (".txt", ".csv")


def strip_suffixes(path: Path) -> str:
    """File name without ``.csv.gz``, ``.txt``, ``.zip`` style extensions.

    >>> strip_suffixes(Path("ca_wac_S000_JT00_2021.csv.gz")), strip_suffixes(Path("cbp21co.zip"))
    ('ca_wac_S000_JT00_2021', 'cbp21co')
    """
    name = path.name
    while True:
        stem, dot, ext = name.rpartition(".")
        if dot and ext.lower() in {"csv", "txt", "gz", "zip", "bz2", "xz", "json"} and stem:
            name = stem
        else:
            return name


def check_exists(path: Path) -> None:
    if not path.exists():
        raise DataSourceError(f"{path} does not exist. Check the file name and folder.")
    if path.is_dir():
        raise DataSourceError(f"{path} is a folder; pass the data file inside it.")


@contextlib.contextmanager
def open_table(path: Path) -> Iterator[IO[bytes]]:
    """Open a text table, looking inside a ``.zip`` and decompressing ``.gz``.

    Yields a binary file object for :func:`pandas.read_csv`: UTF-8 (with or without a
    byte-order mark) or Windows-1252 as they are, UTF-16 files (byte-order mark) re-encoded
    as UTF-8.
    """
    check_exists(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataSourceError(
                f"{path} is not a readable zip archive ({exc}). Download it again, or unzip "
                "it and pass the .txt/.csv file."
            ) from exc
        with archive:
            members = [
                n
                for n in archive.namelist()
                if n.lower().endswith(_TEXT_SUFFIXES) and not Path(n).name.startswith(".")
            ]
            if len(members) != 1:
                raise DataSourceError(
                    f"{path} holds {len(members)} text tables "
                    f"({', '.join(members[:10]) or 'none'}); it should hold exactly one. "
                    "Unzip it and pass the file you want."
                )
            log.debug("reading %s from %s", members[0], path.name)
            with archive.open(members[0]) as fh:
                yield utf8_stream(path, fh)
        return
    if suffix == ".gz":
        with gzip.open(path, "rb") as gz:
            yield utf8_stream(path, gz)  # type: ignore[arg-type]
        return
    with open(path, "rb") as fh:
        yield utf8_stream(path, fh)


def read_header(path: Path) -> list[str]:
    """Column names of the first line (quotes and a byte-order mark removed)."""
    try:
        with open_table(path) as fh:
            first = fh.readline()
    except (OSError, EOFError) as exc:
        raise DataSourceError(f"{path} cannot be read ({exc}).") from exc
    text = first.decode("utf-8-sig", errors="replace").strip("\r\n")
    if not text.strip():
        raise DataSourceError(f"{path} is empty (no header line). Pass the complete file.")
    return [c.strip().strip('"').strip() for c in text.split(",")]


def csv_chunks(path: Path, *, usecols: list[str], dtype: Any, chunksize: int) -> Iterator[pd.DataFrame]:
    """Read ``usecols`` of a CSV in chunks, turning parser errors into DataSourceError."""
    with open_table(path) as fh:
        try:
            reader = pd.read_csv(
                fh,
                usecols=usecols,
                dtype=dtype,
                keep_default_na=False,
                na_values=[],
                chunksize=chunksize,
                encoding="utf-8-sig",
                encoding_errors="replace",
                skipinitialspace=True,
            )
            yield from reader
        except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
            raise DataSourceError(
                f"{path} is not a readable comma-separated file ({exc}). Check it is complete "
                "and was not re-saved with another separator."
            ) from exc


def year_from_name(path: Path, pattern: re.Pattern[str]) -> int | None:
    """The year in ``path``'s name per ``pattern`` (group 1: 2 or 4 digits)."""
    match = pattern.search(path.name)
    if not match:
        return None
    digits = match.group(1)
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 70 else 1900
    return year


def resolve_year(
    path: Path, year: int | None, pattern: re.Pattern[str], example: str
) -> tuple[int | None, list[Problem]]:
    """The data year from ``year`` or the file name; a problem when neither gives one."""
    from_name = year_from_name(path, pattern)
    if year is not None:
        if from_name is not None and from_name != year:
            log.warning(
                "%s: file name says %d but --year %d was given; using %d", path.name, from_name, year, year
            )
        return int(year), []
    if from_name is None:
        return None, [
            Problem(
                f"cannot tell the year of {path.name} from its name (expected a name like "
                f"{example}); pass --year YYYY."
            )
        ]
    return from_name, []


def sidecar_meta(path: Path) -> dict[str, Any]:
    """Metadata from ``<stem>.meta.json`` next to ``path``, or ``{}``."""
    meta_path = path.with_name(f"{strip_suffixes(path)}.meta.json")
    if not meta_path.is_file():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        log.warning("ignoring %s: not valid JSON (%s)", meta_path.name, exc)
        return {}
    return meta if isinstance(meta, dict) else {}


def is_synthetic(path: Path) -> bool:
    """True when the file name or its sidecar metadata says the data are synthetic.

    >>> is_synthetic(Path("employment_synthetic_county.csv")), is_synthetic(Path("cbp21co.txt"))
    (True, False)
    """
    if "synthetic" in path.name.lower():
        return True
    meta = sidecar_meta(path)
    if meta.get("synthetic") is True:
        return True
    text = " ".join(str(meta.get(k, "")) for k in ("source", "description", "name"))
    return "synthetic" in text.lower()


class NaicsNormalizer:
    """Normalise NAICS codes, caching each distinct code once."""

    def __init__(self) -> None:
        self._cache: dict[str, str | None] = {}

    def __call__(self, code: str) -> str | None:
        try:
            return self._cache[code]
        except KeyError:
            try:
                value: str | None = normalize_naics(code)
            except ValueError:
                value = None
            self._cache[code] = value
            return value

    def series(self, codes: pd.Series) -> pd.Series:
        return codes.map(self)


class RowProblems:
    """Collects row problems of one file, keeping at most :data:`MAX_ROW_PROBLEMS`."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.n_rows_omitted = 0

    def add(self, problem: Problem) -> None:
        if problem.row is not None and self.n_row_problems >= MAX_ROW_PROBLEMS:
            self.n_rows_omitted += 1
            return
        self.problems.append(problem)

    @property
    def n_row_problems(self) -> int:
        return sum(1 for p in self.problems if p.row is not None)

    def result(self) -> list[Problem]:
        out = sorted(self.problems, key=lambda p: (p.row is not None, p.row or 0))
        if self.n_rows_omitted:
            out.append(Problem(f"... and {self.n_rows_omitted} more row problems not listed"))
        return out


def finalize_table(df: pd.DataFrame) -> pd.DataFrame:
    """Employment columns in order with their dtypes, sorted by geoid, naics, year."""
    out = pd.DataFrame(
        {
            "geoid": df["geoid"].astype("string"),
            "naics": df["naics"].astype("string"),
            "year": df["year"].astype("int64"),
            "employment": df["employment"].astype("float64"),
            "flag": df["flag"].fillna("").astype("string"),
        }
    )
    out = out.sort_values(["geoid", "naics", "year"], kind="stable").reset_index(drop=True)
    return out[list(EMPLOYMENT_COLUMNS)]


def duplicate_problems(table: pd.DataFrame, what: str) -> list[Problem]:
    """Problems for (geoid, naics, year) keys present more than once."""
    dup = table[table.duplicated(["geoid", "naics", "year"], keep=False)]
    if dup.empty:
        return []
    keys = dup.drop_duplicates(["geoid", "naics", "year"])
    examples = ", ".join(
        f"{g}/{n}/{y}" for g, n, y in keys[["geoid", "naics", "year"]].head(5).itertuples(index=False)
    )
    return [
        Problem(
            f"{len(keys)} place/industry/year combinations appear more than once in {what} "
            f"(e.g. {examples}). Pass each file once, and no two files of the same year."
        )
    ]


def raise_if_problems(path: Path | str, problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(str(path), problems)


def safe_name(text: str) -> str:
    """A file-name-safe dataset name.

    >>> safe_name("CBP 2021 (county)")
    'CBP_2021_county'
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.") or "employment"


def dataset_from_file(
    path: Path, table: pd.DataFrame, *, format: str, source: str, name: str | None = None
) -> EmploymentDataset:
    """The dataset read from one file: named after it, synthetic when the file says so."""
    return EmploymentDataset(
        name=safe_name(name or strip_suffixes(path)),
        table=table,
        source=source,
        format=format,
        synthetic=is_synthetic(path),
        imported_from=[path.name],
        not_covered=default_not_covered(format),
    )
