"""Cluster definitions: the plan's industry clusters as components of NAICS codes.

Definitions are data a user can edit (``data/econ/clusters.toml``), not code::

    [clusters.logistics]
    name = "Logistics"
    description = "Moving and storing goods"
    source = "where the definition comes from"
    sector_proxy = ["42", "48-49"]      # used where data have only NAICS sectors (LODES)
    in_headline = true                  # counted in the plan's headline shares

    [clusters.logistics.components.trucking]
    name = "Trucking"
    naics = ["484"]

NAICS codes are prefixes of any length (2-6 digits): ``"3261"`` matches
``326111``, ``326112`` ... A sector range such as ``"31-33"`` is allowed only
in ``sector_proxy``.
"""

from __future__ import annotations

import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

from valleymaps.core.naics import find_naics_problem
from valleymaps.employment import LODES_SECTORS
from valleymaps.errors import ConfigError, ConfigWarning, DataSourceError, Problem, ValidationError

_SECTOR_CODES = frozenset(LODES_SECTORS.values())


@dataclass(frozen=True)
class Component:
    """A set of industries within a cluster (a link of its value chain)."""

    key: str
    name: str
    naics: tuple[str, ...]


@dataclass(frozen=True)
class Cluster:
    """An industry cluster."""

    key: str
    name: str
    description: str
    components: tuple[Component, ...]
    sector_proxy: tuple[str, ...] = ()
    in_headline: bool = True
    source: str = ""

    @property
    def naics(self) -> tuple[str, ...]:
        """All the cluster's NAICS prefixes, without ones covered by a shorter prefix."""
        return collapse_prefixes(code for comp in self.components for code in comp.naics)


def collapse_prefixes(codes: object) -> tuple[str, ...]:
    """Sorted unique prefixes, dropping any code that a shorter one already covers.

    >>> collapse_prefixes(["3261", "326", "4841", "484121"])
    ('326', '4841')
    """
    unique = sorted(set(codes), key=lambda c: (len(c), c))  # type: ignore[call-overload]
    kept: list[str] = []
    for code in unique:
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return tuple(sorted(kept))


def parse_clusters(text: str, *, source_name: str = "clusters.toml") -> list[Cluster]:
    """Parse cluster definitions from TOML text, reporting every problem at once.

    >>> cl = parse_clusters('''
    ... [clusters.energy]
    ... name = "Energy"
    ... [clusters.energy.components.oil]
    ... name = "Oil and gas"
    ... naics = ["211", "213111"]
    ... ''')
    >>> cl[0].name, cl[0].components[0].naics
    ('Energy', ('211', '213111'))
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source_name}: not valid TOML ({exc}).") from exc
    table = raw.get("clusters")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{source_name}: no [clusters.<key>] tables found.")
    problems: list[Problem] = []
    implausible: list[str] = []
    clusters: list[Cluster] = []
    for key, spec in table.items():
        where = f"[clusters.{key}]"
        if not isinstance(spec, dict):
            problems.append(Problem(f"{where} must be a table"))
            continue
        comps_raw = spec.get("components", {})
        if not comps_raw:
            problems.append(Problem(f"{where} has no components; add [clusters.{key}.components.<name>]"))
        components = []
        for ckey, cspec in comps_raw.items():
            codes = [str(c).strip() for c in cspec.get("naics", [])]
            if not codes:
                problems.append(Problem(f"{where} component '{ckey}' lists no NAICS codes"))
            for code in codes:
                if not (code.isdigit() and 2 <= len(code) <= 6):
                    problems.append(
                        Problem(
                            f"{where} component '{ckey}': NAICS code {code!r} is not 2-6 digits "
                            "(write prefixes as text, e.g. \"3261\")"
                        )
                    )
                elif (reason := find_naics_problem(code)) is not None:
                    implausible.append(f"{where} component '{ckey}': NAICS code {code!r}: {reason}")
            components.append(
                Component(key=ckey, name=str(cspec.get("name", ckey)), naics=tuple(codes))
            )
        proxy = tuple(str(c) for c in spec.get("sector_proxy", []))
        for code in proxy:
            if code not in _SECTOR_CODES:
                problems.append(
                    Problem(
                        f"{where} sector_proxy code {code!r} is not a NAICS sector; use one of "
                        + ", ".join(sorted(_SECTOR_CODES))
                    )
                )
        clusters.append(
            Cluster(
                key=key,
                name=str(spec.get("name", key)),
                description=str(spec.get("description", "")),
                components=tuple(components),
                sector_proxy=proxy,
                in_headline=bool(spec.get("in_headline", True)),
                source=str(spec.get("source", "")),
            )
        )
    if problems:
        raise ValidationError(source_name, problems)
    if implausible:
        warnings.warn(
            f"{source_name}: {len(implausible)} NAICS code"
            + (" matches" if len(implausible) == 1 else "s match")
            + " no industry of any NAICS edition and count no jobs; correct "
            + ("it: " if len(implausible) == 1 else "them: ")
            + "; ".join(implausible),
            ConfigWarning,
            stacklevel=2,
        )
    return clusters


def load_clusters(path: str | Path) -> list[Cluster]:
    """Read cluster definitions from a TOML file (see the module docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataSourceError(f"cannot read cluster definitions {path}: {exc.strerror}") from exc
    return parse_clusters(text, source_name=str(path))
