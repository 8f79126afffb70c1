"""The data model: a book of agencies, each with its projects' performance target tables.

Every text is exactly what the author wrote (after `>=`/`<=` became `≥`/`≤` in values);
amounts are `Decimal`; order is the authored order everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import Pos
from .frames import Frame
from .layouts import Layout
from .monitoring import Round
from .overall_layouts import Layout as OverallLayout
from .overall_layouts import chosen

MONEY_UNITS = ("元", "千元", "万元")
MERGES = ("level1", "level1+level2", "none")
DECIMALS = 2  # places of an amount unless the book declares more (`decimals:`)
MAX_DECIMALS = 6
# Output names are `01-<stem>.docx`; with the writer's temporary-name affixes they must stay
# within a 255-byte file name, so a long project file name is cut there.
STEM_BYTES = 160
# What no file system takes in a name (Windows is the strictest), and the brackets a cut name
# must not end inside of: `…研究项目（自有.pdf` reads as a typo.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_PAIRS = {"（": "）", "(": ")", "[": "]", "【": "】", "《": "》", "〔": "〕", "「": "」", "『": "』",
          "{": "}", "〈": "〉", "“": "”", "‘": "’"}
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{port}{i}" for port in ("COM", "LPT") for i in range(1, 10))}


def safe_stem(text: str, limit: int = STEM_BYTES, chars: int | None = None) -> str:
    """A text as a file name without suffix: characters no system takes become `_`, at most
    `limit` bytes (and `chars` characters), and when it must be cut, cut before a bracket it
    would leave open."""
    name = _UNSAFE.sub("_", text).strip(" .") or "_"
    if len(name.encode("utf-8", "surrogateescape")) > limit or (chars and len(name) > chars):
        cut = name[:chars].encode("utf-8", "surrogateescape")[:limit].decode("utf-8", "ignore")
        opened: list[int] = []  # where each bracket still open starts
        for i, ch in enumerate(cut):
            if ch in _PAIRS:
                opened.append(i)
            elif opened and ch == _PAIRS[cut[opened[-1]]]:
                opened.pop()
        if opened and opened[0] > 0:
            cut = cut[:opened[0]]
        name = cut.rstrip(" .-_—") or cut
    return f"{name}_" if name.upper().split(".")[0] in _RESERVED else name


@dataclass
class Indicator:
    """One row of the indicator grid (三级指标)."""

    name: str  # 三级指标
    value: str  # 指标值, as printed
    description: str | None = None  # 绩效指标描述; None means "same as name"
    pos: Pos | None = field(default=None, compare=False, repr=False)
    value_pos: Pos | None = field(default=None, compare=False, repr=False)
    # 自评 (after the year): all optional, absent in a target-only file.
    actual: str | None = None  # 实际完成值, as printed
    weight: Decimal | None = None  # 分值; None: a share of the 一级's weight
    grade: str | None = None  # 达成 | 部分达成 | 未达成 (qualitative indicators)
    score: Decimal | None = None  # an explicit 得分 (qualitative; quantitative: an override)
    score_reason: str | None = None  # why a computed 得分 was changed (a scheme with overrides)
    deviation: str | None = None  # 偏差原因分析及改进措施
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)
    # Printed by the layouts that have their columns; absent in most files.
    period_value: str | None = None  # 实施期指标值 (the multi-year target beside `value`)
    values: dict[str, str] = field(default_factory=dict)  # per recipient (the project's)
    extra: dict[str, str] = field(default_factory=dict)  # a layout's own columns: 备注, 绩效标准…

    @property
    def shown_description(self) -> str:
        return self.name if self.description is None else self.description


@dataclass
class Level2:
    """A 二级指标 and its rows."""

    name: str
    indicators: list[Indicator] = field(default_factory=list)
    pos: Pos | None = field(default=None, compare=False, repr=False)


@dataclass
class Level1:
    """A 一级指标 and its 二级指标."""

    name: str
    groups: list[Level2] = field(default_factory=list)
    pos: Pos | None = field(default=None, compare=False, repr=False)


@dataclass
class Budget:
    """预算数 / 其中：财政资金 / 其他资金, in the book's money unit."""

    total: Decimal
    fiscal: Decimal | None = None
    other: Decimal | None = None


@dataclass
class Funds:
    """One row of the 自评表's 项目资金: 年初预算数 / 全年预算数 / 全年执行数."""

    initial: Decimal | None  # None: as the budget block says (see Project.initial)
    adjusted: Decimal
    spent: Decimal
    pos: Pos | None = field(default=None, compare=False, repr=False)
    # Where each of the three numbers stands in the source file, by key, for findings.
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)


# The 其中 rows of 项目资金 in the 自评表, by key, in the order they print.
FUND_SOURCES = {"fiscal": "本年财政拨款", "carryover": "上年结转资金", "other": "其他资金"}


@dataclass
class Execution:
    """What happened in the budget year: the money spent and the goals' 实际完成情况."""

    total: Funds  # 年度资金总额
    sources: dict[str, Funds] = field(default_factory=dict)  # keys of FUND_SOURCES
    results: list[str] = field(default_factory=list)  # 实际完成情况, one per paragraph
    deviation: str | None = None  # why 预算执行率 fell short (a scheme may ask for it)
    pos: Pos | None = field(default=None, compare=False, repr=False)


@dataclass
class Project:
    """One 项目支出绩效目标表."""

    name: str
    budget: Budget
    usage: str
    goals: list[str]
    indicators: list[Level1]
    execution: Execution | None = None  # present once the year is evaluated (自评)
    monitoring: list[Round] = field(default_factory=list)  # 绩效运行监控, one per round, in order
    file: str = field(default="", compare=False)  # path relative to the book folder
    pos: Pos | None = field(default=None, compare=False, repr=False)
    # Where each top-level key stands in the source file, for findings.
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)
    period: str | None = None  # 项目实施期, as printed (`2023.07-2024.01`)
    period_goals: list[str] = field(default_factory=list)  # 实施期绩效目标, beside `goals`
    recipients: list[str] = field(default_factory=list)  # the columns of the indicators' `values`
    # The rows in the order they were written, when `indicators` is a list (a 效益 row between
    # two 产出 rows): (一级, 二级, 三级) indexes into `indicators`, the 三级 None for a 二级 without
    # indicators. None: the grouped order of `indicators`.
    order: list[tuple[int, int, int | None]] | None = None

    @property
    def stem(self) -> str:
        """The file name without suffix, cut to STEM_BYTES bytes, never inside a bracket (for
        output names)."""
        return safe_stem(Path(self.file).stem)

    def initial(self, source: str = "") -> Decimal | None:
        """年初预算数 of the total (or of a fund source): as given, else the budget block's."""
        if self.execution is None:
            return None
        funds = self.execution.sources.get(source) if source else self.execution.total
        if funds is not None and funds.initial is not None:
            return funds.initial
        if not source:
            return self.budget.total
        return getattr(self.budget, source, None)

    def rows(self) -> Iterator[tuple[Level1, Level2, Indicator]]:
        """Every indicator row with its 一级 and 二级, in order."""
        for l1 in self.indicators:
            for l2 in l1.groups:
                for ind in l2.indicators:
                    yield l1, l2, ind

    def printed(self) -> Iterator[tuple[Level1, Level2, Indicator | None]]:
        """The rows as the table prints them: in the written order, a 二级 without indicators
        as one row without an indicator."""
        if self.order is not None:
            for a, b, c in self.order:
                l1 = self.indicators[a]
                l2 = l1.groups[b]
                yield l1, l2, None if c is None else l2.indicators[c]
            return
        for l1 in self.indicators:
            for l2 in l1.groups:
                if not l2.indicators:
                    yield l1, l2, None
                for ind in l2.indicators:
                    yield l1, l2, ind


@dataclass
class Task:
    """One 年度主要任务 of an agency's 整体 targets: what it is and what it costs.

    Its amounts are typed, or the sums of the project files it names (`projects`), or both
    (then they must agree: `overall-tasks`).
    """

    name: str
    content: str = ""
    total: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None
    projects: list[str] = field(default_factory=list)  # project files, as book.yaml lists them
    pos: Pos | None = field(default=None, compare=False, repr=False)
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Income:
    """One row of 收入构成: a source of the agency's money and its amount."""

    name: str
    amount: Decimal
    pos: Pos | None = field(default=None, compare=False, repr=False)


@dataclass
class OverallExecution:
    """An agency's year as spent: 基本支出 and 项目支出 (全年执行数) and the goals' 完成情况."""

    basic: Decimal
    projects: Decimal | None = None  # None: the sum of the project files' 全年执行数
    results: list[str] = field(default_factory=list)
    pos: Pos | None = field(default=None, compare=False, repr=False)
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Overall:
    """One agency's 部门（单位）整体支出绩效目标, and after the year its 自评 data.

    What the project files already hold is not typed again: 项目支出 is the sum of the
    agency's project budgets (typed, it must agree), 年度资金总额 is 基本支出 + 项目支出.
    """

    basic: Decimal  # 基本支出, 年初预算数
    goals: list[str]
    indicators: list[Level1]
    projects: Decimal | None = None  # 项目支出 as typed; None: the project files' sum
    functions: str = ""  # 部门职能概述
    income: list[Income] = field(default_factory=list)  # 收入构成
    tasks: list[Task] = field(default_factory=list)  # 年度主要任务
    execution: OverallExecution | None = None
    frame: str | None = None  # the indicator frame; None: the book's
    scoring: str | None = None  # the 自评 scheme; None: the frame's, else the book's
    file: str = field(default="", compare=False)  # path relative to the book folder
    pos: Pos | None = field(default=None, compare=False, repr=False)
    where: dict[str, Pos] = field(default_factory=dict, compare=False, repr=False)

    def rows(self) -> Iterator[tuple[Level1, Level2, Indicator]]:
        """Every indicator row with its 一级 and 二级, in order."""
        for l1 in self.indicators:
            for l2 in l1.groups:
                for ind in l2.indicators:
                    yield l1, l2, ind


@dataclass
class Agency:
    """A budget unit (单位) with its code, its projects in order and its 整体 targets."""

    code: str  # "" when the agency has none (county tables print the name alone)
    name: str
    projects: list[Project] = field(default_factory=list)
    department: str | None = None  # 主管部门, when not the book's
    contact: str | None = None  # 填表人, for a layout that prints it
    phone: str | None = None  # 联系电话 (text: a leading 0 and hyphens kept)
    overall: Overall | None = None
    overall_file: str = ""  # book.yaml's `overall:`, "" when the agency has none
    overall_pos: Pos | None = field(default=None, compare=False, repr=False)


@dataclass
class Book:
    """One submission document: every agency's tables in order."""

    key: str  # the book's folder name, used for output names
    title: str
    year: int
    money_unit: str = "万元"
    frame: str = "classic"
    merge: str = "level1"
    department: str | None = None
    scoring: str | None = None  # the 自评 scoring scheme in scoring.yaml; None: the frame's
    # The book's own scheme (`scoring:` as a mapping): its rules over `scoring` (or the frame's),
    # as YAML data (every scalar a text), read by tablegen.model.schemes.own_scheme.
    scoring_rules: dict[str, Any] | None = None
    overall_layout: str | None = None  # the 整体 tables' layout as named; None: the first
    # The repository's layout file (templates/overall/layouts/) `overall_layout` names, as read;
    # None: a shipped one. Its content, not its name, is in the cache key (repr).
    overall_own: OverallLayout | None = field(default=None, compare=False)
    pace: str | None = None  # the 监控 pace warnings' scheme in pace.yaml; None: no warnings
    agencies: list[Agency] = field(default_factory=list)
    root: Path | None = field(default=None, compare=False, repr=False)
    layout: Layout | None = None  # None: the default layout (layouts.DEFAULT_LAYOUT)
    decimals: int = DECIMALS  # places every amount of the book has
    frames: dict[str, Frame] = field(default_factory=dict)  # frames the book declares itself

    def numbered(self) -> Iterator[tuple[int, Agency, Project]]:
        """Every project with its table number (1, 2, … across agencies)."""
        n = 0
        for agency in self.agencies:
            for project in agency.projects:
                n += 1
                yield n, agency, project

    @property
    def projects(self) -> list[Project]:
        return [p for _, _, p in self.numbered()]

    @property
    def evaluated(self) -> bool:
        """Whether any project carries execution data (the book has a 自评表)."""
        return any(p.execution is not None for p in self.projects)

    @property
    def overall_form(self) -> OverallLayout:
        """The layout of the 整体 tables: the repository's, the shipped one named, or the default."""
        return chosen(self.overall_layout, self.overall_own)

    @property
    def overall(self) -> list[Agency]:
        """The agencies with 整体 targets (an `overall:` file), in book order."""
        return [a for a in self.agencies if a.overall is not None]

    @property
    def monitored(self) -> bool:
        """Whether any project carries monitoring data (the book has a 监控表)."""
        return any(p.monitoring for p in self.projects)

    @property
    def author(self) -> str:
        """The department the document is published by."""
        if self.department:
            return self.department
        return self.agencies[0].name if self.agencies else ""

    @property
    def timestamp(self) -> datetime:
        """The fixed date stamped into document metadata: 1 January of the budget year."""
        return datetime(self.year, 1, 1, tzinfo=UTC)

    def heading(self, number: int, project: Project) -> str:
        """The numbered table heading, e.g. `1.2024年局机关信息化运维绩效目标表`."""
        return f"{number}.{project.name}绩效目标表"


def format_amount(amount: Decimal | None, places: int | None = None,
                  thousands: bool = False) -> str:
    """An amount as printed, blank when absent: with `places` decimals (two by default), or as
    many as it has where that is more (never rounded); with thousands separators when asked
    (`3,309,840.00`)."""
    if amount is None:
        return ""
    exponent = amount.as_tuple().exponent
    own = -exponent if isinstance(exponent, int) else 0
    return f"{amount:{',' if thousands else ''}.{max(DECIMALS if places is None else places, own)}f}"


def normalize_value(value: str) -> str:
    """ASCII `>=`/`<=` typed for convenience print as `≥`/`≤`."""
    return value.replace(">=", "≥").replace("<=", "≤")
