"""Build the bundled workspace and the 760 real tracts, or compare two such builds.

Used to check that a refactoring changes no output: run ``snapshot`` before and after,
then ``compare``. Timestamps are masked; every other byte must match.

    .venv/bin/python scripts/compare_builds.py snapshot /tmp/before [--realdata ../shared/realdata]
    .venv/bin/python scripts/compare_builds.py snapshot /tmp/after
    .venv/bin/python scripts/compare_builds.py compare /tmp/before /tmp/after

The snapshot holds two workspaces, ``bundled`` (``valleymaps init``) and ``tracts`` (the
bundled workspace plus the real tracts of ``realdata/tracts`` and a synthetic LODES WAC file
for them, with a suitability profile, so that tract pages, suitability rasters and PNGs are
all built).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

_TIMESTAMP = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _vm(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "valleymaps", *args], check=True, stdout=subprocess.DEVNULL)


def snapshot(root: Path, realdata: Path) -> None:
    """Build both workspaces under *root* (which must not exist)."""
    bundled = root / "bundled"
    _vm("init", str(bundled))
    tracts_ws = root / "tracts"
    _vm("init", str(tracts_ws))
    _vm("build", "-w", str(bundled))
    tracts = sorted((realdata / "tracts").glob("*.topo.json"))
    if tracts:
        import geopandas as gpd

        from lodes_files import write_wac

        _vm("import", "tracts", *map(str, tracts), "--assume-crs", "EPSG:4326", "-w", str(tracts_ws))
        geoids = sorted(gpd.read_file(tracts_ws / "data" / "geo" / "tracts.gpkg", layer="tracts")["geoid"])
        wac = write_wac(root / "synthetic_ca_wac_S000_JT00_2021.csv.gz", geoids)
        _vm("import", "employment", str(wac), "--format", "lodes-wac", "-w", str(tracts_ws))
        _vm("build", "-w", str(tracts_ws))
    else:
        shutil.rmtree(tracts_ws)
        print(f"real tracts: skipped ({realdata / 'tracts'} not found)")


def _outputs(ws: Path) -> dict[str, bytes]:
    out = ws / "outputs"
    return {
        p.relative_to(out).as_posix(): _TIMESTAMP.sub(b"<time>", p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def compare(before: Path, after: Path) -> int:
    """Print every output that differs; return the number of differences."""
    differ = 0
    for name in ("bundled", "tracts"):
        if not (before / name).is_dir():
            continue
        a, b = _outputs(before / name), _outputs(after / name)
        only = sorted(set(a) ^ set(b))
        changed = sorted(k for k in set(a) & set(b) if a[k] != b[k])
        print(f"{name}: {len(a)} files before, {len(b)} after; "
              f"{len(only)} only on one side, {len(changed)} differ")
        for k in only + changed:
            print(f"    {k}")
        differ += len(only) + len(changed)
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("root", type=Path)
    snap.add_argument("--realdata", type=Path, default=REPO.parent / "shared" / "realdata")
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.cmd == "snapshot":
        snapshot(args.root, args.realdata)
    else:
        sys.exit(1 if compare(args.before, args.after) else 0)


if __name__ == "__main__":
    main()
