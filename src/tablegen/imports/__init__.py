"""`tablegen import`: read every source, map every table, then write the book atomically.

The steps, one module each: `office_zip` opens a DOCX/XLSX safely; `read_docx`, `read_xlsx` and
`read_dump` turn a source into sections of rows of cell texts; `rows` maps each section onto the
model; `book_files` names the new files and writes a new book's text; an existing book gets the
new projects listed by `tablegen.edit_book`, its other files untouched; `verify` checks the book
as it would be written exactly as `check` does. Nothing is written when anything fails.
"""

from __future__ import annotations

from pathlib import Path

from .. import rules
from ..errors import Pos, Report, TablegenError, UsageError, display_path
from ..load.books import BOOK_FILE, book_context, load_paths
from ..load.loader import read_text
from ..source.edit_book import add_projects
from ..writer import write_atomic
from .book_files import book_files, project_files
from .rows import BookInfo, Imported, Section, candidates, rows_to_project
from .verify import verify

READERS = (".txt", ".docx", ".xlsx")


def read_sections(path: Path, report: Report) -> tuple[list[Section], BookInfo]:
    """The tables of one source file."""
    from .read_docx import read_docx
    from .read_dump import parse_dump
    from .read_xlsx import read_xlsx

    shown = display_path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return read_docx(path, shown, report)
    if suffix == ".xlsx":
        return read_xlsx(path, shown, report)
    text = read_text(path, shown, report)
    return (parse_dump(text) if text is not None else []), BookInfo()


def read_all(files: list[Path], report: Report, into: Path | None = None
             ) -> tuple[list[Imported], BookInfo]:
    """Every target table of the source files, mapped onto the model (tried first in the layout
    of the book `into`, when it is one)."""
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"文件不存在：{', '.join(map(str, missing))}")
    unknown = sorted({f.suffix for f in files if f.suffix.lower() not in READERS})
    if unknown:
        raise UsageError(f"不支持的源文件类型：{', '.join(unknown)}（支持 .docx、.xlsx 和 .txt 转储）")
    imported: list[Imported] = []
    info = BookInfo()
    book = book_context(into) if into is not None and (into / BOOK_FILE).is_file() else None
    layouts = candidates(book.layout if book is not None else None)
    for f in files:
        sections, found = read_sections(f, report)
        info = BookInfo(info.title or found.title, info.author or found.author,
                        info.year or found.year)
        for section in sections:
            item = rows_to_project(section, display_path(f), report, layouts)
            if item is not None:
                imported.append(item)
    if not imported and not report.errors:
        raise TablegenError(f"没有在 {', '.join(map(str, files))} 中找到任何项目支出绩效目标表")
    return imported, info


def import_files(files: list[Path], into: Path, report: Report) -> list[Path]:
    """Import source files into a book folder; nothing is written when anything fails, nor when
    the book already has every project (`update.update_files` brings those up to date)."""
    imported, info = read_all(files, report, into)
    if report.errors:
        return []
    # A new file never takes the name of a file already in the folder, nor book.yaml's.
    taken = {p.stem for p in into.glob("*") if p.is_file()} | {Path(BOOK_FILE).stem}
    if (into / BOOK_FILE).exists():
        out = add_to_book(into, imported, taken, report)
    else:
        out = book_files(into, imported, info, taken)
    if report.errors or not out:
        return []
    # `import` never leaves a book that `check` refuses: a bogus 一级, an empty 指标值…
    verify(into, out, imported, report)
    if report.errors:
        return []
    return write_book(out)


def write_book(out: dict[Path, str]) -> list[Path]:
    """Write a book's new files, book.yaml last: killed in between, the book lists no file that
    is not there yet (each file is written whole or not at all)."""
    for path in sorted(out, key=lambda p: (p.name == BOOK_FILE, p)):
        write_atomic(path, out[path].encode("utf-8"))
    return sorted(out)


def same_unit(it: Imported, unit: str, report: Report) -> bool:
    """Whether a table's amounts are in the book's money unit (an error when not: 12.50 万元 is
    never read as 12.50 元)."""
    if not it.money_unit or it.money_unit == unit:
        return True
    named = f"{it.label}：" if it.label else ""
    report.add(it.source, rules.IMPORT_UNIT,
                 f"{named}金额单位是{it.money_unit}，而这本书用{unit}；请在源文件中把金额换算为{unit}"
                 "后再导入（不会自动换算）")
    return False


def add_to_book(into: Path, imported: list[Imported], taken: set[str],
                report: Report) -> dict[Path, str]:
    """The new project files and book.yaml with them listed; the other files stay as they are.

    A book with errors is not imported into: which projects it already has is not known."""
    book_file = into / BOOK_FILE
    shown = display_path(book_file)
    catalog = load_paths([into])
    if catalog.report.errors or not catalog.books:
        report.findings += catalog.report.errors
        report.add(Pos(shown), rules.IMPORT_BOOK,
                     "书中有错误，未导入；请先按 tablegen check 的提示修正，再导入")
        return {}
    text = read_text(book_file, shown, report, into)
    if text is None:
        return {}
    book = catalog.books[0]
    existing = {p.name for p in book.projects}
    fresh = []
    for it in imported:
        if it.project.name in existing:
            report.add(Pos(shown), rules.IMPORT_EXISTS,
                           f"书中已有项目“{it.project.name}”，未重复导入；要用源文件中的内容更新它，"
                           "请加 --update 查看改动")
        elif not same_unit(it, book.money_unit, report):
            continue
        else:
            existing.add(it.project.name)
            fresh.append(it)
    if not fresh:
        return {}
    out = project_files(into, fresh, taken, book.decimals)
    new = add_projects(text, shown, into.name, [(it.agency, it.project.file) for it in fresh],
                       report)
    if new is None:
        return {}
    out[book_file] = new
    return out
