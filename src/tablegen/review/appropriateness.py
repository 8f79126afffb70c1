"""适当性: cost caps against the budget, targets against last year's results, template copies,
formal indicators only."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal, localcontext

from .. import rules
from ..errors import Report
from ..model.book import Indicator, format_amount
from ..model.scoring import EXACT, RATIO_CONTEXT
from ..model.values import CAP_SIGNS, FLOOR_SIGNS, MONEY_SCALE, Value, parse
from .context import Row, Subject
from .history import Version
from .text import without_years

# A cost row that caps a unit (per person, per item, on average), not the project's spending.
PER_UNIT = ("每", "单位", "单个", "单项", "单次", "单价", "人均", "户均", "次均", "平均", "均价", "/")


def check(s: Subject, report: Report) -> None:
    cost_over_budget(s, report)
    formal_only(s, report)
    target_below_history(s, report)


def _money_cap(row: Row) -> Decimal | None:
    """A cost row's cap in 元 (`≤20万元` → 200000), None for a unit cost or no money cap."""
    v = parse(row.indicator.value)
    if v.sign not in CAP_SIGNS or v.number is None or v.measure is None or v.measure[1] != "元":
        return None
    if any(w in row.indicator.name for w in PER_UNIT) or "/" in v.unit:
        return None
    with localcontext(EXACT):
        return v.number * v.measure[0]


def cost_over_budget(s: Subject, report: Report) -> None:
    budget = s.budget_yuan
    caps = [(r, cap) for r in s.rows() if r.cost and (cap := _money_cap(r)) is not None]
    shown_budget = f"{format_amount(s.project.budget.total)}{s.book.money_unit}"
    whole = [(r, cap) for r, cap in caps if cap == budget]
    for r, _ in whole:
        report.add(s.at(f"{r.path}.value"), rules.COST_OVER_BUDGET,
                   f"成本指标“{r.indicator.name} {r.indicator.value}”正好等于项目预算数 {shown_budget}，"
                   "只是照抄预算，不反映成本控制：审核人会要求按支出内容分项设置成本指标（如单位成本）")
    parts = [(r, cap) for r, cap in caps if cap != budget] if whole else caps
    with localcontext(EXACT):
        total = sum((cap for _, cap in parts), Decimal(0))
    if len(parts) > 1 and total > budget:
        r = parts[0][0]
        listed = "、".join(f"{x.indicator.name} {x.indicator.value}" for x, _ in parts)
        report.add(s.at(f"{r.path}.value"), rules.COST_OVER_BUDGET,
                   f"各项成本指标的上限合计 {_yuan(total, s.book.money_unit)}，超过项目预算数 "
                   f"{shown_budget}（{listed}）：成本指标与预算自相矛盾，请核对")


def _yuan(amount: Decimal, unit: str) -> str:
    with localcontext(EXACT):
        return f"{format_amount(amount / MONEY_SCALE.get(unit, Decimal(10000)))}{unit}"


def formal_only(s: Subject, report: Report) -> None:
    formal = s.settings.shipped.formal
    for l1 in s.project.indicators:
        if "满意度" in l1.name:
            continue
        names = [ind.name.strip().rstrip("。.") for g in l1.groups for ind in g.indicators]
        if names and all(any(n.endswith(w) or w in n for w in formal) for n in names):
            report.add(s.key_at(f"indicators.{l1.name}"), rules.FORMAL_ONLY,
                       f"{l1.name}下只有“{'、'.join(names)}”这样的形式指标，没有反映具体的产出或效果："
                       "审核人会说指标设置流于形式，请补充实际的数量、质量或效果指标")


NAMED_COPIES = 5  # how many of the projects that share a row a template-copy finding names


def template_copy(subjects: list[Subject], report: Report) -> None:
    """Rows identical in many projects of one book (book-wide, so not per subject)."""
    if not subjects:
        return
    shipped = subjects[0].settings.shipped
    at_least = max(shipped.template_copies, math.ceil(shipped.template_share * len(subjects)))
    uses: dict[tuple[str, str, str, str], list[tuple[Subject, Row]]] = defaultdict(list)
    for s in subjects:
        seen = set()
        for r in s.rows():
            key = (r.level1.name, r.level2.name, r.indicator.name.strip(), r.indicator.value.strip())
            if r.satisfaction or key in seen:
                continue
            seen.add(key)
            uses[key].append((s, r))
    for key, found in uses.items():
        if len(found) < at_least:
            continue
        # The first few by name: a message naming every copy of a row copied into a thousand
        # projects would be a thousand names long, a thousand times.
        names = "、".join(f"“{s.project.name}”" for s, _ in found[:NAMED_COPIES])
        names += "等" if len(found) > NAMED_COPIES else ""
        for s, r in found:
            # The value's place as the check read it: no file read again for its position.
            where = r.indicator.value_pos or s.at(f"{r.path}.value")
            report.add(where, rules.TEMPLATE_COPY,
                       f"“{key[2]} {key[3]}”在本书 {len(found)} 个项目中完全相同（{names}），像是套用"
                       "模板：审核人会说指标未结合项目实际，请按本项目的实际情况设定")


def last_results(s: Subject) -> Iterator[tuple[Row, Value, Indicator, Version]]:
    """Each ≥/≤ row of the project with last year's result of the same indicator: (row, this
    year's target, last year's indicator, its version). Last year's comes from the newest version
    of the same project (by name without years) that holds a comparable 实际完成值."""
    for r in s.rows():
        target = parse(r.indicator.value)
        if target.sign not in FLOOR_SIGNS + CAP_SIGNS or not target.number:
            continue
        name = without_years(r.indicator.name.strip())
        for version in s.previous:
            old = next((ind for _, _, ind in version.project.rows()
                        if without_years(ind.name.strip()) == name and ind.actual), None)
            if old is None:
                continue
            actual = parse(old.actual)
            if actual.quantitative and actual.number is not None and actual.comparable(target):
                yield r, target, old, version
                break


def gap(target: Value, actual: Value) -> Decimal | None:
    """How far last year's actual went beyond this year's target, as a share of the target
    (≥ 60% against 99% → 0.65); None when it did not."""
    assert target.number is not None
    with localcontext(RATIO_CONTEXT):
        got = actual.in_unit_of(target)
        if target.sign in FLOOR_SIGNS and got > target.number:
            return (got - target.number) / target.number
        if target.sign in CAP_SIGNS and got < target.number:
            return (target.number - got) / target.number
    return None


def target_below_history(s: Subject, report: Report) -> None:
    limit = s.settings.shipped.history_gap
    for r, target, old, version in last_results(s):
        beaten = gap(target, parse(old.actual))
        if beaten is not None and beaten >= limit:
            report.add(s.at(f"{r.path}.value"), rules.TARGET_BELOW_HISTORY,
                       f"“{r.indicator.name}”本年指标值 {r.indicator.value}，而上年实际完成 {old.actual}"
                       f"（{version.label}），超出本年指标值 {percent(beaten)}：审核人会说指标值设定"
                       "偏低、未参考历史完成情况，请按上年实际完成情况调整")


def percent(share: Decimal) -> str:
    with localcontext(EXACT):
        return f"{(share * 100).quantize(Decimal(1))}%"
