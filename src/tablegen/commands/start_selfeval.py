"""`tablegen selfeval`: the 自评 of a monitored book, started from each project's last
monitoring round.

What the round knows is written: the 年初预算数 and the 调整后预算数 (as 全年预算数) of the total and
of each fund source. What only the year's end knows is left empty, so that `tablegen check` names
every figure still missing, with file, line and column: the 全年执行数 (`spent:`), each indicator's
实际完成值 (`actual: ''`), each qualitative indicator's 完成等级 (`grade: ''`) and the 实际完成情况
of the goals. Above each empty figure a comment gives what the round said (`1–7月执行情况：0个；
全年预计完成情况：1个`), never as the figure: a forecast is not an actual.

Only projects with monitoring data and without execution data are touched; the book is read and
validated whole before any file is written, and each file is written atomically.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Report, UsageError
from ..load.books import load_book_strict
from ..load.loader import Node, parse
from ..model.book import Project, format_amount
from ..model.monitoring import SOURCES, MonitorFunds, Round
from ..model.pace import initial, matched
from ..model.scoring import measure
from ..source.comments import attach, project_paths
from ..source.yamlout import dump_project, scalar
from ..writer import write_atomic


@dataclass
class Started:
    """One project whose 自评 was started: its file and how many figures it waits for."""

    file: Path
    actuals: int  # 实际完成值 (and 完成等级) left empty
    month: int


@dataclass
class StartResult:
    """The projects started, and those left alone (with why)."""

    started: list[Started] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)


def start_selfeval(folder: Path) -> StartResult:
    """Start the 自评 of every monitored project of the book in `folder` (see the module)."""
    book = load_book_strict(folder)
    if not book.monitored:
        raise UsageError(f"书 {folder} 中没有任何项目有监控数据（monitoring:），无从开始自评；"
                         "请直接按“自评”一章填写 execution:")
    result = StartResult()
    texts: dict[Path, str] = {}
    for _, _, project in book.numbered():
        if project.execution is not None:
            result.skipped.append((project.file, "已有自评数据（execution:），未改动"))
            continue
        if not project.monitoring:
            result.skipped.append((project.file, "没有监控数据，未改动"))
            continue
        path = folder / project.file
        text, waiting = _started(project, path.read_text(encoding="utf-8"))
        texts[path] = text
        result.started.append(Started(path, waiting, project.monitoring[-1].month))
    for path, text in texts.items():
        write_atomic(path, text.encode("utf-8"))
    return result


def _tree(text: str) -> Node:
    root = parse(text, "", Report())
    assert root is not None  # the book has just been loaded without errors
    return root


def _started(project: Project, old: str) -> tuple[str, int]:
    """The project file with its 自评 started, and how many indicator figures it waits for."""
    rnd = project.monitoring[-1]
    notes = attach(old, project_paths(_tree(old)))
    new = copy.deepcopy(project)
    rows, _ = matched(new, rnd)
    waiting = 0
    for l1 in new.indicators:
        for l2 in l1.groups:
            for i, ind in enumerate(l2.indicators, 1):
                item = f"{l1.name}.{l2.name}[{i}]"
                entry = next(e for a, b, x, e in rows if x is ind)
                if entry is not None:
                    said = f"{rnd.period}执行情况：{entry.done}"
                    if entry.expected:
                        said += f"；全年预计完成情况：{entry.expected}（{entry.likelihood}）"
                    notes[f"{item}.actual"] = _one_line(said)
                ind.actual = ""
                waiting += 1
                if measure(ind.value) is None and ind.grade is None and ind.score is None:
                    ind.grade = ""  # qualitative: 达成 | 部分达成 | 未达成, the author's call
    return dump_project(new, notes) + _execution(project, rnd), waiting


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _execution(project: Project, rnd: Round) -> str:
    """The execution block as far as the round knows it: budgets given, spending left empty."""
    lines = ["execution:",
             f"  # {_said(rnd, rnd.total)}",
             f"  initial: {format_amount(initial(project, rnd))}",
             f"  adjusted: {format_amount(rnd.total.adjusted)}",
             "  spent:"]
    for key in SOURCES:
        funds = rnd.sources.get(key)
        if funds is None:
            continue
        lines += [f"  {key}:", f"    # {_said(rnd, funds)}"]
        start = initial(project, rnd, key)
        if start is not None:
            lines.append(f"    initial: {format_amount(start)}")
        lines += [f"    adjusted: {format_amount(funds.adjusted)}", "    spent:"]
    lines.append("  results:")
    for text in rnd.progress:
        lines.append(f"    # {rnd.period}执行情况：{_one_line(text)}")
    lines.append(f"    - {scalar('')}")
    return "\n".join(lines) + "\n"


def _said(rnd: Round, funds: MonitorFunds) -> str:
    return (f"{rnd.period}监控：调整后预算数 {format_amount(funds.adjusted)}，{rnd.period}执行数 "
            f"{format_amount(funds.spent)}，全年预计执行数 {format_amount(funds.expected)}")
