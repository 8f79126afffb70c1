"""`tablegen fmt`: every YAML file in one canonical form, comments kept.

The file is read into the model and written back by `yamlout`, the same emitter import and
`new` use; each comment travels with the key it stood above (or beside). A file whose data the
model cannot hold exactly (a syntax error, an unknown key, an amount with three decimals…) is
left alone and reported, so formatting never loses anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import rules
from ..errors import Pos, Report, display_path
from ..load.books import BOOK_FILE, YAML_SUFFIXES, book_context, report_missing
from ..load.layouts import Shelf
from ..load.loader import Node, parse, read_bytes, read_text
from ..load.overall import check_overall_node
from ..load.validate import check_book_node, check_project_node, cleaned, frame_of, known_frame
from ..model.book import DECIMALS
from ..source.comments import attach, book_paths, overall_paths, project_paths
from ..source.yamlout import dump_book, dump_overall, dump_project
from ..writer import write_atomic
from .textdiff import unified

# Findings that do not stop formatting: the model still holds every character of the data
# (`readable` rules), or formatting mends them (`fixable` rules, written in a form that no
# longer has them). An invisible character whose removal changes nothing shown is removed
# before the check, by _clean, so its invisible-char finding never stops fmt; one that reorders
# the text does.
GOES_ON = {r.id for r in rules.RULES if r.readable or r.fixable}


@dataclass
class FmtResult:
    """Which files were (or would be) changed, and the files left alone with why."""

    changed: list[Path] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    diffs: list[str] = field(default_factory=list)  # for each changed file, a unified diff


def format_text(text: str, shown: str, is_book: bool, frame: str | None = None,
                folder: Path | None = None, *, overall: bool = False) -> tuple[str | None, Report]:
    """The canonical text of one file (`overall`: an agency's 部门整体 file), or None with the
    findings that make it unsafe to format; `folder` is the file's book folder (whose book.yaml
    says the project's layout and places)."""
    report = Report()
    found: list[tuple[Pos, str]] = []
    root = parse(text, shown, report, found)
    if root is None:
        return None, report
    _clean(root)
    if is_book:
        book, listed = check_book_node(root, "", report, Shelf(folder))
        out = None
        if book is not None:
            files = [[f for f, _ in entries] for entries in listed]
            out = dump_book(book, files, attach(text, book_paths(root), found))
    elif overall:
        whole = check_overall_node(root, shown, known_frame(frame), report)
        out = dump_overall(whole, attach(text, overall_paths(root), found)) if whole else None
    else:
        book = book_context(folder) if folder is not None else None
        project = check_project_node(
            root, shown, frame_of(book, Shelf(folder).frames(Report())) if book else known_frame(frame),
            report, layout=book.layout if book else None,
            decimals=book.decimals if book else DECIMALS)
        out = dump_project(project, attach(text, project_paths(root), found),
                           book.decimals if book else DECIMALS) if project else None
    if any(f.rule not in GOES_ON for f in report.errors):
        return None, report
    return out, report


def _clean(node: Node) -> None:
    """Remove the invisible characters whose removal changes nothing a reader sees (a zero-width
    space, a soft hyphen); the ones that reorder the text stay, and check reports them."""
    if node.kind == "scalar":
        node.text = cleaned(node.text)
    for item in node.items:
        _clean(item)
    for key, value in node.pairs:
        _clean(key)
        _clean(value)


def _files(paths: list[Path], report: Report) -> list[Path]:
    out = []
    for path in paths:
        if not path.exists():  # a mistyped path fails `fmt --check` in CI rather than passing
            report_missing(path, report)
        elif path.is_file():
            out.append(path)
        else:
            out += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()
                          and "templates" not in p.relative_to(path).parts)
    return out


def _book_hints(path: Path) -> tuple[str | None, set[str]]:
    """The frame of the book a file is in, and the 部门整体 files its agencies name.

    Only hints for the file's check: a book.yaml that cannot be read, or is not UTF-8, is
    reported when it is formatted itself.
    """
    book = path.parent / BOOK_FILE
    data = read_bytes(book, "", Report(), path.parent) if book.is_file() else None
    text = (data or b"").decode("utf-8", "replace")
    m = re.search(r"^frame:\s*(\S+)", text, re.M)
    root = parse(text, "", Report()) if text else None
    overall = set()
    for key, agencies in root.pairs if root is not None and root.kind == "map" else []:
        for item in agencies.items if key.text == "agencies" and agencies.kind == "seq" else []:
            overall |= {v.text for k, v in item.pairs if k.text == "overall" and v.kind == "scalar"}
    return (m.group(1) if m else None), overall


def fmt(paths: list[Path], *, check: bool = False) -> FmtResult:
    """Rewrite (or, with check, only list) every file not in canonical form."""
    result = FmtResult()
    for path in _files(paths, result.report):
        shown = display_path(path)
        text = read_text(path, shown, result.report, path.parent)
        if text is None:
            continue
        frame, overall = _book_hints(path)
        new, report = format_text(text, shown, path.name == BOOK_FILE, frame, path.parent,
                                  overall=path.name in overall)
        if new is None:
            result.report.extend(report)
            where = report.errors[0].pos if report.errors else Pos(shown)
            result.report.add(where, rules.FMT_SKIPPED,
                                "文件有错误，未格式化；请先按 tablegen check 的提示修正")
            continue
        if new != text:
            result.changed.append(path)
            result.diffs.append(unified(text, new, f"{shown}（原文）", f"{shown}（格式化后）"))
            if not check:
                write_atomic(path, new.encode("utf-8"))
    return result
