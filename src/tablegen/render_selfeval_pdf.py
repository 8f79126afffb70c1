"""The 自评表 as PDF: `<book>/<book>-自评.pdf`, laid out by WeasyPrint in one document.

A book has few evaluated projects compared with its target tables, so the 目录's page numbers
come from CSS (`target-counter`) and the bookmarks from the headings' `bookmark-level`. The
indicators' header row repeats on every page (a `<thead>`); a 一级/二级 group that a page break
cuts is split there and its label repeated, as in the tables' PDF: a second layout, only when a
break cut a group.
"""

from __future__ import annotations

import io
from dataclasses import replace

from .build import RenderContext
from .errors import RenderError
from .fonts import fallback_font, font_face_css
from .layout import split_spans
from .model import Book
from .pdf_fonts import embed, known_fonts, used_glyphs
from .render_pdf import Job, Laid, _bytes, _union, layout
from .render_selfeval_html import selfeval_context
from .selfeval import SelfEval, file_name, title
from .templates import render_template


def split_at_pages(tables: list[SelfEval], laid: Laid) -> list[SelfEval] | None:
    """The tables with each group a page break cuts split there; None when no break cuts one."""
    out, changed = [], False
    for t in tables:
        pages = [laid.anchors.get(f"row-{t.number}-{k}") for k in range(1, len(t.rows) + 1)]
        starts = {k for k in range(1, len(pages)) if pages[k] != pages[k - 1]}
        rows = split_spans(t.rows, starts)
        changed = changed or rows != t.rows
        out.append(replace(t, rows=rows))
    return out if changed else None


def render(book: Book, ctx: RenderContext) -> dict[str, bytes]:
    """`<book>/<book>-自评.pdf` for a book with execution data."""
    from pypdf import PdfReader, PdfWriter

    folders = ctx.templates.folders("html")
    if not folders:
        raise RenderError("找不到 HTML 模板文件夹 html/")
    font = fallback_font()
    allowed = tuple(str(f) for f in folders) + ((str(font),) if font else ())
    env = ctx.templates.jinja("html")
    context = selfeval_context(book, "pdf")

    def laid_out(tables: list[SelfEval]) -> Laid:
        html = render_template(env, "selfeval.html.j2", dict(context, tables=tables))
        return layout(Job(html, folders[0].as_uri() + "/", allowed, font_face_css(),
                          tuple(known_fonts())))

    laid = laid_out(context["tables"])
    split = split_at_pages(context["tables"], laid)
    if split is not None:
        laid = laid_out(split)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(laid.pdf)))
    glyphs: dict[str, set[int]] = {}
    for page in writer.pages:
        _union(glyphs, used_glyphs(page))
    embed(writer, glyphs, ctx.cache)  # one subset per font, as in the tables' PDF
    stamp = book.timestamp.strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata({"/Title": title(book), "/Author": book.author, "/Creator": "tablegen",
                         "/Producer": "tablegen", "/CreationDate": stamp, "/ModDate": stamp})
    return {file_name(book, "pdf"): _bytes(writer, laid.pdf)}
