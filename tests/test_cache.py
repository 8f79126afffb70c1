"""The build cache: nothing rewritten when nothing changed, one table re-laid per edit, corrupt
entries rebuilt, the same bytes whether built cold or from the cache."""

from __future__ import annotations

import importlib
import logging
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES
from tablegen.build import build
from tablegen.cache import FOLDER, MARK

FORMATS = ["docx", "html", "pdf", "xlsx"]


@pytest.fixture
def book(tmp_path):
    """A copy of the three-table fixture book."""
    return Path(shutil.copytree(FIXTURES / "cache", tmp_path / "cache"))


def outputs(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every output file (the cache aside): its bytes and its mtime in ns."""
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file() and FOLDER not in p.parts}


def entries(out: Path) -> list[Path]:
    return [p for p in (out / FOLDER).rglob("*") if p.is_file() and "manifests" not in p.parts
            and p.name != MARK]


def test_second_build_rewrites_nothing(book, tmp_path, run):
    out = tmp_path / "out"
    first = build([book], out, FORMATS, quiet=True, toc_pages=False)
    before = outputs(out)
    assert len(first.written) == len(before) > 10
    again = build([book], out, FORMATS, quiet=True, toc_pages=False)
    assert again.written == []
    assert again.unchanged == len(before)
    assert outputs(out) == before  # bytes and mtimes
    code, _, err = run("build", str(book), "--out", str(out), "--no-toc-pages")
    assert code == 0
    assert err.splitlines()[-1] == f"没有变化：{out} 中的 {len(before)} 个文件都已是最新，未改写任何文件"


def test_one_value_changed_lays_out_exactly_that_table(book, tmp_path, caplog):
    out = tmp_path / "out"
    with caplog.at_level(logging.INFO, logger="tablegen"):
        build([book], out, ["pdf"], quiet=True)
    assert "PDF cache：排版 3 张表，0 张取自缓存" in caplog.messages
    before = outputs(out)
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tablegen"):
        result = build([book], out, ["pdf"], quiet=True)
    assert "PDF cache：排版 1 张表，2 张取自缓存" in caplog.messages
    assert [p.relative_to(out).as_posix() for p in result.written] == [
        "cache/projects/02-b.pdf", "cache/缓存测试.pdf"]
    assert result.unchanged == 2
    after = outputs(out)
    assert sorted(rel for rel in after if after[rel][0] != before[rel][0]) == [
        "cache/projects/02-b.pdf", "cache/缓存测试.pdf"]
    # The book folder is switched in whole, but the files that kept their bytes keep their mtimes.
    assert sorted(rel for rel in after if after[rel] != before[rel]) == [
        "cache/projects/02-b.pdf", "cache/缓存测试.pdf"]
    assert "≥2个" in "".join(p.extract_text() for p in _pages(out / "cache/projects/02-b.pdf"))
    # A cold build of the edited book makes the same bytes, though it lays the edited table out
    # with its neighbours where this build laid it out alone.
    cold = tmp_path / "cold"
    build([book], cold, ["pdf"], quiet=True, use_cache=False)
    assert {k: v[0] for k, v in outputs(cold).items()} == {k: v[0] for k, v in after.items()}


def test_one_value_changed_packs_exactly_that_tables_own_docx(book, tmp_path, caplog):
    out = tmp_path / "out"
    with caplog.at_level(logging.INFO, logger="tablegen"):
        build([book], out, ["docx"], quiet=True, toc_pages=False)
    assert "DOCX cache：单表文件 3 个新生成，0 个取自缓存" in caplog.messages
    before = outputs(out)
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tablegen"):
        result = build([book], out, ["docx"], quiet=True, toc_pages=False)
    assert "DOCX cache：单表文件 1 个新生成，2 个取自缓存" in caplog.messages
    assert [p.relative_to(out).as_posix() for p in result.written] == [
        "cache/projects/02-b.docx", "cache/缓存测试.docx"]
    after = outputs(out)
    assert sorted(rel for rel in after if after[rel] != before[rel]) == [
        "cache/projects/02-b.docx", "cache/缓存测试.docx"]
    # A cold build of the edited book packs every table's DOCX again: the same bytes.
    cold = tmp_path / "cold"
    build([book], cold, ["docx"], quiet=True, toc_pages=False, use_cache=False)
    assert {k: v[0] for k, v in outputs(cold).items()} == {k: v[0] for k, v in after.items()}


def _pages(pdf: Path) -> list:
    from pypdf import PdfReader

    return list(PdfReader(pdf).pages)


def test_cold_and_cached_builds_are_byte_identical(book, tmp_path):
    cold = tmp_path / "cold"
    build([book], cold, FORMATS, quiet=True, toc_pages=False, use_cache=False)
    assert not (cold / FOLDER).exists()
    warm = tmp_path / "warm"
    build([book], warm, FORMATS, quiet=True, toc_pages=False)
    # Whole outputs from the cache, then PDFs joined again from cached layouts and fonts.
    for drop in ([], ["output"]):
        for kind in drop:
            shutil.rmtree(warm / FOLDER / kind)
        for f in outputs(warm):
            (warm / f).unlink()
        build([book], warm, FORMATS, quiet=True, toc_pages=False)
        assert {k: v[0] for k, v in outputs(warm).items()} == {
            k: v[0] for k, v in outputs(cold).items()}


def test_a_corrupt_cache_entry_is_rebuilt(book, tmp_path, caplog):
    out = tmp_path / "out"
    build([book], out, ["pdf"], quiet=True)
    good = {k: v[0] for k, v in outputs(out).items()}
    for i, entry in enumerate(entries(out)):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if i % 2 else data[:-1] + bytes([data[-1] ^ 1]))
    for f in good:
        (out / f).unlink()
    with caplog.at_level(logging.INFO, logger="tablegen"):
        build([book], out, ["pdf"], quiet=True)
    assert any(m.startswith("缓存条目损坏，已忽略并重建") for m in caplog.messages)
    assert "PDF cache：排版 3 张表，0 张取自缓存" in caplog.messages
    assert {k: v[0] for k, v in outputs(out).items()} == good


def test_unused_entries_are_pruned(book, tmp_path):
    out = tmp_path / "out"
    build([book], out, ["pdf"], quiet=True)
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥3个"), encoding="utf-8")
    build([book], out, ["pdf"], quiet=True)
    count = len(entries(out))
    b.write_text(b.read_text(encoding="utf-8").replace("≥3个", "≥4个"), encoding="utf-8")
    build([book], out, ["pdf"], quiet=True)
    assert len(entries(out)) == count  # the entries of the ≥3个 build went


def test_a_build_with_nothing_to_do_loads_no_engine(book, tmp_path):
    """A no-op `make docs` takes its files from the cache: WeasyPrint (a second to import),
    python-docx and openpyxl are never loaded."""
    out = tmp_path / "out"
    build([book], out, FORMATS, quiet=True, toc_pages=False)
    script = ("import sys; from pathlib import Path; from tablegen.build import build; "
              f"r = build([Path({str(book)!r})], Path({str(out)!r}), {FORMATS!r}, quiet=True, "
              "toc_pages=False); assert r.written == [], r.written; "
              "print(sorted(m for m in ('weasyprint', 'docx', 'docxtpl', 'openpyxl') "
              "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_engines_that_begin_a_document_are_the_ones_with_start():
    from tablegen.render import BEGUN, ENGINES

    for fmt, module in ENGINES.items():
        assert hasattr(importlib.import_module(module), "start") == (fmt in BEGUN), fmt


def test_one_value_changed_renders_that_tables_html_and_docx_xml_only(book, tmp_path, monkeypatch):
    """The web page, the PDF's HTML and the DOCX take every other table's part from the cache:
    after an edit, one HTML fragment and one DOCX table block are made, and the files equal a
    cold build's."""
    from tablegen.cache import Cache

    made: list[str] = []
    put = Cache.put

    def counted(self: Cache, kind: str, key: str, data: bytes) -> None:
        if kind in ("html-fragment", "docx-block"):
            made.append(kind)
        put(self, kind, key, data)

    monkeypatch.setattr(Cache, "put", counted)
    out = tmp_path / "out"
    build([book], out, FORMATS, quiet=True, toc_pages=False)
    assert sorted(made) == ["docx-block"] * 3 + ["html-fragment"] * 3
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    made.clear()
    build([book], out, FORMATS, quiet=True, toc_pages=False)
    assert sorted(made) == ["docx-block", "html-fragment"]
    cold = tmp_path / "cold"
    build([book], cold, FORMATS, quiet=True, toc_pages=False, use_cache=False)
    assert {k: v[0] for k, v in outputs(cold).items()} == {k: v[0] for k, v in outputs(out).items()}


def test_workers_are_started_ahead_unless_the_last_build_read_the_same_files(book, tmp_path,
                                                                             monkeypatch):
    """The PDF's worker and the DOCX's LibreOffice start as the build begins, except when the
    last build of the folder read these very files (nothing to lay out, most likely)."""
    from tablegen.render import pdf_worker, toc_pages

    started: list[str] = []
    monkeypatch.setattr(pdf_worker, "prepare", lambda toc, seeds: started.append("pdf"))
    monkeypatch.setattr(toc_pages, "prepare", lambda toc, seeds: started.append("docx"))
    out = tmp_path / "out"

    def once() -> list[str]:
        started.clear()
        build([book], out, FORMATS, quiet=True, toc_pages=False)
        return sorted(started)

    assert once() == ["docx", "pdf"]
    assert once() == []
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    assert once() == ["docx", "pdf"]
    assert once() == []
    started.clear()
    build([book], out, ["pdf"], quiet=True, toc_pages=False)  # other formats: other inputs
    assert started == ["pdf"]
    started.clear()
    build([book], tmp_path / "cold", FORMATS, quiet=True, toc_pages=False, use_cache=False)
    assert sorted(started) == ["docx", "pdf"]


def test_after_an_edit_no_template_is_compiled_again(book, tmp_path, monkeypatch):
    """The web page's, the PDF's, the overview's templates, the DOCX's table block and the
    DOCX's skeleton (which docxtpl renders from the whole template) are made once and kept in
    the build cache."""
    import jinja2

    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counted(self, source, name=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(name or source[:40])
        return compile_(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    out = tmp_path / "out"
    build([book], out, FORMATS, quiet=True, toc_pages=False)
    assert "index.html.j2" in compiled and len(compiled) > 10
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    compiled.clear()
    build([book], out, FORMATS, quiet=True, toc_pages=False)
    assert compiled == []


def test_after_an_edit_a_new_process_never_loads_docxtpl(book, tmp_path):
    """docxtpl (and python-docx under it) renders the DOCX skeleton; after an edit the skeleton
    comes from the cache, and a build in a new process does not load them (a fifth of a second
    of every `make docs`). Cold, it does: the check can fail."""
    out = tmp_path / "out"
    probe = ("import sys; from pathlib import Path; from tablegen.build import build; "
             f"build([Path({str(book)!r})], Path({str(out)!r}), ['docx'], quiet=True, "
             "toc_pages=False); print(sorted({'docxtpl', 'docx'} & set(sys.modules)))")

    def loaded() -> str:
        return subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                              text=True).stdout.strip()

    assert loaded() == "['docx', 'docxtpl']"
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    assert loaded() == "[]"
    with zipfile.ZipFile(out / "cache" / "缓存测试.docx") as z:
        assert "≥2个" in z.read("word/document.xml").decode("utf-8")


def test_after_an_edit_only_the_edited_file_is_checked_and_every_finding_stays(book, tmp_path,
                                                                               monkeypatch):
    """Each project file's check is kept in the build cache by its text and the book's settings:
    a build in a new process checks only the file that changed, and reports the findings of
    the others as a build without the cache does."""
    from tablegen.load import books, validate

    a = book / "a.yaml"
    a.write_text(a.read_text(encoding="utf-8") + "period: 2024—2026年\n", encoding="utf-8")
    out = tmp_path / "out"
    first = build([book], out, ["html"], quiet=True)
    checked: list[str] = []
    check = validate.check_project_node
    monkeypatch.setattr(books, "check_project_node",
                        lambda root, file, *a, **k: (checked.append(file), check(root, file, *a, **k))[1])
    monkeypatch.setattr(books, "_CHECKED", {})  # as in a new process
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    again = build([book], out, ["html"], quiet=True)
    assert checked == ["b.yaml"]
    cold = build([book], tmp_path / "cold", ["html"], quiet=True, use_cache=False)
    assert [f.text() for f in again.report.sorted()] == [f.text() for f in cold.report.sorted()]
    assert any(f.rule == "unprinted" and f.pos.path.endswith("a.yaml")
               for f in again.report.findings)  # a warning: the layout does not print it
    assert first.report.sorted() == cold.report.sorted()


def test_after_an_edit_only_the_edited_project_is_reviewed(tmp_path, monkeypatch):
    """Each project's target review is kept in the build cache under all its rules read: after
    an edit only the edited project is reviewed, and the overview's review (grades, findings
    and their places) is a cold build's."""
    from conftest import TEST_BOOKS
    from tablegen.review import completeness

    books = Path(shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", tmp_path / "tianjin-ipa-2024"))
    out = tmp_path / "out"
    first = build([books], out, ["html"], quiet=True)
    assert first.review is not None and len(first.review.report.findings) > 10
    reviewed: list[str] = []
    check = completeness.check
    monkeypatch.setattr(completeness, "check",
                        lambda s, report: (reviewed.append(s.project.file), check(s, report))[1])
    edited = sorted(p for p in books.glob("*.yaml") if p.name != "book.yaml")[3]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("value: ", "value: 约", 1), encoding="utf-8")
    again = build([books], out, ["html"], quiet=True)
    assert reviewed == [edited.name]
    cold = build([books], tmp_path / "cold", ["html"], quiet=True, use_cache=False)
    assert again.review is not None and cold.review is not None
    assert [f.text() for f in again.review.report.sorted()] == [
        f.text() for f in cold.review.report.sorted()]
    assert again.review.grades == cold.review.grades
    assert (out / "index.html").read_bytes() == (tmp_path / "cold" / "index.html").read_bytes()


def test_an_entry_read_again_is_kept_not_written_again(book, tmp_path):
    """A build after an edit writes only the entries it made: the ones it read stay as they are
    (their bytes and mtimes), and none goes while it is still used."""
    out = tmp_path / "out"
    build([book], out, FORMATS, quiet=True, toc_pages=False)
    before = {p: p.stat().st_mtime_ns for p in entries(out)}
    b = book / "b.yaml"
    b.write_text(b.read_text(encoding="utf-8").replace("≥1个", "≥2个"), encoding="utf-8")
    build([book], out, FORMATS, quiet=True, toc_pages=False)
    after = {p: p.stat().st_mtime_ns for p in entries(out)}
    kinds = {p.relative_to(out / FOLDER).parts[0] for p in before}
    assert {"checked", "review", "docx-skeleton", "xlsx-workbook", "jinja"} <= kinds
    kept = {p for p in before if p in after}
    parts = {"checked", "review", "docx-skeleton", "xlsx-workbook", "jinja", "sheet", "table",
             "docx-block", "html-fragment", "project-pdf", "project-docx"}
    assert parts <= {p.relative_to(out / FOLDER).parts[0] for p in kept}  # each still used
    assert all(after[p] == before[p] for p in kept)
