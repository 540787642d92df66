"""Build the LODES OD reader's compiled loop as an optional extension module.

Everything else is in pyproject.toml. ``optional=True``: on a machine without a C compiler
(or without Python's headers, Debian's ``python3-dev``) the install still succeeds, and the
reader says once that it uses its slower pure-Python engine and how to get the fast one.
"""

import os

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "valleymaps.io.flows._odscan_ext",
            sources=["src/valleymaps/io/flows/_odscan.c"],
            define_macros=[("VALLEYMAPS_ODSCAN_MODULE", "1")],
            extra_compile_args=[] if os.name == "nt" else ["-O3"],
            optional=True,
        )
    ]
)
