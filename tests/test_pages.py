"""The outputs as laid out on pages: the PDF's text layer, what fits on its line, and the DOCX
and XLSX as LibreOffice prints them. Books come from the seed dumps (tests/seeds), not targets/."""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from conftest import SEED_BOOKS, book_file, need_program
from tablegen.build import build
from tablegen.errors import Report
from tablegen.imports import import_files
from tablegen.kinds.targets import table_rows
from tablegen.load.books import load_book_strict
from tablegen.model.frames import frames
from tablegen.render.toc_pages import page_texts, to_pdf


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """Both seed books imported from their dumps: {key: book folder}."""
    root = tmp_path_factory.mktemp("seeds")
    for key, dump in SEED_BOOKS.items():
        report = Report()
        import_files([dump], root / key, report)
        assert not report.errors
    return {key: root / key for key in SEED_BOOKS}


@pytest.fixture(scope="module")
def pdfs(seeds, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    build(list(seeds.values()), out, ["pdf"], quiet=True)
    return out


def pdftotext(*args: str) -> str:
    need_program("pdftotext")
    return subprocess.run(["pdftotext", *args, "-"], check=True, capture_output=True,
                          text=True).stdout


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("key", sorted(SEED_BOOKS))
def test_pdf_text_reads_the_table_row_by_row(seeds, pdfs, key):
    book = load_book_strict(seeds[key])
    for n, agency, project in book.numbered():
        single = next((pdfs / key / "projects").glob(f"{n:02d}-*.pdf"))
        raw = pdftotext("-raw", str(single))
        assert f"{agency.code}{agency.name} 单位：{book.money_unit}\n" in raw  # one line
        text = _key(raw)
        # Every cell's text in table order, each found after the one before it.
        at = 0
        for row in table_rows(book, n, agency, project):
            for cell in row:
                if not cell.strip():
                    continue
                found = text.find(_key(cell), at)
                assert found >= 0, f"{key} table {n}: {cell!r} is not after {text[at - 40:at]!r}"
                at = found + len(_key(cell))
        assert "：绩效指标" not in text  # the HTML's screen-reader caption stays out


DATE = "2027年10月31日前"
# How each label breaks in its column; a label not named here stays on one line.
LABEL_LINES = {
    "服务对象满意度指标": ["服务对象满意度", "指标"],
    "生态环境成本指标": ["生态环境成本", "指标"],
    "社会公众或服务对象满意度指标": ["社会公众或服务", "对象满意度指标"],
    "预算规模及资金用途": ["预算规模及", "资金用途"],
}


def frame_books(root: Path) -> list[Path]:
    """One book per frame, its one table holding every label of the frame, each row a date."""
    books = []
    for name, frame in frames().items():
        folder = root / name
        folder.mkdir(parents=True)
        lines = ["name: 全部标签", "budget:", "  total: 100.00", "usage: 用途", "goals:",
                 "  - 目标", "indicators:"]
        for level1, level2s in frame.levels.items():
            lines.append(f"  {level1}:")
            for level2 in level2s:
                lines += [f"    {level2}:", "      - name: 完成时限", f"        value: {DATE}"]
        (folder / "p.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / "book.yaml").write_text(
            f"title: 标签\nyear: 2027\nmoney_unit: 万元\nframe: {name}\nagencies:\n  - code: \"100001\"\n"
            "    name: 某单位\n    projects: [p.yaml]\n", encoding="utf-8")
        books.append(folder)
    return books


def page_words(pdf: Path) -> set[str]:
    """Every line of text of every cell: pdftotext's words on one line, joined where they stand
    closer than 0.3 of their height (LibreOffice sets Chinese and digits apart by a little;
    cells stand apart by their margins)."""
    html = pdftotext("-bbox-layout", str(pdf))
    tree = etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))
    out = set()
    for line in tree.iter("line"):
        words = sorted(line.iter("word"), key=lambda w: float(w.get("xmin")))
        text, right = "", None
        for w in words:
            height = float(w.get("ymax")) - float(w.get("ymin"))
            if right is not None and float(w.get("xmin")) - right > 0.3 * height:
                out.add(text)
                text = ""
            text += w.text or ""
            right = float(w.get("xmax"))
        out.add(text)
    return out


def assert_labels_fit(words: set[str], labels: set[str]) -> None:
    assert DATE in words
    for label in sorted(labels):
        want = LABEL_LINES.get(label, [label])
        assert set(want) <= words, f"{label} should print as {want}"


@pytest.fixture(scope="module")
def frame_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("frames")
    books = frame_books(root / "books")
    build(books, root / "out", ["pdf", "docx", "xlsx"], quiet=True)
    return root / "out"


@pytest.mark.parametrize("frame", sorted(frames()))
def test_dates_and_frame_labels_fit_their_lines_in_the_pdf(frame_build, frame):
    labels = set(frames()[frame].levels) | {l2 for v in frames()[frame].levels.values() for l2 in v}
    assert_labels_fit(page_words(frame_build / frame / "标签.pdf"),
                      labels | {"预算规模及资金用途"})


@pytest.mark.parametrize("frame", sorted(frames()))
def test_dates_and_frame_labels_fit_their_lines_in_the_docx(frame_build, frame, tmp_path):
    need_program("soffice")
    labels = set(frames()[frame].levels) | {l2 for v in frames()[frame].levels.values() for l2 in v}
    (pdf,) = to_pdf([frame_build / frame / "标签.docx"], tmp_path)
    assert_labels_fit(page_words(pdf), labels | {"预算规模及资金用途"})


def word_boxes(pdf: Path) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """Every word pdftotext finds with its page (1-based) and box."""
    html = pdftotext("-bbox-layout", str(pdf))
    tree = etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))
    out = []
    for number, page in enumerate(tree.iter("page"), 1):
        for w in page.iter("word"):
            box = tuple(float(w.get(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
            out.append((number, w.text or "", box))
    return out


def test_calc_prints_every_cell_of_the_xlsx_without_overlaps(seeds, tmp_path):
    need_program("soffice")
    key = "tianjin-ipa-2024"
    build([seeds[key]], tmp_path / "out", ["xlsx"], quiet=True)
    (pdf,) = to_pdf([book_file(tmp_path / "out", key, "xlsx", seeds[key])], tmp_path)
    words = word_boxes(pdf)
    text = _key(pdftotext("-raw", str(pdf)))  # a cell's lines stay together in -raw
    book = load_book_strict(seeds[key])
    missing = [(n, cell) for n, agency, project in book.numbered()
               for row in table_rows(book, n, agency, project)
               for cell in row if _key(cell) not in text]
    assert missing == [], missing
    overlaps = []
    for i, (page, word, (x0, y0, x1, y1)) in enumerate(words):
        for page2, word2, (a0, b0, a1, b1) in words[i + 1:]:
            if page2 == page and min(x1, a1) - max(x0, a0) > 0.5 and min(y1, b1) - max(y0, b0) > 1:
                overlaps.append((page, word, word2))
    assert overlaps == [], overlaps


def long_group_book(root: Path, rows: int = 70) -> Path:
    """A book whose one table has a 产出指标 group of `rows` rows: three pages or more."""
    root.mkdir(parents=True)
    lines = ["name: 长表", "budget:", "  total: 100.00", "usage: 用途", "goals:", "  - 目标",
             "indicators:", "  产出指标:", "    数量指标:"]
    for i in range(1, rows + 1):
        lines += [f"      - name: 第{i}项工作", f"        value: ≥{i}个"]
    lines += ["  满意度指标:", "    服务对象满意度指标:", "      - name: 满意度",
              "        value: ≥90%"]
    (root / "p.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "book.yaml").write_text(
        "title: 长表\nyear: 2027\nmoney_unit: 万元\nframe: classic\nagencies:\n"
        "  - code: \"100001\"\n    name: 某单位\n    projects: [p.yaml]\n", encoding="utf-8")
    return root


def test_a_long_group_shows_its_label_on_every_page_of_the_docx(tmp_path):
    need_program("soffice")
    book = long_group_book(tmp_path / "long")
    build([book], tmp_path / "out", ["docx"], quiet=True, toc_pages=True)
    for docx in (tmp_path / "out" / "long" / "长表.docx",
                 next((tmp_path / "out" / "long" / "projects").glob("*.docx"))):
        (pdf,) = to_pdf([docx], tmp_path)
        pages = page_texts(pdf)
        table = [p for p in pages if "第1项工作" in p or "项工作" in p]
        assert len(table) >= 3
        assert all("产出指标" in p for p in table), [p[:40] for p in table]


def test_the_cover_title_breaks_at_a_natural_point(seeds, pdfs, tmp_path):
    key = "binhai-ipa-2026"
    lines = ["天津市滨海新区知识产权局", "2026年项目支出绩效目标表"]
    assert set(lines) <= page_words(book_file(pdfs, key, "pdf", seeds[key]))
    need_program("soffice")
    build([seeds[key]], tmp_path / "out", ["docx"], quiet=True)
    (pdf,) = to_pdf([book_file(tmp_path / "out", key, "docx", seeds[key])], tmp_path)
    assert set(lines) <= page_words(pdf)


def test_progress_moves_per_table_in_every_format(seeds, tmp_path):
    key = "binhai-ipa-2026"  # three tables
    calls: list[tuple[int, int, str]] = []
    build([seeds[key]], tmp_path / "out", ["docx", "html", "pdf", "xlsx"], quiet=True,
          progress=lambda done, total, label: calls.append((done, total, label)))
    by_format = {fmt: [done for done, _, label in calls if label == f"{key} · {fmt}"]
                 for fmt in ("docx", "html", "pdf", "xlsx")}
    # The DOCX and the PDF begin first (LibreOffice and the PDF's workers lay them out
    # meanwhile) and finish their tables after the others, in the reverse of the order begun:
    # the DOCX, which waits on LibreOffice, last.
    assert by_format["docx"] == [0, 10, 11, 12]
    assert by_format["html"] == [0, 3]
    assert by_format["xlsx"] == [3, 4, 5, 6]
    assert by_format["pdf"][:2] == [0, 0] and by_format["pdf"][-1] == 9  # per chunk of tables
    assert len(by_format["pdf"]) > 3
    assert {total for _, total, _ in calls} == {12}


@pytest.mark.parametrize("debug, level", [([], logging.ERROR), (["--debug"], logging.DEBUG)])
def test_library_logs_only_with_debug(run, tmp_path, debug, level):
    try:
        run(*debug, "schema", "--out", str(tmp_path), "-q")
        assert logging.getLogger("weasyprint.progress").getEffectiveLevel() == level
    finally:
        logging.getLogger("weasyprint").setLevel(logging.NOTSET)
