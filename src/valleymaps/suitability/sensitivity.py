"""How stable are the site ranks when the weights move?

Each weight is moved up and down by a number of points (10 by default) and
the other weights are scaled so that they still add up to 100. The sites are
held as found; each site's score under the new weights is recomputed from its
factors' mean scores (a site's mean suitability is the weighted sum of its
factor means, so this is exact for the site), the sites are ranked again and
each site's new rank recorded.

Examples
--------
>>> import pandas as pd
>>> means = pd.DataFrame({"rail": [1.0, 0.5], "water": [0.2, 0.9]}, index=[1, 2])
>>> vary_weight({"rail": 60, "water": 40}, "rail", 10)
{'rail': 70.0, 'water': 30.0}
>>> summary, table = check_rank_stability(means, {"rail": 60, "water": 40}, count=2)
>>> summary[["rank", "rank_best", "rank_worst"]].values.tolist()
[[1, 1, 2], [2, 1, 2]]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from valleymaps.suitability import defaults


def vary_weight(weights: Mapping[str, float], key: str, delta: float) -> dict[str, float]:
    """Weights with ``key`` moved by ``delta`` points (kept within 0-100), the others rescaled to sum 100.

    The others keep their proportions; when they are all 0 the rest is shared equally.
    """
    new = min(100.0, max(0.0, float(weights[key]) + delta))
    others = {k: float(w) for k, w in weights.items() if k != key}
    rest = 100.0 - new
    total = sum(others.values())
    out: dict[str, float] = {}
    for k in weights:
        if k == key:
            out[k] = new
        elif total > 0:
            out[k] = others[k] * rest / total
        else:
            out[k] = rest / len(others) if others else 0.0
    return out


def _ranks(scores: np.ndarray) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=int)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def check_rank_stability(
    factor_means: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    count: int,
    points: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-rank sites with each weight moved up and down by ``points``.

    Parameters
    ----------
    factor_means
        One row per site (index = the site's rank with the profile's
        weights, 1 = best), one column per factor: its mean score (0-1) over
        the site. Sites beyond ``count`` are alternates that may climb in.
    weights
        Factor key -> weight (adding up to 100).
    count
        How many sites are reported (a site "stays" when it remains in the top ``count``).
    points
        How far each weight moves (default
        :data:`~valleymaps.suitability.defaults.SENSITIVITY_POINTS`).

    Returns
    -------
    summary
        One row per reported site: ``rank``, ``rank_best``, ``rank_worst``,
        ``stays_in_top`` (share of variations keeping it in the top ``count``),
        ``stability`` ("stable": same rank in every variation; "fairly stable":
        never moves more than one place; else "sensitive").
    table
        One row per (variation, site): ``factor``, ``change`` (points),
        ``weights`` (text), ``rank``, ``new_rank``, ``new_score``.
    """
    step = defaults.SENSITIVITY_POINTS if points is None else float(points)
    keys = [k for k in weights if k in factor_means.columns]
    matrix = factor_means[keys].to_numpy(dtype=float)
    base_ranks = factor_means.index.to_numpy()
    rows = []
    variations = 0
    for key in keys:
        if len(keys) < 2:
            break
        for delta in (step, -step):
            new = vary_weight({k: weights[k] for k in keys}, key, delta)
            if np.allclose([new[k] for k in keys], [weights[k] for k in keys]):
                continue
            variations += 1
            scores = matrix @ np.array([new[k] for k in keys])
            ranks = _ranks(scores)
            text = ", ".join(f"{k} {new[k]:.0f}" for k in keys)
            for base, new_rank, new_score in zip(base_ranks, ranks, scores, strict=True):
                rows.append(
                    {
                        "factor": key,
                        "change": delta,
                        "weights": text,
                        "rank": int(base),
                        "new_rank": int(new_rank),
                        "new_score": round(float(new_score), 2),
                    }
                )
    table = pd.DataFrame(rows, columns=["factor", "change", "weights", "rank", "new_rank", "new_score"])
    reported = [int(r) for r in base_ranks if r <= count]
    summary_rows = []
    for rank in reported:
        mine = table[table["rank"] == rank]["new_rank"].to_numpy()
        all_ranks = np.append(mine, rank)
        moved = np.abs(all_ranks - rank).max() if len(all_ranks) else 0
        summary_rows.append(
            {
                "rank": rank,
                "rank_best": int(all_ranks.min()),
                "rank_worst": int(all_ranks.max()),
                "stays_in_top": float((mine <= count).mean()) if len(mine) else 1.0,
                "stability": "stable" if moved == 0 else ("fairly stable" if moved <= 1 else "sensitive"),
                "variations": variations,
            }
        )
    summary = pd.DataFrame(
        summary_rows, columns=["rank", "rank_best", "rank_worst", "stays_in_top", "stability", "variations"]
    )
    return summary, table
