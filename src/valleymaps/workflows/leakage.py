"""Value-chain leakage for a workspace: read once, compute, write the tables.

The composition layer of ``valleymaps leakage`` (and of the atlas's leakage page): it reads
the BEA tables stored in the workspace (:mod:`valleymaps.io.bea`), the employment data, the
clusters, the exclusion list and the plan's targets; runs the pure model
(:mod:`valleymaps.analysis.io_model`) for the chosen counties and year; and writes the
tables atomically.

:func:`compute_workspace_leakage` computes and returns a :class:`LeakageRun` (nothing is
written); :func:`write_leakage_tables` writes its tables into a folder;
:func:`run_leakage` does both.

Which employment: real data before the synthetic sample, then finer NAICS detail, then the
latest import (the atlas's rule); the latest year unless one is asked for. The nation: rows
of the same dataset with a national GEOID (``00`` in the employment store; ``US`` too);
without them the reference state's rows divided by
:data:`valleymaps.settings.STATE_SHARE_OF_NATION`, said in the notes (dollars scale with that
share; the rankings by ``sdp``, ``slq`` and ``cilq`` do not).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from valleymaps import settings
from valleymaps.analysis.io_model import (
    COMMODITY_FLAGS,
    DEFAULT_DELTA,
    FARM_NAICS,
    METHODS,
    Exclusion,
    LeakageResult,
    compare_methods,
    compare_with_plan,
    compute_leakage,
    parse_exclusions,
    prepare_structure,
    scale_dollars,
)
from valleymaps.clusters import load_clusters
from valleymaps.employment import EmploymentDataset
from valleymaps.errors import AnalysisError, ConfigError, MissingDatasetError
from valleymaps.i18n import N_, message
from valleymaps.io.atomic import write_text_atomic
from valleymaps.io.bea import DEFAULT_YEAR, load_io_tables
from valleymaps.io.csv_safe import csv_text
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)

#: GEOIDs of national rows in an employment table.
NATIONAL_GEOIDS: tuple[str, ...] = ("US", "00", "US000")

#: File name of the exclusion list in ``data/econ/``.
EXCLUSIONS_NAME = "leakage_exclusions.toml"

#: Tables written by :func:`write_leakage_tables`.
TABLE_NAMES: tuple[str, ...] = (
    "leakage_by_commodity.csv", "leakage_by_cluster.csv", "leakage_targets.csv",
    "leakage_sensitivity.csv", "leakage_plan_comparison.csv", "leakage_industries.csv",
    "leakage_run.json",
)  # fmt: skip


@dataclass
class LeakageRun:
    """The model's result for a workspace, with what it was computed from.

    Attributes
    ----------
    result
        The model's tables and notes.
    sensitivity
        How the top targets move between methods (:func:`~valleymaps.analysis.io_model.compare_methods`).
    plan_comparison, spearman
        The plan's 23 targets beside the recomputed list and Spearman's rank correlation
        (NaN when the plan's table is missing).
    dataset, synthetic, year, counties
        The employment dataset used, whether it is synthetic, its year and the counties.
    national_source
        Where national jobs came from (``"national rows"`` or ``"state rows / 0.11"``).
    paths
        Files written (empty until :func:`write_leakage_tables`).
    """

    result: LeakageResult
    sensitivity: pd.DataFrame
    plan_comparison: pd.DataFrame
    spearman: float
    dataset: str
    synthetic: bool
    year: int
    counties: list[str]
    national_source: str
    paths: list[Path] = field(default_factory=list)


def _choose(datasets: Sequence[EmploymentDataset], counties: Sequence[str]) -> EmploymentDataset:
    from valleymaps.io.region import choose_dataset

    ds = choose_dataset(datasets, geoid_length=5, counties=counties)
    if ds is None:
        raise MissingDatasetError(
            f"no employment data for the counties {', '.join(counties)}: import some with "
            f"'valleymaps import employment' or 'valleymaps fetch cbp'."
        )
    return ds


def _jobs_by_code(rows: pd.DataFrame) -> pd.Series:
    """Jobs by NAICS code summed over places; NaN where any place's value is withheld."""
    codes = rows["naics"].astype(str).to_numpy()
    values = rows["employment"].to_numpy(dtype=float)
    total = pd.Series(np.nan_to_num(values), index=codes).groupby(level=0, sort=True).sum()
    withheld = pd.Series(np.isnan(values), index=codes).groupby(level=0, sort=True).any()
    return total.where(~withheld.reindex(total.index).to_numpy(), np.nan).astype(float)


def _has_farms(table: pd.DataFrame) -> bool:
    """Farm rows (NAICS 111, 112...) or a sector 11 row that holds them (all but CBP)."""
    codes = table["naics"].astype(str)
    return bool(codes.str.startswith(FARM_NAICS).any() or (codes == "11").any())


def _farm_totals(
    datasets: Sequence[EmploymentDataset], main: EmploymentDataset, *, counties: Sequence[str],
    year: int, nation_geoids: Sequence[str], scale: float,
) -> tuple[tuple[float, float], str] | None:
    """(regional, national) farm jobs from another dataset's NAICS 11 less the main one's.

    The main dataset (County Business Patterns) counts NAICS 113-115 in its sector 11; another
    dataset of the same year with farms in its sector 11 (LODES WAC, QCEW) gives farm jobs as
    the difference, for the region and for the nation (or the state stand-in).
    """
    def sector11(table: pd.DataFrame, geoids: Sequence[str]) -> float:
        rows = table[(table["year"] == year) & table["geoid"].isin(list(geoids))
                     & (table["naics"] == "11")]
        return float(rows["employment"].sum()) if len(rows) and rows["employment"].notna().all() \
            else math.nan

    main_r, main_n = sector11(main.table, counties), sector11(main.table, nation_geoids)
    for ds in datasets:
        if ds is main or ds.format == "cbp":
            continue
        other_r, other_n = sector11(ds.table, counties), sector11(ds.table, nation_geoids)
        if not any(math.isnan(v) for v in (main_r, main_n, other_r, other_n)) and other_n > main_n:
            return ((max(other_r - main_r, 0.0), (other_n - main_n) * scale),
                    message(N_("NAICS 11 of {dataset} less NAICS 11 of {main}"), dataset=ds.name,
                            main=main.name))
    return None


def _load_exclusions(ws: Workspace) -> list[Exclusion]:
    path = ws.econ_dir / EXCLUSIONS_NAME
    if not path.is_file():
        log.warning("no %s: no commodity is screened out of the targets", path)
        return []
    return parse_exclusions(path.read_text(encoding="utf-8"), source_name=str(path))


def _load_plan(ws: Workspace) -> pd.DataFrame | None:
    path = ws.targets_path
    if not path.is_file():
        return None
    plan = pd.read_csv(path, dtype={"naics": str}, keep_default_na=False)
    need = {"description", "market_support_usd", "naics"}
    if not need <= set(plan.columns):
        raise ConfigError(
            f"{path}: needs the columns {', '.join(sorted(need))} (found {', '.join(plan.columns)})."
        )
    return plan


def compute_workspace_leakage(
    ws: Workspace,
    *,
    method: str = "sdp",
    delta: float = DEFAULT_DELTA,
    counties: Sequence[str] | None = None,
    year: int | None = None,
    tables_year: int = DEFAULT_YEAR,
    state_share: float | None = None,
    top: int = 25,
    price_index: tuple[int, float, str] | None = None,
    datasets: Sequence[EmploymentDataset] | None = None,
) -> LeakageRun:
    """Run the leakage model on a workspace's data (nothing is written).

    Parameters
    ----------
    ws
        The workspace (BEA tables from ``valleymaps fetch bea`` or ``import io``).
    method, delta
        Regional purchase coefficients (``sdp``, ``slq``, ``cilq``, ``flq``) and FLQ's delta.
    counties
        County GEOIDs of the region (default: the workspace's region).
    year
        Employment year (default: the latest in the chosen dataset).
    tables_year
        Year of the BEA tables (2012, the benchmark).
    state_share
        The reference state's share of national jobs, used only without national rows
        (default :data:`valleymaps.settings.STATE_SHARE_OF_NATION`).
    top
        Targets in the method sensitivity table.
    price_index
        ``(year, factor, name)``: give the dollars of ``year``, the tables' dollars times
        ``factor`` (the named index of ``year`` over the tables' year). Default: the tables'
        own year's dollars.
    datasets
        The workspace's employment datasets when already read (default: read them).

    Raises
    ------
    MissingDatasetError
        No BEA tables or no employment data for the counties.
    AnalysisError
        A year or county without data, or a bad method.
    """
    from valleymaps.io.employment.store import load_datasets

    counties = list(counties) if counties else list(ws.config.region_counties)
    bad = [c for c in counties if not (len(c) == 5 and c.isdigit())]
    if bad:
        raise ConfigError(f"counties must be 5-digit GEOIDs such as 06019 (found {bad[:5]!r}).")
    if method.strip().lower() not in METHODS:
        raise AnalysisError(f"unknown leakage method {method!r}; use one of: {', '.join(METHODS)}.")
    tables = load_io_tables(ws, tables_year)
    datasets = list(datasets) if datasets is not None else load_datasets(ws)
    ds = _choose(datasets, counties)
    table = ds.table
    years = sorted(int(y) for y in table["year"].unique())
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise AnalysisError(
            f"the employment dataset {ds.name} has no year {year} (years: "
            f"{', '.join(map(str, years))}). Pass --year with one of these."
        )
    rows = table[table["year"] == year]
    region_rows = rows[rows["geoid"].isin(counties)]
    missing = sorted(set(counties) - set(region_rows["geoid"]))
    if missing:
        raise AnalysisError(
            f"the employment dataset {ds.name} has no {year} rows for the counties "
            f"{', '.join(missing)}. Check --counties or import their data."
        )
    regional = _jobs_by_code(region_rows)
    notes: list[str] = []
    nation_rows = rows[rows["geoid"].isin(NATIONAL_GEOIDS)]
    share = settings.STATE_SHARE_OF_NATION if state_share is None else float(state_share)
    if len(nation_rows):
        national = _jobs_by_code(nation_rows)
        national_source, scale, nation_geoids = "national rows", 1.0, list(NATIONAL_GEOIDS)
    else:
        ref = ws.config.reference_geoid
        ref_rows = rows[rows["geoid"] == ref]
        if not len(ref_rows):
            raise AnalysisError(
                f"the employment dataset {ds.name} has neither national rows nor rows of the "
                f"reference area {ref} in {year}: national output per worker cannot be matched to "
                f"its jobs. Import the state file too (e.g. cbp21st.zip)."
            )
        if not 0 < share <= 1:
            raise AnalysisError(f"the state's share of national jobs must be in (0, 1] (found {share}).")
        national = _jobs_by_code(ref_rows) / share
        national_source, scale, nation_geoids = f"{ref} rows / {share:g}", 1.0 / share, [ref]
        notes.append(message(
            N_("nation: {dataset} has no national rows; national jobs by industry are {reference}'s "
               "divided by {share:g}, its approximate share of U.S. jobs (state_share). Dollars scale "
               "with that share; rankings by sdp, slq and cilq do not (flq's lambda moves a little)."),
            dataset=ds.name, reference=ws.config.reference_name, share=share))
    digits = region_rows["naics"].astype(str)
    digits = digits[digits.str.fullmatch(r"\d{2,6}")]
    if len(digits) and int(digits.str.len().max()) <= 2:
        notes.append(message(
            N_("{dataset} has only NAICS sectors: within each sector the region gets the nation's mix "
               "of industries (each industry the sector's regional share), so leakage within a sector "
               "is not told apart. Import County Business Patterns or QCEW for 6-digit detail."),
            dataset=ds.name))
    farms_in = ds.format != "cbp" and _has_farms(rows)
    farm_jobs = None
    if not farms_in:
        found = _farm_totals(datasets, ds, counties=counties, year=year,
                             nation_geoids=nation_geoids, scale=scale)
        if found is not None:
            farm_jobs, how = found
            notes.append(message(N_("farm jobs estimated as {how}."), how=how))
    clusters = load_clusters(ws.clusters_path)
    cluster_map = {c.key: list(c.naics) for c in clusters}
    cluster_names = {c.key: c.name for c in clusters}
    structure = prepare_structure(tables)
    options = {"cluster_map": cluster_map, "cluster_names": cluster_names,
               "exclusions": _load_exclusions(ws), "farms_in_source": farms_in,
               "farm_jobs": farm_jobs}
    result = compute_leakage(structure, regional, national, method=method, delta=delta,
                             **options)  # type: ignore[arg-type]
    sensitivity = compare_methods(structure, regional, national, top=top, reference=result.method,
                                  delta=delta, known=result, **options)  # type: ignore[arg-type]
    if ds.synthetic:
        notes.insert(0, message(N_("{notice}: {dataset}."), notice=message(settings.synthetic_notice()),
                                dataset=ds.name))
    result.notes = [*notes, *result.notes]
    if price_index is not None:
        p_year, p_factor, p_name = price_index
        result = scale_dollars(result, factor=p_factor, year=p_year, index=p_name)
    plan = _load_plan(ws)
    if price_index is not None:
        sensitivity = sensitivity.assign(**{c: sensitivity[c] * price_index[1]
                                             for c in sensitivity.columns if "_usd" in c})
    if plan is not None:
        comparison, rho = compare_with_plan(result.targets, plan, tables.concordance)
    else:
        comparison, rho = pd.DataFrame(), math.nan
    log.info("leakage (%s) for %d counties, %d: %d targets, $%s leaked", result.method,
             len(counties), year, len(result.targets),
             f"{result.by_commodity['leakage_usd'].sum():,.0f}")
    return LeakageRun(result=result, sensitivity=sensitivity, plan_comparison=comparison,
                      spearman=rho, dataset=ds.name, synthetic=ds.synthetic, year=year,
                      counties=counties, national_source=national_source)


def _csv(frame: pd.DataFrame) -> str:
    return csv_text(frame, float_format="%.6g")  # text cells never become live formulas


def _whole_dollars(frame: pd.DataFrame) -> pd.DataFrame:
    """Dollar columns (``*_usd``, ``market_support_usd_<method>``) as whole dollars."""
    return frame.assign(**{c: frame[c].round(0).astype("Int64") for c in frame.columns
                           if c.endswith("_usd") or c.startswith("market_support_usd")})


def write_leakage_tables(run: LeakageRun, folder: str | Path) -> list[Path]:
    """Write the run's tables (:data:`TABLE_NAMES`) into ``folder``, each atomically.

    Dollar columns are whole dollars of ``run.result.dollars_year``; every CSV carries a
    ``dollars_year`` column and ``leakage_run.json`` the method, notes and sources.
    """
    folder = Path(folder)
    res = run.result
    money = _whole_dollars
    by_commodity = money(res.by_commodity).assign(dollars_year=res.dollars_year,
                                                  method=res.method)
    by_cluster = money(res.by_cluster).assign(dollars_year=res.dollars_year, method=res.method)
    targets = money(res.targets).assign(method=res.method, farm_coverage=res.farm_coverage)
    sensitivity = money(run.sensitivity).assign(dollars_year=res.dollars_year)
    comparison = money(run.plan_comparison).assign(dollars_year=res.dollars_year)
    industries = money(res.industries).assign(dollars_year=res.dollars_year)
    files = {
        "leakage_by_commodity.csv": _csv(by_commodity),
        "leakage_by_cluster.csv": _csv(by_cluster),
        "leakage_targets.csv": _csv(targets),
        "leakage_sensitivity.csv": _csv(sensitivity),
        "leakage_plan_comparison.csv": _csv(comparison),
        "leakage_industries.csv": _csv(industries),
    }
    meta = {
        "method": res.method, "delta": res.delta, "dollars_year": res.dollars_year,
        "dollars": f"{res.dollars_year} dollars (BEA {res.dollars_year} tables)",
        "employment_dataset": run.dataset, "synthetic": run.synthetic,
        "employment_year": run.year, "counties": run.counties,
        "national_jobs": run.national_source, "farm_coverage": res.farm_coverage,
        "spearman_with_plan": None if math.isnan(run.spearman) else round(run.spearman, 4),
        "plan_targets_found": int(run.plan_comparison["recomputed_rank"].notna().sum())
        if len(run.plan_comparison) else 0,
        "flags": COMMODITY_FLAGS, "notes": res.notes,
    }
    paths = [write_text_atomic(folder / name, text) for name, text in files.items()]
    paths.append(write_text_atomic(folder / "leakage_run.json", json.dumps(meta, indent=2) + "\n"))
    run.paths = paths
    return paths


def run_leakage(ws: Workspace, *, out_dir: str | Path | None = None, **options: object) -> LeakageRun:
    """:func:`compute_workspace_leakage` and :func:`write_leakage_tables` into ``out_dir``
    (default ``outputs/leakage/``)."""
    run = compute_workspace_leakage(ws, **options)  # type: ignore[arg-type]
    folder = Path(out_dir) if out_dir is not None else ws.outputs_dir / "leakage"
    if not folder.is_absolute():
        folder = ws.root / folder
    write_leakage_tables(run, folder)
    return run
