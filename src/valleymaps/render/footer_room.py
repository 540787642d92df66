"""Room for every footer line of a static figure: a figure laid out at a standard height grows
at the bottom for the lines that height cannot hold (map and headings keep their size and place).

>>> room = footer_room(8.4, first=0.145, step=0.021, lines=3)
>>> room.height, room.from_top(0.17)
(8.4, 0.17)
>>> room = footer_room(8.4, first=0.145, step=0.021, lines=12)
>>> round(room.height, 3), round(room.from_top(0.17) * room.height, 3)  # 0.17 of 8.4 in, raised
(9.272, 2.3)
"""

from __future__ import annotations

from dataclasses import dataclass

#: Space kept under the last footer line (inches).
BOTTOM_IN = 0.15


@dataclass(frozen=True)
class FooterRoom:
    """A figure laid out in fractions of a ``base_in``-inch height, drawn ``height`` inches high.

    Attributes
    ----------
    base_in
        The height its layout is written for (inches).
    height
        Its height (inches): ``base_in``, or more when the footer needs it.
    """

    base_in: float
    height: float

    @property
    def scale(self) -> float:
        """A span of the standard figure (fraction) as a fraction of this one: ``span * scale``."""
        return self.base_in / self.height

    def from_top(self, y: float) -> float:
        """The height ``y`` of the standard figure (fraction), as far from the top of this one."""
        return y if self.height == self.base_in else 1 - (1 - y) * self.scale


def footer_room(base_in: float, *, first: float, step: float, lines: int) -> FooterRoom:
    """The figure for ``lines`` footer lines, the first at ``first`` and each ``step`` lower
    (fractions of ``base_in``), the last at least :data:`BOTTOM_IN` above the bottom."""
    extra = max(0.0, BOTTOM_IN + (lines - 1) * step * base_in - first * base_in)
    return FooterRoom(base_in, base_in + extra)
