"""The build cache never deletes what it did not store, never trusts a guess, and never fails a
build: foreign folders, links, junk and a crashing LibreOffice (issue 19, items 1, 2, 3, 15)."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES
from tablegen import cache as cache_module
from tablegen.build import build
from tablegen.cache import FOLDER, MARK, code_digest, versions
from tablegen.render import toc_pages

KEY = "ab" + "0" * 62  # shaped like an entry's key


@pytest.fixture
def book(tmp_path):
    return Path(shutil.copytree(FIXTURES / "cache", tmp_path / "cache"))


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every path under a folder (links not followed) with its bytes or its link target."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = f"-> {os.readlink(path)}"
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel] = "dir"
    return out


def test_a_folder_named_like_another_programs_cache_is_never_touched(book, tmp_path):
    home = tmp_path / "home"
    pip = home / ".cache" / "pip" / "selfcheck"
    pip.mkdir(parents=True)
    (pip / "abc.json").write_text("{}", encoding="utf-8")
    shaped = home / ".cache" / "output" / KEY[:2]
    shaped.mkdir(parents=True)
    (shaped / KEY).write_bytes(b"someone else's file")
    before = snapshot(home / ".cache")
    build([book], home, ["html"], quiet=True)
    build([book], home, ["html"], quiet=True)
    assert snapshot(home / ".cache") == before
    assert (home / FOLDER / MARK).is_file()


def test_a_cache_folder_tablegen_did_not_make_is_not_used(book, tmp_path, caplog):
    out = tmp_path / "out"
    foreign = out / FOLDER / "output" / KEY[:2]
    foreign.mkdir(parents=True)
    (foreign / KEY).write_bytes(b"a document")
    (out / FOLDER / "notes.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out / FOLDER)
    with caplog.at_level(logging.WARNING, logger="tablegen"):
        result = build([book], out, ["html"], quiet=True)
    assert result.written
    assert snapshot(out / FOLDER) == before
    assert any("不是 tablegen 建立的构建缓存文件夹" in m and "不改动其中任何文件" in m
               for m in caplog.messages)


def test_a_cache_folder_that_is_a_link_is_neither_used_nor_emptied(book, tmp_path, caplog):
    shared = tmp_path / "shared"
    (shared / "output" / KEY[:2]).mkdir(parents=True)
    (shared / "output" / KEY[:2] / KEY).write_bytes(b"a shared document")
    (shared / MARK).write_text(cache_module.MARK_TEXT, encoding="utf-8")  # even marked
    out = tmp_path / "out"
    out.mkdir()
    (out / FOLDER).symlink_to(shared)
    before = snapshot(shared)
    with caplog.at_level(logging.WARNING, logger="tablegen"):
        build([book], out, ["html"], quiet=True)
    assert snapshot(shared) == before
    assert any("不是普通文件夹（是文件或链接）" in m for m in caplog.messages)


def test_the_prune_removes_only_regular_files_shaped_like_its_entries(book, tmp_path):
    out = tmp_path / "out"
    build([book], out, ["html"], quiet=True)
    root = out / FOLDER
    outside = tmp_path / "outside.txt"
    outside.write_text("precious", encoding="utf-8")
    stale = root / "output" / KEY[:2]
    stale.mkdir(parents=True, exist_ok=True)
    (stale / KEY).write_bytes(b"stale entry")  # ours by name, kept by no manifest: pruned
    (stale / ("cd" + "1" * 62)).symlink_to(outside)  # a link named like an entry
    (stale / "notes.txt").write_text("not an entry", encoding="utf-8")
    (stale / ("ab" + "2" * 62)).mkdir()  # a folder where an entry could be
    (root / "mine").mkdir()
    (root / "mine" / ("ab" + "3" * 62)).write_bytes(b"not a kind of ours")
    book_file = book / "a.yaml"
    book_file.write_text(book_file.read_text(encoding="utf-8").replace("1个", "2个"), encoding="utf-8")
    build([book], out, ["html"], quiet=True)
    assert not (stale / KEY).exists()
    assert (stale / ("cd" + "1" * 62)).is_symlink()
    assert outside.read_text(encoding="utf-8") == "precious"
    assert (stale / "notes.txt").is_file()
    assert (stale / ("ab" + "2" * 62)).is_dir()
    assert (root / "mine" / ("ab" + "3" * 62)).is_file()


def test_junk_in_the_cache_never_fails_a_build(book, tmp_path):
    out = tmp_path / "out"
    clean = tmp_path / "clean"
    build([book], clean, ["html", "xlsx"], quiet=True, use_cache=False)
    build([book], out, ["html", "xlsx"], quiet=True)
    root = out / FOLDER
    entries = [p for p in root.rglob("*") if p.is_file() and p.parent.parent.name == "output"]
    for entry in entries:  # a folder where each entry belongs
        entry.unlink()
        entry.mkdir()
        (entry / "x").write_bytes(b"junk")
    manifests = list((root / "manifests").iterdir())
    for m in manifests:
        m.write_bytes(b"\xff\xfe not utf-8 \x80")
    (root / "laid").write_bytes(b"a file where a folder belongs")
    for f in [p for p in out.rglob("*") if p.is_file() and FOLDER not in p.parts]:
        f.unlink()
    result = build([book], out, ["html", "xlsx"], quiet=True)
    assert result.written
    produced = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                if p.is_file() and FOLDER not in p.parts}
    assert produced == {p.relative_to(clean).as_posix(): p.read_bytes() for p in clean.rglob("*")
                        if p.is_file()}


def test_a_cache_path_that_is_a_file_is_left_alone(book, tmp_path, caplog):
    out = tmp_path / "out"
    out.mkdir()
    (out / FOLDER).write_text("a file of the user's", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="tablegen"):
        result = build([book], out, ["html"], quiet=True)
    assert result.written
    assert (out / FOLDER).read_text(encoding="utf-8") == "a file of the user's"


def _fake_soffice(folder: Path, code: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "soffice"
    program.write_text(f"#!/bin/sh\nexit {code}\n", encoding="utf-8")
    program.chmod(0o755)
    return folder


def _toc_numbers(docx: Path) -> list[str]:
    import re

    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return re.findall(r'fldCharType="separate"/></w:r><w:r><w:t>(\d+)</w:t>', xml)


def test_a_failed_measurement_is_not_cached_and_is_measured_next_time(book, tmp_path, monkeypatch,
                                                                      caplog):
    out = tmp_path / "out"
    bin_dir = _fake_soffice(tmp_path / "bin", 134)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with caplog.at_level(logging.WARNING, logger="tablegen"):
        build([book], out, ["docx"], quiet=True)
    warned = [m for m in caplog.messages if m.startswith("DOCX 目录的页码无法测量")]
    assert warned == ["DOCX 目录的页码无法测量：LibreOffice 崩溃了（退出码 134，SIGABRT 信号）；"
                      "目录中的页码是估计值（按每表一页估算），可能与真实页码不同，下次生成时会重新测量"]
    docx = out / "cache" / "缓存测试.docx"
    assert _toc_numbers(docx) == ["3", "4", "5"]
    assert not (out / FOLDER / "output").exists()  # the guess was not cached
    # LibreOffice works again: the 目录 is measured, not served from the cache.
    # (The front matter takes 2 pages, the tables 2, 3 and 1, each laid out alone.)
    class Measured:  # what LibreOffice gives: the parts' page counts
        def __init__(self, pieces: list[toc_pages.Piece], *_: object) -> None:
            self.pieces = pieces

        def result(self) -> list[toc_pages.Laid]:
            return [toc_pages.Laid(n, toc_pages.Measured([1] if p.headings else [],
                                                         [[1] * len(t) for t in p.tables]))
                    for n, p in zip([2, 2, 3, 1], self.pieces, strict=True)]

        def close(self) -> None:
            pass

    monkeypatch.setattr(toc_pages, "PiecesLayout", Measured)
    result = build([book], out, ["docx"], quiet=True)
    assert docx in result.written
    assert _toc_numbers(docx) == ["3", "5", "8"]
    again = build([book], out, ["docx"], quiet=True)
    assert again.written == []  # now measured, it is cached


def test_the_cache_key_follows_the_code_not_the_version(tmp_path, book, monkeypatch, caplog):
    package = Path(cache_module.__file__).resolve().parent
    copy = Path(shutil.copytree(package, tmp_path / "pkg",
                                ignore=shutil.ignore_patterns("__pycache__")))
    first = code_digest(copy)
    template = copy / "default_templates" / "html" / "style.css"
    template.write_text(template.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    code_digest.cache_clear()
    assert code_digest(copy) != first
    code_digest.cache_clear()
    versions.cache_clear()
    assert versions().startswith(f"tablegen-code={code_digest()};")
    assert "tablegen=" not in versions().replace("tablegen-code=", "")
    out = tmp_path / "out"
    build([book], out, ["pdf"], quiet=True)
    # Other code under the same version string: nothing comes from the cache.
    monkeypatch.setattr(cache_module, "versions", lambda: "tablegen-code=other")
    for module in ("tablegen.build", "tablegen.render.pdf", "tablegen.render.pdf_fonts"):
        monkeypatch.setattr(sys.modules[module], "versions", lambda: "tablegen-code=other")
    with caplog.at_level(logging.INFO, logger="tablegen"):
        build([book], out, ["pdf"], quiet=True)
    assert "PDF cache：排版 3 张表，0 张取自缓存" in caplog.messages
