"""Comments carried over when tablegen writes a YAML file again (`fmt`, `rollover`,
`import --update`): each comment stays with the key it stood above or beside."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ..errors import Pos, Report
from ..load.loader import Node, parse

MODELINE = re.compile(r"^\s*#\s*yaml-language-server:")

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
        elif key.text in ("goals", "period_goals", "recipients") and value.kind == "seq":
            for i, item in enumerate(value.items, 1):
                out.setdefault(item.pos.line, f"{key.text}[{i}]")
        elif key.text == "execution" and value.kind == "map":
            _execution_lines(value, out)
        elif key.text == "monitoring":
            _nested_lines(value, "monitoring", out)
        elif key.text == "indicators" and value.kind == "map":
            _indicator_lines(value, out)
        elif key.text == "indicators" and value.kind == "seq":
            for i, item in enumerate(value.items, 1):
                _item_lines(item, f"indicators[{i}]", out)
    return out


def _indicator_lines(value: Node, out: dict[int, str]) -> None:
    """The key paths of an indicator grid (`indicators.产出指标`, `产出指标.数量指标[1].value`)."""
    for k1, v1 in value.pairs:
        out.setdefault(k1.pos.line, f"indicators.{k1.text}")
        for k2, v2 in (v1.pairs if v1.kind == "map" else []):
            out.setdefault(k2.pos.line, f"indicators.{k1.text}.{k2.text}")
            for i, item in enumerate(v2.items if v2.kind == "seq" else [], 1):
                _item_lines(item, f"{k1.text}.{k2.text}[{i}]", out)


def overall_paths(root: Node) -> dict[int, str]:
    """Line → key path (as yamlout.dump_overall names it) for an agency's 部门整体 file."""
    out: dict[int, str] = {}
    _key_lines(root, "", out)
    for key, value in root.pairs:
        if key.text == "goals" and value.kind == "seq":
            for i, item in enumerate(value.items, 1):
                out.setdefault(item.pos.line, f"goals[{i}]")
        elif key.text in ("income", "tasks") and value.kind == "seq":
            for i, item in enumerate(value.items, 1):
                here = f"{key.text}[{i}]"
                out.setdefault(item.pos.line, here)
                for k, v in (item.pairs if item.kind == "map" else []):
                    out.setdefault(k.pos.line, f"{here}.{k.text}")
                    for j, file in enumerate(v.items if v.kind == "seq" else [], 1):
                        out.setdefault(file.pos.line, f"{here}.{k.text}[{j}]")
        elif key.text == "execution" and value.kind == "map":
            _execution_lines(value, out)
        elif key.text == "indicators" and value.kind == "map":
            _indicator_lines(value, out)
    return out


def _item_lines(item: Node, path: str, out: dict[int, str]) -> None:
    """The key paths of one indicator row (and of its `values`)."""
    out.setdefault(item.pos.line, path)
    if item.kind == "map":
        for k3, v3 in item.pairs:
            out.setdefault(k3.pos.line, f"{path}.{k3.text}")
            if k3.text == "values" and v3.kind == "map":
                _key_lines(v3, f"{path}.values.", out)


def _execution_lines(node: Node, out: dict[int, str]) -> None:
    """The key paths of a project's 自评 execution block."""
    _key_lines(node, "execution.", out)
    for key, value in node.pairs:
        if value.kind == "map":
            _key_lines(value, f"execution.{key.text}.", out)
        elif key.text == "results" and value.kind == "seq":
            for i, item in enumerate(value.items, 1):
                out.setdefault(item.pos.line, f"execution.results[{i}]")


def _nested_lines(node: Node, path: str, out: dict[int, str]) -> None:
    """The key paths of a nested block, as yamlout names them (`monitoring[1].indicators[2].done`);
    a list of choices (`causes: [经费保障, 其他]`) is one key, written on one line."""
    for i, item in enumerate(node.items, 1):
        out.setdefault(item.pos.line, f"{path}[{i}]")
        _nested_lines(item, f"{path}[{i}]", out)
    for key, value in node.pairs:
        out.setdefault(key.pos.line, f"{path}.{key.text}")
        if key.text != "causes":
            _nested_lines(value, f"{path}.{key.text}", out)


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
        elif key.text == "frames" and value.kind == "map":
            for name, frame in value.pairs:
                out.setdefault(name.pos.line, f"frames.{name.text}")
                for k, v in (frame.pairs if frame.kind == "map" else []):
                    out.setdefault(k.pos.line, f"frames.{name.text}.{k.text}")
                    for l1, l2s in (v.pairs if k.text == "levels" and v.kind == "map" else []):
                        out.setdefault(l1.pos.line, f"frames.{name.text}.levels.{l1.text}")
                        for j, l2 in enumerate(l2s.items if l2s.kind == "seq" else [], 1):
                            out.setdefault(l2.pos.line,
                                           f"frames.{name.text}.levels.{l1.text}[{j}]")
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


