"""The official table as a grid of cells, shared by every renderer.

A renderer maps these cells onto its format; it never decides what goes where itself, so the
DOCX, HTML, PDF and XLSX tables agree cell for cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from .model import Book, Project, format_amount, safe_stem

GRID_HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值")
BUDGET_COLUMNS = 7  # 预算规模及资金用途 | 预算数 | total | 财政资金 | fiscal | 其他资金 | other

# Column widths in thousandths of the table's width (156 mm, 42 characters of 10.5 pt): the one
# source for the PDF and HTML (<col> widths), the DOCX (grid and cell widths) and the XLSX
# (its columns are the union of both tables' edges). Chosen from the seed tables' content, less
# the cells' margins (0.8 character in the DOCX): 一级 holds 满意度指标 (5 characters); 二级
# holds 7, so 可持续影响指标 stays on one line and 服务对象满意度指标 breaks as 服务对象满意度/指标;
# 指标值 holds 时效 dates such as `2027年10月31日前` (8.3 characters wide, 9 where Word and
# LibreOffice set digits apart from Chinese); 预算规模及资金用途 breaks as 预算规模及/资金用途;
# 其中：财政资金 and 其他资金 stay whole; amounts of 10 digits stay on one line.
# tests/test_pages.py measures all this on the PDF's pages and on LibreOffice's.
BUDGET_WIDTHS = (140, 95, 152, 190, 152, 120, 151)
GRID_WIDTHS = (140, 190, 205, 225, 240)
# Characters a 一级 / 二级 cell holds on one line with the widths above.
LABEL_CHARS = (5, 7)


@dataclass(frozen=True)
class Span:
    """A grid cell: its text and how many rows it covers (0: covered by the cell above)."""

    text: str
    rows: int = 1

    @property
    def starts(self) -> bool:
        return self.rows > 0


@dataclass(frozen=True)
class GridRow:
    """One indicator row: 一级 and 二级 as spans, then 三级, 描述 and 指标值."""

    level1: Span
    level2: Span
    name: str
    description: str
    value: str

    def texts(self) -> list[str]:
        """The five cell texts as a dump shows them (a covered cell is empty)."""
        return [
            self.level1.text if self.level1.starts else "",
            self.level2.text if self.level2.starts else "",
            self.name,
            self.description,
            self.value,
        ]


def grid(project: Project, merge: str) -> list[GridRow]:
    """The indicator rows with 一级/二级 spans as the book's `merge` setting asks."""
    rows: list[GridRow] = []
    for l1 in project.indicators:
        n1 = sum(len(g.indicators) for g in l1.groups)
        first1 = True
        for l2 in l1.groups:
            n2 = len(l2.indicators)
            for i, ind in enumerate(l2.indicators):
                if merge == "none":
                    s1, s2 = Span(l1.name), Span(l2.name)
                else:
                    s1 = Span(l1.name, n1 if first1 else 0)
                    if merge == "level1+level2":
                        s2 = Span(l2.name, n2 if i == 0 else 0)
                    else:
                        s2 = Span(l2.name)
                first1 = False
                rows.append(GridRow(s1, s2, ind.name, ind.shown_description, ind.value))
    return rows


def text_width(text: str) -> float:
    """A line's width in characters of its font size: Chinese 1, Latin letters and digits 0.55."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in text)


# Where a cover title may break, best first: before the year, before 项目支出…, after a name.
TITLE_BREAKS = (re.compile(r"(?=(?:19|20)\d\d年)"), re.compile(r"(?=项目支出)"),
                re.compile(r"(?<=[局厅委办院会心])"))
TITLE_CHARS = 19  # 22 pt characters on the 156 mm line, less one for fonts that set wider


def title_lines(title: str, chars: float = TITLE_CHARS) -> list[str]:
    """The cover title on one line, or on two balanced lines broken at a natural point
    (`天津市知识产权局` / `2024年项目支出绩效目标表`) rather than leaving `表` alone."""
    if text_width(title) <= chars:
        return [title]
    def balance(cut: int) -> float:
        return abs(text_width(title[:cut]) - text_width(title[cut:]))

    for pattern in TITLE_BREAKS:
        fits = [m.start() for m in pattern.finditer(title) if 0 < m.start() < len(title)
                and max(text_width(title[:m.start()]), text_width(title[m.start():])) <= chars]
        if fits:
            cut = min(fits, key=balance)
            return [title[:cut], title[cut:]]
    cut = min(range(1, len(title)), key=balance)  # the middle: neither line is a stub
    return [title[:cut], title[cut:]]


# A table heading (16 pt, the PDF's h2 and the DOCX's Heading 1) on the 156 mm line: 27.6
# characters, less one for fonts that set wider, less half for the line's own slack.
HEADING_CHARS = 26
# Where a heading line may end, by how much it costs (in characters squared, as the balance):
# nothing before a bracket, after a closing one or a dash, or before the closing 绩效目标表; a
# little after 年 of a year or a joining word, or before a word that starts a term; anywhere
# else much more, so that a word is cut only when nothing else balances.
_FREE = re.compile(r"(?=[（(《「“])|(?<=[）)》」”、，—-])|(?=绩效(?:目标|自评)表$)")
_CHEAP = re.compile(r"(?<=\d年)|(?<=[的和与及之等])|(?=(?:项目|工作|经费|专项|资金|建设|运维|运行|维护|"
                    r"保护|服务|发展|管理|中心|系统|信息化|知识产权|专利|考试|资格|编修)(?!$))")
_NEVER = re.compile(r"(?<=[0-9A-Za-z.\[\]])(?=[0-9A-Za-z.\[\]])"  # inside a number or a word
                    r"|(?=[）)》」”、，。：；！？%％])|(?<=[（(《「“])")  # a sign away from its word
_CHEAP_COST, _ANY_COST, _INSIDE_COST = 2.0, 12.0, 40.0


def heading_lines(heading: str, chars: float = HEADING_CHARS) -> list[str]:
    """A heading on as few lines as it takes, balanced, each line ending where a reader would
    break it: `…保护发展工作经费` / `绩效目标表`-like lines rather than `…绩效目` / `标表` or a
    lone `表` (the PDF and the DOCX both print these lines)."""
    total = text_width(heading)
    if total <= chars:
        return [heading]
    never = {m.start() for m in _NEVER.finditer(heading)}
    cost = {i: _ANY_COST for i in range(1, len(heading)) if i not in never}
    for pattern, price in ((_CHEAP, _CHEAP_COST), (_FREE, 0.0)):
        for m in pattern.finditer(heading):
            if m.start() in cost:
                cost[m.start()] = price
    depth = 0
    for i, ch in enumerate(heading):  # a bracket's words stay on one line unless nothing fits
        depth += (ch in "（(") - (ch in "）)")
        if depth > 0 and i + 1 in cost:
            cost[i + 1] += _INSIDE_COST
    for lines in range(math.ceil(total / chars), len(heading) + 1):
        cuts = _balanced(heading, lines, total / lines, chars, cost)
        if cuts is not None:
            edges = [0, *cuts, len(heading)]
            return [heading[a:b] for a, b in zip(edges, edges[1:], strict=False)]
    return [heading]  # pragma: no cover - one character a line always fits


def _balanced(text: str, lines: int, target: float, chars: float,
              cost: dict[int, float]) -> list[int] | None:
    """The cut positions that give `lines` lines of at most `chars` at the least cost: each
    line's distance from the target width squared, plus each cut's own cost."""
    ends = [0, *sorted(cost), len(text)]
    best: dict[tuple[int, int], tuple[float, list[int]]] = {(0, 0): (0.0, [])}
    for line in range(1, lines + 1):
        for end in ends[1:]:
            if (end == len(text)) != (line == lines):
                continue
            for start in ends:
                if start >= end or (line - 1, start) not in best:
                    continue
                width = text_width(text[start:end])
                if width > chars:
                    continue
                before, cuts = best[(line - 1, start)]
                total = before + (width - target) ** 2 + cost.get(end, 0.0)
                if (line, end) not in best or total < best[(line, end)][0]:
                    best[(line, end)] = (total, [*cuts, end] if end < len(text) else cuts)
    found = best.get((lines, len(text)))
    return found[1] if found else None


class Spanned(Protocol):
    """A row with 一级 and 二级 spans: the target tables' GridRow, the 自评表's EvalRow."""

    @property
    def level1(self) -> Span: ...
    @property
    def level2(self) -> Span: ...


R = TypeVar("R", bound=Spanned)


def split_spans(rows: list[R], starts: set[int]) -> list[R]:
    """The rows with every 一级/二级 span cut where a page starts (row indexes in `starts`):
    the continuation starts a span of its own that repeats the label, as the PDF shows it."""
    out = list(rows)
    for attr in ("level1", "level2"):
        owner: list[int] = []  # index of the row whose span covers each row
        for i, row in enumerate(rows):
            owner.append(i if getattr(row, attr).starts else owner[-1])
        i = 0
        while i < len(rows):
            j = i + 1
            while j < len(rows) and owner[j] == owner[i] and j not in starts:
                j += 1
            text = getattr(rows[owner[i]], attr).text
            for k in range(i, j):
                cut: Any = out[k]  # a dataclass
                out[k] = replace(cut, **{attr: Span(text, j - i if k == i else 0)})
            i = j
    return out


def file_number(book: Book, number: int) -> str:
    """The table's number padded to the width of the book's table count (`007` of 120), at least 2.

    A file manager then lists `099-…` before `100-…`.
    """
    count = sum(len(a.projects) for a in book.agencies)
    return f"{number:0{max(2, len(str(count)))}d}"


def book_path(book: Book, suffix: str, title: str | None = None) -> str:
    """`<book>/<title>.<suffix>`: the book's file named after its title (the 自评 document's
    after its own), as a reader looks for it, not after the folder."""
    return f"{book.key}/{safe_stem(title or book.title)}.{suffix}"


def project_path(book: Book, number: int, project: Project, suffix: str) -> str:
    """`<book>/projects/<NN>-<stem>.<suffix>`, NN padded by file_number."""
    return f"{book.key}/projects/{file_number(book, number)}-{project.stem}.{suffix}"


def percent(widths: tuple[int, ...]) -> list[str]:
    """Widths as CSS percentages: `14.0%`."""
    return [f"{w / 10:.1f}%" for w in widths]


def edges(widths: tuple[int, ...]) -> list[int]:
    """Where each column starts, and the right edge: (140, 90, …) → [0, 140, 230, …, 1000]."""
    out = [0]
    for w in widths:
        out.append(out[-1] + w)
    return out


def sheet_edges() -> list[int]:
    """The XLSX columns' edges: every edge of the budget table and of the indicator grid."""
    return sorted(set(edges(BUDGET_WIDTHS)) | set(edges(GRID_WIDTHS)))


def sheet_span(widths: tuple[int, ...], column: int) -> tuple[int, int]:
    """The first and last XLSX column (1-based) that a table's column covers."""
    cuts = sheet_edges()
    ends = edges(widths)
    return cuts.index(ends[column]) + 1, cuts.index(ends[column + 1])


def shown_label(text: str, level: int) -> str:
    """A 一级/二级 label with a line break before its final 指标 where the column would cut it.

    With LABEL_CHARS[level - 1] characters a line, `生态环境成本指标` would print as
    `生态环境成本指/标`; it prints as `生态环境成本` / `指标` instead. Other labels wrap by themselves.
    """
    chars = LABEL_CHARS[level - 1]
    if len(text) > chars and text.endswith("指标") and (len(text) - 1) % chars == 0:
        return f"{text[:-2]}\n指标"
    return text


def agency_line(agency_code: str, agency_name: str, book: Book) -> tuple[str, str]:
    """The line above the table: `610101天津市知识产权局` and `单位：万元`."""
    return f"{agency_code}{agency_name}", f"单位：{book.money_unit}"


def budget_cells(project: Project) -> list[str]:
    """The 预算规模 row after its label: 预算数, amount, 财政资金, amount, 其他资金, amount."""
    b = project.budget
    return ["预算数", format_amount(b.total), "其中：财政资金", format_amount(b.fiscal),
            "其他资金", format_amount(b.other)]


def numbered_goals(project: Project) -> list[str]:
    """The 绩效目标 paragraphs, numbered `1.` `2.` …"""
    return [f"{i}.{goal}" for i, goal in enumerate(project.goals, 1)]


def table_rows(book: Book, number: int, agency_code: str, agency_name: str,
               project: Project) -> list[list[str]]:
    """The whole table as rows of cell texts, the way a plain-text dump of the DOCX shows it.

    Golden tests compare every renderer's output with this and with the seed dumps.
    """
    rows = [
        list(agency_line(agency_code, agency_name, book)),
        ["项目名称", project.name],
        ["预算规模及资金用途", *budget_cells(project)],
        ["", project.usage],
        ["绩效目标", "\n".join(numbered_goals(project))],
        list(GRID_HEADER),
    ]
    rows.extend(r.texts() for r in grid(project, book.merge))
    return rows
