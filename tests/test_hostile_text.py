"""Smaller hostile values: -0.00, sums beyond 28 digits, non-ASCII digits, characters no font
has, texts too long for a spreadsheet cell, a line break in a file name."""

from __future__ import annotations

import pytest

from hostile import BOOK, VALID, make_book
from tablegen.kinds.targets import budget_cells
from tablegen.load.books import load_book_strict
from tablegen.render.fonts import fallback_font


def test_minus_zero_prints_as_zero(tmp_path):
    book = make_book(tmp_path / "b", VALID.replace("  other:", "  other: -0.00"))
    project = load_book_strict(book).projects[0]
    assert str(project.budget.other) == "0.00"
    assert "-0.00" not in budget_cells(project)


def test_sums_are_exact_beyond_28_digits(tmp_path, run):
    big = "10000000000000000000000000000001"
    make_book(tmp_path / "b", VALID.replace("  total: 10.00\n  fiscal: 10.00",
                                            f"  total: {int(big) - 1}\n  fiscal: {big}"))
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        f"b/p.yaml:3:10: error[budget-sum]: budget.total：预算数 {int(big) - 1} 不等于 "
        f"财政资金 {big} + 其他资金 0 = {big}"]


@pytest.mark.parametrize("amount, hint", [
    ("+5", "；不要写“+”号"), ("４０", "；请只用半角数字 0-9"), ("٤٠", "；请只用半角数字 0-9")])
def test_amounts_are_ascii_digits_without_a_plus(tmp_path, run, amount, hint):
    make_book(tmp_path / "b", VALID.replace("  total: 10.00\n  fiscal: 10.00",
                                            f"  total: {amount}\n  fiscal:"))
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        f"b/p.yaml:3:10: error[amount-invalid]: budget.total：预算数应为金额（如 40.00），"
        f"实际为文本“{amount}”{hint}"]


@pytest.mark.skipif(fallback_font() is None, reason="the pip CJK font is a dependency")
def test_a_character_no_font_has_is_named_with_its_place(tmp_path, run):
    make_book(tmp_path / "b", VALID.replace("usage: 用于测试", "usage: 用于𠀀测试𪚥"))
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 0
    assert out.splitlines() == [
        "b/p.yaml:6:8: warning[glyph-missing]: usage：字符“𠀀”（U+20000）没有可用的字体，"
        "PDF 中会显示为方框；请改用常用字或安装含此字的字体",
        "b/p.yaml:6:8: warning[glyph-missing]: usage：字符“𪚥”（U+2A6A5）没有可用的字体，"
        "PDF 中会显示为方框；请改用常用字或安装含此字的字体",
    ]


def test_a_text_too_long_for_a_spreadsheet_cell(tmp_path, run):
    make_book(tmp_path / "b", VALID.replace("usage: 用于测试", "usage: " + "用" * 40000))
    code, out, _ = run("check", "b", "--strict", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "b/p.yaml:6:8: error[text-too-long]: usage：文本长 40000 个字符，超过 XLSX 单元格的上限 "
        "32767，XLSX 中会被截断"]


def test_a_line_break_in_a_file_name_stays_on_one_line(tmp_path, run):
    (tmp_path / "a\nb.yaml").write_text("name: [", encoding="utf-8")
    code, out, _ = run("check", "a\nb.yaml", cwd=tmp_path)
    assert code == 1
    assert len(out.splitlines()) == 1
    assert out.startswith("a\\nb.yaml:1:")


def test_text_that_reads_differently_from_what_it_is_is_an_error(tmp_path, run):
    # `≥\u202e次21` shows as `≥12次` in the PDF, the HTML and a terminal; once it passed check.
    make_book(tmp_path / "b", VALID.replace("value: ≥1次", 'value: "≥\\u202e次21"').replace(
        "usage: 用于测试", "usage: 用于\u200b测试\ufeff"))
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "b/p.yaml:6:8: error[invisible-char]: usage：文本含有不可见的字符 U+200B（零宽空格）、"
        "U+FEFF（零宽不换行空格），显示出的文字与实际内容不同：“用于\\u200b测试\\ufeff”；"
        "请删除（tablegen fmt 会删除它）",
        "b/p.yaml:13:16: error[invisible-char]: indicators.产出指标.数量指标[1].value：文本含有不可见的"
        "字符 U+202E（从右至左强制），显示出的文字与实际内容不同：“≥\\u202e次21”；请删除后核对文字"
        "（它改变了文字的显示顺序，tablegen fmt 不会自动删除）"]


def test_names_that_print_alike_are_duplicates(tmp_path, run):
    folder = make_book(tmp_path / "b", book=BOOK.replace("      - p.yaml", "      - p.yaml\n      - q.yaml"))
    (folder / "q.yaml").write_text(VALID.replace("name: 测试项目", "name: 测试\u200b项目"),
                                   encoding="utf-8")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "b/q.yaml:1:1: error[name-duplicate]: name：项目名称“测试\\u200b项目”与 p.yaml 重复",
        "b/q.yaml:1:7: error[invisible-char]: name：文本含有不可见的字符 U+200B（零宽空格），"
        "显示出的文字与实际内容不同：“测试\\u200b项目”；请删除（tablegen fmt 会删除它）"]


def test_fmt_removes_what_changes_nothing_shown_and_leaves_a_reordering_control(tmp_path, run):
    folder = make_book(tmp_path / "b", VALID.replace("name: 测试次数", "name: 测试\u00ad次数\u2060")
                       .replace("  产出指标:", "  产出\u200b指标:"))
    assert run("fmt", "b", cwd=tmp_path)[0] == 0
    text = (folder / "p.yaml").read_text(encoding="utf-8")
    assert "name: 测试次数\n" in text and "  产出指标:\n" in text
    assert run("check", "b")[0] == 0
    # A bidi override: removing it would change what the reader saw (≥12次 → ≥次21).
    (folder / "p.yaml").write_text(VALID.replace("value: ≥1次", 'value: "≥\\u202e次21"'),
                                   encoding="utf-8")
    code, out, err = run("fmt", "b")
    assert code == 1
    assert [line.split(": ")[1] for line in out.splitlines() + err.splitlines()
            if line.startswith("b/")] == ["error[fmt-skipped]", "error[invisible-char]"]
    assert '"≥\\u202e次21"' in (folder / "p.yaml").read_text(encoding="utf-8")


def test_a_zero_width_joiner_inside_an_emoji_is_no_finding():
    from tablegen.load.validate import invisible, visible

    family = "👨\u200d👩\u200d👧"
    assert invisible(family) == []
    assert invisible("测\u200d试") == [1]
    assert visible("测试\u200b项目") == "测试项目"
