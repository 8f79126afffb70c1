"""Page-number stamps `— N —` made from one layout, not laid out by WeasyPrint block by block.

A block of 32 stamps took WeasyPrint a third of a second: a tenth of a cold PDF's work went on
page numbers. Now WeasyPrint lays out a template of two stamps once, `— 1234567890 —` and
`— 1234567891 —`: every digit, with its glyph and its width. The stamp of any number is the
first one's drawing with its glyphs changed and its left edge moved so that the text keeps its
centre, as WeasyPrint centres the footer. The second stamp checks that: if it does not stand
where the first says it would, or a drawing is not the one text run of known glyphs this
expects, nothing is made from the template (`Template.read` gives None) and the engine lays the
blocks out with WeasyPrint, as before.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from pikepdf import Pdf

from .pdf_pages import Font, Pages

FIRST = 1234567890  # the template's first number: every digit once
# The footer's one text run as WeasyPrint draws it: its place, font and size, its glyphs.
_RUN = re.compile(rb"BT\n1 0 0 -1 (-?[\d.]+) (-?[\d.]+) Tm\n(/[^\s/<>\[\]()]+) ([\d.]+) Tf\n"
                  rb"\[((?:<[0-9a-f]{4}>0)+)\] TJ\nET\n")
_SHOWS = re.compile(rb"(?:\bT[jJ]\b|['\"])")  # every operator that shows text
_TOLERANCE = Decimal("0.001")  # of a CSS pixel, where the second stamp must stand


def text(number: int) -> str:
    return f"— {number} —"


@dataclass(frozen=True)
class Template:
    """The first stamp's drawing around its run, and what the run's glyphs and place are made
    of (see the module)."""

    template: Pages
    head: bytes  # the drawing before the run
    y: bytes
    font: bytes  # the run's font resource name, as drawn
    size: bytes
    tail: bytes  # the drawing after the run
    key: str  # the font's key in `Pages.fonts`
    glyph: dict[str, int]  # character → glyph id
    centre: Decimal

    @classmethod
    def read(cls, template: Pages) -> Template | None:
        """The template's two stamps read, or None where they are not as expected."""
        if template.count != 2 or len(template.glyphs[0]) != 1:
            return None
        (key,) = template.glyphs[0]
        if list(template.glyphs[1]) != [key]:
            return None
        pdf = Pdf.open(io.BytesIO(template.pdf))
        drawn = [bytes(page.obj.Contents.read_bytes()) for page in pdf.pages]
        runs = [_RUN.search(data) for data in drawn]
        first, second = runs
        if (first is None or second is None
                or any(len(_SHOWS.findall(data)) != 1 for data in drawn)
                or first.group(2, 3, 4) != second.group(2, 3, 4)  # another place, font, size
                or drawn[0][:first.start()] != drawn[1][:second.start()]
                or drawn[0][first.end():] != drawn[1][second.end():]):
            return None
        font = template.fonts[key]
        gids = [_gids(m.group(5)) for m in (first, second)]
        chars = [[font.chars.get(g) for g in run] for run in gids]
        pairs = {(c, g) for run, ids in zip(chars, gids, strict=True)
                 for c, g in zip(run, ids, strict=True)}
        glyph = {c: g for c, g in pairs if c is not None}
        # Each glyph one character, each character one glyph, every one the stamps need.
        if (["".join(c or "\0" for c in run) for run in chars] != [text(FIRST), text(FIRST + 1)]
                or len(pairs) != len(glyph) or set(glyph) != set(text(FIRST))
                or any(g not in font.widths for run in gids for g in run)):
            return None
        size = Decimal(first.group(4).decode())
        centre = Decimal(first.group(1).decode()) + _width(font, gids[0]) * size / 2000
        made = cls(template, drawn[0][:first.start()], first.group(2), first.group(3),
                   first.group(4), drawn[0][first.end():], key, glyph, centre)
        if abs(made.left(FIRST + 1) - Decimal(second.group(1).decode())) > _TOLERANCE:
            return None
        return made

    def left(self, number: int) -> Decimal:
        """Where the run of a number's stamp starts, for its centre to stay."""
        font = self.template.fonts[self.key]
        size = Decimal(self.size.decode())
        return self.centre - _width(font, [self.glyph[c] for c in text(number)]) * size / 2000

    def drawing(self, number: int) -> bytes:
        """A number's stamp, drawn as WeasyPrint draws the template's."""
        gids = [self.glyph[c] for c in text(number)]
        run = b"".join(b"<%04x>0" % g for g in gids)
        return (self.head + b"BT\n1 0 0 -1 " + _number(self.left(number)) + b" " + self.y
                + b" Tm\n" + self.font + b" " + self.size + b" Tf\n[" + run + b"] TJ\nET\n"
                + self.tail)

    def block(self, first: int, count: int) -> Pages:
        """The stamps of the numbers first … first + count - 1, one a page."""
        source = Pdf.open(io.BytesIO(self.template.pdf))
        out = Pdf.new()
        glyphs: list[dict[str, set[int]]] = []
        shown: set[int] = set()
        for number in range(first, first + count):
            out.pages.append(source.pages[0])
            out.pages[-1].obj.Contents = out.make_stream(self.drawing(number))
            glyphs.append({self.key: {self.glyph[c] for c in text(number)}})
            shown |= glyphs[-1][self.key]
        font = self.template.fonts[self.key]
        kept = Font(font.program, font.fixed, {g: w for g, w in font.widths.items() if g in shown},
                    {g: c for g, c in font.chars.items() if g in shown})
        buf = io.BytesIO()
        out.save(buf, deterministic_id=True)
        return Pages(buf.getvalue(), glyphs, {self.key: kept})


def _gids(run: bytes) -> list[int]:
    return [int(g, 16) for g in re.findall(rb"<([0-9a-f]{4})>", run)]


def _width(font: Font, gids: list[int]) -> Decimal:
    return sum((Decimal(str(font.widths[g])) for g in gids), Decimal(0))


def _number(value: Decimal) -> bytes:
    """A number as WeasyPrint writes one into a drawing (pydyf)."""
    as_float = float(value)
    if as_float.is_integer():
        return str(int(as_float)).encode("ascii")
    return f"{as_float:f}".rstrip("0").encode("ascii")
