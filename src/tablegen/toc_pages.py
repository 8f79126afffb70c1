"""True page numbers for the DOCX table of contents, from a LibreOffice layout of the file.

LibreOffice only reads a copy of our DOCX and prints it to PDF; it never re-saves the DOCX.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger("tablegen")
TIMEOUT = 600


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_files: list[Path], out_dir: Path) -> list[Path]:
    """Convert DOCX files to PDF with headless LibreOffice in one run (private profile)."""
    program = soffice()
    if program is None:
        raise FileNotFoundError("soffice")
    with tempfile.TemporaryDirectory(prefix="tablegen-lo-") as profile:
        subprocess.run(
            [program, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, docx_files)],
            check=True, capture_output=True, timeout=TIMEOUT,
        )
    return [out_dir / (f.stem + ".pdf") for f in docx_files]


def page_texts(pdf: Path) -> list[str]:
    """The letters and digits of every page: headings may wrap, punctuation may come out of order."""
    from pypdf import PdfReader

    return [_key(page.extract_text() or "") for page in PdfReader(pdf).pages]


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def find_pages(pages: list[str], headings: list[str]) -> list[int] | None:
    """The 1-based page each heading lands on in the body (the 目录 lists them earlier)."""
    found = []
    for heading in headings:
        key = _key(heading)
        hits = [i for i, text in enumerate(pages, 1) if key in text]
        if not hits:
            return None
        found.append(hits[-1])
    return found


def measure(docx: bytes, headings: list[str]) -> list[int] | None:
    """Pages of the headings in a LibreOffice layout; None (with a warning) when unavailable."""
    if soffice() is None:
        log.warning("未安装 LibreOffice：目录页码为估计值（Word/WPS 打开时会自动更新）")
        return None
    with tempfile.TemporaryDirectory(prefix="tablegen-toc-") as tmp:
        src = Path(tmp) / "book.docx"
        src.write_bytes(docx)
        try:
            (pdf,) = to_pdf([src], Path(tmp))
            pages = find_pages(page_texts(pdf), headings)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("LibreOffice 排版失败（%s）：目录页码为估计值", exc)
            return None
    if pages is None:
        log.warning("LibreOffice 排版结果中找不到全部标题：目录页码为估计值")
    return pages
