"""The 部门（单位）整体支出绩效目标表: one table per agency with an `overall:` file.

Its own document, before the project tables in KINDS, as budget publications place it (the
agency's 整体 target first, then its project targets). The layout (which blocks print, in which
order, with which words) is data: `model/overall_layouts.yaml` or the repository's
`templates/overall/layouts/<name>.yaml`, chosen by book.yaml's `overall_layout` (`tasks`, the
central 申报表 with 年度主要任务 and their amounts; `funds`, the 收支构成 variant with 部门职能概述).
Every amount the project files hold is taken from them (`model.overall`). The templates are
`templates/overall/` (`overall.html.j2`, `overall.css`, `overall.docx`); the sheet is laid out here
over the union of both tables' column edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ..document import (
    HEADING_CHARS,
    Cell,
    Document,
    Group,
    Sheet,
    SheetGrid,
    Span,
    edges,
    file_path,
    heading_lines,
    indicator_spans,
    level1_groups,
    percent,
    retitled,
    text_width,
    title_lines,
)
from ..model.book import Agency, Book, Overall, format_amount
from ..model.overall import EXACT, RATIO, amounts, task_amounts
from ..model.overall_layouts import Layout, fill

NAME = "overall"
FORMATS = ("html", "pdf", "docx", "xlsx")
# Column widths in thousandths of the table's width (156 mm, A4 portrait). The upper table's
# six columns serve every block: 年度主要任务 uses them one by one (label, 任务名称, 主要内容,
# 总额, 财政拨款, 其他资金); 收入构成 / 支出构成 as label, 项目 (2), 当年金额 (2), 占比. The
# label column holds six characters a line (年度主要任务, 年度总体目标 stay whole).
TOP_WIDTHS = (170, 160, 230, 150, 145, 145)
GRID_WIDTHS = (160, 200, 400, 240)  # 一级, 二级, 三级, 指标值
KEEP_ROWS = 8  # a 一级 group of up to this many rows moves to the next page whole
PAGE_PX = 590  # the sheet as wide as A4's printable width, so that it prints at about 100 %


@dataclass(frozen=True)
class TaskRow:
    """One 年度主要任务 (or the 金额合计 row): name, content, 总额, 财政拨款, 其他资金."""

    name: str
    content: str
    total: str
    fiscal: str
    other: str


@dataclass(frozen=True)
class ShareRow:
    """One row of 收入构成 or 支出构成: the item, its 当年金额 and its 占比."""

    item: str
    amount: str
    share: str


@dataclass(frozen=True)
class GridRow:
    """One indicator row: 一级 and 二级 as spans, then 三级 and 指标值."""

    level1: Span
    level2: Span
    name: str
    value: str
    index: int = 0

    def texts(self) -> list[str]:
        return [self.level1.text if self.level1.starts else "",
                self.level2.text if self.level2.starts else "", self.name, self.value]


@dataclass(frozen=True)
class OverallTable:
    """One agency's 整体支出绩效目标表, every cell as printed, in its layout's blocks."""

    number: int
    heading: str
    heading_lines: tuple[str, ...]
    agency: str
    labels: dict[str, str] = field(repr=False)
    blocks: tuple[str, ...]
    functions: str
    tasks: tuple[TaskRow, ...]
    task_sum: TaskRow
    income: tuple[ShareRow, ...]
    income_sum: ShareRow
    expense: tuple[ShareRow, ...]
    expense_sum: ShareRow
    goals: tuple[str, ...]
    rows: tuple[GridRow, ...]
    bookmark: str
    keep: bool = True

    @property
    def anchor(self) -> str:
        return f"o{self.number}"

    @property
    def top_widths(self) -> list[str]:
        return percent(TOP_WIDTHS)

    @property
    def grid_widths(self) -> list[str]:
        return percent(GRID_WIDTHS)

    @property
    def groups(self) -> list[list[GridRow]]:
        """Rows cut where a 一级 span starts: each group is one <tbody> that pages keep whole."""
        return level1_groups(self.rows)

    def with_rows(self, rows: list[Any]) -> OverallTable:
        return replace(self, rows=tuple(rows))


def layout_of(book: Book) -> Layout:
    """The book's layout of the 整体 target table (overall_layouts.yaml's first when it names none)."""
    return book.overall_form


def share(part: Decimal, whole: Decimal) -> str:
    """占比 as printed: `31.71%`; blank when the whole is zero."""
    if whole == 0:
        return ""
    with localcontext(RATIO):  # a part of a whole of nonnegative parts: at most 100
        shown = (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{shown}%"


def _sum(values: list[Decimal | None]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return ""
    with localcontext(EXACT):
        return format_amount(sum(present, Decimal(0)))


def agency_heading_lines(number: int, agency: str, heading: str) -> tuple[str, ...]:
    """A table's heading on one line, else broken after the agency's name
    (`2.天津市知识产权保护中心` / `整体支出绩效目标表（2024年度）`) when both halves fit, else
    balanced as any heading."""
    whole = f"{number}.{heading}"
    if text_width(whole) <= HEADING_CHARS:
        return (whole,)
    first, rest = f"{number}.{agency}", heading[len(agency):]
    if heading.startswith(agency) and rest and max(text_width(first),
                                                   text_width(rest)) <= HEADING_CHARS:
        return (first, rest)
    return tuple(heading_lines(whole))


def _grid(overall: Overall, merge: str) -> list[GridRow]:
    indicators = [ind for l1 in overall.indicators for l2 in l1.groups for ind in l2.indicators]
    return [GridRow(s1, s2, ind.name, ind.value, n)
            for n, ((s1, s2), ind) in enumerate(
                zip(indicator_spans(overall.indicators, merge), indicators, strict=True), 1)]


def table(book: Book, number: int, agency: Agency, bookmark: str = "") -> OverallTable:
    """One agency's table in the book's layout."""
    overall = agency.overall
    assert overall is not None
    layout = layout_of(book)
    labels = {k: fill(v, agency=agency.name, year=str(book.year), unit=book.money_unit)
              for k, v in layout.labels.items()}
    money = amounts(agency, overall)
    tasks = []
    parts: list[tuple[Decimal | None, Decimal | None, Decimal | None]] = []
    for task in overall.tasks:
        total, fiscal, other = task_amounts(task, agency)
        parts.append((total, fiscal, other))
        tasks.append(TaskRow(task.name, task.content, format_amount(total), format_amount(fiscal),
                             format_amount(other)))
    task_sum = TaskRow(labels["task_sum"], "", _sum([p[0] for p in parts]),
                       _sum([p[1] for p in parts]), _sum([p[2] for p in parts]))
    with localcontext(EXACT):
        income_total = (sum((i.amount for i in overall.income), Decimal(0)) if overall.income
                        else money.total)
    income = tuple(ShareRow(i.name, format_amount(i.amount), share(i.amount, income_total))
                   for i in overall.income)
    expense = (ShareRow(labels["basic"], format_amount(money.basic), share(money.basic, money.total)),
               ShareRow(labels["projects"], format_amount(money.projects),
                        share(money.projects, money.total)))
    heading = f"{number}.{labels['heading']}"
    return OverallTable(
        number=number, heading=heading,
        heading_lines=agency_heading_lines(number, agency.name, labels["heading"]),
        agency=agency.name, labels=labels, blocks=layout.blocks, functions=overall.functions,
        tasks=tuple(tasks), task_sum=task_sum, income=income,
        income_sum=ShareRow(labels["income_sum"], format_amount(income_total),
                            share(income_total, income_total)),
        expense=expense,
        expense_sum=ShareRow(labels["expense_sum"], format_amount(money.total),
                             share(money.total, money.total)),
        goals=tuple(f"{i}.{g}" if len(overall.goals) > 1 else g
                    for i, g in enumerate(overall.goals, 1)),
        rows=tuple(_grid(overall, book.merge)), bookmark=bookmark, keep=book.merge != "none")


def tables(book: Book) -> list[OverallTable]:
    """Every agency's table, numbered 1, 2, … in book order."""
    return [table(book, n, agency, f"_Toc8{n:08d}") for n, agency in enumerate(book.overall, 1)]


def table_rows(t: OverallTable) -> list[list[str]]:
    """Every cell of one table as text rows (for dumps and tests), in print order; a cell that
    a merge covers is empty."""
    lab = t.labels
    out = [[lab["name"], t.agency]]
    for block in t.blocks:
        if block == "functions":
            out.append([lab["functions"], t.functions])
        elif block == "tasks":
            out.append([lab["tasks"], lab["task_name"], lab["task_content"], lab["task_amount"]])
            out.append(["", "", "", lab["task_total"], lab["task_fiscal"], lab["task_other"]])
            out += [["", k.name, k.content, k.total, k.fiscal, k.other] for k in t.tasks]
            out.append(["", lab["task_sum"], t.task_sum.total, t.task_sum.fiscal,
                        t.task_sum.other])
        elif block in ("income", "expense"):
            rows, total = (t.income, t.income_sum) if block == "income" else (t.expense,
                                                                               t.expense_sum)
            out.append([lab[block], lab["item"], lab["amount"], lab["share"]])
            out += [["", r.item, r.amount, r.share] for r in (*rows, total)]
        elif block == "goals":
            out.append([lab["goals"], "\n".join(t.goals)])
        elif block == "indicators":
            out.append([lab["indicators"]])
            out.append([lab["level1"], lab["level2"], lab["level3"], lab["value"]])
            out += [r.texts() for r in t.rows]
    return out


def title(book: Book) -> str:
    """The document's title: the book's, with 项目支出绩效目标表 turned into the 整体 one."""
    document = layout_of(book).labels["document"]
    return retitled(book.title, "项目支出绩效目标表", document, document)


# -- the sheet --------------------------------------------------------------------------------

def sheet_edges() -> list[int]:
    return sorted(set(edges(TOP_WIDTHS)) | set(edges(GRID_WIDTHS)))


def _span(widths: tuple[int, ...], first: int, last: int | None = None) -> tuple[int, int]:
    """The sheet columns (1-based) that a table's columns first..last cover."""
    cuts, ends = sheet_edges(), edges(widths)
    return cuts.index(ends[first]) + 1, cuts.index(ends[(first if last is None else last) + 1])


def _t(first: int, last: int | None = None) -> tuple[int, int]:
    return _span(TOP_WIDTHS, first, last)


def _g(first: int, last: int | None = None) -> tuple[int, int]:
    return _span(GRID_WIDTHS, first, last)


def _span_px(first: int, last: int) -> float:
    cuts = sheet_edges()
    return PAGE_PX * (cuts[last] - cuts[first - 1]) / 1000


def _amount(row: int, columns: tuple[int, int], text: str, style: str = "body") -> Cell:
    """An amount as a number shown `0.00`, a share as a percentage shown `0.00%`."""
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return Cell(row, columns, Decimal(text), style=style, number_format="0.00")
    if re.fullmatch(r"-?\d+(\.\d+)?%", text):
        return Cell(row, columns, Decimal(text[:-1]).scaleb(-2), style=style,
                    number_format="0.00%")
    return Cell(row, columns, text, style=style)


def _place_row(r: int, row: GridRow) -> list[Cell]:
    cells = []
    if row.level1.starts:
        cells.append(Cell(r, _g(0), row.level1.label, rows=row.level1.rows))
    if row.level2.starts:
        cells.append(Cell(r, _g(1), row.level2.label, rows=row.level2.rows))
    return cells + [Cell(r, _g(2), row.name), Cell(r, _g(3), row.value)]


def table_sheet(t: OverallTable) -> Sheet:
    """One table: its blocks as the layout orders them, merged cells, borders, A4 portrait."""
    lab = t.labels
    whole = (1, len(sheet_edges()) - 1)
    cells = [Cell(1, whole, t.heading, style="title", size=14.0),
             Cell(2, _t(0), lab["name"], style="label"), Cell(2, _t(1, 5), t.agency)]
    r = 3
    for block in t.blocks:
        if block == "functions":
            cells += [Cell(r, _t(0), lab["functions"], style="label"),
                      Cell(r, _t(1, 5), t.functions, align="left")]
            r += 1
        elif block == "tasks":
            n = len(t.tasks) + 3
            cells += [Cell(r, _t(0), lab["tasks"], rows=n, style="label"),
                      Cell(r, _t(1), lab["task_name"], rows=2, style="label"),
                      Cell(r, _t(2), lab["task_content"], rows=2, style="label"),
                      Cell(r, _t(3, 5), lab["task_amount"], style="label"),
                      Cell(r + 1, _t(3), lab["task_total"], style="label"),
                      Cell(r + 1, _t(4), lab["task_fiscal"], style="label"),
                      Cell(r + 1, _t(5), lab["task_other"], style="label")]
            for i, k in enumerate(t.tasks, r + 2):
                cells += [Cell(i, _t(1), k.name), Cell(i, _t(2), k.content, align="left"),
                          _amount(i, _t(3), k.total), _amount(i, _t(4), k.fiscal),
                          _amount(i, _t(5), k.other)]
            s = r + n - 1
            cells += [Cell(s, _t(1, 2), lab["task_sum"], style="label"),
                      _amount(s, _t(3), t.task_sum.total), _amount(s, _t(4), t.task_sum.fiscal),
                      _amount(s, _t(5), t.task_sum.other)]
            r += n
        elif block in ("income", "expense"):
            rows = (*t.income, t.income_sum) if block == "income" else (*t.expense, t.expense_sum)
            cells += [Cell(r, _t(0), lab[block], rows=len(rows) + 1, style="label"),
                      Cell(r, _t(1, 2), lab["item"], style="label"),
                      Cell(r, _t(3, 4), lab["amount"], style="label"),
                      Cell(r, _t(5), lab["share"], style="label")]
            for i, row in enumerate(rows, r + 1):
                last = i == r + len(rows)  # 合计
                cells += [Cell(i, _t(1, 2), row.item, style="label" if last else "body"),
                          _amount(i, _t(3, 4), row.amount), _amount(i, _t(5), row.share)]
            r += len(rows) + 1
        elif block == "goals":
            cells += [Cell(r, _t(0), lab["goals"], style="label"),
                      Cell(r, _t(1, 5), "\n".join(t.goals), align="left")]
            r += 1
        elif block == "indicators":
            cells.append(Cell(r, whole, lab["indicators"], style="label"))
            r += 1
    boxes = [(2, r - 1)]
    if "indicators" not in t.blocks:
        return Sheet(title=sheet_title(t), widths=_widths(), cells=cells, boxes=boxes,
                     orientation="portrait", margins_mm=(28, 26, 37, 35), span_px=_span_px)
    cells += [Cell(r, _g(i), lab[k], style="label")
              for i, k in enumerate(("level1", "level2", "level3", "value"))]
    return Sheet(title=sheet_title(t), widths=_widths(), cells=cells, boxes=boxes,
                 grid=SheetGrid(first=r + 1, header=r, rows=t.rows, place=_place_row),
                 grid_box_from=r, print_titles=f"{r}:{r}", orientation="portrait",
                 margins_mm=(28, 26, 37, 35), span_px=_span_px)


def _widths() -> list[float]:
    cuts = sheet_edges()
    return [round((PAGE_PX * (b - a) / 1000 - 5) / 7, 2) for a, b in zip(cuts, cuts[1:],
                                                                         strict=False)]


def sheet_title(t: OverallTable) -> str:
    """`01-天津市知识产权局`: at most 31 characters, none that Excel refuses."""
    return (f"{t.number:02d}-" + re.sub(r"[\[\]:*?/\\]", "_", t.agency))[:31]


class OverallDocument(Document):
    """A book's 部门整体支出绩效目标表: cover, 目录, one table per agency with 整体 targets."""

    def __init__(self, book: Book):
        heading = title(book)
        super().__init__(
            kind=NAME, template="overall", key=book.key, title=heading,
            subtitle=f"{book.year}年 · 单位：{book.money_unit}", author=book.author,
            timestamp=book.timestamp, groups=[Group("", list(tables(book)))],
            files={fmt: file_path(book.key, heading, fmt) for fmt in FORMATS},
            title_lines=title_lines(heading), docx_title="\n".join(title_lines(heading)),
            toc_groups=False, label=f"{book.key} 部门整体目标表")

    def row_texts(self, t: Any) -> list[str]:
        return [r.name + r.value for r in t.rows]

    def sheet(self, t: Any) -> Sheet:
        return table_sheet(t)

    def docx_widths(self) -> list[tuple[str, tuple[int, ...]]]:
        return [("t.agency", TOP_WIDTHS), ("r.level1", GRID_WIDTHS)]

    def keep_rows(self, t: Any, rows: list[Any], i: int) -> bool:
        """Whether grid row i stays on the page of the next: inside a 一级 group of up to
        KEEP_ROWS rows after the first, as the PDF keeps them."""
        if not t.keep or i + 1 >= len(rows) or rows[i + 1].level1.starts:
            return False
        first = i
        while not t.rows[first].level1.starts:
            first -= 1
        return bool(first > 0 and t.rows[first].level1.rows <= KEEP_ROWS)


def overview(book: Book) -> dict[str, Any]:
    """The overview's part: each agency's 整体 money (年度资金总额 = 基本支出 + 项目支出)."""
    out = []
    for agency in book.overall:
        assert agency.overall is not None
        money = amounts(agency, agency.overall)
        out.append({"label": f"{agency.code}{agency.name}", "total": format_amount(money.total),
                    "basic": format_amount(money.basic),
                    "projects": format_amount(money.projects)})
    return {"overall": out}


def links(book: Book, formats: list[str]) -> list[dict[str, str]]:
    """The overview's links to the 整体 target tables of a book that has them."""
    if not applies(book):
        return []
    return [{"href": file_path(book.key, title(book), fmt), "label": f"部门整体 {fmt.upper()}"}
            for fmt in ("docx", "html", "pdf", "xlsx") if fmt in formats]


def applies(book: Book) -> bool:
    """A book with an agency's `overall:` file has its 整体 target tables."""
    return bool(book.overall)


def document(book: Book) -> OverallDocument:
    return OverallDocument(book)
