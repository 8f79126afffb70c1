"""Opening an Office file (DOCX, XLSX: a zip of XML parts) safely: only the parts asked for, each
capped in its uncompressed size, so a small file cannot unpack into gigabytes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from ..errors import SourceError, os_reason
from .rows import BookInfo

MAX_PART = 64 * 1024 * 1024  # bytes of one uncompressed part; official tables need far less
MAX_SOURCE = 64 * 1024 * 1024  # bytes of the source file itself


def open_parts(path: Path, shown: str, needed: tuple[str, ...],
               wanted: tuple[str, ...] = ()) -> dict[str, bytes]:
    """The needed parts (a SourceError when one is missing) and those wanted that exist; a name
    ending in "/" asks for every part under it."""
    kind = path.suffix.upper().lstrip(".") or "DOCX"
    try:
        with path.open("rb") as fh:
            head = fh.read(5)
            size = fh.seek(0, 2)
    except OSError as exc:
        raise SourceError(f"{shown}：无法读取（{os_reason(exc)}）") from exc
    if not head:
        raise SourceError(f"{shown}：文件是空的")
    if head.startswith(b"%PDF"):
        raise SourceError(f"{shown}：这是 PDF 文件，不是 {kind}；请导入原始的 {kind} 文件")
    if size > MAX_SOURCE:
        raise SourceError(f"{shown}：文件过大（{size} 字节），最大 {MAX_SOURCE} 字节")
    try:
        with zipfile.ZipFile(path) as z:
            infos = {i.filename: i for i in z.infolist()}
            missing = [m for m in needed if m not in infos]
            if missing:
                raise SourceError(f"{shown}：不是有效的 {kind} 文件（缺少 {missing[0]}）")
            names = [n for n in infos if n in needed or n in wanted
                     or any(w.endswith("/") and n.startswith(w) for w in wanted)]
            return {n: _read(z, infos[n], shown) for n in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError,
            NotImplementedError, OSError) as exc:
        raise SourceError(f"{shown}：文件已损坏或不是 {kind}（无法按 ZIP 格式打开）") from exc


def _read(z: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> bytes:
    too_big = SourceError(f"{shown}：文件中的 {info.filename} 解压后超过 {MAX_PART // 1024 // 1024} MB，"
                          "不像是正常的表格文件，已拒绝")
    if info.file_size > MAX_PART:
        raise too_big
    with z.open(info) as fh:
        data = fh.read(MAX_PART + 1)  # the declared size may lie: count what comes out
    if len(data) > MAX_PART:
        raise too_big
    return data


def parse_xml(data: bytes) -> etree._Element:
    """One XML part, parsed with entities, DTDs and the network off: a part declaring
    `<!ENTITY x SYSTEM "file:///etc/passwd">` never reads another file (lxml before 5 resolved
    such entities by default). Raises etree.XMLSyntaxError for a damaged part."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)


def core_info(parts: dict[str, bytes]) -> BookInfo:
    """Title, author and year from docProps/core.xml, when the file has them."""
    info = BookInfo()
    core = parts.get("docProps/core.xml")
    if core:
        try:
            root = parse_xml(core)
        except etree.XMLSyntaxError:
            return info
        for el in root:
            name = etree.QName(el).localname
            if name == "title" and el.text:
                info.title = el.text
            elif name == "creator" and el.text:
                info.author = el.text
            elif name == "created" and el.text and re.match(r"\d{4}", el.text):
                info.year = int(el.text[:4])
    return info
