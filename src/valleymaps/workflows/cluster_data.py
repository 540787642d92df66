"""The cluster figures of a workspace, read and computed once: what the atlas maps and the
notebook API returns.

Reads the region and its employment (:mod:`valleymaps.io.region`: the same dataset choice on
every page), aggregates employment into clusters once per dataset and computes the span metrics
and the annual series (:mod:`valleymaps.analysis`). The atlas hands the result on to its
sections, so nothing downstream reads or recomputes them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from valleymaps import settings
from valleymaps.analysis.annual import compute_annual_metrics
from valleymaps.analysis.cluster_employment import aggregate_dataset_employment
from valleymaps.analysis.metrics import compute_cluster_metrics
from valleymaps.analysis.naics_editions import TARGET_EDITION
from valleymaps.clusters import Cluster, load_clusters
from valleymaps.core.naics import find_concordance_steps
from valleymaps.employment import EmploymentDataset
from valleymaps.errors import WorkspaceError
from valleymaps.i18n import N_
from valleymaps.io.employment.store import load_datasets
from valleymaps.io.region import choose_dataset, read_region_counties
from valleymaps.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)  # holds frames: compared and hashed by identity
class ClusterData:
    """Cluster metrics of every level of the region, with what they were computed from.

    Attributes
    ----------
    clusters
        The workspace's clusters (``data/econ/clusters.toml``).
    used
        The employment dataset of each level mapped: ``{"County": ds, "Tract": ds}``.
    metrics
        Span metrics (base year to end year) of every place, cluster and component; tracts
        only when tract boundaries and tract employment are both imported. ``reference_name``
        names the area each row is compared with.
    annual
        The annual series of the same places (every year present).
    private_metrics
        County-level span metrics of private ownership, when the county source has ownership.
    counties
        The region's counties (EPSG:4326, ``name`` "Fresno").
    tracts
        The imported tracts (EPSG:4326) when tract metrics are computed, else None.
    county_names
        County GEOID -> name ("Fresno").
    reference_name
        The reference area's name when every level shares it, else "the reference area".
    datasets
        Every employment dataset of the workspace, as read for these metrics (the build's other
        sections use them instead of reading the files again).
    """

    clusters: list[Cluster]
    used: dict[str, EmploymentDataset]
    metrics: pd.DataFrame
    annual: pd.DataFrame
    private_metrics: pd.DataFrame | None
    counties: gpd.GeoDataFrame
    tracts: gpd.GeoDataFrame | None
    county_names: dict[str, str]
    reference_name: str
    datasets: list[EmploymentDataset] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """Whether any dataset mapped is synthetic sample data."""
        return any(ds.synthetic for ds in self.used.values())


def _analyse(
    ws: Workspace,
    ds: EmploymentDataset,
    clusters: list[Cluster],
    *,
    private: bool,
    base_year: int | None,
    end_year: int | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The span metrics and the annual series of one dataset (aggregated once)."""
    cfg = ws.config
    ce = aggregate_dataset_employment(ds, clusters, ownership="private" if private else "all")
    span = compute_cluster_metrics(
        ce,
        region_counties=cfg.region_counties,
        reference_geoid=cfg.reference_geoid,
        base_year=base_year,
        end_year=end_year,
    )
    annual = compute_annual_metrics(
        ce, region_counties=cfg.region_counties, reference_geoid=cfg.reference_geoid
    )
    return span, annual


def compute_cluster_data(
    ws: Workspace,
    *,
    base_year: int | None = None,
    end_year: int | None = None,
    tracts: gpd.GeoDataFrame | None = None,
) -> ClusterData:
    """Read the region's employment and compute the cluster metrics of every level, once.

    Parameters
    ----------
    ws
        The workspace.
    base_year, end_year
        Years to compare (default: ``[analysis]`` in ``valleymaps.toml``, else the earliest
        and the latest in the data).
    tracts
        The workspace's tracts when already read (:func:`valleymaps.io.tracts.load_tracts`);
        default: read them when imported.

    Raises
    ------
    WorkspaceError
        If the workspace has no county employment for the region, or no county boundaries.
    """
    cfg = ws.config
    base_year = base_year if base_year is not None else cfg.base_year
    end_year = end_year if end_year is not None else cfg.end_year
    from valleymaps.io.tracts import load_tracts

    clusters = list(load_clusters(ws.clusters_path))
    datasets = load_datasets(ws)
    counties = read_region_counties(ws)
    county_names = dict(zip(counties["geoid"], counties["name"], strict=True))
    region_ids = list(cfg.region_counties)

    used: dict[str, EmploymentDataset] = {}
    county_ds = choose_dataset(datasets, geoid_length=5, counties=region_ids)
    if county_ds is None:
        raise WorkspaceError(
            f"{ws.employment_dir} has no county employment for the region. Import some with "
            "'valleymaps import employment FILE --format cbp|lodes-wac|csv'."
        )
    used["County"] = county_ds
    if tracts is None:
        tracts = load_tracts(ws) if ws.tracts_path.is_file() else None
    tract_ds = choose_dataset(datasets, geoid_length=11, counties=region_ids)
    if tracts is not None and tract_ds is None:
        log.warning(
            "tracts are imported but no tract employment: tract layers are left out "
            "(import LODES WAC with 'valleymaps import employment FILE --format lodes-wac')"
        )
    if tracts is None and tract_ds is not None:
        log.warning(
            "tract employment is imported but no tract boundaries: import them with "
            "'valleymaps import tracts FILE'"
        )
    private = cfg.ownership == "private"
    span = {"base_year": base_year, "end_year": end_year}
    metrics, annual = _analyse(ws, county_ds, clusters, private=private, **span)
    metrics = metrics[metrics["level"] != "tract"]
    annual = annual[annual["level"] != "tract"]
    if tracts is not None and tract_ds is not None:
        used["Tract"] = tract_ds
        tm, ta = _analyse(ws, tract_ds, clusters, private=private, **span)
        metrics = pd.concat([metrics, tm[tm["level"] == "tract"]], ignore_index=True)
        annual = pd.concat([annual, ta[ta["level"] == "tract"]], ignore_index=True)
    else:
        tracts = None
    metrics["reference_name"] = metrics["reference"].map(
        {cfg.reference_geoid: cfg.reference_name, settings.REGION_GEOID: cfg.region_name}
    )
    # each level compares with its own data's reference; name it when they agree, else tooltips say
    references = set(metrics.loc[metrics["level"] != "state", "reference_name"])
    private_metrics = None
    if county_ds.private is not None:
        private_metrics = _analyse(ws, county_ds, clusters, private=True, **span)[0]
    return ClusterData(
        clusters=clusters,
        used=used,
        metrics=metrics,
        annual=annual,
        private_metrics=private_metrics,
        counties=counties,
        tracts=tracts,
        county_names=county_names,
        reference_name=references.pop() if len(references) == 1 else N_("the reference area"),
        datasets=list(datasets),
    )


def add_naics_edition_columns(annual: pd.DataFrame, used: Mapping[str, EmploymentDataset]) -> pd.DataFrame:
    """``annual`` with the NAICS edition of each row's year, and the edition it was recoded to.

    Each row's dataset is the one of its level in ``used`` (tract rows: ``"Tract"``; county,
    region and reference rows: ``"County"``, whose data the region and reference are summed
    from).

    Parameters
    ----------
    annual
        Annual series (:attr:`ClusterData.annual`): ``level`` and ``year`` columns at least.
    used
        The dataset of each level (:attr:`ClusterData.used`).

    Returns
    -------
    pandas.DataFrame
        A copy with two nullable integer columns: ``naics_edition``, the edition the source
        published that year in (missing when not known: plain CSV, LODES, or a year after
        :data:`~valleymaps.core.naics.EDITION_KNOWN_THROUGH`), and ``recoded_to``, the
        clusters' edition (2017) when that year's codes were converted to it (missing when they
        were used as published).

    Examples
    --------
    >>> table = pd.DataFrame({"geoid": "06019", "naics": "10", "year": [2016, 2017, 2022, 2025],
    ...                       "employment": 1.0, "flag": ""})
    >>> qcew = EmploymentDataset("q", table, "BLS QCEW", "qcew")
    >>> annual = pd.DataFrame({"level": "county", "year": [2016, 2017, 2022, 2025]})
    >>> out = add_naics_edition_columns(annual, {"County": qcew})
    >>> out["naics_edition"].tolist(), out["recoded_to"].tolist()
    ([2012, 2017, 2022, <NA>], [2017, <NA>, 2017, <NA>])
    """
    out = annual.copy()
    edition = pd.Series(pd.NA, index=out.index, dtype="Int64")
    recoded = pd.Series(pd.NA, index=out.index, dtype="Int64")
    tract = (out["level"] == "tract").to_numpy()
    for key, rows in (("County", ~tract), ("Tract", tract)):
        ds = used.get(key)
        if ds is None or not rows.any():
            continue
        editions = ds.naics_editions
        converted = {
            year: TARGET_EDITION
            for year, ed in editions.items()
            if ed != TARGET_EDITION and find_concordance_steps(ed, TARGET_EDITION) is not None
        }
        years = out.loc[rows, "year"].astype(int)
        edition[rows] = years.map(editions).astype("Int64")
        recoded[rows] = years.map(converted).astype("Int64")
    out["naics_edition"] = edition
    out["recoded_to"] = recoded
    return out
