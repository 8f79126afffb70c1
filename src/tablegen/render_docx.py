"""DOCX output through the editable docxtpl template `default_templates/docx/book.docx`.

docxtpl renders the document once per book; the repeated project block (the part of the
template between `{%p for t in tables %}` and `{%p endfor %}`) is lifted out and rendered by Jinja
once per project as a small XML fragment, then spliced into the body. docxtpl's regex passes thus
run over the template, not over a thousand tables, and the appearance still comes entirely from
the template.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup, escape

from . import toc_pages as toc_layout
from .build import RenderContext
from .errors import RenderError, display_path
from .layout import (
    BUDGET_WIDTHS,
    GRID_WIDTHS,
    GridRow,
    book_path,
    budget_cells,
    grid,
    heading_lines,
    numbered_goals,
    project_path,
    shown_label,
    split_spans,
    title_lines,
)
from .model import Agency, Book, Project
from .templates import sandboxed, template_problem

TEMPLATE = "docx/book.docx"
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
_TAG = re.compile(r"\{%-?\s*(for|endfor)\b[^%]*-?%\}")
_OPENER = re.compile(r"\{[{%]-?")
_CLOSER = re.compile(r"-?[}%]\}")
_BR = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'
TOC_FIELD = ' TOC \\o "1-1" \\h \\z \\u '
VMERGE_RESTART = Markup('<w:vMerge w:val="restart"/>')
VMERGE_CONTINUE = Markup("<w:vMerge/>")
KEEP_NEXT = Markup("<w:keepNext/>")
KEEP_ROWS = 8  # the PDF's limit too (templates/html/macros.html.j2)


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


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl with the per-project loop lifted out of the body into `self.block`, every part
    `_numbered`, the last one kept in `self.source` (where an error of the render lies)."""

    block: str = ""
    source: str = ""

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
        self.block = _numbered(_prepare_block(xml[start + len(LOOP_OPEN):end]))
        return xml[:start] + SENTINEL_P + xml[close:]


def _line(exc: BaseException) -> int:
    """The template line of the innermost template frame of an error (0: none)."""
    line, tb = 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _prepare_block(block: str) -> str:
    """Keep spaces in every text run, set the column widths, give 一级/二级 their merge slot."""
    block = block.replace("<w:t>", '<w:t xml:space="preserve">')
    block = _set_widths(block, "t.total", BUDGET_WIDTHS)
    block = _set_widths(block, "r.level1", GRID_WIDTHS)
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
    return block


_TR = re.compile(r"<w:tr[ >].*?</w:tr>", re.S)
_TC = re.compile(r"<w:tc>.*?</w:tc>", re.S)
_TCW = re.compile(r'<w:tcW w:type="dxa" w:w="\d+"/>|<w:tcW w:w="\d+" w:type="dxa"/>')
_GRID_COL = re.compile(r'<w:gridCol w:w="(\d+)"/>')


def _set_widths(block: str, marker: str, widths: tuple[int, ...]) -> str:
    """The table holding `marker` with layout.py's column widths, keeping its total width."""
    at = block.find(marker)
    start = block.rfind("<w:tbl>", 0, at)
    end = block.find("</w:tbl>", at)
    if at < 0 or start < 0 or end < 0:
        return block
    table = block[start:end]
    cols = [int(w) for w in _GRID_COL.findall(table)]
    if len(cols) != len(widths):  # a template with other columns keeps its own widths
        return block
    total = sum(cols)
    twips = [total * w // 1000 for w in widths]
    twips[-1] += total - sum(twips)
    grid = iter(twips)
    table = _GRID_COL.sub(lambda m: f'<w:gridCol w:w="{next(grid)}"/>', table)

    def row(tr: re.Match[str]) -> str:
        column = 0

        def cell(tc: re.Match[str]) -> str:
            nonlocal column
            span = re.search(r'<w:gridSpan w:val="(\d+)"/>', tc.group())
            n = int(span.group(1)) if span else 1
            width = sum(twips[column:column + n])
            column += n
            return _TCW.sub(f'<w:tcW w:type="dxa" w:w="{width}"/>', tc.group(), count=1)

        return _TC.sub(cell, tr.group())

    return block[:start] + _TR.sub(row, table) + block[end:]


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


def bookmark_name(book: Book, project: Project) -> str:
    """A stable hidden bookmark for a project's heading: `_Toc` and 9 digits of its file's hash."""
    digest = hashlib.sha1(f"{book.key}/{project.file}".encode()).hexdigest()
    return f"_Toc{int(digest[:12], 16) % 10**9:09d}"


def _bookmarks(book: Book) -> dict[int, str]:
    names: dict[int, str] = {}
    used: set[str] = set()
    for number, _, project in book.numbered():
        name = bookmark_name(book, project)
        while name in used:
            name = f"_Toc{(int(name[4:]) + 1) % 10**9:09d}"
        used.add(name)
        names[number] = name
    return names


def _table_context(book: Book, number: int, agency: Agency, project: Project,
                   bookmark: str, starts: frozenset[int] = frozenset()) -> dict[str, Any]:
    """One table for the template; `starts`: grid rows that LibreOffice put atop a page."""
    labels_and_amounts = budget_cells(project)
    rows = []
    whole = grid(project, book.merge)
    cells = split_spans(whole, set(starts))
    for i, row in enumerate(cells):
        together = (book.merge != "none" and i + 1 < len(cells) and not cells[i + 1].level1.starts
                    and _kept(whole, i))
        rows.append({
            "keep": KEEP_NEXT if together else Markup(""),
            "level1": shown_label(row.level1.text, 1) if row.level1.starts else "",
            "level2": shown_label(row.level2.text, 2) if row.level2.starts else "",
            "name": row.name,
            "description": row.description,
            "value": row.value,
            "vm1": _vmerge(row.level1.rows),
            "vm2": _vmerge(row.level2.rows),
        })
    return {
        "number": number,
        # Its lines as layout.heading_lines balances them: a line break (Word keeps it out of
        # the 目录 it updates), not 绩效目 / 标表 where Word or WPS would break it.
        "heading": "\n".join(heading_lines(book.heading(number, project))),
        # The first table of an agency of several carries its 目录 entry (a hidden TC field).
        "bookmark_start": (tc_field(agency_label(agency)) if len(book.agencies) > 1
                           and project is agency.projects[0] else Markup(""))
        + Markup(f'<w:bookmarkStart w:id="{number}" w:name="{bookmark}"/>'),
        "bookmark_end": Markup(f'<w:bookmarkEnd w:id="{number}"/>'),
        "agency": agency_label(agency),
        "unit": f"单位：{book.money_unit}",
        "name": project.name,
        "total": labels_and_amounts[1],
        "fiscal": labels_and_amounts[3],
        "other": labels_and_amounts[5],
        "usage": project.usage,
        "goals": numbered_goals(project),
        "rows": rows,
    }


def _kept(rows: list[GridRow], i: int) -> bool:
    """Whether row i's 一级 group moves to the next page whole, as in the PDF: a group of up to
    KEEP_ROWS rows after the first (the first stays with the header, longer ones flow and are
    split where LibreOffice breaks them)."""
    first = i
    while not rows[first].level1.starts:
        first -= 1
    return first > 0 and rows[first].level1.rows <= KEEP_ROWS


def _vmerge(span: int) -> Markup:
    if span == 0:
        return VMERGE_CONTINUE
    if span > 1:
        return VMERGE_RESTART
    return Markup("")


def toc_xml(book: Book, bookmarks: dict[int, str], pages: dict[int, int]) -> Markup:
    """A Word TOC field whose entries are already filled in: hyperlinks with PAGEREF numbers,
    under a sub-heading per agency when the book has several (as the PDF's 目录)."""
    entries: list[tuple[str | None, str, object]] = []
    for number, agency, project in book.numbered():
        if len(book.agencies) > 1 and agency.projects and project is agency.projects[0]:
            entries.append((None, agency_label(agency), ""))
        entries.append((bookmarks[number], book.heading(number, project), pages.get(number, "")))
    return toc_field(entries, agency_entries=len(book.agencies) > 1)


def agency_label(agency: Agency) -> str:
    """An agency as the 目录 and the line above its tables name it: `610101天津市知识产权局`."""
    return f"{agency.code}{agency.name}"


def tc_field(text: str) -> Markup:
    """A hidden TC field: an entry `text` of the 目录, without a page number, that Word keeps
    when it updates the 目录 (the TOC field's \\f takes such entries in)."""
    quoted = str(escape(text)).replace('"', "&quot;")
    return Markup('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                  f'<w:r><w:instrText xml:space="preserve"> TC "{quoted}" \\l 1 \\n </w:instrText></w:r>'
                  '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


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
            runs.append(f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{escape(heading)}</w:t></w:r>')
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
        out.append(f'<w:p><w:pPr><w:pStyle w:val="toc1"/>{spacing}</w:pPr>' + "".join(runs) + "</w:p>")
    return Markup("".join(out))


def estimated_pages(book: Book, toc_per_page: int = 24) -> dict[int, int]:
    """Page numbers assuming every table fills one page after the title and the 目录 pages."""
    n = len(book.projects) + (len(book.agencies) if len(book.agencies) > 1 else 0)
    toc = max(1, -(-n // toc_per_page))
    return {number: 1 + toc + number for number, _, _ in book.numbered()}


def true_pages(docx: bytes, headings: list[str], ctx: RenderContext) -> dict[int, int] | None:
    """The page each heading (numbered from 1) lands on in a LibreOffice layout of the DOCX,
    for a 目录 whose cached numbers are true (WPS shows them as they are); None when not asked
    for or not measurable (then the estimate stays, with a warning)."""
    if ctx.toc_pages is False:
        return None
    measured = toc_layout.layout_cached(docx, headings, [[] for _ in headings], ctx.cache)
    if measured is None:
        ctx.provisional = ctx.provisional or toc_layout.soffice() is not None
        return None
    return dict(zip(range(1, len(measured.headings) + 1), measured.headings, strict=True))


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


class DocxRenderer:
    """Renders one book's DOCX files from one template."""

    def __init__(self, template: Path):
        self.template = template
        self.block_source = ""

    def failure(self, exc: Exception, source: str, part: str) -> RenderError:
        """A template's error as the template's: its file, the part and the tag it lies in."""
        tag = tag_at(source, _line(exc))
        where = (f"DOCX 模板 {display_path(self.template)}" + (f" 的{part}" if part else " ")
                 + (f"中 {tag} 处" if tag else "")).rstrip()
        return RenderError(f"{where}：{template_problem(exc)}")

    def skeleton(self, book: Book, context: dict[str, Any],
                 title: str) -> tuple[list[tuple[str, bytes]], str]:
        """The template rendered without its project block: zip entries and the block source."""
        tpl = _Template(str(self.template))
        env = _environment()
        try:
            tpl.render(dict(context, tables=[]), jinja_env=env, autoescape=True)
        except RenderError:
            raise
        except Exception as exc:  # the template's own code (docxtpl's reading of it included)
            raise self.failure(exc, tpl.source, "") from exc
        if not tpl.block:
            raise RenderError(f"DOCX 模板缺少项目循环 {{%p for t in tables %}}…{{%p endfor %}}"
                              f"（{self.template}）")
        doc = tpl.docx
        props = doc.core_properties
        stamp = book.timestamp.replace(tzinfo=None)
        props.title = title
        props.author = book.author
        props.last_modified_by = book.author
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
        return entries, tpl.block

    def pack(self, entries: list[tuple[str, bytes]], body: str, book: Book) -> bytes:
        """The final DOCX: the body spliced in, entries in template order, fixed timestamps."""
        out = io.BytesIO()
        date = (max(book.timestamp.year, 1980), 1, 1, 0, 0, 0)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in entries:
                if name == "word/document.xml":
                    text = data.decode("utf-8")
                    if SENTINEL_P not in text:
                        raise RenderError("DOCX 模板渲染后找不到项目表的位置")
                    data = text.replace(SENTINEL_P, body, 1).encode("utf-8")
                info = zipfile.ZipInfo(name, date)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, data)
        return out.getvalue()

    def render_block(self, block: jinja2.Template, tables: list[dict[str, Any]]) -> str:
        try:
            return "".join(block.render(t=t) for t in tables)
        except RenderError:
            raise
        except Exception as exc:  # the template's own code, as in skeleton()
            raise self.failure(exc, self.block_source, "项目表部分") from exc

    def book(self, book: Book, pages: dict[int, int],
             starts: dict[int, frozenset[int]] | None = None) -> bytes:
        bookmarks = _bookmarks(book)
        context = {"single": False, "title": "\n".join(title_lines(book.title)),
                   "subtitle": f"{book.year}年 · 单位：{book.money_unit}",
                   "toc": toc_xml(book, bookmarks, pages)}
        entries, block_src = self.skeleton(book, context, book.title)
        block = _environment().from_string(block_src)
        starts = starts or {}
        tables = [_table_context(book, n, a, p, bookmarks[n], starts.get(n, frozenset()))
                  for n, a, p in book.numbered()]
        return self.pack(entries, self.render_block(block, tables), book)

    def projects(self, book: Book, starts: dict[int, frozenset[int]] | None = None,
                 tick: Callable[[int], None] = lambda n: None) -> dict[str, bytes]:
        """One DOCX per table; every table starts a page, so the book's page starts hold."""
        bookmarks = _bookmarks(book)
        context = {"single": True, "title": book.title, "subtitle": "", "toc": Markup("")}
        entries, block_src = self.skeleton(book, context, book.title)
        block = _environment().from_string(block_src)
        out = {}
        for number, agency, project in book.numbered():
            table = _table_context(book, number, agency, project, bookmarks[number],
                                   (starts or {}).get(number, frozenset()))
            body = self.render_block(block, [table])
            out[project_path(book, number, project, "docx")] = self.pack(entries, body, book)
            tick(1)
        return out


def render(book: Book, ctx: RenderContext) -> dict[str, bytes]:
    """The book's DOCX and one DOCX per project.

    With LibreOffice (ctx.toc_pages), the book is laid out once: the 目录 gets the headings' true
    pages, and a 一级/二级 group that a page break cuts is split there, its label repeated on the
    next page, as in the PDF. Rows of a group are kept together for Word and WPS as well.
    """
    renderer = DocxRenderer(ctx.templates.find(TEMPLATE))
    pages = estimated_pages(book)
    data = renderer.book(book, pages)
    starts: dict[int, frozenset[int]] = {}
    if ctx.toc_pages is not False:  # by default whenever LibreOffice is there (else one warning)
        numbered = list(book.numbered())
        measured = toc_layout.layout_cached(
            data, [book.heading(n, p) for n, _, p in numbered],
            [[r.name + r.description + r.value for r in grid(p, book.merge)]
             for _, _, p in numbered], ctx.cache)
        if measured is None:
            # LibreOffice is there but failed: the estimate is not cached, the next build measures.
            ctx.provisional = ctx.provisional or toc_layout.soffice() is not None
        else:
            pages = dict(zip(range(1, len(numbered) + 1), measured.headings, strict=True))
            starts = {n: frozenset(i for i in range(1, len(rows)) if rows[i] != rows[i - 1])
                      for (n, _, _), rows in zip(numbered, measured.rows, strict=True)}
            data = renderer.book(book, pages, starts)
    files = {book_path(book, "docx"): data}
    files.update(renderer.projects(book, starts, ctx.tick))
    return files
