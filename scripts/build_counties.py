#!/usr/bin/env python
"""Build ``data/geo/ca_counties.geojson`` (and ``.meta.json``): California's 58 counties.

Source: the npm package ``us-atlas`` 3.0.1, file ``counties-10m.json``: a TopoJSON
redistribution (quantized, simplified, unprojected) of the U.S. Census Bureau's cartographic
boundary file of counties, 2017 edition, 1:5,000,000 (``cb_2017_us_county_5m``).

Steps:

1. ``npm pack us-atlas@3.0.1`` into a temporary folder (or ``--tarball`` a copy already on disk);
2. check the tarball's SHA-512 and SHA-256 against the values recorded below, and stop if they
   differ;
3. read the ``counties`` object with GDAL's TopoJSON driver (through pyogrio): ids are the
   5-digit county FIPS codes as text, ``name`` the county name;
4. keep California (ids starting ``06``), EPSG:4326;
5. repair the geometry as a coverage: the simplified source has one fold where Alameda,
   San Joaquin, Santa Clara and Stanislaus meet (two self-intersecting rings). All county
   boundaries are noded together on a 0.00001-degree grid, polygonized, and each face given to
   the county that holds most of it (a county whose source ring was valid wins a tie). The
   result: valid polygons, no gaps or overlaps between counties, coordinates on 5 decimals;
6. write GeoJSON (RFC 7946: counter-clockwise outer rings, no ``crs`` member) with properties
   ``geoid``, ``name``, ``in_region`` (the eight San Joaquin Valley counties), one feature per
   line sorted by ``geoid``: the same bytes on every run.

Usage::

    python scripts/build_counties.py [--out-dir DIR] [--tarball us-atlas-3.0.1.tgz]

Exit status 3 means the package could not be fetched (no ``npm``, no registry).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely
from shapely.geometry import mapping

from valleymaps import settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = REPO / "data" / "geo"
OUT_NAME = "ca_counties.geojson"
META_NAME = "ca_counties.meta.json"

PACKAGE = "us-atlas"
VERSION = "3.0.1"
TARBALL = f"{PACKAGE}-{VERSION}.tgz"
TARBALL_URL = f"https://registry.npmjs.org/{PACKAGE}/-/{TARBALL}"
MEMBER = "package/counties-10m.json"
LAYER = "counties"
#: Recorded from the first build (2025); the registry's ``integrity`` field says the same.
TARBALL_SHA512 = (
    "sha512-wEIZCq0ImPvGblTd8gZMqNNCPkQshugMUG/8nkSWXb02+XqNFREg9atHOKP9w6prLZTpqcLhSvdBW81MkV3/0Q=="
)
TARBALL_SHA256 = "e6daba1800885868303ad3549da62f85a557b8142bb72629ec15651de62f9c5d"

STATE_FIPS = settings.STATE_FIPS
N_COUNTIES = 58
GRID = 1e-5  # degrees; 5 decimals, about 1 m
DECIMALS = 5

EXIT_FETCH_FAILED = 3


class FetchError(RuntimeError):
    """The package could not be downloaded."""


def fetch_tarball(dest: Path) -> Path:
    """Download the package tarball into ``dest`` with ``npm pack``."""
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError("npm not found on PATH; install Node.js or pass --tarball FILE.")
    cmd = [npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(dest), "--silent"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    path = dest / TARBALL
    if proc.returncode != 0 or not path.is_file():
        raise FetchError(
            f"'{' '.join(cmd[1:])}' failed (exit {proc.returncode}): "
            f"{proc.stderr.strip()[-500:]}\nCheck access to the npm registry, or download "
            f"{TARBALL_URL} and pass --tarball FILE."
        )
    return path


def verify_tarball(path: Path) -> None:
    """Stop unless ``path`` has the recorded SHA-512 and SHA-256."""
    data = path.read_bytes()
    sha512 = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    sha256 = hashlib.sha256(data).hexdigest()
    if sha512 != TARBALL_SHA512 or sha256 != TARBALL_SHA256:
        raise SystemExit(
            f"{path} does not match the recorded checksums of {PACKAGE} {VERSION}:\n"
            f"  sha512 {sha512} (expected {TARBALL_SHA512})\n"
            f"  sha256 {sha256} (expected {TARBALL_SHA256})\n"
            "The file is corrupt or not the published package. If a new version is wanted, "
            "change VERSION and the checksums in this script deliberately."
        )


def extract_member(tarball: Path, dest: Path) -> Path:
    """Copy ``counties-10m.json`` out of the tarball (no other member is written)."""
    with tarfile.open(tarball, "r:gz") as tar:
        handle = tar.extractfile(MEMBER)
        if handle is None:
            raise SystemExit(f"{tarball} has no {MEMBER}.")
        out = dest / Path(MEMBER).name
        out.write_bytes(handle.read())
    return out


def read_california(topojson: Path) -> tuple[list[str], list[str], np.ndarray]:
    """GEOIDs, names and geometries of California's counties, sorted by GEOID."""
    layers = {str(name) for name, _ in pyogrio.list_layers(topojson)}
    if LAYER not in layers:
        raise SystemExit(f"{topojson} has no '{LAYER}' object (found {sorted(layers)}).")
    frame = pyogrio.read_dataframe(topojson, layer=LAYER)
    missing = {"id", "name"} - set(frame.columns)
    if missing:
        raise SystemExit(f"{topojson} layer '{LAYER}' lacks field(s) {sorted(missing)}.")
    frame = frame[frame["id"].astype(str).str.startswith(STATE_FIPS)]
    frame = frame.sort_values("id", kind="stable")
    geoids = [str(g) for g in frame["id"]]
    bad = [g for g in geoids if not (len(g) == 5 and g.isdigit())]
    if bad or len(set(geoids)) != len(geoids):
        raise SystemExit(f"unexpected county ids in {topojson}: {bad or 'duplicates'}")
    if len(geoids) != N_COUNTIES:
        raise SystemExit(f"expected {N_COUNTIES} California counties, found {len(geoids)}.")
    return geoids, [str(n) for n in frame["name"]], np.asarray(frame.geometry.values)


def repair_coverage(geoms: np.ndarray) -> np.ndarray:
    """Valid polygons on a 1e-5 grid that tile exactly like the source (see module docstring)."""
    valid_in = shapely.is_valid(geoms)
    fixed = shapely.make_valid(geoms, method="structure", keep_collapsed=False)
    lines = shapely.union_all(shapely.boundary(fixed), grid_size=GRID)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    tree = shapely.STRtree(fixed)
    owner = np.full(len(faces), -1)
    for k, face in enumerate(faces):
        best: tuple[tuple[bool, float, int], int] | None = None
        for i in tree.query(face):
            overlap = float(shapely.area(shapely.intersection(face, fixed[i])))
            rank = (bool(valid_in[i]), overlap, -int(i))
            if overlap >= 0.5 * face.area and (best is None or rank > best[0]):
                best = (rank, int(i))
        if best is not None:  # faces outside every county (enclosed water) are dropped
            owner[k] = best[1]
    out = []
    for i in range(len(geoms)):
        mine = faces[owner == i]
        if len(mine) == 0:
            raise SystemExit(f"county #{i} lost all its area in the repair; inspect the source.")
        out.append(shapely.union_all(mine, grid_size=GRID))
    result = shapely.orient_polygons(np.asarray(out), exterior_cw=False)
    types = set(shapely.get_type_id(result).tolist())
    if not types <= {3, 6}:  # Polygon, MultiPolygon
        raise SystemExit(f"repair produced non-polygon geometries (type ids {types}).")
    if not shapely.is_valid(result).all():
        raise SystemExit("repair left invalid geometries.")
    if not shapely.coverage_is_valid(result):
        raise SystemExit("repaired counties overlap or leave gaps between neighbours.")
    relative = np.abs(shapely.area(result) - shapely.area(fixed)) / shapely.area(fixed)
    if relative.max() > 1e-3:
        raise SystemExit(f"repair changed a county's area by {relative.max():.2%}; inspect it.")
    return result


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    return value


def render_geojson(geoids: list[str], names: list[str], geoms: np.ndarray) -> str:
    """GeoJSON text: one feature per line, in ``geoids`` order."""
    region = settings.VALLEY_COUNTIES
    lines = []
    for geoid, name, geom in zip(geoids, names, geoms, strict=True):
        shape = mapping(geom)
        feature = {
            "type": "Feature",
            "properties": {"geoid": geoid, "name": name, "in_region": geoid in region},
            "geometry": {"type": shape["type"], "coordinates": _round(shape["coordinates"])},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return (
        '{"type":"FeatureCollection","name":"ca_counties","features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )


def render_meta(n_region: int) -> str:
    meta = {
        "name": "ca_counties",
        "title": "California counties (58), San Joaquin Valley counties marked in_region",
        "source": (
            "U.S. Census Bureau, cartographic boundary file of counties, 2017 edition, "
            "1:5,000,000 (cb_2017_us_county_5m), as redistributed in the npm package "
            f"{PACKAGE} {VERSION} (file counties-10m.json: quantized to 1e5 and simplified "
            "TopoJSON, longitude/latitude)"
        ),
        "source_url": "https://www2.census.gov/geo/tiger/GENZ2017/shp/cb_2017_us_county_5m.zip",
        "package": PACKAGE,
        "package_version": VERSION,
        "package_file": Path(MEMBER).name,
        "package_object": LAYER,
        "tarball": TARBALL,
        "tarball_url": TARBALL_URL,
        "tarball_sha512": TARBALL_SHA512,
        "tarball_sha256": TARBALL_SHA256,
        "vintage": 2017,
        "scale": "1:5,000,000 (then simplified by us-atlas)",
        "crs": "EPSG:4326",
        "coordinate_decimals": DECIMALS,
        "features": N_COUNTIES,
        "in_region": n_region,
        "properties": {
            "geoid": "5-character county GEOID (state + county FIPS), text",
            "name": "county name",
            "in_region": "true for the eight San Joaquin Valley counties",
        },
        "processing": (
            "California kept (GEOID 06xxx); geometry repaired as a coverage on a 1e-5 degree "
            "grid (one simplification fold at the Alameda/San Joaquin/Santa Clara/Stanislaus "
            "corner); outer rings counter-clockwise (RFC 7946)"
        ),
        "license": (
            "Census cartographic boundary files: U.S. Government work, public domain. "
            f"{PACKAGE}: ISC license, Copyright 2013-2019 Michael Bostock."
        ),
        "build_command": "python scripts/build_counties.py",
    }
    return json.dumps(meta, indent=2, ensure_ascii=False) + "\n"


def check_output(path: Path) -> int:
    """Re-read the written file; stop unless it holds what the atlas expects."""
    frame = pyogrio.read_dataframe(path)
    problems = []
    if len(frame) != N_COUNTIES:
        problems.append(f"{len(frame)} features, expected {N_COUNTIES}")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        problems.append(f"CRS {frame.crs}, expected EPSG:4326")
    if not shapely.is_valid(frame.geometry.values).all():
        problems.append("invalid geometries after writing")
    region = frame[frame["in_region"].astype(bool)]
    if dict(zip(region["geoid"], region["name"], strict=True)) != dict(settings.VALLEY_COUNTIES):
        problems.append(f"in_region counties {sorted(region['geoid'])} differ from the Valley's")
    if problems:
        raise SystemExit(f"{path}: " + "; ".join(problems))
    return len(region)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help=f"folder to write {OUT_NAME} and {META_NAME} (default: {DEFAULT_OUT_DIR})")
    parser.add_argument("--tarball", type=Path,
                        help=f"use this copy of {TARBALL} instead of running npm pack")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="valleymaps-counties-") as tmp:
        work = Path(tmp)
        if args.tarball is not None:
            tarball = args.tarball
        else:
            try:
                tarball = fetch_tarball(work)
            except FetchError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_FETCH_FAILED
        verify_tarball(tarball)
        topojson = extract_member(tarball, work)
        geoids, names, geoms = read_california(topojson)
    repaired = repair_coverage(geoms)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / OUT_NAME
    out.write_bytes(render_geojson(geoids, names, repaired).encode("utf-8"))
    n_region = check_output(out)
    (args.out_dir / META_NAME).write_bytes(render_meta(n_region).encode("utf-8"))
    n_invalid = int((~shapely.is_valid(geoms)).sum())
    print(
        f"wrote {out}: {len(geoids)} counties ({n_region} in region), "
        f"{n_invalid} source geometries repaired, "
        f"{len(shapely.get_coordinates(repaired)):,} vertices",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
