"""The 项目支出绩效目标表: one table per project, the kind every book has.

The typed view-model of one table (`TargetTable`: the cells above the grid, the grid's columns
and its indicator rows `GridRow`) is built once from the book and its layout (`model/layouts.py`,
a YAML file: which rows and columns, which labels, which widths); the templates
`templates/targets/` (`book.html.j2`, `book.docx`) draw whatever cells and columns a table
has. The sheet is laid out here, over columns that are the union of both tables' column edges,
plus the `指标导入` sheet that budget systems import (each value split into sign, number, unit).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ..document import (
    Cell,
    Document,
    Group,
    Sheet,
    SheetGrid,
    Span,
    TableCell,
    edges,
    file_path,
    heading_lines,
    percent,
    title_lines,
)
from ..load.layouts import layout_of
from ..model.book import Agency, Book, Indicator, Level1, Level2, Project, format_amount
from ..model.layouts import AMOUNT_FIELDS, PARAGRAPH_FIELDS, Column, HeadCell, Layout
from ..model.values import display_sign, parse, written_parts

NAME = "targets"
# Characters a 一级 / 二级 cell holds on one line with the default layout's widths: 一级 holds
# 满意度指标 (5 characters); 二级 holds 7, so 可持续影响指标 stays on one line and
# 服务对象满意度指标 breaks as 服务对象满意度/指标. Widths are the layout's (thousandths of the
# table's width, 156 mm, 42 characters of 10.5 pt); tests/test_pages.py measures the default's
# on the PDF's pages and on LibreOffice's.
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
HEAD_MARKER = "in t.head %}"  # the DOCX template's `{%tr for row in t.head %}`
FOOT_MARKER = "in t.foot %}"  # and its `{%tr for row in t.foot %}`, the rows below the grid
# Grid columns whose text is a figure: never broken before its last characters, set apart.
FIGURES = ("value", "period_value", "sign", "number", "unit", "weight", "values")


@dataclass(frozen=True)
class GridColumn:
    """One column of a table's indicator grid: its header and how its cells print."""

    label: str
    column: int  # 0-based, of the grid's widths
    role: str = "text"  # `text` (words, kept from ending on a lone character) or `value`
    span: int = 1
    rows: int = 1

    @property
    def text(self) -> str:
        return self.label


@dataclass(frozen=True)
class GridRow:
    """One indicator row: 一级 and 二级 as spans, then 三级, 描述 and 指标值, and the cells of
    every column after 二级 as the layout prints them."""

    level1: Span
    level2: Span
    name: str
    description: str
    value: str
    index: int = 0  # 1-based, in the table
    cells: tuple[TableCell, ...] = ()
    band: Span | None = None  # the layout's band: its label over the rows (rows 0: covered)

    def texts(self, header: bool = False) -> list[str]:
        """The cell texts as a dump shows them (a covered cell is empty; the band's first cell
        is covered by the header's when `header`, the band covering the header row)."""
        rest = [c.text for c in self.cells] if self.cells else [self.name, self.description,
                                                                 self.value]
        band = [] if self.band is None else [
            self.band.text if self.band.starts and not header else ""]
        return [*band, self.level1.text if self.level1.starts else "",
                self.level2.text if self.level2.starts else "", *rest]


@dataclass(frozen=True)
class TargetTable:
    """One 项目支出绩效目标表, every cell as printed."""

    number: int
    heading: str  # `1.2024年局机关信息化运维绩效目标表`
    heading_lines: tuple[str, ...]  # as the PDF and DOCX print it, balanced (no lone 表)
    agency: str  # the line above the table: `610101天津市知识产权局`
    unit: str  # `单位：万元`
    name: str
    head: tuple[tuple[TableCell, ...], ...]  # the rows above the grid, covered cells included
    head_widths: tuple[int, ...]  # thousandths
    columns: tuple[GridColumn, ...]  # the grid's header
    column_widths: tuple[int, ...]  # thousandths
    rows: tuple[GridRow, ...]
    bookmark: str  # the DOCX heading's hidden bookmark
    file: str | None = None  # its own files' path without suffix
    keep: bool = True  # rows of a 一级 group kept together (not with merge: none)
    places: int = 2  # an amount's decimals in the sheet
    thousands: bool = False
    band: str = ""  # the layout's band label (a first column over the grid), if any
    band_over: str = "all"  # whether the band covers the grid's header row too, or rows only
    foot: tuple[tuple[TableCell, ...], ...] = ()  # the rows below the grid, as `head`
    foot_widths: tuple[int, ...] = ()  # thousandths
    below: str = ""  # the line under the table (填表人：…), as the layout's `below`
    number_text: str = ""  # the number as its files and sheet name print it (`007` of 120)

    @property
    def foot_grid_widths(self) -> list[str]:
        return percent(self.foot_widths)

    @property
    def shift(self) -> int:
        """Grid columns before 一级 (the band's)."""
        return 1 if self.band else 0

    @property
    def header_band(self) -> bool:
        """Whether the band covers the header row: the header then belongs with the rows and
        does not repeat on later pages (it would repeat the band beside the cut one)."""
        return bool(self.band) and self.band_over == "all"

    @property
    def band_rows(self) -> int:
        """The rows the header's band cell covers: the header and the rows up to a page cut."""
        return 1 + (self.rows[0].band.rows if self.rows and self.rows[0].band else 0)

    @property
    def anchor(self) -> str:
        return f"t{self.number}"

    @property
    def budget_widths(self) -> list[str]:
        return percent(self.head_widths)

    @property
    def grid_widths(self) -> list[str]:
        return percent(self.column_widths)

    @property
    def groups(self) -> list[list[GridRow]]:
        """Rows cut where a 一级 span starts: each group is one <tbody> that pages keep whole."""
        groups: list[list[GridRow]] = []
        if self.band:  # the band's cell spans its rows: they stay one group
            for row in self.rows:
                if not groups or (row.band is not None and row.band.starts):
                    groups.append([])
                groups[-1].append(row)
            return groups
        for row in self.rows:
            if not groups or row.level1.rows != 0:
                if not groups or row.level1.rows > 1 or groups[-1][0].level1.rows > 1:
                    groups.append([])
            groups[-1].append(row)
        return groups

    def with_rows(self, rows: list[Any]) -> TargetTable:
        table = replace(self, rows=tuple(rows))
        if self.header_band:  # the header's band cell reaches down to the first cut
            head = replace(self.columns[0], rows=table.band_rows)
            table = replace(table, columns=(head, *self.columns[1:]))
        return table


def label_chars(width: int) -> int:
    """Characters of 10.5 pt a column `width` thousandths of the table wide holds on a line (42
    a line, less the cell's margins): 5 for the default 一级 column, 7 for its 二级."""
    return max(1, int(width * 42 / 1000 - 0.8))


def shown_label(text: str, level: int, chars: int | None = None) -> str:
    """A 一级/二级 label with a line break before its final 指标 where the column would cut it.

    With `chars` characters a line (the default layout's LABEL_CHARS[level - 1]),
    `生态环境成本指标` would print as `生态环境成本指/标`; it prints as `生态环境成本` / `指标`
    instead. Other labels wrap by themselves.
    """
    chars = chars or LABEL_CHARS[level - 1]
    if len(text) > chars and text.endswith("指标") and (len(text) - 1) % chars == 0:
        return f"{text[:-2]}\n指标"
    return text


def _span(text: str, rows: int, level: int, chars: int | None = None) -> Span:
    shown = shown_label(text, level, chars)
    return Span(text, rows, None if shown == text else shown)


def scaled(widths: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """Relative widths as thousandths that add up to 1000 (the last takes what rounding left)."""
    total = sum(widths)
    out = [w * 1000 // total for w in widths]
    out[-1] += 1000 - sum(out)
    return tuple(out)


def grid_columns(layout: Layout, project: Project) -> list[tuple[Column, str]]:
    """The layout's grid columns for this project: `values` as one column per recipient
    (paired with the recipient), the others as they are (paired with "")."""
    out: list[tuple[Column, str]] = []
    for c in layout.columns:
        if c.field == "values":
            out += [(c, who) for who in project.recipients]
        else:
            out.append((c, ""))
    return out


def column_widths(layout: Layout, project: Project) -> tuple[int, ...]:
    """The grid's widths in thousandths: a `values` column's width shared by its recipients."""
    widths: list[int] = [layout.band.width * 100] if layout.band else []
    for c in layout.columns:
        if c.field == "values":
            n = len(project.recipients)
            widths += [max(1, c.width * 100 // n)] * n if n else []
        else:
            widths.append(c.width * 100)
    return scaled(widths)


def weight_text(weight: Decimal | None) -> str:
    """A 权重 as written without trailing zeros: 10.00 → 10."""
    if weight is None:
        return ""
    text = format(weight, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cell_text(column: Column, who: str, ind: Indicator | None) -> str:
    """What a grid column prints for an indicator (an empty row: nothing)."""
    if ind is None:
        return ""
    f = column.field
    if f == "name":
        return ind.name
    if f == "description":
        return ind.shown_description
    if f == "value":
        return ind.value
    if f == "period_value":
        return ind.period_value or ""
    if f in ("sign", "number", "unit"):
        return written_parts(ind.value)[("sign", "number", "unit").index(f)]
    if f == "weight":
        return weight_text(ind.weight)
    if f == "values":
        return ind.values.get(who, "")
    return ind.extra.get(column.key, "")


def grid(project: Project, merge: str, layout: Layout | None = None) -> list[GridRow]:
    """The indicator rows in their printed order, with 一级/二级 spans as the book's `merge`
    setting asks (a span runs over consecutive rows of one 一级, of one 二级)."""
    layout = layout_of(layout)
    columns = grid_columns(layout, project)[2:]
    shift = 1 if layout.band else 0
    chars = [label_chars(w) for w in column_widths(layout, project)[shift:shift + 2]]
    printed = list(project.printed())
    rows: list[GridRow] = []
    for i, (l1, l2, ind) in enumerate(printed):
        first1 = i == 0 or printed[i - 1][0] is not l1
        first2 = first1 or printed[i - 1][1] is not l2
        if merge == "none":
            s1, s2 = _span(l1.name, 1, 1, chars[0]), _span(l2.name, 1, 2, chars[1])
        else:
            s1 = _span(l1.name, _run(printed, i, 0) if first1 else 0, 1, chars[0])
            if merge == "level1+level2":
                s2 = _span(l2.name, _run(printed, i, 1) if first2 else 0, 2, chars[1])
            else:
                s2 = _span(l2.name, 1, 2, chars[1])
        cells = tuple(TableCell(cell_text(c, who, ind), k + 2 + shift,
                                role="value" if c.field in FIGURES else "text")
                      for k, (c, who) in enumerate(columns))
        band = None if layout.band is None else Span(
            layout.band.text, 0 if i else len(printed),
            layout.band.shown if layout.band.shown != layout.band.text else None)
        rows.append(GridRow(s1, s2, ind.name if ind else "", ind.shown_description if ind else "",
                            ind.value if ind else "", len(rows) + 1, cells, band))
    return rows


def _run(printed: list[tuple[Level1, Level2, Indicator | None]], start: int, level: int) -> int:
    """How many rows from `start` on print under the same 一级 (level 0) or 二级 (level 1)."""
    n = 1
    while start + n < len(printed) and printed[start + n][level] is printed[start][level]:
        n += 1
    return n


def agency_label(agency: Agency, layout: Layout | None = None, book: Book | None = None) -> str:
    """The agency as the line above its tables and the 目录 print it: `610101天津市知识产权局`
    (the layout's `agency`; without a code, what stands between the code and the next name is
    left out with it: `{code}-{name}` prints `区疾控中心`)."""
    text = layout_of(layout).agency
    if not agency.code:
        text = re.sub(r"\{code\}[^{}]*", "", text)
    department = (agency.department or (book.author if book else "")) or agency.name
    return (text.replace("{code}", agency.code).replace("{department}", department)
            .replace("{name}", agency.name))


def below_line(agency: Agency, layout: Layout, book: Book) -> str:
    """The line under the table (`填表人：宋云花　联系电话：…`): the layout's `below`, the
    agency's fields filled in (an empty one left blank, to be filled in by hand)."""
    if not layout.below:
        return ""
    department = (agency.department or book.author) or agency.name
    return (layout.below.replace("{code}", agency.code).replace("{department}", department)
            .replace("{name}", agency.name).replace("{contact}", agency.contact or "")
            .replace("{phone}", agency.phone or ""))


def budget_cells(project: Project, places: int = 2) -> list[str]:
    """The 预算规模 row after its label: 预算数, amount, 财政资金, amount, 其他资金, amount."""
    b = project.budget
    return ["预算数", format_amount(b.total, places), "其中：财政资金", format_amount(b.fiscal, places),
            "其他资金", format_amount(b.other, places)]


def numbered(goals: list[str], numbers: str = "always") -> list[str]:
    """Goals numbered `1.` `2.` … (always, only when several, or never)."""
    if numbers == "never" or (numbers == "several" and len(goals) < 2):
        return list(goals)
    return [f"{i}.{goal}" for i, goal in enumerate(goals, 1)]


def numbered_goals(project: Project) -> list[str]:
    """The 绩效目标 paragraphs, numbered `1.` `2.` …"""
    return numbered(project.goals)


def head_cells(book: Book, agency: Agency, project: Project, part: str = "head"
               ) -> list[list[TableCell]]:
    """The rows above the grid (or below it: `part` foot) as the layout lays them out for this
    project: a row whose `when` field the project leaves empty is left out (a cell reaching
    into it is shorter), and a cell covered by one above stands where it is covered, with
    rows 0."""
    layout = layout_of(book.layout)
    head = layout.head if part == "head" else layout.foot
    widths = layout.head_widths if part == "head" else layout.foot_widths
    kept = [not row.when or _filled(book, agency, project, row.when) for row in head]
    out: list[list[TableCell]] = []
    below: dict[int, TableCell] = {}  # column → the cell reaching down over it
    left: dict[int, int] = {}  # column → how many more rows it covers
    for r, row in enumerate(head):
        covered = {c: below[c] for c, n in left.items() if n > 0}
        left = {c: n - 1 for c, n in left.items() if n > 1}
        if not kept[r]:
            continue
        cells: list[TableCell] = []
        column = 0
        source = iter(row.cells)
        width = len(widths)
        while column < width:
            if column in covered:
                over = covered[column]
                cells.append(TableCell("", column, over.span, 0))
                column += over.span
                continue
            cell = next(source)
            rows = sum(1 for k in range(r, r + cell.rows) if kept[k])
            made = _head_cell(book, agency, project, cell, column, rows)
            cells.append(made)
            if cell.rows > 1:
                for k in range(column, column + cell.span):
                    below[k] = made
                    left[k] = cell.rows - 1
            column += cell.span
        out.append(cells)
    return out


def _filled(book: Book, agency: Agency, project: Project, field: str) -> bool:
    return bool(_field_text(book, agency, project, field)[0])


def _field_text(book: Book, agency: Agency, project: Project,
                field: str) -> tuple[str, tuple[str, ...], Decimal | None]:
    """A head field's text, its paragraphs (goals) and its amount."""
    layout = layout_of(book.layout)
    if field in AMOUNT_FIELDS:
        amount = getattr(project.budget, field)
        return format_amount(amount, book.decimals, layout.thousands), (), amount
    if field in PARAGRAPH_FIELDS:
        goals = tuple(numbered(getattr(project, field), layout.numbers))
        return "\n".join(goals), goals, None
    text = {"name": project.name, "usage": project.usage, "period": project.period or "",
            "code": agency.code, "agency": agency.name,
            "department": agency.department or book.author, "contact": agency.contact or "",
            "phone": agency.phone or ""}[field]
    return text, (), None


def _head_cell(book: Book, agency: Agency, project: Project, cell: HeadCell, column: int,
               rows: int) -> TableCell:
    if cell.fixed is not None:
        return TableCell(cell.fixed, column, cell.span, rows,
                         "left" if cell.align == "left" else "text")
    if not cell.field:
        pieces = tuple(p.replace("{money_unit}", book.money_unit) for p in cell.label)
        return TableCell("".join(pieces), column, cell.span, rows, "label",
                         pieces=pieces if len(pieces) > 1 else ())
    text, paragraphs, amount = _field_text(book, agency, project, cell.field)
    role = "left" if cell.align == "left" else "amount" if cell.field in AMOUNT_FIELDS else "text"
    return TableCell(text, column, cell.span, rows, role, paragraphs, amount=amount)


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
    layout = layout_of(book.layout)
    columns = grid_columns(layout, project)
    rows = tuple(grid(project, book.merge, layout))
    band = layout.band
    shift = 1 if band else 0
    header = [GridColumn(who or c.label, k + shift, "value" if c.field in FIGURES else "text")
              for k, (c, who) in enumerate(columns)]
    if band is not None:  # the band's cell in the header row: its label over the rows, or empty
        over = band.over == "all"
        header.insert(0, GridColumn(band.shown if over else "", 0, "band",
                                    rows=1 + len(rows) if over and rows else 1))
    return TargetTable(
        number=number, heading=book.heading(number, project),
        heading_lines=tuple(heading_lines(book.heading(number, project))),
        agency=agency_label(agency, layout, book),
        unit=layout.unit.replace("{money_unit}", book.money_unit), name=project.name,
        head=tuple(tuple(r) for r in head_cells(book, agency, project)),
        head_widths=scaled(layout.head_widths),
        columns=tuple(header), column_widths=column_widths(layout, project), rows=rows,
        bookmark=bookmark, file=project_path(book, number, project, "")[:-1],
        keep=book.merge != "none", places=book.decimals, thousands=layout.thousands,
        band=band.text if band else "", band_over=band.over if band else "all",
        foot=tuple(tuple(r) for r in head_cells(book, agency, project, "foot")),
        foot_widths=scaled(layout.foot_widths) if layout.foot_widths else (),
        below=below_line(agency, layout, book), number_text=file_number(book, number))


def table_rows(book: Book, number: int, agency: Agency, project: Project) -> list[list[str]]:
    """The whole table as rows of cell texts, the way a plain-text dump of the DOCX shows it
    (a covered cell empty, a cell over several columns one cell).

    Golden tests compare every engine's output with this and with the seed dumps.
    """
    t = table(book, number, agency, project)
    rows = [[t.agency, t.unit]]
    rows += [[c.text for c in r] for r in t.head]
    rows.append([c.label for c in t.columns])
    rows.extend(r.texts(t.header_band and i == 0) for i, r in enumerate(t.rows))
    rows += [[c.text for c in r] for r in t.foot]
    if t.below:
        rows.append([t.below])
    return rows


# -- the sheet --------------------------------------------------------------------------------

def sheet_edges(head: tuple[int, ...], grid_widths: tuple[int, ...],
                foot: tuple[int, ...] = ()) -> list[int]:
    """The XLSX columns' edges: every edge of the head table, of the indicator grid and of the
    rows below it."""
    return sorted(set(edges(head)) | set(edges(grid_widths)) | (set(edges(foot)) if foot else set()))


def sheet_span(widths: tuple[int, ...], column: int, cuts: list[int],
               span: int = 1) -> tuple[int, int]:
    """The first and last XLSX column (1-based) that a table's column (and the `span - 1`
    after it) covers."""
    ends = edges(widths)
    return cuts.index(ends[column]) + 1, cuts.index(ends[column + span])


def sheet_title(t: TargetTable, number_text: str) -> str:
    """`01-项目名称…`: at most 31 characters, none that Excel refuses."""
    return (f"{number_text}-" + re.sub(r"[\[\]:*?/\\]", "_", t.name))[:31]


def amount_format(places: int, thousands: bool) -> str:
    """The number format of an amount cell: `0.00`, `#,##0.00`, `0.0000`…"""
    return ("#,##0" if thousands else "0") + ("." + "0" * places if places else "")


def head_sheet_cells(t: TargetTable, rows: tuple[tuple[TableCell, ...], ...],
                     widths: tuple[int, ...], cuts: list[int], top: int) -> list[Cell]:
    """The sheet cells of the rows above (or below) the grid, from sheet row `top`."""
    cells = []
    for r, row in enumerate(rows, top):
        for c in row:
            if c.covered:
                continue
            columns = sheet_span(widths, c.column, cuts, c.span)
            if c.role == "label":
                cells.append(Cell(r, columns, c.text, rows=c.rows, style="label"))
            elif c.role == "amount":
                cells.append(Cell(r, columns, c.amount, rows=c.rows,
                                  number_format=amount_format(t.places, t.thousands)))
            else:
                cells.append(Cell(r, columns, c.text, rows=c.rows,
                                  align="left" if c.role == "left" else "center"))
    return cells


def table_sheet(t: TargetTable, number_text: str) -> Sheet:
    """One table in its layout: merged cells, borders, widths, A4 print setup."""
    cuts = sheet_edges(t.head_widths, t.column_widths, t.foot_widths)
    ncols = len(cuts) - 1
    whole = (1, ncols)
    unit = sheet_span(t.column_widths, len(t.column_widths) - 1, cuts)
    cells = [
        Cell(1, whole, t.heading, style="title", size=14.0),
        Cell(2, (1, unit[0] - 1), t.agency, align="left"),
        Cell(2, unit, t.unit, align="right"),
    ]
    cells += head_sheet_cells(t, t.head, t.head_widths, cuts, 3)
    header = 3 + len(t.head)
    # The band's cell over the header is placed with the rows (it reaches down to a page cut).
    cells += [Cell(header, sheet_span(t.column_widths, c.column, cuts), c.label, style="label")
              for c in t.columns if not (c.role == "band" and t.header_band)]
    first = header + 1
    widths = [round((PAGE_PX * (b - a) / 1000 - 5) / 7, 2) for a, b in zip(cuts, cuts[1:],
                                                                           strict=False)]

    def place(r: int, row: GridRow) -> list[Cell]:
        out = []
        if row.band is not None and row.band.starts:
            top = r - 1 if r == first and t.header_band else r
            out.append(Cell(top, sheet_span(t.column_widths, 0, cuts), row.band.label,
                            rows=row.band.rows + r - top, style="label"))
        if row.level1.starts:
            out.append(Cell(r, sheet_span(t.column_widths, t.shift, cuts), row.level1.label,
                            rows=row.level1.rows))
        if row.level2.starts:
            out.append(Cell(r, sheet_span(t.column_widths, t.shift + 1, cuts), row.level2.label,
                            rows=row.level2.rows))
        out += [Cell(r, sheet_span(t.column_widths, c.column, cuts), c.text) for c in row.cells]
        return out

    def after(top: int) -> list[Cell]:
        """The rows below the grid from sheet row `top`, then the line under the table."""
        out = head_sheet_cells(t, t.foot, t.foot_widths, cuts, top)
        if t.below:
            out.append(Cell(top + len(t.foot), whole, t.below, align="left"))
        return out

    def span_px(first: int, last: int) -> float:
        return PAGE_PX * (cuts[last] - cuts[first - 1]) / 1000

    return Sheet(
        title=sheet_title(t, number_text), widths=widths, cells=cells,
        boxes=[(3, header - 1)] if t.head else [],
        grid=SheetGrid(first=first, header=header, rows=t.rows, place=place),
        after=after if t.foot or t.below else None, after_box=len(t.foot),
        grid_box_from=header, print_titles="" if t.header_band else f"{header}:{header}",
        orientation="portrait",
        margins_mm=(28, 26, 37, 35), span_px=span_px)


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
    items = tuple(tuple(_import_row(project, l1, l2, ind) for l1, l2, ind in project.rows())
                  for _, _, project in book.numbered())  # a block a project
    return Sheet(title=IMPORT_SHEET, widths=widths, cells=cells, boxes=[], listing=True,
                 print_titles="1:1", orientation="landscape", freeze="A2", items=items)


def _import_row(project: Project, l1: Level1, l2: Level2, ind: Indicator) -> tuple[str, ...]:
    s = split_value(ind.value)
    return (project.name, l1.name, l2.name, ind.name, ind.shown_description, s.sign, s.number,
            s.unit)


class TargetsDocument(Document):
    """A book's 项目支出绩效目标表: cover, 目录, one table per project, grouped by agency."""

    def __init__(self, book: Book):
        marks = bookmarks(book)
        groups: list[Group] = []
        last: Agency | None = None
        for number, agency, project in book.numbered():
            if agency is not last:
                groups.append(Group(agency_label(agency, book.layout, book), []))
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
        return ["".join(c.text for c in r.cells) for r in t.rows]

    def sheet(self, t: Any) -> Sheet:
        return table_sheet(t, t.number_text)

    def extra_sheets(self) -> list[Sheet]:
        return [import_sheet(self.book)]

    def docx_widths(self) -> list[tuple[str, tuple[int, ...]]]:
        """The template's table repeating `t.head`'s rows takes the head's widths, the one with
        `r.level1` the grid's (a template of before layouts: `t.total` marks its budget table)."""
        layout = layout_of(self.book.layout)
        head = scaled(layout.head_widths)
        band = [layout.band.width] if layout.band else []
        return [(HEAD_MARKER, head), ("t.total", head),
                ("r.level1", scaled([*band, *(c.width for c in layout.columns)])),
                (FOOT_MARKER, scaled(layout.foot_widths) if layout.foot_widths else head)]

    def docx_table_widths(self, t: Any) -> list[tuple[str, tuple[int, ...]]]:
        return [(HEAD_MARKER, t.head_widths), ("t.total", t.head_widths),
                ("r.level1", t.column_widths), (FOOT_MARKER, t.foot_widths or t.head_widths)]

    def docx_missing(self, t: Any, block: str) -> str:
        """Rows below the grid, a line under the table or a band that the template has no place
        for (they would be lost in silence)."""
        parts = (("指标表下的行（版式的 foot，模板中 {%tr for row in t.foot %} 的表）", t.foot, "t.foot"),
                 ("表外的一行（版式的 below，模板中 {{ t.below }}）", t.below, "t.below"),
                 ("贯通的一列（版式的 band，按模板中 {{ r.level1 }} 所在的单元格画出；那个单元格中"
                  "不能有 {% %} 标签）", t.band, "r.band_cell"))
        missing = [what for what, has, marker in parts if has and marker not in block]
        return "、".join(missing)

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
            "label": agency_label(agency, book.layout, book), "count": len(agency.projects),
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
