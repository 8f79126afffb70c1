"""The 自评表 as DOCX: `<book>/<book>-自评.docx`, from its own editable template
`default_templates/docx/selfeval.docx` (landscape; title, 目录, then one 自评表 per project).

The template is read the way book.docx is (see render_docx.py): the block between
`{%p for t in tables %}` and `{%p endfor %}` is rendered once per evaluated project.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from markupsafe import Markup

from .build import RenderContext
from .model import Book
from .render_docx import (
    DocxRenderer,
    _environment,
    _vmerge,
    estimated_pages,
    toc_field,
    true_pages,
)
from .selfeval import SelfEval, file_name, selfevals, title

TEMPLATE = "docx/selfeval.docx"


def bookmark(number: int) -> str:
    """A hidden bookmark per 自评表 (its own document: no clash with the target tables')."""
    return f"_Toc9{number:08d}"


def table_context(t: SelfEval, money_unit: str) -> dict[str, Any]:
    """One 自评表 as the template's block reads it."""
    n = t.number
    return {
        "heading": t.heading,
        "bookmark_start": Markup(f'<w:bookmarkStart w:id="{n}" w:name="{bookmark(n)}"/>'),
        "bookmark_end": Markup(f'<w:bookmarkEnd w:id="{n}"/>'),
        "name": t.name, "department": t.department, "agency": t.agency, "unit": t.unit,
        "money": money_unit,
        "funds": [asdict(f) for f in t.funds],
        "goals": t.goals, "results": t.results,
        "rows": [{"level1": r.level1.text if r.level1.starts else "",
                  "level2": r.level2.text if r.level2.starts else "",
                  "vm1": _vmerge(r.level1.rows), "vm2": _vmerge(r.level2.rows),
                  "name": r.name, "value": r.value, "actual": r.actual, "weight": r.weight,
                  "score": r.score, "deviation": r.deviation} for r in t.rows],
        "full": t.full, "total": t.total, "grade": t.grade,
    }


def document(book: Book, renderer: DocxRenderer, tables: list[SelfEval],
             pages: dict[int, int]) -> bytes:
    """The 自评 DOCX with these 目录 page numbers."""
    context = {"single": False, "title": title(book),
               "subtitle": f"{book.year}年 · 单位：{book.money_unit}",
               "toc": toc_field([(bookmark(t.number), t.heading, pages.get(t.number, ""))
                                 for t in tables])}
    entries, block_src = renderer.skeleton(book, context, title(book))
    block = _environment().from_string(block_src)
    body = renderer.render_block(block, [table_context(t, book.money_unit) for t in tables])
    return renderer.pack(entries, body, book)


def render(book: Book, ctx: RenderContext) -> dict[str, bytes]:
    """`<book>/<book>-自评.docx` for a book with execution data; its 目录 numbers measured like
    the target tables' (render_docx.true_pages), else estimated."""
    renderer = DocxRenderer(ctx.templates.find(TEMPLATE))
    tables = selfevals(book)
    data = document(book, renderer, tables, estimated_pages(book))
    measured = true_pages(data, [t.heading for t in tables], ctx)
    if measured is not None:
        data = document(book, renderer, tables, measured)
    return {file_name(book, "docx"): data}
