"""Builds and edits killed at any moment leave complete files; two builds at once both finish."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, SEED_BOOKS
from spawn import import_seed_books, tablegen
from tablegen.writer import STAGE

FIRST = "2026年滨海新区知识产权运营促进保护发展工作经费.yaml"


def fifty_table_book(root: Path) -> Path:
    """A 50-table book generated from a seed project (imported from the seed dump)."""
    seeds = import_seed_books(root / "seeds")
    source = seeds / "binhai-ipa-2026"
    book = root / "book50"
    book.mkdir()
    text = (source / FIRST).read_text(encoding="utf-8")
    names = []
    for i in range(1, 51):
        name = f"p{i:02d}.yaml"
        (book / name).write_text(text.replace(f"name: {FIRST[:-5]}", f"name: 项目{i:02d}"),
                                 encoding="utf-8")
        names.append(name)
    head = (source / "book.yaml").read_text(encoding="utf-8").split("    projects:")[0]
    (book / "book.yaml").write_text(
        head + "    projects:\n" + "".join(f"      - {n}\n" for n in names), encoding="utf-8")
    return book


def retitle(book: Path, n: int) -> None:
    """Change the book's data so that each build's outputs differ from the last one's (the
    agency's name: the files keep their names, which come from the book's title)."""
    path = book / "book.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [f"    name: 第{n}版单位\n" if line.startswith("    name:") else line for line in lines]
    path.write_text("".join(lines), encoding="utf-8")


def opens(path: Path) -> None:
    """The file is complete: a zip that tests clean, a PDF that parses, whole HTML/JSON."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None, path
    elif path.suffix == ".pdf":
        assert len(PdfReader(path).pages) > 0, path
    elif path.suffix == ".html":
        assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
    elif path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    else:
        raise AssertionError(f"unexpected output {path}")


def outputs(out: Path) -> dict[str, Path]:
    return {p.relative_to(out).as_posix(): p for p in out.rglob("*")
            if p.is_file() and not {STAGE, ".tablegen-cache"} & set(p.relative_to(out).parts)}


def check_complete(out: Path, expected: set[str]) -> None:
    """Every output opens; the set is the full one (a book is switched in whole)."""
    files = outputs(out)
    pdfs = {rel for rel in files if rel.endswith(".pdf")}
    assert set(files) - pdfs == expected
    assert len(pdfs) in (0, 51)  # a PDF build that finished before its kill: all or nothing
    for path in files.values():
        opens(path)
    assert not [p for p in out.rglob("*.tmp")]


def kill_sometime(proc: subprocess.Popen[bytes], chance: random.Random, took: float,
                  writing: Callable[[], bool] | None = None, within: float = 0.0) -> None:
    """SIGKILL the process group: `within` seconds after `writing()` first holds, or without
    it at a random moment of a run that takes `took` seconds."""
    if writing is not None:
        while not writing() and proc.poll() is None:
            time.sleep(0.001)
        time.sleep(chance.uniform(0, within))
    else:
        time.sleep(chance.uniform(0.1, 1.1) * took)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)


def finish(proc) -> str:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return err.decode()


def test_a_build_killed_at_20_random_moments_leaves_every_output_complete(tmp_path):
    book = fifty_table_book(tmp_path)
    tmp = tmp_path / "tmp"  # the temp folder of every build
    tmp.mkdir()
    out = tmp_path / "out"
    args = ("build", str(book), "--out", str(out), "-q")
    finish(tablegen(*args, "--format", "docx,html,xlsx", cwd=tmp_path, tmp=tmp))
    expected = set(outputs(out))
    assert len(expected) == 50 + 5  # 50 project DOCX, book DOCX/XLSX/HTML, overview + its entry
    check_complete(out, expected)
    start = time.monotonic()
    finish(tablegen(*args, "--format", "docx,html", cwd=tmp_path, tmp=tmp))
    took = time.monotonic() - start
    chance = random.Random(14)
    for n in range(20):
        retitle(book, n)
        # Mostly the quick formats; XLSX now and then, and twice a PDF killed while laid out.
        formats = "pdf" if n in (6, 13) else "docx,html,xlsx" if n % 5 == 0 else "docx,html"
        proc = tablegen(*args, "--format", formats, cwd=tmp_path, tmp=tmp)
        # A quarter of the kills land in the write phase itself, which is short.
        writing = (out / STAGE / "loose").exists if n % 4 == 3 else None
        kill_sometime(proc, chance, took, writing, 0.05)
        check_complete(out, expected)
    retitle(book, 20)
    finish(tablegen(*args, "--format", "docx,html", cwd=tmp_path, tmp=tmp))
    check_complete(out, expected)
    assert not (out / STAGE).exists()
    assert "第20版单位" in (out / "book50" / "index.html").read_text(encoding="utf-8")
    # What the killed builds left in the temp folder (fonts, LibreOffice's profile and work
    # folders) went with the next build.
    assert sorted(p.name for p in tmp.iterdir()) == []


def test_two_builds_at_once_both_finish_with_complete_files(tmp_path):
    books = import_seed_books(tmp_path / "books")
    out = tmp_path / "out"
    procs = [tablegen("build", str(books), "--out", str(out), "-q", "--format",
                      "docx,html,xlsx", cwd=tmp_path) for _ in range(2)]
    for proc in procs:
        finish(proc)
    files = outputs(out)
    assert len(files) == 2 * 3 + 13 + 1 + 2  # per book DOCX/XLSX/HTML, 13 tables, overview
    for path in files.values():
        opens(path)
    assert not (out / STAGE).exists()


@pytest.fixture
def messy(tmp_path) -> Path:
    """A book whose 50 project files all need formatting (keys out of order, odd indents)."""
    book = fifty_table_book(tmp_path)
    for path in sorted(book.glob("p*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        budget = lines.index("budget:")
        messy = lines[:1] + lines[budget:budget + 4] + [lines[1]] + lines[budget + 4:]
        path.write_text("\n".join(m.replace("  ", "    ", 1) for m in messy) + "\n",
                        encoding="utf-8")
    return book


def test_fmt_killed_at_random_moments_leaves_each_file_old_or_formatted(messy, tmp_path):
    before = {p.name: p.read_bytes() for p in messy.glob("*.yaml")}
    formatted_copy = tmp_path / "copy"
    formatted_copy.mkdir()
    for name, data in before.items():
        (formatted_copy / name).write_bytes(data)
    start = time.monotonic()
    finish(tablegen("fmt", str(formatted_copy), cwd=tmp_path))
    took = time.monotonic() - start
    after = {p.name: p.read_bytes() for p in formatted_copy.glob("*.yaml")}
    assert sum(after[n] != before[n] for n in before) == 50
    chance = random.Random(15)
    for _ in range(8):
        proc = tablegen("fmt", str(messy), cwd=tmp_path)
        time.sleep(chance.uniform(0.2, 1.0) * took)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        now = {p.name: p.read_bytes() for p in messy.glob("*.yaml")}
        assert set(now) == set(before)
        assert all(now[n] in (before[n], after[n]) for n in now)
    finish(tablegen("fmt", str(messy), cwd=tmp_path))
    assert {p.name: p.read_bytes() for p in messy.glob("*.yaml")} == after
    # The next write into the folder removes what a killed one left half-written.
    (messy / "p01.yaml").write_bytes(before["p01.yaml"])
    finish(tablegen("fmt", str(messy), cwd=tmp_path))
    assert {p.name: p.read_bytes() for p in messy.iterdir()} == after


def yaml_files(book: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in book.iterdir() if p.is_file()}


def old_or_new(book: Path, before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """Every YAML file is the old one or the complete new one; book.yaml lists only files
    that are there (it is written last)."""
    now = {n: d for n, d in yaml_files(book).items() if not n.endswith(".tmp")}
    assert set(before) <= set(now) <= set(after)
    for name, data in now.items():
        assert data in (before.get(name), after[name]), name
    if now["book.yaml"] == after["book.yaml"]:
        assert now == after


EXISTING = ("title: 已有\nyear: 2024\nmoney_unit: 万元\nagencies:\n  - code: \"999\"\n"
            "    name: 别的单位\n    projects:\n      - a.yaml\nframe: classic\nmerge: level1\n")


def existing_book(folder: Path) -> Path:
    """A book of one agency and one project, for `import` and `new` to add to."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "book.yaml").write_text(EXISTING, encoding="utf-8")
    shutil.copy(FIXTURES / "rules" / "valid.yaml", folder / "a.yaml")
    return folder


@pytest.mark.parametrize("command", ["import", "new"])
def test_import_and_new_killed_at_random_moments_leave_no_truncated_yaml(tmp_path, command):
    # `import` adds the 2024 seed's 10 projects to an existing book, `new` one project.
    book = existing_book(tmp_path / "book")
    args = (("import", str(SEED_BOOKS["tianjin-ipa-2024"]), "--into", str(book))
            if command == "import" else ("new", str(book), "2024年新项目"))
    before = yaml_files(book)
    start = time.monotonic()
    finish(tablegen(*args, cwd=tmp_path))
    took = time.monotonic() - start
    after = yaml_files(book)
    assert len(after) == len(before) + (10 if command == "import" else 1)
    chance = random.Random(14)
    cut_short = 0
    # At least 8 kills, and more (up to 40) until two of them cut a run short: where a kill
    # lands depends on the machine's load, and a run that finished first proves little.
    for n in range(40):
        if n >= 8 and cut_short >= 2:
            break
        existing_book(book)
        # Every other kill while it writes (a temporary file is there).
        writing = (lambda: any(p.suffix == ".tmp" for p in book.iterdir())) if n % 2 == 0 else None
        kill_sometime(tablegen(*args, cwd=tmp_path), chance, took, writing, 0.002)
        old_or_new(book, before, after)
        if (book / "book.yaml").read_bytes() == before["book.yaml"]:
            # The next run succeeds, removes what the kill left half-written, and the book
            # checks without errors (a project file written before the kill stays unlisted).
            cut_short += 1
            finish(tablegen(*args, cwd=tmp_path))
            assert not [p for p in book.iterdir() if p.suffix == ".tmp"]
            finish(tablegen("check", str(book), cwd=tmp_path))
    assert cut_short >= 2
