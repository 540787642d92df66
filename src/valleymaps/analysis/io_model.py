"""A regional input-output model of value-chain leakage, built from the national tables.

Pure computation (numpy and pandas; no files, no network). Given the BEA's national
tables (:class:`~valleymaps.core.io_tables.IOTables`) and employment by NAICS code for a region
and for the nation, :func:`compute_leakage` estimates what the region's industries buy from
other businesses and how much of it they buy outside the region - the "leakage" that an
attracted or expanded local business could capture. Notation (``c`` commodity, ``i, j``
industry; national tables before redefinitions, producers' prices):

1. **Employment to BEA industries** (:func:`map_employment_to_industries`). Each NAICS row
   keeps its own jobs less those of the finer rows published under it (a CBP ``3261`` row
   less its ``32611``...), and that remainder goes to the BEA industries whose NAICS codes
   (the ``NAICS Codes`` concordance: ranges and lists expanded, ``23*`` shared by the
   eleven construction industries) lie in it or contain it, in proportion to national
   output. A withheld row (NaN) is left to its parent's remainder; the industries
   concerned are flagged ``W``.
2. **Regional output** ``x^R_j = x_j E^R_j / E^N_j``: national output per worker times
   regional jobs.
3. **Technical coefficients** ``a_cj = U_cj / x_j``, split by the import matrix into
   imported ``m_cj = M_cj / x_j`` and domestic ``d_cj = a_cj - m_cj`` parts (import cells
   above total use are clipped; negative use cells set to zero). Regional intermediate
   demand ``z^R_cj = a_cj x^R_j``; by commodity ``z^R_c = sum_j z^R_cj``.
4. **Regional supply** ``s^R_c = sum_j (V_jc / x_j) x^R_j`` from the Make table's product mix.
5. **Regional purchase coefficients** ``r_cj`` (the share of the region's domestic purchases
   of ``c`` by ``j`` made in the region), by one of the methods below. "The nation" is the
   part of it the employment data cover (``x^N_j`` of industries with national jobs: a source
   without government leaves public hospitals and utilities out of both sides), so a region
   equal to the nation gets ``r = 1`` everywhere; a commodity no covered industry makes
   (government output, used goods) gets 1 and flag ``N``.

   * ``sdp`` - supply-demand pooling: ``r_c = min(1, (s^R_c / D^R_c) / min(1, s^N_c / D^N_c))``
     with ``D^R_c = sum_j d_cj x^R_j + phi f_c``, domestic final demand ``f_c`` (personal
     consumption, private investment, government; not exports, imports, inventories) scaled
     by the region's share of national jobs ``phi = E^R / E^N``. Dividing by the nation's own
     ratio keeps national inventory draw-downs from reading as leakage.
   * ``slq`` - simple location quotient ``r_c = min(1, LQ_c)``, ``LQ_c = (s^R_c / s^N_c) / phi'``
     (``phi'`` the region's share of the covered industries' national jobs).
   * ``cilq`` - cross-industry: ``r_cj = min(1, LQ_c / LQ_j)`` (``LQ_c`` on the diagonal),
     ``LQ_j = (x^R_j / x^N_j) / phi'``.
   * ``flq`` - Flegg's: ``r_cj = min(1, lambda CILQ_cj)`` (``lambda LQ_c`` on the diagonal),
     ``lambda = [log2(1 + phi)]^delta``.
6. **Leakage**: to the rest of the United States ``sum_j (1 - r_cj) d_cj x^R_j``; from
   abroad ``sum_j m_cj x^R_j``; by buying cluster with each industry's share of jobs in the
   cluster; targets are the commodities left after an editable exclusion list.
7. **Dollars**: the tables' year (2012 for the benchmark), stated on every output; regional
   output uses that year's output per worker with the employment year's jobs.

Examples
--------
>>> tables = example_tables()
>>> emp = pd.Series({"111": 10.0, "311": 20.0, "54": 5.0})
>>> nat = pd.Series({"111": 100.0, "311": 100.0, "54": 100.0})
>>> res = compute_leakage(tables, emp, nat, method="sdp")
>>> res.dollars_year, round(float(res.by_commodity["demand_usd"].sum()) / 1e6, 3)
(2012, 16.25)
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from valleymaps.core.io_tables import NON_REGIONAL_FINAL_USES, IOTables
from valleymaps.employment import SECTOR_RANGES, TOTAL_CODE
from valleymaps.errors import AnalysisError, ConfigError
from valleymaps.i18n import N_, message

#: Methods of regional purchase coefficients.
METHODS: tuple[str, ...] = ("sdp", "slq", "cilq", "flq")

#: Default FLQ delta (Flegg & Tohmo 2013 found 0.2-0.3 fits most regions).
DEFAULT_DELTA: float = 0.3

#: NAICS prefixes of farm industries (crop and animal production).
FARM_NAICS: tuple[str, ...] = ("111", "112")

#: Label of buyers outside every cluster in ``by_cluster``.
OTHER_BUYERS = "_other"

#: Share of purchases from abroad above which a commodity is flagged ``A``.
ABROAD_FLAG_SHARE = 0.5

#: Flags on commodities, explained on every output.
COMMODITY_FLAGS: dict[str, str] = {
    "F": "farm commodity while farms are left out of the employment data: regional supply "
         "unknown, leakage overstated",
    "W": "regional supply partly estimated from parent totals because values were withheld",
    "A": "mostly bought from abroad (import-matrix share at least 50%)",
    "E": "excluded from the targets by the exclusion list",
    "N": "no industry in the employment data makes it nationally (government output, used goods): "
         "bought in the region as far as the model can tell",
}

_RANGE_PARTS = {rng: [f"{int(rng[:2]) + k}" for k in range(int(rng[3:]) - int(rng[:2]) + 1)]
                for rng in SECTOR_RANGES.values()}


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a thin ``b`` (or thin ``a``), as one matrix-vector product per thin side.

    A multi-threaded BLAS matrix product of 405 x 405 by 405 x 9 stalls for tens of
    milliseconds on a loaded machine (threads waiting for cores); matrix-vector products run on
    one thread and take a millisecond.
    """
    if 0 in a.shape or 0 in b.shape:
        return np.zeros((a.shape[0], b.shape[1]))
    if b.shape[1] <= a.shape[0]:
        return np.stack([a @ b[:, k] for k in range(b.shape[1])], axis=1).reshape(a.shape[0],
                                                                                  b.shape[1])
    return np.stack([a[k] @ b for k in range(a.shape[0])], axis=0).reshape(a.shape[0], b.shape[1])


# --- step 1: employment by NAICS -> BEA industries ----------------------------------------


@dataclass
class IndustryEmployment:
    """Employment mapped to BEA industries (step 1).

    Attributes
    ----------
    jobs
        Jobs by BEA industry (in the tables' industry order).
    withheld
        True for industries that received jobs estimated for withheld rows.
    unmapped
        NAICS rows with jobs that no BEA industry covers: ``naics, jobs`` (government
        ``92`` and other codes the concordance marks ``n.a.``).
    cluster_jobs
        Jobs by cluster (rows) and industry (columns), when clusters were given.
    total
        All-industry jobs (the ``TOTAL`` row, else the sum of the top-level rows).
    notes
        What was done (withheld rows, negative remainders).
    """

    jobs: np.ndarray
    withheld: np.ndarray
    unmapped: pd.DataFrame
    cluster_jobs: pd.DataFrame | None
    total: float
    notes: list[str] = field(default_factory=list)


def _node_prefixes(code: str) -> list[str]:
    return _RANGE_PARTS.get(code, [code])


@dataclass
class _Atoms:
    """The concordance's NAICS prefixes of the tables' industries, ready for lookups."""

    codes: list[str]
    industry: np.ndarray
    weight: np.ndarray
    by_prefix: dict[str, list[int]]
    under: dict[str, list[int]]


def _atoms(tables: IOTables) -> _Atoms:
    """Concordance prefixes of the tables' industries: prefix, industry index, weight.

    An industry's national output is shared equally among its NAICS prefixes.
    """
    pos = {c: k for k, c in enumerate(tables.industries)}
    pairs = [(str(b), str(p)) for b, p in zip(tables.concordance["bea_code"].tolist(),
                                             tables.concordance["naics"].tolist(), strict=True)
             if p and b in pos]
    counts: dict[str, int] = {}
    for b, _ in pairs:
        counts[b] = counts.get(b, 0) + 1
    ind = np.array([pos[b] for b, _ in pairs], dtype=int)
    weight = np.maximum(tables.industry_output[ind], 0.0) / np.array([counts[b] for b, _ in pairs])
    by_prefix: dict[str, list[int]] = {}
    for a, (_, p) in enumerate(pairs):
        by_prefix.setdefault(p, []).append(a)
    under: dict[str, list[int]] = {}
    for a, (_, p) in enumerate(pairs):
        for length in range(2, len(p) + 1):
            under.setdefault(p[:length], []).append(a)
    return _Atoms([p for _, p in pairs], ind, weight, by_prefix, under)


def map_employment_to_industries(
    tables: IOTables | NationalStructure,
    employment: pd.Series,
    *,
    clusters: Mapping[str, Sequence[str]] | None = None,
) -> IndustryEmployment:
    """Step 1: jobs by NAICS code (mixed levels) to jobs by BEA detail industry.

    Parameters
    ----------
    tables
        The national tables (their concordance and industry output).
    employment
        Jobs by NAICS code (``"11"``, ``"3261"``, ``"326160"``, ``"31-33"``, ``"TOTAL"``);
        NaN for withheld values.
    clusters
        Cluster key -> NAICS prefixes, to split each industry's jobs among the clusters.

    Returns
    -------
    IndustryEmployment

    Examples
    --------
    >>> t = example_tables()
    >>> m = map_employment_to_industries(t, pd.Series({"11": 12.0, "111": 10.0, "311": 4.0}))
    >>> m.jobs.tolist(), m.total
    ([10.0, 4.0, 0.0], 16.0)
    >>> m.unmapped.to_dict("records")
    [{'naics': '11', 'jobs': 2.0}]
    """
    if isinstance(tables, NationalStructure):
        atoms, tables = tables.atoms, tables.tables
    else:
        atoms = _atoms(tables)
    notes: list[str] = []
    all_codes = [str(c) for c in employment.index.tolist()]
    all_values = np.asarray(employment.to_numpy(), dtype=float)
    total_row = None
    codes: list[str] = []
    kept: list[float] = []
    withheld_codes: list[str] = []
    for c, v in zip(all_codes, all_values, strict=True):
        if c == TOTAL_CODE:
            total_row = v
        elif np.isnan(v):
            withheld_codes.append(c)
        else:
            codes.append(c)
            kept.append(v)
    values = np.array(kept, dtype=float)
    n = len(codes)
    prefix_node: dict[str, int] = {}
    for k, c in enumerate(codes):
        for p in _node_prefixes(c):
            prefix_node[p] = k
    # parent: deepest present proper ancestor
    parent = np.full(n, -1)
    for k, c in enumerate(codes):
        best = -1
        if c not in _RANGE_PARTS:
            for length in range(2, len(c)):
                hit = prefix_node.get(c[:length])
                if hit is not None and hit != k:
                    best = hit
        parent[k] = best
    child_sum = np.zeros(n)
    has_parent = parent >= 0
    np.add.at(child_sum, parent[has_parent], values[has_parent])
    resid = values - child_sum
    negative = resid < -0.5
    if negative.any():
        notes.append(message(
            N_("{n} NAICS rows have fewer jobs than the finer rows under them (e.g. {code}); their "
               "remainder is taken as 0."), n=int(negative.sum()), code=codes[int(np.argmax(negative))]))
    resid = np.maximum(resid, 0.0)
    top_total = float(values[~has_parent].sum())
    total = float(total_row) if total_row is not None and not np.isnan(total_row) else top_total

    atom_codes, atom_ind, atom_w, by_atom_prefix = (atoms.codes, atoms.industry, atoms.weight,
                                                     atoms.by_prefix)
    # candidate atoms of each node: atoms inside the node's span whose deepest containing node
    # it is, and atoms that contain the node
    rows: list[int] = []
    cols: list[int] = []
    for a, p in enumerate(atom_codes):
        home = -1
        for length in range(2, len(p) + 1):
            hit = prefix_node.get(p[:length])
            if hit is not None:
                home = hit
        if home >= 0:
            rows.append(home)
            cols.append(a)
    for k, c in enumerate(codes):
        for q in _node_prefixes(c):
            for length in range(2, len(q)):
                for a in by_atom_prefix.get(q[:length], ()):
                    rows.append(k)
                    cols.append(a)
    n_atoms = len(atom_codes)
    cand = np.zeros((n, n_atoms))
    if rows:
        cand[np.array(rows), np.array(cols)] = 1.0
    # codes of another NAICS vintage (2017's 333914 is 2012's 333911 and 333913): the
    # industries under their shorter codes
    vintage: list[str] = []
    for k in np.flatnonzero(cand.sum(axis=1) == 0).tolist():
        c = codes[k]
        for length in range(len(c) - 1, 2, -1):
            hits = atoms.under.get(c[:length])
            if hits and c not in _RANGE_PARTS:
                cand[k, hits] = 1.0
                vintage.append(c)
                break
    if vintage:
        notes.append(message(
            N_("{n} NAICS codes are not in the 2012 concordance (another NAICS vintage: {codes}); "
               "mapped through their shorter codes."), n=len(vintage), codes=", ".join(vintage[:5])))
    weighted = cand * atom_w[None, :]
    row_sum = weighted.sum(axis=1)
    # nodes whose candidates have no national output still share equally
    zero_w = (row_sum == 0) & (cand.sum(axis=1) > 0)
    weighted[zero_w] = cand[zero_w]
    row_sum = weighted.sum(axis=1)
    share = np.divide(weighted, row_sum[:, None], out=np.zeros_like(weighted),
                      where=row_sum[:, None] > 0)
    node_to_ind = np.zeros((n, len(tables.industries)))  # nodes x industries
    np.add.at(node_to_ind.T, atom_ind, share.T)
    jobs = resid @ node_to_ind

    lost = (row_sum == 0) & (resid > 0)
    unmapped = pd.DataFrame({"naics": [codes[k] for k in np.flatnonzero(lost)],
                             "jobs": resid[lost]})

    withheld = np.zeros(len(tables.industries), dtype=bool)
    if withheld_codes:
        hit_atoms: set[int] = set()
        for c in withheld_codes:
            for q in _node_prefixes(c):
                for length in range(2, len(q) + 1):  # atoms containing the row
                    hit_atoms.update(atoms.by_prefix.get(q[:length], ()))
                hit_atoms.update(atoms.under.get(q, ()))  # atoms inside it
        withheld[atom_ind[sorted(hit_atoms)]] = True
        notes.append(message(
            N_("{n} NAICS rows withheld (e.g. {code}): their jobs are estimated from the remainder of "
               "the row above them, shared by national output (industries flagged W)."),
            n=len(withheld_codes), code=withheld_codes[0]))

    cluster_jobs = None
    if clusters is not None:
        member = np.zeros((len(clusters), n))
        node_heads = [
            {q[:length] for q in _node_prefixes(c) for length in range(2, len(q) + 1)} for c in codes
        ]
        for ci, prefixes in enumerate(clusters.values()):
            pset = set(prefixes)
            member[ci] = [1.0 if heads & pset else 0.0 for heads in node_heads]
        cluster_jobs = pd.DataFrame(_matmul((member * resid[None, :]), node_to_ind),
                                    index=list(clusters), columns=tables.industries)
    return IndustryEmployment(jobs=jobs, withheld=withheld, unmapped=unmapped,
                              cluster_jobs=cluster_jobs, total=total, notes=notes)


# --- the national structure, computed once -------------------------------------------------


@dataclass
class NationalStructure:
    """Coefficients and vectors of the national tables that every region shares (steps 3-4).

    Attributes
    ----------
    tables
        The tables.
    a, a_dom, a_imp
        Total, domestic and imported technical coefficients (commodities x industries).
    product_mix
        Make table shares ``V_jc / x_j`` (industries x commodities).
    final_domestic
        Domestic final demand of the region's kind (not exports, imports, inventories).
    supply, demand
        National supply and domestic demand by commodity (``sdp``).
    diagonal
        Commodity index of each industry with the same code (or -1).
    notes
        What was clipped.
    """

    tables: IOTables
    a: np.ndarray
    a_dom: np.ndarray
    a_imp: np.ndarray
    product_mix: np.ndarray
    final_domestic: np.ndarray
    supply: np.ndarray
    demand: np.ndarray
    diagonal: np.ndarray
    atoms: _Atoms
    farm_industries: np.ndarray
    farm_commodities: np.ndarray
    notes: list[str] = field(default_factory=list)


def prepare_structure(tables: IOTables) -> NationalStructure:
    """Steps 3-4 at the national level: coefficients, product mix, national supply and demand.

    Negative intermediate-use cells are set to zero and import cells are clipped to
    ``[0, total use]``; the notes say how many.
    """
    notes: list[str] = []
    use = np.maximum(tables.use, 0.0)
    n_neg = int((tables.use < 0).sum())
    if n_neg:
        notes.append(message(N_("{n} negative intermediate-use cells of the Use table set to 0."), n=n_neg))
    imports = np.clip(tables.imports, 0.0, use)
    n_clip = int((tables.imports > tables.use).sum())
    if n_clip:
        n_big = int((tables.imports - tables.use > 1.0).sum())
        notes.append(message(
            N_("{n} import-matrix cells where imported use exceeds total use ({big} by more than the "
               "$1 million rounding) clipped to the total use (0 where that is negative)."),
            n=n_clip, big=n_big))
    x = tables.industry_output
    inv = np.divide(1.0, x, out=np.zeros_like(x, dtype=float), where=x > 0)
    a = use * inv[None, :]
    a_imp = imports * inv[None, :]
    a_dom = a - a_imp
    make_rows = tables.make.sum(axis=1)
    mix = np.divide(tables.make, make_rows[:, None], out=np.zeros_like(tables.make, dtype=float),
                    where=make_rows[:, None] > 0)
    keep = [k for k, f in enumerate(tables.final_codes) if f not in NON_REGIONAL_FINAL_USES]
    final_dom = np.maximum((tables.use_final - tables.imports_final)[:, keep].sum(axis=1), 0.0)
    supply = mix.T @ x
    demand = a_dom @ x + final_dom
    pos = {c: k for k, c in enumerate(tables.commodities)}
    diagonal = np.array([pos.get(c, -1) for c in tables.industries])
    farm_i = np.array([c.startswith(FARM_NAICS) for c in tables.industries], dtype=bool)
    farm_c = np.array([c.startswith(FARM_NAICS) for c in tables.commodities], dtype=bool)
    return NationalStructure(tables, a, a_dom, a_imp, mix, final_dom, supply, demand, diagonal,
                             _atoms(tables), farm_i, farm_c, notes)


# --- steps 2-6 -------------------------------------------------------------------------------


@dataclass
class LeakageResult:
    """What :func:`compute_leakage` returns. Dollars are of ``dollars_year`` (the tables' year).

    Attributes
    ----------
    by_commodity
        One row per commodity: ``commodity, description, demand_usd`` (regional intermediate
        demand), ``domestic_demand_usd, supply_usd`` (regional supply), ``rpc``
        (demand-weighted regional purchase coefficient), ``local_usd`` (bought in the region),
        ``leakage_us_usd`` (rest of the United States), ``leakage_abroad_usd``, ``leakage_usd``,
        ``share_abroad``, ``excluded``, ``exclusion_reason``, ``flags``.
    by_cluster
        Cluster x commodity: ``cluster, cluster_name, commodity, description, demand_usd,
        leakage_us_usd, leakage_abroad_usd, leakage_usd``; ``_other`` for buyers in no cluster.
    targets
        The screened commodities ranked by leakage, in the plan's form: ``rank, commodity,
        description, market_support_usd, share_from_abroad, buying_clusters, flags,
        dollars_year``.
    industries
        By BEA industry: ``industry, title, jobs, output_usd, flags``.
    unmapped
        NAICS rows with jobs that no BEA industry covers.
    method, delta
        The purchase-coefficient method and FLQ delta (``None`` unless ``flq``).
    dollars_year
        The year of every dollar figure.
    farm_coverage
        ``"included"``, ``"estimated"`` (from a farm total) or ``"left out"``.
    notes
        Every assumption and adjustment, for every output.
    """

    by_commodity: pd.DataFrame
    by_cluster: pd.DataFrame
    targets: pd.DataFrame
    industries: pd.DataFrame
    unmapped: pd.DataFrame
    method: str
    delta: float | None
    dollars_year: int
    farm_coverage: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Exclusion:
    """Commodities left out of the targets: BEA codes (``"S00*"`` matches a prefix) and why."""

    codes: tuple[str, ...]
    reason: str

    def matches(self, code: str) -> bool:
        return any(code.startswith(c[:-1]) if c.endswith("*") else code == c for c in self.codes)


def parse_exclusions(text: str, *, source_name: str = "leakage_exclusions.toml") -> list[Exclusion]:
    """Read the exclusion list: ``[[exclude]]`` tables with ``codes`` and ``reason``.

    Examples
    --------
    >>> ex = parse_exclusions('[[exclude]]\\ncodes = ["S00*"]\\nreason = "special"\\n')
    >>> ex[0].matches("S00401"), ex[0].matches("322120")
    (True, False)
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source_name}: not valid TOML ({exc}). Fix the file.") from exc
    out: list[Exclusion] = []
    for k, entry in enumerate(raw.get("exclude", []), start=1):
        codes = entry.get("codes") if isinstance(entry, dict) else None
        reason = entry.get("reason", "") if isinstance(entry, dict) else ""
        if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
            raise ConfigError(
                f"{source_name}: [[exclude]] number {k} needs codes = [\"...\"], a list of BEA "
                f"codes as text (found {str(codes)[:80]!r})."
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{source_name}: [[exclude]] number {k} needs a reason = \"...\".")
        out.append(Exclusion(tuple(codes), reason.strip()))
    return out


def _rpc_matrix(
    method: str, s: NationalStructure, *, x_reg: np.ndarray, x_cov: np.ndarray, supply: np.ndarray,
    d_dom: np.ndarray, phi: float, phi_cov: float, delta: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Regional purchase coefficients - a commodity vector (sdp, slq) or a matrix (cilq, flq) -
    and the commodities no covered industry makes nationally (their coefficient is 1).

    The nation is taken over the industries the employment data cover (``x_cov``: national
    output of industries with national jobs), so a region equal to the nation gets 1 everywhere
    even when the data leave out government or other industries.
    """
    nat_supply = s.product_mix.T @ x_cov
    no_producer = nat_supply <= 0
    if method == "sdp":
        demand = d_dom.sum(axis=1) + phi * s.final_domestic
        ratio = np.divide(supply, demand, out=np.ones_like(supply), where=demand > 0)
        nat_demand = s.a_dom @ x_cov + s.final_domestic
        nat = np.minimum(1.0, np.divide(nat_supply, nat_demand, out=np.ones_like(supply),
                                        where=nat_demand > 0))
        nat = np.where(nat > 0, nat, 1.0)
        return np.where(no_producer, 1.0, np.minimum(1.0, ratio / nat)), no_producer
    lq_c = np.divide(supply, nat_supply * phi_cov, out=np.full_like(supply, np.inf),
                     where=~no_producer & (phi_cov > 0))
    if method == "slq":
        return np.minimum(1.0, lq_c), no_producer
    lq_j = np.divide(x_reg, x_cov * phi_cov, out=np.zeros_like(x_reg),
                     where=(x_cov > 0) & (phi_cov > 0))
    cilq = np.divide(lq_c[:, None], lq_j[None, :], out=np.full((len(lq_c), len(lq_j)), np.inf),
                     where=lq_j[None, :] > 0)
    has = s.diagonal >= 0
    cols = np.flatnonzero(has)
    cilq[s.diagonal[has], cols] = lq_c[s.diagonal[has]]
    if method == "flq":
        cilq = cilq * (math.log2(1.0 + phi) ** delta)
        cilq[no_producer] = 1.0
    return np.minimum(1.0, cilq), no_producer


def compute_leakage(
    tables: IOTables | NationalStructure,
    regional_emp: pd.Series,
    national_emp: pd.Series,
    *,
    method: str = "sdp",
    delta: float = DEFAULT_DELTA,
    exclusions: Sequence[Exclusion] = (),
    cluster_map: Mapping[str, Sequence[str]] | None = None,
    cluster_names: Mapping[str, str] | None = None,
    farms_in_source: bool = True,
    farm_jobs: tuple[float, float] | None = None,
) -> LeakageResult:
    """The region's business-to-business purchases and their leakage, by commodity and cluster.

    Parameters
    ----------
    tables
        The national tables, or their :func:`prepare_structure` (faster for many regions).
    regional_emp, national_emp
        Jobs by NAICS code (any mix of levels, ``TOTAL`` optional; NaN = withheld) in the
        region and in the nation (or a stand-in the caller scaled to it, and said so).
    method
        ``sdp`` (supply-demand pooling), ``slq``, ``cilq`` or ``flq``.
    delta
        FLQ's delta (0 gives CILQ; larger means more leakage for a small region).
    exclusions
        Commodities left out of ``targets`` (:func:`parse_exclusions`).
    cluster_map, cluster_names
        Cluster key -> NAICS prefixes (``clusters.toml``) and display names.
    farms_in_source
        False when the employment source leaves out farms (County Business Patterns): farm
        industries are then estimated from ``farm_jobs`` or left out, and said so.
    farm_jobs
        (regional, national) farm jobs from another source, shared among the BEA farm
        industries by national output; used only when ``farms_in_source`` is False.

    Returns
    -------
    LeakageResult

    Raises
    ------
    AnalysisError
        For an unknown method, a negative delta, or a region without jobs.
    """
    method = method.strip().lower()
    if method not in METHODS:
        raise AnalysisError(f"unknown leakage method {method!r}; use one of: {', '.join(METHODS)}.")
    if not delta >= 0:
        raise AnalysisError(f"the FLQ delta must be 0 or more (found {delta!r}); 0.3 is usual.")
    s = tables if isinstance(tables, NationalStructure) else prepare_structure(tables)
    clusters = dict(cluster_map or {})
    reg = map_employment_to_industries(s, regional_emp, clusters=clusters)
    nat = map_employment_to_industries(s, national_emp)
    return _leakage(s, reg, nat, method=method, delta=delta, exclusions=exclusions, clusters=clusters,
                    cluster_names=cluster_names, farms_in_source=farms_in_source, farm_jobs=farm_jobs)


def _exclusion_reasons(commodities: Sequence[str], exclusions: Sequence[Exclusion]) -> list[str]:
    """Each commodity's reason for being left out of the targets ("" if it is not)."""
    return list(_exclusion_reasons_cached(tuple(commodities), tuple(exclusions)))


@functools.lru_cache(maxsize=8)
def _exclusion_reasons_cached(
    commodities: tuple[str, ...], exclusions: tuple[Exclusion, ...]
) -> tuple[str, ...]:
    reasons = []
    for c in commodities:
        hit = next((e for e in exclusions if e.matches(c)), None)
        reasons.append(hit.reason if hit else "")
    return tuple(reasons)


def _leakage(
    s: NationalStructure,
    reg: IndustryEmployment,
    nat: IndustryEmployment,
    *,
    method: str,
    delta: float,
    exclusions: Sequence[Exclusion],
    clusters: Mapping[str, Sequence[str]],
    cluster_names: Mapping[str, str] | None,
    farms_in_source: bool,
    farm_jobs: tuple[float, float] | None,
) -> LeakageResult:
    """Steps 2-6 of :func:`compute_leakage` on jobs already mapped to BEA industries (step 1)."""
    t = s.tables
    notes = [*t.notes, *s.notes]
    names = {OTHER_BUYERS: N_("Other buyers (no cluster)"), **(cluster_names or {})}
    notes += [message(N_("region: {note}"), note=n) for n in reg.notes]
    notes += [message(N_("nation: {note}"), note=n) for n in nat.notes]
    if reg.total <= 0 or nat.total <= 0:
        raise AnalysisError(
            "the region or the nation has no jobs in the employment data; check the counties and "
            "the year."
        )
    e_reg, e_nat = reg.jobs.copy(), nat.jobs.copy()

    # farms
    is_farm = s.farm_industries
    x = t.industry_output
    if farms_in_source:
        farm_coverage = "included"
        if e_reg[is_farm].sum() <= 0:
            notes.append(message(N_("farms (NAICS 111-112): no farm jobs in the region's data.")))
    elif farm_jobs is not None and farm_jobs[0] >= 0 and farm_jobs[1] > 0:
        farm_coverage = "estimated"
        w = x[is_farm] / x[is_farm].sum()
        e_reg[is_farm] = farm_jobs[0] * w
        e_nat[is_farm] = farm_jobs[1] * w
        notes.append(message(
            N_("farms (NAICS 111-112) are not in the employment source: {regional:,.0f} regional and "
               "{national:,.0f} national farm jobs from another source, shared among the {n} BEA farm "
               "industries by national output (the region's crop mix is not known)."),
            regional=farm_jobs[0], national=farm_jobs[1], n=int(is_farm.sum())))
    else:
        farm_coverage = "left out"
        e_reg[is_farm] = 0.0
        notes.append(message(
            N_("farms (NAICS 111-112) are not in the employment source and are left out: their "
               "purchases are missing and the region's own farm supply is unknown, so farm "
               "commodities' leakage is overstated (flag F).")))

    # step 2: regional output
    no_nat = (e_reg > 0) & (e_nat <= 0)
    if no_nat.any():
        notes.append(message(
            N_("{n} industries have regional but no national jobs (e.g. {industry}); their output is "
               "left out."), n=int(no_nat.sum()), industry=t.industries[int(np.argmax(no_nat))]))
    ratio = np.divide(e_reg, e_nat, out=np.zeros_like(e_reg), where=e_nat > 0)
    x_reg = x * ratio
    phi = reg.total / nat.total

    # step 3: intermediate demand
    z = s.a * x_reg[None, :]
    z_dom = s.a_dom * x_reg[None, :]
    z_imp = s.a_imp * x_reg[None, :]
    # step 4: supply
    supply = s.product_mix.T @ x_reg
    # step 5: purchase coefficients
    covered = e_nat > 0
    x_cov = np.where(covered, x, 0.0)
    phi_cov = float(e_reg[covered].sum() / e_nat[covered].sum()) if covered.any() else 0.0
    rpc, no_producer = _rpc_matrix(method, s, x_reg=x_reg, x_cov=x_cov, supply=supply,
                                   d_dom=z_dom, phi=phi, phi_cov=phi_cov, delta=delta)
    local = (rpc[:, None] * z_dom) if rpc.ndim == 1 else rpc * z_dom
    leak_us_cells = z_dom - local

    mill = 1e6
    demand_c = z.sum(axis=1)
    dom_c = z_dom.sum(axis=1)
    local_c = local.sum(axis=1)
    leak_us = leak_us_cells.sum(axis=1)
    leak_abroad = z_imp.sum(axis=1)
    leak = leak_us + leak_abroad
    rpc_c = np.divide(local_c, dom_c, out=np.ones_like(dom_c), where=dom_c > 0)

    # flags
    com_idx = {c: k for k, c in enumerate(t.commodities)}
    makes = s.product_mix > 0
    withheld_c = (makes & reg.withheld[:, None]).any(axis=0)
    farm_c = s.farm_commodities
    share_abroad = np.divide(leak_abroad, leak, out=np.zeros_like(leak), where=leak > 0)
    excl_reason = _exclusion_reasons(t.commodities, exclusions)
    excluded = np.array([r != "" for r in excl_reason])
    flags = []
    for k in range(len(t.commodities)):
        f = ""
        if farm_c[k] and farm_coverage == "left out":
            f += "F"
        if withheld_c[k]:
            f += "W"
        if no_producer[k]:
            f += "N"
        if share_abroad[k] >= ABROAD_FLAG_SHARE:
            f += "A"
        if excluded[k]:
            f += "E"
        flags.append(f)

    by_commodity = pd.DataFrame({
        "commodity": t.commodities,
        "description": t.commodity_titles,
        "demand_usd": demand_c * mill,
        "domestic_demand_usd": dom_c * mill,
        "supply_usd": supply * mill,
        "rpc": rpc_c,
        "local_usd": local_c * mill,
        "leakage_us_usd": leak_us * mill,
        "leakage_abroad_usd": leak_abroad * mill,
        "leakage_usd": leak * mill,
        "share_abroad": share_abroad,
        "excluded": excluded,
        "exclusion_reason": excl_reason,
        "flags": flags,
    })

    # by cluster: each industry's purchases shared by its jobs in each cluster
    if reg.cluster_jobs is not None and len(clusters):
        cj = reg.cluster_jobs.to_numpy()
        wts = np.divide(cj, e_reg[None, :], out=np.zeros_like(cj), where=e_reg[None, :] > 0)
        other = np.clip(1.0 - wts.sum(axis=0), 0.0, None)
        if (wts.sum(axis=0) > 1 + 1e-9).any():
            notes.append(message(N_("some industries belong to several clusters: cluster rows overlap.")))
        wts = np.vstack([wts, other[None, :]])
        keys = [*clusters, OTHER_BUYERS]
    else:
        wts = np.ones((1, len(t.industries)))
        keys = [OTHER_BUYERS]
    parts = {
        "demand_usd": _matmul(z, wts.T),
        "leakage_us_usd": _matmul(leak_us_cells, wts.T),
        "leakage_abroad_usd": _matmul(z_imp, wts.T),
    }
    nk = len(keys)
    flat = {k: v.reshape(-1) * mill for k, v in parts.items()}
    keep = np.flatnonzero(flat["demand_usd"] > 0)
    com_pos, key_pos = keep // nk, keep % nk
    com_arr, title_arr = np.array(t.commodities, dtype=object), np.array(t.commodity_titles,
                                                                         dtype=object)
    key_arr = np.array(keys, dtype=object)
    name_arr = np.array([names.get(k, k) for k in keys], dtype=object)
    by_cluster = pd.DataFrame({
        "cluster": key_arr[key_pos],
        "cluster_name": name_arr[key_pos],
        "commodity": com_arr[com_pos],
        "description": title_arr[com_pos],
        **{k: v[keep] for k, v in flat.items()},
    })
    by_cluster["leakage_usd"] = by_cluster["leakage_us_usd"] + by_cluster["leakage_abroad_usd"]

    # targets
    leak_k = parts["leakage_us_usd"] + parts["leakage_abroad_usd"]  # commodities x clusters
    tgt = by_commodity[~by_commodity["excluded"] & (by_commodity["leakage_usd"] > 0)].copy()
    tgt = tgt.sort_values(["leakage_usd", "commodity"], ascending=[False, True])
    totals = leak_k.sum(axis=1, keepdims=True)
    leak_share = np.divide(leak_k, totals, out=np.zeros_like(leak_k), where=totals > 0)
    labels = [names.get(k, k) for k in keys]
    rows_t = np.array([com_idx[c] for c in tgt["commodity"].tolist()], dtype=int)
    share_t = leak_share[rows_t]
    order_t = np.argsort(-share_t, axis=1, kind="stable")[:, :3]
    top_share = np.take_along_axis(share_t, order_t, axis=1).tolist()
    buying = [
        "; ".join(f"{labels[k]} {v:.0%}" for k, v in zip(ks, vs, strict=True) if v > 0.005)
        for ks, vs in zip(order_t.tolist(), top_share, strict=True)
    ]
    targets = pd.DataFrame({
        "rank": np.arange(1, len(tgt) + 1),
        "commodity": tgt["commodity"].to_numpy(),
        "description": tgt["description"].to_numpy(),
        "market_support_usd": tgt["leakage_usd"].to_numpy(),
        "leakage_us_usd": tgt["leakage_us_usd"].to_numpy(),
        "leakage_abroad_usd": tgt["leakage_abroad_usd"].to_numpy(),
        "share_from_abroad": tgt["share_abroad"].to_numpy(),
        "buying_clusters": buying,
        "flags": tgt["flags"].to_numpy(),
        "dollars_year": t.year,
    })

    ind_flags = np.where(reg.withheld, "W", "")
    ind_flags = np.where(is_farm & (farm_coverage == "estimated"), np.char.add(ind_flags, "F"),
                         ind_flags)
    industries = pd.DataFrame({
        "industry": t.industries, "title": t.industry_titles, "jobs": e_reg,
        "national_jobs": e_nat, "output_usd": x_reg * mill, "flags": ind_flags,
    })
    if len(reg.unmapped):
        top = reg.unmapped.sort_values("jobs", ascending=False)
        notes.append(message(
            N_("{n} NAICS rows with {jobs:,.0f} jobs have no BEA industry in the concordance (left "
               "out): {rows}"), n=len(top), jobs=top["jobs"].sum(),
            rows=", ".join(f"{r.naics} ({r.jobs:,.0f})" for r in top.head(6).itertuples())))
    notes.append(message(
        N_("dollars: {year} dollars (the BEA {year} tables' output per worker applied to the "
           "employment year's jobs); regional share of national jobs {share:.4f}."),
        year=t.year, share=phi))
    if method == "flq":
        notes.append(message(N_("FLQ: delta {delta}, lambda {flq_lambda:.4f}."), delta=delta,
                             flq_lambda=math.log2(1 + phi) ** delta))
    return LeakageResult(
        by_commodity=by_commodity, by_cluster=by_cluster, targets=targets, industries=industries,
        unmapped=reg.unmapped, method=method, delta=delta if method == "flq" else None,
        dollars_year=t.year, farm_coverage=farm_coverage, notes=notes,
    )


# --- comparisons -----------------------------------------------------------------------------


def scale_dollars(result: LeakageResult, *, factor: float, year: int, index: str) -> LeakageResult:
    """The result in another year's dollars: every dollar column times ``factor``, said so.

    Parameters
    ----------
    result
        A result in the tables' dollars.
    factor
        Price index of ``year`` over the tables' year (e.g. the BEA's GDP price index,
        2021 / 2012 = 1.18...): the caller states it, valleymaps bundles no index.
    year
        The year of the new dollars.
    index
        Name of the index, for the notes.

    Examples
    --------
    >>> res = compute_leakage(example_tables(), pd.Series({"111": 10.0}), pd.Series({"111": 100.0}))
    >>> scaled = scale_dollars(res, factor=1.5, year=2021, index="GDP price index")
    >>> ratio = scaled.by_commodity["demand_usd"].sum() / res.by_commodity["demand_usd"].sum()
    >>> scaled.dollars_year, round(float(ratio), 6)
    (2021, 1.5)
    """
    if not (factor > 0 and math.isfinite(factor)):
        raise AnalysisError(f"the price index factor must be a positive number (found {factor!r}).")

    def scaled(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for col in out.columns:
            if col.endswith("_usd"):
                out[col] = out[col] * factor
        if "dollars_year" in out.columns:
            out["dollars_year"] = year
        return out

    notes = [n for n in result.notes if not n.startswith("dollars:")]
    notes.append(message(
        N_("dollars: {year} dollars - the model's {model_year} dollars times {factor:g} ({index}, "
           "{year} over {model_year}); the BEA {model_year} tables' structure and output per worker "
           "are kept."), year=year, model_year=result.dollars_year, factor=factor, index=index))
    return LeakageResult(
        by_commodity=scaled(result.by_commodity), by_cluster=scaled(result.by_cluster),
        targets=scaled(result.targets), industries=scaled(result.industries),
        unmapped=result.unmapped, method=result.method, delta=result.delta, dollars_year=year,
        farm_coverage=result.farm_coverage, notes=notes,
    )


def compare_methods(
    tables: IOTables | NationalStructure,
    regional_emp: pd.Series,
    national_emp: pd.Series,
    *,
    top: int = 25,
    reference: str = "sdp",
    delta: float = DEFAULT_DELTA,
    known: LeakageResult | None = None,
    exclusions: Sequence[Exclusion] = (),
    cluster_map: Mapping[str, Sequence[str]] | None = None,
    cluster_names: Mapping[str, str] | None = None,
    farms_in_source: bool = True,
    farm_jobs: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """How the top targets of ``reference`` move between methods (the sensitivity table).

    ``known`` is the result of :func:`compute_leakage` for ``reference`` on the same inputs,
    when already computed (it is not computed again); the other options are
    :func:`compute_leakage`'s. The jobs are mapped to industries once for every method.

    Returns one row per commodity in the top ``top`` of any method: ``commodity,
    description``, then ``rank_<method>`` and ``market_support_usd_<method>`` for each of
    :data:`METHODS`, sorted by the reference method's rank.
    """
    s = tables if isinstance(tables, NationalStructure) else prepare_structure(tables)
    clusters = dict(cluster_map or {})
    if not delta >= 0:
        raise AnalysisError(f"the FLQ delta must be 0 or more (found {delta!r}); 0.3 is usual.")
    mapped: tuple[IndustryEmployment, IndustryEmployment] | None = None
    frames = []
    for m in METHODS:
        if known is not None and m == reference.strip().lower():
            res = known
        else:
            if mapped is None:
                mapped = (map_employment_to_industries(s, regional_emp, clusters=clusters),
                          map_employment_to_industries(s, national_emp))
            res = _leakage(s, *mapped, method=m, delta=delta, exclusions=exclusions, clusters=clusters,
                           cluster_names=cluster_names, farms_in_source=farms_in_source,
                           farm_jobs=farm_jobs)
        f = res.targets.set_index("commodity")[["description", "rank", "market_support_usd"]]
        frames.append(f.rename(columns={"rank": f"rank_{m}",
                                        "market_support_usd": f"market_support_usd_{m}"}))
    wide = frames[0]
    for f in frames[1:]:
        wide = wide.join(f.drop(columns="description"), how="outer")
    in_top = np.zeros(len(wide), dtype=bool)
    for m in METHODS:
        in_top |= (wide[f"rank_{m}"] <= top).to_numpy()
    wide = wide[in_top].sort_values(f"rank_{reference}")
    return wide.reset_index()


def naics_to_commodities(concordance: pd.DataFrame, naics: Sequence[str]) -> list[str]:
    """BEA commodity codes whose NAICS prefixes cover or lie under any of ``naics``.

    >>> conc = pd.DataFrame({"bea_code": ["322120", "3222A0"], "naics": ["32212", "32221"]})
    >>> naics_to_commodities(conc, ["322121", "322122"])
    ['322120']
    """
    return _CommodityFinder(concordance).find(naics)


class _CommodityFinder:
    """The concordance indexed by NAICS prefix, to find many codes' commodities quickly."""

    def __init__(self, concordance: pd.DataFrame) -> None:
        self.exact: dict[str, set[str]] = {}  # a concordance prefix -> its BEA codes
        self.under: dict[str, set[str]] = {}  # any start of a concordance prefix -> their codes
        for code, p in zip(concordance["bea_code"].tolist(), concordance["naics"].tolist(), strict=True):
            if not p:
                continue
            self.exact.setdefault(p, set()).add(code)
            for length in range(len(p) + 1):
                self.under.setdefault(p[:length], set()).add(code)

    def find(self, naics: Sequence[str]) -> list[str]:
        """Codes whose prefix ``p`` has ``n.startswith(p) or p.startswith(n)`` for some ``n``."""
        hits: set[str] = set()
        for n in naics:
            hits |= self.under.get(n, set())  # p starts with n
            for length in range(1, len(n) + 1):  # n starts with p
                hits |= self.exact.get(n[:length], set())
        return sorted(hits)


def compare_with_plan(
    targets: pd.DataFrame, plan: pd.DataFrame, concordance: pd.DataFrame
) -> tuple[pd.DataFrame, float]:
    """The plan's targets beside the recomputed list: rank of each and Spearman's rho.

    Parameters
    ----------
    targets
        :attr:`LeakageResult.targets` (the screened, ranked list).
    plan
        The plan's table (``description, market_support_usd, naics`` with ``;``-separated
        NAICS codes).
    concordance
        The tables' concordance, to find each plan target's BEA commodities.

    Returns
    -------
    (pandas.DataFrame, float)
        One row per plan target: ``plan_rank, description, plan_market_support_usd,
        commodities, recomputed_market_support_usd`` (sum over its commodities),
        ``recomputed_rank`` (the position that sum takes in the recomputed list; empty when
        none of its commodities is a target), and Spearman's rank correlation between the
        plan's and the recomputed market support of the plan's targets.
    """
    support = targets.set_index("commodity")["market_support_usd"]
    position = {c: k for k, c in enumerate(support.index)}
    values = support.to_numpy(dtype=float)
    finder = _CommodityFinder(concordance)
    rows = []
    for k, r in enumerate(plan.sort_values("market_support_usd", ascending=False).itertuples(), 1):
        codes = finder.find(str(r.naics).split(";"))
        found = [position[c] for c in codes if c in position]
        value = float(pd.Series(values[found]).sum()) if found else float("nan")
        # its rank among the other targets (those of its commodities excluded)
        rank = int((values > value).sum() - (values[found] > value).sum()) + 1 if found else None
        rows.append({"plan_rank": k, "description": r.description,
                     "plan_market_support_usd": float(r.market_support_usd),
                     "commodities": ";".join(codes), "recomputed_market_support_usd": value,
                     "recomputed_rank": rank})
    table = pd.DataFrame(rows)
    table["recomputed_rank"] = table["recomputed_rank"].astype("Int64")
    both = table.dropna(subset=["recomputed_market_support_usd"])
    if len(both) < 3:
        rho = float("nan")
    else:
        rho = float(both["plan_market_support_usd"].rank().corr(
            both["recomputed_market_support_usd"].rank()))
    return table, rho


# --- a small economy for examples and tests ---------------------------------------------------


def example_tables() -> IOTables:
    """A three-industry economy (farming, food manufacturing, services), in millions of 2012 $.

    Every number is small enough to check by hand.
    """
    industries = ["111000", "311000", "540000"]
    titles = ["Farming", "Food manufacturing", "Services"]
    use = np.array([[5.0, 40.0, 0.0], [0.0, 10.0, 5.0], [10.0, 20.0, 10.0]])
    imports = np.array([[1.0, 10.0, 0.0], [0.0, 2.0, 1.0], [0.0, 0.0, 0.0]])
    make = np.diag([100.0, 200.0, 100.0])
    final_codes = ["F01000", "F04000", "F05000"]
    use_final = np.array([[30.0, 36.0, -11.0], [150.0, 47.0, -12.0], [60.0, 0.0, 0.0]])
    imports_final = np.array([[0.0, 0.0, -11.0], [9.0, 0.0, -12.0], [0.0, 0.0, 0.0]])
    conc = pd.DataFrame({
        "bea_code": industries, "title": titles, "naics": ["111", "311", "54"],
        "naics_text": ["111", "311", "54"], "shared": [False] * 3, "note": [""] * 3,
    })
    return IOTables(
        year=2012, industries=industries, industry_titles=titles, commodities=list(industries),
        commodity_titles=titles, use=use, make=make, imports=imports, final_codes=final_codes,
        use_final=use_final, imports_final=imports_final,
        industry_output=np.array([100.0, 200.0, 100.0]),
        commodity_output=np.array([100.0, 200.0, 100.0]), concordance=conc,
    )
