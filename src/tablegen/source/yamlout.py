"""The one canonical YAML form that every tool of tablegen writes (import, fmt, new).

Key order follows the schema, codes and number-like values are quoted, amounts keep their two
decimals, and a comment can stand above any key to record what a source document had.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import yaml

from ..model.book import DECIMALS, Book, Indicator, Level1, Overall, Project, format_amount
from ..model.monitoring import SOURCES, MonitorFunds

SCHEMA_BOOK = "# yaml-language-server: $schema=../../build/schema/book.schema.json"
SCHEMA_PROJECT = "# yaml-language-server: $schema=../../build/schema/project.schema.json"
SCHEMA_OVERALL = "# yaml-language-server: $schema=../../build/schema/overall.schema.json"
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


def dump_project(project: Project, comments: dict[str, str] | None = None,
                 places: int = DECIMALS) -> str:
    """A project file's text. `comments` maps a key path (`name`, `goals[1]`, `产出指标.数量指标[2]`,
    `$end`, …) to the comment lines kept above it; amounts have the book's `places` (or more,
    never fewer than they have)."""
    out = _Out(SCHEMA_PROJECT, comments)
    out.key("name", "", f"name: {scalar(project.name, 0)}")
    out.key("budget", "", "budget:")
    for key in ("total", "fiscal", "other"):
        out.key(f"budget.{key}", "  ",
                f"{key}: {format_amount(getattr(project.budget, key), places)}")
    out.key("usage", "", f"usage: {scalar(project.usage, 0)}" if project.usage else "usage:")
    out.key("goals", "", "goals:")
    for i, goal in enumerate(project.goals, 1):
        out.key(f"goals[{i}]", "  ", f"- {scalar(goal, 2)}")
    if project.period is not None:
        out.key("period", "", f"period: {scalar(project.period, 0)}")
    for key in ("period_goals", "recipients"):
        items = getattr(project, key)
        if items:
            out.key(key, "", f"{key}:")
            for i, text in enumerate(items, 1):
                out.key(f"{key}[{i}]", "  ", f"- {scalar(text, 2)}")
    out.key("indicators", "", "indicators:")
    if project.order is not None:
        _rows(out, project)
    else:
        _indicators(out, project.indicators)
    _monitoring(out, project)
    _execution(out, project, places)
    return out.text()


def _indicators(out: _Out, indicators: list[Level1]) -> None:
    """The indicator grid as a mapping (a project's or an agency's 整体 one), 自评 keys included."""
    for l1 in indicators:
        out.key(f"indicators.{l1.name}", "  ", f"{scalar(l1.name)}:")
        for l2 in l1.groups:
            path = f"indicators.{l1.name}.{l2.name}"
            if not l2.indicators:  # a 二级 printed as an empty row
                out.key(path, "    ", f"{scalar(l2.name)}: []")
                continue
            out.key(path, "    ", f"{scalar(l2.name)}:")
            for i, ind in enumerate(l2.indicators, 1):
                item = f"{l1.name}.{l2.name}[{i}]"
                out.key(item, "      ", f"- name: {scalar(ind.name, 8)}", f"{item}.name")
                _indicator(out, item, ind, "        ")


def dump_overall(overall: Overall, comments: dict[str, str] | None = None) -> str:
    """An agency's 部门整体 file's text (keys as for dump_project: `tasks[1].name`, …)."""
    out = _Out(SCHEMA_OVERALL, comments)
    if overall.functions:
        out.key("functions", "", f"functions: {scalar(overall.functions, 0)}")
    out.key("basic", "", f"basic: {format_amount(overall.basic)}")
    if overall.projects is not None:
        out.key("projects", "", f"projects: {format_amount(overall.projects)}")
    if overall.income:
        out.key("income", "", "income:")
        for i, item in enumerate(overall.income, 1):
            out.key(f"income[{i}]", "  ", f"- name: {scalar(item.name, 4)}", f"income[{i}].name")
            out.key(f"income[{i}].amount", "    ", f"amount: {format_amount(item.amount)}")
    if overall.tasks:
        out.key("tasks", "", "tasks:")
        for i, task in enumerate(overall.tasks, 1):
            here = f"tasks[{i}]"
            out.key(here, "  ", f"- name: {scalar(task.name, 4)}", f"{here}.name")
            if task.content:
                out.key(f"{here}.content", "    ", f"content: {scalar(task.content, 4)}")
            if task.projects:
                out.key(f"{here}.projects", "    ", "projects:")
                for j, file in enumerate(task.projects, 1):
                    out.key(f"{here}.projects[{j}]", "      ", f"- {scalar(file, 6)}")
            for key in ("total", "fiscal", "other"):
                value = getattr(task, key)
                if value is not None:
                    out.key(f"{here}.{key}", "    ", f"{key}: {format_amount(value)}")
    out.key("goals", "", "goals:")
    for i, goal in enumerate(overall.goals, 1):
        out.key(f"goals[{i}]", "  ", f"- {scalar(goal, 2)}")
    out.key("indicators", "", "indicators:")
    _indicators(out, overall.indicators)
    if overall.frame:
        out.key("frame", "", f"frame: {overall.frame}")
    if overall.scoring:
        out.key("scoring", "", f"scoring: {overall.scoring}")
    ex = overall.execution
    if ex is not None:
        out.key("execution", "", "execution:")
        out.key("execution.basic", "  ", f"basic: {format_amount(ex.basic)}")
        if ex.projects is not None:
            out.key("execution.projects", "  ", f"projects: {format_amount(ex.projects)}")
        if ex.results:
            out.key("execution.results", "  ", "results:")
            for i, text in enumerate(ex.results, 1):
                out.key(f"execution.results[{i}]", "    ", f"- {scalar(text, 4)}")
    return out.text()


def _rows(out: _Out, project: Project) -> None:
    """`indicators` as the list of rows in their printed order (each with level1 and level2)."""
    for n, (l1, l2, ind) in enumerate(project.printed(), 1):
        item = f"indicators[{n}]"
        out.key(item, "  ", f"- level1: {scalar(l1.name, 4)}", f"{item}.level1")
        out.key(f"{item}.level2", "    ", f"level2: {scalar(l2.name, 4)}")
        if ind is not None:
            out.key(f"{item}.name", "    ", f"name: {scalar(ind.name, 4)}")
            _indicator(out, item, ind, "    ")


def _indicator(out: _Out, item: str, ind: Indicator, pad: str) -> None:
    """An indicator's keys after its name, those present, in the schema's order."""
    width = len(pad)
    if ind.description is not None:
        out.key(f"{item}.description", pad, f"description: {scalar(ind.description, width)}")
    out.key(f"{item}.value", pad, f"value: {scalar(ind.value, width)}")
    if ind.period_value is not None:
        out.key(f"{item}.period_value", pad, f"period_value: {scalar(ind.period_value, width)}")
    if ind.values:
        out.key(f"{item}.values", pad, "values:")
        for who, text in ind.values.items():
            out.key(f"{item}.values.{who}", pad + "  ",
                    f"{scalar(who)}: {scalar(text, width + 2)}")
    for key, text in ind.extra.items():
        out.key(f"{item}.{key}", pad, f"{key}: {scalar(text, width)}")
    _evaluation(out, item, ind, pad)


def _evaluation(out: _Out, item: str, ind: Indicator, pad: str = "        ") -> None:
    """An indicator's 自评 keys (actual, weight, grade, score, score_reason, deviation), those
    present."""
    for key in ("actual", "weight", "grade", "score", "score_reason", "deviation"):
        value = getattr(ind, key)
        if value is not None:
            shown = format_amount(value) if isinstance(value, Decimal) else scalar(value, len(pad))
            out.key(f"{item}.{key}", pad, f"{key}: {shown}")


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


def _execution(out: _Out, project: Project, places: int = DECIMALS) -> None:
    """The 自评 execution block, when the project has one."""
    ex = project.execution
    if ex is None:
        return
    out.key("execution", "", "execution:")
    for key in ("initial", "adjusted", "spent"):
        value = getattr(ex.total, key)
        if value is not None:
            out.key(f"execution.{key}", "  ", f"{key}: {format_amount(value, places)}")
    for source, funds in ex.sources.items():
        out.key(f"execution.{source}", "  ", f"{source}:")
        for key in ("initial", "adjusted", "spent"):
            value = getattr(funds, key)
            if value is not None:
                out.key(f"execution.{source}.{key}", "    ",
                        f"{key}: {format_amount(value, places)}")
    if ex.results:
        out.key("execution.results", "  ", "results:")
        for i, text in enumerate(ex.results, 1):
            out.key(f"execution.results[{i}]", "    ", f"- {scalar(text, 4)}")
    if ex.deviation is not None:
        out.key("execution.deviation", "  ", f"deviation: {scalar(ex.deviation, 2)}")


def _scheme_lines(out: _Out, path: str, indent: str, data: dict[str, Any]) -> None:
    """A book's own scoring scheme as block mappings, its lists in flow style (`[优, 90]`)."""
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out.key(f"{path}.{key}", indent, f"{_flow(key)}:")
            _scheme_lines(out, f"{path}.{key}", indent + "  ", value)
        else:
            out.key(f"{path}.{key}", indent, f"{_flow(key)}: {_flow(value)}")


def _flow(value: Any) -> str:
    """A scheme's scalar, list or empty mapping in flow style: `10`, `[天, 小时]`, `{}`."""
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "none"
    text = str(value)
    if re.fullmatch(r"-?\d+(\.\d+)?|true|false|none", text):
        return text
    return json.dumps(text, ensure_ascii=False) if re.search(r"[\[\]{},:#]", text) else scalar(text)


def dump_book(book: Book, files: list[list[str]], comments: dict[str, str] | None = None) -> str:
    """book.yaml's text; `files` lists each agency's project file names in order."""
    out = _Out(SCHEMA_BOOK, comments)
    out.key("title", "", f"title: {scalar(book.title, 0)}")
    out.key("year", "", f"year: {book.year}")
    out.key("money_unit", "", f"money_unit: {book.money_unit}")
    out.key("frame", "", f"frame: {book.frame}")
    if book.frames:
        out.key("frames", "", "frames:")
        for name, frame in book.frames.items():
            out.key(f"frames.{name}", "  ", f"{scalar(name)}:")
            out.key(f"frames.{name}.title", "    ", f"title: {scalar(frame.title)}")
            out.key(f"frames.{name}.levels", "    ", "levels:")
            for l1, l2s in frame.levels.items():
                out.key(f"frames.{name}.levels.{l1}", "      ", f"{scalar(l1)}:")
                for j, l2 in enumerate(l2s, 1):
                    out.key(f"frames.{name}.levels.{l1}[{j}]", "        ", f"- {scalar(l2, 8)}")
    if book.layout is not None:
        out.key("layout", "", f"layout: {book.layout.name}")
    if book.decimals != DECIMALS:
        out.key("decimals", "", f"decimals: {book.decimals}")
    out.key("merge", "", f"merge: {book.merge}")
    if book.department:
        out.key("department", "", f"department: {scalar(book.department)}")
    if book.scoring_rules:
        out.key("scoring", "", "scoring:")
        _scheme_lines(out, "scoring", "  ", book.scoring_rules)
    elif book.scoring:
        out.key("scoring", "", f"scoring: {book.scoring}")
    if book.overall_layout:
        out.key("overall_layout", "", f"overall_layout: {book.overall_layout}")
    if book.pace:
        out.key("pace", "", f"pace: {book.pace}")
    out.key("agencies", "", "agencies:")
    for i, (agency, names) in enumerate(zip(book.agencies, files, strict=True), 1):
        if agency.code:
            out.key(f"agencies[{i}]", "  ",
                    f"- code: {json.dumps(agency.code, ensure_ascii=False)}", f"agencies[{i}].code")
            out.key(f"agencies[{i}].name", "    ", f"name: {scalar(agency.name)}")
        else:
            out.key(f"agencies[{i}]", "  ", f"- name: {scalar(agency.name)}",
                    f"agencies[{i}].name")
        if agency.department:
            out.key(f"agencies[{i}].department", "    ",
                    f"department: {scalar(agency.department)}")
        if agency.contact:
            out.key(f"agencies[{i}].contact", "    ", f"contact: {scalar(agency.contact)}")
        if agency.phone:
            out.key(f"agencies[{i}].phone", "    ",
                    f"phone: {json.dumps(agency.phone, ensure_ascii=False)}")
        if agency.overall_file:
            out.key(f"agencies[{i}].overall", "    ", f"overall: {scalar(agency.overall_file)}")
        out.key(f"agencies[{i}].projects", "    ", "projects:")
        for j, name in enumerate(names, 1):
            out.key(f"agencies[{i}].projects[{j}]", "      ", f"- {scalar(name)}")
    return out.text()
