"""Safe YAML loading into a tree of nodes that remember where they came from.

Scalars stay the text the author typed: `NO`, `1:30`, `012` and `40.00` reach the model as
strings, never as YAML 1.1 booleans, sexagesimals, octals or floats.
"""

from __future__ import annotations

import os
import re
import stat
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.events import AliasEvent

from .. import rules
from ..errors import Finding, Pos, Report, os_reason
from .syntax import explain

T = TypeVar("T")

MAX_BYTES = 1024 * 1024
# libyaml reads well-formed files about 5x faster; the pure-Python parser reads the rest.
LIBYAML = yaml.__with_libyaml__
BOM = b"\xef\xbb\xbf"
NULLS = {"", "~", "null", "Null", "NULL"}
# Tags an author may write or that YAML resolves implicitly; anything else (`!!python/object`,
# `!custom`) is refused before any value is read.
SAFE_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
}
# Characters that XML 1.0 (and so DOCX) cannot hold; a lone surrogate (`"\\ud800"`) is no
# character at all and cannot even be printed.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_DEPTH = 100  # a nesting error points where brackets first nest deeper than any table needs


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


# `value: >=98%` is not YAML (`>` starts a folded block); the scanner below reads it as the plain
# text it was meant to be, reports it, and `fmt` writes `≥98%`. A quoted ">=98%" is valid YAML
# and the same typing help: a one-line value that starts with >= or <= reaches the model as ≥ ≤.
_SIGNS = {">=": "≥", "<=": "≤"}
_BREAKS = "\0\r\n\x85\u2028\u2029"
_BARE_VALUE = re.compile(r">=[^\n#,\]}]*")
# Characters PyYAML (YAML 1.1) counts as line breaks but editors and YAML 1.2 do not.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
_ODD_NAMES = {"\x85": "下一行符 NEL", "\u2028": "行分隔符", "\u2029": "段分隔符"}


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (a "billion laughs" file fails at its first `*`), reads an
    unquoted `>=` as text, and notes where each comment stands."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.bare_signs: list[int] = []  # offsets of unquoted `>=` at the start of a value
        self.comments: list[tuple[int, int]] = []  # (offset of `#`, offset of the line's end)
        # Offsets of U+0085/U+2028/U+2029 read as line breaks where an editor shows none.
        self.odd_breaks: list[int] = []
        self._quoted = False

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _AliasRefused(event.start_mark)
        return super().compose_node(parent, index)

    def fetch_folded(self) -> None:
        if self.peek(1) == "=":
            self.bare_signs.append(self.index)
            return self.fetch_plain()
        return super().fetch_folded()

    def check_plain(self) -> bool:
        if self.peek() == ">" and self.peek(1) == "=":
            self.bare_signs.append(self.index)
            return True
        return super().check_plain()

    def scan_flow_scalar(self, style):  # type: ignore[no-untyped-def]
        self._quoted = True
        try:
            return super().scan_flow_scalar(style)
        finally:
            self._quoted = False

    def scan_line_break(self) -> str:
        # Inside quotes U+2028 and U+2029 stay in the text as typed; anywhere else, and U+0085
        # even there (it became a space), the file would read otherwise than it shows.
        char = self.peek()
        if char in _ODD_NAMES and not (self._quoted and char != "\x85"):
            self.odd_breaks.append(self.index)
        return super().scan_line_break()  # type: ignore[no-untyped-call,no-any-return]

    def _skip_comment(self) -> None:
        if self.peek() == "#":
            start = self.index
            while self.peek() not in _BREAKS:
                self.forward()
            self.comments.append((start, self.index))

    def scan_to_next_token(self) -> None:
        # PyYAML's own loop, noting each comment it skips.
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        while True:
            while self.peek() == " ":
                self.forward()
            self._skip_comment()
            if not self.scan_line_break():
                return
            if not self.flow_level:
                self.allow_simple_key = True

    def scan_block_scalar_ignored_line(self, start_mark):  # type: ignore[no-untyped-def]
        while self.peek() == " ":
            self.forward()
        self._skip_comment()
        return super().scan_block_scalar_ignored_line(start_mark)


class _AliasRefused(Exception):
    def __init__(self, mark: yaml.Mark):
        self.mark = mark


class _Positions:
    """File positions of parser marks, with lines counted at "\\n" alone: PyYAML also breaks
    lines at U+0085/U+2028/U+2029, which YAML 1.2 and every editor read as ordinary characters."""

    def __init__(self, shown: str, text: str):
        self.shown = shown
        self.text = text
        self.by_index = bool(_ODD_BREAKS.search(text))
        self._starts: list[int] | None = None

    def __call__(self, mark: yaml.Mark | None) -> Pos:
        if mark is None:
            return Pos(self.shown, 1, 1)
        if self.by_index:
            return self.at(mark.index)
        return Pos(self.shown, mark.line + 1, mark.column + 1)

    def at(self, offset: int) -> Pos:
        """The position of a character offset."""
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect_right(self._starts, offset)
        return Pos(self.shown, line, offset - self._starts[line - 1] + 1)


def _offset_pos(path: str, text: str, offset: int) -> Pos:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Pos(path, line, col)


def read_bytes(path: Path, shown: str, report: Report, root: Path | None = None) -> bytes | None:
    """A file's bytes, or None with an error: a regular file only, at most MAX_BYTES read.

    With `root`, the file (after following links) must lie inside that folder: a book's
    `book.yaml` linked to /etc/passwd is refused, its content never read. A device such as
    /dev/zero or a FIFO is refused before anything is read (no hang, no endless read).
    """
    try:
        real = path.resolve(strict=True)
    except RuntimeError:  # a symlink loop (Python < 3.13)
        report.add(Pos(shown), rules.FILE_UNREADABLE, "无法读取文件：符号链接形成了循环")
        return None
    except ValueError:
        report.add(Pos(shown), rules.FILE_UNREADABLE, "无法读取文件：文件名含有空字符")
        return None
    except OSError as exc:
        report.add(Pos(shown), rules.FILE_UNREADABLE, f"无法读取文件：{os_reason(exc)}")
        return None
    if root is not None and not real.is_relative_to(root.resolve()):
        report.add(Pos(shown), rules.FILE_OUTSIDE,
                     "文件是指向本书文件夹以外的链接，拒绝读取（只读取书文件夹内的文件）")
        return None
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        report.add(Pos(shown), rules.FILE_UNREADABLE, f"无法读取文件：{os_reason(exc)}")
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            report.add(Pos(shown), rules.NOT_A_FILE,
                         "不是普通文件（而是文件夹、设备或管道），拒绝读取")
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:  # counted as read: st_size may lie
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        report.add(Pos(shown), rules.FILE_UNREADABLE, f"无法读取文件：{os_reason(exc)}")
        return None
    finally:
        os.close(fd)
    if size > MAX_BYTES:
        report.add(Pos(shown), rules.FILE_TOO_LARGE,
                     f"文件过大（{max(st.st_size, size)} 字节），单个文件最大 {MAX_BYTES} 字节")
        return None
    return b"".join(chunks)


def decode(data: bytes, shown: str, report: Report) -> str | None:
    """UTF-8 text (a BOM dropped), or None with an error naming the first bad byte."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        report.add(
            _offset_pos(shown, good, len(good)), rules.ENCODING,
            f"文件不是 UTF-8 编码（第 {exc.start + 1} 字节 0x{data[exc.start]:02X} 无法解码）；"
            "请在编辑器中以 UTF-8 另存",
        )
        return None


def read_text(path: Path, shown: str, report: Report, root: Path | None = None) -> str | None:
    """The file's text, or None with an error (see read_bytes; then not UTF-8)."""
    data = read_bytes(path, shown, report, root)
    return None if data is None else decode(data, shown, report)


class _Shared(Exception):
    """The fast parser resolved an alias (one node reached twice): read again, slowly, to refuse it
    where it stands."""


# The trees parsed in this process, by (shown name, text), with their findings: a build reads
# each file twice (the check, then the review's positions of words) and `tablegen serve` every
# file again after each save, of which one has changed. The trees are shared: nothing changes a
# node of a tree that `parse` gave without `comments` (`fmt`, which cleans its texts, parses
# its own with them).
# Each file's last text parsed in this process, by its shown name: (text, tree, findings).
_TREES: dict[str, tuple[str, Node | None, tuple[Finding, ...]]] = {}
MEMO_FILES = 4096  # files a memo keeps; past that, a new name is not kept (see `remember`)


def remember(memo: dict[str, T], name: str, value: T) -> None:
    """`value` kept as `name`'s in a per-file memo: in place of the file's earlier one, or
    beside the others while the memo holds fewer than MEMO_FILES files. Past that a new file is
    not kept: a build reads its files in the same order each time (the check, then the review),
    and a memo that let the oldest go would lose every one of them before it was read again."""
    if name in memo or len(memo) < MEMO_FILES:
        memo[name] = value


def parse(text: str, shown: str, report: Report,
          comments: list[tuple[Pos, str]] | None = None) -> Node | None:
    """Parse YAML text into a Node tree; syntax problems become findings.

    libyaml (when PyYAML has it) reads a well-formed file; anything it refuses or anything
    unusual is read again by the pure-Python parser, whose findings are exact. With `comments`,
    the file's comments are appended to it as (position of `#`, text after it), read by the same
    scanner that reads the data, so a `#` inside a text is never taken for one. Without them, a
    text parsed before in this process gives the same tree and findings again (`_TREES`).
    """
    if comments is not None:
        return _parse(text, shown, report, comments)
    memo = _TREES.get(shown)
    if memo is None or memo[0] != text:
        found = Report()
        memo = (text, _parse(text, shown, found, None), tuple(found.findings))
        remember(_TREES, shown, memo)
    report.findings += memo[2]
    return memo[1]


def _parse(text: str, shown: str, report: Report,
           comments: list[tuple[Pos, str]] | None) -> Node | None:
    where = _Positions(shown, text)
    if comments is None and LIBYAML and not where.by_index:
        before = len(report.findings)
        try:
            root = yaml.compose(text, Loader=yaml.CSafeLoader)
            return _tree(root, where, report, set())
        except (Exception, RecursionError):  # noqa: BLE001 - every refusal is re-read below
            del report.findings[before:]
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
    except _AliasRefused as exc:
        report.add(where(exc.mark), rules.YAML_ALIAS, "不支持 YAML 别名（*名称）：请把内容直接写出")
        return None
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        report.add(
            _offset_pos(shown, text, exc.position), rules.CONTROL_CHAR,
            f"文本含有 DOCX/XML 无法保存的控制字符 U+{ord(char):04X}",
        )
        return None
    except yaml.MarkedYAMLError as exc:
        if not _odd_breaks(loader, where, report):  # else the likely cause, reported alone
            start, message = explain(exc, text, where)
            report.add(start, rules.YAML_SYNTAX, message)
        return None
    except RecursionError:
        report.add(_deep_pos(shown, text), rules.YAML_SYNTAX,
                     "YAML 语法错误：列表或映射嵌套的层数过多")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if _odd_breaks(loader, where, report):
        return None
    for offset in loader.bare_signs:
        value = _BARE_VALUE.match(text, offset).group().rstrip()  # type: ignore[union-attr]
        report.add(
            where.at(offset), rules.UNQUOTED_SIGN,
            f"“{value}”以 >= 开头却没有加引号：YAML 会把“>”读作折叠文本的标记，编辑器和其他工具"
            f"无法读取此文件；请写成“≥{value[2:]}”或“\"{value}\"”（tablegen fmt 会自动改为 ≥）",
        )
    if comments is not None:
        for hash_at, end in loader.comments:
            comments.append((where.at(hash_at), text[hash_at + 1:end]))
    return _tree(root, where, report, None)


def _odd_breaks(loader: _Loader | None, where: _Positions, report: Report) -> bool:
    """Report each line separator the parser broke a line at; whether there was one."""
    for offset in loader.odd_breaks if loader is not None else []:
        char = where.text[offset]
        report.add(where.at(offset), rules.CONTROL_CHAR,
                     f"文本含有不可见的字符 U+{ord(char):04X}（{_ODD_NAMES[char]}）：YAML 会把它读作"
                     "换行，编辑器却显示在同一行，读出的内容会与看到的不同；请删除它，或换成普通换行")
    return loader is not None and bool(loader.odd_breaks)


def _tree(root: yaml.Node | None, where: _Positions, report: Report,
          seen: set[int] | None) -> Node | None:
    if root is None:
        return Node("map", Pos(where.shown, 1, 1))
    before = len(report.findings)
    tree = _convert(root, where, report, seen)
    # A file with a refused tag is not read further: its values are not trusted.
    if any(f.rule == "unsafe-tag" for f in report.findings[before:]):
        return None
    return tree


def _deep_pos(shown: str, text: str) -> Pos:
    """Where flow brackets first nest deeper than MAX_DEPTH (else the file's start)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch in "[{") - (ch in "]}")
        if depth > MAX_DEPTH:
            return _offset_pos(shown, text, i)
    return Pos(shown, 1, 1)


def _convert(node: yaml.Node, where: _Positions, report: Report, seen: set[int] | None) -> Node:
    if seen is not None:
        if id(node) in seen:
            raise _Shared
        seen.add(id(node))
    pos = where(node.start_mark)
    if node.tag not in SAFE_TAGS and not (
        isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:value"
    ):
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        report.add(pos, rules.UNSAFE_TAG, f"不允许使用 YAML 标签 {tag}：只接受普通文本、列表和映射")
    if isinstance(node, yaml.ScalarNode):
        style = node.style if node.style else None
        text = node.value
        if node.tag == "tag:yaml.org,2002:str" and style is None and text in NULLS:
            style = "!"  # `!!str ~`: an explicit string, not a null
        bad = XML_ILLEGAL.search(text)
        if bad:
            report.add(
                pos, rules.CONTROL_CHAR,
                f"文本含有 DOCX/XML 无法保存的控制字符 U+{ord(bad.group()):04X}",
            )
        if style in (None, "'", '"') and text[:2] in _SIGNS and "\n" not in text:
            text = _SIGNS[text[:2]] + text[2:]
        return Node("scalar", pos, text=text, style=style)
    if isinstance(node, yaml.SequenceNode):
        return Node("seq", pos, items=[_convert(n, where, report, seen) for n in node.value])
    pairs = [(_convert(k, where, report, seen), _convert(v, where, report, seen))
             for k, v in node.value]
    return Node("map", pos, pairs=pairs)


def load(path: Path, shown: str, report: Report, root: Path | None = None) -> Node | None:
    """Read, decode and parse one YAML file (inside `root`); None when it cannot be read."""
    text = read_text(path, shown, report, root)
    if text is None:
        return None
    return parse(text, shown, report)
