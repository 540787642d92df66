"""ACS county-to-county commuting flows (the Census Bureau's 5-year tables, as CSV).

The table ``acs_county_flows_2009_2013_us.csv`` has one row per pair of counties::

    h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe
    06,019,006,019,317272,2838

* home state (2 digits) and county (3 digits); work state in *three* digits (``006`` is
  California, ``072`` Puerto Rico) and county;
* work states from ``100`` up are work places abroad, with no county: ``301`` Canada, ``303``
  Mexico, ``166`` Europe, ``254`` Asia, ``399`` Americas not specified, ``555`` elsewhere or at
  sea; a code not on this list counts as "abroad, other";
* rows with no work state or county at all (``NA``): the table does not say where these people
  work; they are kept, as "work place not given", so that each county's residents add up;
* ``flow``: workers 16 and over; ``moe``: its 90% margin of error, kept;
* the file ends with a blank row and two lines of source notes, which are skipped.

GEOIDs come out as text: ``h_geoid`` ``"06019"``, ``w_geoid`` ``"06019"``, or one of the codes
of :data:`ABROAD` for work places abroad or not given.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "flows.csv"
>>> _ = p.write_text("h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe\\n"
...                  "06,019,006,019,317272,2838\\n06,019,303,NA,12,9\\n06,019,NA,NA,19,31\\n"
...                  "NA,NA,NA,NA,NA,NA\\n\\"Source: U.S. Census Bureau\\",NA,NA,NA,NA,NA\\n")
>>> read_acs_county_flows(p).table.values.tolist()
[['06019', '06019', 317272, 2838.0], ['06019', 'F303', 12, 9.0], ['06019', 'F999', 19, 31.0]]
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from valleymaps.core.codes import ABROAD_PLACES
from valleymaps.errors import DataSourceError, FieldError, Problem, ValidationError
from valleymaps.io.text_encoding import detect_file_encoding, is_wide_unicode

log = logging.getLogger(__name__)

FORMAT = "acs-county"

COLUMNS: tuple[str, ...] = (
    "h_state_fips", "h_county_fips", "w_state_fips", "w_county_fips", "flow", "moe",
)  # fmt: skip

#: Work places outside the country, or not given: code -> name. A work state code of 100 or
#: more is a place abroad: ``F`` and the code when it is listed here, else :data:`ABROAD_OTHER`.
ABROAD: dict[str, str] = ABROAD_PLACES
ABROAD_OTHER = "F900"
NOT_GIVEN = "F999"

#: 2009-2013 from ``acs_county_flows_2009_2013_us.csv`` or "5-Year ACS, 2016-2020".
_VINTAGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[_\-–]\s*((?:19|20)\d{2})(?!\d)")

MAX_PROBLEMS = 50

_MISSING = {"", "NA", "N/A", "NAN", "NULL", "."}


@dataclass
class AcsFlowsRead:
    """An ACS county flows table as read, with what was done to its rows.

    Attributes
    ----------
    table
        ``h_geoid``, ``w_geoid``, ``workers`` (int), ``workers_moe`` (float; NaN if not given).
    rows
        Data rows kept.
    abroad_rows
        Rows whose work place is abroad (Canada, Mexico, Europe...).
    not_given_rows
        Rows with no work state or county (kept as :data:`NOT_GIVEN`).
    skipped_trailer
        Lines at the end that are not data (blank row, source notes).
    vintage
        ``"2009–2013"`` when the file tells it, else None.
    abroad_places
        Names of the places abroad found, sorted.
    other_abroad_codes
        Codes abroad not in :data:`ABROAD`, counted together as :data:`ABROAD_OTHER`.
    """

    table: pd.DataFrame
    rows: int
    abroad_rows: int
    not_given_rows: int
    skipped_trailer: int
    vintage: str | None
    abroad_places: list[str] = field(default_factory=list)
    other_abroad_codes: tuple[str, ...] = ()


def is_acs_county_header(columns: list[str]) -> bool:
    """True when ``columns`` are those of the ACS county flows table."""
    return [c.strip().lower() for c in columns[: len(COLUMNS)]] == list(COLUMNS)


def _read_text(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataSourceError(f"{path} does not exist. Check the file name and folder.")
    if path.is_dir():
        raise DataSourceError(f"{path} is a folder; pass the .csv file inside it.")
    declared = detect_file_encoding(path)
    for encoding in (declared,) if is_wide_unicode(declared) else ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding=encoding, skip_blank_lines=True
            )
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataSourceError(
                f"{path} is not a readable CSV table ({exc}). Pass the county-to-county flows "
                "table saved as CSV."
            ) from exc
    raise DataSourceError(f"{path} is neither UTF-8 nor Windows-1252 text; save it as UTF-8 CSV.")


def _missing(values: pd.Series) -> pd.Series:
    return values.str.strip().str.upper().isin(_MISSING)


def read_acs_county_flows(path: str | os.PathLike[str]) -> AcsFlowsRead:
    """Read the ACS county-to-county commuting flows table saved as CSV.

    The Census Bureau's own workbook (``table1.xlsx``) is read by
    :func:`valleymaps.io.flows.acs_xlsx.read_acs_xlsx_flows`.

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    AcsFlowsRead

    Raises
    ------
    DataSourceError
        If the file is missing or not a CSV table.
    FieldError
        If a column is missing, or codes were stored as numbers (``6`` for ``06``).
    ValidationError
        Listing the rows that cannot be read (up to 50).
    """
    p = Path(path)
    raw = _read_text(p)
    found = [str(c).strip() for c in raw.columns]
    lower = [c.lower() for c in found]
    missing = [c for c in COLUMNS if c not in lower]
    if missing:
        raise FieldError(
            f"{p.name} is not an ACS county-to-county flows table: no column "
            f"{', '.join(repr(m) for m in missing)} (found: {', '.join(found[:10])}). The table "
            f"needs the columns {', '.join(COLUMNS)}."
        )
    raw.columns = lower
    data = raw[list(COLUMNS)].apply(lambda s: s.str.strip())
    return normalise_acs_flows(data, source=str(p), vintage=vintage_from_text(p.name))


def vintage_from_text(text: str) -> str | None:
    """The 5-year period a file name or title tells (``2009–2013``), or ``None``.

    >>> vintage_from_text("acs_county_flows_2009_2013_us.csv"), vintage_from_text("table1.xlsx")
    ('2009–2013', None)
    >>> vintage_from_text("Table 1. ... Sorted by Residence Geography: 5-Year ACS, 2016-2020")
    '2016–2020'
    """
    m = _VINTAGE.search(text)
    return f"{m[1]}–{m[2]}" if m else None


def _rss(values: pd.Series) -> float:
    """Root sum of squares of the margins given (NaN if none is)."""
    present = values.dropna()
    return float(np.sqrt((present**2).sum())) if len(present) else float("nan")


def normalise_acs_flows(
    data: pd.DataFrame,
    *,
    source: str,
    vintage: str | None = None,
    row_numbers: Sequence[int] | None = None,
    labels: Mapping[str, str] | None = None,
) -> AcsFlowsRead:
    """Check and convert the rows of an ACS county flows table, however it was stored.

    Parameters
    ----------
    data
        The :data:`COLUMNS`, as stripped text (missing values as ``""`` or ``NA``), in file
        order; notes and blank rows after the last data row are skipped.
    source
        The file, for messages.
    vintage
        The 5-year period (``"2016–2020"``), if known.
    row_numbers
        The row number to report for each row of ``data`` (default ``1, 2, ...``: data rows,
        header excluded; a workbook passes its spreadsheet rows).
    labels
        How to name each of :data:`COLUMNS` in messages (default: the name itself).

    Returns
    -------
    AcsFlowsRead

    Raises
    ------
    FieldError
        If codes were stored as numbers (``6`` for ``06``).
    ValidationError
        Listing the rows that cannot be read (up to 50), by row number and column.

    Examples
    --------
    Work places abroad keep their place-of-work code; one the table does not document is
    "abroad, other" (:data:`ABROAD_OTHER`):

    >>> rows = pd.DataFrame([["06", "019", "166", "", "40", "20"],
    ...                      ["06", "019", "412", "", "3", "4"]], columns=COLUMNS)
    >>> normalise_acs_flows(rows, source="t.csv").table["w_geoid"].tolist()
    ['F166', 'F900']
    """
    numbers = np.arange(1, len(data) + 1) if row_numbers is None else np.asarray(row_numbers)
    if len(numbers) != len(data):
        raise ValueError(f"{len(numbers)} row numbers for {len(data)} rows")
    names = {c: (labels or {}).get(c, c) for c in COLUMNS}
    data = data.reset_index(drop=True)

    # the trailer: rows after the last row with a home state code are notes or blank
    home_ok = data["h_state_fips"].str.fullmatch(r"\d{1,2}")
    last = int(np.flatnonzero(home_ok.to_numpy())[-1]) if home_ok.any() else -1
    trailer = data.iloc[last + 1 :]
    data = data.iloc[: last + 1]

    problems: list[Problem] = []

    def add(mask: pd.Series, column: str, message: str) -> None:
        for i in np.flatnonzero(mask.to_numpy())[: MAX_PROBLEMS - len(problems)]:
            value = data[column].iloc[i]
            problems.append(Problem(message.format(value=value), row=int(numbers[i]),
                                    column=names[column]))

    # codes stored as numbers lose their leading zeros: say so once, with the fix
    for column, width in (("h_state_fips", 2), ("h_county_fips", 3), ("w_county_fips", 3)):
        values = data[column]
        short = values.str.fullmatch(r"\d+") & (values.str.len() < width)
        if short.any():
            i = int(np.flatnonzero(short.to_numpy())[0])
            raise FieldError(
                f"{source}: column '{names[column]}' holds codes stored as numbers (row "
                f"{numbers[i]}: {values.iloc[i]!r}, {int(short.sum()):,} rows in all); FIPS codes "
                f"are text with leading zeros ({width} digits). Use the table as published, or "
                "format the column as text before saving it."
            )
    w_state = data["w_state_fips"]
    short_w = w_state.str.fullmatch(r"\d{1,2}")
    if short_w.any():
        i = int(np.flatnonzero(short_w.to_numpy())[0])
        raise FieldError(
            f"{source}: column '{names['w_state_fips']}' holds codes stored as numbers (row "
            f"{numbers[i]}: {w_state.iloc[i]!r}); this table writes work states in three digits "
            "('006' for California). Use the table as published, or format the column as text."
        )

    add(~data["h_state_fips"].str.fullmatch(r"\d{2}"), "h_state_fips",
        "home state {value!r} is not a 2-digit code")
    add(~data["h_county_fips"].str.fullmatch(r"\d{3}"), "h_county_fips",
        "home county {value!r} is not a 3-digit code")
    not_given = _missing(w_state)
    abroad = w_state.str.fullmatch(r"[1-9]\d{2}")
    us = ~not_given & ~abroad
    add(us & ~w_state.str.fullmatch(r"0\d{2}"), "w_state_fips",
        "work state {value!r} is not a 3-digit state code ('006'), a place abroad (100 and "
        "above, e.g. 301 Canada) or NA")
    add(us & ~data["w_county_fips"].str.fullmatch(r"\d{3}"), "w_county_fips",
        "work county {value!r} is not a 3-digit code")
    flow = pd.to_numeric(data["flow"], errors="coerce")
    add(flow.isna() | (flow < 0) | (flow % 1 != 0), "flow",
        "flow {value!r} is not a whole number of workers; write the count as published (e.g. 1200)")
    moe_missing = _missing(data["moe"])
    moe = pd.to_numeric(data["moe"].where(~moe_missing, None), errors="coerce")
    infinite_moe = pd.Series(np.isinf(moe.to_numpy(dtype=float, na_value=np.nan)), index=moe.index)
    add(~moe_missing & (moe.isna() | (moe < 0) | infinite_moe), "moe",
        "margin of error {value!r} is not a number of workers; write it as published (e.g. 95), or "
        "leave the cell empty where there is none")
    if problems:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(f"listing stopped after {MAX_PROBLEMS} problems"))
        raise ValidationError(source, problems)

    abroad_codes = ("F" + w_state).where(abroad, "")
    other = abroad & ~abroad_codes.isin(list(ABROAD))
    w_geoid = (w_state.str[-2:] + data["w_county_fips"]).where(us, NOT_GIVEN)
    w_geoid = w_geoid.mask(abroad, abroad_codes.mask(other, ABROAD_OTHER))
    table = pd.DataFrame(
        {
            "h_geoid": (data["h_state_fips"] + data["h_county_fips"]).astype("str"),
            "w_geoid": w_geoid.astype("str"),
            "workers": flow.astype("int64"),
            "workers_moe": moe.astype("float64"),
        }
    ).reset_index(drop=True)
    dup = table.duplicated(["h_geoid", "w_geoid"], keep=False) & ~other.to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())[:MAX_PROBLEMS]
        raise ValidationError(
            source,
            [Problem(f"the pair {table.loc[i, 'h_geoid']} -> {table.loc[i, 'w_geoid']} appears more "
                     "than once; keep one row per pair", row=int(numbers[i])) for i in rows],
        )
    other_codes = tuple(sorted(set(w_state[other])))
    if other_codes:
        # codes abroad the table does not document: one "abroad, other" place per home county
        log.warning("%s: work places abroad with codes valleymaps does not know (%s) are counted "
                    "as %r", source, ", ".join(other_codes), ABROAD[ABROAD_OTHER])
        mask = other.to_numpy()
        merged = (table[mask].groupby("h_geoid", sort=False)
                  .agg(workers=("workers", "sum"), workers_moe=("workers_moe", _rss))
                  .reset_index())
        merged.insert(1, "w_geoid", ABROAD_OTHER)
        table = pd.concat([table[~mask], merged], ignore_index=True)
    result = AcsFlowsRead(
        table=table,
        rows=len(data),
        abroad_rows=int(abroad.sum()),
        not_given_rows=int(not_given.sum()),
        skipped_trailer=len(trailer),
        vintage=vintage,
        abroad_places=sorted(ABROAD[c] for c in set(table["w_geoid"]) & set(ABROAD)
                             if c != NOT_GIVEN),
        other_abroad_codes=other_codes,
    )
    log.info(
        "read %s: %d rows (%d abroad, %d with no work place), %d trailing lines skipped, %d workers",
        source, result.rows, result.abroad_rows, result.not_given_rows, result.skipped_trailer,
        int(table["workers"].sum()),
    )
    return result
