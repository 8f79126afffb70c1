"""`tablegen fmt`: every YAML file in one canonical form, comments kept.

The file is read into the model and written back by `yamlout`, the same emitter import and
`new` use; each comment travels with the key it stood above (or beside). A file whose data the
model cannot hold exactly (a syntax error, an unknown key, an amount with three decimals…) is
left alone and reported, so formatting never loses anything.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from .books import BOOK_FILE, YAML_SUFFIXES, report_missing
from .errors import Pos, Report, display_path
from .loader import Node, parse, read_bytes, read_text
from .textdiff import unified
from .validate import check_book_node, check_project_node, cleaned, known_frame
from .writer import write_atomic
from .yamlout import dump_book, dump_project

MODELINE = re.compile(r"^\s*#\s*yaml-language-server:")
# Findings that do not stop formatting: the model still holds every character of the data.
HARMLESS = {"unknown-level1", "unknown-level2", "budget-sum", "cost-cap", "percent-over-100",
            "amount-negative", "empty-group"}
# Findings that formatting mends: the file is written in a form that no longer has them.
# (An invisible character whose removal changes nothing shown is removed before the check, by
# _clean, so its invisible-char finding never stops fmt; one that reorders the text does.)
FIXES = {"unquoted-sign"}


@dataclass
class FmtResult:
    """Which files were (or would be) changed, and the files left alone with why."""

    changed: list[Path] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    diffs: list[str] = field(default_factory=list)  # for each changed file, a unified diff


def comments(text: str, found: list[tuple[Pos, str]] | None = None
             ) -> tuple[dict[int, str], dict[int, str]]:
    """Full-line and trailing comments by line number (the modeline excluded), as the parser met
    them while reading `text` (`found`, or read here)."""
    if found is None:
        found = []
        parse(text, "", Report(), found)
    full: dict[int, str] = {}
    trailing: dict[int, str] = {}
    lines = text.split("\n")
    for pos, comment in found:
        line = lines[pos.line - 1]
        if MODELINE.match(line):
            continue
        comment = comment[1:] if comment.startswith(" ") else comment
        code = line[:pos.col - 1]
        if pos.line in full or pos.line in trailing:  # pragma: no cover - one comment per line
            continue
        (trailing if code.strip() else full)[pos.line] = comment.rstrip()
    return full, trailing


def _key_lines(node: Node, prefix: str, out: dict[int, str]) -> None:
    for key, _ in node.pairs:
        out.setdefault(key.pos.line, prefix + key.text)


def project_paths(root: Node) -> dict[int, str]:
    """Line → key path (as yamlout names it) for every key and list item of a project file."""
    out: dict[int, str] = {}
    _key_lines(root, "", out)
    for key, value in root.pairs:
        if key.text == "budget" and value.kind == "map":
            _key_lines(value, "budget.", out)
        elif key.text == "goals" and value.kind == "seq":
            for i, item in enumerate(value.items, 1):
                out.setdefault(item.pos.line, f"goals[{i}]")
        elif key.text == "execution" and value.kind == "map":
            _execution_lines(value, out)
        elif key.text == "indicators" and value.kind == "map":
            for k1, v1 in value.pairs:
                out.setdefault(k1.pos.line, f"indicators.{k1.text}")
                for k2, v2 in (v1.pairs if v1.kind == "map" else []):
                    out.setdefault(k2.pos.line, f"indicators.{k1.text}.{k2.text}")
                    for i, item in enumerate(v2.items if v2.kind == "seq" else [], 1):
                        path = f"{k1.text}.{k2.text}[{i}]"
                        out.setdefault(item.pos.line, path)
                        if item.kind == "map":
                            for k3, _ in item.pairs:
                                out.setdefault(k3.pos.line, f"{path}.{k3.text}")
    return out


def _execution_lines(node: Node, out: dict[int, str]) -> None:
    """The key paths of a project's 自评 execution block."""
    _key_lines(node, "execution.", out)
    for key, value in node.pairs:
        if value.kind == "map":
            _key_lines(value, f"execution.{key.text}.", out)
        elif key.text == "results" and value.kind == "seq":
            for i, item in enumerate(value.items, 1):
                out.setdefault(item.pos.line, f"execution.results[{i}]")


def book_paths(root: Node) -> dict[int, str]:
    """Line → key path for every key and list item of book.yaml."""
    out: dict[int, str] = {}
    _key_lines(root, "", out)
    for key, value in root.pairs:
        if key.text == "agencies" and value.kind == "seq":
            for i, item in enumerate(value.items, 1):
                out.setdefault(item.pos.line, f"agencies[{i}]")
                for k, v in (item.pairs if item.kind == "map" else []):
                    out.setdefault(k.pos.line, f"agencies[{i}].{k.text}")
                    if k.text == "projects" and v.kind == "seq":
                        for j, p in enumerate(v.items, 1):
                            out.setdefault(p.pos.line, f"agencies[{i}].projects[{j}]")
    return out


def attach(text: str, paths: dict[int, str],
           found: list[tuple[Pos, str]] | None = None) -> dict[str, str]:
    """Each comment under the path of the key it stands above or beside."""
    full, trailing = comments(text, found)
    lines = sorted(paths)
    notes: dict[str, list[str]] = {}
    first = lines[0] if lines else 0
    for number, comment in sorted({**full, **trailing}.items()):
        if number in trailing and number in paths:
            path = paths[number]
        elif number in trailing and number > first:  # beside a text's continuation line
            path = paths[lines[bisect_left(lines, number) - 1]]
        elif number < first:
            path = ""  # the file's opening comments stay at its top
        else:
            after = bisect_right(lines, number)
            path = paths[lines[after]] if after < len(lines) else "$end"
        notes.setdefault(path, []).append(comment)
    return {k: "\n".join(v) for k, v in notes.items()}


def format_text(text: str, shown: str, is_book: bool,
                frame: str | None = None) -> tuple[str | None, Report]:
    """The canonical text of one file, or None with the findings that make it unsafe to format."""
    report = Report()
    found: list[tuple[Pos, str]] = []
    root = parse(text, shown, report, found)
    if root is None:
        return None, report
    _clean(root)
    if is_book:
        book, listed = check_book_node(root, "", report)
        out = None
        if book is not None:
            files = [[f for f, _ in entries] for entries in listed]
            out = dump_book(book, files, attach(text, book_paths(root), found))
    else:
        project = check_project_node(root, shown, known_frame(frame), report)
        out = dump_project(project, attach(text, project_paths(root), found)) if project else None
    if any(f.rule not in HARMLESS | FIXES for f in report.errors):
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


def _frame_of(path: Path) -> str | None:
    book = path.parent / BOOK_FILE
    # Only a hint for the project's check: a book.yaml that cannot be read, or is not UTF-8,
    # is reported when it is formatted itself.
    data = read_bytes(book, "", Report(), path.parent) if book.is_file() else None
    m = re.search(r"^frame:\s*(\S+)", (data or b"").decode("utf-8", "replace"), re.M)
    return m.group(1) if m else None


def fmt(paths: list[Path], *, check: bool = False) -> FmtResult:
    """Rewrite (or, with check, only list) every file not in canonical form."""
    result = FmtResult()
    for path in _files(paths, result.report):
        shown = display_path(path)
        text = read_text(path, shown, result.report, path.parent)
        if text is None:
            continue
        new, report = format_text(text, shown, path.name == BOOK_FILE, _frame_of(path))
        if new is None:
            result.report.extend(report)
            where = report.errors[0].pos if report.errors else Pos(shown)
            result.report.error(where, "fmt-skipped",
                                "文件有错误，未格式化；请先按 tablegen check 的提示修正")
            continue
        if new != text:
            result.changed.append(path)
            result.diffs.append(unified(text, new, f"{shown}（原文）", f"{shown}（格式化后）"))
            if not check:
                write_atomic(path, new.encode("utf-8"))
    return result
