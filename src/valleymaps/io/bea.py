"""The BEA's detail input-output workbooks: read as published, stored compactly in a workspace.

The Bureau of Economic Analysis publishes its detail tables (405 industries and commodities,
benchmark 2012, before redefinitions, producers' prices, millions of dollars) as Excel
workbooks with one sheet per year, a ``ReadMe`` and a ``NAICS Codes`` sheet:

* ``IOUse_Before_Redefinitions_PRO_DET.xlsx`` - the Use table;
* ``IOMake_Before_Redefinitions_DET.xlsx`` - the Make table;
* ``ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx`` - the import matrix.

Layout (every sheet): rows 1-3 a title, row 5 names, row 6 codes (``A6 = "Code"``), data
from row 7. Codes that look like numbers are stored as numbers (``111200``); they are read
back as text. Below the Use table's commodity rows come ``T005`` and the value-added rows to
``T008`` (industry output); right of its industry columns ``T001``, the final uses
``F01000``...``F10S00`` (``F05000`` imports, negative), ``T004`` and ``T007`` (commodity
output). The Make table ends with row ``T007`` and column ``T008``; the import matrix has no
total rows. The files are identified by their title (cell A1), whatever their names.

:func:`read_bea_workbooks` returns an :class:`~valleymaps.core.io_tables.IOTables`;
:func:`save_io_tables` stores it as ``data/econ/io/bea_<year>_detail.npz`` (compressed
arrays, a few hundred kilobytes) with ``bea_<year>_detail.meta.json`` (source files and
their SHA-256, notes); :func:`load_io_tables` reads it back. The tables are stored as
published; the model (:mod:`valleymaps.analysis.io_model`) clips what needs clipping and
says so.

Workbooks are opened with python-calamine (a Rust reader; about 0.3 s per workbook, where
openpyxl takes half a minute).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from valleymaps.core.io_tables import IOTables, parse_naics_list
from valleymaps.errors import DataExistsError, DataSourceError, MissingDatasetError, cut_value
from valleymaps.i18n import N_, message, recognise
from valleymaps.io.atomic import write_bytes_atomic, write_text_atomic
from valleymaps.io.filelock import exclusive_lock, lock_path
from valleymaps.io.text_encoding import detect_encoding
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

#: The notes on the tables' quirks (kept as text in the store; read back as these messages, so that
#: a page in another language can write them again).
NOTE_NEGATIVE = N_("{n} intermediate-use cells are negative in the Use table (sales of used goods, "
                   "insurance adjustments), as published.")
NOTE_IMPORTS_OVER_USE = N_("{n} cells of the import matrix exceed the Use table's total use of the "
                           "commodity by the industry ({big} by more than the $1 million rounding); "
                           "the model clips them.")
NOTE_CONCORDANCE = N_("concordance: {n} BEA detail codes, {na} without NAICS codes (n.a.), {shared} "
                      "sharing a NAICS code with others (marked *, as construction 23*).")
NOTES = (NOTE_NEGATIVE, NOTE_IMPORTS_OVER_USE, NOTE_CONCORDANCE)

#: Default table year: the 2012 benchmark, the only year with detail-level tables.
DEFAULT_YEAR = 2012

#: The three tables, the title their sheets start with, and the published file name.
TABLE_KINDS: dict[str, tuple[str, str]] = {
    "use": ("Use Table", "IOUse_Before_Redefinitions_PRO_DET.xlsx"),
    "make": ("Make Table", "IOMake_Before_Redefinitions_DET.xlsx"),
    "imports": ("Import Matrix", "ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx"),
}

_HEADER_ROW = 5  # 0-based: row 6 holds the codes

FIX_FILES = (
    "Pass the BEA's detail workbooks as published: "
    + ", ".join(name for _, name in TABLE_KINDS.values())
    + " (https://apps.bea.gov/industry/release/zip/ ... or 'valleymaps fetch bea')."
)


def _code(value: object) -> str:
    """A code cell as text: ``111200.0`` -> ``"111200"``, spaces (also non-breaking) stripped."""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, int):
        return str(value)
    return str(value).replace("\xa0", " ").strip() if value is not None else ""


def _number(value: object) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", "")
    if text in {"", "...", "---", "(D)"}:
        return 0.0
    return float(text)


def sha256_of(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refuse_text(path: Path) -> None:
    """Refuse a CSV or other text given for a workbook, saying what it is (any encoding)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise DataSourceError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return  # a workbook (xlsx, xls)
    encoding = detect_encoding(head)
    text = None
    for cut in range(4):  # the 4,096 bytes may end inside a character
        try:
            text = head[: len(head) - cut].decode(encoding or "utf-8")
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        return  # not text: calamine says what it cannot open
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    kind = "comma-separated" if "," in first else "tab-separated" if "\t" in first else "plain"
    raise DataSourceError(
        f"{path.name} is {kind} text{f' ({encoding.upper()})' if encoding else ''}, not an Excel "
        f"workbook: the BEA tables are read from the workbooks as published (first line "
        f"{cut_value(first)}). {FIX_FILES}"
    )


def _open(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    if not path.exists():
        raise DataSourceError(f"{path} does not exist. Check the file name and folder.")
    if path.is_dir():
        raise DataSourceError(f"{path} is a folder; pass the workbooks inside it.")
    _refuse_text(path)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own errors for a file that is not a workbook
        raise DataSourceError(
            f"{path} cannot be opened as an Excel workbook ({type(exc).__name__}: "
            f"{str(exc)[:80]}). {FIX_FILES}"
        ) from exc


def _sheet_rows(book: Any, path: Path, sheet: str) -> list[list[object]]:
    try:
        return [list(r) for r in book.get_sheet_by_name(sheet).to_python()]
    except Exception as exc:
        raise DataSourceError(
            f"{path.name}: sheet {sheet!r} cannot be read ({type(exc).__name__}: {str(exc)[:80]})."
        ) from exc


def _kind_of(title: str) -> str | None:
    for kind, (start, _) in TABLE_KINDS.items():
        if title.lower().startswith(start.lower()):
            return kind
    return None


def _check_title(path: Path, kind: str, title: str) -> None:
    low = title.lower()
    if "after redefinitions" in low:
        raise DataSourceError(
            f"{path.name}: {title!r} is a table after redefinitions; the model needs the tables "
            f"before redefinitions. {FIX_FILES}"
        )
    if kind == "use" and "purchaser" in low:
        raise DataSourceError(
            f"{path.name}: {title!r} is valued at purchasers' prices; the model needs producers' "
            f"prices (IOUse_Before_Redefinitions_PRO_DET.xlsx)."
        )


def _header(rows: list[list[object]], path: Path, sheet: str) -> list[str]:
    if len(rows) <= _HEADER_ROW + 1 or _code(rows[_HEADER_ROW][0]).lower() != "code":
        found = _code(rows[_HEADER_ROW][0]) if len(rows) > _HEADER_ROW and rows[_HEADER_ROW] else ""
        raise DataSourceError(
            f"{path.name}, sheet {sheet}: row 6 should start with 'Code' (found {found[:40]!r}); "
            f"this is not the BEA's detail layout. Summary-level workbooks (71 industries, "
            f"'IOCode' on row 7) are a different release and cannot be mixed in. {FIX_FILES}"
        )
    return [_code(c) for c in rows[_HEADER_ROW]]


def _matrix(body: Sequence[Sequence[object]], cols: Sequence[int]) -> np.ndarray:
    return np.array([[_number(r[j]) if j < len(r) else 0.0 for j in cols] for r in body], dtype=float)


def _block(
    rows: list[list[object]], path: Path, sheet: str, *, row_stop: str | None, col_stop: str | None
) -> tuple[list[str], list[str], list[str], list[str], list[list[object]], dict[str, int]]:
    """Row codes and titles, column codes and titles of the main block; all rows; column index."""
    header = _header(rows, path, sheet)
    names = [_code(c) for c in rows[_HEADER_ROW - 1]]
    col_index = {c: j for j, c in enumerate(header) if c}
    stop_col = col_index.get(col_stop, len(header)) if col_stop else len(header)
    col_codes = [c for c in header[2:stop_col]]
    col_titles = names[2:stop_col]
    data = [r for r in rows[_HEADER_ROW + 1:] if r and _code(r[0])]
    row_codes = [_code(r[0]) for r in data]
    stop_row = row_codes.index(row_stop) if row_stop and row_stop in row_codes else len(data)
    if not col_codes or stop_row == 0:
        raise DataSourceError(
            f"{path.name}, sheet {sheet}: no rows or columns of codes below row 6. {FIX_FILES}"
        )
    return (
        row_codes[:stop_row],
        [str(r[1]).strip() for r in data[:stop_row]],
        col_codes,
        col_titles,
        data,
        col_index,
    )


def read_concordance(rows: list[list[object]], *, source: str = "NAICS Codes") -> pd.DataFrame:
    """The ``NAICS Codes`` sheet as one row per BEA detail code and NAICS prefix.

    The sheet is a staircase: sector codes in column A, summary in B, underlying summary in
    C (their titles one column to the right), detail codes in D with the title in E, notes
    (daggers) in F and the related 2012 NAICS codes in G. A detail row is one with a code in
    D and a title in E.

    Returns
    -------
    pandas.DataFrame
        ``bea_code, title, naics, naics_text, shared, note``; codes without NAICS (``n.a.``)
        have one row with ``naics == ""``.

    Raises
    ------
    DataSourceError
        For a NAICS cell that cannot be read, naming the code and the value.
    """
    records: list[dict[str, object]] = []
    problems: list[str] = []
    for r in rows:
        cells = [*r, *[""] * (7 - len(r))]
        code, title = _code(cells[3]), str(cells[4]).strip()
        if not code or not title or code.lower() == "detail":
            continue
        naics_text = _code(cells[6])
        try:
            prefixes = parse_naics_list(cells[6])
        except ValueError as exc:
            problems.append(f"{code}: {exc}")
            continue
        shared = "*" in naics_text
        note = str(cells[5]).strip()
        for p in prefixes or [""]:
            records.append(
                {"bea_code": code, "title": title, "naics": p, "naics_text": naics_text,
                 "shared": shared, "note": note}
            )
    if problems:
        raise DataSourceError(
            f"{source}: {len(problems)} NAICS cell(s) cannot be read: " + "; ".join(problems[:5])
        )
    if not records:
        raise DataSourceError(f"{source}: no detail codes (column D with a title in E) found.")
    return pd.DataFrame.from_records(records)


def read_bea_workbooks(
    paths: Iterable[str | os.PathLike[str]], *, year: int = DEFAULT_YEAR
) -> IOTables:
    """Read the BEA's detail Use, Make and import-matrix workbooks of ``year``.

    Parameters
    ----------
    paths
        The three workbooks, in any order and under any name (each is recognised by its
        title). A fourth file, or a missing one, is an error naming what is expected.
    year
        The sheet to read (``2012``, the benchmark, or ``2007``).

    Returns
    -------
    IOTables
        The tables as published, with notes on their quirks (negative cells, cells where
        imported use exceeds total use) and the source files with their SHA-256.

    Raises
    ------
    DataSourceError
        A file is missing, not a workbook, not one of the three tables, lacks the sheet of
        ``year``, or does not fit the others (codes in another order, other release).
    """
    found: dict[str, tuple[Path, list[list[object]], list[list[object]]]] = {}
    sources: list[dict[str, str]] = []
    for p in paths:
        path = Path(p)
        book = _open(path)
        sheets = [str(s) for s in book.sheet_names]
        if str(year) not in sheets:
            years = [s for s in sheets if s.strip().isdigit()]
            raise DataSourceError(
                f"{path.name} has no sheet {year} (year sheets: {', '.join(years) or 'none'}). "
                f"Pass --year with one of these."
            )
        rows = _sheet_rows(book, path, str(year))
        title = _code(rows[0][0]) if rows and rows[0] else ""
        if title.lower().startswith(("the use of commodities", "the make of commodities")) or any(
            r and _code(r[0]) == "IOCode" for r in rows[:10]
        ):
            raise DataSourceError(
                f"{path.name} is a summary-level table (71 industries, another release and NAICS "
                f"vintage); it cannot be mixed with the detail tables. {FIX_FILES}"
            )
        kind = _kind_of(title)
        if kind is None:
            raise DataSourceError(
                f"{path.name}: sheet {year} starts with {title[:80]!r}, not a BEA Use table, Make "
                f"table or import matrix. {FIX_FILES}"
            )
        _check_title(path, kind, title)
        if kind in found:
            raise DataSourceError(
                f"{path.name} and {found[kind][0].name} are both the {TABLE_KINDS[kind][0]}; pass "
                f"each table once."
            )
        naics_rows = _sheet_rows(book, path, "NAICS Codes") if "NAICS Codes" in sheets else []
        found[kind] = (path, rows, naics_rows)
        sources.append({"kind": kind, "file": path.name, "sha256": sha256_of(path),
                        "sheet": str(year), "title": title})
    missing = [TABLE_KINDS[k][1] for k in TABLE_KINDS if k not in found]
    if missing:
        raise DataSourceError(
            f"the {' and '.join(TABLE_KINDS[k][0] for k in TABLE_KINDS if k not in found)} "
            f"{'is' if len(missing) == 1 else 'are'} missing: pass {', '.join(missing)} too."
        )
    return _assemble(found, sources, year)


def _assemble(
    found: dict[str, tuple[Path, list[list[object]], list[list[object]]]],
    sources: list[dict[str, str]],
    year: int,
) -> IOTables:
    notes: list[str] = []
    upath, urows, unaics = found["use"]
    com, com_t, ind, ind_t, udata, ucol = _block(urows, upath, str(year), row_stop="T005",
                                                 col_stop="T001")
    ni, nc = len(ind), len(com)
    use = _matrix(udata[:nc], range(2, 2 + ni))
    final_codes = [c for c in ucol if c.startswith("F") and len(c) == 6]
    fcols = [ucol[c] for c in final_codes]
    use_final = _matrix(udata[:nc], fcols)
    if "T007" not in ucol:
        raise DataSourceError(f"{upath.name}: no column T007 (total commodity output). {FIX_FILES}")
    commodity_output = _matrix(udata[:nc], [ucol["T007"]])[:, 0]
    urow_codes = [_code(r[0]) for r in udata]
    if "T008" not in urow_codes:
        raise DataSourceError(f"{upath.name}: no row T008 (total industry output). {FIX_FILES}")
    industry_output = _matrix([udata[urow_codes.index("T008")]], range(2, 2 + ni))[0]

    mpath, mrows, _ = found["make"]
    m_ind, _, m_com, _, mdata, _ = _block(mrows, mpath, str(year), row_stop="T007", col_stop="T008")
    if sorted(m_ind) != sorted(ind) or sorted(m_com) != sorted(com):
        raise DataSourceError(
            f"{mpath.name} does not match {upath.name}: its industry or commodity codes differ "
            f"(another release?). Pass the Make and Use tables of the same release."
        )
    make_raw = _matrix(mdata[: len(m_ind)], range(2, 2 + len(m_com)))
    make = (
        pd.DataFrame(make_raw, index=m_ind, columns=m_com).reindex(index=ind, columns=com).to_numpy()
    )

    ipath, irows, _ = found["imports"]
    i_com, _, i_ind, _, idata, icol = _block(irows, ipath, str(year), row_stop=None, col_stop="T001")
    i_com_set = [c for c in i_com if c in set(com)]
    if sorted(i_com_set) != sorted(com) or sorted(i_ind) != sorted(ind):
        raise DataSourceError(
            f"{ipath.name} does not match {upath.name}: its industry or commodity codes differ "
            f"(another release?). Pass the import matrix of the same release."
        )
    keep = [k for k, c in enumerate(i_com) if c in set(com)]
    idata_kept = [idata[k] for k in keep]
    imp_raw = _matrix(idata_kept, range(2, 2 + len(i_ind)))
    imports = (
        pd.DataFrame(imp_raw, index=[i_com[k] for k in keep], columns=i_ind)
        .reindex(index=com, columns=ind).to_numpy()
    )
    ifinal = _matrix(idata_kept, [icol.get(c, 0) for c in final_codes])
    missing_f = [c for c in final_codes if c not in icol]
    if missing_f:
        ifinal[:, [final_codes.index(c) for c in missing_f]] = 0.0
    imports_final = (
        pd.DataFrame(ifinal, index=[i_com[k] for k in keep]).reindex(index=com).to_numpy()
    )

    naics_rows = unaics or found["make"][2] or found["imports"][2]
    if not naics_rows:
        raise DataSourceError(
            f"none of the workbooks has a 'NAICS Codes' sheet (the concordance to NAICS). "
            f"{FIX_FILES}"
        )
    concordance = read_concordance(naics_rows, source=f"{upath.name}, sheet NAICS Codes")

    n_neg = int((use < 0).sum())
    if n_neg:
        notes.append(message(NOTE_NEGATIVE, n=n_neg))
    over = imports > use
    n_over = int(over.sum())
    if n_over:
        n_big = int((imports - use > 1.0)[over].sum())
        notes.append(message(NOTE_IMPORTS_OVER_USE, n=n_over, big=n_big))
    n_na = int(concordance.loc[concordance["naics"] == "", "bea_code"].nunique())
    n_star = int(concordance.loc[concordance["shared"], "bea_code"].nunique())
    notes.append(message(NOTE_CONCORDANCE, n=concordance["bea_code"].nunique(), na=n_na, shared=n_star))
    log.info("read BEA %d tables: %d industries, %d commodities", year, ni, nc)
    return IOTables(
        year=year, industries=ind, industry_titles=ind_t, commodities=com, commodity_titles=com_t,
        use=use, make=make, imports=imports, final_codes=final_codes, use_final=use_final,
        imports_final=imports_final, industry_output=industry_output,
        commodity_output=commodity_output, concordance=concordance, notes=notes, sources=sources,
    )


# --- the workspace store ---------------------------------------------------------------


def io_store_paths(ws: Workspace, year: int = DEFAULT_YEAR) -> tuple[Path, Path]:
    """``data/econ/io/bea_<year>_detail.npz`` and its ``.meta.json``."""
    folder = ws.econ_dir / "io"
    return folder / f"bea_{year}_detail.npz", folder / f"bea_{year}_detail.meta.json"


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """``np.savez_compressed`` bytes without timestamps: the same tables give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def io_store_bytes(tables: IOTables) -> tuple[bytes, str]:
    """The stored form of ``tables``: compressed arrays (``.npz`` bytes) and the JSON metadata.

    The same tables give the same bytes (no timestamps), so a bundled store rebuilds
    identically (``scripts/build_bea_extract.py``).
    """
    conc = tables.concordance
    arrays: dict[str, np.ndarray] = {
        "industries": np.array(tables.industries, dtype=str),
        "industry_titles": np.array(tables.industry_titles, dtype=str),
        "commodities": np.array(tables.commodities, dtype=str),
        "commodity_titles": np.array(tables.commodity_titles, dtype=str),
        "final_codes": np.array(tables.final_codes, dtype=str),
        "use": tables.use, "make": tables.make, "imports": tables.imports,
        "use_final": tables.use_final, "imports_final": tables.imports_final,
        "industry_output": tables.industry_output, "commodity_output": tables.commodity_output,
        **{f"concordance_{c}": conc[c].astype(str).to_numpy(dtype=str)
           for c in ("bea_code", "title", "naics", "naics_text", "note")},
        "concordance_shared": conc["shared"].to_numpy(dtype=bool),
    }
    meta = {
        "name": f"bea_{tables.year}_detail",
        "source": "U.S. Bureau of Economic Analysis, Industry Economic Accounts: detail Use, Make "
                  "and import-matrix tables before redefinitions, producers' prices",
        "year": tables.year,
        "units": tables.dollars,
        "files": tables.sources,
        "notes": tables.notes,
        "industries": len(tables.industries),
        "commodities": len(tables.commodities),
    }
    return _npz_bytes(arrays), json.dumps(meta, indent=2) + "\n"


def save_io_tables(ws: Workspace, tables: IOTables, *, replace: bool = True) -> Path:
    """Store ``tables`` in the workspace (compressed arrays and a JSON of sources and notes).

    Both files are written atomically; the arrays hold no Python objects (text as fixed-width
    Unicode), so loading them runs no code. With ``replace=False`` the project's one
    replacement rule applies: stored tables of the same year holding other figures are kept
    and :class:`~valleymaps.errors.DataExistsError` says what is there and what would replace
    it; the same tables again go through (the check and the write hold the store's lock).
    """
    npz_path, meta_path = io_store_paths(ws, tables.year)
    data, meta = io_store_bytes(tables)
    npz_path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(lock_path(npz_path)):
        if not replace and npz_path.is_file() and npz_path.read_bytes() != data:
            raise DataExistsError(
                f"{npz_path} holds other BEA {tables.year} tables ({_describe_stored(meta_path)}); "
                f"this import would replace them with {len(tables.industries)} industries and "
                f"{len(tables.commodities)} commodities from "
                f"{', '.join(str(s.get('file', '?')) for s in tables.sources) or 'the files given'}. "
                "Pass --replace to replace them."
            )
        write_bytes_atomic(npz_path, data)
        write_text_atomic(meta_path, meta)
    log.info("stored the BEA %d tables in %s (%s bytes)", tables.year, npz_path,
             f"{npz_path.stat().st_size:,}")
    return npz_path


def _describe_stored(meta_path: Path) -> str:
    """What the stored tables are, from their ``.meta.json``: sizes and source files."""
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "its description cannot be read"
    files = ", ".join(str(f.get("file", "?")) for f in meta.get("files", []) if isinstance(f, dict))
    return (f"{meta.get('industries', '?')} industries and {meta.get('commodities', '?')} commodities"
            + (f" from {files}" if files else ""))


def load_io_tables(ws: Workspace, year: int = DEFAULT_YEAR) -> IOTables:
    """The BEA tables of ``year`` stored in the workspace.

    Raises
    ------
    MissingDatasetError
        If they are not there, saying how to get them.
    """
    npz_path, meta_path = io_store_paths(ws, year)
    if not npz_path.is_file():
        raise MissingDatasetError(
            f"no BEA input-output tables of {year} in {npz_path.parent}: run 'valleymaps fetch bea' "
            f"or 'valleymaps import io IOUse_Before_Redefinitions_PRO_DET.xlsx "
            f"IOMake_Before_Redefinitions_DET.xlsx ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx'."
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        with np.load(npz_path, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError) as exc:
        raise DataSourceError(
            f"{npz_path} cannot be read ({type(exc).__name__}: {str(exc)[:80]}); import the "
            f"workbooks again with 'valleymaps import io' or 'valleymaps fetch bea --refresh'."
        ) from exc
    conc = pd.DataFrame({
        "bea_code": a["concordance_bea_code"].astype(str),
        "title": a["concordance_title"].astype(str),
        "naics": a["concordance_naics"].astype(str),
        "naics_text": a["concordance_naics_text"].astype(str),
        "shared": a["concordance_shared"].astype(bool),
        "note": a["concordance_note"].astype(str),
    })
    return IOTables(
        year=year,
        industries=a["industries"].tolist(), industry_titles=a["industry_titles"].tolist(),
        commodities=a["commodities"].tolist(), commodity_titles=a["commodity_titles"].tolist(),
        use=a["use"], make=a["make"], imports=a["imports"], final_codes=a["final_codes"].tolist(),
        use_final=a["use_final"], imports_final=a["imports_final"],
        industry_output=a["industry_output"], commodity_output=a["commodity_output"],
        concordance=conc, notes=[recognise(str(n), NOTES) for n in meta.get("notes", [])],
        sources=list(meta.get("files", [])),
    )


def import_io(
    ws: Workspace,
    paths: Iterable[str | os.PathLike[str]],
    *,
    year: int = DEFAULT_YEAR,
    replace: bool = False,
) -> IOTables:
    """Read the three BEA workbooks and store them in the workspace (``valleymaps import io``).

    Nothing is written unless all three read. Tables of ``year`` already stored (the bundled
    2012 tables included) are replaced only with ``replace``; the same tables again (the
    published workbooks over the bundled copy, a fetch run twice) go through.

    Raises
    ------
    DataSourceError
        As :func:`read_bea_workbooks`.
    DataExistsError
        If other tables of ``year`` are stored and ``replace`` is false.
    """
    tables = read_bea_workbooks(paths, year=year)
    save_io_tables(ws, tables, replace=replace)
    return tables
