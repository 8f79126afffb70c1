"""Smaller hostile values: -0.00, sums beyond 28 digits, non-ASCII digits, characters no font
has, texts too long for a spreadsheet cell, a line break in a file name."""

from __future__ import annotations

import pytest

from hostile import VALID, make_book
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
