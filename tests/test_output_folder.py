"""Where a build writes: only inside --out, one folder per book, never half of a set."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess

import pytest

from conftest import FIXTURES, SEED_BOOKS
from tablegen import build
from tablegen.errors import Report
from tablegen.imports import import_files
from tablegen.model.book import safe_stem
from tablegen.writer import STAGE

GOOD = FIXTURES / "html" / "merge"  # a valid one-table book


def tree(folder) -> list[str]:
    """Every path under the folder, the build cache aside."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if ".tablegen-cache" not in p.parts)


def test_build_dot_inside_a_book_folder_writes_into_out(tmp_path, run):
    shutil.copytree(GOOD, tmp_path / "work" / "2024")
    code, _, err = run("build", ".", "--out", "../../out", "--format", "xlsx,docx", "-q",
                       cwd=tmp_path / "work" / "2024")
    assert code == 0, err
    assert tree(tmp_path / "out") == ["2024", "2024/projects", "2024/projects/01-p.docx",
                                      "2024/合并测试.docx", "2024/合并测试.xlsx"]
    assert tree(tmp_path) == ["out", *(f"out/{p}" for p in tree(tmp_path / "out")), "work",
                              "work/2024", *(f"work/2024/{p}" for p in tree(GOOD))]


def test_build_dot_dot_from_a_subfolder_writes_into_out(tmp_path, run):
    shutil.copytree(GOOD, tmp_path / "2024")
    (tmp_path / "2024" / "sub").mkdir()
    code, _, err = run("build", "..", "--out", "out", "--format", "xlsx", "-q",
                       cwd=tmp_path / "2024" / "sub")
    assert code == 0, err
    assert tree(tmp_path / "2024" / "sub") == ["out", "out/2024", "out/2024/合并测试.xlsx"]


def test_same_named_book_folders_get_their_own_outputs(tmp_path, run):
    for parent in ("a", "b"):
        shutil.copytree(GOOD, tmp_path / "targets" / parent / "2024")
    code, _, err = run("build", "--format", "html,xlsx", "-q", cwd=tmp_path)
    assert code == 0, err
    assert [p for p in tree(tmp_path / "build") if "/" not in p] == [
        ".overview", "a-2024", "b-2024", "index.html"]
    page = (tmp_path / "build" / "index.html").read_text(encoding="utf-8")
    assert [line.split('"')[1] for line in page.splitlines() if 'href="' in line
            and "xlsx" in line] == ["a-2024/index.html", "b-2024/index.html"]


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "磁盘已满"),
                                                (errno.EROFS, "文件系统是只读的")])
def test_a_full_or_read_only_disk_names_the_path_and_keeps_the_old_outputs(
        tmp_path, run, monkeypatch, code, reason):
    shutil.copytree(GOOD, tmp_path / "targets" / "b")
    assert run("build", "--format", "docx,xlsx", "-q", cwd=tmp_path)[0] == 0
    old = {p: p.read_bytes() for p in (tmp_path / "build").rglob("*") if p.is_file()}
    yaml = tmp_path / "targets" / "b" / "book.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("title: ", "title: 新"), encoding="utf-8")
    real_open = open

    def full(path, *args, **kwargs):
        if str(path).endswith(".xlsx"):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("tablegen.writer.open", full, raising=False)
    exit_code, _, err = run("build", "--format", "docx,xlsx", "-q", cwd=tmp_path)
    assert exit_code == 1
    xlsx = tmp_path / "build" / "b" / "新合并测试.xlsx"  # named after the new title
    assert err == f"错误：无法写入 {xlsx}：{reason}。之前的输出保持不变。\n"
    assert {p: p.read_bytes() for p in (tmp_path / "build").rglob("*") if p.is_file()} == old
    assert not (tmp_path / "build" / STAGE).exists()


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs (where this machine lets the test mount one; the simulated cases above
    run everywhere)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=True)


def test_a_real_full_disk(tmp_path, run, tmpfs):
    shutil.copytree(GOOD, tmp_path / "targets" / "b")
    assert run("build", "--format", "xlsx", "-q", "--out", str(tmpfs), cwd=tmp_path)[0] == 0
    # The disk filled but for 8 KB (the build cache's entries take their share): the next build's
    # DOCX does not fit.
    (tmpfs / "keep.txt").write_bytes(b"x" * (shutil.disk_usage(tmpfs).free - 8192))
    old = {p: p.read_bytes() for p in tmpfs.rglob("*") if p.is_file()}
    yaml = tmp_path / "targets" / "b" / "book.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("title: ", "title: 新"), encoding="utf-8")
    code, _, err = run("build", "--format", "docx,xlsx", "-q", "--out", str(tmpfs), cwd=tmp_path)
    assert code == 1
    assert err.startswith(f"错误：无法写入 {tmpfs / 'b'}/") and err.endswith(
        "：磁盘已满。之前的输出保持不变。\n")
    assert {p: p.read_bytes() for p in tmpfs.rglob("*") if p.is_file()} == old
    assert tree(tmpfs) == ["b", "b/合并测试.xlsx", "keep.txt"]


def test_a_real_read_only_folder(tmp_path, run, tmpfs):
    shutil.copytree(GOOD, tmp_path / "targets" / "b")
    assert run("build", "--format", "xlsx", "-q", "--out", str(tmpfs), cwd=tmp_path)[0] == 0
    old = {p: p.read_bytes() for p in tmpfs.rglob("*") if p.is_file()}
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    code, _, err = run("build", "--format", "xlsx", "-q", "--out", str(tmpfs), cwd=tmp_path)
    assert code == 1
    assert err == f"错误：无法写入 {tmpfs}：没有写入权限（或文件系统是只读的）。之前的输出保持不变。\n"
    assert {p: p.read_bytes() for p in tmpfs.rglob("*") if p.is_file()} == old


def test_the_books_files_are_named_after_its_title(tmp_path, run):
    shutil.copytree(GOOD, tmp_path / "targets" / "b")
    yaml = tmp_path / "targets" / "b" / "book.yaml"
    text = yaml.read_text(encoding="utf-8").replace("title: 合并测试", 'title: "合并/测试: 2025?"')
    yaml.write_text(text, encoding="utf-8")
    assert run("build", "--format", "docx,xlsx", "-q", cwd=tmp_path)[0] == 0
    # Not after the folder (b/b.docx); what no file system takes in a name becomes `_`.
    assert tree(tmp_path / "build") == ["b", "b/projects", "b/projects/01-p.docx",
                                        "b/合并_测试_ 2025_.docx", "b/合并_测试_ 2025_.xlsx"]


LONG = "2026年关于推动信创产业提升知识产权创造质量和运用效益的重点举措研究项目"
OPEN = "（括号从名称的第一个字就开始，其中的文字长得超出了文件名所能容纳的四十个字的限度"  # 40


@pytest.mark.parametrize(("text", "stem"), [
    # A name cut to its length is cut before a bracket it would leave open, never inside it.
    (f"{LONG}（自有资金）（其他收入资金）", LONG),
    ("2023年服务业发展资金（专利转化专项计划）-中央专款",) * 2,
    ("非财政拨款——2024年共建知识产权保护中心建设项目（第一批）（第二批资金）（第三批）",
     "非财政拨款——2024年共建知识产权保护中心建设项目（第一批）（第二批资金）"),
    (f"{OPEN}）", OPEN),  # nothing before the bracket: cut where the length ends
    ("CON", "CON_"), ("a<b>:c", "a_b__c"), ("  .名称. ", "名称"),
])
def test_safe_file_names(text, stem):
    assert safe_stem(text, chars=40) == stem


def test_imported_and_built_long_names_end_outside_brackets(tmp_path):
    report = Report()
    import_files([SEED_BOOKS["binhai-ipa-2026"]], tmp_path / "b", report)
    assert not report.errors
    long = "2026年关于推动信创产业提升知识产权创造质量和运用效益的重点举措研究项目"
    assert (tmp_path / "b" / f"{long}.yaml").is_file()
    build([tmp_path / "b"], tmp_path / "out", ["docx"], quiet=True)
    assert (tmp_path / "out" / "b" / "projects" / f"02-{long}.docx").is_file()
