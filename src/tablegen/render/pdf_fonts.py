"""Fonts in the PDF: laid out with the whole font, embedded once per file as a small subset.

WeasyPrint lays text out with the system's (or the pip-installed) CJK fonts as they are; when it
writes a part, the font program of each known font file is replaced by a placeholder naming the
file, so WeasyPrint never subsets anything (its speed no longer depends on the system's
libharfbuzz-subset) and a cached part does not depend on which characters other parts use. When
the parts are joined, each file gets one subset per font, made by uharfbuzz (HarfBuzz's subsetter,
installed by pip) from the glyphs that file's pages really show, and every font of the file points
at that one program. A new character therefore invalidates nothing in the cache.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from ..cache import Cache, digest, versions

MAGIC = b"tablegen-font:"
# Tables a PDF viewer does not read from an embedded font (it takes widths from /W, the
# glyphs from CFF/glyf): dropping them also stops HarfBuzz pulling in alternates through GSUB.
DROP = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG", "vhea", "vmtx", "DSIG", "kern",
        "morx", "meta")
_TOKENS = re.compile(rb"/([^\s/<>\[\]()]+)\s+[-+\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>")


HEAD, TAIL = 1 << 20, 1 << 16


def _ident(size: int, head: bytes, tail: bytes) -> str:
    return hashlib.sha256(size.to_bytes(8, "big") + head + tail).hexdigest()


def ident(data: bytes) -> str:
    """A font file's identity: its size and the hash of its start and end (cheap for 20 MB)."""
    return _ident(len(data), data[:HEAD], data[-TAIL:])


@cache
def known_fonts() -> dict[str, str]:
    """Font files the CSS families can land on (regular and bold), identity → path."""
    from ..load.glyphs import fallback_font
    from .fonts import ROLES, fc_match

    paths: set[str] = set()
    for family in [f for stack in ROLES.values() for f in stack] + ["serif", "sans-serif"]:
        for style in ("", ":bold"):
            found = fc_match(f"{family}:lang=zh-cn{style}")
            if found:
                paths.add(found[1])
    fb = fallback_font()
    if fb is not None:
        paths.add(str(fb))
    out = {}
    for path in sorted(paths):
        try:
            with open(path, "rb") as fh:
                head = fh.read(HEAD)
                size = fh.seek(0, 2)
                fh.seek(max(0, size - TAIL))
                out[_ident(size, head, fh.read())] = path
        except OSError:
            continue
    return out


def fonts_digest() -> str:
    """What the known font files are, for cache keys."""
    return digest(*sorted(known_fonts()))


def use_placeholders(known: Iterable[str]) -> None:
    """Make WeasyPrint (in this process) embed a placeholder instead of each known font file."""
    from weasyprint.pdf import fonts as wfonts

    known_set = set(known)
    original = getattr(wfonts.Font.clean, "__wrapped__", wfonts.Font.clean)

    def clean(self: Any, to_unicode: Any, hinting: Any) -> None:
        key = ident(self.file_content)
        if key in known_set and not getattr(self, "bitmap", False):
            head = b"OTTO" if "CFF " in self.tables else b"\0\1\0\0"
            self.file_content = head + MAGIC + f"{key}:{self.index}".encode()
            return
        original(self, to_unicode, hinting)

    clean.__wrapped__ = original  # type: ignore[attr-defined]
    wfonts.Font.clean = clean


def placeholder(font: Any) -> str | None:
    """The program (`<identity>:<face>`) of a Type0 font whose font file is a placeholder."""
    try:
        descriptor = font.DescendantFonts[0].FontDescriptor
    except (AttributeError, IndexError, KeyError, TypeError):
        return None
    for key in ("/FontFile3", "/FontFile2"):
        stream = descriptor.get(key)
        if stream is not None:
            data = bytes(stream.read_bytes())
            if data[4:].startswith(MAGIC):
                return data[4 + len(MAGIC):].decode()
            return None
    return None


def glyphs_by_name(content: bytes) -> dict[str, set[int]]:
    """The glyph ids a content stream shows, per font resource name (a `Tf` sets the font)."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for match in _TOKENS.finditer(content):
        if match.group(1) is not None:
            current = out.setdefault(match.group(1).decode("latin-1"), set())
        elif current is not None:
            text = re.sub(rb"\s", b"", match.group(2))
            codes = bytes.fromhex(text.decode()) if len(text) % 2 == 0 else b""
            current.update(int.from_bytes(codes[i:i + 2], "big") for i in range(0, len(codes) - 1, 2))
    return out


def _cid_keyed(cff: bytes) -> bool:
    """Whether a CFF table is CID-keyed with CID = glyph id (as Noto/Source Han CJK fonts are).

    Only then may a subset renumber its glyphs: the page shows glyph ids, the viewer looks the
    CID up in the subset's charset. fontTools reads the top dictionary (a millisecond); the
    charset is read here as it stands, a few ranges, where fontTools would name all 65,535
    glyphs (a fifth of a second per font, in every process that lays out).
    """
    if len(cff) < 4:
        return False
    from fontTools.cffLib import CFFFontSet

    fonts = CFFFontSet()
    try:
        fonts.decompile(io.BytesIO(cff), None, isCFF2=False)
        raw = fonts.topDictIndex[0].rawDict
        glyphs = int.from_bytes(cff[raw["CharStrings"]:raw["CharStrings"] + 2], "big")
        return "ROS" in raw and identity_charset(cff, raw.get("charset", 0), glyphs)
    except Exception:  # an unreadable CFF: keep glyph ids, the safe way
        return False


def identity_charset(cff: bytes, at: int, glyphs: int) -> bool:
    """Whether the CFF charset at offset `at` gives each of `glyphs` glyphs its own id (glyph 0,
    .notdef, has none). Offsets 0-2 name the predefined charsets of name-keyed fonts."""
    if at < 3 or at >= len(cff) or glyphs < 1:
        return False
    fmt, at = cff[at], at + 1
    if fmt == 0:
        ids = cff[at:at + 2 * (glyphs - 1)]
        return ids == b"".join(gid.to_bytes(2, "big") for gid in range(1, glyphs))
    if fmt not in (1, 2):
        return False
    size = 1 if fmt == 1 else 2  # the range's count of glyphs after its first
    gid = 1
    while gid < glyphs:
        if at + 2 + size > len(cff):
            return False
        first = int.from_bytes(cff[at:at + 2], "big")
        left = int.from_bytes(cff[at + 2:at + 2 + size], "big")
        if first != gid:
            return False
        gid, at = gid + left + 1, at + 2 + size
    return gid == glyphs


@cache
def _face(font: str) -> tuple[Any, bool]:
    """The HarfBuzz face of a placeholder font, and whether it is a CID-keyed CFF font."""
    import uharfbuzz as hb

    file_ident, index = font.rsplit(":", 1)
    face = hb.Face(hb.Blob.from_file_path(known_fonts()[file_ident]), int(index))
    return face, _cid_keyed(face.reference_table("CFF ").data)


def _input(glyphs: Iterable[int], is_cff: bool) -> Any:
    """What HarfBuzz is asked to keep of a font: the glyphs, no hints, none of the tables a
    viewer does not read."""
    import uharfbuzz as hb

    plan = hb.SubsetInput()
    for g in set(glyphs) | {0}:
        plan.glyph_set.add(g)
    drop = plan.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in DROP:
        drop.add(int.from_bytes(tag.ljust(4).encode(), "big"))
    # A CID-keyed CFF keeps each glyph's CID (what the page shows) when renumbered; any other
    # font is addressed by glyph id, so it keeps them. Its subroutines are written into the
    # glyphs: the few hundred glyphs of a table share few of them, so the subset is smaller, and
    # made in half the time (23 → 13 ms for Noto Serif CJK), as HarfBuzz need not work out which
    # subroutines are used nor renumber them.
    flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
    if not is_cff:
        flags |= hb.SubsetFlags.RETAIN_GIDS
    plan.flags = flags
    return plan


class Narrowed:
    """The fonts of a batch of files (a chunk's tables, each its own PDF), each narrowed to
    the glyphs the batch shows: a file's subset of a CID-keyed CFF font is made from that
    narrowed font, not from the whole one. HarfBuzz's time for a subset goes mostly on the
    size of the font it starts from (65,000 glyphs, against a batch's 2,000): 11 → 4 ms for a
    table's Noto Serif CJK, the narrowing included. The subset is the same, byte for byte: the
    narrowed font keeps each glyph's CID and its outline as the subset writes it (no hints, no
    subroutines), and a subset of it renumbers its glyphs in the same order."""

    def __init__(self, shown: dict[str, set[int]]):
        self.shown = shown  # font → the glyphs the batch shows
        self._faces: dict[str, tuple[Any, dict[int, int]] | None] = {}

    def face(self, font: str, glyphs: set[int]) -> tuple[Any, dict[int, int]] | None:
        """The narrowed face holding the glyphs, and each glyph's id there; None where the
        font is not a CID-keyed CFF or the batch does not show them all."""
        if not glyphs <= self.shown.get(font, set()):
            return None
        if font not in self._faces:
            import uharfbuzz as hb

            face, is_cff = _face(font)
            if not is_cff:
                self._faces[font] = None
            else:
                plan = hb.SubsetPlan(face, _input(self.shown[font], is_cff))
                ids = plan.old_to_new_glyph_mapping
                self._faces[font] = plan.execute(), {g: ids[g] for g in self.shown[font] | {0}
                                                     if g in ids}
        found = self._faces[font]
        if found is None or not glyphs <= found[1].keys():  # a glyph the font does not have
            return None
        return found


def subset(font: str, glyphs: set[int], store: Cache,
           narrowed: Narrowed | None = None) -> tuple[bytes, bool]:
    """The font program holding the glyphs (bare CFF, renumbered; others keep glyph ids), made
    from the font `narrowed` for the batch where it holds them."""
    import uharfbuzz as hb

    key = digest("subset", versions(), font, ",".join(map(str, sorted(glyphs))))
    cff = store.get("font", key)
    if cff is not None:
        return cff[1:], cff[:1] == b"1"
    face, is_cff = _face(font)
    ids: Iterable[int] = glyphs
    found = narrowed.face(font, glyphs) if narrowed is not None else None
    if found is not None:
        face, mapping = found
        ids = (mapping[g] for g in glyphs)
    result = hb.subset(face, _input(ids, is_cff))
    # The bare CFF (FontFile3 /CIDFontType0C): viewers then map each CID through its charset,
    # while an OpenType wrapper makes some (poppler) read the CIDs as glyph ids.
    data = result.reference_table("CFF ").data if is_cff else result.blob.data
    store.put("font", key, (b"1" if is_cff else b"0") + data)
    return data, is_cff
