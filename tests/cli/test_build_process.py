"""What ``valleymaps build`` does to its own process: no collection while it imports, a frozen
heap on the way out, and large freed blocks kept for reuse (each checked in a fresh process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

#: RSS (kB) after a 40 MB block is written to and freed: glibc gives it back to the kernel unless
#: told to keep it, so the next raster of that size is not faulted in page by page again.
_FREED_BLOCK = textwrap.dedent(
    """
    import sys
    import numpy as np
    from valleymaps.cli.process import keep_freed_memory

    def rss_kb():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    if sys.argv[1] == "keep":
        assert keep_freed_memory()
    before = rss_kb()
    block = np.ones(5_000_000)  # 40 MB, as a raster of the atlas
    del block
    print(rss_kb() - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator, Linux")
def test_a_freed_raster_sized_block_stays_with_the_build_for_the_next_one() -> None:
    def kept_kb(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", _FREED_BLOCK, mode], capture_output=True, text=True,
                             check=True, timeout=120)
        return int(out.stdout.strip())

    assert kept_kb("default") < 10_000  # given back when freed
    assert kept_kb("keep") > 30_000  # kept for the next array


def test_imports_run_without_collections_and_leave_the_collector_on() -> None:
    code = textwrap.dedent(
        """
        import gc
        from valleymaps.cli.process import imports_without_collection
        runs = []
        gc.callbacks.append(lambda phase, info: runs.append(phase) if phase == "start" else None)
        with imports_without_collection():
            import pandas, matplotlib.figure  # tens of thousands of objects
        print(len(runs), gc.isenabled(), gc.get_freeze_count() > 10_000)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         timeout=120)
    assert out.stdout.split() == ["0", "True", "True"]
