"""Write a LEHD LODES origin-destination file in the published schema (synthetic counts).

``w_geocode,h_geocode,S000,SA01,SA02,SA03,SE01,SE02,SE03,SI01,SI02,SI03,createdate``, block
GEOIDs as 15-character text, rows sorted by work block then home block, as LEHD publishes them.
California-like: 58 counties, about 520,000 blocks in about 8,600 tracts; four in five workers
live a few tracts from their work tract (commuting decays with distance), the others in
another county, mostly in a few of its core tracts; most pairs have a single worker. Generated
in chunks (memory stays flat) and compressed with the system ``gzip`` (like the published files).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

OD_COLUMNS = ("w_geocode", "h_geocode", "S000", "SA01", "SA02", "SA03", "SE01", "SE02", "SE03",
              "SI01", "SI02", "SI03", "createdate")

#: California's 58 county FIPS codes (odd numbers 001-115).
CA_COUNTIES = np.arange(1, 116, 2)


def _block_universe(rng: np.random.Generator, n_blocks: int) -> np.ndarray:
    """Sorted 15-digit block GEOIDs (as int64, state 06) spread over the 58 counties."""
    weights = rng.pareto(1.2, len(CA_COUNTIES)) + 0.2
    per_county = np.maximum(200, (weights / weights.sum() * n_blocks).astype(np.int64))
    blocks = []
    for county, n in zip(CA_COUNTIES, per_county, strict=True):
        n_tracts = max(2, int(n) // 60)
        tracts = np.sort(rng.choice(np.arange(100, 990_000), size=n_tracts, replace=False))
        tract_of = rng.integers(0, n_tracts, int(n))
        block_no = rng.integers(1000, 5000, int(n))
        geoid = ((6 * 1000 + county) * 1_000_000 + tracts[tract_of]) * 10_000 + block_no
        blocks.append(np.unique(geoid))
    return np.unique(np.concatenate(blocks))


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal text of non-negative integers, as an ``S<width>`` array."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    matrix = ((values[:, None] // powers) % 10 + 48).astype(np.uint8)
    return np.ascontiguousarray(matrix).view(f"S{width}").ravel()


def _split(rng: np.random.Generator, total: np.ndarray, parts: int) -> list[np.ndarray]:
    """Split each total into ``parts`` non-negative counts that add up to it."""
    p = rng.dirichlet(np.ones(parts), size=len(total))
    counts = np.zeros((len(total), parts), dtype=np.int64)
    remaining = total.copy()
    for j in range(parts - 1):
        share = np.clip(p[:, j] / np.maximum(p[:, j:].sum(axis=1), 1e-12), 0, 1)
        counts[:, j] = rng.binomial(remaining, share)
        remaining = remaining - counts[:, j]
    counts[:, parts - 1] = remaining
    return [counts[:, j] for j in range(parts)]


def write_od_file(path: Path, *, rows: int, seed: int = 42, chunk_rows: int = 1_000_000,
                  year_createdate: str = "20230321") -> Path:
    """Write ``path`` (``ca_od_main_JT00_2021.csv.gz`` style) with about ``rows`` data rows."""
    rng = np.random.default_rng(seed)
    universe = _block_universe(rng, 520_000)  # the same geography whatever the number of rows
    county_of = universe // 10_000_000_000
    county_codes = np.unique(county_of)
    tract_of = universe // 10_000
    tract_codes = np.unique(tract_of)
    tract_start = np.searchsorted(tract_of, tract_codes)
    tract_end = np.append(tract_start[1:], len(universe))
    tract_county = np.searchsorted(county_codes, tract_codes // 1_000_000)
    county_tract_start = np.searchsorted(tract_county, np.arange(len(county_codes)))
    county_tract_end = np.append(county_tract_start[1:], len(tract_codes))
    n_chunks = max(1, -(-rows // chunk_rows))
    work_ranges = np.array_split(np.arange(len(universe)), n_chunks)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        gz = subprocess.Popen(["gzip", "-6", "-c"], stdin=subprocess.PIPE, stdout=out)
        assert gz.stdin is not None
        gz.stdin.write((",".join(OD_COLUMNS) + "\n").encode("ascii"))
        for k, work_idx in enumerate(work_ranges):
            n = rows // n_chunks + (1 if k < rows % n_chunks else 0)
            w_idx = np.sort(rng.choice(work_idx, size=n))
            w = universe[w_idx]
            w_county = np.searchsorted(county_codes, county_of[w_idx])
            # homes: most near the work place (tracts a few steps away in the same county, as
            # commuting decays with distance), a quarter anywhere in another county
            w_tract = np.searchsorted(tract_codes, tract_of[w_idx])
            near = rng.random(n) < 0.8
            step = np.rint(rng.laplace(0.0, 6.0, n)).astype(np.int64)
            t_lo, t_hi = county_tract_start[w_county], county_tract_end[w_county] - 1
            near_tract = np.clip(w_tract + step, t_lo, t_hi)
            other = rng.integers(0, len(county_codes), n)
            # from another county: mostly a few tracts of its core (cities), seldom elsewhere
            span = county_tract_end[other] - county_tract_start[other]
            far_tract = county_tract_start[other] + np.minimum(
                np.abs(rng.laplace(0.0, 25.0, n)).astype(np.int64), span - 1)
            h_tract = np.where(near, near_tract, far_tract)
            lo, hi = tract_start[h_tract], tract_end[h_tract]
            h = universe[lo + (rng.random(n) * (hi - lo)).astype(np.int64)]
            order = np.lexsort((h, w))
            w, h = w[order], h[order]
            keep = np.ones(n, dtype=bool)
            keep[1:] = (w[1:] != w[:-1]) | (h[1:] != h[:-1])
            w, h = w[keep], h[keep]
            total = 1 + rng.geometric(0.55, len(w)) - 1
            total = np.where(rng.random(len(w)) < 0.01, total + rng.integers(5, 200, len(w)), total)
            cols: dict[str, pa.Array] = {
                "w_geocode": pa.array(_digits(w, 15)).cast(pa.string()),
                "h_geocode": pa.array(_digits(h, 15)).cast(pa.string()),
                "S000": pa.array(total),
            }
            for prefix in ("SA", "SE", "SI"):
                for j, part in enumerate(_split(rng, total, 3), start=1):
                    cols[f"{prefix}{j:02d}"] = pa.array(part)
            cols["createdate"] = pa.array(np.full(len(w), year_createdate))
            table = pa.table(cols)
            pacsv.write_csv(table, gz.stdin, pacsv.WriteOptions(include_header=False,
                                                                 quoting_style="none"))
        gz.stdin.close()
        if gz.wait() != 0:
            raise RuntimeError(f"gzip failed writing {path}")
    return path
