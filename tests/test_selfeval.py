"""The 项目支出绩效自评表 of the 2024 seed book with a written execution fixture.

Every expected cell below was computed by hand from tests/fixtures/selfeval/ (the three
evaluated projects of the 2024 seed book) with the rules of the common scheme; the comments
show the arithmetic.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from lxml import etree

from conftest import FIXTURES, SEED_BOOKS, need_program
from dumps import pdf_lines
from tablegen.build import build
from tablegen.errors import Report
from tablegen.imports import import_files
from tablegen.kinds.selfeval import selfevals, table_rows
from tablegen.load.books import load_book_strict

EXECUTION = FIXTURES / "selfeval"


def seed_book(tmp_path, key="tianjin-ipa-2024", *, evaluated=True):
    """The seed book imported from its source dump, with the execution fixture laid over it."""
    folder = tmp_path / key
    report = Report()
    import_files([SEED_BOOKS[key]], folder, report)
    assert report.errors == []
    if evaluated:
        for f in EXECUTION.glob("*.yaml"):
            shutil.copy(f, folder / f.name)
    return folder


# The official form's labels (the common scheme's form): A/B column marks, points in each 一级
# cell, no 自评等级 on the 总分 row, the 注 with the scheme's 分值 under the table.
FUNDS_HEAD = ["项目资金（万元）", "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值",
              "执行率（B/A）", "得分"]
GRID_HEAD = ["一级指标", "二级指标", "三级指标", "年度指标值（A）", "实际完成值（B）", "分值", "得分",
             "偏差原因分析及改进措施"]
NOTE = [["注：1.一级指标分值：产出指标50分、效益指标30分、满意度指标10分、预算执行率10分。"],
        ["2.定量指标：≥（下限）指标达到年度指标值得满分，未达到按 全年实际值（B）÷ 年度指标值（A）× 分值 "
         "计分；≤（上限）指标不超过年度指标值得满分，超过按 分值 ×〔1 −（B − A）÷ A〕计分，达到两倍时为 0；"
         "没有符号的指标值按下限计分（成本指标和时限按上限）。"],
        ["3.定性指标：达成、部分达成、未达成分别得分值的 100%、80%、50%。"]]

EXPECTED = {
    1: [
        ["项目名称", "2024年局机关信息化运维"],
        ["主管部门", "天津市知识产权局", "实施单位", "天津市知识产权局"],
        FUNDS_HEAD,
        # 38.20 / 40.00 = 95.5 %; 10 × 0.955 = 9.55
        ["年度资金总额", "40.00", "40.00", "38.20", "10.00", "95.50%", "9.55"],
        ["其中：本年财政拨款", "40.00", "40.00", "38.20", "—", "95.50%", "—"],
        ["上年结转资金", "", "", "", "—", "", "—"],
        ["其他资金", "", "", "", "—", "", "—"],
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["", "保证局机关信息化系统正常运转", "局机关信息化系统全年正常运转，完成1个系统的等保测评"],
        GRID_HEAD,
        # 产出 50 over 6 rows: 8.33 each, the 2 cents left to the first two rows.
        ["产出指标（50分）", "数量指标", "等保测评信息系统", "天津市知识产权专项资金",
         "已完成局机关门户网站等保测评", "8.34", "8.34", ""],  # qualitative, 达成: 100 %
        ["", "数量指标", "等保测评系统数", "1个", "1个", "8.34", "8.34", ""],  # no sign: ≥, met
        ["", "时效指标", "系统响应时间", "<1分钟", "1.5分钟", "8.33", "4.17",  # 8.33 × (1 − 0.5/1)
         "年底业务高峰期并发访问多，响应变慢；已扩容服务器"],
        ["", "时效指标", "系统故障修复时间", "<8小时", "6小时", "8.33", "8.33", ""],  # under: full
        ["", "质量指标", "系统正常运转率", "≥98%", "97.5%", "8.33", "8.29",  # 8.33 × 97.5/98 = 8.2875
         "两次机房断电检修；已增配备用电源"],
        ["", "质量指标", "系统支持同时在线人数", "≥100人", "150人", "8.33", "8.33",  # beaten by 50 %
         "新办公系统上线后同时在线人数增加，下年指标值相应提高"],
        # 效益 30: 12 given to 服务采购经济性, the other 18 over 3 rows.
        ["效益指标（30分）", "社会效益指标", "提升整体工作效率", "提升整个知识产权工作效率",  # 部分达成 80 %
         "业务系统平均办理时长缩短约20%", "6.00", "4.80", "部分业务系统尚未迁移；下年完成迁移"],
        ["", "经济效益指标", "服务采购经济性", "≤40万元", "382000元", "12.00", "12.00", ""],  # 38.2 万元
        ["", "可持续影响指标", "信息化系统使用年限", "≥10年", "10年", "6.00", "6.00", ""],
        ["", "生态效益指标", "不涉及", "不涉及", "不涉及", "6.00", "6.00", ""],
        # 10 × 96.5/98; ％ and % are one unit
        ["满意度指标（10分）", "服务对象满意度指标", "服务企业满意度", "≥98%", "96.5％", "10.00", "9.85",
         "个别企业反映系统操作复杂；已编写操作手册并开展培训"],
        # 45.80 + 28.80 + 9.85 + 9.55
        ["总分", "100.00", "94.00"], *NOTE,  # 优 (the overview's)
    ],
    2: [
        ["项目名称", "2024年专利代理师资格考试"],
        ["主管部门", "天津市知识产权局", "实施单位", "天津市知识产权局"],
        FUNDS_HEAD,
        # 61.20 / 62.00 = 98.709…%; 10 × 0.98709… = 9.87
        ["年度资金总额", "60.00", "62.00", "61.20", "10.00", "98.71%", "9.87"],
        ["其中：本年财政拨款", "60.00", "60.00", "59.20", "—", "98.67%", "—"],
        ["上年结转资金", "0.00", "2.00", "2.00", "—", "100.00%", "—"],
        ["其他资金", "", "", "", "—", "", "—"],
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["", "促进天津市专利代理行业发展，提高我市专利代理师数量。",
         "完成2024年专利代理师资格考试天津考区的组织工作，报名2100人，通过85人"],
        GRID_HEAD,
        ["产出指标（50分）", "数量指标", "专利代理师资格考试报名人数", "≥1500人", "2100人", "12.50", "12.50",
         "考试宣传扩大了报考人数；下年指标值提高到≥2000人"],
        ["", "质量指标", "年度代理师资格考试通过人数", "≥100人", "85人", "12.50", "10.63",  # 10.625
         "当年考试难度提高，通过率下降；加强考前公益培训"],
        ["", "时效指标", "完成时间", "≤1年", "1年", "12.50", "12.50", ""],
        # 612000元 = 61.2万元 over a 60 cap: 12.50 × (1 − 1.2/60)
        ["", "成本指标", "年度资金总额", "≤60万元", "612000元", "12.50", "12.25",
         "增设考点，机考服务费超出1.2万元，由上年结转资金列支"],
        ["效益指标（30分）", "社会效益指标", "社会知识产权意识", "有所提升",
         "全市专利代理师考试报名人数同比增长40%", "15.00", "12.00",
         "宣传覆盖面仍以市内六区为主；下年扩大到各区"],  # explicit score
        ["", "可持续影响指标", "知识产权服务业专利代理机构", "数量逐年增加", "全市专利代理机构较上年减少3家",
         "15.00", "7.50", "行业整合，小型机构合并；下年开展机构培育"],  # 未达成 50 %
        ["满意度指标（10分）", "服务对象满意度指标", "服务对象满意度指标", "≥80百分比", "92%", "10.00",
         "10.00", ""],  # 百分比 and % are one unit
        # 47.88 + 19.50 + 10.00 + 9.87
        ["总分", "100.00", "87.25"], *NOTE,  # 良
    ],
    3: [
        ["项目名称", "2024年保护中心运行维护费"],
        ["主管部门", "天津市知识产权局", "实施单位", "天津市知识产权保护中心"],
        FUNDS_HEAD,
        # 297.50 / 300.00 = 99.166…%
        ["年度资金总额", "300.00", "300.00", "297.50", "10.00", "99.17%", "9.92"],
        ["其中：本年财政拨款", "300.00", "", "", "—", "", "—"],
        ["上年结转资金", "", "", "", "—", "", "—"],
        ["其他资金", "", "", "", "—", "", "—"],
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["", "1.通过租赁办公用房，保障知识产权保护中心办公场地；\n"
             "2.通过采购物业服务，保障知识产权保护中心日常运行。",
         "1.租赁办公用房3000平米，保障了保护中心办公场地\n2.采购物业服务，保障了保护中心日常运行"],
        GRID_HEAD,
        ["产出指标（50分）", "数量指标", "办公场地租赁面积", "≥3000平米", "3000平米", "6.25", "6.25", ""],
        ["", "数量指标", "物业服务面积", "≥3000平米", "3000平米", "6.25", "6.25", ""],
        ["", "数量指标", "办公场地物业服务人员", "≥6人", "8人", "6.25", "6.25",
         "按物业合同增配2名保洁人员，费用在合同内"],
        # no sign: ≥, 6.25 × 0.98
        ["", "质量指标", "办公场地面积及功能达标率", "100%", "98%", "6.25", "6.13",
         "会议室改造期间部分功能暂不可用"],
        ["", "时效指标", "办公场地租赁费支付完成时间", "2024年12月31日前", "2024年12月20日完成支付",
         "6.25", "6.25", ""],
        ["", "时效指标", "物业服务费支付完成时间", "2024年12月31日前", "2025年1月15日完成支付",
         "6.25", "5.00", "12月物业费发票延迟开具；已要求物业公司按月开票"],  # 部分达成
        ["", "成本指标", "房租费", "≤231.5万元", "231.5万元", "6.25", "6.25", ""],
        ["", "成本指标", "物业服务费、水费、电费、停车费", "≤68.5万元", "66.0万元", "6.25", "6.25", ""],
        ["效益指标（30分）", "社会效益指标", "保障保护中心正常运行", "有效保障", "保护中心全年正常运行",
         "30.00", "30.00", ""],
        ["满意度指标（10分）", "服务对象满意度指标", "办公场地使用人员满意度", "≥95%", "91.2%", "10.00",
         "9.60", "停车位紧张；已协调增加临时停车位"],  # 10 × 91.2/95
        # 48.63 + 30.00 + 9.60 + 9.92
        ["总分", "100.00", "98.15"], *NOTE,  # 优
    ],
}


def test_every_cell_score_and_total_of_the_2024_selfeval(tmp_path):
    book = load_book_strict(seed_book(tmp_path))
    tables = selfevals(book)
    assert [t.heading for t in tables] == [
        "1.2024年局机关信息化运维绩效自评表", "2.2024年专利代理师资格考试绩效自评表",
        "3.2024年保护中心运行维护费绩效自评表"]
    for t in tables:
        assert table_rows(t) == EXPECTED[t.number], t.heading


def test_the_execution_fixture_checks_clean(tmp_path):
    from tablegen.load.books import load_paths

    report = load_paths([seed_book(tmp_path)]).report
    assert report.errors == []
    # Only the five warnings the seed book itself has, and the two unsigned targets the scheme
    # reads (`1个`, `100%`): every deviation reason is written.
    assert sorted(f.rule for f in report.warnings) == [
        "no-satisfaction", "satisfaction-unit", "target-unsigned", "target-unsigned",
        "whitespace", "whitespace", "whitespace"]


def test_build_writes_the_selfeval_beside_the_targets_and_the_overview_shows_scores(tmp_path):
    folder = seed_book(tmp_path)
    build([folder], tmp_path / "out", ["html"], quiet=True)
    names = sorted(p.name for p in (tmp_path / "out" / folder.name).iterdir())
    assert "天津市知识产权局2024年项目支出绩效自评表.html" in names and "index.html" in names
    page = (tmp_path / "out" / folder.name / "天津市知识产权局2024年项目支出绩效自评表.html").read_text(
        encoding="utf-8")
    assert "<h1>天津市知识产权局2024年项目支出绩效自评表</h1>" in page
    assert page.count('<section class="project"') == 3
    overview = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert ("<tr><th scope=\"row\">2.2024年专利代理师资格考试绩效自评表</th><td>87.25</td><td>良</td></tr>"
            in overview)
    assert 'href="tianjin-ipa-2024/天津市知识产权局2024年项目支出绩效自评表.html"' in overview


def test_a_book_without_execution_data_has_no_selfeval(tmp_path):
    folder = seed_book(tmp_path, evaluated=False)
    build([folder], tmp_path / "out", ["html"], quiet=True)
    assert not list((tmp_path / "out").rglob("*自评*"))
    assert "绩效自评" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_the_selfeval_pdf_has_its_own_toc_and_bookmarks(tmp_path):
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    folder = seed_book(tmp_path)
    build([folder], tmp_path / "out", ["pdf"], quiet=True)
    pdf = tmp_path / "out" / folder.name / "天津市知识产权局2024年项目支出绩效自评表.pdf"
    reader = PdfReader(pdf)
    outline = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    assert [t for t, _ in outline] == [
        "1.2024年局机关信息化运维绩效自评表", "2.2024年专利代理师资格考试绩效自评表",
        "3.2024年保护中心运行维护费绩效自评表"]
    assert reader.metadata.title == "天津市知识产权局2024年项目支出绩效自评表"
    pdftotext = need_program("pdftotext")
    # The unit stays whole: 项目资金 / （万元）, never 项目资金（万 / 元）.
    assert {"项目资金", "（万元）"} <= pdf_lines(pdf) and "元）" not in pdf_lines(pdf)
    toc = subprocess.run([pdftotext, "-layout", "-f", "2", "-l", "2", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    # The 目录 names each table with the page its bookmark points at (1-based).
    for title, page in outline:
        line = next(x for x in toc.splitlines() if title in x)
        assert line.split()[-1] == str(page + 1)
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    # No 自评等级 on the form (the overview keeps it); the 注 under each table.
    assert "自评等级" not in text and "98.15" in text and text.count("注：1.一级指标分值") == 3


def test_a_selfeval_cut_by_a_page_break_repeats_the_header_and_the_group_label(tmp_path):
    from tablegen.render.toc_pages import page_texts

    need_program("pdftotext")
    folder = seed_book(tmp_path)
    build([folder], tmp_path / "out", ["pdf"], quiet=True)
    pages = page_texts(tmp_path / "out" / folder.name / "天津市知识产权局2024年项目支出绩效自评表.pdf")
    assert len(pages) == 8  # cover, 目录, then each 自评表 on two pages
    header = "一级指标二级指标三级指标年度指标值A实际完成值B分值得分偏差原因分析及改进措施"
    for first, cont in ((2, 3), (4, 5), (6, 7)):
        assert "项目名称" in pages[first] and "项目名称" not in pages[cont]
        # The indicators' header row again, then the rows the break carried over, each
        # starting with its 一级 label.
        assert pages[cont].startswith(header)
    assert pages[3].startswith(header + "效益指标30分经济效益指标")  # 效益指标 continued
    assert pages[5].startswith(header + "满意度指标10分")
    assert pages[7].startswith(header + "产出指标50分成本指标")  # 产出指标 continued


def test_diff_shows_changed_actuals_and_scores(tmp_path):
    from tablegen.commands.diff import as_text, diff

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    folder = seed_book(tmp_path / "targets")
    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-qm", "a")
    path = folder / "2024年专利代理师资格考试.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("actual: 85人", "actual: 95人").replace("spent: 61.20", "spent: 61.00")
                    .replace("spent: 59.20", "spent: 59.00"), encoding="utf-8")
    diffs, _ = diff(tmp_path, "main")
    # 12.50 × 95/100 = 11.875; 10 × 61.00/62.00 = 9.84; 49.13 + 19.50 + 10.00 + 9.84 = 88.47
    assert as_text(diffs).splitlines() == [
        "书 tianjin-ipa-2024（天津市知识产权局2024年项目支出绩效目标表）",
        "  修改项目：2024年专利代理师资格考试（2024年专利代理师资格考试.yaml）",
        "    执行 全年执行数（万元）：61.20 → 61.00",
        "    实际完成值 产出指标 / 质量指标 / 年度代理师资格考试通过人数：85人 → 95人",
        "    得分 产出指标 / 质量指标 / 年度代理师资格考试通过人数：10.63 → 11.88",
        "    总分 总分：87.25（良） → 88.47（良）",
    ]


def test_the_selfeval_xlsx_has_every_cell_of_every_table(tmp_path):
    from openpyxl import load_workbook

    folder = seed_book(tmp_path)
    build([folder], tmp_path / "out", ["xlsx"], quiet=True)
    wb = load_workbook(tmp_path / "out" / folder.name / "天津市知识产权局2024年项目支出绩效自评表.xlsx")
    assert wb.sheetnames == ["01-2024年局机关信息化运维", "02-2024年专利代理师资格考试",
                             "03-2024年保护中心运行维护费"]
    # Printed pages break where a 一级 group ends (row 18 of the first two tables) or, for the
    # third table's 产出指标, which does not fit on the first page, inside the group with its
    # label repeated after the break, as the PDF does.
    assert [[b.id for b in ws.row_breaks.brk] for ws in wb.worksheets] == [[18], [18], [18]]
    for number, ws in enumerate(wb.worksheets, 1):
        got = [[shown(c) for c in row if c.value is not None] for row in ws.iter_rows()]
        expected = [[c for c in row if c] for row in EXPECTED[number]]
        for b in ws.row_breaks.brk:
            first = b.id - 2  # the sheet's row after the break (got[2:] is from row 3)
            if not EXPECTED[number][first][0]:  # the break cuts a group
                level1 = next(r[0] for r in reversed(EXPECTED[number][:first]) if r[0])
                expected[first] = [level1, *expected[first]]
        assert ws["A1"].value == f"{number}.{EXPECTED[number][0][1]}绩效自评表"
        assert got[1] == ["单位：万元"]
        assert got[2:] == expected, ws.title
    assert "A5:A9" in {str(r) for r in wb.worksheets[0].merged_cells.ranges}
    assert "A13:A18" in {str(r) for r in wb.worksheets[2].merged_cells.ranges}
    assert wb.worksheets[2]["A19"].value == "产出指标（50分）"


def shown(cell):
    """A cell as Excel shows it: numbers through their `0.00` / `0.00%` format."""
    if isinstance(cell.value, str):
        return cell.value
    assert cell.number_format in ("0.00", "0.00%"), cell.coordinate
    if cell.number_format == "0.00%":
        return f"{cell.value * 100:.2f}%"
    return f"{cell.value:.2f}"


def test_selfeval_xlsx_figures_are_numbers_and_texts_literal_strings(tmp_path):
    from openpyxl import load_workbook

    folder = seed_book(tmp_path)
    build([folder], tmp_path / "out", ["xlsx"], quiet=True)
    xlsx = tmp_path / "out" / folder.name / "天津市知识产权局2024年项目支出绩效自评表.xlsx"
    ws = load_workbook(xlsx).worksheets[0]

    def cells(ref):
        return [(c.value, c.data_type, c.number_format) for row in ws[ref] for c in row]

    # 年度资金总额: 年初预算数, 全年预算数, 全年执行数, 分值 numeric; 执行率 95.50 %; 得分.
    assert cells("C6:H6") == [(40, "n", "0.00"), (40, "n", "0.00"), (38.2, "n", "0.00"),
                              (10, "n", "0.00"), (0.955, "n", "0.00%"), (9.55, "n", "0.00")]
    # 其中：本年财政拨款: no 分值/得分 of its own ("—" stays text); empty sources stay text.
    assert cells("F7:H7") == [("—", "s", "General"), (0.955, "n", "0.00%"), ("—", "s", "General")]
    assert [v for v, _, _ in cells("C8:E8")] == [None] * 3
    # Indicator rows (sheet row 13 on): 分值 and 得分 numeric, 实际完成值 and texts literal.
    assert cells("C14:G14") == [("等保测评系统数", "s", "General"), ("1个", "s", "General"),
                                ("1个", "s", "General"), (8.34, "n", "0.00"), (8.34, "n", "0.00")]
    assert cells("F15:G15") == [(8.33, "n", "0.00"), (4.17, "n", "0.00")]
    # 总分: 分值 100.00 and the total numeric; the 注 under it, outside the borders.
    total = ws.max_row - 3
    assert ws[f"A{total}"].value == "总分"
    assert [(c.data_type, c.number_format) for c in (ws[f"F{total}"], ws[f"G{total}"])] == \
        [("n", "0.00")] * 2
    assert ws[f"F{total}"].value == 100
    assert not [c.coordinate for row in ws.iter_rows() for c in row
                if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]


def test_the_selfeval_docx_from_its_own_template_has_every_cell_and_a_toc(tmp_path):
    from dumps import docx_document, docx_tables

    folder = seed_book(tmp_path)
    build([folder], tmp_path / "out", ["docx"], quiet=True)
    path = tmp_path / "out" / folder.name / "天津市知识产权局2024年项目支出绩效自评表.docx"
    tables = docx_tables(path)
    assert [h for h, _ in tables] == [
        "1.2024年局机关信息化运维绩效自评表", "2.2024年专利代理师资格考试绩效自评表",
        "3.2024年保护中心运行维护费绩效自评表"]
    for number, (_, rows) in enumerate(tables, 1):
        table = EXPECTED[number][:-len(NOTE)]  # the 注 is paragraphs under the table
        assert [[c for c in r if c] for r in rows] == [[c for c in r if c] for r in table]
    xml = etree.tostring(docx_document(path), encoding="unicode")
    assert xml.count(NOTE[0][0]) == 3 and xml.count(NOTE[2][0]) == 3
    assert "天津市知识产权局2024年项目支出绩效自评表" in xml and "目录" in xml
    # Each table's bookmark: at its heading, as the 目录 entry's link, in its PAGEREF field.
    assert [xml.count(f"_Toc9{n:08d}") for n in (1, 2, 3)] == [3, 3, 3]


def test_the_selfeval_docx_toc_numbers_are_the_pages_where_libreoffice_lays_the_headings(tmp_path):
    need_program("soffice")
    from dumps import docx_tables, docx_toc_pages
    from tablegen.render.toc_pages import find_pages, page_texts, to_pdf

    folder = seed_book(tmp_path)
    build([folder], tmp_path / "out", ["docx"], quiet=True, toc_pages=True)
    path = tmp_path / "out" / folder.name / "天津市知识产权局2024年项目支出绩效自评表.docx"
    headings = [h for h, _ in docx_tables(path)]
    (pdf,) = to_pdf([path], tmp_path)
    # Title, 目录, then each 自评表 over two pages (the estimate, one page each, said 3, 4, 5).
    assert docx_toc_pages(path) == find_pages(page_texts(pdf), headings) == [3, 5, 7]


def test_the_selfeval_pdf_is_cached_per_table_like_the_target_tables(tmp_path, caplog):
    import logging

    folder = seed_book(tmp_path)
    out = tmp_path / "out"
    with caplog.at_level(logging.INFO, logger="tablegen"):
        build([folder], out, ["pdf"], quiet=True)
    assert "PDF tianjin-ipa-2024 自评表：排版 3 张表，0 张取自缓存" in caplog.messages
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tablegen"):
        assert build([folder], out, ["pdf"], quiet=True).written == []
    assert not [m for m in caplog.messages if "排版" in m]  # a second build lays out nothing
    path = folder / "2024年专利代理师资格考试.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("actual: 85人", "actual: 95人"),
                    encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tablegen"):
        build([folder], out, ["pdf"], quiet=True)
    # The edited project's 自评表 alone is laid out again (and its target table is unchanged).
    assert [m for m in caplog.messages if "排版" in m] == [
        "PDF tianjin-ipa-2024 自评表：排版 1 张表，2 张取自缓存"]
