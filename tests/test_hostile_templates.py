"""A template from the book's folder cannot run code: every template renders in Jinja's sandbox."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile

import pytest

from hostile import make_book, tree
from tablegen.templates import DEFAULT_TEMPLATES


def payload(marker):
    return f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"


def test_html_template_reaching_python_internals_is_refused(tmp_path, run):
    book = make_book(tmp_path / "b")
    (book / "templates" / "html").mkdir(parents=True)
    (book / "templates" / "html" / "book.html.j2").write_text(
        "<p>\n" + payload(tmp_path / "ran") + "\n</p>\n", encoding="utf-8")
    code, out, err = run("build", str(book), "--out", str(tmp_path / "out"),
                         "--format", "html")
    assert code == 1
    assert "模板试图访问 Python 内部属性，已拒绝" in err
    assert "book.html.j2:2" in err
    assert "Traceback" not in out + err
    assert not (tmp_path / "ran").exists()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("expression", [
    "{{ '{0.__class__.__init__.__globals__}'|attr('format')(cycler) }}",  # CVE-2025-27516
    "{{ ('{0.__init__.__globals__[os].environ}'|attr('format'))(cycler) }}",
    "{{ '{0.__init__.__globals__}'.format(cycler) }}",
])
def test_str_format_cannot_reach_python_internals(tmp_path, run, monkeypatch, expression):
    monkeypatch.setenv("TABLEGEN_TEST_SECRET", "secret-content")
    book = make_book(tmp_path / "b")
    (book / "templates" / "html").mkdir(parents=True)
    (book / "templates" / "html" / "book.html.j2").write_text(expression + "\n", encoding="utf-8")
    code, out, err = run("build", str(book), "--out", str(tmp_path / "out"), "--format", "html")
    assert code == 1
    assert "模板试图访问 Python 内部属性，已拒绝" in err and "book.html.j2:1" in err
    assert "secret-content" not in out + err and "Traceback" not in out + err
    assert not (tmp_path / "out").exists()


def _docx_with(text: str) -> bytes:
    src = DEFAULT_TEMPLATES / "targets" / "book.docx"
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "word/document.xml":
                xml = data.decode()
                at = xml.index("<w:body>") + len("<w:body>")
                data = (xml[:at] + f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" + xml[at:]).encode()
            zout.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("where", ["skeleton", "block"])
def test_docx_template_reaching_python_internals_is_refused(tmp_path, run, where):
    book = make_book(tmp_path / "b")
    (book / "templates" / "docx").mkdir(parents=True)
    text = payload(tmp_path / "ran")
    if where == "block":  # inside the per-project loop
        text = "{% for t in tables %}" + text + "{% endfor %}"
    (book / "templates" / "docx" / "book.docx").write_bytes(_docx_with(text))
    code, out, err = run("build", str(book), "--out", str(tmp_path / "out"),
                         "--format", "docx")
    assert code == 1
    assert "模板试图访问 Python 内部属性，已拒绝" in err
    assert "Traceback" not in out + err
    assert not (tmp_path / "ran").exists()
    assert tree(tmp_path) >= {"b/templates/docx/book.docx"}
    assert not (tmp_path / "out").exists()


def test_restyling_still_works_in_the_sandbox(tmp_path, run):
    book = make_book(tmp_path / "b")
    (book / "templates" / "html").mkdir(parents=True)
    shutil.copy(DEFAULT_TEMPLATES / "targets" / "book.html.j2", book / "templates" / "html")
    code, _, err = run("build", str(book), "--out", str(tmp_path / "out"), "--format", "html")
    assert code == 0, err
    assert "测试项目" in (tmp_path / "out" / "b" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("linked", ["file", "folder"])
@pytest.mark.parametrize("fmt, rel", [("html", "html/book.html.j2"), ("docx", "docx/book.docx")])
def test_a_template_linked_outside_the_book_is_refused_unread(tmp_path, run, linked, fmt, rel):
    book = make_book(tmp_path / "b")
    outside = tmp_path / "outside"
    (outside / rel).parent.mkdir(parents=True)
    (outside / rel).write_text("<p>root:x:0:0:secret-content</p>\n", encoding="utf-8")
    if linked == "file":
        (book / "templates" / rel).parent.mkdir(parents=True)
        (book / "templates" / rel).symlink_to(outside / rel)
    else:
        (book / "templates").symlink_to(outside)
    code, out, err = run("build", str(book), "--out", str(tmp_path / "out"), "--format", fmt)
    assert code == 1
    assert "secret-content" not in out + err
    assert "Traceback" not in out + err
    where = "本书文件夹" if linked == "folder" else "模板文件夹"
    assert f"是指向{where}以外的链接，拒绝读取" in err
    assert not (tmp_path / "out").exists()


# -- bounds: a template cannot hang a build or fill the memory -------------------------------

NESTED_LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
LOOPS_WITHOUT_CALLS = ('{% set s = "abcdefghij" %}' + "{% for a in s %}" * 10 + "{% endfor %}" * 10)


def build_in_child(tmp_path, fmt, **bounds):
    """`tablegen build` in a process of its own with the sandbox's bounds set (a template that
    escapes them fails the test by the timeout instead of hanging the suite); its peak memory
    is the last line of stdout."""
    setting = "".join(f"sandbox.{name} = {value!r}; " for name, value in bounds.items())
    code = ("import resource, sys; from tablegen import sandbox; " + setting +
            "from tablegen.cli import main\n"
            "try:\n    code = main(sys.argv[1:])\n"
            "finally:\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)\n"
            "sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code, "build", "b", "--out", "out", "--format", fmt],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def html_template(book, text):
    (book / "templates" / "html").mkdir(parents=True, exist_ok=True)
    (book / "templates" / "html" / "book.html.j2").write_text(
        '{% extends "default:book.html.j2" %}{% block meta %}\n' + text + "{% endblock %}\n",
        encoding="utf-8")


@pytest.mark.parametrize("fmt, where", [("html", "b/templates/html/book.html.j2:2: "),
                                        ("docx", "DOCX 模板 b/templates/docx/book.docx 的项目表部分中 ")])
@pytest.mark.parametrize("loops", [NESTED_LOOPS, LOOPS_WITHOUT_CALLS])
def test_endless_loops_stop_at_the_time_bound(tmp_path, fmt, where, loops):
    book = make_book(tmp_path / "b")
    if fmt == "html":
        html_template(book, loops)
    else:
        (book / "templates" / "docx").mkdir(parents=True)
        (book / "templates" / "docx" / "book.docx").write_bytes(
            _docx_with("{% for t in tables %}" + loops + "{% endfor %}"))
    before = tree(tmp_path)
    code, out, err = build_in_child(tmp_path, fmt, RENDER_SECONDS=1.0)
    assert code == 1, err
    assert f"错误：{where}" in err and "模板运行超过 1 秒，已停止（循环或递归太多？）" in err
    assert "内部错误" not in err and "Traceback" not in err
    assert tree(tmp_path) == before  # nothing written, nothing removed


@pytest.mark.parametrize("text, message", [
    ("{{ 2**(2**34) }}", "模板中的乘方结果过大（整数最多约 19,728 位），已拒绝"),
    ("{{ 7 * 10**10000 * 10**10000 }}", "模板中的乘积过大（整数最多约 19,728 位），已拒绝"),
    ("{{ 'x' * 10**10 }}", "模板中的重复结果过长（一个值最多 10,000,000 个字符或元素），已拒绝"),
    ("{{ [0] * 10**10 }}", "模板中的重复结果过长"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "模板中的拼接结果过长"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
     "模板中的拼接结果过长"),
    ("{{ '%9999999999d' % 1 }}", "模板中的格式宽度过长"),
    ("{{ '%*d' % (10**10, 1) }}", "模板中的格式宽度过长"),
    ("{{ '%9999999999d'|format(1) }}", "模板中的格式宽度过长"),
    ("{{ '{:>9999999999}'.format(1) }}", "模板中的格式宽度过长"),
    ("{{ '{:>{}}'.format(1, 10**10) }}", "模板中的格式宽度过长"),
    ("{{ 'x'|center(10**10) }}", "模板中的宽度或数量过长"),
    ("{{ 'x'.ljust(10**10) }}", "模板中的宽度或数量过长"),
    ("{{ [1]|batch(10**10, 0)|list }}", "模板中的宽度或数量过长"),
    ("{{ ('x' * 10**6)|replace('x', 'yyyyyyyyyyyyyyyyyyyy') }}", "模板中的替换结果过长"),
    ("{{ range(10**6)|list|length }}", "range() 最多 100,000 项，这里要 1,000,000 项，已拒绝"),
    ("{{ range(10**30)|length }}", "range() 最多 100,000 项，这里要无数项，已拒绝"),
])
def test_what_would_fill_the_memory_is_refused_before_it_is_made(tmp_path, text, message):
    book = make_book(tmp_path / "b")
    html_template(book, text)
    code, out, err = build_in_child(tmp_path, "html")
    assert code == 1, err
    assert f"错误：b/templates/html/book.html.j2:2: {message}" in err
    assert "内部错误" not in err and "Traceback" not in err
    assert int(out.splitlines()[-1]) < 1 << 30
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text", [
    '{% set s = "x" * 1000000 %}{% for i in range(100000) %}{{ s }}{% endfor %}',  # escaped copies
    '{% set s = "x" * 1000000 %}{% for i in range(100000) %}{{ s[i:] }}{% endfor %}',
    '{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{{ ns.l.append("y" * 1000000) }}'
    "{% endfor %}",
    '{% macro m() %}{{ "z" * 1000000 }}{% endmacro %}{% for i in range(100000) %}{{ m() }}{% endfor %}',
])
def test_a_render_that_keeps_growing_stops_at_the_memory_bound(tmp_path, text):
    book = make_book(tmp_path / "b")
    html_template(book, text)
    code, out, err = build_in_child(tmp_path, "html", MAX_GROWTH=200 << 20)
    assert code == 1, err
    assert "错误：b/templates/html/book.html.j2:2: 模板占用的内存超过 200 MB，已停止" in err
    assert int(out.splitlines()[-1]) < 1 << 30  # 100 GB without the bound
    assert not (tmp_path / "out").exists()


# -- a template's runtime error is the template's, with its place ---------------------------

@pytest.mark.parametrize("text, message", [
    ("{{ 1/0 }}", "模板运行出错（除以零）；请检查模板中这一处的表达式"),
    ("{{ range(200000)|list|length }}", "range() 最多 100,000 项，这里要 200,000 项，已拒绝"),
    ("{{ 'a' + 1 }}", "模板运行出错（值的类型不对，比如把文字和数字相加）；请检查模板中这一处的表达式"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "模板中的宏或循环递归太深，已停止"),
])
def test_a_template_runtime_error_names_the_template_file_and_line(tmp_path, run, text, message):
    book = make_book(tmp_path / "b")
    html_template(book, text)
    code, out, err = run("build", "b", "--out", "out", "--format", "html", cwd=tmp_path)
    assert code == 1
    assert err.strip() == f"错误：b/templates/html/book.html.j2:2: {message}"
    assert "内部错误" not in err and "Traceback" not in out + err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, where", [
    ("{{ 1/0 }}", "DOCX 模板 b/templates/docx/book.docx 中 {{ 1/0 }} 处"),
    ("{% for t in tables %}<{{ t.name ~ (1/0) }}>{% endfor %}",
     "DOCX 模板 b/templates/docx/book.docx 的项目表部分中 {{ t.name ~ (1/0) }} 处"),
])
def test_a_docx_template_runtime_error_names_the_file_and_the_tag(tmp_path, run, text, where):
    book = make_book(tmp_path / "b")
    (book / "templates" / "docx").mkdir(parents=True)
    (book / "templates" / "docx" / "book.docx").write_bytes(_docx_with(text.replace("<", "&lt;")
                                                                        .replace(">", "&gt;")))
    code, out, err = run("build", "b", "--out", "out", "--format", "docx", cwd=tmp_path)
    assert code == 1
    assert err.strip() == (f"错误：{where}：模板运行出错（除以零）；"
                           "请检查模板中这一处的表达式")
    assert "Traceback" not in out + err
    assert not (tmp_path / "out").exists()
