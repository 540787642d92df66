"""Data types and reference codes that every layer shares.

Modules here import nothing of valleymaps but :mod:`valleymaps.settings` and
:mod:`valleymaps.errors`, so the readers (``io``), the analysis and the rendering can all
build on them without importing one another (the import-linter contracts in
``pyproject.toml`` hold that).
"""
