"""相关性: each goal measured by at least one indicator."""

from __future__ import annotations

from .. import rules
from ..errors import Report
from .context import Subject, short
from .text import clauses, terms


def check(s: Subject, report: Report) -> None:
    goal_unmatched(s, report)


def goal_unmatched(s: Subject, report: Report) -> None:
    generic = s.settings.shipped.generic | s.domain
    measured: set[str] = set()
    for r in s.rows():
        ind = r.indicator
        measured |= terms(f"{ind.name} {ind.description or ''} {ind.value}", generic)
    for i, goal in enumerate(s.project.goals, 1):
        unmatched = [c for c in clauses(goal) if (words := terms(c, generic)) and not words & measured]
        if unmatched:
            shown = "”“".join(short(c, 30) for c in unmatched)
            report.add(s.at(f"goals[{i}]"), rules.GOAL_UNMATCHED,
                       f"绩效目标第 {i} 条中的“{shown}”没有对应的三级指标：审核人会说目标与指标不对应，"
                       "请为它设置指标（产出的数量、质量或效果），或改写目标")
