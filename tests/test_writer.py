"""The one writer: atomic files, nothing half-written, nothing left behind."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tablegen.writer import STAGE, WriteError, alive, publish, write_all, write_atomic


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
    with pytest.raises(WriteError) as caught:
        write_atomic(target, b"new")
    assert str(caught.value) == f"无法写入 {target}：磁盘已满。原文件保持不变。"
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.docx"]


def test_quiet_logs_nothing(tmp_path, caplog):
    caplog.set_level("INFO", logger="tablegen")
    write_all(tmp_path, {"a.txt": b"x"}, quiet=True)
    assert caplog.records == []


@pytest.mark.parametrize("rel", ["../x.docx", "/etc/x", "a/../../x", "", ".", "a//b", "a/./b",
                                 "..\\x", f"{STAGE}/x"])
def test_nothing_is_written_outside_the_output_folder(tmp_path, rel):
    out = tmp_path / "out"
    for write in (lambda: write_all(out, {rel: b"x"}), lambda: publish(out, {rel: b"x"})):
        with pytest.raises(WriteError) as caught:
            write()
        assert str(caught.value) == f"拒绝写入输出文件夹 {out} 之外（或保留的）路径：{rel!r}"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) in ([], ["out"])


def test_a_book_folder_is_switched_in_whole(tmp_path):
    out = tmp_path / "out"
    publish(out, {"b/b.docx": b"1", "b/projects/01-x.docx": b"1", "b/projects/02-y.docx": b"1",
                  "b/b.pdf": b"1", "index.html": b"1"}, ["b"], quiet=True)
    # A project removed and a format not built this time: its old DOCX goes, the PDF stays.
    written = publish(out, {"b/b.docx": b"2", "b/projects/01-x.docx": b"2", "index.html": b"2"},
                      ["b"], quiet=True)
    assert [p.relative_to(out).as_posix() for p in written] == [
        "b/b.docx", "b/projects/01-x.docx", "index.html"]
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {
        "b/b.docx": b"2", "b/projects/01-x.docx": b"2", "b/b.pdf": b"1", "index.html": b"2"}


def test_what_a_killed_build_left_is_healed_by_the_next(tmp_path):
    out = tmp_path / "out"
    publish(out, {"b/b.docx": b"1"}, ["b"], quiet=True)
    # Killed between the two renames (systems without an atomic exchange): the old folder waits
    # in the staging folder, with a half-staged new one.
    (out / STAGE / "old").mkdir(parents=True)
    (out / "b").rename(out / STAGE / "old" / "b")
    (out / STAGE / "new" / "b").mkdir(parents=True)
    (out / STAGE / "new" / "b" / "b.docx").write_bytes(b"half")
    publish(out, {"c/c.docx": b"1"}, ["c"], quiet=True)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "b", "b/b.docx", "c", "c/c.docx"]
    assert (out / "b" / "b.docx").read_bytes() == b"1"


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "磁盘已满"),
                                                (errno.EROFS, "文件系统是只读的")])
def test_a_failed_write_leaves_every_old_output(tmp_path, monkeypatch, code, reason):
    out = tmp_path / "out"
    old = {"b/b.docx": b"1", "b/projects/01-x.docx": b"1", "b/projects/02-y.docx": b"1",
           "index.html": b"1"}
    publish(out, old, ["b"], quiet=True)
    real_open = open
    opened = []

    def failing_open(path, *args, **kwargs):
        opened.append(path)
        if len(opened) == 2:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("tablegen.writer.open", failing_open, raising=False)
    with pytest.raises(WriteError) as caught:
        publish(out, {rel: b"2" for rel in old}, ["b"], quiet=True)
    assert str(caught.value) == (
        f"无法写入 {out / 'b' / 'projects' / '01-x.docx'}：{reason}。之前的输出保持不变。")
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == old


@pytest.mark.parametrize("out", ["file", "/dev/null"])
def test_an_output_that_is_not_a_folder_is_refused(tmp_path, out):
    target = tmp_path / "file" if out == "file" else Path(out)
    if out == "file":
        target.write_bytes(b"keep")
    with pytest.raises(WriteError) as caught:
        publish(target, {"index.html": b"x"})
    assert str(caught.value) == f"无法写入 {target}：它不是文件夹。之前的输出保持不变。"
    if out == "file":
        assert target.read_bytes() == b"keep"


def test_a_write_killed_midway_leaves_a_temporary_the_next_write_removes(tmp_path):
    target = tmp_path / "book.yaml"
    target.write_bytes(b"old")
    child = subprocess.run([sys.executable, "-c", (
        "import os, signal\n"
        "from pathlib import Path\n"
        "import tablegen.writer as w\n"
        "def dead(*a): os.kill(os.getpid(), signal.SIGKILL)\n"
        "w.os.replace = dead\n"
        f"w.write_atomic(Path({str(target)!r}), b'new')\n")], check=False)
    assert child.returncode == -9
    assert target.read_bytes() == b"old"
    assert len(list(tmp_path.glob(".book.yaml.*.tmp"))) == 1
    write_atomic(target, b"newer")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.yaml"]


def test_ctrl_c_while_staging_leaves_the_old_outputs_and_no_staging(tmp_path, monkeypatch):
    out = tmp_path / "out"
    publish(out, {"b/b.docx": b"1", "b/b.xlsx": b"1"}, ["b"], quiet=True)

    def interrupted(path, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("tablegen.writer.open", interrupted, raising=False)
    with pytest.raises(KeyboardInterrupt):
        publish(out, {"b/b.docx": b"2", "b/b.xlsx": b"2"}, ["b"], quiet=True)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "b", "b/b.docx", "b/b.xlsx"]
    assert (out / "b" / "b.docx").read_bytes() == b"1"


def test_a_killed_process_not_yet_reaped_is_not_alive():
    """Its font folder may go: a zombie only waits for its parent to collect its exit status."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        for _ in range(200):  # until it has exited (a zombie until waited for)
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                if fh.read().rpartition(")")[2].split()[0] == "Z":
                    break
            time.sleep(0.01)
        assert not alive(pid)
    finally:
        os.waitpid(pid, 0)
    assert alive(os.getpid())
