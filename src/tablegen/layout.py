"""The official table as a grid of cells, shared by every renderer.

A renderer maps these cells onto its format; it never decides what goes where itself, so the
DOCX, HTML, PDF and XLSX tables agree cell for cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Book, Project, format_amount

GRID_HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值")
BUDGET_COLUMNS = 7  # 预算规模及资金用途 | 预算数 | total | 财政资金 | fiscal | 其他资金 | other


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


def file_number(book: Book, number: int) -> str:
    """The table's number padded to the width of the book's table count (`007` of 120), at least 2.

    A file manager then lists `099-…` before `100-…`.
    """
    count = sum(len(a.projects) for a in book.agencies)
    return f"{number:0{max(2, len(str(count)))}d}"


def project_path(book: Book, number: int, project: Project, suffix: str) -> str:
    """`<book>/projects/<NN>-<stem>.<suffix>`, NN padded by file_number."""
    return f"{book.key}/projects/{file_number(book, number)}-{project.stem}.{suffix}"


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
