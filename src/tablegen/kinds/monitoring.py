"""The 项目支出绩效运行监控表: one table per monitored project, from its last monitoring round.

Its typed view-model (`Monitor`, with `MonitorFundRow` and `MonitorRow`) is built once from the
book; the templates are `templates/monitoring/` (`monitoring.html.j2`, `monitoring.css`,
`monitoring.docx`). The table prints what the project reports, never the pace warnings of
`tablegen.model.pace`: those are for the overview (and `tablegen serve`), which this module's
`overview` hands them to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ..document import (
    Cell,
    Document,
    Group,
    Page,
    Sheet,
    SheetGrid,
    Span,
    file_path,
    indicator_spans,
    numbered,
    retitled,
)
from ..model.book import Agency, Book, Project, format_amount
from ..model.monitoring import CAUSES, LIKELIHOODS, SOURCES, TICK, MonitorFunds, Round
from ..model.pace import initial, matched, pace_of, scheme_of, shown
from ..model.scoring import percent

NAME = "monitoring"
FUNDS_HEADER = ("项目资金（{unit}）", "年初预算数", "调整后预算数", "{period}执行数", "{period}执行率",
                "全年预计执行数")
GOALS_HEADER = ("年度总体目标", "全年预期目标", "{period}执行情况")
GRID_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "{period}执行情况", "全年预计完成情况",
               "偏差原因分析", "完成目标可能性", "原因说明")
CLOSING = ("偏差或不能完成目标原因分析", "相关建议或举措")
TOTAL = "年度资金总额"
# The sheet's columns A–O in Excel's character units: the grid's 15 columns (5 偏差原因 and 3
# 完成目标可能性 tick columns); the parts above the grid merge the columns they span.
SHEET_WIDTHS = [9.0, 11, 16, 11, 13, 12, 6, 6, 6, 7, 6, 6, 6, 7, 22]
# Where the parts above the grid sit, as (first, last) sheet columns.
FUND_COLUMNS = ((2, 3), (4, 5), (6, 7), (8, 10), (11, 12), (13, 15))
GOAL_COLUMNS = ((2, 6), (7, 15))


@dataclass(frozen=True)
class MonitorFundRow:
    """One row of 项目资金: 年度资金总额 or one of its 其中 rows."""

    label: str
    initial: str
    adjusted: str
    spent: str
    rate: str
    expected: str

    def texts(self) -> list[str]:
        return [self.label, self.initial, self.adjusted, self.spent, self.rate, self.expected]


@dataclass(frozen=True)
class MonitorRow:
    """One indicator row of the 监控表: its figures, the 偏差原因 and 可能性 ticks, the note."""

    level1: Span
    level2: Span
    name: str
    value: str  # 年度指标值
    done: str  # 1–N月执行情况
    expected: str  # 全年预计完成情况
    causes: tuple[str, ...]  # a tick (√) or "" per CAUSES
    likelihood: tuple[str, ...]  # a tick or "" per LIKELIHOODS
    note: str  # 原因说明

    def texts(self) -> list[str]:
        return [self.level1.text if self.level1.starts else "",
                self.level2.text if self.level2.starts else "",
                self.name, self.value, self.done, self.expected, *self.causes, *self.likelihood,
                self.note]


@dataclass(frozen=True)
class Monitor:
    """One project's 绩效运行监控表, every cell as printed."""

    number: int
    heading: str
    name: str
    department: str  # 主管部门
    agency: str  # 实施单位
    when: str  # 监控期间：2024年1–7月
    unit: str  # 单位：万元
    money: str  # 万元
    period: str  # 1–7月
    funds: tuple[MonitorFundRow, ...]
    goals: tuple[str, ...]
    progress: tuple[str, ...]
    rows: tuple[MonitorRow, ...]
    analysis: str
    measures: str
    causes: tuple[str, ...] = CAUSES  # the tick columns' labels
    likelihoods: tuple[str, ...] = LIKELIHOODS

    @property
    def anchor(self) -> str:
        return f"m{self.number}"

    @property
    def bookmark(self) -> str:
        """A hidden bookmark per 监控表 (its own document: no clash with the other kinds')."""
        return f"_Toc8{self.number:08d}"

    def with_rows(self, rows: list[Any]) -> Monitor:
        return replace(self, rows=tuple(rows))


def _rate(funds: MonitorFunds | None) -> str:
    rate = funds.rate if funds is not None else None
    return "" if rate is None else percent(rate)


def _fund_rows(project: Project, rnd: Round) -> list[MonitorFundRow]:
    rows = [MonitorFundRow(TOTAL, format_amount(initial(project, rnd)),
                           format_amount(rnd.total.adjusted), format_amount(rnd.total.spent),
                           _rate(rnd.total), format_amount(rnd.total.expected))]
    for key, label in SOURCES.items():
        funds = rnd.sources.get(key)
        rows.append(MonitorFundRow(
            ("其中：" if key == "fiscal" else "") + label, format_amount(initial(project, rnd, key)),
            format_amount(funds.adjusted) if funds else "", format_amount(funds.spent) if funds else "",
            _rate(funds), format_amount(funds.expected) if funds else ""))
    return rows


def monitor(book: Book, number: int, agency: Agency, project: Project) -> Monitor | None:
    """One project's 监控表 from its last round, None when the project is not monitored."""
    if not project.monitoring:
        return None
    rnd = project.monitoring[-1]
    rows = []
    matched_rows, _ = matched(project, rnd)
    spans = indicator_spans(project.indicators, book.merge)
    for (s1, s2), (_, _, ind, entry) in zip(spans, matched_rows, strict=True):
        if entry is None:
            rows.append(MonitorRow(s1, s2, ind.name, ind.value, "", "", ("",) * len(CAUSES),
                                   ("",) * len(LIKELIHOODS), ""))
            continue
        rows.append(MonitorRow(
            s1, s2, ind.name, ind.value, entry.done, entry.expected or "",
            tuple(TICK if c in entry.causes else "" for c in CAUSES),
            tuple(TICK if c == entry.likelihood else "" for c in LIKELIHOODS), entry.note or ""))
    return Monitor(
        number=number, heading=f"{number}.{project.name}绩效运行监控表", name=project.name,
        department=book.author, agency=agency.name, when=f"监控期间：{book.year}年{rnd.period}",
        unit=f"单位：{book.money_unit}", money=book.money_unit, period=rnd.period,
        funds=tuple(_fund_rows(project, rnd)), goals=numbered(project.goals),
        progress=numbered(rnd.progress), rows=tuple(rows), analysis=rnd.analysis or "",
        measures=rnd.measures or "")


def monitors(book: Book) -> list[Monitor]:
    """Every monitored project's 监控表, numbered 1, 2, … in book order."""
    out: list[Monitor] = []
    for _, agency, project in book.numbered():
        table = monitor(book, len(out) + 1, agency, project)
        if table is not None:
            out.append(table)
    return out


def title(book: Book) -> str:
    """The 监控 document's title: the book's, with 目标表 turned into 运行监控表."""
    return retitled(book.title, "绩效目标表", "绩效运行监控表", "绩效运行监控")


def header(texts: tuple[str, ...], t: Monitor) -> list[str]:
    return [h.format(unit=t.money, period=t.period) for h in texts]


def table_rows(t: Monitor) -> list[list[str]]:
    """Every cell of one 监控表 as text rows (for dumps and tests), in print order: a cell over
    several columns is one cell, a cell that one above covers (rowspan) is an empty one."""
    funds = header(FUNDS_HEADER, t)
    out = [["项目名称", t.name], ["主管部门", t.department, "实施单位", t.agency],
           [funds[0], "", *funds[1:]]]
    out += [["", *f.texts()] for f in t.funds]
    out.append(header(GOALS_HEADER, t))
    out.append(["", "\n".join(t.goals), "\n".join(t.progress)])
    out.append(header(GRID_HEADER, t))
    out.append(["", "", "", "", "", "", *t.causes, *t.likelihoods, ""])
    out += [r.texts() for r in t.rows]
    out += [[CLOSING[0], t.analysis], [CLOSING[1], t.measures]]
    return out


def file_name(book: Book, ext: str) -> str:
    """`<book>/<the 监控 document's title>.<ext>`."""
    return file_path(book.key, title(book), ext)


# -- the sheet --------------------------------------------------------------------------------

_PERCENT_OR_NUMBER = re.compile(r"\d+(\.\d+)?%?")


def _figure(row: int, columns: tuple[int, int], text: str) -> Cell:
    """An amount as a number shown `0.00`, a 执行率 as a percentage shown `0.00%`; blanks text."""
    if not _PERCENT_OR_NUMBER.fullmatch(text):
        return Cell(row, columns, text)
    if text.endswith("%"):
        return Cell(row, columns, Decimal(text[:-1]).scaleb(-2), number_format="0.00%")
    return Cell(row, columns, Decimal(text), number_format="0.00")


def _span_px(first: int, last: int) -> float:
    return sum(w * 7 + 5 for w in SHEET_WIDTHS[first - 1:last])


def _place_row(r: int, row: MonitorRow) -> list[Cell]:
    cells = []
    if row.level1.starts:
        cells.append(Cell(r, (1, 1), row.level1.label, rows=row.level1.rows))
    if row.level2.starts:
        cells.append(Cell(r, (2, 2), row.level2.label, rows=row.level2.rows))
    texts = [row.name, row.value, row.done, row.expected, *row.causes, *row.likelihood]
    cells += [Cell(r, (c, c), text) for c, text in enumerate(texts, 3)]
    cells.append(Cell(r, (15, 15), row.note, align="left"))
    return cells


def monitor_sheet(t: Monitor) -> Sheet:
    """One 监控表: merged cells, borders, widths, A4 landscape print setup; figures as numbers."""
    last = len(SHEET_WIDTHS)
    cells = [
        Cell(1, (1, last), t.heading, style="title", size=14.0),
        Cell(2, (1, 6), t.when, align="left"), Cell(2, (13, last), t.unit, align="right"),
        Cell(3, (1, 1), "项目名称", style="label"), Cell(3, (2, last), t.name),
        Cell(4, (1, 1), "主管部门", style="label"), Cell(4, (2, 6), t.department),
        Cell(4, (7, 10), "实施单位", style="label"), Cell(4, (11, last), t.agency),
    ]
    head = header(FUNDS_HEADER, t)
    cells.append(Cell(5, (1, 1), head[0], rows=len(t.funds) + 1, style="label"))
    cells.append(Cell(5, FUND_COLUMNS[0], "", style="label"))
    cells += [Cell(5, cols, text, style="label") for cols, text in zip(FUND_COLUMNS[1:], head[1:],
                                                                        strict=True)]
    for r, fund in enumerate(t.funds, 6):
        cells.append(Cell(r, FUND_COLUMNS[0], fund.label, style="label"))
        cells += [_figure(r, cols, text) for cols, text in zip(FUND_COLUMNS[1:], fund.texts()[1:],
                                                               strict=True)]
    g = 6 + len(t.funds)
    goals = header(GOALS_HEADER, t)
    cells += [
        Cell(g, (1, 1), goals[0], rows=2, style="label"),
        Cell(g, GOAL_COLUMNS[0], goals[1], style="label"),
        Cell(g, GOAL_COLUMNS[1], goals[2], style="label"),
        Cell(g + 1, GOAL_COLUMNS[0], "\n".join(t.goals), align="left"),
        Cell(g + 1, GOAL_COLUMNS[1], "\n".join(t.progress), align="left"),
    ]
    h = g + 2
    grid = header(GRID_HEADER, t)
    cells += [Cell(h, (c, c), text, rows=2, style="label") for c, text in enumerate(grid[:6], 1)]
    cells += [Cell(h, (7, 11), grid[6], style="label"), Cell(h, (12, 14), grid[7], style="label"),
              Cell(h, (15, 15), grid[8], rows=2, style="label")]
    cells += [Cell(h + 1, (c, c), text, style="label")
              for c, text in enumerate([*t.causes, *t.likelihoods], 7)]
    end = h + 2 + len(t.rows)
    for r, (label, text) in enumerate(zip(CLOSING, (t.analysis, t.measures), strict=True), end):
        cells += [Cell(r, (1, 3), label, style="label"), Cell(r, (4, last), text, align="left")]
    name = (f"{t.number:02d}-" + re.sub(r"[\[\]:*?/\\]", "_", t.name))[:31]
    return Sheet(title=name, widths=list(SHEET_WIDTHS), cells=cells, boxes=[(3, end + 1)],
                 grid=SheetGrid(first=h + 2, header=h + 1, rows=t.rows, place=_place_row),
                 print_titles=f"{h}:{h + 1}", orientation="landscape", span_px=_span_px)


class MonitorDocument(Document):
    """A book's 监控表: cover, 目录, one 监控表 per monitored project."""

    def __init__(self, book: Book):
        super().__init__(
            kind=NAME, template="monitoring", key=book.key, title=title(book),
            subtitle=f"{book.year}年 · 单位：{book.money_unit}", author=book.author,
            timestamp=book.timestamp, groups=[Group("", list(monitors(book)))],
            files={fmt: file_name(book, fmt) for fmt in ("html", "pdf", "docx", "xlsx")},
            page=Page("A4 landscape", "20mm 18mm 20mm 18mm", "12pt"), toc_groups=False,
            label=f"{book.key} 监控表")

    def row_texts(self, t: Any) -> list[str]:
        return [r.name + r.value + r.done for r in t.rows]

    def sheet(self, t: Any) -> Sheet:
        return monitor_sheet(t)


def overview(book: Book) -> dict[str, Any]:
    """The overview's part: each monitored project's 执行率, target completion and warnings
    under the book's pace scheme (never printed in the 监控表 itself)."""
    scheme = scheme_of(book)
    out = []
    for t, project in zip(monitors(book), [p for p in book.projects if p.monitoring], strict=True):
        pace = pace_of(project, book)
        assert pace is not None
        out.append({"heading": t.heading, "period": f"{book.year}年{pace.period}",
                    "rate": shown(pace.rate) if pace.rate is not None else "—",
                    "completion": shown(pace.completion) if pace.completion is not None else "—",
                    "warnings": list(pace.warnings)})
    return {"monitoring": out, "pace": scheme.title if scheme else ""}


def links(book: Book, formats: list[str]) -> list[dict[str, str]]:
    """The overview's links to the 监控表 files of a book with monitoring data."""
    if not applies(book):
        return []
    return [{"href": file_name(book, fmt), "label": f"监控 {fmt.upper()}"}
            for fmt in ("docx", "html", "pdf", "xlsx") if fmt in formats]


def applies(book: Book) -> bool:
    """A book with monitoring data has its 监控表."""
    return book.monitored


def document(book: Book) -> MonitorDocument:
    return MonitorDocument(book)
