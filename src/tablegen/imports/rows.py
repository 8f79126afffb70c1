"""Rows of cell texts (official layout) → the model: one mapping for every source format.

Every reader (`read_dump`, `read_docx`, `read_xlsx`) produces `Section`s — a heading and rows of
cell texts, a vertically merged continuation cell empty — and `rows_to_project` maps each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import rules
from ..errors import Pos, Report
from ..model.book import MONEY_UNITS, Agency, Budget, Indicator, Level1, Level2, Project

GOAL_NUMBER = re.compile(r"^\s*\d+\s*[.．、]\s*")
AGENCY = re.compile(r"^\s*(\d+)\s*(.*?)\s*$")
UNIT = re.compile(r"^\s*单位\s*[:：]\s*(\S+)\s*$")
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]


def squash(label: str) -> str:
    """A label without layout spaces (`其中：财政    资金` → `其中：财政资金`)."""
    return re.sub(r"\s+", "", label)


@dataclass
class Section:
    """One table of a source: its heading and its rows of cell texts."""

    heading: str
    line: int
    rows: list[list[str]] = field(default_factory=list)
    label: str = ""  # how messages name it: 表“…”（第 2 张表）, 工作表“…”
    numbers: list[int] | None = None  # each row's number as its reader sees it


@dataclass
class GridRow:
    """One row of an indicator grid: its cells and how messages name it."""

    cells: list[str]
    name: str  # 表“…”（第 2 张表）第 9 行, 工作表“表1”第 8 行, 指标表第 3 行


@dataclass
class Imported:
    """One project read from a source, with where it came from and what to note."""

    agency: Agency
    money_unit: str
    merge: str
    project: Project
    comments: dict[str, str] = field(default_factory=dict)
    source: Pos = field(default_factory=lambda: Pos(""))  # the table it came from
    label: str = ""  # how messages name that table


AMOUNT = re.compile(r"^\d+(\.\d+)?$")
BUDGET_CELLS = (("预算数", "total"), ("其中：财政资金", "fiscal"), ("其他资金", "other"))


def read_budget(cells: dict[str, str], pos: Pos, named: str, report: Report) -> Budget | None:
    """The three amounts of the budget row, or None with an error naming each bad cell: a text
    that is no amount, a missing 预算数, more than two decimals (never rounded silently)."""
    amounts: dict[str, Decimal | None] = {}
    ok = True
    for label, key in BUDGET_CELLS:
        raw = cells.get(label)
        text = (raw or "").strip().replace(",", "").replace("，", "")
        if not text:
            amounts[key] = None
            if key == "total":
                where = "单元格为空" if raw is not None else "单元格不存在"
                report.add(pos, rules.IMPORT_AMOUNT, f"{named}“预算数”{where}；请在源文件中填写金额")
                ok = False
            continue
        if not AMOUNT.match(text):
            report.add(pos, rules.IMPORT_AMOUNT,
                         f"{named}“{label}”单元格应为金额（如 40.00），实际为“{raw}”")
            ok = False
            continue
        value = Decimal(text)
        if -value.as_tuple().exponent > 2:  # type: ignore[operator]
            report.add(pos, rules.IMPORT_AMOUNT,
                         f"{named}“{label}”为 {text}，超过两位小数；请在源文件中修正（不会自动舍入）")
            ok = False
            continue
        amounts[key] = value
    if not ok or amounts["total"] is None:
        return None
    return Budget(amounts["total"], amounts["fiscal"], amounts["other"])


def _agency_row(rows: list[list[str]]) -> list[str] | None:
    return next((r for r in rows if len(r) >= 1 and AGENCY.match(r[0]) and
                 any(UNIT.search(c) for c in r)), None)


def is_target(rows: list[list[str]]) -> bool:
    """Whether rows are a 项目支出绩效目标表: an agency line, 项目名称 and the budget block."""
    labels = {squash(r[0]) for r in rows if r and any(c.strip() for c in r)}
    return _agency_row(rows) is not None and {"项目名称", "预算规模及资金用途"} <= labels


def _grid_rows(section: Section, kept: list[int], start: int) -> list[GridRow]:
    """The rows after the grid's header, each named as the section's reader counts rows."""
    out = []
    for n, index in enumerate(kept[start:], 1):
        if section.numbers is not None:
            name = f"{section.label}第 {section.numbers[index]} 行"
        else:
            name = f"{section.label}：指标表第 {n} 行" if section.label else f"指标表第 {n} 行"
        out.append(GridRow(section.rows[index], name))
    return out


def rows_to_project(section: Section, where: str, report: Report) -> Imported | None:
    """Map one section's rows (official layout) onto the model."""
    kept = [i for i, r in enumerate(section.rows) if any(c.strip() for c in r)]
    rows = [section.rows[i] for i in kept]
    pos = Pos(where, section.line)
    named = f"{section.label}：" if section.label else ""
    labels = {squash(r[0]): r for r in rows if r}
    agency_row = _agency_row(rows)
    if agency_row is None or not is_target(rows):
        report.add(pos, rules.IMPORT_SKIPPED, f"{named}这不是项目支出绩效目标表，已跳过")
        return None
    m = AGENCY.match(agency_row[0])
    unit_m = next(filter(None, (UNIT.search(c) for c in reversed(agency_row))), None)
    if m is None or unit_m is None:  # pragma: no cover - agency_row was chosen by both patterns
        return None
    agency = Agency(m.group(1), m.group(2))
    unit = unit_m.group(1)
    if unit not in MONEY_UNITS:
        report.add(pos, rules.IMPORT_UNIT, f"{named}无法识别的金额单位“{unit}”（可用：元、千元、万元）")
        return None
    name = labels["项目名称"][1]
    budget_row = [squash(c) if i % 2 == 1 else c for i, c in enumerate(labels["预算规模及资金用途"])]
    cells = dict(zip(budget_row[1::2], budget_row[2::2], strict=False))
    budget = read_budget(cells, pos, named, report)
    if budget is None:
        return None
    index = rows.index(labels["预算规模及资金用途"])
    usage_row = rows[index + 1] if index + 1 < len(rows) else []
    usage = usage_row[-1] if len(usage_row) >= 2 and squash(usage_row[0]) == "" else ""
    goals_cell = labels.get("绩效目标", ["", ""])[1]
    goals = split_goals(goals_cell)
    header_at = next((i for i, r in enumerate(rows) if [squash(c) for c in r[:5]] == HEADER), None)
    if header_at is None:
        report.add(pos, rules.IMPORT_GRID, f"{named}找不到指标表的表头（一级指标 | 二级指标 | …）")
        return None
    indicators, merge = grid_to_indicators(_grid_rows(section, kept, header_at + 1), pos, report)
    project = Project(name=name, budget=budget, usage=usage, goals=goals, indicators=indicators)
    comments: dict[str, str] = {}
    expected_tail = f"{name}绩效目标表"
    if not section.heading.strip():
        comments[""] = "源文件中此表的标题为空；标题按项目名称生成。"
    elif not section.heading.endswith(expected_tail):
        comments[""] = f"源文件中此表的标题为：{section.heading}"
    repair(project, comments)
    return Imported(agency, unit, merge, project, comments, pos, section.label)


def split_goals(cell: str) -> list[str]:
    """Goals numbered `1.` `2.` inside one cell, one per line or run together, without numbers."""
    text = cell.strip("\n")
    parts = re.split(r"\n|(?<=[。；;])\s*(?=\d+\s*[.．、])", text)
    goals = [GOAL_NUMBER.sub("", p, count=1) for p in parts if p.strip()]
    return goals


def grid_to_indicators(rows: list[GridRow], pos: Pos,
                       report: Report) -> tuple[list[Level1], str]:
    """Indicator rows (merged cells empty) into groups; also which merge style the source used."""
    out: list[Level1] = []
    merged1 = merged2 = False
    for row in rows:
        r = row.cells
        if len(r) > 5 and any(c.strip() for c in r[5:]):
            report.add(pos, rules.IMPORT_CELLS,
                           f"{row.name}多出 {len(r) - 5} 个单元格，已忽略：{r[5:]}")
        if 0 < len(r) < 5 and any(c.strip() for c in r):
            report.add(pos, rules.IMPORT_CELLS,
                           f"{row.name}只有 {len(r)} 个单元格，缺少的按空白处理：{r}")
        r = (r + [""] * 5)[:5]
        l1, l2, name, desc, value = r
        l1, l2 = squash(l1), squash(l2)  # a label may print on two lines (生态环境成本/指标)
        if not any(c.strip() for c in r):
            continue
        empty = [f"第 {i + 1} 列（{HEADER[i]}）" for i in (2, 4) if not r[i].strip()]
        if [squash(c) for c in r] != HEADER and empty:
            report.add(pos, rules.IMPORT_CELLS, f"{row.name}{'、'.join(empty)}为空：{r}")
        if [squash(c) for c in r] == HEADER:
            continue  # a grid split by a page break repeats its header
        if not l1.strip():
            merged1 = merged1 or bool(out)
            l1 = out[-1].name if out else ""
        if not l2.strip():
            if out and out[-1].name == l1 and out[-1].groups:
                merged2 = True
                l2 = out[-1].groups[-1].name
        if not out or out[-1].name != l1:
            if any(g.name == l1 for g in out):
                report.add(pos, rules.IMPORT_ORDER,
                               f"一级指标“{l1}”不连续出现，已并入前面的同名分组")
                target = next(g for g in out if g.name == l1)
                out.remove(target)
                out.append(target)
            else:
                out.append(Level1(l1))
        level1 = out[-1]
        if not level1.groups or level1.groups[-1].name != l2:
            existing = next((g for g in level1.groups if g.name == l2), None)
            if existing is not None:
                report.add(pos, rules.IMPORT_ORDER,
                               f"二级指标“{l2}”不连续出现，已并入前面的同名分组")
                level1.groups.remove(existing)
                level1.groups.append(existing)
            else:
                level1.groups.append(Level2(l2))
        level1.groups[-1].indicators.append(
            Indicator(name=name, value=value, description=None if desc == name else desc))
    merge = "level1+level2" if merged2 else "level1" if merged1 else "none"
    return out, merge


def repair(project: Project, comments: dict[str, str]) -> None:
    """Mend `？` damage where the project's own text shows what was meant."""
    context = "\n".join([project.name, project.usage, *project.goals])
    for l1 in project.indicators:
        for l2 in l1.groups:
            for i, ind in enumerate(l2.indicators, 1):
                fixed = {k: _mend(getattr(ind, k), context) for k in ("name", "description")}
                notes = [f"{k} 源文件为“{getattr(ind, k)}”" for k, v in fixed.items()
                         if v != getattr(ind, k)]
                if notes:
                    ind.name = fixed["name"] or ind.name
                    if ind.description is not None:
                        ind.description = fixed["description"]
                    note = "；".join(notes) + "（“？”为编码损坏，按项目名称修复）"
                    comments[f"{l1.name}.{l2.name}[{i}]"] = note


def _mend(text: str | None, context: str) -> str | None:
    if not text or "？" not in text:
        return text

    def fix(m: re.Match[str]) -> str:
        before, after = m.group(1), m.group(2)
        found = re.search(re.escape(before) + r"(.)" + re.escape(after), context)
        return before + found.group(1) + after if found else m.group(0)

    return re.sub(r"(\w{2,})？(\w{2,})", fix, text)


@dataclass
class BookInfo:
    """What a source says about its book besides the tables (all optional)."""

    title: str | None = None
    author: str | None = None
    year: int | None = None
