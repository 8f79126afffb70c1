"""The one canonical YAML form that every tool of tablegen writes (import, fmt, new).

Key order follows the schema, codes and number-like values are quoted, amounts keep their two
decimals, and a comment can stand above any key to record what a source document had.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import yaml

from ..model.book import Book, Indicator, Project, format_amount
from ..model.monitoring import SOURCES, MonitorFunds

SCHEMA_BOOK = "# yaml-language-server: $schema=../../build/schema/book.schema.json"
SCHEMA_PROJECT = "# yaml-language-server: $schema=../../build/schema/project.schema.json"
_PLAIN_RISK = re.compile(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|:\s|\s#|:$|\s$|^$")


_PRINTABLE = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                        "\U00010000-\U0010ffff]")
_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _PRINTABLE.match(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def _block(text: str, indent: int) -> str | None:
    """Multi-line text as a literal block (`|`, `|-`) when that reads back exactly, else None."""
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    if (
        len(lines) < 2
        or text.startswith((" ", "\n"))
        or body.endswith("\n")
        or any(not _PRINTABLE.match(ch) for ch in body.replace("\n", ""))
        or any(line != line.rstrip() for line in lines)
    ):
        return None
    pad = " " * (indent + 2)
    head = "|" if text.endswith("\n") else "|-"
    return head + "".join("\n" + (pad + line if line else "") for line in lines)


def scalar(text: str, indent: int | None = None) -> str:
    """A string as YAML that reads back as exactly this text and as a string.

    With `indent` (the column of the key or dash it follows), multi-line text may be written as
    a literal block, which is how people write it by hand.
    """
    if indent is not None and "\n" in text:
        block = _block(text, indent)
        if block is not None:
            return block
    if any(not _PRINTABLE.match(ch) for ch in text):
        return _double_quoted(text)
    if not _PLAIN_RISK.search(text):
        try:
            node = yaml.compose(f"k: {text}", Loader=_LOADER)
        except yaml.YAMLError:
            node = None
        if (
            node is not None
            and node.value[0][1].tag == "tag:yaml.org,2002:str"
            and node.value[0][1].value == text
        ):
            return text
    return "'" + text.replace("'", "''") + "'"


class _Out:
    """Lines of YAML, each key preceded by the comments kept for its path."""

    def __init__(self, head: str, notes: dict[str, str] | None):
        self.notes = dict(notes or {})
        self.lines = [head]
        self.note("", "")

    def note(self, path: str, indent: str) -> None:
        for part in (self.notes.pop(path, None) or "").splitlines():
            self.lines.append(f"{indent}# {part}".rstrip() if part.strip() else "")

    def key(self, path: str, indent: str, line: str, *aliases: str) -> None:
        """A line, after the comments of its path (and of other names the same line has)."""
        if path:
            self.note(path, indent)
        for alias in aliases:
            self.note(alias, indent)
        self.lines.append(f"{indent}{line}".rstrip())

    def text(self) -> str:
        self.note("$end", "")
        for path in list(self.notes):  # a comment whose key is gone is kept, at the end
            self.note(path, "")
        return "\n".join(self.lines) + "\n"


def dump_project(project: Project, comments: dict[str, str] | None = None) -> str:
    """A project file's text. `comments` maps a key path (`name`, `goals[1]`, `产出指标.数量指标[2]`,
    `$end`, …) to the comment lines kept above it."""
    out = _Out(SCHEMA_PROJECT, comments)
    out.key("name", "", f"name: {scalar(project.name, 0)}")
    out.key("budget", "", "budget:")
    for key in ("total", "fiscal", "other"):
        out.key(f"budget.{key}", "  ", f"{key}: {format_amount(getattr(project.budget, key))}")
    out.key("usage", "", f"usage: {scalar(project.usage, 0)}" if project.usage else "usage:")
    out.key("goals", "", "goals:")
    for i, goal in enumerate(project.goals, 1):
        out.key(f"goals[{i}]", "  ", f"- {scalar(goal, 2)}")
    out.key("indicators", "", "indicators:")
    for l1 in project.indicators:
        out.key(f"indicators.{l1.name}", "  ", f"{scalar(l1.name)}:")
        for l2 in l1.groups:
            out.key(f"indicators.{l1.name}.{l2.name}", "    ", f"{scalar(l2.name)}:")
            for i, ind in enumerate(l2.indicators, 1):
                item = f"{l1.name}.{l2.name}[{i}]"
                out.key(item, "      ", f"- name: {scalar(ind.name, 8)}", f"{item}.name")
                if ind.description is not None:
                    out.key(f"{item}.description", "        ",
                            f"description: {scalar(ind.description, 8)}")
                out.key(f"{item}.value", "        ", f"value: {scalar(ind.value, 8)}")
                _evaluation(out, item, ind)
    _monitoring(out, project)
    _execution(out, project)
    return out.text()


def _evaluation(out: _Out, item: str, ind: Indicator) -> None:
    """An indicator's 自评 keys (actual, weight, grade, score, deviation), those present."""
    for key in ("actual", "weight", "grade", "score", "deviation"):
        value = getattr(ind, key)
        if value is not None:
            shown = format_amount(value) if isinstance(value, Decimal) else scalar(value, 8)
            out.key(f"{item}.{key}", "        ", f"{key}: {shown}")


def _monitoring(out: _Out, project: Project) -> None:
    """The 绩效运行监控 rounds, when the project has any."""
    if not project.monitoring:
        return
    out.key("monitoring", "", "monitoring:")
    for i, rnd in enumerate(project.monitoring, 1):
        at = f"monitoring[{i}]"
        out.key(at, "  ", f"- month: {rnd.month}", f"{at}.month")
        _monitor_funds(out, at, "    ", rnd.total)
        for key, funds in ((k, rnd.sources[k]) for k in SOURCES if k in rnd.sources):
            out.key(f"{at}.{key}", "    ", f"{key}:")
            _monitor_funds(out, f"{at}.{key}", "      ", funds)
        if rnd.progress:
            out.key(f"{at}.progress", "    ", "progress:")
            for j, text in enumerate(rnd.progress, 1):
                out.key(f"{at}.progress[{j}]", "      ", f"- {scalar(text, 6)}")
        if rnd.entries:
            out.key(f"{at}.indicators", "    ", "indicators:")
        for j, e in enumerate(rnd.entries, 1):
            item = f"{at}.indicators[{j}]"
            out.key(item, "      ", f"- name: {scalar(e.name, 8)}", f"{item}.name")
            out.key(f"{item}.done", "        ", f"done: {scalar(e.done, 8)}")
            if e.expected is not None:
                out.key(f"{item}.expected", "        ", f"expected: {scalar(e.expected, 8)}")
            out.key(f"{item}.likelihood", "        ", f"likelihood: {e.likelihood}")
            if e.causes:
                out.key(f"{item}.causes", "        ", f"causes: [{', '.join(e.causes)}]")
            if e.note is not None:
                out.key(f"{item}.note", "        ", f"note: {scalar(e.note, 8)}")
        for key in ("analysis", "measures"):
            text = getattr(rnd, key)
            if text is not None:
                out.key(f"{at}.{key}", "    ", f"{key}: {scalar(text, 4)}")


def _monitor_funds(out: _Out, at: str, indent: str, funds: MonitorFunds) -> None:
    for key in ("initial", "adjusted", "spent", "expected"):
        value = getattr(funds, key)
        if value is not None:
            out.key(f"{at}.{key}", indent, f"{key}: {format_amount(value)}")


def _execution(out: _Out, project: Project) -> None:
    """The 自评 execution block, when the project has one."""
    ex = project.execution
    if ex is None:
        return
    out.key("execution", "", "execution:")
    for key in ("initial", "adjusted", "spent"):
        value = getattr(ex.total, key)
        if value is not None:
            out.key(f"execution.{key}", "  ", f"{key}: {format_amount(value)}")
    for source, funds in ex.sources.items():
        out.key(f"execution.{source}", "  ", f"{source}:")
        for key in ("initial", "adjusted", "spent"):
            value = getattr(funds, key)
            if value is not None:
                out.key(f"execution.{source}.{key}", "    ", f"{key}: {format_amount(value)}")
    if ex.results:
        out.key("execution.results", "  ", "results:")
        for i, text in enumerate(ex.results, 1):
            out.key(f"execution.results[{i}]", "    ", f"- {scalar(text, 4)}")


def dump_book(book: Book, files: list[list[str]], comments: dict[str, str] | None = None) -> str:
    """book.yaml's text; `files` lists each agency's project file names in order."""
    out = _Out(SCHEMA_BOOK, comments)
    out.key("title", "", f"title: {scalar(book.title, 0)}")
    out.key("year", "", f"year: {book.year}")
    out.key("money_unit", "", f"money_unit: {book.money_unit}")
    out.key("frame", "", f"frame: {book.frame}")
    out.key("merge", "", f"merge: {book.merge}")
    if book.department:
        out.key("department", "", f"department: {scalar(book.department)}")
    if book.scoring:
        out.key("scoring", "", f"scoring: {book.scoring}")
    if book.pace:
        out.key("pace", "", f"pace: {book.pace}")
    out.key("agencies", "", "agencies:")
    for i, (agency, names) in enumerate(zip(book.agencies, files, strict=True), 1):
        out.key(f"agencies[{i}]", "  ", f"- code: {json.dumps(agency.code, ensure_ascii=False)}",
                f"agencies[{i}].code")
        out.key(f"agencies[{i}].name", "    ", f"name: {scalar(agency.name)}")
        out.key(f"agencies[{i}].projects", "    ", "projects:")
        for j, name in enumerate(names, 1):
            out.key(f"agencies[{i}].projects[{j}]", "      ", f"- {scalar(name)}")
    return out.text()
