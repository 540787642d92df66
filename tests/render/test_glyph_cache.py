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


@pytest.mark.skipif(not glyph_cache.SUPPORTED, reason="matplotlib without the private hooks")
def test_each_string_is_measured_once_per_process_and_laid_out_as_matplotlib_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matplotlib.backends.backend_agg import RendererAgg

    def figure() -> Figure:
        fig = _figure()
        # centred and right-aligned texts in boxes: where they go depends on their measured size
        fig.text(0.5, 0.5, "Madera 4,321", ha="center", va="center", fontsize=9,
                 bbox={"boxstyle": "round", "fc": "#ffeeaa"})
        fig.text(0.98, 0.95, "Madera 4,321", ha="right", va="top", fontsize=13)
        return fig

    measured: list[tuple[str, float]] = []
    original = RendererAgg.get_text_width_height_descent

    def counting(self: RendererAgg, s: str, prop: object, ismath: object) -> tuple[float, float, float]:
        measured.append((s, prop.get_size_in_points()))  # type: ignore[attr-defined]
        return original(self, s, prop, ismath)

    plain = _pixels(FigureCanvasAgg(figure()))
    glyph_cache._METRICS.clear()
    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent", counting)
    first = _pixels(GlyphCachingCanvas(figure()))
    assert ("Madera 4,321", 9.0) in measured and ("Madera 4,321", 13.0) in measured  # a size is its own
    count = len(measured)
    second = _pixels(GlyphCachingCanvas(figure()))  # another figure, another renderer
    assert [m for m in measured[count:] if not m[0].startswith("$")] == []  # measured by the first
    assert np.array_equal(plain, first) and np.array_equal(plain, second)
