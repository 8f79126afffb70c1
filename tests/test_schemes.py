"""Every option of a scoring scheme, each computed by hand: unsigned targets, the reverse
formula, 定性 points and bands, an absent 一级 moved or re-based, the 执行率's denominator,
rounding and a zero budget, the triggers that ask for a reason, score overrides, `完成` on a
quantitative row, a pooled 分值 — and the named schemes and a book's own scheme as data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tablegen.errors import Report
from tablegen.load.books import load_paths
from tablegen.load.loader import parse
from tablegen.load.validate import check_book_node, check_project_node, known_frame
from tablegen.model.schemes import SchemeError, own_scheme, schemes
from tablegen.model.scoring import explain, score_project, score_row

D = Decimal
PROJECT = """name: 测试项目
budget:
  total: 100.00
goals:
  - 完成测试
indicators:
  产出指标:
    数量指标:
      - name: 数量
        value: ≥100个
        actual: 100个
  效益指标:
    社会效益指标:
      - name: 效果
        value: 有效保障
        actual: 已保障
        grade: 达成
  满意度指标:
    服务对象满意度指标:
      - name: 满意度
        value: ≥90%
        actual: 95%
execution:
  adjusted: 100.00
  spent: 100.00
"""


def _load(tmp_path, project=PROJECT, scoring=""):
    """(book, findings as (rule, message)) of a one-project book with the given `scoring:`."""
    folder = tmp_path / "b"
    folder.mkdir(exist_ok=True)
    (folder / "book.yaml").write_text(
        "title: 测试书\nyear: 2024\nmoney_unit: 万元\n" + scoring
        + 'agencies:\n  - code: "610101"\n    name: 测试单位\n    projects:\n      - p.yaml\n',
        encoding="utf-8")
    (folder / "p.yaml").write_text(project, encoding="utf-8")
    found = [(f.rule, f.message) for f in load_paths([folder]).report.sorted()]
    # The book as validation reads it, even when a finding is an error (which drops it from a
    # catalog): scores are computed, and tested, whatever the findings say.
    report = Report()
    book, _ = check_book_node(parse((folder / "book.yaml").read_text(encoding="utf-8"), "book.yaml",
                                    report), "b", report)
    if book is not None:
        book.agencies[0].projects.append(check_project_node(
            parse(project, "p.yaml", report), "p.yaml", known_frame(book.frame), report))
    return book, found


def _score(tmp_path, project=PROJECT, scoring=""):
    book, found = _load(tmp_path, project, scoring)
    assert book is not None, found
    return score_project(book.projects[0], book), found


def _rules(found):
    return [rule for rule, _ in found]


# -- the 分值 of 预算执行率 and of each 一级 ------------------------------------------------------


def test_a_book_s_own_weights(tmp_path):
    text = _funds("100.00", "100.00", "85.00").replace("actual: 100个", "actual: 90个\n        deviation: 少")
    score, found = _score(tmp_path, text, "scoring:\n  budget: 20\n  levels: "
                                          "{产出指标: 40, 效益指标: 30, 满意度指标: 10}\n")
    assert [r.weight for r in score.rows] == [D(40), D(30), D(10)]
    # 20 × 85 % = 17.00; 40 × 90 ÷ 100 = 36.00; 17 + 36 + 30 + 10 = 93.00.
    assert (score.budget.score, score.rows[0].score, score.total) == (D("17.00"), D("36.00"),
                                                                      D("93.00"))
    assert found == []


# -- quantitative rows ------------------------------------------------------------------------


@pytest.mark.parametrize(("scheme", "value", "actual", "weight", "score", "level2"), [
    # No sign: a floor by default (天长市 2022 scores `90%` → `100%` 10 of 10), once 9.11 and 48.81.
    ("common", "90%", "98%", "10", "10.00", ""),
    ("common", "2100", "2150", "50", "50.00", ""),
    ("common", "90%", "81%", "10", "9.00", ""),  # 10 × 81 ÷ 90
    # … a cap under 成本指标 or in a unit of time: 10 × [1 − (22 − 20) ÷ 20]
    ("common", "20万元", "22万元", "10", "9.00", "成本指标"),
    ("common", "30天", "33天", "10", "9.00", ""),
    ("common", "20万元", "18万元", "10", "10.00", "成本指标"),
    # ≤ over the cap: linear to 0 at twice the cap (common) or A ÷ B (central, anhui).
    ("common", "≤40万元", "50万元", "10", "7.50", ""),  # 10 × [1 − (50 − 40) ÷ 40]
    ("common", "≤40万元", "80万元", "10", "0.00", ""),
    ("central", "≤40万元", "50万元", "10", "8.00", ""),  # 10 × 40 ÷ 50
    ("anhui", "≤40万元", "80万元", "10", "5.00", ""),  # 10 × 40 ÷ 80
    ("central", "≥98%", "97.5%", "8.33", "8.29", ""),  # 8.33 × 97.5 ÷ 98 = 8.2875
    ("common", "＝2份", "3份", "10", "5.00", ""),  # 10 × [1 − |3 − 2| ÷ 2]
    # Bare numbers take the target's unit (棠溪镇 2022: 50 against ≥50个 scores 8 of 8).
    ("anhui", "≥50个", "50", "8", "8.00", ""),
    ("anhui", "≤202.6万元", "132.9", "10", "10.00", ""),
    ("anhui", "=8个", "8", "8", "8.00", ""),
    # `完成` on a quantitative row: met (大英县 2023: 90 of 90 for such a row).
    ("sichuan", "≤90万元", "已完成", "22.5", "22.50", ""),
])
def test_a_quantitative_row_scores_as_its_scheme_says(scheme, value, actual, weight, score,
                                                      level2):
    result = score_row(value, actual, D(weight), schemes()[scheme], level2=level2)
    assert result.score == D(score)
    assert result.quantitative


def test_an_unsigned_target_is_read_as_the_scheme_says_and_the_reading_is_a_finding(tmp_path):
    text = PROJECT.replace("value: ≥100个\n        actual: 100个", "value: 100个\n        actual: 120个")
    score, found = _score(tmp_path, text)
    assert score.rows[0].score == D("50.00")  # 120 ≥ 100: full, once 50 × 0.8 = 40.00
    assert found == [("target-unsigned",
                      "indicators.产出指标.数量指标[1].value：指标值“100个”没有符号，评分方案 common "
                      "读作“≥100个”（达到或超过即得满分）；请在指标值前写明符号（≥ 下限、≤ 上限、＝ 等于），"
                      "得分就不取决于评分方案的读法")]
    # A book that reads unsigned targets as ＝ (tablegen's rule before): 50 × (1 − 20 ÷ 100).
    score, found = _score(tmp_path, text, "scoring:\n  unsigned: {read: equal}\n")
    assert score.rows[0].score == D("40.00")
    # common's 注 says floors; 40 of 50 asks for a reason.
    assert _rules(found) == ["scheme-note", "target-unsigned", "deviation-missing"]
    assert "读作“＝100个”（与指标值相差越多得分越少）" in found[1][1]


@pytest.mark.parametrize("unsigned", ["{read: cap}", "{caps: [数量指标]}", "{cap_units: [个]}"])
def test_an_unsigned_target_read_as_a_cap(tmp_path, unsigned):
    text = PROJECT.replace("value: ≥100个\n        actual: 100个",
                           "value: 100个\n        actual: 120个\n        deviation: 超")
    score, found = _score(tmp_path, text, f"scoring:\n  unsigned: {unsigned}\n")
    assert score.rows[0].score == D("40.00")  # ≤100个: 50 × [1 − (120 − 100) ÷ 100]
    assert _rules(found) == ["scheme-note", "target-unsigned"]
    assert "读作“≤100个”（不超过即得满分）" in found[1][1]


def test_done_words_are_met_with_a_finding_or_refused(tmp_path):
    text = PROJECT.replace("actual: 100个", "actual: 已完成")
    score, found = _score(tmp_path, text)
    assert (score.rows[0].score, _rules(found)) == (D("50.00"), ["actual-read"])
    score, found = _score(tmp_path, text, "scoring:\n  done: refuse\n")
    assert (score.rows[0].score, _rules(found)) == (D("0.00"), ["actual-kind"])


# -- qualitative rows -------------------------------------------------------------------------


def test_grades_score_fixed_points_or_a_typed_score_within_their_band(tmp_path):
    partly = PROJECT.replace("grade: 达成", "grade: 部分达成\n        deviation: 部分完成")
    score, found = _score(tmp_path, partly)
    assert (score.rows[1].score, found) == (D("24.00"), [])  # common: 30 × 80 %
    # central: 部分达成 is 60–80 % of the 分值, the officer's score within it; alone, a finding.
    score, found = _score(tmp_path, partly, "scoring: central\n")
    assert score.rows[1].score == D("0.00")
    assert found == [("score-band", "indicators.效益指标.社会效益指标[1].grade：评分方案 central 中"
                                    "“部分达成”的得分由评价人在分值的 60%–80% 之间确定；请填写得分（score）")]
    typed = partly.replace("grade: 部分达成", "grade: 部分达成\n        score: 21.00")
    score, found = _score(tmp_path, typed, "scoring: central\n")
    assert (score.rows[1].score, found) == (D("21.00"), [])
    score, found = _score(tmp_path, typed.replace("score: 21.00", "score: 25.00"),
                          "scoring: central\n")
    assert _rules(found) == ["score-band"]  # 25 > 30 × 80 % = 24
    # 达成 alone still scores its points (100 %).
    score, found = _score(tmp_path, scoring="scoring: central\n")
    assert (score.rows[1].score, found) == (D("30.00"), [])


def test_a_book_s_own_grade_points(tmp_path):
    partly = PROJECT.replace("grade: 达成", "grade: 部分达成\n        deviation: 部分完成")
    own = "scoring:\n  grades:\n    部分达成: {points: 60}\n"
    score, found = _score(tmp_path, partly, own)
    assert (score.rows[1].score, _rules(found)) == (D("18.00"), ["scheme-note"])  # 30 × 60 %
    own += "  form:\n    note: [定性指标：达成、部分达成、未达成分别得分值的 100%、60%、50%。]\n"
    score, found = _score(tmp_path, partly, own)
    assert (score.rows[1].score, found) == (D("18.00"), [])


# -- an absent 一级 -----------------------------------------------------------------------------


NO_SATISFACTION = PROJECT.split("  满意度指标:")[0] + "execution:" + PROJECT.split("execution:")[1]


def test_an_absent_level_is_an_error_moved_or_rebased(tmp_path):
    score, found = _score(tmp_path, NO_SATISFACTION)
    assert score.total == D("90.00") and _rules(found) == ["full-marks", "no-satisfaction"]
    # central: 满意度's 10 points go to 效益 (30 + 10 = 40).
    score, found = _score(tmp_path, NO_SATISFACTION, "scoring: central\n")
    assert [r.weight for r in score.rows] == [D(50), D(40)]
    assert (score.total, score.points) == (D("100.00"), {"产出指标": D(50), "效益指标": D(40)})
    assert _rules(found) == ["no-satisfaction"]
    # rebase: what the table can have (90) scaled to 100; 45 + 27 + 10 = 82 → 82 ÷ 90 × 100.
    text = NO_SATISFACTION.replace("actual: 100个", "actual: 90个\n        deviation: 少")
    text = text.replace("grade: 达成", "grade: 部分达成\n        deviation: 部分")
    score, found = _score(tmp_path, text, "scoring:\n  rebase: true\n")
    assert [r.score for r in score.rows] == [D("45.00"), D("24.00")]
    assert (score.rebased, score.total) == ((D("79.00"), D(90)), D("87.78"))
    assert _rules(found) == ["no-satisfaction"]
    assert explain(score)[-1] == ("总分 = 10.00 + 45.00 + 24.00 = 79.00；缺少满意度指标，按适用指标折算："
                                  "79.00 ÷ 90 × 100 = 87.78（良）")


# -- 预算执行率 ----------------------------------------------------------------------------------


def _funds(initial, adjusted, spent):
    return PROJECT.replace("  adjusted: 100.00\n  spent: 100.00",
                           f"  initial: {initial}\n  adjusted: {adjusted}\n  spent: {spent}")


def test_the_rate_s_denominator_and_rounding(tmp_path):
    # 海淀区学院路街道 2016: 年初预算数 310.2, 执行数 154.74 → 49.88 %, printed 50 %, 5 of 10.
    text = _funds("310.20", "310.20", "154.74")
    score, _ = _score(tmp_path, text)
    assert (score.budget.rate, score.budget.score) == (D("154.74") / D("310.20"), D("4.99"))
    score, _ = _score(tmp_path, text, "scoring:\n  rate: {base: initial, places: 0}\n")
    assert (score.budget.rate, score.budget.score) == (D("0.5"), D("5.00"))
    assert score.budget.formula == ("预算执行率 = 全年执行数 154.74 ÷ 年初预算数 310.20 = 49.88%，取 50%；"
                                    "得分 = 10 × 50% = 5 → 5.00")
    # The denominator: 年初预算数 80 instead of the adjusted 100 (spent 72: 90 % against 72 %).
    score, _ = _score(tmp_path, _funds("80.00", "100.00", "72.00"),
                      "scoring:\n  rate: {base: initial}\n")
    assert (score.budget.rate, score.budget.score) == (D("0.9"), D("9.00"))


def test_a_zero_budget_scores_as_the_scheme_says_with_a_finding(tmp_path):
    text = _funds("0.00", "0.00", "0.00")  # 棠溪镇 2022: 0 / 0 prints 执行率 0, 得分 0
    score, found = _score(tmp_path, text)
    assert (score.budget.rate, score.budget.score, score.total) == (D(0), D("0.00"), D("90.00"))
    assert _rules(found) == ["execution-zero"]
    score, found = _score(tmp_path, text, "scoring:\n  rate: {zero: full}\n")
    assert (score.budget.score, score.total) == (D("10.00"), D("100.00"))
    assert found[0][1].endswith("计为 100%（得满分）；请核对执行数据")


def test_a_low_rate_asks_for_a_reason_where_the_scheme_says(tmp_path):
    text = _funds("100.00", "100.00", "85.00")
    _, found = _score(tmp_path, text)
    assert found == []  # common asks for none
    sichuan = "scoring:\n  base: sichuan\n  pool: 90\n"
    pooled = text.replace("value: ≥100个", "value: ≥100个\n        weight: 50.00")
    _, found = _score(tmp_path, pooled, sichuan)
    assert found == [("deviation-missing", "execution：预算执行率 85.00% 低于 90%，本书的评分方案"
                                           "（基于 sichuan） 要求说明原因；请填写预算执行偏差原因"
                                           "（execution.deviation）")]
    reason = pooled.replace("  spent: 85.00", "  spent: 85.00\n  deviation: 年底采购未完成")
    _, found = _score(tmp_path, reason, sichuan)
    assert found == []


# -- reasons for deviations ------------------------------------------------------------------


def test_the_deviation_triggers(tmp_path):
    beaten = PROJECT.replace("actual: 100个", "actual: 140个")
    _, found = _score(tmp_path, beaten)
    assert _rules(found) == ["deviation-missing"]  # 40 % beyond ≥100个 (30 % asks)
    _, found = _score(tmp_path, beaten, "scoring:\n  deviation: {beaten: none}\n")
    assert found == []
    below = PROJECT.replace("actual: 100个", "actual: 90个")
    _, found = _score(tmp_path, below)
    assert _rules(found) == ["deviation-missing"]
    _, found = _score(tmp_path, below, "scoring:\n  deviation: {below: false}\n")
    assert found == []


# -- overrides --------------------------------------------------------------------------------


def test_an_override_needs_the_scheme_and_a_reason_and_is_printed(tmp_path):
    from tablegen.kinds.selfeval import selfevals, table_rows

    text = PROJECT.replace("actual: 100个", "actual: 100个\n        score: 45.00\n        deviation: 见理由")
    _, found = _score(tmp_path, text)
    assert _rules(found) == ["actual-kind"]  # common: a quantitative score is computed
    score, found = _score(tmp_path, text, "scoring: tianjin\n")
    assert _rules(found) == ["score-override"]
    with_reason = text.replace("score: 45.00", "score: 45.00\n        score_reason: 数量按验收单计")
    score, found = _score(tmp_path, with_reason, "scoring: tianjin\n")
    assert found == []
    row = score.rows[0]
    assert (row.score, row.result.computed) == (D("45.00"), D("50.00"))
    assert row.result.formula.endswith("；按评分方案调整为 45.00（理由：数量按验收单计）")
    book, _ = _load(tmp_path, with_reason, "scoring: tianjin\n")
    cells = table_rows(selfevals(book)[0])
    assert ["产出指标（50分）", "数量指标", "数量", "≥100个", "100个", "50.00", "45.00",
            "见理由\n得分由计算的 50.00 调整为 45.00：数量按验收单计"] in cells


# -- a pooled 分值 ------------------------------------------------------------------------------


def test_a_pooled_scheme_spreads_90_points_over_every_row(tmp_path):
    # 大英县: four rows of 22.5 (绩效指标 90 分), each 一级's cell its rows' sum.
    score, found = _score(tmp_path, scoring="scoring: sichuan\n")
    assert [r.weight for r in score.rows] == [D(30), D(30), D(30)]
    assert score.points == {"产出指标": D(30), "效益指标": D(30), "满意度指标": D(30)}
    assert (score.total, found) == (D("100.00"), [])
    weighted = PROJECT.replace("actual: 100个", "actual: 100个\n        weight: 60")
    score, found = _score(tmp_path, weighted, "scoring: sichuan\n")
    assert [r.weight for r in score.rows] == [D(60), D(15), D(15)]
    over = PROJECT.replace("actual: 100个", "actual: 100个\n        weight: 95")
    _, found = _score(tmp_path, over, "scoring: sichuan\n")
    assert found[0] == ("weight-sum",
                        "indicators：三级指标的分值合计 95 与评分方案 sichuan 的绩效指标分值 90 不符")
    assert _rules(found) == ["weight-sum", "weight-zero", "weight-zero"]  # the others left at 0


# -- places and 自评等级 ---------------------------------------------------------------------------


def test_places_and_grade_bands(tmp_path):
    text = PROJECT.replace("actual: 95%", "actual: 85%\n        deviation: 问卷少")
    score, _ = _score(tmp_path, text)
    assert (score.rows[2].score, score.total, score.grade) == (D("9.44"), D("99.44"), "优")
    score, _ = _score(tmp_path, text, "scoring:\n  places: 1\n  bands: [[好, 99.5], [一般, 0]]\n")
    assert (score.rows[2].score, score.total, score.grade) == (D("9.4"), D("99.4"), "一般")


def test_a_book_s_own_form_labels_and_the_grade_on_the_total_row(tmp_path):
    from tablegen.kinds.selfeval import selfevals, table_rows

    book, found = _load(tmp_path, scoring="scoring:\n  form:\n    grade: true\n"
                                          "    level1: '{name}[{points}]'\n    total: 合计\n"
                                          "    rows: {fiscal: 其中：当年财政拨款}\n")
    assert found == []
    cells = table_rows(selfevals(book)[0])
    assert cells[3][0] == "年度资金总额" and cells[4][0] == "其中：当年财政拨款"  # the others kept
    assert [r[0] for r in cells if r[0].endswith("]")] == ["产出指标[50]", "效益指标[30]",
                                                          "满意度指标[10]"]
    assert ["合计", "100.00", "100.00", "自评等级：优"] in cells


# -- schemes as data --------------------------------------------------------------------------


def test_every_named_scheme_reads_and_adds_up_to_100():
    assert list(schemes()) == ["common", "cost-first", "legacy", "central", "anhui", "sichuan",
                               "tianjin", "budget-20"]
    for scheme in schemes().values():
        assert scheme.full == 100, scheme.name
    central, anhui = schemes()["central"], schemes()["anhui"]
    assert central.form.rows["fiscal"] == "其中：当年财政拨款"
    assert anhui.form.rows["fiscal"] == "其中：本年财政拨款"
    assert anhui.level_label("产出指标", D(50)) == "产出指标(50分)"
    assert anhui.note()[0] == ("一级指标分值统一设置为：产出指标50分、效益指标30分、满意度指标10分、"
                               "预算执行率10分。如有特殊情况，一级指标权重可做适当调整。")


def test_a_book_s_own_scheme_is_checked_with_each_problem_at_its_key(tmp_path):
    bad = ("scoring:\n  base: anhui\n  budget: 20\n  grades:\n    达成: {band: [90, 80]}\n"
           "  form: {level1: 一级, colour: red}\n")
    book, found = _load(tmp_path, scoring=bad)
    assert book is None
    assert found == [
        ("scheme-invalid", "scoring.grades.达成.band：区间的下限 90 大于上限 80"),
        ("scheme-invalid", "scoring.form.level1：应含有 {name}（一级指标的名称），如“{name}（{points}分）”，"
                           "实际为“一级”"),
        ("scheme-invalid", "scoring.form.colour：未知的键“colour”；可用的键：funds、rows、goals、grid、"
                           "level1、total、grade、note"),
    ]
    _, found = _load(tmp_path, scoring="scoring:\n  budget: 20\n")
    assert found == [("scheme-invalid",
                      "scoring.levels：各一级指标与预算执行率的分值合计应为 100，实际为 110")]
    book, found = _load(tmp_path, scoring="scoring:\n  base: anhui\n  budget: 20\n  levels: "
                                          "{产出指标: 40, 效益指标: 30, 满意度指标: 10}\n")
    assert found == []
    assert book.scoring == "anhui" and book.scoring_rules["budget"] == "20"


def test_a_changed_rule_the_note_states_asks_for_the_book_s_own_note(tmp_path):
    found = findings_of_book(tmp_path, "scoring:\n  base: anhui\n  reverse: linear\n")
    assert found == [("book.yaml", 6, 12, "warning", "scheme-note",
                      "scoring.reverse：本书的评分方案改了“≤ 指标超出时”的规则，自评表下的注却仍是"
                      "评分方案 anhui 的注，印出的算法与得分不符；请在 scoring.form.note 中写出本书的注")]
    # Its own 注, or a change the 注 does not state (the 分值 are filled in), or none at all.
    for quiet in ("scoring:\n  base: anhui\n  reverse: linear\n  form:\n    note: [≤ 指标按线性计分。]\n",
                  "scoring:\n  base: anhui\n  reverse: ratio\n  rate: {base: initial}\n",
                  "scoring:\n  base: anhui\n  budget: 20\n  levels: {产出指标: 40, 效益指标: 30, "
                  "满意度指标: 10}\n"):
        assert findings_of_book(tmp_path, quiet) == [], quiet
    found = findings_of_book(tmp_path, "scoring:\n  base: central\n  move: {}\n  rebase: true\n")
    assert [f[4] for f in found] == ["scheme-note"] and "“缺少一级指标时并入”" in found[0][5]


def findings_of_book(tmp_path, scoring):
    """(file, line, col, severity, rule, message) of the test book with the given `scoring:`."""
    _load(tmp_path, scoring=scoring)
    return [(f.pos.path.rsplit("/", 1)[-1], f.pos.line, f.pos.col, f.severity, f.rule, f.message)
            for f in load_paths([tmp_path / "b"]).report.sorted()]


def test_a_broken_shipped_scheme_is_refused_whole():
    with pytest.raises(SchemeError) as info:
        own_scheme("common", {"reverse": "square", "rate": {"places": "9"}})
    assert info.value.problems == [("rate.places", "应为 0 至 4 之间的整数（或 none），实际为“9”"),
                                   ("reverse", "应为 linear | ratio 之一，实际为“square”")]


# -- explaining every score -------------------------------------------------------------------


def test_check_explain_says_how_every_score_was_computed(tmp_path, run):
    text = PROJECT.replace("value: ≥100个\n        actual: 100个", "value: 100个\n        actual: 50")
    text = text.replace("actual: 50", "actual: 50\n        deviation: 半数")
    _load(tmp_path, text, "scoring: central\n")
    code, out, err = run("check", "--explain", "b", cwd=tmp_path)
    assert (code, err.strip()) == (0, "0 个错误，1 个警告")
    assert out.splitlines()[1:] == [
        "b/p.yaml：测试项目（评分方案 central：中央部门项目支出绩效自评表（财预〔2020〕10号））",
        "  预算执行率 = 全年执行数 100.00 ÷ 全年预算数 100.00 = 100.00%；得分 = 10 × 100.00% = 10 → 10.00",
        "  b/p.yaml:10:16: 产出指标 / 数量指标 / 数量（分值 50.00）：指标值“100个”（没有符号，按评分方案读作"
        "“≥100个”），实际完成值“50”（没有单位，按指标值的单位读作 50个）：未达到下限：50.00 × 50 ÷ 100 "
        "= 25 → 25.00",
        "  b/p.yaml:16:16: 效益指标 / 社会效益指标 / 效果（分值 30.00）：定性指标：完成等级“达成”，"
        "30.00 × 100% = 30 → 30.00",
        "  b/p.yaml:22:16: 满意度指标 / 服务对象满意度指标 / 满意度（分值 10.00）：指标值“≥90%”，"
        "实际完成值“95%”：达到指标值，得满分 10.00",
        "  总分 = 10.00 + 25.00 + 30.00 + 10.00 = 75.00（中）",
    ]
    assert out.splitlines()[0].startswith("b/p.yaml:10:16: warning[target-unsigned]")


def test_the_new_keys_survive_fmt_and_rollover_drops_them(tmp_path):
    from tablegen.commands.fmt import fmt
    from tablegen.commands.rollover import rollover

    text = PROJECT.replace("actual: 100个", "actual: 100个\n        score: 45.00\n"
                           "        score_reason: 按验收单计\n        deviation: 见理由")
    text = text.replace("  spent: 100.00", "  spent: 89.974\n  deviation: 年底采购未完成")
    book, found = _load(tmp_path, text, "scoring:\n  base: tianjin\n  rate: {reason_below: 90}\n")
    assert found == []
    fmt([tmp_path / "b"])
    assert "scoring:\n  base: tianjin\n  rate:\n    reason_below: 90\n" in (
        tmp_path / "b" / "book.yaml").read_text(encoding="utf-8")
    written = (tmp_path / "b" / "p.yaml").read_text(encoding="utf-8")
    assert "score_reason: 按验收单计" in written and "  spent: 89.974\n" in written
    assert "  deviation: 年底采购未完成\n" in written
    new = rollover(tmp_path / "b", 2025).folder
    again, found = _load(tmp_path, written, "scoring:\n  base: tianjin\n  rate: {reason_below: 90}\n")
    assert again.projects == book.projects and found == []
    rolled = (new / "p.yaml").read_text(encoding="utf-8")
    assert "score_reason" not in rolled and "deviation" not in rolled and "execution" not in rolled
    assert "rate:\n    reason_below: 90\n" in (new / "book.yaml").read_text(encoding="utf-8")


def test_execution_amounts_keep_up_to_four_decimals(tmp_path):
    score, found = _score(tmp_path, _funds("90.00", "89.974", "89.974"))
    assert (score.budget.rate, found) == (D(1), [])
    _, found = _score(tmp_path, _funds("90.00", "89.97412", "89.97412"))
    why = "最多保留 4 位小数（执行数据照会计账簿填写，最多四位小数）"
    assert found == [("amount-precision", f"execution.adjusted：全年预算数{why}：89.97412"),
                     ("amount-precision", f"execution.spent：全年执行数{why}：89.97412")]


def test_explain_is_text_only(tmp_path, run):
    _load(tmp_path)
    code, out, err = run("check", "--explain", "--format", "json", "b", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert "--explain 只能与 --format text 一起使用" in err
