"""`tablegen new` and `tablegen new-book`: a skeleton from the frame, listed in book.yaml."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import TEST_BOOKS
from tablegen.load.books import load_book_strict, load_paths


def test_new_book_then_new_projects(tmp_path, run):
    code, _, err = run("new-book", "targets/demo", "--title", "测试书", "--year", "2025",
                       "--agency", "610101", "天津市测试局", cwd=tmp_path)
    assert code == 0, err
    assert run("new", "demo", "2025年测试项目")[0] == 0
    assert run("new", "demo", "2025年第二个项目")[0] == 0
    book = load_book_strict(tmp_path / "targets" / "demo")
    assert [p.name for p in book.projects] == ["2025年测试项目", "2025年第二个项目"]
    project = book.projects[0]
    assert [(l1.name, [l2.name for l2 in l1.groups]) for l1 in project.indicators] == [
        ("产出指标", ["数量指标", "质量指标", "时效指标", "成本指标"]),
        ("效益指标", ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"]),
        ("满意度指标", ["服务对象满意度指标"]),
    ]
    report = load_paths([tmp_path / "targets"]).report
    assert report.errors == []
    assert {f.rule for f in report.warnings} == {"placeholder"}
    code, _, err = run("new", "demo", "2025年测试项目")
    assert code == 2 and "书中已有项目“2025年测试项目”" in err
    assert run("fmt", "--check", "targets")[0] == 0


def test_new_in_a_book_with_several_agencies_needs_the_agency(tmp_path, run):
    shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", tmp_path / "b")
    before = (tmp_path / "b" / "book.yaml").read_text(encoding="utf-8")
    code, _, err = run("new", str(tmp_path / "b"), "新项目")
    assert code == 2
    assert "这本书有 2 个单位，请用 --agency 指定：610101、610203" in err
    assert (tmp_path / "b" / "book.yaml").read_text(encoding="utf-8") == before
    assert run("new", str(tmp_path / "b"), "新项目", "--agency", "610203")[0] == 0
    book = load_book_strict(tmp_path / "b")
    assert [p.name for p in book.agencies[1].projects][-1] == "新项目"
    assert len(book.agencies[0].projects) == 6


def test_new_uses_the_books_frame(tmp_path, run):
    # A bare name is a book under targets/.
    assert run("new-book", "b", "--title", "书", "--year", "2025", "--frame", "cost-first",
               "--agency", "610101", "单位", cwd=tmp_path)[0] == 0
    assert run("new", "b", "新项目")[0] == 0
    project = load_book_strict(tmp_path / "targets" / "b").projects[-1]
    assert [l1.name for l1 in project.indicators] == ["成本指标", "产出指标", "效益指标", "满意度指标"]


def test_new_keeps_book_yaml_and_its_comments(tmp_path, run):
    shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", tmp_path / "b")
    book_yaml = tmp_path / "b" / "book.yaml"
    lines = book_yaml.read_text(encoding="utf-8").splitlines()
    lines.insert(1, "# 滨海新区的书（这条注释要保留）")
    lines[-1] += "   # 最后一个项目"
    book_yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("new", str(tmp_path / "b"), "2026年新项目")[0] == 0
    after = book_yaml.read_text(encoding="utf-8").splitlines()
    assert after == [*lines, "      - 2026年新项目.yaml"]
    project = (tmp_path / "b" / "2026年新项目.yaml").read_text(encoding="utf-8")
    assert project.splitlines()[:13] == [
        "# yaml-language-server: $schema=../../build/schema/project.schema.json",
        "name: 2026年新项目",
        "budget:",
        "  total: 0.00",
        "  fiscal: 0.00",
        "  other:",
        "usage: 请填写资金用途",
        "goals:",
        "  - 请填写绩效目标",
        "indicators:",
        "  产出指标:",
        "    数量指标:",
        "      - name: 请填写三级指标",
    ]


def test_a_budget_left_at_the_placeholder_0_00_does_not_pass_strict(tmp_path, run):
    # Once: with every 请填写 text replaced, `total: 0.00` went through `check --strict`.
    run("new-book", "b", "--title", "书", "--year", "2025", "--agency", "610101", "单位",
        cwd=tmp_path)
    assert run("new", "b", "新项目")[0] == 0
    project = tmp_path / "targets" / "b" / "新项目.yaml"
    text = project.read_text(encoding="utf-8")
    project.write_text(re.sub(r"请填写(指标值)?", lambda m: "≥1次" if m.group(1) else "已填写", text),
                       encoding="utf-8")
    code, out, err = run("check", "--strict", "targets")
    assert (code, out.splitlines()) == (1, [
        "targets/b/新项目.yaml:4:10: error[placeholder]: budget.total：尚未填写：预算数为 0.00；"
        "请填写项目的预算数"])


EMPTY = "错误：项目名称不能为空：tablegen new <书> <项目名称>，如 tablegen new example 2025年信息化运维\n"


@pytest.mark.parametrize(("name", "message"), [
    ("", EMPTY),
    ("  ", EMPTY),
    (" 新项目", "错误：项目名称“ 新项目”首尾有空白，请去掉\n"),
    ("新\x07项目", "错误：项目名称“新\\x07项目”含有无法保存的字符（控制字符，或不是 UTF-8 编码的字节）\n"),
])
def test_new_refuses_a_name_it_could_not_list(tmp_path, run, name, message):
    shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", tmp_path / "b")
    before = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert run("new", str(tmp_path / "b"), name) == (2, "", message)
    assert {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()} == before
    assert run("new", str(tmp_path / "b"), "新项目")[0] == 0  # the next one is written


def test_new_book_offers_the_named_layouts(tmp_path, run):
    code, out, _ = run("layouts", cwd=tmp_path)
    assert code == 0
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert names == ["fujian-transfer", "hunan-xiangtan", "national", "period", "remarks",
                     "sichuan-export", "tianjin"]
    assert "period\t项目支出绩效目标表（实施期目标与年度目标并列，实施期指标值与年度指标值两列）" in out
    # A county agency without a code, its tables in the 实施期 layout.
    assert run("new-book", "b", "--title", "某县民政局2025年项目支出绩效目标表", "--year", "2025",
               "--agency", "某县社会救助服务中心", "--layout", "period")[0] == 0
    book_yaml = (tmp_path / "targets" / "b" / "book.yaml").read_text(encoding="utf-8")
    assert "layout: period\n" in book_yaml and "  - name: 某县社会救助服务中心\n" in book_yaml
    assert "code" not in book_yaml
    assert run("new", "b", "困难群众救助项目")[0] == 0
    book = load_book_strict(tmp_path / "targets" / "b")
    project = book.projects[0]
    assert book.layout.name == "period" and book.agencies[0].code == ""
    # The skeleton has what the layout prints: 实施期, its goals and values.
    assert (project.period, project.period_goals) == ("请填写项目实施期", ["请填写实施期绩效目标"])
    assert {ind.period_value for _, _, ind in project.rows()} == {"请填写实施期指标值"}
    assert project.usage == ""  # the layout prints no 资金用途
    code, _, err = run("new-book", "c", "--title", "书", "--year", "2025", "--agency", "单位",
                       "--layout", "sichuan")
    assert code == 2
    assert err.strip() == ("错误：没有名为“sichuan”的版式；可用的版式：fujian-transfer、hunan-xiangtan、"
                           "national、period、remarks、sichuan-export、tianjin（tablegen layouts 列出"
                           "每个版式的说明）")
    # and the help says where the layouts are listed
    code, out, _ = run("new-book", "--help")
    assert code == 0
    assert re.search(r"--layout 版式 +表格的版式（默认 tianjin；tablegen layouts 列出全部版 *\n? *式）",
                     out)


def test_a_repository_layout_is_offered_and_used(tmp_path, run):
    layouts = tmp_path / "templates" / "targets" / "layouts"
    layouts.mkdir(parents=True)
    from tablegen.templates import DEFAULT_TEMPLATES

    text = (DEFAULT_TEMPLATES / "targets" / "layouts" / "national.yaml").read_text(encoding="utf-8")
    (layouts / "our-county.yaml").write_text(text.replace(
        "title: 项目支出绩效目标表（主管部门、实施单位分列，无绩效指标描述列）", "title: 本县的版式"),
        encoding="utf-8")
    code, out, _ = run("layouts", cwd=tmp_path)
    assert "our-county\t本县的版式" in out.splitlines()
    assert run("new-book", "b", "--title", "书", "--year", "2025", "--agency", "单位",
               "--layout", "our-county")[0] == 0
    assert run("new", "b", "项目")[0] == 0
    assert load_book_strict(tmp_path / "targets" / "b").layout.title == "本县的版式"
