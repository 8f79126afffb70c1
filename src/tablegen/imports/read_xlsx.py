"""Reading official tables out of an XLSX workbook: one section per sheet laid out like the table.

The sheet XML is read directly, cell by cell: only cells that exist count (a sheet whose one
stray cell sits at XFD1048576 costs what its cells cost, not a million rows), a number reads as
the 15 significant digits Excel shows, and a formula without a stored result is reported rather
than read as empty.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from lxml import etree

from ..errors import Pos, Report, SourceError
from .office_zip import core_info, open_parts, parse_xml
from .read_docx import HEADING
from .rows import BookInfo, Section

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
MAX_CELLS = 1_000_000  # grid cells of one sheet (rows × their used width), merges included
MAX_MERGES = 10_000
NOT_A_TABLE = "指标导入"


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _ref(ref: str) -> tuple[int, int] | None:
    m = REF.match(ref.upper())
    return (int(m.group(2)), _column(m.group(1))) if m else None


def _xml(parts: dict[str, bytes], name: str, shown: str) -> etree._Element:
    try:
        return parse_xml(parts[name])
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{shown}：{name} 已损坏（{exc.msg}）") from exc


def _number(text: str) -> str:
    """A stored number as Excel shows it (15 significant digits; `40` stays `40`)."""
    try:
        value = float(text)
    except ValueError:
        return text
    if value != value or value in (float("inf"), float("-inf")):
        return text  # NaN or infinity: the amount check refuses the text
    out = f"{value:.15g}"
    return out if "e" not in out else text


def read_xlsx(path: Path, shown: str, report: Report) -> tuple[list[Section], BookInfo]:
    """Every sheet but 指标导入 as a section; problems with single cells go to the report."""
    parts = open_parts(path, shown, ("xl/workbook.xml",),
                       ("xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/worksheets/",
                        "docProps/core.xml"))
    info = core_info(parts)
    strings = []
    if "xl/sharedStrings.xml" in parts:
        strings = ["".join(t.text or "" for t in si.iter(M + "t") if _not_phonetic(t, si))
                   for si in _xml(parts, "xl/sharedStrings.xml", shown).iter(M + "si")]
    targets = {}
    if "xl/_rels/workbook.xml.rels" in parts:
        for rel in _xml(parts, "xl/_rels/workbook.xml.rels", shown).iter(PR + "Relationship"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                      else posixpath.normpath(posixpath.join("xl", target)))
    sections = []
    workbook = _xml(parts, "xl/workbook.xml", shown)
    for n, sheet in enumerate(workbook.iter(M + "sheet"), 1):
        title = sheet.get("name", "")
        part = targets.get(sheet.get(R + "id"), "")
        if title == NOT_A_TABLE or part not in parts:
            continue
        label = f"工作表“{title}”"
        rows = _rows(_xml(parts, part, shown), strings, f"{shown}：{label}", Pos(shown, n), report)
        heading = ""
        if rows and len(rows[0]) == 1 and HEADING.match(rows[0][0]):
            heading = rows.pop(0)[0].strip()
        sections.append(Section(heading, n, rows, label=label))
    return sections, info


def _not_phonetic(t: etree._Element, si: etree._Element) -> bool:
    parent = t.getparent()
    return parent is si or (parent is not None and parent.tag == M + "r")


def _rows(sheet: etree._Element, strings: list[str], where: str, pos: Pos,
          report: Report) -> list[list[str]]:
    """The sheet's non-empty rows as cell texts; a cell a merge covers from the left is skipped
    (a table's column may span several sheet columns)."""
    cells: dict[int, dict[int, str]] = {}
    for c in sheet.iter(M + "c"):
        at = _ref(c.get("r", ""))
        if at is None:
            continue
        kind = c.get("t", "n")
        v = c.find(M + "v")
        if kind == "inlineStr":
            text = "".join(t.text or "" for t in c.iter(M + "t"))
        elif v is None or v.text is None:
            if c.find(M + "f") is not None:
                report.error(pos, "import-formula",
                             f"{where}单元格 {c.get('r')} 是公式，但文件中没有保存计算结果；"
                             "请在 Excel/WPS 中打开并保存后再导入")
            continue
        elif kind == "s":
            index = int(v.text) if v.text.isdigit() else -1
            text = strings[index] if 0 <= index < len(strings) else ""
        elif kind == "n":
            text = _number(v.text)
        elif kind == "b":
            text = "TRUE" if v.text == "1" else "FALSE"
        else:
            text = v.text
        if text.strip():
            cells.setdefault(at[0], {})[at[1]] = text
    merges = []
    for m in sheet.iter(M + "mergeCell"):
        a, _, b = m.get("ref", "").partition(":")
        first, last = _ref(a), _ref(b or a)
        if first and last:
            merges.append((first[0], last[0], first[1], last[1]))
    if len(merges) > MAX_MERGES:
        raise SourceError(f"{where}合并单元格过多（{len(merges)} 处）")
    out: list[list[str]] = []
    total = 0
    for r in sorted(cells):
        row = cells[r]
        width = max(row)
        total += width
        if total > MAX_CELLS:
            raise SourceError(f"{where}已用单元格的范围过大（超过 {MAX_CELLS} 个），不像是绩效目标表")
        spans = [(c1, c2) for r1, r2, c1, c2 in merges if r1 <= r <= r2 and c2 > c1]
        out.append([row.get(c, "") for c in range(1, width + 1)
                    if not any(c1 < c <= c2 for c1, c2 in spans)])
    return out
