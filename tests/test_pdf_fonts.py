"""The CFF charset check that decides whether a font's subset may renumber its glyphs: read as
it stands, it must agree with fontTools' full reading of the charset."""

from __future__ import annotations

import io

import pytest
from fontTools.cffLib import parseCharset

from tablegen.render.pdf_fonts import _cid_keyed, identity_charset, known_fonts


def _ranges(fmt: int, ranges: list[tuple[int, int]]) -> bytes:
    size = 1 if fmt == 1 else 2
    return bytes([fmt]) + b"".join(first.to_bytes(2, "big") + left.to_bytes(size, "big")
                                   for first, left in ranges)


def _format0(cids: list[int]) -> bytes:
    return b"\0" + b"".join(c.to_bytes(2, "big") for c in cids)


def _fonttools_says(charset: bytes, glyphs: int) -> bool:
    if charset[0] == 0:
        file = io.BytesIO(charset[1:])
        names = [".notdef"] + [f"cid{int.from_bytes(file.read(2), 'big'):05d}"
                               for _ in range(glyphs - 1)]
    else:
        names = parseCharset(glyphs, io.BytesIO(charset[1:]), None, True, charset[0])
    return len(names) == glyphs and all(n == f"cid{g:05d}" for g, n in enumerate(names) if g)


CASES = [
    (_ranges(2, [(1, 65533)]), 65535, True),  # Noto CJK: one range
    (_ranges(2, [(1, 9), (11, 4)]), 16, True),  # two ranges that follow on
    (_ranges(2, [(1, 9), (12, 4)]), 16, False),  # a CID skipped
    (_ranges(1, [(1, 200), (202, 10)]), 213, True),
    (_ranges(1, [(2, 10)]), 12, False),  # glyph 1 is CID 2
    (_ranges(2, [(1, 20)]), 12, False),  # more CIDs than glyphs
    (_format0(list(range(1, 50))), 50, True),
    (_format0([*range(1, 10), 11, *range(11, 50)]), 50, False),
]


@pytest.mark.parametrize(("charset", "glyphs", "expected"), CASES)
def test_the_charset_is_read_as_fonttools_reads_it(charset: bytes, glyphs: int, expected: bool) -> None:
    assert _fonttools_says(charset, glyphs) is expected
    cff = b"HEAD" + charset
    assert identity_charset(cff, 4, glyphs) is expected


def test_a_predefined_or_cut_charset_is_not_taken_for_cids() -> None:
    assert identity_charset(b"HEAD" + _ranges(2, [(1, 9)]), 2, 11) is False  # offset 2: Expert
    assert identity_charset(b"HEAD" + _ranges(2, [(1, 9)])[:-1], 4, 11) is False
    assert identity_charset(b"HEAD" + b"\x03\0\1", 4, 2) is False  # no such format
    assert _cid_keyed(b"") is False
    assert _cid_keyed(b"not a CFF table at all") is False


def test_the_installed_cjk_fonts_agree_with_fonttools() -> None:
    import uharfbuzz as hb
    from fontTools.cffLib import CFFFontSet

    checked = 0
    for path in known_fonts().values():
        cff = hb.Face(hb.Blob.from_file_path(path), 0).reference_table("CFF ").data
        if not cff:
            continue
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(cff), None, isCFF2=False)
        top = fonts.topDictIndex[0]
        slow = hasattr(top, "ROS") and all(
            name == f"cid{gid:05d}" for gid, name in enumerate(top.charset) if gid)
        assert _cid_keyed(cff) is slow
        checked += 1
    assert checked  # the fallback font is a CID-keyed CFF font, installed with tablegen


def test_a_cff_subset_draws_each_glyph_as_the_font_does_with_no_subroutines(tmp_path) -> None:
    """A table's subset of a CID-keyed CFF font: its subroutines written into the glyphs (none
    is left), each glyph under its CID drawn with the same outline as in the whole font."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.pens.recordingPen import RecordingPen

    from tablegen.cache import Cache
    from tablegen.render.pdf_fonts import _face, subset

    def outlines(cff: bytes, cids: list[int]) -> tuple[list[object], object]:
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(cff), None, isCFF2=False)
        top = fonts.topDictIndex[0]
        strings = top.CharStrings
        drawn = []
        for cid in cids:
            pen = RecordingPen()
            strings[f"cid{cid:05d}" if cid else ".notdef"].draw(pen)
            drawn.append(pen.value)
        return drawn, top

    font = next((f"{ident}:0" for ident in known_fonts() if _face(f"{ident}:0")[1]), None)
    assert font is not None  # the fallback font is a CID-keyed CFF font
    whole = _face(font)[0].reference_table("CFF ").data
    cids = [0, 3, 17, 1000, 20000, 30000]  # .notdef, Latin, CJK
    data, renumbered = subset(font, set(cids), Cache(None))
    assert renumbered
    mine, top = outlines(data, cids)
    assert mine == outlines(whole, cids)[0]
    assert len(top.GlobalSubrs) == 0
    fds = top.FDArray if hasattr(top, "FDArray") else [top]
    assert all(not getattr(fd.Private, "Subrs", None) for fd in fds)


def test_a_batch_of_subsets_made_from_the_narrowed_font_are_those_of_the_whole_font(
        monkeypatch) -> None:
    """Each subset of a batch (a chunk's tables, each its own PDF) made from the font narrowed
    to the batch's glyphs is, byte for byte, the subset made from the whole font, for every
    CID-keyed CFF face installed; glyphs the batch does not show, or a font that is not one,
    are subset from the whole font."""
    import random

    from tablegen.cache import Cache
    from tablegen.render import pdf_fonts

    rng = random.Random(7)
    checked = 0
    for ident in known_fonts():
        for index in (0, 3):
            font = f"{ident}:{index}"
            face, is_cff = pdf_fonts._face(font)
            if not is_cff:
                continue
            common = rng.sample(range(1, face.glyph_count), 600)
            batch = [set(rng.sample(common, 120)) | {rng.randrange(1, face.glyph_count)}
                     for _ in range(6)]
            narrowed = pdf_fonts.Narrowed({font: set().union(*batch)})
            for glyphs in batch:
                assert (pdf_fonts.subset(font, glyphs, Cache(None), narrowed)
                        == pdf_fonts.subset(font, glyphs, Cache(None)))
            assert narrowed.face(font, batch[0]) is not None
            unseen = next(g for g in range(1, face.glyph_count) if g not in narrowed.shown[font])
            assert narrowed.face(font, batch[0] | {unseen}) is None
            beyond = pdf_fonts.Narrowed({font: {1, 2, face.glyph_count + 5}})  # not in the font
            assert beyond.face(font, {1, 2}) is not None
            assert beyond.face(font, {1, face.glyph_count + 5}) is None
            checked += 1
    assert checked >= 2  # the fallback font's faces at least
    font = f"{next(iter(known_fonts()))}:0"
    real = pdf_fonts._face
    monkeypatch.setattr(pdf_fonts, "_face", lambda f: (real(f)[0], False))  # as a TrueType font
    assert pdf_fonts.Narrowed({font: {1, 2, 3}}).face(font, {1, 2}) is None


def test_fontconfig_is_asked_in_process_as_fc_match_answers(monkeypatch):
    import shutil
    import subprocess

    from conftest import need_program
    from tablegen.render import fonts
    from tablegen.render.fonts import ROLES, fc_match

    need_program("fc-match")
    assert fonts._fontconfig() is not None  # else fc-match would answer both sides
    patterns = [f"{family}:lang=zh-cn{style}" for stack in ROLES.values() for family in stack
                for style in ("", ":bold")] + ["serif:lang=zh-cn", "sans-serif:bold", "无此字体"]
    for pattern in patterns:
        printed = subprocess.run(["fc-match", "-f", "%{family[0]}\t%{file}", pattern],
                                 capture_output=True, text=True, check=True).stdout
        assert fc_match(pattern) == tuple(printed.split("\t")), pattern
    monkeypatch.setattr(fonts, "_fontconfig", lambda: None)  # no library: fc-match is run
    assert fc_match("serif:lang=zh-cn") == tuple(subprocess.run(
        ["fc-match", "-f", "%{family[0]}\t%{file}", "serif:lang=zh-cn"],
        capture_output=True, text=True, check=True).stdout.split("\t"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert fc_match("serif") is None


def test_the_fallback_font_is_registered_once_a_process(monkeypatch):
    """Every layout's stylesheet names tablegen's fallback font. Each registration makes
    fontconfig scan its 20 MB and Pango drop every font it has loaded: it is registered by a
    process's first layout only, and the next layout is the same."""
    from weasyprint.text import ffi as weasyprint_ffi

    from tablegen.load.glyphs import fallback_font
    from tablegen.render import pdf_layout
    from tablegen.render.fonts import font_face_css
    from tablegen.render.pdf_jobs import Job

    font = fallback_font()
    assert font is not None  # installed with tablegen
    real = weasyprint_ffi.fontconfig
    added: list[bytes] = []

    class Counting:
        def __getattr__(self, name: str) -> object:
            attr = getattr(real, name)
            if name != "FcConfigAppFontAddFile":
                return attr
            return lambda config, path: (added.append(bytes(path)), attr(config, path))[1]

    monkeypatch.setattr(weasyprint_ffi, "fontconfig", Counting())
    job = Job('<p style="font-family: tablegen-fallback">一</p>', font.parent.as_uri() + "/",
              (str(font),), "@page { size: A4 }\n" + font_face_css())
    pdf_layout.release_fonts()
    try:
        first = pdf_layout.layout(job)
        second = pdf_layout.layout(job)
    finally:
        pdf_layout.release_fonts()
    assert added == [str(font).encode()]
    assert first.runs == second.runs and first.pages == 1
