"""Naming and writing the imported projects: file names, the book's frame and merge style, and
the text of a new book's files (canonical YAML, as every tablegen tool writes it)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..model.book import Agency, Book, safe_stem
from ..source.yamlout import dump_book, dump_project
from .rows import BookInfo, Imported


def file_stem(name: str, taken: set[str]) -> str:
    """A file name from a project name: no characters Windows refuses, at most 40 characters
    (never cut inside a bracket), unique in the book."""
    stem = safe_stem(name, chars=40) if name.strip(" .") else "project"
    base, n = stem, 2
    while stem in taken:
        stem, n = f"{base}-{n}", n + 1
    taken.add(stem)
    return stem


def detect_frame(imported: list[Imported]) -> str:
    """The first frame that admits every 一级/二级 pair found (classic when none does)."""
    from ..model.frames import frames

    pairs = {(l1.name, l2.name) for it in imported for l1 in it.project.indicators
             for l2 in l1.groups}
    for name, frame in frames().items():
        if all(l2 in frame.level2_of(l1) for l1, l2 in pairs):
            return name
    return "classic"


def detect_merge(imported: list[Imported]) -> str:
    """The strongest merging any table shows (a table whose groups have one row shows none)."""
    found = {it.merge for it in imported}
    for merge in ("level1+level2", "level1"):
        if merge in found:
            return merge
    return "none"


def book_files(into: Path, imported: list[Imported], info: BookInfo | None = None,
               taken: set[str] | None = None) -> dict[Path, str]:
    """book.yaml and one file per project, in the canonical YAML form."""
    info = info or BookInfo()
    years = Counter(int(y) for it in imported for y in re.findall(r"(20\d\d)年", it.project.name))
    year = info.year or (years.most_common(1)[0][0] if years else 2000)
    agencies: list[Agency] = []
    files: list[list[str]] = []
    out = project_files(into, imported, taken if taken is not None else set())
    for it in imported:
        if not agencies or agencies[-1].code != it.agency.code or agencies[-1].name != it.agency.name:
            agencies.append(Agency(it.agency.code, it.agency.name))
            files.append([])
        files[-1].append(it.project.file)
    book = Book(
        key=into.name,
        title=info.title or f"{agencies[0].name}{year}年项目支出绩效目标表",
        year=year,
        money_unit=imported[0].money_unit,
        frame=detect_frame(imported),
        merge=detect_merge(imported),
        department=info.author if info.author and info.author != agencies[0].name else None,
        agencies=agencies,
    )
    out[into / "book.yaml"] = dump_book(book, files)
    return out


def project_files(into: Path, imported: list[Imported], taken: set[str]) -> dict[Path, str]:
    """One canonical YAML file per imported project, named after it, unique in the folder."""
    out: dict[Path, str] = {}
    for it in imported:
        stem = file_stem(it.project.name, taken)
        it.project.file = f"{stem}.yaml"
        out[into / f"{stem}.yaml"] = dump_project(it.project, it.comments)
    return out
