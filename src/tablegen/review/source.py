"""Where each text of a project stands in its file: key paths to nodes, and a word's line:col.

The model keeps only a few positions; the review names the exact place of a typo inside a goal,
so it reads the file's node tree again (the same safe loader as `check`) and finds each word in
the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Pos, Report
from ..load.loader import Node, parse, read_text


@dataclass
class Source:
    """A file's text and its nodes by key path (`goals[1]`, `indicators.产出指标.数量指标[2].value`)."""

    shown: str
    text: str = ""
    nodes: dict[str, Node] = field(default_factory=dict)
    keys: dict[str, Node] = field(default_factory=dict)  # the key node of each mapping entry
    _starts: list[int] = field(default_factory=list)  # offset of each line's start

    def at(self, path: str, fallback: Pos | None = None) -> Pos:
        """The position of the value at a key path (its key's for a mapping or list)."""
        node = self.nodes.get(path)
        if node is not None and node.kind != "scalar" and path in self.keys:
            return self.keys[path].pos
        if node is not None:
            return node.pos
        return fallback or Pos(self.shown)

    def key_at(self, path: str, fallback: Pos | None = None) -> Pos:
        node = self.keys.get(path)
        return node.pos if node is not None else self.at(path, fallback)

    def find(self, node: Node, word: str, nth: int = 0) -> Pos:
        """Where the `nth` occurrence of `word` in a scalar stands, searched in the file text from
        the scalar's own start; the scalar's position when it cannot be found as written (an
        escape, a folded line)."""
        offset = self._offset(node.pos)
        if offset is None:
            return node.pos
        limit = offset + len(node.text) * 2 + 64
        at = offset
        for _ in range(nth + 1):
            found = self.text.find(word, at, limit)
            if found < 0:
                return node.pos
            at = found + 1
        return self._pos(at - 1)

    def _offset(self, pos: Pos) -> int | None:
        if not self._starts:
            self._starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        if not 1 <= pos.line <= len(self._starts):
            return None
        return self._starts[pos.line - 1] + pos.col - 1

    def _pos(self, offset: int) -> Pos:
        line = _bisect(self._starts, offset)
        return Pos(self.shown, line + 1, offset - self._starts[line] + 1)


def _bisect(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


# The sources of the texts read so far, by (shown name, text): `serve` reviews again on every
# save, and only the saved file's text has changed. Their trees are the check's own (`parse`
# gives a text's tree once per process).
_PARSED: dict[tuple[str, str], Source] = {}


def read_source(path: Path, shown: str, root: Path | None = None) -> Source:
    """A file's source (empty when it cannot be read: check reports why)."""
    report = Report()
    text = read_text(path, shown, report, root)
    if text is None:
        return Source(shown)
    key = (shown, text)
    if key not in _PARSED:
        if len(_PARSED) > 4096:
            _PARSED.clear()
        _PARSED[key] = _parsed(text, shown)
    return _PARSED[key]


def _parsed(text: str, shown: str) -> Source:
    source = Source(shown)
    node = parse(text, shown, Report())
    if node is None:
        return source
    source.text = text
    for p, key, value in walk(node):
        source.nodes[p] = value
        if key is not None:
            source.keys[p] = key
    return source


def walk(node: Node, path: str = "") -> Iterator[tuple[str, Node | None, Node]]:
    """Every node under `node` with its key path and, in a mapping, its key node."""
    if node.kind == "map":
        for key, value in node.pairs:
            sub = f"{path}.{key.text}" if path else key.text
            yield sub, key, value
            yield from walk(value, sub)
    elif node.kind == "seq":
        for i, item in enumerate(node.items, 1):
            sub = f"{path}[{i}]"
            yield sub, None, item
            yield from walk(item, sub)


# Keys whose scalars are amounts (check reads them), not texts; and book.yaml's list of files.
_AMOUNTS = ("budget.", "execution.initial", "execution.adjusted", "execution.spent")
_FILE_LIST = re.compile(r"^agencies\[\d+\]\.projects\[\d+\]$")
_AMOUNT_KEYS = (".weight", ".score", ".initial", ".adjusted", ".spent")


def texts(source: Source) -> Iterator[tuple[str, Node]]:
    """Every text a reader of the table sees, with its key path: the scalars but amounts, and the
    一级/二级 names (keys under `indicators`, path ending in `#key`)."""
    for path, node in source.nodes.items():
        if (node.kind == "scalar" and not node.is_null and node.text.strip()
                and not path.startswith(_AMOUNTS) and not path.endswith(_AMOUNT_KEYS)
                and not _FILE_LIST.match(path)):
            yield path, node
    for path, key in source.keys.items():
        if path.startswith("indicators.") and path.count(".") in (1, 2) and "[" not in path:
            yield f"{path}#key", key
