"""Profiles, and the plan's target industries they serve, read from the folders given.

Profiles are TOML files in ``data/econ/suitability/`` of the workspace, then
of the valleymaps installation (a workspace profile with the same key
replaces the shipped one). The target industries are the rows of
``data/econ/leakage_targets.csv`` (its ``description`` column). Which folders
and files those are is :mod:`valleymaps.workflows.suitability_inputs`' business.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from valleymaps.errors import ConfigError, DataSourceError
from valleymaps.io.text_encoding import detect_file_encoding, is_wide_unicode
from valleymaps.suitability.profile import Profile, load_profile, normalize_target, slugify

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TargetChoice:
    """A target industry and the profile that models it."""

    target: str
    profile: Profile

    @property
    def slug(self) -> str:
        return slugify(self.target)


def read_profiles(folders: Sequence[Path]) -> list[Profile]:
    """Every profile of ``folders`` (the strongest first), each folder's sorted by key.

    A profile of an earlier folder replaces a later one's with the same key, and comes
    first when both list the same target.
    """
    found: dict[str, tuple[int, Profile]] = {}
    for rank, folder in reversed(list(enumerate(folders))):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            if path.name == "layers.toml" or path.name.startswith("."):
                continue
            profile = load_profile(path)
            found[profile.key] = (rank, profile)
    return [p for _, p in sorted(found.values(), key=lambda item: (item[0], item[1].key))]


def read_targets(candidates: Sequence[Path]) -> pd.DataFrame:
    """The plan's target industries (``description``, ``market_support_usd`` and any other columns).

    Reads the first of ``candidates`` that exists (the workspace's
    ``data/econ/leakage_targets.csv``, then the shipped one).

    Raises
    ------
    DataSourceError
        If none exists.
    """
    for path in candidates:
        if path.is_file():
            declared = detect_file_encoding(path)
            table = pd.read_csv(path, dtype=str,
                                encoding=declared if is_wide_unicode(declared) else "utf-8-sig")
            if "description" not in table.columns:
                raise DataSourceError(
                    f"{path} has no 'description' column (found: {', '.join(table.columns)})."
                )
            return table
    raise DataSourceError(
        f"no target industries: {candidates[0]} is missing. Restore the bundled data with "
        "'valleymaps init --overwrite'."
    )


def profile_for_target(target: str, profiles: list[Profile]) -> Profile | None:
    """The profile listing ``target`` (compared without case or punctuation), or None."""
    wanted = normalize_target(target)
    for p in profiles:
        if any(normalize_target(t) == wanted for t in p.targets):
            return p
    return None


def match_target(
    target: str, *, profiles: Sequence[Profile], known_targets: Sequence[str] = ()
) -> TargetChoice:
    """Resolve a user's ``--target`` to a target and the profile of ``profiles`` that models it.

    ``target`` may be a target description (any case) or a profile key. ``known_targets``
    are the plan's targets (for the message when ``target`` matches none).

    Raises
    ------
    ConfigError
        If the target is unknown (the message lists close matches and every
        target) or has no profile.
    """
    by_key = {p.key: p for p in profiles}
    if target in by_key:
        return TargetChoice(target=by_key[target].name, profile=by_key[target])
    listed = profile_for_target(target, list(profiles))
    if listed is not None:
        exact = next(t for t in listed.targets if normalize_target(t) == normalize_target(target))
        return TargetChoice(target=exact, profile=listed)
    known = list(known_targets) or sorted({t for p in profiles for t in p.targets})
    if any(normalize_target(t) == normalize_target(target) for t in known):
        raise ConfigError(
            f"target {target!r} has no suitability profile. Write one (copy a file from "
            f"data/econ/suitability/ and list the target in its 'targets') or pass --profile FILE."
        )
    close = difflib.get_close_matches(target, known + list(by_key), n=3, cutoff=0.5)
    hint = f" Did you mean: {'; '.join(close)}?" if close else ""
    listing = "\n".join(f"  - {t}" for t in known)
    raise ConfigError(
        f"unknown target {target!r}.{hint} Targets (data/econ/leakage_targets.csv):\n{listing}\n"
        f"or a profile key: {', '.join(by_key)}."
    )
