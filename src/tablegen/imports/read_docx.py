"""Reading official tables out of a DOCX file as sections of rows of cell texts (`rows.Section`),
a vertically merged continuation cell empty."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import SourceError
from .office_zip import core_info, open_parts, parse_xml
from .rows import BookInfo, Section

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING = re.compile(r"^\s*\d+\s*[.．、]?.*绩效目标表\s*$")
AGENCY_PARAGRAPH = re.compile(r"^\s*(\d{3,}\S*?)\s*(单位\s*[:：]\s*\S+)\s*$")


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


def read_docx(path: Path, shown: str) -> tuple[list[Section], BookInfo]:
    """Every table of the document grouped under the heading before it."""
    parts = open_parts(path, shown, ("word/document.xml",), ("docProps/core.xml",))
    try:
        root = parse_xml(parts["word/document.xml"])
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{shown}：文档内容已损坏（{exc.msg}）") from exc
    info = core_info(parts)
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
                info.title = text.replace("\n", "")  # a long title prints on two lines
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
