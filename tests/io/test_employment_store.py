"""Reading several files into one dataset, and the workspace employment store."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from valleymaps.employment import EmploymentDataset
from valleymaps.errors import ConfigError, FieldError, ValidationError
from valleymaps.io.employment import read_employment, resolve_format
from valleymaps.io.employment.store import import_employment, load_datasets, save_dataset
from valleymaps.workspace import Workspace

MakeFile = Callable[[str, str], Path]

STATE_FILE = (
    '"fipstate","naics","lfo","emp_nf","emp"\n"06","------","-","G",15000000\n"06","11----","-","G",180000\n'
)


def _dataset() -> EmploymentDataset:
    table = pd.DataFrame(
        {
            "geoid": pd.array(["06", "06019", "06019000501", "06031"], dtype="string"),
            "naics": pd.array(["TOTAL", "11", "31-33", "3261"], dtype="string"),
            "year": pd.array([2021, 2021, 2021, 2021], dtype="int64"),
            "employment": [15000000.0, 5400.0, 12.5, float("nan")],
            "flag": pd.array(["G", "", "H", "D"], dtype="string"),
        }
    )
    return EmploymentDataset(
        name="demo_2021",
        table=table,
        source="Demo source",
        format="csv",
        synthetic=True,
        imported_from=["demo.csv"],
    )


def test_save_and_load_round_trip_exactly(workspace: Workspace) -> None:
    dataset = _dataset()
    csv_path = save_dataset(workspace, dataset)
    assert csv_path == workspace.employment_dir / "demo_2021.csv"
    text = csv_path.read_text()
    assert text.splitlines()[:3] == [
        "geoid,naics,year,employment,flag",
        "06,TOTAL,2021,15000000,G",
        "06019,11,2021,5400,",
    ]
    assert "06031,3261,2021,,D" in text
    meta = json.loads((workspace.employment_dir / "demo_2021.meta.json").read_text())
    assert {k: meta[k] for k in ("name", "source", "format", "synthetic", "imported_from",
                                 "years")} == {
        "name": "demo_2021", "source": "Demo source", "format": "csv", "synthetic": True,
        "imported_from": ["demo.csv"], "years": [2021],
    }  # fmt: skip
    assert "imported_at" in meta

    (loaded,) = load_datasets(workspace)
    assert (loaded.name, loaded.source, loaded.format, loaded.synthetic, loaded.imported_from) == (
        "demo_2021", "Demo source", "csv", True, ["demo.csv"]
    )  # fmt: skip
    pd.testing.assert_frame_equal(loaded.table, dataset.table)
    assert math.isnan(loaded.table.loc[3, "employment"])


def test_import_cbp_county_and_state_files_together(
    workspace: Workspace, make_file: MakeFile, build: SimpleNamespace
) -> None:
    county = make_file("cbp21co.txt", build.lines(build.CBP_HEADER_NEW, *build.CBP_NEW_ROWS))
    state = make_file("cbp21st.txt", STATE_FILE)
    dataset = import_employment(workspace, [county, state], format="CBP")
    assert dataset.name == "cbp_2021"
    assert dataset.geoid_lengths() == {2, 5}
    assert dataset.imported_from == ["cbp21co.txt", "cbp21st.txt"]
    (loaded,) = load_datasets(workspace)
    pd.testing.assert_frame_equal(loaded.table, dataset.table)
    assert loaded.source == "County Business Patterns 2021"


def test_same_file_twice_is_refused_and_nothing_written(
    workspace: Workspace, make_file: MakeFile, build: SimpleNamespace
) -> None:
    county = make_file("cbp21co.txt", build.lines(build.CBP_HEADER_NEW, *build.CBP_NEW_ROWS))
    copy = make_file("copy/cbp21co.txt", county.read_text())
    with pytest.raises(ValidationError, match="appear more than once"):
        import_employment(workspace, [county, copy], format="cbp")
    assert list(workspace.employment_dir.iterdir()) == []


def test_bad_file_writes_nothing(workspace: Workspace, make_file: MakeFile) -> None:
    path = make_file("jobs.csv", "geoid,naics,year,employment\n6019,11,2021,5\n")
    with pytest.raises(ValidationError):
        import_employment(workspace, path, format="csv")
    assert load_datasets(workspace) == []


def test_names_and_formats(make_file: MakeFile) -> None:
    path = make_file("jobs.csv", "geoid,naics,year,employment\n06019,11,2021,5\n")
    assert read_employment(path, format="csv", name="my-jobs").name == "my-jobs"
    with pytest.raises(ConfigError, match="cannot be a file name"):
        read_employment(path, format="csv", name="../evil")
    assert resolve_format("lodes_wac") == "lodes-wac"
    assert resolve_format("QCEW") == resolve_format("bls") == "qcew"
    with pytest.raises(ConfigError, match=r"unknown employment format 'ces'; use one of: cbp.*qcew"):
        resolve_format("ces")


def test_wrong_format_suggests_the_right_one(make_file: MakeFile) -> None:
    path = make_file("jobs.csv", "geoid,naics,year,employment\n06019,11,2021,5\n")
    with pytest.raises(FieldError, match=r"not a LODES WAC file.*pass --format csv\.$"):
        read_employment(path, format="lodes-wac")


def test_a_dataset_of_the_same_name_is_replaced_only_when_asked(workspace: Workspace, tmp_path: Path) -> None:
    from valleymaps.errors import DataExistsError

    path = tmp_path / "jobs.csv"
    path.write_text("geoid,naics,year,employment\n06019,11,2021,5\n06029,11,2021,6\n", encoding="utf-8")
    import_employment(workspace, path, format="csv")
    import_employment(workspace, path, format="csv")  # the same rows again replace nothing
    stored = (workspace.employment_dir / "jobs.csv").read_bytes()
    path.write_text("geoid,naics,year,employment\n06019,11,2021,7\n", encoding="utf-8")
    with pytest.raises(DataExistsError, match=r"'jobs' exists .*2 rows, years 2021.*with 1 rows.*--replace"):
        import_employment(workspace, path, format="csv")
    assert (workspace.employment_dir / "jobs.csv").read_bytes() == stored
    assert len(import_employment(workspace, path, format="csv", replace=True).table) == 1
    assert not list(workspace.employment_dir.glob("*.lock"))
