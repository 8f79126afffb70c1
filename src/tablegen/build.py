"""The orchestrator: load and validate everything, build every book's documents (one per kind
that applies to it) in every format, then write it all.

Books × kinds × formats: a kind (`tablegen.kinds`) makes a document of a book; an engine
(`tablegen.render`) draws any document in its format. This is the one place that knows both.

What this module loads with it is light (the cache, the templates' chain, the writer): `build`
starts the engines' helpers (the PDF's worker, which loads WeasyPrint; LibreOffice) before the
modules that read, check and draw the books are loaded, each function loading those it uses
(the CLI and the helpers' modules load in 0.23 s instead of 0.40).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from . import rules
from .cache import FOLDER, Cache, digest, folder_digest, versions
from .errors import InvalidData, RenderError, Report, UsageError
from .render import BEGUN, ENGINES, PREPARED
from .templates import chain_for
from .writer import check_output, publish

if TYPE_CHECKING:
    from .document import Document
    from .model.book import Book, Indicator
    from .render.context import RenderContext
    from .render.toc_pages import Offices
    from .review import Review

log = logging.getLogger("tablegen")


@dataclass
class BuildResult:
    """What a build wrote and what it found (errors of the books it left out, warnings)."""

    written: list[Path]
    report: Report
    unchanged: int = 0  # files whose bytes were already on disk
    review: Review | None = None  # the target review the overview shows (HTML builds)


def available_formats() -> list[str]:
    """The formats whose engine is implemented, in the default build order."""
    return [name for name, module in ENGINES.items() if importlib.util.find_spec(module)]


def _engine(fmt: str) -> Callable[[Document, RenderContext], dict[str, bytes]]:
    return importlib.import_module(ENGINES[fmt]).render  # type: ignore[no-any-return]


def documents(book: Book) -> list[Document]:
    """The book's documents: one per kind that applies to it, in the order of KINDS."""
    from .kinds import KINDS

    return [kind.document(book) for kind in KINDS if kind.applies(book)]


def check(paths: list[Path], *, strict: bool = False) -> Report:
    """Validate every book and file under the paths; every finding of every file."""
    from .load.books import load_paths

    catalog = load_paths(paths)
    return catalog.report.strict() if strict else catalog.report


def explain(paths: list[Path]) -> list[str]:
    """How every 自评 score of the valid books under the paths was computed (`tablegen check
    --explain`): per evaluated project, its scheme, then 预算执行率, each indicator at its
    file:line:col (target, actual, formula, points) and the 总分."""
    from .load.books import load_paths
    from .model.scoring import explain as explain_scores
    from .model.scoring import scheme_of, score_project

    lines = []
    for book in load_paths(paths).books:
        scheme = scheme_of(book)
        for _, _, project in book.numbered():
            score = score_project(project, book)
            if score is None:
                continue
            where = project.pos.path if project.pos else project.file
            lines.append(f"{where}：{project.name}（{scheme.label}：{scheme.title}）")
            lines += [f"  {line}" for line in explain_scores(score, _at)]
    return lines


def _at(ind: Indicator) -> str:
    """An explained row's place: its value's file:line:col."""
    pos = ind.value_pos or ind.pos
    return f"{pos}: " if pos else ""


class _Once(logging.Filter):
    """Within one build, each warning is said once: "LibreOffice is not installed" is not
    repeated for every book."""

    def __init__(self) -> None:
        super().__init__()
        self.said: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        text = record.getMessage()
        if text in self.said:
            return False
        self.said.add(text)
        return True


P = ParamSpec("P")
R = TypeVar("R")


def _warnings_once(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        once = _Once()
        log.addFilter(once)
        try:
            return fn(*args, **kwargs)
        finally:
            log.removeFilter(once)

    return wrapper


@_warnings_once
def build(
    paths: list[Path],
    out: Path,
    formats: list[str] | None = None,
    *,
    strict: bool = False,
    quiet: bool = False,
    toc_pages: bool | None = None,
    templates: Path | None = None,
    links: list[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    use_cache: bool = True,
    offices: Offices | None = None,
    page_first: Callable[[BuildResult], None] | None = None,
) -> BuildResult:
    """Validate first; render every valid book in every format in memory; then write it all.

    A book with errors is left out (its findings are in the report); InvalidData only when
    no book is left to build. `links` names the files the overview links to when they are not
    built in this run (`tablegen serve` builds them when their link is opened). `progress` is
    called as each table of each format is done: (tables done, tables in all, `book · format`).
    `offices` holds a LibreOffice started ahead for the DOCX 目录's layout (`tablegen serve`).
    `page_first`, when the web page is built with other formats, is called once its files and
    the overview are written, before the other formats are (`tablegen serve`: the page shows
    a save at once, the other files follow in the same build).
    """
    chosen = formats or available_formats()
    unknown = [f for f in chosen if f not in ENGINES]
    if unknown:
        raise UsageError(f"未知的输出格式：{', '.join(unknown)}（可用：{', '.join(ENGINES)}）")
    check_output(out)
    # Started before the books are read: a worker loads what an engine's layouts need meanwhile
    # (LibreOffice, WeasyPrint). Not when the last build of this folder read these very files:
    # most likely nothing is to be laid out (and if something is, it is laid out as before);
    # nor the LibreOffice that `tablegen serve` keeps started itself (`offices`).
    inputs = _inputs_key(paths, out, chosen, toc_pages, templates) if use_cache else None
    fresh = inputs is None or not Cache.holds(out / FOLDER, "inputs", inputs)
    kept = {"docx"} if offices is not None else set()
    seeds = out / FOLDER if use_cache else None
    prepared = {fmt: importlib.import_module(PREPARED[fmt]).prepare(toc_pages, seeds)
                for fmt in chosen if fmt in PREPARED and fresh and fmt not in kept}
    try:
        return _build(paths, out, chosen, strict=strict, quiet=quiet, toc_pages=toc_pages,
                      templates=templates, links=links, progress=progress, use_cache=use_cache,
                      offices=offices, prepared=prepared, inputs=inputs,
                      page_first=page_first)
    finally:
        for handle in prepared.values():
            if handle is not None:
                handle.close()


def _build(paths: list[Path], out: Path, chosen: list[str], *, strict: bool, quiet: bool,
           toc_pages: bool | None, templates: Path | None, links: list[str] | None,
           progress: Callable[[int, int, str], None] | None, use_cache: bool,
           offices: Offices | None, prepared: dict[str, Any], inputs: str | None,
           page_first: Callable[[BuildResult], None] | None = None) -> BuildResult:
    from .load.books import load_paths
    from .render.context import RenderContext

    store = Cache(out / FOLDER if use_cache else None)
    store.scope = "load"
    catalog = load_paths(paths, store)
    report = catalog.report.strict() if strict else catalog.report
    # Books are independent: one with errors is reported and not written; the others build.
    books = [b for b in catalog.books if not (b.root and any(f.inside(b.root) for f in report.errors))]
    if report.errors and not books:
        raise InvalidData(report)
    output_keys(books)
    docs = {book.key: documents(book) for book in books}
    for book_docs in docs.values():
        _refuse_same_names(book_docs)
    total = sum(len(d.tables) for ds in docs.values() for d in ds) * len(chosen)
    done = 0
    contexts: dict[str, tuple[RenderContext, str]] = {}

    def context(book: Book) -> tuple[RenderContext, str]:
        """The book's render context, and what every document's files depend on, whatever its
        kind and format (once: the repr of a 100-table book takes a twentieth of a second)."""
        if book.key not in contexts:
            ctx = RenderContext(chain_for(book.root, templates), toc_pages, cache=store,
                                offices=offices, prepared=prepared)
            contexts[book.key] = (ctx, digest(versions(), repr(book),
                                              folder_digest(ctx.templates.dirs)))
        return contexts[book.key]

    def render(fmt: str, book: Book) -> list[_Made]:
        ctx, state = context(book)
        label = f"{book.key} · {fmt}"

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total, label)

        tick(0)
        return [_render_cached(fmt, book, doc, ctx, tick, state) for doc in docs[book.key]]

    # With `page_first` the web pages are written, with the overview and its review, as soon
    # as they are made, and `page_first` told; the other formats follow (`tablegen serve`).
    early = page_first is not None and "html" in chosen and len(chosen) > 1
    result = BuildResult([], report)
    reviewed: Review | None = None

    def tell() -> None:  # the pages are written: what was written so far, and their review
        if page_first is not None:
            page_first(BuildResult(list(result.written), report, result.unchanged, reviewed))

    def pages() -> None:
        """Every book's web pages and the review, written with the overview."""
        nonlocal reviewed
        html: dict[str, bytes] = {}
        for book in books:
            made = render("html", book)
            for one in made:
                html.update(one.finish())
        store.scope = "review"
        reviewed = review_of(books, store)
        _publish(out, html, books, report, links or chosen, True, reviewed, templates, store,
                 quiet, result)
        tell()

    # An engine that waits on another process (the DOCX on LibreOffice, the PDF on its worker)
    # begins first and finishes after the other formats, which render meanwhile, and after the
    # target review. Files keep the formats' order.
    later = [fmt for fmt in chosen if not (early and fmt == "html")]
    begun_first = sorted(later, key=lambda fmt: fmt not in BEGUN)
    files: dict[str, bytes] = {}
    review = "html" in chosen
    for book in books:
        made: dict[str, list[_Made]] = {}
        try:
            for fmt in begun_first:
                if early and fmt not in BEGUN and review:
                    pages()  # while the first book's begun documents are made
                    review = False
                made[fmt] = render(fmt, book)
            if early and review:
                pages()
            elif review:  # the overview's, while the first book's begun documents are made
                store.scope = "review"
                reviewed = review_of(books, store)
            review = False
            # Finished in the reverse of the order begun: the DOCX, begun first for LibreOffice's
            # layout (the longest wait), last; the PDF's join runs while LibreOffice lays out.
            done_files: dict[str, dict[str, bytes]] = {}
            for fmt in reversed(begun_first):
                done_files[fmt] = {}
                for one in made[fmt]:
                    done_files[fmt].update(one.finish())
            for fmt in later:
                files.update(done_files[fmt])
        finally:
            for ones in made.values():
                for one in ones:
                    one.close()
    _publish(out, files, books, report, links or chosen, "html" in later, reviewed, templates,
             store, quiet, result)
    result.review = reviewed
    if "html" in later:
        tell()
    if inputs is not None:
        store.scope = "inputs"
        store.put("inputs", inputs, b"")
    store.finish()
    return result


def _publish(out: Path, files: dict[str, bytes], books: list[Book], report: Report,
             formats: list[str], pages: bool, reviewed: Review | None, templates: Path | None,
             store: Cache, quiet: bool, result: BuildResult) -> None:
    """Write the files, with the overview when they hold the web `pages` (`reviewed` being
    their review); what was written and what was left as it was added to `result`."""
    overview = None
    if pages:
        from .render.overview import render_index

        entries = [overview_entry(book, report, formats, reviewed) for book in books]

        def overview() -> dict[str, bytes]:  # under the output folder's lock: it reads the folder
            store.scope = "overview"
            return render_index(entries, chain_for(None, templates), out, store)

    _refuse_clashes({**files, "index.html": b""} if overview is not None else files)
    changed, folders, unchanged = _changes(out, files, [b.key for b in books])
    late: Callable[[], dict[str, bytes]] | None = None
    made_late = 0
    if overview is not None:
        make_overview = overview

        def late() -> dict[str, bytes]:
            nonlocal unchanged, made_late
            made = make_overview()
            new = {rel: data for rel, data in made.items() if not _on_disk(out / rel, data)}
            unchanged += len(made) - len(new)
            made_late = len(new)
            return new

    written = publish(out, changed, folders, quiet=quiet, late=late)
    # Files of a switched-in book that already held their bytes were linked in, not written.
    unchanged += len(changed) + made_late - len(written)
    result.written += written
    result.unchanged += unchanged


def _inputs_key(paths: list[Path], out: Path, chosen: list[str], toc_pages: bool | None,
                templates: Path | None) -> str | None:
    """What a build reads, cheaply: the YAML files under `paths` by path and content (hidden
    folders and `out` left aside), the template folders' names, the formats and options asked
    for. None when a file cannot be read."""
    parts: list[bytes | str] = [",".join(chosen), repr(toc_pages), repr(templates)]
    skip = out.resolve()
    try:
        for root in paths:
            if root.is_file():
                parts += [str(root), root.read_bytes()]
                continue
            for folder, dirs, names in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and Path(folder, d).resolve() != skip)
                for name in sorted(names):
                    if name.endswith((".yaml", ".yml")):
                        path = os.path.join(folder, name)
                        parts += [path, Path(path).read_bytes()]
    except OSError:
        return None
    parts += [str(d) for d in chain_for(None, templates).dirs]
    return digest(*parts)


def review_of(books: list[Book], store: Cache | None = None) -> Review | None:
    """The target review of the books (`tablegen review`'s, with the same settings and
    history; each project's findings kept in `store`), None when the agency's review.yaml has
    errors (`tablegen review` names them)."""
    from .review import review_books
    from .review.data import load_settings
    from .review.history import gather

    settings_report = Report()
    settings = load_settings(None, settings_report)
    if settings_report.errors:
        return None
    return review_books(books, settings, gather(books), store)


def _changes(out: Path, files: dict[str, bytes],
             books: list[str]) -> tuple[dict[str, bytes], list[str], int]:
    """The files to write, the book folders to switch in, how many files are already on disk.

    A book folder whose every file already holds these bytes is left alone (mtimes too); any
    change, and the whole folder is switched in (the writer links in the files that hold their
    bytes already, so they keep their mtimes).
    """
    same = {rel for rel, data in files.items() if _on_disk(out / rel, data)}
    changed_books = {rel.partition("/")[0] for rel in files if rel not in same}
    folders = [b for b in books if b in changed_books]
    keep = {b for b in books if b not in changed_books}
    changed = {rel: data for rel, data in files.items()
               if rel.partition("/")[0] in changed_books or
               (rel not in same and rel.partition("/")[0] not in keep)}
    return changed, folders, len(files) - len(changed)


def _on_disk(path: Path, data: bytes) -> bool:
    """Whether the file already holds exactly these bytes (then it is left alone, mtime too)."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


class Pending(Protocol):
    """A document an engine has begun (`start`): `finish` makes its files, `close` stops what
    it still runs."""

    def finish(self) -> dict[str, bytes]: ...
    def close(self) -> None: ...


@dataclass
class _Made:
    """A document's files in one format, made, or begun by an engine that finishes them later
    under the same scope of the cache, progress and cache key."""

    files: dict[str, bytes] | None
    pending: Pending | None = None
    ctx: RenderContext | None = None
    scope: str = "-"
    tick: Callable[[int], None] | None = None
    key: str = ""

    def finish(self) -> dict[str, bytes]:
        if self.files is None:
            assert self.pending is not None and self.ctx is not None and self.tick is not None
            ctx = self.ctx
            ctx.cache.scope, ctx.tick, ctx.provisional = self.scope, self.tick, False
            self.files = self.pending.finish()
            if not ctx.provisional:
                ctx.cache.put("output", self.key, _pack(self.files))
        return self.files

    def close(self) -> None:
        if self.pending is not None:
            self.pending.close()


def _render_cached(fmt: str, book: Book, doc: Document, ctx: RenderContext,
                   tick: Callable[[int], None], state: str) -> _Made:
    """A document's files in one format, from the cache when nothing they depend on changed:
    `state` (the code, the book, its templates), the kind, the format and its engine's extra."""
    scope = ctx.cache.scope = f"{book.key}/{doc.kind}/{fmt}"
    ctx.tick = tick
    extra = ""
    if fmt == "pdf":
        from .render.pdf_fonts import fonts_digest

        extra = fonts_digest()
    elif fmt == "docx":
        from .render.toc_pages import soffice

        extra = f"{ctx.toc_pages}:{soffice() is not None}"
    key = digest(state, doc.kind, fmt, extra)
    cached = ctx.cache.get("output", key)
    if cached is not None:
        ctx.cache.keep_previous()  # the parts it was made from stay for the next change
        ctx.tick(len(doc.tables))
        return _Made(_unpack(cached))
    engine = importlib.import_module(ENGINES[fmt])
    if fmt in BEGUN:
        return _Made(None, engine.start(doc, ctx), ctx, scope, tick, key)
    ctx.provisional = False
    files = engine.render(doc, ctx)
    if not ctx.provisional:
        ctx.cache.put("output", key, _pack(files))
    return _Made(files)


def overview_entry(book: Book, report: Report, formats: list[str],
                   reviewed: Review | None = None) -> dict[str, Any]:
    """One book's entry on the overview page: each kind's summary, its warnings, its target
    review, its files."""
    from .kinds import KINDS

    root = book.root or Path(book.key)
    entry: dict[str, Any] = {"key": book.key}
    links: list[dict[str, str]] = []
    for kind in KINDS:
        entry.update(kind.overview(book))
        links += kind.links(book, formats)
    entry["warnings"] = [{"where": f"{f.pos}", "rule": f.rule, "message": f.message}
                         for f in report.warnings if f.inside(root)]
    entry["files"] = links
    entry["review"] = _review_entry(book, reviewed)
    return entry


def _review_entry(book: Book, reviewed: Review | None) -> dict[str, Any]:
    """The book's part of the target review: each project's grade and every finding."""
    if reviewed is None:
        return {"ok": False, "grades": [], "findings": []}
    root = book.root or Path(book.key)
    inside = root.resolve()
    grades = [g for g in reviewed.grades if Path(g.file).resolve().is_relative_to(inside)]
    findings = [f for f in reviewed.report.sorted() if f.inside(root)]
    return {
        "ok": True,
        "grades": [{"heading": g.heading, "score": g.score, "grade": g.grade,
                    "findings": len(g.findings)} for g in grades],
        "findings": [{"where": f"{f.pos}", "rule": f.rule, "point": rules.rule(f.rule).point,
                      "message": f.message} for f in findings],
    }


def _pack(files: dict[str, bytes]) -> bytes:
    import json

    head = json.dumps([[rel, len(data)] for rel, data in files.items()], ensure_ascii=False).encode()
    return len(head).to_bytes(8, "big") + head + b"".join(files.values())


def _unpack(blob: bytes) -> dict[str, bytes]:
    import json

    size = int.from_bytes(blob[:8], "big")
    out, at = {}, 8 + size
    for rel, length in json.loads(blob[8:at]):
        out[rel] = blob[at:at + length]
        at += length
    return out


def output_keys(books: list[Book]) -> None:
    """Give each book a unique, stable output folder name: its folder's name, preceded by as
    many parent folder names as it takes to tell same-named books apart (a/2024 → a-2024)."""
    parts = {id(b): (Path.cwd() / (b.root or b.key)).resolve().parts[1:] or ("book",)
             for b in books}
    depth = {id(b): 1 for b in books}
    while True:
        keys = {id(b): "-".join(parts[id(b)][-depth[id(b)]:]) for b in books}
        seen: dict[str, list[Book]] = {}
        for b in books:
            seen.setdefault(keys[id(b)], []).append(b)
        clashes = [b for group in seen.values() for b in group if len(group) > 1]
        grown = [b for b in clashes if depth[id(b)] < len(parts[id(b)])]
        if not grown:
            break
        for b in grown:
            depth[id(b)] += 1
    for b in books:
        key = keys[id(b)]
        if len(seen[key]) > 1:
            key = f"{key}-{seen[key].index(b) + 1}"
        b.key = key


def _refuse_same_names(docs: list[Document]) -> None:
    """Two documents of a book that would write one file (a 部门整体 layout whose `document`
    label is another table's name): refused, rather than one of them lost in silence."""
    seen: dict[str, Document] = {}
    for doc in docs:
        for path in doc.files.values():
            other = seen.setdefault(path, doc)
            if other is not doc:
                raise RenderError(f"{doc.key}：两种表（{other.kind}、{doc.kind}）的文档同名，都要写 {path}，"
                                  "无法同时写出；请检查部门整体表版式（templates/overall/layouts/）的 "
                                  "document 标签，它不能与其他表的名称相同")


def _refuse_clashes(files: dict[str, bytes]) -> None:
    """A file that would also have to be a folder (a book folder named `index.html`)."""
    folders = {str(parent) for rel in files for parent in PurePosixPath(rel).parents}
    clash = sorted(rel for rel in files if rel in folders)
    if clash:
        raise RenderError(f"输出文件 {clash[0]} 与同名的书文件夹 {clash[0]}/ 冲突，无法同时写出；"
                          "请给这本书的文件夹换个名字")
