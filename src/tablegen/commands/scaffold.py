"""`tablegen new` and `tablegen new-book`: start a table or a book from the frame's skeleton."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import Report, UsageError, display_path, shown_name
from ..imports import add_to_book, write_book
from ..imports.rows import Imported
from ..load.books import BOOK_FILE, load_paths
from ..load.loader import XML_ILLEGAL, load
from ..load.validate import FIRST_YEAR, LAST_YEAR, PLACEHOLDER, visible
from ..model.book import MERGES, MONEY_UNITS, Agency, Budget, Indicator, Level1, Level2, Project
from ..model.frames import frames
from ..review.history import Version, gather
from ..review.index import nearest
from ..source.yamlout import SCHEMA_BOOK, scalar
from ..writer import write_atomic
from .rollover import shifted


def skeleton(name: str, frame: str) -> Project:
    """A project with every 一级/二级 of the frame and a placeholder row under each."""
    levels = [Level1(l1, [Level2(l2, [Indicator(name=f"{PLACEHOLDER}三级指标",
                                                 value=f"{PLACEHOLDER}指标值")]) for l2 in l2s])
              for l1, l2s in frames()[frame].levels.items()]
    return Project(name=name, budget=Budget(Decimal("0.00"), Decimal("0.00"), None),
                   usage=f"{PLACEHOLDER}资金用途", goals=[f"{PLACEHOLDER}绩效目标"],
                   indicators=levels)


@dataclass
class Created:
    """What `tablegen new` wrote, and the earlier project it started from (None: the skeleton)."""

    written: list[Path] = field(default_factory=list)
    source: Version | None = None


def prefilled(source: Version, name: str, year: int) -> tuple[Project, dict[str, str]]:
    """A new project from an earlier year's: its usage, goals and indicators with their dates
    moved to `year`, no budget yet (0.00, which check asks to fill in) and no 自评 data; and the
    comments that say where each value came from."""
    old = source.project
    new = copy.deepcopy(old)
    new.name, new.execution, new.file = name, None, ""
    new.budget = Budget(Decimal("0.00"), Decimal("0.00"), None)
    new.usage = shifted(old.usage, source.year, year)
    new.goals = [shifted(g, source.year, year) for g in old.goals]
    notes = {"": f"由 tablegen new 按 {source.origin}（{source.year}年）预填：请逐项核对绩效目标、指标和"
                 "指标值，并填写预算数"}
    for l1 in new.indicators:
        for l2 in l1.groups:
            for i, ind in enumerate(l2.indicators, 1):
                was = f"{source.year}年指标值 {ind.value}" + (
                    f"，实际完成 {ind.actual}" if ind.actual else "")
                notes[f"{l1.name}.{l2.name}[{i}].value"] = was
                ind.name = shifted(ind.name, source.year, year)
                ind.description = (shifted(ind.description, source.year, year)
                                   if ind.description is not None else None)
                ind.value = shifted(ind.value, source.year, year)
                ind.actual = ind.grade = ind.deviation = None
                ind.weight = ind.score = None
    return new, notes


def new_project(book_dir: Path, name: str, agency_code: str | None, report: Report, *,
                prefill: bool = True) -> Created:
    """Create a project file, from the nearest project of an earlier year when there is one
    (`prefill`), else from the frame's skeleton, and list it in book.yaml under the agency."""
    if not name.strip():
        raise UsageError("项目名称不能为空：tablegen new <书> <项目名称>，"
                         "如 tablegen new example 2025年信息化运维")
    if XML_ILLEGAL.search(name):
        raise UsageError(f"项目名称“{shown_name(name)}”含有无法保存的字符"
                         "（控制字符，或不是 UTF-8 编码的字节）")
    if name != name.strip():
        raise UsageError(f"项目名称“{shown_name(name)}”首尾有空白，请去掉")
    book_file = book_dir / BOOK_FILE
    if not book_file.is_file():
        raise UsageError(f"{display_path(book_dir)} 不是书文件夹（没有 book.yaml）")
    root = load(book_file, display_path(book_file), report)
    if root is None:
        return Created()
    data = {k.text: v for k, v in root.pairs} if root.kind == "map" else {}
    frame = data["frame"].text if "frame" in data and data["frame"].kind == "scalar" else "classic"
    if frame not in frames():
        raise UsageError(f"book.yaml 的 frame “{frame}” 不是已知的指标框架")
    agencies = [(_text(a, "code"), _text(a, "name")) for a in
                (data["agencies"].items if "agencies" in data and data["agencies"].kind == "seq"
                 else [])]
    if agency_code is None:
        if len(agencies) != 1:
            codes = "、".join(c for c, _ in agencies) or "（无）"
            raise UsageError(f"这本书有 {len(agencies)} 个单位，请用 --agency 指定：{codes}")
        agency_code = agencies[0][0]
    match = next((a for a in agencies if a[0] == agency_code), None)
    if match is None:
        raise UsageError(f"book.yaml 中没有编码为 {agency_code} 的单位")
    books = load_paths([book_dir]).books
    names = {visible(p.name) for b in books for p in b.projects}
    if visible(name) in names:
        raise UsageError(f"书中已有项目“{name}”")
    created = Created()
    item = Imported(Agency(match[0], match[1]), "", "", skeleton(name, frame))
    if prefill and books:
        levels = frames()[frame].levels
        fits = [v for v in gather(books).versions
                if all(l1.name in levels and all(l2.name in levels[l1.name] for l2 in l1.groups)
                       for l1 in v.project.indicators)]
        created.source = nearest(fits, name, books[0].year)
        if created.source is not None:
            project, notes = prefilled(created.source, name, books[0].year)
            item = Imported(item.agency, "", "", project, notes)
    taken = {p.stem for p in book_dir.glob("*") if p.is_file()} | {Path(BOOK_FILE).stem}
    out = add_to_book(book_dir, [item], taken, report)
    if report.errors:
        return Created()
    created.written = write_book(out)
    return created


def _text(node, key: str) -> str:  # type: ignore[no-untyped-def]
    value = next((v for k, v in node.pairs if k.text == key), None) if node.kind == "map" else None
    return value.text if value is not None and value.kind == "scalar" else ""


def new_book(folder: Path, title: str, year: int, money_unit: str, code: str, agency: str,
             frame: str = "classic", merge: str = "level1") -> Path:
    """A book folder with book.yaml and one agency that has no project yet."""
    if (folder / BOOK_FILE).exists():
        raise UsageError(f"{display_path(folder / BOOK_FILE)} 已存在")
    for what, text in (("标题", title), ("单位编码", code), ("单位名称", agency)):
        if XML_ILLEGAL.search(text):
            raise UsageError(f"{what}“{shown_name(text)}”含有无法保存的字符"
                             "（控制字符，或不是 UTF-8 编码的字节）")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(f"预算年度应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间")
    if money_unit not in MONEY_UNITS:
        raise UsageError(f"金额单位应为 {' | '.join(MONEY_UNITS)} 之一")
    if frame not in frames() or merge not in MERGES:
        raise UsageError(f"frame 应为 {' | '.join(frames())}，merge 应为 {' | '.join(MERGES)}")
    text = "\n".join([
        SCHEMA_BOOK, f"title: {scalar(title)}", f"year: {year}", f"money_unit: {money_unit}",
        f"frame: {frame}", f"merge: {merge}", "agencies:",
        f"  - code: {json.dumps(code, ensure_ascii=False)}", f"    name: {scalar(agency)}",
        "    projects:", ""])
    write_atomic(folder / BOOK_FILE, text.encode("utf-8"))
    return folder / BOOK_FILE
