"""The DOCX 目录 measured table by table: every table starts a page, so the book's pages are the
front matter's and each table's, laid out alone and cached by their content."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, TEST_BOOKS, need_program
from tablegen import tempdirs
from tablegen.build import build, documents
from tablegen.cache import Cache
from tablegen.load.books import load_book_strict
from tablegen.render import docx as docx_engine
from tablegen.render import toc_pages
from tablegen.render.context import RenderContext
from tablegen.templates import chain_for


def _generated_book(root: Path) -> Path:
    """30 tables of three agencies: the Tianjin book's ten projects, each three times."""
    src = TEST_BOOKS / "tianjin-ipa-2024"
    book = root / "gen-30"
    book.mkdir()
    text = (src / "book.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("agencies:")
    lines = [head + "agencies:"]
    for a in range(3):
        lines += [f'  - code: "{610301 + a}"', f"    name: 测试单位{a + 1}", "    projects:"]
        for f in sorted(src.glob("*.yaml")):
            if f.name == "book.yaml":
                continue
            name = f"{f.stem}（{a + 1}）"
            project = f.read_text(encoding="utf-8")
            (book / f"{name}.yaml").write_text(
                re.sub(r"(?m)^name: .*$", f"name: {name}", project, count=1), encoding="utf-8")
            lines.append(f"      - {name}.yaml")
    (book / "book.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return book


def _selfeval_book(root: Path) -> Path:
    book = Path(shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", root / "selfeval-2024"))
    for f in (FIXTURES / "selfeval").glob("*.yaml"):
        shutil.copy(f, book / f.name)
    return book


BOOKS = {"tianjin-ipa-2024": lambda root: TEST_BOOKS / "tianjin-ipa-2024",
         "binhai-ipa-2026": lambda root: TEST_BOOKS / "binhai-ipa-2026",
         "selfeval": _selfeval_book, "gen-30": _generated_book}


@pytest.mark.parametrize("key", BOOKS)
def test_the_tables_laid_out_alone_give_the_pages_of_the_whole_book(key, tmp_path, monkeypatch):
    need_program("soffice")
    monkeypatch.setattr(toc_pages, "WHOLE_OVER", 0)  # each table alone, however many
    root = BOOKS[key](tmp_path)
    book = load_book_strict(root)
    book.key = root.name
    seen = 0
    for doc in documents(book):
        ctx = RenderContext(chain_for(book.root, None), None)
        renderer = docx_engine.DocxRenderer(
            ctx.templates.find_for(doc.kind, "docx", f"{doc.template}.docx"), doc)
        pages = docx_engine.estimated_pages(doc)
        assert renderer.pieces(pages) is not None  # every table starts a page
        measuring = docx_engine.Measuring(renderer, ctx)
        assert measuring.parts is not None  # measured part by part
        alone = measuring._measured()
        whole = toc_pages.layout(renderer.whole(pages), [t.heading for t in doc.tables],
                                 [doc.row_texts(t) for t in doc.tables])
        assert alone is not None and whole is not None
        assert alone == whole, doc.label
        # A first build lays the whole book out and cuts it into the same parts' layouts.
        pieces = renderer.pieces(pages)
        assert pieces is not None
        monkeypatch.setattr(toc_pages, "WHOLE_OVER", 0)
        each = toc_pages.layout_pieces(pieces, Cache(None))
        monkeypatch.setattr(toc_pages, "WHOLE_OVER", len(pieces) + 1)
        cut = toc_pages.layout_pieces(pieces, Cache(None), partial(renderer.whole, pages))
        assert each is not None and cut == each, doc.label
        assert len(set(alone.headings)) == len(doc.tables)
        seen += len(doc.tables)
    assert seen >= {"tianjin-ipa-2024": 10, "binhai-ipa-2026": 3, "selfeval": 11, "gen-30": 30}[key]


@pytest.mark.parametrize("key", ["tianjin-ipa-2024", "gen-30"])
def test_pdftotext_finds_the_pages_pypdf_finds(key, tmp_path):
    need_program("soffice")
    need_program("pdftotext")
    root = BOOKS[key](tmp_path)
    book = load_book_strict(root)
    book.key = root.name
    (doc,) = documents(book)
    renderer = docx_engine.DocxRenderer(
        RenderContext(chain_for(book.root, None)).templates.find_for(doc.kind, "docx",
                                                                    f"{doc.template}.docx"), doc)
    src = tmp_path / "book.docx"
    src.write_bytes(renderer.whole(docx_engine.estimated_pages(doc)))
    (pdf,) = toc_pages.to_pdf([src], tmp_path)
    headings, rows = [t.heading for t in doc.tables], [doc.row_texts(t) for t in doc.tables]
    found = []
    for texts in (toc_pages.layout_texts(pdf), toc_pages.page_texts(pdf)):
        pages = toc_pages.find_pages(texts, headings)
        assert pages is not None
        found.append((len(texts), pages, toc_pages.find_rows(texts, pages, rows)))
    assert found[0] == found[1]
    assert found[0][2] is not None


def test_after_one_edit_only_the_edited_table_is_laid_out_again(tmp_path, monkeypatch):
    need_program("soffice")
    book = Path(shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", tmp_path / "book"))
    runs: list[list[int]] = []  # the pages of each file of each LibreOffice run
    wait = toc_pages.Conversion.wait

    def counted(self: toc_pages.Conversion) -> list[Path]:
        pdfs = wait(self)
        runs.append([len(toc_pages.page_texts(pdf)) for pdf in pdfs])
        return pdfs

    monkeypatch.setattr(toc_pages.Conversion, "wait", counted)
    handed: list[bool] = []  # whether each run was handed to the LibreOffice the build started
    init = toc_pages.Conversion.__init__

    def recorded(self: toc_pages.Conversion, files: list[Path], out: Path,
                 standby: toc_pages.Standby | None = None, keep_profile: bool = False) -> None:
        init(self, files, out, standby, keep_profile)
        handed.append(standby is not None and self.profile == standby.profile)

    monkeypatch.setattr(toc_pages.Conversion, "__init__", recorded)
    out = tmp_path / "out"
    build([book], out, ["docx"], quiet=True)
    assert runs == [[15]]  # a first build: the whole book in one run, cut into its parts
    edited = book / "2024年专利代理师资格考试.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("value: ≥1500人", "value: ≥1600人"),
                      encoding="utf-8")
    runs.clear()
    result = build([book], out, ["docx"], quiet=True)
    assert runs == [[1]]  # that table alone (one page)
    assert handed == [True, True]  # to the LibreOffice started as each build began
    assert result.written
    runs.clear()
    assert build([book], out, ["docx"], quiet=True).written == []
    assert runs == [] and handed == [True, True]


def test_a_table_that_does_not_start_a_page_is_measured_in_the_whole_book(tmp_path):
    styles = (b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              b'<w:style w:type="paragraph" w:default="1" w:styleId="Normal"/>'
              b'<w:style w:type="paragraph" w:styleId="H"><w:basedOn w:val="B"/></w:style>'
              b'<w:style w:type="paragraph" w:styleId="B"><w:pPr><w:pageBreakBefore/></w:pPr>'
              b'</w:style></w:styles>')
    opens = docx_engine._opens_page
    assert opens('<w:p><w:pPr><w:pStyle w:val="H"/></w:pPr></w:p>', styles)
    assert opens('<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>', styles)
    assert not opens('<w:p><w:pPr><w:pStyle w:val="H"/><w:pageBreakBefore w:val="0"/></w:pPr>'
                     '</w:p>', styles)
    assert not opens("<w:p><w:r><w:t>x</w:t></w:r></w:p>", styles)
    assert not opens('<w:tbl></w:tbl><w:p><w:pPr><w:pStyle w:val="H"/></w:pPr></w:p>', styles)


def _watched(monkeypatch: pytest.MonkeyPatch, events: list[str]) -> list[toc_pages.Conversion]:
    """Record when LibreOffice starts and is waited for, and when the XLSX renders."""
    from tablegen.render import xlsx as xlsx_engine

    runs: list[toc_pages.Conversion] = []
    init, wait, render = toc_pages.Conversion.__init__, toc_pages.Conversion.wait, xlsx_engine.render

    def started(self: toc_pages.Conversion, *args: Any) -> None:
        init(self, *args)
        runs.append(self)
        events.append("libreoffice starts")

    def waited(self: toc_pages.Conversion) -> list[Path]:
        events.append("libreoffice waited for")
        return wait(self)

    def xlsx(*args: Any) -> dict[str, bytes]:
        events.append("xlsx")
        return render(*args)

    monkeypatch.setattr(toc_pages.Conversion, "__init__", started)
    monkeypatch.setattr(toc_pages.Conversion, "wait", waited)
    monkeypatch.setattr(xlsx_engine, "render", xlsx)
    return runs


def test_libreoffice_lays_the_docx_out_while_the_other_formats_render(tmp_path, monkeypatch):
    need_program("soffice")
    book = Path(shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", tmp_path / "book"))
    events: list[str] = []
    _watched(monkeypatch, events)
    build([book], tmp_path / "out", ["html", "docx", "xlsx"], quiet=True)
    assert events == ["libreoffice starts", "xlsx", "libreoffice waited for"]


def test_a_format_that_fails_stops_libreoffice_and_leaves_nothing(tmp_path, monkeypatch):
    need_program("soffice")
    from tablegen.errors import RenderError
    from tablegen.render import xlsx as xlsx_engine

    book = Path(shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", tmp_path / "book"))
    events: list[str] = []
    runs = _watched(monkeypatch, events)

    def broken(*args: Any) -> dict[str, bytes]:
        events.append("xlsx")
        raise RenderError("坏了")

    monkeypatch.setattr(xlsx_engine, "render", broken)
    with pytest.raises(RenderError):
        build([book], tmp_path / "out", ["docx", "xlsx"], quiet=True)
    assert events == ["libreoffice starts", "xlsx"]
    (run,) = runs
    assert run.process.poll() is not None  # stopped, not left running
    assert tempdirs.office_processes(run.profile) == []  # soffice.bin too, not only its launcher
    assert not run.profile.exists()
    assert not (tmp_path / "out").exists()


def _book_docx(tmp_path: Path) -> Path:
    book = TEST_BOOKS / "binhai-ipa-2026"
    doc = documents(load_book_strict(book))[0]
    renderer = docx_engine.DocxRenderer(
        chain_for(book).find_for(doc.kind, "docx", f"{doc.template}.docx"), doc, Cache(None))
    source = tmp_path / "book.docx"
    source.write_bytes(renderer.whole(docx_engine.estimated_pages(doc)))
    return source


def test_a_conversion_handed_to_a_standby_libreoffice_gives_its_own_runs_pages(tmp_path):
    """`tablegen serve` keeps a LibreOffice started: each layout handed to it is the layout of
    a run of its own, it goes on running between conversions (its empty Writer document keeps
    it), and nothing of either is left running or on disk once it is closed."""
    need_program("soffice")
    source = _book_docx(tmp_path)
    own = tmp_path / "own"
    own.mkdir()
    offices = toc_pages.Offices(kept=True)
    offices.refill()
    standby = offices.lend()
    assert standby is not None and offices.lend() is standby  # lent, still kept
    assert standby.settle(120)  # started, with its Writer document (else it may end after one)
    texts = []
    for n in range(2):
        handed = tmp_path / f"handed{n}"
        handed.mkdir()
        with toc_pages.Conversion([source], handed, standby) as run:
            assert run.profile == standby.profile  # handed over, not a run of its own
            (pdf,) = run.wait()
        texts.append(toc_pages.layout_texts(pdf))
        assert standby.ready() and standby.uses == n + 1
    offices.refill()
    assert offices.lend() is standby  # nothing to refill
    (alone,) = toc_pages.to_pdf([source], own)
    assert len(texts[0]) > 3 and texts == [toc_pages.layout_texts(alone)] * 2
    offices.close()
    assert tempdirs.office_processes(standby.profile) == [] and not standby.profile.exists()


def test_a_conversion_stopped_before_its_end_stops_the_standby_and_another_is_started(tmp_path):
    need_program("soffice")
    offices = toc_pages.Offices(kept=True)
    offices.refill()
    standby = offices.lend()
    assert standby is not None
    with toc_pages.Conversion([_book_docx(tmp_path)], tmp_path, standby) as run:
        assert run.profile == standby.profile
    assert standby.process.poll() is not None  # it may have been busy with the request
    assert tempdirs.office_processes(standby.profile) == [] and not standby.profile.exists()
    assert offices.lend() is None
    offices.refill()
    fresh = offices.lend()
    assert fresh is not None and fresh is not standby
    fresh.uses = toc_pages.STANDBY_USES  # served its share: replaced
    offices.refill()
    third = offices.lend()
    assert third is not None and third is not fresh and fresh.process.poll() is not None
    offices.close()
    assert third.process.poll() is not None and not third.profile.exists()


def test_a_builds_standby_holds_no_document_and_ends_after_its_conversion(tmp_path):
    """A build converts once: its LibreOffice opens no Writer document of its own (that costs
    more than it saves there) and ends after the conversion; serve's is kept (above)."""
    need_program("soffice")
    offices = toc_pages.Offices()
    offices.refill()
    standby = offices.lend()
    assert standby is not None and "private:factory/swriter" not in standby.process.args
    assert offices.lend() is None  # handed over: a second document's run starts its own
    with toc_pages.Conversion([_book_docx(tmp_path)], tmp_path, standby) as run:
        assert run.profile == standby.profile
        (pdf,) = run.wait()
    assert pdf.stat().st_size > 0
    assert standby.process.poll() is not None  # stopped with the run
    assert tempdirs.office_processes(standby.profile) == [] and not standby.profile.exists()
    offices.close()


def test_a_standby_that_ended_is_cleared_away_and_the_conversion_runs_its_own(tmp_path):
    need_program("soffice")
    offices = toc_pages.Offices()
    offices.refill()
    standby = offices.lend()
    assert standby is not None
    standby.process.kill()
    standby.process.wait()
    source = _book_docx(tmp_path)
    with toc_pages.Conversion([source], tmp_path, standby) as run:
        assert run.profile != standby.profile
        assert standby.process.poll() is not None and not standby.profile.exists()
        assert tempdirs.office_processes(standby.profile) == []
        (pdf,) = run.wait()
    assert pdf.stat().st_size > 0
    assert offices.lend() is None  # the ended one is cleared away
    offices.refill()
    kept = offices._standby
    assert kept is not None and kept is not standby
    offices.close()
    assert offices.lend() is None and kept.process.poll() is not None
    assert tempdirs.office_processes(kept.profile) == [] and not kept.profile.exists()


def test_a_build_keeps_libreoffices_profile_once_and_the_next_builds_start_from_it(
        tmp_path, monkeypatch):
    """LibreOffice's first start on a new profile sets it up and restarts. The first build
    keeps the profile LibreOffice wrote (its `user/` folder) in the build cache; the next
    build's LibreOffice starts from it, and lays out the same pages."""
    need_program("soffice")
    starts: list[toc_pages.Standby] = []
    init = toc_pages.Standby.__init__

    def spy(self: toc_pages.Standby, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        starts.append(self)

    monkeypatch.setattr(toc_pages.Standby, "__init__", spy)
    book = Path(shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", tmp_path / "book"))
    out = tmp_path / "out"
    build([book], out, ["docx"], quiet=True)
    key = toc_pages.profile_key()
    assert key is not None and [s.seeded for s in starts] == [False]
    seed = Cache.peek(out / ".tablegen-cache", toc_pages.SEED, key)
    assert seed is not None
    first = tmp_path / "first"
    assert toc_pages.unpack_profile(seed, first)
    assert (first / "user" / "registrymodifications.xcu").is_file()
    edited = next(f for f in sorted(book.glob("*.yaml")) if "≥" in f.read_text(encoding="utf-8"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("≥", "≤", 1), encoding="utf-8")
    build([book], out, ["docx"], quiet=True)  # the edited table laid out again
    assert [s.seeded for s in starts] == [False, True]  # started from the kept profile
    assert Cache.peek(out / ".tablegen-cache", toc_pages.SEED, key) == seed  # kept once
    cold = tmp_path / "cold"
    build([book], cold, ["docx"], quiet=True, use_cache=False)  # a new profile: no cache
    assert [s.seeded for s in starts] == [False, True, False]
    (docx,) = (out / "book").glob("*.docx")
    assert docx.read_bytes() == (cold / "book" / docx.name).read_bytes()


def test_a_profile_archive_unpacks_only_plain_files_under_user(tmp_path):
    """A kept profile comes from the build cache, a folder others may write: only plain files
    and folders under `user/` are unpacked, never a link, a path that leaves the profile or
    anything else; an archive with one is not used at all (LibreOffice starts on a new one)."""
    import io
    import tarfile

    def archive(*members: tuple[str, bytes | None, str | None]) -> bytes:
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w") as tar:
            for name, data, link in members:
                info = tarfile.TarInfo(name)
                if link is not None:
                    info.type, info.linkname = tarfile.SYMTYPE, link
                    tar.addfile(info)
                else:
                    info.size = len(data or b"")
                    tar.addfile(info, io.BytesIO(data or b""))
        return out.getvalue()

    good = archive(("user/registrymodifications.xcu", b"<x/>", None))
    assert toc_pages.unpack_profile(good, tmp_path / "ok")
    assert (tmp_path / "ok" / "user" / "registrymodifications.xcu").read_bytes() == b"<x/>"
    bad = {
        "leaves": archive(("user/../../escaped", b"x", None)),
        "absolute": archive((str(tmp_path / "planted"), b"x", None)),
        "link": archive(("user/link", None, str(tmp_path))),
        "elsewhere": archive(("user/a", b"x", None), ("other/b", b"x", None)),
        "empty": archive(),
        "junk": b"not an archive",
    }
    for name, data in bad.items():
        profile = tmp_path / name
        profile.mkdir()
        assert not toc_pages.unpack_profile(data, profile), name
        assert list(profile.iterdir()) == [], name
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "planted").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["ok", *bad])


def test_an_edit_measured_part_by_part_gives_the_bytes_of_a_cold_build(tmp_path):
    """The default build (LibreOffice's 目录 numbers) after an edit, with only the edited table
    laid out again, writes the files a cold build of the same YAML writes."""
    need_program("soffice")
    book = Path(shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", tmp_path / "book"))
    out = tmp_path / "out"
    build([book], out, ["docx", "html", "xlsx"], quiet=True)
    edited = book / "2024年专利代理师资格考试.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("value: ≥1500人", "value: ≥1600人"),
                      encoding="utf-8")
    build([book], out, ["docx", "html", "xlsx"], quiet=True)
    cold = tmp_path / "cold"
    build([book], cold, ["docx", "html", "xlsx"], quiet=True, use_cache=False)

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
                if p.is_file() and ".tablegen-cache" not in p.parts}

    assert files(out) == files(cold)
    assert len(files(cold)) == 15  # the book's DOCX, HTML, XLSX, 10 tables' DOCX, the overview


def test_a_standby_left_open_goes_when_python_exits(tmp_path):
    need_program("soffice")
    script = ("import time; from tablegen.render.toc_pages import Offices; o = Offices(); "
              "o.refill(); s = o._standby; print(s.profile, flush=True)\n"
              "while not s.ready(): time.sleep(0.05)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=120)
    profile = Path(done.stdout.strip())
    assert tempdirs.office_processes(profile) == [] and not profile.exists()
