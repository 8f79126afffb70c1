"""The PDF output: every cell, outline, real TOC page numbers, fonts, safety, determinism."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, TEST_BOOKS, book_file, need_program
from dumps import composed_of, pdf_lines, uncovered
from tablegen.build import build
from tablegen.kinds.targets import table_rows
from tablegen.load.books import load_book_strict
from tablegen.render.toc_pages import find_pages, page_texts

BOOKS = ["tianjin-ipa-2024", "binhai-ipa-2026"]


@pytest.fixture
def built(seed_build):
    """Both seed books, built once for the session (conftest.seed_build)."""
    return seed_build


def book_pdf(built, key):
    return book_file(built, key, "pdf")


@pytest.mark.parametrize("key", BOOKS)
def test_every_cell_is_in_the_pdf(built, key):
    need_program("pdftotext")
    book = load_book_strict(TEST_BOOKS / key)
    words = pdf_lines(book_pdf(built, key))
    missing = [cell for n, a, p in book.numbered()
               for row in table_rows(book, n, a, p) for cell in row
               if not composed_of(cell, words)]
    assert missing == []


@pytest.mark.parametrize("key", BOOKS)
def test_outline_points_at_each_table(built, key):
    book = load_book_strict(TEST_BOOKS / key)
    reader = PdfReader(book_pdf(built, key))
    texts = page_texts(book_pdf(built, key))
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    tables = [e for e in entries if re.match(r"\d+\.", e[1])]
    assert [t[1] for t in tables] == [book.heading(n, p) for n, _, p in book.numbered()]
    for _, title, page in tables:
        assert re.sub(r"[\W_]+", "", title) in texts[page]
        assert not texts[page - 1].endswith(re.sub(r"[\W_]+", "", title))
    if len(book.agencies) > 1:
        assert [(d, t) for d, t, _ in entries if d == 0] == [
            (0, f"{a.code}{a.name}") for a in book.agencies]
        assert {d for d, _, _ in tables} == {1}
    else:
        assert {d for d, _, _ in entries} == {0}


@pytest.mark.parametrize("key", BOOKS)
def test_toc_numbers_are_the_pages_where_headings_land(built, key):
    book = load_book_strict(TEST_BOOKS / key)
    pdf = book_pdf(built, key)
    landed = find_pages(page_texts(pdf), [book.heading(n, p) for n, _, p in book.numbered()])
    need_program("pdftotext")
    toc = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    listed = [int(m) for m in re.findall(r"绩效目标表[ .]*?(\d+)\s*$", toc, re.M)]
    assert listed == landed
    assert landed[0] == 3


@pytest.mark.parametrize("key", BOOKS)
def test_page_numbers_and_metadata(built, key):
    book = load_book_strict(TEST_BOOKS / key)
    reader = PdfReader(book_pdf(built, key))
    for i, page in enumerate(reader.pages, 1):
        assert page.extract_text().rstrip().endswith(f"— {i} —")
    meta = reader.metadata
    assert (meta.title, meta.author) == (book.title, book.author)
    assert meta["/CreationDate"] == f"D:{book.year}0101000000Z"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_every_font_is_embedded_and_covers_every_character(built):
    for key in BOOKS:
        assert uncovered(book_pdf(built, key)) == []
    for f in sorted(built.rglob("projects/*.pdf")):
        assert uncovered(f) == [], f.name


def font_streams(pdf) -> list[tuple[int, str]]:
    """Each embedded font program of a PDF: its object number and the hash of its bytes."""
    import hashlib

    out = set()
    for page in PdfReader(pdf).pages:
        for ref in page.get("/Resources", {}).get("/Font", {}).values():
            fd = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            for key in ("/FontFile2", "/FontFile3"):
                if key in fd:
                    data = fd[key].get_object().get_data()
                    out.add((fd.raw_get(key).idnum, hashlib.sha256(data).hexdigest()))
    return sorted(out)


def test_each_font_program_is_embedded_once_per_pdf(built):
    from tablegen.render.pdf_fonts import known_fonts

    pdfs = [book_pdf(built, key) for key in BOOKS] + sorted(built.rglob("projects/*.pdf"))
    assert len(pdfs) == 15
    for pdf in pdfs:
        streams = font_streams(pdf)
        assert streams, pdf.name
        assert len({digest for _, digest in streams}) == len(streams), pdf.name  # no copies
        assert len(streams) <= len(known_fonts()), pdf.name


def test_pdf_sizes_stay_small(built):
    assert book_pdf(built, "tianjin-ipa-2024").stat().st_size <= 400 * 1024
    for pdf in sorted(built.rglob("projects/*.pdf")):
        assert pdf.stat().st_size <= 150 * 1024, pdf.name


def test_without_the_system_subsetter_the_pdf_is_the_same(built, tmp_path, monkeypatch):
    """WeasyPrint never subsets (tablegen's uharfbuzz does), so hiding libharfbuzz-subset, as on
    a machine without it, changes nothing: no fontTools fallback, the same bytes."""
    import weasyprint.pdf.fonts as wfonts

    def refused(*args, **kwargs):
        raise AssertionError("WeasyPrint subset a font itself")

    monkeypatch.setattr(wfonts, "harfbuzz_subset", None)
    monkeypatch.setattr(wfonts.Font, "_fonttools_subset", refused)
    monkeypatch.setattr(wfonts.Font, "_harfbuzz_subset", refused)
    key = "binhai-ipa-2026"
    build([TEST_BOOKS / key], tmp_path, ["pdf"], quiet=True, use_cache=False)
    pdf = book_file(tmp_path, key, "pdf")
    assert uncovered(pdf) == []
    assert pdf.read_bytes() == book_pdf(built, key).read_bytes()


def test_project_pdfs(built):
    book = load_book_strict(TEST_BOOKS / "binhai-ipa-2026")
    files = sorted((built / "binhai-ipa-2026" / "projects").glob("*.pdf"))
    assert [f.name for f in files] == [f"{n:02d}-{p.stem}.pdf" for n, _, p in book.numbered()]
    reader = PdfReader(files[0])
    assert reader.pages[0].extract_text().rstrip().endswith("— 1 —")
    assert [o.title for o in reader.outline] == [book.heading(1, book.projects[0])]
    assert reader.metadata.title == book.heading(1, book.projects[0])


def test_headings_and_labels_break_where_a_reader_would(built):
    # Each line of the page is a word of pdftotext: the heading's balanced lines, the label's
    # halves and a cell's last two characters together (not 绩效目 / 标表, 资金用 / 途, 年 / 限).
    need_program("pdftotext")
    binhai = pdf_lines(book_pdf(built, "binhai-ipa-2026"))
    assert {"1.2026年滨海新区知识产权运营促进", "保护发展工作经费绩效目标表",
            "3.中央2025年安可替代专项-", "津财行政指[2025]69号绩效目标表"} <= binhai
    tianjin = pdf_lines(book_pdf(built, "tianjin-ipa-2024"))
    assert {"3.2023年服务业发展资金", "（专利转化专项计划）-中央专款绩效目标表",
            "预算规模及", "资金用途", "信息化系统使用", "年限"} <= tianjin
    assert not {"标表", "表", "途", "限", "信息化系统使用年"} & (binhai | tianjin)


def test_two_builds_are_byte_identical(built, tmp_path):
    build([TEST_BOOKS / "binhai-ipa-2026"], tmp_path, ["pdf"], quiet=True)
    for f in sorted((tmp_path / "binhai-ipa-2026").rglob("*.pdf")):
        assert f.read_bytes() == (built / f.relative_to(tmp_path)).read_bytes(), f.name


def test_markup_in_data_fetches_nothing(tmp_path):
    build([FIXTURES / "html" / "markup"], tmp_path, ["pdf"], quiet=True)
    reader = PdfReader(tmp_path / "markup" / "标记测试.pdf")
    for page in reader.pages:
        assert not page["/Resources"].get("/XObject")
    text = "".join(p.extract_text() for p in reader.pages)
    assert '<img src="http://127.0.0.1:9/x.png">' in text


def test_the_fetcher_reads_only_templates_and_fonts(tmp_path):
    from tablegen.render.pdf_layout import SafeFetcher

    allowed = tmp_path / "templates"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p{}", encoding="utf-8")
    fetcher = SafeFetcher((str(allowed),))
    response = fetcher.fetch((allowed / "ok.css").as_uri())
    assert response.read() == b"p{}"
    for url in ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.invalid/",
                (allowed / ".." / "secret").as_uri(), "data:text/plain,hello"]:
        with pytest.raises(ValueError, match="不允许读取"):
            fetcher.fetch(url)


def test_a_template_that_reaches_outside_fetches_nothing(tmp_path):
    import shutil

    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "html" / "markup", book)
    override = book / "templates" / "html"
    override.mkdir(parents=True)
    (override / "book.html.j2").write_text(
        '{% extends "default:book.html.j2" %}{% block body %}'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/y.png">{{ super() }}'
        "{% endblock %}", encoding="utf-8")
    build([book], tmp_path / "out", ["pdf", "html"], quiet=True)
    reader = PdfReader(tmp_path / "out" / "book" / "标记测试.pdf")
    assert all(not p["/Resources"].get("/XObject") for p in reader.pages)
    page = (tmp_path / "out" / "book" / "index.html").read_text(encoding="utf-8")
    assert '<img src="file:///etc/passwd">' in page  # the user's own template, kept in HTML


def test_without_system_fonts_the_pip_font_prints_chinese(tmp_path):
    need_program("fc-match")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
                    encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(conf))
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "tablegen", "build", str(TEST_BOOKS / "binhai-ipa-2026"),
                    "--format", "pdf", "--out", str(out), "-q"], env=env, check=True, cwd=ROOT,
                   capture_output=True)
    pdf = book_file(out, "binhai-ipa-2026", "pdf")
    from dumps import pdf_fonts

    names = {n for n, _, _ in pdf_fonts(pdf)}
    assert names and all(n.endswith("+tablegen-fallback") for n in names), names
    assert uncovered(pdf) == []
    assert "知识产权" in PdfReader(pdf).pages[2].extract_text()


def test_doctor_names_the_font_files_really_used(run):
    from tablegen.render.pdf_fonts import known_fonts

    code, out, _ = run("doctor")
    assert code == 0
    after = out.split("PDF 实际使用的字体（试排一页正文、标题和页码）：\n")[1].splitlines()
    used = after[:next(i for i, line in enumerate(after) if not line.startswith("  "))]
    assert len(used) == 2  # text (serif) and headings (sans): each a file tablegen subsets itself
    assert all(line.split(" → ")[1].split("（")[0] in known_fonts().values() for line in used)


@pytest.mark.parametrize("way", ["book", "option", "environment"])
def test_a_template_folder_given_by_a_relative_path_builds_the_pdf(tmp_path, run, monkeypatch, way):
    """A book's own templates/html/, `--templates mytpl` and TABLEGEN_TEMPLATES=mytpl, each a
    relative path from the working folder, restyle the PDF (once `relative path can't be
    expressed as a file URI`)."""
    shutil.copytree(FIXTURES / "html" / "merge", tmp_path / "bk")
    folder = {"book": tmp_path / "bk" / "templates", "option": tmp_path / "mytpl",
              "environment": tmp_path / "mytpl"}[way]
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "book.html.j2").write_text(
        '{% extends "default:book.html.j2" %}'
        "{% block body %}<p>CUSTOM-TEMPLATE-MARK</p>{{ super() }}{% endblock %}", encoding="utf-8")
    monkeypatch.delenv("TABLEGEN_TEMPLATES", raising=False)
    if way == "environment":
        monkeypatch.setenv("TABLEGEN_TEMPLATES", "mytpl")
    option = ["--templates", "mytpl"] if way == "option" else []
    code, out, err = run("build", "bk", "--out", "out", "--format", "pdf", *option, cwd=tmp_path)
    assert code == 0, err
    (pdf,) = (tmp_path / "out" / "bk").glob("*.pdf")
    assert "CUSTOM-TEMPLATE-MARK" in PdfReader(pdf).pages[0].extract_text()


def _selfeval_book(root: Path) -> Path:
    book = Path(shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", root / "selfeval-2024"))
    for f in (FIXTURES / "selfeval").glob("*.yaml"):
        shutil.copy(f, book / f.name)
    return book


def test_a_group_cut_by_a_page_break_is_split_in_place_as_a_layout_cut_there_draws_it(tmp_path):
    # WeasyPrint leaves a cut 一级 label at the top of its first page and nothing on the next;
    # tablegen centres it on each page's rows and repeats it, without a second layout. Each seed
    # table a page break cuts is drawn, byte for byte, as the table laid out with its spans cut
    # there (what tablegen did before: a second layout of every such table).
    import pikepdf

    from tablegen.build import documents
    from tablegen.document import split_spans
    from tablegen.render.context import RenderContext
    from tablegen.render.pdf import PdfRenderer
    from tablegen.render.pdf_jobs import Job
    from tablegen.render.pdf_layout import layout, row_pages, split_in_place
    from tablegen.render.pdf_pages import Pages
    from tablegen.templates import chain_for

    def contents(job: Job) -> list[bytes]:
        run = Pages.load(layout(job).runs[0])
        with pikepdf.Pdf.open(io.BytesIO(run.pdf)) as pdf:
            return [bytes(p.Contents.read_bytes()) for p in pdf.pages]

    def cuts(job: Job) -> set[int]:
        from weasyprint import CSS, HTML

        from tablegen.render.pdf_layout import SafeFetcher, process_fonts

        fonts = process_fonts()
        doc = HTML(string=job.html, base_url=job.base_url, url_fetcher=SafeFetcher(job.allowed)
                   ).render(stylesheets=[CSS(string=job.css, font_config=fonts)], font_config=fonts)
        pages = [page for _, page in row_pages([p._page_box for p in doc.pages])]
        assert split_in_place([p._page_box for p in doc.pages]) == set()  # exact in place
        return {k for k in range(1, len(pages)) if pages[k] != pages[k - 1]}

    seen = []
    for root in (TEST_BOOKS / "tianjin-ipa-2024", TEST_BOOKS / "binhai-ipa-2026",
                 _selfeval_book(tmp_path)):
        book = load_book_strict(root)
        book.key = root.name
        for doc in documents(book):
            renderer = PdfRenderer(doc, RenderContext(chain_for(book.root, None)))
            for g in doc.groups:
                for t in g.tables:
                    job = renderer.job(renderer.alone(g, t), starts=(t.anchor,))
                    cut = cuts(job)
                    split = split_spans(t.rows, cut)
                    if split == list(t.rows):
                        continue
                    seen.append((root.name, doc.kind, t.number, sorted(cut)))
                    again = renderer.job(renderer.alone(g, t.with_rows(split)), starts=(t.anchor,))
                    assert contents(job) == contents(again), (root.name, doc.kind, t.number)
    assert seen == [("tianjin-ipa-2024", "targets", 3, [5]), ("tianjin-ipa-2024", "targets", 10, [10]),
                    ("binhai-ipa-2026", "targets", 1, [6, 19]),
                    ("selfeval-2024", "targets", 3, [5]), ("selfeval-2024", "targets", 10, [10]),
                    ("selfeval-2024", "selfeval", 1, [7]), ("selfeval-2024", "selfeval", 3, [6])]


def test_a_table_longer_than_a_block_of_stamps_gets_its_own_pdf_numbered_alike(tmp_path, monkeypatch):
    # Stamps come in blocks; the workers number a table's own PDF from the first block alone.
    # With blocks of one stamp, the 3-page table of binhai-ipa-2026 gets its own PDF from the
    # engine, numbered — 1 — … — 3 — from three blocks: the same bytes as from one block.
    from tablegen.render import pdf

    book = TEST_BOOKS / "binhai-ipa-2026"
    build([book], tmp_path / "one", ["pdf"], quiet=True, use_cache=False)
    monkeypatch.setattr(pdf, "STAMPS", 1)
    build([book], tmp_path / "many", ["pdf"], quiet=True, use_cache=False)
    made = sorted(p.relative_to(tmp_path / "many") for p in (tmp_path / "many").rglob("*.pdf"))
    assert [PdfReader(tmp_path / "many" / p).get_num_pages() for p in made] == [3, 1, 1, 7]
    assert PdfReader(tmp_path / "many" / made[0]).pages[2].extract_text().strip().endswith("— 3 —")
    for rel in made:
        assert (tmp_path / "many" / rel).read_bytes() == (tmp_path / "one" / rel).read_bytes(), rel
