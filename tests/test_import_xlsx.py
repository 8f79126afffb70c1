"""`tablegen import` of XLSX cells as the spreadsheet shows them: number formats, dates, hidden
sheets; a cell whose shown text is not certain is refused by its address."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from hostile import tree
from test_import_broken import STORED

EXPECTED = """\
# yaml-language-server: $schema=../../build/schema/project.schema.json
# 源文件中此表的标题为空；标题按项目名称生成。
name: 2024年知识产权宣传项目
budget:
  total: 1234.50
  fiscal:
  other: 1234.50
usage: 用于宣传
goals:
  - 开展宣传活动
indicators:
  产出指标:
    质量指标:
      - name: 活动覆盖率
        value: 98%
    时效指标:
      - name: 完成时间
        value: 2026年12月31日
  满意度指标:
    服务对象满意度指标:
      - name: 公众满意度
        value: ≥85%
"""


def table(ws, name: str) -> None:
    """One target table on a sheet, its numbers typed as Excel stores what an officer types."""
    ws.append(["610101天津市知识产权局", None, None, None, None, None, "单位：万元"])
    ws.append(["项目名称", name])
    ws.append(["预算规模及资金用途", "预算数", 1234.5, "其中：财政资金", None, "其他资金", 1234.5])
    ws["C3"].number_format = "#,##0.00"  # shows 1,234.50
    ws["G3"].number_format = "0.00"
    ws.append([None, "用于宣传"])
    ws.append(["绩效目标", "1.开展宣传活动"])
    ws.append(["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"])
    ws.append(["产出指标", "质量指标", "活动覆盖率", "活动覆盖率", 0.98])  # typed `98%`
    ws["E7"].number_format = "0%"
    ws.append(["产出指标", "时效指标", "完成时间", "完成时间", date(2026, 12, 31)])
    ws["E8"].number_format = 'yyyy"年"m"月"d"日"'
    ws.append(["满意度指标", "服务对象满意度指标", "公众满意度", "公众满意度", "≥85%"])


def test_cells_read_as_shown_and_hidden_sheets_are_not_imported(tmp_path, run):
    # Once `value: '0.98'` and `value: '46387'`, and the hidden old tables became projects.
    wb = Workbook()
    ws = wb.active
    ws.title = "表1"
    table(ws, "2024年知识产权宣传项目")
    old = wb.create_sheet("2023年旧表")
    table(old, "2023年知识产权宣传项目")
    old.sheet_state = "hidden"
    older = wb.create_sheet("草稿")
    table(older, "2022年知识产权宣传项目")
    older.sheet_state = "veryHidden"
    wb.save(tmp_path / "t.xlsx")
    before = tree(tmp_path)
    code, out, err = run("import", "t.xlsx", "--into", "book", cwd=tmp_path)
    assert (code, out) == (0, "")
    assert err.splitlines()[:2] == [
        "t.xlsx:2:1: warning[import-hidden]: 工作表“2023年旧表”是隐藏的工作表，未导入；"
        "如需导入，请在 Excel/WPS 中取消隐藏后再导入",
        "t.xlsx:3:1: warning[import-hidden]: 工作表“草稿”是深度隐藏（在 Excel/WPS 的“取消隐藏”中"
        "也看不到）的工作表，未导入；如需导入，请在 Excel/WPS 中取消隐藏后再导入"]
    assert tree(tmp_path) - before == {"book", "book/book.yaml", "book/2024年知识产权宣传项目.yaml"}
    assert (tmp_path / "book" / "2024年知识产权宣传项目.yaml").read_text(encoding="utf-8") == \
        EXPECTED
    assert run("check", "book", cwd=tmp_path)[0] == 0


STYLES = """<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts><numFmt numFmtId="164" formatCode="{code}"/></numFmts>
<cellXfs><xf numFmtId="0"/><xf numFmtId="{number}"/></cellXfs></styleSheet>"""


def styled(path: Path, cell: str, number: int = 164, code: str = "", date1904: bool = False
           ) -> Path:
    """The test table of test_import_broken with its E7 (the indicator value) replaced."""
    sheet = STORED.replace('<c r="E7" t="inlineStr"><is><t>≥1次</t></is></c>', cell)
    assert sheet != STORED
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'{pr}<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x"/></Relationships>'))
        z.writestr("xl/worksheets/sheet1.xml", (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{sheet}</sheetData></worksheet>"))
        z.writestr("xl/styles.xml", STYLES.format(number=number, code=code.replace('"', "&quot;")))
    return path


@pytest.mark.parametrize("cell, number, code, shown", [
    ('<c r="E7" s="1"><v>46387</v></c>', 31, "", "2026年12月31日"),  # 中文内置格式
    ('<c r="E7" s="1"><v>46387</v></c>', 57, "", "2026年12月"),
    ('<c r="E7" s="1"><v>46387</v></c>', 58, "", "12月31日"),
    ('<c r="E7" s="1"><v>46387</v></c>', 14, "", "2026/12/31"),
    ('<c r="E7" s="1"><v>46387.395833333336</v></c>', 22, "", "2026/12/31 9:30"),
    ('<c r="E7" s="1"><v>0.395833333333333</v></c>', 55, "", "上午9时30分"),
    ('<c r="E7" s="1"><v>0.985</v></c>', 10, "", "98.50%"),
    ('<c r="E7" s="1"><v>1234567</v></c>', 3, "", "1,234,567"),
    ('<c r="E7" s="1"><v>12</v></c>', 164, '"≥"0"家"', "≥12家"),
    ('<c r="E7" s="1"><v>46387</v></c>', 164, "yyyy-mm-dd;@", "'2026-12-31'"),
    ('<c r="E7" s="1"><v>46387</v></c>', 164, "[$-804]yyyy年m月d日", "2026年12月31日"),
    ('<c r="E7" s="1"><v>44925</v></c>', 164, "yyyy/m/d", "2026/12/31"),  # the 1904 system
    ('<c r="E7" s="1" t="inlineStr"><is><t>≥1</t></is></c>', 164, '@"次"', "≥1次"),
])
def test_number_formats_show_as_in_the_spreadsheet(tmp_path, cell, number, code, shown):
    from tablegen.errors import Report
    from tablegen.imports import import_files

    src = styled(tmp_path / "t.xlsx", cell, number, code, date1904=cell.startswith(
        '<c r="E7" s="1"><v>44925'))
    report = Report()
    import_files([src], tmp_path / "book", report)
    assert report.findings == []
    text = (tmp_path / "book" / "测试项目.yaml").read_text(encoding="utf-8")
    assert f"      - name: 测试次数\n        value: {shown}\n" in text


REFUSED = "t.xlsx:1:1: error[import-format]: t.xlsx：工作表“表1”单元格 E7 "
ASK = "；请在源文件中把它改为显示的文字，或改用常规、数值、百分比或日期格式后再导入"


@pytest.mark.parametrize("cell, number, code, finding", [
    ('<c r="E7" s="1"><v>0.985</v></c>', 9, "",
     f"{REFUSED}无法按原样读出（数字格式“0%”：显示为“99%”，但存的值是 0.985（显示时舍入））{ASK}"),
    ('<c r="E7" s="1"><v>46387</v></c>', 15, "",
     f"{REFUSED}无法按原样读出（数字格式“d-mmm-yy”：月份的名称）{ASK}"),
    ('<c r="E7" s="1"><v>46387</v></c>', 164, "[$-F800]dddd, mmmm dd, yyyy",
     f"{REFUSED}无法按原样读出（数字格式“[$-F800]dddd, mmmm dd, yyyy”：随系统设置而变的日期或时间"
     f"格式）{ASK}"),
    ('<c r="E7" s="1"><v>12</v></c>', 164, "[DBNum1]0",
     f"{REFUSED}无法按原样读出（数字格式“[DBNum1]0”：中文数字）{ASK}"),
    ('<c r="E7" s="1"><v>0.5</v></c>', 12, "",
     f"{REFUSED}无法按原样读出（数字格式“# ?/?”：分数）{ASK}"),
    ('<c r="E7" s="1"><v>1200</v></c>', 164, "0.0,",
     f"{REFUSED}无法按原样读出（数字格式“0.0,”：按千缩放的数字）{ASK}"),
    ('<c r="E7" s="1" t="inlineStr"><is><t>≥1次</t></is></c>', 164, ";;;",
     f"{REFUSED}无法按原样读出（数字格式“;;;”：格式不显示单元格中的文字）{ASK}"),
    ('<c r="E7" s="1"><v>12</v></c>', 7, "",
     f"{REFUSED}无法确定显示的内容（数字格式是随地区而变的内置格式）；请在 Excel/WPS 中把它改为"
     "常规、数值、百分比或日期格式后再导入"),
    ('<c r="E7" s="5"><v>12</v></c>', 0, "",
     f"{REFUSED}无法确定显示的内容（样式编号 5 在 styles.xml 中不存在）；请在 Excel/WPS 中把它改为"
     "常规、数值、百分比或日期格式后再导入"),
    ('<c r="E7" s="²"><v>12</v></c>', 0, "",  # once an internal error (ValueError)
     f"{REFUSED}无法确定显示的内容（样式编号 ² 在 styles.xml 中不存在）；请在 Excel/WPS 中把它改为"
     "常规、数值、百分比或日期格式后再导入"),
    ('<c r="E7" t="e"><f>1/0</f><v>#DIV/0!</v></c>', 0, "",
     "t.xlsx:1:1: error[import-formula]: t.xlsx：工作表“表1”单元格 E7 显示错误值 #DIV/0!；"
     "请在源文件中修正后再导入"),
])
def test_a_cell_whose_shown_text_is_not_certain_is_refused(tmp_path, run, cell, number, code,
                                                          finding):
    styled(tmp_path / "t.xlsx", cell, number, code)
    before = tree(tmp_path)
    code_, out, err = run("import", "t.xlsx", "--into", "book", cwd=tmp_path)
    assert (code_, out) == (1, finding + "\n")
    assert err == "有错误，未写入任何文件：1 个错误，0 个警告\n"
    assert tree(tmp_path) == before


@pytest.mark.parametrize("stored, code, shown", [
    ("40", "0.00", "40.00"),
    ("-40", "0.00", "-40.00"),
    ("-40", "#,##0.00;(#,##0.00)", "(40.00)"),
    ("-40", "#,##0.00_ ;[Red]\\-#,##0.00\\ ", "-40.00 "),
    ("0", "0.00;-0.00;\"-\"", "-"),
    ("1234567.5", "#,##0.00", "1,234,567.50"),
    ("5", "00", "05"),
    ("0.5", "#.00", ".50"),
    ("3", "0.0#", "3.0"),
    ("3.1", "0.0?", "3.1 "),
    ("0.98", "[Red]0%", "98%"),
    ("0.30000000000000004", "0%", "30%"),  # a spreadsheet holds 15 digits
    ("100", "General", "100"),
    ("0.1", "@", "0.1"),
    ("0.75", "h:mm AM/PM", "6:00 PM"),
    ("46387.5", "yyyy/m/d h:mm:ss", "2026/12/31 12:00:00"),
    ("61", "yyyy-mm-dd", "1900-03-01"),
    ("59", "yyyy-mm-dd", "1900-02-28"),
])
def test_number_format_rendering(stored, code, shown):
    from tablegen.imports.number_format import parse, show_number

    assert show_number(stored, parse(code)) == shown


@pytest.mark.parametrize("stored, code, why", [
    ("60", "yyyy-mm-dd", "这个日期并不存在（1900年1月0日或1900年2月29日）"),
    ("-1", "yyyy-mm-dd", "负数不能显示为日期或时间"),
    ("1", "0.00E+00", "科学计数法"),
    ("7", "[>5]0;0", "按条件选择的格式"),
    ("1", "[h]:mm:ss", "累计时间"),
    ("46387", "aaaa", "格式符“a”"),
    ("46387", "yyyy-mm-dd ddd", "星期的名称"),
    ("-0.001", "0.00", "显示为“-0.00”，但存的值是 -0.001（显示时舍入）"),
    ("12", "0\"-\"0", "数字中间夹有文字"),
    ("2958466", "yyyy", "2958466 超出了日期的范围"),
])
def test_number_format_refusals(stored, code, why):
    from tablegen.imports.number_format import Unshowable, parse, show_number

    with pytest.raises(Unshowable) as caught:
        show_number(stored, parse(code))
    assert str(caught.value) == why


def test_the_last_day_of_both_date_systems():
    from tablegen.imports.number_format import Unshowable, parse, show_number

    assert show_number("2958465", parse("yyyy-mm-dd")) == "9999-12-31"
    assert show_number("2957003", parse("yyyy-mm-dd"), date1904=True) == "9999-12-31"
    with pytest.raises(Unshowable):  # once an internal error (OverflowError)
        show_number("2958465", parse("yyyy-mm-dd"), date1904=True)
