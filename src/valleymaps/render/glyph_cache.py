"""A matplotlib Agg canvas that renders each glyph once per process, for the atlas's PNGs.

matplotlib's Agg renderer asks FreeType for every glyph of every text it draws: a legend
label drawn on 70 maps is rasterised 70 times, and most of a static map's time after its
shared parts is text. FreeType places a glyph at a position in 1/64 pixel; moving it by whole
pixels moves its bitmap by as many pixels and changes no value. So a bitmap rendered once
for a font, size, glyph, transform and sub-pixel phase serves every later glyph with the
same key, at its own whole-pixel offset: the pixels are the ones matplotlib would draw.

:class:`GlyphCachingCanvas` is a ``FigureCanvasAgg`` whose renderer uses that cache
(:func:`caching_canvas` gives one for a figure). Where matplotlib lacks the private hooks
this relies on (``_draw_text_glyphs_and_boxes``, ``FT2Font._render_glyph``), it draws as
``FigureCanvasAgg`` does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font, RenderMode

#: Glyph bitmaps kept per process at most (a few hundred bytes each).
MAX_GLYPHS = 200_000

#: Strings laid out (glyphs and their positions), and strings measured, kept per process at most.
MAX_LAYOUTS = 50_000

_GLYPHS: dict[tuple[Any, ...], tuple[np.ndarray, int, int]] = {}
_LAYOUTS: dict[tuple[Any, ...], list[tuple[Any, int, float, float]]] = {}
_METRICS: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_MATRICES: dict[tuple[float, float, float], tuple[np.ndarray, bytes]] = {}
_FONTS: dict[Any, tuple[str, str, str]] = {}

#: Whether this matplotlib has the private hooks the cache needs.
SUPPORTED = all(
    (
        hasattr(RendererAgg, "_draw_text_glyphs_and_boxes"),
        hasattr(RendererAgg, "_prepare_font"),
        hasattr(FT2Font, "_render_glyph"),
        hasattr(FT2Font, "_layout"),
    )
)


def _matrix(angle: float, slant: float, extend: float) -> tuple[np.ndarray, bytes]:
    """FreeType's transform of a glyph (16.16 fixed point), and its bytes for the cache key."""
    key = (angle, slant, extend)
    hit = _MATRICES.get(key)
    if hit is None:
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        matrix = (
            (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[extend, extend * slant], [0, 1]])
            .round()
            .astype(int)
        )
        hit = _MATRICES[key] = (matrix, matrix.tobytes())
    return hit


class _CachingRendererAgg(RendererAgg):
    """``RendererAgg`` drawing glyphs from the per-process cache (same pixels)."""

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
        """As ``RendererAgg``'s, each string measured once per process (matplotlib keeps them per
        renderer, and each figure has its own)."""
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, prop, self.dpi, str(get_hinting_flag()))
        metrics = _METRICS.get(key)
        if metrics is None:
            metrics = super().get_text_width_height_descent(s, prop, ismath)
            if len(_METRICS) < MAX_LAYOUTS:
                _METRICS[(s, prop.copy(), self.dpi, key[3])] = metrics
        return metrics

    def draw_text(
        self,
        gc: Any,
        x: float,
        y: float,
        s: str,
        prop: Any,
        angle: float,
        ismath: Any = False,
        mtext: Any = None,
    ) -> None:
        """As ``RendererAgg.draw_text``, with each string's glyph layout kept per process."""
        if ismath:
            super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            return
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = get_hinting_flag()
        key = (s, prop, self.dpi, str(flags), features, language)
        items = _LAYOUTS.get(key)
        if items is None:
            font = self._prepare_font(prop)
            laid = font._layout(s, flags=flags, features=features, language=language)
            items = [(item.ft_object, item.glyph_index, item.x, item.y) for item in laid]
            if len(_LAYOUTS) < MAX_LAYOUTS:
                _LAYOUTS[(s, prop.copy(), self.dpi, str(flags), features, language)] = items
        size = prop.get_size_in_points()
        self._draw_text_glyphs_and_boxes(
            gc, x, y, angle, ((font, size, glyph, 0, 1, gx, gy) for font, glyph, gx, gy in items), []
        )

    def _draw_text_glyphs_and_boxes(
        self, gc: Any, x: float, y: float, angle: float, glyphs: Any, boxes: Any
    ) -> None:
        if boxes:  # mathtext rules: as matplotlib draws them
            glyphs = list(glyphs)
            super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
            return
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        load_flags = get_hinting_flag()
        flags_text = str(load_flags)  # once per text, not per glyph (an enum's str is slow)
        antialiased = bool(gc.get_antialiased())
        mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
        height = self.height
        dpi = self.dpi
        draw_image = self._renderer.draw_text_image
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:  # dy is upwards.
            matrix, matrix_key = _matrix(angle, slant, extend)
            tx = round(0x40 * (x + dx * cos - dy * sin))
            ty = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
            ix, fx = divmod(tx, 0x40)
            iy, fy = divmod(ty, 0x40)
            face = _FONTS.get(font)
            if face is None:
                face = _FONTS[font] = (font.fname, font.family_name, font.style_name)
            key = (face, size, dpi, glyph_index, flags_text, antialiased, matrix_key, fx, fy)
            hit = _GLYPHS.get(key)
            if hit is None:
                font.set_size(size, dpi)
                font._set_transform(matrix, [fx, fy])
                bitmap = font._render_glyph(glyph_index, load_flags, mode)
                buffer = np.array(bitmap.buffer)
                if not antialiased:
                    buffer *= 0xFF
                hit = (buffer, bitmap.left, bitmap.top)
                if len(_GLYPHS) < MAX_GLYPHS:
                    _GLYPHS[key] = hit
            buffer, left, top = hit
            # draw_text_image's y is downwards & the bitmap bottom side
            draw_image(buffer, left + ix, int(height) - (top + iy) + buffer.shape[0], 0, gc)


class GlyphCachingCanvas(FigureCanvasAgg):
    """A ``FigureCanvasAgg`` whose renderer draws each glyph bitmap once per process."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _CachingRendererAgg(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def caching_canvas(fig: Figure) -> FigureCanvasAgg:
    """The canvas to draw ``fig`` on: a :class:`GlyphCachingCanvas` where supported.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1), dpi=50)
    >>> _ = fig.text(0.1, 0.5, "Fresno 12,345")
    >>> canvas = caching_canvas(fig)
    >>> canvas.draw()
    >>> type(canvas).__name__ == ("GlyphCachingCanvas" if SUPPORTED else "FigureCanvasAgg")
    True
    """
    if isinstance(fig.canvas, GlyphCachingCanvas):
        return fig.canvas
    return GlyphCachingCanvas(fig) if SUPPORTED else FigureCanvasAgg(fig)
