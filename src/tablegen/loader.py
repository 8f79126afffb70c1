"""Safe YAML loading into a tree of nodes that remember where they came from.

Scalars stay the text the author typed: `NO`, `1:30`, `012` and `40.00` reach the model as
strings, never as YAML 1.1 booleans, sexagesimals, octals or floats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.events import AliasEvent

from .errors import Pos, Report

MAX_BYTES = 1024 * 1024
BOM = b"\xef\xbb\xbf"
NULLS = {"", "~", "null", "Null", "NULL"}
# Tags an author may write or that YAML resolves implicitly; anything else (`!!python/object`,
# `!custom`) is refused before any value is read.
SAFE_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
}
# Characters that XML 1.0 (and so DOCX) cannot hold.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Node:
    """A YAML node: kind is "map", "seq" or "scalar"."""

    kind: str
    pos: Pos
    text: str = ""  # scalars
    style: str | None = None  # scalars: None plain, "'", '"', "|", ">"
    items: list[Node] = field(default_factory=list)  # sequences
    pairs: list[tuple[Node, Node]] = field(default_factory=list)  # mappings

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.style is None and self.text in NULLS

    def describe(self) -> str:
        """The node's kind as a user reads it."""
        if self.kind == "map":
            return "映射（键: 值）"
        if self.kind == "seq":
            return "列表"
        if self.is_null:
            return "空值"
        return f"文本“{self.text}”"


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases: a "billion laughs" file fails at its first `*`."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(event.start_mark)
        return super().compose_node(parent, index)


class _AliasRefused(Exception):
    def __init__(self, mark: yaml.Mark):
        self.mark = mark


def _pos(path: str, mark: yaml.Mark | None) -> Pos:
    if mark is None:
        return Pos(path, 1, 1)
    return Pos(path, mark.line + 1, mark.column + 1)


def _offset_pos(path: str, text: str, offset: int) -> Pos:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Pos(path, line, col)


def read_text(path: Path, shown: str, report: Report) -> str | None:
    """The file's text, or None with an error when it is too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            report.error(
                Pos(shown), "file-too-large",
                f"文件过大（{size} 字节），单个文件最大 {MAX_BYTES} 字节",
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        report.error(Pos(shown), "file-unreadable", f"无法读取文件：{exc.strerror}")
        return None
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        report.error(
            _offset_pos(shown, good, len(good)), "encoding",
            f"文件不是 UTF-8 编码（第 {exc.start + 1} 字节 0x{data[exc.start]:02X} 无法解码）；"
            "请在编辑器中以 UTF-8 另存",
        )
        return None


# `value: >=98%` would start a YAML folded block; as typing help it means `value: ≥98%`.
_GE_START = re.compile(r"^(\s*(?:-\s+)?(?:[^\s#'\"][^#\n]*?:\s+)?)>=", re.M)


def parse(text: str, shown: str, report: Report) -> Node | None:
    """Parse YAML text into a Node tree; syntax problems become findings."""
    text = _GE_START.sub(lambda m: m.group(1) + "≥", text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except _AliasRefused as exc:
        report.error(
            _pos(shown, exc.mark), "yaml-alias",
            "不支持 YAML 别名（*名称）：请把内容直接写出",
        )
        return None
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        report.error(
            _offset_pos(shown, text, exc.position), "control-char",
            f"文本含有 DOCX/XML 无法保存的控制字符 U+{ord(char):04X}",
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "无法解析"
        report.error(_pos(shown, mark), "yaml-syntax", f"YAML 语法错误：{problem}")
        return None
    if root is None:
        return Node("map", Pos(shown, 1, 1))
    before = len(report.findings)
    tree = _convert(root, shown, report)
    # A file with a refused tag is not read further: its values are not trusted.
    if any(f.rule == "unsafe-tag" for f in report.findings[before:]):
        return None
    return tree


def _convert(node: yaml.Node, shown: str, report: Report) -> Node:
    pos = _pos(shown, node.start_mark)
    if node.tag not in SAFE_TAGS and not (
        isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:value"
    ):
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        report.error(pos, "unsafe-tag", f"不允许使用 YAML 标签 {tag}：只接受普通文本、列表和映射")
    if isinstance(node, yaml.ScalarNode):
        style = node.style if node.style else None
        if node.tag == "tag:yaml.org,2002:str" and style is None and node.value in NULLS:
            style = "!"  # `!!str ~`: an explicit string, not a null
        bad = XML_ILLEGAL.search(node.value)
        if bad:
            report.error(
                pos, "control-char",
                f"文本含有 DOCX/XML 无法保存的控制字符 U+{ord(bad.group()):04X}",
            )
        return Node("scalar", pos, text=node.value, style=style)
    if isinstance(node, yaml.SequenceNode):
        return Node("seq", pos, items=[_convert(n, shown, report) for n in node.value])
    pairs = [(_convert(k, shown, report), _convert(v, shown, report)) for k, v in node.value]
    return Node("map", pos, pairs=pairs)


def load(path: Path, shown: str, report: Report) -> Node | None:
    """Read, decode and parse one YAML file; None when it cannot be read at all."""
    text = read_text(path, shown, report)
    if text is None:
        return None
    return parse(text, shown, report)
