"""`tablegen import --update`: a book's projects brought up to date from a source edited in Word
or Excel, shown first as `tablegen diff` shows a change, written only on request (`--apply`).

A table is matched to the book's project of the same 项目名称; when the source holds as many
tables as the book has projects (a DOCX built from the book), a table whose name matches none is
the project at its place, renamed. What a source never holds stays as the book has it: each
indicator's 自评 data (matched by 一级/二级/三级), the execution and monitoring blocks, the comments
of the file.
Tables that match no project are added as new projects. Nothing is written unless the whole
book, updated, passes `check`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from .. import rules
from ..errors import Pos, Report, UsageError, display_path
from ..load.books import BOOK_FILE, load_paths
from ..load.loader import parse, read_text
from ..model.book import Book, Indicator, Project
from ..model.changes import BookDiff, Change, ProjectDiff, project_changes, whole_project
from ..source.comments import attach, project_paths
from ..source.yamlout import dump_project
from . import add_to_book, read_all, same_unit, write_book
from .rows import Imported
from .verify import verify

EVALUATION = ("actual", "weight", "grade", "score", "deviation")  # 自评 keys of an indicator


@dataclass
class Update:
    """What the source changes in the book, and the files written (none without apply)."""

    diffs: list[BookDiff] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def update_files(files: list[Path], into: Path, report: Report, *, apply: bool = False) -> Update:
    """The changes the source files make to the book in `into`; written when `apply`."""
    if not (into / BOOK_FILE).is_file():
        raise UsageError(f"{display_path(into)} 中没有 book.yaml：--update 只用于已有的书（新书请去掉 "
                         "--update）")
    imported, _ = read_all(files, report, into)
    shown = display_path(into / BOOK_FILE)
    catalog = load_paths([into])
    if catalog.report.errors or not catalog.books:
        report.findings += catalog.report.errors
        report.add(Pos(shown), rules.IMPORT_BOOK, "书中有错误，未更新；请先按 tablegen check 的提示修正")
    if report.errors:
        return Update()
    book = catalog.books[0]
    result = BookDiff(into.name, book.title, "修改")
    out: dict[Path, str] = {}
    checked: list[Imported] = []
    fresh: list[Imported] = []
    agencies = {id(p): a for _, a, p in book.numbered()}
    done: dict[int, Imported] = {}
    for it, old in _matched(imported, book):
        if not same_unit(it, book.money_unit, report):
            continue
        if old is None:
            fresh.append(it)
            continue
        named = f"{it.label}：" if it.label else ""
        if id(old) in done:
            report.add(it.source, rules.IMPORT_TWICE,
                         f"{named}源文件中有两个表都更新项目“{old.name}”（{done[id(old)].label or '前一个表'}"
                         "和此表）；请只保留一个")
            continue
        done[id(old)] = it
        agency = agencies[id(old)]
        if (it.agency.code, it.agency.name) != (agency.code, agency.name):
            report.add(it.source, rules.IMPORT_UPDATE,
                           f"{named}源文件中的单位是“{it.agency.code} {it.agency.name}”，书中此项目属于"
                           f"“{agency.code} {agency.name}”；单位未改动")
        new = _merged(old, it.project, it, report)
        changes = project_changes(old, new, book.money_unit)
        if new.name != old.name:
            changes.insert(0, Change("项目名称", "项目名称", old.name, new.name))
        if not changes:
            continue
        result.projects.append(ProjectDiff("修改", new.name, old.file, changes))
        text = _rewritten(book, old, new, it)
        if text is not None:
            out[into / old.file] = text
            checked.append(Imported(it.agency, it.money_unit, it.merge, new, {}, it.source,
                                    it.label))
    if fresh and not report.errors:
        taken = {p.stem for p in into.glob("*") if p.is_file()} | {Path(BOOK_FILE).stem}
        out.update(add_to_book(into, fresh, taken, report))
        result.projects += [ProjectDiff("新增", it.project.name, it.project.file,
                                        whole_project(it.project, book.money_unit))
                            for it in fresh]
        checked += fresh
    if report.errors:
        return Update()
    if out:
        verify(into, out, checked, report)
    if report.errors:
        return Update()
    diffs = [result] if result.projects else []
    return Update(diffs, write_book(out) if apply and out else [])


def _matched(imported: list[Imported], book: Book) -> list[tuple[Imported, Project | None]]:
    """Each table with the book's project it updates (None: a new project)."""
    projects = book.projects
    by_name = {p.name: p for p in projects}
    taken = {id(by_name[it.project.name]) for it in imported if it.project.name in by_name}
    in_order = len(imported) == len(projects)
    out: list[tuple[Imported, Project | None]] = []
    for i, it in enumerate(imported):
        old = by_name.get(it.project.name)
        if old is None and in_order and id(projects[i]) not in taken:
            old = projects[i]  # the project at this place, renamed in the source
            taken.add(id(old))
        out.append((it, old))
    return out


def _key(l1: str, l2: str, ind: Indicator, seen: dict[tuple[str, str, str], int]
         ) -> tuple[str, str, str, int]:
    base = (l1, l2, ind.name)
    seen[base] = seen.get(base, 0) + 1
    return (*base, seen[base])


def _merged(old: Project, source: Project, it: Imported, report: Report) -> Project:
    """The source's project with what a source never holds kept from the book's."""
    new = copy.deepcopy(source)
    new.file = old.file
    new.execution = copy.deepcopy(old.execution)
    new.monitoring = copy.deepcopy(old.monitoring)
    seen: dict[tuple[str, str, str], int] = {}
    olds = {_key(l1.name, l2.name, ind, seen): ind for l1, l2, ind in old.rows()}
    seen = {}
    kept = set()
    for l1, l2, ind in new.rows():
        key = _key(l1.name, l2.name, ind, seen)
        was = olds.get(key)
        if was is None:
            continue
        kept.add(key)
        for name in EVALUATION:
            setattr(ind, name, getattr(was, name))
        if ind.description is None and was.description == was.name:
            ind.description = was.description  # the book writes the 描述 out; the source shows it
    lost = [" / ".join(k[:3]) for k, ind in olds.items()
            if k not in kept and any(getattr(ind, name) is not None for name in EVALUATION)]
    for where in lost:
        report.add(it.source, rules.IMPORT_UPDATE,
                       f"{it.label + '：' if it.label else ''}源文件中没有指标“{where}”，它在 {old.file} "
                       "中的自评数据（实际完成值等）随之删除")
    return new


def _rewritten(book: Book, old: Project, new: Project, it: Imported) -> str | None:
    """The project file's new text, its comments kept (and the source's notes where it has
    none at that key)."""
    assert book.root is not None
    path = book.root / old.file
    text = read_text(path, display_path(path), Report(), book.root)
    found: list[tuple[Pos, str]] = []
    root = parse(text, "", Report(), found) if text is not None else None
    if text is None or root is None:  # pragma: no cover - the book has just loaded cleanly
        return None
    notes = attach(text, project_paths(root), found)
    for key, note in it.comments.items():
        if key and key not in notes:
            notes[key] = note
    return dump_project(new, notes, book.decimals)
