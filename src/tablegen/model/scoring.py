"""自评 scoring: each indicator's 分值 and 得分, 预算执行率, the 总分 and the 自评等级.

Scores are computed, never typed: a quantitative indicator scores by its sign and its
实际完成值, a qualitative one by the grade its author gives. The scheme (weights per 一级指标,
grade shares, rounding, bands) is data in `scoring.yaml`, like the indicator frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    localcontext,
)
from functools import cache
from importlib import resources

import yaml

from .book import Book, Funds, Indicator, Level1, Level2, Project
from .values import Value, parse

HUNDRED = Decimal(100)
# How far beyond its target an indicator may land before its target looks set too low.
BEATEN = Decimal("0.3")
# An actual this many times its target is more likely a slip of the keyboard than a result.
OUTLIER = Decimal(1000)
# User numbers can be as long as a file (a million digits). Ratios keep the default 28 digits
# but any exponent, so `10^27 × the target` or `0.000…1` never overflows; sums, products and
# roundings to cents are exact, so a 30-digit 分值 rounds instead of raising InvalidOperation.
RATIO = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN)
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


@dataclass(frozen=True)
class Scheme:
    """One scoring scheme of `scoring.yaml`."""

    name: str
    title: str
    frames: tuple[str, ...]  # the frames whose books use this scheme when they name none
    budget: Decimal  # 预算执行率's 分值
    levels: dict[str, Decimal]  # 一级指标 → 分值
    grades: dict[str, Decimal]  # 达成 / 部分达成 / 未达成 → share of the 分值 (0..1)
    places: int
    bands: tuple[tuple[str, Decimal], ...]  # (等级, minimum 总分), best first

    @property
    def full(self) -> Decimal:
        """The full marks: every 一级's 分值 and 预算执行率's (100)."""
        return sum(self.levels.values(), self.budget)

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    def round(self, value: Decimal) -> Decimal:
        with localcontext(EXACT):
            return value.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def grade_of(self, total: Decimal) -> str:
        return next((name for name, low in self.bands if total >= low), self.bands[-1][0])


@cache
def schemes() -> dict[str, Scheme]:
    """Every scoring scheme by name, in file order."""
    text = resources.files("tablegen.model").joinpath("scoring.yaml").read_text(encoding="utf-8")
    out = {}
    for name, spec in yaml.safe_load(text).items():
        out[name] = Scheme(
            name=name, title=spec["title"], frames=tuple(spec.get("frames", ())),
            budget=Decimal(str(spec["budget"])),
            levels={k: Decimal(str(v)) for k, v in spec["levels"].items()},
            grades={k: Decimal(str(v)) / HUNDRED for k, v in spec["grades"].items()},
            places=int(spec["places"]),
            bands=tuple((b[0], Decimal(str(b[1]))) for b in spec["bands"]),
        )
    return out


def scheme_for_frame(frame: str) -> str:
    """The scheme a book of this frame uses when it names none (`scoring:` left out)."""
    return next((s.name for s in schemes().values() if frame in s.frames), "common")


def scheme_of(book: Book) -> Scheme:
    """The book's scoring scheme: the one it names, else its frame's."""
    name = book.scoring or scheme_for_frame(book.frame)
    return schemes().get(name, schemes()["common"])


def measure(text: str | None) -> Value | None:
    """The value as a quantity (`values.parse`, the one reader of a value), None when it is
    qualitative."""
    value = parse(text)
    return value if value.quantitative else None


def achieved(target: Value, actual: Value) -> Decimal:
    """The share of the 分值 (0..1) an actual earns against its target, by the target's sign."""
    with localcontext(RATIO):
        return min(Decimal(1), max(Decimal(0), _achieved(target, actual)))


def _achieved(target: Value, actual: Value) -> Decimal:
    assert target.number is not None
    got, goal = actual.in_unit_of(target), target.number
    if target.is_range:  # `90%-95%`: full inside, below like a floor, above like a cap
        upper = target.upper if target.upper is not None else goal
        if goal <= got <= upper:
            return Decimal(1)
        if got < goal:
            return got / goal
        return Decimal(0) if upper == 0 else 1 - (got - upper) / upper
    if target.sign in ("≥", ">"):
        if got >= goal or goal == 0:
            return Decimal(1)
        return got / goal
    if target.sign in ("≤", "<"):
        if got <= goal:
            return Decimal(1)
        if goal == 0:
            return Decimal(0)
        return max(Decimal(0), 1 - (got - goal) / goal)
    # `＝` or no sign: full when equal, else less by the relative deviation.
    if got == goal:
        return Decimal(1)
    if goal == 0:
        return Decimal(0)
    return max(Decimal(0), 1 - abs(got - goal) / goal)


def beaten_by(target: Value, actual: Value) -> Decimal | None:
    """How far (a share of the target) an actual went beyond a ≥ or ≤ target, None if not."""
    assert target.number is not None
    with localcontext(RATIO):
        got, goal = actual.in_unit_of(target), target.number
        if goal == 0:
            return None
        if target.sign in ("≥", ">") and got > goal:
            return (got - goal) / goal
        if target.sign in ("≤", "<") and got < goal:
            return (goal - got) / goal
    return None


def times(target: Value, actual: Value) -> Decimal | None:
    """How many times its target an actual is (None for a zero target)."""
    if not target.number:
        return None
    with localcontext(RATIO):
        return actual.in_unit_of(target) / target.number


@dataclass(frozen=True)
class RowScore:
    """One indicator of the 自评表 with its 分值 and 得分."""

    level1: Level1
    level2: Level2
    indicator: Indicator
    weight: Decimal
    score: Decimal
    quantitative: bool
    beaten: Decimal | None  # how far beyond the target (≥ 30 % asks for a reason)


@dataclass(frozen=True)
class BudgetScore:
    """预算执行率 and its 分值 / 得分."""

    rate: Decimal  # 全年执行数 / 全年预算数 (0..), unrounded
    weight: Decimal
    score: Decimal


@dataclass(frozen=True)
class ProjectScore:
    """Every score of one project's 自评表."""

    rows: list[RowScore]
    budget: BudgetScore
    total: Decimal
    grade: str


def weights(level1: Level1, scheme: Scheme) -> list[Decimal]:
    """The 分值 of each 三级 row of a 一级: as given, or the rest of the 一级's 分值 spread evenly.

    Shares are rounded down to the scheme's places and the cents left over go to the first
    rows, so that a 一级's rows always add up to its 分值 exactly.
    """
    rows = [ind for g in level1.groups for ind in g.indicators]
    with localcontext(EXACT):
        given = sum((ind.weight for ind in rows if ind.weight is not None), Decimal(0))
        rest = max(scheme.levels.get(level1.name, given) - given, Decimal(0))
    open_rows = [i for i, ind in enumerate(rows) if ind.weight is None]
    out = [ind.weight if ind.weight is not None else Decimal(0) for ind in rows]
    if open_rows:
        share = (rest / len(open_rows)).quantize(scheme.quantum, rounding=ROUND_DOWN)
        left = int((rest - share * len(open_rows)) / scheme.quantum)
        for n, i in enumerate(open_rows):
            out[i] = share + (scheme.quantum if n < left else 0)
    return out


def execution_rate(funds: Funds) -> Decimal:
    """全年执行数 / 全年预算数; a zero budget spent nothing counts as fully executed."""
    if funds.adjusted == 0:
        return Decimal(1) if funds.spent == 0 else Decimal(0)
    with localcontext(RATIO):
        return funds.spent / funds.adjusted


def row_share(ind: Indicator, weight: Decimal, scheme: Scheme) -> tuple[Decimal, bool]:
    """The 得分 (unrounded) of one indicator, and whether it is quantitative."""
    target, actual = measure(ind.value), measure(ind.actual)
    if target is not None:
        if actual is None or not actual.comparable(target):
            return Decimal(0), True
        with localcontext(EXACT):
            return weight * achieved(target, actual), True
    if ind.score is not None:
        return ind.score, False
    with localcontext(EXACT):
        return weight * scheme.grades.get(ind.grade or "", Decimal(0)), False


def score_project(project: Project, book: Book) -> ProjectScore | None:
    """The 自评 scores of a project with execution data (None without)."""
    if project.execution is None:
        return None
    scheme = scheme_of(book)
    rows = []
    for l1 in project.indicators:
        ws = iter(weights(l1, scheme))
        for l2 in l1.groups:
            for ind in l2.indicators:
                weight = next(ws)
                value, quantitative = row_share(ind, weight, scheme)
                target, actual = measure(ind.value), measure(ind.actual)
                beaten = (beaten_by(target, actual) if target and actual
                          and actual.comparable(target) else None)
                rows.append(RowScore(l1, l2, ind, weight, scheme.round(value), quantitative,
                                     beaten))
    rate = execution_rate(project.execution.total)
    with localcontext(EXACT):
        budget = BudgetScore(rate, scheme.budget,
                             scheme.round(scheme.budget * min(rate, Decimal(1))))
        total = sum((r.score for r in rows), budget.score)
    return ProjectScore(rows, budget, total, scheme.grade_of(total))


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
