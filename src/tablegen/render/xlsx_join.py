"""XLSX in parts: a sheet cut out of a workbook of its own (its XML and the styles it uses, free
of that workbook's numbering), parts stacked into one sheet, and a workbook joined from parts.

A part is what the build cache keeps of a sheet (`render.xlsx`): after an edit only the edited
table's sheet is drawn again. Every workbook is joined from parts, fresh or cached alike, so a
cold build and a build from the cache give the same bytes. openpyxl's writer writes the
workbook's own files (workbook.xml with the print titles, styles.xml, content types,
relationships) with each part's XML as its sheet, the part's style numbers turned into the
workbook's. The workbook's style lists are the parts' lists in sheet order, each style once,
as openpyxl numbers them when it draws and writes the sheets of one workbook: the bytes are
those of the sheets drawn together.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, Protection
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.fills import Fill
from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import fromstring, tostring

from ..cache import Cache, digest
from ..document import Document
from . import ooxml

# A workbook's style lists a cell style (xf) points into, by the field of its StyleArray that
# holds the index; number formats are numbered apart (built-in ones below 164 are not listed).
LISTS: dict[str, tuple[str, int, Callable[[Any], Any]]] = {
    "fonts": ("_fonts", 0, Font.from_tree),
    "fills": ("_fills", 1, Fill.from_tree),
    "borders": ("_borders", 2, Border.from_tree),
    "protections": ("_protections", 4, Protection.from_tree),
    "alignments": ("_alignments", 5, Alignment.from_tree),
}
NUMBER_FORMAT = 3  # the StyleArray field of the number format's id
XF_FIELDS = 9  # a StyleArray's length
# The attributes that hold a cell style's number in a sheet (a cell's and a row's `s`, a
# column's `style`) and a row's number (a row's and a cell's `r`). Text cannot hold `<` or `>`
# unescaped, so a tag is matched whole and text is never taken for one.
_CELL = re.compile(r'<c r="([A-Z]+)([0-9]+)"(?: s="([0-9]+)")?')
_ROW = re.compile(r'<row r="([0-9]+)"([^>]*>)')
_ROW_STYLE = re.compile(r' s="([0-9]+)"')
_COL = re.compile(r'(<col [^>]*?style=")([0-9]+)"')
_DIMENSION = re.compile(r'<dimension ref="([^"]+)"')
_SHEET_DATA = re.compile(r"<sheetData>(.*)</sheetData>", re.S)


@dataclass(frozen=True)
class SheetPart:
    """One sheet as openpyxl writes it, with the styles its numbers stand for.

    `styles` holds each style list of the sheet's own workbook (fonts, fills, borders,
    protections, alignments) as the XML of each item, in that workbook's order; `formats` its
    number formats of its own (numbered from 164); `xfs` its cell styles, each a StyleArray
    of indexes into those lists. Plain strings and lists, so that it reads back from JSON as
    it was."""

    title: str  # the sheet's name as the kind would like it (the join makes it unique)
    xml: str
    print_rows: str | None
    print_cols: str | None
    styles: dict[str, list[str]]
    formats: list[str]
    xfs: list[list[int]]

    def dumps(self) -> bytes:
        """What the cache stores: the other fields as JSON on one line, then the XML (which as
        a JSON string, every quote escaped, took most of the time of reading the parts)."""
        head = {k: v for k, v in asdict(self).items() if k != "xml"}
        return (json.dumps(head, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n" +
                self.xml.encode("utf-8"))

    @classmethod
    def loads(cls, data: bytes) -> SheetPart | None:
        """A part from `dumps`' bytes; None for anything else (a cache entry of another shape)."""
        head, _, xml = data.partition(b"\n")
        try:
            raw = json.loads(head)
            part = cls(xml=xml.decode("utf-8"), **raw) if isinstance(raw, dict) else None
        except (ValueError, TypeError):
            return None
        return part if part is not None and part.sound() else None

    def sound(self) -> bool:
        """Whether every field has its type and every index of `xfs` points into its list."""
        texts = [self.title, self.xml]
        if not all(isinstance(t, str) for t in texts) or not all(
                isinstance(t, str | None) for t in (self.print_rows, self.print_cols)):
            return False
        if not isinstance(self.styles, dict) or set(self.styles) != set(LISTS):
            return False
        lists = [*self.styles.values(), self.formats]
        if not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in lists):
            return False
        sizes = {LISTS[name][1]: len(items) for name, items in self.styles.items()}
        formats = BUILTIN_FORMATS_MAX_SIZE + len(self.formats)
        return isinstance(self.xfs, list) and all(
            isinstance(xf, list) and len(xf) == XF_FIELDS
            and all(type(i) is int and i >= 0 for i in xf)
            and all(xf[field] < size for field, size in sizes.items())
            and xf[NUMBER_FORMAT] < formats for xf in self.xfs)


def cut(ws: Worksheet, title: str) -> SheetPart:
    """The part of a sheet drawn alone in a workbook of its own, named `title`.

    A sheet that needs files of its own beside its XML (links, comments, drawings, tables) or
    workbook-wide styles (conditional formats) cannot be a part; tablegen draws none."""
    wb = ws.parent
    if wb.worksheets != [ws]:
        raise ValueError("a sheet is cut out of a workbook that holds it alone")
    ws._drawing = SpreadsheetDrawing()  # as openpyxl's ExcelWriter prepares a sheet
    writer = WorksheetWriter(ws, io.BytesIO())
    writer.write()
    xml = writer.read()
    if writer._rels or ws._comments or ws.conditional_formatting or ws.legacy_drawing:
        raise ValueError(f"sheet {title!r} needs more than its XML")
    return SheetPart(
        title=title, xml=xml.decode("utf-8"), print_rows=ws.print_title_rows,
        print_cols=ws.print_title_cols,
        styles={name: [_xml(item) for item in getattr(wb, attr)]
                for name, (attr, _, _) in LISTS.items()},
        formats=list(wb._number_formats), xfs=[list(xf) for xf in wb._cell_styles])


@lru_cache(maxsize=4096)
def _xml(item: Any) -> str:
    """A style item's XML, once per distinct item (equal items write the same XML: openpyxl
    compares them by what they write)."""
    text: bytes = tostring(item.to_tree())
    return text.decode("utf-8")


class _Numbering:
    """A list of distinct items (style XML, number formats), each numbered by first sight."""

    def __init__(self, items: Sequence[str] = ()):
        self.items: list[str] = []
        self.index: dict[str, int] = {}
        for item in items:
            self.add(item)

    def add(self, item: str) -> int:
        found = self.index.get(item)
        if found is None:
            found = self.index[item] = len(self.items)
            self.items.append(item)
        return found


class _Styles:
    """Style lists and cell styles gathered from parts in order, each item numbered where it
    is first seen, as openpyxl numbers them when it draws and writes the sheets together."""

    def __init__(self, styles: dict[str, list[str]], formats: list[str], xfs: list[list[int]]):
        self.lists = {name: _Numbering(styles[name]) for name in LISTS}
        self.formats = _Numbering(formats)
        self.xfs: dict[tuple[int, ...], int] = {}
        for xf in xfs:
            self.xfs.setdefault(tuple(xf), len(self.xfs))

    @classmethod
    def of(cls, wb: Workbook) -> _Styles:
        """A new workbook's lists (its defaults)."""
        return cls({name: [_xml(i) for i in getattr(wb, attr)]
                    for name, (attr, _, _) in LISTS.items()},
                   list(wb._number_formats), [list(xf) for xf in wb._cell_styles])

    def numbers(self, part: SheetPart) -> list[int]:
        """The number here of each of the part's cell styles (added when new)."""
        maps = {LISTS[name][1]: [self.lists[name].add(x) for x in items]
                for name, items in part.styles.items()}
        formats = [self.formats.add(code) + BUILTIN_FORMATS_MAX_SIZE for code in part.formats]
        out = []
        for xf in part.xfs:
            mine = list(xf)
            for field, numbers in maps.items():
                mine[field] = numbers[xf[field]]
            if xf[NUMBER_FORMAT] >= BUILTIN_FORMATS_MAX_SIZE:
                mine[NUMBER_FORMAT] = formats[xf[NUMBER_FORMAT] - BUILTIN_FORMATS_MAX_SIZE]
            out.append(self.xfs.setdefault(tuple(mine), len(self.xfs)))
        return out

    def part(self, title: str, xml: str, frame: SheetPart) -> SheetPart:
        """A part of these styles, with the frame's print titles."""
        return SheetPart(title, xml, frame.print_rows, frame.print_cols,
                         {name: list(n.items) for name, n in self.lists.items()},
                         list(self.formats.items), [list(xf) for xf in self.xfs])

    def install(self, wb: Workbook) -> None:
        """The gathered lists as the workbook's (openpyxl writes styles.xml from them)."""
        for name, (attr, _, parse) in LISTS.items():
            setattr(wb, attr, IndexedList([parse(fromstring(x)) for x in self.lists[name].items]))
        wb._number_formats = IndexedList(self.formats.items)
        wb._cell_styles = IndexedList([StyleArray(xf) for xf in self.xfs])


def renumber(xml: str, numbers: list[int], shift: int = 0) -> str:
    """A sheet's XML (or rows of it) with each cell style number `i` turned into `numbers[i]`
    and each row moved down by `shift` rows. The XML is split at each number and the pieces
    mapped as lists (a function called for each match of a pattern with alternatives is ten
    times slower on a sheet of ten thousand cells)."""
    if numbers == list(range(len(numbers))) and not shift:
        return xml
    style = [f' s="{n}"' for n in numbers]
    cells = _CELL.split(xml)  # [text, column, row, style or None, text, …]
    cells[1::4] = [f'<c r="{c}' for c in cells[1::4]]
    cells[2::4] = [f"{int(r) + shift}\"" for r in cells[2::4]]
    cells[3::4] = ["" if s is None else style[int(s)] for s in cells[3::4]]
    rows = _ROW.split("".join(cells))  # [text, row, attributes, text, …]
    rows[1::3] = [f'<row r="{int(r) + shift}"' for r in rows[1::3]]
    rows[2::3] = [a if ' s="' not in a else _ROW_STYLE.sub(lambda m: style[int(m.group(1))], a)
                  for a in rows[2::3]]
    return _COL.sub(lambda m: f'{m.group(1)}{numbers[int(m.group(2))]}"', "".join(rows))


def _bounds(ref: str, shift: int = 0) -> tuple[int, int, int, int]:
    """A dimension's first column, first row, last column, last row, moved down `shift`."""
    first_col, first_row, last_col, last_row = range_boundaries(ref)
    return first_col, first_row + shift, last_col, last_row + shift


def stack(frame: SheetPart, runs: Sequence[tuple[int, SheetPart]]) -> SheetPart:
    """The frame's sheet with the rows of each run after its own, a run's first row moved to
    the row given with it, and the sheet's dimension grown over them: what drawing the sheet
    at once gives, when each row is drawn from its own cells alone (a listing's are)."""
    styles = _Styles(frame.styles, frame.formats, frame.xfs)
    dimension = _DIMENSION.search(frame.xml)
    end = frame.xml.find("</sheetData>")
    if dimension is None or end < 0:
        raise ValueError("a frame has a dimension and rows")
    box = [_bounds(dimension.group(1))]
    rows = []
    for first, run in runs:
        data = _SHEET_DATA.search(run.xml)
        found = _DIMENSION.search(run.xml)
        if data is None or found is None:
            raise ValueError("a run has a dimension and rows")
        shift = first - range_boundaries(found.group(1))[1]
        box.append(_bounds(found.group(1), shift))
        rows.append(renumber(data.group(1), styles.numbers(run), shift))
    first_col, first_row = min(b[0] for b in box), min(b[1] for b in box)
    last_col, last_row = max(b[2] for b in box), max(b[3] for b in box)
    ref = (f"{get_column_letter(first_col)}{first_row}:"
           f"{get_column_letter(last_col)}{last_row}")
    xml = (frame.xml[:dimension.start(1)] + ref + frame.xml[dimension.end(1):end] +
           "".join(rows) + frame.xml[end:])
    return styles.part(frame.title, xml, frame)


def unique(title: str, taken: set[str]) -> str:
    """A sheet name no other sheet of the workbook has (at most 31 characters)."""
    while title in taken:
        title = title[:28] + f"~{len(taken)}"
    taken.add(title)
    return title


class _Entries:
    """The files openpyxl's writer writes, in order (the writer asks for their names), and
    which of them are sheets."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, bytes]] = []
        self.sheets: list[int] = []

    def writestr(self, name: str, data: bytes | str) -> None:
        self.entries.append((name, data.encode("utf-8") if isinstance(data, str) else data))

    def namelist(self) -> list[str]:
        return [name for name, _ in self.entries]


class _Writer(ExcelWriter):  # type: ignore[misc]
    """openpyxl's writer with each sheet's XML given: the workbook's own files around them."""

    def __init__(self, wb: Workbook, archive: _Entries, sheets: dict[int, str]):
        super().__init__(wb, archive)
        self.sheets = sheets

    def write_worksheet(self, ws: Worksheet) -> None:
        self._archive.sheets.append(len(self._archive.entries))
        self._archive.writestr(ws.path[1:], self.sheets[id(ws)])
        self.manifest.append(ws)


def join(parts: Sequence[SheetPart], doc: Document, store: Cache | None = None,
         base: str = "") -> bytes:
    """The workbook of the parts, in order, with the document's author and date: identical
    bytes for identical parts (no clock in it).

    The workbook's own files (workbook.xml, styles.xml, the properties, content types and
    relationships) depend on the sheets' names and print titles, the styles gathered and the
    document's heading, not on the cells: they are kept in `store` under these and `base`
    (the code and libraries that write them), and after an edit only the sheets are joined."""
    store = store or Cache(None)
    styles = _Styles.of(Workbook())  # a new workbook's defaults
    taken: set[str] = set()
    sheets = [(unique(part.title, taken), part.print_rows, part.print_cols,
               renumber(part.xml, styles.numbers(part))) for part in parts]
    key = digest(base, "xlsx-workbook", json.dumps([s[:3] for s in sheets], ensure_ascii=False),
                 json.dumps([styles.lists[name].items for name in LISTS]),
                 json.dumps(styles.formats.items), json.dumps(list(styles.xfs)),
                 doc.timestamp.isoformat(), doc.author, doc.title)
    blob = store.get("xlsx-workbook", key)
    kept = _unpack_wrapper(blob, len(sheets))
    if blob is None or kept is None:
        archive = _wrapper(sheets, styles, doc)
        kept = ([name for name, _ in archive.entries],
                [data if i not in archive.sheets else None
                 for i, (_, data) in enumerate(archive.entries)])
        store.put("xlsx-workbook", key, _pack_wrapper(*kept))
    names, datas = kept
    xml = iter(s[3].encode("utf-8") for s in sheets)
    entries = [(name, data if data is not None else next(xml)) for name, data in zip(names, datas,
                                                                                       strict=True)]
    return ooxml.pack(entries, doc.timestamp.year)


def _wrapper(sheets: list[tuple[str, str | None, str | None, str]], styles: _Styles,
             doc: Document) -> _Entries:
    """openpyxl's writer's files for these sheets (named, with print titles and XML)."""
    wb = Workbook()
    default = wb.active
    by_id: dict[int, str] = {}
    for title, print_rows, print_cols, xml in sheets:
        ws = wb.create_sheet(title)
        if print_rows:
            ws.print_title_rows = print_rows
        if print_cols:
            ws.print_title_cols = print_cols
        by_id[id(ws)] = xml
    wb.remove(default)
    styles.install(wb)
    stamp = doc.timestamp.replace(tzinfo=None)
    props = wb.properties
    props.created = props.modified = stamp
    props.creator = props.lastModifiedBy = doc.author
    props.title = doc.title
    archive = _Entries()
    _Writer(wb, archive, by_id).write_data()
    return archive


def _pack_wrapper(names: list[str], datas: list[bytes | None]) -> bytes:
    """The workbook's own files, and where the sheets go (a length of -1)."""
    head = json.dumps([[n, -1 if d is None else len(d)] for n, d in zip(names, datas, strict=True)],
                      ensure_ascii=False).encode("utf-8")
    return len(head).to_bytes(8, "big") + head + b"".join(d for d in datas if d is not None)


def _unpack_wrapper(blob: bytes | None, sheets: int) -> tuple[list[str], list[bytes | None]] | None:
    """`_pack_wrapper`'s lists, or None when the blob does not read back with this many sheets."""
    if blob is None:
        return None
    try:
        size = int.from_bytes(blob[:8], "big")
        listed = json.loads(blob[8:8 + size])
        names: list[str] = []
        datas: list[bytes | None] = []
        at = 8 + size
        for name, length in listed:
            names.append(str(name))
            datas.append(None if length < 0 else blob[at:at + length])
            at += max(length, 0)
    except (ValueError, TypeError):
        return None
    if at != len(blob) or sum(d is None for d in datas) != sheets:
        return None
    return names, datas
