"""model/overall.py on small hand-made agencies: what is derived from the project files (task
amounts, 项目支出 and its 全年执行数), exact sums, the 整体 as the 自评 reads it, and which
scoring scheme it is scored with. Every expected number is worked out in the comments."""

from __future__ import annotations

from decimal import Decimal as D

from tablegen.model.book import (
    Agency,
    Book,
    Budget,
    Execution,
    Funds,
    Indicator,
    Level1,
    Level2,
    Overall,
    OverallExecution,
    Project,
    Task,
)
from tablegen.model.overall import (
    amounts,
    as_project,
    project_budget,
    project_spent,
    score_overall,
    scoring_book,
    task_amounts,
)
from tablegen.model.scoring import scheme_of


def project(file: str, budget: Budget, spent: str | None = None) -> Project:
    execution = None
    if spent is not None:
        execution = Execution(Funds(budget.total, budget.total, D(spent)))
    return Project(name=file, budget=budget, usage="", goals=[], indicators=[],
                   execution=execution, file=file)


def grid() -> list[Level1]:
    """产出 one quantitative row (met), 效益 one qualitative row (部分达成), 满意度 one row (met)."""
    return [
        Level1("产出指标", [Level2("数量指标", [Indicator("次数", "≥2次", actual="2次")])]),
        Level1("效益指标", [Level2("社会效益指标",
                               [Indicator("效果", "有效保障", actual="基本保障", grade="部分达成")])]),
        Level1("满意度指标", [Level2("服务对象满意度指标",
                                [Indicator("满意度", "≥90%", actual="95%")])]),
    ]


def agency(*projects: Project, overall: Overall | None = None) -> Agency:
    return Agency("610101", "测试单位", list(projects), overall=overall)


def book(a: Agency, **settings) -> Book:
    return Book(key="b", title="测试书", year=2024, money_unit="万元", agencies=[a], **settings)


A = project("a.yaml", Budget(D("10.00"), D("6.00"), D("4.00")), spent="9.00")
B = project("b.yaml", Budget(D("2.50"), D("2.50")), spent="2.00")
C = project("c.yaml", Budget(D("1.25")))  # no split, no execution data yet


def test_a_task_sums_the_projects_it_names_and_keeps_only_the_parts_they_have():
    a = agency(A, B, C)
    # 10.00 + 2.50; 6.00 + 2.50; 4.00 (b.yaml has no 其他资金)
    assert task_amounts(Task("甲", projects=["a.yaml", "b.yaml"]), a) == (D("12.50"), D("8.50"),
                                                                         D("4.00"))
    # 2.50 + 1.25; 2.50 (c.yaml has no 财政); no 其他资金 at all: an empty cell, not 0.00
    assert task_amounts(Task("乙", projects=["b.yaml", "c.yaml"]), a) == (D("3.75"), D("2.50"), None)
    assert task_amounts(Task("丙", projects=["c.yaml"]), a) == (D("1.25"), None, None)
    # no projects named: as typed
    assert task_amounts(Task("丁", total=D("7.00"), fiscal=D("7.00")), a) == (D("7.00"), D("7.00"),
                                                                            None)


def test_projects_spent_waits_for_every_project_and_the_typed_one_fills_in():
    whole = Overall(basic=D("5.00"), goals=[], indicators=[],
                    execution=OverallExecution(D("4.50"), projects=D("11.75")))
    assert project_budget(agency(A, B, C)) == D("13.75")  # 10.00 + 2.50 + 1.25
    assert project_spent(agency(A, B, C)) is None  # c.yaml has no 全年执行数 yet
    assert project_spent(agency()) is None  # no projects: nothing to sum
    assert project_spent(agency(A, B)) == D("11.00")  # 9.00 + 2.00
    # c.yaml cannot say: the typed 11.75 is used; 年度资金总额 5.00 + 13.75, spent 4.50 + 11.75
    typed = amounts(agency(A, B, C), whole)
    assert (typed.total, typed.projects_spent, typed.total_spent) == (D("18.75"), D("11.75"),
                                                                      D("16.25"))
    # Every project says: theirs (11.00) is the 全年执行数, whatever is typed (load/overall.py
    # reports a typed one that differs: overall-projects).
    derived = amounts(agency(A, B), whole)
    assert (derived.total, derived.projects_spent, derived.total_spent) == (D("17.50"), D("11.00"),
                                                                            D("15.50"))
    # Before the year nothing is spent, even when the projects have data.
    before = amounts(agency(A, B), Overall(basic=D("5.00"), goals=[], indicators=[]))
    assert (before.basic_spent, before.projects_spent, before.total_spent) == (None, None, None)


def test_the_sums_are_exact_whatever_their_length():
    # 31 significant digits: the default context (28) would round the sum.
    big = project("big.yaml", Budget(D("1234567890123456789012345678.01")))
    small = project("small.yaml", Budget(D("0.001")))
    whole = Overall(basic=D("0.0000001"), goals=[], indicators=[])
    a = agency(big, small)
    assert project_budget(a) == D("1234567890123456789012345678.011")
    assert amounts(a, whole).total == D("1234567890123456789012345678.0110001")


def test_the_overall_is_scored_as_a_project_of_its_whole_money():
    whole = Overall(basic=D("5.00"), goals=["完成"], indicators=grid(),
                    execution=OverallExecution(D("4.50"), results=["已完成"]), file="o.yaml")
    a = agency(A, B, overall=whole)
    view = as_project(a, whole)
    # 年初预算数 5.00 + 12.50; 全年执行数 4.50 + 11.00
    assert view.budget == Budget(D("17.50"))
    assert view.execution is not None
    assert (view.execution.total.initial, view.execution.total.adjusted,
            view.execution.total.spent) == (D("17.50"), D("17.50"), D("15.50"))
    assert view.execution.results == ["已完成"] and view.file == "o.yaml"
    score = score_overall(a, book(a))
    assert score is not None
    # common: 预算执行 10 × 15.50 / 17.50 = 8.857… → 8.86; 产出 50 (met); 效益 30 × 80 % = 24;
    # 满意度 10 (met): 8.86 + 50 + 24 + 10 = 92.86, 优
    assert [r.score for r in score.rows] == [D("50.00"), D("24.00"), D("10.00")]
    assert (score.budget.score, score.total, score.grade) == (D("8.86"), D("92.86"), "优")


def test_no_score_before_the_year_or_without_an_overall_file():
    whole = Overall(basic=D("5.00"), goals=[], indicators=grid())
    assert score_overall(agency(A, overall=whole), book(agency(A))) is None
    assert score_overall(agency(A), book(agency(A))) is None
    # 项目支出's 全年执行数 unknown (c.yaml has none and none is typed): no score, not a guess
    later = Overall(basic=D("5.00"), goals=[], indicators=grid(),
                    execution=OverallExecution(D("4.50")))
    a = agency(A, C, overall=later)
    assert as_project(a, later).execution is None and score_overall(a, book(a)) is None


def test_the_scheme_is_the_files_then_its_frames_then_the_books():
    a = agency(A)
    legacy = book(a, frame="legacy")
    assert scheme_of(legacy).name == "legacy"
    plain = Overall(basic=D("1.00"), goals=[], indicators=[])
    assert scoring_book(legacy, plain) is legacy  # nothing of its own: the book's
    named = Overall(basic=D("1.00"), goals=[], indicators=[], frame="overall", scoring="budget-20")
    assert scheme_of(scoring_book(legacy, named)).name == "budget-20"  # `scoring` first
    # a frame of its own without `scoring`: that frame's scheme (no scheme lists `overall`:
    # common), not the book's legacy one, which has no 满意度指标
    framed = Overall(basic=D("1.00"), goals=[], indicators=[], frame="overall")
    chosen = scoring_book(legacy, framed)
    assert (chosen.frame, scheme_of(chosen).name) == ("overall", "common")
    assert legacy.frame == "legacy"  # the book itself is left as it was
