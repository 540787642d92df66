"""Workspaces: a folder with ``data/geo/``, ``data/econ/`` and ``outputs/maps/``.

A workspace holds the region's data (bundled or imported) and the atlas built
from it. Its settings live in ``valleymaps.toml`` at its root; anything left
out there falls back to :mod:`valleymaps.settings`.

Examples
--------
>>> import tempfile, pathlib
>>> ws = init_workspace(pathlib.Path(tempfile.mkdtemp()) / "sjv")
>>> sorted(ws.config.region_counties)[:2]
['06019', '06029']
>>> ws.counties_path.name
'ca_counties.geojson'
"""

from __future__ import annotations

import difflib
import json
import logging
import shutil
import tomllib
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from valleymaps import settings
from valleymaps.compute.executor import check_config_scheduler
from valleymaps.core.schemes import resolve_scheme
from valleymaps.errors import (
    ConfigError,
    ConfigWarning,
    OutputExistsError,
    UnknownLanguageError,
    WorkspaceError,
    cut_value,
)
from valleymaps.i18n import resolve_language

log = logging.getLogger(__name__)

CONFIG_NAME = "valleymaps.toml"

#: Files copied by ``valleymaps init`` from the bundled data, relative to ``data/``.
BUNDLED_FILES: tuple[str, ...] = (
    "geo/ca_counties.geojson",
    "geo/ca_counties.meta.json",
    "econ/clusters.toml",
    "econ/leakage_targets.csv",
    "econ/leakage_exclusions.toml",
    "econ/employment/employment_synthetic_county_2011_2021.csv",
    "econ/employment/employment_synthetic_county_2011_2021.meta.json",
    "econ/flows/acs_county_flows_2009_2013.county.csv",
    "econ/flows/acs_county_flows_2009_2013.meta.json",
    "econ/project_mapping.example.toml",
    "econ/io/bea_2012_detail.npz",
    "econ/io/bea_2012_detail.meta.json",
    "econ/suitability/layers.toml",
    *(
        f"econ/suitability/{name}.toml"
        for name in ("business-services", "chemicals", "metals-vehicle-parts", "oilseed-farming",
                     "packaging", "paper", "tech-rd")
    ),
    "PROVENANCE.md",
)

DEFAULT_CONFIG = """\
# valleymaps workspace settings. Anything left out falls back to the
# package defaults (valleymaps.settings).

[region]
name = "San Joaquin Valley"
# County GEOIDs (state FIPS + county FIPS, as text) and their names.
counties = { "06019" = "Fresno", "06029" = "Kern", "06031" = "Kings", "06039" = "Madera", \
"06047" = "Merced", "06077" = "San Joaquin", "06099" = "Stanislaus", "06107" = "Tulare" }

[reference]
# Location quotients and shift-share compare places with this area.
geoid = "06"
name = "California"

[maps]
# Classification: quantiles, natural_breaks, equal_interval or user_defined.
scheme = "quantiles"
classes = 5

[analysis]
# Span of growth, compound annual growth and shift-share (default: the data's first and last
# year); maps and trend lines show every year. Override with 'valleymaps build --from --to'.
# base_year = 2011
# end_year = 2021

[compute]
# Where work that splits into tasks (LODES OD files, suitability targets) runs. Left out: in this
# process (no cluster needed). A Dask scheduler address sends the tasks to that cluster
# (pip install 'valleymaps[dask]'); "local" starts one on this machine. $VALLEYMAPS_SCHEDULER
# and --scheduler override it.
# scheduler = "tcp://10.0.0.5:8786"

[atlas]
# Language of the pages: "en" (English) or "es" (Spanish, numbers as es-US).
# Override with 'valleymaps build --lang es'.
lang = "en"
"""


@dataclass(frozen=True)
class WorkspaceConfig:
    """Settings of one workspace (``valleymaps.toml``)."""

    region_name: str = settings.REGION_NAME
    region_counties: dict[str, str] = field(
        default_factory=lambda: dict(settings.VALLEY_COUNTIES)
    )
    reference_geoid: str = settings.REFERENCE_GEOID
    reference_name: str = settings.REFERENCE_NAME
    scheme: str = settings.DEFAULT_SCHEME
    classes: int = settings.DEFAULT_CLASSES
    ownership: str = settings.EMPLOYMENT_OWNERSHIP
    base_year: int | None = None
    end_year: int | None = None
    scheduler: str | None = settings.COMPUTE_SCHEDULER
    lang: str = settings.ATLAS_LANGUAGE

    @classmethod
    def from_toml(cls, path: Path) -> WorkspaceConfig:
        """Read a ``valleymaps.toml``; missing keys take the package defaults.

        Unknown sections and keys are ignored with a :class:`~valleymaps.errors.ConfigWarning`
        naming the nearest valid one; values of the wrong kind are one :class:`ConfigError`
        listing every problem.
        """
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the file or delete it.") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not UTF-8 text ({exc.reason}). Save it as UTF-8.") from exc
        warn_unknown_keys(raw, path=path)
        problems: list[str] = []

        def section(name: str) -> dict[str, object]:
            value = raw.get(name, {})
            if isinstance(value, dict):
                return value
            problems.append(f"[{name}] must be a table (a [{name}] header with keys under it), "
                            f"not {type(value).__name__} {cut_value(value)}")
            return {}

        def text(table: dict[str, object], where: str, key: str, default: str) -> str:
            value = table.get(key, default)
            if isinstance(value, str):
                return value
            problems.append(f"[{where}] {key} must be text in quotes, not {type(value).__name__} "
                            f"{cut_value(value)}")
            return default

        region, reference, maps = section("region"), section("reference"), section("maps")
        counties = region.get("counties", dict(settings.VALLEY_COUNTIES))
        example = 'counties = { "06019" = "Fresno", "06029" = "Kern" }'
        if not isinstance(counties, dict):
            problems.append(
                f"[region] counties must be a table of county GEOID = name, not a "
                f"{type(counties).__name__} ({cut_value(counties)}); write it as {example}"
            )
            counties = dict(settings.VALLEY_COUNTIES)
        else:
            bad = [g for g in counties if not (isinstance(g, str) and len(g) == 5 and g.isdigit())]
            if bad:
                problems.append(
                    f"[region] counties keys must be 5-digit county GEOIDs as text (found "
                    f"{cut_value(bad)}); write them quoted, for example \"06019\" = \"Fresno\""
                )
            names = [k for k, v in counties.items() if not isinstance(v, str)]
            if names:
                problems.append(f"[region] counties: the name of {', '.join(names[:5])} must be text "
                                f"in quotes; write {example}")
            if not counties:
                problems.append(f"[region] counties is empty; list the region's counties: {example}")
        classes = maps.get("classes", settings.DEFAULT_CLASSES)
        if isinstance(classes, bool) or not isinstance(classes, int) or not 2 <= classes <= 9:
            problems.append(f"[maps] classes must be a whole number 2-9 (found {cut_value(classes)})")
            classes = settings.DEFAULT_CLASSES
        ownership = section("employment").get("ownership", settings.EMPLOYMENT_OWNERSHIP)
        if not isinstance(ownership, str) or ownership.strip().lower() not in ("all", "private"):
            problems.append(
                f"[employment] ownership must be \"all\" (every employer, government included) "
                f"or \"private\" (found {cut_value(ownership)})"
            )
            ownership = settings.EMPLOYMENT_OWNERSHIP
        analysis = section("analysis")
        years: dict[str, int | None] = {}
        for key in ("base_year", "end_year"):
            value = analysis.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not 1900 <= value <= 2100):
                problems.append(
                    f"[analysis] {key} must be a year such as 2011 (found {cut_value(value)}); "
                    "write it without quotes, or remove the line to use the data's first/last year"
                )
                value = None
            years[key] = value if isinstance(value, int) else None
        scheme = text(maps, "maps", "scheme", settings.DEFAULT_SCHEME)
        try:
            resolve_scheme(scheme)
        except ValueError as exc:
            problems.append(f"[maps] scheme: {exc}")
            scheme = settings.DEFAULT_SCHEME
        scheduler = section("compute").get("scheduler", settings.COMPUTE_SCHEDULER)
        problem = check_config_scheduler(scheduler)
        if problem:
            problems.append(problem)
            scheduler = settings.COMPUTE_SCHEDULER
        lang = section("atlas").get("lang", settings.ATLAS_LANGUAGE)
        try:
            lang = resolve_language(lang) if isinstance(lang, str) else lang
        except UnknownLanguageError as exc:
            problems.append(f"[atlas] lang: {exc}".rstrip("."))
            lang = settings.ATLAS_LANGUAGE
        if not isinstance(lang, str):
            problems.append(
                f"[atlas] lang must be a language in quotes such as \"es\" (found {cut_value(lang)})"
            )
            lang = settings.ATLAS_LANGUAGE
        config = cls(
            scheduler=scheduler.strip() if isinstance(scheduler, str) else None,
            lang=lang,
            ownership=ownership.strip().lower(),
            region_name=text(region, "region", "name", settings.REGION_NAME),
            region_counties={str(k): str(v) for k, v in counties.items()},
            reference_geoid=text(reference, "reference", "geoid", settings.REFERENCE_GEOID),
            reference_name=text(reference, "reference", "name", settings.REFERENCE_NAME),
            scheme=scheme,
            classes=classes,
            base_year=years["base_year"],
            end_year=years["end_year"],
        )
        if len(problems) == 1:
            raise ConfigError(f"{path}: {problems[0]}.")
        if problems:
            listed = "\n".join(f"  - {p}" for p in problems)
            raise ConfigError(f"{path}: {len(problems)} problems:\n{listed}")
        return config


#: The sections of ``valleymaps.toml`` and their keys (others are warned about, then ignored);
#: ``None``: any key (``[sources]`` names download sources, see :mod:`valleymaps.io.sources`).
#: A module that reads a new key from ``valleymaps.toml`` adds it here.
KNOWN_KEYS: dict[str, tuple[str, ...] | None] = {
    "region": ("name", "counties"),
    "reference": ("geoid", "name"),
    "maps": ("scheme", "classes"),
    "employment": ("ownership",),
    "analysis": ("base_year", "end_year"),
    "compute": ("scheduler",),
    "atlas": ("lang",),
    "sources": None,
}


def warn_unknown_keys(raw: dict[str, object], *, path: Path) -> None:
    """Warn about sections and keys of ``valleymaps.toml`` that valleymaps does not read.

    A misspelt key would otherwise be ignored in silence and its default used; the warning
    names the nearest valid key.
    """
    unknown: list[str] = []

    def nearest(word: str, choices: list[str]) -> str:
        close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
        return f" (did you mean {close[0]!r}?)" if close else f" (valid: {', '.join(choices)})"

    sections = list(KNOWN_KEYS)
    all_keys = [f"{s}.{k}" for s, keys in KNOWN_KEYS.items() for k in keys or ()]
    for name, value in raw.items():
        if name not in KNOWN_KEYS:
            if not isinstance(value, dict):
                # a key written above every section header
                hint = difflib.get_close_matches(name.lower(), [k.split(".")[1] for k in all_keys], n=1)
                where = next((k for k in all_keys if hint and k.endswith("." + hint[0])), None)
                unknown.append(f"key {name!r} outside any section"
                               + (f" (did you mean {where!r}?)" if where else ""))
            else:
                unknown.append(f"section [{name}]{nearest(name, sections)}")
            continue
        keys = KNOWN_KEYS[name]
        if isinstance(value, dict) and keys is not None:
            for key in value:
                if key not in keys:
                    unknown.append(f"key {key!r} in [{name}]{nearest(key, list(keys))}")
    if unknown:
        warnings.warn(
            f"{path}: ignored (valleymaps does not know {'them' if len(unknown) > 1 else 'it'}; "
            f"the default is used instead): {'; '.join(unknown)}",
            ConfigWarning,
            stacklevel=3,
        )


@dataclass(frozen=True)
class Workspace:
    """A valleymaps workspace folder.

    Use :meth:`open` for an existing workspace and :func:`init_workspace` to
    create one.
    """

    root: Path
    config: WorkspaceConfig

    @classmethod
    def open(cls, root: str | Path = ".") -> Workspace:
        """Open the workspace at ``root``.

        Raises
        ------
        WorkspaceError
            If ``root`` has no ``valleymaps.toml`` or no ``data/`` folder.
        """
        root = Path(root).resolve()
        config_path = root / CONFIG_NAME
        if not config_path.is_file():
            raise WorkspaceError(
                f"{root} is not a valleymaps workspace (no {CONFIG_NAME}). "
                f"Create one with 'valleymaps init {root}' or pass --workspace DIR."
            )
        return cls(root=root, config=WorkspaceConfig.from_toml(config_path))

    # --- folders -----------------------------------------------------------
    @property
    def geo_dir(self) -> Path:
        return self.root / "data" / "geo"

    @property
    def econ_dir(self) -> Path:
        return self.root / "data" / "econ"

    @property
    def employment_dir(self) -> Path:
        return self.econ_dir / "employment"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def maps_dir(self) -> Path:
        return self.outputs_dir / "maps"

    # --- files -------------------------------------------------------------
    @property
    def counties_path(self) -> Path:
        return self.geo_dir / "ca_counties.geojson"

    @property
    def tracts_path(self) -> Path:
        return self.geo_dir / "tracts.gpkg"

    @property
    def clusters_path(self) -> Path:
        return self.econ_dir / "clusters.toml"

    @property
    def targets_path(self) -> Path:
        return self.econ_dir / "leakage_targets.csv"

    def ensure_dirs(self) -> None:
        """Create the workspace's folders if they are missing."""
        for d in (self.geo_dir, self.employment_dir, self.maps_dir):
            d.mkdir(parents=True, exist_ok=True)


def bundled_data_dir() -> Path:
    """Folder holding the bundled data shipped with the package."""
    return Path(str(resources.files("valleymaps") / "bundled"))


def _imported_over_bundled(data_dir: Path, rel: str) -> bool:
    """Whether a bundled flows file would replace a dataset the user imported under its name.

    The bundled ACS extract's sidecar says ``"bundled": true``; a full import of the same table
    (same dataset name) has no such key and is kept by ``init --overwrite``.
    """
    if not rel.startswith("econ/flows/"):
        return False
    name = Path(rel).name.split(".")[0]
    meta = data_dir / "econ" / "flows" / f"{name}.meta.json"
    if not meta.is_file():
        return False
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("bundled") is not True
    except (OSError, ValueError):
        return False


def init_workspace(directory: str | Path, *, overwrite: bool = False) -> Workspace:
    """Create a workspace at ``directory`` holding the bundled data.

    Parameters
    ----------
    directory
        Folder to create (it may exist if empty).
    overwrite
        Replace the bundled files and settings of an existing workspace.
        Imported data are never touched.

    Returns
    -------
    Workspace
        The new workspace.

    Raises
    ------
    OutputExistsError
        If ``directory`` is already a workspace and ``overwrite`` is false.
    """
    root = Path(directory).resolve()
    if (root / CONFIG_NAME).exists() and not overwrite:
        raise OutputExistsError(
            f"{root} is already a valleymaps workspace. Pass --overwrite to restore the "
            "bundled data and settings (imported data are kept)."
        )
    source = bundled_data_dir()
    missing = [rel for rel in BUNDLED_FILES if not (source / rel).is_file()]
    if missing:
        raise WorkspaceError(
            f"bundled data missing from the installation ({source}): {', '.join(missing)}. "
            "Reinstall valleymaps, or rebuild the data with the scripts in scripts/."
        )
    root.mkdir(parents=True, exist_ok=True)
    for rel in BUNDLED_FILES:
        target = root / "data" / rel
        if _imported_over_bundled(root / "data", rel):
            log.info("kept %s: imported data replace the bundled extract", target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target)
    (root / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    ws = Workspace.open(root)
    ws.ensure_dirs()
    log.info("created workspace %s with %d bundled files", root, len(BUNDLED_FILES))
    return ws
