"""Validation of a project's 绩效运行监控 data: its structure (`read`, on the node tree, as
`validate.check_project_node` reads the rest of the file) and the rules the budget systems
enforce (`check`, on the model, as `validate.check_project_rules` runs the others).

The structure is read through the checker of the project file (`validate.Checker`), which this
module knows only as the `Checks` it offers, so that `validate` can call it without an import
cycle. Every finding names its file, line and column.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from typing import Protocol

from .. import rules
from ..errors import Pos, Report
from ..model.book import Book, Project
from ..model.monitoring import CAUSES, CERTAIN, SOURCES, MonitorEntry, MonitorFunds, Round, period
from ..model.pace import initial, matched
from ..model.schema import MONITOR_ENTRY, MONITOR_FUNDS, MONITORING, Field
from ..model.scoring import EXACT
from ..rules import Rule
from .loader import Node

MONTH = re.compile(r"[0-9]{1,2}")


class Checks(Protocol):
    """What the project file's checker offers (`validate.Checker`)."""

    def find(self, pos: Pos, rule: Rule, where: str, message: str) -> None: ...
    def wrong_type(self, node: Node, where: str, expected: str) -> None: ...
    def mapping(self, node: Node, fields: tuple[Field, ...], where: str) -> dict[str, Node] | None: ...
    def text(self, node: Node | None, where: str, title: str, *, required: bool) -> str | None: ...
    def amount(self, node: Node | None, where: str, title: str, *,
               required: bool = False) -> Decimal | None: ...
    def choice(self, node: Node | None, field: Field, where: str) -> str | None: ...
    def text_list(self, node: Node | None, where: str, title: str) -> list[tuple[str, Pos]]: ...


def read(c: Checks, node: Node | None) -> list[Round]:
    """The monitoring rounds of a project file (those whose structure is sound), in order."""
    if node is None or node.is_null:
        return []
    if node.kind != "seq":
        c.wrong_type(node, "monitoring", "列表（每轮监控以“- ”开头）")
        return []
    rounds = []
    for i, item in enumerate(node.items, 1):
        rnd = _round(c, item, f"monitoring[{i}]")
        if rnd is not None:
            rounds.append(rnd)
    return rounds


def _round(c: Checks, node: Node, where: str) -> Round | None:
    found = c.mapping(node, MONITORING, where)
    if found is None:
        return None
    month = _month(c, found.get("month"), f"{where}.month")
    total = _funds(c, found, where)
    sources = {}
    for key in SOURCES:
        if key in found:
            sub = c.mapping(found[key], MONITOR_FUNDS, f"{where}.{key}")
            funds = _funds(c, sub, f"{where}.{key}") if sub is not None else None
            if funds is not None:
                sources[key] = funds
    progress = [t for t, _ in c.text_list(found.get("progress"), f"{where}.progress",
                                          "年度总体目标执行情况")]
    entries, partial = _entries(c, found.get("indicators"), f"{where}.indicators")
    analysis = c.text(found.get("analysis"), f"{where}.analysis", "偏差或不能完成目标原因分析",
                      required=True)
    measures = c.text(found.get("measures"), f"{where}.measures", "相关建议或举措", required=True)
    if month is None or total is None:
        return None
    return Round(month, total, sources, progress, entries, analysis or None, measures or None,
                 pos=node.pos, where={k: v.pos for k, v in found.items()}, partial=partial)


def _month(c: Checks, node: Node | None, where: str) -> int | None:
    if node is None:
        return None
    if node.kind != "scalar" or not MONTH.fullmatch(node.text.strip()):
        c.wrong_type(node, where, "月份（1–12 的整数，如 7 表示 1–7月）")
        return None
    month = int(node.text)
    if not 1 <= month <= 12:
        c.find(node.pos, rules.MONITOR_MONTH, where, f"监控月份应在 1 至 12 之间，实际为 {month}")
    return month


def _funds(c: Checks, found: dict[str, Node], where: str) -> MonitorFunds | None:
    initial = c.amount(found.get("initial"), f"{where}.initial", "年初预算数")
    adjusted = c.amount(found.get("adjusted"), f"{where}.adjusted", "调整后预算数", required=True)
    spent = c.amount(found.get("spent"), f"{where}.spent", "1–N月执行数", required=True)
    expected = c.amount(found.get("expected"), f"{where}.expected", "全年预计执行数", required=True)
    if adjusted is None or spent is None or expected is None:
        return None
    at: dict[str, Pos] = {k: found[k].pos for k in ("initial", "adjusted", "spent", "expected")
                          if k in found}
    return MonitorFunds(initial, adjusted, spent, expected, where=at)


def _entries(c: Checks, node: Node | None, where: str) -> tuple[list[MonitorEntry], bool]:
    """The entries that could be read, and whether any could not."""
    if node is None or node.is_null:
        return [], False
    if node.kind != "seq":
        c.wrong_type(node, where, "列表（每个指标以“- ”开头）")
        return [], True
    by = {f.key: f for f in MONITOR_ENTRY}
    out = []
    for i, item in enumerate(node.items, 1):
        at = f"{where}[{i}]"
        f = c.mapping(item, MONITOR_ENTRY, at)
        if f is None:
            continue
        name = c.text(f.get("name"), f"{at}.name", "三级指标", required=True)
        done = c.text(f.get("done"), f"{at}.done", "执行情况", required=True)
        expected = c.text(f.get("expected"), f"{at}.expected", "全年预计完成情况", required=True)
        likelihood = c.choice(f.get("likelihood"), by["likelihood"], f"{at}.likelihood")
        causes = _causes(c, f.get("causes"), by["causes"], f"{at}.causes")
        note = c.text(f.get("note"), f"{at}.note", "原因说明", required=True)
        if not name or done is None or likelihood is None or causes is None:
            continue
        out.append(MonitorEntry(name, done, likelihood, expected or None, causes, note or None,
                                pos=item.pos, where={k: v.pos for k, v in f.items()}))
    return out, len(out) < len(node.items)


def _causes(c: Checks, node: Node | None, field: Field, where: str) -> list[str] | None:
    """The 偏差原因 ticked (None when one is not a known cause: the entry is not read)."""
    if node is None or node.is_null:
        return []
    if node.kind != "seq":
        c.wrong_type(node, where, f"列表（{'、'.join(CAUSES)} 中的若干项，如 [经费保障, 其他]）")
        return None
    out: list[str] = []
    ok = True
    for i, item in enumerate(node.items, 1):
        cause = c.choice(item, field, f"{where}[{i}]")
        if cause is None:
            ok = False
        else:
            out.append(cause)
    return out if ok else None


# -- the rules ------------------------------------------------------------------------------

def check(project: Project, book: Book, report: Report, *, year_rules: bool) -> None:
    """The rules on a project's monitoring rounds (and on its 自评 spending against them)."""
    here = project.where.get("monitoring", project.pos or Pos("?"))
    now = datetime.now(UTC)
    last_month = 0
    for i, rnd in enumerate(project.monitoring, 1):
        where = f"monitoring[{i}]"
        at = rnd.where.get("month", rnd.pos or here)
        if not 1 <= rnd.month <= 12:  # said; the round's other figures are read with no period
            continue
        if rnd.month <= last_month:
            report.add(at, rules.MONITOR_MONTH,
                       f"{where}.month：第 {i} 轮的监控月份 {rnd.month} 不晚于上一轮的 {last_month}；"
                       "各轮按月份先后排列，同一月份只写一轮")
        last_month = max(last_month, rnd.month)
        if year_rules and (book.year, rnd.month) >= (now.year, now.month):
            report.add(at, rules.MONITOR_EARLY,
                       f"{where}.month：{book.year}年{rnd.month}月尚未结束，已填写 {period(rnd.month)}的"
                       "监控数据")
        _check_funds(project, rnd, where, report)
        _check_entries(project, rnd, where, report, last=i == len(project.monitoring))
    execution = project.execution
    if execution is not None and project.monitoring:
        last = project.monitoring[-1]
        if execution.total.spent < last.total.spent:
            report.add(execution.total.where.get("spent", execution.pos or here),
                       rules.SPENT_BELOW_MONITORED,
                       f"execution.spent：全年执行数 {execution.total.spent} 少于 {last.period}监控时"
                       f"已执行的 {last.total.spent}")


def _check_funds(project: Project, rnd: Round, where: str, report: Report) -> None:
    here = rnd.pos or Pos("?")
    for key, funds in [("", rnd.total), *rnd.sources.items()]:
        title = SOURCES.get(key, "年度资金总额")
        path = f"{where}{'.' + key if key else ''}"
        if funds.spent > funds.adjusted:
            report.add(funds.where.get("spent", here), rules.MONITOR_OVERSPENT,
                       f"{path}.spent：{title}的 {rnd.period}执行数 {funds.spent} 超过调整后预算数 "
                       f"{funds.adjusted}")
        if funds.expected < funds.spent:
            report.add(funds.where.get("expected", here), rules.MONITOR_EXPECTED,
                       f"{path}.expected：{title}的全年预计执行数 {funds.expected} 少于 {rnd.period}"
                       f"已执行的 {funds.spent}")
    if not rnd.sources:
        return
    for column, title in (("initial", "年初预算数"), ("adjusted", "调整后预算数"),
                          ("spent", f"{rnd.period}执行数"), ("expected", "全年预计执行数")):
        if column == "initial":  # as printed: given, else the budget block's
            parts = {key: initial(project, rnd, key) for key in SOURCES}
            total = initial(project, rnd)
            if all(v is None for v in parts.values()):
                continue
        else:
            parts = {key: getattr(rnd.sources[key], column) if key in rnd.sources else None
                     for key in SOURCES}
            total = getattr(rnd.total, column)
        with localcontext(EXACT):
            added = sum((v for v in parts.values() if v is not None), Decimal(0))
        if added != total:
            terms = " + ".join(f"{SOURCES[key]} {'0' if v is None else v}" for key, v in parts.items())
            report.add(rnd.total.where.get(column, here), rules.MONITOR_SUM,
                       f"{where}.{column}：年度资金总额的{' ' * title[0].isdigit()}{title} {total} "
                       f"不等于 {terms} = {added}")


def _check_entries(project: Project, rnd: Round, where: str, report: Report, *, last: bool) -> None:
    here = rnd.pos or Pos("?")
    rows, unknown = matched(project, rnd)
    names = [ind.name for _, _, ind in project.rows()]
    index = {id(e): i for i, e in enumerate(rnd.entries, 1)}
    for entry in unknown:
        hint = _close(entry.name, names)
        report.add(entry.where.get("name", entry.pos or here), rules.MONITOR_UNKNOWN,
                   f"{where}.indicators[{index[id(entry)]}].name：“{entry.name}”不是本项目的三级指标"
                   f"{hint}")
    if last and not rnd.partial:
        for l1, l2, ind, found in rows:
            if found is None:
                report.add(rnd.where.get("indicators", here), rules.MONITOR_MISSING,
                           f"{where}.indicators：没有三级指标“{ind.name}”（{l1.name} / {l2.name}）的 "
                           f"{rnd.period}执行情况")
    doubtful = []
    for entry in rnd.entries:
        at = f"{where}.indicators[{index[id(entry)]}]"
        pos = entry.pos or here
        if entry.likelihood != CERTAIN:
            doubtful.append(entry)
            missing = [title for ok, title in ((entry.expected, "全年预计完成情况（expected）"),
                                               (entry.causes, "至少一项偏差原因（causes）"),
                                               (entry.note, "原因说明（note）")) if not ok]
            if missing:
                report.add(pos, rules.MONITOR_LIKELIHOOD,
                           f"{at}：完成目标可能性为“{entry.likelihood}”，需要填写{'、'.join(missing)}")
                continue
        if entry.causes and not entry.note:
            report.add(entry.where.get("causes", pos), rules.MONITOR_NOTE,
                       f"{at}.causes：勾选了偏差原因“{'、'.join(entry.causes)}”，需要填写原因说明（note）")
    if doubtful:
        missing = [title for ok, title in ((rnd.analysis, "偏差或不能完成目标原因分析（analysis）"),
                                           (rnd.measures, "相关建议或举措（measures）")) if not ok]
        if missing:
            names_shown = "、".join(f"“{e.name}”" for e in doubtful)
            report.add(rnd.pos or here, rules.MONITOR_LIKELIHOOD,
                       f"{where}：指标{names_shown}不能确定完成目标，本轮需要填写{'、'.join(missing)}")


def _close(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return f"，是否想写“{close[0]}”？" if close else f"（本项目的三级指标：{'、'.join(names)}）"
