"""HTML: one self-contained page per document, from the kind's `<template>.html.j2`.

The same templates drive the PDF (`render.pdf`), in the modes `pdf-front` and `pdf-body`.
"""

from __future__ import annotations

from typing import Any

import jinja2

from ..document import Document, Group
from ..templates import TemplateChain, render_template
from .context import RenderContext


def environment(doc: Document, templates: TemplateChain) -> jinja2.Environment:
    """The kind's templates first, then the shared pages (`html/`)."""
    return templates.jinja(doc.kind, "html")


def context(doc: Document, mode: str, groups: list[Group] | None = None,
            pages: dict[int, int] | None = None) -> dict[str, Any]:
    """What a document's template reads; mode is html, pdf-front or pdf-body."""
    return {
        "mode": mode,
        "doc": doc,
        "title": doc.title,
        "title_lines": doc.title_lines,
        "subtitle": doc.subtitle,
        "author": doc.author,
        "date": doc.date,
        "agencies": doc.groups if groups is None else groups,
        "pages": pages or {},
    }


def page(doc: Document, env: jinja2.Environment, mode: str, groups: list[Group] | None = None,
         pages: dict[int, int] | None = None) -> str:
    """The document (or some of its tables) as one HTML page."""
    return render_template(env, f"{doc.template}.html.j2", context(doc, mode, groups, pages))


def render(doc: Document, ctx: RenderContext) -> dict[str, bytes]:
    """The document's web page."""
    html = page(doc, environment(doc, ctx.templates), "html")
    ctx.tick(len(doc.tables))
    return {doc.files["html"]: html.encode("utf-8")}
