"""The HTML output: parses, holds every cell, rowspans follow the merge setting, escapes data."""

from __future__ import annotations

import shutil

import html5lib
import pytest

from conftest import FIXTURES, TEST_BOOKS
from tablegen.build import build
from tablegen.kinds.targets import grid
from tablegen.load.books import load_book_strict

NS = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def built(seed_build):
    """Both seed books, built once for the session (conftest.seed_build)."""
    return seed_build


def parse(path):
    return html5lib.parse(path.read_bytes(), treebuilder="lxml",
                          transport_encoding="utf-8").getroot()


def text(el):
    return "".join(el.itertext()).strip()


def grid_cells(table):
    """Rows of (text, rowspan) of a grid table's body."""
    return [[(text(c), int(c.get("rowspan", "1"))) for c in tr if c.tag in (NS + "td", NS + "th")]
            for tr in table.iter(NS + "tr") if tr.getparent().tag == NS + "tbody"]


@pytest.mark.parametrize("key", ["tianjin-ipa-2024", "binhai-ipa-2026"])
def test_every_cell_and_rowspan(built, key):
    book = load_book_strict(TEST_BOOKS / key)
    doc = parse(built / key / "index.html")
    grids = [t for t in doc.iter(NS + "table") if t.get("class") == "grid"]
    budgets = [t for t in doc.iter(NS + "table") if t.get("class") == "budget"]
    assert len(grids) == len(budgets) == len(book.projects)
    for (_, agency, project), g, b in zip(book.numbered(), grids, budgets, strict=True):
        expected = []
        for row in grid(project, book.merge):
            cells = []
            if row.level1.rows:
                cells.append((row.level1.text, row.level1.rows))
            if row.level2.rows:
                cells.append((row.level2.text, row.level2.rows))
            cells += [(row.name, 1), (row.description, 1), (row.value, 1)]
            expected.append(cells)
        assert grid_cells(g) == [[(t.strip(), s) for t, s in r] for r in expected]
        caption = [text(span) for span in b.find(NS + "caption").iter(NS + "span")]
        assert caption == [f"{agency.code}{agency.name}", f"单位：{book.money_unit}"]
        budget_text = [text(c) for c in b.iter(NS + "td")]
        assert budget_text[0] == project.name
        assert budget_text[4] == project.usage.strip()
    headings = [text(h) for h in doc.iter(NS + "h2") if h.get("class") == "heading"]
    assert headings == [book.heading(n, p) for n, _, p in book.numbered()]
    toc = [a.get("href") for a in doc.iter(NS + "a") if a.getparent().tag == NS + "li"]
    assert toc == [f"#t{n}" for n, _, _ in book.numbered()]


def test_labels_and_last_characters_stay_whole(built):
    page = (built / "tianjin-ipa-2024" / "index.html").read_text(encoding="utf-8")
    # A line may break between the label's halves, never inside one (预算规模及资金用/途), nor
    # leave a cell's last character alone (信息化系统使用年/限); the heading's lines are spans
    # that the PDF sets one under the other and a browser balances.
    assert '<span class="nw">预算规模及</span><span class="nw">资金用途</span>' in page
    assert '<td>信息化系统使用<span class="nw">年限</span></td>' in page
    assert ('<h2 class="heading" id="t3-h"><span class="line">3.2023年服务业发展资金</span>'
            '<span class="line">（专利转化专项计划）-中央专款绩效目标表</span></h2>') in page
    assert ".nw { white-space: nowrap; }" in page and "text-wrap: balance" in page
    # Markup in the data is escaped inside the span too.
    from tablegen.templates import no_orphan
    assert str(no_orphan("<b>年限")) == '&lt;b&gt;<span class="nw">年限</span>'
    assert no_orphan("≥10年") == "≥10年" and no_orphan("年限") == "年限"


def test_semantic_table_markup(built):
    doc = parse(built / "binhai-ipa-2026" / "index.html")
    table = next(t for t in doc.iter(NS + "table") if t.get("class") == "grid")
    assert [th.get("scope") for th in table.find(f"{NS}thead").iter(NS + "th")] == ["col"] * 5
    assert table.find(NS + "caption") is not None
    assert doc.find(f".//{NS}meta[@name='viewport']") is not None
    assert doc.find(f".//{NS}link") is None  # self-contained: CSS is inline
    assert "@media print" in text(doc.find(f".//{NS}style"))


@pytest.mark.parametrize("merge, spans", [
    ("none", [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]),
    ("level1", [[3, 1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]),
    ("level1+level2", [[3, 2, 1, 1, 1], [1, 1, 1], [1, 1, 1, 1]]),
])
def test_rowspans_follow_the_merge_setting(tmp_path, merge, spans):
    book = tmp_path / "m"
    shutil.copytree(FIXTURES / "html" / "merge", book)
    text_ = (book / "book.yaml").read_text(encoding="utf-8").replace("merge: none", f"merge: {merge}")
    (book / "book.yaml").write_text(text_, encoding="utf-8")
    build([book], tmp_path / "out", ["html"], quiet=True)
    doc = parse(tmp_path / "out" / "m" / "index.html")
    g = next(t for t in doc.iter(NS + "table") if t.get("class") == "grid")
    assert [[span for _, span in row] for row in grid_cells(g)[:3]] == spans


def test_markup_in_data_is_escaped(tmp_path):
    build([FIXTURES / "html" / "markup"], tmp_path, ["html"], quiet=True)
    page = (tmp_path / "markup" / "index.html").read_text(encoding="utf-8")
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=&#34;http://127.0.0.1:9/x.png&#34;&gt;" in page
    doc = parse(tmp_path / "markup" / "index.html")
    assert '<img src="file:///etc/passwd">' in text(doc)


def test_overview_lists_books_totals_and_warnings(built):
    doc = parse(built / "index.html")
    books = [s for s in doc.iter(NS + "section") if s.get("class") == "book"]
    assert [text(s.find(NS + "h2")) for s in books] == [
        "天津市滨海新区知识产权局2026年项目支出绩效目标表", "天津市知识产权局2024年项目支出绩效目标表"]
    foot = [text(c) for c in books[1].find(f".//{NS}tfoot").iter(NS + "td")]
    assert foot == ["10", "6895.00", "6795.00", "100.00"]
    rows = [[text(c) for c in tr] for tr in books[1].find(f".//{NS}tbody").iter(NS + "tr")]
    assert rows == [["610101天津市知识产权局", "6", "6222.00", "6222.00", ""],
                    ["610203天津市知识产权保护中心", "4", "673.00", "573.00", "100.00"]]
    warnings = [text(li) for li in books[1].find(f".//{NS}ul[@class='warnings']").iter(NS + "li")]
    assert len(warnings) == 5 and "[no-satisfaction]" in warnings[1]
    # The target review: each project's grade, and its findings apart from check's warnings.
    grades = [[text(c) for c in tr] for tr in
              books[1].find(f".//{NS}table[@class='scores review']/{NS}tbody").iter(NS + "tr")]
    assert grades[:2] == [["1.2024年局机关信息化运维", "94", "优", "2"],
                          ["2.2024年知识产权执法业务费", "88", "良", "3"]]
    findings = books[1].find(f".//{NS}details[@class='review-findings']")
    assert text(findings.find(NS + "summary")) == "审核意见（19）"
    assert text(books[0].find(f".//{NS}p[@class='ok']")) == "校验通过，没有警告。"
    links = [a.get("href") for a in books[1].iter(NS + "a")]
    title = "天津市知识产权局2024年项目支出绩效目标表"
    assert links == ["tianjin-ipa-2024/index.html",  # and the files of the formats built
                     *(f"tianjin-ipa-2024/{title}.{fmt}" for fmt in ("pdf", "docx", "xlsx"))]


@pytest.mark.parametrize("body, message", [
    ("{% block style %}{{ no_such_thing }}{% endblock %}",
     "模板出错：没有名为“no_such_thing”的值（模板只能使用给定的数据）"),
    ("{% block style %}{% if %}{% endblock %}",
     "模板语法错误：此处应有一个值或表达式，却是“%}”"),
    ("{% block style %}{{ x | nofilter }}{% endblock %}", "模板语法错误：没有名为“nofilter”的过滤器"),
    ("{% block style %}{% for a in b %}{% endblock %}",
     "模板语法错误：“endblock”之前缺少 {% endfor %}（“for”块没有结束）"),
])
def test_a_broken_user_template_names_its_file_and_line(tmp_path, run, body, message):
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "html" / "markup", book)
    (book / "templates" / "html").mkdir(parents=True)
    template = book / "templates" / "html" / "book.html.j2"
    template.write_text('{% extends "default:book.html.j2" %}\n' + body + "\n", encoding="utf-8")
    code, out, err = run("build", str(book), "--format", "html", "--out", str(tmp_path / "out"))
    assert code == 1
    assert err.strip() == f"错误：{template}:2: {message}"
    assert not (tmp_path / "out").exists()


def test_overview_links_files_not_built_in_this_run(tmp_path):
    build([FIXTURES / "html" / "merge"], tmp_path, ["html"], quiet=True, links=["pdf", "docx", "xlsx"])
    links = [a.get("href") for a in parse(tmp_path / "index.html").iter(NS + "a")]
    assert links == ["merge/index.html", "merge/合并测试.pdf", "merge/合并测试.docx", "merge/合并测试.xlsx"]
    assert sorted(p.name for p in (tmp_path / "merge").iterdir()) == ["index.html"]


def test_the_rows_above_the_grid_are_drawn_from_the_layout_one_row_a_line(built):
    # The web page's one change when the rows above the grid came from the layout: each row on
    # one line (the same elements and attributes as the hand-written rows they replace; the
    # DOCX, PDF and XLSX of the seed books are byte for byte what they were).
    page = (built / "binhai-ipa-2026" / "index.html").read_text(encoding="utf-8")
    assert ('      <tr><th scope="row" rowspan="2"><span class="nw">预算规模及</span>'
            '<span class="nw">资金用途</span></th><th scope="col">预算数</th>'
            '<td class="amount">1020000.00</td><th scope="col">其中：财政资金</th>'
            '<td class="amount">1020000.00</td><th scope="col">其他资金</th>'
            '<td class="amount"></td></tr>\n') in page
    assert '      <tr><td colspan="6" class="text">通过支撑知识产权保护工作站' in page
