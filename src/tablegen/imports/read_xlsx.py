"""Reading official tables out of an XLSX workbook: one section per sheet laid out like the table.

The sheet XML is read directly, cell by cell: only cells that exist count (a sheet whose one
stray cell sits at XFD1048576 costs what its cells cost, not a million rows), a number reads as
its number format shows it (`number_format`: `98%`, `2026年12月31日`, `1,234.50`; a cell whose
shown text is not certain is refused by its address), and a formula without a stored result or
with an error value is reported rather than read as empty. Hidden sheets are not imported; a
warning names each.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree

from .. import rules
from ..errors import Pos, Report, SourceError
from .number_format import (
    GENERAL,
    Format,
    Unshowable,
    builtin,
    general,
    parse,
    show_datetime,
    show_number,
    show_text,
)
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
HIDDEN = {"hidden": "隐藏", "veryHidden": "深度隐藏（在 Excel/WPS 的“取消隐藏”中也看不到）"}


@dataclass
class Styles:
    """The number format of each cell style (`s="…"`), as its code; None where the built-in
    format differs by locale."""

    codes: list[str | None] = field(default_factory=list)
    date1904: bool = False

    def code(self, raw: str) -> tuple[str | None, str]:
        """A style's format code (`s="…"` of a cell), or None and why it cannot be known."""
        index = _index(raw)
        if not self.codes and index == 0:
            return GENERAL, ""  # a workbook without styles: every cell General
        if not 0 <= index < len(self.codes):
            return None, f"样式编号 {raw} 在 styles.xml 中不存在"
        code = self.codes[index]
        return code, "" if code is not None else "数字格式是随地区而变的内置格式"


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
        raise SourceError(f"{shown}：{name} 已损坏（第 {exc.lineno} 行不是完整的 XML）") from exc


def read_xlsx(path: Path, shown: str, report: Report) -> tuple[list[Section], BookInfo]:
    """Every sheet but 指标导入 as a section; problems with single cells go to the report."""
    parts = open_parts(path, shown, ("xl/workbook.xml",),
                       ("xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/worksheets/",
                        "xl/styles.xml", "docProps/core.xml"))
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
    styles = _styles(parts, shown, workbook)
    for n, sheet in enumerate(workbook.iter(M + "sheet"), 1):
        title = sheet.get("name", "")
        part = targets.get(sheet.get(R + "id"), "")
        if title == NOT_A_TABLE or part not in parts:
            continue
        label = f"工作表“{title}”"
        state = sheet.get("state", "visible")
        if state in HIDDEN:
            # An old table kept out of sight must not become a project unnoticed.
            report.add(Pos(shown, n), rules.IMPORT_HIDDEN,
                           f"{label}是{HIDDEN[state]}的工作表，未导入；如需导入，请在 Excel/WPS "
                           "中取消隐藏后再导入")
            continue
        rows, numbers = _rows(_xml(parts, part, shown), strings, styles, f"{shown}：{label}",
                              Pos(shown, n), report)
        heading = ""
        if rows and len(rows[0]) == 1 and HEADING.match(rows[0][0]):
            heading = rows.pop(0)[0].strip()
            numbers.pop(0)
        # A sheet keeps no empty cell at a row's end (an empty 备注, a recipient without a value).
        sections.append(Section(heading, n, rows, label=label, numbers=numbers, ragged=True))
    return sections, info


def _index(text: str) -> int:
    """A number in an attribute (a style, a format, a shared string); -1 for anything else
    (`²` is a digit to `str.isdigit`, not to `int`)."""
    return int(text) if text.isascii() and text.isdigit() else -1


def _styles(parts: dict[str, bytes], shown: str, workbook: etree._Element) -> Styles:
    """Each cell style's number format code (cellXfs → numFmtId → numFmts or built-in)."""
    pr = workbook.find(M + "workbookPr")
    styles = Styles(date1904=pr is not None and pr.get("date1904", "") in ("1", "true"))
    if "xl/styles.xml" not in parts:
        return styles
    root = _xml(parts, "xl/styles.xml", shown)
    custom = {}
    for fmt in root.iter(M + "numFmt"):
        number = _index(fmt.get("numFmtId") or "")
        if number >= 0:
            custom[number] = fmt.get("formatCode", "")
    xfs = root.find(M + "cellXfs")
    for xf in xfs.iter(M + "xf") if xfs is not None else []:
        raw = xf.get("numFmtId", "0")
        number = _index(raw)
        styles.codes.append(custom[number] if number in custom else builtin(number))
    return styles


def _shown(c: etree._Element, kind: str, text: str, styles: Styles, where: str, pos: Pos,
           report: Report) -> str | None:
    """A cell's text as the spreadsheet shows it, or None with the cell refused."""
    raw = c.get("s", "0")
    code, unknown = styles.code(raw)
    at = f"{where}单元格 {c.get('r')} "
    if code is None:
        if kind not in ("n", "d"):
            return text  # a text shows as itself whatever number format it has
        report.add(pos, rules.IMPORT_FORMAT,
                     f"{at}无法确定显示的内容（{unknown}）；请在 Excel/WPS 中把它改为常规、数值、"
                     "百分比或日期格式后再导入")
        return None
    try:
        fmt: Format = parse(code)
        if kind == "n" and code.lower() == GENERAL.lower():
            return general(text)  # what the 15 significant digits show
        if kind == "n":
            return show_number(text, fmt, styles.date1904)
        if kind == "d":
            return show_datetime(datetime.fromisoformat(text.rstrip("Z")), fmt)
        return show_text(text, fmt)
    except Unshowable as exc:
        why = str(exc)
    except ValueError:
        why = f"日期“{text}”无法识别"
    report.add(pos, rules.IMPORT_FORMAT,
                 f"{at}无法按原样读出（数字格式“{code}”：{why}）；请在源文件中把它改为显示的"
                 "文字，或改用常规、数值、百分比或日期格式后再导入")
    return None


def _not_phonetic(t: etree._Element, si: etree._Element) -> bool:
    parent = t.getparent()
    return parent is si or (parent is not None and parent.tag == M + "r")


def _rows(sheet: etree._Element, strings: list[str], styles: Styles, where: str, pos: Pos,
          report: Report) -> tuple[list[list[str]], list[int]]:
    """The sheet's non-empty rows as cell texts, and their row numbers; a cell a merge covers
    from the left is skipped (a table's column may span several sheet columns)."""
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
                report.add(pos, rules.IMPORT_FORMULA,
                             f"{where}单元格 {c.get('r')} 是公式，但文件中没有保存计算结果；"
                             "请在 Excel/WPS 中打开并保存后再导入")
            continue
        elif kind == "s":
            index = _index(v.text)
            text = strings[index] if 0 <= index < len(strings) else ""
        elif kind == "b":
            text = "TRUE" if v.text == "1" else "FALSE"
        elif kind == "e":
            report.add(pos, rules.IMPORT_FORMULA,
                         f"{where}单元格 {c.get('r')} 显示错误值 {v.text}；请在源文件中修正后再导入")
            text = v.text
        else:
            text = v.text
        if kind not in ("b", "e"):
            # A refused cell keeps its stored text: it is reported, nothing will be written, and
            # the mapping then reports nothing more about a cell it would think empty.
            text = _shown(c, kind, text, styles, where, pos, report) or text
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
    return out, sorted(cells)
