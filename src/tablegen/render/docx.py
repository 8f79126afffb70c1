"""DOCX through the kind's editable docxtpl template (`templates/<kind>/<template>.docx`).

docxtpl renders the document once; the repeated table block (the part of the template between
`{%p for t in tables %}` and `{%p endfor %}`) is lifted out and rendered by Jinja once per table
as a small XML fragment, then spliced into the body. docxtpl's regex passes thus
run over the template, not over a thousand tables, and the appearance still comes entirely from
the template.
"""

from __future__ import annotations

import functools
import html
import io
import logging
import marshal
import pickle
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import jinja2
from lxml import etree
from markupsafe import Markup, escape

from ..cache import Cache, digest, versions
from ..document import Document, TableCell, split_spans
from ..errors import RenderError, display_path
from ..templates import sandboxed, template_problem
from . import ooxml
from . import toc_pages as toc_layout
from .context import RenderContext

log = logging.getLogger("tablegen")

LOOP_OPEN = "{% for t in tables %}"
SENTINEL = "TABLEGEN-BODY-SENTINEL"
SENTINEL_P = f"<w:p><w:r><w:t>{SENTINEL}</w:t></w:r></w:p>"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# settings.xml children that must follow <w:updateFields> (ECMA-376 CT_Settings order).
AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
    "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)
_OPENER = re.compile(r"\{[{%]-?")
_CLOSER = re.compile(r"-?[}%]\}")
_TAG = re.compile(r"\{%-?\s*(for|endfor)\b[^%]*-?%\}")
_BR = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'
TOC_FIELD = ' TOC \\o "1-1" \\h \\z \\u '
VMERGE_RESTART = Markup('<w:vMerge w:val="restart"/>')
VMERGE_CONTINUE = Markup("<w:vMerge/>")
KEEP_NEXT = Markup("<w:keepNext/>")


def _finalize(value: Any) -> Any:
    """Every `{{ }}` output: data escaped, line breaks and tabs as Word breaks and tabs."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    text = str(escape(value))
    if "\n" in text or "\t" in text or "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.replace("\n", _BR).replace("\t", _TAB)
    return Markup(text)


def _environment() -> jinja2.Environment:
    return sandboxed(autoescape=True, finalize=_finalize)


def _numbered(source: str) -> str:
    """The same template with each tag's code on a line of its own: a line break inside a tag
    changes no output, and an error's line then names its tag (the XML has no lines to name).
    A template with a `{% raw %}` block stays as it is (there a tag is text)."""
    if re.search(r"\{%-?\s*raw\b", source):
        return source
    return _OPENER.sub(lambda m: m.group() + "\n", source)


def tag_at(source: str, line: int) -> str:
    """The tag whose code begins on this line of a `_numbered` source, as written (`{{ 1/0 }}`);
    empty when the line holds none."""
    lines = source.split("\n")
    if not 2 <= line <= len(lines):
        return ""
    opener = _OPENER.search(lines[line - 2][-3:])
    closer = _CLOSER.search("\n".join(lines[line - 1:]))
    if opener is None or closer is None or not lines[line - 2].endswith(opener.group()):
        return ""
    text = opener.group() + " " + "\n".join(lines[line - 1:])[:closer.end()].strip()
    text = re.sub(r"\s+", " ", html.unescape(text))
    return text if len(text) <= 80 else text[:77] + "…"


@functools.cache
def _template_class() -> type[Any]:
    """docxtpl's template, with the per-table loop lifted out of the body into `block`: loaded
    only when a skeleton is made (`DocxRenderer._skeleton`). A build whose skeletons all come
    from the cache, as after an edit, never loads docxtpl and python-docx (a fifth of a second
    of its start)."""
    from docxtpl import DocxTemplate

    class _Template(DocxTemplate):  # type: ignore[misc]
        """docxtpl with the per-table loop lifted out of the body into `self.block`, every part
        `_numbered`, the last one kept in `self.source` (where an error of the render lies)."""

        block: str = ""
        source: str = ""
        widths: list[tuple[str, tuple[int, ...]]] = []
        totals: dict[str, int] = {}  # each marker table's width in twips

        def patch_xml(self, src_xml: str) -> str:
            xml = self._lift(super().patch_xml(src_xml))
            # docxtpl starts each paragraph on a line of its own before it compiles the part
            self.source = re.sub(r"<w:p([ >])", r"\n<w:p\1", _numbered(xml))
            return _numbered(xml)

        def _lift(self, xml: str) -> str:
            start = xml.find(LOOP_OPEN)
            if start < 0:  # headers, footers, or a body without the loop (checked after render)
                return xml
            depth, end = 0, -1
            for m in _TAG.finditer(xml, start):
                depth += 1 if m.group(1) == "for" else -1
                if depth == 0:
                    end = m.start()
                    close = m.end()
                    break
            if end < 0:
                raise RenderError("DOCX 模板的项目循环没有对应的 {%p endfor %}")
            self.totals = {}
            self.block = _numbered(_prepare_block(xml[start + len(LOOP_OPEN):end], self.widths,
                                                  self.totals))
            return xml[:start] + SENTINEL_P + xml[close:]
    return _Template


def _line(exc: BaseException) -> int:
    """The template line of the innermost template frame of an error (0: none)."""
    line, tb = 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _prepare_block(block: str, widths: list[tuple[str, tuple[int, ...]]],
                   totals: dict[str, int] | None = None) -> str:
    """Keep spaces in every text run, give 一级/二级 their merge slot and every grid row a keep
    slot, and let each table holding a marker take its widths from the table being rendered
    (`docx_cell`: a repeated cell's width and merges from its item)."""
    block = block.replace("<w:t>", '<w:t xml:space="preserve">')
    block = _keep_slot(block, "r.level1")
    for field, slot in (("level1", "vm1"), ("level2", "vm2")):
        at = re.search(r"\{\{\s*r\." + field + r"\s*\}\}", block)
        if at is None:
            continue
        tc = block.rfind("<w:tc>", 0, at.start())
        tcpr_end = block.find("</w:tcPr>", tc, at.start())
        if tc < 0 or tcpr_end < 0:
            continue
        tcpr = block[tc:tcpr_end]
        # vMerge stands after tcW/gridSpan/hMerge and before borders, shading and vAlign.
        anchor = max((tcpr.rfind(t) for t in ("<w:tcW", "<w:gridSpan", "<w:hMerge")), default=-1)
        if anchor >= 0:
            insert = tc + tcpr.index("/>", anchor) + 2
        else:
            insert = tc + tcpr.index("<w:tcPr>") + len("<w:tcPr>")
        block = block[:insert] + "{{ r." + slot + " }}" + block[insert:]
    for marker, _ in widths:
        block = _table_widths(block, marker, totals if totals is not None else {})
    return _band_slot(block, "r.level1")


def _band_slot(block: str, marker: str) -> str:
    """Before the cell of `{{ r.level1 }}`, a copy of it for the row's band (a first column with
    one label over the grid, `r.band_cell` its place and merge), drawn only for a table that has
    one; that table's header row, which the band covers, is then not repeated on later pages."""
    at = re.search(r"\{\{\s*" + re.escape(marker) + r"\s*\}\}", block)
    if at is None:
        return block
    tc = block.rfind("<w:tc>", 0, at.start())
    end = block.find("</w:tc>", at.end())
    if tc < 0 or end < 0 or "</w:tc>" in block[tc:at.start()]:
        return block  # the marker stands outside a table cell: no band can be drawn there
    cell = block[tc:end + len("</w:tc>")]
    if "{%" in cell:  # a cell holding its own tags is not copied (they would be unbalanced)
        return block
    cell = re.sub(r"\{\{\s*r\.vm1\s*\}\}", "", cell)
    cell = re.sub(r"\{\{\s*t\.docx_cell\(([^,]+),[^}]*\}\}",
                  lambda m: "{{ t.docx_cell(" + m.group(1) + ", r.band_cell, 0) }}", cell, count=1)
    cell = re.sub(r"\{\{\s*" + re.escape(marker) + r"\s*\}\}", "{{ r.band }}", cell)
    block = block[:tc] + "{% if r.band_cell %}" + cell + "{% endif %}" + block[tc:]
    table = block.rfind("<w:tbl>", 0, tc)
    table_end = block.find("</w:tbl>", tc)
    inner = block[table:table_end].replace(
        "<w:tblHeader/>", "{% if not t.header_band %}<w:tblHeader/>{% endif %}")
    return block[:table] + inner + block[table_end:]


_TR = re.compile(r"<w:tr[ >].*?</w:tr>", re.S)
_TC = re.compile(r"<w:tc>.*?</w:tc>", re.S)
_TCW = re.compile(r'<w:tcW w:type="dxa" w:w="\d+"/>|<w:tcW w:w="\d+" w:type="dxa"/>')
_GRID = re.compile(r"<w:tblGrid>.*?</w:tblGrid>", re.S)
_GRID_COL = re.compile(r'<w:gridCol w:w="(\d+)"/>')
_SPAN = re.compile(r'<w:gridSpan w:val="(\d+)"/>')
_CELL_LOOP = re.compile(r"\{%-?\s*for\s+(\w+)\s+in\s[^%]*%\}|\{%-?\s*endfor\s*-?%\}|<w:tc>.*?</w:tc>",
                        re.S)


def _table_widths(block: str, marker: str, totals: dict[str, int]) -> str:
    """The table holding `marker` with the widths of the table being rendered: its grid from
    `t.docx_grid[marker]` (twips), each cell's width from the columns it covers, a cell repeated
    by `{%tc for x in … %}` placed, spanned and merged as its item says (`column`, `span`,
    `rows`: tablegen.document.TableCell); `totals` gets the table's width in twips."""
    at = block.find(marker)
    start = block.rfind("<w:tbl>", 0, at)
    end = block.find("</w:tbl>", at)
    if at < 0 or start < 0 or end < 0:
        return block
    table = block[start:end]
    total = sum(int(w) for w in _GRID_COL.findall(table))
    grid = f't.docx_grid["{marker}"]'
    table = _GRID.sub(lambda m: (
        f'<w:tblGrid>{{% for w in {grid} %}}<w:gridCol w:w="{{{{ w }}}}"/>{{% endfor %}}'
        "</w:tblGrid>"), table, count=1)

    def row(tr: re.Match[str]) -> str:
        column = 0
        looped: str | None = None
        offset = 0

        def cell(m: re.Match[str]) -> str:
            nonlocal column, looped, offset
            text = m.group()
            if text.startswith("{%"):
                if m.group(1):
                    looped, offset = m.group(1), column
                else:
                    looped = None
                return text
            span = _SPAN.search(text)
            n = int(span.group(1)) if span else 1
            if looped is not None:
                slot = f"{{{{ t.docx_cell({grid}, {looped}, {offset} + loop.index0) }}}}"
                text = _SPAN.sub("", re.sub(r"<w:vMerge(?: [^>]*)?/>", "", text))
                # A covered cell keeps only its width and merge (Word draws the one above).
                text = re.sub(r"(<w:tcW [^>]*/>)(.+?)(</w:tcPr>)",
                              lambda m: f"{m.group(1)}{{% if not ({looped}.covered | default(false)) %}}"
                                        f"{m.group(2)}{{% endif %}}{m.group(3)}", text, count=1,
                              flags=re.S)
            else:
                slot = f"{{{{ t.docx_cell({grid}, none, {column} + t.docx_shift, {n}) }}}}"
                text = _SPAN.sub("", text)
                column += n
            return _TCW.sub(lambda _: slot, text, count=1)

        return _CELL_LOOP.sub(cell, tr.group())

    totals[marker] = total
    return block[:start] + _TR.sub(row, table) + block[end:]


def docx_cell(grid: list[int], item: Any, column: int, span: int = 1) -> Markup:
    """A table cell's width (the twips of the columns it covers) and, for a cell drawn from an
    item with `column`, `span` and `rows`, where it stands, how far it spans and its merge."""
    rows = 1
    if item is not None and hasattr(item, "column"):
        column, span, rows = item.column, getattr(item, "span", 1), getattr(item, "rows", 1)
    width = sum(grid[column:column + span])
    out = f'<w:tcW w:type="dxa" w:w="{width}"/>'
    if span > 1:
        out += f'<w:gridSpan w:val="{span}"/>'
    if rows == 0:
        out += str(VMERGE_CONTINUE)
    elif rows > 1:
        out += str(VMERGE_RESTART)
    return Markup(out)


def grid_twips(widths: tuple[int, ...], total: int = 8844) -> list[int]:
    """Widths in thousandths as twips of a table `total` twips wide (the last takes the rest)."""
    twips = [total * w // 1000 for w in widths]
    twips[-1] += total - sum(twips)
    return twips


def _keep_slot(block: str, marker: str) -> str:
    """Every paragraph of the row holding `marker` gets a `{{ r.keep }}` slot after its style
    (empty where a template's rows have no `keep`, as the 自评表's):
    Word and WPS keep a row whose paragraphs are kept with the next one on the same page."""
    at = block.find(marker)
    start = block.rfind("<w:tr", 0, at)
    end = block.find("</w:tr>", at)
    if at < 0 or start < 0 or end < 0:
        return block
    row = re.sub(r'(<w:pPr><w:pStyle w:val="[^"]*"/>)', r"\1{{ r.keep | default('') }}", block[start:end])
    return block[:start] + row + block[end:]


def table_context(doc: Document, table: Any, starts: frozenset[int] = frozenset(),
                  group: str | None = None, totals: dict[str, int] | None = None
                  ) -> dict[str, Any]:
    """One table for the template's block: the kind's fields, its bookmark, and its grid rows
    with their merge and keep marks; `starts`: grid rows that LibreOffice put atop a page;
    `group`: the agency whose first table this is, in a document that shows its agencies;
    `totals`: the width in twips of each template table that takes this table's widths."""
    out = {f.name: getattr(table, f.name) for f in fields(table)}
    totals = totals or {}
    out["docx_grid"] = {marker: grid_twips(widths, totals.get(marker, sum(widths)))
                        for marker, widths in doc.docx_table_widths(table)}
    out["docx_cell"] = docx_cell
    # A band (a first grid column with one label over the rows) stands before the cells that the
    # template draws at fixed places (一级, 二级); its header cell covers the first rows.
    header_band = bool(getattr(table, "header_band", False))
    out["header_band"] = header_band
    out["docx_shift"] = getattr(table, "shift", 0)
    n = table.number
    lines = getattr(table, "heading_lines", None)
    if lines:
        # Its lines as the kind balances them: a line break (Word keeps it out of the 目录 it
        # updates), not 绩效目 / 标表 where Word or WPS would break it.
        out["heading"] = "\n".join(lines)
    # The first table of an agency carries the agency's 目录 entry (a hidden TC field).
    out["bookmark_start"] = ((tc_field(group) if group is not None else Markup(""))
                             + Markup(f'<w:bookmarkStart w:id="{n}" w:name="{table.bookmark}"/>'))
    out["bookmark_end"] = Markup(f'<w:bookmarkEnd w:id="{n}"/>')
    cells = split_spans(table.rows, set(starts))
    rows = []
    for i, row in enumerate(cells):
        item = {f.name: getattr(row, f.name) for f in fields(row)}
        item.update({
            "keep": KEEP_NEXT if doc.keep_rows(table, cells, i) else Markup(""),
            "level1": row.level1.label if row.level1.starts else "",
            "level2": row.level2.label if row.level2.starts else "",
            "vm1": _vmerge(row.level1.rows),
            "vm2": _vmerge(row.level2.rows),
            "band": "", "band_cell": None,
        })
        band = getattr(row, "band", None)
        if band is not None:
            covered = not band.starts or (i == 0 and header_band)
            item["band"] = "" if covered else band.label
            item["band_cell"] = TableCell("", 0, 1, 0 if covered else band.rows)
        rows.append(item)
    out["rows"] = rows
    return out


def _vmerge(span: int) -> Markup:
    if span == 0:
        return VMERGE_CONTINUE
    if span > 1:
        return VMERGE_RESTART
    return Markup("")


def tc_field(text: str) -> Markup:
    """A hidden TC field: an entry `text` of the 目录, without a page number, that Word keeps
    when it updates the 目录 (the TOC field's \\f takes such entries in)."""
    quoted = str(escape(text)).replace('"', "&quot;")
    return Markup('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                  f'<w:r><w:instrText xml:space="preserve"> TC "{quoted}" \\l 1 \\n </w:instrText></w:r>'
                  '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def toc_entries(doc: Document, pages: dict[int, int]) -> list[tuple[str | None, str, object]]:
    """The 目录's entries: (bookmark, heading, page) per table, under an entry without a
    bookmark per agency when the document shows its agencies (as the PDF's 目录)."""
    entries: list[tuple[str | None, str, object]] = []
    for g in doc.groups:
        if doc.several and g.tables:
            entries.append((None, g.label, ""))
        entries += [(t.bookmark, t.heading, pages.get(t.number, "")) for t in g.tables]
    return entries


def toc_field(entries: list[tuple[str | None, str, object]], agency_entries: bool = False) -> Markup:
    """The TOC field of (bookmark, heading, page) entries, in order; an entry without a bookmark
    is an agency's sub-heading (bold, no page number), kept by Word through the TC fields."""
    if not entries:
        return Markup("")
    out = []
    last = len(entries) - 1
    field = TOC_FIELD + "\\f " if agency_entries else TOC_FIELD
    for i, (name, heading, page) in enumerate(entries):
        runs = []
        if i == 0:
            runs.append('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                        f'<w:r><w:instrText xml:space="preserve">{field}</w:instrText></w:r>'
                        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        if name is None:
            runs.append('<w:r><w:rPr><w:b/></w:rPr>'
                        f'<w:t xml:space="preserve">{escape(heading)}</w:t></w:r>')
        else:
            runs.append(
                f'<w:hyperlink w:anchor="{name}" w:history="1">'
                f'<w:r><w:t xml:space="preserve">{escape(heading)}</w:t></w:r>'
                '<w:r><w:tab/></w:r>'
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve"> PAGEREF {name} \\h </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                f'<w:r><w:t>{page}</w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
                '</w:hyperlink>')
        if i == last:
            runs.append('<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        # An agency's code and name as the source and the PDF show them, with no gap between
        # digits and Chinese (as the 单位行 style sets it).
        spacing = '<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>' if name is None else ""
        out.append(f'<w:p><w:pPr><w:pStyle w:val="toc1"/>{spacing}</w:pPr>'
                   + "".join(runs) + "</w:p>")
    return Markup("".join(out))


def estimated_pages(doc: Document, toc_per_page: int = 24) -> dict[int, int]:
    """Page numbers assuming every table fills one page after the title and the 目录 pages."""
    n = len(doc.tables) + (len(doc.groups) if doc.several else 0)
    toc = max(1, -(-n // toc_per_page))
    return {t.number: 1 + toc + t.number for t in doc.tables}


def _set_update_fields(settings: etree._Element) -> None:
    tag = f"{{{W_NS}}}updateFields"
    for old in settings.findall(tag):
        settings.remove(old)
    el = etree.Element(tag)
    el.set(f"{{{W_NS}}}val", "true")
    for child in settings:
        if etree.QName(child).localname in AFTER_UPDATE_FIELDS:
            child.addprevious(el)
            return
    settings.append(el)


def _around_body(entries: list[tuple[str, bytes]]) -> tuple[str, str]:
    """What the template's body holds before and after its tables (its last section's
    properties aside)."""
    text = dict(entries)["word/document.xml"].decode("utf-8")
    head, _, tail = text.partition(SENTINEL_P)
    head = head[head.find(">", head.find("<w:body")) + 1:]
    tail = re.sub(r"<w:sectPr\b.*?</w:sectPr>|<w:sectPr\b[^>]*/>", "", tail, flags=re.S)
    return head.strip(), tail.replace("</w:body>", "").replace("</w:document>", "").strip()


def _opens_page(body: str, styles: bytes) -> bool:
    """Whether a table's XML opens with a paragraph set to start a page, in itself or by its
    paragraph style (the styles it is based on included)."""
    m = re.match(r"\s*<w:p(?:\s[^>]*)?>\s*(<w:pPr>.*?</w:pPr>)?", body, re.S)
    if m is None:
        return False
    return _starts_page(m.group(1) or "", styles)


@functools.lru_cache(maxsize=64)
def _starts_page(ppr: str, styles: bytes) -> bool:
    """Whether a paragraph with these properties starts a page (once per properties)."""
    own = re.search(r'<w:pageBreakBefore(?:\s+w:val="(\w+)")?\s*/>', ppr)
    if own:
        return own.group(1) not in ("0", "false", "off")
    style = re.search(r'<w:pStyle w:val="([^"]*)"', ppr)
    if not styles:
        return False
    root = etree.fromstring(styles)
    w = f"{{{W_NS}}}"
    by_id = {s.get(w + "styleId"): s for s in root.iter(w + "style")
             if s.get(w + "type") == "paragraph"}
    node = by_id.get(style.group(1)) if style else next(
        (s for s in by_id.values() if s.get(w + "default") in ("1", "true")), None)
    seen: set[str] = set()
    while node is not None and node.get(w + "styleId") not in seen:
        seen.add(node.get(w + "styleId") or "")
        brk = node.find(f"{w}pPr/{w}pageBreakBefore")
        if brk is not None:
            return brk.get(w + "val") not in ("0", "false", "off")
        based = node.find(w + "basedOn")
        node = by_id.get(based.get(w + "val")) if based is not None else None
    return False


def _packer(renderer: DocxRenderer, entries: list[tuple[str, bytes]], body: str
            ) -> Callable[[], bytes]:
    return lambda: renderer.pack(entries, body)


class DocxRenderer:
    """Renders one document's DOCX files from its kind's template."""

    def __init__(self, template: Path, doc: Document, store: Cache | None = None):
        self.template = template
        self.doc = doc
        self.block_source = ""
        self.totals: dict[str, int] = {}
        # Each table's XML is kept under what it is made of (`table_xml`): after an edit only
        # the edited table's block is rendered, whichever of pieces/whole/singles asks for it.
        self.store = store or Cache(None)
        self._xml: dict[str, str] = {}
        self._compiled: dict[str, jinja2.Template] = {}
        self._skeletons: dict[str, tuple[list[tuple[str, bytes]], str, dict[str, int]]] = {}

    def failure(self, exc: Exception, source: str, part: str) -> RenderError:
        """A template's error as the template's: its file, the part and the tag it lies in."""
        tag = tag_at(source, _line(exc))
        where = (f"DOCX 模板 {display_path(self.template)}" + (f" 的{part}" if part else " ")
                 + (f"中 {tag} 处" if tag else "")).rstrip()
        return RenderError(f"{where}：{template_problem(exc)}")

    def skeleton(self, context: dict[str, Any], title: str
                 ) -> tuple[list[tuple[str, bytes]], str]:
        """The template rendered without its table block: zip entries and the block source
        (once per context and title in a run)."""
        key = repr((sorted(context.items()), title))
        if key not in self._skeletons:
            self._skeletons[key] = self._kept_skeleton(context, title)
        entries, block, totals = self._skeletons[key]
        self.block_source = block
        self.totals = dict(totals)
        return entries, block

    def compiled(self, block_src: str) -> jinja2.Template:
        """The table block as a Jinja template: compiled once per source in a run, its code
        kept in the build cache under the source and tablegen's code (whose sandbox rewrites
        what a template compiles to), as the HTML's templates are (`html.CompiledTemplates`)."""
        if block_src not in self._compiled:
            env = _environment()
            key = digest(versions(), sys.version, "docx-block", block_src)
            data = self.store.get("jinja", key)
            code = marshal.loads(data) if data is not None else env.compile(block_src)
            if data is None:
                self.store.put("jinja", key, marshal.dumps(code))
            self._compiled[block_src] = env.template_class.from_code(
                env, code, env.make_globals(None), None)
        return self._compiled[block_src]

    def table_xml(self, block_src: str, table: Any, starts: frozenset[int] = frozenset(),
                  group: str | None = None) -> str:
        """One table's XML from the template's block: kept under the block's source, the
        table's content (`Document.table_key`), the rows atop a page, its agency entry and
        the template's widths, which are all its context is made of."""
        doc = self.doc
        key = digest(versions(), "docx-block", block_src, doc.table_key(table),
                     repr(sorted(starts)), repr(group), repr(sorted(self.totals.items())),
                     repr(doc.docx_table_widths(table)))
        if key in self._xml:
            return self._xml[key]
        cached = self.store.get("docx-block", key)
        if cached is not None:
            xml = cached.decode("utf-8")
        else:
            context = table_context(doc, table, starts, group, self.totals)
            xml = self.render_block(self.compiled(block_src), [context])
            self.store.put("docx-block", key, xml.encode("utf-8"))
        self._xml[key] = xml
        return xml

    def _kept_skeleton(self, context: dict[str, Any], title: str
                       ) -> tuple[list[tuple[str, bytes]], str, dict[str, int]]:
        """`_skeleton` and the totals it read, kept in the build cache under what docxtpl
        makes them of: the template file, the context and title, the widths, the document's
        date and author, and the code (a hundred milliseconds a skeleton, three a build)."""
        try:
            source = self.template.read_bytes()
        except OSError:
            source = None  # _skeleton says why
        key = None if source is None else digest(
            versions(), "docx-skeleton", source, repr(sorted(context.items())), title,
            repr(self.doc.docx_widths()), self.doc.timestamp.isoformat(), self.doc.author)
        data = self.store.get("docx-skeleton", key) if key is not None else None
        if data is not None:
            try:
                kept: tuple[list[tuple[str, bytes]], str, dict[str, int]] = pickle.loads(data)
            except Exception:  # noqa: BLE001 - an entry that does not read back is made again
                pass
            else:
                return kept
        entries, block = self._skeleton(context, title)
        made = (entries, block, dict(self.totals))
        if key is not None:
            self.store.put("docx-skeleton", key, pickle.dumps(made, pickle.HIGHEST_PROTOCOL))
        return made

    def _skeleton(self, context: dict[str, Any], title: str
                  ) -> tuple[list[tuple[str, bytes]], str]:
        tpl = _template_class()(str(self.template))
        tpl.widths = self.doc.docx_widths()
        env = _environment()
        try:
            tpl.render(dict(context, tables=[]), jinja_env=env, autoescape=True)
        except RenderError:
            raise
        except Exception as exc:  # the template's own code (docxtpl's reading of it included)
            raise self.failure(exc, tpl.source, "") from exc
        if not tpl.block:
            raise RenderError(f"DOCX 模板缺少表格循环 {{%p for t in tables %}}…{{%p endfor %}}"
                              f"（{self.template}）")
        doc = tpl.docx
        props = doc.core_properties
        stamp = self.doc.timestamp.replace(tzinfo=None)
        props.title = title
        props.author = self.doc.author
        props.last_modified_by = self.doc.author
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.revision = 1
        _set_update_fields(doc.settings.element)
        buf = io.BytesIO()
        doc.save(buf)
        with zipfile.ZipFile(buf) as z:
            entries = [(name, z.read(name)) for name in z.namelist()]
        self.block_source = tpl.block
        self.totals = dict(tpl.totals)
        return entries, tpl.block

    def pack(self, entries: list[tuple[str, bytes]], body: str) -> bytes:
        """The final DOCX: the body spliced in, entries in template order, fixed timestamps."""
        out: list[tuple[str, bytes]] = []
        for name, data in entries:
            if name == "word/document.xml":
                text = data.decode("utf-8")
                if SENTINEL_P not in text:
                    raise RenderError("DOCX 模板渲染后找不到表格的位置")
                data = text.replace(SENTINEL_P, body, 1).encode("utf-8")
            out.append((name, data))
        return ooxml.pack(out, self.doc.timestamp.year)

    def check_block(self, block_src: str) -> None:
        """Every table's parts have a place in the template's block, else a RenderError."""
        for t in self.doc.tables:
            missing = self.doc.docx_missing(t, block_src)
            if missing:
                raise RenderError(f"DOCX 模板 {display_path(self.template)} 缺少{missing}，"
                                  f"表“{t.heading}”的这部分无处可印；请从自带的模板复制")

    def render_block(self, block: jinja2.Template, tables: list[dict[str, Any]]) -> str:
        try:
            return "".join(block.render(t=t) for t in tables)
        except RenderError:
            raise
        except Exception as exc:  # the template's own code, as in skeleton()
            raise self.failure(exc, self.block_source, "项目表部分") from exc

    def whole(self, pages: dict[int, int], starts: dict[int, frozenset[int]] | None = None
              ) -> bytes:
        """The document's DOCX with these 目录 page numbers."""
        doc = self.doc
        context = {"single": False, "title": doc.docx_title, "subtitle": doc.subtitle,
                   "toc": toc_field(toc_entries(doc, pages), agency_entries=doc.several)}
        entries, block_src = self.skeleton(context, doc.title)
        self.check_block(block_src)
        starts = starts or {}
        return self.pack(entries, "".join(
            self.table_xml(block_src, t, starts.get(t.number, frozenset()),
                           g.label if doc.several and i == 0 else None)
            for g in doc.groups for i, t in enumerate(g.tables)))

    def pieces(self, pages: dict[int, int]) -> list[toc_layout.Piece] | None:
        """The document cut for LibreOffice to lay out part by part: the front matter with these
        目录 numbers, then every table alone as `singles` makes it (no cut rows yet). None when
        the parts' pages do not add up to the document's: a table that does not start a page,
        or anything of the template's but the front matter around the tables."""
        doc = self.doc
        context = {"single": False, "title": doc.docx_title, "subtitle": doc.subtitle,
                   "toc": toc_field(toc_entries(doc, pages), agency_entries=doc.several)}
        entries, _ = self.skeleton(context, doc.title)
        before, after = _around_body(entries)
        if not before or after:
            return None
        single = {"single": True, "title": doc.title, "subtitle": "", "toc": Markup("")}
        one, block_src = self.skeleton(single, doc.title)
        if _around_body(one) != ("", ""):
            return None
        styles = dict(entries).get("word/styles.xml", b"")
        base = digest(versions(), str(doc.timestamp.year), *(p for e in one for p in e))
        out = [toc_layout.Piece(digest(base, "front", *(p for e in entries for p in e)),
                                lambda: self.pack(entries, ""), [], [])]
        for g in doc.groups:
            for i, t in enumerate(g.tables):
                body = self.table_xml(block_src, t, frozenset(),
                                      g.label if doc.several and i == 0 else None)
                if not _opens_page(body, styles):
                    return None
                out.append(toc_layout.Piece(digest(base, body), _packer(self, one, body),
                                            [t.heading], [doc.row_texts(t)]))
        return out

    def singles(self, starts: dict[int, frozenset[int]] | None = None,
                tick: Callable[[int], None] = lambda n: None,
                store: Cache | None = None) -> dict[str, bytes]:
        """One DOCX per table that has files of its own; every table starts a page, so the
        whole document's page starts hold. Each is packed once per content: the cache keys it
        by exactly what `pack` makes it of (the skeleton's parts, the table's XML, the year)."""
        doc = self.doc
        store = store or Cache(None)
        wanted = [(t, doc.table_file(t), g.label if doc.several and i == 0 else None)
                  for g in doc.groups for i, t in enumerate(g.tables)]
        if not any(stem for _, stem, _ in wanted):
            return {}
        context = {"single": True, "title": doc.title, "subtitle": "", "toc": Markup("")}
        entries, block_src = self.skeleton(context, doc.title)
        base = digest(versions(), str(doc.timestamp.year), *(p for e in entries for p in e))
        out = {}
        packed = 0
        for t, stem, group in wanted:
            if stem is None:
                continue
            body = self.table_xml(block_src, t, (starts or {}).get(t.number, frozenset()), group)
            key = digest(base, body)
            data = store.get("project-docx", key)
            if data is None:
                data = self.pack(entries, body)
                store.put("project-docx", key, data)
                packed += 1
            out[f"{stem}.docx"] = data
            tick(1)
        log.info("DOCX %s：单表文件 %d 个新生成，%d 个取自缓存", doc.label, packed,
                 len(out) - packed)
        return out


def render(doc: Document, ctx: RenderContext) -> dict[str, bytes]:
    """The document's DOCX and, for a kind with them, one DOCX per table.

    With LibreOffice (ctx.toc_pages), the document is laid out (part by part where every table
    starts a page, see `Measuring`): the 目录 gets the headings' true pages, and a 一级/二级 group
    that a page break cuts is split there, its label repeated on the next page, as in the PDF.
    Rows of a group are kept together for Word and WPS as well.
    """
    pending = start(doc, ctx)
    try:
        return pending.finish()
    finally:
        pending.close()


class Measuring:
    """A DOCX whose LibreOffice layout is under way (`start`); `finish` waits for it and
    makes the files."""

    def __init__(self, renderer: DocxRenderer, ctx: RenderContext):
        self.renderer, self.ctx = renderer, ctx
        self.pages = estimated_pages(renderer.doc)
        self.parts: toc_layout.PiecesLayout | None = None
        self.failed = False
        self.measure = ctx.toc_pages is not False  # by default whenever LibreOffice is there
        if self.measure and toc_layout.soffice() is not None:
            pieces = renderer.pieces(self.pages)
            if pieces is not None:
                try:
                    self.parts = toc_layout.PiecesLayout(
                        pieces, ctx.cache, lambda: renderer.whole(self.pages),
                        ctx.offices or ctx.prepared.get("docx"))
                except toc_layout.Failed:
                    self.failed = True

    def finish(self) -> dict[str, bytes]:
        renderer, ctx, doc = self.renderer, self.ctx, self.renderer.doc
        pages = self.pages
        starts: dict[int, frozenset[int]] = {}
        if self.measure:  # without LibreOffice, one warning (toc_layout.layout)
            tables = doc.tables
            try:
                measured = None if self.failed else self._measured()
                if measured is None and not self.failed and self.parts is None:
                    # the whole document laid out at once
                    measured = toc_layout.layout_cached(
                        renderer.whole(pages), [t.heading for t in tables],
                        [doc.row_texts(t) for t in tables], ctx.cache)
            except toc_layout.Failed:
                measured = None
            if measured is None:
                # LibreOffice is there but failed: the estimate is not cached, the next build
                # measures.
                ctx.provisional = ctx.provisional or toc_layout.soffice() is not None
            else:
                pages = {t.number: p for t, p in zip(tables, measured.headings, strict=True)}
                starts = {t.number: frozenset(i for i in range(1, len(rows))
                                              if rows[i] != rows[i - 1])
                          for t, rows in zip(tables, measured.rows, strict=True)}
        data = renderer.whole(pages, starts)
        files = {doc.files["docx"]: data}
        files.update(renderer.singles(starts, ctx.tick, ctx.cache))
        return files

    def _measured(self) -> toc_layout.Measured | None:
        """The document's layout from its parts' layouts (front matter, each table alone):
        after an edit only the edited tables are laid out again. None where the parts cannot
        stand for the whole (the whole document is then laid out); `toc_layout.Failed` when
        LibreOffice failed."""
        if self.parts is None:
            return None
        laid = self.parts.result()
        if laid is None:
            self.parts = None  # the whole document, laid out at once
            return None
        book = toc_layout.book_layout(laid)
        doc = self.renderer.doc
        order = {t.number: i for i, t in enumerate(t for g in doc.groups for t in g.tables)}
        return toc_layout.Measured([book.headings[order[t.number]] for t in doc.tables],
                                   [book.rows[order[t.number]] for t in doc.tables])

    def close(self) -> None:
        if self.parts is not None:
            self.parts.close()


def start(doc: Document, ctx: RenderContext) -> Measuring:
    """The DOCX begun: LibreOffice started on the parts whose layout the cache lacks, to be
    finished (`Measuring.finish`) when the build has rendered its other formats meanwhile."""
    renderer = DocxRenderer(ctx.templates.find_for(doc.kind, "docx", f"{doc.template}.docx"), doc,
                            ctx.cache)
    return Measuring(renderer, ctx)
