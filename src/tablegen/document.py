"""What a kind of table hands to the format engines: a document of tables, format-neutral.

A kind (`tablegen.kinds`) builds a `Document` once from a book: its title, its tables in order
(each a typed view-model of the kind's own, with the rows that a page break may cut), how they
group under agencies, the page geometry, the file names, and each table as sheet cells. An
engine (`tablegen.render`) draws any document in its format through the kind's templates and
knows the kind only through the names here: neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from .model.book import Book


@dataclass(frozen=True)
class Span:
    """A grid cell: its text and how many rows it covers (0: covered by the cell above).

    `shown` is the text as a page prints it when that differs (a line break before a long
    label's final 指标); dumps and comparisons use `text`.
    """

    text: str
    rows: int = 1
    shown: str | None = None

    @property
    def starts(self) -> bool:
        return self.rows > 0

    @property
    def label(self) -> str:
        return self.text if self.shown is None else self.shown


class Spanned(Protocol):
    """A row with 一级 and 二级 spans, which a page break may cut."""

    @property
    def level1(self) -> Span: ...
    @property
    def level2(self) -> Span: ...


R = TypeVar("R", bound=Spanned)


def split_spans(rows: Sequence[R], starts: set[int]) -> list[R]:
    """The rows with every 一级/二级 span cut where a page starts (row indexes in `starts`):
    the continuation starts a span of its own that repeats the label, as every format shows it."""
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
            span: Span = getattr(rows[owner[i]], attr)
            for k in range(i, j):
                cut: Any = out[k]  # a dataclass
                out[k] = replace(cut, **{attr: Span(span.text, j - i if k == i else 0, span.shown)})
            i = j
    return out


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


def percent(widths: tuple[int, ...]) -> list[str]:
    """Widths in thousandths as CSS percentages: `14.0%`."""
    return [f"{w / 10:.1f}%" for w in widths]


def edges(widths: tuple[int, ...]) -> list[int]:
    """Where each column starts, and the right edge: (140, 90, …) → [0, 140, 230, …, 1000]."""
    out = [0]
    for w in widths:
        out.append(out[-1] + w)
    return out


# -- sheets (the XLSX engine's view of a table) ---------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One cell of a sheet: where it is, what it holds, how it looks.

    `columns` are the first and last sheet column it covers (1-based); `rows` how many rows.
    `style` is `body`, `label` (the label font) or `title`; `align` `center`, `left` or
    `right`. An amount is a Decimal shown with `number_format`; a `percent` a rate.
    """

    row: int
    columns: tuple[int, int]
    value: str | Decimal | None
    rows: int = 1
    style: str = "body"
    align: str = "center"
    number_format: str | None = None
    size: float | None = None  # the font size, when not the body's


@dataclass
class SheetGrid:
    """The rows of a sheet that pages may cut: placed from `first`, split where pages start,
    the header row (`header`) repeated on every printed page."""

    first: int  # the sheet row of the first grid row
    header: int  # the sheet row of the grid's header
    rows: Sequence[Spanned]
    place: Callable[[int, Any], list[Cell]]  # (sheet row, grid row) → its cells


@dataclass
class Sheet:
    """One table as a spreadsheet: column widths, cells, borders, print setup.

    A table sheet's rows are as high as their wrapped text (`span_px` gives the pixels a cell
    over sheet columns first..last has); a `listing` is a plain list (a header row, then one
    row per item, wrapped, the first row frozen).
    """

    title: str  # the sheet's name as the kind would like it (the engine makes it unique)
    widths: list[float]  # per sheet column, in Excel's character units
    cells: list[Cell]
    boxes: list[tuple[int, int]]  # (first, last) sheet rows drawn with borders, all columns
    grid: SheetGrid | None = None
    grid_box_from: int = 0  # the grid's border starts at this row (its header)
    after: Callable[[int], list[Cell]] | None = None  # cells after the grid, from this row
    print_titles: str = ""  # rows repeated on every printed page, e.g. "7:7"
    orientation: str = "portrait"
    margins_mm: tuple[float, float, float, float] | None = None  # left, right, top, bottom
    span_px: Callable[[int, int], float] | None = None
    listing: bool = False
    freeze: str | None = None


@dataclass
class Group:
    """Tables under one agency (a heading of their own in the 目录 and outline when several)."""

    label: str
    tables: list[Any]


@dataclass(frozen=True)
class Page:
    """The PDF page of a kind: size, margins and the footer's font size (as its templates' CSS
    has them, for the page-number stamps, which are laid out apart from the tables)."""

    size: str = "A4"
    margin: str = "37mm 26mm 35mm 28mm"
    footer_size: str = "14pt"


class Document:
    """One kind's document of one book, ready for every engine; a kind subclasses it.

    The hooks below have the defaults of a document without per-table files, sheets or DOCX
    widths of its own; a kind overrides what it has.
    """

    def __init__(self, *, kind: str, template: str, key: str, title: str, subtitle: str,
                 author: str, timestamp: datetime, groups: list[Group], files: dict[str, str],
                 page: Page | None = None, title_lines: list[str] | None = None,
                 docx_title: str | None = None, toc_groups: bool = True):
        self.kind = kind  # the kind's name: its templates are in `templates/<kind>/`
        self.template = template  # `<template>.html.j2`, `<template>.docx`
        self.key = key  # the book's output folder
        self.title = title
        self.subtitle = subtitle
        self.author = author
        self.timestamp = timestamp
        self.groups = groups
        self.files = files  # format → output path (relative to the output folder)
        self.page = page or Page()
        self.title_lines = title_lines or [title]
        self.docx_title = title if docx_title is None else docx_title
        self.toc_groups = toc_groups

    @property
    def tables(self) -> list[Any]:
        return [t for g in self.groups for t in g.tables]

    @property
    def several(self) -> bool:
        """Whether the 目录 and the outline show the agencies (more than one)."""
        return self.toc_groups and len(self.groups) > 1

    @property
    def date(self) -> str:
        return self.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def table_file(self, table: Any) -> str | None:
        """A table's own files' path without suffix (`<book>/projects/01-x`); None: none."""
        return None

    def row_texts(self, table: Any) -> list[str]:
        """What LibreOffice's PDF shows of each grid row (to find its page); [] to find none."""
        return []

    def sheet(self, table: Any) -> Sheet:
        raise NotImplementedError

    def extra_sheets(self) -> list[Sheet]:
        """Sheets after the tables' (a 指标导入 sheet)."""
        return []

    def docx_widths(self) -> list[tuple[str, tuple[int, ...]]]:
        """(marker, widths in thousandths): the template's table holding the marker gets them."""
        return []

    def keep_rows(self, table: Any, rows: list[Any], i: int) -> bool:
        """Whether grid row i (of `rows`, the table's rows as split at page starts) stays on the
        page of the next one (Word's keep-with-next)."""
        return False


class Kind(Protocol):
    """What a kind module offers (`tablegen.kinds.targets` is one): its name, whether a book has
    its document, the document, and its part of the overview page."""

    NAME: str

    def applies(self, book: Book) -> bool: ...
    def document(self, book: Book) -> Document: ...
    def overview(self, book: Book) -> dict[str, Any]: ...
    def links(self, book: Book, formats: list[str]) -> list[dict[str, str]]: ...
