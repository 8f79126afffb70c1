"""The outputs as laid out on pages: the PDF's text layer, what fits on its line, and the DOCX
and XLSX as LibreOffice prints them. Books come from the seed dumps (tests/seeds), not targets/."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import SEED_BOOKS, need_program
from tablegen.books import load_book_strict
from tablegen.build import build
from tablegen.errors import Report
from tablegen.importers import import_files
from tablegen.layout import table_rows


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """Both seed books imported from their dumps: {key: book folder}."""
    root = tmp_path_factory.mktemp("seeds")
    for key, dump in SEED_BOOKS.items():
        report = Report()
        import_files([dump], root / key, report)
        assert not report.errors
    return {key: root / key for key in SEED_BOOKS}


@pytest.fixture(scope="module")
def pdfs(seeds, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    build(list(seeds.values()), out, ["pdf"], quiet=True)
    return out


def pdftotext(*args: str) -> str:
    need_program("pdftotext")
    return subprocess.run(["pdftotext", *args, "-"], check=True, capture_output=True,
                          text=True).stdout


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("key", sorted(SEED_BOOKS))
def test_pdf_text_reads_the_table_row_by_row(seeds, pdfs, key):
    book = load_book_strict(seeds[key])
    for n, agency, project in book.numbered():
        single = next((pdfs / key / "projects").glob(f"{n:02d}-*.pdf"))
        text = _key(pdftotext("-raw", str(single)))
        # Every cell's text in table order, each found after the one before it.
        at = 0
        for row in table_rows(book, n, agency.code, agency.name, project):
            for cell in row:
                if not cell.strip():
                    continue
                found = text.find(_key(cell), at)
                assert found >= 0, f"{key} table {n}: {cell!r} is not after {text[at - 40:at]!r}"
                at = found + len(_key(cell))
        assert "：绩效指标" not in text  # the HTML's screen-reader caption stays out
