"""YAML syntax errors: reported where the problem starts, in Chinese, with the likely cause."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from tablegen.errors import Report
from tablegen.load.loader import load

SYNTAX = FIXTURES / "syntax"

CASES = {
    # An unclosed quote on line 12 of a 27-line file: once reported at 28:1 "end of stream".
    "unclosed-quote.yaml": (12, 15, "YAML 语法错误：引号未闭合：第 12 行第 15 列开始的 \" 直到文件末尾"
                                    "（第 27 行）都没有配对的 \"；请补上闭合的引号"),
    # `indicators:` followed by `  - 产出指标:`: once reported at 18:3 "expected <block end>".
    "list-for-map.yaml": (9, 3, "YAML 语法错误：第 9 行开始的列表（以“- ”开头的各项）在第 18 行遇到了"
                                "同一缩进的“键:”；同一层级不能混用列表项和键。若这里应为映射（如 indicators "
                                "下的“产出指标:”），请去掉“- ”；否则请检查缩进是否一致"),
    "fullwidth-colon.yaml": (15, 14, "YAML 语法错误：第 15 行使用了全角冒号“：”；键和值之间应为半角冒号"
                                     "加空格，如“value: 20人”"),
    "tab-indent.yaml": (4, 1, "YAML 语法错误：第 4 行使用了制表符（Tab）缩进；YAML 只能用空格缩进，"
                              "请把 Tab 换成空格"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_syntax_errors_are_reported_where_they_start(name):
    report = Report()
    assert load(SYNTAX / name, name, report) is None
    assert [(f.pos.line, f.pos.col, f.rule, f.message) for f in report.findings] == [
        (*CASES[name][:2], "yaml-syntax", CASES[name][2])]


def test_a_flow_bracket_left_open_names_both_lines():
    report = Report()
    from tablegen.load.loader import parse

    parse("goals: [完成测试, 第二个\nusage: x\n", "p.yaml", report)
    assert [f.text() for f in report.findings] == [
        "p.yaml:1:8: error[yaml-syntax]: YAML 语法错误：第 1 行开始的方括号 [ ]没有正确闭合（第 2 行处"
        "无法继续）；请检查括号是否成对、项之间是否用逗号分隔"]


def test_unicode_line_separators_do_not_shift_line_numbers():
    from tablegen.load.loader import parse

    # PyYAML counts U+2028 as a line break; editors and YAML 1.2 do not.
    report = Report()
    root = parse('name: "a\u2028b"\nusage: x\ngoals: [y\n', "p.yaml", report)
    assert root is None
    assert [(f.pos.line, f.pos.col) for f in report.findings] == [(3, 8)]
    root = parse('name: "a\u2028b\u2029c"\nusage: x\n', "p.yaml", Report())
    assert [(k.text, v.text, v.pos.line, v.pos.col) for k, v in root.pairs] == [
        ("name", "a\u2028b\u2029c", 1, 7), ("usage", "x", 2, 8)]


def test_aliases_are_refused_where_they_stand_whichever_parser_reads():
    from tablegen.load.loader import parse

    report = Report()
    assert parse("a: &x [1, 2]\nb:\n  - c\n  - *x\n", "p.yaml", report) is None
    assert [f.text() for f in report.findings] == [
        "p.yaml:4:5: error[yaml-alias]: 不支持 YAML 别名（*名称）：请把内容直接写出"]


SEPARATORS = [("\x85", "下一行符 NEL"), ("\u2028", "行分隔符"), ("\u2029", "段分隔符")]


@pytest.mark.parametrize("char, name", SEPARATORS)
def test_a_line_separator_editors_show_unbroken_is_refused(char, name):
    from tablegen.load.loader import parse

    # `# 说明<U+2028>goals: [y]` is one comment line in an editor; YAML 1.1 read `goals` after it.
    message = (f"文本含有不可见的字符 U+{ord(char):04X}（{name}）：YAML 会把它读作换行，编辑器却显示在"
               "同一行，读出的内容会与看到的不同；请删除它，或换成普通换行")
    cases = [(f"usage: x  # 说明{char}goals: [y]\n", 15), (f'usage: "x"{char}goals: [y]\n', 11),
             (f"usage: a{char}b\n", 9), (f"usage: |\n  a{char}b\n", 4)]
    if char == "\x85":  # inside quotes too: it was read as a space
        cases += [(f'usage: "a{char}b"\n', 10), (f"usage: 'a{char}b'\n", 10)]
    for text, col in cases:
        report = Report()
        assert parse(text, "p.yaml", report) is None, text
        line = 2 if text.startswith("usage: |") else 1
        assert [f.text() for f in report.findings] == [
            f"p.yaml:{line}:{col}: error[control-char]: {message}"], text


def test_a_text_parsed_again_gives_its_findings_again(monkeypatch):
    from tablegen.load import loader

    monkeypatch.setattr(loader, "_TREES", {})
    text = "name: 项目\ngoal: >=98%\n"
    reports = [Report(), Report()]
    trees = [loader.parse(text, "p.yaml", r) for r in reports]
    assert trees[0] is trees[1]  # read once
    assert [f.text() for f in reports[1].findings] == [f.text() for f in reports[0].findings]
    assert [f.rule for f in reports[0].findings] == ["unquoted-sign"]
    assert loader.parse(text, "q.yaml", Report()) is not trees[0]  # another file's positions


def test_a_build_reads_each_file_once(tmp_path, monkeypatch):
    import shutil

    from tablegen.build import build
    from tablegen.load import loader

    book = shutil.copytree(FIXTURES / "cache", tmp_path / "cache")
    monkeypatch.setattr(loader, "_TREES", {})
    parsed: list[str] = []
    real = loader._parse
    monkeypatch.setattr(loader, "_parse", lambda text, shown, *a: (parsed.append(shown),
                                                                  real(text, shown, *a))[1])
    build([book], tmp_path / "out", ["html"], quiet=True)  # the check, then the target review
    assert len(parsed) == len(set(parsed))
    assert {str(p) for p in book.glob("*.yaml")} <= set(parsed)


def test_the_memo_keeps_one_text_a_file_and_past_its_size_keeps_what_it_holds(tmp_path,
                                                                             monkeypatch):
    """A file's new text takes the place of its old one; a memo that is full keeps what it
    holds instead of letting the oldest go: a build reads its files in the same order twice
    (the check, then the target review), and with more files than the memo holds a memo that
    let the oldest go lost every one before it was read again (a 5,000-table book parsed
    13,000 times)."""
    import shutil

    from tablegen.build import build
    from tablegen.load import loader

    monkeypatch.setattr(loader, "_TREES", {})
    first = loader.parse("a: 1\n", "p.yaml", Report())
    assert loader.parse("a: 2\n", "p.yaml", Report()) is not first
    assert list(loader._TREES) == ["p.yaml"] and loader._TREES["p.yaml"][0] == "a: 2\n"

    book = shutil.copytree(FIXTURES / "cache", tmp_path / "cache")
    monkeypatch.setattr(loader, "_TREES", {})
    monkeypatch.setattr(loader, "MEMO_FILES", 2)
    parsed: list[str] = []
    real = loader._parse
    monkeypatch.setattr(loader, "_parse", lambda text, shown, *a: (parsed.append(shown),
                                                                  real(text, shown, *a))[1])
    build([book], tmp_path / "out", ["html"], quiet=True)
    files = len(set(parsed))
    assert files > 2
    kept = list(loader._TREES)
    assert len(kept) == 2 and all(parsed.count(name) == 1 for name in kept)
    assert len(parsed) < 2 * files
