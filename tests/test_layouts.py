"""Tables of other provinces, each written as it is published, in every format and back.

Each fixture in tests/fixtures/layouts/ is a book written the way a real table is published
(its layout, its agency line, its rows above the grid, its columns and rows in their order). The
expected rows below are the table as published, cell by cell; every format must show exactly
them: the DOCX's cell grid, the HTML's tables (a cell a rowspan covers is an empty cell, as in
the DOCX), the XLSX sheet (through its merged ranges), the PDF's words. Importing the DOCX or
the XLSX gives back the same book.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from openpyxl import load_workbook

from conftest import FIXTURES, need_program
from dumps import composed_of, docx_tables, pdf_lines
from tablegen.build import build
from tablegen.errors import Report
from tablegen.imports import import_files
from tablegen.load.books import load_book_strict
from tablegen.model.book import safe_stem

LAYOUTS = FIXTURES / "layouts"
NS = "{http://www.w3.org/1999/xhtml}"
SICHUAN_HEADER = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向性"]
XIANGTAN_GOAL = "通过采购雾炮车降尘抑尘服务,服务周期2023.07-2024.01,全市空气质量达到优良"

# case → its tables, each as published: the line above it, the rows above the grid, the grid.
EXPECTED: dict[str, list[list[list[str]]]] = {
    # 四川 井研县马踏镇 2023: the code joined to the name by a hyphen, amounts in 元 with thousands
    # separators, 指标性质 / 指标值 / 度量单位 / 权重 / 指标方向性 in columns of their own, and the
    # rows in the order the budget system exported them (效益 between 产出 rows).
    "sichuan-export": [
        [["820001-井研县马踏镇人民政府", "金额单位：元"],
         ["项目名称", "村组干部报酬"],
         ["预算数", "3,309,840.00"],
         ["年度目标", "按时发放村组干部报酬"],
         SICHUAN_HEADER,
         ["效益指标", "社会效益指标", "维护社会稳定", "≥", "95", "%", "10", "正向指标"],
         ["产出指标", "时效指标", "维持时效", "≥", "1", "年", "20", "正向指标"],
         ["产出指标", "质量指标", "按时发放", "≥", "1", "人/年", "10", "正向指标"],
         ["效益指标", "经济效益指标", "促进村集体经济发展", "≥", "95", "%", "10", "正向指标"],
         ["产出指标", "数量指标", "村组干部230人", "≥", "230", "个", "10", "正向指标"],
         ["效益指标", "生态效益指标", "保护生态环境卫生", "≥", "95", "%", "10", "正向指标"],
         ["效益指标", "可持续影响指标", "项目维持时效", "≥", "95", "%", "10", "正向指标"],
         ["满意度指标", "服务对象满意度指标", "人民群众满意度", "≥", "95", "%", "10", "正向指标"]],
        [["820001-井研县马踏镇人民政府", "金额单位：元"],
         ["项目名称", "基层组织活动经费"],
         ["预算数", "660,000.00"],
         ["年度目标", "包括必要的办公用品费、水电费、报刊费等村社区办公经费，基层党组织开展组织活动、"
                      "党员干部教育培训，群团活动开展，组织活动场所维护等。"],
         SICHUAN_HEADER,
         ["满意度指标", "服务对象满意度指标", "辖区内群众满意度", "≥", "95", "%", "10", "正向指标"],
         ["效益指标", "经济效益指标", "促进农村集体经济发展", "≥", "95", "%", "10", "正向指标"],
         ["效益指标", "可持续影响指标", "经济、环境等方面可持续发展", "≥", "95", "%", "10", "正向指标"],
         ["产出指标", "质量指标", "保障村社区正常运转", "≥", "95", "%", "20", "正向指标"],
         ["产出指标", "数量指标", "行政村数量", "=", "11", "个", "10", "正向指标"]],
    ],
    # 湖南 湘潭 2023: 预算部门, 本级 and 上级 amounts, 实施期 and its goals; every 二级 of the
    # frame printed, 经济效益 / 生态效益 / 可持续影响 empty; a 绩效标准 column; a first column
    # `本年度绩效指标` over the grid's header and all its rows (a band). (The published amount
    # cells read `250万` and `0`: with the table's 单位：万元 the book prints `250.00` and
    # `0.00`, its two decimals.)
    "hunan-xiangtan": [
        [["填报单位：（盖章）", "单位：万元"],
         ["项目支出名称", "雾炮车降尘抑尘服务", "预算部门", "湘潭市环境卫生管理处"],
         ["年度本级预算金额", "250.00", "该项目支出上级资金", "0.00"],
         ["项目支出实施期", "2023.07-2024.01"],
         ["实施期绩效目标", XIANGTAN_GOAL],
         ["本年度绩效目标", XIANGTAN_GOAL],
         ["本年度\n绩效指标", "一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"],
         ["", "产出指标", "数量指标", "雾炮车降尘抑尘服务配备车辆数", "10辆", "计划标准"],
         ["", "", "", "雾炮车风炮射程", "≥80M", "计划标准"],
         ["", "", "质量指标", "服务周期内空气质量", "优良", "计划标准"],
         ["", "", "时效指标", "服务周期", "2023.07-2024.01", "计划标准"],
         ["", "", "成本指标", "控制在预算成本内", "250万", "计划标准"],
         ["", "效益指标", "经济效益指标", "", "", ""],
         ["", "", "社会效益指标", "服务周期内,市民对空气质量改善的满意程度", "≥85%", "计划标准"],
         ["", "", "生态效益指标", "", "", ""],
         ["", "", "可持续影响指标", "", "", ""],
         ["", "", "社会公众或服务对象满意度指标", "市民满意度", "≥90%", "计划标准"],
         ["财政部门审核意见", ""],
         ["填表人：宋云花　联系电话：16607326331　填报日期：　单位负责人签字："]],
    ],
    # A county table in the 财政部 reference layout: no code, 主管部门 beside 实施单位, no 绩效指标
    # 描述 column, no 资金用途 row.
    "national": [
        [["某县社会救助服务中心", "单位：万元"],
         ["项目名称", "困难群众救助项目"],
         ["主管部门", "某县民政局", "实施单位", "某县社会救助服务中心"],
         ["资金情况（万元）", "年度资金总额", "1286.40", "其中：财政拨款", "1286.40", "其他资金", ""],
         ["年度绩效目标",
          "1.保障城乡低保对象、特困人员基本生活，及时救助临时遇困群众，兜住兜准兜牢民生底线。"],
         ["一级指标", "二级指标", "三级指标", "指标值"],
         ["产出指标", "数量指标", "★农村低保发放人数", "3260人"],
         ["", "", "★临时救助人次数", "≥450人次"],
         ["", "质量指标", "符合条件的困难群众应保尽保率", "100%"],
         ["", "成本指标", "农村低保标准", "≥450元/人·月"],
         ["效益指标", "社会效益指标", "困难群众基本生活保障水平", "稳步提高"],
         ["满意度指标", "服务对象满意度指标", "救助对象满意度", "≥90%"]],
    ],
    # 四川 2020–2021: the book's own frame (项目完成指标 / 项目效益指标, 满意度指标 a 二级).
    "sichuan-2020": [
        [["310001大英县市场监督管理局", "单位：万元"],
         ["项目名称", "双心及文明城市创建专项资金"],
         ["主管部门", "大英县市场监督管理局", "实施单位", "大英县市场监督管理局"],
         ["资金情况（万元）", "年度资金总额", "10.00", "其中：财政拨款", "10.00", "其他资金", ""],
         ["年度绩效目标",
          "1.开展放心舒心消费城市创建宣传，提升全县消费者维权意识，助力创建全国县级文明城市。"],
         ["一级指标", "二级指标", "三级指标", "指标值"],
         ["项目完成指标", "数量指标", "宣传次数", "至少全年完成2次宣传"],
         ["", "质量指标", "创建质量", "按质按量完成"],
         ["", "时效指标", "全年", "1-12月"],
         ["", "成本指标", "成本", "≤10万元"],
         ["项目效益指标", "社会效益指标", "提升全县消费者维权意识", "不断提升"],
         ["", "满意度指标", "群众满意度", "≥90%"]],
    ],
    # 湖南 宁乡 2021: 万元 to the 元 (four decimals), 长期目标 beside 年度目标, 指标内容 and 备注.
    "remarks": [
        [["填报单位：宁乡市坝塘镇人民政府", "单位：万元"],
         ["项目名称", "镇域内基础设施建设"],
         ["主管部门", "坝塘镇", "项目单位", "宁乡市坝塘镇人民政府"],
         ["资金总额及构成", "总额", "10606.7522", "财政拨款", "6923.3552", "其他", "3683.3970"],
         ["项目绩效目标", "长期目标", "年度目标"],
         ["", "1.改善镇域内基础设施,振兴乡村经济",
          "1.全面完成集镇立面改造、机关、学校、乡村振兴等项目,搞好提质改造"],
         ["一级指标", "二级指标", "指标内容", "指标值", "备注"],
         ["产出指标", "数量指标", "集镇立面改造户数", "≥120户", "按发改立项"],
         ["", "质量指标", "工程验收合格率", "100%", ""],
         ["", "时效指标", "项目完成时间", "2021年12月底前", ""],
         ["", "成本指标", "基础设施建设成本", "≤10606.7522万元", "含上级财政资金6923.3552万元"],
         ["效益指标", "社会效益指标", "群众出行和生产生活条件", "明显改善", ""],
         ["", "可持续影响指标", "基础设施使用年限", "≥20年", ""],
         ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", ""]],
    ],
    # A multi-year project: 实施期 goals beside 年度 ones, 实施期 and 年度 values side by side.
    "period": [
        [["610203天津市知识产权保护中心", "单位：万元"],
         ["项目名称", "专利导航服务平台建设（2024—2026年）"],
         ["主管部门", "天津市知识产权局", "实施单位", "天津市知识产权保护中心"],
         ["项目实施期", "2024年1月—2026年12月"],
         ["项目资金（万元）", "年度资金总额", "180.00", "其中：财政拨款", "180.00", "其他资金", ""],
         ["总体目标", "实施期目标", "年度目标"],
         ["", "1.建成覆盖重点产业的专利导航服务平台，为企业提供专利检索、导航分析和预警服务。\n"
              "2.服务重点产业企业不少于300家。",
          "1.完成平台需求分析和一期开发，上线专利检索与导航分析功能。"],
         ["一级指标", "二级指标", "三级指标", "实施期指标值", "年度指标值"],
         ["产出指标", "数量指标", "上线的功能模块", "≥8个", "≥3个"],
         ["", "数量指标", "服务企业数量", "≥300家", "≥80家"],
         ["", "时效指标", "一期开发完成时间", "2024年12月31日前", "2024年12月31日前"],
         ["", "成本指标", "平台开发费用", "≤480万元", "≤180万元"],
         ["效益指标", "社会效益指标", "企业专利布局能力", "明显提升", "有所提升"],
         ["满意度指标", "服务对象满意度指标", "服务企业满意度", "≥95%", "≥90%"]],
    ],
    # 福建 转移支付: one value column per recipient after the province's.
    "fujian-transfer": [
        [["福建省交通运输厅", "单位：万元"],
         ["转移支付名称", "2024年老区苏区农村公路养护补助资金"],
         ["主管部门", "福建省交通运输厅", "资金总额（万元）", "15200.00"],
         ["年度绩效目标", "1.支持老区苏区设区市开展农村公路日常养护和预防性养护，提高农村公路列养率和"
                         "优良中等路率。"],
         ["一级指标", "二级指标", "三级指标", "全省指标值", "三明市", "南平市", "龙岩市", "宁德市"],
         ["产出指标", "数量指标", "农村公路列养里程", "≥52000公里", "≥13500公里", "≥15800公里",
          "≥12600公里", "≥10100公里"],
         ["", "质量指标", "农村公路列养率", "100%", "100%", "100%", "100%", "100%"],
         ["", "质量指标", "优良中等路率", "≥85%", "≥86%", "≥85%", "≥87%", "≥85%"],
         ["效益指标", "社会效益指标", "农村群众出行条件", "持续改善", "", "", "", ""],
         ["满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%", "≥90%", "≥90%", "≥90%",
          "≥90%"]],
    ],
}
CASES = sorted(EXPECTED)


def unbroken(rows: list[list[str]]) -> list[list[str]]:
    """Rows with the line break a narrow 一级/二级 column puts before a label's final 指标
    taken out (`项目完成` / `指标` prints as one label)."""
    return [[re.sub(r"\n(?=指标$)", "", c) for c in r] for r in rows]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("layouts")
    build([LAYOUTS], out, ["docx", "html", "pdf", "xlsx"], quiet=True, toc_pages=False)
    return out


def output(built: Path, case: str, suffix: str) -> Path:
    title = load_book_strict(LAYOUTS / case).title
    return built / case / f"{safe_stem(title)}.{suffix}"


@pytest.mark.parametrize("case", CASES)
def test_every_fixture_is_a_valid_book_without_warnings(case):
    from tablegen.load.books import load_paths

    catalog = load_paths([LAYOUTS / case])
    assert [f.text() for f in catalog.report.findings] == []


@pytest.mark.parametrize("case", CASES)
def test_the_docx_has_every_cell_where_the_table_has_it(built, case):
    tables = docx_tables(output(built, case, "docx"))
    assert [unbroken(rows) for _, rows in tables] == EXPECTED[case]


def html_rows(table) -> list[list[str]]:
    """A table's rows of cell texts, a cell covered by a rowspan from above an empty cell (as a
    DOCX shows it), a cell over several columns one cell; paragraphs on lines of their own."""
    out: list[list[str]] = []
    below: dict[int, tuple[int, int]] = {}  # column → (rows left, columns it spans)
    for tr in table.iter(NS + "tr"):
        row: list[str] = []
        cells = [c for c in tr if c.tag in (NS + "th", NS + "td")]
        column = 0
        while cells or column in below:
            if column in below:
                left, span = below[column]
                row.append("")
                below[column] = (left - 1, span)
                if left - 1 == 0:
                    del below[column]
                column += span
                continue
            cell = cells.pop(0)
            paragraphs = cell.findall(NS + "p")
            text = ("\n".join("".join(p.itertext()) for p in paragraphs) if paragraphs
                    else "".join(cell.itertext()))
            row.append(text)
            span = int(cell.get("colspan", "1"))
            if int(cell.get("rowspan", "1")) > 1:
                below[column] = (int(cell.get("rowspan")) - 1, span)
            column += span
        out.append(row)
    return out


@pytest.mark.parametrize("case", CASES)
def test_the_web_page_has_every_cell_where_the_table_has_it(built, case):
    page = html5lib.parse((built / case / "index.html").read_bytes(), treebuilder="lxml",
                          transport_encoding="utf-8").getroot()
    got = []
    for section in page.iter(NS + "section"):
        head, *tables = [t for t in section.iter(NS + "table")]
        caption = [("".join(s.itertext())) for s in head.find(NS + "caption").iter(NS + "span")]
        below = [["".join(p.itertext())] for p in section.iter(NS + "p")
                 if p.get("class") == "below"]
        got.append(unbroken([caption, *html_rows(head), *(r for t in tables for r in html_rows(t)),
                             *below]))
    assert got == EXPECTED[case]


def shown(cell) -> str:
    """A sheet cell's text as the spreadsheet shows it (an amount with its number format)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        fmt = cell.number_format
        places = len(fmt.split(".")[1]) if "." in fmt else 0
        return f"{Decimal(str(value)):{',' if ',' in fmt else ''}.{places}f}"
    return str(value)


def sheet_rows(ws) -> list[list[str]]:
    """A table sheet's rows after its heading: a merged range one cell, read at its top left;
    a row a range covers from above an empty cell there."""
    ranges = {}
    for r in ws.merged_cells.ranges:
        for row in range(r.min_row, r.max_row + 1):
            ranges[(row, r.min_col)] = r
    out = []
    for row in range(2, ws.max_row + 1):
        cells = []
        col = 1
        while col <= ws.max_column:
            r = ranges.get((row, col))
            if r is not None:
                cells.append(shown(ws.cell(r.min_row, r.min_col)) if r.min_row == row else "")
                col = r.max_col + 1
            else:
                cells.append(shown(ws.cell(row, col)))
                col += 1
        out.append(cells)
    return out


@pytest.mark.parametrize("case", CASES)
def test_the_sheet_has_every_cell_where_the_table_has_it(built, case):
    wb = load_workbook(output(built, case, "xlsx"))
    tables = [unbroken(sheet_rows(ws)) for ws in wb.worksheets if ws.title != "指标导入"]
    assert tables == EXPECTED[case]


@pytest.mark.parametrize("case", CASES)
def test_the_pdf_shows_every_cell(built, case):
    need_program("pdftotext")
    words = pdf_lines(output(built, case, "pdf"))
    missing = [cell for table in EXPECTED[case] for row in table for cell in row
               if not composed_of(cell, words)]
    assert missing == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("case", CASES)
def test_importing_the_output_gives_back_the_book(built, tmp_path, case, fmt):
    book = load_book_strict(LAYOUTS / case)
    report = Report()
    import_files([output(built, case, fmt)], tmp_path / case, report)
    # A group that comes back after another (the export's order) is kept, and said so.
    assert {f.rule for f in report.findings} <= {"import-order"}
    again = load_book_strict(tmp_path / case)
    assert again.projects == book.projects
    assert [(a.code, a.name, a.department, a.contact, a.phone) for a in again.agencies] == [
        (a.code, a.name, a.department, a.contact, a.phone) for a in book.agencies]
    assert again.layout == book.layout
    assert (again.decimals, again.merge, again.author) == (book.decimals, book.merge, book.author)
    # The frame: the book's own comes back as the frame the table shows (the 二级 it prints).
    frame = again.frames.get(again.frame)
    if book.frames:
        assert frame is not None
        assert {(a.name, b.name) for p in book.projects for a in p.indicators for b in a.groups} \
            == {(l1, l2) for l1, l2s in frame.levels.items() for l2 in l2s}
    else:
        assert again.frame == book.frame
    # and it builds the same tables again
    out = tmp_path / "again"
    build([tmp_path / case], out, ["docx"], quiet=True, toc_pages=False)
    title = safe_stem(again.title)
    assert [unbroken(rows) for _, rows in docx_tables(out / case / f"{title}.docx")] == \
        EXPECTED[case]


def test_a_fixture_copied_with_another_layout_name_is_refused_clearly(tmp_path, run):
    book = tmp_path / "b"
    shutil.copytree(LAYOUTS / "national", book)
    text = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(text.replace("layout: national", "layout: nationl"),
                                    encoding="utf-8")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("layout:"))
    assert out.splitlines()[0] == (
        f"b/book.yaml:{line}:9: error[layout]: layout：找不到版式“nationl”"
        "（templates/targets/layouts/nationl.yaml）；可用的版式：fujian-transfer、hunan-xiangtan、national、"
        "period、remarks、sichuan-export、tianjin")


@pytest.mark.parametrize("case", CASES)
def test_fmt_keeps_every_key_of_every_layout(tmp_path, case):
    # Written again in the canonical form: rows in their written order, empty 二级, the book's
    # own frame, a layout's own columns, values per recipient, 实施期, more decimals.
    from tablegen.commands.fmt import fmt

    shutil.copytree(LAYOUTS / case, tmp_path / case)
    result = fmt([tmp_path / case])
    assert result.report.findings == []
    before, after = load_book_strict(LAYOUTS / case), load_book_strict(tmp_path / case)
    assert after.projects == before.projects
    assert [p.order for p in after.projects] == [p.order for p in before.projects]
    assert (after.agencies, after.layout, after.frames, after.frame, after.decimals,
            after.department) == (before.agencies, before.layout, before.frames, before.frame,
                                  before.decimals, before.department)
    assert fmt([tmp_path / case], check=True).changed == []


def test_a_review_shows_what_the_layouts_own_columns_changed():
    import copy

    from tablegen.model.changes import Change, column_labels, project_changes

    old = load_book_strict(LAYOUTS / "fujian-transfer").projects[0]
    new = copy.deepcopy(old)
    new.indicators[0].groups[0].indicators[0].values["三明市"] = "≥14000公里"
    new.recipients.append("平潭综合实验区")
    assert project_changes(old, new, "万元") == [
        Change("接收方", "接收方", "三明市、南平市、龙岩市、宁德市",
               "三明市、南平市、龙岩市、宁德市、平潭综合实验区"),
        Change("修改指标", "产出指标 / 数量指标 / 农村公路列养里程 · 三明市", "≥13500公里",
               "≥14000公里")]
    old = load_book_strict(LAYOUTS / "period").projects[0]
    new = copy.deepcopy(old)
    new.period_goals[1] = "服务重点产业企业不少于400家。"
    ind = new.indicators[0].groups[0].indicators[1]
    ind.period_value = "≥400家"
    assert project_changes(old, new, "万元") == [
        Change("实施期绩效目标", "第 2 条", "服务重点产业企业不少于300家。",
               "服务重点产业企业不少于400家。"),
        Change("修改指标", "产出指标 / 数量指标 / 服务企业数量 · 实施期指标值", "≥300家", "≥400家")]
    book = load_book_strict(LAYOUTS / "hunan-xiangtan")
    old = book.projects[0]
    new = copy.deepcopy(old)
    new.indicators[0].groups[0].indicators[0].extra["standard"] = "历史标准"
    assert project_changes(old, new, "万元", column_labels(book)) == [
        Change("修改指标", "产出指标 / 数量指标 / 雾炮车降尘抑尘服务配备车辆数 · 绩效标准", "计划标准",
               "历史标准")]


def test_a_frame_of_the_repository_is_one_file_every_book_can_name(tmp_path, run):
    # The frame in templates/targets/frames/ of the repository (where tablegen runs), named by
    # two books; checked like the book's own (a broken one is a finding at its line).
    frames = tmp_path / "templates" / "targets" / "frames"
    frames.mkdir(parents=True)
    (frames / "sichuan-2020.yaml").write_text(
        "title: 四川省2020—2021年的指标框架\nlevels:\n"
        "  项目完成指标: [数量指标, 质量指标, 时效指标, 成本指标]\n"
        "  项目效益指标: [经济效益指标, 社会效益指标, 生态效益指标, 可持续影响指标, 满意度指标]\n",
        encoding="utf-8")
    for name in ("a", "b"):
        shutil.copytree(LAYOUTS / "sichuan-2020", tmp_path / "targets" / name)
        book = tmp_path / "targets" / name / "book.yaml"
        text = book.read_text(encoding="utf-8")
        book.write_text(re.sub(r"frames:\n(  .*\n)+", "", text), encoding="utf-8")
    code, out, err = run("check", "targets", cwd=tmp_path)
    assert (code, out, err) == (0, "", "0 个错误，0 个警告\n")
    assert load_book_strict(tmp_path / "targets" / "a").frame == "sichuan-2020"
    (frames / "sichuan-2020.yaml").write_text("title: 框架\nlevels:\n  项目完成指标: 数量指标\n",
                                              encoding="utf-8")
    code, out, _ = run("check", "targets")
    assert code == 1
    assert out.splitlines()[-1] == (
        "templates/targets/frames/sichuan-2020.yaml:3:11: error[wrong-type]: 框架 sichuan-2020"
        ".levels.项目完成指标：应为二级指标的列表（如 [数量指标, 质量指标]），实际为文本“数量指标”")


MINE = """title: 本单位的版式
head:
  widths: [200, 800]
  rows:
    - [项目名称, {field: name}]
grid:
  - {field: level1, label: 一级指标, width: 200}
  - {field: level2, label: 二级指标, width: 200}
  - {field: value, label: 指标值, width: 300}
"""


@pytest.mark.parametrize("old, new, finding", [
    ("grid:", "grids:", "1:1: error[layout]: 版式 mine：缺少“grid”"),
    ("field: level1", "field: name",
     "7:3: error[layout]: 版式 mine 的 grid：前两列应为 field: level1（一级指标）和 field: level2"
     "（二级指标）（有 band 时在它之后）"),
    # A band (one label over the grid) stands first, and covers all rows or the indicator rows.
    ("  - {field: value,", "  - {band: 本年度绩效指标, width: 90}\n  - {field: value,",
     "9:5: error[layout]: 版式 mine 的 grid[3]：band（贯通各行的标签列）只能是第一列"),
    ("grid:\n", "grid:\n  - {band: 本年度绩效指标, width: 90, over: header}\n",
     "7:38: error[layout]: 版式 mine 的 grid[1].over：应为 all | rows 之一，实际为文本“header”"),
    ("{field: name}", "{field: nam}",
     "5:22: error[layout]: 版式 mine 的 head.rows[1][2].field：应为 name | department | agency | "
     "code | total | fiscal | other | usage | goals | period_goals | period | contact | phone 之一，"
     "实际为文本“nam”"),
    # Rows below the grid are read as the head's; the line under the table names fields.
    ("grid:", "foot:\n  widths: [200, 800]\n  rows:\n    - [审核意见, {text: \"\", label: 意见}]\ngrid:",
     "9:14: error[layout]: 版式 mine 的 foot.rows[1][2]：应有 label（标签文字）、field（项目的内容）或 "
     "text（固定的内容，可为空）之一"),
    ("title: 本单位的版式", 'title: 本单位的版式\nbelow: "填表人：{preparer}"',
     "2:8: error[layout]: 版式 mine 的 below：“填表人：{preparer}”中只能用 {code}、{name}、{department}、"
     "{contact}、{phone}"),
    ("{field: value,", "{key: value,",
     "9:11: error[layout]: 版式 mine 的 grid[3].key：应为小写英文字母开头的键名，且不与已有的键重名，"
     "实际为文本“value”"),
    ("title: 本单位的版式", 'title: 本单位的版式\nagency: "{code}{foo}"',
     "2:9: error[layout]: 版式 mine 的 agency：“{code}{foo}”中只能用 {code}、{name}、{department}"),
    ("width: 300", "width: 0",
     "9:39: error[layout]: 版式 mine 的 grid[3].width：应为不小于 1 的整数，实际为文本“0”"),
    ("{field: name}]", "{field: name, span: 2}]",
     "5:7: error[layout]: 版式 mine 的 head.rows[1]：单元格共占 3 列，应与 widths 的 2 列相同"),
])
def test_a_broken_layout_file_is_a_finding_at_its_line(tmp_path, run, old, new, finding):
    shutil.copytree(FIXTURES / "rules" / "layout-file", tmp_path / "b")
    mine = tmp_path / "b" / "templates" / "targets" / "layouts" / "mine.yaml"
    assert old in MINE
    mine.write_text(MINE.replace(old, new), encoding="utf-8")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert f"b/templates/targets/layouts/mine.yaml:{finding}" in out.splitlines()
    assert "Traceback" not in out


def test_a_layout_linked_from_outside_its_folder_is_not_read(tmp_path, run):
    shutil.copytree(FIXTURES / "rules" / "layout-file", tmp_path / "b")
    secret = tmp_path / "secret.yaml"
    secret.write_text(MINE, encoding="utf-8")
    mine = tmp_path / "b" / "templates" / "targets" / "layouts" / "mine.yaml"
    mine.unlink()
    mine.symlink_to(secret)
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == ["b/templates/targets/layouts/mine.yaml:1:1: error[file-outside]: "
                                "版式文件是指向模板文件夹以外的链接，拒绝读取"]


@pytest.mark.parametrize("old, new, finding", [
    # A row of the list that mistypes level1: told once, at the typo.
    ("  - level1: 产出指标\n    level2: 时效指标", "  - levle1: 产出指标\n    level2: 时效指标",
     "村组干部报酬.yaml:13:5: error[unknown-key]: indicators[2]：未知的键“levle1”，是否想写“level1”？"
     "（“level1”是必填项：一级指标）"),
    ("  - level1: 产出指标\n    level2: 时效指标", "  - level2: 时效指标",
     "村组干部报酬.yaml:13:5: error[missing-field]: indicators[2]：缺少必填项“level1”（一级指标）"),
    # An empty row where the layout prints none.
    ("    name: 维持时效\n    value: ≥1年\n    weight: 20\n    direction: 正向指标\n", "",
     "村组干部报酬.yaml:13:5: error[missing-field]: indicators[2]：缺少必填项“name”（三级指标）"),
])
def test_a_row_of_the_list_is_checked_like_a_row_of_the_mapping(tmp_path, run, old, new, finding):
    shutil.copytree(LAYOUTS / "sichuan-export", tmp_path / "b")
    path = tmp_path / "b" / "村组干部报酬.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert f"b/{finding}" in out.splitlines()


def test_a_recipient_listed_twice_or_unknown_is_a_finding(tmp_path, run):
    shutil.copytree(LAYOUTS / "fujian-transfer", tmp_path / "b")
    path = tmp_path / "b" / "老区苏区农村公路养护补助资金.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("recipients: [三明市, 南平市, 龙岩市, 宁德市]",
                                 "recipients: [三明市, 南平市, 龙岩市, 南平市]"), encoding="utf-8")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    lines = out.splitlines()
    assert ("b/老区苏区农村公路养护补助资金.yaml:6:29: error[duplicate-key]: recipients[4]："
            "接收方“南平市”重复（第 2 项已列出）") in lines
    assert ("b/老区苏区农村公路养护补助资金.yaml:12:63: error[unknown-key]: "
            "indicators.产出指标.数量指标[1].values：“宁德市”不是本项目的接收方（recipients）；"
            "接收方：三明市、南平市、龙岩市") in lines


def test_a_row_the_layout_prints_when_written_is_there_in_every_format_and_imported(tmp_path):
    # The national layout's 资金用途 row (`when: usage`): absent in the fixture, printed below the
    # 资金情况 row once the project has a usage, and read back by import.
    book = tmp_path / "national"
    shutil.copytree(LAYOUTS / "national", book)
    path = book / "困难群众救助项目.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("goals:", "usage: 用于城乡低保、特困人员供养和临时救助资金发放\ngoals:", 1),
                    encoding="utf-8")
    usage = ["资金用途", "用于城乡低保、特困人员供养和临时救助资金发放"]
    expected = [*EXPECTED["national"][0][:4], usage, *EXPECTED["national"][0][4:]]
    out = tmp_path / "out"
    build([book], out, ["docx", "html", "xlsx"], quiet=True, toc_pages=False)
    name = out / "national" / safe_stem(load_book_strict(book).title)
    assert [rows for _, rows in docx_tables(name.with_suffix(".docx"))] == [expected]
    page = html5lib.parse((out / "national" / "index.html").read_bytes(), treebuilder="lxml",
                          transport_encoding="utf-8").getroot()
    head = next(page.iter(NS + "section")).find(".//" + NS + "table")
    assert html_rows(head)[2:4] == [expected[3], usage]
    wb = load_workbook(name.with_suffix(".xlsx"))
    assert [sheet_rows(ws) for ws in wb.worksheets if ws.title != "指标导入"] == [expected]
    for fmt in ("docx", "xlsx"):
        report = Report()
        import_files([name.with_suffix(f".{fmt}")], tmp_path / fmt, report)
        assert report.errors == []
        again = load_book_strict(tmp_path / fmt)
        assert again.projects == load_book_strict(book).projects, fmt


def long_xiangtan(root: Path, count: int = 40) -> Path:
    """The 湘潭 fixture with `count` 数量指标, so that its grid runs over pages."""
    shutil.copytree(LAYOUTS / "hunan-xiangtan", root)
    path = root / "雾炮车降尘抑尘服务.yaml"
    text = path.read_text(encoding="utf-8")
    more = "".join(f"      - name: 第{i}个作业点位的降尘抑尘作业\n        value: ≥{i}次\n"
                   f"        standard: 计划标准\n" for i in range(1, count + 1))
    path.write_text(text.replace("    数量指标:\n", "    数量指标:\n" + more, 1), encoding="utf-8")
    return root


def test_a_band_cut_by_a_page_break_repeats_its_label_on_the_next_page(tmp_path):
    # The 本年度绩效指标 band runs down the grid; where a page cuts the grid, the band is cut
    # there and its label prints again on the next page, as a cut 一级 label does, in the PDF,
    # in the DOCX (as LibreOffice lays it out) and in the sheet (two merged ranges, the second
    # from its page break); and the book imports back.
    need_program("soffice")
    need_program("pdftotext")
    from tablegen.render.toc_pages import page_texts, to_pdf

    book = long_xiangtan(tmp_path / "long")
    out = tmp_path / "out"
    build([book], out, ["docx", "pdf", "xlsx"], quiet=True, toc_pages=True)
    name = out / "long" / safe_stem(load_book_strict(book).title)
    (docx_pdf,) = to_pdf([name.with_suffix(".docx")], tmp_path)
    for pdf in (name.with_suffix(".pdf"), docx_pdf):
        pages = [p for p in page_texts(pdf) if "作业点位" in p or "市民满意度" in p]
        assert len(pages) >= 2, pdf
        assert all("本年度" in p and "绩效指标" in p for p in pages), [p[:60] for p in pages]
    ws = next(ws for ws in load_workbook(name.with_suffix(".xlsx")).worksheets
              if ws.title != "指标导入")
    bands = sorted((r.min_row, r.max_row) for r in ws.merged_cells.ranges
                   if r.min_col == 1 and ws.cell(r.min_row, 1).value == "本年度\n绩效指标")
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(bands) >= 2 and breaks
    assert [first - 1 for first, _ in bands[1:]] == breaks[:len(bands) - 1]
    assert all(b[1] + 1 == a[0] for b, a in zip(bands, bands[1:], strict=False))
    for fmt in ("docx", "xlsx"):
        report = Report()
        import_files([name.with_suffix(f".{fmt}")], tmp_path / fmt, report)
        assert report.findings == [], fmt
        assert load_book_strict(tmp_path / fmt).projects == load_book_strict(book).projects


def test_a_docx_template_without_the_rows_below_the_grid_is_refused_clearly(tmp_path, run):
    # A repository's own book.docx made before `foot:` and `below:` has no table for them: the
    # build says so instead of leaving them out of the DOCX in silence.
    import zipfile

    book = tmp_path / "b"
    shutil.copytree(LAYOUTS / "hunan-xiangtan", book)
    source = Path(__import__("tablegen").__file__).parent / "default_templates/targets/book.docx"
    own = book / "templates" / "targets" / "book.docx"
    own.parent.mkdir(parents=True)
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(own, "w") as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                start = text.index("<w:p><w:r><w:t>{%p if t.foot %}")
                end = text.index("<w:p><w:r><w:t>{%p endfor %}")
                data = (text[:start] + text[end:]).encode("utf-8")
            out.writestr(item, data)
    code, out, err = run("build", "b", "--format", "docx", "--no-toc-pages", cwd=tmp_path)
    assert code == 1
    assert ("DOCX 模板 b/templates/targets/book.docx 缺少指标表下的行（版式的 foot，模板中 "
            "{%tr for row in t.foot %} 的表）、表外的一行（版式的 below，模板中 {{ t.below }}），"
            "表“1.雾炮车降尘抑尘服务绩效目标表”的这部分无处可印；请从自带的模板复制") in out + err
    assert "Traceback" not in out + err


def test_a_band_over_the_rows_only_leaves_its_header_cell_empty(tmp_path, monkeypatch):
    # `over: rows`: the band starts at the first indicator row; the header row's cell above it
    # is empty, and the header still repeats on later pages. Every format, and back.
    book = tmp_path / "b"
    shutil.copytree(LAYOUTS / "hunan-xiangtan", book)
    layouts = book / "templates" / "targets" / "layouts"
    layouts.mkdir(parents=True)
    source = Path(__import__("tablegen").__file__).parent / "default_templates/targets/layouts"
    text = (source / "hunan-xiangtan.yaml").read_text(encoding="utf-8")
    (layouts / "xiangtan-rows.yaml").write_text(
        text.replace("width: 130}", "width: 130, over: rows}"), encoding="utf-8")
    path = book / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "layout: hunan-xiangtan", "layout: xiangtan-rows"), encoding="utf-8")
    expected = [list(r) for r in EXPECTED["hunan-xiangtan"][0]]
    expected[6][0], expected[7][0] = "", "本年度\n绩效指标"
    out = tmp_path / "out"
    build([book], out, ["docx", "html", "xlsx"], quiet=True, toc_pages=False)
    name = out / "b" / safe_stem(load_book_strict(book).title)
    assert [unbroken(rows) for _, rows in docx_tables(name.with_suffix(".docx"))] == [expected]
    page = html5lib.parse((out / "b" / "index.html").read_bytes(), treebuilder="lxml",
                          transport_encoding="utf-8").getroot()
    grid = list(next(page.iter(NS + "section")).iter(NS + "table"))[1]
    assert grid.find(NS + "thead") is not None
    assert unbroken(html_rows(grid)) == expected[6:17]
    wb = load_workbook(name.with_suffix(".xlsx"))
    ws = wb.worksheets[0]
    assert [unbroken(sheet_rows(ws))] == [expected]
    assert ws.print_title_rows == "$8:$8"
    monkeypatch.chdir(book)  # the repository whose templates/ holds the layout
    for fmt in ("docx", "xlsx"):
        report = Report()
        import_files([name.with_suffix(f".{fmt}")], tmp_path / fmt, report)
        assert report.findings == [], fmt
        again = load_book_strict(tmp_path / fmt)
        assert again.projects == load_book_strict(book).projects
        assert again.layout is not None and again.layout.band is not None
        assert again.layout.band.over == "rows"


def test_other_text_in_the_band_column_is_said_not_read_as_an_indicator(built, tmp_path):
    # The band's column holds its label or nothing; a note someone typed there is named (its
    # row and text) and left out, and the row's indicator is read as it stands.
    source = output(built, "hunan-xiangtan", "xlsx")
    wb = load_workbook(source)
    ws = wb.worksheets[0]
    band = next(r for r in ws.merged_cells.ranges if r.min_col == 1 and r.max_row > r.min_row)
    ws.unmerge_cells(str(band))
    ws.cell(band.min_row + 2, 1).value = "见附件"
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    report = Report()
    import_files([changed], tmp_path / "b", report)
    assert [(f.rule, f.message) for f in report.findings] == [
        ("import-cells", f"工作表“{ws.title}”第 {band.min_row + 2} 行第 1 列应为贯通各行的“本年度绩效指标”，"
                         "实际为“见附件”，已忽略")]
    assert load_book_strict(tmp_path / "b").projects == \
        load_book_strict(LAYOUTS / "hunan-xiangtan").projects


def test_a_docx_template_whose_level1_cell_cannot_carry_a_band_is_refused_clearly(tmp_path, run):
    # The band is drawn as a copy of the template's 一级 cell; one holding tags of its own is not
    # copied, and the build says so rather than print the table without its band.
    import zipfile

    book = tmp_path / "b"
    shutil.copytree(LAYOUTS / "hunan-xiangtan", book)
    source = Path(__import__("tablegen").__file__).parent / "default_templates/targets/book.docx"
    own = book / "templates" / "targets" / "book.docx"
    own.parent.mkdir(parents=True)
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(own, "w") as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert "<w:t>{{ r.level1 }}</w:t>" in text
                data = text.replace("<w:t>{{ r.level1 }}</w:t>",
                                    "<w:t>{% if true %}{{ r.level1 }}{% endif %}</w:t>").encode()
            out.writestr(item, data)
    code, out, err = run("build", "b", "--format", "docx", "--no-toc-pages", cwd=tmp_path)
    assert code == 1
    assert ("DOCX 模板 b/templates/targets/book.docx 缺少贯通的一列（版式的 band，按模板中 "
            "{{ r.level1 }} 所在的单元格画出；那个单元格中不能有 {% %} 标签），"
            "表“1.雾炮车降尘抑尘服务绩效目标表”的这部分无处可印；请从自带的模板复制") in out + err
