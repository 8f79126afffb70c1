"""A template from the book's folder cannot run code: every template renders in Jinja's sandbox."""

from __future__ import annotations

import io
import shutil
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
    src = DEFAULT_TEMPLATES / "docx" / "book.docx"
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
    shutil.copy(DEFAULT_TEMPLATES / "html" / "book.html.j2", book / "templates" / "html")
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


def html_template(book, text):
    (book / "templates" / "html").mkdir(parents=True, exist_ok=True)
    (book / "templates" / "html" / "book.html.j2").write_text(
        '{% extends "default:book.html.j2" %}{% block meta %}\n' + text + "{% endblock %}\n",
        encoding="utf-8")


# -- a template's runtime error is the template's, with its place ---------------------------

@pytest.mark.parametrize("text, message", [
    ("{{ 1/0 }}", "模板运行出错（ZeroDivisionError: division by zero）；请检查模板中这一处的表达式"),
    ("{{ 'a' + 1 }}", "模板运行出错（TypeError: can only concatenate str (not \"int\") to str）；"
                      "请检查模板中这一处的表达式"),
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
    assert err.strip() == (f"错误：{where}：模板运行出错（ZeroDivisionError: division by zero）；"
                           "请检查模板中这一处的表达式")
    assert "Traceback" not in out + err
    assert not (tmp_path / "out").exists()
