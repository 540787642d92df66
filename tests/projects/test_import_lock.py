"""Two ``valleymaps import projects`` into one workspace at the same time: both land, one after the other."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

from project_files import BAKERSFIELD, FRESNO, MODESTO, VISALIA, row, write_csv
from valleymaps.io.filelock import lock_path
from valleymaps.projects.store import GPKG_NAME
from valleymaps.projects.store_gpkg import GeoPackageStore
from valleymaps.workspace import Workspace

WAITING = "waiting for another import into"


def _start_import(ws: Workspace, source: Path, log: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "VALLEYMAPS_DB_URL"}  # the GeoPackage, not PostGIS
    with log.open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "valleymaps", "import", "projects", str(source), "-w", str(ws.root)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
        )


def _wait_for(logs: list[Path], text: str, procs: list[subprocess.Popen[str]], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not all(text in log.read_text() for log in logs):
        finished = [p for p in procs if p.poll() is not None]
        assert not finished, f"an import finished while the lock was held: {[p.args for p in finished]}"
        assert time.monotonic() < deadline, [log.read_text() for log in logs]
        time.sleep(0.2)


def test_concurrent_imports_wait_for_each_other_and_both_land(ws: Workspace, tmp_path: Path) -> None:
    fresno = write_csv(tmp_path / "fresno.csv", [row("F-1", at=FRESNO), row("F-2", at=VISALIA)])
    kern = write_csv(
        tmp_path / "kern.csv",
        [row("K-1", agency="Kern COG", at=BAKERSFIELD), row("K-2", agency="Kern COG", at=MODESTO)],
    )
    gpkg = ws.geo_dir / GPKG_NAME
    logs = [tmp_path / "fresno.err", tmp_path / "kern.err"]

    # hold the lock as a running import does, so that both imports start while it is taken
    fd = os.open(lock_path(gpkg), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()}\n".encode())
        procs = [_start_import(ws, fresno, logs[0]), _start_import(ws, kern, logs[1])]
        _wait_for(logs, WAITING, procs)
        assert not gpkg.exists()  # neither wrote anything while the other held the lock
    finally:
        os.close(fd)
    outputs = [p.communicate(timeout=120)[0] for p in procs]

    assert [p.returncode for p in procs] == [0, 0], [log.read_text() for log in logs]
    for log in logs:
        err = log.read_text()
        assert f"{WAITING} {gpkg} to finish (process {os.getpid()})" in err
        assert "Traceback" not in err
    assert all("Stored in" in out for out in outputs)
    store = GeoPackageStore(gpkg)
    projects = store.load()
    assert sorted(zip(projects["agency"], projects["project_id"], strict=True)) == [
        ("Fresno COG", "F-1"), ("Fresno COG", "F-2"), ("Kern COG", "K-1"), ("Kern COG", "K-2"),
    ]  # fmt: skip
    history = store.import_log()
    assert sorted(history["source"]) == ["fresno.csv", "kern.csv"]
    assert [int(n) for n in history["inserted"]] == [2, 2]
    # the second import merged into what the first one stored
    assert sorted("4 projects in all" in out for out in outputs) == [False, True]
