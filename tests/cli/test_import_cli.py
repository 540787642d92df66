"""``valleymaps import tracts`` and ``valleymaps import employment``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from valleymaps.cli import cli

SQUARE = [[-119.8, 36.7], [-119.79, 36.7], [-119.79, 36.71], [-119.8, 36.71], [-119.8, 36.7]]
# BOWTIE lies in Kings County (near Hanford), SQUARE in Fresno
BOWTIE = [[-119.65, 36.3], [-119.64, 36.31], [-119.64, 36.3], [-119.65, 36.31], [-119.65, 36.3]]

CBP = (
    '"fipstate","fipscty","naics","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est"\n'
    '"06","019","------","G",250000,"G",1,"G",1,20000\n'
    '"06","019","11----","H",5400,"G",1,"G",1,900\n'
    '"06","019","3261//","D",0,"D",0,"D",0,3\n'
    '"06","031","------","G",30000,"G",1,"G",1,2000\n'
    '"06","999","------","G",1200,"G",1,"G",1,50\n'
)


def _geojson(path: Path, features: list[tuple[object, list[list[float]]]]) -> Path:
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"GEOID": geoid},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                    for geoid, ring in features
                ],
            }
        )
    )
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_import_tracts_prints_counts(tmp_path: Path, workspace: Path) -> None:
    path = _geojson(
        tmp_path / "tracts.geojson",
        [("06019000501", SQUARE), ("06031001002", BOWTIE), ("06001400100", SQUARE)],
    )
    code, out, err = _run("import", "tracts", str(path), "--workspace", str(workspace))
    assert code == 0, err
    assert "Read 3 tracts from 1 file: kept 2 in San Joaquin Valley, repaired 1 invalid polygon" in (out)
    assert "Fresno (06019): 1" in out and "Kings (06031): 1" in out
    assert "no tracts for: Kern (06029)" in out
    assert (workspace / "data" / "geo" / "tracts.gpkg").is_file()


def test_import_tracts_errors_are_messages(tmp_path: Path, workspace: Path) -> None:
    path = _geojson(tmp_path / "excel.geojson", [(6019000501, SQUARE)])
    code, _, err = _run("import", "tracts", str(path), "-w", str(workspace))
    assert code == 1
    assert "Error:" in err and "Re-save the column as 11-character text" in err
    assert "Traceback" not in err
    topo = tmp_path / "t.topo.json"
    topo.write_text(
        json.dumps(
            {
                "type": "Topology",
                "arcs": [SQUARE],
                "objects": {
                    "tracts": {
                        "type": "GeometryCollection",
                        "geometries": [{"type": "Polygon", "arcs": [[0]], "id": "06019000501"}],
                    }
                },
            }
        )
    )
    code, _, err = _run("import", "tracts", str(topo), "-w", str(workspace))
    assert code == 1 and "--assume-crs EPSG:4326" in err
    code, out, _ = _run("import", "tracts", str(topo), "-w", str(workspace), "--assume-crs", "EPSG:4326")
    assert code == 0 and "kept 1" in out


def test_import_needs_a_workspace(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "t.geojson", [("06019000501", SQUARE)])
    code, _, err = _run("import", "tracts", str(path), "-w", str(tmp_path))
    assert code == 1 and "is not a valleymaps workspace" in err


def test_import_employment_prints_summary(tmp_path: Path, workspace: Path) -> None:
    path = tmp_path / "cbp21co.txt"
    path.write_text(CBP)
    code, out, err = _run("import", "employment", str(path), "--format", "cbp", "-w", str(workspace))
    assert code == 0, err
    assert "Imported cbp21co: County Business Patterns 2021 (cbp, 1 file)" in out
    assert "rows: 4" in out
    assert "places: 2 counties" in out
    assert "years: 2021" in out
    assert "withheld: 1 values" in out
    assert "flagged: 4 values (D 1, G 2, H 1)" in out
    assert (workspace / "data" / "econ" / "employment" / "cbp21co.csv").is_file()


def test_import_employment_bad_format_and_rows(tmp_path: Path, workspace: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("geoid,naics,year,employment\n6019,11,2021,5\n06019,21,2021,\n")
    code, _, err = _run("import", "employment", str(path), "--format", "ces", "-w", str(workspace))
    assert code == 2 and "use one of: cbp" in err
    code, _, err = _run("import", "employment", str(path), "--format", "csv", "-w", str(workspace))
    assert code == 1
    assert "2 problems found" in err
    assert "row 1, column 'geoid'" in err and "row 2, column 'employment'" in err
    assert not (workspace / "data" / "econ" / "employment" / "jobs.csv").exists()


def test_import_employment_quarter_of_an_annual_qcew_file_is_an_error(
    tmp_path: Path, workspace: Path
) -> None:
    from qcew_files import county_rows, qcew_bytes

    path = tmp_path / "2016.annual 06019 Fresno County, California.csv"
    path.write_bytes(qcew_bytes("area-annual", county_rows("06019", 2016)))
    args = ["import", "employment", str(path), "--format", "qcew", "-w", str(workspace)]
    code, out, err = _run(*args, "--quarter", "2")
    assert code == 1 and "Traceback" not in out + err
    assert "column 'qtr': 2016.annual 06019 Fresno County, California.csv is an annual file" in err
    assert "holds no quarter 2" in err and "Import it without a quarter for its annual averages" in err
    assert not (workspace / "data" / "econ" / "employment").exists()
    code, out, err = _run(*args)  # the fix the message gives
    assert code == 0 and "years: 2016" in out, err
    code, _, err = _run(*args, "--quarter", "5")
    assert code == 2 and "'5' is not one of" in err
    cbp = tmp_path / "cbp21co.txt"
    cbp.write_text(CBP)
    code, _, err = _run(
        "import", "employment", str(cbp), "--format", "cbp", "--quarter", "1", "-w", str(workspace)
    )
    assert code == 1 and "applies to QCEW files only, not cbp" in err
