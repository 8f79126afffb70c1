"""Data never becomes markup: Markdown/HTML in diff's job summary, GitHub workflow commands in
check and fmt output, `javascript:` links in the overview."""

from __future__ import annotations

import subprocess

from hostile import BOOK, VALID, make_book
from tablegen.commands.diff import as_markdown, as_text, diff

HOSTILE = '<img src=x onerror=alert(1)> ![x](http://127.0.0.1:9/t.png) <details> *b* `c` | d'
COMMAND = "\n::error file=book.yaml,line=1::伪造的错误"


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=repo, check=True, capture_output=True)


def test_diff_markdown_escapes_html_and_markdown_in_data(tmp_path):
    book = make_book(tmp_path / "targets" / "b")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "a")
    quoted = HOSTILE.replace("'", "''")
    (book / "p.yaml").write_text(VALID.replace("usage: 用于测试", f"usage: '{quoted}'"),
                                 encoding="utf-8")
    diffs, _ = diff(tmp_path, "HEAD")
    md = as_markdown(diffs)
    assert md.splitlines()[-1] == (
        "| 资金用途 | 资金用途 | 用于测试 | &lt;img src=x onerror=alert(1)&gt; "
        "\\!\\[x\\](http://127.0.0.1:9/t.png) &lt;details&gt; \\*b\\* \\`c\\` \\| d |")
    for raw in ("<img", "<details>", "![x]", "*b*"):
        assert raw not in md


def test_diff_text_keeps_each_change_on_one_line(tmp_path):
    book = make_book(tmp_path / "targets" / "b")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "a")
    (book / "p.yaml").write_text(
        VALID.replace("usage: 用于测试", 'usage: "x\\n::error file=a::b"'), encoding="utf-8")
    diffs, _ = diff(tmp_path, "HEAD")
    text = as_text(diffs)
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert "x\\n::error file=a::b" in text


def test_a_key_with_a_line_break_is_no_workflow_command(tmp_path, run):
    key = COMMAND.replace("\n", "\\n")
    make_book(tmp_path / "b", VALID.replace("usage: 用于测试", f'usage: 用于测试\n"{key}": 1'))
    for args in (["check", "b", "--format", "github"], ["check", "b"], ["fmt", "--check", "b"]):
        code, out, err = run(*args, cwd=tmp_path)
        assert code == 1
        lines = (out + err).splitlines()
        commands = [line for line in lines if line.lstrip().startswith("::")]
        if args[-1] == "github":  # the one annotation tablegen means to write, no other
            assert len(commands) == 1 and commands[0].startswith("::error file=b/p.yaml,")
        else:
            assert commands == []
        assert any("未知的键“\\n::error file=book.yaml,line=1::伪造的错误”" in line
                   for line in lines)


def test_a_file_name_starting_with_colons_is_no_workflow_command(tmp_path, run):
    name = "::error file=x::伪造.yaml"
    (tmp_path / name).write_text("name: [", encoding="utf-8")
    code, out, _ = run("check", name, cwd=tmp_path)
    assert code == 1
    assert out.startswith("./::error file=x::伪造.yaml:1:")


def test_the_overview_links_only_inside_the_output(tmp_path, run):
    make_book(tmp_path / "javascript:alert(1)", book=BOOK)
    code, _, err = run("build", "javascript:alert(1)", "--out", str(tmp_path / "out"),
                       "--format", "html,xlsx", cwd=tmp_path)
    assert code == 0, err
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="javascript%3Aalert%281%29/index.html"' in index
    assert 'href="javascript%3Aalert%281%29/测试书.xlsx"' in index  # the title names the file
    assert 'href="javascript:' not in index
