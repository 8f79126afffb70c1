"""The one writer: atomic files, nothing half-written, nothing left behind."""

from __future__ import annotations

import os

import pytest

from tablegen.writer import write_all, write_atomic


def test_write_all_writes_every_file_in_sorted_order(tmp_path, caplog):
    caplog.set_level("INFO", logger="tablegen")
    written = write_all(tmp_path, {"b/2.txt": b"two", "a.txt": b"one"})
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["a.txt", "b/2.txt"]
    assert (tmp_path / "b" / "2.txt").read_bytes() == b"two"
    assert [r.getMessage() for r in caplog.records] == [
        f"写入 {tmp_path / 'a.txt'}", f"写入 {tmp_path / 'b' / '2.txt'}"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.docx"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.docx"]


def test_quiet_logs_nothing(tmp_path, caplog):
    caplog.set_level("INFO", logger="tablegen")
    write_all(tmp_path, {"a.txt": b"x"}, quiet=True)
    assert caplog.records == []
