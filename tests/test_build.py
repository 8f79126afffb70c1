"""Books are independent units: a bad book is reported and left out, the overview keeps every book."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import FIXTURES

GOOD = FIXTURES / "html" / "merge"                 # valid, no warnings
BAD = FIXTURES / "rules" / "name-duplicate"        # one error
WARNED = FIXTURES / "rules" / "unlisted-file"      # valid, one warning


def books(tmp_path, **folders):
    for name, source in folders.items():
        shutil.copytree(source, tmp_path / "targets" / name)
    return tmp_path


def overview(out) -> list[str]:
    page = (out / "index.html").read_text(encoding="utf-8")
    return [line.strip().removeprefix("<h2>").removesuffix("</h2>")
            for line in page.splitlines() if line.strip().startswith("<h2>")]


def test_a_book_with_errors_is_not_written_and_the_others_are(tmp_path, run):
    books(tmp_path, a=GOOD, b=BAD)
    code, out, err = run("build", "--format", "html,xlsx", "-q", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "targets/b/q.yaml:1:1: error[name-duplicate]: name：项目名称“测试项目”与 p.yaml 重复"]
    assert "有错误的书未写入；其余的书已生成 3 个文件（1 个错误，0 个警告）" in err
    assert sorted(p.relative_to(tmp_path / "build").as_posix()
                  for p in (tmp_path / "build").rglob("*") if ".tablegen-cache" not in p.parts) == [
        ".overview", ".overview/a.json", "a", "a/index.html", "a/合并测试.xlsx", "index.html"]
    assert overview(tmp_path / "build") == ["合并测试"]


def test_strict_leaves_out_only_the_book_with_warnings(tmp_path, run):
    books(tmp_path, a=GOOD, w=WARNED)
    code, out, _ = run("build", "--format", "xlsx", "--strict", "-q", cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == ["targets/w/旧项目.yaml:1:1: error[unlisted-file]: "
                                "此 YAML 文件未被 book.yaml 的任何单位列出，不会进入文档"]
    assert (tmp_path / "build" / "a" / "合并测试.xlsx").is_file()
    assert not (tmp_path / "build" / "w").exists()


def test_only_bad_books_is_an_error_that_writes_nothing(tmp_path, run):
    books(tmp_path, b=BAD)
    code, _, err = run("build", "-q", cwd=tmp_path)
    assert code == 1
    assert "有错误，未写入任何文件：1 个错误，0 个警告" in err
    assert not (tmp_path / "build").exists()


def test_building_one_book_keeps_the_others_in_the_overview(tmp_path, run):
    books(tmp_path, a=GOOD, w=WARNED)
    assert run("build", "--format", "html", "-q", cwd=tmp_path)[0] == 0
    assert overview(tmp_path / "build") == ["合并测试", "测试书"]
    # Rebuilding one book after its title changed: the other stays listed as it was built.
    book = tmp_path / "targets" / "a" / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace("合并测试", "改名后"), encoding="utf-8")
    assert run("build", "targets/a", "--format", "html", "-q", cwd=tmp_path)[0] == 0
    assert overview(tmp_path / "build") == ["改名后", "测试书"]
    page = (tmp_path / "build" / "index.html").read_text(encoding="utf-8")
    assert "[unlisted-file]" in page  # w's warning, from its own build
    # A book whose output is gone, or whose entry does not read back, leaves the overview.
    shutil.rmtree(tmp_path / "build" / "w")
    (tmp_path / "build" / "x").mkdir()
    (tmp_path / "build" / ".overview" / "x.json").write_text("{not json", encoding="utf-8")
    assert run("build", "targets/a", "--format", "html", "-q", cwd=tmp_path)[0] == 0
    assert overview(tmp_path / "build") == ["改名后"]


def cli(*args: str, cwd) -> tuple[int, str]:
    """The CLI as `make docs` runs it: its own process, everything it prints."""
    done = subprocess.run([sys.executable, "-m", "tablegen", *args], cwd=cwd, capture_output=True,
                          text=True, env=dict(os.environ, TMPDIR=str(cwd)))
    return done.returncode, done.stdout + done.stderr


def test_a_build_says_what_it_made_in_one_line(tmp_path):
    books(tmp_path, a=GOOD, w=WARNED)
    code, text = cli("build", "--format", "html,xlsx", cwd=tmp_path)
    assert code == 0
    # The warning, then one line: no list of files, no absolute path, no internal file.
    assert text.splitlines() == [
        "targets/w/旧项目.yaml:1:1: warning[unlisted-file]: "
        "此 YAML 文件未被 book.yaml 的任何单位列出，不会进入文档",
        "已生成 5 个文件到 build/，打开 build/index.html 查看（0 个错误，1 个警告）"]
    (tmp_path / "targets" / "a" / "p.yaml").write_text(
        (GOOD / "p.yaml").read_text(encoding="utf-8").replace("用于测试", "用于新版"), encoding="utf-8")
    code, text = cli("build", "--format", "html,xlsx", "-v", cwd=tmp_path)
    assert code == 0
    # -v says what each format took from the cache and lists what was written, as the working
    # folder names it; tablegen's own records stay out.
    assert text.splitlines() == [
        "XLSX a：工作表 1 张新生成，1 张取自缓存",
        "targets/w/旧项目.yaml:1:1: warning[unlisted-file]: "
        "此 YAML 文件未被 book.yaml 的任何单位列出，不会进入文档",
        "写入 build/a/index.html", "写入 build/a/合并测试.xlsx",
        "已生成 2 个文件到 build/，打开 build/index.html 查看（0 个错误，1 个警告）"]
    assert (tmp_path / "build" / ".overview" / "a.json").is_file()
    code, text = cli("build", "--format", "html,xlsx", "-q", cwd=tmp_path)
    assert (code, text.splitlines()[1:]) == (0, [])
