"""自评 scoring: each sign, unit conversion, qualitative grade, weight spreading and rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import FIXTURES
from tablegen.errors import Report
from tablegen.load.loader import parse
from tablegen.load.validate import check_project_node, known_frame
from tablegen.model.book import Book, Indicator, Level1, Level2
from tablegen.model.scoring import achieved, measure, schemes, score_project, weights
from tablegen.source.yamlout import dump_project

D = Decimal


@pytest.mark.parametrize(("target", "actual", "share"), [
    ("≥98%", "97.5%", D("97.5") / D(98)),  # below a floor: actual / target
    ("≥98%", "99%", D(1)),
    (">100人", "80人", D("0.8")),
    ("≤40万元", "38.2万元", D(1)),  # under a cap: full
    ("≤40万元", "50万元", D("0.75")),  # over a cap: 1 − (50 − 40) / 40
    ("≤40万元", "80万元", D(0)),  # twice the cap: nothing
    ("≤40万元", "90万元", D(0)),  # never below zero
    ("<8小时", "10小时", D("0.75")),
    ("≤40万元", "380000元", D(1)),  # 元 converted to 万元
    ("≤40万元", "500000元", D("0.75")),
    ("≤400000元", "50万元", D("0.75")),
    ("＝2份", "2份", D(1)),
    ("=2份", "3份", D("0.5")),  # relative deviation 1/2
    ("1个", "1个", D(1)),  # no sign reads as ＝
    ("≥30百分比", "27%", D("0.9")),  # 百分比 and % are one unit
])
def test_each_sign_scores_as_the_rule_says(target, actual, share):
    assert achieved(measure(target), measure(actual)) == share


def test_qualitative_values_are_not_measures():
    assert measure("2024年12月31日前") is None
    assert measure("有效保障") is None
    a, b = measure("≥98%"), measure("≥98％")
    assert a is not None and b is not None
    assert (a.sign, a.number, a.measure) == (b.sign, b.number, b.measure)


def _indicator(weight=None):
    return Indicator("x", "≥1次", actual="1次", weight=weight)


def test_undistributed_weights_are_spread_evenly_and_add_up():
    common = schemes()["common"]
    seven = Level1("产出指标", [Level2("数量指标", [_indicator() for _ in range(7)])])
    assert weights(seven, common) == [D("7.15"), D("7.15")] + [D("7.14")] * 5
    assert sum(weights(seven, common)) == 50
    given = Level1("效益指标", [Level2("社会效益指标", [_indicator(D(20)), _indicator(),
                                                       _indicator()])])
    assert weights(given, common) == [D(20), D(5), D(5)]


def _project(text):
    report = Report()
    project = check_project_node(parse(text, "p.yaml", report), "p.yaml", known_frame(None),
                                 report)
    assert report.findings == []
    return project


def test_a_project_total_is_the_sum_of_its_rounded_parts():
    text = (FIXTURES / "rules" / "valid-evaluated.yaml").read_text(encoding="utf-8")
    text = text.replace("actual: 95%", "actual: 85%\n        deviation: 问卷回收少")
    project = _project(text)
    score = score_project(project, Book("b", "t", 2024))
    assert [(r.weight, r.score) for r in score.rows] == [(D(50), D("50.00")), (D(10), D("9.44"))]
    # 9.50 / 10.00 = 95 % of 预算执行率's 10 points.
    assert (score.budget.rate, score.budget.score) == (D("0.95"), D("9.50"))
    assert score.total == D("68.94")
    assert score.grade == "中"


def test_qualitative_grades_and_an_explicit_score():
    text = (FIXTURES / "rules" / "valid-evaluated.yaml").read_text(encoding="utf-8")
    for grade, expected in (("达成", "50.00"), ("部分达成", "40.00"), ("未达成", "25.00")):
        project = _project(text.replace("value: ≥1次\n        actual: 1次",
                                        f"value: 有效保障\n        actual: 已保障\n        grade: {grade}"))
        assert score_project(project, Book("b", "t", 2024)).rows[0].score == D(expected)
    project = _project(text.replace("value: ≥1次\n        actual: 1次",
                                    "value: 有效保障\n        actual: 已保障\n        score: 45.50"))
    assert score_project(project, Book("b", "t", 2024)).rows[0].score == D("45.50")


def test_a_project_without_execution_has_no_score():
    project = _project((FIXTURES / "rules" / "valid.yaml").read_text(encoding="utf-8"))
    assert score_project(project, Book("b", "t", 2024)) is None


def test_execution_data_survives_the_canonical_writer():
    text = (FIXTURES / "rules" / "valid-evaluated.yaml").read_text(encoding="utf-8")
    text = text.replace("actual: 95%", "actual: 95%\n        weight: 10.00\n        deviation: 无")
    text = text.replace("  spent: 9.50\n", "  spent: 9.50\n  fiscal:\n    initial: 8.00\n"
                        "    adjusted: 10.00\n    spent: 9.50\n")
    project = _project(text)
    again = _project(dump_project(project))
    assert again == project
    assert dump_project(again) == dump_project(project)
    assert again.execution.sources["fiscal"].initial == D(8)
    assert again.initial() == D(10)  # 年初预算数 defaults to the budget
