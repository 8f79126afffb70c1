"""XLSX output: one sheet per table in the official layout, and a `指标导入` sheet whose rows the
budget-management system (预算管理一体化系统) imports: each value split into sign, number and unit.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from .build import RenderContext
from .layout import GRID_HEADER, budget_cells, file_number, grid, numbered_goals
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
# Seven columns carry the budget row; the indicator grid's 指标值 spans E:G, so that both parts
# of the table share one right edge (its text stays in E: a reader sees five cells).
WIDTHS = {"A": 13, "B": 13, "C": 22, "D": 24, "E": 12, "F": 10, "G": 12}
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
BOLD = Font(name="黑体", bold=False, size=10.5)
BODY = Font(name="宋体", size=10.5)


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


def _box(ws: Worksheet, cell_range: str) -> None:
    for row in ws[cell_range]:
        for cell in row:
            cell.border = BOX


def _literal(cell: Cell, value: str) -> None:
    """Text as a literal string: `=1+1`, `+5`, `-x` or `@f` never becomes a formula."""
    cell.value = value
    cell.data_type = "s"


def _put(ws: Worksheet, ref: str, value: str, *, bold: bool = False, left: bool = False) -> None:
    cell = ws[ref]
    _literal(cell, value)
    cell.font = BOLD if bold else BODY
    cell.alignment = LEFT if left else CENTER


def sheet_title(book: Book, number: int, project: Project, taken: set[str]) -> str:
    """`01-项目名称…`: at most 31 characters, none that Excel refuses, unique in the book."""
    title = f"{file_number(book, number)}-" + re.sub(r"[\[\]:*?/\\]", "_", project.name)
    title = title[:31]
    while title in taken:
        title = title[:28] + f"~{len(taken)}"
    taken.add(title)
    return title


def table_sheet(ws: Worksheet, book: Book, number: int, agency: Agency, project: Project) -> None:
    """One table in the official layout: merged cells, borders, widths, A4 print setup."""
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.merge_cells("A1:G1")
    _put(ws, "A1", book.heading(number, project), bold=True)
    ws["A1"].font = Font(name="黑体", size=14)
    ws.merge_cells("A2:E2")
    _put(ws, "A2", f"{agency.code}{agency.name}", left=True)
    _put(ws, "G2", f"单位：{book.money_unit}")
    ws["G2"].alignment = Alignment(horizontal="right", vertical="center")
    _put(ws, "A3", "项目名称", bold=True)
    ws.merge_cells("B3:G3")
    _put(ws, "B3", project.name)
    ws.merge_cells("A4:A5")
    _put(ws, "A4", "预算规模及资金用途", bold=True)
    for col, text in zip("BCDEFG", budget_cells(project), strict=True):
        _put(ws, f"{col}4", text, bold=col in "BDF")
    ws.merge_cells("B5:G5")
    _put(ws, "B5", project.usage, left=True)
    _put(ws, "A6", "绩效目标", bold=True)
    ws.merge_cells("B6:G6")
    _put(ws, "B6", "\n".join(numbered_goals(project)), left=True)
    ws.row_dimensions[6].height = max(15, 15 * len(project.goals)) * 1.6
    _box(ws, "A3:G6")
    for col, text in zip("ABCDE", GRID_HEADER, strict=True):
        _put(ws, f"{col}7", text, bold=True)
    rows = grid(project, book.merge)
    first = 8
    merges = [f"E{r}:G{r}" for r in range(7, first + len(rows))]
    for i, row in enumerate(rows):
        r = first + i
        if row.level1.starts:
            _put(ws, f"A{r}", row.level1.text)
        if row.level2.starts:
            _put(ws, f"B{r}", row.level2.text)
        _put(ws, f"C{r}", row.name)
        _put(ws, f"D{r}", row.description)
        _put(ws, f"E{r}", row.value)
        merges += [f"{col}{r}:{col}{r + span - 1}"
                   for span, col in ((row.level1.rows, "A"), (row.level2.rows, "B")) if span > 1]
    last = first + len(rows) - 1
    _box(ws, f"A7:G{max(last, 7)}")
    for cell_range in merges:  # after the values: a merged cell's others are read-only
        ws.merge_cells(cell_range)
    ws.print_title_rows = "7:7"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right = 28 / 25.4, 26 / 25.4
    ws.page_margins.top, ws.page_margins.bottom = 37 / 25.4, 35 / 25.4


def import_sheet(ws: Worksheet, book: Book) -> None:
    """One row per indicator in the columns budget systems import."""
    ws.append(list(IMPORT_HEADER))
    row = 1
    for _, _, project in book.numbered():
        for l1, l2, ind in project.rows():
            s = split_value(ind.value)
            row += 1
            for col, text in enumerate((project.name, l1.name, l2.name, ind.name,
                                        ind.shown_description, s.sign, s.number, s.unit), 1):
                _literal(ws.cell(row, col), text)
    for i, width in enumerate((30, 12, 18, 30, 30, 10, 16, 10), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def workbook(book: Book) -> bytes:
    """The workbook's bytes, identical for identical input (no clock in it)."""
    wb = Workbook()
    default = wb.active
    taken: set[str] = set()
    for number, agency, project in book.numbered():
        table_sheet(wb.create_sheet(sheet_title(book, number, project, taken)), book, number, agency,
                    project)
    import_sheet(wb.create_sheet(IMPORT_SHEET), book)
    wb.remove(default)
    stamp = book.timestamp.replace(tzinfo=None)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = book.author
    wb.properties.lastModifiedBy = book.author
    wb.properties.title = book.title
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
    return {f"{book.key}/{book.key}.xlsx": workbook(book)}
