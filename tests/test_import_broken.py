"""`tablegen import` of broken or hostile sources: a finding naming file, table and cell, or a
clear refusal; never a traceback, never a silent change, nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from conftest import SEED_BOOKS
from tablegen.errors import Report
from tablegen.imports import import_files
from test_import_docx import export_like

TABLE1 = "表“2024年知识产权宣传项目”（第 1 张表）："  # as the officer counts tables in Word


def export_with_budget(path: Path, total: str) -> Path:
    export_like(path)
    doc = Document(str(path))
    budget = next(t for t in doc.tables if t.cell(0, 0).text == "项目名称")
    budget.cell(1, 2).text = total
    doc.save(str(path))
    return path


@pytest.mark.parametrize("total, message", [
    ("四十", f"{TABLE1}“预算数”单元格应为金额（如 40.00），实际为“四十”"),
    ("", f"{TABLE1}“预算数”单元格为空；请在源文件中填写金额"),
    ("40.0051234", f"{TABLE1}“预算数”为 40.0051234，超过 6 位小数；请在源文件中修正（不会自动舍入）"),
    ("NaN", f"{TABLE1}“预算数”单元格应为金额（如 40.00），实际为“NaN”"),
])
def test_a_bad_amount_is_a_finding_printed_once_and_nothing_is_written(tmp_path, run, total,
                                                                        message):
    src = export_with_budget(tmp_path / "export.docx", total)
    code, out, err = run("import", "export.docx", "--into", "book", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "export.docx:1:1: warning[import-skipped]: 表格“序号 | 事项”（第 1 张表之前）：这不是项目支出"
        "绩效目标表，已跳过",
        f"export.docx:2:1: error[import-amount]: {message}"]
    assert "error[" not in err  # once: on stdout, not again on stderr
    assert "Traceback" not in out + err
    assert not (tmp_path / "book").exists()
    assert src.exists()


def xlsx(path: Path, sheet: str, strings: list[str] | None = None) -> Path:
    """A minimal workbook with one sheet whose XML is given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x"/></Relationships>'))
        z.writestr("xl/worksheets/sheet1.xml", (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{sheet}</sheetData></worksheet>"))
    return path


def row(r: int, *cells: str) -> str:
    out = "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{c}</t></is></c>'
                  for i, c in enumerate(cells) if c)
    return f'<row r="{r}">{out}</row>'


TABLE = [
    row(1, "610101天津市知识产权局", "", "", "", "", "", "单位：万元"),
    row(2, "项目名称", "测试项目"),
    '<row r="3"><c r="A3" t="inlineStr"><is><t>预算规模及资金用途</t></is></c>'
    '<c r="B3" t="inlineStr"><is><t>预算数</t></is></c><c r="C3"><f>SUM(E3:G3)</f></c>'
    '<c r="D3" t="inlineStr"><is><t>其中：财政资金</t></is></c><c r="E3"><v>40</v></c></row>',
    row(4, "", "用于测试"),
    row(5, "绩效目标", "1.完成测试"),
    row(6, "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"),
    row(7, "产出指标", "数量指标", "测试次数", "测试次数", "≥1次"),
]


def test_a_formula_without_a_stored_result_is_not_read_as_zero(tmp_path):
    src = xlsx(tmp_path / "t.xlsx", "".join(TABLE))
    report = Report()
    assert import_files([src], tmp_path / "book", report) == []
    assert [f.text() for f in report.errors] == [
        f"{src}:1:1: error[import-amount]: 工作表“表1”：“预算数”单元格为空；请在源文件中填写金额",
        f"{src}:1:1: error[import-formula]: {src}：工作表“表1”单元格 C3 是公式，但文件中没有保存"
        "计算结果；请在 Excel/WPS 中打开并保存后再导入"]
    assert not (tmp_path / "book").exists()


def test_a_stray_cell_at_the_last_address_costs_only_its_cells(tmp_path):
    # Once 175 s and 7.9 GB: the sheet was read as every cell up to XFD1048576.
    table = "".join(TABLE).replace('<c r="C3"><f>SUM(E3:G3)</f></c>', '<c r="C3"><v>40</v></c>')
    src = xlsx(tmp_path / "t.xlsx", table + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    report = Report()
    written = import_files([src], tmp_path / "book", report)
    assert [p.name for p in written] == ["book.yaml", "测试项目.yaml"]
    assert "  total: 40.00\n  fiscal: 40.00\n" in (tmp_path / "book" / "测试项目.yaml").read_text(
        encoding="utf-8")


def test_a_member_that_unpacks_too_large_is_refused(tmp_path, run, monkeypatch):
    src = tmp_path / "bomb.docx"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<" + b" " * (65 * 1024 * 1024))
    assert src.stat().st_size < 200_000
    code, out, err = run("import", "bomb.docx", "--into", "book", cwd=tmp_path)
    assert (code, out) == (1, "")
    assert err == ("错误：bomb.docx：文件中的 word/document.xml 解压后超过 64 MB，不像是正常的表格文件，"
                   "已拒绝\n")


def test_merged_cells_out_of_place_are_reported(tmp_path):
    # The budget label merged across the row: 预算数 and its amount are gone.
    table = "".join(TABLE).replace('<c r="C3"><f>SUM(E3:G3)</f></c>', '<c r="C3"><v>40</v></c>')
    sheet = table + ""
    src = tmp_path / "m.xlsx"
    xlsx(src, sheet)
    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'</sheetData><mergeCells><mergeCell ref="A3:D3"/></mergeCells>')
    with zipfile.ZipFile(src, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    report = Report()
    assert import_files([src], tmp_path / "book", report) == []
    assert [f.rule for f in report.errors] == ["import-amount"]
    assert not (tmp_path / "book").exists()


def test_a_new_agency_with_two_tables_joins_an_existing_book(tmp_path, run):
    # Once `:0:0: error[import-book]` (the seed's own DOCX text dump triggers it).
    book = tmp_path / "book"
    book.mkdir()
    (book / "book.yaml").write_text(
        "title: 已有\nyear: 2024\nmoney_unit: 万元\nagencies:\n  - code: \"999\"\n    name: 别的单位\n"
        "    projects: ~\nframe: classic\nmerge: level1\n", encoding="utf-8")
    code, out, err = run("import", str(SEED_BOOKS["tianjin-ipa-2024"]), "--into", str(book))
    assert code == 0, out + err
    assert run("check", str(book))[0] == 0
    text = (book / "book.yaml").read_text(encoding="utf-8")
    assert text.startswith("title: 已有\nyear: 2024\nmoney_unit: 万元\nagencies:\n  - code: \"999\"\n"
                           "    name: 别的单位\n    projects:\n  - code: \"")
    assert text.endswith("frame: classic\nmerge: level1\n")
    assert text.count(".yaml") == 10


def test_a_book_with_an_error_is_not_imported_into(tmp_path, run):
    # Once every project came in again as `-2` files, exit 0.
    key = "binhai-ipa-2026"
    book = tmp_path / key
    assert run("import", str(SEED_BOOKS[key]), "--into", str(book))[0] == 0
    before = {p.name: p.read_bytes() for p in book.iterdir()}
    project = next(p for p in book.iterdir() if p.name != "book.yaml")
    project.write_text(project.read_text(encoding="utf-8").replace("budget:", "budget: [", 1),
                       encoding="utf-8")
    before[project.name] = project.read_bytes()
    code, out, _ = run("import", str(SEED_BOOKS[key]), "--into", str(book))
    assert code == 1
    assert "error[import-book]: 书中有错误，未导入" in out
    assert {p.name: p.read_bytes() for p in book.iterdir()} == before


def test_a_project_named_book_does_not_take_book_yaml(tmp_path):
    src = export_with_budget(tmp_path / "export.docx", "12.50")
    doc = Document(str(src))
    budget = next(t for t in doc.tables if t.cell(0, 0).text == "项目名称")
    budget.cell(0, 1).text = "book"
    doc.save(str(src))
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "notes.yaml").write_text("别动\n", encoding="utf-8")
    report = Report()
    written = import_files([src], tmp_path / "book", report)
    assert sorted(p.name for p in written) == ["book-2.yaml", "book.yaml"]
    assert (tmp_path / "book" / "notes.yaml").read_text(encoding="utf-8") == "别动\n"


STORED = "".join(TABLE).replace('<c r="C3"><f>SUM(E3:G3)</f></c>', '<c r="C3"><v>40</v></c>')
AMOUNT = '<c r="C3"><v>40</v></c>'
NOT_A_NUMBER = "工作表“表1”：“预算数”单元格应为金额（如 40.00），实际为"


@pytest.mark.parametrize("old, new, finding", [
    (AMOUNT, '<c r="C3"><v>NaN</v></c>', f"error[import-amount]: {NOT_A_NUMBER}“NaN”"),
    (AMOUNT, '<c r="C3"><v>1E+400</v></c>', f"error[import-amount]: {NOT_A_NUMBER}“1E+400”"),
    (AMOUNT, '<c r="C3" t="inlineStr"><is><t>四十</t></is></c>',
     f"error[import-amount]: {NOT_A_NUMBER}“四十”"),
    (AMOUNT, "", "error[import-amount]: 工作表“表1”：“预算数”单元格为空；请在源文件中填写金额"),
    ("单位：万元", "单位：美元",
     "error[import-unit]: 工作表“表1”：无法识别的金额单位“美元”（可用：元、千元、万元）"),
    (row(6, *["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]), "",
     "error[import-grid]: 工作表“表1”：找不到指标表的表头（一级指标 | 二级指标 | …）"),
])
def test_a_bad_xlsx_cell_is_a_finding_printed_once_and_nothing_is_written(tmp_path, run, old,
                                                                          new, finding):
    assert old in STORED
    xlsx(tmp_path / "t.xlsx", STORED.replace(old, new))
    code, out, err = run("import", "t.xlsx", "--into", "book", cwd=tmp_path)
    assert (code, out) == (1, f"t.xlsx:1:1: {finding}\n")
    assert err == "有错误，未写入任何文件：1 个错误，0 个警告\n"
    assert not (tmp_path / "book").exists()


def test_a_level1_group_that_comes_back_keeps_its_place_with_a_warning(tmp_path, run):
    # Once joined with the 产出指标 rows above: the table's order was lost. A budget system's
    # export interleaves groups; the published order is kept (indicators as a list of rows).
    xlsx(tmp_path / "t.xlsx", STORED + row(8, "效益指标", "社会效益指标", "惠及人数", "惠及人数", "≥10人")
         + row(9, "产出指标", "质量指标", "合格率", "合格率", "100%"))
    code, out, err = run("import", "t.xlsx", "--into", "book", cwd=tmp_path)
    assert code == 0, out + err
    assert err.startswith("t.xlsx:1:1: warning[import-order]: 工作表“表1”第 9 行：一级指标“产出指标”"
                          "不连续出现，已按原表的顺序保留（indicators 写成按行排列的列表）\n")
    text = (tmp_path / "book" / "测试项目.yaml").read_text(encoding="utf-8")
    assert text.index("level2: 社会效益指标") < text.index("name: 合格率")
    from tablegen.load.books import load_book_strict

    project = load_book_strict(tmp_path / "book").projects[0]
    assert [(a.name, b.name) for a, b, _ in project.printed()][-2:] == [
        ("效益指标", "社会效益指标"), ("产出指标", "质量指标")]


def test_docx_cells_merged_out_of_place(tmp_path, run):
    # 预算数 merged with its amount: the amount is gone, a finding, nothing written.
    src = tmp_path / "budget.docx"
    export_like(src)
    doc = Document(str(src))
    budget = next(t for t in doc.tables if t.cell(0, 0).text == "项目名称")
    budget.cell(1, 1).merge(budget.cell(1, 2))
    doc.save(str(src))
    code, out, _ = run("import", "budget.docx", "--into", "book", cwd=tmp_path)
    assert code == 1
    assert out.splitlines()[1:] == [
        f"budget.docx:2:1: error[import-amount]: {TABLE1}“预算数”单元格不存在；请在源文件中填写金额"]
    assert not (tmp_path / "book").exists()
    # An indicator row whose last three cells are merged: its text kept in the one cell left,
    # the empty 指标值 it leaves an error check would report. Once exit 0, with a book check
    # refused; now nothing is written.
    src = tmp_path / "grid.docx"
    export_like(src)
    doc = Document(str(src))
    doc.tables[2].cell(1, 2).merge(doc.tables[2].cell(1, 4))
    doc.save(str(src))
    code, out, err = run("import", "grid.docx", "--into", "book", cwd=tmp_path)
    assert (code, out.splitlines()[1:]) == (1, [
        f"grid.docx:2:1: error[empty-text]: {TABLE1}indicators.产出指标.数量指标[1].value：指标值不能为空",
        f"grid.docx:2:1: warning[import-cells]: {TABLE1[:-1]}第 6 行只有 3 个单元格，缺少的按空白处理："
        "['产出指标', '数量指标', '宣传活动次数\\n宣传活动次数\\n≥4次']",
        f"grid.docx:2:1: warning[import-cells]: {TABLE1[:-1]}第 6 行第 5 列（指标值）为空："
        "['产出指标', '数量指标', '宣传活动次数\\n宣传活动次数\\n≥4次', '', '']"])
    assert err == "有错误，未写入任何文件：1 个错误，3 个警告\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.docx", "grid.docx"]


def test_a_folder_without_book_yaml_keeps_its_same_named_file(tmp_path):
    # Once overwritten (exit 0): a folder that is not yet a book still holds someone's files.
    src = export_with_budget(tmp_path / "export.docx", "12.50")
    name = "2024年知识产权宣传项目"
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / f"{name}.yaml").write_text("别动\n", encoding="utf-8")
    report = Report()
    written = import_files([src], tmp_path / "book", report)
    assert sorted(p.name for p in written) == [f"{name}-2.yaml", "book.yaml"]
    assert (tmp_path / "book" / f"{name}.yaml").read_text(encoding="utf-8") == "别动\n"
    book = (tmp_path / "book" / "book.yaml").read_text(encoding="utf-8")
    assert f"      - {name}-2.yaml\n" in book and f"{name}.yaml" not in book


def test_errors_name_the_table_as_the_officer_counts_it(tmp_path, run):
    # Once `第 5 个表格` and `指标表第 2 行`: the count took in the agency lines, which print as
    # borderless tables no reader sees as tables, and restarted rows at the grid.
    from conftest import TEST_BOOKS
    from tablegen.load.books import load_book_strict
    from test_import_docx import build_docx

    src = build_docx(load_book_strict(TEST_BOOKS / "binhai-ipa-2026"), tmp_path)
    doc = Document(str(src))
    budgets = [t for t in doc.tables if t.cell(0, 0).text == "项目名称"]
    assert len(doc.tables) == 9 and len(budgets) == 3  # an agency line, a budget, a grid each
    budgets[1].cell(1, 2).text = "四十"
    grids = [t for t in doc.tables if t.cell(0, 0).text == "一级指标"]
    grids[2].cell(2, 2).text = ""
    doc.save(str(src))
    code, out, err = run("import", src.name, "--into", "book", cwd=tmp_path)
    name = ("2026年关于推动信创产业提升知识产权创造质量和运用效益的重点举措研究项目"
            "（自有资金）（其他收入资金）")
    assert (code, out.splitlines()) == (1, [
        f"{src.name}:2:1: error[import-amount]: 表“{name}”（第 2 张表）：“预算数”单元格应为金额"
        "（如 40.00），实际为“四十”",
        f"{src.name}:3:1: warning[import-cells]: 表“中央2025年安可替代专项-津财行政指[2025]69号”"
        "（第 3 张表）第 7 行第 3 列（三级指标）为空："
        "['', '质量指标', '', '设备验收合格率', '≥90%']"])  # 产出指标 merged from above
    assert not (tmp_path / "book").exists()


def test_a_table_in_another_money_unit_is_not_added_to_a_book(tmp_path, run):
    # Once 12.50 万元 came into a book in 元 as 12.50 元, exit 0.
    import shutil

    from conftest import TEST_BOOKS

    shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", tmp_path / "book")
    before = {p.name: p.read_bytes() for p in (tmp_path / "book").iterdir()}
    export_like(tmp_path / "export.docx")
    code, out, err = run("import", "export.docx", "--into", "book", cwd=tmp_path)
    assert (code, out.splitlines()[1:]) == (1, [
        f"export.docx:2:1: error[import-unit]: {TABLE1}金额单位是万元，而这本书用元；"
        "请在源文件中把金额换算为元后再导入（不会自动换算）"])
    assert {p.name: p.read_bytes() for p in (tmp_path / "book").iterdir()} == before
