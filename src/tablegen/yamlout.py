"""The one canonical YAML form that every tool of tablegen writes (import, fmt, new).

Key order follows the schema, codes and number-like values are quoted, amounts keep their two
decimals, and a comment can stand above any key to record what a source document had.
"""

from __future__ import annotations

import json
import re

import yaml

from .model import Book, Project, format_amount

SCHEMA_BOOK = "# yaml-language-server: $schema=../../build/schema/book.schema.json"
SCHEMA_PROJECT = "# yaml-language-server: $schema=../../build/schema/project.schema.json"
_PLAIN_RISK = re.compile(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|:\s|\s#|:$|\s$|^$")


_PRINTABLE = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                        "\U00010000-\U0010ffff]")
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


def scalar(text: str) -> str:
    """A string as YAML that reads back as exactly this text and as a string."""
    if any(not _PRINTABLE.match(ch) for ch in text):
        return _double_quoted(text)
    if not _PLAIN_RISK.search(text):
        try:
            node = yaml.compose(f"k: {text}")
        except yaml.YAMLError:
            node = None
        if (
            node is not None
            and node.value[0][1].tag == "tag:yaml.org,2002:str"
            and node.value[0][1].value == text
        ):
            return text
    return "'" + text.replace("'", "''") + "'"


def _comment(lines: list[str], indent: str, comment: str | None) -> None:
    if comment:
        for part in comment.splitlines():
            lines.append(f"{indent}# {part}".rstrip())


def dump_project(project: Project, comments: dict[str, str] | None = None) -> str:
    """A project file's text. `comments` maps a key path (`name`, `goals[1]`, …) to a note."""
    notes = comments or {}
    out = [SCHEMA_PROJECT]
    _comment(out, "", notes.get(""))
    _comment(out, "", notes.get("name"))
    out.append(f"name: {scalar(project.name)}")
    out.append("budget:")
    for key in ("total", "fiscal", "other"):
        amount = getattr(project.budget, key)
        out.append(f"  {key}: {format_amount(amount)}".rstrip())
    _comment(out, "", notes.get("usage"))
    out.append(f"usage: {scalar(project.usage)}" if project.usage else "usage:")
    out.append("goals:")
    for i, goal in enumerate(project.goals, 1):
        _comment(out, "  ", notes.get(f"goals[{i}]"))
        out.append(f"  - {scalar(goal)}")
    out.append("indicators:")
    for l1 in project.indicators:
        out.append(f"  {scalar(l1.name)}:")
        for l2 in l1.groups:
            out.append(f"    {scalar(l2.name)}:")
            for i, ind in enumerate(l2.indicators, 1):
                _comment(out, "      ", notes.get(f"{l1.name}.{l2.name}[{i}]"))
                out.append(f"      - name: {scalar(ind.name)}")
                if ind.description is not None:
                    out.append(f"        description: {scalar(ind.description)}")
                out.append(f"        value: {scalar(ind.value)}")
    return "\n".join(out) + "\n"


def dump_book(book: Book, files: list[list[str]], comments: dict[str, str] | None = None) -> str:
    """book.yaml's text; `files` lists each agency's project file names in order."""
    notes = comments or {}
    out = [SCHEMA_BOOK]
    _comment(out, "", notes.get(""))
    out.append(f"title: {scalar(book.title)}")
    out.append(f"year: {book.year}")
    out.append(f"money_unit: {book.money_unit}")
    out.append(f"frame: {book.frame}")
    out.append(f"merge: {book.merge}")
    if book.department:
        out.append(f"department: {scalar(book.department)}")
    out.append("agencies:")
    for agency, names in zip(book.agencies, files, strict=True):
        out.append(f"  - code: {json.dumps(agency.code, ensure_ascii=False)}")
        out.append(f"    name: {scalar(agency.name)}")
        out.append("    projects:")
        for name in names:
            _comment(out, "      ", notes.get(name))
            out.append(f"      - {scalar(name)}")
    return "\n".join(out) + "\n"
