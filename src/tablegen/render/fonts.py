"""CJK fonts for the PDF: the template's fonts, then the system's, then one pip installs.

The last link is the Noto Sans CJK collection shipped by the `noto-cjk-sans-otc` package, a
dependency of tablegen, so a machine with no Chinese font still prints Chinese, never boxes.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from ..load.glyphs import fallback_font

FALLBACK_FAMILY = "tablegen-fallback"
# Font roles, each with the families the default CSS asks for, in order.
ROLES = {
    "正文（仿宋）": ["仿宋_GB2312", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC"],
    "标题（黑体）": ["黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC"],
}
INSTALL_HINT = {
    "fontconfig": "apt-get install fontconfig",
    "pango": "apt-get install libpango-1.0-0 libpangoft2-1.0-0",
    "uharfbuzz": "pip install uharfbuzz（tablegen 的依赖，重新 make setup 即可）",
    "cjk-font": "apt-get install fonts-noto-cjk（或安装仿宋_GB2312、黑体等字体）",
}


def font_face_css() -> str:
    """@font-face for the fallback family (empty when the package is missing)."""
    path = fallback_font()
    if path is None:
        return ""
    return (f'@font-face {{ font-family: "{FALLBACK_FAMILY}"; '
            f'src: url("{path.as_uri()}"); }}\n')


@dataclass(frozen=True)
class Resolved:
    """Which file a role's font stack lands on."""

    role: str
    family: str
    file: str
    source: str  # 模板指定 | 系统字体 | pip 字体


def fc_match(pattern: str) -> tuple[str, str] | None:
    """What `fc-match -f '%{family[0]}\t%{file}' <pattern>` prints: the family and file the
    pattern lands on, asked of libfontconfig in this process (a millisecond; each fc-match run
    takes a hundredth of a second, and a build asks twenty-two), else of fc-match; None when
    neither is there or nothing matches."""
    lib = _fontconfig()
    if lib is None:
        if shutil.which("fc-match") is None:
            return None
        out = subprocess.run(["fc-match", "-f", "%{family[0]}\t%{file}", pattern],
                             capture_output=True, text=True, check=False).stdout
        if "\t" not in out:
            return None
        found, file = out.split("\t", 1)
        return found, file
    asked = lib.FcNameParse(pattern.encode())
    if not asked:
        return None
    try:  # as fc-match does
        lib.FcConfigSubstitute(None, asked, 0)  # FcMatchPattern
        lib.FcDefaultSubstitute(asked)
        result = ctypes.c_int()
        match = lib.FcFontMatch(None, asked, ctypes.byref(result))
    finally:
        lib.FcPatternDestroy(asked)
    if not match:
        return None
    try:
        values = []
        for key in (b"family", b"file"):
            text = ctypes.c_char_p()
            if lib.FcPatternGetString(match, key, 0, ctypes.byref(text)) != 0 or not text.value:
                return None
            values.append(os.fsdecode(text.value))
        return values[0], values[1]
    finally:
        lib.FcPatternDestroy(match)


@cache
def _fontconfig() -> ctypes.CDLL | None:
    """libfontconfig, its functions typed; None where it cannot be loaded."""
    lib: ctypes.CDLL | None
    try:
        lib = ctypes.CDLL("libfontconfig.so.1")  # no lookup (ldconfig) where the name is known
    except OSError:
        found = find_library("fontconfig")
        try:
            lib = ctypes.CDLL(found) if found else None
        except OSError:
            lib = None
    if lib is None:
        return None
    pointer = ctypes.c_void_p
    lib.FcNameParse.restype = pointer
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.restype = ctypes.c_int
    lib.FcConfigSubstitute.argtypes = [pointer, pointer, ctypes.c_int]
    lib.FcDefaultSubstitute.restype = None
    lib.FcDefaultSubstitute.argtypes = [pointer]
    lib.FcFontMatch.restype = pointer
    lib.FcFontMatch.argtypes = [pointer, pointer, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.restype = ctypes.c_int
    lib.FcPatternGetString.argtypes = [pointer, ctypes.c_char_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_char_p)]
    lib.FcPatternDestroy.restype = None
    lib.FcPatternDestroy.argtypes = [pointer]
    return lib


def _has_zh(file: str) -> bool:
    if shutil.which("fc-query") is None:
        return False
    out = subprocess.run(["fc-query", "-f", "%{lang}\n", file], capture_output=True, text=True,
                         check=False).stdout
    return "zh-cn" in out


def resolve() -> list[Resolved]:
    """For each role, the first family of its stack the system really has, else the pip font."""
    out = []
    for role, stack in ROLES.items():
        hit = None
        for i, family in enumerate(stack):
            match = fc_match(f"{family}:lang=zh-cn")
            if match and match[0].lower() == family.lower() and _has_zh(match[1]):
                hit = Resolved(role, family, match[1], "模板指定" if i < 2 else "系统字体")
                break
        if hit is None:
            generic = "serif" if "仿宋" in role else "sans-serif"
            match = fc_match(f"{generic}:lang=zh-cn")
            if match and _has_zh(match[1]):
                hit = Resolved(role, match[0], match[1], "系统字体")
        if hit is None:
            fb = fallback_font()
            hit = Resolved(role, FALLBACK_FAMILY, str(fb) if fb else "（无）", "pip 字体")
        out.append(hit)
    return out


_FIND_LIBRARY = ctypes.util.find_library


def find_library(name: str) -> str | None:
    """`ctypes.util.find_library`, on Linux from the linker cache alone, read once a process.

    WeasyPrint tries six names per library, and cffi asks `find_library` for each it cannot
    open as given: the standard lookup compiled a program with gcc for each (15 runs per
    import, in every layout worker; gcc's cc* files stayed behind when a Ctrl-C landed), and
    without gcc it ran `ldconfig -p` and `ld` for each (25 programs, a quarter of a second of
    every worker's start). Here `ldconfig -p` runs once, and its listing is searched as
    ctypes searches it. `ld` is not asked: each of WeasyPrint's lists ends with the library's
    soname, which cffi hands to the system's loader as it is, and the loader finds it wherever
    `ld` would (LD_LIBRARY_PATH included). Without the linker cache, `ld` alone; elsewhere
    than on Linux, the standard lookup."""
    listing = _linker_cache()
    if listing is not None:
        found = re.search(rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(os.fsencode(name)),
                                                            _ABI.encode()), listing)
        return os.fsdecode(found.group(1)) if found else None
    ld = getattr(ctypes.util, "_findLib_ld", None)
    soname = getattr(ctypes.util, "_get_soname", None)
    if not sys.platform.startswith("linux") or ld is None or soname is None:
        return _FIND_LIBRARY(name)
    found_ld: str | None = soname(ld(name))
    return found_ld


# The linker cache's name for this machine's libraries (`ctypes.util._findSoname_ldconfig`).
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(
    f"{os.uname().machine}-{ctypes.sizeof(ctypes.c_long) * 8}" if hasattr(os, "uname") else "",
    "libc6")


@cache
def _linker_cache() -> bytes | None:
    """`ldconfig -p`'s listing (glibc's linker cache), None where there is none to read."""
    if not sys.platform.startswith("linux") or not hasattr(ctypes.util, "_findSoname_ldconfig"):
        return None
    try:
        return subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True,
                              env={"LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


@contextmanager
def libraries_found_without_a_compiler() -> Iterator[None]:
    """While WeasyPrint loads its system libraries (cffi asks ctypes.util), use `find_library`."""
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = _FIND_LIBRARY


def libraries() -> dict[str, bool]:
    """Which of WeasyPrint's system libraries are present."""
    return {
        "fontconfig": find_library("fontconfig") is not None,
        "pango": find_library("pango-1.0") is not None,
    }


def subsetter() -> str | None:
    """The font subsetter tablegen uses (uharfbuzz, from pip), with its HarfBuzz version."""
    try:
        import uharfbuzz
    except ImportError:
        return None
    return f"uharfbuzz {uharfbuzz.__version__}，HarfBuzz {uharfbuzz.version_string()}"


def programs() -> list[tuple[str, str | None, str, str]]:
    """The outside programs tablegen can use: name, path or None, what for, how to install."""
    from .toc_pages import soffice

    return [
        ("LibreOffice", soffice(), "DOCX 目录的真实页码（默认即求，见 --no-toc-pages）",
         "apt-get install libreoffice-writer-nogui"),
        ("poppler", shutil.which("pdftotext"), "pdftotext，查看 PDF 的文字层",
         "apt-get install poppler-utils"),
    ]
