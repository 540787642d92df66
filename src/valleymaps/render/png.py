"""PNG bytes of a matplotlib figure, quickly and reproducibly.

``Figure.savefig`` writes RGBA with a ``Software`` text chunk at zlib level 6, and
Pillow tries five row filters per row. Static maps are opaque and mostly flat colour,
so :func:`encode_png` writes RGB rows unfiltered (flat colour compresses as well without
a filter), no text metadata (two builds give the same bytes; the resolution is kept as a
``pHYs`` chunk), deflated by ISA-L (``isal``, a dependency already, for LODES files) at a low
level: about six times quicker than zlib, in files about a tenth larger than zlib's level 3.

>>> from matplotlib.figure import Figure
>>> figure_png(Figure(figsize=(1, 1), dpi=10))[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

try:  # ISA-L's deflate: a zlib stream, levels 0-3, several times quicker than zlib's
    from isal import isal_zlib
except ImportError:  # pragma: no cover - isal is a dependency; zlib as a fallback
    isal_zlib = None  # type: ignore[assignment]

#: Compression level of static PNGs: 0-3 deflate with ISA-L (2: about 1 ms for an 880 x 880 map,
#: where zlib's level 3 takes 6 ms), 4-9 with zlib (Pillow's default is 6).
PNG_COMPRESS_LEVEL = 2

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _deflater(level: int) -> Callable[..., bytes]:
    """ISA-L's ``compress`` for levels 0-3 (when installed), else zlib's."""
    return isal_zlib.compress if isal_zlib is not None and level <= 3 else zlib.compress


def _png(rows: npt.NDArray[np.uint8], width: int, colour_type: int, extra: list[bytes], level: int) -> bytes:
    """A PNG of 8-bit ``rows`` (each led by its filter byte): header, the ``extra`` chunks, the data."""
    return b"".join(
        (
            _SIGNATURE,
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, rows.shape[0], 8, colour_type, 0, 0, 0)),
            *extra,
            _chunk(b"IDAT", _deflater(level)(rows.data, level)),  # no copy of the rows
            _chunk(b"IEND", b""),
        )
    )


def rgb_png(rgb: npt.NDArray[np.uint8], *, dpi: float, compress_level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """An 8-bit RGB PNG of ``rgb`` (rows × columns × 3), rows unfiltered, with its resolution."""
    height, width, _ = rgb.shape
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" on every row
    for channel in range(3):  # a channel at a time: copying RGB pixels out of RGBA is 7x slower
        rows[:, 1 + channel :: 3] = rgb[..., channel]
    per_metre = int(dpi / 0.0254 + 0.5)  # as Pillow rounds it
    resolution = _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
    return _png(rows, width, 2, [resolution], compress_level)


def indexed_png(
    index: npt.NDArray[np.uint8],
    palette: npt.NDArray[np.uint8],
    *,
    transparent: int | None = None,
    compress_level: int = PNG_COMPRESS_LEVEL,
) -> bytes:
    """An 8-bit palette PNG: ``index`` (rows × columns) into ``palette`` (up to 256 × 3 RGB), rows
    unfiltered; the palette entry ``transparent`` (if any) is fully transparent.

    >>> png = indexed_png(np.zeros((2, 3), np.uint8), np.array([[255, 0, 0]], np.uint8))
    >>> png[:8] == _SIGNATURE, png[25]  # colour type 3: palette
    (True, 3)
    """
    height, width = index.shape
    rows = np.empty((height, 1 + width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" on every row
    rows[:, 1:] = index
    chunks = [_chunk(b"PLTE", np.ascontiguousarray(palette, dtype=np.uint8).tobytes())]
    if transparent is not None:  # alpha of the entries up to the transparent one
        alpha = np.full(transparent + 1, 255, dtype=np.uint8)
        alpha[transparent] = 0
        chunks.append(_chunk(b"tRNS", alpha.tobytes()))
    return _png(rows, width, 3, chunks, compress_level)


def encode_png(canvas: FigureCanvasAgg, *, compress_level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """The pixels drawn so far on ``canvas`` as PNG bytes (RGB, its dpi, no text, no timestamp)."""
    rgba = np.asarray(canvas.buffer_rgba())
    dpi = canvas.figure.dpi  # a pHYs chunk, so that a report gets the figure's size in inches
    if (np.ascontiguousarray(rgba).view("<u4") >= 0xFF000000).all():  # every alpha 255 (4 bytes as one)
        return rgb_png(rgba[..., :3], dpi=dpi, compress_level=compress_level)
    from PIL import Image  # a figure with transparency keeps its alpha channel

    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba)).save(
        out, format="PNG", compress_level=compress_level, dpi=(dpi, dpi)
    )
    return out.getvalue()


def figure_png(fig: Figure, *, compress_level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """Draw ``fig`` (at its own dpi, without tight-bbox recomputation) and return PNG bytes."""
    from valleymaps.render.glyph_cache import caching_canvas

    canvas = caching_canvas(fig)  # each glyph rasterised once per process: the same pixels
    canvas.draw()
    return encode_png(canvas, compress_level=compress_level)
