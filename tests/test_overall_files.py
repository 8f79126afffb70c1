"""An agency's 部门整体 file in the repository's tools: check (file:line:col for every fault),
fmt, diff, rollover, new --overall, the JSON Schema and serve's build."""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest
import yaml

from conftest import FIXTURES
from tablegen.load.books import load_book_strict, load_paths
from test_overall import AGENCY_FILES, OVERALL, overall_book

VALID = FIXTURES / "rules" / "overall-valid"


def findings(folder):
    return [(f.pos.path.rsplit("/", 1)[-1], f.pos.line, f.pos.col, f.rule, f.message)
            for f in load_paths([folder]).report.sorted()]


def valid_copy(tmp_path, edit=None, file="o.yaml"):
    folder = tmp_path / "b"
    shutil.copytree(VALID, folder)
    if edit is not None:
        path = folder / file
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def test_the_test_book_checks_clean_but_for_the_seed_books_warnings(tmp_path):
    report = load_paths([overall_book(tmp_path)]).report
    assert report.errors == []
    # The seed book's own seven warnings; no unlisted-file for the two 整体 files.
    assert sorted(f.rule for f in report.warnings) == [
        "no-satisfaction", "satisfaction-unit", "target-unsigned", "target-unsigned",
        "whitespace", "whitespace", "whitespace"]


@pytest.mark.parametrize(("edit", "expected"), [
    # a task naming a project of another agency, then the same project twice
    (lambda t: t.replace("      - p.yaml\n", "      - p.yaml\n      - x.yaml\n      - p.yaml\n"),
     [("o.yaml", 6, 1, "overall-tasks-over", "tasks：年度主要任务的金额合计 20.00 超过年度资金总额 15.00"),
      ("o.yaml", 11, 9, "overall-tasks", "tasks[1].projects[2]：“x.yaml”不是单位 610101 在 book.yaml "
                                         "中列出的项目文件"),
      ("o.yaml", 12, 9, "overall-tasks", "tasks[1].projects[3]：项目文件“p.yaml”已对应第 1 个任务，"
                                         "它的预算数会被算两次")]),
    # a task with neither amounts nor projects
    (lambda t: t.replace("    projects:\n      - p.yaml\n", ""),
     [("o.yaml", 7, 5, "overall-tasks", "tasks[1]：任务“测试任务”没有预算金额：请写 total（总额），"
                                        "或用 projects 列出对应的项目文件")]),
    # a typed task whose parts do not add up
    (lambda t: t.replace("    projects:\n      - p.yaml\n", "    total: 10.00\n    fiscal: 6.00\n"),
     [("o.yaml", 9, 12, "overall-tasks", "tasks[1].total：任务“测试任务”的总额 10.00 不等于 财政拨款 6.00 "
                                         "+ 其他资金 0 = 6.00")]),
    # the 自评 rules run on the 整体's indicators, in its own file
    (lambda t: t.replace("        actual: 95%\n", "        actual: 95%\n        weight: 20.00\n"),
     [("o.yaml", 25, 3, "weight-sum", "indicators.满意度指标：三级指标的分值合计 20.00 与评分方案 common "
                                      "中“满意度指标”的分值 10 不符")]),
    (lambda t: t.replace("        actual: 2次\n", ""),
     [("o.yaml", 16, 9, "actual-missing", "indicators.产出指标.数量指标[1]：缺少实际完成值（actual）")]),
    # and the value rules: a percentage over 100
    (lambda t: t.replace("value: ≥90%", "value: ≥190%").replace("actual: 95%", "actual: 195%"),
     [("o.yaml", 28, 16, "percent-over-100",
       "indicators.满意度指标.服务对象满意度指标[1].value：百分比不能超过 100：“≥190%”")]),
    # structure: file:line:col and the key path, as in a project file
    (lambda t: t.replace("basic: 5.00", "basic: 五元"),
     [("o.yaml", 2, 8, "amount-invalid", "basic：基本支出应为金额（如 40.00），实际为文本“五元”")]),
    (lambda t: t.replace("  - name: 财政拨款\n", "  - nam: 财政拨款\n"),
     [("o.yaml", 4, 5, "unknown-key",
       "income[1]：未知的键“nam”，是否想写“name”？（“name”是必填项：收入项目）")]),
    (lambda t: t + "frame: classics\n",
     [("o.yaml", 34, 8, "invalid-choice",
       "frame：指标框架应为 classic | cost-first | legacy | overall 之一，实际为文本“classics”，"
       "是否想写“classic”？")]),
])
def test_faults_in_an_overall_file_are_reported_where_they_are(tmp_path, monkeypatch, edit, expected):
    folder = valid_copy(tmp_path, edit)
    monkeypatch.chdir(folder)
    assert findings(folder) == expected


def test_an_overall_file_listed_twice_or_as_a_project_is_refused(tmp_path):
    folder = valid_copy(tmp_path, lambda t: t.replace("    overall: o.yaml\n", "    overall: p.yaml\n"),
                        "book.yaml")
    assert [(f[0], f[3], f[4]) for f in findings(folder)] == [
        ("book.yaml", "overall-file", "部门整体文件同时被列为项目文件（第 9 行）：p.yaml"),
        ("o.yaml", "unlisted-file", "此 YAML 文件未被 book.yaml 的任何单位列出，不会进入文档")]
    text = (folder / "book.yaml").read_text(encoding="utf-8").replace("overall: p.yaml", "overall: o.yaml")
    (folder / "book.yaml").write_text(text + '  - code: "610102"\n    name: 第二单位\n    overall: o.yaml\n'
                                      "    projects:\n      - q.yaml\n", encoding="utf-8")
    shutil.copy(FIXTURES / "rules" / "valid.yaml", folder / "q.yaml")
    (folder / "q.yaml").write_text((folder / "q.yaml").read_text(encoding="utf-8").replace(
        "name: 测试项目", "name: 测试项目二"), encoding="utf-8")
    assert [(f[3], f[4]) for f in findings(folder)] == [
        ("overall-file", "部门整体文件已是单位 610101 的整体文件：o.yaml")]


def test_an_error_in_book_yaml_does_not_hide_the_overall_files_own(tmp_path, monkeypatch):
    # book.yaml fails (an unknown layout): its 整体 file is still checked on its own, as its
    # project files are, and is not called unlisted.
    folder = valid_copy(tmp_path, lambda t: t.replace("year: 2024\n", "year: 2024\noverall_layout: 任务\n"),
                        "book.yaml")
    path = folder / "o.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("basic: 5.00", "basic: 5.001"),
                    encoding="utf-8")
    monkeypatch.chdir(folder)
    assert [f[:4] for f in findings(folder)] == [("book.yaml", 3, 17, "invalid-choice"),
                                                 ("o.yaml", 2, 8, "amount-precision")]
    (folder / "o.yaml").rename(folder / "gone.yaml")
    assert [f[:4] for f in findings(folder)][1:] == [("book.yaml", 8, 14, "overall-file"),
                                                     ("gone.yaml", 1, 1, "unlisted-file")]


def test_fmt_writes_an_overall_file_in_its_canonical_form_comments_kept(tmp_path):
    from tablegen.commands.fmt import fmt

    folder = overall_book(tmp_path)
    assert fmt([folder], check=True).changed == []  # the fixtures are canonical
    path = folder / AGENCY_FILES["610203"]
    text = path.read_text(encoding="utf-8")
    moved = text.replace("frame: overall\nscoring: budget-20\n", "").replace(
        "basic: 326.45\nprojects: 673.00\n", "projects: 673.00  # 与项目文件核对\nbasic: 326.45\n")
    path.write_text(moved.replace("income:\n", "scoring: budget-20\nframe: overall\nincome:\n"),
                    encoding="utf-8")
    result = fmt([folder])
    assert result.changed == [path] and result.report.findings == []
    assert path.read_text(encoding="utf-8") == text.replace(
        "projects: 673.00\n", "# 与项目文件核对\nprojects: 673.00\n")


def test_fmt_leaves_a_broken_overall_file_alone(tmp_path):
    from tablegen.commands.fmt import fmt

    folder = valid_copy(tmp_path, lambda t: t.replace("basic: 5.00", "basic: 5.001"))
    before = (folder / "o.yaml").read_text(encoding="utf-8")
    result = fmt([folder])
    assert [f.rule for f in result.report.findings] == ["amount-precision", "fmt-skipped"]
    assert (folder / "o.yaml").read_text(encoding="utf-8") == before


def git(root, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=root, check=True, capture_output=True)


def test_diff_tells_the_overall_changes_in_the_tables_words(tmp_path):
    from tablegen.commands.diff import as_text, diff

    folder = overall_book(tmp_path / "targets")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "a")
    path = folder / AGENCY_FILES["610203"]
    path.write_text(path.read_text(encoding="utf-8").replace("basic: 326.45", "basic: 330.45")
                    .replace("amount: 899.45", "amount: 903.45").replace("actual: 93%", "actual: 94%")
                    .replace("  basic: 318.20", "  basic: 320.00"), encoding="utf-8")
    diffs, _ = diff(tmp_path, "main")
    # 10 × 94/95 = 9.89; (320.00 + 659.60) / (330.45 + 673.00) × 20 = 19.52;
    # 39.89 + 27.00 + 10.00 + 19.52 = 96.41
    assert as_text(diffs).splitlines() == [
        "书 overall-2024（天津市知识产权局2024年项目支出绩效目标表）",
        "  修改部门整体：天津市知识产权保护中心（天津市知识产权保护中心整体支出绩效.yaml）",
        "    资金 基本支出（万元）：326.45 → 330.45（+4.00）",
        "    资金 年度资金总额（万元）：999.45 → 1003.45（+4.00）",
        "    收入构成 财政拨款：899.45 → 903.45",
        "    执行 基本支出全年执行数（万元）：318.20 → 320.00",
        "    实际完成值 产出指标 / 管理效率 / 政府采购执行率：93% → 94%",
        "    得分 产出指标 / 管理效率 / 政府采购执行率：9.79 → 9.89",
        "    总分 总分：96.36（优） → 96.41（优）",
    ]


def test_rollover_carries_the_overall_file_to_the_next_year(tmp_path):
    from tablegen.commands.rollover import rollover

    folder = overall_book(tmp_path, key="overall-2024")
    result = rollover(folder, 2025)
    new = load_book_strict(result.folder)
    assert [a.overall_file for a in new.agencies] == list(AGENCY_FILES.values())
    whole = new.agencies[0].overall
    assert whole is not None and whole.execution is None
    # Its tasks name the projects' new files; the dates of the plan moved, actuals are comments.
    assert whole.tasks[0].projects == ["2025年知识产权执法业务费.yaml", "2025年知识产权促进与保护项目.yaml"]
    assert ("2025年11月30日前" in [i.value for _, _, i in whole.rows()])
    text = (result.folder / AGENCY_FILES["610101"]).read_text(encoding="utf-8")
    assert "        # 历史标准：2024年实际完成值 326件\n        value: ≥300件\n" in text
    assert "execution" not in text and "actual" not in text


def test_new_overall_starts_an_agency_file_with_one_task_per_project(tmp_path, run):
    book = tmp_path / "b"
    shutil.copytree(FIXTURES.parent / "books" / "binhai-ipa-2026", book)
    code, _, err = run("new", str(book), "--overall")
    assert code == 0, err
    name = "天津市滨海新区知识产权局整体支出绩效.yaml"
    assert f"    overall: {name}\n" in (book / "book.yaml").read_text(encoding="utf-8")
    whole = load_book_strict(book).agencies[0].overall
    assert whole is not None
    assert [t.projects for t in whole.tasks] == [[f] for f in yaml.safe_load(
        (book / "book.yaml").read_text(encoding="utf-8"))["agencies"][0]["projects"]]
    report = load_paths([book]).report
    assert report.errors == [] and {f.rule for f in report.warnings} >= {"placeholder"}
    code, _, err = run("new", str(book), "--overall")
    assert code == 2 and f"已有部门整体文件 {name}" in err
    code, _, err = run("new", str(book), "项目", "--overall")
    assert code == 2 and "不需要项目名称" in err


def test_the_overall_files_satisfy_the_overall_schema(tmp_path):
    from tablegen.cli import main

    assert main(["schema", "--out", str(tmp_path), "-q"]) == 0
    schema = json.loads((tmp_path / "overall.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in [*OVERALL.glob("*整体*.yaml"), VALID / "o.yaml"]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(data)] == [], path.name
    book = json.loads((tmp_path / "book.schema.json").read_text(encoding="utf-8"))
    data = yaml.safe_load((OVERALL / "book.yaml").read_text(encoding="utf-8"))
    assert [e.message for e in jsonschema.Draft202012Validator(book).iter_errors(data)] == []
    # The shipped layouts as examples: a repository's own (templates/overall/layouts/) is a name too.
    assert book["properties"]["overall_layout"]["examples"] == ["tasks", "funds"]
    assert book["properties"]["overall_layout"]["type"] == "string"


def test_serve_previews_the_overall_tables(tmp_path):
    from tablegen.commands.serve import Preview

    folder = overall_book(tmp_path)
    preview = Preview([folder], tmp_path / "out", port=0)
    try:
        state = preview.rebuild()
    finally:
        preview.close()
    assert not state.broken
    page = tmp_path / "out" / folder.name / "天津市知识产权局2024年部门整体支出绩效目标表.html"
    assert "2.天津市知识产权保护中心整体支出绩效目标表（2024年度）" in page.read_text(encoding="utf-8")
