"""XLSX output: one sheet per table in the official layout, and a `指标导入` sheet whose rows the
budget-management system (预算管理一体化系统) imports: each value split into sign, number and unit.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from .build import RenderContext
from .layout import (
    BUDGET_WIDTHS,
    GRID_HEADER,
    GRID_WIDTHS,
    GridRow,
    book_path,
    budget_cells,
    file_number,
    grid,
    numbered_goals,
    sheet_edges,
    sheet_span,
    shown_label,
    split_spans,
    text_width,
)
from .model import Agency, Book, Project

CORE_XML = "docProps/core.xml"
IMPORT_SHEET = "指标导入"
IMPORT_HEADER = ("项目名称", "一级指标", "二级指标", "三级指标", "绩效指标描述", "计算符号", "指标值",
                 "计量单位")
QUALITATIVE = "定性"
NO_UNIT = "—"
SIGNS = {"≥": "≥", "≤": "≤", "＝": "＝", "=": "＝", "<": "<", ">": ">", "＜": "<", "＞": ">"}
QUANTITY = re.compile(r"^\s*(≥|≤|＝|=|<|>|＜|＞)?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                      r"\s*([^\d\s][^\d]*)?\s*$")
# The table is as wide as A4's printable width (156 mm at 96 px an inch), so that it prints at
# about 100 %; rows are as high as their wrapped text (Calc and Excel do not grow merged cells).
PAGE_PX = 590
FONT_SIZE = 10.5
HEADING_SIZE = 14.0
LINE = 1.45  # line height of a CJK font, in font sizes
CELL_PAD_PX = 3
CELL_PAD_PT = 3.0
MIN_ROW_PT = 20.0
MAX_ROW_PT = 409.0  # Excel's limit
# A4's printable height (297 mm less 37 and 35 mm of margins) less a tenth: Calc's and Excel's
# fonts set Chinese a little wider than the estimate.
PAGE_PT = 0.9 * (297 - 37 - 35) / 25.4 * 72
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
BOLD = Font(name="黑体", bold=False, size=FONT_SIZE)
BODY = Font(name="宋体", size=FONT_SIZE)


@dataclass(frozen=True)
class Split:
    """A value as the budget system takes it."""

    sign: str
    number: str
    unit: str


def split_value(value: str) -> Split:
    """`≥98%` → ≥ | 98 | %; `≤40万元` → ≤ | 40 | 万元; `4个` → ＝ | 4 | 个; `有效提升` → 定性."""
    m = QUANTITY.match(value)
    if m is None:
        return Split(QUALITATIVE, value.strip(), NO_UNIT)
    sign = SIGNS[m.group(1)] if m.group(1) else "＝"
    unit = (m.group(3) or "").strip() or NO_UNIT
    return Split(sign, m.group(2).replace(",", ""), unit)


# Per workbook: (collection, style object) → its index. openpyxl hashes the whole style object
# at every assignment, which was most of the time of a table of thousands of rows.
_STYLE_IDS: WeakKeyDictionary[Workbook, dict[tuple[str, int], tuple[int, object]]] = \
    WeakKeyDictionary()
_STYLE_PARTS = {Font: ("_fonts", "fontId"), Alignment: ("_alignments", "alignmentId"),
                Border: ("_borders", "borderId")}


def _style(cell: Cell, *parts: Font | Alignment | Border) -> None:
    """Set a cell's font, alignment or border, each looked up once per workbook."""
    wb = cell.parent.parent
    ids = _STYLE_IDS.setdefault(wb, {})
    if not cell._style:
        cell._style = StyleArray()
    for part in parts:
        collection, key = _STYLE_PARTS[type(part)]
        known = ids.get((collection, id(part)))
        if known is None:  # the object is kept with its index: its id cannot be reused
            known = ids[collection, id(part)] = (getattr(wb, collection).add(part), part)
        setattr(cell._style, key, known[0])


def _box(ws: Worksheet, cell_range: str) -> None:
    for row in ws[cell_range]:
        for cell in row:
            _style(cell, BOX)


def _merge(ws: Worksheet, ref: str) -> None:
    """Merge a range whose cells already have their final style (borders are drawn first).

    `ws.merge_cells` scans every earlier merge for overlap and re-derives the edge borders,
    hashing each: quadratic, then minutes, for a table of thousands of rows. The layout's merges
    never overlap, so each covered cell becomes a MergedCell that keeps its style.
    """
    cells = CellRange(ref)
    ws.merged_cells.ranges.add(cells)
    for row, col in list(cells.cells)[1:]:
        old = ws._cells.get((row, col))
        merged = MergedCell(ws, row, col)
        if old is not None and old.has_style:
            merged._style = copy(old._style)
        ws._cells[row, col] = merged


def _literal(cell: Cell, value: str) -> None:
    """Text as a literal string: `=1+1`, `+5`, `-x` or `@f` never becomes a formula."""
    cell.value = value
    cell.data_type = "s"


def _put(ws: Worksheet, ref: str, value: str, *, bold: bool = False, left: bool = False) -> None:
    """A literal text cell in the body font (the 自评表 sheets place their cells by reference)."""
    cell = ws[ref]
    _literal(cell, value)
    _style(cell, BOLD if bold else BODY, LEFT if left else CENTER)


def sheet_title(book: Book, number: int, project: Project, taken: set[str]) -> str:
    """`01-项目名称…`: at most 31 characters, none that Excel refuses, unique in the book."""
    title = f"{file_number(book, number)}-" + re.sub(r"[\[\]:*?/\\]", "_", project.name)
    title = title[:31]
    while title in taken:
        title = title[:28] + f"~{len(taken)}"
    taken.add(title)
    return title


def line_count(text: str, chars: float) -> int:
    """How many lines wrapped text takes in a cell `chars` characters wide."""
    return sum(max(1, math.ceil(text_width(line) / chars)) for line in text.split("\n"))


class _Table:
    """A sheet being filled: cells placed over the shared columns, row heights from their text."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.cuts = sheet_edges()
        self.need: dict[int, float] = {}
        self.merges: list[str] = []
        for i, (a, b) in enumerate(zip(self.cuts, self.cuts[1:], strict=False), 1):
            ws.column_dimensions[get_column_letter(i)].width = round((PAGE_PX * (b - a) / 1000 - 5)
                                                                     / 7, 2)

    def put(self, row: int, columns: tuple[int, int], value: str | Decimal | None, *,
            rows: int = 1, bold: bool = False, left: bool = False, size: float = FONT_SIZE) -> Cell:
        """A cell over sheet columns `columns` (first, last) and `rows` rows, merged when more."""
        first, last = columns
        cell = self.ws.cell(row, first)
        if isinstance(value, Decimal):
            cell.value = value
            cell.number_format = "0.00"
        elif value is not None:
            _literal(cell, value)
        _style(cell, BOLD if bold else BODY, LEFT if left else CENTER)
        if last > first or rows > 1:
            self.merges.append(f"{get_column_letter(first)}{row}:{get_column_letter(last)}"
                               f"{row + rows - 1}")
        if isinstance(value, str) and value:
            height = self.height(value, columns, size)
            last_row = row + rows - 1  # a merged cell's extra height goes to its last row
            spread = sum(self.need.get(r, 0) for r in range(row, last_row))
            self.need[last_row] = max(self.need.get(last_row, 0), height - spread)
        return cell

    def height(self, text: str, columns: tuple[int, int], size: float = FONT_SIZE) -> float:
        """The height in points that wrapped text needs in a cell over `columns`."""
        px = PAGE_PX * (self.cuts[columns[1]] - self.cuts[columns[0] - 1]) / 1000 - 2 * CELL_PAD_PX
        return line_count(text, px / (size * 96 / 72)) * size * LINE + 2 * CELL_PAD_PT

    def row_height(self, row: GridRow) -> float:
        """A grid row's height from its own cells (a label over several rows counts there)."""
        cells = [(row.name, 2), (row.description, 3), (row.value, 4)]
        cells += [(shown_label(span.text, level), level - 1)
                  for level, span in ((1, row.level1), (2, row.level2)) if span.rows == 1]
        return max(MIN_ROW_PT, *(self.height(text, sheet_span(GRID_WIDTHS, col))
                                 for text, col in cells if text))

    def finish(self, last_row: int) -> None:
        for row in range(1, last_row + 1):
            self.ws.row_dimensions[row].height = min(MAX_ROW_PT,
                                                     max(MIN_ROW_PT, round(self.need.get(row, 0), 1)))
        for cell_range in self.merges:  # after the values: a merged cell's others are read-only
            _merge(self.ws, cell_range)


def page_starts(heights: list[float], rows: list[GridRow], top: float, header: float) -> set[int]:
    """Grid rows (indexes) that start a page when the sheet prints: a 一级 group that fits on a
    page moves to the next one whole; a longer one, or the first (which stays with the grid's
    header, as in the PDF), is cut where the page is full."""
    starts: set[int] = set()
    used = top
    i = 0
    while i < len(rows):
        n = max(rows[i].level1.rows, 1)
        group = sum(heights[i:i + n])
        if used + group <= PAGE_PT:
            used += group
        elif header + group <= PAGE_PT and i > 0:  # the first stays with the header
            starts.add(i)
            used = header + group
        else:
            for k in range(i, i + n):
                if used + heights[k] > PAGE_PT and used > header:
                    starts.add(k)
                    used = header
                used += heights[k]
        i += n
    return starts


def table_sheet(ws: Worksheet, book: Book, number: int, agency: Agency, project: Project) -> None:
    """One table in the official layout: merged cells, borders, widths, A4 print setup.

    The sheet's columns are the union of the budget table's and the indicator grid's column
    edges (layout.sheet_edges), so both keep the widths they have in the PDF and the DOCX.
    """
    t = _Table(ws)
    ncols = len(t.cuts) - 1
    whole = (1, ncols)

    def b(i: int, j: int | None = None) -> tuple[int, int]:
        return sheet_span(BUDGET_WIDTHS, i)[0], sheet_span(BUDGET_WIDTHS, i if j is None else j)[1]

    def g(i: int) -> tuple[int, int]:
        return sheet_span(GRID_WIDTHS, i)

    t.put(1, whole, book.heading(number, project), bold=True, size=HEADING_SIZE)
    ws["A1"].font = Font(name="黑体", size=HEADING_SIZE)
    unit = g(len(GRID_WIDTHS) - 1)
    t.put(2, (1, unit[0] - 1), f"{agency.code}{agency.name}", left=True)
    t.put(2, unit, f"单位：{book.money_unit}").alignment = Alignment(horizontal="right",
                                                                    vertical="center")
    t.put(3, b(0), "项目名称", bold=True)
    t.put(3, b(1, 6), project.name)
    t.put(4, b(0), "预算规模及资金用途", rows=2, bold=True)
    budget = project.budget
    labels = budget_cells(project)[0::2]
    for i, (label, amount) in enumerate(zip(labels, (budget.total, budget.fiscal, budget.other),
                                            strict=True)):
        t.put(4, b(1 + 2 * i), label, bold=True)
        t.put(4, b(2 + 2 * i), amount)
    t.put(5, b(1, 6), project.usage, left=True)
    t.put(6, b(0), "绩效目标", bold=True)
    t.put(6, b(1, 6), "\n".join(numbered_goals(project)), left=True)
    _box(ws, f"A3:{get_column_letter(ncols)}6")
    for i, text in enumerate(GRID_HEADER):
        t.put(7, g(i), text, bold=True)
    first = 8
    rows = grid(project, book.merge)
    top = sum(max(MIN_ROW_PT, t.need.get(r, 0)) for r in range(1, first))
    starts = page_starts([t.row_height(row) for row in rows], rows, top,
                         max(MIN_ROW_PT, t.need.get(first - 1, 0)))
    rows = split_spans(rows, starts)
    for start in sorted(starts):
        ws.row_breaks.append(Break(id=first + start - 1))
    for i, row in enumerate(rows):
        r = first + i
        if row.level1.starts:
            t.put(r, g(0), shown_label(row.level1.text, 1), rows=row.level1.rows)
        if row.level2.starts:
            t.put(r, g(1), shown_label(row.level2.text, 2), rows=row.level2.rows)
        t.put(r, g(2), row.name)
        t.put(r, g(3), row.description)
        t.put(r, g(4), row.value)
    last = first + len(rows) - 1
    _box(ws, f"A7:{get_column_letter(ncols)}{max(last, 7)}")
    t.finish(max(last, 7))
    print_setup(ws, "7:7", "portrait")
    ws.page_margins.left, ws.page_margins.right = 28 / 25.4, 26 / 25.4
    ws.page_margins.top, ws.page_margins.bottom = 37 / 25.4, 35 / 25.4


def print_setup(ws: Worksheet, titles: str, orientation: str) -> None:
    """A4, as wide as the page (pages as long as they come), the `titles` rows on every page."""
    ws.print_title_rows = titles
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def import_sheet(ws: Worksheet, book: Book) -> None:
    """One row per indicator in the columns budget systems import."""
    widths = (30, 12, 18, 30, 30, 10, 16, 10)
    # Characters of the default 11 pt font a column holds (7 px a width unit, 14.7 px a character).
    chars = [(w * 7 + 5 - 2 * CELL_PAD_PX) / (11 * 96 / 72) for w in widths]
    ws.append(list(IMPORT_HEADER))
    row = 1
    for _, _, project in book.numbered():
        for l1, l2, ind in project.rows():
            s = split_value(ind.value)
            row += 1
            texts = (project.name, l1.name, l2.name, ind.name, ind.shown_description, s.sign,
                     s.number, s.unit)
            for col, text in enumerate(texts, 1):
                cell = ws.cell(row, col)
                _literal(cell, text)
                _style(cell, WRAP)
            lines = max(line_count(t, c) for t, c in zip(texts, chars, strict=True))
            # Long names wrap rather than run into the next cell; a CJK line needs more than
            # the default row height.
            ws.row_dimensions[row].height = min(MAX_ROW_PT, lines * 11 * LINE + 2 * CELL_PAD_PT)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    print_setup(ws, "1:1", "landscape")


def workbook(book: Book, tick: Callable[[int], None] = lambda n: None) -> bytes:
    """The workbook's bytes, identical for identical input (no clock in it)."""
    wb = Workbook()
    default = wb.active
    taken: set[str] = set()
    for number, agency, project in book.numbered():
        table_sheet(wb.create_sheet(sheet_title(book, number, project, taken)), book, number, agency,
                    project)
        tick(1)
    import_sheet(wb.create_sheet(IMPORT_SHEET), book)
    wb.remove(default)
    return workbook_bytes(wb, book, book.title)


def workbook_bytes(wb: Workbook, book: Book, title: str) -> bytes:
    """A workbook's bytes with the book's author and date: identical for identical input."""
    stamp = book.timestamp.replace(tzinfo=None)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = book.author
    wb.properties.lastModifiedBy = book.author
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    # save() stamps properties.modified with the clock; core.xml is written again from ours.
    wb.properties.modified = stamp
    return _fixed_zip(buf.getvalue(), book, tostring(wb.properties.to_tree()))


def _fixed_zip(data: bytes, book: Book, core: bytes) -> bytes:
    """The same entries with a fixed date each, and docProps/core.xml without the clock."""
    out = io.BytesIO()
    date = (max(book.timestamp.year, 1980), 1, 1, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, core if name == CORE_XML else src.read(name))
    return out.getvalue()


def render(book: Book, ctx: RenderContext) -> dict[str, bytes]:
    """`<book>/<book>.xlsx`."""
    return {book_path(book, "xlsx"): workbook(book, ctx.tick)}
