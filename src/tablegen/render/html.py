"""HTML: one self-contained page per document, from the kind's `<template>.html.j2`.

The same templates drive the PDF (`render.pdf`), in the modes `pdf-front` and `pdf-body`.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.runtime
from markupsafe import Markup

from ..cache import Cache, digest, folder_digest, versions
from ..document import Document, Group
from ..templates import TemplateChain, render_template
from .context import RenderContext


def environment(doc: Document, templates: TemplateChain,
                store: Cache | None = None) -> jinja2.Environment:
    """The kind's templates first, then the shared pages (`html/`): one environment per
    process for the web page and the PDF, its compiled templates kept in the build cache."""
    return _environment(templates, doc.kind, store or Cache(None))


@functools.lru_cache(maxsize=4)
def _environment(templates: TemplateChain, kind: str, store: Cache) -> jinja2.Environment:
    env = templates.jinja(kind, "html", bytecode_cache=CompiledTemplates(store))
    env.globals["kept"] = Kept(store, digest(versions(), folder_digest(templates.folders(kind, "html"))))
    return env


class Kept:
    """`{{ kept(project_table, t) }}` in a template: the macro's output for these arguments,
    kept in the build cache, so that a page of a hundred tables renders only the edited one.

    Exact for a macro imported without the template's context (Jinja's default for
    `{% from … import %}`): its output is then made of its arguments, whose repr is their whole
    content (a kind's table), the template files and tablegen's code, which the key holds."""

    def __init__(self, store: Cache, base: str):
        self.store, self.base = store, base
        self.made: dict[str, Markup] = {}

    def __call__(self, macro: jinja2.runtime.Macro, *args: object) -> Markup:
        code = getattr(getattr(macro, "_func", None), "__code__", None)
        if code is None or getattr(macro, "caller", False):
            return Markup(macro(*args))
        key = digest(self.base, "fragment", code.co_filename, str(code.co_firstlineno),
                     macro.name, repr(args))
        if key not in self.made:
            cached = self.store.get("html-fragment", key)
            if cached is None:
                text = str(macro(*args))
                self.store.put("html-fragment", key, text.encode("utf-8"))
            else:
                text = cached.decode("utf-8")
            self.made[key] = Markup(text)
        return self.made[key]


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates in the build cache, under the template's name and source
    and tablegen's code (whose sandbox rewrites what a template compiles to): a template that
    did not change is not compiled again by the next build."""

    def __init__(self, store: Cache):
        self.store = store

    def _key(self, bucket: jinja2.bccache.Bucket) -> str:
        return digest(versions(), sys.version, "jinja", bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get("jinja", self._key(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.put("jinja", self._key(bucket), bucket.bytecode_to_string())


@functools.lru_cache(maxsize=4)
def reads_document(env: jinja2.Environment) -> bool:
    """Whether any of the environment's templates reads `doc` itself, the whole document
    (the default templates read its heading fields and the tables they are given, never
    `doc`): one that does may print any table's content in another's, so a table's page is
    then kept under its own HTML rather than under its content."""
    for name in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
        try:
            source = env.loader.get_source(env, name)[0] if env.loader else ""
            # Any name `doc` in a tag counts (an attribute `x.doc` too): the tokens are enough,
            # and a false alarm only costs the slower key.
            if any(kind == "name" and value == "doc" for _, kind, value in env.lex(source)):
                return True
        except jinja2.TemplateError:
            return True
    return False


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
    html = page(doc, environment(doc, ctx.templates, ctx.cache), "html")
    ctx.tick(len(doc.tables))
    return {doc.files["html"]: html.encode("utf-8")}
