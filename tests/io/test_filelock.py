"""The lock between processes that share a download cache."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from fetch_server import PROXY_VARIABLES, FileServer
from valleymaps.io.download import MANIFEST_NAME
from valleymaps.io.filelock import exclusive_lock, lock_path

SRC = Path(__file__).resolve().parents[2] / "src"

#: A process that takes the lock, says "locked", and keeps it until it reads a line.
HOLDER = textwrap.dedent("""
    import sys
    from valleymaps.io.filelock import exclusive_lock
    with exclusive_lock(sys.argv[1]):
        print("locked", flush=True)
        sys.stdin.readline()
    print("released", flush=True)
""")


def _python(script: str, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, text=True,
                            **kwargs)  # type: ignore[call-overload]


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    lock = lock_path(tmp_path / "table1.xlsx")
    proc = _python(HOLDER, str(lock), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    yield proc, lock
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            pipe.close()


def test_a_second_process_waits_and_is_told_who_holds_the_lock(
    holder: tuple[subprocess.Popen[str], Path]
) -> None:
    proc, lock = holder
    waits: list[int | None] = []

    def on_wait(pid: int | None) -> None:
        waits.append(pid)
        assert proc.stdin is not None
        proc.stdin.write("done\n")  # let the holder go
        proc.stdin.flush()

    with exclusive_lock(lock, on_wait=on_wait, poll=0.01):
        assert proc.wait(timeout=30) == 0  # the holder had to finish first
        assert lock.read_text() == str(os.getpid())

    assert waits == [proc.pid]
    assert not lock.exists()


def test_a_killed_holder_leaves_no_stale_lock(holder: tuple[subprocess.Popen[str], Path]) -> None:
    proc, lock = holder
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert lock.exists()  # left behind by the killed process, but no longer locked

    waits: list[int | None] = []
    with exclusive_lock(lock, on_wait=waits.append):
        pass

    assert waits == []


#: A process that fetches files 0..n-1 of a list into a cache.
FETCHER = textwrap.dedent("""
    import sys
    from valleymaps.io.download import DownloadCache
    cache = DownloadCache(sys.argv[1])
    for url in sys.argv[2:]:
        cache.fetch(url, "files/" + url.rsplit("/", 1)[1])
""")


def test_runs_fetching_different_files_keep_every_record(tmp_path: Path) -> None:
    files = {f"/f/{i:02d}.csv": f"a,b\n{i},{i}\n".encode() for i in range(40)}
    with FileServer(files) as server:
        urls = [server.url_for(p) for p in files]
        procs = [_python(FETCHER, str(tmp_path / "cache"), *urls[k::2]) for k in range(2)]
        codes = [p.wait(timeout=120) for p in procs]

    assert codes == [0, 0]
    manifest = json.loads((tmp_path / "cache" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(f"files/{p.rsplit('/', 1)[1]}" for p in files)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["files", MANIFEST_NAME]
