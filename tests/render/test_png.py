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


def test_every_compression_level_gives_the_same_pixels():
    from valleymaps.render.png import rgb_png

    rng = np.random.default_rng(1)
    rgb = np.repeat(rng.integers(0, 255, (40, 1, 3), dtype=np.uint8), 60, axis=1)  # flat runs
    rgb[5:9, 10:50] = rng.integers(0, 255, (4, 40, 3), dtype=np.uint8)  # and noise
    for level in (0, 1, 2, 3, 6, 9):  # ISA-L's deflate for 0-3, zlib's above
        image = Image.open(io.BytesIO(rgb_png(rgb, dpi=110, compress_level=level)))
        assert np.array_equal(np.asarray(image), rgb), level


def test_palette_png_shows_each_cell_in_its_palette_colour_and_the_transparent_entry_clear():
    from valleymaps.render.png import indexed_png

    palette = np.array([[68, 1, 84], [33, 145, 140], [253, 231, 37]] + [[0, 0, 0]] * 253, dtype=np.uint8)
    index = np.array([[0, 1, 2, 255], [2, 2, 1, 0]], dtype=np.uint8)
    image = Image.open(io.BytesIO(indexed_png(index, palette, transparent=255)))
    assert image.mode == "P" and np.array_equal(np.asarray(image), index)
    rgba = np.asarray(image.convert("RGBA"))
    assert rgba[0, 0].tolist() == [68, 1, 84, 255] and rgba[1, 2].tolist() == [33, 145, 140, 255]
    assert rgba[0, 3, 3] == 0  # "no value": transparent over the web map
    assert (rgba[..., 3] == 255).sum() == 7
