"""The 项目支出绩效运行监控表 of the 2024 seed book with a written monitoring fixture.

tests/fixtures/monitoring/ holds three projects of the 2024 seed book with their monitoring
rounds (the second monitored twice, after April and after July). Every expected cell below was
written by hand from those files; the pace figures are computed by hand in the comments.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import html5lib
import pytest
from lxml import etree

from conftest import FIXTURES, TEST_BOOKS, need_program
from dumps import composed_of, docx_document, docx_tables, pdf_lines
from tablegen.build import build
from tablegen.kinds.monitoring import monitors, table_rows
from tablegen.load.books import load_book_strict, load_paths
from tablegen.model.pace import pace_of

MONITORING = FIXTURES / "monitoring"
KEY = "tianjin-ipa-2024"
TITLE = "天津市知识产权局2024年项目支出绩效运行监控表"
HEADINGS = ["1.2024年局机关信息化运维绩效运行监控表", "2.2024年专利代理师资格考试绩效运行监控表",
            "3.2024年保护中心运行维护费绩效运行监控表"]


def monitored_book(tmp_path, pace: str | None = None):
    """The 2024 seed book with the monitoring fixture laid over it (and `pace:` when given)."""
    folder = tmp_path / KEY
    shutil.copytree(TEST_BOOKS / KEY, folder)
    for f in MONITORING.glob("*.yaml"):
        shutil.copy(f, folder / f.name)
    if pace:
        book = folder / "book.yaml"
        book.write_text(book.read_text(encoding="utf-8").replace(
            "merge: level1\n", f"merge: level1\npace: {pace}\n"), encoding="utf-8")
    return folder


FUNDS_HEAD = ["项目资金（万元）", "", "年初预算数", "调整后预算数", "1–7月执行数", "1–7月执行率",
              "全年预计执行数"]
GOALS_HEAD = ["年度总体目标", "全年预期目标", "1–7月执行情况"]
GRID_HEAD = ["一级指标", "二级指标", "三级指标", "年度指标值", "1–7月执行情况", "全年预计完成情况",
             "偏差原因分析", "完成目标可能性", "原因说明"]
TICK_HEAD = ["", "", "", "", "", "", "经费保障", "制度保障", "人员保障", "硬件条件保障", "其他",
             "确定能", "有可能", "完全不可能", ""]
NONE = ["", "", "", "", ""]  # no 偏差原因 ticked
SURE = ["√", "", ""]  # 确定能
MAYBE = ["", "√", ""]  # 有可能
NEVER = ["", "", "√"]  # 完全不可能

EXPECTED = {
    1: [
        ["项目名称", "2024年局机关信息化运维"],
        ["主管部门", "天津市知识产权局", "实施单位", "天津市知识产权局"],
        FUNDS_HEAD,
        ["", "年度资金总额", "40.00", "40.00", "22.60", "56.50%", "40.00"],  # 22.60 / 40.00
        ["", "其中：财政拨款", "40.00", "40.00", "22.60", "56.50%", "40.00"],  # initial: budget.fiscal
        ["", "其他资金", "", "", "", "", ""],  # budget.other empty, no round data
        GOALS_HEAD,
        ["", "保证局机关信息化系统正常运转", "局机关信息化系统1–7月正常运转，等保测评已完成招标"],
        GRID_HEAD,
        TICK_HEAD,
        ["产出指标", "数量指标", "等保测评信息系统", "天津市知识产权专项资金",
         "已确定局机关门户网站为测评对象", "完成局机关门户网站等保测评", *NONE, *SURE, ""],
        ["", "数量指标", "等保测评系统数", "1个", "0个", "1个", *NONE, *SURE, "测评安排在9月"],
        ["", "时效指标", "系统响应时间", "<1分钟", "0.8分钟", "", *NONE, *SURE, ""],
        ["", "时效指标", "系统故障修复时间", "<8小时", "6小时", "", *NONE, *SURE, ""],
        ["", "质量指标", "系统正常运转率", "≥98%", "97.5%", "≥98%", *NONE, *SURE, ""],
        ["", "质量指标", "系统支持同时在线人数", "≥100人", "150人", "", *NONE, *SURE, ""],
        ["效益指标", "社会效益指标", "提升整体工作效率", "提升整个知识产权工作效率",
         "业务系统平均办理时长缩短约15%", "", *NONE, *SURE, ""],
        ["", "经济效益指标", "服务采购经济性", "≤40万元", "22.6万元", "40万元", *NONE, *SURE, ""],
        ["", "可持续影响指标", "信息化系统使用年限", "≥10年", "10年", "", *NONE, *SURE, ""],
        ["", "生态效益指标", "不涉及", "不涉及", "不涉及", "", *NONE, *SURE, ""],
        ["满意度指标", "服务对象满意度指标", "服务企业满意度", "≥98%", "96.5%", "≥98%",
         "", "", "", "", "√", *MAYBE, "个别企业反映系统操作复杂"],
        ["偏差或不能完成目标原因分析", "服务企业满意度略低于目标：部分企业还不熟悉新系统的操作。"],
        ["相关建议或举措", "编写操作手册，9月前开展两次操作培训。"],
    ],
    2: [  # the last of its two rounds, after July
        ["项目名称", "2024年专利代理师资格考试"],
        ["主管部门", "天津市知识产权局", "实施单位", "天津市知识产权局"],
        FUNDS_HEAD,
        ["", "年度资金总额", "60.00", "62.00", "18.60", "30.00%", "61.20"],  # 18.60 / 62.00
        ["", "其中：财政拨款", "60.00", "60.00", "16.60", "27.67%", "59.20"],  # 16.60 / 60 = 27.666…
        ["", "其他资金", "0.00", "2.00", "2.00", "100.00%", "2.00"],
        GOALS_HEAD,
        ["", "促进天津市专利代理行业发展，提高我市专利代理师数量。",
         "完成考试报名工作，报名2100人；考试定于11月举行"],
        GRID_HEAD,
        TICK_HEAD,
        ["产出指标", "数量指标", "专利代理师资格考试报名人数", "≥1500人", "2100人", "2100人", *NONE,
         *SURE, ""],
        ["", "质量指标", "年度代理师资格考试通过人数", "≥100人", "0人", "≥100人", *NONE, *SURE,
         "考试在11月举行"],
        ["", "时效指标", "完成时间", "≤1年", "考试组织工作按计划推进", "", *NONE, *SURE, ""],
        ["", "成本指标", "年度资金总额", "≤60万元", "18.6万元", "59.2万元", *NONE, *SURE, ""],
        ["效益指标", "社会效益指标", "社会知识产权意识", "有所提升", "报名人数同比增长40%", "", *NONE,
         *SURE, ""],
        ["", "可持续影响指标", "知识产权服务业专利代理机构", "数量逐年增加", "较上年减少3家", "与上年持平",
         "", "√", "", "", "√", *NEVER, "行业整合，小型代理机构合并"],
        ["满意度指标", "服务对象满意度指标", "服务对象满意度指标", "≥80百分比", "92%", "", *NONE, *SURE, ""],
        ["偏差或不能完成目标原因分析", "专利代理机构数量受行业整合影响减少，年内难以恢复增长。"],
        ["相关建议或举措", "开展代理机构培育，下年度调整该指标的指标值。"],
    ],
    3: [
        ["项目名称", "2024年保护中心运行维护费"],
        ["主管部门", "天津市知识产权局", "实施单位", "天津市知识产权保护中心"],
        FUNDS_HEAD,
        ["", "年度资金总额", "300.00", "300.00", "285.00", "95.00%", "297.50"],  # initial: budget.total
        ["", "其中：财政拨款", "300.00", "", "", "", ""],  # only the budget's 年初预算数
        ["", "其他资金", "", "", "", "", ""],
        GOALS_HEAD,
        ["", "1.通过租赁办公用房，保障知识产权保护中心办公场地；\n"
             "2.通过采购物业服务，保障知识产权保护中心日常运行。",
         "1.已租赁办公用房3000平米并支付全年租金\n2.物业服务按季度支付，已支付两个季度"],
        GRID_HEAD,
        TICK_HEAD,
        ["产出指标", "数量指标", "办公场地租赁面积", "≥3000平米", "3000平米", "", *NONE, *SURE, ""],
        ["", "数量指标", "物业服务面积", "≥3000平米", "3000平米", "", *NONE, *SURE, ""],
        ["", "数量指标", "办公场地物业服务人员", "≥6人", "8人", "", *NONE, *SURE, ""],
        ["", "质量指标", "办公场地面积及功能达标率", "100%", "98%", "100%", "", "", "", "√", "", *SURE,
         "会议室改造期间部分功能暂不可用"],
        ["", "时效指标", "办公场地租赁费支付完成时间", "2024年12月31日前", "已于3月支付全年租金", "", *NONE,
         *SURE, ""],
        ["", "时效指标", "物业服务费支付完成时间", "2024年12月31日前", "已支付两个季度", "", *NONE,
         *SURE, ""],
        ["", "成本指标", "房租费", "≤231.5万元", "231.5万元", "", *NONE, *SURE, ""],
        ["", "成本指标", "物业服务费、水费、电费、停车费", "≤68.5万元", "53.5万元", "", *NONE, *SURE, ""],
        ["效益指标", "社会效益指标", "保障保护中心正常运行", "有效保障", "保护中心1–7月正常运行", "",
         *NONE, *SURE, ""],
        ["满意度指标", "服务对象满意度指标", "办公场地使用人员满意度", "≥95%", "91.2%", "≥95%",
         "", "", "", "√", "", *MAYBE, "停车位紧张"],
        ["偏差或不能完成目标原因分析", "停车位不足，使用人员满意度低于目标。"],
        ["相关建议或举措", "协调周边停车场增加临时停车位。"],
    ],
}


def _built(tmp_path_factory, formats):
    root = tmp_path_factory.mktemp("monitored")
    folder = monitored_book(root, "sichuan")
    out = root / "out"
    build([folder], out, formats, quiet=True, toc_pages=False)
    return out / KEY


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The monitored book built once as DOCX (its 目录 estimated: no LibreOffice), HTML, XLSX."""
    return _built(tmp_path_factory, ["docx", "html", "xlsx"])


@pytest.fixture(scope="module")
def built_pdf(tmp_path_factory):
    """The monitored book's PDF, laid out once (the slow tests read it)."""
    return _built(tmp_path_factory, ["pdf"])


# -- the view-model -----------------------------------------------------------------------------

def test_every_cell_of_the_three_tables(tmp_path):
    book = load_book_strict(monitored_book(tmp_path))
    tables = monitors(book)
    assert [t.heading for t in tables] == HEADINGS
    assert [t.when for t in tables] == ["监控期间：2024年1–7月"] * 3
    for t in tables:
        assert table_rows(t) == EXPECTED[t.number], t.heading


def test_the_monitoring_fixture_checks_clean(tmp_path):
    report = load_paths([monitored_book(tmp_path, "shanxi")]).report
    assert report.errors == []
    # Only the five warnings the seed book itself has.
    assert sorted(f.rule for f in report.warnings) == [
        "no-satisfaction", "satisfaction-unit", "whitespace", "whitespace", "whitespace"]


# -- the four formats ---------------------------------------------------------------------------

NS = "{http://www.w3.org/1999/xhtml}"


def html_rows(table):
    """A table's rows as cells in print order: a cell over several columns is one cell, a
    place a rowspan above covers is an empty one; a cell's paragraphs joined by line breaks."""
    out = []
    covered: dict[int, int] = {}  # grid column → rows still covered from above
    for tr in table.iter(NS + "tr"):
        row, column = [], 0
        cells = [c for c in tr if c.tag in (NS + "td", NS + "th")]
        while cells or any(c >= column for c in covered):
            if covered.get(column, 0) > 0:
                covered[column] -= 1
                row.append("")
                column += 1
                continue
            if not cells:
                break
            cell = cells.pop(0)
            paragraphs = cell.findall(NS + "p")
            text = ("\n".join("".join(p.itertext()) for p in paragraphs) if paragraphs
                    else "".join(cell.itertext()))
            row.append(text.strip())
            span = int(cell.get("colspan", "1"))
            if int(cell.get("rowspan", "1")) > 1:
                for c in range(column, column + span):
                    covered[c] = int(cell.get("rowspan")) - 1
            column += span
        covered = {c: n for c, n in covered.items() if n > 0}
        out.append(row)
    return out


def test_the_html_has_every_cell_and_no_pace_warning(built):
    page = built / f"{TITLE}.html"
    doc = html5lib.parse(page.read_bytes(), treebuilder="lxml", transport_encoding="utf-8").getroot()
    sections = [s for s in doc.iter(NS + "section") if s.get("class") == "project"]
    assert [s.get("id") for s in sections] == ["m1", "m2", "m3"]
    for number, section in enumerate(sections, 1):
        heading = "".join(section.find(NS + "h2").itertext())
        assert heading == HEADINGS[number - 1]
        line = ["".join(s.itertext()) for s in section.find(NS + "p").iter(NS + "span")]
        assert line == ["监控期间：2024年1–7月", "单位：万元"]
        top, grid = section.findall(NS + "table")
        assert html_rows(top) + html_rows(grid) == EXPECTED[number]
    text = page.read_text(encoding="utf-8")
    # The pace warnings are the overview's: the submitted table never shows them.
    assert "预算执行进度偏慢" not in text and "目标完成进度" not in text
    toc = [a.get("href") for a in doc.iter(NS + "a") if a.getparent().tag == NS + "li"]
    assert toc == ["#m1", "#m2", "#m3"]


def test_the_docx_has_every_cell_a_toc_bookmarks_and_repeated_headers(built):
    path = built / f"{TITLE}.docx"
    tables = docx_tables(path)
    assert [h for h, _ in tables] == HEADINGS
    for number, (_, rows) in enumerate(tables, 1):
        rows = [[c.replace("项目资金\n（", "项目资金（") for c in r] for r in rows]  # a line break
        assert rows == EXPECTED[number]
    xml = etree.tostring(docx_document(path), encoding="unicode")
    assert TITLE in xml and "目录" in xml and "监控期间：2024年1–7月" in xml
    # Each table's bookmark: at its heading, as the 目录 entry's link, in its PAGEREF field.
    assert [xml.count(f"_Toc8{n:08d}") for n in (1, 2, 3)] == [3, 3, 3]
    # The grid's two header rows repeat on every page the grid runs onto.
    assert xml.count("<w:tblHeader/>") == 6


def shown(cell):
    """A cell as Excel shows it: numbers through their `0.00` / `0.00%` format."""
    if cell.value is None or isinstance(cell.value, str):
        return cell.value
    assert cell.number_format in ("0.00", "0.00%"), cell.coordinate
    if cell.number_format == "0.00%":
        return f"{cell.value * 100:.2f}%"
    return f"{cell.value:.2f}"


def test_the_xlsx_has_every_cell_with_figures_as_numbers(built):
    from openpyxl import load_workbook

    wb = load_workbook(built / f"{TITLE}.xlsx")
    assert wb.sheetnames == ["01-2024年局机关信息化运维", "02-2024年专利代理师资格考试",
                             "03-2024年保护中心运行维护费"]
    for number, ws in enumerate(wb.worksheets, 1):
        expected = EXPECTED[number]
        assert ws["A1"].value == HEADINGS[number - 1]
        assert [ws["A2"].value, ws["M2"].value] == ["监控期间：2024年1–7月", "单位：万元"]
        got = [[shown(c) for c in row if c.value not in (None, "")]
               for row in ws.iter_rows(min_row=3)]
        wanted = [[c for c in r if c] for r in expected]
        for b in ws.row_breaks.brk:  # a break inside a 一级 group repeats its label, as the PDF
            first = b.id - 2  # the sheet's row after the break (got[0] is row 3)
            if not expected[first][0]:
                wanted[first] = [next(r[0] for r in reversed(expected[:first]) if r[0]),
                                 *wanted[first]]
        assert got == wanted, ws.title
        # The 15 columns of each indicator row, ticks in their columns (sheet rows 13 on).
        for i, row in enumerate(expected[10:-2]):
            cells = [ws.cell(13 + i, c).value or "" for c in range(3, 16)]
            assert cells == row[2:], (ws.title, i)
        # Figures are numbers shown as printed: 执行率 a percentage.
        assert [(ws[c].data_type, ws[c].number_format) for c in ("D6", "H6", "K6", "M6")] == [
            ("n", "0.00"), ("n", "0.00"), ("n", "0.00%"), ("n", "0.00")]
        assert ws.print_title_rows == "$11:$12"  # both header rows on every printed page
    assert wb.worksheets[0]["K6"].value == 0.565  # 56.50 %


def tick_rows(pdf):
    """The tick columns of every row that has a tick, in reading order: each √ placed in the
    column whose header it sits under (the columns are as wide as each other)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True).stdout
    tree = etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))
    rows = []
    for page in tree.iter("page"):
        words = [(w.text, (float(w.get("xmin")) + float(w.get("xmax"))) / 2,
                  round((float(w.get("ymin")) + float(w.get("ymax"))) / 2))
                 for w in page.iter("word") if w.text]
        centres = {t: x for t, x, _ in words if t in ("经费保障", "制度保障")}
        if len(centres) < 2:
            continue
        first, pitch = centres["经费保障"], centres["制度保障"] - centres["经费保障"]
        by_line: dict[int, list[int]] = {}
        for t, x, y in words:
            if t == "√":
                by_line.setdefault(y, []).append(round((x - first) / pitch))
        rows += [sorted(cols) for _, cols in sorted(by_line.items())]
    return rows


def test_the_pdf_has_every_cell_ticks_in_their_columns_an_outline_and_a_toc(built_pdf):
    from pypdf import PdfReader

    need_program("pdftotext")
    pdf = built_pdf / f"{TITLE}.pdf"
    words = pdf_lines(pdf)
    missing = [c for rows in EXPECTED.values() for row in rows for c in row
               if not composed_of(c, words)]
    assert missing == []
    expected_ticks = [[i for i, c in enumerate(row[6:14]) if c]
                      for n in (1, 2, 3) for row in EXPECTED[n][10:-2]]
    assert tick_rows(pdf) == expected_ticks
    reader = PdfReader(pdf)
    outline = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    assert [t for t, _ in outline] == HEADINGS
    assert reader.metadata.title == TITLE
    toc = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    for heading, page in outline:
        assert next(x for x in toc.splitlines() if heading in x).split()[-1] == str(page + 1)


def test_a_monitoring_table_cut_by_a_page_break_repeats_the_header_and_the_group_label(built_pdf):
    from tablegen.render.toc_pages import page_texts

    need_program("pdftotext")
    pages = page_texts(built_pdf / f"{TITLE}.pdf")
    header = ("一级指标二级指标三级指标年度指标值17月执行情况全年预计完成情况偏差原因分析"
              "完成目标可能性原因说明经费保障制度保障人员保障硬件条件保障其他确定能有可能完全不可能")
    continued = [p for p in pages[2:] if "项目名称" not in p]
    assert continued and all(p.startswith(header) for p in continued)
    # The first table's 效益指标 group runs onto the next page: its label comes again.
    assert pages[3].startswith(header + "效益指标")


def test_the_docx_toc_and_cut_groups_follow_libreoffices_pages(tmp_path):
    need_program("soffice")
    from tablegen.render.toc_pages import find_pages, page_texts, to_pdf

    out = tmp_path / "out"
    build([monitored_book(tmp_path)], out, ["docx"], quiet=True, toc_pages=True)
    path = out / KEY / f"{TITLE}.docx"
    (pdf,) = to_pdf([path], tmp_path)
    pages = page_texts(pdf)
    from dumps import docx_toc_pages

    assert docx_toc_pages(path) == find_pages(pages, HEADINGS)
    # A group cut by LibreOffice's page break starts the next page with its label again.
    rows = docx_tables(path)[0][1]
    level1 = [r[0] for r in rows[10:-2]]
    assert level1.count("效益指标") == 2


def word_boxes(pdf):
    """Every word pdftotext finds: (page, text, x0, y0, x1, y1)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True).stdout
    tree = etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))
    return [(n, w.text, *(float(w.get(k)) for k in ("xmin", "ymin", "xmax", "ymax")))
            for n, page in enumerate(tree.iter("page"), 1) for w in page.iter("word") if w.text]


def test_calc_prints_every_cell_of_the_xlsx_without_overlaps(built, tmp_path):
    need_program("soffice")
    need_program("pdftotext")
    from tablegen.render.toc_pages import to_pdf

    (pdf,) = to_pdf([built / f"{TITLE}.xlsx"], tmp_path)
    words = word_boxes(pdf)
    lines = {w[1] for w in words}
    missing = [c for rows in EXPECTED.values() for row in rows for c in row
               if not composed_of(c, lines)]
    assert missing == []
    ticks = sum(c == "√" for rows in EXPECTED.values() for row in rows for c in row)
    assert sum(w[1] == "√" for w in words) == ticks
    overlaps = [(a[0], a[1], b[1]) for i, a in enumerate(words) for b in words[i + 1:]
                if a[0] == b[0] and min(a[4], b[4]) - max(a[2], b[2]) > 0.5
                and min(a[5], b[5]) - max(a[3], b[3]) > 1]
    assert overlaps == []


def long_monitored_book(root, rows=60):
    """A book whose one project has a 产出指标 group of `rows` monitored rows: three pages."""
    root.mkdir(parents=True)
    lines = ["name: 长表", "budget:", "  total: 100.00", "goals:", "  - 目标", "indicators:",
             "  产出指标:", "    数量指标:"]
    lines += [x for i in range(1, rows + 1) for x in (f"      - name: 第{i}项工作",
                                                      f"        value: ≥{i}个")]
    lines += ["  满意度指标:", "    服务对象满意度指标:", "      - name: 满意度", "        value: ≥90%",
              "monitoring:", "  - month: 7", "    adjusted: 100.00", "    spent: 50.00",
              "    expected: 100.00", "    progress:", "      - 进展顺利", "    indicators:"]
    lines += [x for i in range(1, rows + 1) for x in (f"      - name: 第{i}项工作",
                                                      f"        done: {i}个",
                                                      "        likelihood: 确定能")]
    lines += ["      - name: 满意度", "        done: 95%", "        likelihood: 确定能"]
    (root / "p.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "book.yaml").write_text(
        "title: 长表\nyear: 2024\nmoney_unit: 万元\nagencies:\n"
        "  - code: \"100001\"\n    name: 某单位\n    projects: [p.yaml]\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_long_group_shows_the_header_and_its_label_on_every_page_libreoffice_prints(tmp_path,
                                                                                    fmt):
    need_program("soffice")
    need_program("pdftotext")
    from tablegen.render.toc_pages import to_pdf

    folder = long_monitored_book(tmp_path / "long")
    # The DOCX's cuts are where LibreOffice's pages break (as its 目录's page numbers).
    build([folder], tmp_path / "out", [fmt], quiet=True, toc_pages=fmt == "docx")
    (pdf,) = to_pdf([tmp_path / "out" / "long" / f"长表（绩效运行监控）.{fmt}"], tmp_path)
    # The words shown on the page (pdftotext leaves out a merged cell's text drawn off it); a
    # row's cell `第12项工作` may come as the words 第, 12, 项工作 (LibreOffice spaces digits).
    words = word_boxes(pdf)
    lines: dict[tuple[int, float], list[tuple[float, str]]] = {}
    for page, text, x0, y0, _, _ in words:
        lines.setdefault((page, round(y0)), []).append((x0, text))
    found = [(int(n), at) for at, line in sorted(lines.items())
             for n in re.findall(r"第(\d+)项工作", "".join(t for _, t in sorted(line)))]
    assert sorted(n for n, _ in found) == list(range(1, 61))  # each row once
    rows = dict(found)
    order = [rows[i] for i in range(1, 61)]
    assert order == sorted(order)  # each row once, in order
    pages = sorted({page for page, _ in order})
    assert len(pages) >= 3
    for page in pages[1:]:  # a page the grid runs onto: its header rows, the group's label
        ys = [y for p, y in order if p == page]  # beside its rows on this page
        shown = {w[1]: w[3] for w in words if w[0] == page}
        assert shown["一级指标"] < min(ys) - 5 <= shown["产出指标"] <= max(ys) + 5, page


# -- pace warnings, by hand -------------------------------------------------------------------

def test_sichuan_pace_warnings_computed_by_hand(tmp_path):
    book = load_book_strict(monitored_book(tmp_path, "sichuan"))
    paces = [pace_of(p, book) for p in book.projects if p.monitoring]
    # 执行率: 22.60/40.00; 18.60/62.00; 285.00/300.00. Target completion: the cumulative
    # quantitative indicators, each at most 100 %: (0/1 + 1 + 10/10) / 3; (1 + 0/100) / 2; 1, 1, 1.
    assert [(p.rate, p.completion) for p in paces] == [
        (Decimal("56.50"), Decimal("66.67")), (Decimal("30.00"), Decimal("50.00")),
        (Decimal("95.00"), Decimal("100.00"))]
    assert [list(p.warnings) for p in paces] == [
        ["目标完成进度 66.67% 与预算执行进度 56.50% 相差 10.17 个百分点，超过 10 个百分点"],
        ["预算执行进度偏慢：1–7月执行率 30.00%，低于 6 月末应达到的 40%",  # July: June's 40 %
         "目标完成进度 50.00% 与预算执行进度 30.00% 相差 20.00 个百分点，超过 10 个百分点"],
        [],  # 95 % by July, 5 points apart
    ]
    assert all(p.lights == () for p in paces)  # Sichuan has no lights


def test_shanxi_lights_computed_by_hand(tmp_path):
    book = load_book_strict(monitored_book(tmp_path, "shanxi"))
    paces = [pace_of(p, book) for p in book.projects if p.monitoring]
    lights = [[(light.where.rsplit(" / ", 1)[1], light.light, light.share) for light in p.lights]
              for p in paces]
    assert lights == [
        [("等保测评系统数", "红灯", Decimal("0.00")),  # 0 of 1 × 7/12
         ("系统响应时间", "绿灯", None), ("系统故障修复时间", "绿灯", None),  # < bound: inside
         ("系统正常运转率", "绿灯", Decimal("99.49")),  # a rate: 97.5 / 98, not scaled by month
         ("系统支持同时在线人数", "蓝灯", Decimal("257.14")),  # 150 / (100 × 7/12)
         ("服务采购经济性", "绿灯", None),  # 22.6 ≤ 40 万元
         ("信息化系统使用年限", "蓝灯", Decimal("171.43")),  # 10 / (10 × 7/12)
         ("服务企业满意度", "绿灯", Decimal("98.47"))],  # 96.5 / 98
        [("专利代理师资格考试报名人数", "蓝灯", Decimal("240.00")),  # 2100 / 875
         ("年度代理师资格考试通过人数", "红灯", Decimal("0.00")),
         ("年度资金总额", "绿灯", None),  # 18.6 ≤ 60 万元; 完成时间 is text: no light
         ("服务对象满意度指标", "绿灯", Decimal("115.00"))],  # 92% / 80百分比
        [("办公场地租赁面积", "蓝灯", Decimal("171.43")), ("物业服务面积", "蓝灯", Decimal("171.43")),
         ("办公场地物业服务人员", "蓝灯", Decimal("228.57")),  # 8 / 3.5
         ("办公场地面积及功能达标率", "绿灯", Decimal("98.00")), ("房租费", "绿灯", None),  # 231.5 ≤ 231.5
         ("物业服务费、水费、电费、停车费", "绿灯", None),
         ("办公场地使用人员满意度", "绿灯", Decimal("96.00"))],
    ]
    assert [list(p.warnings) for p in paces] == [
        ["红灯：产出指标 / 数量指标 / 等保测评系统数：1–7月完成 0个，按时序应达 0.58个"
         "（年度指标值 1个 × 7/12），完成进度 0.00%"],
        ["红灯：产出指标 / 质量指标 / 年度代理师资格考试通过人数：1–7月完成 0人，按时序应达 58.33人"
         "（年度指标值 ≥100人 × 7/12），完成进度 0.00%"],
        [],
    ]


PACE_PROJECT = """name: 测试项目
budget:
  total: 100.00
goals:
  - 完成测试
indicators:
  产出指标:
    数量指标:
      - name: 培训人次
        value: ≥1200人次
      - name: 办结时限
        value: <10天
      - name: 费用
        value: ≤40万元
  满意度指标:
    服务对象满意度指标:
      - name: 满意度
        value: ≥90%
monitoring:
  - month: {month}
    adjusted: 100.00
    spent: {spent}
    expected: 100.00
    indicators:
      - name: 培训人次
        done: {trained}
        likelihood: 确定能
      - name: 办结时限
        done: {days}
        likelihood: 确定能
      - name: 费用
        done: {cost}
        likelihood: 确定能
      - name: 满意度
        done: {happy}
        likelihood: 确定能
"""


def pace_case(tmp_path, pace, **figures):
    folder = tmp_path / f"b{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "book.yaml").write_text(
        f"title: 测试书\nyear: 2024\nmoney_unit: 万元\npace: {pace}\nagencies:\n"
        "  - code: \"1\"\n    name: 测试单位\n    projects:\n      - p.yaml\n", encoding="utf-8")
    values = {"month": 6, "spent": "40.00", "trained": "600人次", "days": "8天", "cost": "20万元",
              "happy": "90%", **figures}
    (folder / "p.yaml").write_text(PACE_PROJECT.format(**values), encoding="utf-8")
    book = load_book_strict(folder)
    return pace_of(book.projects[0], book)


@pytest.mark.parametrize(("month", "spent", "warned"), [
    (3, "0.00", []),  # before April nothing is due
    (4, "25.00", []),  # exactly the 25 % due by April
    (4, "24.99", ["预算执行进度偏慢：1–4月执行率 24.99%，低于 4 月末应达到的 25%"]),
    (9, "59.99", ["预算执行进度偏慢：1–9月执行率 59.99%，低于 8 月末应达到的 60%"]),  # August's
    (12, "79.00", ["预算执行进度偏慢：1–12月执行率 79.00%，低于 10 月末应达到的 80%"]),
])
def test_sichuan_budget_checkpoints(tmp_path, month, spent, warned):
    # 培训人次 completion 600/1200 = 50 %, within 10 points of 40-60 % only: the gap is tested
    # apart, so here the count keeps pace with the money.
    trained = f"{Decimal(spent) * 12:.0f}人次"  # the same share of 1200 as spent of 100
    pace = pace_case(tmp_path, "sichuan", month=month, spent=spent, trained=trained)
    assert list(pace.warnings) == warned


def test_sichuan_gap_between_targets_and_money(tmp_path):
    # 40 % spent by June; 培训人次 600 of 1200 is 50 %: 10 points apart, not more.
    assert pace_case(tmp_path, "sichuan").warnings == ()
    # 601 of 1200 is 50.08 %: 10.08 points apart.
    assert pace_case(tmp_path, "sichuan", trained="601人次").warnings == (
        "目标完成进度 50.08% 与预算执行进度 40.00% 相差 10.08 个百分点，超过 10 个百分点",)
    # Caps, time limits and rates measure no completion: none left, no gap judged.
    pace = pace_case(tmp_path, "sichuan", trained="已开展培训")
    assert pace.completion is None and pace.warnings == ()


@pytest.mark.parametrize(("trained", "light"), [
    ("359人次", "红灯"),  # 359 / (1200 × 6/12) = 59.83 %
    ("360人次", "黄灯"),  # 60 % exactly: a light holds from its minimum
    ("480人次", "绿灯"),  # 80 %
    ("719人次", "绿灯"),  # 119.83 %
    ("720人次", "蓝灯"),  # 120 %
    ("0.06万人次", "绿灯"),  # 万人次 converts: 600 人次 of the 600 due, 100 %
])
def test_shanxi_light_bands(tmp_path, trained, light):
    pace = pace_case(tmp_path, "shanxi", trained=trained)
    assert pace.lights[0].light == light


def test_shanxi_reverse_indicators_and_rates(tmp_path):
    pace = pace_case(tmp_path, "shanxi", days="10天", cost="380000元", happy="71.1%")
    by = {light.where.rsplit(" / ", 1)[1]: light for light in pace.lights}
    assert by["办结时限"].light == "红灯"  # `<10天`: 10 is not inside
    assert by["费用"].light == "绿灯"  # 380000元 is 38 万元, inside ≤40万元
    assert (by["满意度"].light, by["满意度"].share) == ("黄灯", Decimal("79.00"))  # 71.1/90, not /45
    assert pace.warnings == (
        "红灯：产出指标 / 数量指标 / 办结时限：1–6月为 10天，超出指标值 <10天",
        "黄灯：满意度指标 / 服务对象满意度指标 / 满意度：1–6月为 71.1%，指标值 ≥90%，完成进度 79.00%")
    pace = pace_case(tmp_path, "shanxi", cost="40.5万元", happy="很满意")
    assert [(light.where.rsplit(" / ", 1)[1], light.light) for light in pace.lights] == [
        ("培训人次", "绿灯"), ("办结时限", "绿灯"), ("费用", "红灯")]  # 很满意: no light


# -- overview, serve, diff, rollover, fmt, schema ---------------------------------------------------

def test_the_overview_lists_each_projects_rate_and_warnings(built):
    page = (built.parent / "index.html").read_text(encoding="utf-8")
    assert "<caption>绩效运行监控（预警：四川（川财绩〔2025〕10号）：" in page
    assert ("<tr><th scope=\"row\">3.2024年保护中心运行维护费绩效运行监控表</th><td>2024年1–7月</td>"
            "<td>95.00%</td><td>100.00%</td><td>无</td></tr>") in page
    assert "<li>预算执行进度偏慢：1–7月执行率 30.00%，低于 6 月末应达到的 40%</li>" in page
    assert f'href="{KEY}/{TITLE}.xlsx">监控 XLSX</a>' in page


def test_without_a_scheme_the_overview_shows_rates_and_no_warnings(tmp_path):
    folder = monitored_book(tmp_path)
    build([folder], tmp_path / "out", ["html"], quiet=True)
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "book.yaml 未选择预警方案 pace" in page
    assert "<td>56.50%</td><td>66.67%</td><td>无</td>" in page


def test_a_book_without_monitoring_data_has_no_monitoring_table(tmp_path):
    folder = tmp_path / KEY
    shutil.copytree(TEST_BOOKS / KEY, folder)
    build([folder], tmp_path / "out", ["html"], quiet=True)
    assert not list((tmp_path / "out").rglob("*监控*"))
    assert "绩效运行监控" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_serve_shows_the_warnings_on_its_overview_and_the_table_without_them(tmp_path):
    import http.client

    from tablegen.commands.serve import Preview

    folder = monitored_book(tmp_path / "books", "shanxi")
    with Preview([folder], tmp_path / "out", port=0) as preview:
        host, port = preview.httpd.server_address[:2]

        def get(path):
            conn = http.client.HTTPConnection(host, port, timeout=60)
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode("utf-8")

        status, overview = get("/")
        assert status == 200 and "红灯：产出指标 / 质量指标 / 年度代理师资格考试通过人数" in overview
        from urllib.parse import quote

        status, table = get(f"/{KEY}/{quote(TITLE)}.html")
        assert status == 200 and "2.2024年专利代理师资格考试绩效运行监控表" in table
        assert "红灯" not in table


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True)


def test_diff_shows_changed_monitoring_figures(tmp_path):
    from tablegen.commands.diff import as_text, diff

    folder = monitored_book(tmp_path / "targets")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "a")
    path = folder / "2024年专利代理师资格考试.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    spent: 18.60", "    spent: 19.60")
                    .replace("      spent: 16.60", "      spent: 17.60")
                    .replace("        done: 0人\n        expected: ≥100人\n        likelihood: 确定能",
                             "        done: 0人\n        expected: 90人\n        likelihood: 有可能\n"
                             "        causes: [人员保障]"), encoding="utf-8")
    diffs, _ = diff(tmp_path, "main")
    assert as_text(diffs).splitlines() == [
        "书 tianjin-ipa-2024（天津市知识产权局2024年项目支出绩效目标表）",
        "  修改项目：2024年专利代理师资格考试（2024年专利代理师资格考试.yaml）",
        "    监控 1–7月监控 · 年度资金总额 · 1–7月执行数（万元）：18.60 → 19.60",
        "    监控 1–7月监控 · 财政拨款 · 1–7月执行数（万元）：16.60 → 17.60",
        "    监控 1–7月监控 · 年度代理师资格考试通过人数 · 全年预计完成情况：≥100人 → 90人",
        "    监控 1–7月监控 · 年度代理师资格考试通过人数 · 完成目标可能性：确定能 → 有可能",
        "    监控 1–7月监控 · 年度代理师资格考试通过人数 · 偏差原因：（空） → 人员保障",
    ]


def test_rollover_leaves_the_monitoring_data_behind(tmp_path):
    from tablegen.commands.rollover import rollover

    folder = monitored_book(tmp_path)
    path = folder / "2024年局机关信息化运维.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  - month: 7\n", "  # 7月底报送\n  - month: 7\n"), encoding="utf-8")
    result = rollover(folder, 2025)
    new = load_book_strict(result.folder)
    assert not new.monitored
    text = (result.folder / "2025年局机关信息化运维.yaml").read_text(encoding="utf-8")
    assert "monitoring" not in text and "7月底报送" not in text and "1–7月" not in text
    assert load_paths([result.folder]).report.errors == []


def test_fmt_keeps_the_monitoring_block_and_its_comments(tmp_path, run):
    path = tmp_path / "p.yaml"
    text = (FIXTURES / "rules" / "valid-monitored.yaml").read_text(encoding="utf-8")
    messy = (text.replace("  - month: 7\n", "  # 第一轮\n  - month:   7\n")
             .replace("        causes: [其他]\n", "        causes:   # 打勾\n          - 其他\n")
             .replace("    analysis:", "    # 分析\n    analysis:"))
    path.write_text(messy, encoding="utf-8")
    code, _, _ = run("fmt", str(path))
    assert code == 0
    formatted = path.read_text(encoding="utf-8")
    assert formatted.splitlines()[1:] == (
        text.replace("  - month: 7\n", "  # 第一轮\n  - month: 7\n")
        .replace("        causes: [其他]\n", "        # 打勾\n        causes: [其他]\n")
        .replace("    analysis:", "    # 分析\n    analysis:")).splitlines()
    assert run("fmt", "--check", str(path))[0] == 0  # canonical: a second run changes nothing


def test_the_json_schema_describes_monitoring_and_pace():
    from tablegen.model.schema import json_schemas

    schemas = json_schemas()
    rounds = schemas["project.schema.json"]["properties"]["monitoring"]
    item = rounds["items"]["properties"]
    assert item["month"]["minimum"] == 1 and item["month"]["maximum"] == 12
    assert rounds["items"]["required"] == ["month", "adjusted", "spent", "expected"]
    entry = item["indicators"]["items"]
    assert entry["required"] == ["name", "done", "likelihood"]
    assert entry["properties"]["likelihood"]["enum"] == ["确定能", "有可能", "完全不可能"]
    assert entry["properties"]["causes"]["items"]["enum"] == [
        "经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"]
    assert schemas["book.schema.json"]["properties"]["pace"]["enum"] == ["sichuan", "shanxi"]


def test_a_round_with_doubtful_targets_needs_its_analysis_and_measures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (FIXTURES / "rules" / "valid-monitored.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace("    measures: 加强与服务对象的沟通\n", ""),
                                     encoding="utf-8")
    found = [(f.pos.line, f.rule, f.message) for f in load_paths([tmp_path / "p.yaml"]).report.sorted()]
    assert found == [(19, "monitor-likelihood",
                      "monitoring[1]：指标“服务对象满意度”不能确定完成目标，本轮需要填写相关建议或举措"
                      "（measures）")]


def test_rounds_go_by_month_and_repeated_names_match_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (FIXTURES / "rules" / "valid-monitored.yaml").read_text(encoding="utf-8")
    second = text[text.index("  - month: 7"):].replace("month: 7", "month: 4")
    (tmp_path / "p.yaml").write_text(text + second, encoding="utf-8")
    found = [(f.rule, f.message) for f in load_paths([tmp_path / "p.yaml"]).report.sorted()]
    assert found == [("monitor-month", "monitoring[2].month：第 2 轮的监控月份 4 不晚于上一轮的 7；"
                                       "各轮按月份先后排列，同一月份只写一轮")]


def test_a_round_out_of_range_leaves_the_order_of_the_others_unjudged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (FIXTURES / "rules" / "valid-monitored.yaml").read_text(encoding="utf-8")
    rounds = text.index("  - month: 7")
    bad = text[rounds:].replace("month: 7", "month: 13")
    (tmp_path / "p.yaml").write_text(text[:rounds] + bad + text[rounds:], encoding="utf-8")
    found = [(f.pos.line, f.rule, f.message) for f in load_paths([tmp_path / "p.yaml"]).report.sorted()]
    assert found == [(19, "monitor-month", "monitoring[1].month：监控月份应在 1 至 12 之间，实际为 13")]


def test_a_bad_monitoring_value_is_a_finding_with_its_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (FIXTURES / "rules" / "valid-monitored.yaml").read_text(encoding="utf-8")
    bad = (text.replace("month: 7", "month: 七月").replace("likelihood: 确定能", "likelihood: 确定")
           .replace("causes: [其他]", "causes: [其它]").replace("spent: 5.00", "spent: 五"))
    (tmp_path / "p.yaml").write_text(bad, encoding="utf-8")
    found = [(f.pos.line, f.pos.col, f.rule, f.message)
             for f in load_paths([tmp_path / "p.yaml"]).report.sorted()]
    assert found == [
        (19, 12, "wrong-type",
         "monitoring[1].month：应为月份（1–12 的整数，如 7 表示 1–7月），实际为文本“七月”"),
        (21, 12, "amount-invalid",
         "monitoring[1].spent：1–N月执行数应为金额（如 40.00），实际为文本“五”"),
        (29, 21, "invalid-choice",
         "monitoring[1].indicators[1].likelihood：完成目标可能性应为 确定能 | 有可能 | 完全不可能 之一，"
         "实际为文本“确定”，是否想写“确定能”？"),
        (34, 18, "invalid-choice",
         "monitoring[1].indicators[2].causes[1]：偏差原因应为 经费保障 | 制度保障 | 人员保障 | "
         "硬件条件保障 | 其他 之一，实际为文本“其它”，是否想写“其他”？"),
    ]


# -- the 自评 from the last round ---------------------------------------------------------------

NO_GRADE = "完成等级应为 达成 | 部分达成 | 未达成 之一，实际为文本“”"


def test_start_selfeval_writes_what_the_round_knows_and_check_names_what_is_missing(tmp_path, run):
    folder = monitored_book(tmp_path)
    code, out, _ = run("selfeval", str(folder))
    assert code == 0
    assert out.splitlines()[1].endswith("2024年专利代理师资格考试.yaml：由 1–7月的监控数据开始自评，"
                                        "7 个指标的实际完成值和全年执行数待填写")
    text = (folder / "2024年专利代理师资格考试.yaml").read_text(encoding="utf-8")
    assert text.endswith(
        "execution:\n"
        "  # 1–7月监控：调整后预算数 62.00，1–7月执行数 18.60，全年预计执行数 61.20\n"
        "  initial: 60.00\n  adjusted: 62.00\n  spent:\n"
        "  fiscal:\n"
        "    # 1–7月监控：调整后预算数 60.00，1–7月执行数 16.60，全年预计执行数 59.20\n"
        "    initial: 60.00\n    adjusted: 60.00\n    spent:\n"
        "  other:\n"
        "    # 1–7月监控：调整后预算数 2.00，1–7月执行数 2.00，全年预计执行数 2.00\n"
        "    initial: 0.00\n    adjusted: 2.00\n    spent:\n"
        "  results:\n"
        "    # 1–7月执行情况：完成考试报名工作，报名2100人；考试定于11月举行\n"
        "    - ''\n")
    assert ("        value: ≥100人\n"
            "        # 1–7月执行情况：0人；全年预计完成情况：≥100人（确定能）\n"
            "        actual: ''\n") in text
    assert "        value: 有所提升\n        # 1–7月执行情况：报名人数同比增长40%\n        actual: ''\n" \
           "        grade: ''\n" in text
    report = load_paths([folder]).report
    missing = [(f.pos.line, f.rule, f.message) for f in report.errors
               if f.pos.path.endswith("2024年专利代理师资格考试.yaml")]
    assert [m[2] for m in missing] == [
        "indicators.产出指标.数量指标[1].actual：实际完成值不能为空",
        "indicators.产出指标.质量指标[1].actual：实际完成值不能为空",
        "indicators.产出指标.时效指标[1].actual：实际完成值不能为空",
        "indicators.产出指标.成本指标[1].actual：实际完成值不能为空",
        "indicators.效益指标.社会效益指标[1].actual：实际完成值不能为空",
        "indicators.效益指标.社会效益指标[1].grade：" + NO_GRADE,
        "indicators.效益指标.可持续影响指标[1].actual：实际完成值不能为空",
        "indicators.效益指标.可持续影响指标[1].grade：" + NO_GRADE,
        "indicators.满意度指标.服务对象满意度指标[1].actual：实际完成值不能为空",
        "execution.spent：全年执行数不能为空",
        "execution.fiscal.spent：全年执行数不能为空",
        "execution.other.spent：全年执行数不能为空",
        "execution.results[1]：实际完成情况不能为空",
    ]
    # The other projects were left alone, and a second run starts nothing twice.
    assert (folder / "2024年知识产权执法业务费.yaml").read_text(encoding="utf-8") == (
        TEST_BOOKS / KEY / "2024年知识产权执法业务费.yaml").read_text(encoding="utf-8")
    code, _, err = run("selfeval", str(folder))
    assert code == 1 and "有错误，未写入任何文件" in err


def test_start_selfeval_of_a_filled_project_guards_its_spending(tmp_path):
    from tablegen.commands.start_selfeval import start_selfeval

    folder = monitored_book(tmp_path)
    result = start_selfeval(folder)
    assert [s.file.name for s in result.started] == [
        "2024年局机关信息化运维.yaml", "2024年专利代理师资格考试.yaml", "2024年保护中心运行维护费.yaml"]
    path = folder / "2024年保护中心运行维护费.yaml"
    text = path.read_text(encoding="utf-8").replace("actual: ''", "actual: 完成").replace(
        "grade: ''", "grade: 达成").replace("  spent:\n", "  spent: 280.00\n").replace(
        "    - ''", "    - 全年正常运行")
    path.write_text(text, encoding="utf-8")
    found = [(f.rule, f.message) for f in load_paths([folder]).report.errors
             if f.pos.path.endswith("2024年保护中心运行维护费.yaml") and f.rule == "spent-below-monitored"]
    assert found == [("spent-below-monitored",
                      "execution.spent：全年执行数 280.00 少于 1–7月监控时已执行的 285.00")]


def test_start_selfeval_needs_monitoring_data(tmp_path, run):
    folder = tmp_path / KEY
    shutil.copytree(TEST_BOOKS / KEY, folder)
    code, _, err = run("selfeval", str(folder))
    assert code == 2 and "没有任何项目有监控数据" in err


def test_import_update_keeps_the_monitoring_data(tmp_path, run):
    # A DOCX holds targets only: the monitoring rounds stay as the book has them.
    from test_import_docx import build_docx
    from test_import_update import edit

    folder = monitored_book(tmp_path)
    build_docx(load_book_strict(folder), tmp_path)
    edit(tmp_path / f"{KEY}.docx", {"≥1500人": "≥1600人"})
    name = "2024年专利代理师资格考试.yaml"
    old = (folder / name).read_text(encoding="utf-8")
    code, out, err = run("import", f"{KEY}.docx", "--into", KEY, "--update", "--apply", cwd=tmp_path)
    assert code == 0, out + err
    assert "monitoring:\n  - month: 4" in old
    assert (folder / name).read_text(encoding="utf-8") == old.replace("value: ≥1500人", "value: ≥1600人")


def test_a_round_added_or_removed_is_one_change():
    from tablegen.model.monitoring import MonitorFunds, Round, round_changes

    def rnd(month):
        return Round(month, MonitorFunds(None, Decimal(10), Decimal(5), Decimal(10)))

    assert round_changes([rnd(7)], [rnd(7), rnd(10)], "万元") == [
        ("监控", "1–10月监控", "（空）", "已填写")]
    assert round_changes([rnd(4), rnd(7)], [rnd(7)], "万元") == [("监控", "1–4月监控", "已填写", "（空）")]


@pytest.mark.parametrize(("old", "new", "rule"), [
    ("likelihood: 确定能", "likelihood: 确定", "invalid-choice"),  # the entry is not read: it is
    ("month: 7", "month: 0", "monitor-month"),  # not called missing; no period 1–0月 is judged
])
def test_one_fault_one_finding(tmp_path, monkeypatch, old, new, rule):
    monkeypatch.chdir(tmp_path)
    text = (FIXTURES / "rules" / "valid-monitored.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace(old, new), encoding="utf-8")
    assert [f.rule for f in load_paths([tmp_path / "p.yaml"]).report.sorted()] == [rule]
