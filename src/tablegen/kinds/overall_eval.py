"""The 部门整体支出绩效自评表: one table per agency whose 整体 file has execution data.

Its own document after the year, before the project 自评表 in KINDS (as 决算 publications
place it). The money is the agency's: 年初预算数 (A) and 全年执行数 (B) of 基本支出 and
项目支出 (the latter from the project files, `model.overall`), 年度资金总额 their sum; the
scores come from the 自评 machinery (`model.overall.score_overall`, which scores the 整体 as
`scoring.score_project` scores a project: 执行率 B/A × the scheme's 预算执行 分值, at most the
分值). The labels are the book's 整体 layout's `evaluation` (`model/overall_layouts.yaml`'s, or a
repository layout's); the templates `templates/overall_eval/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
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
    level1_groups,
    numbered,
    retitled,
    title_lines,
)
from ..model.book import Agency, Book, format_amount
from ..model.overall import amounts, score_overall, scoring_book
from ..model.overall_layouts import fill
from ..model.scoring import scheme_of

NAME = "overall_eval"
FORMATS = ("html", "pdf", "docx", "xlsx")
# The sheet's columns A–I in Excel's character units: label, 一级, 二级, 三级, 指标值 (A),
# 实际值 (B), 分值, 得分, 偏差原因 (the fund rows use B–D for 资金来源, I for 得分计算方法).
SHEET_WIDTHS = [15.0, 11, 13, 20, 14, 16, 8, 8, 28]
KEEP_ROWS = 8


@dataclass(frozen=True)
class FundLine:
    """One row of 部门（单位）总体资金: 年度资金总额, 基本支出 or 项目支出."""

    label: str
    initial: str  # 年初预算数 (A)
    spent: str  # 全年执行数 (B)
    weight: str
    score: str
    method: str

    def texts(self) -> list[str]:
        return [self.label, self.initial, self.spent, self.weight, self.score, self.method]


@dataclass(frozen=True)
class EvalRow:
    """One indicator row of the 整体 自评表."""

    level1: Span
    level2: Span
    name: str
    value: str
    actual: str
    weight: str
    score: str
    deviation: str
    index: int = 0

    def texts(self) -> list[str]:
        return [self.level1.text if self.level1.starts else "",
                self.level2.text if self.level2.starts else "",
                self.name, self.value, self.actual, self.weight, self.score, self.deviation]


@dataclass(frozen=True)
class OverallEval:
    """One agency's 整体支出绩效自评表, every cell as printed."""

    number: int
    heading: str
    heading_lines: tuple[str, ...]
    agency: str
    labels: dict[str, str] = field(repr=False)
    funds: tuple[FundLine, ...]
    goals: tuple[str, ...]
    results: tuple[str, ...]
    rows: tuple[EvalRow, ...]
    full: str  # the sum of every 分值 (100.00 with a scheme of 100)
    total: str  # 总分
    grade: str  # 自评等级
    grade_text: str  # as printed: 自评等级：优
    bookmark: str
    places: int = 2
    keep: bool = True

    @property
    def anchor(self) -> str:
        return f"w{self.number}"

    @property
    def groups(self) -> list[list[EvalRow]]:
        """Rows cut where a 一级 span starts: each group is one <tbody> that pages keep whole."""
        return level1_groups(self.rows)

    def with_rows(self, rows: list[Any]) -> OverallEval:
        return replace(self, rows=tuple(rows))


def evaluation(book: Book, number: int, agency: Agency) -> OverallEval | None:
    """One agency's 整体 自评表, None before its execution data (or its 项目支出's 全年执行数)."""
    overall = agency.overall
    score = score_overall(agency, book)
    if overall is None or score is None:
        return None
    money = amounts(agency, overall)
    places = scheme_of(scoring_book(book, overall)).places
    labels = {k: fill(v, agency=agency.name, year=str(book.year), unit=book.money_unit,
                      grade=score.grade) for k, v in book.overall_form.evaluation.items()}
    funds = (
        FundLine(labels["total_funds"], format_amount(money.total),
                 format_amount(money.total_spent), f"{score.budget.weight:.{places}f}",
                 f"{score.budget.score}", labels["method_text"]),
        FundLine(labels["basic"], format_amount(money.basic), format_amount(money.basic_spent),
                 "", "", ""),
        FundLine(labels["projects"], format_amount(money.projects),
                 format_amount(money.projects_spent), "", "", ""),
    )
    rows: list[EvalRow] = []
    for (s1, s2), r in zip(indicator_spans(overall.indicators, book.merge), score.rows, strict=True):
        ind = r.indicator
        rows.append(EvalRow(s1, s2, ind.name, ind.value, ind.actual or "",
                            f"{r.weight:.{places}f}", f"{r.score}", ind.deviation or "",
                            len(rows) + 1))
    full = sum((r.weight for r in score.rows), score.budget.weight)
    heading = f"{number}.{labels['heading']}"
    execution = overall.execution
    assert execution is not None
    return OverallEval(
        number=number, heading=heading, heading_lines=(heading,), agency=agency.name,
        labels=labels, funds=funds, goals=numbered(overall.goals),
        results=numbered(execution.results), rows=tuple(rows), full=f"{full:.{places}f}",
        total=f"{score.total}", grade=score.grade, grade_text=labels["grade"],
        bookmark=f"_Toc7{number:08d}", places=places, keep=book.merge != "none")


def evaluations(book: Book) -> list[OverallEval]:
    """Every evaluated agency's 整体 自评表, numbered 1, 2, … in book order."""
    out: list[OverallEval] = []
    for agency in book.overall:
        table = evaluation(book, len(out) + 1, agency)
        if table is not None:
            out.append(table)
    return out


def table_rows(t: OverallEval) -> list[list[str]]:
    """Every cell of one 自评表 as text rows (for dumps and tests), in print order."""
    lab = t.labels
    out = [[lab["name"], t.agency],
           [lab["funds"], lab["source"], lab["initial"], lab["spent"], lab["weight"],
            lab["score"], lab["method"]]]
    out += [["", *f.texts()] for f in t.funds]
    out.append([lab["goals"], lab["goals_set"], lab["goals_done"]])
    out.append(["", "\n".join(t.goals), "\n".join(t.results)])
    out.append([lab["indicators"]])
    out.append([lab[k] for k in ("level1", "level2", "level3", "value", "actual", "weight",
                                 "score", "deviation")])
    out += [r.texts() for r in t.rows]
    out.append([lab["total"], t.full, t.total, t.grade_text])
    return out


def title(book: Book) -> str:
    """The document's title: the book's, with 项目支出绩效目标表 turned into the 整体 自评表."""
    document = book.overall_form.evaluation["document"]
    return retitled(book.title, "项目支出绩效目标表", document, document)


# -- the sheet --------------------------------------------------------------------------------

_FIGURE = re.compile(r"-?\d+(\.\d+)?")


def _figure(row: int, column: tuple[int, int], text: str, places: int,
            style: str = "body") -> Cell:
    """An amount, 分值 or 得分 as a number shown with `places` decimals (amounts with 2);
    blanks and words stay text."""
    if not _FIGURE.fullmatch(text):
        return Cell(row, column, text, style=style)
    digits = "0." + "0" * places if places else "0"
    return Cell(row, column, Decimal(text), style=style, number_format=digits)


def _place_row(places: int) -> Any:
    def place(r: int, row: EvalRow) -> list[Cell]:
        cells = []
        if row.level1.starts:
            cells.append(Cell(r, (1, 2), row.level1.label, rows=row.level1.rows))
        if row.level2.starts:
            cells.append(Cell(r, (3, 3), row.level2.label, rows=row.level2.rows))
        return cells + [Cell(r, (4, 4), row.name), Cell(r, (5, 5), row.value),
                        Cell(r, (6, 6), row.actual), _figure(r, (7, 7), row.weight, places),
                        _figure(r, (8, 8), row.score, places),
                        Cell(r, (9, 9), row.deviation, align="left")]
    return place


def _span_px(first: int, last: int) -> float:
    return sum(w * 7 + 5 for w in SHEET_WIDTHS[first - 1:last])


def eval_sheet(t: OverallEval) -> Sheet:
    """One 自评表: merged cells, borders, A4 landscape; amounts, 分值 and 得分 as numbers."""
    lab, p = t.labels, t.places
    cells = [Cell(1, (1, 9), t.heading, style="title", size=14.0),
             Cell(2, (1, 1), lab["name"], style="label"), Cell(2, (2, 9), t.agency),
             Cell(3, (1, 1), lab["funds"], rows=len(t.funds) + 1, style="label"),
             Cell(3, (2, 4), lab["source"], style="label")]
    cells += [Cell(3, (c, c), lab[k], style="label")
              for c, k in enumerate(("initial", "spent", "weight", "score", "method"), 5)]
    for r, f in enumerate(t.funds, 4):
        cells += [Cell(r, (2, 4), f.label, style="label"), _figure(r, (5, 5), f.initial, 2),
                  _figure(r, (6, 6), f.spent, 2), _figure(r, (7, 7), f.weight, p),
                  _figure(r, (8, 8), f.score, p), Cell(r, (9, 9), f.method, align="left")]
    g = 4 + len(t.funds)
    cells += [Cell(g, (1, 1), lab["goals"], rows=2, style="label"),
              Cell(g, (2, 5), lab["goals_set"], style="label"),
              Cell(g, (6, 9), lab["goals_done"], style="label"),
              Cell(g + 1, (2, 5), "\n".join(t.goals), align="left"),
              Cell(g + 1, (6, 9), "\n".join(t.results), align="left"),
              Cell(g + 2, (1, 9), lab["indicators"], style="label")]
    head = g + 3
    cells += [Cell(head, (1, 2), lab["level1"], style="label")]
    cells += [Cell(head, (c, c), lab[k], style="label") for c, k in enumerate(
        ("level2", "level3", "value", "actual", "weight", "score", "deviation"), 3)]
    total = head + len(t.rows) + 1
    cells += [Cell(total, (1, 6), lab["total"], style="label"),
              _figure(total, (7, 7), t.full, p, "label"), _figure(total, (8, 8), t.total, p, "label"),
              Cell(total, (9, 9), t.grade_text, style="label")]
    name = (f"{t.number:02d}-" + re.sub(r"[\[\]:*?/\\]", "_", t.agency))[:31]
    return Sheet(title=name, widths=list(SHEET_WIDTHS), cells=cells, boxes=[(2, total)],
                 grid=SheetGrid(first=head + 1, header=head, rows=t.rows, place=_place_row(p)),
                 print_titles=f"{head}:{head}", orientation="landscape", span_px=_span_px)


class OverallEvalDocument(Document):
    """A book's 部门整体支出绩效自评表: cover, 目录, one table per evaluated agency."""

    def __init__(self, book: Book):
        heading = title(book)
        super().__init__(
            kind=NAME, template="overall_eval", key=book.key, title=heading,
            subtitle=f"{book.year}年 · 单位：{book.money_unit}", author=book.author,
            timestamp=book.timestamp, groups=[Group("", list(evaluations(book)))],
            files={fmt: file_path(book.key, heading, fmt) for fmt in FORMATS},
            page=Page("A4 landscape", "20mm 18mm 20mm 18mm", "12pt"),
            title_lines=title_lines(heading), docx_title="\n".join(title_lines(heading)),
            toc_groups=False, label=f"{book.key} 部门整体自评表")

    def row_texts(self, t: Any) -> list[str]:
        return [r.name + r.value + r.actual for r in t.rows]

    def sheet(self, t: Any) -> Sheet:
        return eval_sheet(t)

    def keep_rows(self, t: Any, rows: list[Any], i: int) -> bool:
        """Rows of a 一级 group of up to KEEP_ROWS after the first stay on one page, as the PDF
        keeps them (the first stays with the header)."""
        if not t.keep or i + 1 >= len(rows) or rows[i + 1].level1.starts:
            return False
        first = i
        while not t.rows[first].level1.starts:
            first -= 1
        return bool(first > 0 and t.rows[first].level1.rows <= KEEP_ROWS)


def overview(book: Book) -> dict[str, Any]:
    """The overview's part: each evaluated agency's 整体 总分 and 自评等级, by its label."""
    return {"overall_scores": {f"{a.code}{a.name}": {"total": t.total, "grade": t.grade}
                               for a, t in _evaluated(book)}}


def _evaluated(book: Book) -> list[tuple[Agency, OverallEval]]:
    out: list[tuple[Agency, OverallEval]] = []
    for agency in book.overall:
        table = evaluation(book, len(out) + 1, agency)
        if table is not None:
            out.append((agency, table))
    return out


def links(book: Book, formats: list[str]) -> list[dict[str, str]]:
    """The overview's links to the 整体 自评表 of a book with 整体 execution data."""
    if not applies(book):
        return []
    return [{"href": file_path(book.key, title(book), fmt), "label": f"整体自评 {fmt.upper()}"}
            for fmt in ("docx", "html", "pdf", "xlsx") if fmt in formats]


def applies(book: Book) -> bool:
    """A book with an agency's 整体 execution data has its 整体 自评表."""
    return any(a.overall is not None and a.overall.execution is not None for a in book.overall)


def document(book: Book) -> OverallEvalDocument:
    return OverallEvalDocument(book)
