"""Static choropleths: recolouring one laid-out chart draws what a whole new figure draws."""

from __future__ import annotations

import io
import math
import struct

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box

from valleymaps import settings
from valleymaps.render.classify import classify_values
from valleymaps.render.metric_specs import cluster_metric_specs
from valleymaps.render.png import figure_png
from valleymaps.render.static_map import StaticChoropleth, render_static_map, style_static_map

SOURCES = ["Employment: a test source (2021)", "Boundaries: four squares drawn in the test"]


def squares() -> gpd.GeoDataFrame:
    """Four 0.5-degree squares in the Valley, west to east."""
    return gpd.GeoDataFrame(
        {"geoid": ["a", "b", "c", "d"]},
        geometry=[box(-120.5 + 0.5 * i, 36.5, -120.0 + 0.5 * i, 37.0) for i in range(4)],
        crs="EPSG:4326",
    )


def chunk_types(png: bytes) -> list[bytes]:
    types, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        types.append(png[pos + 4 : pos + 8])
        pos += 12 + length
    return types


def colours_of(png: bytes) -> set[tuple[int, int, int]]:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return {tuple(int(v) for v in c) for c in np.unique(rgb, axis=0)}


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_recoloured_chart_matches_a_fresh_figure_metric_after_metric() -> None:
    places = squares()
    jobs, share = cluster_metric_specs(has_change=False)[:2]
    first = np.array([10.0, math.nan, 30.0, 40.0])  # b has no value: hatched
    second = np.array([0.1, 0.2, 0.3, math.nan])  # now d is missing and b is not
    chart = StaticChoropleth(places, subtitle="Test region, squares", source_lines=SOURCES,
                             synthetic_notice=settings.SYNTHETIC_NOTICE)
    for spec, values in ((jobs, first), (share, second)):
        classification = classify_values(values, k=3)
        fast = chart.render_png(style_static_map(values, classification, spec, title=f"T: {spec.key}"))
        whole = figure_png(render_static_map(
            places, values, classification, spec, title=f"T: {spec.key}", subtitle="Test region, squares",
            source_lines=SOURCES, synthetic_notice=settings.SYNTHETIC_NOTICE,
        ))
        # same pixels: nothing of the previous metric (its colours, hatching, legend, title) is left
        assert fast == whole


def test_png_shows_every_class_colour_and_no_data_and_carries_no_metadata() -> None:
    values = np.array([1.0, 2.0, 3.0, math.nan])
    classification = classify_values(values, k=3)
    spec = cluster_metric_specs(has_change=False)[0]
    png = StaticChoropleth(squares(), subtitle="Test").render_png(
        style_static_map(values, classification, spec, title="Jobs")
    )
    colours = colours_of(png)
    for colour in classification.colors:
        assert hex_rgb(colour) in colours
    assert hex_rgb(settings.NO_DATA_COLOR) in colours
    # no text chunks (matplotlib's Software line) and no timestamps: rebuilds give the same bytes;
    # the resolution stays, so a report places the map at its size in inches
    chunks = chunk_types(png)
    assert chunks == [b"IHDR", b"pHYs", *[b"IDAT"] * (len(chunks) - 3), b"IEND"]
    image = Image.open(io.BytesIO(png))
    assert image.size[0] == 880 and image.info["dpi"] == pytest.approx((110, 110), abs=0.1)


def test_a_chart_handed_out_as_a_figure_refuses_to_be_recoloured() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0])
    spec = cluster_metric_specs(has_change=False)[0]
    chart = StaticChoropleth(squares(), subtitle="Test")
    style = style_static_map(values, classify_values(values, k=2), spec, title="Jobs")
    chart.figure(style)
    with pytest.raises(RuntimeError, match="build another"):
        chart.render_png(style)
    with pytest.raises(ValueError, match="3 colours for 4 places"):
        StaticChoropleth(squares(), subtitle="Test").render_png(
            style_static_map(values[:3], classify_values(values, k=2), spec, title="Jobs")
        )
