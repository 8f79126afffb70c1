"""The 项目支出绩效目标表: one table per project, the kind every book has.

The typed view-model of one table (`TargetTable`, its indicator rows `GridRow`), built once from
the book; the templates are `templates/targets/` (`book.html.j2`, `book.docx`); the sheet is
laid out here, over columns that are the union of both tables' column edges, plus the
`指标导入` sheet that budget systems import (each value split into sign, number and unit).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..document import (
    Cell,
    Document,
    Group,
    Sheet,
    SheetGrid,
    Span,
    edges,
    file_path,
    heading_lines,
    percent,
    title_lines,
)
from ..model.book import Agency, Book, Project, format_amount
from ..model.values import display_sign, parse

NAME = "targets"
GRID_HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值")
# Column widths in thousandths of the table's width (156 mm, 42 characters of 10.5 pt): the one
# source for the PDF and HTML (<col> widths), the DOCX (grid and cell widths) and the XLSX
# (its columns are the union of both tables' edges). Chosen from the seed tables' content, less
# the cells' margins (0.8 character in the DOCX): 一级 holds 满意度指标 (5 characters); 二级
# holds 7, so 可持续影响指标 stays on one line and 服务对象满意度指标 breaks as 服务对象满意度/指标;
# 指标值 holds 时效 dates such as `2027年10月31日前` (8.3 characters wide, 9 where Word and
# LibreOffice set digits apart from Chinese); 预算规模及资金用途 breaks as 预算规模及/资金用途;
# 其中：财政资金 and 其他资金 stay whole; amounts of 10 digits stay on one line.
# tests/test_pages.py measures all this on the PDF's pages and on LibreOffice's.
BUDGET_WIDTHS = (140, 95, 152, 190, 152, 120, 151)
GRID_WIDTHS = (140, 190, 205, 225, 240)
# Characters a 一级 / 二级 cell holds on one line with the widths above.
LABEL_CHARS = (5, 7)
KEEP_ROWS = 8  # a 一级 group of up to this many rows moves to the next page whole
IMPORT_SHEET = "指标导入"
IMPORT_HEADER = ("项目名称", "一级指标", "二级指标", "三级指标", "绩效指标描述", "计算符号", "指标值",
                 "计量单位")
QUALITATIVE = "定性"
NO_UNIT = "—"
# The sheet is as wide as A4's printable width (156 mm at 96 px an inch), so that it prints at
# about 100 %.
PAGE_PX = 590


@dataclass(frozen=True)
class GridRow:
    """One indicator row: 一级 and 二级 as spans, then 三级, 描述 and 指标值."""

    level1: Span
    level2: Span
    name: str
    description: str
    value: str
    index: int = 0  # 1-based, in the table

    def texts(self) -> list[str]:
        """The five cell texts as a dump shows them (a covered cell is empty)."""
        return [
            self.level1.text if self.level1.starts else "",
            self.level2.text if self.level2.starts else "",
            self.name,
            self.description,
            self.value,
        ]


@dataclass(frozen=True)
class TargetTable:
    """One 项目支出绩效目标表, every cell as printed."""

    number: int
    heading: str  # `1.2024年局机关信息化运维绩效目标表`
    heading_lines: tuple[str, ...]  # as the PDF and DOCX print it, balanced (no lone 表)
    agency: str  # the line above the table: `610101天津市知识产权局`
    unit: str  # `单位：万元`
    name: str
    total: str
    fiscal: str
    other: str
    usage: str
    goals: tuple[str, ...]  # numbered `1.` `2.` …
    rows: tuple[GridRow, ...]
    bookmark: str  # the DOCX heading's hidden bookmark
    amounts: tuple[Decimal | None, Decimal | None, Decimal | None] = field(repr=False,
                                                                            default=(None,) * 3)
    file: str | None = None  # its own files' path without suffix
    keep: bool = True  # rows of a 一级 group kept together (not with merge: none)

    @property
    def anchor(self) -> str:
        return f"t{self.number}"

    @property
    def budget_widths(self) -> list[str]:
        return percent(BUDGET_WIDTHS)

    @property
    def grid_widths(self) -> list[str]:
        return percent(GRID_WIDTHS)

    @property
    def groups(self) -> list[list[GridRow]]:
        """Rows cut where a 一级 span starts: each group is one <tbody> that pages keep whole."""
        groups: list[list[GridRow]] = []
        for row in self.rows:
            if not groups or row.level1.rows != 0:
                if not groups or row.level1.rows > 1 or groups[-1][0].level1.rows > 1:
                    groups.append([])
            groups[-1].append(row)
        return groups

    def with_rows(self, rows: list[Any]) -> TargetTable:
        from dataclasses import replace

        return replace(self, rows=tuple(rows))


def shown_label(text: str, level: int) -> str:
    """A 一级/二级 label with a line break before its final 指标 where the column would cut it.

    With LABEL_CHARS[level - 1] characters a line, `生态环境成本指标` would print as
    `生态环境成本指/标`; it prints as `生态环境成本` / `指标` instead. Other labels wrap by themselves.
    """
    chars = LABEL_CHARS[level - 1]
    if len(text) > chars and text.endswith("指标") and (len(text) - 1) % chars == 0:
        return f"{text[:-2]}\n指标"
    return text


def _span(text: str, rows: int, level: int) -> Span:
    shown = shown_label(text, level)
    return Span(text, rows, None if shown == text else shown)


def grid(project: Project, merge: str) -> list[GridRow]:
    """The indicator rows with 一级/二级 spans as the book's `merge` setting asks."""
    rows: list[GridRow] = []
    for l1 in project.indicators:
        n1 = sum(len(g.indicators) for g in l1.groups)
        first1 = True
        for l2 in l1.groups:
            n2 = len(l2.indicators)
            for i, ind in enumerate(l2.indicators):
                if merge == "none":
                    s1, s2 = _span(l1.name, 1, 1), _span(l2.name, 1, 2)
                else:
                    s1 = _span(l1.name, n1 if first1 else 0, 1)
                    if merge == "level1+level2":
                        s2 = _span(l2.name, n2 if i == 0 else 0, 2)
                    else:
                        s2 = _span(l2.name, 1, 2)
                first1 = False
                rows.append(GridRow(s1, s2, ind.name, ind.shown_description, ind.value,
                                    len(rows) + 1))
    return rows


def agency_label(agency: Agency) -> str:
    """The agency as the line above its tables and the 目录 print it: `610101天津市知识产权局`."""
    return f"{agency.code}{agency.name}"


def budget_cells(project: Project) -> list[str]:
    """The 预算规模 row after its label: 预算数, amount, 财政资金, amount, 其他资金, amount."""
    b = project.budget
    return ["预算数", format_amount(b.total), "其中：财政资金", format_amount(b.fiscal),
            "其他资金", format_amount(b.other)]


def numbered_goals(project: Project) -> list[str]:
    """The 绩效目标 paragraphs, numbered `1.` `2.` …"""
    return [f"{i}.{goal}" for i, goal in enumerate(project.goals, 1)]


def file_number(book: Book, number: int) -> str:
    """The table's number padded to the width of the book's table count (`007` of 120), at least 2.

    A file manager then lists `099-…` before `100-…`.
    """
    count = sum(len(a.projects) for a in book.agencies)
    return f"{number:0{max(2, len(str(count)))}d}"


def project_path(book: Book, number: int, project: Project, suffix: str) -> str:
    """`<book>/projects/<NN>-<stem>.<suffix>`, NN padded by file_number."""
    return f"{book.key}/projects/{file_number(book, number)}-{project.stem}.{suffix}"


def bookmark_name(book: Book, project: Project) -> str:
    """A stable hidden bookmark for a project's heading: `_Toc` and 9 digits of its file's hash."""
    digest = hashlib.sha1(f"{book.key}/{project.file}".encode()).hexdigest()
    return f"_Toc{int(digest[:12], 16) % 10**9:09d}"


def bookmarks(book: Book) -> dict[int, str]:
    """Each table's bookmark, unique in the book."""
    names: dict[int, str] = {}
    used: set[str] = set()
    for number, _, project in book.numbered():
        name = bookmark_name(book, project)
        while name in used:
            name = f"_Toc{(int(name[4:]) + 1) % 10**9:09d}"
        used.add(name)
        names[number] = name
    return names


def table(book: Book, number: int, agency: Agency, project: Project, bookmark: str = "",
          ) -> TargetTable:
    """One project's table."""
    b = project.budget
    return TargetTable(
        number=number, heading=book.heading(number, project),
        heading_lines=tuple(heading_lines(book.heading(number, project))), agency=agency_label(agency),
        unit=f"单位：{book.money_unit}", name=project.name, total=format_amount(b.total),
        fiscal=format_amount(b.fiscal), other=format_amount(b.other), usage=project.usage,
        goals=tuple(numbered_goals(project)), rows=tuple(grid(project, book.merge)),
        bookmark=bookmark, amounts=(b.total, b.fiscal, b.other),
        file=project_path(book, number, project, "")[:-1], keep=book.merge != "none")


def table_rows(book: Book, number: int, agency: Agency, project: Project) -> list[list[str]]:
    """The whole table as rows of cell texts, the way a plain-text dump of the DOCX shows it.

    Golden tests compare every engine's output with this and with the seed dumps.
    """
    t = table(book, number, agency, project)
    rows = [
        [t.agency, t.unit],
        ["项目名称", t.name],
        ["预算规模及资金用途", *budget_cells(project)],
        ["", t.usage],
        ["绩效目标", "\n".join(t.goals)],
        list(GRID_HEADER),
    ]
    rows.extend(r.texts() for r in t.rows)
    return rows


# -- the sheet --------------------------------------------------------------------------------

def sheet_edges() -> list[int]:
    """The XLSX columns' edges: every edge of the budget table and of the indicator grid."""
    return sorted(set(edges(BUDGET_WIDTHS)) | set(edges(GRID_WIDTHS)))


def sheet_span(widths: tuple[int, ...], column: int) -> tuple[int, int]:
    """The first and last XLSX column (1-based) that a table's column covers."""
    cuts = sheet_edges()
    ends = edges(widths)
    return cuts.index(ends[column]) + 1, cuts.index(ends[column + 1])


def _span_px(first: int, last: int) -> float:
    cuts = sheet_edges()
    return PAGE_PX * (cuts[last] - cuts[first - 1]) / 1000


def _b(i: int, j: int | None = None) -> tuple[int, int]:
    return sheet_span(BUDGET_WIDTHS, i)[0], sheet_span(BUDGET_WIDTHS, i if j is None else j)[1]


def _g(i: int) -> tuple[int, int]:
    return sheet_span(GRID_WIDTHS, i)


def _place_row(r: int, row: GridRow) -> list[Cell]:
    cells = []
    if row.level1.starts:
        cells.append(Cell(r, _g(0), row.level1.label, rows=row.level1.rows))
    if row.level2.starts:
        cells.append(Cell(r, _g(1), row.level2.label, rows=row.level2.rows))
    cells += [Cell(r, _g(2), row.name), Cell(r, _g(3), row.description), Cell(r, _g(4), row.value)]
    return cells


def sheet_title(t: TargetTable, number_text: str) -> str:
    """`01-项目名称…`: at most 31 characters, none that Excel refuses."""
    return (f"{number_text}-" + re.sub(r"[\[\]:*?/\\]", "_", t.name))[:31]


def table_sheet(t: TargetTable, number_text: str) -> Sheet:
    """One table in the official layout: merged cells, borders, widths, A4 print setup."""
    cuts = sheet_edges()
    ncols = len(cuts) - 1
    whole = (1, ncols)
    unit = _g(len(GRID_WIDTHS) - 1)
    cells = [
        Cell(1, whole, t.heading, style="title", size=14.0),
        Cell(2, (1, unit[0] - 1), t.agency, align="left"),
        Cell(2, unit, t.unit, align="right"),
        Cell(3, _b(0), "项目名称", style="label"),
        Cell(3, _b(1, 6), t.name),
        Cell(4, _b(0), "预算规模及资金用途", rows=2, style="label"),
    ]
    labels = ("预算数", "其中：财政资金", "其他资金")
    for i, (label, amount) in enumerate(zip(labels, t.amounts, strict=True)):
        cells.append(Cell(4, _b(1 + 2 * i), label, style="label"))
        cells.append(Cell(4, _b(2 + 2 * i), amount, number_format="0.00"))
    cells += [
        Cell(5, _b(1, 6), t.usage, align="left"),
        Cell(6, _b(0), "绩效目标", style="label"),
        Cell(6, _b(1, 6), "\n".join(t.goals), align="left"),
    ]
    cells += [Cell(7, _g(i), text, style="label") for i, text in enumerate(GRID_HEADER)]
    widths = [round((PAGE_PX * (b - a) / 1000 - 5) / 7, 2) for a, b in zip(cuts, cuts[1:],
                                                                           strict=False)]
    return Sheet(
        title=sheet_title(t, number_text), widths=widths, cells=cells, boxes=[(3, 6)],
        grid=SheetGrid(first=8, header=7, rows=t.rows, place=_place_row),
        grid_box_from=7, print_titles="7:7", orientation="portrait",
        margins_mm=(28, 26, 37, 35), span_px=_span_px)


@dataclass(frozen=True)
class Split:
    """A value as the budget system takes it: 计算符号, 指标值, 计量单位."""

    sign: str
    number: str
    unit: str


def split_value(value: str) -> Split:
    """`≥98%` → ≥ | 98 | %; `≤40万元` → ≤ | 40 | 万元; `4个` → ＝ | 4 | 个; `有效提升` → 定性, as the
    one reader of a value (`values.parse`) reads it; a range stays 定性 with its text."""
    v = parse(value)
    if v.quantitative and not v.is_range and v.number is not None:
        return Split(display_sign(v), format(v.number, "f"), v.unit or NO_UNIT)
    return Split(QUALITATIVE, value.strip(), NO_UNIT)


def import_sheet(book: Book) -> Sheet:
    """One row per indicator in the columns budget systems import (`指标导入`)."""
    widths = [30.0, 12, 18, 30, 30, 10, 16, 10]
    cells = [Cell(1, (c, c), text, style="none", align="none")
             for c, text in enumerate(IMPORT_HEADER, 1)]
    row = 1
    for _, _, project in book.numbered():
        for l1, l2, ind in project.rows():
            s = split_value(ind.value)
            row += 1
            texts = (project.name, l1.name, l2.name, ind.name, ind.shown_description, s.sign,
                     s.number, s.unit)
            cells += [Cell(row, (c, c), text, style="none", align="wrap")
                      for c, text in enumerate(texts, 1)]
    return Sheet(title=IMPORT_SHEET, widths=widths, cells=cells, boxes=[], listing=True,
                 print_titles="1:1", orientation="landscape", freeze="A2")


class TargetsDocument(Document):
    """A book's 项目支出绩效目标表: cover, 目录, one table per project, grouped by agency."""

    def __init__(self, book: Book):
        marks = bookmarks(book)
        groups: list[Group] = []
        last: Agency | None = None
        for number, agency, project in book.numbered():
            if agency is not last:
                groups.append(Group(agency_label(agency), []))
                last = agency
            groups[-1].tables.append(table(book, number, agency, project, marks[number]))
        super().__init__(
            kind=NAME, template="book", key=book.key, title=book.title,
            subtitle=f"{book.year}年 · 单位：{book.money_unit}", author=book.author,
            timestamp=book.timestamp, groups=groups,
            files={fmt: f"{book.key}/index.html" if fmt == "html" else file_path(book.key, book.title, fmt)
                   for fmt in ("html", "pdf", "docx", "xlsx")},
            title_lines=title_lines(book.title), docx_title="\n".join(title_lines(book.title)))
        self.book = book

    def table_file(self, t: Any) -> str | None:
        return str(t.file)

    def row_texts(self, t: Any) -> list[str]:
        return [r.name + r.description + r.value for r in t.rows]

    def sheet(self, t: Any) -> Sheet:
        return table_sheet(t, file_number(self.book, t.number))

    def extra_sheets(self) -> list[Sheet]:
        return [import_sheet(self.book)]

    def docx_widths(self) -> list[tuple[str, tuple[int, ...]]]:
        return [("t.total", BUDGET_WIDTHS), ("r.level1", GRID_WIDTHS)]

    def keep_rows(self, t: Any, rows: list[Any], i: int) -> bool:
        """Whether grid row i stays on the page of the next (Word's keep-with-next): inside a
        一级 group of up to KEEP_ROWS rows after the first, as the PDF keeps them (`rows` are
        the table's rows as split at page starts)."""
        if not t.keep or i + 1 >= len(rows) or rows[i + 1].level1.starts:
            return False
        whole = t.rows
        first = i
        while not whole[first].level1.starts:
            first -= 1
        return first > 0 and whole[first].level1.rows <= KEEP_ROWS


def _sum(values: list[Decimal | None]) -> str:
    present = [v for v in values if v is not None]
    return format_amount(sum(present, Decimal(0))) if present else ""


def overview(book: Book) -> dict[str, Any]:
    """The book's part of the overview page: agencies with their tables' budgets, the totals."""
    agencies = []
    for agency in book.agencies:
        budgets = [p.budget for p in agency.projects]
        agencies.append({
            "label": agency_label(agency), "count": len(agency.projects),
            "total": _sum([b.total for b in budgets]), "fiscal": _sum([b.fiscal for b in budgets]),
            "other": _sum([b.other for b in budgets]),
        })
    budgets = [p.budget for p in book.projects]
    return {"title": book.title, "unit": book.money_unit, "agencies": agencies,
            "count": len(book.projects), "total": _sum([b.total for b in budgets]),
            "fiscal": _sum([b.fiscal for b in budgets]), "other": _sum([b.other for b in budgets])}


def links(book: Book, formats: list[str]) -> list[dict[str, str]]:
    """The overview's links to the book's files of this kind (the web page has its own)."""
    return [{"href": file_path(book.key, book.title, fmt), "label": fmt.upper()}
            for fmt in ("pdf", "docx", "xlsx") if fmt in formats]


def applies(book: Book) -> bool:
    """Every book has its target tables."""
    return True


def document(book: Book) -> TargetsDocument:
    return TargetsDocument(book)
