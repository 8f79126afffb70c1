"""Laying HTML out with WeasyPrint, in worker processes: one chunk of tables, the front matter or
a block of page-number stamps a `Job`, cut into runs of pages (`pdf_pages.Pages`).

A 一级/二级 label whose rows a page break cuts is repeated in place: WeasyPrint leaves such a
cell's text at the top of its first page and nothing on the next; after the layout, before the
pages are drawn, the cell is centred on the rows of each page, its text repeated on the next,
and the border between its parts drawn, as a layout of the table with the span cut there
(`document.split_spans`) draws it; a page's last row grows to a label's part taller than the
rows above the break, as in that layout. Where that cannot be exact (such a row that would no
longer fit, a label taller than its rows on the next page, a span over three pages) the table is
named, and the engine lays it out again with its spans cut (`pdf.PdfRenderer`).
"""

from __future__ import annotations

import gc
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .. import tempdirs
from ..load.glyphs import fallback_font
from . import pdf_fonts, pdf_pages
from .fonts import FALLBACK_FAMILY, libraries_found_without_a_compiler
from .pdf_jobs import Counted, Job, Laid

with libraries_found_without_a_compiler():
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

log = logging.getLogger("tablegen")


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """Reads only files under the allowed paths (templates, fonts): no network, nothing else."""

    def __init__(self, allowed: tuple[str, ...]):
        super().__init__(allowed_protocols=("file",), fail_on_errors=False)
        self.roots = [Path(p).resolve() for p in allowed]

    def fetch(self, url: str, headers: Any = None) -> Any:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if any(path == r or path.is_relative_to(r) for r in self.roots):
                return super().fetch(url, headers)
        raise ValueError(f"tablegen 不允许读取 {url}")


class Fonts(FontConfiguration):  # type: ignore[misc]
    """WeasyPrint's fonts, but the fallback font of tablegen's own @font-face is registered where
    it lies: WeasyPrint would read and copy all 20 MB of it into a temp folder on every layout,
    whether or not a page shows one of its characters. It is registered once: each layout's
    stylesheet names it again, and registering it again made fontconfig scan the font and
    Pango drop every font it had loaded (a tenth of a second a layout, a fifth of a table's)."""

    _folder: Path | None
    _registered = False

    def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> Any:
        font = fallback_font()
        urls = [url for kind, url in rule_descriptors.get("src", ()) if kind == "external"]
        if (font is None or rule_descriptors.get("font_family") != FALLBACK_FAMILY
                or urls != [font.as_uri()] or set(rule_descriptors) != {"font_family", "src"}):
            if self._folder is None:  # a template's own font: copied into a folder of ours
                self._folder = tempdirs.make("fonts")
            return super().add_font_face(rule_descriptors, url_fetcher)
        if self._registered:  # as WeasyPrint does with a font it has copied already
            return None
        from xml.sax.saxutils import escape

        from weasyprint.text.ffi import ffi, fontconfig, pangoft2

        path = escape(str(font))
        xml = ('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
               f'<fontconfig><match target="scan"><test name="file" compare="eq"><string>{path}'
               f'</string></test><edit name="family" mode="prepend"><string>{FALLBACK_FAMILY}'
               "</string></edit></match></fontconfig>").encode()
        fontconfig.FcConfigParseAndLoadFromMemory(self._config, xml, True)
        if fontconfig.FcConfigAppFontAddFile(self._config, str(font).encode()):
            self._registered = True
            return pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", self.font_map))
        if self._folder is None:
            self._folder = tempdirs.make("fonts")
        return super().add_font_face(rule_descriptors, url_fetcher)


@contextmanager
def font_configuration() -> Iterator[Fonts]:
    """WeasyPrint's fonts for one layout, and its temporary font folder removed afterwards.

    FontConfiguration copies each other @font-face font into a `mkdtemp` folder that it removes
    only in `__del__`, which never runs in a pool worker that exits: removed here, also on
    failure and Ctrl-C. The folder is named for the process (`tempdirs`), so that one left by a
    process killed outright (kill -9, out of memory) is removed by the next layout.
    """
    fonts = Fonts()
    try:
        yield fonts
    finally:
        _remove_folder(fonts)


def _remove_folder(fonts: Fonts) -> None:
    folder = fonts._folder
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        fonts._folder = None


_FONTS: list[Fonts] = []  # this process's fonts, kept from one layout to the next


def process_fonts() -> Fonts:
    """The fonts of this process's layouts: fontconfig's set-up and the fallback font's
    registration are paid once per process, not once per layout. The folder of a template's
    own @font-face fonts (made only for them) goes with `release_fonts`, or with the process
    (a worker's: `tempdirs.remove_orphans`)."""
    if not _FONTS:
        _FONTS.append(Fonts())
    return _FONTS[0]


def release_fonts() -> None:
    """Forget this process's fonts and remove their folder."""
    while _FONTS:
        _remove_folder(_FONTS.pop())


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while WeasyPrint lays out and draws a job, and
    as it was afterwards.

    A layout makes hundreds of thousands of boxes, styles and text objects that live until it
    ends: every collection their allocations set off walked all of them again, a sixth of a
    worker's time. Paused, the collector finds them gone when it runs next (`layout` lets go of
    them before it resumes), bar the few cycles it frees.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def layout(job: Job, told: Callable[[Counted], None] | None = None) -> Laid:
    """Lay out one HTML document and cut it into runs (runs in a worker process). `told` hears
    each run's page count once the pages are laid out, before they are drawn (a third of the
    time): the 目录 can be laid out meanwhile."""
    with collector_paused():
        return _layout(job, told)


def _layout(job: Job, told: Callable[[Counted], None] | None = None) -> Laid:
    pdf_fonts.use_placeholders(job.fonts)
    fonts = process_fonts()
    doc = HTML(string=job.html, base_url=job.base_url,
               url_fetcher=SafeFetcher(job.allowed)).render(
        stylesheets=[CSS(string=job.css, font_config=fonts)], font_config=fonts)
    pages = [p._page_box for p in doc.pages]
    where: dict[str, int] = {}
    for i, page in enumerate(doc.pages):
        for name in page.anchors:
            where.setdefault(name, i)
    starts = [where[name] for name in job.starts] if job.starts else [0]
    failed = split_in_place(pages)
    if told is not None:
        told(Counted(tuple(b - a for a, b in zip(starts, [*starts[1:], len(pages)], strict=True)),
                     bool(failed)))
    data = doc.write_pdf()
    unsplit: dict[int, list[int]] = {}
    if failed:
        rows = row_pages(pages)
        for run, start in enumerate(starts):
            end = starts[run + 1] if run + 1 < len(starts) else len(pages)
            if any(start <= p < end for p in failed):
                mine = [page for key, page in rows if start <= page < end]
                unsplit[run] = [k for k in range(1, len(mine)) if mine[k] != mine[k - 1]]
    count = len(pages)
    del doc, pages  # the layout's objects go by their counts, before the collector resumes
    return Laid([p.dump() for p in pdf_pages.cut(data, starts)], unsplit, count)


def row_pages(pages: list[Any]) -> list[tuple[str, int]]:
    """Every `data-row` row's key and page, in order (a row never breaks across pages)."""
    out: list[tuple[str, int]] = []
    for i, page in enumerate(pages):
        for box in _descendants(page):
            if isinstance(box, boxes.TableRowBox) and box.element is not None:
                key = box.element.get("data-row")
                if key and (not out or out[-1][0] != key):
                    out.append((key, i))
    return out


def _descendants(box: Any) -> Iterator[Any]:
    stack = [box]
    while stack:
        b = stack.pop()
        yield b
        stack.extend(reversed(getattr(b, "children", ())))


# -- a span cut by a page break, repeated in place ------------------------------------------

@dataclass
class _Cut:
    """A rowspan cell of a `data-row` row whose rows run on past its page."""

    pristine: Any  # the cell as laid out, before anything here changed it
    end: int  # the index of its last row in the row group
    part: Any  # its part on the page before, centred once the border below it is known
    tail: Any  # that page's last row
    group: Any  # that page's part of the row group
    room: float = 0.0  # how far that page's last row may reach down
    table: Any = None  # that page's part of the table
    clones: set[int] = field(default_factory=set)  # id() of the labels repeated on that page
    pages: int = 1


def split_in_place(pages: list[Any]) -> set[int]:
    """Centre every cut span on each page's rows, repeat it on the next; the pages where that
    is not exact (their tables are laid out again)."""
    carry: dict[int, list[_Cut]] = {}  # id(row group element) → cut cells that run on
    failed: set[int] = set()
    for page_index, page in enumerate(pages):
        bottom = page.content_box_y() + page.height
        for table, below in _tables(page):
            grid = _grid_rows(table)
            for group in table.children:
                rows = [r for r in group.children if isinstance(r, boxes.TableRowBox)]
                if not rows or rows[0].element is None or rows[0].element.get("data-row") is None:
                    # A span from rows above the data rows (a layout's band over the header)
                    # that a page cuts: the table is laid out again with its spans cut there.
                    if any(cell.rowspan > 1 and row.index + cell.rowspan - 1 > rows[-1].index
                           for row in rows for cell in row.children):
                        failed.add(page_index)
                    continue
                if not _split_group(table, group, rows, grid, carry, bottom - below):
                    failed.add(page_index)
    if any(carry.values()):  # a span cut where no page follows: nothing to repeat it on
        failed.add(len(pages) - 1)
    return failed


def _tables(page: Any) -> Iterator[tuple[Any, float]]:
    """Every table of a page, in order, and the space the boxes around it keep below it (their
    bottom padding, border and margin: at least what the layout kept free under its last row)."""
    stack: list[tuple[Any, float]] = [(page, 0.0)]
    while stack:
        box, below = stack.pop()
        if box is not page:
            below += box.padding_bottom + box.border_bottom_width + box.margin_bottom
        if isinstance(box, boxes.TableBox):
            yield box, below
        stack.extend((child, below) for child in reversed(getattr(box, "children", ())))


def _grid_rows(table: Any) -> dict[int, int]:
    """id(row box) → its row in the table's border grid (WeasyPrint's draw numbering)."""
    rows = [row for group in table.children for row in group.children]
    header = len(table.children[0].children) if table.children and table.children[0].is_header else 0
    skipped = getattr(table, "skipped_rows", 0) or 0
    offset = skipped - header if skipped else 0
    return {id(row): (y if y < header else y + offset) for y, row in enumerate(rows)}


def _split_group(table: Any, group: Any, rows: list[Any], grid: dict[int, int],
                 carry: dict[int, list[_Cut]], room: float) -> bool:
    key = id(group.element)
    last = rows[-1].index
    by_index = {r.index: r for r in rows}
    head = rows[0]
    exact = True
    todo: list[tuple[Any, _Cut]] = []
    cuts = carry.pop(key, [])
    for cut in cuts:
        clone = cut.pristine.deepcopy()
        clone.translate(dy=head.position_y - clone.position_y)
        at = next((i for i, c in enumerate(head.children) if c.grid_x > clone.grid_x),
                  len(head.children))
        head.children.insert(at, clone)
        width = _resolve(table, clone, grid[id(head)], [
            (clone.style, "bottom"), (clone.style, "top"), (cut.tail.style, "bottom"),
            (head.style, "top"), (cut.group.style, "bottom"), (group.style, "top")])
        cut.part.border_bottom_width = width / 2
        shift = width / 2 - clone.border_top_width
        clone.border_top_width = width / 2
        for child in clone.children:
            child.translate(dy=shift)
        cut.pages += 1
        exact = exact and cut.pages <= 2
        todo.append((clone, cut))
    if cuts:
        exact = _grow(cuts) and exact
    for cut in cuts:
        exact = _centre(cut.part, cut.tail) and exact
    for row in rows:
        for cell in row.children:
            end = row.index + cell.rowspan - 1
            if cell.rowspan > 1 and end > last and all(cell is not c for c, _ in todo):
                todo.append((cell, _Cut(cell.deepcopy(), end, cell, None, group)))
    for cell, cut in todo:
        tail = by_index[min(cut.end, last)]
        if cut.end > last:
            cut.part, cut.tail, cut.group, cut.room = cell, tail, group, room
            cut.table, cut.clones = table, {id(c) for c, _ in todo[:len(cuts)]}
            carry.setdefault(key, []).append(cut)
        else:
            exact = _centre(cell, tail) and exact
    return exact


def _grow(cuts: list[_Cut]) -> bool:
    """Let the last row of a page grow to the cut labels' parts that end there, as a layout
    with the spans cut there lets a row grow to a cell that ends in it (WeasyPrint's
    `table_layout`); False when that is not sure to be the same layout (the row would not fit
    on its page, or its page has a repeated label, a footer or rows after it)."""
    tail, group, table = cuts[0].tail, cuts[0].group, cuts[0].table
    old = tail.position_y + tail.height
    new = max(cut.part.position_y + cut.part.border_height() for cut in cuts)
    if new <= old:
        return True
    if (any(cut.tail is not tail for cut in cuts) or table.children[-1] is not group
            or group.children[-1] is not tail or group.is_footer or cuts[0].clones
            or new > cuts[0].room):
        return False
    tail.height = max(new - tail.position_y, 0)
    for row in group.children:
        for cell in row.children:
            if row.index + cell.rowspan - 1 != tail.index:
                continue
            extra = new - (cell.position_y + cell.border_height())
            if cell.vertical_align == "middle":
                extra /= 2
                cell.padding_top += extra
                for child in cell.children:
                    child.translate(dy=extra)
                cell.padding_bottom += extra
            elif cell.vertical_align == "bottom":
                cell.padding_top += extra
                for child in cell.children:
                    child.translate(dy=extra)
            else:
                cell.padding_bottom += extra
    grown = new - old
    group.height += grown
    table.height += grown
    for columns in table.column_groups:
        columns.height += grown
        for column in columns.children:
            column.height += grown
    return True


def _centre(cell: Any, tail: Any) -> bool:
    """Centre a cell on its rows up to `tail`, as WeasyPrint centres a cell that ends there;
    False when its content is taller than those rows (then they would have grown)."""
    extra = tail.position_y + tail.height - (cell.position_y + cell.border_height())
    if extra < -1e-6:
        return False
    if extra > 0:
        extra /= 2
        cell.padding_top += extra
        for child in cell.children:
            child.translate(dy=extra)
        cell.padding_bottom += extra
    return True


def _resolve(table: Any, cell: Any, y: int, sides: list[tuple[Any, str]]) -> float:
    """The border grid at row boundary `y` over the cell's columns as WeasyPrint resolves it
    between the two parts of a cut span (two cells, the second in a row group of its own as
    `TargetTable.groups` makes it); the widest width there, as a cell's border takes it."""
    _, horizontal = table.collapsed_border_grid
    if not 0 <= y < len(horizontal):
        return 0.0
    value = _winner(sides)
    columns = range(max(cell.grid_x, 0), min(cell.grid_x + cell.colspan, len(horizontal[y])))
    for x in columns:
        horizontal[y][x] = value
    return float(max((horizontal[y][x][1][1] for x in columns), default=0))


_STYLES = ["none", "inset", "groove", "outset", "ridge", "dotted", "dashed", "solid", "double",
           "hidden"]


def _winner(sides: list[tuple[Any, str]]) -> Any:
    """WeasyPrint's border conflict resolution (layout/table.py collapse_table_borders) over
    the sides, in order, from a weak none: the first of the strongest wins."""
    from weasyprint.draw.color import get_color
    from weasyprint.layout.table import TRANSPARENT

    best = ((0, 0, _STYLES.index("none")), ("none", 0, TRANSPARENT))
    for style, side in sides:
        kind = style[f"border_{side}_style"]
        width = style[f"border_{side}_width"]
        score = (1 if kind == "hidden" else 0, width, _STYLES.index(kind))
        if best[0] < score:
            kind = {"inset": "ridge", "outset": "groove"}.get(kind, kind)
            best = (score, (kind, width, get_color(style, f"border_{side}_color")))
    return best
