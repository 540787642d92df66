"""The atlas's own PNG writer: the pixels drawn, the figure's resolution, no metadata."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from valleymaps.render.glyph_cache import caching_canvas
from valleymaps.render.png import encode_png, figure_png


def _drawn_figure(*, transparent: bool = False) -> Figure:
    fig = Figure(figsize=(3, 2), dpi=110)
    if transparent:
        fig.patch.set_alpha(0.0)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.fill([0, 1, 1], [0, 0, 1], color="#41b6c4")
    ax.text(0.1, 0.8, "Fresno County: 12,345 jobs")
    return fig


def test_png_holds_exactly_the_pixels_drawn_and_the_resolution():
    fig = _drawn_figure()
    canvas = caching_canvas(fig)
    canvas.draw()
    data = encode_png(canvas)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.mode == "RGB"
    assert image.size == (330, 220)
    drawn = np.asarray(canvas.buffer_rgba())[..., :3]
    assert np.array_equal(np.asarray(image), drawn)
    assert round(image.info["dpi"][0]) == 110  # a report places it at the figure's size in inches
    assert not any(key in image.info for key in ("Software", "Creation Time", "date:create"))


def test_png_bytes_are_the_same_on_every_build():
    assert figure_png(_drawn_figure()) == figure_png(_drawn_figure())


def test_transparent_figure_keeps_its_alpha_channel():
    image = Image.open(io.BytesIO(figure_png(_drawn_figure(transparent=True))))
    assert image.mode == "RGBA"
    assert np.asarray(image)[0, 0, 3] == 0
