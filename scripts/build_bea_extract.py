#!/usr/bin/env python
"""Build ``data/econ/io/bea_2012_detail.npz`` (+ ``.meta.json``): the BEA's 2012 detail tables.

Reads the three workbooks the BEA publishes (Industry Economic Accounts, input-output
accounts, detail level, before redefinitions, producers' prices):

* ``IOUse_Before_Redefinitions_PRO_DET.xlsx`` (Use table, sheet ``2012``),
* ``IOMake_Before_Redefinitions_DET.xlsx`` (Make table, sheet ``2012``),
* ``ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx`` (import matrix, sheet ``2012``),

with the same reader as ``valleymaps import io`` (:func:`valleymaps.io.bea.read_bea_workbooks`)
and writes the workspace store in its compact form (compressed arrays without timestamps, so
the same workbooks give the same bytes). ``valleymaps init`` copies it into every workspace,
so the default atlas has its "Value-chain leakage" page.

Usage::

    python scripts/build_bea_extract.py [FOLDER] [--out-dir DIR]

``FOLDER`` defaults to ``../shared/realdata/io`` next to the repository; ``--out-dir`` to
``data/econ/io``. The BEA's statistics are not copyrighted (public domain).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from valleymaps.errors import ValleymapsError
from valleymaps.io.bea import DEFAULT_YEAR, io_store_bytes, read_bea_workbooks

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "realdata" / "io"
DEFAULT_OUT_DIR = REPO / "data" / "econ" / "io"
BEA_URL = "https://apps.bea.gov/industry/xls/io-annual"
WORKBOOKS = (
    "IOUse_Before_Redefinitions_PRO_DET.xlsx",
    "IOMake_Before_Redefinitions_DET.xlsx",
    "ImportMatrices_Before_Redefinitions_DET_2007_2012.xlsx",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_SOURCE,
                        help="folder holding the three BEA workbooks")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    paths = [args.folder / name for name in WORKBOOKS]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"missing BEA workbooks: {', '.join(missing)}. Download them from "
              f"{BEA_URL}/<name> ('valleymaps fetch bea' does) and pass their folder.", file=sys.stderr)
        return 2
    try:
        tables = read_bea_workbooks(paths, year=DEFAULT_YEAR)
    except ValleymapsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    data, meta = io_store_bytes(tables)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"bea_{tables.year}_detail"
    (args.out_dir / f"{stem}.npz").write_bytes(data)
    (args.out_dir / f"{stem}.meta.json").write_text(meta, encoding="utf-8")
    print(f"wrote {args.out_dir / stem}.npz ({len(data):,} bytes) and .meta.json: "
          f"{len(tables.industries)} industries, {len(tables.commodities)} commodities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
