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
    assert [(r.weight, r.score) for r in score.rows] == [
        (D(50), D("50.00")), (D(10), D("9.44")), (D(30), D("30.00"))]
    # 9.50 / 10.00 = 95 % of 预算执行率's 10 points.
    assert (score.budget.rate, score.budget.score) == (D("0.95"), D("9.50"))
    assert score.total == D("98.94")
    assert score.grade == "优"


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


def _book(tmp_path, text, *, frame="classic", scoring=None):
    """A one-project book (year 2024) in tmp_path/b with the given project text."""
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "book.yaml").write_text(
        f"title: 测试书\nyear: 2024\nmoney_unit: 万元\nframe: {frame}\n"
        + (f"scoring: {scoring}\n" if scoring else "")
        + 'agencies:\n  - code: "610101"\n    name: 测试单位\n    projects:\n      - p.yaml\n',
        encoding="utf-8")
    (folder / "p.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_huge_actual_is_a_finding_not_a_crash(tmp_path, run):
    # 10^27 × the target: once InvalidOperation in check and build (quantize past 28 digits).
    huge = "1" + "0" * 27
    text = (FIXTURES / "rules" / "valid-evaluated.yaml").read_text(encoding="utf-8")
    _book(tmp_path, text.replace("actual: 1次", f"actual: {huge}次"))
    code, out, err = run("check", "b", cwd=tmp_path)
    assert (code, err.strip()) == (0, "0 个错误，2 个警告")
    assert out.splitlines() == [
        f"b/p.yaml:14:17: warning[actual-outlier]: indicators.产出指标.数量指标[1].actual："
        f"实际完成值“{huge}次”是指标值“≥1次”的 1000 倍以上，请核对是否多写了数字或用错了单位",
        f"b/p.yaml:14:17: warning[deviation-missing]: indicators.产出指标.数量指标[1]："
        f"实际完成值“{huge}次”超出指标值“≥1次” {'9' * 27}00%，指标值可能定得过低；"
        "请填写偏差原因分析及改进措施（deviation）"]
    code, out, err = run("build", "b", "--format", "html,xlsx", "--out", "out", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "out" / "b" / "测试书（绩效自评）.html").is_file()


@pytest.mark.parametrize("change", [
    ("value: ≥1次", "value: ≥0." + "0" * 2000 + "1次"),  # a tiny target: the ratio's exponent
    ("actual: 1次", "actual: 1次\n        weight: " + "9" * 60 + ".00"),  # a 60-digit 分值
    ("value: ≥1次\n        actual: 1次", "value: 有效保障\n        actual: 已保障\n        score: "
     + "9" * 60),
])
def test_absurd_numbers_score_without_an_internal_error(change, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    text = (FIXTURES / "rules" / "valid-evaluated.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace(*change), encoding="utf-8")
    from tablegen.load.books import load_paths

    found = load_paths([tmp_path / "p.yaml"]).report.findings  # no InvalidOperation/Overflow
    assert found, "each absurd number is a finding"


LEGACY = """name: 旧框架项目
budget:
  total: 10.00
goals:
  - 完成测试
indicators:
  产出指标:
    数量指标:
      - name: 测试次数
        value: ≥1次
        actual: 1次
  效益指标:
    社会效益指标:
      - name: 测试效果
        value: 有效保障
        actual: 已保障
        grade: 达成
    社会公众或服务对象满意度指标:
      - name: 服务对象满意度
        value: ≥90%
        actual: 95%
execution:
  adjusted: 10.00
  spent: 10.00
"""


def test_a_legacy_book_scores_by_the_legacy_scheme_unless_it_names_another(tmp_path):
    from tablegen.load.books import load_book_strict, load_paths

    # Once the common scheme whatever the frame: a perfect legacy project scored 90 (产出 50,
    # 效益 30, 预算执行率 10; 满意度 10 nowhere), any shortfall 良, with no finding.
    book = load_book_strict(_book(tmp_path, LEGACY, frame="legacy"))
    score = score_project(book.projects[0], book)
    assert [r.weight for r in score.rows] == [D(50), D(20), D(20)]
    assert (score.total, score.grade) == (D("100.00"), "优")
    (tmp_path / "b" / "book.yaml").write_text(
        (tmp_path / "b" / "book.yaml").read_text(encoding="utf-8").replace(
            "frame: legacy\n", "frame: legacy\nscoring: common\n"), encoding="utf-8")
    assert [f.text() for f in load_paths([tmp_path / "b"]).report.errors] == [
        f"{tmp_path / 'b' / 'p.yaml'}:6:1: error[full-marks]: indicators：没有评分方案 common 的一级指标"
        "“满意度指标”（10 分），总分最高只有 90 分而不是 100 分；请补充该一级指标，或在 book.yaml 中用 "
        "scoring 选择与指标相符的评分方案"]


def test_fmt_and_rollover_keep_the_scoring_scheme_a_book_names(tmp_path):
    from tablegen.commands.fmt import fmt
    from tablegen.commands.rollover import rollover
    from tablegen.load.books import load_book_strict

    folder = _book(tmp_path, LEGACY.replace("社会公众或服务对象满意度指标", "经济效益指标"),
                   frame="classic", scoring="legacy")
    fmt([folder])  # once dropped `scoring:`, and the book fell back to its frame's scheme
    assert "\nscoring: legacy\n" in (folder / "book.yaml").read_text(encoding="utf-8")
    assert load_book_strict(folder).scoring == "legacy"
    new = rollover(folder, 2025).folder
    assert load_book_strict(new).scoring == "legacy"


def test_a_project_of_a_broken_legacy_book_is_scored_by_the_legacy_scheme(tmp_path):
    from tablegen.load.books import load_paths

    folder = _book(tmp_path, LEGACY, frame="legacy")
    book_yaml = folder / "book.yaml"
    book_yaml.write_text(book_yaml.read_text(encoding="utf-8").replace("title: 测试书", "title: [测试书"),
                         encoding="utf-8")
    # book.yaml's own error only: the project, read on its own, keeps the legacy scheme.
    assert [f.rule for f in load_paths([folder]).report.errors] == ["yaml-syntax"]
