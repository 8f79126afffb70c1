"""The DOCX output: every seed cell, the Word structures, validity, escaping, determinism."""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest
from lxml import etree

from conftest import FIXTURES, SEED_BOOKS, TEST_BOOKS, book_file, need_program
from dumps import W, composed_of, docx_document, docx_tables, normal, pdf_lines
from tablegen.build import build
from tablegen.imports.read_dump import parse_dump
from tablegen.load.books import load_book_strict
from tablegen.templates import DEFAULT_TEMPLATES

BOOKS = sorted(SEED_BOOKS)


@pytest.fixture
def built(seed_build):
    """Both seed books, built once for the session (conftest.seed_build)."""
    return seed_build


def book_docx(built, key):
    return book_file(built, key, "docx")


@pytest.mark.parametrize("key", BOOKS)
def test_every_row_of_every_seed_table_is_reproduced(built, key):
    sections = parse_dump(SEED_BOOKS[key].read_text(encoding="utf-8"))
    tables = docx_tables(book_docx(built, key))
    assert len(tables) == len(sections)
    book = load_book_strict(TEST_BOOKS / key)
    for (heading, rows), section, (number, _, project) in zip(
            tables, sections, book.numbered(), strict=True):
        expected = [[c.replace("天津市志？知识产权局志", "天津市志-知识产权局志") for c in r]
                    for r in normal(section.rows)]
        assert normal(rows) == expected
        assert heading == f"{number}.{project.name}绩效目标表"
        if section.heading.strip():
            assert heading == section.heading


@pytest.mark.parametrize("key", BOOKS)
def test_each_project_file_holds_its_own_table(built, key):
    book = load_book_strict(TEST_BOOKS / key)
    whole = docx_tables(book_docx(built, key))
    files = sorted((built / key / "projects").glob("*.docx"))
    assert [f.name for f in files] == sorted(
        f"{n:02d}-{p.stem}.docx" for n, _, p in book.numbered())
    for (number, _, project), table in zip(book.numbered(), whole, strict=True):
        single = docx_tables(built / key / "projects" / f"{number:02d}-{project.stem}.docx")
        assert single == [table]


def test_bookmarks_and_toc(built):
    key = "tianjin-ipa-2024"
    doc = docx_document(book_docx(built, key))
    starts = [b.get(W + "name") for b in doc.iter(W + "bookmarkStart")]
    assert len(starts) == 10 and len(set(starts)) == 10
    assert all(re.fullmatch(r"_Toc\d{9}", name) for name in starts)
    headings = [p for p in doc.iter(W + "p")
                if p.find(f"{W}pPr/{W}pStyle") is not None
                and p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "Heading1"]
    assert [h.find(W + "bookmarkStart").get(W + "name") for h in headings] == starts
    instr = [i.text for i in doc.iter(W + "instrText")]
    # \\f: the agencies' TC entries (below) stay in the 目录 when Word updates it.
    assert instr[0].strip() == 'TOC \\o "1-1" \\h \\z \\u \\f'
    assert [i.strip() for i in instr[1:11]] == [f"PAGEREF {n} \\h" for n in starts]
    assert [i.strip() for i in instr[11:]] == ['TC "610101天津市知识产权局" \\l 1 \\n',
                                              'TC "610203天津市知识产权保护中心" \\l 1 \\n']
    # Each in the heading of its agency's first table.
    assert ['TC "' in "".join(i.text for i in h.iter(W + "instrText")) for h in headings] == [
        True, False, False, False, False, False, True, False, False, False]
    links = list(doc.iter(W + "hyperlink"))
    assert [link.get(W + "anchor") for link in links] == starts
    first = "".join(t.text for t in links[0].iter(W + "t"))
    assert first == "1.2024年局机关信息化运维绩效目标表3"
    # The names are stable: a second build names the same bookmarks.
    build([TEST_BOOKS / key], built.parent / "again", ["docx"], quiet=True)
    doc2 = docx_document(book_file(built.parent / "again", key, "docx"))
    assert [b.get(W + "name") for b in doc2.iter(W + "bookmarkStart")] == starts


def test_the_contents_have_the_agencies_sub_headings_as_the_pdf(built):
    # As the PDF's 目录: each agency's code and name (bold, no page) above its tables' entries.
    doc = docx_document(book_docx(built, "tianjin-ipa-2024"))
    toc = [p for p in doc.iter(W + "p") if p.find(f"{W}pPr/{W}pStyle") is not None
           and p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "toc1"]
    lines = ["".join(t.text or "" for t in p.iter(W + "t")) for p in toc]
    assert lines[0] == "610101天津市知识产权局" and lines[7] == "610203天津市知识产权保护中心"
    assert [line[:2] for line in lines[1:7] + lines[8:]] == [f"{n}." for n in range(1, 7)] + [
        "7.", "8.", "9.", "10"]
    for p in (toc[0], toc[7]):
        assert p.find(W + "hyperlink") is None and p.find(f".//{W}b") is not None
    # A book of one agency lists its tables only, as the PDF does.
    one = docx_document(book_docx(built, "binhai-ipa-2026"))
    assert not any(i.text.strip().startswith("TC ") for i in one.iter(W + "instrText"))


def test_the_agency_line_reads_as_the_source_and_the_pdf(built):
    # The source's `610101天津市知识产权局`: no space in the text, and no gap drawn between the
    # digits and the Chinese (Word and WPS add one unless the style says not to; LibreOffice
    # reads no such setting from a DOCX and draws one anyway).
    seed = SEED_BOOKS["tianjin-ipa-2024"].read_text(encoding="utf-8")
    assert "\t610101天津市知识产权局\n" in seed
    rows = docx_tables(book_docx(built, "tianjin-ipa-2024"))[0][1]
    assert rows[0][0] == "610101天津市知识产权局"
    with zipfile.ZipFile(book_docx(built, "tianjin-ipa-2024")) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
    style = next(s for s in styles.iter(W + "style") if s.get(W + "styleId") == "单位行")
    assert [(e.tag, e.get(W + "val")) for e in style.find(W + "pPr")] == [
        (W + "autoSpaceDE", "0"), (W + "autoSpaceDN", "0")]


def test_long_headings_break_where_a_reader_would(built):
    # The heading's lines as layout.heading_lines balances them, a line break between them.
    doc = docx_document(book_docx(built, "binhai-ipa-2026"))
    headings = [p for p in doc.iter(W + "p") if p.find(f"{W}pPr/{W}pStyle") is not None
                and p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "Heading1"]
    lines = ["".join("\n" if n.tag == W + "br" else n.text or "" for n in h.iter(W + "t", W + "br"))
             for h in headings]
    assert lines == ["1.2026年滨海新区知识产权运营促进\n保护发展工作经费绩效目标表",
                     "2.2026年关于推动信创产业提升知识产权\n创造质量和运用效益的重点举措研究项目\n"
                     "（自有资金）（其他收入资金）绩效目标表",
                     "3.中央2025年安可替代专项-\n津财行政指[2025]69号绩效目标表"]


def test_grid_rows_repeat_the_header_and_never_split(built):
    doc = docx_document(book_docx(built, "binhai-ipa-2026"))
    grids = [t for t in doc.iter(W + "tbl") if "一级指标" in "".join(
        x.text or "" for x in t.iter(W + "t"))]
    assert len(grids) == 3
    for tbl in grids:
        rows = tbl.findall(W + "tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)


def test_merged_level1_cells(built):
    doc = docx_document(book_docx(built, "tianjin-ipa-2024"))
    grid = next(t for t in doc.iter(W + "tbl") if "一级指标" in "".join(
        x.text or "" for x in t.iter(W + "t")))
    marks = []
    for tr in grid.findall(W + "tr")[1:]:
        tc = tr.findall(W + "tc")
        vm = tc[0].find(f"{W}tcPr/{W}vMerge")
        marks.append(None if vm is None else vm.get(W + "val", "continue"))
        assert tc[1].find(f"{W}tcPr/{W}vMerge") is None
    # 产出指标 6 rows, 效益指标 4 rows, 满意度指标 1 row (no merge).
    assert marks == ["restart"] + ["continue"] * 5 + ["restart"] + ["continue"] * 3 + [None]


def test_page_size_margins_and_footer(built):
    doc = docx_document(book_docx(built, "tianjin-ipa-2024"))
    sect = doc.find(f"{W}body/{W}sectPr")
    size, margins = sect.find(W + "pgSz"), sect.find(W + "pgMar")
    assert (size.get(W + "w"), size.get(W + "h")) == ("11906", "16838")
    mm = {k: round(int(margins.get(W + k)) / 56.6929) for k in ("top", "bottom", "left", "right")}
    assert mm == {"top": 37, "bottom": 35, "left": 28, "right": 26}
    with zipfile.ZipFile(book_docx(built, "tianjin-ipa-2024")) as z:
        footer = etree.fromstring(z.read("word/footer1.xml"))
    text = "".join(t.text or "" for t in footer.iter(W + "t"))
    assert text == "— 1 —"
    assert [i.text.strip() for i in footer.iter(W + "instrText")] == ["PAGE"]


SETTINGS_ORDER = """writeProtection view zoom removePersonalInformation removeDateAndTime
doNotDisplayPageBoundaries displayBackgroundShape printPostScriptOverText
printFractionalCharacterWidth printFormsData embedTrueTypeFonts embedSystemFonts saveSubsetFonts
saveFormsData mirrorMargins alignBordersAndEdges bordersDoNotSurroundHeader
bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors hideGrammaticalErrors activeWritingStyle
proofState formsDesign attachedTemplate linkStyles stylePaneFormatFilter stylePaneSortMethod
documentType mailMerge revisionView trackRevisions doNotTrackMoves doNotTrackFormatting
documentProtection autoFormatOverride styleLockTheme styleLockQFSet defaultTabStop
autoHyphenation consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope
summaryLength clickAndTypeStyle defaultTableStyle evenAndOddHeaders bookFoldRevPrinting
bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing drawingGridVerticalSpacing
displayHorizontalDrawingGridEvery displayVerticalDrawingGridEvery
doNotUseMarginsForDrawingGridOrigin drawingGridHorizontalOrigin drawingGridVerticalOrigin
doNotShadeFormData noPunctuationKerning characterSpacingControl printTwoOnOne
strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore savePreviewPicture
doNotValidateAgainstSchema saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText
doNotDemarcateInvalidXml saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags
alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids
mathPr attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats
doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType schemaLibrary
shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator""".split()


def test_settings_ask_for_field_update_in_schema_order(built):
    with zipfile.ZipFile(book_docx(built, "tianjin-ipa-2024")) as z:
        settings = etree.fromstring(z.read("word/settings.xml"))
    # Office extensions (w14:docId, …) follow the main sequence; the order applies to w: elements.
    names = [etree.QName(c).localname for c in settings if c.tag.startswith(W)]
    assert names.count("updateFields") == 1
    assert settings.find(W + "updateFields").get(W + "val") == "true"
    positions = [SETTINGS_ORDER.index(n) for n in names]
    assert positions == sorted(positions)


def test_core_properties_come_from_the_book(built):
    with zipfile.ZipFile(book_docx(built, "binhai-ipa-2026")) as z:
        core = z.read("docProps/core.xml").decode()
    assert "<dc:title>天津市滨海新区知识产权局2026年项目支出绩效目标表</dc:title>" in core
    assert "<dc:creator>天津市滨海新区知识产权局</dc:creator>" in core
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>' in core


def test_every_built_docx_passes_openxml_audit(built):
    from openxml_audit import OpenXmlValidator

    validator = OpenXmlValidator()
    files = sorted(built.rglob("*.docx"))
    assert len(files) == 2 + 13
    for f in files:
        result = validator.validate(str(f))
        assert [e.description for e in result.errors] == [], f.name


def test_openxml_audit_would_catch_a_misplaced_setting(built, tmp_path):
    from openxml_audit import OpenXmlValidator

    src = book_docx(built, "binhai-ipa-2026")
    with zipfile.ZipFile(src) as z:
        items = {n: z.read(n) for n in z.namelist()}
    s = items["word/settings.xml"].decode().replace('<w:updateFields w:val="true"/>', "")
    items["word/settings.xml"] = s.replace(
        "</w:settings>", '<w:updateFields w:val="true"/></w:settings>').encode()
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(bad, "w") as z:
        for n, d in items.items():
            z.writestr(n, d)
    result = OpenXmlValidator().validate(str(bad))
    assert [e.description for e in result.errors] == ["Unexpected element 'updateFields' found"]


def test_two_builds_are_byte_identical(built, tmp_path):
    build([TEST_BOOKS], tmp_path, ["docx"], quiet=True)
    for f in sorted(built.rglob("*.docx")):
        assert (tmp_path / f.relative_to(built)).read_bytes() == f.read_bytes(), f.name


def test_libreoffice_shows_every_cell(built, tmp_path):
    need_program("soffice")
    need_program("pdftotext")
    from tablegen.render.toc_pages import to_pdf

    docs = sorted(built.rglob("*.docx"))
    assert len(docs) == 15
    pdfs = to_pdf(docs, tmp_path)
    for docx, pdf in zip(docs, pdfs, strict=True):
        words = pdf_lines(pdf)
        missing = [cell for _, rows in docx_tables(docx)
                   for row in rows for cell in row if not composed_of(cell, words)]
        assert missing == [], docx.name


def test_default_build_toc_pages_are_the_pages_where_headings_land(built, tmp_path):
    need_program("soffice")
    from tablegen.render.toc_pages import find_pages, page_texts, to_pdf

    key = "tianjin-ipa-2024"
    docx = book_docx(built, key)
    doc = docx_document(docx)
    cached = [int(re.search(r"(\d+)$", "".join(t.text for t in link.iter(W + "t"))).group(1))
              for link in doc.iter(W + "hyperlink")]
    headings = ["".join(t.text or "" for t in p.iter(W + "t")) for p in doc.iter(W + "p")
                if p.find(f"{W}pPr/{W}pStyle") is not None
                and p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "Heading1"]
    (pdf,) = to_pdf([docx], tmp_path)
    assert cached == find_pages(page_texts(pdf), headings) == [3, 4, 5, 7, 8, 10, 11, 12, 13, 14]


def test_text_renders_literally(tmp_path):
    src = FIXTURES / "docx" / "literal"
    build([src], tmp_path, ["docx"], quiet=True)
    tables = docx_tables(tmp_path / "literal" / "转义测试 & _标题_.docx")  # < and > no file name holds
    ((heading, rows),) = tables
    assert heading == "1.{{ name }} & <b>“引号”'单'</b> {% if x %}绩效目标表"
    cells = [c for r in rows for c in r]
    assert "用途：\t制表符\n换行 <script>alert(1)</script> & &amp; {{ usage }} {%p endfor %}" in cells
    assert "1.目标一 {{ goals[0] }}\n2.目标二 </w:t><w:t>" in cells
    assert "长" * 2000 in cells
    assert ">=1 & <2" not in cells and "≥1 & <2" in cells


def test_a_user_template_overrides_the_default(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "docx" / "literal", book)
    (book / "templates" / "docx").mkdir(parents=True)
    shutil.copy(DEFAULT_TEMPLATES / "targets" / "book.docx", book / "templates" / "docx" / "book.docx")
    with zipfile.ZipFile(book / "templates" / "docx" / "book.docx") as z:
        items = {n: z.read(n) for n in z.namelist()}
    items["word/document.xml"] = items["word/document.xml"].replace(
        "目录".encode(), "目　录（本书模板）".encode())
    with zipfile.ZipFile(book / "templates" / "docx" / "book.docx", "w") as z:
        for n, d in items.items():
            z.writestr(n, d)
    build([book], tmp_path / "out", ["docx"], quiet=True)
    text = "".join(t.text or "" for t in docx_document(tmp_path / "out" / "book" / "转义测试 & _标题_.docx")
                   .iter(W + "t"))
    assert "目　录（本书模板）" in text
