"""`tablegen fmt`: one canonical form, comments kept, idempotent, never lossy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, TEST_BOOKS
from linear import GROWTH, assert_linear
from tablegen.commands.fmt import fmt, format_text
from tablegen.errors import Report
from tablegen.load.loader import parse
from tablegen.load.validate import check_project_node, known_frame
from tablegen.source.comments import comments
from tablegen.source.yamlout import dump_project

FMT = FIXTURES / "fmt"


@pytest.mark.parametrize("path", sorted(TEST_BOOKS.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_seed_book_file_is_already_canonical(path):
    text = path.read_text(encoding="utf-8")
    out, report = format_text(text, path.name, path.name == "book.yaml")
    assert report.errors == []
    assert out == text


def test_fmt_check_on_the_seed_books_passes(run):
    code, out, _ = run("fmt", "--check", str(TEST_BOOKS), cwd=ROOT)
    assert (code, out) == (0, "")


@pytest.mark.parametrize("name", ["messy", "book", "hashes"])
def test_messy_files_become_canonical_and_keep_their_comments(tmp_path, run, name):
    shutil.copytree(FMT, tmp_path / "b")
    code, out, _ = run("fmt", "--check", "b", cwd=tmp_path)
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("需要")] == [
        "需要格式化：b/book.yaml", "需要格式化：b/hashes.yaml", "需要格式化：b/messy.yaml"]
    assert run("fmt", "b", cwd=tmp_path)[0] == 0
    got = (tmp_path / "b" / f"{name}.yaml").read_text(encoding="utf-8")
    assert got == (FIXTURES / "fmt-expected" / f"{name}.yaml").read_text(encoding="utf-8")
    # Every comment of the hand-written file is still there, as a line of its own.
    full, trailing = comments((FMT / f"{name}.yaml").read_text(encoding="utf-8"))
    kept = {line.strip().removeprefix("# ") for line in got.splitlines() if line.strip()[:1] == "#"}
    assert set(full.values()) | set(trailing.values()) <= kept
    # A second run changes nothing.
    assert run("fmt", "--check", "b", cwd=tmp_path)[:2] == (0, "")


def test_a_hash_inside_a_text_is_not_a_comment():
    full, trailing = comments((FMT / "hashes.yaml").read_text(encoding="utf-8"))
    assert full == {1: "文本里的 # 不是注释；引号、块状文本和多行文本都一样", 10: "目标（两条）"}
    assert trailing == {2: "这才是注释", 14: "续行里的注释"}


def test_fmt_writes_the_canonical_form_of_comment_free_files(tmp_path, run):
    # Without comments, fmt's output is exactly what import and new write (yamlout).
    text = (FIXTURES / "fmt-expected" / "hashes.yaml").read_text(encoding="utf-8")
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# ")
                     or line.startswith("# yaml-language-server")) + "\n"
    (tmp_path / "p.yaml").write_text(bare.replace("  - 第二条 目标", "  - 第二条\n    目标"),
                                     encoding="utf-8")
    assert run("fmt", "p.yaml", cwd=tmp_path)[:2] == (0, "已格式化：p.yaml\n")
    out = (tmp_path / "p.yaml").read_text(encoding="utf-8")
    project = load_loose(tmp_path / "p.yaml")
    assert out == bare == dump_project(project)


def test_a_file_the_model_cannot_hold_exactly_is_left_alone(tmp_path, run):
    f = tmp_path / "p.yaml"
    text = (FIXTURES / "rules" / "amount-precision.yaml").read_text(encoding="utf-8")
    f.write_text(text, encoding="utf-8")
    code, out, _ = run("fmt", "p.yaml", cwd=tmp_path)
    assert code == 1
    assert out.splitlines()[-1] == (
        "p.yaml:3:10: error[fmt-skipped]: 文件有错误，未格式化；请先按 tablegen check 的提示修正")
    assert f.read_text(encoding="utf-8") == text


def test_unknown_keys_block_formatting(tmp_path):
    text = (FIXTURES / "rules" / "unknown-key.yaml").read_text(encoding="utf-8")
    out, report = format_text(text, "p.yaml", False)
    assert out is None
    assert "unknown-key" in {f.rule for f in report.errors}



def load_loose(path):
    """A project file outside any book, as the model."""
    report = Report()
    project = check_project_node(parse(path.read_text(encoding="utf-8"), path.name, report),
                                 path.name, known_frame(None), report)
    assert report.errors == []
    return project


def test_fmt_mends_an_unquoted_sign_and_never_invents_a_comment(tmp_path, run):
    # Once: the `>=` rewrite ran before composing but the comment scan read the original text,
    # so `# 不是注释` inside the literal block became a comment above another key.
    text = (FIXTURES / "rules" / "valid.yaml").read_text(encoding="utf-8").replace(
        "usage: 用于测试", "usage: |-\n  第一行\n  # 不是注释").replace("≥1次", ">=1次  # 至少一次")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    assert run("fmt", "p.yaml", cwd=tmp_path)[:2] == (0, "已格式化：p.yaml\n")
    out = (tmp_path / "p.yaml").read_text(encoding="utf-8")
    assert [line.strip() for line in out.splitlines() if line.strip().startswith("#")] == [
        "# yaml-language-server: $schema=../../build/schema/project.schema.json",
        "# 不是注释", "# 至少一次"]
    assert "usage: |-\n  第一行\n  # 不是注释\n" in out
    assert "      # 至少一次\n        value: ≥1次\n" in out
    assert run("check", "p.yaml", cwd=tmp_path)[0] == 0


def test_fmt_check_shows_the_change_as_a_unified_diff(tmp_path, run):
    text = (FIXTURES / "rules" / "valid.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace("  total: 10.00", "  total: 10"),
                                     encoding="utf-8")
    code, out, _ = run("fmt", "--check", "p.yaml", cwd=tmp_path)
    assert code == 1
    assert out == (
        "需要格式化：p.yaml\n"
        "--- p.yaml（原文）\n"
        "+++ p.yaml（格式化后）\n"
        "@@ -1,6 +1,7 @@\n"
        "+# yaml-language-server: $schema=../../build/schema/project.schema.json\n"
        " name: 测试项目\n"
        " budget:\n"
        "-  total: 10\n"
        "+  total: 10.00\n"
        "   fiscal: 10.00\n"
        "   other:\n"
        " usage: 用于测试\n")
    assert (tmp_path / "p.yaml").read_text(encoding="utf-8") != text  # --check writes nothing


@pytest.mark.parametrize("check", [True, False], ids=["check", "write"])
def test_a_mistyped_path_fails_rather_than_passing_in_silence(tmp_path, run, check):
    shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", tmp_path / "targets" / "b")
    code, out, _ = run("fmt", *(["--check"] if check else []), "targets", "tagrets/b", cwd=tmp_path)
    assert (code, out) == (1, "tagrets/b:1:1: error[path-missing]: 路径不存在\n")


def test_unified_diff_agrees_with_difflib_on_small_texts():
    import difflib

    from tablegen.commands.textdiff import unified

    a = "".join(f"{c}\n" for c in "abcdefghijklmnopqrstuvwxyz")
    b = a.replace("c\n", "").replace("m\n", "M\nN\n") + "z\n"
    assert unified(a, b, "x", "y") == "".join(
        difflib.unified_diff(a.splitlines(True), b.splitlines(True), "x", "y"))
    assert unified(a, a, "x", "y") == ""


def test_line_separators_inside_quotes_do_not_move_comments():
    # PyYAML counts a raw U+2028 as a line break: every later comment went to the wrong key.
    text = (FIXTURES / "rules" / "valid.yaml").read_text(encoding="utf-8").replace(
        "usage: 用于测试", 'usage: "用于\u2028测试"').replace("goals:", "goals:  # 目标的说明").replace(
        "        value: ≥90%", "        # 满意度的说明\n        value: ≥90%")
    out, report = format_text(text, "p.yaml", False)
    assert report.errors == []
    assert out is not None
    assert "# 目标的说明\ngoals:\n" in out
    assert "# 满意度的说明\n        value: ≥90%\n" in out


def test_fmt_check_of_many_comments_costs_linear_time(tmp_path):
    # Once 169 s for 25.7k comments. Every row's comments are kept and every row changes
    # (`value:  1个` is written `value: 1个`), so the comments and the diff both grow with n.
    def commented(n: int) -> Path:
        lines = ["name: x", "budget:", "  total: 1.00", "  fiscal: 1.00", "  other:", "usage: u",
                 "goals:", "  - g", "indicators:", "  产出指标:", "    数量指标:"]
        for i in range(n):
            lines += [f"      # 说明 {i}", f"      - name: n{i}  # 注 {i}", f"        value:  {i}个"]
        lines += ["  满意度指标:", "    服务对象满意度指标:", "      - name: s", "        value: ≥90%"]
        path = tmp_path / f"c{n}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    files = {n: commented(n) for n in (300, 300 * GROWTH)}
    assert_linear(lambda n: fmt([files[n]], check=True), 300)
    result = fmt([files[300]], check=True)
    assert result.report.findings == []
    assert result.changed == [files[300]]
    assert result.diffs[0].count("\n+        value: ") == 300
