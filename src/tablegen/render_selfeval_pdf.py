"""The 自评表 as PDF: `<book>/<book>-自评.pdf`, laid out in one WeasyPrint pass.

A book has few evaluated projects compared with its target tables, so the 目录's page numbers
come from CSS (`target-counter`) and the bookmarks from the headings' `bookmark-level`, with
no second pass.
"""

from __future__ import annotations

import io

from .build import RenderContext
from .errors import RenderError
from .fonts import fallback_font, font_face_css
from .model import Book
from .pdf_fonts import embed, known_fonts, used_glyphs
from .render_pdf import Job, _bytes, _union, layout
from .render_selfeval_html import render_selfeval_html
from .selfeval import file_name, title


def render(book: Book, ctx: RenderContext) -> dict[str, bytes]:
    """`<book>/<book>-自评.pdf` for a book with execution data."""
    from pypdf import PdfReader, PdfWriter

    folders = ctx.templates.folders("html")
    if not folders:
        raise RenderError("找不到 HTML 模板文件夹 html/")
    font = fallback_font()
    allowed = tuple(str(f) for f in folders) + ((str(font),) if font else ())
    laid = layout(Job(render_selfeval_html(book, ctx, "pdf"), folders[0].as_uri() + "/",
                      allowed, font_face_css(), tuple(known_fonts())))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(laid.pdf)))
    glyphs: dict[str, set[int]] = {}
    for page in writer.pages:
        _union(glyphs, used_glyphs(page))
    embed(writer, glyphs, ctx.cache)  # one subset per font, as in the tables' PDF
    stamp = book.timestamp.strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata({"/Title": title(book), "/Author": book.author, "/Creator": "tablegen",
                         "/Producer": "tablegen", "/CreationDate": stamp, "/ModDate": stamp})
    return {file_name(book, "pdf"): _bytes(writer, laid.pdf)}
