"""Find and read the layers a profile names.

A profile refers to data either by file (``path = "..."``) or by layer name
(``layer = "rail_lines"``). A layer name is looked up, in order:

1. in the overrides given to the run (``--layer rail_lines=PATH`` on the
   command line);
2. in ``data/econ/suitability/layers.toml`` of the workspace (then the
   copy shipped with valleymaps), whose ``[layers]`` table maps names to a
   file or a list of files, relative to the workspace folder;
3. as ``data/geo/<name>.gpkg`` (or ``.geojson``, ``.shp``, ``.fgb``,
   ``.zip``, ``.tif``) in the workspace, and tables as ``data/econ/<name>.csv``;
4. for the tables ``skilled_out_commuters`` and ``resident_workers``: derived
   from the workspace's commuting flows (:mod:`valleymaps.suitability.flow_layers`).

Layers handed in as frames (:class:`MemoryLayer`: ``projects``, the inventory read
through the project store, PostGIS or GeoPackage) come after steps 1 and 2, before
the search of step 3.

A layer given as several files (rail lines of two operators) is read as one.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from valleymaps import settings
from valleymaps.errors import ConfigError, FieldError
from valleymaps.io.os_errors import ensure_readable
from valleymaps.io.vector import read_vector
from valleymaps.suitability.flow_layers import FLOW_LAYERS
from valleymaps.suitability.profile import LayerRef

log = logging.getLogger(__name__)

LAYERS_FILE = "layers.toml"
MULTI_LAYER_EXTENSIONS = (".gpkg", ".sqlite", ".json", ".topojson")
SEARCH_EXTENSIONS = (".gpkg", ".geojson", ".shp", ".fgb", ".zip", ".json", ".tif", ".tiff")


def _as_paths(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: a layer must be a file path or a list of paths (found {value!r}).")


@dataclass(frozen=True)
class MemoryLayer:
    """A vector layer handed in as a frame (the project inventory of the project store).

    Attributes
    ----------
    frame
        Features with a CRS.
    note
        Where they come from, for map source lines ("projects.gpkg").
    """

    frame: gpd.GeoDataFrame
    note: str


@dataclass(frozen=True)
class LayerCatalog:
    """Where named layers are (see the module docstring).

    Attributes
    ----------
    root
        Workspace folder (relative paths start here), or None.
    named
        Layer name -> files, from overrides and ``layers.toml``.
    origin
        Layer name -> where the entry came from (for messages).
    flows
        Names of the workspace's commuting flow datasets, from which the tables of
        :data:`~valleymaps.suitability.flow_layers.FLOW_LAYERS` are derived.
    memory
        Layer name -> :class:`MemoryLayer` handed in as a frame.
    """

    root: Path | None
    named: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    origin: Mapping[str, str] = field(default_factory=dict)
    flows: tuple[str, ...] = ()
    memory: Mapping[str, MemoryLayer] = field(default_factory=dict)

    def frame(self, ref: LayerRef) -> MemoryLayer | None:
        """The layer ``ref`` names when it was handed in as a frame (and no file is named for it)."""
        if ref.path is None and ref.layer is not None and ref.layer not in self.named:
            return self.memory.get(ref.layer)
        return None

    def has(self, ref: LayerRef) -> bool:
        """Whether ``ref``'s files are there or it was handed in as a frame."""
        return self.frame(ref) is not None or self.resolve(ref) is not None

    def _relative(self, text: str, base_dir: Path | None) -> Path:
        p = Path(os.path.expanduser(text))
        if p.is_absolute():
            return p
        for base in (base_dir, self.root):
            if base is not None and (base / p).exists():
                return base / p
        return (self.root or Path.cwd()) / p

    def resolve(self, ref: LayerRef) -> list[Path] | None:
        """The files of ``ref``, or None when they are not there."""
        if ref.path is not None:
            p = self._relative(ref.path, ref.base_dir)
            return [p] if p.exists() else None
        assert ref.layer is not None
        if ref.layer in self.named:
            files = list(self.named[ref.layer])
            return files if all(f.exists() for f in files) else None
        if self.root is not None:
            for ext in SEARCH_EXTENSIONS:
                candidate = self.root / "data" / "geo" / f"{ref.layer}{ext}"
                if candidate.exists():
                    return [candidate]
            table = self.root / "data" / "econ" / f"{ref.layer}.csv"
            if table.exists():
                return [table]
        return None

    def derivable(self, ref: LayerRef) -> bool:
        """Whether ``ref`` names a table derived from commuting flows, and the workspace has flows."""
        return ref.path is None and ref.layer in FLOW_LAYERS and bool(self.flows)

    def explain_missing(self, ref: LayerRef) -> str:
        """Why ``ref`` was not found and what to do."""
        if ref.path is None and ref.layer in FLOW_LAYERS and ref.layer not in self.named:
            return (
                f"no layer '{ref.layer}' and no commuting flows to derive it from: import flows "
                "('valleymaps import flows ... --format lodes-od'; LODES gives skilled workers by tract), "
                f"or put a table (geoid, workers) at data/econ/{ref.layer}.csv or pass "
                f"--layer {ref.layer}=PATH."
            )
        if ref.path is not None:
            return f"file {ref.path} does not exist (looked beside the profile and in the workspace)."
        if ref.layer is not None and ref.layer in self.named:
            absent = [str(f) for f in self.named[ref.layer] if not f.exists()]
            return (
                f"layer '{ref.layer}' points to {', '.join(absent)} ({self.origin.get(ref.layer, '')}), "
                "which does not exist. Fix that entry or pass --layer "
                f"{ref.layer}=PATH."
            )
        return (
            f"no layer '{ref.layer}': put the file at data/geo/{ref.layer}.gpkg (or .shp, .geojson, .tif; "
            f"a table at data/econ/{ref.layer}.csv), "
            f"name it in data/econ/suitability/{LAYERS_FILE}, or pass --layer {ref.layer}=PATH."
        )


def read_layer_catalog(
    root: Path | None,
    *,
    layer_files: Sequence[Path] = (),
    overrides: Mapping[str, str | os.PathLike[str] | Sequence[str | os.PathLike[str]]] | None = None,
    flows: Sequence[str] = (),
    memory: Mapping[str, MemoryLayer] | None = None,
) -> LayerCatalog:
    """A layer catalogue from ``layers.toml`` files and overrides (no workspace is opened).

    :func:`valleymaps.workflows.suitability_inputs.layer_catalog` gives a workspace's.

    Parameters
    ----------
    root
        Folder relative layer paths start from (the workspace), or None.
    layer_files
        ``layers.toml`` files, the weakest first (a later file's entry replaces an earlier's);
        files that do not exist are skipped.
    overrides
        Layer name -> file(s), taking precedence over everything else.
    flows
        Names of the commuting flow datasets the derived tables can come from.
    memory
        Layers handed in as frames (the project inventory).

    Raises
    ------
    ConfigError
        If a ``layers.toml`` is not valid TOML or an entry is not a path or list of paths.
    """
    named: dict[str, tuple[Path, ...]] = {}
    origin: dict[str, str] = {}
    for path in layer_files:
        if not path.is_file():
            continue
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the file.") from exc
        for name, value in (raw.get("layers") or {}).items():
            files = _as_paths(value, f"{path} [layers] {name}")
            base = root or path.parent
            named[name] = tuple(
                Path(os.path.expanduser(f)) if Path(os.path.expanduser(f)).is_absolute() else base / f
                for f in files
            )
            origin[name] = f"set in {path}"
    for name, value in (overrides or {}).items():
        items = [value] if isinstance(value, str | os.PathLike) else list(value)
        named[name] = tuple(Path(os.path.expanduser(os.fspath(v))) for v in items)
        origin[name] = "given on the command line"
    return LayerCatalog(root=root, named=named, origin=origin, flows=tuple(flows), memory=dict(memory or {}))


def _match(values: pd.Series, wanted: Sequence[Any]) -> np.ndarray:
    """Rows of ``values`` equal to one of ``wanted`` (numbers compared as numbers, text as text)."""
    hit = values.astype(str).isin([str(w) for w in wanted]).to_numpy()
    numbers = [float(w) for w in wanted if isinstance(w, int | float) and not isinstance(w, bool)]
    if numbers:
        numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        hit |= np.isin(numeric, numbers)
    return hit


def pick_layer(path: Path, preferred: str | None) -> str | None:
    """The layer of a multi-layer file to read: ``preferred`` if present, else the only one with geometry.

    None lets :func:`~valleymaps.io.vector.read_vector` decide (one layer, or a clear error).
    A GeoPackage often holds attribute-only tables beside its features (the project
    inventory keeps its import log there).
    """
    try:
        layers = pyogrio.list_layers(str(path))
    except Exception:  # unreadable files get read_vector's message
        return None
    if len(layers) <= 1:
        return None
    names = [str(name) for name, _ in layers]
    if preferred is not None:
        for name in names:
            if name.lower() == preferred.lower():
                return name
    with_geometry = [str(name) for name, gtype in layers if gtype is not None]
    return with_geometry[0] if len(with_geometry) == 1 else None


def read_layer(files: Sequence[Path], ref: LayerRef) -> gpd.GeoDataFrame:
    """Read a vector layer (one or several files) in the analysis CRS, filtered by ``ref.where``.

    Raises
    ------
    DataSourceError, CRSError
        If a file cannot be read or has no CRS (pass ``assume_crs``).
    FieldError
        If the ``where`` column is missing.
    """
    frames = []
    ensure_readable(files)
    for f in files:
        layer = pick_layer(f, ref.layer) if f.suffix.lower() in MULTI_LAYER_EXTENSIONS else None
        gdf = read_vector(f, assume_crs=ref.assume_crs, layer=layer, preferred_layer=ref.layer)
        frames.append(_filtered(gdf, ref, where=str(f)))
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=settings.ANALYSIS_CRS)
    log.info("%s: %d features from %d file(s)", ref.label, len(out), len(files))
    return out


def select_features(layer: MemoryLayer, ref: LayerRef) -> gpd.GeoDataFrame:
    """A layer handed in as a frame, as :func:`read_layer` reads a file: filtered, in the analysis CRS.

    Raises
    ------
    FieldError
        If the ``where`` column is missing.
    """
    frame = _filtered(layer.frame, ref, where=layer.note)
    out = gpd.GeoDataFrame(pd.concat([frame], ignore_index=True), crs=settings.ANALYSIS_CRS)
    log.info("%s: %d features from %s", ref.label, len(out), layer.note)
    return out


def _filtered(gdf: gpd.GeoDataFrame, ref: LayerRef, *, where: str) -> gpd.GeoDataFrame:
    """``gdf``'s features that ``ref.where`` keeps, without empty geometries, in the analysis CRS."""
    if ref.where is not None:
        column = ref.where["column"]
        if column not in gdf.columns:
            found = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
            raise FieldError(
                f"{where} has no column '{column}' to filter on (found: {found}). Fix 'where' in the profile."
            )
        gdf = gdf[_match(gdf[column], ref.where["values"])]
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    return gdf.to_crs(settings.ANALYSIS_CRS)
