"""XLSX: one sheet per table, as the kind lays it out (`document.Sheet`), and the kind's extra
sheets (the target tables' `指标导入`). Merged cells, borders, row heights from the wrapped
text, page breaks that split a 一级/二级 group with its label repeated, A4 print setup.

Each sheet is drawn alone in a workbook of its own and kept in the build cache as a part
(`xlsx_join`); the workbook is joined from the parts, so after an edit only the edited
tables' sheets are drawn again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from copy import copy
from dataclasses import fields, replace
from decimal import Decimal
from functools import partial
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from lxml import etree
from openpyxl import LXML, Workbook
from openpyxl.cell.cell import Cell as XCell
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..cache import Cache, digest, versions
from ..document import (
    Cell,
    Document,
    Item,
    Sheet,
    Spanned,
    item_cells,
    listing_cells,
    split_spans,
    text_width,
)
from .context import RenderContext
from .xlsx_join import SheetPart, cut, join, stack

log = logging.getLogger("tablegen")
FONT_SIZE = 10.5
LINE = 1.45  # line height of a CJK font, in font sizes
CELL_PAD_PX = 3
CELL_PAD_PT = 3.0
MIN_ROW_PT = 20.0
MAX_ROW_PT = 409.0  # Excel's limit
LISTING_FONT = 11.0  # the default font of a sheet without styles
RUN = 32  # a listing's rows are drawn and cached in runs of about this many
MAX_RUN = 4 * RUN
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

# Per workbook: (collection, style object) → its index. openpyxl hashes the whole style object
# at every assignment, which was most of the time of a table of thousands of rows.
_STYLE_IDS: WeakKeyDictionary[Workbook, dict[tuple[str, int], tuple[int, object]]] = \
    WeakKeyDictionary()
_STYLE_PARTS = {Font: ("_fonts", "fontId"), Alignment: ("_alignments", "alignmentId"),
                Border: ("_borders", "borderId")}


def _style(cell: XCell, *parts: Font | Alignment | Border) -> None:
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
    hashing each: quadratic, then minutes, for a table of thousands of rows. A layout's merges
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


def _literal(cell: XCell, value: str) -> None:
    """Text as a literal string: `=1+1`, `+5`, `-x` or `@f` never becomes a formula."""
    cell.value = value
    cell.data_type = "s"


def line_count(text: str, chars: float) -> int:
    """How many lines wrapped text takes in a cell `chars` characters wide."""
    return sum(max(1, math.ceil(text_width(line) / chars)) for line in text.split("\n"))


class _Placer:
    """A sheet being filled: cells placed, row heights from their text, merges at the end."""

    def __init__(self, ws: Worksheet, sheet: Sheet):
        self.ws = ws
        self.sheet = sheet
        self.need: dict[int, float] = {}
        self.merges: list[str] = []
        for i, width in enumerate(sheet.widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width

    def span_px(self, columns: tuple[int, int]) -> float:
        if self.sheet.span_px is not None:
            return self.sheet.span_px(*columns)
        return sum(w * 7 + 5 for w in self.sheet.widths[columns[0] - 1:columns[1]])

    def height(self, text: str, columns: tuple[int, int], size: float = FONT_SIZE) -> float:
        """The height in points that wrapped text needs in a cell over `columns`."""
        px = self.span_px(columns) - 2 * CELL_PAD_PX
        return line_count(text, px / (size * 96 / 72)) * size * LINE + 2 * CELL_PAD_PT

    def put(self, c: Cell) -> None:
        """A cell over its columns and rows, merged when more than one."""
        first, last = c.columns
        cell = self.ws.cell(c.row, first)
        if isinstance(c.value, Decimal):
            cell.value = c.value
            cell.number_format = c.number_format or "0.00"
        elif c.value is not None:
            _literal(cell, c.value)
        _style(cell, BODY if c.style == "body" else BOLD, LEFT if c.align == "left" else CENTER)
        if c.style == "title":
            cell.font = Font(name="黑体", size=c.size or FONT_SIZE)
        if c.align == "right":
            cell.alignment = Alignment(horizontal="right", vertical="center")
        if last > first or c.rows > 1:
            self.merges.append(f"{get_column_letter(first)}{c.row}:{get_column_letter(last)}"
                               f"{c.row + c.rows - 1}")
        if isinstance(c.value, str) and c.value:
            height = self.height(c.value, c.columns, c.size or FONT_SIZE)
            last_row = c.row + c.rows - 1  # a merged cell's extra height goes to its last row
            spread = sum(self.need.get(r, 0) for r in range(c.row, last_row))
            self.need[last_row] = max(self.need.get(last_row, 0), height - spread)

    def row_height(self, cells: list[Cell]) -> float:
        """A grid row's height from its own cells (a label over several rows counts there)."""
        return max(MIN_ROW_PT, *(self.height(c.value, c.columns) for c in cells
                                 if c.rows == 1 and isinstance(c.value, str) and c.value))

    def box(self, first: int, last: int) -> None:
        _box(self.ws, f"A{first}:{get_column_letter(len(self.sheet.widths))}{last}")

    def finish(self, last_row: int) -> None:
        for row in range(1, last_row + 1):
            self.ws.row_dimensions[row].height = min(MAX_ROW_PT,
                                                     max(MIN_ROW_PT, round(self.need.get(row, 0), 1)))
        for cell_range in self.merges:  # after the values: a merged cell's others are read-only
            _merge(self.ws, cell_range)


def page_starts(heights: list[float], rows: list[Spanned], top: float, header: float) -> set[int]:
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


def table_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """One table: its cells, its grid split where printed pages start, borders, print setup."""
    p = _Placer(ws, sheet)
    for c in sheet.cells:
        p.put(c)
    for first, last in sheet.boxes:
        p.box(first, last)
    last = max([c.row + c.rows - 1 for c in sheet.cells], default=1)
    grid = sheet.grid
    if grid is not None:
        heights = [p.row_height(grid.place(grid.first + i, row)) for i, row in enumerate(grid.rows)]
        top = sum(max(MIN_ROW_PT, p.need.get(r, 0)) for r in range(1, grid.first))
        starts = page_starts(heights, list(grid.rows), top,
                             max(MIN_ROW_PT, p.need.get(grid.header, 0)))
        rows = split_spans(grid.rows, starts)
        for start in sorted(starts):
            ws.row_breaks.append(Break(id=grid.first + start - 1))
        for i, row in enumerate(rows):
            for c in grid.place(grid.first + i, row):
                p.put(c)
        grid_last = grid.first + len(rows) - 1
        if sheet.grid_box_from:
            p.box(sheet.grid_box_from, max(grid_last, sheet.grid_box_from))
        last = max(last, grid_last, grid.header)
        if sheet.after is not None:
            below = sheet.after(last + 1)
            for c in below:
                p.put(c)
            if sheet.after_box:
                p.box(last + 1, last + sheet.after_box)
            last = max([last, *(c.row + c.rows - 1 for c in below)])
    p.finish(last)
    print_setup(ws, sheet.print_titles, sheet.orientation)
    if sheet.margins_mm is not None:
        left, right, top_mm, bottom = sheet.margins_mm
        ws.page_margins.left, ws.page_margins.right = left / 25.4, right / 25.4
        ws.page_margins.top, ws.page_margins.bottom = top_mm / 25.4, bottom / 25.4


def listing_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """A plain list: a header row, then rows of wrapped text as high as their longest cell."""
    # Characters of the default 11 pt font a column holds (7 px a width unit, 14.7 px a character).
    chars = [(w * 7 + 5 - 2 * CELL_PAD_PX) / (LISTING_FONT * 96 / 72) for w in sheet.widths]
    rows: dict[int, list[Cell]] = {}
    for c in listing_cells(sheet):
        rows.setdefault(c.row, []).append(c)
    for r, cells in sorted(rows.items()):
        for c in cells:
            cell = ws.cell(r, c.columns[0])
            if r == 1:
                cell.value = c.value
                continue
            _literal(cell, str(c.value))
            _style(cell, WRAP)
        if r > 1:
            lines = max(line_count(str(c.value), chars[c.columns[0] - 1]) for c in cells)
            # Long names wrap rather than run into the next cell; a CJK line needs more than
            # the default row height.
            ws.row_dimensions[r].height = min(MAX_ROW_PT,
                                              lines * LISTING_FONT * LINE + 2 * CELL_PAD_PT)
    for i, width in enumerate(sheet.widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze
    print_setup(ws, sheet.print_titles, sheet.orientation)


def print_setup(ws: Worksheet, titles: str, orientation: str) -> None:
    """A4, as wide as the page (pages as long as they come), the `titles` rows on every page."""
    if titles:
        ws.print_title_rows = titles
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def draw(sheet: Sheet) -> SheetPart:
    """A sheet drawn alone in a workbook of its own, cut out as a part."""
    wb = Workbook()
    (listing_sheet if sheet.listing else table_sheet)(wb.active, sheet)
    return cut(wb.active, sheet.title)


def sheet_base() -> str:
    """What every sheet part's key starts with: tablegen's code and libraries, and the XML
    writer openpyxl uses (lxml, which versions() does not name, or its own)."""
    return digest(versions(), "xlsx-sheet", f"lxml={LXML and etree.__version__}")


def _part(store: Cache, key: str | None, make: Callable[[], SheetPart]) -> tuple[SheetPart, bool]:
    """A sheet's part from the cache, else made and kept there; whether it was made. A fresh
    part is read back from the bytes the cache keeps, so that it joins as a cached one would."""
    if key is not None:
        data = store.get("sheet", key)
        part = SheetPart.loads(data) if data is not None else None
        if part is not None:
            return part, False
    data = make().dumps()
    if key is not None:
        store.put("sheet", key, data)
    part = SheetPart.loads(data)
    assert part is not None, "a part reads back from its own bytes"
    return part, True


def _plain(sheet: Sheet) -> bool:
    """Whether a sheet is all data (no functions), so that its repr is its whole content."""
    return sheet.grid is None and sheet.after is None and sheet.span_px is None


_CELL_FIELDS = attrgetter(*(f.name for f in fields(Cell) if f.name != "row"))


Row = tuple[int, list[Cell], str]  # a listing's row: its number, its cells, `_row_text`


def runs(rows: list[Row]) -> list[list[Row]]:
    """A listing's rows cut into runs after each row whose digest ends in zero modulo `RUN`
    (at most `MAX_RUN` rows a run): where a run ends depends on its rows alone, so an edit,
    even one that adds or removes rows, changes only the runs around it."""
    out: list[list[Row]] = [[]]
    for row in rows:
        out[-1].append(row)
        if int(digest(row[2])[:8], 16) % RUN == 0 or len(out[-1]) == MAX_RUN:
            out.append([])
    return [run for run in out if run]


def _row_text(cells: list[Cell]) -> str:
    """A row's cells without the row's number."""
    return repr([_CELL_FIELDS(c) for c in cells])


def _draw_run(sheet: Sheet, run: list[Row]) -> SheetPart:
    """The listing with only the run's rows, where they are."""
    return draw(replace(sheet, cells=[c for _, cells, _ in run for c in cells]))


def _draw_table(doc: Document, table: Any) -> SheetPart:
    return draw(doc.sheet(table))


def _draw_items(sheet: Sheet, block: tuple[Item, ...]) -> SheetPart:
    """The listing with only a block of its items' rows, from its second row."""
    return draw(replace(sheet, cells=item_cells(block, 2), items=()))


def _blocks(store: Cache, base: str, sheet: Sheet) -> tuple[SheetPart, int, int]:
    """A listing given in blocks of items (`Sheet.items`): its header row (with the sheet's
    setup) and each block kept in the cache by its texts alone, whatever its place; only the
    blocks not kept are made into cells and drawn. How many pieces were drawn, of how many."""
    if {c.row for c in sheet.cells} != {1}:  # the items would not start at row 2
        return _whole(store, base, sheet)
    setup = repr(replace(sheet, cells=[], items=()))
    pieces: list[_Piece] = []
    row = 2
    for block in (b for b in sheet.items if b):
        key = digest(base, "items", setup,
                     *(text for texts in block for text in (str(len(texts)), *texts)))
        pieces.append((row, key, partial(_draw_items, sheet, block)))
        row += len(block)
    return _stacked(store, base, replace(sheet, items=()), pieces)


_Piece = tuple[int, str, Callable[[], SheetPart]]  # a listing's rows: first row, key, drawing


def _stacked(store: Cache, base: str, frame: Sheet,
             pieces: list[_Piece]) -> tuple[SheetPart, int, int]:
    """A listing stacked from its frame (its header row, with the sheet's setup) and pieces of
    its other rows, each through the cache whatever its place (each row of a listing is drawn
    from its own cells alone: a piece drawn elsewhere is moved to its first row); how many
    pieces were drawn, of how many."""
    part, made = _part(store, digest(base, "frame", repr(frame)), lambda: draw(frame))
    drawn = int(made)
    stacked = []
    for first, key, make in pieces:
        piece, made = _part(store, key, make)
        stacked.append((first, piece))
        drawn += made
    return stack(part, stacked), drawn, len(pieces) + 1


def _listing(store: Cache, base: str, sheet: Sheet) -> tuple[SheetPart, int, int]:
    """A listing's part (`_stacked`): its rows below the header in blocks (`_blocks`), or cut
    into runs, each kept in the cache under its content; how many pieces were drawn, of how
    many."""
    if sheet.items:
        return _blocks(store, base, sheet)
    by_row: dict[int, list[Cell]] = {}
    for c in sheet.cells:
        by_row.setdefault(c.row, []).append(c)
    if 1 not in by_row:  # the sheet's dimension would start at the header's row
        return _whole(store, base, sheet)
    frame = replace(sheet, cells=by_row.pop(1))
    setup = repr(replace(sheet, cells=[]))
    pieces: list[_Piece] = []
    for run in runs([(r, cells, _row_text(cells)) for r, cells in sorted(by_row.items())]):
        start = run[0][0]
        key = digest(base, "rows", setup, *(f"{r - start}:{text}" for r, _, text in run))
        pieces.append((start, key, partial(_draw_run, sheet, run)))
    return _stacked(store, base, frame, pieces)


def _whole(store: Cache, base: str, sheet: Sheet) -> tuple[SheetPart, int, int]:
    """A listing that cannot be stacked, drawn whole through the cache (one piece)."""
    part, made = _part(store, digest(base, "extra", repr(sheet)), lambda: draw(sheet))
    return part, int(made), 1


def _extra(store: Cache, base: str, sheet: Sheet, label: str) -> tuple[SheetPart, bool]:
    """An extra sheet's part: a listing in runs, another sheet of plain data whole, both
    through the cache; a sheet with functions (which a key cannot hash) drawn every time."""
    if not _plain(sheet):
        return _part(store, None, lambda: draw(sheet))
    if not sheet.listing:
        return _part(store, digest(base, "extra", repr(sheet)), lambda: draw(sheet))
    part, drawn, pieces = _listing(store, base, sheet)
    log.debug("XLSX %s：%s 的行分 %d 段，%d 段新生成", label, sheet.title, pieces, drawn)
    return part, drawn > 0


def workbook(doc: Document, tick: Callable[[int], None] = lambda n: None,
             store: Cache | None = None) -> bytes:
    """The workbook's bytes, identical for identical input (no clock in it).

    Each table's sheet is kept in the cache under what it is made of (`Document.table_key`),
    a listing's rows in runs under their content, another extra sheet under its data: after
    an edit only the edited tables' sheets and the runs of rows that changed are drawn. The
    workbook is joined from the parts, fresh or cached alike."""
    store = store or Cache(None)
    base = sheet_base()
    parts: list[SheetPart] = []
    drawn = 0
    for t in doc.tables:
        part, made = _part(store, digest(base, "table", doc.table_key(t)),
                           partial(_draw_table, doc, t))
        parts.append(part)
        drawn += made
        tick(1)
    for sheet in doc.extra_sheets():
        part, made = _extra(store, base, sheet, doc.label)
        parts.append(part)
        drawn += made
    log.info("XLSX %s：工作表 %d 张新生成，%d 张取自缓存", doc.label, drawn, len(parts) - drawn)
    return join(parts, doc, store, base)


def render(doc: Document, ctx: RenderContext) -> dict[str, bytes]:
    """The document's workbook, its sheets through the build cache."""
    return {doc.files["xlsx"]: workbook(doc, ctx.tick, ctx.cache)}
