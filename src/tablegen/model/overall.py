"""An agency's 整体 numbers: what is derived from its project files, and the 整体 as the 自评
scoring reads it.

项目支出 is the sum of the agency's project budgets (its 全年执行数 the sum of their
全年执行数, once every project has one); 年度资金总额 is 基本支出 + 项目支出; a task's amounts
are the sums of the projects it names. What is typed as well is checked against these
(load/validate.py), never silently replaced. Scores come from the 自评 machinery itself
(`scoring.score_project`): the 整体 is scored as a project whose budget is the agency's
年初预算数 and whose execution rate is 全年执行数 / 年初预算数.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext

from .book import Agency, Book, Budget, Execution, Funds, Overall, Project, Task
from .scoring import ProjectScore, scheme_for_frame, score_project

# Sums are exact whatever their length; a ratio (a share, a rate) keeps 28 digits, any exponent.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
RATIO = Context(prec=28, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _sum(values: list[Decimal]) -> Decimal:
    with localcontext(EXACT):
        return sum(values, Decimal(0))


def project_budget(agency: Agency) -> Decimal:
    """项目支出 as the project files have it: the sum of their 预算数."""
    return _sum([p.budget.total for p in agency.projects])


def project_spent(agency: Agency) -> Decimal | None:
    """项目支出's 全年执行数 as the project files have it, None until every one has its own."""
    if not agency.projects or any(p.execution is None for p in agency.projects):
        return None
    return _sum([p.execution.total.spent for p in agency.projects if p.execution is not None])


@dataclass(frozen=True)
class Amounts:
    """An agency's 整体 money: 年初预算数 and (after the year) 全年执行数 of each part."""

    basic: Decimal
    projects: Decimal
    basic_spent: Decimal | None
    projects_spent: Decimal | None

    @property
    def total(self) -> Decimal:
        """年度资金总额: 基本支出 + 项目支出."""
        return _sum([self.basic, self.projects])

    @property
    def total_spent(self) -> Decimal | None:
        if self.basic_spent is None or self.projects_spent is None:
            return None
        return _sum([self.basic_spent, self.projects_spent])


def amounts(agency: Agency, overall: Overall) -> Amounts:
    """The agency's amounts: 项目支出 from its project files (typed where they cannot say)."""
    spent = overall.execution
    projects_spent = project_spent(agency)
    if spent is not None and projects_spent is None:
        projects_spent = spent.projects
    return Amounts(overall.basic, project_budget(agency), spent.basic if spent else None,
                   projects_spent if spent else None)


def task_amounts(task: Task, agency: Agency
                 ) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """A task's 总额, 财政拨款 and 其他资金: the sums of the projects it names, else as typed."""
    if not task.projects:
        return task.total, task.fiscal, task.other
    by_file = {p.file: p for p in agency.projects}
    budgets = [by_file[f].budget for f in task.projects if f in by_file]

    def part(values: list[Decimal | None]) -> Decimal | None:
        present = [v for v in values if v is not None]
        return _sum(present) if present else None

    return (_sum([b.total for b in budgets]), part([b.fiscal for b in budgets]),
            part([b.other for b in budgets]))


def scoring_book(book: Book, overall: Overall) -> Book:
    """The book as the 整体's scheme is chosen from: the file's `scoring`, else its frame's
    scheme when it names a frame of its own, else the book's."""
    if overall.scoring:
        return replace(book, scoring=overall.scoring)
    if overall.frame:
        return replace(book, frame=overall.frame, scoring=scheme_for_frame(overall.frame))
    return book


def as_project(agency: Agency, overall: Overall) -> Project:
    """The 整体 as the 自评 machinery reads a project: budget 年初预算数, executed 全年执行数."""
    money = amounts(agency, overall)
    execution = None
    if overall.execution is not None and money.total_spent is not None:
        funds = Funds(money.total, money.total, money.total_spent, pos=overall.execution.pos,
                      where=overall.execution.where)
        execution = Execution(funds, results=overall.execution.results,
                              pos=overall.execution.pos)
    return Project(name=agency.name, budget=Budget(money.total), usage="", goals=overall.goals,
                   indicators=overall.indicators, execution=execution, file=overall.file,
                   pos=overall.pos, where=overall.where)


def score_overall(agency: Agency, book: Book) -> ProjectScore | None:
    """The 整体 自评 scores (None before the year, or without the 全年执行数 of 项目支出)."""
    if agency.overall is None:
        return None
    return score_project(as_project(agency, agency.overall), scoring_book(book, agency.overall))
