"""Fixtures for the importer tests: small files in the published formats, built in code.

Tests get the builders through the ``build`` fixture (``build.square(0)``,
``build.CBP_NEW_ROWS`` ...), a workspace through ``workspace`` and a file
writer through ``make_file``.
"""

from __future__ import annotations

import gzip
import json
import types
import warnings
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from valleymaps.employment import LODES_SECTORS
from valleymaps.workspace import CONFIG_NAME, DEFAULT_CONFIG, Workspace

#: Four tracts: three in the Valley (Fresno, Fresno, Kings), one in Alameda.
GEOIDS = ["06019000501", "06019000600", "06031001002", "06001400100"]


def square(i: int, size: float = 0.01) -> Polygon:
    """A small square near Fresno, the i-th along a row."""
    x0, y0 = -119.8 + i * size, 36.7
    return box(x0, y0, x0 + size, y0 + size)


def _county_anchor(county: str) -> tuple[float, float] | None:
    """A point inside a California county (bundled boundaries), for tracts that must lie there."""
    if county == "06019":
        return None
    if not _ANCHORS:
        from valleymaps.workspace import bundled_data_dir

        counties = gpd.read_file(bundled_data_dir() / "geo" / "ca_counties.geojson")
        for geoid, geom in zip(counties["geoid"], counties.geometry, strict=True):
            p = geom.representative_point()
            _ANCHORS[str(geoid)] = (p.x, p.y)
    return _ANCHORS.get(county)


_ANCHORS: dict[str, tuple[float, float]] = {}


def tract_square(geoid: object, i: int, size: float = 0.01) -> Polygon:
    """The i-th small square, in the county the GEOID names (Fresno: :func:`square`)."""
    text = str(geoid)
    anchor = _county_anchor(text.zfill(11)[:5] if text.isdigit() else text[:5])
    if anchor is None:
        return square(i, size)
    x0, y0 = anchor[0] + i * size, anchor[1]
    return box(x0, y0, x0 + size, y0 + size)


def bowtie(i: int, size: float = 0.01) -> Polygon:
    """A self-intersecting (invalid) square."""
    x0, y0 = -119.8 + i * size, 36.7
    return Polygon([(x0, y0), (x0 + size, y0 + size), (x0 + size, y0), (x0, y0 + size)])


def tract_frame(
    geoids: Sequence[object] = GEOIDS, *, crs: str | None = "EPSG:4326", column: str = "GEOID"
) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        {column: list(geoids)},
        geometry=[tract_square(g, i) for i, g in enumerate(geoids)],
        crs="EPSG:4326",
    )
    if crs is None:
        return gdf.set_crs(None, allow_override=True)
    return gdf.to_crs(crs)


def write_vector(gdf: gpd.GeoDataFrame, path: Path, **kwargs: object) -> Path:
    """Write with pyogrio; silence its note about files written without a CRS."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'crs' was not provided", category=UserWarning)
        gdf.to_file(path, engine="pyogrio", **kwargs)
    return path


def zip_shapefile(shp: Path, target: Path, *, folder: str = "") -> Path:
    """Zip a shapefile's parts, optionally inside a folder, like Census downloads."""
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(shp.parent.glob(shp.stem + ".*")):
            archive.write(part, f"{folder}{part.name}")
    return target


def topojson_text(features: Sequence[tuple[str, Polygon]], *, extra_object: bool = True) -> str:
    """TopoJSON with object ``tracts`` (ids as GEOIDs), no transform and no CRS."""
    arcs = []
    geometries = []
    for i, (geoid, poly) in enumerate(features):
        arcs.append([list(xy) for xy in poly.exterior.coords])
        geometries.append({"type": "Polygon", "arcs": [[i]], "id": geoid})
    objects: dict[str, object] = {"tracts": {"type": "GeometryCollection", "geometries": geometries}}
    if extra_object:
        objects["counties"] = {
            "type": "GeometryCollection",
            "geometries": [{"type": "Polygon", "arcs": [[0]], "id": "06019"}],
        }
    return json.dumps({"type": "Topology", "arcs": arcs, "objects": objects})


CBP_HEADER_NEW = (
    '"fipstate","fipscty","naics","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est","n<5",'
    '"n5_9","n10_19","n20_49","n50_99","n100_249","n250_499","n500_999","n1000","n1000_1",'
    '"n1000_2","n1000_3","n1000_4"'
)
_TAIL = ',"G",97944,"G",424826,924,442,222,118,100,31,8,"N","N","N","N","N","N","N"'


def cbp_row(state: str, county: str, naics: str, nf: str, emp: int) -> str:
    return f'"{state}","{county}","{naics}","{nf}",{emp}{_TAIL}'


#: A County Business Patterns 2021 county file in the published layout.
CBP_NEW_ROWS = [
    cbp_row("01", "001", "------", "G", 11216),
    cbp_row("06", "019", "------", "G", 250000),
    cbp_row("06", "019", "11----", "H", 5400),
    cbp_row("06", "019", "113///", "G", 68),
    cbp_row("06", "019", "1133//", "G", 68),
    cbp_row("06", "019", "113310", "G", 68),
    cbp_row("06", "019", "31----", "G", 25000),
    cbp_row("06", "019", "3261//", "D", 0),
    cbp_row("06", "031", "------", "J", 30000),
    cbp_row("06", "031", "11----", "S", 0),
    cbp_row("06", "999", "------", "G", 1200),
]

CBP_HEADER_OLD = (
    "FIPSTATE,FIPSCTY,NAICS,EMPFLAG,EMP_NF,EMP,QP1_NF,QP1,AP_NF,AP,EST,N1_4,N5_9,N10_19,"
    "N20_49,N50_99,N100_249,N250_499,N500_999,N1000,N1000_1,N1000_2,N1000_3,N1000_4,"
    "CENSTATE,CENCTY"
)


def cbp_old_row(state: str, county: str, naics: str, empflag: str, nf: str, emp: int) -> str:
    return (
        f'"{state}","{county}","{naics}","{empflag}","{nf}",{emp},"{nf}",1000,"{nf}",4000,'
        "10,5,2,1,1,1,0,0,0,0,0,0,0,0,93,19"
    )


#: An older (before 2017) county file: UPPERCASE header and EMPFLAG size classes.
CBP_OLD_ROWS = [
    cbp_old_row("06", "019", "------", "", "G", 240000),
    cbp_old_row("06", "019", "11----", "", "H", 5100),
    cbp_old_row("06", "019", "113///", "A", "", 0),
    cbp_old_row("06", "019", "3261//", "G", "", 0),
    cbp_old_row("06", "031", "------", "", "G", 29000),
]


def lodes_header() -> list[str]:
    return [
        "w_geocode", "C000", "CA01", "CA02", "CA03", "CE01", "CE02", "CE03",
        *LODES_SECTORS, "CR01", "CR02", "CT01", "CT02", "createdate",
    ]  # fmt: skip


def lodes_row(block: str, sectors: dict[str, int]) -> str:
    """A WAC row: ``sectors`` maps CNSxx -> jobs; C000 is their sum."""
    counts = [sectors.get(c, 0) for c in LODES_SECTORS]
    total = sum(counts)
    values = [block, total, total, 0, 0, total, 0, 0, *counts, total, 0, total, 0, "20230321"]
    return ",".join(str(v) for v in values)


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A minimal workspace (settings and folders, no bundled data)."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    ws = Workspace.open(root)
    ws.ensure_dirs()
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A workspace whose region is Fresno and Madera (settings only)."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / CONFIG_NAME).write_text('[region]\ncounties = { "06019" = "Fresno", "06039" = "Madera" }\n')
    return Workspace.open(root)


@pytest.fixture
def make_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write text to a file in ``tmp_path`` (``.gz`` names are gzip-compressed)."""

    def make(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".gz"):
            path.write_bytes(gzip.compress(text.encode("utf-8")))
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return make


@pytest.fixture
def build() -> types.SimpleNamespace:
    """The builders and sample rows of this module."""
    names = [
        "GEOIDS", "square", "tract_square", "bowtie", "tract_frame", "write_vector", "zip_shapefile",
        "topojson_text", "CBP_HEADER_NEW", "CBP_NEW_ROWS", "cbp_row", "CBP_HEADER_OLD",
        "CBP_OLD_ROWS", "cbp_old_row", "lodes_header", "lodes_row", "lines",
    ]  # fmt: skip
    return types.SimpleNamespace(**{n: globals()[n] for n in names})
