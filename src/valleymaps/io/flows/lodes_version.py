"""Which LODES version a file belongs to: LODES7 (2010 census blocks) or LODES8 (2020 blocks).

LEHD publishes each version in its own folder (``.../lodes/LODES8/ca/od/ca_od_main_JT00_2021.csv.gz``)
with the same file names, so the version is known from, in order: what the user says, a
``LODES5``/``LODES7``/``LODES8`` folder in the path, or the year (only LODES8 has years after 2019).
Otherwise it is not known, and maps say so.

>>> resolve_lodes_version(["data/LODES8/ca/od/ca_od_main_JT00_2018.csv.gz"], year=2018)
'LODES8'
>>> resolve_lodes_version(["ca_od_main_JT00_2021.csv.gz"], year=2021)
'LODES8'
>>> resolve_lodes_version(["ca_od_main_JT00_2018.csv.gz"], year=2018) is None
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from valleymaps.errors import ConfigError

#: Versions and the years they cover (LEHD: LODES5 2000 blocks, LODES7 2010 blocks, LODES8 2020 blocks).
VERSIONS: dict[str, tuple[int, int]] = {"LODES5": (2002, 2009), "LODES7": (2002, 2019),
                                        "LODES8": (2002, 2099)}
#: Blocks each version is enumerated by.
BLOCK_VINTAGE: dict[str, int] = {"LODES5": 2000, "LODES7": 2010, "LODES8": 2020}

_FOLDER = re.compile(r"^lodes\s*[-_]?(\d)$", re.IGNORECASE)


def normalize_lodes_version(value: str) -> str:
    """``"8"``, ``"lodes8"``, ``"LODES 8"`` -> ``"LODES8"``.

    Raises
    ------
    ConfigError
        For anything else, listing the versions.

    >>> normalize_lodes_version("lodes7"), normalize_lodes_version("8")
    ('LODES7', 'LODES8')
    """
    digits = re.sub(r"(?i)^\s*lodes\s*[-_]?", "", str(value)).strip()
    version = f"LODES{digits}"
    if version not in VERSIONS:
        raise ConfigError(f"unknown LODES version {value!r}; use one of: {', '.join(VERSIONS)}.")
    return version


def _from_folders(paths: Iterable[Path]) -> set[str]:
    found = set()
    for path in paths:
        for part in Path(path).resolve().parts[:-1]:
            match = _FOLDER.match(part)
            if match and f"LODES{match[1]}" in VERSIONS:
                found.add(f"LODES{match[1]}")
    return found


def resolve_lodes_version(
    paths: Iterable[str | os.PathLike[str]], *, year: int | None, given: str | None = None
) -> str | None:
    """The LODES version of ``paths`` (one year's files), or None when nothing tells it.

    Raises
    ------
    ConfigError
        If ``given`` or the folders contradict each other or the year (LODES7 ends in 2019).
    """
    path_list = [Path(p) for p in paths]
    folders = _from_folders(path_list)
    if len(folders) > 1:
        raise ConfigError(
            f"the files come from folders of different LODES versions ({', '.join(sorted(folders))}); "
            "import one version at a time."
        )
    version = normalize_lodes_version(given) if given else None
    if version and folders and folders != {version}:
        raise ConfigError(
            f"--lodes-version {version} was given but the files are in a {folders.pop()} folder; "
            "leave the option out or check the files."
        )
    version = version or (folders.pop() if folders else None)
    if version is None:
        return "LODES8" if year is not None and year > VERSIONS["LODES7"][1] else None
    first, last = VERSIONS[version]
    if year is not None and not first <= year <= last:
        raise ConfigError(
            f"{version} has no year {year} (it covers {first}–{last if last < 2099 else 'now'}); "
            "check --lodes-version and the files."
        )
    return version
