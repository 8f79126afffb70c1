"""The 自评表 as HTML: `<book>/<book>-自评.html`, from `selfeval.html.j2` (also the PDF's source)."""

from __future__ import annotations

from typing import Any

from .build import RenderContext
from .model import Book
from .selfeval import file_name, selfevals, title
from .templates import render_template


def selfeval_context(book: Book, mode: str) -> dict[str, Any]:
    """The template's context; mode is html or pdf."""
    return {
        "mode": mode,
        "title": title(book),
        "subtitle": f"{book.year}年 · 单位：{book.money_unit}",
        "unit": book.money_unit,
        "author": book.author,
        "date": book.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tables": selfevals(book),
    }


def render_selfeval_html(book: Book, ctx: RenderContext, mode: str) -> str:
    env = ctx.templates.jinja("html")
    return render_template(env, "selfeval.html.j2", selfeval_context(book, mode))


def render(book: Book, ctx: RenderContext) -> dict[str, bytes]:
    """`<book>/<book>-自评.html` for a book with execution data."""
    return {file_name(book, "html"): render_selfeval_html(book, ctx, "html").encode("utf-8")}
