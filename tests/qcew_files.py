"""QCEW files in the exact layouts BLS publishes, built in code.

Four layouts (columns as in BLS's field layouts and the files in ../shared/realdata/qcew):
``CSVs by area`` annual (43 columns) and quarterly (47), open-data API slices annual (38)
and quarterly (42). Text fields are quoted, numbers are not, lines end with CRLF.

A row is given as :class:`Row`; :func:`qcew_bytes` writes a whole file, filling the columns
valleymaps does not read (wages, location quotients, over-the-year changes) with plausible
numbers so that the file has every published column.
"""

from __future__ import annotations

from dataclasses import dataclass

_OTY_Q = [
    "qtrly_estabs_count_chg", "qtrly_estabs_count_pct_chg", "month1_emplvl_chg",
    "month1_emplvl_pct_chg", "month2_emplvl_chg", "month2_emplvl_pct_chg", "month3_emplvl_chg",
    "month3_emplvl_pct_chg", "total_qtrly_wages_chg", "total_qtrly_wages_pct_chg",
    "taxable_qtrly_wages_chg", "taxable_qtrly_wages_pct_chg", "qtrly_contributions_chg",
    "qtrly_contributions_pct_chg", "avg_wkly_wage_chg", "avg_wkly_wage_pct_chg",
]  # fmt: skip
_OTY_A = [
    "annual_avg_estabs_count_chg", "annual_avg_estabs_count_pct_chg", "annual_avg_emplvl_chg",
    "annual_avg_emplvl_pct_chg", "total_annual_wages_chg", "total_annual_wages_pct_chg",
    "taxable_annual_wages_chg", "taxable_annual_wages_pct_chg", "annual_contributions_chg",
    "annual_contributions_pct_chg", "annual_avg_wkly_wage_chg", "annual_avg_wkly_wage_pct_chg",
    "avg_annual_pay_chg", "avg_annual_pay_pct_chg",
]  # fmt: skip
_KEYS = [
    "area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr",
    "disclosure_code",
]  # fmt: skip
_TITLES = ["area_title", "own_title", "industry_title", "agglvl_title", "size_title"]

#: Columns of each layout, in order.
COLUMNS: dict[str, list[str]] = {
    "area-quarterly": [
        *_KEYS, *_TITLES, "qtrly_estabs_count", "month1_emplvl", "month2_emplvl",
        "month3_emplvl", "total_qtrly_wages", "taxable_qtrly_wages", "qtrly_contributions",
        "avg_wkly_wage", "lq_disclosure_code", "lq_qtrly_estabs_count", "lq_month1_emplvl",
        "lq_month2_emplvl", "lq_month3_emplvl", "lq_total_qtrly_wages", "lq_taxable_qtrly_wages",
        "lq_qtrly_contributions", "lq_avg_wkly_wage", "oty_disclosure_code",
        *[f"oty_{c}" for c in _OTY_Q],
    ],
    "api-quarterly": [
        *_KEYS, "qtrly_estabs", "month1_emplvl", "month2_emplvl", "month3_emplvl",
        "total_qtrly_wages", "taxable_qtrly_wages", "qtrly_contributions", "avg_wkly_wage",
        "lq_disclosure_code", "lq_qtrly_estabs", "lq_month1_emplvl", "lq_month2_emplvl",
        "lq_month3_emplvl", "lq_total_qtrly_wages", "lq_taxable_qtrly_wages",
        "lq_qtrly_contributions", "lq_avg_wkly_wage", "oty_disclosure_code",
        *[f"oty_{c.replace('_count', '')}" for c in _OTY_Q],
    ],
    "area-annual": [
        *_KEYS, *_TITLES, "annual_avg_estabs_count", "annual_avg_emplvl", "total_annual_wages",
        "taxable_annual_wages", "annual_contributions", "annual_avg_wkly_wage", "avg_annual_pay",
        "lq_disclosure_code", "lq_annual_avg_estabs_count", "lq_annual_avg_emplvl",
        "lq_total_annual_wages", "lq_taxable_annual_wages", "lq_annual_contributions",
        "lq_annual_avg_wkly_wage", "lq_avg_annual_pay", "oty_disclosure_code",
        *[f"oty_{c}" for c in _OTY_A],
    ],
    "api-annual": [
        *_KEYS, "annual_avg_estabs", "annual_avg_emplvl", "total_annual_wages",
        "taxable_annual_wages", "annual_contributions", "annual_avg_wkly_wage", "avg_annual_pay",
        "lq_disclosure_code", "lq_annual_avg_estabs", "lq_annual_avg_emplvl",
        "lq_total_annual_wages", "lq_taxable_annual_wages", "lq_annual_contributions",
        "lq_annual_avg_wkly_wage", "lq_avg_annual_pay", "oty_disclosure_code",
        *[f"oty_{c.replace('_count', '')}" for c in _OTY_A],
    ],
}  # fmt: skip

_TEXT = {*_KEYS, *_TITLES, "lq_disclosure_code", "oty_disclosure_code"}
_OWN_TITLES = {
    "0": "Total Covered", "1": "Federal Government", "2": "State Government",
    "3": "Local Government", "5": "Private",
}  # fmt: skip
_AGG_TITLES = {
    0: "Total Covered", 1: "Total -- by ownership sector", 2: "by Domain -- by ownership sector",
    3: "by Supersector -- by ownership sector", 4: "NAICS Sector -- by ownership sector",
    5: "NAICS 3-digit -- by ownership sector", 6: "NAICS 4-digit -- by ownership sector",
    7: "NAICS 5-digit -- by ownership sector", 8: "NAICS 6-digit -- by ownership sector",
}  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One published row: employment is the annual average, or the three months of a quarter.

    ``disclosure="N"`` writes zeros in the employment cells, as BLS does.
    """

    area: str
    own: str
    industry: str
    agglvl: str
    year: int
    qtr: str  # "A" or "1".."4"
    employment: float | tuple[float, float, float]
    disclosure: str = ""
    size: str = "0"


def _area_title(area: str) -> str:
    if area == "US000":
        return "U.S. TOTAL"
    if area.endswith("000"):
        return "California -- Statewide"
    return f"County {area}, California"


def _cells(row: Row, layout: str) -> dict[str, str]:
    quarterly = layout.endswith("quarterly")
    withheld = row.disclosure == "N"
    if quarterly:
        months = row.employment if isinstance(row.employment, tuple) else (row.employment,) * 3
        months = (0, 0, 0) if withheld else months
        emp = {f"month{i + 1}_emplvl": f"{int(m)}" for i, m in enumerate(months)}
    else:
        value = 0 if withheld else row.employment
        assert not isinstance(value, tuple)
        emp = {"annual_avg_emplvl": f"{int(value)}"}
    level = int(row.agglvl[1])
    cells = {
        "area_fips": row.area, "own_code": row.own, "industry_code": row.industry,
        "agglvl_code": row.agglvl, "size_code": row.size, "year": str(row.year), "qtr": row.qtr,
        "disclosure_code": row.disclosure, "area_title": _area_title(row.area),
        "own_title": _OWN_TITLES.get(row.own, "Other"),
        "industry_title": f"NAICS {row.industry} Some industry" if level >= 4 else f"{row.industry} Total",
        "agglvl_title": f"County, {_AGG_TITLES.get(level, 'Other')}",
        "size_title": "All establishment sizes", "lq_disclosure_code": row.disclosure,
        "oty_disclosure_code": row.disclosure, **emp,
    }  # fmt: skip
    return cells


def qcew_bytes(layout: str, rows: list[Row]) -> bytes:
    """A QCEW file of ``layout`` (``area-annual``, ``area-quarterly``, ``api-annual``,
    ``api-quarterly``) holding ``rows``, as BLS writes it (quoted text, CRLF)."""
    columns = COLUMNS[layout]
    lines = [",".join(f'"{c}"' for c in columns)]
    for row in rows:
        cells = _cells(row, layout)
        out = []
        for column in columns:
            if column in cells:
                value = cells[column]
                out.append(f'"{value}"' if column in _TEXT else value)
            elif column.startswith("lq_"):
                out.append("1.00")
            else:
                out.append("0" if row.disclosure == "N" else "12")
        lines.append(",".join(out))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def county_rows(
    area: str,
    year: int,
    *,
    qtr: str = "A",
    scale: float = 1.0,
    months: tuple[float, float, float] = (1, 1, 1),
) -> list[Row]:
    """A small but complete county (or state, nation) of one year: total, ownership totals,
    a BLS domain and supersector (to be left out), sector 11 with crop production (111), a
    farm labour contractor line (115115), hospitals with a public part and a withheld state
    part, and a withheld private industry.

    With ``qtr`` a quarter, each value is ``scale`` times ``months`` (one factor a month).
    """
    first = {"US000": "1", "06000": "5"}.get(area, "7")
    lv = lambda k: f"{first}{k}"  # noqa: E731

    def r(own: str, industry: str, level: int, value: float, disclosure: str = "") -> Row:
        v = value * scale
        per_month = (v * months[0], v * months[1], v * months[2])
        return Row(area, own, industry, lv(level), year, qtr, v if qtr == "A" else per_month, disclosure)

    return [
        r("0", "10", 0, 1000),
        r("1", "10", 1, 50), r("2", "10", 1, 30), r("3", "10", 1, 120), r("5", "10", 1, 800),
        r("5", "101", 2, 300), r("5", "1011", 3, 200),  # BLS groupings, not NAICS
        r("5", "11", 4, 200), r("5", "111", 5, 60), r("5", "1111", 6, 60), r("5", "115", 5, 140),
        r("5", "1151", 6, 140), r("5", "11511", 7, 140), r("5", "115115", 8, 140),
        r("5", "62", 4, 100), r("5", "622", 5, 100), r("5", "622110", 8, 100),
        r("3", "62", 4, 40), r("3", "622", 5, 40), r("3", "622110", 8, 40),
        r("2", "622", 5, 0, "N"), r("2", "622110", 8, 0, "N"),
        r("5", "31-33", 4, 80), r("5", "311", 5, 80, "N"), r("5", "3114", 6, 0, "N"),
    ]  # fmt: skip


#: Folder of the open-data API below the BLS host (``https://data.bls.gov/cew/data/api``).
QCEW_PREFIX = "/cew/data/api"


def qcew_site(years: list[int], counties: list[str], *, state: str = "06") -> dict[str, bytes]:
    """Annual open-data area slices of ``years`` for ``counties``, the state and the nation, at
    their paths on the BLS server (``/cew/data/api/2016/a/area/06019.csv``); each year's jobs
    grow by 2%, private a little faster than government."""
    files: dict[str, bytes] = {}
    for n, year in enumerate(years):
        for area in [*counties, f"{state}000", "US000"]:
            scale = {"US000": 400.0, f"{state}000": 40.0}.get(area, 1.0) * (1.02**n)
            rows = county_rows(area, year, scale=scale)
            files[f"{QCEW_PREFIX}/{year}/a/area/{area}.csv"] = qcew_bytes("api-annual", rows)
    return files


#: Factors of each month of each quarter: the 12 average to 1 (so the annual average from the
#: quarters equals the annual slice's value) and Q2's three to 1.01.
MONTH_FACTORS: dict[str, tuple[float, float, float]] = {
    "1": (0.97, 0.98, 0.99), "2": (1.0, 1.01, 1.02), "3": (1.03, 1.02, 1.01), "4": (1.0, 0.99, 0.98),
}  # fmt: skip


def qcew_quarterly_site(
    years: list[int], counties: list[str], *, quarters: str = "1234", state: str = "06"
) -> dict[str, bytes]:
    """Quarterly open-data area slices (``/cew/data/api/2016/2/area/06019.csv``, the API's
    quarterly layout) of ``years``, with the same yearly growth as :func:`qcew_site` and the
    months of :data:`MONTH_FACTORS`."""
    files: dict[str, bytes] = {}
    for n, year in enumerate(years):
        for area in [*counties, f"{state}000", "US000"]:
            scale = {"US000": 400.0, f"{state}000": 40.0}.get(area, 1.0) * (1.02**n)
            for q in quarters:
                rows = county_rows(area, year, qtr=q, scale=scale, months=MONTH_FACTORS[q])
                files[f"{QCEW_PREFIX}/{year}/{q}/area/{area}.csv"] = qcew_bytes("api-quarterly", rows)
    return files
