"""可行性: targets far beyond last year's results, satisfaction at 100 %."""

from __future__ import annotations

from decimal import Decimal, localcontext

from .. import rules
from ..errors import Report
from ..model.scoring import RATIO_CONTEXT
from ..model.values import CAP_SIGNS, FLOOR_SIGNS, PERCENT, Value, parse
from .appropriateness import last_results, percent
from .context import Subject


def check(s: Subject, report: Report) -> None:
    target_above_history(s, report)
    satisfaction_full(s, report)


def stretch(target: Value, actual: Value) -> Decimal | None:
    """How far this year's target goes beyond last year's actual, as a share of the actual
    (≥95% against 60% → 0.58); None when it does not, or last year's actual was 0."""
    assert target.number is not None
    with localcontext(RATIO_CONTEXT):
        got = actual.in_unit_of(target)
        if not got:
            return None
        if target.sign in FLOOR_SIGNS and target.number > got:
            return (target.number - got) / got
        if target.sign in CAP_SIGNS and target.number < got:
            return (got - target.number) / got
    return None


def target_above_history(s: Subject, report: Report) -> None:
    limit = s.settings.shipped.history_gap
    for r, target, old, version in last_results(s):
        far = stretch(target, parse(old.actual))
        if far is not None and far >= limit:
            report.add(s.at(f"{r.path}.value"), rules.TARGET_ABOVE_HISTORY,
                       f"“{r.indicator.name}”本年指标值 {r.indicator.value}，比上年实际完成 {old.actual}"
                       f"（{version.label}）高出 {percent(far)}：审核人会问依据是什么、能否实现；资金或"
                       "工作量明显增加时，请在绩效指标描述中说明")


def satisfaction_full(s: Subject, report: Report) -> None:
    for r in s.rows():
        if not (r.satisfaction or "满意度" in r.indicator.name):
            continue
        v = parse(r.indicator.value)
        top = v.number  # a range (`90%-100%`) asks for its lower bound
        measure = v.measure
        if (top is not None and top >= 100 and measure is not None and measure[1] == PERCENT
                and v.sign not in CAP_SIGNS):
            report.add(s.at(f"{r.path}.value"), rules.SATISFACTION_FULL,
                       f"满意度指标“{r.indicator.name}”的值是 {r.indicator.value}：只要有一个样本不满意就"
                       "完不成，审核人会说不切实际；一般设为 ≥90% 或 ≥95%")
