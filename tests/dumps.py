"""Normalised dumps for golden comparisons: DOCX cell grids, seed rows, PDF text lines."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from lxml import etree

from tablegen.imports.rows import squash

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LABELS = {"其中：财政资金", "预算数", "其他资金", "项目名称", "预算规模及资金用途", "绩效目标"}


def normal(rows: list[list[str]]) -> list[list[str]]:
    """Rows without layout spaces and blank rows; 一级/二级 merged or repeated alike."""
    out = []
    for row in rows:
        cells = [squash(c) if squash(c) in LABELS else c.strip() for c in row]
        if any(cells):
            out.append(cells)
    header = next(i for i, r in enumerate(out) if r[:2] == ["一级指标", "二级指标"])
    last1 = last2 = ""
    for r in out[header + 1:]:
        r[0] = r[0] or last1
        r[1] = r[1] or last2
        last1, last2 = r[0], r[1]
    return out


def cell_text(tc: etree._Element) -> str:
    """A cell's text: paragraphs joined by newlines, breaks and tabs kept."""
    paras = []
    for p in tc.iter(W + "p"):
        chunk = []
        for node in p.iter(W + "t", W + "br", W + "tab"):
            if node.tag == W + "t":
                chunk.append(node.text or "")
            elif node.tag == W + "br":
                chunk.append("\n")
            else:
                chunk.append("\t")
        paras.append("".join(chunk))
    return "\n".join(paras)


def docx_document(path: Path) -> etree._Element:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def docx_tables(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Each heading (Heading1 paragraph) with the rows of cell texts of the tables after it.

    A vertically merged continuation cell is empty; a horizontally spanning cell is one cell.
    """
    body = docx_document(path).find(W + "body")
    out: list[tuple[str, list[list[str]]]] = []
    for child in body:
        if child.tag == W + "p":
            style = child.find(f"{W}pPr/{W}pStyle")
            if style is not None and style.get(W + "val") == "Heading1":
                out.append(("".join(t.text or "" for t in child.iter(W + "t")), []))
        elif child.tag == W + "tbl" and out:
            for tr in child.findall(W + "tr"):
                out[-1][1].append([cell_text(tc) for tc in tr.findall(W + "tc")])
    return out


def docx_toc_pages(path: Path) -> list[int]:
    """The page number each 目录 entry (a hyperlink ending in its PAGEREF result) carries."""
    return [int(re.search(r"(\d+)$", "".join(t.text or "" for t in link.iter(W + "t"))).group(1))
            for link in docx_document(path).iter(W + "hyperlink")]


def pdf_lines(pdf: Path) -> set[str]:
    """Every word pdftotext finds: a run of text on one line of one cell (cells are apart)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True).stdout
    tree = etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))
    return {w.text for w in tree.iter("word") if w.text and w.text.strip()}


def composed_of(text: str, lines: set[str]) -> bool:
    """Whether the text (white space removed) is a run of whole PDF words, i.e. shown in full."""
    text = re.sub(r"\s+", "", text)
    if not text:
        return True
    ok = [True] + [False] * len(text)
    longest = max(map(len, lines), default=0)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - longest), end):
            if ok[start] and text[start:end] in lines:
                ok[end] = True
                break
    return ok[-1]


def to_unicode(cmap: str) -> dict[int, str]:
    """A ToUnicode CMap as {character code: text}."""
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            base = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(base + i)
    return out


def pdf_fonts(pdf: Path) -> list[tuple[str, dict[int, str], bytes | None]]:
    """Every font of every page: its name, its ToUnicode map and its embedded program."""
    from pypdf import PdfReader

    seen, out = set(), []
    for page in PdfReader(pdf).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            key = id(font)
            if key in seen:
                continue
            seen.add(key)
            cmap = to_unicode(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
            program = None
            for desc in font.get("/DescendantFonts", []):
                fd = desc.get_object().get("/FontDescriptor", {})
                for k in ("/FontFile3", "/FontFile2", "/FontFile"):
                    if k in fd:
                        program = fd[k].get_object().get_data()
            out.append((str(font.get("/BaseFont")), cmap, program))
    return out


def uncovered(pdf: Path) -> list[str]:
    """Characters drawn with .notdef (glyph 0) or with a glyph the embedded font lacks."""
    import io

    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont

    bad = []
    for name, cmap, program in pdf_fonts(pdf):
        if 0 in cmap:
            bad.append(f"{name}: .notdef for {cmap[0]!r}")
        if program is None:
            bad.append(f"{name}: not embedded")
            continue
        if program[:4] == b"OTTO" or program[:4] == b"\x00\x01\x00\x00":
            font = TTFont(io.BytesIO(program))
            count = font["maxp"].numGlyphs
        else:
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(program), None)
            count = len(cff[cff.fontNames[0]].charset)
        bad.extend(f"{name}: glyph {cid} for {text!r} missing" for cid, text in cmap.items()
                   if cid >= count)
    return bad
