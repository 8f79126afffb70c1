"""How far a monitored project has come: each indicator row with its monitoring entry, each
indicator's completion against the pace of the year, and the pace warnings of a scheme.

The schemes (a province's 执行进度预警: the 执行率 due by a month, the gap between target
completion and budget execution, the warning lights of the indicators) are data in `pace.yaml`,
like the scoring schemes. Values are read by `values.parse` alone: an indicator whose value or
1–N月执行情况 is not a quantity in comparable units gets no light, never a guessed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext
from functools import cache
from importlib import resources

import yaml

from .book import Book, Indicator, Level1, Level2, Project
from .monitoring import MonitorEntry, Round, period
from .values import CAP_SIGNS, PERCENT, Value, parse

HUNDRED = Decimal(100)
MONTHS = Decimal(12)
RATIO = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN)


@dataclass(frozen=True)
class PaceScheme:
    """One scheme of `pace.yaml`."""

    name: str
    title: str
    budget: tuple[tuple[int, Decimal], ...] = ()  # (month, 执行率 % due by its end), in order
    gap: Decimal | None = None  # points target completion and 执行率 may differ
    lights: tuple[tuple[str, Decimal], ...] = ()  # (light, minimum %), lowest first
    within: str = ""  # a reverse indicator inside its bound
    beyond: str = ""  # … and beyond it
    warn: tuple[str, ...] = ()

    def due(self, month: int) -> tuple[int, Decimal] | None:
        """The last checkpoint (month, 执行率 %) not after `month`; None before the first."""
        passed = [(m, rate) for m, rate in self.budget if m <= month]
        return passed[-1] if passed else None

    def light(self, share: Decimal) -> str:
        """The light of a completion (%) against the pace."""
        found = self.lights[0][0]
        for name, low in self.lights:
            if share >= low:
                found = name
        return found


@cache
def schemes() -> dict[str, PaceScheme]:
    """Every pace scheme by name, in file order."""
    text = resources.files("tablegen.model").joinpath("pace.yaml").read_text(encoding="utf-8")
    out = {}
    for name, spec in yaml.safe_load(text).items():
        out[name] = PaceScheme(
            name=name, title=spec["title"],
            budget=tuple(sorted((int(m), Decimal(str(r))) for m, r in spec.get("budget", {}).items())),
            gap=Decimal(str(spec["gap"])) if "gap" in spec else None,
            lights=tuple((n, Decimal(str(low))) for n, low in spec.get("lights", [])),
            within=spec.get("within", ""), beyond=spec.get("beyond", ""),
            warn=tuple(spec.get("warn", ())),
        )
    return out


def scheme_of(book: Book) -> PaceScheme | None:
    """The book's pace scheme (`pace:` in book.yaml), None when it names none."""
    return schemes().get(book.pace) if book.pace else None


Row = tuple[Level1, Level2, Indicator, MonitorEntry | None]


def matched(project: Project, rnd: Round) -> tuple[list[Row], list[MonitorEntry]]:
    """Every indicator row with its entry of the round (None: not monitored), and the entries
    that name no row. An entry names its row by the 三级指标; a name that repeats in the project
    is matched in order (the second entry of that name goes with the second row)."""
    free: dict[str, list[MonitorEntry]] = {}
    for entry in rnd.entries:
        free.setdefault(entry.name, []).append(entry)
    rows: list[Row] = []
    for l1, l2, ind in project.rows():
        waiting = free.get(ind.name)
        rows.append((l1, l2, ind, waiting.pop(0) if waiting else None))
    unmatched = {id(e) for waiting in free.values() for e in waiting}
    return rows, [e for e in rnd.entries if id(e) in unmatched]


def initial(project: Project, rnd: Round, source: str = "") -> Decimal | None:
    """年初预算数 of the total (or of a fund source) as the monitoring table prints it: as
    given, else the budget block's."""
    funds = rnd.sources.get(source) if source else rnd.total
    if funds is not None and funds.initial is not None:
        return funds.initial
    value: Decimal | None = getattr(project.budget, source) if source else project.budget.total
    return value


def _rate(value: Decimal) -> Decimal:
    """A share (0.565) as a percentage rounded to hundredths (56.50)."""
    with localcontext(RATIO):
        return (value * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def shown(rate: Decimal) -> str:
    """A percentage as the overview prints it: `56.50%`."""
    return f"{rate:f}%"


@dataclass(frozen=True)
class Light:
    """One indicator's light and why: its 1–N月执行情况 against what the pace asks by then."""

    where: str  # 一级 / 二级 / 三级
    light: str
    done: str  # 1–N月执行情况, as written
    value: str  # 年度指标值, as written
    share: Decimal | None = None  # completion against the pace, in % (None: a reverse indicator)
    due: str = ""  # what the pace asks by the month (`0.58个`); empty for a rate

    def message(self, month: int) -> str:
        """The light as the overview says it."""
        head = f"{self.light}：{self.where}：{period(month)}"
        if self.share is None:
            return f"{head}为 {self.done}，超出指标值 {self.value}"
        if self.due:
            return (f"{head}完成 {self.done}，按时序应达 {self.due}（年度指标值 {self.value} × "
                    f"{month}/12），完成进度 {shown(self.share)}")
        return f"{head}为 {self.done}，指标值 {self.value}，完成进度 {shown(self.share)}"


def _quantity(text: str | None) -> Value | None:
    value = parse(text)
    return value if value.quantitative and value.number is not None else None


def light_of(scheme: PaceScheme, ind: Indicator, entry: MonitorEntry, month: int,
             where: str) -> Light | None:
    """An indicator's light, None when the scheme has none or its figures are not comparable
    quantities (a qualitative indicator, `已完成` against `1个`, 次 against %)."""
    if not scheme.lights:
        return None
    target, done = _quantity(ind.value), _quantity(entry.done)
    if target is None or done is None or not done.comparable(target) or target.number is None:
        return None
    got = done.in_unit_of(target)
    if target.sign in CAP_SIGNS:
        inside = got <= target.number if target.sign == "≤" else got < target.number
        return Light(where, scheme.within if inside else scheme.beyond, entry.done, ind.value)
    rate = target.measure is not None and target.measure[1] == PERCENT
    with localcontext(RATIO):
        due = target.number if rate else target.number * month / MONTHS
        if due == 0:
            return None
        share = _rate(got / due)
        due_text = "" if rate else (
            f"{due.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}{target.unit}")
    return Light(where, scheme.light(share), entry.done, ind.value, share, due_text)


def completion(project: Project, rnd: Round) -> Decimal | None:
    """The target completion (a share, 0..1): the mean of what the quantitative, cumulative
    indicators (not rates, not caps) have reached of their 年度指标值, each at most 100 %; None
    when no indicator can be measured so."""
    shares = []
    rows, _ = matched(project, rnd)
    for _, _, ind, entry in rows:
        if entry is None:
            continue
        target, done = _quantity(ind.value), _quantity(entry.done)
        if (target is None or done is None or not done.comparable(target)
                or target.sign in CAP_SIGNS or not target.number
                or (target.measure is not None and target.measure[1] == PERCENT)):
            continue
        with localcontext(RATIO):
            shares.append(min(Decimal(1), done.in_unit_of(target) / target.number))
    if not shares:
        return None
    with localcontext(RATIO):
        return sum(shares, Decimal(0)) / len(shares)


@dataclass(frozen=True)
class Pace:
    """A monitored project's last round as the overview shows it."""

    month: int
    rate: Decimal | None  # 1–N月执行率 in % (hundredths), None for a zero adjusted budget
    completion: Decimal | None  # target completion in %, None when nothing measures it
    lights: tuple[Light, ...]
    warnings: tuple[str, ...]

    @property
    def period(self) -> str:
        return period(self.month)


def pace_of(project: Project, book: Book) -> Pace | None:
    """The pace of a project's last monitoring round under the book's scheme (None: not
    monitored). Without a scheme: the 执行率 and target completion, no lights, no warnings."""
    if not project.monitoring:
        return None
    rnd = project.monitoring[-1]
    raw = rnd.total.rate
    rate = _rate(raw) if raw is not None else None
    share = completion(project, rnd)
    done = _rate(share) if share is not None else None
    scheme = scheme_of(book)
    warnings: list[str] = []
    lights: list[Light] = []
    if scheme is not None:
        due = scheme.due(rnd.month)
        if due is not None and rate is not None and rate < due[1]:
            warnings.append(f"预算执行进度偏慢：{rnd.period}执行率 {shown(rate)}，低于 {due[0]} 月末"
                            f"应达到的 {due[1]}%")
        if scheme.gap is not None and rate is not None and done is not None:
            gap = abs(done - rate)
            if gap > scheme.gap:
                warnings.append(f"目标完成进度 {shown(done)} 与预算执行进度 {shown(rate)} 相差 "
                                f"{gap:f} 个百分点，超过 {scheme.gap} 个百分点")
        rows, _ = matched(project, rnd)
        for l1, l2, ind, entry in rows:
            if entry is None:
                continue
            light = light_of(scheme, ind, entry, rnd.month, f"{l1.name} / {l2.name} / {ind.name}")
            if light is None:
                continue
            lights.append(light)
            if light.light in scheme.warn:
                warnings.append(light.message(rnd.month))
    return Pace(rnd.month, rate, done, tuple(lights), tuple(warnings))
