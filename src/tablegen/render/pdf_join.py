"""One PDF file from runs of laid-out pages (`pdf_pages.Pages`), joined by qpdf (pikepdf).

Each page comes as WeasyPrint drew it; a page-number stamp is drawn over it; each known font
gets one dictionary per file and one subset program per font file (`pdf_fonts.subset`), made
from the glyphs that file's pages show; then the outline and the document information. qpdf
numbers the objects by where they stand in the file, not by the order they were made, and the
file's /ID is a hash of its content: the same pages give the same bytes, whatever was laid out
with what.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from ..cache import Cache
from . import pdf_fonts
from .pdf_pages import STUB, Font, Pages, copy, from_json, walk_fonts

_TO_UNICODE_HEAD = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
                    b"<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
                    b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n"
                    b"<0000> <ffff>\nendcodespacerange\n")
_TO_UNICODE_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"


@dataclass
class Entry:
    """An outline entry: its title, the page (0-based) it leads to, the entries under it."""

    title: str
    page: int
    children: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    """A page of the file: page `index` of a run, and the stamp drawn over it (or none)."""

    run: Pages
    index: int
    stamp: tuple[Pages, int] | None = None


def join(pages: Sequence[Page], outline: list[Entry], info: dict[str, str], store: Cache,
         narrowed: pdf_fonts.Narrowed | None = None) -> bytes:
    """The PDF of the pages in order, with its fonts (subsets made from `narrowed` where it
    holds them), outline and document information."""
    out = Pdf.new()
    opened: dict[int, Pdf] = {}

    def source(run: Pages) -> Pdf:
        if id(run) not in opened:
            opened[id(run)] = Pdf.open(io.BytesIO(run.pdf))
        return opened[id(run)]

    fonts = _fonts(out, pages, store, narrowed)
    q, between, end = (out.make_stream(b"q\n"), out.make_stream(b"\nQ\nq\n"),
                       out.make_stream(b"\nQ\n"))
    for page in pages:
        out.pages.append(source(page.run).pages[page.index])
        new = out.pages[-1].obj
        if page.stamp is not None:
            _stamp(out, new, source(page.stamp[0]).pages[page.stamp[1]].obj, (q, between, end))
        for table, name in walk_fonts(new.get("/Resources")):
            font = table[name]
            if STUB in font:
                table[name] = fonts[str(font[STUB])]
    if outline:
        with out.open_outline() as tree:
            tree.root.extend(_outline_items(outline))
    out.docinfo = out.make_indirect(Dictionary({f"/{k}": pikepdf.String(v) for k, v in info.items()}))
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buf.getvalue()


def _stamp(out: Pdf, page: Any, stamp: Any, wrap: tuple[Any, Any, Any]) -> None:
    """Draw a stamp page over a page: both contents kept apart by q/Q, the stamp's fonts added
    to the page's (one of another font under a name the page already uses is renamed)."""
    q, between, end = wrap
    contents = page.get("/Contents")
    parts = list(contents) if isinstance(contents, Array) else [contents] if contents else []
    drawn = copy(out, stamp.Contents)
    resources = page.get("/Resources")
    if resources is None:
        resources = page.Resources = Dictionary()
    if "/Font" not in resources:
        resources.Font = Dictionary()
    renamed: dict[str, str] = {}
    for name, font in stamp.Resources.get("/Font", Dictionary()).items():
        mine = resources.Font.get(name)
        if mine is None:
            resources.Font[name] = copy(out, font)
        elif mine.get(STUB) != font.get(STUB) or STUB not in font:
            other = next(f"{name}s{i}" for i in range(1, 10**6) if f"{name}s{i}" not in resources.Font)
            resources.Font[other] = copy(out, font)
            renamed[name[1:]] = other[1:]
    if renamed:
        data = bytes(drawn.read_bytes())
        for old, new in renamed.items():
            data = re.sub(rb"/" + re.escape(old.encode()) + rb"(\s+[-+\d.]+\s+Tf)",
                          b"/" + new.encode() + rb"\1", data)
        drawn = out.make_stream(data)
    page.Contents = Array([q, *parts, between, drawn, end])


def _outline_items(entries: list[Entry]) -> list[pikepdf.OutlineItem]:
    items = []
    for entry in entries:
        item = pikepdf.OutlineItem(entry.title, entry.page, "Fit")
        item.children.extend(_outline_items(entry.children))
        items.append(item)
    return items


def glyphs_shown(pages: Sequence[Page]) -> dict[str, set[int]]:
    """The glyphs of each font program the pages show, their stamps included."""
    return _shown(pages)[1]


def _shown(pages: Sequence[Page]) -> tuple[dict[str, Font], dict[str, set[int]]]:
    """Each known font the pages show (key → its widths and characters there), and the glyphs
    shown of each font program."""
    shown: dict[str, set[int]] = {}
    found: dict[str, Font] = {}
    for page in pages:
        sources = [(page.run, page.index)] + ([page.stamp] if page.stamp is not None else [])
        for run, index in sources:
            for key, glyphs in run.glyphs[index].items():
                shown.setdefault(key, set()).update(glyphs)
                font = run.fonts[key]
                mine = found.setdefault(key, Font(font.program, font.fixed))
                for g in glyphs:
                    if g in font.widths:
                        mine.widths.setdefault(g, font.widths[g])
                    if g in font.chars:
                        mine.chars.setdefault(g, font.chars[g])
    by_program: dict[str, set[int]] = {}
    for key, font in found.items():
        by_program.setdefault(font.program, set()).update(shown[key])
    return found, by_program


def _fonts(out: Pdf, pages: Sequence[Page], store: Cache,
           narrowed: pdf_fonts.Narrowed | None) -> dict[str, Any]:
    """Each known font the pages show, once in `out`: key → its Type0 dictionary."""
    found, by_program = _shown(pages)
    programs: dict[str, Any] = {}
    for program in sorted(by_program):
        data, is_cff = pdf_fonts.subset(program, by_program[program], store, narrowed)
        stream = pikepdf.Stream(out, data)
        if is_cff:
            stream.Subtype = Name("/CIDFontType0C")
        else:
            stream.Length1 = len(data)
        programs[program] = (out.make_indirect(stream), "/FontFile3" if is_cff else "/FontFile2")
    return {key: _font(out, found[key], programs[found[key].program]) for key in sorted(found)}


def _font(out: Pdf, font: Font, program: tuple[Any, str]) -> Any:
    """A Type0 font dictionary as WeasyPrint writes one, for the glyphs this file shows."""
    widths = font.widths
    fixed = font.fixed
    descriptor = from_json(out, fixed["descriptor"])
    ascent, descent = descriptor.get("/Ascent", 0), descriptor.get("/Descent", 0)
    max_x = max(widths.values()) if widths else 0
    flags = int(fixed["flags"])
    if len(widths) > 1 and len(set(widths.values())) == 1:
        flags += 1  # FixedPitch
    descriptor.Flags = flags
    descriptor.FontBBox = Array([0, descent, _number(max_x), ascent])
    descriptor.CapHeight = ascent
    descriptor[program[1]] = program[0]
    cid = from_json(out, fixed["cid"])
    cid.W = _w_array(widths)
    cid.FontDescriptor = out.make_indirect(descriptor)
    type0 = from_json(out, fixed["type0"])
    type0.DescendantFonts = Array([out.make_indirect(cid)])
    type0.ToUnicode = out.make_indirect(pikepdf.Stream(out, _to_unicode(font.chars)))
    return out.make_indirect(type0)


def _number(value: Any) -> Any:
    return value if isinstance(value, int | Decimal) else Decimal(str(value))


def _w_array(widths: dict[int, Any]) -> Array:
    """`first [w w …]` for each run of consecutive glyph ids, as WeasyPrint writes /W."""
    out = Array()
    run: Array | None = None
    for gid in sorted(widths):
        if run is None or gid - 1 not in widths:
            out.append(gid)
            run = Array()
            out.append(run)
        run.append(_number(widths[gid]))
    return out


def _to_unicode(chars: dict[int, str]) -> bytes:
    """A ToUnicode CMap of the glyphs, 100 `bfchar` entries a block."""
    items = sorted(chars.items())
    lines = [_TO_UNICODE_HEAD]
    for i in range(ceil(len(items) / 100)):
        block = items[i * 100:(i + 1) * 100]
        lines.append(f"{len(block)} beginbfchar\n".encode())
        for gid, text in block:
            lines.append(f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>\n".encode())
        lines.append(b"endbfchar\n")
    lines.append(_TO_UNICODE_TAIL)
    return b"".join(lines)
