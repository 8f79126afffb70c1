"""The 部门整体 tables in every format, cell for cell against the hand-written expectations of
tests/test_overall.py: HTML (html5lib), DOCX (its cell grid), XLSX (openpyxl, numbers through
their number formats), PDF (pdftotext words); both layouts; the 目录, bookmarks, outline,
repeated headers and cut labels the engines give; LibreOffice's and Calc's pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import html5lib
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import FIXTURES, need_program
from dumps import W, cell_text, composed_of, docx_document, docx_tables, pdf_lines
from tablegen.build import build
from tablegen.kinds import overall as overall_kind
from tablegen.kinds import overall_eval
from tablegen.render.toc_pages import find_pages, page_texts
from test_overall import EVAL, FUNDS, TASKS, overall_book

NS = "{http://www.w3.org/1999/xhtml}"
TARGETS = "天津市知识产权局2024年部门整体支出绩效目标表"
EVALS = "天津市知识产权局2024年部门整体支出绩效自评表"
HEADINGS = {TARGETS: ["1.天津市知识产权局整体支出绩效目标表（2024年度）",
                      "2.天津市知识产权保护中心整体支出绩效目标表（2024年度）"],
            EVALS: ["1.天津市知识产权局整体支出绩效自评表（2024年度）",
                    "2.天津市知识产权保护中心整体支出绩效自评表（2024年度）"]}
FORMATS = ["docx", "html", "pdf", "xlsx"]


def render(book_folder: Path, out: Path) -> None:
    """The book's two 部门整体 documents in every format, drawn by the engines as `build` draws
    them (without the project tables, which tests/test_docx.py … test_pdf.py test; that `build`
    writes these very bytes is tested below)."""
    from tablegen.build import _engine, output_keys
    from tablegen.load.books import load_book_strict
    from tablegen.render.context import RenderContext
    from tablegen.templates import chain_for

    book = load_book_strict(book_folder)
    output_keys([book])
    for kind in (overall_kind, overall_eval):
        doc = kind.document(book)
        for fmt in FORMATS:
            for rel, data in _engine(fmt)(doc, RenderContext(chain_for(book.root, None))).items():
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                (out / rel).write_bytes(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The test book in both layouts, every format (the DOCX 目录 estimated: its cells stay as
    the template has them; LibreOffice's own pages are tested below)."""
    root = tmp_path_factory.mktemp("overall-formats")
    for layout in ("tasks", "funds"):
        render(overall_book(root / "src", layout, layout), root / "out")
    return root / "out"


def test_build_writes_these_very_files_and_links_them_from_the_overview(built, tmp_path,
                                                                      monkeypatch):
    folder = overall_book(tmp_path / "src", "tasks", "tasks")
    monkeypatch.chdir(tmp_path)
    build([folder], tmp_path / "out", FORMATS, quiet=True, toc_pages=False, use_cache=False)
    for title in (TARGETS, EVALS):
        for fmt in FORMATS:
            assert (tmp_path / "out" / "tasks" / f"{title}.{fmt}").read_bytes() == \
                (built / "tasks" / f"{title}.{fmt}").read_bytes(), (title, fmt)
    overview = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    # Each agency's 整体 money and, with its execution data, its 总分 (test_overall.EVAL).
    assert ('<tr><th scope="row">610101天津市知识产权局</th><td class="amount">7307.50</td>'
            '<td class="amount">1085.50</td><td class="amount">6222.00</td><td>95.99</td>'
            "<td>优</td></tr>") in overview
    assert ('<tr><th scope="row">610203天津市知识产权保护中心</th><td class="amount">999.45</td>'
            '<td class="amount">326.45</td><td class="amount">673.00</td><td>96.36</td>'
            "<td>优</td></tr>") in overview
    links = re.findall(r'href="tasks/([^"]+)">([^<]+)', overview)
    # The 整体 documents first, as KINDS orders them: after the book's own page.
    assert links[:3] == [("index.html", "网页"), (f"{TARGETS}.docx", "部门整体 DOCX"),
                         (f"{TARGETS}.html", "部门整体 HTML")]
    assert (f"{EVALS}.pdf", "整体自评 PDF") in links


def expected(key: str, title: str) -> dict[int, list[list[str]]]:
    if title == EVALS:
        return EVAL
    return TASKS if key == "tasks" else FUNDS


CASES = [("tasks", TARGETS), ("funds", TARGETS), ("tasks", EVALS)]


# -- HTML ---------------------------------------------------------------------------------------

def html_cell(el) -> str:
    paragraphs = el.findall(NS + "p")
    if paragraphs:
        return "\n".join("".join(p.itertext()) for p in paragraphs)
    return "".join(el.itertext()).strip()


def html_rows(table) -> list[list[str]]:
    """A table's rows as the DOCX grid has them: a cell under a rowspan is an empty cell of its
    own (a colspan stays one cell), so every text is checked in its column."""
    out: list[list[str]] = []
    below: dict[int, tuple[int, int]] = {}  # grid column → (rows still covered, colspan)
    for tr in table.iter(NS + "tr"):
        cells = iter([c for c in tr if c.tag in (NS + "td", NS + "th")])
        row: list[str] = []
        column = 0
        while True:
            if column in below:
                left, span = below[column]
                row.append("")
                below[column] = (left - 1, span)
                if left == 1:
                    del below[column]
                column += span
                continue
            cell = next(cells, None)
            if cell is None:
                break
            span = int(cell.get("colspan", "1"))
            if int(cell.get("rowspan", "1")) > 1:
                below[column] = (int(cell.get("rowspan")) - 1, span)
            row.append(html_cell(cell))
            column += span
        out.append(row)
    assert not below, "a rowspan reaches past its table"
    return out


def html_tables(path) -> list[tuple[str, list[list[str]]]]:
    """Each section's heading with the rows of its tables (html_rows)."""
    doc = html5lib.parse(path.read_bytes(), treebuilder="lxml", transport_encoding="utf-8").getroot()
    out = []
    for section in doc.iter(NS + "section"):
        heading = "".join(section.find(NS + "h2").itertext())
        out.append((heading, [row for table in section.iter(NS + "table") for row in html_rows(table)]))
    return out


@pytest.mark.parametrize(("key", "title"), CASES)
def test_every_cell_is_in_the_html(built, key, title):
    tables = html_tables(built / key / f"{title}.html")
    assert [h for h, _ in tables] == HEADINGS[title]
    for number, (_, rows) in enumerate(tables, 1):
        assert rows == expected(key, title)[number]


def test_the_html_rowspans_merge_the_labels_and_the_toc_links_each_table(built):
    doc = html5lib.parse((built / "tasks" / f"{TARGETS}.html").read_bytes(), treebuilder="lxml",
                         transport_encoding="utf-8").getroot()
    spans = {"".join(c.itertext()): c.get("rowspan") for c in doc.iter(NS + "th") if c.get("rowspan")}
    # 年度主要任务 over its two header rows, the tasks and 金额合计 (agency 2: 2 + 2 + 1 rows);
    # 任务名称 and 主要内容 over the two header rows; 产出指标 over five rows (agency 1).
    assert spans["年度主要任务"] == "5" and spans["任务名称"] == spans["主要内容"] == "2"
    assert spans["产出指标"] == "4" and spans["效益指标"] == "2"  # the last table's (agency 2)
    links = [a.get("href") for a in doc.iter(NS + "a") if a.get("href")]
    assert links == ["#o1", "#o2"]
    assert [s.get("id") for s in doc.iter(NS + "section")] == ["o1", "o2"]


# -- DOCX ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "title"), CASES)
def test_every_cell_is_in_the_docx(built, key, title):
    tables = docx_tables(built / key / f"{title}.docx")
    assert [h for h, _ in tables] == HEADINGS[title]
    for number, (_, rows) in enumerate(tables, 1):
        assert rows == expected(key, title)[number]


@pytest.mark.parametrize("title", [TARGETS, EVALS])
def test_the_docx_has_bookmarks_a_toc_and_repeated_grid_headers(built, title):
    doc = docx_document(built / "tasks" / f"{title}.docx")
    starts = [b.get(W + "name") for b in doc.iter(W + "bookmarkStart")]
    mark = "_Toc8" if title == TARGETS else "_Toc7"
    assert starts == [f"{mark}00000001", f"{mark}00000002"]
    assert [link.get(W + "anchor") for link in doc.iter(W + "hyperlink")] == starts
    tables = list(doc.iter(W + "tbl"))
    grids = [t for t in tables if t.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None]
    # The indicators' table of each agency repeats its header row on every page.
    assert len(grids) == 2
    assert [cell_text(tc) for tc in grids[0].find(W + "tr").findall(W + "tc")][:3] == [
        "一级指标", "二级指标", "三级指标"]


def test_the_docx_merges_the_labels_vertically(built):
    doc = docx_document(built / "funds" / f"{TARGETS}.docx")
    top = next(doc.iter(W + "tbl"))
    merges = [(cell_text(tc), tc.find(f"{W}tcPr/{W}vMerge").get(W + "val"))
              for tc in top.iter(W + "tc") if tc.find(f"{W}tcPr/{W}vMerge") is not None]
    # 收入构成 over its header, two sources and 合计; 支出构成 over its header, two parts, 合计.
    assert [m for m in merges if m[1] == "restart"] == [("收入构成", "restart"), ("支出构成", "restart")]
    assert len([m for m in merges if m[1] is None]) == 3 + 3


# -- XLSX ---------------------------------------------------------------------------------------

def shown(cell) -> str:
    """A cell as Excel shows it: numbers through their `0.00` / `0.00%` format."""
    if isinstance(cell.value, str):
        return cell.value
    if cell.number_format == "0.00%":
        return f"{cell.value * 100:.2f}%"
    assert cell.number_format == "0.00", cell.coordinate
    return f"{cell.value:.2f}"


def trimmed(row: list[str]) -> list[str]:
    """A row without its trailing empty cells (a sheet row ends at its last value)."""
    while row and not row[-1]:
        row = row[:-1]
    return row


def sheet_rows(ws) -> list[list[str]]:
    """The sheet's rows from row 2 (under the heading) as the DOCX grid has them: a merged range
    is one cell (its value in its first row, empty in the rows under it), so every value is
    checked in its column."""
    merged = {(r, c): m for m in ws.merged_cells.ranges
              for r in range(m.min_row, m.max_row + 1) for c in range(m.min_col, m.max_col + 1)}
    out = []
    for row in ws.iter_rows(min_row=2):
        cells = []
        for c in row:
            m = merged.get((c.row, c.column))
            if m is not None and c.column != m.min_col:
                continue
            first = m is None or c.row == m.min_row
            cells.append(shown(c) if first and c.value is not None else "")
        out.append(trimmed(cells))
    return out


@pytest.mark.parametrize(("key", "title"), CASES)
def test_every_cell_is_in_the_xlsx(built, key, title):
    wb = load_workbook(built / key / f"{title}.xlsx")
    assert wb.sheetnames == ["01-天津市知识产权局", "02-天津市知识产权保护中心"]
    for number, ws in enumerate(wb.worksheets, 1):
        rows = expected(key, title)[number]
        assert ws["A1"].value == HEADINGS[title][number - 1]
        want = [list(row) for row in rows]
        for b in ws.row_breaks.brk:  # a printed page cut inside a 一级 group repeats its label
            first = b.id - 1  # the row after the break, as an index of `rows` (sheet row 2 on)
            if not want[first][0]:
                want[first][0] = next(r[0] for r in reversed(rows[:first]) if r[0])
        assert sheet_rows(ws) == [trimmed(r) for r in want], ws.title


def test_xlsx_amounts_and_shares_are_numbers(built):
    ws = load_workbook(built / "funds" / f"{TARGETS}.xlsx").worksheets[0]
    amounts = [(c.value, c.number_format) for row in ws.iter_rows(min_row=5, max_row=7)
               for c in row if not isinstance(c.value, str) and c.value is not None]
    assert amounts == [(2317.5, "0.00"), (0.3171, "0.00%"), (4990, "0.00"), (0.6829, "0.00%"),
                       (7307.5, "0.00"), (1, "0.00%")]
    ws = load_workbook(built / "tasks" / f"{EVALS}.xlsx").worksheets[1]
    assert [ws.cell(4, c).value for c in range(5, 9)] == [999.45, 977.8, 20, 19.57]


# -- PDF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "title"), CASES)
def test_every_cell_is_in_the_pdf(built, key, title):
    need_program("pdftotext")
    words = pdf_lines(built / key / f"{title}.pdf")
    missing = [cell for rows in expected(key, title).values() for row in rows for cell in row
               if not composed_of(cell, words)]
    assert missing == []


@pytest.mark.parametrize("title", [TARGETS, EVALS])
def test_the_pdf_outline_and_toc_point_at_each_table(built, title):
    need_program("pdftotext")
    pdf = built / "tasks" / f"{title}.pdf"
    reader = PdfReader(pdf)
    outline = [(o.title, reader.get_destination_page_number(o) + 1) for o in reader.outline]
    assert [t for t, _ in outline] == HEADINGS[title]
    assert reader.metadata.title == title
    assert find_pages(page_texts(pdf), HEADINGS[title]) == [p for _, p in outline]
    toc = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    for heading, page in outline:
        line = next(x for x in toc.splitlines() if heading[:12] in x)
        assert line.split()[-1] == str(page)


def test_a_table_cut_by_a_page_repeats_its_header_and_group_label(built):
    pages = page_texts(built / "tasks" / f"{EVALS}.pdf")
    # cover, 目录, agency 1's 自评表 on two pages, agency 2's on one
    assert len(pages) == 5
    header = "一级指标二级指标三级指标年度指标值A全年实际值B分值得分偏差原因分析及改进措施"
    assert "部门单位名称" in pages[2] and pages[3].startswith(header + "效益指标")
    pages = page_texts(built / "tasks" / f"{TARGETS}.pdf")
    assert pages[3].startswith("一级指标二级指标三级指标指标值满意度指标")


# -- LibreOffice and Calc -----------------------------------------------------------------------

def test_libreoffice_shows_every_cell_of_the_docx_and_calc_of_the_xlsx(built, tmp_path):
    need_program("soffice")
    need_program("pdftotext")
    from tablegen.render.toc_pages import to_pdf

    files = [built / key / f"{title}.{fmt}" for key, title in CASES for fmt in ("docx", "xlsx")]
    copies = []
    for i, f in enumerate(files):  # one name each: LibreOffice names its PDFs after the files
        copies.append(tmp_path / f"{i}{f.suffix}")
        copies[-1].write_bytes(f.read_bytes())
    for (key, title), pdf in zip([c for c in CASES for _ in (0, 1)], to_pdf(copies, tmp_path),
                                 strict=True):
        words = pdf_lines(pdf)
        missing = [cell for rows in expected(key, title).values() for row in rows for cell in row
                   if not composed_of(cell, words)]
        assert missing == [], (key, title, pdf.name)


def test_the_docx_toc_pages_are_libreoffices_and_its_grid_header_repeats(tmp_path, caplog):
    need_program("soffice")
    from dumps import docx_toc_pages
    from tablegen.render.toc_pages import to_pdf

    folder = overall_book(tmp_path / "src")
    build([folder], tmp_path / "out", ["docx"], quiet=True, toc_pages=True)
    assert not [m for m in caplog.messages if "找不到" in m]  # every heading and grid row found
    docx = tmp_path / "out" / folder.name / f"{EVALS}.docx"
    (pdf,) = to_pdf([docx], tmp_path)
    pages = page_texts(pdf)
    assert docx_toc_pages(docx) == find_pages(pages, HEADINGS[EVALS]) == [3, 5]
    # LibreOffice moves 效益指标 to the next page whole, under the grid's header row again.
    header = "一级指标二级指标三级指标年度指标值A全年实际值B分值得分偏差原因分析及改进措施"
    assert pages[3].startswith(header + "效益指标")


def long_group(tmp_path):
    """A one-agency book whose 整体 产出指标 has 40 rows: no page holds the group whole."""
    folder = tmp_path / "long"
    shutil.copytree(FIXTURES / "rules" / "overall-valid", folder)
    path = folder / "o.yaml"
    rows = "".join(f"      - name: 测试次数{i}\n        value: ≥2次\n        actual: 2次\n"
                   for i in range(40))
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    数量指标:\n", "    数量指标:\n" + rows), encoding="utf-8")
    return folder


@pytest.mark.parametrize("title", ["测试书（部门整体支出绩效目标表）", "测试书（部门整体支出绩效自评表）"])
def test_a_group_cut_by_a_page_repeats_its_label_in_every_format(tmp_path, title):
    need_program("soffice")
    folder = long_group(tmp_path)
    out = tmp_path / "out"
    build([folder], out, ["docx", "pdf", "xlsx"], quiet=True, toc_pages=True)
    pdf = page_texts(out / folder.name / f"{title}.pdf")
    later = [p for p in pdf[3:] if "测试次数" in p]
    assert later and all(re.search(r"^一级指标.*?指标值.*?产出指标数量指标测试次数", p) for p in later)
    rows = docx_tables(out / folder.name / f"{title}.docx")[0][1]
    assert [r[0] for r in rows].count("产出指标") >= 2
    ws = load_workbook(out / folder.name / f"{title}.xlsx").worksheets[0]
    # Each printed page starts with a 一级 label: the cut 产出指标 again, or a new group.
    after = [ws.cell(b.id + 1, 1).value for b in ws.row_breaks.brk]
    assert "产出指标" in after and None not in after
