"""自评 scoring over random execution data (hypothesis): weights, fund rows, actuals of every kind
and size, missing 一级 — never an internal error, never a 总分 above or silently below what the
scheme allows."""

from __future__ import annotations

import json
from decimal import Decimal, localcontext

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tablegen.errors import Report
from tablegen.kinds.selfeval import selfeval, table_rows
from tablegen.load.loader import parse
from tablegen.load.validate import EXACT, check_project_node, check_project_rules, known_frame
from tablegen.model.book import Agency, Book
from tablegen.model.frames import frames
from tablegen.model.scoring import scheme_of, schemes, score_project

UNITS = ["%", "次", "万元", "元", "人", "分钟"]
SIGNS = ["≥", ">", "≤", "<", "＝", ""]


def _digits(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=low, max_size=high)


# Every kind and size of number: ordinary ones, zero, 10^k, 0.0…01, long random digits.
NUMBER = st.one_of(
    st.sampled_from(["0", "1", "2", "50", "98", "97.5", "100", "0.5", "1500"]),
    st.integers(0, 3000).map(lambda k: "1" + "0" * k),
    st.integers(0, 3000).map(lambda k: "0." + "0" * k + "1"),
    st.tuples(_digits(1, 40), _digits(0, 6)).map(lambda t: t[0] + ("." + t[1] if t[1] else "")),
)
AMOUNT = st.one_of(
    st.sampled_from(["0.00", "0", "10.00", "9.50", "40.00", "50.00", "100.00", "300.00"]),
    st.tuples(_digits(1, 30), _digits(0, 2)).map(lambda t: t[0] + ("." + t[1] if t[1] else "")),
)
# Mostly none (the 一级's 分值 spread), sometimes one that leaves the others at 0 or oversteps.
WEIGHT = st.one_of(*[st.none()] * 3, st.sampled_from(["0.00", "5.00", "10.00", "30.00", "50.00"]),
                   AMOUNT)
SCORE = st.one_of(st.sampled_from(["0.00", "1.00", "2.50"]), AMOUNT)


@st.composite
def row(draw, weighted):  # type: ignore[no-untyped-def]
    """One indicator with its 自评 keys, as YAML lines (indented for a 二级's list)."""
    lines = ["      - name: 指标"]
    if draw(st.booleans()):  # quantitative
        unit = draw(st.sampled_from(UNITS))
        value = draw(st.sampled_from(SIGNS)) + draw(NUMBER) + unit
        lines.append(f"        value: {json.dumps(value, ensure_ascii=False)}")
        same = NUMBER.map(lambda n: n + unit)
        actual = draw(st.one_of(same, same, same, same, st.none(), st.just("已完成"),
                                st.tuples(NUMBER, st.sampled_from(UNITS)).map("".join)))
        if actual is not None:
            lines.append(f"        actual: {json.dumps(actual, ensure_ascii=False)}")
    else:
        lines.append("        value: 有效保障")
        lines.append("        actual: 已保障")
        how = draw(st.sampled_from(["grade"] * 6 + ["score", "none"]))
        if how == "grade":
            lines.append(f"        grade: {draw(st.sampled_from(['达成', '部分达成', '未达成']))}")
        elif how == "score":
            lines.append(f"        score: {draw(SCORE)}")
    weight = draw(WEIGHT) if weighted else None
    if weight is not None:
        lines.append(f"        weight: {weight}")
    if draw(st.booleans()):
        lines.append("        deviation: 说明")
    return lines


@st.composite
def funds(draw):  # type: ignore[no-untyped-def]
    """项目资金: 年度资金总额 and the 其中 rows, mostly adding up, sometimes not at all."""
    adjusted = draw(AMOUNT)
    spent = draw(st.one_of(st.just(adjusted), st.just(adjusted), st.just("0.00"), AMOUNT))
    lines = ["execution:", f"  adjusted: {adjusted}", f"  spent: {spent}"]
    split = draw(st.sampled_from(["none", "none", "fiscal", "random"]))
    if split == "fiscal":  # the whole of it 本年财政拨款
        lines += ["  fiscal:", f"    adjusted: {adjusted}", f"    spent: {spent}"]
    elif split == "random":
        for key in draw(st.lists(st.sampled_from(["fiscal", "carryover", "other"]),
                                 min_size=1, unique=True)):
            lines += [f"  {key}:", f"    adjusted: {draw(AMOUNT)}", f"    spent: {draw(AMOUNT)}"]
            if draw(st.booleans()):
                lines.append(f"    initial: {draw(AMOUNT)}")
    return lines


@st.composite
def evaluated(draw):  # type: ignore[no-untyped-def]
    """(frame, scoring, project text) with execution data; some 一级 of the frame may be missing."""
    frame = draw(st.sampled_from(sorted(frames())))
    scoring = draw(st.sampled_from([None] * 6 + list(schemes())))
    levels = frames()[frame].levels
    chosen = draw(st.one_of(
        st.just(list(levels)),
        st.lists(st.sampled_from(list(levels)), min_size=1, max_size=len(levels), unique=True)))
    lines = ["name: 测试项目", "budget:", "  total: 10.00", "goals:", "  - 完成测试", "indicators:"]
    weighted = draw(st.sampled_from([False, False, True]))  # `weight:` on some rows
    for l1 in chosen:
        lines.append(f"  {l1}:")
        groups = draw(st.lists(st.sampled_from(levels[l1]), min_size=1, max_size=2, unique=True))
        for l2 in groups:
            lines.append(f"    {l2}:")
            for _ in range(draw(st.integers(1, 3))):
                lines += draw(row(weighted))
    lines += draw(funds())
    return frame, scoring, "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(evaluated())
def test_scores_never_crash_and_never_leave_the_schemes_range_in_silence(case):
    frame, scoring, text = case
    report = Report()
    root = parse(text, "p.yaml", report)
    assert root is not None, report.format("text")
    project = check_project_node(root, "p.yaml", known_frame(frame), report)
    assert project is not None, report.format("text")
    book = Book("b", "测试书", 2020, frame=frame, scoring=scoring,
                agencies=[Agency("610101", "测试单位", [project])])
    check_project_rules(project, book, report)  # no internal error, whatever the numbers
    score = score_project(project, book)
    assert score is not None
    table_rows(selfeval(book, 1, book.agencies[0], project))  # every cell printable
    scheme = scheme_of(book)
    with localcontext(EXACT):  # exact sums: a 分值 may have 30 digits
        most = scheme.full  # the scheme's full marks: 100
        full = sum((r.weight for r in score.rows), score.budget.weight)
        assert score.total == sum((r.score for r in score.rows), score.budget.score)
    assert 0 <= score.budget.score <= score.budget.weight
    if report.errors:
        return  # a finding names what is wrong; that is all a wrong number may do
    # Without an error the 总分 is out of exactly the scheme's full marks, and within them.
    assert full == most, report.format("text")
    assert all(0 <= r.score <= r.weight for r in score.rows)
    assert Decimal(0) <= score.total <= most
    perfect = (all(r.score == r.weight for r in score.rows)
               and score.budget.score == score.budget.weight)
    assert (score.total == most) == perfect
