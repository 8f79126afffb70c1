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


def drawn(pdf: Path) -> dict[int, set[int]]:
    """The glyph codes each font (by object number) draws on the pages, from pypdf's parser."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    out: dict[int, set[int]] = {}
    reader = PdfReader(pdf)
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        current = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                current = fonts.raw_get(operands[0]).idnum
            elif op in (b"Tj", b"TJ") and current is not None:
                for item in operands[0] if op == b"TJ" else [operands[0]]:
                    if isinstance(item, bytes | str):
                        data = getattr(item, "original_bytes", item)
                        out.setdefault(current, set()).update(
                            int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    return out


def uncovered(pdf: Path) -> list[str]:
    """Glyphs drawn as .notdef (glyph 0) or that the embedded font program lacks."""
    import io

    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    shown = drawn(pdf)
    bad = [] if shown else ["no text drawn at all"]
    for page in PdfReader(pdf).pages:
        for ref in page.get("/Resources", {}).get("/Font", {}).values():
            font = ref.get_object()
            name = str(font.get("/BaseFont"))
            cmap = to_unicode(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
            used = shown.get(ref.idnum, set())
            if 0 in used:
                bad.append(f"{name}: .notdef for {cmap.get(0)!r}")
            fd = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            files = [fd[k].get_object().get_data() for k in ("/FontFile3", "/FontFile2") if k in fd]
            if not files:
                bad.append(f"{name}: not embedded")
                continue
            program = files[0]
            if program[:4] in (b"OTTO", b"\x00\x01\x00\x00"):
                present = set(range(TTFont(io.BytesIO(program))["maxp"].numGlyphs))
            else:  # a bare CFF: a CID-keyed one is looked up by CID through its charset
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(program), None)
                charset = cff[cff.fontNames[0]].charset
                present = ({int(n[3:]) for n in charset if n.startswith("cid")} | {0}
                           if hasattr(cff.topDictIndex[0], "ROS") else set(range(len(charset))))
            bad.extend(f"{name}: glyph {cid} for {cmap.get(cid)!r} missing"
                       for cid in sorted(used) if cid not in present)
    return sorted(set(bad))
