"""A repository's own layout of the 部门整体 tables (templates/overall/layouts/<name>.yaml): its
blocks in its order and its words in every format, the 自评表's too; a broken file is a finding
at its line; `check` and `fmt` take it as they take a shipped one.

The expected cells are those of tests/test_overall.py (the same data) with this layout's words,
written out by hand; they are checked in the HTML, the DOCX, the XLSX and the PDF by the readers
of tests/test_overall_formats.py.
"""

from __future__ import annotations

import os

import pytest
import yaml
from openpyxl import load_workbook

from conftest import need_program
from dumps import composed_of, docx_tables, pdf_lines
from tablegen.build import build
from tablegen.errors import InvalidData, RenderError, Report
from tablegen.kinds import overall as overall_kind
from tablegen.kinds import overall_eval
from tablegen.load.books import load_book_strict
from tablegen.load.overall_layouts import read_overall_layout
from tablegen.model.overall_layouts import layouts
from test_overall import EVAL, FUNDS, GOALS_1, GOALS_2, GRID_1, GRID_2, TASKS, overall_book
from test_overall_files import findings
from test_overall_formats import html_tables, render, sheet_rows, trimmed

# A city's table: 职能 and 目标 first, then the tasks; other words for most labels; a 自评表
# with its own words and heading.
MINE = """\
title: 某市部门整体支出绩效目标申报表（先列职能和目标，再列任务）
base: tasks
blocks: [functions, goals, tasks, indicators]
labels:
  document: 部门整体绩效目标申报表
  heading: "{agency}{year}年部门整体绩效目标申报表"
  name: 单位名称
  functions: 单位职能
  goals: 整体绩效目标
  tasks: 重点工作任务
  task_amount: 资金安排（{unit}）
  task_sum: 合计
  indicators: 绩效指标
  value: 目标值
evaluation:
  document: 部门整体绩效自评报表
  heading: "{agency}{year}年部门整体绩效自评报表"
  name: 单位名称
  funds: 预算资金情况（{unit}）
  goals_done: 实际完成情况
  total: 综合得分
  grade: 等级：{grade}
"""
TARGETS = "天津市知识产权局2024年部门整体绩效目标申报表"
EVALS = "天津市知识产权局2024年部门整体绩效自评报表"
HEADINGS = {TARGETS: ["1.天津市知识产权局2024年部门整体绩效目标申报表",
                      "2.天津市知识产权保护中心2024年部门整体绩效目标申报表"],
            EVALS: ["1.天津市知识产权局2024年部门整体绩效自评报表",
                    "2.天津市知识产权保护中心2024年部门整体绩效自评报表"]}
TASK_HEAD = [["重点工作任务", "任务名称", "主要内容", "资金安排（万元）"],
             ["", "", "", "总额", "财政拨款", "其他资金"]]
GRID_HEAD = ["一级指标", "二级指标", "三级指标", "目标值"]
MINE_TARGETS = {
    1: [["单位名称", "天津市知识产权局"],
        ["单位职能", FUNDS[1][1][1]],
        ["整体绩效目标", GOALS_1[1]],
        *TASK_HEAD,
        *TASKS[1][3:8],  # the five tasks
        ["", "合计", "7307.50", "7307.50", ""],
        ["绩效指标"],
        GRID_HEAD,
        *GRID_1],
    2: [["单位名称", "天津市知识产权保护中心"],
        ["单位职能", FUNDS[2][1][1]],
        ["整体绩效目标", GOALS_2[1]],
        *TASK_HEAD,
        *TASKS[2][3:5],  # the two tasks
        ["", "合计", "673.00", "573.00", "100.00"],
        ["绩效指标"],
        GRID_HEAD,
        *GRID_2],
}
# The 自评表 of tests/test_overall.py, its changed labels in their cells.
WORDS = {"部门（单位）名称": "单位名称", "部门（单位）总体资金（万元）": "预算资金情况（万元）",
         "年度总体目标完成情况": "实际完成情况", "总分": "综合得分", "自评等级：优": "等级：优"}
MINE_EVAL = {n: [[WORDS.get(cell, cell) for cell in row] for row in rows]
             for n, rows in EVAL.items()}


def mine_book(root, text=MINE, key="mine"):
    """The test book naming `overall_layout: mine`, the layout in its own templates/."""
    folder = overall_book(root, "mine", key)
    path = folder / "templates" / "overall" / "layouts" / "mine.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("overall-mine")
    render(mine_book(root / "src"), root / "out")
    return root / "out" / "mine"


def expected(title):
    return MINE_TARGETS if title == TARGETS else MINE_EVAL


def test_the_tables_have_the_layouts_blocks_in_its_order_with_its_words(tmp_path):
    book = load_book_strict(mine_book(tmp_path))
    assert book.overall_layout == "mine"
    tables = overall_kind.tables(book)
    assert [t.blocks for t in tables] == [("functions", "goals", "tasks", "indicators")] * 2
    assert [t.heading for t in tables] == HEADINGS[TARGETS]
    for t in tables:
        assert overall_kind.table_rows(t) == MINE_TARGETS[t.number]
    evals = overall_eval.evaluations(book)
    assert [t.heading for t in evals] == HEADINGS[EVALS]
    for t in evals:
        assert overall_eval.table_rows(t) == MINE_EVAL[t.number]
    assert overall_kind.title(book) == TARGETS and overall_eval.title(book) == EVALS


@pytest.mark.parametrize("title", [TARGETS, EVALS])
def test_every_cell_is_in_the_html_and_the_docx(built, title):
    for tables in (html_tables(built / f"{title}.html"), docx_tables(built / f"{title}.docx")):
        assert [h for h, _ in tables] == HEADINGS[title]
        assert {n: rows for n, (_, rows) in enumerate(tables, 1)} == expected(title)


@pytest.mark.parametrize("title", [TARGETS, EVALS])
def test_every_cell_is_in_the_xlsx(built, title):
    wb = load_workbook(built / f"{title}.xlsx")
    for number, ws in enumerate(wb.worksheets, 1):
        assert ws["A1"].value == HEADINGS[title][number - 1]
        want = [list(row) for row in expected(title)[number]]
        for b in ws.row_breaks.brk:  # a page cut inside a 一级 group repeats its label
            first = b.id - 1
            if not want[first][0]:
                want[first][0] = next(r[0] for r in reversed(want[:first]) if r[0])
        assert sheet_rows(ws) == [trimmed(r) for r in want], ws.title


@pytest.mark.parametrize("title", [TARGETS, EVALS])
def test_every_cell_is_in_the_pdf(built, title):
    need_program("pdftotext")
    words = pdf_lines(built / f"{title}.pdf")
    missing = [cell for rows in expected(title).values() for row in rows for cell in row
               if not composed_of(cell, words)]
    assert missing == []
    assert not composed_of("年度主要任务", words)  # the shipped word is nowhere


def test_the_layout_is_found_in_the_repositorys_templates_and_check_and_fmt_take_it(
        tmp_path, run):
    from tablegen.commands.fmt import fmt

    folder = overall_book(tmp_path, "mine", "b")
    layout = tmp_path / "templates" / "overall" / "layouts" / "mine.yaml"
    layout.parent.mkdir(parents=True)
    layout.write_text(MINE, encoding="utf-8")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 0 and "error" not in out
    code, out, _ = run("layouts", "--overall", cwd=tmp_path)
    assert (code, out.splitlines()) == (0, [
        f"tasks\t{layouts()['tasks'].title}", f"funds\t{layouts()['funds'].title}",
        "mine\t某市部门整体支出绩效目标申报表（先列职能和目标，再列任务）"])
    assert fmt([folder], check=True).changed == []
    assert "overall_layout: mine\n" in (folder / "book.yaml").read_text(encoding="utf-8")
    # Another name is refused, the repository's offered with the shipped ones.
    book = folder / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace("overall_layout: mine",
                                                             "overall_layout: mien"), encoding="utf-8")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert ("b/book.yaml:7:17: error[invalid-choice]: overall_layout：部门整体表版式应为 tasks | funds | "
            "mine 之一（内置的，或仓库 templates/overall/layouts/ 中的文件名，不含 .yaml），实际为文本“mien”"
            "，是否想写“mine”？") in out.splitlines()


def test_a_changed_layout_file_changes_the_tables_it_builds_through_the_cache(tmp_path,
                                                                             monkeypatch):
    folder = mine_book(tmp_path / "src")
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "out" / "mine" / f"{TARGETS}.html"
    build([folder], tmp_path / "out", ["html"], quiet=True)
    assert "<th scope=\"col\">目标值</th>" in page.read_text(encoding="utf-8")
    path = folder / "templates" / "overall" / "layouts" / "mine.yaml"
    path.write_text(MINE.replace("value: 目标值", "value: 绩效目标值"), encoding="utf-8")
    build([folder], tmp_path / "out", ["html"], quiet=True)
    assert "<th scope=\"col\">绩效目标值</th>" in page.read_text(encoding="utf-8")
    assert "<th scope=\"col\">目标值</th>" not in page.read_text(encoding="utf-8")


def test_labels_not_written_are_the_bases(tmp_path):
    folder = mine_book(tmp_path, "title: 只改一个字\nbase: funds\nlabels: {functions: 单位职能}\n")
    book = load_book_strict(folder)
    assert book.overall_form.blocks == layouts()["funds"].blocks
    assert book.overall_form.labels == {**layouts()["funds"].labels, "functions": "单位职能"}
    assert book.overall_form.evaluation == layouts()["funds"].evaluation


@pytest.mark.parametrize("old, new, finding", [
    ("blocks: [functions, goals, tasks, indicators]", "blocks: [functions, goal, tasks, indicators]",
     "3:21: layout 部门整体表版式 mine 的 blocks[2]：应为 functions | tasks | income | expense | goals | "
     "indicators 之一，实际为文本“goal”，是否想写“goals”？"),
    ("blocks: [functions, goals, tasks, indicators]", "blocks: [functions, goals, goals]",
     "3:28: layout 部门整体表版式 mine 的 blocks[3]：“goals”已在第 2 项，每个部分只能印一次"),
    ("blocks: [functions, goals, tasks, indicators]", "blocks: indicators",
     "3:9: layout 部门整体表版式 mine 的 blocks：应为要印出的部分的列表（按顺序），如 [tasks, goals, "
     "indicators]；可用的部分：functions、tasks、income、expense、goals、indicators"),
    ("blocks: [functions, goals, tasks, indicators]", "blocks: [functions, indicators, tasks]",
     "3:9: layout 部门整体表版式 mine 的 blocks：最后一个部分应为 indicators（年度绩效指标）：绩效目标表以"
     "指标结束，指标表的表头在每页重复"),
    ("blocks: [functions, goals, tasks, indicators]", "blocks: [goals]",
     "3:9: layout 部门整体表版式 mine 的 blocks：最后一个部分应为 indicators（年度绩效指标）：绩效目标表以"
     "指标结束，指标表的表头在每页重复"),
    ("  tasks: 重点工作任务", "  taks: 重点工作任务",
     "10:3: unknown-key labels：未知的键“taks”，是否想写“tasks”？"),
    ("  total: 综合得分", "  totals: 综合得分",
     "21:3: unknown-key evaluation：未知的键“totals”，是否想写“total”？"),
    ("  value: 目标值", "  value: 目标值（{unti}）",
     "14:10: layout 部门整体表版式 mine 的 labels.value：“目标值（{unti}）”中只能用 "
     "{agency}、{year}、{unit}"),
    ("base: tasks", "base: task",
     "2:7: layout 部门整体表版式 mine 的 base：应为 tablegen 内置的版式 tasks | funds 之一，实际为文本“task”"
     "，是否想写“tasks”？"),
    ("title: 某市部门整体支出绩效目标申报表（先列职能和目标，再列任务）\n", "",
     "1:1: layout 部门整体表版式 mine：缺少“title”（版式名称：哪里的表、有什么不同）"),
    (MINE[MINE.index("labels:"):MINE.index("evaluation:")], "labels: [name]\n",
     "4:9: layout 部门整体表版式 mine 的 labels：应为映射（标签的键: 印出的文字），如 name: 单位名称；"
     "实际为列表"),
    ("  name: 单位名称\n  functions", "  name:\n  functions", "7:8: empty-text labels.name：标签不能为空"),
    ("blocks: [functions,", "blocks: [functions,,", "3:20: yaml-syntax"),
])
def test_a_broken_layout_file_is_a_finding_at_its_line(tmp_path, old, new, finding):
    assert old in MINE
    folder = mine_book(tmp_path, MINE.replace(old, new, 1))
    found = [f for f in findings(folder) if f[0] == "mine.yaml"]
    line, col, rest = finding.split(":", 2)
    rule, _, message = rest.strip().partition(" ")
    assert [(f[1], f[2], f[3]) for f in found][:1] == [(int(line), int(col), rule)]
    if message:
        assert found[0][4] == message
    # The book is not built with half a layout (nor with the default in its place).
    with pytest.raises(InvalidData) as info:
        load_book_strict(folder)
    assert "mine.yaml" in {f.pos.path.rsplit("/", 1)[-1] for f in info.value.report.errors}


def test_a_broken_layout_file_is_told_by_check_with_its_path_and_no_traceback(tmp_path, run):
    mine_book(tmp_path, MINE.replace("  value: 目标值", "  valeu: 目标值"), "b")
    code, out, err = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert ("b/templates/overall/layouts/mine.yaml:14:3: error[unknown-key]: labels：未知的键“valeu”"
            "，是否想写“value”？") in out.splitlines()
    assert "Traceback" not in out + err


def test_a_layout_linked_from_outside_its_folder_is_not_read(tmp_path, run):
    folder = mine_book(tmp_path, key="b")
    secret = tmp_path / "secret.yaml"
    secret.write_text(MINE, encoding="utf-8")
    mine = folder / "templates" / "overall" / "layouts" / "mine.yaml"
    mine.unlink()
    mine.symlink_to(secret)
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert ("b/templates/overall/layouts/mine.yaml:1:1: error[file-outside]: 部门整体表版式文件是指向"
            "模板文件夹以外的链接，拒绝读取") in out.splitlines()
    code, out, _ = run("layouts", "--overall", "b", cwd=tmp_path)
    assert out.splitlines()[-1] == "mine\t（版式文件有误，见 tablegen check）"  # its title unread


@pytest.mark.parametrize("name", list(layouts()))
def test_every_shipped_layout_written_as_a_file_reads_back_the_same(tmp_path, name):
    shipped = layouts()[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"title": shipped.title, "base": name, "blocks": list(shipped.blocks),
                                    "labels": shipped.labels, "evaluation": shipped.evaluation},
                                   allow_unicode=True), encoding="utf-8")
    report = Report()
    assert read_overall_layout(path, name, report) == shipped
    assert report.sorted() == []


def test_a_shipped_name_in_the_repository_is_the_repositorys(tmp_path):
    folder = overall_book(tmp_path, "funds")
    path = folder / "templates" / "overall" / "layouts" / "funds.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("title: 本省的收支构成版\nbase: funds\nlabels: {income: 收入预算}\n", encoding="utf-8")
    book = load_book_strict(folder)
    assert book.overall_form.title == "本省的收支构成版"
    assert overall_kind.tables(book)[0].labels["income"] == "收入预算"


@pytest.mark.parametrize("old, new, clash", [
    # the 整体 target table named as the project tables: the book's own document's file
    ("document: 部门整体绩效目标申报表", "document: 项目支出绩效目标表",
     "（overall、targets）的文档同名，都要写 mine/天津市知识产权局2024年项目支出绩效目标表."),
    # the 自评表 named as the target table
    ("document: 部门整体绩效自评报表", "document: 部门整体绩效目标申报表",
     "（overall、overall_eval）的文档同名，都要写 mine/天津市知识产权局2024年部门整体绩效目标申报表."),
])
def test_a_document_label_that_names_another_tables_file_is_refused(tmp_path, monkeypatch, old,
                                                                    new, clash):
    folder = mine_book(tmp_path / "src", MINE.replace(old, new))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RenderError) as info:
        build([folder], tmp_path / "out", ["html"], quiet=True)
    assert str(info.value).startswith(f"mine：两种表{clash}")
    assert not (tmp_path / "out" / "mine").exists()  # nothing half-written


def test_a_label_with_markup_is_printed_as_written_in_every_format(tmp_path):
    bad = '<b>单位&名称</b>"x" ]]>'
    folder = mine_book(tmp_path / "src", f"title: t\nlabels:\n  name: '{bad}'\nevaluation:\n"
                                         f"  name: '{bad}'\n")
    render(folder, tmp_path / "out")
    out = tmp_path / "out" / "mine"
    for kind in ("目标表", "自评表"):
        title = f"天津市知识产权局2024年部门整体支出绩效{kind}"
        assert html_tables(out / f"{title}.html")[0][1][0] == [bad, "天津市知识产权局"]
        assert docx_tables(out / f"{title}.docx")[0][1][0] == [bad, "天津市知识产权局"]
        assert load_workbook(out / f"{title}.xlsx").worksheets[0]["A2"].value == bad


def test_a_layout_that_is_not_a_readable_file_is_a_finding(tmp_path, run):
    folder = mine_book(tmp_path, key="b")
    mine = folder / "templates" / "overall" / "layouts" / "mine.yaml"
    mine.write_bytes("title: 某市".encode() + b"\xff\n")  # column 10: the character after 某市
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert [line for line in out.splitlines() if "error" in line] == [
        "b/templates/overall/layouts/mine.yaml:1:10: error[encoding]: 文件不是 UTF-8 编码（第 14 字节 0xFF "
        "无法解码）；请在编辑器中以 UTF-8 另存"]
    mine.unlink()
    os.mkfifo(mine)  # not read (it would hang), not offered
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert [line for line in out.splitlines() if "error" in line] == [
        "b/book.yaml:7:17: error[invalid-choice]: overall_layout：部门整体表版式应为 tasks | funds 之一"
        "（内置的，或仓库 templates/overall/layouts/ 中的文件名，不含 .yaml），实际为文本“mine”"]
