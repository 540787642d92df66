"""Write QGIS styles and layer descriptions into GeoPackages, and ``.qml`` files beside rasters.

QGIS reads a GeoPackage layer's default style from the ``layer_styles`` table
(the schema QGIS itself creates, registered in ``gpkg_contents`` as an
attributes table, as QGIS does) and shows ``gpkg_contents.identifier`` and
``description`` in its browser. A raster's style is the ``.qml`` file of the
same name beside it (and a ``.sld`` for other tools). The QML text comes from
:mod:`valleymaps.render.qgis_styles`, the SLD from :mod:`valleymaps.render.sld_styles`.

Call these on the file being written (before it is moved into place); they edit it in place.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from valleymaps.io.atomic import write_text_atomic

_LAYER_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def _geometry_column(db: sqlite3.Connection, layer: str) -> str:
    row = db.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
    ).fetchone()
    return str(row[0]) if row else ""


def write_layer_style(
    path: str | os.PathLike[str],
    layer: str,
    qml: str,
    *,
    name: str,
    description: str = "",
    default: bool = True,
    sld: str = "",
) -> None:
    """Add (or replace, by name) a style of ``layer`` in the GeoPackage's ``layer_styles`` table.

    Parameters
    ----------
    path
        The GeoPackage (edited in place).
    layer
        The styled table.
    qml
        The QML document.
    sld
        The same style as an OGC SLD document (``styleSLD``), for tools that read SLD.
    name
        Style name (shown in QGIS' style list); a style of that name is replaced.
    default
        QGIS applies the default style when the layer is opened; the others are listed.
    """
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(_LAYER_STYLES_DDL)
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS styles of the layers', "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
        )
        if default:
            db.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (layer,))
        db.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?", (layer, name))
        db.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
            "VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, 'valleymaps', '')",
            (layer, _geometry_column(db, layer), name, qml, sld, 1 if default else 0, description),
        )


def describe_layer(
    path: str | os.PathLike[str], layer: str, *, identifier: str, description: str
) -> None:
    """Fill ``identifier`` and ``description`` of ``layer`` in ``gpkg_contents``."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "UPDATE gpkg_contents SET identifier = ?, description = ? WHERE table_name = ?",
            (identifier, description, layer),
        )


def write_qml_beside(raster: str | os.PathLike[str], qml: str) -> Path:
    """Write ``qml`` as the raster's QGIS style: ``name.qml`` beside ``name.tif`` (atomically)."""
    return write_text_atomic(Path(raster).with_suffix(".qml"), qml)


def write_sld_beside(raster: str | os.PathLike[str], sld: str) -> Path:
    """Write ``sld`` as the raster's OGC style: ``name.sld`` beside ``name.tif`` (atomically)."""
    return write_text_atomic(Path(raster).with_suffix(".sld"), sld)


__all__ = ["describe_layer", "write_layer_style", "write_qml_beside", "write_sld_beside"]
