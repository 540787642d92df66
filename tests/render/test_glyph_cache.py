"""The glyph cache draws the very pixels matplotlib's own Agg canvas draws."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from valleymaps.render import glyph_cache
from valleymaps.render.glyph_cache import GlyphCachingCanvas, caching_canvas
from valleymaps.render.png import figure_png


def _figure() -> Figure:
    fig = Figure(figsize=(4.3, 2.7), dpi=110)
    for i in range(12):  # the same words at many sub-pixel positions, sizes and weights
        fig.text(
            0.013 + 0.0371 * i,
            0.05 + 0.0713 * i,
            f"Fresno {1234.5 * i:,.1f} jobs – LQ ≥ 1.2",
            fontsize=7.5 + (i % 4),
            fontweight="bold" if i % 3 == 0 else "normal",
            color="#444444",
        )
    fig.text(0.7, 0.2, "Rotated label", rotation=33)
    fig.text(0.6, 0.8, r"$\alpha^2 + \sqrt{x}$ maths")
    ax = fig.add_axes((0.55, 0.3, 0.4, 0.4))
    ax.plot([0, 1, 2], [3, 1, 2])
    ax.set_title("Axes title")
    return fig


def _pixels(canvas: FigureCanvasAgg) -> np.ndarray:
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.skipif(not glyph_cache.SUPPORTED, reason="matplotlib without the private hooks")
def test_cached_glyphs_give_the_pixels_of_matplotlib() -> None:
    glyph_cache._GLYPHS.clear()
    glyph_cache._LAYOUTS.clear()
    plain = _pixels(FigureCanvasAgg(_figure()))
    cold = _pixels(GlyphCachingCanvas(_figure()))
    assert len(glyph_cache._GLYPHS) > 50
    warm = _pixels(GlyphCachingCanvas(_figure()))  # every glyph from the cache now
    assert np.array_equal(plain, cold) and np.array_equal(plain, warm)
    assert (plain[..., :3] < 250).any()  # something was drawn


def test_png_bytes_are_the_same_whether_glyphs_are_cached_or_not() -> None:
    glyph_cache._GLYPHS.clear()
    glyph_cache._LAYOUTS.clear()
    first = figure_png(_figure())
    again = figure_png(_figure())
    assert first == again
    assert isinstance(caching_canvas(_figure()), FigureCanvasAgg)
