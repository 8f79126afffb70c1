"""自评 scoring: each indicator's 分值 and 得分, 预算执行率, the 总分 and the 自评等级, each with
the arithmetic that gave it.

Scores are computed, never typed: a quantitative indicator scores by its target's sign (an
unsigned one read by the scheme's rule) and its 实际完成值 read against the target
(`values.actual_in`); a qualitative one by the grade or score its author gives, within the
grade's band. Every rule is the scheme's (`tablegen.model.schemes`, data in `scoring.yaml`).
The functions that score a row, the budget and a list of 一级 take no Project, so any kind of
自评表 can use them; `score_project` puts them together for a project's 自评表.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext

from .book import Book, Indicator, Level1, Level2, Project
from .schemes import (
    CAP,
    EQUAL,
    EXACT,
    FULL,
    HUNDRED,
    INITIAL,
    MET,
    RATIO,
    Scheme,
    scheme_for_frame,
    scheme_of,
    schemes,
)
from .values import BARE, EQ, GE, GT, LE, LT, NONE, SIGNED, Value, actual_in, parse, plain_number

__all__ = ["EXACT", "HUNDRED", "RATIO_CONTEXT", "Scheme", "scheme_for_frame", "scheme_of", "schemes"]

# How far beyond its target an indicator may land before its target looks set too low (the
# common scheme's `deviation.beaten`; rollover asks about such targets).
BEATEN = Decimal("0.3")
# An actual this many times its target is more likely a slip of the keyboard than a result.
OUTLIER = Decimal(1000)
# User numbers can be as long as a file (a million digits). Ratios keep the default 28 digits
# but any exponent, so `10^27 × the target` or `0.000…1` never overflows; sums, products and
# roundings to cents are exact, so a 30-digit 分值 rounds instead of raising InvalidOperation.
RATIO_CONTEXT = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN)
DONE = "done"  # an actual read by the scheme's `done` rule (`完成` on a quantitative row)


def measure(text: str | None) -> Value | None:
    """The value as a quantity (`values.parse`, the one reader of a value), None when it is
    qualitative."""
    value = parse(text)
    return value if value.quantitative else None


def sign_of(target: Value, scheme: Scheme, level2: str = "") -> tuple[str, bool]:
    """The sign a target scores by, and whether the scheme read it (a target without a sign:
    a floor, a cap under 成本指标 or in a time unit, or ＝ as the scheme says)."""
    if target.sign != NONE:
        return target.sign or EQ, False
    if scheme.unsigned == EQUAL:
        return EQ, True
    if level2 in scheme.caps or target.unit.strip() in scheme.cap_units:
        return LE, True
    return (LE if scheme.unsigned == CAP else GE), True


def achieved(target: Value, actual: Value, sign: str | None = None, reverse: str = "linear"
             ) -> Decimal:
    """The share of the 分值 (0..1) an actual earns against its target, by the sign given (the
    target's own when None; no sign reads as ＝)."""
    got, _ = actual_in(target, actual)
    assert got is not None and target.number is not None
    share, _ = _share(sign or target.sign or EQ, target, got, reverse)
    return share


def _share(sign: str, target: Value, got: Decimal, reverse: str) -> tuple[Decimal, str]:
    """(share 0..1, why and how as `未达到下限：{w} × 97.5 ÷ 98`, `{w}` standing for the 分值)
    of an actual in the target's unit. "" is full marks."""
    assert target.number is not None
    goal, a, b = target.number, plain_number(target.number), plain_number(got)
    with localcontext(RATIO_CONTEXT):
        if target.is_range:  # `90%-95%`: full inside, below like a floor, above like a cap
            upper = target.upper if target.upper is not None else goal
            if goal <= got <= upper:
                return Decimal(1), ""
            if got < goal:
                return got / goal, f"低于区间下限：{{w}} × {b} ÷ {a}"
            u = plain_number(upper)
            if upper == 0:
                return Decimal(0), "高于区间上限 0：{w} × 0"
            return (_clamp(1 - (got - upper) / upper),
                    f"高于区间上限：{{w}} × [1 − ({b} − {u}) ÷ {u}]")
        if sign in (GE, GT):
            if got >= goal or goal == 0:
                return Decimal(1), ""
            return got / goal, f"未达到下限：{{w}} × {b} ÷ {a}"
        if sign in (LE, LT):
            if got <= goal:
                return Decimal(1), ""
            if goal == 0:
                return Decimal(0), "上限为 0：{w} × 0"
            if reverse == RATIO:
                return goal / got, f"超过上限：{{w}} × {a} ÷ {b}"
            return _clamp(1 - (got - goal) / goal), f"超过上限：{{w}} × [1 − ({b} − {a}) ÷ {a}]"
        if got == goal:
            return Decimal(1), ""
        if goal == 0:
            return Decimal(0), "应等于 0：{w} × 0"
        return _clamp(1 - abs(got - goal) / goal), f"与指标值不等：{{w}} × [1 − |{b} − {a}| ÷ {a}]"


def worked(raw: Decimal, rounded: Decimal, places: int) -> str:
    """`= 4.165 → 4.17`, `≈ 8.2875 → 8.29`: a computed value (to two places beyond the
    score's) and the score it rounds to."""
    with localcontext(EXACT):
        shown = raw.quantize(Decimal(1).scaleb(-(places + 2)), rounding=ROUND_HALF_UP)
        exact = shown == raw
    text = plain_number(shown.normalize()) if shown else "0"
    return f"{'=' if exact else '≈'} {text} → {rounded}"


def _clamp(share: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), share))


def beaten_by(target: Value, actual: Value, sign: str | None = None) -> Decimal | None:
    """How far (a share of the target) an actual went beyond a ≥ or ≤ target, None if not."""
    got, _ = actual_in(target, actual)
    if got is None or not target.number:
        return None
    sign = sign or target.sign
    with localcontext(RATIO_CONTEXT):
        goal = target.number
        if sign in (GE, GT) and got > goal:
            return (got - goal) / goal
        if sign in (LE, LT) and got < goal:
            return (goal - got) / goal
    return None


def times(target: Value, actual: Value) -> Decimal | None:
    """How many times its target an actual is (None for a zero target)."""
    got, _ = actual_in(target, actual)
    if not target.number or got is None:
        return None
    with localcontext(RATIO_CONTEXT):
        return got / target.number


@dataclass(frozen=True)
class RowResult:
    """One indicator's 得分 as the scheme computes it, and how."""

    score: Decimal  # rounded, as printed
    quantitative: bool
    sign: str | None = None  # the sign scored by (after the unsigned rule)
    unsigned: bool = False  # the target had no sign and was read by the scheme
    actual: Decimal | None = None  # the actual in the target's unit
    how: str = ""  # "", values.BARE, values.SIGNED or DONE
    beaten: Decimal | None = None  # how far beyond a ≥/≤ target (a share of it)
    computed: Decimal | None = None  # the computed 得分 a typed override replaced
    formula: str = ""  # what a reviewer reads: target, actual, formula, points


def score_row(value: str, actual: str | None, weight: Decimal, scheme: Scheme, *,
              level2: str = "", grade: str | None = None, score: Decimal | None = None,
              reason: str | None = None) -> RowResult:
    """One indicator's 得分: its 指标值 and 实际完成值 as written, its 分值, and for a qualitative
    one (or an override where the scheme allows it) the grade and typed score."""
    target = measure(value)
    w = plain_number(weight)
    if target is None:
        return _qualitative(weight, scheme, grade, score)
    sign, unsigned = sign_of(target, scheme, level2)
    read = f"指标值“{value}”"
    if unsigned:
        read += f"（没有符号，按评分方案读作“{sign}{value}”）"
    written = parse(actual)
    got, how = actual_in(target, written)
    if got is None and written.done and scheme.done == MET:
        got, how = target.number, DONE
    if got is None:
        result = RowResult(Decimal(0), True, sign, unsigned,
                           formula=f"{read}，实际完成值“{actual or ''}”无法与指标值比较：得 0 分")
    else:
        read += f"，实际完成值“{actual}”"
        read += {BARE: f"（没有单位，按指标值的单位读作 {plain_number(got)}{target.unit}）",
                 SIGNED: f"（按其中的数 {plain_number(got)}{target.unit} 计）",
                 DONE: "（不是数，按评分方案视为达到指标值）"}.get(how, "")
        share, formula = _share(sign, target, got, scheme.reverse)
        with localcontext(EXACT):
            raw = weight * share
        rounded = scheme.round(raw)
        if not formula:
            text = f"{read}：达到指标值，得满分 {rounded}"
        else:
            text = f"{read}：{formula.replace('{w}', w)} {worked(raw, rounded, scheme.places)}"
        far = beaten_by(target, written, sign) if how != DONE else None
        result = RowResult(rounded, True, sign, unsigned, got, how, far, formula=text)
    if score is not None and scheme.overrides:
        return RowResult(scheme.round(score), True, result.sign, result.unsigned, result.actual,
                         result.how, result.beaten, computed=result.score,
                         formula=f"{result.formula}；按评分方案调整为 {scheme.round(score)}"
                                 f"（理由：{reason or '未写明'}）")
    return result


def _qualitative(weight: Decimal, scheme: Scheme, grade: str | None, score: Decimal | None
                 ) -> RowResult:
    if score is not None:
        text = f"定性指标：填写得分 {scheme.round(score)}" + (f"（完成等级“{grade}”）" if grade else "")
        return RowResult(scheme.round(score), False, formula=text)
    found = scheme.grades.get(grade or "")
    if found is None or found.points is None:
        why = f"完成等级“{grade}”需要填写得分" if grade else "没有完成等级或得分"
        return RowResult(Decimal(0), False, formula=f"定性指标：{why}，得 0 分")
    with localcontext(EXACT):
        raw = weight * found.points
    pct = plain_number((found.points * HUNDRED).normalize())
    return RowResult(scheme.round(raw), False, formula=(
        f"定性指标：完成等级“{grade}”，{plain_number(weight)} × {pct}% "
        f"{worked(raw, scheme.round(raw), scheme.places)}"))


@dataclass(frozen=True)
class BudgetScore:
    """预算执行率 and its 分值 / 得分."""

    rate: Decimal  # 执行数 ÷ its denominator (0..), as scored (rounded where the scheme says)
    weight: Decimal
    score: Decimal
    base: Decimal = Decimal(0)  # the denominator: 全年预算数 or 年初预算数
    spent: Decimal = Decimal(0)
    formula: str = ""


def score_budget(base: Decimal, spent: Decimal, weight: Decimal, scheme: Scheme,
                 base_label: str = "全年预算数") -> BudgetScore:
    """预算执行率's 得分: 执行数 ÷ the scheme's denominator, rounded as the scheme says, × 分值
    (at most the 分值); a zero denominator scores as the scheme's `rate.zero`."""
    head = f"预算执行率 = 全年执行数 {plain_number(spent)} ÷ {base_label} {plain_number(base)}"
    if base == 0:
        rate = Decimal(1) if spent == 0 and scheme.zero == FULL else Decimal(0)
        how = "按评分方案计为 100%" if rate else "按评分方案计为 0%"
        score = scheme.round(weight * rate)
        return BudgetScore(rate, weight, score, base, spent,
                           f"{head}：{base_label}为 0，{how}，得 {score} 分")
    with localcontext(RATIO_CONTEXT):
        exact = spent / base
    rate, shown = exact, f" = {percent(exact, scheme.places)}"
    if scheme.rate_places is not None:
        with localcontext(EXACT):
            rate = (exact * HUNDRED).quantize(Decimal(1).scaleb(-scheme.rate_places),
                                              rounding=ROUND_HALF_UP) / HUNDRED
        shown += f"，取 {percent(rate, scheme.rate_places)}"
    with localcontext(EXACT):
        raw = weight * min(rate, Decimal(1))
    score = scheme.round(raw)
    capped = "（执行率超过 100% 按 100% 计）" if rate > 1 else ""
    places = scheme.places if scheme.rate_places is None else scheme.rate_places
    return BudgetScore(rate, weight, score, base, spent,
                       f"{head}{shown}；得分 = {plain_number(weight)} × "
                       f"{percent(min(rate, Decimal(1)), places)} {worked(raw, score, scheme.places)}"
                       f"{capped}")


# -- a list of 一级 ---------------------------------------------------------------------------


def level_points(names: list[str], scheme: Scheme) -> tuple[dict[str, Decimal], list[str]]:
    """The 分值 of each 一级 a table has, after the scheme moved an absent one's to another
    (`move`), and the scheme's 一级 absent with nowhere to go."""
    points = dict(scheme.levels)
    missing = []
    for name in scheme.levels:
        if name in names:
            continue
        to = scheme.move.get(name)
        if to in names and to is not None:
            with localcontext(EXACT):
                points[to] += points[name]
        else:
            missing.append(name)
        del points[name]
    return points, missing


def _spread(rows: list[Indicator], total: Decimal | None, scheme: Scheme) -> list[Decimal]:
    """Each row's 分值: as given, or the rest of `total` spread evenly (rounded down to the
    scheme's places, the cents left over to the first rows, so the rows add up exactly)."""
    with localcontext(EXACT):
        given = sum((ind.weight for ind in rows if ind.weight is not None), Decimal(0))
        rest = max((given if total is None else total) - given, Decimal(0))
    open_rows = [i for i, ind in enumerate(rows) if ind.weight is None]
    out = [ind.weight if ind.weight is not None else Decimal(0) for ind in rows]
    if open_rows:
        share = (rest / len(open_rows)).quantize(scheme.quantum, rounding=ROUND_DOWN)
        left = int((rest - share * len(open_rows)) / scheme.quantum)
        for n, i in enumerate(open_rows):
            out[i] = share + (scheme.quantum if n < left else 0)
    return out


def weights(level1: Level1, scheme: Scheme, points: Decimal | None = None) -> list[Decimal]:
    """The 分值 of each 三级 row of a 一级: as given, or the rest of the 一级's 分值 (`points`, else
    the scheme's) spread evenly."""
    rows = [ind for g in level1.groups for ind in g.indicators]
    return _spread(rows, points if points is not None else scheme.levels.get(level1.name), scheme)


def row_weights(levels: list[Level1], scheme: Scheme) -> list[Decimal]:
    """Every row's 分值, in order: per 一级, or from the scheme's pool across all of them."""
    if scheme.pool is not None:
        return _spread([ind for l1 in levels for g in l1.groups for ind in g.indicators],
                       scheme.pool, scheme)
    points, _ = level_points([l1.name for l1 in levels], scheme)
    return [w for l1 in levels for w in weights(l1, scheme, points.get(l1.name))]


@dataclass(frozen=True)
class RowScore:
    """One indicator of the 自评表 with its 分值, 得分 and how it was scored."""

    level1: Level1
    level2: Level2
    indicator: Indicator
    weight: Decimal
    score: Decimal
    quantitative: bool
    beaten: Decimal | None  # how far beyond the target (the scheme may ask for a reason)
    result: RowResult | None = None


def score_levels(levels: list[Level1], scheme: Scheme) -> list[RowScore]:
    """Every indicator row of a list of 一级, scored by the scheme (any 自评表's grid)."""
    rows = []
    ws = iter(row_weights(levels, scheme))
    for l1 in levels:
        for l2 in l1.groups:
            for ind in l2.indicators:
                weight = next(ws)
                r = score_row(ind.value, ind.actual, weight, scheme, level2=l2.name,
                              grade=ind.grade, score=ind.score, reason=ind.score_reason)
                rows.append(RowScore(l1, l2, ind, weight, r.score, r.quantitative, r.beaten, r))
    return rows


@dataclass(frozen=True)
class ProjectScore:
    """Every score of one project's 自评表."""

    rows: list[RowScore]
    budget: BudgetScore
    total: Decimal
    grade: str
    scheme: Scheme
    points: dict[str, Decimal]  # each 一级's 分值 as the table prints it
    missing: tuple[str, ...] = ()  # the scheme's 一级 absent with nowhere to go
    rebased: tuple[Decimal, Decimal] | None = None  # (得分合计, 可得分值) scaled to full marks


def total_of(rows: list[RowScore], budget: BudgetScore, scheme: Scheme, missing: list[str]
             ) -> tuple[Decimal, tuple[Decimal, Decimal] | None]:
    """The 总分: the rounded parts added up, scaled to full marks when the scheme re-bases a
    table without some 一级 (and the sum and what could be had, then)."""
    with localcontext(EXACT):
        added = sum((r.score for r in rows), budget.score)
        if not (missing and scheme.rebase):
            return added, None
        possible = scheme.full - sum((scheme.levels[n] for n in missing), Decimal(0))
    if possible <= 0:
        return added, None
    with localcontext(RATIO_CONTEXT):  # a quotient: 28 digits, then rounded to the places
        scaled = added * scheme.full / possible
    return scheme.round(scaled), (added, possible)


def score_project(project: Project, book: Book) -> ProjectScore | None:
    """The 自评 scores of a project with execution data (None without)."""
    if project.execution is None:
        return None
    scheme = scheme_of(book)
    rows = score_levels(project.indicators, scheme)
    funds = project.execution.total
    if scheme.rate_base == INITIAL:
        base, label = project.initial() or Decimal(0), "年初预算数"
    else:
        base, label = funds.adjusted, "全年预算数"
    budget = score_budget(base, funds.spent, scheme.budget, scheme, label)
    if scheme.pool is not None:
        points: dict[str, Decimal] = {}
        for r in rows:
            with localcontext(EXACT):
                points[r.level1.name] = points.get(r.level1.name, Decimal(0)) + r.weight
        missing: list[str] = []
    else:
        points, missing = level_points([l1.name for l1 in project.indicators], scheme)
        for l1 in project.indicators:  # a 一级 the scheme does not know: its rows' 分值
            if l1.name not in points:
                with localcontext(EXACT):
                    points[l1.name] = sum((r.weight for r in rows if r.level1 is l1), Decimal(0))
    total, rebased = total_of(rows, budget, scheme, missing)
    return ProjectScore(rows, budget, total, scheme.grade_of(total), scheme, points,
                        tuple(missing), rebased)


def explain(score: ProjectScore, at: Callable[[Indicator], str] | None = None) -> list[str]:
    """How every score of a 自评表 was computed, one line each: 预算执行率, each indicator (its
    target, actual, formula and points; after `at(indicator)`, such as its file:line:col), the
    总分."""
    lines = [score.budget.formula]
    for r in score.rows:
        where = f"{r.level1.name} / {r.level2.name} / {r.indicator.name}"
        formula = r.result.formula if r.result else f"得分 {r.score}"
        lines.append(f"{at(r.indicator) if at else ''}{where}（分值 {plain_number(r.weight)}）："
                     f"{formula}")
    parts = " + ".join(f"{r.score}" for r in score.rows)
    total = f"总分 = {score.budget.score} + {parts}" if parts else f"总分 = {score.budget.score}"
    if score.rebased:
        added, possible = score.rebased
        total += (f" = {added}；缺少{'、'.join(score.missing)}，按适用指标折算：{added} ÷ "
                  f"{plain_number(possible)} × {plain_number(score.scheme.full)}")
    lines.append(f"{total} = {score.total}（{score.grade}）")
    return lines


def percent(rate: Decimal, places: int = 2) -> str:
    """A rate as printed in the 自评表: `95.50%`."""
    with localcontext(EXACT):
        shown = (rate * HUNDRED).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{shown:f}%"


def score_changes(old: Project, old_book: Book, new: Project, new_book: Book
                  ) -> list[tuple[str, str, str, str]]:
    """What changed in a project's 自评 (kind, where, old, new): actuals, scores, spending, 总分."""
    a, b = score_project(old, old_book), score_project(new, new_book)
    if a is None and b is None:
        return []
    out = []
    ea, eb = old.execution, new.execution
    for key, label in (("adjusted", "全年预算数"), ("spent", "全年执行数")):
        x = getattr(ea.total, key) if ea else None
        y = getattr(eb.total, key) if eb else None
        if x != y:
            out.append(("执行", f"{label}（{new_book.money_unit}）",
                        "" if x is None else f"{x:.2f}", "" if y is None else f"{y:.2f}"))
    rows_a = {_row_key(r): r for r in (a.rows if a else [])}
    for r in b.rows if b else []:
        before = rows_a.get(_row_key(r))
        where = f"{r.level1.name} / {r.level2.name} / {r.indicator.name}"
        old_actual = before.indicator.actual or "" if before else ""
        if old_actual != (r.indicator.actual or ""):
            out.append(("实际完成值", where, old_actual, r.indicator.actual or ""))
        old_score = f"{before.score}" if before else ""
        if old_score != f"{r.score}":
            out.append(("得分", where, old_score, f"{r.score}"))
    old_total = f"{a.total}（{a.grade}）" if a else ""
    new_total = f"{b.total}（{b.grade}）" if b else ""
    if old_total != new_total:
        out.append(("总分", "总分", old_total, new_total))
    return out


def _row_key(row: RowScore) -> tuple[str, str, str]:
    return (row.level1.name, row.level2.name, row.indicator.name)
