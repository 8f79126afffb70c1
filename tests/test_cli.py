"""The command line itself: --version, help and usage errors wholly in Chinese, doctor."""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import shutil

import pytest

import tablegen
from tablegen.cli import parser
from tablegen.cli_text import width, wrap

BOILERPLATE = re.compile(r"usage|options|positional|arguments|show |help message|error|"
                         r"required|invalid|expected|unrecognized", re.IGNORECASE)


def test_version(run):
    code, out, _ = run("--version")
    assert code == 0
    assert out == f"tablegen {importlib.metadata.version(tablegen.DISTRIBUTION)}\n"
    assert tablegen.__version__ == importlib.metadata.version(tablegen.DISTRIBUTION)


def commands() -> list[str]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_every_argument_of_every_command_says_what_it_is_for():
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    bare = [f"{name} {'/'.join(action.option_strings) or action.dest}"
            for name, command in sub.choices.items() for action in command._actions
            if not action.help or action.help == argparse.SUPPRESS]
    assert bare == []


@pytest.mark.parametrize("command", ["", *commands()])
def test_help_is_wholly_chinese(command, run):
    code, out, _ = run(*filter(None, [command]), "--help")
    assert code == 0
    assert out.startswith(f"用法：tablegen {command}".rstrip())
    assert "选项：\n  -h, --help" in out and "显示本帮助并退出" in out
    assert BOILERPLATE.findall(out) == []
    # Every value has a Chinese name (argparse would print the option's name in capitals).
    assert re.findall(r"--[a-z-]+ ([A-Z][A-Z_]+)\b", out) == []


@pytest.mark.parametrize("args, message", [
    (["check", "--format", "x"],
     "tablegen check：错误：参数 --format：无效的选项：'x'（可选：'text', 'json', 'github'）"),
    (["build", "--out"], "tablegen build：错误：参数 --out：需要一个值"),
    (["import", "a.txt"], "tablegen import：错误：缺少必需的参数：--into"),
    (["check", "--nope"], "tablegen：错误：无法识别的参数：--nope"),
    (["new-book", "b", "--title", "t", "--year", "x", "--agency", "1", "单位"],
     "tablegen new-book：错误：参数 --year：无效的 int 值：'x'"),
    ([], "tablegen：错误：缺少必需的参数：命令"),
])
def test_usage_errors_are_chinese_with_exit_code_2(args, message, run):
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.startswith("用法：tablegen")
    assert err.splitlines()[-1] == message


def test_argparse_speaks_english_again_outside_tablegen(run, capsys):
    run("--help")
    with pytest.raises(SystemExit):
        argparse.ArgumentParser(prog="other").parse_args(["--x"])
    assert capsys.readouterr().err == "usage: other [-h]\nother: error: unrecognized arguments: --x\n"


def test_doctor_names_libreoffice_and_poppler_and_how_to_install_them(run, tmp_path, monkeypatch):
    code, out, _ = run("doctor")
    assert re.search(r"^  LibreOffice: (\S+|缺少)（DOCX 目录的真实页码（默认即求，见 --no-toc-pages））$",
                     out, re.M)
    assert re.search(r"^  poppler: (\S+|缺少)（pdftotext，查看 PDF 的文字层）$", out, re.M)
    assert f"默认模板：{tablegen.templates.DEFAULT_TEMPLATES}" in out
    # Without them on PATH (fontconfig's programs stay), doctor says so and how to install them.
    for program in ("fc-match", "fc-query"):
        if shutil.which(program):
            (tmp_path / program).symlink_to(shutil.which(program))
    monkeypatch.setenv("PATH", str(tmp_path))
    code2, out, _ = run("doctor")
    assert code2 == code  # optional programs do not make the machine unfit
    assert "  LibreOffice: 缺少（DOCX 目录的真实页码（默认即求，见 --no-toc-pages））" in out.splitlines()
    assert "  poppler: 缺少（pdftotext，查看 PDF 的文字层）" in out.splitlines()
    assert out.splitlines()[-3:] == ["可选安装：", "  apt-get install libreoffice-writer-nogui",
                                     "  apt-get install poppler-utils"]


@pytest.mark.parametrize("command", ["", *commands()])
def test_help_columns_line_up_as_shown_on_screen(command, run, monkeypatch):
    # argparse counts one column per character; a Chinese character takes two on screen.
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run(*filter(None, [command]), "--help")
    usage, _, rest = out.partition("\n\n")
    prefix = f"用法：tablegen {command}".rstrip() + " "
    assert usage.startswith(prefix)
    assert {len(line) - len(line.lstrip()) for line in usage.splitlines()[1:]} <= {width(prefix)}
    columns = set()
    for line in rest.splitlines():
        if m := re.match(r" {2,}\S.*? {2,}(?=\S)", line):  # an option and its help
            columns.add(width(m.group()))
        elif m := re.match(r" {3,}(?=\S)", line):  # the help's next line
            columns.add(width(m.group()))
    assert len(columns) == 1, out
    assert max(width(line) for line in out.splitlines()) <= 78, out


def test_wrap_counts_columns_and_keeps_latin_words_whole():
    assert wrap("用 LibreOffice 排版求得页码", 10) == ["用", "LibreOffice", "排版求得页", "码"]
    assert wrap("不用也不写构建缓存（<输出文件夹>/.cache/）", 20) == [
        "不用也不写构建缓存（", "<输出文件夹>/.cache/", "）"]
    assert [width(s) for s in ("路径", "--out 文件夹", "（）", "a")] == [4, 12, 4, 1]
