"""Suitability profiles: what a target industry needs, as an editable TOML file.

A profile names the target industries it serves, its factors (each a source
layer, a transform to a common 0-1 scale and a weight, the weights adding up
to 100), constraints that exclude land, and the rules for candidate sites.
:func:`parse_profile` checks everything at once and raises one
:class:`~valleymaps.errors.ValidationError` listing every problem.

A minimal profile::

    name = "Plastics products manufacturing"
    targets = ["Plastics bottle manufacturing"]

    [sites]
    count = 10
    min_acres = 40

    [[factors]]
    key = "rail"
    name = "Close to rail lines"
    weight = 60
    source = { kind = "distance", layer = "rail_lines" }
    transform = { kind = "inverse", low = 1000, high = 20000 }

    [[factors]]
    key = "water"
    name = "Shallow groundwater"
    weight = 40
    source = { kind = "raster", layer = "groundwater_depth" }
    transform = { kind = "inverse", low = 50, high = 300 }

Examples
--------
>>> text = '''
... name = "Demo"
... [[factors]]
... key = "a"
... name = "A"
... weight = 100
... source = { kind = "raster", path = "a.tif" }
... transform = { kind = "linear", low = 0, high = 10 }
... '''
>>> p = parse_profile(text, source="demo.toml")
>>> p.key, [f.weight for f in p.factors], p.sites.count
('demo', [100.0], 10)
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from valleymaps.errors import DataSourceError, Problem, ValidationError
from valleymaps.suitability import defaults

SOURCE_KINDS: dict[str, str] = {
    "distance": "distance (metres) to the nearest feature of a vector layer",
    "raster": "values of a raster, reprojected and resampled onto the grid",
    "polygons": "1 inside a layer's polygons and 0 outside, or a category column of them",
    "table": "a per-tract or per-county value from a CSV table (geoid and a column), painted on its places",
    "cluster_metric": (
        "a cluster metric (lq, employment, share, growth_rate) from the workspace's employment data"
    ),
}

TRANSFORM_KINDS: dict[str, str] = {
    "linear": "0 at 'low' rising to 1 at 'high'",
    "inverse": "1 at 'low' falling to 0 at 'high'",
    "gaussian": "1 at the 'ideal' value, falling off with 'spread'",
    "thresholds": "a score per class between ascending 'breaks'",
    "categories": "a score per category value ('scores' table, optional 'default')",
    "identity": "values already on the 0-1 scale",
}

CONSTRAINT_KINDS: dict[str, str] = {
    "exclude_inside": "land inside a layer's polygons is excluded",
    "keep_inside": "land outside a layer's polygons is excluded",
    "exclude_near": "land within 'distance_m' of a layer's features is excluded",
    "exclude_values": "land where a factor's value is 'below' or 'above' a limit is excluded",
}

RESAMPLING_NAMES = ("nearest", "bilinear", "cubic", "average", "mode", "min", "max", "med")
CLUSTER_METRICS = ("lq", "employment", "share", "growth_rate")
SCALES = {"0-1": (0.0, 1.0), "1-10": (1.0, 10.0)}

_LAYER_KEYS = {"layer", "path", "where", "assume_crs"}
_SOURCE_KEYS: dict[str, set[str]] = {
    "distance": _LAYER_KEYS | {"cap_m"},
    "raster": {"layer", "path", "assume_crs", "band", "resampling"},
    "polygons": _LAYER_KEYS | {"column"},
    "table": {"layer", "path", "id_column", "column", "reach_m", "reach_stat"},
    "cluster_metric": {"metric", "cluster", "component", "level", "reach_m", "reach_stat"},
}
_TRANSFORM_KEYS: dict[str, set[str]] = {
    "linear": {"low", "high"},
    "inverse": {"low", "high"},
    "gaussian": {"ideal", "spread"},
    "thresholds": {"breaks", "scores"},
    "categories": {"scores", "default"},
    "identity": set(),
}
_CONSTRAINT_KEYS: dict[str, set[str]] = {
    "exclude_inside": {"kind", "name"} | _LAYER_KEYS,
    "keep_inside": {"kind", "name"} | _LAYER_KEYS,
    "exclude_near": {"kind", "name", "distance_m"} | _LAYER_KEYS,
    "exclude_values": {"kind", "name", "factor", "below", "above"},
}
_TOP_KEYS = {"key", "name", "description", "targets", "scale", "sites", "factors", "constraints"}
_FACTOR_KEYS = {"key", "name", "description", "weight", "source", "transform", "missing", "units"}
_SITE_KEYS = {"count", "min_acres", "max_acres", "min_distance_m", "threshold", "top_percent"}


@dataclass(frozen=True)
class LayerRef:
    """Where a factor's or constraint's data come from.

    Attributes
    ----------
    layer
        A layer name resolved in the workspace (see :mod:`valleymaps.suitability.layers`).
    path
        A file path (relative paths are tried beside the profile, then in the workspace).
    where
        Keep only features whose ``column`` is one of ``values``:
        ``{"column": "category", "values": ["rail"]}``.
    assume_crs
        CRS to use when the file declares none.
    base_dir
        Folder of the profile file (for relative paths).
    """

    layer: str | None = None
    path: str | None = None
    where: Mapping[str, Any] | None = None
    assume_crs: str | None = None
    base_dir: Path | None = None

    @property
    def label(self) -> str:
        """How messages name the layer."""
        return f"layer '{self.layer}'" if self.layer else f"file {self.path}"


@dataclass(frozen=True)
class SourceSpec:
    """A factor's source: what kind and its options (see :data:`SOURCE_KINDS`)."""

    kind: str
    ref: LayerRef | None = None
    cap_m: float | None = None
    band: int = 1
    resampling: str = "bilinear"
    column: str | None = None
    id_column: str = "geoid"
    reach_m: float | None = None
    reach_stat: str = "sum"
    metric: str | None = None
    cluster: str | None = None
    component: str = ""
    level: str = "auto"


@dataclass(frozen=True)
class TransformSpec:
    """A transform to the 0-1 scale (see :data:`TRANSFORM_KINDS`).

    Scores of ``thresholds`` and ``categories`` are stored on the 0-1 scale
    whatever scale the profile was written in.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    ideal: float | None = None
    spread: float | None = None
    breaks: tuple[float, ...] = ()
    scores: tuple[float, ...] = ()
    categories: Mapping[str, float] = field(default_factory=dict)
    default: float | None = None


@dataclass(frozen=True)
class Factor:
    """One factor of a profile.

    Attributes
    ----------
    key
        Short identifier (file names, table columns).
    name
        What the map and tables call it ("Close to rail lines").
    weight
        Percent influence; the weights of a profile add up to 100.
    source, transform
        Where the values come from and how they become 0-1 scores.
    missing
        Score (0-1) for cells the source has no value for; ``None`` excludes them.
    units
        Units of the source values, for tables and popups ("m", "ft", "jobs").
    """

    key: str
    name: str
    weight: float
    source: SourceSpec
    transform: TransformSpec
    missing: float | None = None
    units: str = ""
    description: str = ""


@dataclass(frozen=True)
class Constraint:
    """Land a profile rules out (see :data:`CONSTRAINT_KINDS`)."""

    kind: str
    name: str
    ref: LayerRef | None = None
    distance_m: float | None = None
    factor: str | None = None
    below: float | None = None
    above: float | None = None


@dataclass(frozen=True)
class SiteRules:
    """How candidate sites are found.

    Attributes
    ----------
    count
        Sites to return.
    min_acres, max_acres
        Smallest contiguous area that counts as a site; larger areas are
        split into sites of at most ``max_acres`` grown around their best cells.
    min_distance_m
        Sites are at least this far apart (edge to edge).
    threshold
        Suitability (0-100) every cell of a site reaches; ``None`` uses ``top_percent``.
    top_percent
        With no threshold: cells in the best ``top_percent`` % of the suitable land qualify.
    """

    count: int = defaults.SITE_COUNT
    min_acres: float = defaults.SITE_MIN_ACRES
    max_acres: float = defaults.SITE_MAX_ACRES
    min_distance_m: float = defaults.SITE_MIN_DISTANCE_M
    threshold: float | None = None
    top_percent: float = defaults.SITE_TOP_PERCENT


@dataclass(frozen=True)
class Profile:
    """A target group's suitability model."""

    key: str
    name: str
    factors: tuple[Factor, ...]
    description: str = ""
    targets: tuple[str, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    sites: SiteRules = field(default_factory=SiteRules)
    path: Path | None = None
    left_out: tuple[str, ...] = ()
    left_out_names: tuple[str, ...] = ()

    @property
    def weights(self) -> dict[str, float]:
        return {f.key: f.weight for f in self.factors}

    def factor(self, key: str) -> Factor:
        for f in self.factors:
            if f.key == key:
                return f
        raise KeyError(key)

    def without_factors(self, keys: Sequence[str], *, reasons: Sequence[str] = ()) -> Profile:
        """A copy without the factors ``keys``, the others' weights scaled back to 100.

        Parameters
        ----------
        keys
            Factor keys to leave out.
        reasons
            One line per left-out factor (what is missing and how to add it),
            kept in :attr:`left_out`; :attr:`left_out_names` gets "name (weight%)".
        """
        kept = [f for f in self.factors if f.key not in set(keys)]
        total = sum(f.weight for f in kept)
        if not kept or total <= 0:
            raise ValidationError(
                str(self.path or self.key),
                [Problem("no factor with a weight above 0 is left; the profile cannot be run.")]
                + [Problem(r) for r in reasons],
            )
        scaled = tuple(replace(f, weight=f.weight * 100.0 / total) for f in kept)
        constraints = tuple(c for c in self.constraints if c.factor is None or c.factor not in set(keys))
        names = tuple(f"{f.name} ({f.weight:g}%)" for f in self.factors if f.key in set(keys))
        return replace(
            self,
            factors=scaled,
            constraints=constraints,
            left_out=self.left_out + tuple(reasons),
            left_out_names=self.left_out_names + names,
        )


def slugify(text: str) -> str:
    """Slug for file names.

    >>> slugify("Plastics bottle manufacturing")
    'plastics-bottle-manufacturing'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "profile"


def normalize_target(text: str) -> str:
    """Target descriptions compared without case, punctuation or repeated spaces."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# --------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------


class _Checker:
    """Collects problems while reading values out of TOML tables."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(f"{where}: {message}" if where else message))

    def unknown(self, where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else f" Allowed: {', '.join(sorted(allowed))}."
                self.add(where, f"unknown key '{key}'.{hint}")

    def number(
        self,
        where: str,
        table: Mapping[str, Any],
        key: str,
        *,
        required: bool = False,
        positive: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float | None:
        if key not in table:
            if required:
                self.add(where, f"'{key}' is missing; give a number.")
            return None
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.add(where, f"'{key}' must be a number (found {value!r}).")
            return None
        value = float(value)
        if positive and value <= 0:
            self.add(where, f"'{key}' must be above 0 (found {value:g}).")
        if minimum is not None and value < minimum:
            self.add(where, f"'{key}' must be at least {minimum:g} (found {value:g}).")
        if maximum is not None and value > maximum:
            self.add(where, f"'{key}' must be at most {maximum:g} (found {value:g}).")
        return value

    def text(self, where: str, table: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
        if key not in table:
            if required:
                self.add(where, f"'{key}' is missing; give a text value.")
            return None
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.add(where, f"'{key}' must be a non-empty text (found {value!r}).")
            return None
        return value.strip()

    def choice(
        self, where: str, value: Any, choices: Mapping[str, str] | Sequence[str], what: str
    ) -> str | None:
        names = list(choices)
        if not isinstance(value, str) or value.strip().lower().replace("-", "_") not in names:
            close = difflib.get_close_matches(str(value), names, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            self.add(where, f"unknown {what} {value!r}.{hint} Use one of: {', '.join(names)}.")
            return None
        return value.strip().lower().replace("-", "_")

    def table(self, where: str, parent: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
        value = parent.get(key)
        if value is None:
            self.add(where, f"'{key}' is missing; give a table such as {key} = {{ kind = \"...\" }}.")
            return None
        if not isinstance(value, Mapping):
            self.add(where, f"'{key}' must be a table (found {value!r}).")
            return None
        return value


def _score(check: _Checker, where: str, value: Any, scale: tuple[float, float], what: str) -> float | None:
    lo, hi = scale
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        check.add(where, f"{what} must be a number (found {value!r}).")
        return None
    if not lo <= value <= hi:
        check.add(where, f"{what} {value:g} is outside the profile's scale {lo:g}-{hi:g}.")
        return None
    return (float(value) - lo) / (hi - lo)


def _layer_ref(
    check: _Checker, where: str, table: Mapping[str, Any], base_dir: Path | None
) -> LayerRef | None:
    layer = table.get("layer")
    path = table.get("path")
    if (layer is None) == (path is None):
        check.add(where, "give either 'layer' (a layer name) or 'path' (a file), not both or neither.")
        return None
    for key, value in (("layer", layer), ("path", path)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            check.add(where, f"'{key}' must be a non-empty text (found {value!r}).")
            return None
    where_table = table.get("where")
    if where_table is not None:
        ok = (
            isinstance(where_table, Mapping)
            and isinstance(where_table.get("column"), str)
            and isinstance(where_table.get("values"), list)
            and where_table["values"]
            and set(where_table) <= {"column", "values"}
        )
        if not ok:
            check.add(where, '\'where\' must look like { column = "category", values = ["rail", "port"] }.')
            where_table = None
    crs = table.get("assume_crs")
    if crs is not None and not isinstance(crs, str):
        check.add(where, f"'assume_crs' must be text such as \"EPSG:4326\" (found {crs!r}).")
        crs = None
    return LayerRef(
        layer=layer.strip() if isinstance(layer, str) else None,
        path=path.strip() if isinstance(path, str) else None,
        where=dict(where_table) if where_table else None,
        assume_crs=crs,
        base_dir=base_dir,
    )


def _source(
    check: _Checker, where: str, table: Mapping[str, Any], base_dir: Path | None
) -> SourceSpec | None:
    where = f"{where}.source"
    kind = check.choice(where, table.get("kind"), SOURCE_KINDS, "source kind")
    if kind is None:
        return None
    check.unknown(where, table, _SOURCE_KEYS[kind] | {"kind"})
    spec = SourceSpec(kind=kind)
    if kind in ("distance", "raster", "polygons", "table"):
        ref = _layer_ref(check, where, table, base_dir)
        spec = replace(spec, ref=ref)
    if kind == "distance":
        cap = check.number(where, table, "cap_m", positive=True)
        spec = replace(spec, cap_m=cap)
    elif kind == "raster":
        band = table.get("band", 1)
        if isinstance(band, bool) or not isinstance(band, int) or band < 1:
            check.add(where, f"'band' must be a band number from 1 (found {band!r}).")
            band = 1
        resampling = check.choice(where, table.get("resampling", "bilinear"), RESAMPLING_NAMES, "resampling")
        spec = replace(spec, band=band, resampling=resampling or "bilinear")
    elif kind == "polygons":
        spec = replace(spec, column=check.text(where, table, "column"))
    elif kind in ("table", "cluster_metric"):
        reach = check.number(where, table, "reach_m", positive=True)
        stat = table.get("reach_stat", "sum")
        if stat not in ("sum", "mean"):
            check.add(where, f'\'reach_stat\' must be "sum" or "mean" (found {stat!r}).')
            stat = "sum"
        spec = replace(spec, reach_m=reach, reach_stat=stat)
        if kind == "table":
            spec = replace(
                spec,
                column=check.text(where, table, "column", required=True),
                id_column=check.text(where, table, "id_column") or "geoid",
            )
        else:
            metric = check.choice(where, table.get("metric"), CLUSTER_METRICS, "cluster metric")
            level = table.get("level", "auto")
            if level not in ("auto", "tract", "county"):
                check.add(where, f'\'level\' must be "auto", "tract" or "county" (found {level!r}).')
                level = "auto"
            component = table.get("component", "")
            if not isinstance(component, str):
                check.add(where, f"'component' must be a component key as text (found {component!r}).")
                component = ""
            spec = replace(
                spec,
                metric=metric,
                cluster=check.text(where, table, "cluster", required=True),
                component=component,
                level=level,
            )
    return spec


def _transform(
    check: _Checker, where: str, table: Mapping[str, Any], scale: tuple[float, float]
) -> TransformSpec | None:
    where = f"{where}.transform"
    kind = check.choice(where, table.get("kind"), TRANSFORM_KINDS, "transform kind")
    if kind is None:
        return None
    check.unknown(where, table, _TRANSFORM_KEYS[kind] | {"kind"})
    if kind in ("linear", "inverse"):
        low = check.number(where, table, "low", required=True)
        high = check.number(where, table, "high", required=True)
        if low is not None and high is not None and not low < high:
            check.add(
                where,
                f"'low' ({low:g}) must be below 'high' ({high:g}); use kind = "
                f'"{"inverse" if kind == "linear" else "linear"}" to turn the scores around.',
            )
        return TransformSpec(kind=kind, low=low, high=high)
    if kind == "gaussian":
        return TransformSpec(
            kind=kind,
            ideal=check.number(where, table, "ideal", required=True),
            spread=check.number(where, table, "spread", required=True, positive=True),
        )
    if kind == "thresholds":
        breaks = table.get("breaks")
        scores = table.get("scores")
        if (
            not isinstance(breaks, list)
            or not breaks
            or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in breaks)
        ):
            check.add(where, f"'breaks' must be a list of numbers, e.g. [1000, 5000] (found {breaks!r}).")
            return None
        if any(b2 <= b1 for b1, b2 in itertools.pairwise(breaks)):
            check.add(where, f"'breaks' must be in ascending order (found {breaks!r}).")
        if not isinstance(scores, list) or len(scores) != len(breaks) + 1:
            check.add(
                where,
                f"'scores' must list {len(breaks) + 1} scores, one per class around the {len(breaks)} "
                f"breaks (found {scores!r}).",
            )
            return None
        converted = [_score(check, where, s, scale, "score") for s in scores]
        if any(s is None for s in converted):
            return None
        return TransformSpec(kind=kind, breaks=tuple(float(b) for b in breaks), scores=tuple(converted))  # type: ignore[arg-type]
    if kind == "categories":
        scores = table.get("scores")
        if not isinstance(scores, Mapping) or not scores:
            check.add(
                where,
                "'scores' must be a table of category = score, e.g. { industrial = 1, farmland = 0.2 }.",
            )
            return None
        cats: dict[str, float] = {}
        for label, value in scores.items():
            s = _score(check, where, value, scale, f"score of category '{label}'")
            if s is not None:
                cats[str(label)] = s
        default = None
        if "default" in table:
            default = _score(check, where, table["default"], scale, "'default'")
        return TransformSpec(kind=kind, categories=cats, default=default)
    return TransformSpec(kind="identity")


def _factor(
    check: _Checker, index: int, table: Any, scale: tuple[float, float], base_dir: Path | None
) -> Factor | None:
    where = f"factors[{index}]"
    if not isinstance(table, Mapping):
        check.add(where, "each [[factors]] entry must be a table.")
        return None
    key = table.get("key")
    if isinstance(key, str) and key.strip():
        where = f"factor '{key}'"
    check.unknown(where, table, _FACTOR_KEYS)
    key = check.text(where, table, "key", required=True)
    if key is not None and not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        check.add(where, f"'key' {key!r} may hold only letters, digits, '-' and '_' (it names files).")
    name = check.text(where, table, "name") or key or f"factor {index}"
    weight = check.number(where, table, "weight", required=True, minimum=0, maximum=100)
    source_t = check.table(where, table, "source")
    transform_t = check.table(where, table, "transform")
    source = _source(check, where, source_t, base_dir) if source_t is not None else None
    transform = _transform(check, where, transform_t, scale) if transform_t is not None else None
    missing_raw = table.get("missing", "exclude")
    missing: float | None = None
    if missing_raw != "exclude":
        missing = _score(check, where, missing_raw, scale, "'missing' (a score, or \"exclude\")")
    units = table.get("units", "m" if source is not None and source.kind == "distance" else "")
    if source is not None and transform is not None:
        if transform.kind == "categories" and source.kind == "distance":
            check.add(where, "a distance cannot be scored by categories; use linear, inverse or thresholds.")
        if source.kind == "polygons" and source.column and transform.kind not in ("categories", "identity"):
            check.add(
                where, f"polygons with a category column ('{source.column}') need kind = \"categories\"."
            )
    if key is None or weight is None or source is None or transform is None:
        return None
    return Factor(
        key=key,
        name=name,
        weight=weight,
        source=source,
        transform=transform,
        missing=missing,
        units=str(units),
        description=str(table.get("description", "")),
    )


def _constraint(check: _Checker, index: int, table: Any, base_dir: Path | None) -> Constraint | None:
    where = f"constraints[{index}]"
    if not isinstance(table, Mapping):
        check.add(where, "each [[constraints]] entry must be a table.")
        return None
    kind = check.choice(where, table.get("kind"), CONSTRAINT_KINDS, "constraint kind")
    if kind is None:
        return None
    check.unknown(where, table, _CONSTRAINT_KEYS[kind])
    name = check.text(where, table, "name") or CONSTRAINT_KINDS[kind]
    if kind == "exclude_values":
        factor = check.text(where, table, "factor", required=True)
        below = check.number(where, table, "below")
        above = check.number(where, table, "above")
        if below is None and above is None:
            check.add(where, "give 'below', 'above' or both: the values whose land is excluded.")
        return Constraint(kind=kind, name=name, factor=factor, below=below, above=above)
    ref = _layer_ref(check, where, table, base_dir)
    distance = None
    if kind == "exclude_near":
        distance = check.number(where, table, "distance_m", required=True, positive=True)
    return Constraint(kind=kind, name=name, ref=ref, distance_m=distance)


def _sites(check: _Checker, table: Any) -> SiteRules:
    if table is None:
        return SiteRules()
    if not isinstance(table, Mapping):
        check.add("[sites]", "must be a table.")
        return SiteRules()
    check.unknown("[sites]", table, _SITE_KEYS)
    rules = SiteRules()
    count = table.get("count", rules.count)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 500:
        check.add("[sites]", f"'count' must be a whole number from 1 to 500 (found {count!r}).")
        count = rules.count
    min_acres = check.number("[sites]", table, "min_acres", positive=True)
    max_acres = check.number("[sites]", table, "max_acres", positive=True)
    mn = rules.min_acres if min_acres is None else min_acres
    mx = max(rules.max_acres, mn) if max_acres is None else max_acres
    if mx < mn:
        check.add("[sites]", f"'max_acres' ({mx:g}) must be at least 'min_acres' ({mn:g}).")
    distance = check.number("[sites]", table, "min_distance_m", minimum=0)
    threshold = check.number("[sites]", table, "threshold", minimum=0, maximum=100)
    top = check.number("[sites]", table, "top_percent", positive=True, maximum=100)
    return SiteRules(
        count=count,
        min_acres=mn,
        max_acres=mx,
        min_distance_m=rules.min_distance_m if distance is None else distance,
        threshold=threshold,
        top_percent=rules.top_percent if top is None else top,
    )


def _check_weights(check: _Checker, factors: Sequence[Factor]) -> None:
    total = sum(f.weight for f in factors)
    if factors and abs(total - 100.0) > 1e-6:
        listing = ", ".join(f"{f.key} {f.weight:g}" for f in factors)
        check.add(
            "",
            f"the factor weights add up to {total:g}, not 100 ({listing}). Change them so they add up "
            "to 100 (each weight is that factor's percent influence).",
        )


def parse_profile(text: str, *, source: str = "profile", base_dir: Path | None = None) -> Profile:
    """Read a profile from TOML text, checking everything.

    Parameters
    ----------
    text
        The TOML document.
    source
        File name for messages (and the default key, from its stem).
    base_dir
        Folder that relative ``path`` values are resolved against first.

    Returns
    -------
    Profile

    Raises
    ------
    ValidationError
        Listing every problem: unknown keys (with the nearest valid one),
        missing or out-of-range values, weights not adding up to 100.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            source, [Problem(f"not valid TOML ({exc}). Fix the syntax at that line.")]
        ) from exc
    check = _Checker()
    check.unknown("", raw, _TOP_KEYS)
    stem = Path(source).stem
    key = raw.get("key", slugify(stem))
    if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", key):
        check.add("", f"'key' must be lower-case letters, digits, '-' or '_' (found {key!r}).")
        key = slugify(str(key))
    name = check.text("", raw, "name", required=True) or key
    scale_name = raw.get("scale", "0-1")
    if scale_name not in SCALES:
        check.add("", f'\'scale\' must be "0-1" or "1-10" (found {scale_name!r}).')
        scale_name = "0-1"
    scale = SCALES[scale_name]
    targets = raw.get("targets", [])
    if not isinstance(targets, list) or not all(isinstance(t, str) and t.strip() for t in targets):
        check.add("", f"'targets' must be a list of target industry descriptions (found {targets!r}).")
        targets = []
    factors_raw = raw.get("factors")
    if not isinstance(factors_raw, list) or not factors_raw:
        check.add("", "no [[factors]]: a profile needs at least one factor.")
        factors_raw = []
    factors = [f for i, t in enumerate(factors_raw, start=1) if (f := _factor(check, i, t, scale, base_dir))]
    seen: set[str] = set()
    for f in factors:
        if f.key in seen:
            check.add(f"factor '{f.key}'", "the key is used twice; give each factor its own key.")
        seen.add(f.key)
    if len(factors) == len(factors_raw):
        _check_weights(check, factors)
    constraints_raw = raw.get("constraints", [])
    if not isinstance(constraints_raw, list):
        check.add("", "'constraints' must be written as [[constraints]] tables.")
        constraints_raw = []
    constraints = [
        c for i, t in enumerate(constraints_raw, start=1) if (c := _constraint(check, i, t, base_dir))
    ]
    for c in constraints:
        if c.kind == "exclude_values" and c.factor is not None and c.factor not in seen:
            check.add(
                f"constraint '{c.name}'",
                f"no factor '{c.factor}' (factors: {', '.join(sorted(seen)) or 'none'}).",
            )
    sites = _sites(check, raw.get("sites"))
    if check.problems:
        raise ValidationError(source, check.problems)
    return Profile(
        key=key,
        name=name,
        description=str(raw.get("description", "")).strip(),
        targets=tuple(t.strip() for t in targets),
        factors=tuple(factors),
        constraints=tuple(constraints),
        sites=sites,
        path=Path(source) if source != "profile" else None,
    )


def load_profile(path: str | os.PathLike[str]) -> Profile:
    """Read and check a profile file (see :func:`parse_profile`).

    Raises
    ------
    DataSourceError
        If the file cannot be read.
    ValidationError
        If it has problems.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataSourceError(
            f"{p}: cannot read the profile ({exc.strerror or exc}). Check the path."
        ) from exc
    return parse_profile(text, source=str(p), base_dir=p.resolve().parent)
