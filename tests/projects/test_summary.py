"""Investment by place (points, lines by length, areas by area) and projects near a site."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from project_files import IN_EAST, IN_WEST
from valleymaps.projects.schema import conform_projects
from valleymaps.projects.summary import filter_projects, projects_near, summarize_investment


def _projects(geoms: list[object], costs: list[float], **cols: list[object]) -> gpd.GeoDataFrame:
    n = len(geoms)
    return conform_projects(
        gpd.GeoDataFrame(
            {"agency": ["A"] * n, "project_id": [str(i) for i in range(n)], "name": ["x"] * n,
             "cost_usd": costs, **cols},
            geometry=geoms,
            crs="EPSG:4326",
        )
    )  # fmt: skip


def test_points_count_where_they_are_and_unknown_costs_are_counted(counties: gpd.GeoDataFrame) -> None:
    p = _projects(
        [shapely.Point(IN_WEST), shapely.Point(IN_WEST), shapely.Point(IN_EAST)], [1e6, np.nan, 5e5]
    )
    s = summarize_investment(p, counties, jobs=pd.Series({"06019": 1000.0, "06031": 0.0}))
    assert s["n_projects"].tolist() == [2, 1]
    assert s["cost_usd"].tolist() == [1e6, 5e5]
    assert s["n_without_cost"].tolist() == [1, 0]
    assert s["cost_per_job"].tolist()[0] == 1000.0
    assert np.isnan(s["cost_per_job"].tolist()[1])  # no jobs: no ratio
    assert np.isnan(s["cost_per_worker"]).all()  # workers unknown
    assert s["rank_cost_usd"].tolist() == [1.0, 2.0]


def test_a_line_shares_its_cost_by_length(counties: gpd.GeoDataFrame) -> None:
    # 0.75 degrees of its length in the west square, 0.25 in the east (same latitude)
    road = shapely.LineString([(-120.25, 36.5), (-119.25, 36.5)])
    s = summarize_investment(_projects([road], [4e6]), counties)
    assert s["cost_usd"].tolist() == pytest.approx([3e6, 1e6], rel=1e-2)
    assert s["n_projects"].tolist() == [1, 1]


def test_an_area_shares_its_cost_by_area_and_parts_outside_are_not_counted(
    counties: gpd.GeoDataFrame,
) -> None:
    # half in the east square, half outside every county
    basin = shapely.box(-118.7, 36.4, -118.3, 36.6)
    s = summarize_investment(_projects([basin], [2e6]), counties)
    assert s["cost_usd"].tolist() == pytest.approx([0.0, 1e6], rel=1e-2)


def test_projects_near_a_site_and_a_place(counties: gpd.GeoDataFrame) -> None:
    p = _projects(
        [shapely.Point(-120.0, 36.5), shapely.Point(-119.9, 36.5), shapely.Point(IN_EAST)], [1, 2, 3]
    )
    near = projects_near(p, shapely.Point(-120.0, 36.5), distance_m=10_000)
    assert near["project_id"].tolist() == ["0", "1"]
    assert near["distance_m"].iloc[0] == 0.0
    assert 8_000 < near["distance_m"].iloc[1] < 10_000
    inside_east = projects_near(p, counties[counties["geoid"] == "06031"].geometry, distance_m=0)
    assert inside_east["project_id"].tolist() == ["2"]
    with pytest.raises(ValueError, match="negative"):
        projects_near(p, shapely.Point(0, 0), distance_m=-1)


def test_filters_by_status_category_and_year() -> None:
    p = _projects(
        [shapely.Point(IN_WEST)] * 3,
        [1, 2, 3],
        status=["planned", "complete", "complete"],
        category=["rail", "water", "rail"],
        end_year=pd.array([2030, 2020, None], dtype="Int64"),
    )
    assert filter_projects(p, statuses=["complete"], categories=["rail"])["project_id"].tolist() == ["2"]
    assert filter_projects(p, end_by=2025)["project_id"].tolist() == ["1"]


def test_a_project_just_outside_every_county_counts_in_the_nearest_so_rows_add_up(
    counties: gpd.GeoDataFrame,
) -> None:
    from valleymaps.projects.summary import investment_apart

    near = shapely.Point(-118.4944, 36.5)  # ~500 m east of the east square
    p = _projects([shapely.Point(IN_WEST), near], [1e6, 5e5])
    s = summarize_investment(p, counties)
    assert s["n_projects"].tolist() == [1, 1]
    assert s["cost_usd"].sum() == pytest.approx(1.5e6)  # the total of the inventory
    assert investment_apart(s) == (0, 0.0)


def test_what_the_rows_leave_out_is_said(counties: gpd.GeoDataFrame) -> None:
    from valleymaps.projects.summary import investment_apart

    far = shapely.Point(-117.0, 36.5)  # 130 km east: in no row
    basin = shapely.box(-118.7, 36.4, -118.3, 36.6)  # half outside every county
    s = summarize_investment(_projects([far, basin], [3e5, 2e6]), counties)
    n_apart, cost_apart = investment_apart(s)
    assert n_apart == 1
    assert cost_apart == pytest.approx(3e5 + 1e6, rel=1e-2)
    assert s["cost_usd"].sum() + cost_apart == pytest.approx(2.3e6)
