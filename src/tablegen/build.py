"""The orchestrator: load and validate everything, render every format, then write."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .books import load_paths
from .errors import InvalidData, RenderError, Report, UsageError
from .model import Book
from .templates import TemplateChain, chain_for
from .writer import check_output, publish

log = logging.getLogger("tablegen")

# Output format → module with `render(book, ctx) -> dict[str, bytes]` (paths relative to the
# output folder). Modules load on demand: WeasyPrint alone takes a second to import.
RENDERERS = {
    "docx": "tablegen.render_docx",
    "html": "tablegen.render_html",
    "pdf": "tablegen.render_pdf",
    "xlsx": "tablegen.render_xlsx",
}

# The 项目支出绩效自评表 of a book with execution data, beside its target tables.
SELFEVAL_RENDERERS = {
    "docx": "tablegen.render_selfeval_docx",
    "html": "tablegen.render_selfeval_html",
    "pdf": "tablegen.render_selfeval_pdf",
    "xlsx": "tablegen.render_selfeval_xlsx",
}


@dataclass
class RenderContext:
    """What a renderer may use besides the book."""

    templates: TemplateChain
    report: Report
    toc_pages: bool = False
    books: list[Book] = field(default_factory=list)
    # Called with how many more tables a renderer has finished (the build's progress).
    tick: Callable[[int], None] = field(default=lambda n: None)


@dataclass
class BuildResult:
    """What a build wrote and what it found (errors of the books it left out, warnings)."""

    written: list[Path]
    report: Report


def available_formats() -> list[str]:
    """The formats whose renderer is implemented, in the default build order."""
    return [name for name, module in RENDERERS.items() if importlib.util.find_spec(module)]


def _renderer(fmt: str) -> Callable[[Book, RenderContext], dict[str, bytes]]:
    return importlib.import_module(RENDERERS[fmt]).render  # type: ignore[no-any-return]


def check(paths: list[Path], *, strict: bool = False) -> Report:
    """Validate every book and file under the paths; every finding of every file."""
    catalog = load_paths(paths)
    return catalog.report.strict() if strict else catalog.report


def build(
    paths: list[Path],
    out: Path,
    formats: list[str] | None = None,
    *,
    strict: bool = False,
    quiet: bool = False,
    toc_pages: bool = False,
    templates: Path | None = None,
    links: list[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> BuildResult:
    """Validate first; render every valid book in every format in memory; then write it all.

    A book with errors is left out (its findings are in the report); InvalidData only when
    no book is left to build. `links` names the files the overview links to when they are not
    built in this run (`tablegen serve` builds them when their link is opened). `progress` is
    called as each table of each format is done: (tables done, tables in all, `book · format`).
    """
    chosen = formats or available_formats()
    unknown = [f for f in chosen if f not in RENDERERS]
    if unknown:
        raise UsageError(f"未知的输出格式：{', '.join(unknown)}（可用：{', '.join(RENDERERS)}）")
    check_output(out)
    catalog = load_paths(paths)
    report = catalog.report.strict() if strict else catalog.report
    # Books are independent: one with errors is reported and not written; the others build.
    books = [b for b in catalog.books if not (b.root and any(f.inside(b.root) for f in report.errors))]
    if report.errors and not books:
        raise InvalidData(report)
    output_keys(books)
    files: dict[str, bytes] = {}
    total = sum(len(b.projects) for b in books) * len(chosen)
    done = 0
    for book in books:
        ctx = RenderContext(chain_for(book.root, templates), report, toc_pages, books)
        for fmt in chosen:
            label = f"{book.key} · {fmt}"

            def tick(n: int, label: str = label) -> None:
                nonlocal done
                done += n
                if progress is not None:
                    progress(done, total, label)

            tick(0)
            ctx.tick = tick
            files.update(_renderer(fmt)(book, ctx))
            if book.evaluated and fmt in SELFEVAL_RENDERERS:
                files.update(importlib.import_module(SELFEVAL_RENDERERS[fmt]).render(book, ctx))
    overview = None
    if "html" in chosen:
        index = importlib.import_module(RENDERERS["html"])

        def overview() -> dict[str, bytes]:  # under the output folder's lock: it reads the folder
            return index.render_index(  # type: ignore[no-any-return]
                books, report, chain_for(None, templates), links or chosen, out)

    _refuse_clashes({**files, "index.html": b""} if "html" in chosen else files)
    written = publish(out, files, [b.key for b in books], quiet=quiet, late=overview)
    return BuildResult(written, report)


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


def _refuse_clashes(files: dict[str, bytes]) -> None:
    """A file that would also have to be a folder (a book folder named `index.html`)."""
    folders = {str(parent) for rel in files for parent in PurePosixPath(rel).parents}
    clash = sorted(rel for rel in files if rel in folders)
    if clash:
        raise RenderError(f"输出文件 {clash[0]} 与同名的书文件夹 {clash[0]}/ 冲突，无法同时写出；"
                          "请给这本书的文件夹换个名字")
