"""Naming and writing the imported projects: file names, the book's frame and merge style, and
the text of a new book's files (canonical YAML, as every tablegen tool writes it)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..model.book import DECIMALS, Agency, Book, safe_stem
from ..model.frames import Frame
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


SOURCE_FRAME = "source"


def detect_frame(imported: list[Imported]) -> str:
    """The first frame that admits every 一级/二级 pair found; when none does, `source`: the
    frame the tables show, which the book then declares (see source_frame) — unless a name
    differs from a known one by a single character, a typo that `check` is to report."""
    from ..model.frames import frames

    pairs = {(l1.name, l2.name) for it in imported for l1 in it.project.indicators
             for l2 in l1.groups}
    for name, frame in frames().items():
        if all(l2 in frame.level2_of(l1) for l1, l2 in pairs):
            return name
    known = {n for f in frames().values() for l1, l2s in f.levels.items() for n in (l1, *l2s)}
    found = {n for pair in pairs for n in pair} - known
    if any(_one_off(a, b) for a in found for b in known):
        return "classic"
    return SOURCE_FRAME


def _one_off(a: str, b: str) -> bool:
    """Whether two names differ by one character changed, added or left out."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def source_frame(imported: list[Imported]) -> Frame:
    """The frame the imported tables use, 一级 and 二级 in the order they first appear (a book
    of 四川's 项目完成指标 / 项目效益指标 declares it and keeps it)."""
    levels: dict[str, list[str]] = {}
    for it in imported:
        for l1 in it.project.indicators:
            names = levels.setdefault(l1.name, [])
            names += [g.name for g in l1.groups if g.name not in names]
    return Frame(SOURCE_FRAME, "源文件中的指标框架", {k: tuple(v) for k, v in levels.items()})


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
    # More places than two when the tables print more (`10606.7522` → 4), never fewer.
    decimals = max([DECIMALS, *(it.decimals for it in imported)])
    out = project_files(into, imported, taken if taken is not None else set(), decimals)
    for it in imported:
        if not agencies or agencies[-1].code != it.agency.code or agencies[-1].name != it.agency.name:
            agencies.append(Agency(it.agency.code, it.agency.name, department=it.agency.department,
                                   contact=it.agency.contact, phone=it.agency.phone))
            files.append([])
        files[-1].append(it.project.file)
    department = info.author if info.author and info.author != agencies[0].name else None
    if department is None and len({a.department for a in agencies}) == 1 and agencies[0].department \
            and agencies[0].department != agencies[0].name:
        department = agencies[0].department  # the 主管部门 the tables print
    for agency in agencies:  # a 主管部门 that is the book's own is the book's, said once
        if agency.department == (department or agencies[0].name):
            agency.department = None
    frame = detect_frame(imported)
    book = Book(
        key=into.name,
        title=info.title or f"{agencies[0].name}{year}年项目支出绩效目标表",
        year=year,
        money_unit=imported[0].money_unit,
        frame=frame,
        merge=detect_merge(imported),
        department=department,
        agencies=agencies,
        layout=imported[0].layout,
        decimals=decimals,
        frames={SOURCE_FRAME: source_frame(imported)} if frame == SOURCE_FRAME else {},
    )
    out[into / "book.yaml"] = dump_book(book, files)
    return out


def project_files(into: Path, imported: list[Imported], taken: set[str],
                  decimals: int = DECIMALS) -> dict[Path, str]:
    """One canonical YAML file per imported project, named after it, unique in the folder, its
    amounts with the book's `decimals`."""
    out: dict[Path, str] = {}
    for it in imported:
        stem = file_stem(it.project.name, taken)
        it.project.file = f"{stem}.yaml"
        out[into / f"{stem}.yaml"] = dump_project(it.project, it.comments, decimals)
    return out
