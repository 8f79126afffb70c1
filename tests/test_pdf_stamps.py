"""Page-number stamps made from the template WeasyPrint lays out once: the stamps WeasyPrint
itself lays out, bar the run's left edge, which moves by less than a hundredth of a pixel; a
template that is not as expected makes none."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pikepdf
import pytest

from tablegen.document import Page
from tablegen.load.glyphs import fallback_font
from tablegen.render import pdf_fonts
from tablegen.render.fonts import font_face_css
from tablegen.render.pdf import STAMPS, footer_css
from tablegen.render.pdf_jobs import Job
from tablegen.render.pdf_layout import layout
from tablegen.render.pdf_pages import Pages
from tablegen.render.pdf_stamps import FIRST, Template

_LEFT = re.compile(rb"1 0 0 -1 (-?[\d.]+) (-?[\d.]+) Tm")


def _laid(pages: int, first: int, css: str = "") -> Pages:
    font = fallback_font()
    html = ('<html><body style="margin:0">'
            + '<div style="break-after:page"></div>' * (pages - 1) + "<div></div></body></html>")
    job = Job(html, "file:///", (str(font),) if font else (),
              font_face_css() + (css or footer_css(Page()))
              + f"@page:first {{ counter-reset: page {first}; }}", tuple(pdf_fonts.known_fonts()))
    return Pages.load(layout(job).runs[0])


def _drawings(pages: Pages) -> list[bytes]:
    return [bytes(p.obj.Contents.read_bytes()) for p in pikepdf.open(io.BytesIO(pages.pdf)).pages]


@pytest.fixture(scope="module")
def template() -> Template:
    made = Template.read(_laid(2, FIRST))
    assert made is not None
    return made


@pytest.mark.parametrize("block", [0, 31])  # — 1 — … — 32 —; — 993 — … — 1024 —
def test_a_block_made_from_the_template_is_the_block_weasyprint_lays_out(template, block):
    first = STAMPS * block + 1
    made, laid = template.block(first, STAMPS), _laid(STAMPS, first)
    assert made.glyphs == laid.glyphs
    assert {k: (f.program, f.fixed, f.widths, f.chars) for k, f in made.fonts.items()} == {
        k: (f.program, f.fixed, f.widths, f.chars) for k, f in laid.fonts.items()}
    for mine, theirs in zip(_drawings(made), _drawings(laid), strict=True):
        assert _LEFT.sub(b"LEFT", mine) == _LEFT.sub(b"LEFT", theirs)
        left = [Decimal(_LEFT.search(d).group(1).decode()) for d in (mine, theirs)]  # type: ignore[union-attr]
        assert abs(left[0] - left[1]) < Decimal("0.01")


def test_a_template_that_is_not_as_expected_makes_no_stamps():
    other_text = footer_css(Page()).replace('"— " counter(page) " —"', '"第 " counter(page) " 页"')
    assert other_text != footer_css(Page())
    assert Template.read(_laid(2, FIRST, other_text)) is None
    # Set on the left of a box of its own width, the second does not keep the first's centre.
    on_the_left = footer_css(Page()).replace("font-size:", "width: 60mm; text-align: left; font-size:")
    assert Template.read(_laid(2, FIRST, on_the_left)) is None
    assert Template.read(_laid(1, FIRST)) is None  # one stamp: nothing to check it by
    assert Template.read(_laid(2, 7)) is None  # not every digit
    # The second stamp drawn otherwise around its run (in red).
    red = footer_css(Page()) + "@page :nth(2) { @bottom-center { color: red } }"
    assert Template.read(_laid(2, FIRST, red)) is None
    # A glyph read as two characters (a ligature of 1 and 2), the next as none.
    good = _laid(2, FIRST)
    assert Template.read(good) is not None
    (font,) = good.fonts.values()
    one, two = (next(g for g, c in font.chars.items() if c == d) for d in "12")
    font.chars[one], font.chars[two] = "12", ""
    assert Template.read(good) is None
