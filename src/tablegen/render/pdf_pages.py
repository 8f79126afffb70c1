"""Laid-out pages as the PDF engine keeps them: a run of pages (one table's, the 目录's, a block
of page-number stamps) cut out of what WeasyPrint wrote, with its fonts left open.

WeasyPrint writes one PDF per layout, and what it writes for a page depends on its neighbours in
that layout: every font of the layout is in each page's resources, and a font's widths, its
Unicode map and its bounding box list the glyphs of every page laid out with it. A `Pages` keeps
only what its own pages show: each page's content as WeasyPrint drew it, resources that name
only what the page uses, and each known font (`pdf_fonts`) as a stub with, beside it, the font's
fixed entries and the widths and characters of the glyphs these pages show. The joiner
(`pdf_join`) makes each file's one font dictionary per font from these, so that a table's bytes
in a file never depend on which tables it was laid out with: a build from the cache after an
edit gives the bytes of a cold build.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from . import pdf_fonts

STUB = "/TablegenFont"  # the key of a stub font dictionary: the font's key in `Pages.fonts`
# What a content stream names in each kind of resource (fonts are found with their glyphs).
_USES = {
    "/XObject": re.compile(rb"/([^\s/<>\[\]()]+)\s+Do\b"),
    "/ExtGState": re.compile(rb"/([^\s/<>\[\]()]+)\s+gs\b"),
    "/Pattern": re.compile(rb"/([^\s/<>\[\]()]+)\s+(?:scn|SCN)\b"),
    "/Shading": re.compile(rb"/([^\s/<>\[\]()]+)\s+sh\b"),
    "/ColorSpace": re.compile(rb"/([^\s/<>\[\]()]+)\s+(?:cs|CS)\b"),
}
_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Rotate")


@dataclass
class Font:
    """A known font as some pages show it: its fixed entries, the widths and characters of
    the glyphs they show, and its program (`<font file identity>:<face>`, see pdf_fonts)."""

    program: str
    fixed: dict[str, Any]  # JSON of the Type0, CIDFont and descriptor entries that never vary
    widths: dict[int, Any] = field(default_factory=dict)
    chars: dict[int, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"program": self.program, "fixed": self.fixed,
                "widths": [[g, _num_json(w)] for g, w in sorted(self.widths.items())],
                "chars": [[g, c] for g, c in sorted(self.chars.items())]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Font:
        return cls(data["program"], data["fixed"],
                   {int(g): _num_from_json(w) for g, w in data["widths"]},
                   {int(g): str(c) for g, c in data["chars"]})


@dataclass
class Pages:
    """A run of laid-out pages: a small PDF of them (known fonts as stubs), each page's glyphs
    per font, the fonts."""

    pdf: bytes
    glyphs: list[dict[str, set[int]]]  # per page: font key → glyph ids it shows
    fonts: dict[str, Font]

    @property
    def count(self) -> int:
        return len(self.glyphs)

    def dump(self) -> bytes:
        head = json.dumps({"glyphs": [{k: sorted(v) for k, v in sorted(page.items())}
                                      for page in self.glyphs],
                           "fonts": {k: f.to_json() for k, f in sorted(self.fonts.items())}},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        return len(head).to_bytes(8, "big") + head + self.pdf

    @classmethod
    def load(cls, data: bytes) -> Pages:
        size = int.from_bytes(data[:8], "big")
        head = json.loads(data[8:8 + size])
        return cls(data[8 + size:], [{k: set(v) for k, v in page.items()} for page in head["glyphs"]],
                   {k: Font.from_json(v) for k, v in head["fonts"].items()})


def cut(pdf: bytes, starts: list[int]) -> list[Pages]:
    """The runs of a WeasyPrint PDF that begin on the pages `starts` (0 first), each to the next."""
    src = Pdf.open(io.BytesIO(pdf))
    ends = [*starts[1:], len(src.pages)]
    keys: dict[tuple[int, int], tuple[str, Font] | None] = {}  # font object → key and font
    return [_run(src, range(a, b), keys) for a, b in zip(starts, ends, strict=True)]


def _run(src: Pdf, pages: range, keys: dict[tuple[int, int], tuple[str, Font] | None]) -> Pages:
    dst = Pdf.new()
    glyphs: list[dict[str, set[int]]] = []
    fonts: dict[str, Font] = {}
    for i in pages:
        page = src.pages[i].obj
        shown: dict[str, set[int]] = {}
        new = Dictionary(Type=Name.Page)
        for box in _BOXES:
            if box in page:
                new[box] = copy(dst, page[box])
        contents = page.get("/Contents")
        if contents is not None:
            new.Contents = copy(dst, contents)
        new.Resources = _resources(dst, page.get("/Resources"), _content(contents), shown, fonts, keys)
        links = [a for a in page.get("/Annots", ()) if _uri_link(a)]
        if links:
            new.Annots = Array([copy(dst, a) for a in links])
        dst.pages.append(pikepdf.Page(new))
        glyphs.append(shown)
    for key, font in fonts.items():  # only what these pages show
        used = set().union(*(g.get(key, set()) for g in glyphs))
        font.widths = {g: w for g, w in font.widths.items() if g in used}
        font.chars = {g: c for g, c in font.chars.items() if g in used}
    buf = io.BytesIO()
    dst.save(buf, static_id=True, compress_streams=True)
    return Pages(buf.getvalue(), glyphs, fonts)


def copy(dst: Pdf, obj: Any) -> Any:
    """An object of another PDF in `dst`: indirect ones through qpdf, direct ones rebuilt."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return dst.copy_foreign(obj)
    if isinstance(obj, Array):
        return Array([copy(dst, x) for x in obj])
    if isinstance(obj, Dictionary):
        return Dictionary({k: copy(dst, v) for k, v in obj.items()})
    return obj


def _content(contents: Any) -> bytes:
    if contents is None:
        return b""
    if isinstance(contents, Array):
        return b"\n".join(bytes(part.read_bytes()) for part in contents)
    return bytes(contents.read_bytes())


def _uri_link(annot: Any) -> bool:
    """A link to a web address (a link into the laid-out part would lead nowhere once cut)."""
    action = annot.get("/A")
    return annot.get("/Subtype") == Name.Link and action is not None and action.get("/S") == Name.URI


def _resources(dst: Pdf, res: Any, content: bytes, shown: dict[str, set[int]],
               fonts: dict[str, Font], keys: dict[tuple[int, int], tuple[str, Font] | None],
               depth: int = 0) -> Dictionary:
    """The resources a content stream uses, known fonts as stubs; `shown` gets its glyphs."""
    out = Dictionary()
    if res is None:
        return out
    by_name = pdf_fonts.glyphs_by_name(content)
    font_res = res.get("/Font")
    if by_name and font_res is not None:
        used = Dictionary()
        for name in sorted(by_name):
            ref = font_res.get("/" + name)
            if ref is None:
                continue
            known = _known(ref, keys)
            if known is None:  # a font tablegen does not know: embedded as WeasyPrint made it
                used["/" + name] = copy(dst, ref)
                continue
            key, font = known
            fonts.setdefault(key, Font(font.program, font.fixed, dict(font.widths), dict(font.chars)))
            used["/" + name] = Dictionary({STUB: pikepdf.String(key)})
            shown.setdefault(key, set()).update(by_name[name])
        out.Font = used
    for kind, pattern in _USES.items():
        found = {b.decode("latin-1") for b in pattern.findall(content)}
        table = res.get(kind)
        if not found or table is None:
            continue
        used = Dictionary()
        for name in sorted(found):
            obj = table.get("/" + name)
            if obj is None:
                continue
            if kind == "/XObject" and obj.get("/Subtype") == Name.Form and depth < 8:
                # A form draws with resources of its own: its fonts become stubs too.
                form = copy(dst, obj)
                form.Resources = _resources(dst, obj.get("/Resources"), bytes(obj.read_bytes()),
                                            shown, fonts, keys, depth + 1)
                used["/" + name] = form
            else:
                used["/" + name] = copy(dst, obj)
        out[kind] = used
    return out


def _known(ref: Any, keys: dict[tuple[int, int], tuple[str, Font] | None]) -> tuple[str, Font] | None:
    """A font dictionary's key and Font when its program is a known font's placeholder."""
    ident = ref.objgen
    if ident in keys:
        return keys[ident]
    program = pdf_fonts.placeholder(ref)
    found = None
    if program is not None and ref.get("/Subtype") == Name.Type0:
        cid = ref.DescendantFonts[0]
        descriptor = cid.FontDescriptor
        fixed = {
            "type0": _fixed(ref, ("/DescendantFonts", "/ToUnicode")),
            "cid": _fixed(cid, ("/W", "/FontDescriptor")),
            "descriptor": _fixed(descriptor, ("/FontFile", "/FontFile2", "/FontFile3", "/FontBBox",
                                              "/CapHeight", "/CIDSet", "/Flags")),
            "flags": int(descriptor.get("/Flags", 0)) & ~1,
        }
        base = str(ref.get("/BaseFont", ""))
        font = Font(program, fixed, _widths(cid.get("/W")), _chars(ref.get("/ToUnicode")))
        found = (f"{base}|{program}", font)
    keys[ident] = found
    return found


def _fixed(obj: Any, skip: tuple[str, ...]) -> dict[str, Any]:
    return {k: to_json(obj[k]) for k in sorted(obj.keys()) if k not in skip}


def _widths(w: Any) -> dict[int, Any]:
    """A CIDFont's /W: `c [w1 w2 …]` and `c_first c_last w` entries."""
    out: dict[int, Any] = {}
    items = list(w) if w is not None else []
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], Array):
            for k, width in enumerate(items[i + 1]):
                out[first + k] = _num(width)
            i += 2
        else:
            last, width = int(items[i + 1]), _num(items[i + 2])
            for g in range(first, last + 1):
                out[g] = width
            i += 3
    return out


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")


def _utf16(hexa: bytes) -> str:
    return bytes.fromhex(hexa.decode()).decode("utf-16-be", errors="replace")


def _chars(stream: Any) -> dict[int, str]:
    """A ToUnicode map: glyph id → text (bfchar and bfrange entries)."""
    if stream is None:
        return {}
    data = bytes(stream.read_bytes())
    out: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        codes = _HEX.findall(block)
        for src, dst in zip(codes[::2], codes[1::2], strict=False):
            out[int(src, 16)] = _utf16(dst)
    for block in _BFRANGE.findall(data):
        for line in block.splitlines():
            codes = _HEX.findall(line)
            if len(codes) < 3:
                continue
            lo, hi = int(codes[0], 16), int(codes[1], 16)
            if b"[" in line:
                for k, dst in enumerate(codes[2:]):
                    out[lo + k] = _utf16(dst)
            else:
                start = bytes.fromhex(codes[2].decode())
                for k in range(hi - lo + 1):
                    last = int.from_bytes(start[-2:], "big") + k
                    out[lo + k] = (start[:-2] + last.to_bytes(2, "big")).decode("utf-16-be", errors="replace")
    return out


def _num(value: Any) -> Any:
    number = Decimal(str(value)) if not isinstance(value, int) else value
    return int(number) if isinstance(number, Decimal) and number == number.to_integral() else number


def _num_json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _num_from_json(value: Any) -> Any:
    return Decimal(value) if isinstance(value, str) else value


# -- PDF objects as JSON (the fixed entries of a font) ---------------------------------------

def to_json(obj: Any) -> Any:
    """A direct PDF object as JSON: names, strings, numbers, arrays, dictionaries, streams."""
    if isinstance(obj, Name):
        return ["n", str(obj)]
    if isinstance(obj, pikepdf.String):
        return ["s", bytes(obj).hex()]
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, Decimal):
        return ["d", str(obj)]
    if isinstance(obj, Array):
        return [to_json(x) for x in obj]
    if isinstance(obj, pikepdf.Stream):
        return ["x", {k: to_json(obj[k]) for k in sorted(obj.keys()) if k not in ("/Length", "/Filter",
                                                                                  "/DecodeParms")},
                bytes(obj.read_bytes()).hex()]
    if isinstance(obj, Dictionary):
        return {k: to_json(obj[k]) for k in sorted(obj.keys())}
    if obj is None:
        return None
    return ["d", str(obj)]


def from_json(pdf: Pdf, data: Any) -> Any:
    """The PDF object of `to_json`'s JSON, in `pdf` (streams made indirect there)."""
    if isinstance(data, dict):
        return Dictionary({k: from_json(pdf, v) for k, v in data.items()})
    if isinstance(data, list) and data and isinstance(data[0], str) and data[0] in ("n", "s", "d", "x"):
        tag = data[0]
        if tag == "n":
            return Name(data[1])
        if tag == "s":
            return pikepdf.String(bytes.fromhex(data[1]))
        if tag == "d":
            return Decimal(data[1])
        stream = pikepdf.Stream(pdf, bytes.fromhex(data[2]))
        for k, v in data[1].items():
            stream[k] = from_json(pdf, v)
        return pdf.make_indirect(stream)
    if isinstance(data, list):
        return Array([from_json(pdf, x) for x in data])
    return data


def walk_fonts(resources: Any, depth: int = 0) -> Iterator[tuple[Any, str]]:
    """(font table, name) of every font a page's resources and its forms name."""
    if resources is None or depth > 8:
        return
    table = resources.get("/Font")
    if table is not None:
        for name in list(table.keys()):
            yield table, name
    xobjects = resources.get("/XObject")
    for name in list(xobjects.keys()) if xobjects is not None else []:
        form = xobjects[name]
        if form.get("/Subtype") == Name.Form:
            yield from walk_fonts(form.get("/Resources"), depth + 1)
