"""A QCEW series crossing the NAICS 2012 / 2017 boundary (2015-2018, files in the exact
open-data layout): clusters of renumbered, merged and split industries do not jump in 2017."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from qcew_files import Row, qcew_bytes
from valleymaps.analysis.cluster_employment import (
    aggregate_cluster_employment,
    aggregate_dataset_employment,
)
from valleymaps.analysis.naics_editions import reconcile_naics_editions
from valleymaps.clusters import Cluster, Component
from valleymaps.core.naics import NAICS_2012_TO_2017, find_naics_problem, naics_edition
from valleymaps.io.employment.qcew import read_qcew

#: (industry code, aggregation level digit, jobs) of Fresno's private employers.
NAICS_2012 = [
    ("44-45", 4, 500), ("454", 5, 70), ("4541", 6, 70), ("45411", 7, 70),
    ("454111", 8, 40), ("454112", 8, 10), ("454113", 8, 20),
    ("51", 4, 300), ("517", 5, 130), ("5171", 6, 100), ("51711", 7, 100), ("517110", 8, 100),
    ("5172", 6, 30), ("51721", 7, 30), ("517210", 8, 30),
    ("21", 4, 40), ("211", 5, 35), ("2111", 6, 35), ("21111", 7, 35),
    ("211111", 8, 30), ("211112", 8, 5),
]  # fmt: skip
NAICS_2017 = [
    ("44-45", 4, 510), ("454", 5, 75), ("4541", 6, 75), ("45411", 7, 75), ("454110", 8, 75),
    ("51", 4, 310), ("517", 5, 135), ("5173", 6, 135), ("51731", 7, 135),
    ("517311", 8, 105), ("517312", 8, 30),
    ("21", 4, 41), ("211", 5, 36), ("2111", 6, 36), ("21112", 7, 20), ("211120", 8, 20),
    ("21113", 7, 16), ("211130", 8, 16),
]  # fmt: skip

CLUSTER = Cluster(
    "commerce",
    "Commerce and communications",
    "",
    (
        Component("ecommerce", "Electronic shopping", ("454110",)),
        Component("telecom", "Telecommunications carriers", ("517311", "517312")),
        Component("crude", "Crude petroleum extraction", ("211120",)),
        Component("oilgas", "Oil and gas extraction", ("2111",)),
    ),
)


def _series(folder: Path) -> list[Path]:
    """One open-data annual slice of Fresno a year; 454112 is withheld in 2016."""
    paths = []
    for year in (2015, 2016, 2017, 2018):
        codes = NAICS_2012 if year < 2017 else NAICS_2017
        rows = [
            Row("06019", "0", "10", "70", year, "A", 1000.0),
            Row("06019", "5", "10", "71", year, "A", 900.0),
        ]
        for code, level, jobs in codes:
            withheld = year == 2016 and code == "454112"
            rows.append(Row("06019", "5", code, f"7{level}", year, "A", float(jobs), "N" if withheld else ""))
        path = folder / f"{year}.a.06019.csv"
        path.write_bytes(qcew_bytes("api-annual", rows))
        paths.append(path)
    return paths


def _values(values: pd.DataFrame, component: str) -> dict[int, tuple[float, str]]:
    rows = values[(values["geoid"] == "06019") & (values["component"] == component)]
    return {int(r.year): (float(r.employment), str(r.flag)) for r in rows.itertuples()}


def test_concordance_codes_are_naics_codes_and_editions_follow_the_sources() -> None:
    for old, new in NAICS_2012_TO_2017.items():
        assert len(old) == 6 and find_naics_problem(old) is None
        assert all(len(n) == 6 and find_naics_problem(n) is None for n in new)
    assert [naics_edition(y, source="qcew") for y in (2010, 2011, 2016, 2017, 2021, 2022)] == [
        2007, 2012, 2012, 2017, 2017, 2022,
    ]  # fmt: skip
    assert naics_edition(2011, source="cbp") == 2007 and naics_edition(2020, source="csv") is None
    # CBP did not move to NAICS 2022 with its 2022 data (its API's variable is NAICS2017 up to
    # 2023); after the last year valleymaps knows, no edition is guessed
    assert [naics_edition(y, source="cbp") for y in (2016, 2017, 2022, 2023, 2024)] == [
        2012, 2017, 2017, 2017, None,
    ]  # fmt: skip
    assert naics_edition(2024, source="qcew") == 2022 and naics_edition(2025, source="qcew") is None


def test_without_the_concordance_the_clusters_jump_in_2017(tmp_path: Path) -> None:
    dataset = read_qcew(_series(tmp_path))
    raw = aggregate_cluster_employment(dataset.table, [CLUSTER]).values
    assert _values(raw, "telecom")[2016] == (0.0, "") and _values(raw, "telecom")[2017][0] == 135


def test_a_series_across_2016_2017_is_brought_to_naics_2017(tmp_path: Path) -> None:
    dataset = read_qcew(_series(tmp_path))
    assert dataset.format == "qcew" and dataset.years == [2015, 2016, 2017, 2018]
    values = aggregate_dataset_employment(dataset, [CLUSTER], ownership="private").values

    # renumbered: 517110 -> 517311, 517210 -> 517312
    assert {y: v for y, (v, _) in _values(values, "telecom").items()} == {
        2015: 130, 2016: 130, 2017: 135, 2018: 135,
    }  # fmt: skip
    # merged: 454111 + 454112 + 454113 -> 454110; a withheld part makes a lower bound
    ecommerce = _values(values, "ecommerce")
    assert ecommerce[2015] == (70.0, "")
    assert ecommerce[2016][0] == 60 and set(ecommerce[2016][1]) == {"D", "I"}
    assert ecommerce[2017] == (75.0, "")
    # split: 211111 went partly to 211120, partly to 211130: missing there, flagged R
    crude = _values(values, "crude")
    assert math.isnan(crude[2016][0]) and "R" in crude[2016][1]
    assert crude[2017] == (20.0, "")
    # a prefix over the whole split is published in both editions: unaffected
    assert _values(values, "oilgas") == {
        2015: (35.0, ""),
        2016: (35.0, ""),
        2017: (36.0, ""),
        2018: (36.0, ""),
    }
    # the whole cluster counts 2111 (crude petroleum is inside it): every part reconciled
    whole = _values(values, "")
    assert whole[2015] == (130 + 70 + 35, "") and whole[2017] == (135 + 75 + 36, "")


def test_what_cannot_be_reconciled_is_listed(tmp_path: Path) -> None:
    dataset = read_qcew(_series(tmp_path))
    # 2018 labelled NAICS 2007 here: an edition without a concordance path to NAICS 2017
    editions = {2015: 2012, 2016: 2012, 2017: 2017, 2018: 2007}
    result = reconcile_naics_editions(dataset.private, editions=editions)
    assert result.converted == {2015: 2012, 2016: 2012}
    notes = result.unreconciled
    split = notes[notes["naics"] == "211111"]
    assert split["year"].tolist() == [2015, 2016]
    assert "split into NAICS 2017 211120, 211130" in split["reason"].iloc[0]
    kept = notes[notes["naics"] == ""]
    assert kept["year"].tolist() == [2018] and "no concordance" in kept["reason"].iloc[0]
    # the intermediate levels the renumbered industries left are gone from the NAICS 2012 years
    t = result.table
    assert t[(t["year"] == 2016) & t["naics"].isin(["5171", "51711", "5172", "21111"])].empty
    assert t[(t["year"] == 2016) & (t["naics"] == "2111")]["employment"].tolist() == [35.0]
    # the 2017 and later years are as published
    later = dataset.private[dataset.private["year"] >= 2017].reset_index(drop=True)
    assert t[t["year"] >= 2017].reset_index(drop=True).equals(later)
