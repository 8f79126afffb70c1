"""绩效运行监控 data: what a project reports in the budget year, one round per monitoring.

A round (`Round`) is the project's state after month N ("1–7月"): the money (年初预算数,
调整后预算数, 1–N月执行数, 全年预计执行数, in total and per fund source), the goals' 1–N月执行情况,
and per indicator its 1–N月执行情况, 全年预计完成情况, the 偏差原因 ticked, the 完成目标可能性 and
a 原因说明. Everything is optional in a project file, like the 自评's execution data; a project
monitored twice (after April and after July) has two rounds, in order.

This module knows no project (the model's `Project` holds the rounds): how an entry meets its
indicator row and how far an indicator has come are in `tablegen.model.pace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import Pos

# The 偏差原因 a row may tick, and the 完成目标可能性, in the order the published tables print
# their columns (财预〔2019〕136号; the vendor systems read exactly these 5 + 3 columns).
CAUSES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOODS = ("确定能", "有可能", "完全不可能")
CERTAIN = LIKELIHOODS[0]
# The 其中 rows of the monitoring table's 项目资金, by key, in the order they print.
SOURCES = {"fiscal": "财政拨款", "other": "其他资金"}
TICK = "√"


def period(month: int) -> str:
    """The months a round covers as the tables print them: `1–7月` (`1月` for January)."""
    return "1月" if month == 1 else f"1–{month}月"


@dataclass
class MonitorFunds:
    """One row of 项目资金: 年初预算数 / 调整后预算数 / 1–N月执行数 / 全年预计执行数."""

    initial: Decimal | None  # None: as the budget block says
    adjusted: Decimal
    spent: Decimal  # 1–N月执行数
    expected: Decimal  # 全年预计执行数
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)

    @property
    def rate(self) -> Decimal | None:
        """1–N月执行率 (spent / adjusted), None for a zero adjusted budget."""
        if self.adjusted == 0:
            return None
        return self.spent / self.adjusted


@dataclass
class MonitorEntry:
    """One indicator's monitoring: named by its 三级指标."""

    name: str
    done: str  # 1–N月执行情况, as printed
    likelihood: str  # 完成目标可能性: one of LIKELIHOODS
    expected: str | None = None  # 全年预计完成情况
    causes: list[str] = field(default_factory=list)  # 偏差原因 ticked, of CAUSES
    note: str | None = None  # 原因说明
    pos: Pos | None = field(default=None, compare=False, repr=False)
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Round:
    """One monitoring round of a project (after month `month` of the budget year)."""

    month: int
    total: MonitorFunds  # 年度资金总额
    sources: dict[str, MonitorFunds] = field(default_factory=dict)  # keys of SOURCES
    progress: list[str] = field(default_factory=list)  # 年度总体目标的 1–N月执行情况
    entries: list[MonitorEntry] = field(default_factory=list)
    analysis: str | None = None  # 偏差或不能完成目标原因分析
    measures: str | None = None  # 相关建议或举措
    pos: Pos | None = field(default=None, compare=False, repr=False)
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)
    # Some entry could not be read (its finding is made): no indicator is called unmonitored.
    partial: bool = field(default=False, compare=False, repr=False)

    @property
    def period(self) -> str:
        return period(self.month)


EMPTY = "（空）"  # a side of a change that has nothing: every change reads old → new


def _amount(value: Decimal | None) -> str:
    return EMPTY if value is None else f"{value:.2f}"


def round_changes(old: list[Round], new: list[Round], unit: str) -> list[tuple[str, str, str, str]]:
    """What changed in a project's monitoring (kind, where, old, new), round by round (matched
    by month): the money, the goals' progress and every indicator's figures and ticks."""
    out: list[tuple[str, str, str, str]] = []
    before = {r.month: r for r in old}
    after = {r.month: r for r in new}
    for month in sorted(set(before) | set(after)):
        a, b = before.get(month), after.get(month)
        where = f"{period(month)}监控"
        if a is None or b is None:
            out.append(("监控", where, EMPTY if a is None else "已填写", EMPTY if b is None else "已填写"))
            continue
        rows: list[tuple[str, MonitorFunds | None, MonitorFunds | None]] = [
            ("年度资金总额", a.total, b.total)]
        rows += [(label, a.sources.get(key), b.sources.get(key)) for key, label in SOURCES.items()]
        for label, fa, fb in rows:
            for key, title in (("adjusted", "调整后预算数"), ("spent", f"{period(month)}执行数"),
                               ("expected", "全年预计执行数")):
                x = _amount(getattr(fa, key)) if fa else EMPTY
                y = _amount(getattr(fb, key)) if fb else EMPTY
                if x != y:
                    out.append(("监控", f"{where} · {label} · {title}（{unit}）", x, y))
        if a.progress != b.progress:
            out.append(("监控", f"{where} · 年度总体目标执行情况", "\n".join(a.progress) or EMPTY,
                        "\n".join(b.progress) or EMPTY))
        out += _entry_changes(a, b, where)
        for key, title in (("analysis", "偏差或不能完成目标原因分析"), ("measures", "相关建议或举措")):
            if getattr(a, key) != getattr(b, key):
                out.append(("监控", f"{where} · {title}", getattr(a, key) or EMPTY,
                            getattr(b, key) or EMPTY))
    return out


def _entry_changes(a: Round, b: Round, where: str) -> list[tuple[str, str, str, str]]:
    """Each indicator's figures, ticks and notes that differ (matched by name and occurrence)."""
    def keyed(r: Round) -> dict[tuple[str, int], MonitorEntry]:
        out: dict[tuple[str, int], MonitorEntry] = {}
        for e in r.entries:
            out[(e.name, sum(1 for k in out if k[0] == e.name))] = e
        return out

    before, after = keyed(a), keyed(b)
    out = []
    for key in [*before, *(k for k in after if k not in before)]:
        x, y = before.get(key), after.get(key)
        name = key[0]
        for attr, title in (("done", f"{a.period}执行情况"),
                            ("expected", "全年预计完成情况"), ("likelihood", "完成目标可能性"),
                            ("causes", "偏差原因"), ("note", "原因说明")):
            old = _shown(getattr(x, attr)) if x else EMPTY
            new = _shown(getattr(y, attr)) if y else EMPTY
            if old != new:
                out.append(("监控", f"{where} · {name} · {title}", old, new))
    return out


def _shown(value: str | list[str] | None) -> str:
    if isinstance(value, list):
        return "、".join(value) or EMPTY
    return value or EMPTY
