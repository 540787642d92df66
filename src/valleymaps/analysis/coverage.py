"""Say which clusters and components the employment source does not cover.

Pure helpers over the metrics table (its ``flag`` column carries ``C`` for
"not covered by this source" and ``U`` for "partly covered", set by
:func:`~valleymaps.analysis.cluster_employment.aggregate_cluster_employment`).
"""

from __future__ import annotations

import pandas as pd

from valleymaps.clusters import Cluster
from valleymaps.flags import NOT_COVERED, PARTLY_COVERED
from valleymaps.i18n import gettext as _

NOT_COVERED_TEXT = "not covered by this source"
PARTLY_COVERED_TEXT = "partly covered by this source"


def coverage_column(flags: pd.Series) -> pd.Series:
    """``not covered``, ``partly covered`` or ``""`` for each flag string (a table column).

    >>> coverage_column(pd.Series(["C", "DU", ""])).tolist()
    ['not covered', 'partly covered', '']
    """
    text = flags.fillna("").astype(str)
    out = pd.Series("", index=flags.index, dtype=object)
    out[text.str.contains(PARTLY_COVERED, regex=False)] = "partly covered"
    out[text.str.contains(NOT_COVERED, regex=False)] = "not covered"
    return out


def coverage_findings(cluster: Cluster, metrics: pd.DataFrame) -> list[str]:
    """Sentences for the index card: the cluster's parts the source does not cover.

    Parameters
    ----------
    cluster
        The cluster.
    metrics
        Output of :func:`~valleymaps.analysis.metrics.compute_cluster_metrics`.

    Examples
    --------
    >>> from valleymaps.clusters import Component
    >>> ag = Cluster("ag", "Agriculture", "", (Component("production", "Production", ("111",)),))
    >>> m = pd.DataFrame({"cluster": ["ag", "ag"], "component": ["", "production"],
    ...                   "level": ["region"] * 2, "flag": ["U", "C"]})
    >>> coverage_findings(ag, m)  # doctest: +NORMALIZE_WHITESPACE
    ['a lower bound: parts of the cluster are not covered by this source',
     'Production: not covered by this source (it does not count these industries)']
    """
    rows = metrics[(metrics["cluster"] == cluster.key) & (metrics["level"] == "region")]
    names = {c.key: c.name for c in cluster.components}
    flags = rows.groupby("component")["flag"].agg(lambda f: "".join(f.fillna("").astype(str)))
    whole = flags.get("", "")
    if NOT_COVERED in whole:
        return [_("{name}: not covered by this source (it does not count these industries)").format(
            name=cluster.name)]
    out = []
    for key, name in names.items():
        if NOT_COVERED in flags.get(key, ""):
            out.append(
                _("{name}: not covered by this source (it does not count these industries)").format(name=name)
            )
        elif PARTLY_COVERED in flags.get(key, ""):
            out.append(_("{name}: partly covered by this source (a lower bound)").format(name=name))
    if PARTLY_COVERED in whole:
        out.insert(0, _("a lower bound: parts of the cluster are not covered by this source"))
    return out
