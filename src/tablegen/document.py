"""What a kind of table hands to the format engines: a document of tables, format-neutral.

A kind (`tablegen.kinds`) builds a `Document` once from a book: its title, its tables in order
(each a typed view-model of the kind's own, with the rows that a page break may cut), how they
group under agencies, the page geometry, the file names, and each table as sheet cells. An
engine (`tablegen.render`) draws any document in its format through the kind's templates and
knows the kind only through the names here: neither imports the other.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .model.book import Level1, safe_stem

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


@dataclass(frozen=True)
class TableCell:
    """A cell of a table drawn from data (a kind's layout): its text, the first column it covers
    (0-based, of the table's widths), how many columns and rows it covers (rows 0: covered by the
    cell above, which an engine draws as merged), and its role: `label` (a heading), `text`,
    `left` (paragraphs, left-aligned), `amount` or `value` (a figure, never broken apart).

    The DOCX engine sets a repeated cell's width and merges from `column`, `span` and `rows`."""

    text: str
    column: int
    span: int = 1
    rows: int = 1
    role: str = "text"
    paragraphs: tuple[str, ...] = ()  # the `left` text's paragraphs (goals), when several
    pieces: tuple[str, ...] = ()  # a label's parts, each kept on one line (`预算规模及`/`资金用途`)
    amount: Decimal | None = None  # an amount's number (a sheet stores the number)

    @property
    def covered(self) -> bool:
        return self.rows == 0

    @property
    def lines(self) -> tuple[str, ...]:
        """The cell's paragraphs: its own, else its text as one."""
        return self.paragraphs or (self.text,)


class Spanned(Protocol):
    """A row with 一级 and 二级 spans, which a page break may cut."""

    @property
    def level1(self) -> Span: ...
    @property
    def level2(self) -> Span: ...


R = TypeVar("R", bound=Spanned)


def indicator_spans(levels: Sequence[Level1], merge: str,
                    labels: Mapping[str, str] | None = None) -> list[tuple[Span, Span]]:
    """The 一级/二级 spans of each indicator row, in print order, as the book's `merge` asks
    (level1, level1+level2, none); a 一级 cell reads as its label where `labels` has one
    (`产出指标（50分）`)."""
    out = []
    for l1 in levels:
        n1 = sum(len(g.indicators) for g in l1.groups)
        label = (labels or {}).get(l1.name, l1.name)
        first1 = True
        for l2 in l1.groups:
            for i in range(len(l2.indicators)):
                if merge == "none":
                    s1, s2 = Span(label), Span(l2.name)
                else:
                    s1 = Span(label, n1 if first1 else 0)
                    s2 = (Span(l2.name, len(l2.indicators) if i == 0 else 0)
                          if merge == "level1+level2" else Span(l2.name))
                first1 = False
                out.append((s1, s2))
    return out


def retitled(title: str, old: str, new: str, note: str) -> str:
    """A kind's document title from the book's: `old` in it turned into `new`, else the
    book's title with `note` after it in brackets."""
    return title.replace(old, new) if old in title else f"{title}（{note}）"


def numbered(texts: Sequence[str]) -> tuple[str, ...]:
    """Texts numbered 1. 2. …, or the one text as it is."""
    return tuple(f"{i}.{t}" if len(texts) > 1 else t for i, t in enumerate(texts, 1))


def level1_groups(rows: Sequence[R]) -> list[list[R]]:
    """Rows cut where a 一级 span starts: each group is one <tbody> that pages keep whole."""
    groups: list[list[R]] = []
    for row in rows:
        if not groups or row.level1.rows != 0:
            groups.append([])
        groups[-1].append(row)
    return groups


def split_spans(rows: Sequence[R], starts: set[int]) -> list[R]:
    """The rows with every 一级/二级 span (and a band's, the rows have one) cut where a page
    starts (row indexes in `starts`): the continuation starts a span of its own that repeats the
    label, as every format shows it."""
    out = list(rows)
    band = bool(rows) and getattr(rows[0], "band", None) is not None
    for attr in ("band", "level1", "level2") if band else ("level1", "level2"):
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


def file_path(key: str, title: str, suffix: str) -> str:
    """`<book>/<title>.<suffix>`: a document's file named after its title, as a reader looks
    for it, not after the book's folder."""
    return f"{key}/{safe_stem(title)}.{suffix}"


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
    after_box: int = 0  # the first rows of `after` drawn with borders (the rest stand free)
    print_titles: str = ""  # rows repeated on every printed page, e.g. "7:7"
    orientation: str = "portrait"
    margins_mm: tuple[float, float, float, float] | None = None  # left, right, top, bottom
    span_px: Callable[[int, int], float] | None = None
    listing: bool = False
    freeze: str | None = None
    # A listing's rows below its header (which `cells` then holds alone), in blocks (a table's
    # each), one text a cell from the first column: the XLSX engine keeps each block drawn
    # under its texts, and makes its cells only to draw it (`listing_cells`).
    items: tuple[tuple[tuple[str, ...], ...], ...] = ()


Item = tuple[str, ...]  # a listing's row below its header: one text a cell


def item_cells(block: Sequence[Item], first: int) -> list[Cell]:
    """A block of a listing's rows as cells, its first row at sheet row `first`."""
    return [Cell(first + i, (c, c), text, style="none", align="wrap")
            for i, texts in enumerate(block) for c, text in enumerate(texts, 1)]


def listing_cells(sheet: Sheet) -> list[Cell]:
    """Every cell of a listing: its header's (`cells`), then its items' rows below them."""
    cells = list(sheet.cells)
    row = max((c.row for c in cells), default=0) + 1
    for block in sheet.items:
        cells += item_cells(block, row)
        row += len(block)
    return cells


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
                 docx_title: str | None = None, toc_groups: bool = True, label: str | None = None):
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
        self.label = label or key  # how messages name it: `tianjin-ipa-2024`, `… 自评表`
        self._table_keys: dict[int, tuple[Any, str]] = {}  # id → (table, key): see table_key

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

    def table_key(self, table: Any) -> str:
        """What each of the table's own products is made of besides the kind's code and
        templates: its view-model, whose repr is its whole content (a kind's table is a frozen
        dataclass of texts, numbers and tuples), with the document's heading fields. A table's
        sheet (`sheet`) and its template contexts read nothing else, so an engine may keep
        what it made of a table under this key (`tests/test_table_keys.py` holds every kind
        to it). Once per table in a build: every engine asks."""
        kept = self._table_keys.get(id(table))
        if kept is not None and kept[0] is table:
            return kept[1]
        key = hashlib.sha256("\0".join((
            self.kind, self.template, type(table).__qualname__, repr(table), self.title,
            self.subtitle, self.author, self.date, repr(self.page), repr(self.title_lines),
            self.docx_title, str(self.several))).encode("utf-8")).hexdigest()
        self._table_keys[id(table)] = (table, key)
        return key

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

    def docx_table_widths(self, table: Any) -> list[tuple[str, tuple[int, ...]]]:
        """The same for one table, when its columns are its own (a column per recipient): the
        markers of `docx_widths`, each with this table's widths."""
        return self.docx_widths()

    def keep_rows(self, table: Any, rows: list[Any], i: int) -> bool:
        """Whether grid row i (of `rows`, the table's rows as split at page starts) stays on the
        page of the next one (Word's keep-with-next)."""
        return False

    def docx_missing(self, table: Any, block: str) -> str:
        """What the table prints that the DOCX template's table block (its source) has no place
        for, in Chinese; "" when it has a place for everything."""
        return ""


class Kind(Protocol):
    """What a kind module offers (`tablegen.kinds.targets` is one): its name, whether a book has
    its document, the document, and its part of the overview page."""

    NAME: str

    def applies(self, book: Book) -> bool: ...
    def document(self, book: Book) -> Document: ...
    def overview(self, book: Book) -> dict[str, Any]: ...
    def links(self, book: Book, formats: list[str]) -> list[dict[str, str]]: ...
