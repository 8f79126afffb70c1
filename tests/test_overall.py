"""The 部门整体 tables of a book with two agencies: every cell, both layouts from the same data,
the amounts derived from the project files, the 自评 scores computed by hand.

The test book is the 2024 seed book (tests/books/tianjin-ipa-2024: agency 610101 with six
projects, 610203 with four), the 自评 fixture of three of its projects (tests/fixtures/selfeval)
and tests/fixtures/overall: book.yaml naming an `overall:` file for each agency, and the two
files. Every expected cell below was written by hand from those files; the comments show the
sums and the arithmetic.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, TEST_BOOKS
from tablegen.kinds import overall as overall_kind
from tablegen.kinds import overall_eval
from tablegen.load.books import load_book_strict

OVERALL = FIXTURES / "overall"
AGENCY_FILES = {"610101": "天津市知识产权局整体支出绩效.yaml",
                "610203": "天津市知识产权保护中心整体支出绩效.yaml"}


def overall_book(root: Path, layout: str = "tasks", key: str = "overall-2024") -> Path:
    """The test book in `root/key`: the seed book's projects, the 自评 fixture, the 整体 files."""
    folder = root / key
    folder.mkdir(parents=True)
    for source in (TEST_BOOKS / "tianjin-ipa-2024", FIXTURES / "selfeval", OVERALL):
        for f in source.glob("*.yaml"):
            shutil.copy(f, folder / f.name)
    book = folder / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace(
        "overall_layout: tasks", f"overall_layout: {layout}"), encoding="utf-8")
    return folder


NAME = "部门（单位）名称"
TASKS_HEAD = [["年度主要任务", "任务名称", "主要内容", "预算金额（万元）"],
              ["", "", "", "总额", "财政拨款", "其他资金"]]
GRID_HEAD = ["一级指标", "二级指标", "三级指标", "指标值"]
GOALS_1 = ["年度总体目标", "1.全面加强知识产权保护，专利行政执法办案量不少于300件，维权援助结案率不低于95%\n"
           "2.推动专利转化运用，支持专利转化项目不少于20个\n3.保障机关正常运转和各项工作任务顺利完成"]
GOALS_2 = ["年度总体目标", "1.运行好专利快速预审和快速维权通道，预审案件不少于1500件\n"
           "2.建设协同保护体系，提升知识产权保护综合水平"]
GRID_1 = [
    ["产出指标", "数量指标", "专利行政执法办案量", "≥300件"],
    ["", "数量指标", "专利转化专项计划支持项目数", "≥20个"],
    ["", "质量指标", "知识产权维权援助结案率", "≥95%"],
    ["", "时效指标", "专利代理师资格考试组织完成时间", "2024年11月30日前"],
    ["", "成本指标", "机关运行经费", "≤1085.5万元"],
    ["效益指标", "社会效益指标", "全社会知识产权保护意识", "有效提升"],
    ["", "经济效益指标", "专利转化实施合同金额", "≥5000万元"],
    ["", "可持续影响指标", "知识产权保护长效机制", "持续完善"],
    ["满意度指标", "服务对象满意度指标", "创新主体满意度", "≥90%"],
]
GRID_2 = [  # frame: overall (the central 整体 dimensions as 二级)
    ["产出指标", "运行成本", "单位运行成本控制", "≤326.45万元"],
    ["", "管理效率", "政府采购执行率", "≥95%"],
    ["", "履职效能", "专利快速预审案件量", "≥1500件"],
    ["", "履职效能", "快速维权案件办结率", "≥90%"],
    ["效益指标", "社会效应", "知识产权保护营商环境", "持续优化"],
    ["", "可持续发展能力", "专业人才队伍建设", "稳步提升"],
    ["满意度指标", "服务对象满意度", "服务对象满意度", "≥95%"],
]

# The central 申报表 layout (overall_layout: tasks).
TASKS = {
    1: [
        [NAME, "天津市知识产权局"],
        *TASKS_HEAD,
        # 2024年知识产权执法业务费 20.00 + 2024年知识产权促进与保护项目 1091.00, all 财政
        ["", "知识产权保护与执法", "开展专利行政执法和知识产权保护，建设知识产权保护体系", "1111.00",
         "1111.00", ""],
        ["", "专利转化运用", "实施专利转化专项计划，支持高校院所专利向中小企业转化", "4990.00", "4990.00",
         ""],
        # typed 40.00 and checked against 2024年局机关信息化运维 (40.00)
        ["", "信息化运维", "局机关信息化硬件维保、系统运维、网络安全、通信线路租赁", "40.00", "40.00", ""],
        # 2024年专利代理师资格考试 60.00 + 2024年天津市志…编修 21.00
        ["", "专利代理师考试与志书编修", "组织专利代理师资格考试天津考区考务，编修知识产权局志", "81.00",
         "81.00", ""],
        ["", "机关运行保障", "保障在职人员工资福利和机关日常运转", "1085.50", "1085.50", ""],  # typed
        # 1111.00 + 4990.00 + 40.00 + 81.00 + 1085.50; no task has 其他资金
        ["", "金额合计", "7307.50", "7307.50", ""],
        GOALS_1,
        ["年度绩效指标"],
        GRID_HEAD,
        *GRID_1,
    ],
    2: [
        [NAME, "天津市知识产权保护中心"],
        *TASKS_HEAD,
        # 2024年天津市知识产权保护与服务 221.00 (财政) + 非财政拨款——2024共建保护中心项目 100.00 (其他)
        ["", "快速预审与快速维权", "运行专利快速预审通道，开展快速维权和协同保护", "321.00", "221.00",
         "100.00"],
        # 2024年保护中心运行维护费 300.00 + 2024年保护中心信息化运维经费 52.00
        ["", "中心运行保障", "办公用房租赁、物业服务和信息化运维", "352.00", "352.00", ""],
        ["", "金额合计", "673.00", "573.00", "100.00"],
        GOALS_2,
        ["年度绩效指标"],
        GRID_HEAD,
        *GRID_2,
    ],
}

# The funds-block layout (overall_layout: funds) of the same data.
FUNDS = {
    1: [
        [NAME, "天津市知识产权局"],
        ["部门职能概述", "贯彻落实国家知识产权战略，拟订全市知识产权事业发展规划并组织实施；负责专利、商标、"
                   "地理标志等知识产权的保护和运用；负责知识产权公共服务体系建设。"],
        ["收入构成", "项目", "当年金额（万元）", "占比"],
        ["", "一般公共预算财政拨款", "2317.50", "31.71%"],  # 2317.50 / 7307.50 = 31.7140 %
        ["", "中央转移支付资金", "4990.00", "68.29%"],  # 4990.00 / 7307.50 = 68.2860 %
        ["", "合计", "7307.50", "100.00%"],
        ["支出构成", "项目", "当年金额（万元）", "占比"],
        ["", "基本支出", "1085.50", "14.85%"],  # 1085.50 / 7307.50 = 14.8546 %
        # the six project files: 40.00 + 20.00 + 4990.00 + 21.00 + 1091.00 + 60.00
        ["", "项目支出", "6222.00", "85.15%"],  # 6222.00 / 7307.50 = 85.1454 %
        ["", "合计", "7307.50", "100.00%"],  # 1085.50 + 6222.00
        GOALS_1,
        ["年度绩效指标"],
        GRID_HEAD,
        *GRID_1,
    ],
    2: [
        [NAME, "天津市知识产权保护中心"],
        ["部门职能概述", "承担专利快速预审、快速确权、快速维权工作，建设知识产权协同保护体系。"],
        ["收入构成", "项目", "当年金额（万元）", "占比"],
        ["", "财政拨款", "899.45", "89.99%"],  # 899.45 / 999.45 = 89.9945 %
        ["", "其他资金", "100.00", "10.01%"],  # 100.00 / 999.45 = 10.0055 %
        ["", "合计", "999.45", "100.00%"],
        ["支出构成", "项目", "当年金额（万元）", "占比"],
        ["", "基本支出", "326.45", "32.66%"],  # 326.45 / 999.45 = 32.6630 %
        # typed 673.00, checked: 52.00 + 300.00 + 100.00 + 221.00
        ["", "项目支出", "673.00", "67.34%"],  # 673.00 / 999.45 = 67.3370 %
        ["", "合计", "999.45", "100.00%"],
        GOALS_2,
        ["年度绩效指标"],
        GRID_HEAD,
        *GRID_2,
    ],
}

EVAL_HEAD = ["部门（单位）总体资金（万元）", "资金来源", "年初预算数（A）", "全年执行数（B）", "分值", "得分",
             "得分计算方法"]
EVAL_GRID = ["一级指标", "二级指标", "三级指标", "年度指标值（A）", "全年实际值（B）", "分值", "得分",
             "偏差原因分析及改进措施"]
METHOD = "执行率×该指标分值，最高不得超过分值上限"

# The 自评, by hand. Agency 610101 scores with the common scheme (预算执行 10, 产出 50, 效益 30,
# 满意度 10); 610203's file names `scoring: budget-20` (预算执行 20, 产出 40, 效益 30, 满意度 10).
EVAL = {
    1: [
        [NAME, "天津市知识产权局"],
        EVAL_HEAD,
        # 7155.70 / 7307.50 = 97.9227 %; 10 × 0.979227 = 9.79
        ["", "年度资金总额", "7307.50", "7155.70", "10.00", "9.79", METHOD],
        ["", "基本支出", "1085.50", "1050.30", "", "", ""],
        # 全年执行数 typed (four of the six project files have no execution data yet)
        ["", "项目支出", "6222.00", "6105.40", "", "", ""],
        ["年度总体目标", "年初设定目标", "年度总体目标完成情况"],
        ["", GOALS_1[1], "1.全年办理专利行政执法案件326件，维权援助结案率96.3%\n"
                         "2.支持专利转化项目18个，实施合同金额4600万元\n3.机关运转正常，各项工作任务按期完成"],
        ["绩效指标"],
        EVAL_GRID,
        # 产出 50 over five rows: 10 each
        ["产出指标", "数量指标", "专利行政执法办案量", "≥300件", "326件", "10.00", "10.00", ""],
        ["", "数量指标", "专利转化专项计划支持项目数", "≥20个", "18个", "10.00", "9.00",  # 10 × 18/20
         "2个项目因企业承接能力不足未能立项；下年提前开展项目对接"],
        ["", "质量指标", "知识产权维权援助结案率", "≥95%", "96.3%", "10.00", "10.00", ""],
        ["", "时效指标", "专利代理师资格考试组织完成时间", "2024年11月30日前", "2024年11月3日完成考试组织",
         "10.00", "10.00", ""],  # qualitative, 达成
        ["", "成本指标", "机关运行经费", "≤1085.5万元", "1050.3万元", "10.00", "10.00", ""],  # under
        # 效益 30 over three rows: 10 each
        ["效益指标", "社会效益指标", "全社会知识产权保护意识", "有效提升",
         "知识产权保护社会满意度调查得分较上年提高2.1分", "10.00", "10.00", ""],  # 达成
        ["", "经济效益指标", "专利转化实施合同金额", "≥5000万元", "4600万元", "10.00", "9.20",  # × 0.92
         "部分转化项目合同签订推迟至次年；加强项目跟踪服务"],
        ["", "可持续影响指标", "知识产权保护长效机制", "持续完善",
         "出台2项保护工作制度，行政裁决机制尚在建设", "10.00", "8.00",
         "行政裁决机制建设滞后；下年完成制度建设"],  # 部分达成 80 %
        ["满意度指标", "服务对象满意度指标", "创新主体满意度", "≥90%", "92.5%", "10.00", "10.00", ""],
        # 49.00 + 27.20 + 10.00 + 9.79
        ["总分", "100.00", "95.99", "自评等级：优"],
    ],
    2: [
        [NAME, "天津市知识产权保护中心"],
        EVAL_HEAD,
        # 977.80 / 999.45 = 97.8338 %; 20 × 0.978338 = 19.5668 → 19.57
        ["", "年度资金总额", "999.45", "977.80", "20.00", "19.57", METHOD],
        ["", "基本支出", "326.45", "318.20", "", "", ""],
        ["", "项目支出", "673.00", "659.60", "", "", ""],
        ["年度总体目标", "年初设定目标", "年度总体目标完成情况"],
        ["", GOALS_2[1], "1.全年预审专利1720件，快速维权案件办结率95%\n"
                         "2.协同保护体系运行良好，专业人才队伍建设稳步推进"],
        ["绩效指标"],
        EVAL_GRID,
        # 产出 40: two rows weighted 10 in the file, the other 20 over the two 履职效能 rows
        ["产出指标", "运行成本", "单位运行成本控制", "≤326.45万元", "318.2万元", "10.00", "10.00", ""],
        ["", "管理效率", "政府采购执行率", "≥95%", "93%", "10.00", "9.79",  # 10 × 93/95 = 9.7895
         "一项设备采购因供应商延期交付顺延至次年；加强采购计划管理"],
        ["", "履职效能", "专利快速预审案件量", "≥1500件", "1720件", "10.00", "10.00", ""],
        ["", "履职效能", "快速维权案件办结率", "≥90%", "95%", "10.00", "10.00", ""],
        # 效益 30 over two rows: 15 each
        ["效益指标", "社会效应", "知识产权保护营商环境", "持续优化", "企业维权周期平均缩短30%", "15.00",
         "15.00", ""],  # 达成
        ["", "可持续发展能力", "专业人才队伍建设", "稳步提升", "新增专利审查员4人，仍有2个技术领域缺少审查员",
         "15.00", "12.00", "部分技术领域人才招聘困难；下年开展定向招聘"],  # 部分达成: 15 × 0.8
        ["满意度指标", "服务对象满意度", "服务对象满意度", "≥95%", "96.8%", "10.00", "10.00", ""],
        # 39.79 + 27.00 + 10.00 + 19.57
        ["总分", "100.00", "96.36", "自评等级：优"],
    ],
}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return load_book_strict(overall_book(tmp_path_factory.mktemp("overall")))


def test_every_cell_of_the_central_layout(book):
    tables = overall_kind.tables(book)
    assert [t.heading for t in tables] == ["1.天津市知识产权局整体支出绩效目标表（2024年度）",
                                           "2.天津市知识产权保护中心整体支出绩效目标表（2024年度）"]
    for t in tables:
        assert overall_kind.table_rows(t) == TASKS[t.number], t.heading


def test_the_funds_layout_is_the_same_data_in_another_layout(tmp_path):
    funds = load_book_strict(overall_book(tmp_path, "funds"))
    for t in overall_kind.tables(funds):
        assert t.blocks == ("functions", "income", "expense", "goals", "indicators")
        assert overall_kind.table_rows(t) == FUNDS[t.number], t.heading


def test_every_cell_and_score_of_the_overall_selfeval(book):
    tables = overall_eval.evaluations(book)
    assert [t.heading for t in tables] == ["1.天津市知识产权局整体支出绩效自评表（2024年度）",
                                           "2.天津市知识产权保护中心整体支出绩效自评表（2024年度）"]
    for t in tables:
        assert overall_eval.table_rows(t) == EVAL[t.number], t.heading
    assert [(t.total, t.grade) for t in tables] == [("95.99", "优"), ("96.36", "优")]


def _sum(values) -> Decimal:
    return sum((Decimal(str(v)) for v in values if v is not None), Decimal(0))


def test_the_derived_amounts_are_the_project_files_sums(book, tmp_path):
    # Read the project files themselves (not through tablegen): each agency's 项目支出 is the sum
    # of its projects' 预算数, and 年度资金总额 is 基本支出 + 项目支出, in both tables.
    folder = overall_book(tmp_path)
    listed = yaml.safe_load((folder / "book.yaml").read_text(encoding="utf-8"))["agencies"]
    targets = {t.agency: t for t in overall_kind.tables(book)}
    evals = {t.agency: t for t in overall_eval.evaluations(book)}
    for agency in listed:
        projects = [yaml.safe_load((folder / f).read_text(encoding="utf-8")) for f in agency["projects"]]
        whole = yaml.safe_load((folder / agency["overall"]).read_text(encoding="utf-8"))
        budget = _sum(p["budget"]["total"] for p in projects)
        total = budget + Decimal(str(whole["basic"]))
        t, e = targets[agency["name"]], evals[agency["name"]]
        assert t.expense[1].amount == e.funds[2].initial == f"{budget:.2f}"
        assert t.expense_sum.amount == e.funds[0].initial == f"{total:.2f}"
        by_file = {f: p for f, p in zip(agency["projects"], projects, strict=True)}
        for task, row in zip(whole["tasks"], t.tasks, strict=True):
            if "projects" in task:
                assert row.total == f"{_sum(by_file[f]['budget']['total'] for f in task['projects']):.2f}"
        spent = _sum([whole["execution"]["basic"], whole["execution"]["projects"]])
        assert e.funds[0].spent == f"{spent:.2f}"
    assert [t.expense[1].amount for t in targets.values()] == ["6222.00", "673.00"]


def test_the_overall_spent_is_derived_when_every_project_has_its_own(tmp_path):
    # One agency whose only project has execution data: 项目支出's 全年执行数 is that project's
    # (9.50), and typing another is an error naming both numbers.
    folder = tmp_path / "b"
    shutil.copytree(FIXTURES / "rules" / "overall-valid", folder)
    book = load_book_strict(folder)
    (t,) = overall_eval.evaluations(book)
    # A 15.00 = 5.00 + 10.00, B 14.00 = 4.50 + 9.50; 10 × 14/15 = 9.33
    assert [f.texts() for f in t.funds] == [
        ["年度资金总额", "15.00", "14.00", "10.00", "9.33", METHOD],
        ["基本支出", "5.00", "4.50", "", "", ""], ["项目支出", "10.00", "9.50", "", "", ""]]
    path = folder / "o.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  basic: 4.50\n",
                                                             "  basic: 4.50\n  projects: 9.00\n"),
                    encoding="utf-8")
    from tablegen.load.books import load_paths

    report = load_paths([folder]).report
    assert [(f.pos.line, f.rule, f.message) for f in report.findings] == [
        (32, "overall-projects", "execution.projects：项目支出的全年执行数 9.00 不等于本单位 1 个项目文件的"
                                 "全年执行数之和 9.50；可以删去此项，由 tablegen 按项目文件合计")]


def test_every_layout_has_every_label_the_kinds_print(book):
    from dataclasses import replace

    from tablegen.model.overall_layouts import layouts

    for name, layout in layouts().items():
        for t in overall_kind.tables(replace(book, overall_layout=name)):  # no missing label
            rows = overall_kind.table_rows(t)
            assert rows[0] == [layout.labels["name"], t.agency], (name, t.heading)
            assert overall_kind.table_sheet(t).cells
