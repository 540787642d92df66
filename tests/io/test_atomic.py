"""Atomic writes: the output appears whole or not at all."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pytest

from valleymaps.io.atomic import atomic_path, write_atomic, write_bytes_atomic, write_text_atomic


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_write_text_creates_folder_and_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "out.csv"
    write_text_atomic(target, "a,b\n1,2\n")
    assert target.read_text() == "a,b\n1,2\n"
    assert _leftovers(target.parent) == []


def test_failed_write_keeps_previous_output(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half writ")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, broken)
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_writer_that_writes_nothing_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(FileNotFoundError), atomic_path(target):
        pass
    assert not target.exists()


def test_temporary_name_keeps_suffix_for_drivers(tmp_path: Path, build: SimpleNamespace) -> None:
    target = tmp_path / "tracts.gpkg"
    gdf = gpd.GeoDataFrame({"geoid": ["06019000501"]}, geometry=[build.square(0)], crs="EPSG:4326")
    with atomic_path(target) as tmp:
        assert tmp.suffix == ".gpkg" and tmp.parent == tmp_path and not tmp.exists()
        gdf.to_file(tmp, layer="tracts", engine="pyogrio")
    assert gpd.read_file(target, layer="tracts").loc[0, "geoid"] == "06019000501"
    assert _leftovers(tmp_path) == []


def test_write_atomic_returns_writer_result_and_bytes(tmp_path: Path) -> None:
    assert write_atomic(tmp_path / "n.txt", lambda p: p.write_text("42")) == 2
    write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_replace_dir_swaps_folders_and_keeps_the_old_one_on_failure(tmp_path, monkeypatch):
    import os

    from valleymaps.io import atomic

    final = tmp_path / "maps"
    final.mkdir()
    (final / "index.html").write_text("old")
    new = tmp_path / ".build-1"
    new.mkdir()
    (new / "index.html").write_text("new")
    atomic.replace_dir(new, final)
    assert (final / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps"]

    broken = tmp_path / ".build-2"
    broken.mkdir()
    real_replace = os.replace

    def fail_on_new(src, dst):
        if os.fspath(src) == os.fspath(broken):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", fail_on_new)
    with pytest.raises(OSError, match="disk full"):
        atomic.replace_dir(broken, final)
    assert (final / "index.html").read_text() == "new"  # the previous folder is back in place
