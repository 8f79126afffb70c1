"""The 项目支出绩效自评表: one table per evaluated project, after the budget year.

Its typed view-model (`SelfEval`, with `FundRow` and `EvalRow`) is built once from the book and
the scores (`tablegen.model.scoring`); the templates are `templates/selfeval/`
(`selfeval.html.j2`, `selfeval.css`, `selfeval.docx`). Engines never compute a score: the
HTML, PDF, DOCX and XLSX 自评表 agree cell for cell. The labels are the scoring scheme's form
(`scoring.yaml`): the A/B column marks, the points in each 一级 cell (`产出指标（50分）`), the 注
under the table that states the scheme's 分值, and a 自评等级 on the 总分 row only where the
form prints one (the overview always shows the grade).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ..document import (
    Cell,
    Document,
    Group,
    Page,
    Sheet,
    SheetGrid,
    Span,
    file_path,
    indicator_spans,
    retitled,
)
from ..model.book import FUND_SOURCES, Agency, Book, Funds, Project
from ..model.schemes import Scheme
from ..model.scoring import ProjectScore, RowScore, percent, score_project
from ..model.values import plain_number

NAME = "selfeval"
FUNDS_LABEL = "项目资金（{unit}）"
# The sheet's columns A–H in Excel's character units.
SHEET_WIDTHS = [11.0, 14, 20, 14, 16, 8, 9, 30]


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
class Labels:
    """The 自评表's fixed texts as the scheme's form prints them."""

    funds: tuple[str, ...]  # 项目资金（万元）, then the six column heads
    goals: tuple[str, str, str]  # 年度总体目标 | 预期目标 | 实际完成情况
    grid: tuple[str, ...]  # the eight column heads of the indicators
    total: str  # 总分


@dataclass(frozen=True)
class SelfEval:
    """One project's 自评表, every cell as printed."""

    number: int
    heading: str
    name: str
    department: str  # 主管部门
    agency: str  # 实施单位
    unit: str  # 单位：万元
    money: str  # 万元
    funds: tuple[FundRow, ...]
    goals: tuple[str, ...]
    results: tuple[str, ...]
    rows: tuple[EvalRow, ...]
    full: str  # the sum of every 分值 (100.00 with the common scheme)
    total: str  # 总分
    grade: str  # 自评等级 (the overview's; the table prints it when the form says: grade_text)
    score: ProjectScore
    labels: Labels
    grade_text: str  # `自评等级：优` on the 总分 row, or "" (the official forms print none)
    note: tuple[str, ...]  # the 注 under the table, line by line
    places: int = 2

    @property
    def anchor(self) -> str:
        return f"e{self.number}"

    @property
    def bookmark(self) -> str:
        """A hidden bookmark per 自评表 (its own document: no clash with the target tables')."""
        return f"_Toc9{self.number:08d}"

    def with_rows(self, rows: list[Any]) -> SelfEval:
        return replace(self, rows=tuple(rows))


def amount_text(amount: Decimal | None) -> str:
    """An amount as printed: two decimals, or every decimal the accounts gave (89.974)."""
    if amount is None:
        return ""
    exponent = amount.as_tuple().exponent
    return format(amount, "f") if isinstance(exponent, int) and exponent < -2 else f"{amount:.2f}"


def _rate_places(scheme: Scheme) -> int:
    return scheme.places if scheme.rate_places is None else scheme.rate_places


def _fund_rows(book: Book, project: Project, score: ProjectScore) -> list[FundRow]:
    execution = project.execution
    assert execution is not None
    scheme = score.scheme
    places = scheme.places
    labels = scheme.form.rows
    total = execution.total
    rows = [FundRow(labels["total"], amount_text(project.initial()), amount_text(total.adjusted),
                    amount_text(total.spent), f"{score.budget.weight:.{places}f}",
                    percent(score.budget.rate, _rate_places(scheme)), f"{score.budget.score}")]
    for key in FUND_SOURCES:
        funds: Funds | None = execution.sources.get(key)
        rows.append(FundRow(
            labels[key], amount_text(project.initial(key)),
            amount_text(funds.adjusted) if funds else "",
            amount_text(funds.spent) if funds else "",
            "—", percent(funds.spent / funds.adjusted, places) if funds and funds.adjusted else "",
            "—"))
    return rows


def _deviation(r: RowScore) -> str:
    """The 偏差原因 cell: the author's text, and a changed score's reason where there is one."""
    ind = r.indicator
    computed = r.result.computed if r.result else None
    if computed is None or computed == r.score:
        return ind.deviation or ""
    changed = f"得分由计算的 {computed} 调整为 {r.score}：{ind.score_reason or ''}"
    return f"{ind.deviation}\n{changed}" if ind.deviation else changed


def _note(score: ProjectScore, project: Project) -> tuple[str, ...]:
    """The 注: the scheme's lines, a re-based 总分, the reason 执行率 fell short."""
    lines = score.scheme.note()
    if score.rebased:
        added, possible = score.rebased
        lines.append(f"缺少{'、'.join(score.missing)}，总分按适用指标折算：{added} ÷ "
                     f"{plain_number(possible)} × {plain_number(score.scheme.full)} = {score.total}。")
    if project.execution is not None and project.execution.deviation:
        lines.append(f"预算执行偏差原因：{project.execution.deviation}")
    if len(lines) == 1:
        return (f"注：{lines[0]}",)
    return tuple(("注：" if i == 1 else "") + f"{i}.{line}" for i, line in enumerate(lines, 1))


def selfeval(book: Book, number: int, agency: Agency, project: Project) -> SelfEval | None:
    """One project's 自评表, None when the project has no execution data."""
    score = score_project(project, book)
    if score is None or project.execution is None:
        return None
    scheme = score.scheme
    places = scheme.places
    form = scheme.form
    labels = {name: scheme.level_label(name, points) for name, points in score.points.items()}
    rows = []
    for (s1, s2), r in zip(indicator_spans(project.indicators, book.merge, labels), score.rows, strict=True):
        ind = r.indicator
        rows.append(EvalRow(s1, s2, ind.name, ind.value, ind.actual or "",
                            f"{r.weight:.{places}f}", f"{r.score}", _deviation(r)))
    full = sum((r.weight for r in score.rows), score.budget.weight)
    return SelfEval(
        number=number, heading=f"{number}.{project.name}绩效自评表", name=project.name,
        department=book.author, agency=agency.name, unit=f"单位：{book.money_unit}",
        money=book.money_unit, funds=tuple(_fund_rows(book, project, score)),
        goals=tuple(f"{i}.{g}" if len(project.goals) > 1 else g
                    for i, g in enumerate(project.goals, 1)),
        results=tuple(f"{i}.{g}" if len(project.execution.results) > 1 else g
                      for i, g in enumerate(project.execution.results, 1)),
        rows=tuple(rows), full=f"{full:.{places}f}", total=f"{score.total}", grade=score.grade,
        score=score, places=places,
        labels=Labels((FUNDS_LABEL.format(unit=book.money_unit), *form.funds), form.goals,
                      form.grid, form.total),
        grade_text=f"自评等级：{score.grade}" if form.grade else "",
        note=_note(score, project),
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
    return retitled(book.title, "绩效目标表", "绩效自评表", "绩效自评")


def table_rows(table: SelfEval) -> list[list[str]]:
    """Every cell of one 自评表 as text rows (for dumps and tests), in print order."""
    labels = table.labels
    out = [["项目名称", table.name], ["主管部门", table.department, "实施单位", table.agency],
           list(labels.funds)]
    out += [f.texts() for f in table.funds]
    out.append(list(labels.goals))
    out.append(["", "\n".join(table.goals), "\n".join(table.results)])
    out.append(list(labels.grid))
    out += [r.texts() for r in table.rows]
    out.append([labels.total, table.full, table.total, *([table.grade_text] if table.grade_text
                                                        else [])])
    out += [[line] for line in table.note]
    return out


def file_name(book: Book, ext: str) -> str:
    """`<book>/<the 自评 document's title>.<ext>`: never the target tables' file name (the
    titles differ)."""
    return file_path(book.key, title(book), ext)


# -- the sheet --------------------------------------------------------------------------------

_PERCENT_OR_NUMBER = re.compile(r"-?\d+(\.\d+)?%?")


def _figure(row: int, column: int, text: str, places: int, style: str = "body") -> Cell:
    """An amount, 分值 or 得分 as a number shown with the decimals it prints with (`places`
    at least), 执行率 as a percentage (`95.50%` is 0.955 shown `0.00%`), as every other format
    prints it; `—` and blanks stay text."""
    if not _PERCENT_OR_NUMBER.fullmatch(text):
        return Cell(row, (column, column), text, style=style)
    written = len(text.rstrip("%").partition(".")[2])
    places = written if written > places or text.endswith("%") else places
    digits = "0." + "0" * places if places else "0"
    if text.endswith("%"):
        return Cell(row, (column, column), Decimal(text[:-1]).scaleb(-2), style=style,
                    number_format=digits + "%")
    return Cell(row, (column, column), Decimal(text), style=style, number_format=digits)


def _span_px(first: int, last: int) -> float:
    return sum(w * 7 + 5 for w in SHEET_WIDTHS[first - 1:last])


def _place_row(places: int) -> Any:
    def place(r: int, row: EvalRow) -> list[Cell]:
        cells = []
        if row.level1.starts:
            cells.append(Cell(r, (1, 1), row.level1.label, rows=row.level1.rows))
        if row.level2.starts:
            cells.append(Cell(r, (2, 2), row.level2.label, rows=row.level2.rows))
        cells += [Cell(r, (3, 3), row.name), Cell(r, (4, 4), row.value),
                  Cell(r, (5, 5), row.actual), _figure(r, 6, row.weight, places),
                  _figure(r, 7, row.score, places), Cell(r, (8, 8), row.deviation, align="left")]
        return cells
    return place


def selfeval_sheet(t: SelfEval) -> Sheet:
    """One 自评表: merged cells, borders, widths, A4 landscape print setup; figures as numbers."""
    p = t.places
    cells = [
        Cell(1, (1, 8), t.heading, style="title", size=14.0),
        Cell(2, (8, 8), t.unit, align="right"),
        Cell(3, (1, 1), "项目名称", style="label"), Cell(3, (2, 8), t.name),
        Cell(4, (1, 1), "主管部门", style="label"), Cell(4, (2, 4), t.department),
        Cell(4, (5, 5), "实施单位", style="label"), Cell(4, (6, 8), t.agency),
    ]
    last_fund = 5 + len(t.funds)
    labels = t.labels
    cells.append(Cell(5, (1, 1), labels.funds[0], rows=len(t.funds) + 1, style="label"))
    cells += [Cell(5, (c, c), text, style="label") for c, text in enumerate(labels.funds[1:], 3)]
    for r, fund in enumerate(t.funds, 6):
        cells.append(Cell(r, (2, 2), fund.label, style="label"))
        cells += [_figure(r, c, text, p) for c, text in enumerate(fund.texts()[1:], 3)]
    g = last_fund + 1
    cells += [
        Cell(g, (1, 1), labels.goals[0], rows=2, style="label"),
        Cell(g, (2, 4), labels.goals[1], style="label"),
        Cell(g, (5, 8), labels.goals[2], style="label"),
        Cell(g + 1, (2, 4), "\n".join(t.goals), align="left"),
        Cell(g + 1, (5, 8), "\n".join(t.results), align="left"),
    ]
    head = g + 2
    cells += [Cell(head, (c, c), text, style="label")
              for c, text in enumerate(labels.grid, 1)]
    total = head + len(t.rows) + 1
    cells += [Cell(total, (1, 5), labels.total, style="label"),
              _figure(total, 6, t.full, p, "label"), _figure(total, 7, t.total, p, "label"),
              Cell(total, (8, 8), t.grade_text, style="label")]
    # The 注 under the table, outside its borders, as the forms print it.
    cells += [Cell(total + i, (1, 8), line, align="left") for i, line in enumerate(t.note, 1)]
    name = (f"{t.number:02d}-" + re.sub(r"[\[\]:*?/\\]", "_", t.name))[:31]
    return Sheet(title=name, widths=list(SHEET_WIDTHS), cells=cells, boxes=[(3, total)],
                 grid=SheetGrid(first=head + 1, header=head, rows=t.rows, place=_place_row(p)),
                 print_titles=f"{head}:{head}", orientation="landscape", span_px=_span_px)


class SelfevalDocument(Document):
    """A book's 自评表: cover, 目录 with each table's 总分, one 自评表 per evaluated project."""

    def __init__(self, book: Book):
        super().__init__(
            kind=NAME, template="selfeval", key=book.key, title=title(book),
            subtitle=f"{book.year}年 · 单位：{book.money_unit}", author=book.author,
            timestamp=book.timestamp, groups=[Group("", list(selfevals(book)))],
            files={fmt: file_name(book, fmt) for fmt in ("html", "pdf", "docx", "xlsx")},
            page=Page("A4 landscape", "20mm 18mm 20mm 18mm", "12pt"), toc_groups=False,
            label=f"{book.key} 自评表")
        self.unit = book.money_unit

    def sheet(self, t: Any) -> Sheet:
        return selfeval_sheet(t)



def overview(book: Book) -> dict[str, Any]:
    """The overview's part: each evaluated project's 总分 and 自评等级."""
    return {"evaluations": [{"heading": t.heading, "total": t.total, "grade": t.grade}
                            for t in selfevals(book)]}


def links(book: Book, formats: list[str]) -> list[dict[str, str]]:
    """The overview's links to the 自评表 files of a book with execution data."""
    if not applies(book):
        return []
    return [{"href": file_name(book, fmt), "label": f"自评 {fmt.upper()}"}
            for fmt in ("docx", "html", "pdf", "xlsx") if fmt in formats]


def applies(book: Book) -> bool:
    """A book with execution data has its 自评表."""
    return book.evaluated


def document(book: Book) -> SelfevalDocument:
    return SelfevalDocument(book)
