"""`tablegen new`, `tablegen new-book` and `tablegen layouts`: start a table or a book from the
frame's skeleton, in one of the named layouts."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import rules
from ..errors import Pos, Report, UsageError, display_path, shown_name
from ..imports import add_to_book, write_book
from ..imports.rows import Imported
from ..load.books import BOOK_FILE, book_context, load_paths
from ..load.layouts import Shelf, names, read_layout, shipped
from ..load.loader import XML_ILLEGAL, load, read_text
from ..load.overall_layouts import FOLDER as OVERALL_LAYOUTS
from ..load.overall_layouts import read_overall_layout
from ..load.validate import FIRST_YEAR, LAST_YEAR, PLACEHOLDER, frame_of, visible
from ..model.book import (
    MERGES,
    MONEY_UNITS,
    Agency,
    Budget,
    Indicator,
    Level1,
    Level2,
    Overall,
    Project,
    Task,
    safe_stem,
)
from ..model.frames import Frame, frames
from ..model.layouts import DEFAULT_LAYOUT, Layout
from ..model.overall_layouts import layouts as shipped_overall
from ..review.history import Version, gather
from ..review.index import nearest
from ..source.edit_book import set_overall
from ..source.yamlout import SCHEMA_BOOK, dump_overall, scalar
from ..templates import DEFAULT_TEMPLATES, inside
from ..writer import write_atomic
from .rollover import shifted


def skeleton(name: str, frame: str | Frame, layout: Layout | None = None) -> Project:
    """A project with every 一级/二级 of the frame and a placeholder row under each, and the
    placeholders of what the layout prints besides (实施期 values and goals, 项目实施期)."""
    f = frames()[frame] if isinstance(frame, str) else frame
    period = layout is not None and layout.has("period_value")

    def row() -> Indicator:
        return Indicator(name=f"{PLACEHOLDER}三级指标", value=f"{PLACEHOLDER}指标值",
                         period_value=f"{PLACEHOLDER}实施期指标值" if period else None)

    levels = [Level1(l1, [Level2(l2, [row()]) for l2 in l2s]) for l1, l2s in f.levels.items()]
    has = layout.has if layout is not None else (lambda field: field == "usage")
    return Project(name=name, budget=Budget(Decimal("0.00"), Decimal("0.00"), None),
                   usage=f"{PLACEHOLDER}资金用途" if has("usage") else "",
                   goals=[f"{PLACEHOLDER}绩效目标"], indicators=levels,
                   period=f"{PLACEHOLDER}项目实施期" if has("period") else None,
                   period_goals=[f"{PLACEHOLDER}实施期绩效目标"] if has("period_goals") else [])


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
    book = book_context(book_dir)
    if book is None:
        raise UsageError(f"{display_path(book_file)} 有错误，请先按 tablegen check 的提示修正")
    frame = frame_of(book, Shelf(book_dir).frames(Report()))
    agencies = [(_text(a, "code"), _text(a, "name")) for a in
                (data["agencies"].items if "agencies" in data and data["agencies"].kind == "seq"
                 else [])]
    if agency_code is None:
        if len(agencies) != 1:
            codes = "、".join(c or n for c, n in agencies) or "（无）"
            raise UsageError(f"这本书有 {len(agencies)} 个单位，请用 --agency 指定：{codes}")
        agency_code = agencies[0][0] or agencies[0][1]
    # An agency is named by its code, or by its name when it has none.
    match = next((a for a in agencies if (a[0] or a[1]) == agency_code), None)
    if match is None:
        raise UsageError(f"book.yaml 中没有编码（或名称）为 {agency_code} 的单位")
    books = load_paths([book_dir]).books
    names = {visible(p.name) for b in books for p in b.projects}
    if visible(name) in names:
        raise UsageError(f"书中已有项目“{name}”")
    created = Created()
    item = Imported(Agency(match[0], match[1]), "", "", skeleton(name, frame, book.layout))
    if prefill and books:
        levels = frame.levels
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


def overall_skeleton(agency: Agency, frame: str | Frame) -> Overall:
    """An agency's 部门整体 file to fill in: one task per project (its amounts are the
    project's), the frame's 一级/二级 with a placeholder row each, placeholders elsewhere."""
    tasks = [Task(p.name, f"{PLACEHOLDER}主要内容", projects=[p.file]) for p in agency.projects]
    return Overall(basic=Decimal("0.00"), goals=[f"{PLACEHOLDER}年度总体目标"],
                   indicators=skeleton("", frame).indicators,
                   functions=f"{PLACEHOLDER}部门职能概述", tasks=tasks)


def new_overall(book_dir: Path, agency_code: str | None, report: Report) -> list[Path]:
    """Create an agency's 部门整体 file from the skeleton and name it in book.yaml."""
    book_file = book_dir / BOOK_FILE
    if not book_file.is_file():
        raise UsageError(f"{display_path(book_dir)} 不是书文件夹（没有 book.yaml）")
    catalog = load_paths([book_dir])
    if catalog.report.errors or not catalog.books:
        report.findings += catalog.report.errors
        report.add(Pos(display_path(book_file)), rules.IMPORT_BOOK,
                   "书中有错误，未新建；请先按 tablegen check 的提示修正")
        return []
    book = catalog.books[0]
    if agency_code is None:
        if len(book.agencies) != 1:
            codes = "、".join(a.code or a.name for a in book.agencies)
            raise UsageError(f"这本书有 {len(book.agencies)} 个单位，请用 --agency 指定：{codes}")
        agency_code = book.agencies[0].code or book.agencies[0].name
    agency = next((a for a in book.agencies if (a.code or a.name) == agency_code), None)
    if agency is None:
        raise UsageError(f"book.yaml 中没有编码（或名称）为 {agency_code} 的单位")
    if agency.overall_file:
        raise UsageError(f"单位 {agency.code or agency.name} 已有部门整体文件 {agency.overall_file}")
    stem = safe_stem(f"{agency.name}整体支出绩效")
    name = f"{stem}.yaml"
    if (book_dir / name).exists():
        name = f"{stem}-{safe_stem(agency.code)}.yaml"
    if (book_dir / name).exists():
        raise UsageError(f"文件已存在：{display_path(book_dir / name)}")
    text = read_text(book_file, display_path(book_file), report, book_dir)
    new = set_overall(text, display_path(book_file), book_dir.name, agency.code, name,
                      report) if text is not None else None
    if new is None:
        return []
    frame = frame_of(book, Shelf(book_dir).frames(Report()))
    skeleton_text = dump_overall(overall_skeleton(agency, frame))
    return write_book({book_dir / name: skeleton_text, book_file: new})


def _text(node, key: str) -> str:  # type: ignore[no-untyped-def]
    value = next((v for k, v in node.pairs if k.text == key), None) if node.kind == "map" else None
    return value.text if value is not None and value.kind == "scalar" else ""


def new_book(folder: Path, title: str, year: int, money_unit: str, code: str, agency: str,
             frame: str = "classic", merge: str = "level1", layout: str = DEFAULT_LAYOUT) -> Path:
    """A book folder with book.yaml and one agency (without a code: "") that has no project yet,
    its tables in the named layout."""
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
    offered = layouts(folder)
    if layout not in offered:
        raise UsageError(f"没有名为“{layout}”的版式；可用的版式：{'、'.join(offered)}"
                         "（tablegen layouts 列出每个版式的说明）")
    first = ([f"  - code: {json.dumps(code, ensure_ascii=False)}", f"    name: {scalar(agency)}"]
             if code else [f"  - name: {scalar(agency)}"])
    text = "\n".join([
        SCHEMA_BOOK, f"title: {scalar(title)}", f"year: {year}", f"money_unit: {money_unit}",
        f"frame: {frame}", *([f"layout: {layout}"] if layout != DEFAULT_LAYOUT else []),
        f"merge: {merge}", "agencies:", *first, "    projects:", ""])
    write_atomic(folder / BOOK_FILE, text.encode("utf-8"))
    return folder / BOOK_FILE


def layouts(book: Path | None = None) -> dict[str, str]:
    """Every layout a book (in folder `book`) can name, with its title: tablegen's and the
    repository's (`templates/targets/layouts/*.yaml`), by name."""
    out: dict[str, str] = {}
    for name, path in names(book).items():
        if path.is_relative_to(DEFAULT_TEMPLATES):
            out[name] = shipped(name).title
        else:
            layout = read_layout(path, name, Report())
            out[name] = layout.title if layout is not None else "（版式文件有误，见 tablegen check）"
    return out


def overall_layouts(book: Path | None = None) -> dict[str, str]:
    """Every layout of the 部门整体 tables a book can name in `overall_layout:`, with its title:
    tablegen's, then the repository's (`templates/overall/layouts/*.yaml`, one of tablegen's
    names there taking its place)."""
    out = {name: layout.title for name, layout in shipped_overall().items()}
    for name, path in names(book, OVERALL_LAYOUTS).items():
        # a link out of the folder is not read (check says so)
        layout = read_overall_layout(path, name, Report()) if inside(path, path.parent) else None
        out[name] = layout.title if layout is not None else "（版式文件有误，见 tablegen check）"
    return out
