"""Reading official tables out of DOCX files (and XLSX sheets) as rows of cell texts.

Both readers produce `importer.Section`s — a heading and rows of cell texts, a vertically merged
continuation cell empty — so every source goes through `importer.rows_to_project`.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from .errors import TablegenError
from .importer import BookInfo, Section

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING = re.compile(r"^\s*\d+\s*[.．、]?.*绩效目标表\s*$")
AGENCY_PARAGRAPH = re.compile(r"^\s*(\d{3,}\S*?)\s*(单位\s*[:：]\s*\S+)\s*$")


class SourceError(TablegenError):
    """A source file that cannot be read at all (not a DOCX/XLSX, damaged, empty)."""


def _text(el: etree._Element) -> str:
    out = []
    for node in el.iter(W + "t", W + "br", W + "tab", W + "cr"):
        if node.tag == W + "t":
            out.append(node.text or "")
        elif node.tag == W + "tab":
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def cell_text(tc: etree._Element) -> str:
    """A cell's text: its paragraphs joined by line breaks; runs and formatting flattened."""
    return "\n".join(_text(p) for p in tc.iter(W + "p"))


def _continues(tc: etree._Element) -> bool:
    vmerge = tc.find(f"{W}tcPr/{W}vMerge")
    return vmerge is not None and vmerge.get(W + "val", "continue") != "restart"


def _style(p: etree._Element) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    return (style.get(W + "val") or "") if style is not None else ""


def _open(path: Path, shown: str, members: tuple[str, ...]) -> dict[str, bytes]:
    """The members of an Office zip, or a SourceError saying what the file really is."""
    kind = path.suffix.upper().lstrip(".") or "DOCX"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{shown}：无法读取（{exc.strerror}）") from exc
    if not data:
        raise SourceError(f"{shown}：文件是空的")
    if data.startswith(b"%PDF"):
        raise SourceError(f"{shown}：这是 PDF 文件，不是 {kind}；请导入原始的 {kind} 文件")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            missing = [m for m in members if m not in names]
            if missing:
                raise SourceError(f"{shown}：不是有效的 {kind} 文件（缺少 {missing[0]}）")
            return {n: z.read(n) for n in names if n in members or n.startswith("docProps/")}
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise SourceError(f"{shown}：文件已损坏或不是 {kind}（无法按 ZIP 格式打开）") from exc


def read_docx(path: Path, shown: str) -> tuple[list[Section], BookInfo]:
    """Every table of the document grouped under the heading before it."""
    parts = _open(path, shown, ("word/document.xml",))
    try:
        root = etree.fromstring(parts["word/document.xml"])
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{shown}：文档内容已损坏（{exc.msg}）") from exc
    info = _info(parts)
    body = root.find(W + "body")
    sections: list[Section] = []
    table_no = 0
    pending_agency: list[str] | None = None

    def start(heading: str, table: int) -> Section:
        sections.append(Section(heading, table, label=f"第 {table} 个表格"))
        return sections[-1]

    for child in body if body is not None else []:
        if child.tag == W + "p":
            style = _style(child)
            text = _text(child).strip()
            if style == "Title" and info.title is None:
                info.title = text
            elif style.lower().startswith("toc"):
                continue
            elif (style.lower().startswith("heading") and text) or HEADING.match(text):
                start(text, table_no + 1)
                pending_agency = None
            elif m := AGENCY_PARAGRAPH.match(text):
                pending_agency = [m.group(1), m.group(2)]
        elif child.tag == W + "tbl":
            table_no += 1
            rows = [[cell_text(tc) if not _continues(tc) else "" for tc in tr.findall(W + "tc")]
                    for tr in child.iter(W + "tr")]
            labels = {re.sub(r"\s+", "", r[0]) for r in rows if r}
            # A budget block starts a table of its own unless a heading has just started one;
            # tables before it that are not target tables stay apart and are reported.
            if not sections or ("项目名称" in labels and not _fresh(sections[-1])):
                start("", table_no)
            if pending_agency is not None:
                sections[-1].rows.append(pending_agency)
                pending_agency = None
            sections[-1].rows.extend(rows)
    return sections, info


def _fresh(section: Section) -> bool:
    """Whether a section holds nothing yet but, perhaps, its agency line."""
    return all(re.match(r"^\s*\d{3,}", r[0] if r else "") and any("单位" in c for c in r)
               for r in section.rows if any(c.strip() for c in r))


def _info(parts: dict[str, bytes]) -> BookInfo:
    info = BookInfo()
    core = parts.get("docProps/core.xml")
    if core:
        try:
            root = etree.fromstring(core)
        except etree.XMLSyntaxError:
            return info
        for el in root:
            name = etree.QName(el).localname
            if name == "creator" and el.text:
                info.author = el.text
            elif name == "created" and el.text and re.match(r"\d{4}", el.text):
                info.year = int(el.text[:4])
    return info


def _sheet_text(cell: Any) -> str:
    """A sheet cell's text; a number as its `0.00` format shows it."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and \
            cell.number_format == "0.00":
        return f"{Decimal(str(value)):.2f}"
    return str(value)


def read_xlsx(path: Path, shown: str) -> tuple[list[Section], BookInfo]:
    """One section per sheet laid out like the table; the `指标导入` sheet is not a table."""
    _open(path, shown, ("xl/workbook.xml",))
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise SourceError(f"{shown}：XLSX 文件已损坏（{exc}）") from exc
    sections = []
    info = BookInfo(title=wb.properties.title, author=wb.properties.creator,
                    year=wb.properties.created.year if wb.properties.created else None)
    for n, ws in enumerate(wb.worksheets, 1):
        if ws.title == "指标导入":
            continue
        rows: list[list[str]] = []
        heading = ""
        # A cell that a merge covers from the left is no cell of its own: a table's column may
        # span several sheet columns (tablegen's sheets share the columns of two tables).
        covered = {(r, c) for m in ws.merged_cells.ranges
                   for r in range(m.min_row, m.max_row + 1)
                   for c in range(m.min_col + 1, m.max_col + 1)}
        for row in ws.iter_rows():
            cells = [_sheet_text(cell) for cell in row if (cell.row, cell.column) not in covered]
            while cells and cells[-1] == "":
                cells.pop()
            if len(cells) == 1 and HEADING.match(cells[0]) and not rows:
                heading = cells[0].strip()
                continue
            rows.append(cells)
        sections.append(Section(heading, n, rows, label=f"工作表“{ws.title}”"))
    return sections, info
