"""The 自评表 published by counties and towns (tests/fixtures/published/, their values as
printed), scored by tablegen: each published 得分 and 总分 the copy shows is reproduced, and what
the publication gets wrong or leaves out is a finding."""

from __future__ import annotations

from decimal import Decimal

from conftest import FIXTURES
from tablegen.errors import Report
from tablegen.kinds.selfeval import selfevals, table_rows
from tablegen.load.books import load_paths
from tablegen.load.loader import parse
from tablegen.load.validate import check_book_node, check_project_node, known_frame
from tablegen.model.book import Book
from tablegen.model.scoring import score_project

PUBLISHED = FIXTURES / "published"
D = Decimal


def book_of(key: str) -> tuple[Book, list[tuple[str, str]]]:
    """The book as validation reads it (even with errors), and its findings (file, rule)."""
    folder = PUBLISHED / key
    found = [(f.pos.path.rsplit("/", 1)[-1], f.rule)
             for f in load_paths([folder]).report.sorted()]
    report = Report()
    book, listed = check_book_node(parse((folder / "book.yaml").read_text(encoding="utf-8"),
                                         "book.yaml", report), key, report)
    assert book is not None, report.format("text")
    for agency, files in zip(book.agencies, listed, strict=True):
        for file, _ in files:
            text = (folder / file).read_text(encoding="utf-8")
            project = check_project_node(parse(text, file, report), file,
                                         known_frame(book.frame), report)
            assert project is not None, report.format("text")
            agency.projects.append(project)
    return book, found


def scores(book: Book, n: int = 0) -> tuple[list[str], str, str]:
    """(each row's 得分, 预算执行率's 得分, 总分) of the book's n-th project, as printed."""
    score = score_project(book.projects[n], book)
    assert score is not None
    return [f"{r.score}" for r in score.rows], f"{score.budget.score}", f"{score.total}"


def test_tianchang_2022_every_score_and_the_total():
    book, found = book_of("tianchang-2022")
    rows, budget, total = scores(book)
    # Published: every row 10 of 10 (`1` / `1` twice; `90%` → `100%`, an unsigned floor, once
    # 8.89 read as ＝), 预算执行率 880 / 880 10 of 10, 总分 100.
    assert rows == ["10.00"] * 9
    assert (budget, total) == ("10.00", "100.00")
    # The three unsigned targets say how they were read; nothing else.
    assert found == [("水旱灾害防御经费.yaml", "target-unsigned")] * 3
    cells = table_rows(selfevals(book)[0])
    assert cells[2] == ["项目资金（万元）", "年初预算数", "全年预算数(A)", "全年执行数(B)", "分值",
                        "执行率(B/A)", "得分"]
    assert cells[3] == ["年度资金总额", "880.00", "880.00", "880.00", "10.00", "100.00%", "10.00"]
    assert cells[4][0] == "其中：本年财政拨款"
    assert [r[0] for r in cells if r[0].endswith("分)")] == ["产出指标(50分)", "效益指标(30分)",
                                                            "满意度指标(10分)"]
    assert ["总分", "100.00", "100.00"] in cells  # no 自评等级 on the Anhui form
    assert cells[-3][0].startswith("注：1.一级指标分值统一设置为：产出指标50分")


def test_tangxi_2022_every_score_of_the_copy():
    book, found = book_of("tangxi-2022")
    rows, budget, total = scores(book, 0)
    # 委托业务项目: 8 8 8 8 8 10 | 10 10 10, bare actuals in the target's unit; 0 / 0 → 0.
    assert rows == ["8.00"] * 5 + ["10.00"] * 4
    assert budget == "0.00"
    rows, budget, _ = scores(book, 1)
    # 村级补助及运转经费: =8个 / 8, =42个 / 42, … ≤202.6万元 / 132.9 10; 效益 10 10; 0 / 0 → 0.
    assert rows == ["8.00"] * 5 + ["10.00"] * 3
    assert budget == "0.00"
    # The copy ends before the 满意度 rows (full-marks; and the second table's 效益 before its
    # third row: weight-sum, 20 of 30), the total rows are the system's empty 0 / 0 / 0 over a
    # 其中 row of 89.974 (execution-sum, execution-zero); a 132.9 under a cap of 202.6 is 34 %
    # below it without a reason (deviation-missing).
    assert sorted(set(found)) == [
        ("委托业务项目.yaml", "execution-sum"), ("委托业务项目.yaml", "execution-zero"),
        ("委托业务项目.yaml", "full-marks"), ("委托业务项目.yaml", "no-satisfaction"),
        ("村级补助及运转经费.yaml", "deviation-missing"), ("村级补助及运转经费.yaml", "execution-sum"),
        ("村级补助及运转经费.yaml", "execution-zero"), ("村级补助及运转经费.yaml", "full-marks"),
        ("村级补助及运转经费.yaml", "no-satisfaction"), ("村级补助及运转经费.yaml", "weight-sum")]
    cells = table_rows(selfevals(book)[0])
    assert cells[3][:7] == ["年度资金总额", "0.00", "0.00", "0.00", "10.00", "0.00%", "0.00"]
    assert cells[4][:4] == ["其中：本年财政拨款", "90.00", "89.974", "89.974"]  # as the accounts


def test_haidian_2016_the_rate_against_the_initial_budget_rounded_to_a_percent():
    book, found = book_of("haidian-2016")
    rows, budget, _ = scores(book)
    # 154.74 ÷ 310.2 = 49.88 %, printed 50 %, 得分 5 (unrounded it would be 4.99); row 12.5.
    assert (rows, budget) == (["12.50"], "5.00")
    cells = table_rows(selfevals(book)[0])
    assert cells[2] == ["项目资金（万元）", "年初预算数（A）", "全年预算数", "全年执行数（B）",
                        "分值（10分）", "执行率（B/A）", "得分"]
    assert cells[3] == ["年度资金总额", "310.20", "310.20", "154.74", "10.00", "50%", "5.00"]
    assert ("自管道路清扫保洁外包工作经费.yaml", "full-marks") in found  # the copy ends early


def test_qingshen_2023_the_rate_against_the_adjusted_budget():
    book, found = book_of("qingshen-2023")
    score = score_project(book.projects[0], book)
    assert score is not None
    # 预算执行数 ÷ 调整后预算数 = 251.89 ÷ 251.89 = 100.00 % (÷ 年初预算 238.93 would be 105 %).
    assert (score.budget.rate, score.budget.score) == (D(1), D("10.00"))
    assert [r.weight for r in score.rows] == [D(60), D(30)]
    # The publication's 完成值 are blank: nothing is scored from nothing. (It has no 满意度.)
    assert sorted(found) == [("工资性支出.yaml", "actual-missing")] * 2 + [
        ("工资性支出.yaml", "no-satisfaction")]
    cells = table_rows(selfevals(book)[0])
    assert cells[2] == ["项目资金（万元）", "年初预算", "调整后预算数", "预算执行数", "权重", "预算执行率",
                        "得分"]
    assert cells[3] == ["总额", "238.93", "251.89", "251.89", "10.00", "100.00%", "10.00"]
    assert cells[-1] == ["2.预算执行率=预算执行数/调整后预算数，预算执行率未达到90%的需说明原因。"]


def test_a_published_scheme_of_110_points_is_refused():
    # 中江县水利局 2022 (四川): 产出指标(70分), 效益指标(20分), 满意度指标(10分) and 预算执行率
    # 10, printed under a 总分 of 100 (https://chacewang.com/newsdetail/news242266.html).
    import pytest

    from tablegen.model.schemes import SchemeError, own_scheme

    with pytest.raises(SchemeError) as info:
        own_scheme("central", {"levels": {"产出指标": "70", "效益指标": "20", "满意度指标": "10"}})
    assert info.value.problems == [("levels", "各一级指标与预算执行率的分值合计应为 100，实际为 110")]
