"""`tablegen import` from DOCX and XLSX: round trips, real-export quirks, bad files."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TEST_BOOKS
from tablegen.document import file_path
from tablegen.errors import Report
from tablegen.imports import import_files
from tablegen.kinds import targets
from tablegen.kinds.targets import grid
from tablegen.load.books import load_book_strict
from tablegen.model.book import Agency, Book, Budget, Indicator, Level1, Level2, Project
from tablegen.model.frames import frames
from tablegen.render.context import RenderContext
from tablegen.render.docx import render as render_docx
from tablegen.source.yamlout import dump_book, dump_project
from tablegen.templates import chain_for


def build_docx(book: Book, out: Path) -> Path:
    files = render_docx(targets.document(book), RenderContext(chain_for(None)))
    path = out / f"{book.key}.docx"
    path.write_bytes(files[file_path(book.key, book.title, "docx")])
    return path


def same_document(a: Book, b: Book) -> None:
    """Every field of both books, and the same printed grid (merge styles that print alike)."""
    assert (a.title, a.year, a.money_unit, a.author) == (b.title, b.year, b.money_unit, b.author)
    assert [(x.code, x.name) for x in a.agencies] == [(x.code, x.name) for x in b.agencies]
    for (_, _, p), (_, _, q) in zip(a.numbered(), b.numbered(), strict=True):
        assert p == q
        assert grid(p, a.merge) == grid(q, b.merge)
    assert len(a.projects) == len(b.projects)


@pytest.mark.parametrize("key", ["tianjin-ipa-2024", "binhai-ipa-2026"])
def test_seed_books_round_trip(key, tmp_path):
    book = load_book_strict(TEST_BOOKS / key)
    docx = build_docx(book, tmp_path)
    report = Report()
    import_files([docx], tmp_path / key, report)
    assert report.findings == []
    again = load_book_strict(tmp_path / key)
    same_document(book, again)
    assert (again.frame, again.merge) == (book.frame, book.merge)


TEXT = st.text(alphabet=st.sampled_from(list("知识产权保护项目经费服务企业abcXYZ 123（）《》、：-")),
               min_size=1, max_size=12).map(str.strip).filter(bool)
GOAL = st.text(alphabet=st.sampled_from(list("提高知识产权质量效益abc，")), min_size=1,
               max_size=20)


@st.composite
def books(draw):
    frame_name = draw(st.sampled_from(sorted(frames())))
    frame = frames()[frame_name]
    merge = draw(st.sampled_from(["level1", "level1+level2", "none"]))
    n_ind = draw(st.integers(1, 40))
    pairs = [(l1, l2) for l1, l2s in frame.levels.items() for l2 in l2s]
    chosen = sorted(draw(st.lists(st.sampled_from(range(len(pairs))), min_size=1, max_size=n_ind)))
    chosen = (chosen * n_ind)[:n_ind]
    chosen.sort()
    levels: list[Level1] = []
    for index in chosen:
        l1, l2 = pairs[index]
        if not levels or levels[-1].name != l1:
            levels.append(Level1(l1))
        if not levels[-1].groups or levels[-1].groups[-1].name != l2:
            levels[-1].groups.append(Level2(l2))
        name = draw(TEXT)
        desc = draw(st.one_of(st.none(), TEXT.map(lambda t: t + "描述")))
        levels[-1].groups[-1].indicators.append(Indicator(name=name, value=draw(TEXT),
                                                          description=desc))
    fiscal = draw(st.one_of(st.none(), st.decimals(0, 10**6, places=2)))
    other = draw(st.one_of(st.none(), st.decimals(0, 10**6, places=2)))
    total = (fiscal or Decimal(0)) + (other or Decimal(0))
    project = Project(name=draw(TEXT) + "项目", budget=Budget(total, fiscal, other),
                      usage=draw(st.one_of(st.just(""), TEXT)), goals=draw(st.lists(GOAL, min_size=1,
                                                                                   max_size=3)),
                      indicators=levels, file="p.yaml")
    # A name never starts with a digit: printed after the code, it could not be told apart.
    agency = Agency(draw(st.from_regex(r"\A[0-9]{6}\Z")), "单位" + draw(TEXT), [project])
    return Book(key="g", title=draw(TEXT) + "标题", year=draw(st.integers(2000, 2099)),
                money_unit=draw(st.sampled_from(["元", "千元", "万元"])), frame=frame_name,
                merge=merge, agencies=[agency])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(books())
def test_generated_books_round_trip(tmp_path, book):
    work = tmp_path / f"w{abs(hash(book.title)) % 10**8}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "g").mkdir(parents=True)
    (work / "g" / "p.yaml").write_text(dump_project(book.projects[0]), encoding="utf-8")
    (work / "g" / "book.yaml").write_text(dump_book(book, [["p.yaml"]]), encoding="utf-8")
    original = load_book_strict(work / "g")  # the generated book is valid as written
    docx = build_docx(original, work)
    report = Report()
    import_files([docx], work / "back", report)
    assert report.errors == []
    same_document(original, load_book_strict(work / "back"))


# ---- files made to look like real exports, built with python-docx, not by tablegen ----

def cell_runs(cell, *parts):
    """Text in several runs with mixed formatting."""
    p = cell.paragraphs[0]
    for i, part in enumerate(parts):
        run = p.add_run(part)
        run.bold = i % 2 == 0


def export_like(path: Path, unit: str = "万元") -> None:
    doc = Document()
    doc.add_paragraph("说明：以下为部门项目支出绩效目标表。")
    other = doc.add_table(rows=2, cols=2)  # not a target table
    other.cell(0, 0).text, other.cell(0, 1).text = "序号", "事项"
    other.cell(1, 0).text, other.cell(1, 1).text = "1", "其他"
    doc.add_paragraph("")  # an empty heading: the name comes from 项目名称
    doc.add_paragraph(f"610101天津市知识产权局\t\t单位：{unit}")  # agency line as a paragraph
    budget = doc.add_table(rows=4, cols=7)
    budget.cell(0, 0).text = "项目名称"
    merged = budget.cell(0, 1).merge(budget.cell(0, 6))
    cell_runs(merged, "2024年", "知识产权", "宣传项目")
    for i, text in enumerate(["预算规模及资金用途", "预算数", "12.50", "其中：财政    资金", "",
                              "其他资金", "12.50"]):
        budget.cell(1, i).text = text
    budget.cell(2, 1).merge(budget.cell(2, 6)).text = "用于宣传"
    budget.cell(1, 0).merge(budget.cell(2, 0))
    budget.cell(3, 0).text = "绩效目标"
    budget.cell(3, 1).merge(budget.cell(3, 6)).text = "1.开展宣传活动；2.提高公众知晓度。"
    doc.add_paragraph(" ")
    grid1 = doc.add_table(rows=3, cols=5)
    rows1 = [["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"],
             ["产出指标", "数量指标", "宣传活动次数", "宣传活动次数", "≥4次"],
             ["产出指标", "质量指标", "活动覆盖率", "活动覆盖率", "≥90%"]]
    for r, row in enumerate(rows1):
        for c, text in enumerate(row):
            grid1.cell(r, c).text = text
    doc.add_page_break()
    grid2 = doc.add_table(rows=4, cols=5)  # the grid goes on after a page break
    rows2 = [["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"],
             ["满意度指标", "服务对象满意度指标", "公众满意度", "公众满意度", "≥85%"],
             ["", "", "", "", ""], ["", "", "", "", ""]]
    for r, row in enumerate(rows2):
        for c, text in enumerate(row):
            grid2.cell(r, c).text = text
    doc.save(path)


EXPECTED_PROJECT = """\
# yaml-language-server: $schema=../../build/schema/project.schema.json
# 源文件中此表的标题为空；标题按项目名称生成。
name: 2024年知识产权宣传项目
budget:
  total: 12.50
  fiscal:
  other: 12.50
usage: 用于宣传
goals:
  - 开展宣传活动；
  - 提高公众知晓度。
indicators:
  产出指标:
    数量指标:
      - name: 宣传活动次数
        value: ≥4次
    质量指标:
      - name: 活动覆盖率
        value: ≥90%
  满意度指标:
    服务对象满意度指标:
      - name: 公众满意度
        value: ≥85%
"""


def test_a_real_export_imports_to_the_expected_yaml(tmp_path):
    src = tmp_path / "export.docx"
    export_like(src)
    report = Report()
    written = import_files([src], tmp_path / "book", report)
    assert [f.text() for f in report.findings] == [
        f"{src}:1:1: warning[import-skipped]: 表格“序号 | 事项”（第 1 张表之前）：这不是项目支出绩效目标表，"
        "已跳过"]
    assert sorted(p.name for p in written) == ["2024年知识产权宣传项目.yaml", "book.yaml"]
    assert (tmp_path / "book" / "2024年知识产权宣传项目.yaml").read_text(encoding="utf-8") == \
        EXPECTED_PROJECT
    book_yaml = (tmp_path / "book" / "book.yaml").read_text(encoding="utf-8")
    assert "money_unit: 万元\nframe: classic\nmerge: none\n" in book_yaml
    assert '  - code: "610101"\n    name: 天津市知识产权局\n' in book_yaml
    load_book_strict(tmp_path / "book")


def test_importing_into_an_existing_book_adds_only_the_new_projects(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", book)
    before = {p.name: p.read_bytes() for p in book.iterdir()}
    text = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(text.replace("agencies:", "# 保留这条注释\nagencies:"),
                                    encoding="utf-8")
    src = tmp_path / "export.docx"
    export_like(src, unit="元")  # the book's unit
    import_files([src], book, Report())
    after = (book / "book.yaml").read_text(encoding="utf-8")
    assert "# 保留这条注释\n" in after
    assert after.endswith('      - 中央2025年安可替代专项-津财行政指[2025]69号.yaml\n'
                          '      - 2024年知识产权宣传项目.yaml\n')
    for name, data in before.items():
        if name != "book.yaml":
            assert (book / name).read_bytes() == data
    assert len(load_book_strict(book).projects) == 4
    # Importing the same file again adds nothing and says so.
    report = Report()
    import_files([src], book, report)
    assert [f.rule for f in report.findings] == ["import-skipped", "import-exists"]
    assert len(load_book_strict(book).projects) == 4


def test_a_new_agency_is_appended(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", book)
    src = tmp_path / "export.docx"
    export_like(src, unit="元")  # the book's unit
    data = src.read_bytes()
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        items = {n: z.read(n) for n in z.namelist()}
    items["word/document.xml"] = items["word/document.xml"].replace(
        "610101天津市知识产权局".encode(), "610999新单位".encode())
    with zipfile.ZipFile(src, "w") as z:
        for n, d in items.items():
            z.writestr(n, d)
    import_files([src], book, Report())
    loaded = load_book_strict(book)
    assert [(a.code, a.name, len(a.projects)) for a in loaded.agencies] == [
        ("610101", "天津市滨海新区知识产权局", 3), ("610999", "新单位", 1)]


@pytest.mark.parametrize("content, message", [
    (b"", "文件是空的"),
    (b"%PDF-1.7\n1 0 obj\n", "这是 PDF 文件，不是 DOCX；请导入原始的 DOCX 文件"),
    (b"PK\x03\x04garbage-not-a-zip", "文件已损坏或不是 DOCX（无法按 ZIP 格式打开）"),
])
def test_bad_files_give_a_clear_error_and_write_nothing(tmp_path, run, content, message):
    src = tmp_path / "bad.docx"
    src.write_bytes(content)
    target = tmp_path / "targets" / "book"
    target.mkdir(parents=True)
    (target / "keep.txt").write_text("x", encoding="utf-8")
    code, out, err = run("import", str(src), "--into", str(target), cwd=tmp_path)
    assert code == 1
    assert err.strip() == f"错误：bad.docx：{message}"
    assert "Traceback" not in out + err
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_a_docx_without_a_document_part(tmp_path, run):
    import zipfile

    src = tmp_path / "x.docx"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    code, _, err = run("import", str(src), "--into", str(tmp_path / "out"), cwd=tmp_path)
    assert code == 1
    assert err.strip() == "错误：x.docx：不是有效的 DOCX 文件（缺少 word/document.xml）"
    assert not (tmp_path / "out").exists()


def test_xlsx_sheets_import(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "表1"
    ws.append(["1.2024年知识产权宣传项目绩效目标表"])
    ws.append(["610101天津市知识产权局", None, None, None, None, None, "单位：万元"])
    ws.append(["项目名称", "2024年知识产权宣传项目"])
    ws.merge_cells("B3:G3")
    ws.append(["预算规模及资金用途", "预算数", "12.50", "其中：财政资金", None, "其他资金", "12.50"])
    ws.append([None, "用于宣传"])
    ws.merge_cells("A4:A5")
    ws.append(["绩效目标", "1.开展宣传活动；2.提高公众知晓度。"])
    ws.append(["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"])
    ws.append(["产出指标", "数量指标", "宣传活动次数", "宣传活动次数", "≥4次"])
    ws.append(["产出指标", "质量指标", "活动覆盖率", "活动覆盖率", "≥90%"])
    ws.append(["满意度指标", "服务对象满意度指标", "公众满意度", "公众满意度", "≥85%"])
    wb.create_sheet("指标导入").append(["项目名称", "一级指标"])
    src = tmp_path / "sheets.xlsx"
    wb.save(src)
    report = Report()
    import_files([src], tmp_path / "book", report)
    assert report.findings == []
    text = (tmp_path / "book" / "2024年知识产权宣传项目.yaml").read_text(encoding="utf-8")
    assert text == EXPECTED_PROJECT.replace("# 源文件中此表的标题为空；标题按项目名称生成。\n", "")


def test_extra_and_missing_grid_cells_are_reported_not_lost(tmp_path):
    src = tmp_path / "export.docx"
    export_like(src)
    doc = Document(src)
    grid1 = doc.tables[2]
    row = grid1.add_row()
    for i, text in enumerate(["产出指标", "时效指标", "完成时间", "完成时间", "年底前"]):
        row.cells[i].text = text
    doc.tables[3].rows[2].cells[0].text = "多余"
    doc.save(src)
    report = Report()
    import_files([src], tmp_path / "book", report)
    assert [f.message for f in report.findings if f.rule == "import-cells"] == [
        "表“2024年知识产权宣传项目”（第 1 张表）第 11 行第 3 列（三级指标）、第 5 列（指标值）为空："
        "['多余', '', '', '', '']"]
    doc = Document(src)
    extra = doc.tables[2].rows[1]._tr
    import copy
    extra.append(copy.deepcopy(extra.findall(extra.tag.replace("tr", "tc"))[-1]))
    doc.save(src)
    report = Report()
    import_files([src], tmp_path / "book2", report)
    messages = [f.message for f in report.findings if f.rule == "import-cells"]
    assert messages == [
        "表“2024年知识产权宣传项目”（第 1 张表）第 6 行多出 1 个单元格，已忽略：['≥4次']",
        "表“2024年知识产权宣传项目”（第 1 张表）第 11 行第 3 列（三级指标）、第 5 列（指标值）为空："
        "['多余', '', '', '', '']"]


# ---- what Word shows that a naive reader loses or invents (issue: content controls, nested
# tables, altChunk) ----

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str):
    from docx.oxml import OxmlElement

    return OxmlElement(f"w:{tag}")


def wrap_in_control(el, placeholder: bool = False):
    """Put an element inside a content control (`w:sdt`) where it stands."""
    sdt, pr, content = w("sdt"), w("sdtPr"), w("sdtContent")
    if placeholder:
        pr.append(w("showingPlcHdr"))
    sdt.append(pr)
    sdt.append(content)
    el.addprevious(sdt)
    content.append(el)
    return sdt


def import_tree(tmp_path: Path, src: Path) -> tuple[Report, list[Path], set[str]]:
    """Import into tmp_path/book; the report, the files written and every path that is new."""
    from hostile import tree

    before = tree(tmp_path)
    report = Report()
    written = import_files([src], tmp_path / "book", report)
    return report, written, tree(tmp_path) - before


def test_content_controls_at_every_level_are_read(tmp_path, run):
    # Once: a table, a row or a cell inside a content control was dropped (exit 0, a book check
    # refused: 预算数 missing, an indicator gone).
    src = tmp_path / "export.docx"
    export_like(src)
    doc = Document(src)
    budget, grid1, grid2 = doc.tables[1], doc.tables[2], doc.tables[3]
    wrap_in_control(budget._tbl)  # body level
    wrap_in_control(grid1.rows[2]._tr)  # row level: 质量指标 / 活动覆盖率
    wrap_in_control(grid2.rows[1]._tr.tc_lst[4])  # cell level: ≥85%
    run_ = grid1.rows[1].cells[4].paragraphs[0].runs[0]._r  # run level: ≥4次
    wrap_in_control(run_)
    # A control still showing its prompt is empty, not content.
    prompt = grid2.rows[2].cells[3].paragraphs[0].add_run("单击或点击此处输入文字。")._r
    wrap_in_control(prompt, placeholder=True)
    doc.save(src)
    report, written, new = import_tree(tmp_path, src)
    assert [f.text() for f in report.findings] == [
        f"{src}:1:1: warning[import-skipped]: 表格“序号 | 事项”（第 1 张表之前）：这不是项目支出绩效目标表，"
        "已跳过"]
    assert new == {"book", "book/book.yaml", "book/2024年知识产权宣传项目.yaml"}
    assert (tmp_path / "book" / "2024年知识产权宣传项目.yaml").read_text(encoding="utf-8") == \
        EXPECTED_PROJECT
    assert run("check", str(tmp_path / "book"))[0] == 0


def test_a_nested_table_is_the_text_of_its_cell(tmp_path, run):
    # Once: the nested table's rows became rows of the grid, a bogus 一级 `≥4次`, exit 0.
    src = tmp_path / "export.docx"
    export_like(src)
    doc = Document(src)
    cell = doc.tables[2].rows[1].cells[4]
    cell.text = ""
    inner = cell.add_table(rows=2, cols=1)
    inner.cell(0, 0).text, inner.cell(1, 0).text = "≥4次", "（每季度1次）"
    doc.save(src)
    report, written, new = import_tree(tmp_path, src)
    assert [f.text() for f in report.sorted()][1:] == [
        f"{src}:2:1: warning[import-nested]: 表“2024年知识产权宣传项目”（第 1 张表）第 6 行第 5 列中嵌有"
        "表格，已按其文字读入（每格一行）；请核对"]
    text = (tmp_path / "book" / "2024年知识产权宣传项目.yaml").read_text(encoding="utf-8")
    assert "      - name: 宣传活动次数\n        value: |-\n          ≥4次\n          （每季度1次）\n" \
        in text
    assert text.count("name: ") == 4  # the project and its three indicators, none invented
    assert run("check", str(tmp_path / "book"))[0] == 0


def test_what_cannot_be_read_is_named(tmp_path):
    # Once: w:altChunk content (merged in by Word on opening) was skipped without a word.
    src = tmp_path / "export.docx"
    export_like(src)
    doc = Document(src)
    chunk = w("altChunk")
    chunk.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", "rId99")
    doc.element.body.insert(0, chunk)
    doc.save(src)
    report, written, new = import_tree(tmp_path, src)
    assert [f.text() for f in report.sorted()][1:] == [
        f"{src}:1:1: warning[import-unreadable]: 文档中有 1 处嵌入的外部内容（w:altChunk，Word 打开时才"
        "并入正文），无法读取，其中的表格未导入；如其中有绩效目标表，请在 Word 中打开后另存为新的 DOCX "
        "再导入"]
    assert new == {"book", "book/book.yaml", "book/2024年知识产权宣传项目.yaml"}


def test_import_never_leaves_a_book_that_check_refuses(tmp_path, run):
    # Once exit 0 and `写入 book/…`, then `check book` failed: a 一级 no frame knows.
    src = tmp_path / "export.docx"
    export_like(src)
    doc = Document(src)
    doc.tables[2].rows[2].cells[0].text = "产出指票"
    doc.save(src)
    from hostile import tree

    before = tree(tmp_path)
    code, out, err = run("import", "export.docx", "--into", "book", cwd=tmp_path)
    errors = [line for line in out.splitlines() if ": error[" in line]
    assert code == 1
    assert errors == [
        "export.docx:2:1: error[unknown-level1]: 表“2024年知识产权宣传项目”（第 1 张表）：indicators："
        "一级指标“产出指票”不在指标框架 classic 中，是否想写“产出指标”？"]
    assert err == "有错误，未写入任何文件：1 个错误，1 个警告\n"
    assert tree(tmp_path) == before
    # The book was checked in a folder of tablegen's own in the temp folder, removed afterwards.
    import os
    import tempfile

    assert list(Path(tempfile.gettempdir()).glob(f"tablegen-import-{os.getpid()}-*")) == []
