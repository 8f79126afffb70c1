"""The seed-dump importer: the seed books (tests/books/) are what it writes; its parsing rules."""

from __future__ import annotations

import filecmp

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT, SEED_BOOKS, TEST_BOOKS
from tablegen.imports.read_dump import parse_dump
from tablegen.imports.rows import split_goals
from tablegen.source.yamlout import scalar


@pytest.mark.parametrize("key", sorted(SEED_BOOKS))
def test_seed_books_are_what_the_importer_writes(key, tmp_path, run):
    into = tmp_path / key
    code, _, err = run("import", str(SEED_BOOKS[key]), "--into", str(into), cwd=ROOT)
    assert code == 0, err
    cmp = filecmp.dircmp(into, TEST_BOOKS / key)
    assert (cmp.left_only, cmp.right_only, cmp.diff_files) == ([], [], [])


def test_a_book_yaml_without_agencies_is_not_touched(tmp_path, run):
    into = tmp_path / "book"
    into.mkdir()
    (into / "book.yaml").write_text("title: 已有\n", encoding="utf-8")
    code, out, err = run("import", str(SEED_BOOKS["binhai-ipa-2026"]), "--into", str(into))
    assert code == 1
    assert f"{into / 'book.yaml'}:1:1: error[import-book]: 书中有错误，未导入；请先按 tablegen check " \
           "的提示修正，再导入" in out
    assert sorted(p.name for p in into.iterdir()) == ["book.yaml"]
    assert (into / "book.yaml").read_text(encoding="utf-8") == "title: 已有\n"


def test_a_file_with_no_table_is_an_error_and_writes_nothing(tmp_path, run):
    src = tmp_path / "empty.txt"
    src.write_text("只是一段文字\n", encoding="utf-8")
    code, _, err = run("import", str(src), "--into", str(tmp_path / "out"))
    assert code == 1
    assert "没有在" in err and "找到任何项目支出绩效目标表" in err
    assert not (tmp_path / "out").exists()


def test_dump_rules():
    text = (
        " [bookmark: _Toc1]1.甲绩效目标表\n"
        "\t610101单位\n\t单位：万元\n\n"
        "\t绩效目标\n\t1.第一\n2.第二\t\t\n\n\n \n"
        "\t一级指标\n\t\n\n"
        " \t610203单位二\n"
    )
    sections = parse_dump(text)
    assert [(s.heading, s.line) for s in sections] == [("1.甲绩效目标表", 1), ("", 14)]
    assert sections[0].rows == [["610101单位", "单位：万元"], ["绩效目标", "1.第一\n2.第二\t\t"],
                                ["一级指标", ""]]
    assert sections[1].rows == [["610203单位二"]]


def test_goals_are_split_and_unnumbered():
    assert split_goals("1.甲\n2.乙") == ["甲", "乙"]
    assert split_goals("1.甲；2.乙。3、丙") == ["甲；", "乙。", "丙"]
    assert split_goals("没有编号") == ["没有编号"]


def test_damaged_text_is_mended_from_context_with_a_comment():
    text = (TEST_BOOKS / "tianjin-ipa-2024" / "2024年天津市志-知识产权局志（1985-2020）编修.yaml"
            ).read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if "？" in line and not line.lstrip().startswith("#")] == []
    assert ("# name 源文件为“完成《天津市志？知识产权局志》部分篇章初稿编纂”"
            "（“？”为编码损坏，按项目名称修复）") in text
    empty_heading = (TEST_BOOKS / "tianjin-ipa-2024" / "2024年天津市知识产权保护与服务.yaml"
                     ).read_text(encoding="utf-8")
    assert empty_heading.splitlines()[1] == "# 源文件中此表的标题为空；标题按项目名称生成。"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_every_scalar_reads_back_as_the_same_text(text):
    document = yaml.compose(f"k: {scalar(text)}")
    value = document.value[0][1]
    assert value.value == text
    assert value.tag == "tag:yaml.org,2002:str"


@given(st.text(alphabet=st.sampled_from(list("知识 ab#:-'\"\n\t|>")), max_size=30),
       st.sampled_from([0, 2, 8]))
def test_multi_line_text_reads_back_from_its_block_form(text, indent):
    pad = " " * indent
    mapping = yaml.compose(f"{pad}k: {scalar(text, indent)}\n{pad}z: 1\n")
    sequence = yaml.compose(f"{pad}- {scalar(text, indent)}\n{pad}- 1\n")
    for node in (mapping.value[0][1], sequence.value[0]):
        assert node.value == text
        assert node.tag == "tag:yaml.org,2002:str"


def test_multi_line_text_is_written_as_a_literal_block():
    assert scalar("第一行\n第二行", 0) == "|-\n  第一行\n  第二行"
    assert scalar("第一行\n\n第三行\n", 8) == "|\n          第一行\n\n          第三行"
    assert scalar("尾随空格 \n第二行", 0) == '"尾随空格 \\n第二行"'
