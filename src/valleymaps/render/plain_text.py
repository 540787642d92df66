"""Text printed as written on the static figures: matplotlib's mathtext is off while they are made.

matplotlib reads a string holding two ``$`` signs as mathematics: a suitability map's note
"plan $323.6M (2010 $) · recomputed $475.6M" would lose its dollar signs and print what lies
between them in italics. Names and notes come from data (clusters, projects, industries), so
every function that puts text on a static figure runs under :func:`plain_text`.

>>> from matplotlib.figure import Figure
>>> @plain_text
... def note(fig):
...     return fig.text(0, 0, "plan $5M (2010 $)")
>>> note(Figure()).get_parse_math()
False
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from matplotlib import rc_context

_P = ParamSpec("_P")
_R = TypeVar("_R")


def plain_text(make: Callable[_P, _R]) -> Callable[_P, _R]:
    """``make`` with the texts it creates printed as written (no mathtext)."""

    @functools.wraps(make)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with rc_context({"text.parse_math": False}):
            return make(*args, **kwargs)

    return wrapper
