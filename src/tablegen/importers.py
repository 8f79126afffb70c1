"""`tablegen import`: read every source, map every table, then write the book atomically.

A new book folder gets book.yaml and one file per project; an existing book gets the new
projects added to it (book.yaml edited in place, its comments kept) and nothing else touched.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import Pos, Report, TablegenError, UsageError, display_path
from .importer import (
    BookInfo,
    Imported,
    Section,
    book_files,
    parse_dump,
    project_files,
    rows_to_project,
)
from .loader import Node, load, read_text
from .writer import write_atomic

READERS = (".txt", ".docx", ".xlsx")


def read_sections(path: Path, report: Report) -> tuple[list[Section], BookInfo]:
    """The tables of one source file."""
    from .read_docx import read_docx, read_xlsx

    shown = display_path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return read_docx(path, shown)
    if suffix == ".xlsx":
        return read_xlsx(path, shown)
    text = read_text(path, shown, report)
    return (parse_dump(text) if text is not None else []), BookInfo()


def import_files(files: list[Path], into: Path, report: Report) -> list[Path]:
    """Import source files into a book folder; nothing is written when anything fails."""
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"文件不存在：{', '.join(map(str, missing))}")
    unknown = sorted({f.suffix for f in files if f.suffix.lower() not in READERS})
    if unknown:
        raise UsageError(f"不支持的源文件类型：{', '.join(unknown)}（支持 .docx、.xlsx 和 .txt 转储）")
    imported: list[Imported] = []
    info = BookInfo()
    for f in files:
        sections, found = read_sections(f, report)
        info = BookInfo(info.title or found.title, info.author or found.author,
                        info.year or found.year)
        for section in sections:
            item = rows_to_project(section, display_path(f), report)
            if item is not None:
                imported.append(item)
    if report.errors:
        return []
    if not imported:
        raise TablegenError(f"没有在 {', '.join(map(str, files))} 中找到任何项目支出绩效目标表")
    if (into / "book.yaml").exists():
        out = add_to_book(into, imported, report)
    else:
        out = book_files(into, imported, info)
    if report.errors:
        return []
    for path in sorted(out):
        write_atomic(path, out[path].encode("utf-8"))
    return sorted(out)


def add_to_book(into: Path, imported: list[Imported], report: Report) -> dict[Path, str]:
    """The new project files and book.yaml with them listed; the other files stay as they are."""
    book_path = into / "book.yaml"
    shown = display_path(book_path)
    root = load(book_path, shown, report)
    text = read_text(book_path, shown, report)
    if root is None or text is None:
        return {}
    agencies = _agencies(root)
    if agencies is None:
        report.error(Pos(shown), "import-book", "book.yaml 没有可追加的 agencies 列表")
        return {}
    existing_names = _existing_names(into)
    fresh = []
    for it in imported:
        if it.project.name in existing_names:
            report.warning(Pos(shown), "import-exists",
                           f"书中已有项目“{it.project.name}”，未重复导入")
        else:
            fresh.append(it)
    taken = {p.stem for p in into.glob("*.yaml")}
    out = project_files(into, fresh, taken)
    lines = text.split("\n")
    inserts: dict[int, list[str]] = {}  # after line index → new lines
    appended: list[str] = []
    item_col = agencies.items[0].pos.col - 3 if agencies.items else 2  # the "- " stands before
    for it in fresh:
        target = next((a for a in agencies.items if _value(a, "code") == it.agency.code), None)
        if target is not None:
            projects = _child(target, "projects")
            if projects is not None and projects.is_null:  # `projects:` with nothing yet
                key = next(k for k, v in target.pairs if v is projects)
                pad = " " * (key.pos.col + 1)
                inserts.setdefault(key.pos.line - 1, []).append(f"{pad}- {_q(it.project.file)}")
                projects.kind, projects.items = "seq", [Node("scalar", Pos("", key.pos.line + 1,
                                                                           key.pos.col + 4))]
                continue
            if projects is None or projects.kind != "seq" or not projects.items:
                report.error(target.pos, "import-book",
                             f"无法把项目追加到单位 {it.agency.code}：它的 projects 不是块状列表")
                continue
            last = projects.items[-1]
            if _is_flow(lines, last):
                report.error(last.pos, "import-book",
                             f"无法把项目追加到单位 {it.agency.code}：请把 projects 写成每行一项的列表")
                continue
            pad = " " * (last.pos.col - 3)
            inserts.setdefault(last.pos.line - 1, []).append(f"{pad}- {_q(it.project.file)}")
        else:
            pad = " " * item_col
            appended += [f'{pad}- code: "{it.agency.code}"', f"{pad}  name: {_q(it.agency.name)}",
                         f"{pad}  projects:"]
            appended.append(f"{pad}    - {_q(it.project.file)}")
            # Later projects of this new agency go under it.
            agencies.items.append(_fake_agency(it.agency.code))
    if report.errors:
        return {}
    new_lines: list[str] = []
    for i, line in enumerate(lines):
        new_lines.append(line)
        new_lines.extend(inserts.get(i, []))
    while new_lines and new_lines[-1] == "":
        new_lines.pop()
    new_lines += appended
    out[book_path] = "\n".join(new_lines) + "\n"
    return out


def _q(text: str) -> str:
    from .yamlout import scalar

    return scalar(text)


def _agencies(root: Node) -> Node | None:
    node = _child(root, "agencies")
    return node if node is not None and node.kind == "seq" else None


def _child(node: Node, key: str) -> Node | None:
    if node.kind != "map":
        return None
    return next((v for k, v in node.pairs if k.text == key), None)


def _value(node: Node, key: str) -> str | None:
    child = _child(node, key)
    return child.text if child is not None and child.kind == "scalar" else None


def _is_flow(lines: list[str], item: Node) -> bool:
    line = lines[item.pos.line - 1]
    return not re.match(r"^\s*-\s", line)


def _fake_agency(code: str) -> Node:
    """A stand-in for an agency appended in this run (its projects follow in `appended`)."""
    return Node("map", Pos("", 0, 0), pairs=[(Node("scalar", Pos(""), text="code"),
                                              Node("scalar", Pos(""), text=code))])


def _existing_names(into: Path) -> set[str]:
    from .books import load_paths

    catalog = load_paths([into])
    return {p.name for b in catalog.books for p in b.projects}
