"""PNG bytes of a matplotlib figure, quickly and reproducibly.

``Figure.savefig`` writes RGBA with a ``Software`` text chunk at zlib level 6.
Static maps are opaque, so :func:`encode_png` drops the alpha channel, writes
no text metadata (two builds give the same bytes; the resolution is kept) and
uses a lower compression level: a few per cent larger files, written in a fraction of the time.

>>> from matplotlib.figure import Figure
>>> figure_png(Figure(figsize=(1, 1), dpi=10))[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: zlib level of static PNGs (Pillow's default is 6; 1–3 compress almost as well, several times faster).
PNG_COMPRESS_LEVEL = 3


def encode_png(canvas: FigureCanvasAgg, *, compress_level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """The pixels drawn so far on ``canvas`` as PNG bytes (RGB, its dpi, no text, no timestamp)."""
    from PIL import Image

    rgba = np.asarray(canvas.buffer_rgba())
    if (rgba[..., 3] == 255).all():
        image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    else:
        image = Image.fromarray(np.ascontiguousarray(rgba))
    out = io.BytesIO()
    dpi = canvas.figure.dpi  # a pHYs chunk, so that a report gets the figure's size in inches
    image.save(out, format="PNG", compress_level=compress_level, dpi=(dpi, dpi))
    return out.getvalue()


def figure_png(fig: Figure, *, compress_level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """Draw ``fig`` (at its own dpi, without tight-bbox recomputation) and return PNG bytes."""
    from valleymaps.render.glyph_cache import caching_canvas

    canvas = caching_canvas(fig)  # each glyph rasterised once per process: the same pixels
    canvas.draw()
    return encode_png(canvas, compress_level=compress_level)
