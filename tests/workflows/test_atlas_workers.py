"""The build's workers: they draw the same bytes as the build process, and their failures fail it."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.figure import Figure
from shapely.geometry import box

from valleymaps.errors import Problem, ValidationError, ValleymapsError
from valleymaps.render.classify import classify_values
from valleymaps.render.metric_specs import cluster_metric_specs
from valleymaps.render.static_map import StaticChoropleth, render_static_map, style_static_map
from valleymaps.workflows.workers import AtlasWorkers


def _squares() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"geoid": [str(i) for i in range(6)]},
        geometry=[box(-121 + 0.4 * i, 36, -120.6 + 0.4 * i, 36.4 + 0.1 * i) for i in range(6)],
        crs="EPSG:4326",
    )


def _explode(**_kwargs: object) -> Figure:
    raise OSError("disk on fire")


def _write_all(folder: Path, workers: int) -> tuple[dict[str, bytes], int]:
    places = _squares()
    specs = cluster_metric_specs(has_change=False)[:3]
    rng = np.random.default_rng(7)
    folder.mkdir()
    chart = StaticChoropleth(places, subtitle="Squares", source_lines=["Test"])
    with AtlasWorkers({"county": chart}, tasks={"pid": os.getpid}, workers=workers) as pool:
        where = pool.start("pid")
        for i, spec in enumerate(specs):
            values = rng.random(len(places)) * 10
            values[i] = np.nan
            style = style_static_map(values, classify_values(values, k=4, center=spec.center), spec,
                                     title=spec.key)
            pool.add_style("county", style, folder / f"{spec.key}.png")
        values = np.arange(6.0)
        pool.add_figure(render_static_map, folder / "figure.png", places=places, values=values,
                        classification=classify_values(values, k=3), spec=specs[0], title="Whole",
                        subtitle="Squares")
        pid = where()
        written = pool.finish()
    assert [p.name for p in written] == [f"{s.key}.png" for s in specs] + ["figure.png"]
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}, pid


def test_two_workers_write_the_same_files_as_the_build_process(tmp_path: Path) -> None:
    serial, serial_pid = _write_all(tmp_path / "serial", workers=1)
    parallel, parallel_pid = _write_all(tmp_path / "parallel", workers=2)
    assert serial_pid == os.getpid() and parallel_pid != os.getpid()  # the task ran in a worker
    assert serial == parallel
    assert len(set(serial.values())) == 4  # four different pictures


def test_a_failing_picture_fails_the_build_and_stops_the_workers(tmp_path: Path) -> None:
    pool = AtlasWorkers({}, workers=2)
    pool.add_figure(_explode, tmp_path / "x.png")
    with pytest.raises(OSError, match="disk on fire"):
        pool.finish()
    assert not pool.parallel  # the workers are gone
    assert not (tmp_path / "x.png").exists()


def _refuse() -> None:
    raise ValidationError("tracts.gpkg", [Problem("geoid 06019 twice", row=3)])


def test_a_task_error_reaches_the_build_with_its_message(tmp_path: Path) -> None:
    with AtlasWorkers({}, tasks={"refuse": _refuse}, workers=2) as pool, pytest.raises(
        ValleymapsError, match="geoid 06019 twice"
    ):
        pool.start("refuse")()
