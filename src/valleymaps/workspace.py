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

import logging
import shutil
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from valleymaps import settings
from valleymaps.errors import ConfigError, OutputExistsError, WorkspaceError

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
    "econ/project_mapping.example.toml",
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

    @classmethod
    def from_toml(cls, path: Path) -> WorkspaceConfig:
        """Read a ``valleymaps.toml``; missing keys take the package defaults."""
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the file or delete it.") from exc
        region = raw.get("region", {})
        reference = raw.get("reference", {})
        maps = raw.get("maps", {})
        counties = region.get("counties", dict(settings.VALLEY_COUNTIES))
        bad = [g for g in counties if not (isinstance(g, str) and len(g) == 5 and g.isdigit())]
        if bad:
            raise ConfigError(
                f"{path}: [region] counties keys must be 5-digit county GEOIDs as text "
                f"(found {bad!r}); write them quoted, for example \"06019\" = \"Fresno\"."
            )
        classes = maps.get("classes", settings.DEFAULT_CLASSES)
        if not isinstance(classes, int) or not 2 <= classes <= 9:
            raise ConfigError(f"{path}: [maps] classes must be a whole number 2-9 (found {classes!r}).")
        return cls(
            region_name=str(region.get("name", settings.REGION_NAME)),
            region_counties={str(k): str(v) for k, v in counties.items()},
            reference_geoid=str(reference.get("geoid", settings.REFERENCE_GEOID)),
            reference_name=str(reference.get("name", settings.REFERENCE_NAME)),
            scheme=str(maps.get("scheme", settings.DEFAULT_SCHEME)),
            classes=classes,
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
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target)
    (root / CONFIG_NAME).write_text(DEFAULT_CONFIG, encoding="utf-8")
    ws = Workspace.open(root)
    ws.ensure_dirs()
    log.info("created workspace %s with %d bundled files", root, len(BUNDLED_FILES))
    return ws
