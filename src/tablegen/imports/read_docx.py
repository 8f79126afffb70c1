"""Reading official tables out of a DOCX file as sections of rows of cell texts (`rows.Section`),
a vertically merged continuation cell empty.

What Word shows is what is read: content controls (`w:sdt`) and custom XML around paragraphs,
tables, rows, cells and runs are opened (a control still showing its placeholder prompt reads as
empty); a table nested in a cell is read as that cell's text, one line per nested cell, with a
warning; what cannot be read (`w:altChunk` content merged in by Word on opening, embedded
objects, tables in text boxes) is named in a warning. A table is named as its reader sees it:
`表“项目名称”（第 2 张表）` counts only the target tables, and rows are counted in the visible
table (the agency line above it is not a row).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from .. import rules
from ..errors import Pos, Report, SourceError
from .office_zip import core_info, open_parts, parse_xml
from .rows import UNIT_CELL, BookInfo, Section, candidates, is_target, name_cell, squash

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
HEADING = re.compile(r"^\s*\d+\s*[.．、]?.*绩效目标表\s*$")
AGENCY_PARAGRAPH = re.compile(r"^\s*(\d{3,}\S*?)\s*(单位\s*[:：]\s*\S+)\s*$")
WRAPPERS = (W + "sdt", W + "customXml")  # around blocks, rows, cells and runs alike


def _placeholder(sdt: etree._Element) -> bool:
    """A content control still showing its prompt (`单击或点击此处输入文字。`), not content."""
    return sdt.find(f"{W}sdtPr/{W}showingPlcHdr") is not None


def _opened(parent: etree._Element) -> Iterator[etree._Element]:
    """The children of a body, table, row or cell, content controls and custom XML opened."""
    for el in parent:
        if el.tag == W + "sdt":
            content = el.find(W + "sdtContent")
            if content is not None and not _placeholder(el):
                yield from _opened(content)
        elif el.tag == W + "customXml":
            yield from _opened(el)
        else:
            yield el


def _text(el: etree._Element) -> str:
    """The text of a paragraph (or any run container) as Word shows it."""
    out: list[str] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if tag == W + "t":
                out.append(child.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == MC + "Fallback" or (tag == W + "sdt" and _placeholder(child)):
                continue  # a copy for older readers; a prompt, not content
            else:
                walk(child)

    walk(el)
    return "".join(out)


def _continues(tc: etree._Element) -> bool:
    vmerge = tc.find(f"{W}tcPr/{W}vMerge")
    return vmerge is not None and vmerge.get(W + "val", "continue") != "restart"


def _style(p: etree._Element) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    return (style.get(W + "val") or "") if style is not None else ""


def _rows(tbl: etree._Element) -> list[etree._Element]:
    return [tr for tr in _opened(tbl) if tr.tag == W + "tr"]


def _cells(tr: etree._Element) -> list[etree._Element]:
    return [tc for tc in _opened(tr) if tc.tag == W + "tc"]


def cell_text(tc: etree._Element, nested: list[etree._Element] | None = None) -> str:
    """A cell's text: its paragraphs joined by line breaks, runs and formatting flattened; a
    table nested in it gives one line per cell (each nested table is added to `nested`)."""
    lines = []
    tables = False
    for block in _opened(tc):
        if block.tag == W + "p":
            lines.append(_text(block))
        elif block.tag == W + "tbl":
            tables = True
            if nested is not None:
                nested.append(block)
            for tr in _rows(block):
                lines += [cell_text(inner, nested) for inner in _cells(tr) if not _continues(inner)]
    text = "\n".join(lines)
    # Word keeps an empty paragraph after a nested table (and often one before): layout only.
    return text.strip("\n") if tables else text


class _Reader:
    """One pass over the body: sections as tables come, notes of what could not be read."""

    def __init__(self, shown: str, report: Report):
        self.shown = shown
        self.report = report
        self.sections: list[Section] = []
        self.pending_agency: list[str] | None = None
        self.nested: list[tuple[Section, int, int]] = []  # (section, row shown, column)
        self.chunks = 0
        # What a target table's first row starts with, in any layout: 项目名称, 项目支出名称…
        self.first_labels = {squash(c.text) for layout in candidates()
                             for c in layout.head[0].cells[:1] if not c.field}

    def start(self, heading: str) -> Section:
        self.sections.append(Section(heading, 0, numbers=[]))
        return self.sections[-1]

    def table(self, tbl: etree._Element) -> None:
        rows: list[list[str]] = []
        nests: list[tuple[int, int]] = []
        for r, tr in enumerate(_rows(tbl)):
            row = []
            for c, tc in enumerate(_cells(tr)):
                nested: list[etree._Element] = []
                row.append(cell_text(tc, nested) if not _continues(tc) else "")
                if nested:
                    nests.append((r, c))
                self.chunks += sum(1 for _ in tc.iter(W + "altChunk"))
            rows.append(row)
        labels = {squash(r[0]) for r in rows if r}
        sections = self.sections
        # A budget block starts a table of its own unless a heading has just started one;
        # tables before it that are not target tables stay apart and are reported.
        if not sections or (labels & self.first_labels and not _fresh(sections[-1])):
            self.start("")
        section = self.sections[-1]
        assert section.numbers is not None
        if self.pending_agency is not None:
            section.rows.append(self.pending_agency)
            section.numbers.append(0)
            self.pending_agency = None
        agency_line = len(rows) == 1 and any(UNIT_CELL.search(c) for c in rows[0])
        first = max(section.numbers, default=0)
        for r, row in enumerate(rows):
            section.rows.append(row)
            section.numbers.append(0 if agency_line else first + r + 1)
        self.nested += [(section, first + r + 1, c + 1) for r, c in nests]

    def body(self, body: etree._Element, info: BookInfo) -> None:
        for child in _opened(body):
            if child.tag == W + "p":
                style = _style(child)
                text = _text(child).strip()
                if style == "Title" and info.title is None:
                    info.title = text.replace("\n", "")  # a long title prints on two lines
                elif style.lower().startswith("toc"):
                    continue
                elif ((style.lower().startswith("heading") and text)
                      or HEADING.match(text.replace("\n", ""))):
                    self.start(text.replace("\n", ""))  # a long heading prints on two lines
                    self.pending_agency = None
                elif m := AGENCY_PARAGRAPH.match(text):
                    self.pending_agency = [m.group(1), m.group(2)]
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag == W + "altChunk":
                self.chunks += 1


def read_docx(path: Path, shown: str, report: Report) -> tuple[list[Section], BookInfo]:
    """Every table of the document grouped under the heading before it."""
    parts = open_parts(path, shown, ("word/document.xml",), ("docProps/core.xml",))
    try:
        root = parse_xml(parts["word/document.xml"])
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{shown}：文档内容已损坏"
                          f"（word/document.xml 第 {exc.lineno} 行不是完整的 XML）") from exc
    info = core_info(parts)
    body = root.find(W + "body")
    reader = _Reader(shown, report)
    if body is not None:
        reader.body(body, info)
    _name(reader.sections)
    for section, row, col in reader.nested:
        report.add(Pos(shown, section.line), rules.IMPORT_NESTED,
                       f"{section.label}第 {row} 行第 {col} 列中嵌有表格，已按其文字读入（每格一行）；"
                       "请核对")
    _unreadable(root, reader.chunks, shown, report)
    return reader.sections, info


def _name(sections: list[Section]) -> None:
    """Each section's label as its reader counts: the target tables in order. Its position
    (the line of file:line:col) is its place among the tables one sees, agency lines aside."""
    count = 0
    for n, section in enumerate(sections, 1):
        section.line = n
        if is_target(section.rows):
            count += 1
            name = name_cell(section.rows) or squash(section.heading) or "（无项目名称）"
            section.label = f"表“{name}”（第 {count} 张表）"
        else:
            first = next((r for r in section.rows if any(c.strip() for c in r)), [])
            preview = " | ".join(squash(c) for c in first if c.strip())
            preview = preview if len(preview) <= 20 else preview[:20] + "…"
            after = f"第 {count} 张表之后" if count else "第 1 张表之前"
            section.label = f"表格“{preview}”（{after}）"


def _unreadable(root: etree._Element, chunks: int, shown: str, report: Report) -> None:
    """Warnings for content Word shows that this reader cannot read."""
    if chunks:
        report.add(Pos(shown), rules.IMPORT_UNREADABLE,
                       f"文档中有 {chunks} 处嵌入的外部内容（w:altChunk，Word 打开时才并入正文），"
                       "无法读取，其中的表格未导入；如其中有绩效目标表，请在 Word 中打开后另存为新的"
                       " DOCX 再导入")
    objects = sum(1 for el in root.iter(W + "object") if _shown(el))
    if objects:
        report.add(Pos(shown), rules.IMPORT_UNREADABLE,
                       f"文档中有 {objects} 个嵌入对象（如粘贴进来的 Excel 表格），无法读取其中的内容；"
                       "如其中有绩效目标表，请把它们另存为 XLSX 后导入")
    boxed = sum(1 for box in root.iter(W + "txbxContent") if _shown(box) for _ in box.iter(W + "tbl"))
    if boxed:
        report.add(Pos(shown), rules.IMPORT_UNREADABLE,
                       f"文档中有 {boxed} 个表格位于文本框中，未导入；如需导入，请把它们移到正文中")


def _shown(el: etree._Element) -> bool:
    """Not the copy kept for older readers (`mc:Fallback`) of what is shown once already."""
    return next(el.iterancestors(MC + "Fallback"), None) is None


def _fresh(section: Section) -> bool:
    """Whether a section holds nothing yet but, perhaps, its agency line (the line with the
    money unit: `610101天津市知识产权局 | 单位：万元`, `区疾控中心 | 单位：万元`)."""
    return all(any(UNIT_CELL.search(c) for c in r)
               for r in section.rows if any(c.strip() for c in r))
