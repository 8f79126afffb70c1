"""PDF output through WeasyPrint, from the same templates as the HTML.

WeasyPrint spends its time laying out tables, so the tables are laid out in chunks, in parallel
processes (one per core), and joined with pypdf. What needs the whole book is added after the
layout, when every table's page is known: the 目录 with the real page numbers, page numbers in
the footers (a thin overlay), the outline and the metadata. A 一级/二级 group that a page break
cuts is split there, so its label shows on both pages.
"""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .. import tempdirs
from ..cache import Cache, digest, folder_digest, versions
from ..document import Document, Group, Page, split_spans
from ..errors import RenderError
from ..load.glyphs import fallback_font
from . import html as html_engine
from . import pdf_fonts
from .context import RenderContext
from .fonts import font_face_css, libraries_found_without_a_compiler

with libraries_found_without_a_compiler():
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure.boxes import TableRowBox
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

TABLES_PER_CHUNK = 25
log = logging.getLogger("tablegen")
FOOTER = """
@page {{ size: {size}; margin: {margin};
        @bottom-center {{ content: "— " counter(page) " —"; font-size: {footer};
                         font-family: "Noto Serif CJK SC", "tablegen-fallback", serif; }} }}
"""


def footer_css(page: Page) -> str:
    """The page-number stamps' CSS: the kind's page size and margins, a footer `— N —`."""
    return FOOTER.format(size=page.size, margin=page.margin, footer=page.footer_size)


FOOTER_CSS = footer_css(Page())


@dataclass(frozen=True)
class Job:
    """One document to lay out: its HTML and what it may read."""

    html: str
    base_url: str
    allowed: tuple[str, ...]
    css: str
    fonts: tuple[str, ...] = ()  # identities of the font files embedded as placeholders


@dataclass(frozen=True)
class TablePages:
    """Where one table's pages are: pages [start, end) of laid-out part `part`."""

    number: int
    heading: str
    part: int
    start: int
    end: int


@dataclass(frozen=True)
class Laid:
    """A laid-out document: its PDF and the page (0-based) of each element id."""

    pdf: bytes
    pages: int
    anchors: dict[str, int]

    def dump(self) -> bytes:
        head = json.dumps({"pages": self.pages, "anchors": self.anchors}, sort_keys=True).encode()
        return len(head).to_bytes(8, "big") + head + self.pdf

    @classmethod
    def load(cls, data: bytes) -> Laid:
        size = int.from_bytes(data[:8], "big")
        head = json.loads(data[8:8 + size])
        return cls(data[8 + size:], head["pages"], head["anchors"])


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """Reads only files under the allowed paths (templates, fonts): no network, nothing else."""

    def __init__(self, allowed: tuple[str, ...]):
        super().__init__(allowed_protocols=("file",), fail_on_errors=False)
        self.roots = [Path(p).resolve() for p in allowed]

    def fetch(self, url: str, headers: Any = None) -> Any:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if any(path == r or path.is_relative_to(r) for r in self.roots):
                return super().fetch(url, headers)
        raise ValueError(f"tablegen 不允许读取 {url}")


@contextmanager
def font_configuration() -> Iterator[FontConfiguration]:
    """WeasyPrint's fonts for one layout, and its temporary font folder removed afterwards.

    FontConfiguration copies each @font-face font into a `mkdtemp` folder that it removes only
    in `__del__`, which never runs in a pool worker that exits: removed here, also on failure
    and Ctrl-C. The folder is named for the process (`tempdirs`), so that one left by a process
    killed outright (kill -9, out of memory) is removed by the next layout.
    """
    fonts = FontConfiguration()
    try:
        fonts._folder = tempdirs.make("fonts")
        yield fonts
    finally:
        folder = getattr(fonts, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            fonts._folder = None


def layout(job: Job) -> Laid:
    """Lay out one HTML document (runs in a worker process)."""
    pdf_fonts.use_placeholders(job.fonts)
    with font_configuration() as fonts:
        return _layout(job, fonts)


def _layout(job: Job, fonts: FontConfiguration) -> Laid:
    doc = HTML(string=job.html, base_url=job.base_url,
               url_fetcher=SafeFetcher(job.allowed)).render(
        stylesheets=[CSS(string=job.css, font_config=fonts)], font_config=fonts)
    anchors: dict[str, int] = {}
    for i, page in enumerate(doc.pages):
        for name in page.anchors:
            anchors.setdefault(name, i)
        # Rows carry data-row="<table>-<row>" rather than ids: an id costs WeasyPrint an anchor.
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, TableRowBox):
                key = box.element.get("data-row") if box.element is not None else None
                if key:
                    anchors.setdefault(f"row-{key}", i)
                continue
            stack.extend(getattr(box, "children", ()))
    return Laid(doc.write_pdf(), len(doc.pages), anchors)


def _pool_map(jobs: list[Job], done: Callable[[int], None] = lambda i: None) -> list[Laid]:
    """Lay out the jobs in parallel, in order; `done(i)` as job i's layout comes back."""
    workers = min(len(jobs), os.cpu_count() or 1)
    out: list[Laid] = []
    if workers <= 1:
        for i, job in enumerate(jobs):
            out.append(layout(job))
            done(i)
        return out
    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for i, laid in enumerate(pool.map(layout, jobs)):
                out.append(laid)
                done(i)
    finally:
        # The workers have ended (the pool waited for them): a folder one of them made just as a
        # Ctrl-C or kill reached it, before its own clean-up could take it over, goes now.
        tempdirs.remove_orphans()
    return out


class PdfRenderer:
    """Lays out one document (each table once per content, through the cache) and joins it."""

    def __init__(self, doc: Document, ctx: RenderContext):
        self.doc = doc
        self.tick = ctx.tick
        self.store: Cache = ctx.cache
        self.env = html_engine.environment(doc, ctx.templates)
        folders = ctx.templates.folders(doc.kind, "html")
        if not folders:
            raise RenderError(f"找不到模板文件夹 {doc.kind}/ 或 html/")
        self.base_url = folders[0].as_uri() + "/"
        font = fallback_font()
        self.allowed = tuple(str(f) for f in folders) + ((str(font),) if font else ())
        self.css = font_face_css()
        self.fonts = tuple(pdf_fonts.known_fonts())
        # What every layout depends on besides its own HTML and CSS.
        self.base_key = digest(versions(), folder_digest(folders), pdf_fonts.fonts_digest(),
                               self.base_url)
        self._stamps: list[Any] = []
        self._stamp_glyphs: list[dict[str, set[int]]] = []
        self._glyphs: dict[tuple[int, int], dict[str, set[int]]] = {}
        self.laid_tables = 0  # tables laid out by this renderer (the rest came from the cache)
        self.part_keys: dict[int, str] = {}  # laid-out part → its cache key

    def job(self, html: str, extra_css: str = "") -> Job:
        return Job(html, self.base_url, self.allowed, self.css + extra_css, self.fonts)

    def key(self, job: Job) -> str:
        return digest(self.base_key, job.html, job.css)

    def laid(self, job: Job) -> Laid:
        """One document laid out, or its layout from the cache."""
        key = self.key(job)
        cached = self.store.get("laid", key)
        if cached is not None:
            return Laid.load(cached)
        part = layout(job)
        self.store.put("laid", key, part.dump())
        return part

    def html(self, mode: str, groups: list[Group] | None = None,
             pages: dict[int, int] | None = None) -> str:
        return html_engine.page(self.doc, self.env, mode, groups, pages)

    def alone(self, group: Group, table: Any) -> str:
        """The body HTML of one table alone (what its cache key hashes)."""
        return self.html("pdf-body", [Group(group.label, [table])])

    def chunks(self, wanted: set[int]) -> list[list[Group]]:
        """The document's groups (their `wanted` tables) cut into chunks of about
        TABLES_PER_CHUNK tables, as many chunks as cores when there are few tables."""
        groups = [Group(g.label, [t for t in g.tables if t.number in wanted])
                  for g in self.doc.groups]
        n = sum(len(g.tables) for g in groups)
        per = max(1, min(TABLES_PER_CHUNK, -(-n // (os.cpu_count() or 1))))
        out: list[list[Group]] = [[]]
        count = 0
        last = -1  # the group the chunk's last group comes from
        for i, g in enumerate(groups):
            for t in g.tables:
                if count == per:
                    out.append([])
                    count = 0
                if not out[-1] or last != i:
                    out[-1].append(Group(g.label, []))
                    last = i
                out[-1][-1].tables.append(t)
                count += 1
        return [c for c in out if c]

    def body(self) -> tuple[list[Laid], list[TablePages]]:
        """Each table's pages: from the cache, else laid out (in chunks, in parallel).

        A table is keyed by its own HTML alone; a table whose 一级/二级 group a page break cut is
        laid out again alone with the group split there.
        """
        keys: dict[int, str] = {}
        group_of: dict[int, Group] = {}
        for g in self.doc.groups:
            for t in g.tables:
                keys[t.number] = self.key(self.job(self.alone(g, t)))
                group_of[t.number] = g
        laid: list[Laid] = []
        part_index: dict[str, int] = {}
        found: dict[int, TablePages] = {}

        def add(part_key: str, part: Laid) -> int:
            if part_key not in part_index:
                part_index[part_key] = len(laid)
                laid.append(part)
            return part_index[part_key]

        for t in self.doc.tables:
            entry = self.store.get_json("table", keys[t.number])
            if not isinstance(entry, dict):
                continue
            if entry["part"] in part_index:
                index = part_index[entry["part"]]
            else:
                blob = self.store.get("laid", entry["part"])
                if blob is None:
                    continue
                index = add(entry["part"], Laid.load(blob))
            found[t.number] = TablePages(t.number, t.heading, index, entry["start"], entry["end"])
        missing = set(keys) - set(found)
        self.tick(len(found))
        if missing:
            self.laid_tables += len(missing)
            chunks = self.chunks(missing)
            jobs = [self.job(self.html("pdf-body", c)) for c in chunks]
            parts = _pool_map(jobs, lambda i: self.tick(sum(len(g.tables) for g in chunks[i])))
            redo: list[tuple[Group, Any]] = []
            for chunk, job, part in zip(chunks, jobs, parts, strict=True):
                part_key = self.key(job)
                self.store.put("laid", part_key, part.dump())
                tables = [t for g in chunk for t in g.tables]
                starts = [part.anchors[t.anchor] for t in tables] + [part.pages]
                for t, start, end in zip(tables, starts, starts[1:], strict=False):
                    rows = [part.anchors[f"row-{t.number}-{k}"] for k in range(1, len(t.rows) + 1)]
                    cut = {k for k in range(1, len(rows)) if rows[k] != rows[k - 1]}
                    split = split_spans(t.rows, cut)
                    if split != list(t.rows):
                        redo.append((group_of[t.number], t.with_rows(split)))
                        continue
                    found[t.number] = TablePages(t.number, t.heading, add(part_key, part),
                                                 start, end)
                    self.store.put_json("table", keys[t.number],
                                        {"part": part_key, "start": start, "end": end})
            if redo:
                jobs = [self.job(self.alone(g, t)) for g, t in redo]
                for (_, t), job, part in zip(redo, jobs, _pool_map(jobs), strict=True):
                    part_key = self.key(job)
                    self.store.put("laid", part_key, part.dump())
                    found[t.number] = TablePages(t.number, t.heading, add(part_key, part),
                                                 0, part.pages)
                    self.store.put_json("table", keys[t.number],
                                        {"part": part_key, "start": 0, "end": part.pages})
        self.part_keys = {index: key for key, index in part_index.items()}
        return laid, [found[n] for n in sorted(found)]

    def glyphs(self, readers: list[Any], part: int, page: int) -> dict[str, set[int]]:
        """The glyphs one page of a laid-out part shows (computed once)."""
        if (part, page) not in self._glyphs:
            self._glyphs[(part, page)] = pdf_fonts.used_glyphs(readers[part].pages[page])
        return self._glyphs[(part, page)]

    def render(self) -> tuple[bytes, list[Laid], list[TablePages]]:
        """The document's PDF, with the laid-out parts and where each table's pages are."""
        from pypdf import PdfReader, PdfWriter

        laid, tables = self.body()
        readers = [PdfReader(io.BytesIO(part.pdf)) for part in laid]
        starts: dict[int, int] = {}  # table number → first page after the front matter
        total = 0
        for tp in tables:
            starts[tp.number] = total
            total += tp.end - tp.start
        entries = len(tables) + (len(self.doc.groups) if self.doc.several else 0)
        front_pages = 1 + max(1, -(-entries // 28))  # cover + 目录 pages, checked below
        front: Laid | None = None
        for _ in range(3):  # the 目录 page count settles at once; the loop only guards it
            pages = {n: front_pages + start + 1 for n, start in starts.items()}
            front = self.laid(self.job(self.html("pdf-front", pages=pages)))
            if front.pages == front_pages:
                break
            front_pages = front.pages
        assert front is not None
        writer = PdfWriter()
        glyphs: dict[str, set[int]] = {}
        front_reader = PdfReader(io.BytesIO(front.pdf))
        for front_page in front_reader.pages:
            writer.add_page(front_page)
            _union(glyphs, pdf_fonts.used_glyphs(front_page))
        for tp in tables:
            for i in range(tp.start, tp.end):
                writer.add_page(readers[tp.part].pages[i])
                _union(glyphs, self.glyphs(readers, tp.part, i))
        self.number_pages(writer, glyphs)
        pdf_fonts.embed(writer, glyphs, self.store)
        self.outline(writer, {n: front.pages + s for n, s in starts.items()})
        self.metadata(writer, self.doc.title)
        used = dict.fromkeys(tp.part for tp in tables)  # the parts in book order, once each
        return _bytes(writer, front.pdf, *(laid[i].pdf for i in used)), laid, tables

    def stamps(self, count: int) -> list[Any]:
        """Pages that hold only a footer `— N —`, N = 1 … count (laid out once, then reused)."""
        from pypdf import PdfReader

        if len(self._stamps) < count:
            html = ('<html><body style="margin:0">'
                    + '<div style="break-after:page"></div>' * (count - 1)
                    + "<div></div></body></html>")
            stamp = self.laid(self.job(html, footer_css(self.doc.page)))
            self._stamps = list(PdfReader(io.BytesIO(stamp.pdf)).pages)
            self._stamp_glyphs = [pdf_fonts.used_glyphs(p) for p in self._stamps]
        return self._stamps[:count]

    def number_pages(self, writer: Any, glyphs: dict[str, set[int]]) -> None:
        """Stamp `— N —` in every footer; the stamps' glyphs join `glyphs`."""
        stamps = self.stamps(len(writer.pages))
        for pdf_page, number, used in zip(writer.pages, stamps, self._stamp_glyphs, strict=False):
            pdf_page.merge_page(number)
            pdf_page.compress_content_streams()  # merging leaves the page's content uncompressed
            _union(glyphs, used)

    def outline(self, writer: Any, first_page: dict[int, int]) -> None:
        """One entry per table, under its agency when the document shows several."""
        for g in self.doc.groups:
            parent = None
            for t in g.tables:
                at = first_page[t.number]
                if self.doc.several and parent is None:
                    parent = writer.add_outline_item(title=g.label, page_number=at)
                writer.add_outline_item(title=t.heading, page_number=at, parent=parent)

    def metadata(self, writer: Any, title: str) -> None:
        stamp = self.doc.timestamp.strftime("D:%Y%m%d%H%M%SZ")
        writer.add_metadata({"/Title": title, "/Author": self.doc.author, "/Creator": "tablegen",
                             "/Producer": "tablegen", "/CreationDate": stamp, "/ModDate": stamp})

    def table_pdfs(self, laid: list[Laid], tables: list[TablePages]) -> dict[str, bytes]:
        """One PDF per table that has files of its own, cut from the parts, numbered from 1."""
        from pypdf import PdfReader, PdfWriter

        readers = [PdfReader(io.BytesIO(part.pdf)) for part in laid]
        by_number = {t.number: t for t in self.doc.tables}
        out = {}
        for tp in tables:
            stem = self.doc.table_file(by_number[tp.number])
            if stem is None:
                continue
            path = f"{stem}.pdf"
            # A table's own PDF depends on its pages in their part and on nothing else.
            key = digest(self.base_key, self.part_keys[tp.part], str(tp.number), str(tp.start),
                         str(tp.end), tp.heading, self.doc.author, self.doc.timestamp.isoformat())
            cached = self.store.get("project-pdf", key)
            if cached is not None:
                out[path] = cached
                continue
            writer = PdfWriter()
            glyphs: dict[str, set[int]] = {}
            for i in range(tp.start, tp.end):
                writer.add_page(readers[tp.part].pages[i])
                _union(glyphs, self.glyphs(readers, tp.part, i))
            self.number_pages(writer, glyphs)
            pdf_fonts.embed(writer, glyphs, self.store)
            writer.add_outline_item(title=tp.heading, page_number=0)
            self.metadata(writer, tp.heading)
            out[path] = _bytes(writer, laid[tp.part].pdf, f"{tp.number}:{tp.start}".encode())
            self.store.put("project-pdf", key, out[path])
        return out


def _union(into: dict[str, set[int]], more: dict[str, set[int]]) -> None:
    for font, glyphs in more.items():
        into.setdefault(font, set()).update(glyphs)


def _bytes(writer: Any, *parts: bytes) -> bytes:
    """The writer's PDF with a document ID derived from its parts, not from chance."""
    import hashlib

    from pypdf.generic import ArrayObject, ByteStringObject

    md5 = hashlib.md5(usedforsecurity=False)
    for part in parts:
        md5.update(part)
    ident = ByteStringObject(md5.digest())
    writer._ID = ArrayObject([ident, ident])
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def render(doc: Document, ctx: RenderContext) -> dict[str, bytes]:
    """The document's PDF and, for a kind with them, one PDF per table."""
    renderer = PdfRenderer(doc, ctx)
    data, laid, tables = renderer.render()
    files = {doc.files["pdf"]: data}
    files.update(renderer.table_pdfs(laid, tables))
    tempdirs.remove_orphans()  # again: a killed process's workers may have died since
    if renderer.laid_tables:
        log.info("PDF %s：排版 %d 张表，%d 张取自缓存", doc.label, renderer.laid_tables,
                 len(tables) - renderer.laid_tables)
    return files

