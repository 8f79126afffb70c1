"""The 项目支出绩效自评表 as typed cells, shared by every renderer of the 自评 document.

Like layout.py for the target tables: a renderer maps these onto its format and never
computes a score itself, so the HTML, PDF and XLSX 自评表 agree cell for cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .layout import Span, book_path, grid
from .model import FUND_SOURCES, Agency, Book, Funds, Project, format_amount
from .scoring import ProjectScore, percent, scheme_of, score_project

# The document's name, used in titles and output file names (`<book>-自评.pdf`).
INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                    "偏差原因分析及改进措施")
FUNDS_HEADER = ("项目资金（{unit}）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
                "得分")


@dataclass(frozen=True)
class FundRow:
    """One row of 项目资金: 年度资金总额 or one of its 其中 rows."""

    label: str
    initial: str
    adjusted: str
    spent: str
    weight: str
    rate: str
    score: str

    def texts(self) -> list[str]:
        return [self.label, self.initial, self.adjusted, self.spent, self.weight, self.rate,
                self.score]


@dataclass(frozen=True)
class EvalRow:
    """One indicator row of the 自评表."""

    level1: Span
    level2: Span
    name: str
    value: str
    actual: str
    weight: str
    score: str
    deviation: str

    def texts(self) -> list[str]:
        return [self.level1.text if self.level1.starts else "",
                self.level2.text if self.level2.starts else "",
                self.name, self.value, self.actual, self.weight, self.score, self.deviation]


@dataclass(frozen=True)
class SelfEval:
    """One project's 自评表, every cell as printed."""

    number: int
    heading: str
    name: str
    department: str  # 主管部门
    agency: str  # 实施单位
    unit: str  # 单位：万元
    funds: list[FundRow]
    goals: list[str]
    results: list[str]
    rows: list[EvalRow]
    full: str  # the sum of every 分值 (100.00 with the common scheme)
    total: str  # 总分
    grade: str  # 自评等级
    score: ProjectScore


def _amount(value: Decimal | None) -> str:
    return format_amount(value)


def _fund_rows(book: Book, project: Project, score: ProjectScore) -> list[FundRow]:
    execution = project.execution
    assert execution is not None
    places = scheme_of(book).places
    total = execution.total
    rows = [FundRow("年度资金总额", _amount(project.initial()), _amount(total.adjusted),
                    _amount(total.spent), f"{score.budget.weight:.{places}f}",
                    percent(score.budget.rate, places), f"{score.budget.score}")]
    for key, label in FUND_SOURCES.items():
        funds: Funds | None = execution.sources.get(key)
        rows.append(FundRow(
            ("其中：" if key == "fiscal" else "") + label, _amount(project.initial(key)),
            _amount(funds.adjusted) if funds else "", _amount(funds.spent) if funds else "",
            "—", percent(funds.spent / funds.adjusted, places) if funds and funds.adjusted else "",
            "—"))
    return rows


def selfeval(book: Book, number: int, agency: Agency, project: Project) -> SelfEval | None:
    """One project's 自评表, None when the project has no execution data."""
    score = score_project(project, book)
    if score is None or project.execution is None:
        return None
    places = scheme_of(book).places
    rows = []
    for g, r in zip(grid(project, book.merge), score.rows, strict=True):
        ind = r.indicator
        rows.append(EvalRow(g.level1, g.level2, ind.name, ind.value, ind.actual or "",
                            f"{r.weight:.{places}f}", f"{r.score}", ind.deviation or ""))
    full = sum((r.weight for r in score.rows), score.budget.weight)
    return SelfEval(
        number=number, heading=f"{number}.{project.name}绩效自评表", name=project.name,
        department=book.author, agency=agency.name, unit=f"单位：{book.money_unit}",
        funds=_fund_rows(book, project, score),
        goals=[f"{i}.{g}" if len(project.goals) > 1 else g
               for i, g in enumerate(project.goals, 1)],
        results=[f"{i}.{g}" if len(project.execution.results) > 1 else g
                 for i, g in enumerate(project.execution.results, 1)],
        rows=rows, full=f"{full:.{places}f}", total=f"{score.total}", grade=score.grade,
        score=score,
    )


def selfevals(book: Book) -> list[SelfEval]:
    """Every evaluated project's 自评表, numbered 1, 2, … in book order."""
    out: list[SelfEval] = []
    for _, agency, project in book.numbered():
        table = selfeval(book, len(out) + 1, agency, project)
        if table is not None:
            out.append(table)
    return out


def title(book: Book) -> str:
    """The 自评 document's title: the book's, with 目标表 turned into 自评表."""
    if "绩效目标表" in book.title:
        return book.title.replace("绩效目标表", "绩效自评表")
    return f"{book.title}（绩效自评）"


def table_rows(table: SelfEval, money_unit: str) -> list[list[str]]:
    """Every cell of one 自评表 as text rows (for dumps and tests), in print order."""
    out = [["项目名称", table.name], ["主管部门", table.department, "实施单位", table.agency],
           [FUNDS_HEADER[0].format(unit=money_unit), *FUNDS_HEADER[1:]]]
    out += [f.texts() for f in table.funds]
    out.append(["年度总体目标", "预期目标", "实际完成情况"])
    out.append(["", "\n".join(table.goals), "\n".join(table.results)])
    out.append(list(INDICATOR_HEADER))
    out += [r.texts() for r in table.rows]
    out.append(["总分", table.full, table.total, f"自评等级：{table.grade}"])
    return out


def file_name(book: Book, ext: str) -> str:
    """`<book>/<the 自评 document's title>.<ext>`: never the target tables' file name (the
    titles differ)."""
    return book_path(book, ext, title(book))
