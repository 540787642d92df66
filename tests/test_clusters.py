"""Cluster definitions: a NAICS code that exists in no edition is a warning naming it."""

from __future__ import annotations

import warnings

import pytest

from valleymaps.clusters import load_clusters, parse_clusters
from valleymaps.errors import ConfigWarning
from valleymaps.workspace import bundled_data_dir

TEXT = """
[clusters.logistics]
name = "Logistics"
[clusters.logistics.components.trucking]
name = "Trucking"
naics = ["484", {code}]
"""


def test_a_code_of_no_naics_edition_is_warned_with_its_place() -> None:
    where = r"\[clusters.logistics\] component 'trucking': NAICS code '999999'"
    with pytest.warns(ConfigWarning, match=where):
        clusters = parse_clusters(TEXT.format(code='"999999"'))
    assert clusters[0].components[0].naics == ("484", "999999")  # kept as written


def test_several_implausible_codes_are_one_warning() -> None:
    with pytest.warns(ConfigWarning, match="2 NAICS codes match no industry") as record:
        parse_clusters(TEXT.format(code='"999999", "3291"'))
    assert len(record) == 1


def test_the_bundled_clusters_hold_no_implausible_code() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        assert load_clusters(bundled_data_dir() / "econ" / "clusters.toml")
