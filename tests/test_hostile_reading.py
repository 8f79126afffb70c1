"""Hostile files and names: only regular files inside the book are read, and every case is a
finding or a clear message with exit 1 (data) or 2 (usage), never a traceback or a hang."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hostile import BOOK, VALID, make_book, tree
from tablegen.errors import Report
from tablegen.load.loader import MAX_BYTES, read_bytes

SECRET = "root:x:0:0:secret-content"


def findings(out: str) -> list[str]:
    return [line for line in out.splitlines() if line]


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "outside" / "passwd.yaml"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def test_book_yaml_linked_outside_the_book_is_refused_unread(tmp_path, run, secret):
    book = make_book(tmp_path / "b")
    (book / "book.yaml").unlink()
    (book / "book.yaml").symlink_to(secret)
    for fmt in ("text", "github", "json"):
        code, out, err = run("check", "b", "--format", fmt, cwd=tmp_path)
        assert code == 1
        assert SECRET not in out + err
        assert "file-outside" in out
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert findings(out) == [
        "b/book.yaml:1:1: error[file-outside]: 文件是指向本书文件夹以外的链接，拒绝读取"
        "（只读取书文件夹内的文件）"]


def test_project_linked_outside_the_book_is_refused_unread(tmp_path, run, secret):
    book = make_book(tmp_path / "b")
    (book / "p.yaml").unlink()
    (book / "p.yaml").symlink_to(secret)
    code, out, err = run("build", "b", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert code == 1
    assert SECRET not in out + err
    assert findings(out) == [
        "b/book.yaml:8:9: error[project-missing]: 列出的项目文件不在本书文件夹内：p.yaml"]
    assert not (tmp_path / "out").exists()


def test_a_link_inside_the_book_is_read(tmp_path, run):
    book = make_book(tmp_path / "b")
    (book / "real").mkdir()
    (book / "p.yaml").rename(book / "real" / "p.yaml")
    (book / "p.yaml").symlink_to("real/p.yaml")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert (code, out) == (0, "")


def test_dev_zero_is_refused_before_any_read(tmp_path, run):
    book = make_book(tmp_path / "b")
    (book / "book.yaml").unlink()
    (book / "book.yaml").symlink_to("/dev/zero")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert "b/book.yaml:1:1: error[file-outside]" in out
    report = Report()
    assert read_bytes(book / "book.yaml", "z", report) is None  # no book to stay inside
    assert [f.text() for f in report.findings] == [
        "z:1:1: error[not-a-file]: 不是普通文件（而是文件夹、设备或管道），拒绝读取"]


def test_a_fifo_does_not_hang(tmp_path, run):
    book = make_book(tmp_path / "b")
    (book / "book.yaml").unlink()
    os.mkfifo(book / "book.yaml")
    code, out, _ = run("check", "b", cwd=tmp_path)  # would block forever on open()
    assert code == 1
    assert findings(out) == [
        "b/book.yaml:1:1: error[not-a-file]: 不是普通文件（而是文件夹、设备或管道），拒绝读取"]


def test_the_size_cap_counts_bytes_read(tmp_path, monkeypatch):
    """A file that grows while read (or whose size lies) stops at MAX_BYTES + 1 bytes."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 10))
    reads = []
    real_read = os.read

    def counting_read(fd, n):
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counting_read)
    report = Report()
    assert read_bytes(path, "big.yaml", report) is None
    assert sum(reads) == MAX_BYTES + 1
    assert [f.rule for f in report.findings] == ["file-too-large"]


def test_a_file_that_cannot_be_opened_is_a_finding_not_a_traceback(tmp_path):
    (tmp_path / "q.yaml").symlink_to("q2.yaml")
    (tmp_path / "q2.yaml").symlink_to("q.yaml")
    report = Report()
    assert read_bytes(tmp_path / "q.yaml", "q.yaml", report) is None
    assert read_bytes(tmp_path / "r\0.yaml", "r.yaml", report) is None
    assert [f.text() for f in report.findings] == [
        "q.yaml:1:1: error[file-unreadable]: 无法读取文件：符号链接形成了循环",
        "r.yaml:1:1: error[file-unreadable]: 无法读取文件：文件名含有空字符"]


def test_symlink_loop_and_nul_in_a_listed_name(tmp_path, run):
    book = make_book(tmp_path / "b", book=BOOK.replace(
        "      - p.yaml\n", '      - p.yaml\n      - q.yaml\n      - "r.yaml\\0"\n'))
    (book / "q.yaml").symlink_to("q2.yaml")
    (book / "q2.yaml").symlink_to("q.yaml")
    code, out, err = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert "Traceback" not in out + err
    assert findings(out) == [
        "b/book.yaml:9:9: error[project-missing]: 列出的项目文件无法解析（符号链接形成了循环）："
        "q.yaml",
        "b/book.yaml:10:9: error[control-char]: 文本含有 DOCX/XML 无法保存的控制字符 U+0000",
        "b/book.yaml:10:9: error[project-missing]: 列出的项目文件名称含有空字符：r.yaml\\x00",
    ]


def test_an_unlisted_symlink_loop_is_named_not_skipped(tmp_path, run):
    book = make_book(tmp_path / "b")
    (book / "q.yaml").symlink_to("q2.yaml")
    (book / "q2.yaml").symlink_to("q.yaml")
    (book / "gone.yaml").symlink_to("nowhere.yaml")
    code, out, _ = run("check", "b", cwd=tmp_path)
    assert code == 0
    assert findings(out) == [
        f"b/{name}:1:1: warning[unlisted-file]: 此 YAML 文件未被 book.yaml 的任何单位列出，不会进入文档"
        for name in ("gone.yaml", "q.yaml", "q2.yaml")]


def test_350_nested_brackets(tmp_path, run):
    make_book(tmp_path / "b", "name: " + "[" * 350 + "\n")
    code, out, err = run("check", "b", cwd=tmp_path)
    assert code == 1
    assert "Traceback" not in out + err
    assert findings(out) == [
        "b/p.yaml:1:107: error[yaml-syntax]: YAML 语法错误：列表或映射嵌套的层数过多"]


@pytest.mark.parametrize("where", ["value", "key"])
def test_a_lone_surrogate_is_a_finding(tmp_path, run, where):
    text = (VALID.replace("usage: 用于测试", 'usage: "a\\ud800b"') if where == "value"
            else VALID.replace("usage: 用于测试", 'usage: x\n"a\\ud800b": 1'))
    make_book(tmp_path / "b", text)
    for cmd in (["check", "b"], ["build", "b", "--out", str(tmp_path / "out")]):
        code, out, err = run(*cmd, cwd=tmp_path)
        assert code == 1
        assert "Traceback" not in out + err
        assert "error[control-char]: 文本含有 DOCX/XML 无法保存的控制字符 U+D800" in out
    assert not (tmp_path / "out").exists()
    if where == "key":
        assert "未知的键“a\\ud800b”" in out


@pytest.mark.parametrize("year", ["0000", "2108", "1999"])
def test_a_year_out_of_range(tmp_path, run, year):
    make_book(tmp_path / "b", book=BOOK.replace("year: 2024", f"year: {year}"))
    code, out, err = run("build", "b", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert code == 1
    assert findings(out) == [
        f"b/book.yaml:2:7: error[year-range]: year：预算年度应在 2000 至 2099 之间，实际为 {year}"]
    assert not (tmp_path / "out").exists()


def test_an_empty_total_is_an_error_not_a_missing_table(tmp_path, run):
    for empty in ("", " ~"):
        make_book(tmp_path / "b", VALID.replace("  total: 10.00", f"  total:{empty}"))
        code, out, _ = run("build", "b", "--out", str(tmp_path / "out"), cwd=tmp_path)
        assert code == 1
        assert findings(out) == ["b/p.yaml:3:9: error[empty-text]: budget.total：预算数不能为空"
                                 if not empty else
                                 "b/p.yaml:3:10: error[empty-text]: budget.total：预算数不能为空"]
        assert not (tmp_path / "out").exists()


def test_a_book_yaml_syntax_error_still_reports_its_projects(tmp_path, run):
    make_book(tmp_path / "b", VALID.replace("  fiscal: 10.00\n  other:",
                                                  "  fiscal: 9.999\n  other: 0.001"),
              BOOK + "  bad: : [\n")
    for target in ("b", "b/p.yaml"):
        code, out, _ = run("check", target, cwd=tmp_path)
        assert code == 1
        book_finding, *project_findings = findings(out)
        assert book_finding.startswith("b/book.yaml:") and "error[yaml-syntax]" in book_finding
        assert project_findings == [
            "b/p.yaml:4:11: error[amount-precision]: budget.fiscal：财政资金最多保留两位小数：9.999",
            "b/p.yaml:5:10: error[amount-precision]: budget.other：其他资金最多保留两位小数：0.001",
        ]


def test_long_project_file_name_builds(tmp_path, run):
    name = "长" * 78 + ".yaml"  # 239 bytes: NN-<name>.docx and a temporary name exceed 255
    book = make_book(tmp_path / "b", book=BOOK.replace("- p.yaml", f"- {name}"))
    (book / "p.yaml").rename(book / name)
    code, _, err = run("build", "b", "--out", str(tmp_path / "out"), "--format", "docx",
                       cwd=tmp_path)
    assert code == 0, err
    built = [p for p in tree(tmp_path / "out") if p.startswith("b/projects/")]
    assert built == ["b/projects/01-" + "长" * 53 + ".docx"]


def test_a_book_folder_named_like_the_overview(tmp_path, run):
    make_book(tmp_path / "index.html")
    code, out, err = run("build", "index.html", "--out", str(tmp_path / "out"), "--format",
                         "html", cwd=tmp_path)
    assert code == 1
    assert "Traceback" not in out + err
    assert "index.html" in err and "同名" in err
    assert not (tmp_path / "out").exists()


def test_fmt_and_diff_on_a_book_yaml_that_is_not_utf8(tmp_path, run):
    book = make_book(tmp_path / "targets" / "b")
    (book / "book.yaml").write_bytes(BOOK.encode() + b"department: \xb2\n")
    code, out, err = run("fmt", "--check", "targets", cwd=tmp_path)
    assert code == 1
    assert "Traceback" not in out + err
    assert "targets/b/book.yaml:9:13: error[encoding]" in out
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                    "commit", "-q", "--allow-empty", "-m", "a"], cwd=tmp_path, check=True)
    code, out, err = run("diff", "HEAD", cwd=tmp_path)
    assert code == 1
    assert "Traceback" not in out + err
    assert "targets/b/book.yaml:9:13: error[encoding]" in err


def test_diff_does_not_follow_a_project_linked_out_of_the_book(tmp_path, run, secret):
    book = make_book(tmp_path / "targets" / "b")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                    "commit", "-q", "--allow-empty", "-m", "a"], cwd=tmp_path, check=True)
    (book / "p.yaml").unlink()
    (book / "p.yaml").symlink_to(secret)
    code, out, err = run("diff", "HEAD", cwd=tmp_path)
    assert code == 1
    assert SECRET not in out + err
    assert "targets/b/p.yaml:1:1: error[file-outside]" in err


def test_new_book_refuses_a_name_that_is_not_utf8(tmp_path, run):
    name = os.fsdecode(b"\xffname")
    code, out, err = run("new-book", str(tmp_path / "nb"), "--title", "t", "--year", "2024",
                         "--agency", "1", name)
    assert code == 2
    assert "单位名称“\\udcffname”含有无法保存的字符" in err
    assert not (tmp_path / "nb").exists()


def test_a_file_name_that_is_not_utf8_prints_on_a_strict_terminal(tmp_path):
    folder = os.fsdecode(b"b\xb2")
    make_book(tmp_path / folder, VALID.replace("  total: 10.00", "  total: 10.001"))
    env = dict(os.environ, PYTHONIOENCODING="utf-8:strict")
    done = subprocess.run([sys.executable, "-m", "tablegen", "check", folder], cwd=tmp_path, env=env,
                          capture_output=True, check=False)
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stdout + done.stderr
    assert done.stdout.decode().startswith("b\\udcb2/p.yaml:3:10: error[")
