"""Indicator suggestions: every indicator the agency has used, and the shipped common ones.

The index lists each 三级 indicator by its 一级 and 二级 with what the agency wrote for it: its
values (most used first), its usual sign and unit, the projects and years it served. It feeds
the JSON Schema's completions (`tablegen schema`), `tablegen serve`'s 指标库 page, and
`tablegen new`, which starts a project from the nearest one of an earlier year.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..load.books import load_paths
from ..model.frames import frames
from ..model.schema import Example
from ..model.values import display_sign, parse
from .data import common_indicators
from .history import Version, gather
from .text import without_years

# 二级 names that are one group under two frames' names.
SAME_LEVEL2 = {"经济成本指标": "成本指标", "社会公众或服务对象满意度指标": "服务对象满意度指标"}
NEAREST_RATIO = 0.6  # how alike two names (without years) must be for `new` to start from one


def group_of(level2: str) -> str:
    return SAME_LEVEL2.get(level2, level2)


@dataclass
class Entry:
    """One 三级 indicator of the index."""

    level1: str
    level2: str
    name: str
    values: Counter[str] = field(default_factory=Counter)
    signs: Counter[str] = field(default_factory=Counter)
    units: Counter[str] = field(default_factory=Counter)
    projects: set[tuple[int, str]] = field(default_factory=set)  # (year, project name)
    description: str | None = None
    explanation: str = ""  # 指标解释 (common indicators, from their public source)
    kind: str = ""  # the common library's kind of project; "" for the agency's own

    @property
    def own(self) -> bool:
        return not self.kind

    @property
    def sign(self) -> str:
        """The usual sign as the budget system's 计算符号 shows it (`≥`, `＝`, `定性`)."""
        return self.signs.most_common(1)[0][0] if self.signs else ""

    @property
    def unit(self) -> str:
        return self.units.most_common(1)[0][0] if self.units else ""

    @property
    def years(self) -> list[int]:
        return sorted({y for y, _ in self.projects})

    def top_values(self, n: int = 5) -> list[str]:
        return [v for v, _ in sorted(self.values.items(), key=lambda x: (-x[1], x[0]))[:n]]

    def summary(self) -> str:
        """One line for an editor's completion or a page: who used it, how, what it means."""
        if not self.own:
            head = f"共性指标（{self.kind}）"
            return f"{head}：{self.explanation}" if self.explanation else head
        years = "、".join(str(y) for y in self.years)
        values = "、".join(self.top_values(3))
        return (f"本单位 {years} 年的 {len(self.projects)} 个项目用过；常用值 {values}"
                + (f"；符号 {self.sign}" if self.sign else "") + (f"；单位 {self.unit}" if self.unit else ""))


@dataclass
class Index:
    """Every indicator by (一级, 二级 group, name), the agency's own and the common ones."""

    entries: dict[tuple[str, str, str], Entry] = field(default_factory=dict)

    def for_level2(self, level2: str) -> list[Entry]:
        """The indicators of a 二级 (and of the same group under another frame's name): the
        agency's own first, most used first, then the common ones in library order."""
        group = group_of(level2)
        found = [e for e in self.entries.values() if group_of(e.level2) == group]
        own = sorted((e for e in found if e.own), key=lambda e: (-len(e.projects), e.name))
        return own + [e for e in found if not e.own]

    @property
    def level2s(self) -> list[tuple[str, str]]:
        """(一级, 二级) pairs in frame order, then any others the agency used."""
        out = [(l1, l2) for f in frames().values() for l1, l2s in f.levels.items() for l2 in l2s]
        out = list(dict.fromkeys(out))
        extra = sorted({(e.level1, e.level2) for e in self.entries.values()} - set(out))
        return out + extra


def build_index(versions: Iterable[Version], *, common: bool = True) -> Index:
    """The index of these versions' indicators, and of the common library."""
    index = Index()
    seen: set[tuple[str, str, int, str, str]] = set()  # one count per project and year
    for v in versions:
        for l1, l2, ind in v.project.rows():
            name = ind.name.strip()
            key = (l1.name, group_of(l2.name), name)
            entry = index.entries.setdefault(key, Entry(l1.name, l2.name, name))
            use = (*key[1:], v.year, without_years(v.project.name), ind.value)
            if use in seen:
                continue
            seen.add(use)
            entry.projects.add((v.year, v.project.name))
            entry.values[ind.value] += 1
            value = parse(ind.value)
            entry.signs["定性" if not value.quantitative else display_sign(value)] += 1
            if value.unit:
                entry.units[value.unit] += 1
            if ind.description and entry.description is None:
                entry.description = ind.description
    if common:
        for c in common_indicators():
            key = (c.level1, group_of(c.level2), c.name)
            if key in index.entries:
                index.entries[key].explanation = index.entries[key].explanation or c.explanation
                continue
            value = parse(c.value)
            index.entries[key] = Entry(
                c.level1, c.level2, c.name, Counter({c.value: 1}),
                Counter({"定性" if not value.quantitative else display_sign(value): 1}),
                Counter({value.unit: 1} if value.unit else {}), set(), None, c.explanation, c.kind)
    return index


def nearest(versions: Iterable[Version], name: str, year: int) -> Version | None:
    """The project of an earlier year whose name (years left out) is nearest to `name`: the
    latest year first, then the newest version; None when none is alike enough."""
    target = without_years(name)
    best: tuple[float, int, int] | None = None
    found = None
    for v in versions:
        if v.year >= year:
            continue
        ratio = difflib.SequenceMatcher(None, target, without_years(v.project.name)).ratio()
        if ratio < NEAREST_RATIO:
            continue
        rank = (ratio, v.year, -v.age)
        if best is None or rank > best:
            best, found = rank, v
    return found


def repository_index(paths: list[Path], *, history: bool = True) -> Index:
    """The index of every indicator the books under the paths (those that exist), the books
    beside them and git history hold, with the common library. A book with errors still gives
    what reads: this is a suggestion, not a check."""
    books = load_paths([p for p in paths if p.exists()]).books if paths else []
    return build_index(gather(books, history=history).versions)


def schema_examples(index: Index) -> dict[str, list[Example]]:
    """The index as the JSON Schema offers it, by 二级 name."""
    out: dict[str, list[Example]] = {}
    for _, l2 in index.level2s:
        if l2 not in out:
            out[l2] = [Example(e.name, tuple(e.top_values()), e.summary(), e.description)
                       for e in index.for_level2(l2)]
    return out
