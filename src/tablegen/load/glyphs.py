"""Which characters the font tablegen ships can draw: the `glyph-missing` check reads this, and
the PDF falls back to that font (the `noto-cjk-sans-otc` package, a dependency of tablegen)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

# Characters whose glyph a CJK font may lack: CJK extension A and everything beyond the BMP
# (extensions B–H, 𠀀 U+20000, 𪚥 U+2A6A5). The BMP's common CJK is in every CJK font.
RARE = re.compile("[\u3400-\u4dbf\U00010000-\U0010ffff]")


def fallback_font() -> Path | None:
    """The CJK font file that pip installed with tablegen."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc"
    return path if path.is_file() else None


@functools.cache
def fallback_cmap() -> frozenset[int]:
    """The code points the fallback font has (read once per process; empty without it)."""
    path = fallback_font()
    if path is None:
        return frozenset()
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=0, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str) -> list[str]:
    """The rare characters of a text (CJK extensions, astral planes) no shipped font draws.

    Common text is never looked up: the font is read only when such a character appears.
    """
    rare = sorted(set(RARE.findall(text)))
    if not rare or not fallback_font():
        return []
    cmap = fallback_cmap()
    return [ch for ch in rare if ord(ch) not in cmap]
