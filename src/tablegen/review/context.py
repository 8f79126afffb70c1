"""What every review rule gets: one project with its book, its source and last year's versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import Pos
from ..model.book import Book, Indicator, Level1, Level2, Project
from ..model.frames import COST_LEVEL2
from ..model.values import MONEY_SCALE
from .data import Settings
from .history import Version
from .source import Source


@dataclass(frozen=True)
class Row:
    """An indicator row with its 一级, 二级 and key path (`indicators.产出指标.数量指标[2]`)."""

    level1: Level1
    level2: Level2
    indicator: Indicator
    path: str

    @property
    def where(self) -> str:
        """The row as a reviewer names it: `产出指标 / 数量指标 / 等保测评系统数`."""
        return f"{self.level1.name} / {self.level2.name} / {self.indicator.name}"

    @property
    def cost(self) -> bool:
        return self.level2.name in COST_LEVEL2 or self.level1.name == "成本指标"

    @property
    def satisfaction(self) -> bool:
        return "满意度" in self.level1.name or "满意度" in self.level2.name


@dataclass
class Subject:
    """One project under review; its file's source is read when a rule first asks for it."""

    book: Book
    project: Project
    shown: str  # the project file as messages name it
    read: Callable[[], Source]
    settings: Settings
    previous: list[Version] = field(default_factory=list)  # last year's, newest first
    # Two-character words in more than half of the book's projects (`知识产权` at an IP bureau):
    # they tie nothing to anything.
    domain: frozenset[str] = frozenset()
    _rows: list[Row] | None = field(default=None, repr=False)
    _source: Source | None = field(default=None, repr=False)

    @property
    def source(self) -> Source:
        if self._source is None:
            self._source = self.read()
        return self._source

    def rows(self) -> list[Row]:
        """Every indicator row, in order (made once: every rule walks them)."""
        if self._rows is None:
            self._rows = [Row(l1, l2, ind, f"indicators.{l1.name}.{l2.name}[{i}]")
                          for l1 in self.project.indicators for l2 in l1.groups
                          for i, ind in enumerate(l2.indicators, 1)]
        return self._rows

    def at(self, path: str) -> Pos:
        return self.source.at(path, self.project.pos or Pos(self.shown))

    def key_at(self, path: str) -> Pos:
        return self.source.key_at(path, self.project.pos or Pos(self.shown))

    @property
    def indicators_at(self) -> Pos:
        return self.key_at("indicators")

    @property
    def budget_yuan(self) -> Decimal:
        """预算数 in 元."""
        return self.project.budget.total * MONEY_SCALE.get(self.book.money_unit, Decimal(10000))


def short(text: str, limit: int = 40) -> str:
    """A text shortened for a message: `通过支撑知识产权保护工作站…`."""
    return text if len(text) <= limit else text[:limit] + "…"
