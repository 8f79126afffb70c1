"""The 自评表 as XLSX: `<book>/<book>-自评.xlsx`, one sheet per evaluated project."""

from __future__ import annotations

import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from .build import RenderContext
from .model import Book
from .render_xlsx import BODY, BOLD, CENTER, _box, _put, _style, workbook_bytes
from .scoring import scheme_of
from .selfeval import FUNDS_HEADER, INDICATOR_HEADER, SelfEval, file_name, selfevals, title

COLUMNS = "ABCDEFGH"
WIDTHS = {"A": 11, "B": 14, "C": 20, "D": 14, "E": 16, "F": 8, "G": 9, "H": 30}


_NUMBER = re.compile(r"-?\d+(\.\d+)?%?")


def _number(ws: Worksheet, ref: str, text: str, places: int, *, bold: bool = False) -> None:
    """An amount, 分值 or 得分 as a number shown with `places` decimals, 执行率 as a percentage
    (`95.50%` is 0.955 shown `0.00%`), as every other format prints it; `—` and blanks stay text."""
    if not _NUMBER.fullmatch(text):
        _put(ws, ref, text, bold=bold)
        return
    digits = "0." + "0" * places if places else "0"
    cell = ws[ref]
    if text.endswith("%"):
        cell.value = Decimal(text[:-1]).scaleb(-2)
        cell.number_format = digits + "%"
    else:
        cell.value = Decimal(text)
        cell.number_format = digits
    _style(cell, BOLD if bold else BODY, CENTER)


def _merge(ws: Worksheet, cell_range: str, ref: str, text: str, **style: bool) -> None:
    _put(ws, ref, text, **style)
    ws.merge_cells(cell_range)


def selfeval_sheet(ws: Worksheet, t: SelfEval, unit: str, places: int = 2) -> None:
    """One 自评表: merged cells, borders, widths, A4 landscape print setup; figures as numbers."""
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    _merge(ws, "A1:H1", "A1", t.heading, bold=True)
    ws["A1"].font = Font(name="黑体", size=14)
    _put(ws, "H2", t.unit)
    ws["H2"].alignment = Alignment(horizontal="right", vertical="center")
    _put(ws, "A3", "项目名称", bold=True)
    _merge(ws, "B3:H3", "B3", t.name)
    _put(ws, "A4", "主管部门", bold=True)
    _merge(ws, "B4:D4", "B4", t.department)
    _put(ws, "E4", "实施单位", bold=True)
    _merge(ws, "F4:H4", "F4", t.agency)
    last_fund = 5 + len(t.funds)
    _merge(ws, f"A5:A{last_fund}", "A5", FUNDS_HEADER[0].format(unit=unit), bold=True)
    for col, text in zip("CDEFGH", FUNDS_HEADER[1:], strict=True):
        _put(ws, f"{col}5", text, bold=True)
    for r, fund in enumerate(t.funds, 6):
        _put(ws, f"B{r}", fund.label, bold=True)
        for col, text in zip("CDEFGH", fund.texts()[1:], strict=True):
            _number(ws, f"{col}{r}", text, places)
    g = last_fund + 1
    _merge(ws, f"A{g}:A{g + 1}", f"A{g}", "年度总体目标", bold=True)
    _merge(ws, f"B{g}:D{g}", f"B{g}", "预期目标", bold=True)
    _merge(ws, f"E{g}:H{g}", f"E{g}", "实际完成情况", bold=True)
    _merge(ws, f"B{g + 1}:D{g + 1}", f"B{g + 1}", "\n".join(t.goals), left=True)
    _merge(ws, f"E{g + 1}:H{g + 1}", f"E{g + 1}", "\n".join(t.results), left=True)
    ws.row_dimensions[g + 1].height = 15 * 1.6 * max(len(t.goals), len(t.results), 1)
    head = g + 2
    for col, text in zip(COLUMNS, INDICATOR_HEADER, strict=True):
        _put(ws, f"{col}{head}", text, bold=True)
    merges = []
    for r, row in enumerate(t.rows, head + 1):
        texts = row.texts()
        for col, text in zip(COLUMNS, texts, strict=True):
            if col in "FG":
                _number(ws, f"{col}{r}", text, places)
            elif text or col not in "AB":
                _put(ws, f"{col}{r}", text, left=col == "H")
        merges += [f"{col}{r}:{col}{r + span - 1}"
                   for span, col in ((row.level1.rows, "A"), (row.level2.rows, "B")) if span > 1]
    total = head + len(t.rows) + 1
    _merge(ws, f"A{total}:E{total}", f"A{total}", "总分", bold=True)
    _number(ws, f"F{total}", t.full, places, bold=True)
    _number(ws, f"G{total}", t.total, places, bold=True)
    _put(ws, f"H{total}", f"自评等级：{t.grade}", bold=True)
    for cell_range in merges:  # after the values: a merged cell's others are read-only
        ws.merge_cells(cell_range)
    _box(ws, f"A3:H{total}")
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def workbook(book: Book) -> bytes:
    """The 自评 workbook's bytes, identical for identical input."""
    wb = Workbook()
    default = wb.active
    places = scheme_of(book).places
    for t in selfevals(book):
        name = f"{t.number:02d}-" + re.sub(r"[\[\]:*?/\\]", "_", t.name)
        selfeval_sheet(wb.create_sheet(name[:31]), t, book.money_unit, places)
    wb.remove(default)
    return workbook_bytes(wb, book, title(book))


def render(book: Book, ctx: RenderContext) -> dict[str, bytes]:
    """`<book>/<book>-自评.xlsx` for a book with execution data."""
    return {file_name(book, "xlsx"): workbook(book)}
