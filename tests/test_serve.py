"""`tablegen serve`: pages over HTTP, reload events on save, findings in the page, no way out."""

from __future__ import annotations

import http.client
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import quote, unquote

import openpyxl
import pytest

from conftest import FIXTURES, need_program
from hostile import tree
from tablegen import sandbox
from tablegen.commands.serve import EVENTS, INDICATORS, Preview, host_allowed

USAGE = "usage: 用于测试\n"


@pytest.fixture
def book(tmp_path):
    """A temporary copy of a small book, `m`."""
    folder = tmp_path / "books" / "m"
    shutil.copytree(FIXTURES / "html" / "merge", folder)
    return folder


@pytest.fixture
def preview(book, tmp_path):
    with Preview([book.parent], tmp_path / "out", port=0, warm=False) as p:
        yield p


def get(preview, path, method="GET", headers=None):
    """(status, headers, body) of one request, the path sent exactly as given."""
    host, port = preview.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def page(preview, path="/m/"):
    status, _, body = get(preview, path)
    assert status == 200
    return body.decode("utf-8")


class Events:
    """The preview's Server-Sent Events stream, read one `data:` line at a time."""

    def __init__(self, preview):
        host, port = preview.httpd.server_address[:2]
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.conn.request("GET", EVENTS)
        self.resp = self.conn.getresponse()
        assert self.resp.getheader("Content-Type") == "text/event-stream"

    def next(self, timeout=60):
        """The next version sent; fails after `timeout` seconds of pings only."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.resp.fp.readline().decode()
            assert line, "the event stream ended"
            if line.startswith("data: "):
                return line[len("data: "):].strip()
        pytest.fail(f"no new version within {timeout} s")

    def close(self):
        self.conn.close()


@pytest.fixture
def events(preview):
    stream = Events(preview)
    yield stream
    stream.close()


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serves_the_overview_and_the_book_page_with_the_reload_script(preview):
    overview = page(preview, "/")
    # The book's files are named after its title (合并测试).
    for href in ('href="m/index.html"', 'href="m/合并测试.pdf"', 'href="m/合并测试.docx"',
                 'href="m/合并测试.xlsx"'):
        assert href in overview
    book_page = page(preview, "/m/")
    assert "合并测试项目" in book_page and "用于测试" in book_page
    assert f'new EventSource("{EVENTS}")' in book_page
    assert book_page.index("<script>(function") > book_page.index("</main>")
    assert "tablegen-findings" not in book_page  # the fixture is clean
    status, headers, _ = get(preview, "/m")
    assert (status, headers["Location"]) == (301, "/m/")
    status, headers, body = get(preview, "/m/", method="HEAD")
    assert (status, headers["Content-Type"], body) == (200, "text/html; charset=utf-8", b"")
    assert int(headers["Content-Length"]) == len(book_page.encode())


def test_a_save_sends_a_reload_event_and_the_page_shows_the_new_content(preview, events, book):
    first = events.next()
    assert f'var seen = "{first}"' in page(preview)
    edit(book / "p.yaml", USAGE, "usage: 用于预览测试\n")
    second = events.next()
    assert second != first
    text = page(preview)
    assert "用于预览测试" in text and f'var seen = "{second}"' in text


def test_a_broken_file_shows_its_finding_above_the_last_good_build(preview, events, book):
    events.next()
    edit(book / "p.yaml", USAGE, "usage: [用于测试\n")
    events.next()
    text = page(preview)
    box = text[text.index('<section id="tablegen-findings"'):text.index("</section>")]
    assert "数据有 1 个错误，下面是上一次成功生成的结果" in box
    # where the parser stopped (its exact place is the loader's business, tested there)
    assert re.search(r'<code class="where">[^<]*/m/p\.yaml:\d+:\d+</code> '
                     r'<b class="rule">error\[yaml-syntax\]</b> <span class="message">YAML', box)
    assert text.index("tablegen-findings") < text.index("<main>")
    assert "合并测试项目" in text and "用于测试" in text  # the last good build stays below
    assert "tablegen-findings" in page(preview, "/")  # on every page, the overview too
    edit(book / "p.yaml", "usage: [用于测试\n", "usage: 已改正\n")
    events.next()
    text = page(preview)
    assert "tablegen-findings" not in text and "已改正" in text


def test_every_page_shows_the_target_review_and_links_the_indicator_index(preview, events, book):
    events.next()
    text = page(preview)
    review = text[text.index('<section id="tablegen-review"'):]
    review = review[:review.index("</section>")]
    assert "<summary>绩效目标审核：1 个项目（良 1），3 条审核意见</summary>" in review
    assert "<td>80</td><td>良</td><td>3</td>" in review
    assert "【完整性】<b class=\"rule\">[level1-missing]</b>" in review
    assert f'<a href="{INDICATORS}">指标库</a>' in review
    index = page(preview, INDICATORS)
    assert "<h1>指标库</h1>" in index and '<input id="filter"' in index
    assert "<td>甲</td>" in index  # the book's own
    assert '<tr class="common"><td>培训合格率</td>' in index  # the common library
    assert "tablegen-review" in index and f'new EventSource("{EVENTS}")' in index
    # A save reviews again: with a 效益指标 “测试效果”, neither the missing 一级 nor the goal
    # 完成测试 left without an indicator is a finding any more.
    edit(book / "p.yaml", "  满意度指标:\n", "  效益指标:\n    社会效益指标:\n      - name: 测试效果\n"
         "        value: 明显提升\n  满意度指标:\n")
    events.next()
    assert "绩效目标审核：1 个项目（优 1），1 条审核意见" in page(preview)


def test_a_broken_template_is_reported_and_the_server_keeps_running(preview, events, book):
    events.next()
    (book / "templates" / "html").mkdir(parents=True)
    (book / "templates" / "html" / "book.html.j2").write_text(
        '{% extends "default:book.html.j2" %}{% block style %}{{ no_such_thing }}{% endblock %}',
        encoding="utf-8")
    events.next()
    text = page(preview)
    assert "生成失败，下面是上一次成功生成的结果" in text and "no_such_thing" in text
    shutil.rmtree(book / "templates")
    events.next()
    assert "生成失败" not in page(preview)


def test_an_endless_template_loop_stops_and_the_preview_says_so(preview, events, book, monkeypatch):
    """The watcher's thread renders under the same time bound as a build."""
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 1.0)
    events.next()
    (book / "templates" / "html").mkdir(parents=True)
    (book / "templates" / "html" / "book.html.j2").write_text(
        '{% extends "default:book.html.j2" %}{% block style %}\n{% for i in range(100000) %}'
        "{% for j in range(100000) %}{% endfor %}{% endfor %}{% endblock %}", encoding="utf-8")
    events.next()
    text = page(preview)
    assert "生成失败，下面是上一次成功生成的结果" in text
    assert "book.html.j2:2: 模板运行超过 1 秒，已停止" in text
    assert "合并测试项目" in text  # the last good build stays


def test_office_files_are_built_when_opened_and_never_stale(preview, events, book):
    events.next()

    def usage_in_xlsx():
        status, headers, body = get(preview, "/m/" + quote("合并测试.xlsx"))
        assert status == 200
        assert headers["Content-Type"].endswith("spreadsheetml.sheet")
        sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
        return {c.value for row in sheet.iter_rows() for c in row} & {"用于测试", "用于新版"}

    assert usage_in_xlsx() == {"用于测试"}
    edit(book / "p.yaml", USAGE, "usage: 用于新版\n")
    events.next()
    assert usage_in_xlsx() == {"用于新版"}
    assert "用于新版" in page(preview)  # building one format leaves the pages in place
    edit(book / "p.yaml", "usage: 用于新版\n", "usage: [\n")
    events.next()
    # One rule for every format while the data has errors: no file, whether one was built from
    # the last good data (the XLSX) or not (the DOCX, the PDF); the page says why.
    for fmt in ("xlsx", "docx", "pdf"):
        status, _, body = get(preview, "/m/" + quote(f"合并测试.{fmt}"))
        assert status == 503
        assert f"数据有错误，{fmt.upper()} 暂时无法生成；改正后再打开此链接。" in body.decode()
        assert "error[yaml-syntax]" in body.decode()
    edit(book / "p.yaml", "usage: [\n", "usage: 用于新版\n")
    events.next()
    assert usage_in_xlsx() == {"用于新版"}


@pytest.mark.parametrize("path", [
    "/../../etc/passwd",
    "/m/../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/m%2f..%2f..%2fetc/passwd",
    "/..\\..\\etc\\passwd",
    "/%5c..%5c..%5cetc%5cpasswd",
    "/m/%00.html",
    "/escape/passwd",
])
def test_paths_out_of_the_build_folder_are_refused(preview, path):
    (preview.out / "escape").symlink_to("/etc")
    status, _, body = get(preview, path)
    assert status == 403
    assert b"root:" not in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io",
                                  "localhost.evil.example", ""])
def test_a_request_for_another_host_name_is_refused(preview, host):
    """A page of another site whose name was made to resolve to 127.0.0.1 (DNS rebinding)
    reads nothing, not even the event stream."""
    for path in ("/", "/m/", "/m/" + quote("合并测试.xlsx"), EVENTS):
        status, headers, body = get(preview, path, headers={"Host": host})
        assert (status, headers["Content-Type"]) == (403, "text/html; charset=utf-8")
        assert "403 拒绝访问" in body.decode() and "tablegen 预览只回答发给本机" in body.decode()
        assert "合并测试项目" not in body.decode()
    assert not (preview.out / "m" / "合并测试.xlsx").exists()  # nothing was built for it


def test_loopback_names_ip_addresses_and_the_given_host_are_answered(preview):
    port = preview.httpd.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}",
                 "app.localhost", "LOCALHOST."):
        assert get(preview, "/m/", headers={"Host": host})[0] == 200, host
    assert host_allowed("10.0.0.7:8000", "0.0.0.0")  # --host 0.0.0.0 opened by address
    assert host_allowed("mybox.lan:8000", "mybox.lan")
    assert not host_allowed("mybox.lan:8000", "127.0.0.1")
    assert not host_allowed(None, "127.0.0.1")


def test_serving_the_working_folder_gives_only_what_build_wrote(tmp_path):
    """`serve --out .`: the working folder holds the books, .git/ and other files; only the
    overview and the books' outputs are served, and the server reads nothing else."""
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "html" / "merge", work / "books" / "m")
    (work / ".git").mkdir()
    (work / ".git" / "config").write_text("[remote]\n\turl = https://token@example.com\n")
    (work / "secret.pdf").write_bytes(b"%PDF-1.4 secret-content")
    (work / "m").mkdir()
    (work / "m" / "notes.txt").write_text("secret-content")  # not a kind of file build writes
    before = tree(work)
    with Preview([work / "books"], work, port=0) as preview:
        assert "合并测试项目" in page(preview, "/m/")
        assert get(preview, "/m/" + quote("合并测试.xlsx"))[0] == 200
        for path in ("/.git/config", "/.git/", "/secret.pdf", "/books/m/p.yaml", "/books/m/",
                     "/m/notes.txt", "/.overview/m.json", "/.tablegen-cache/", "/books/"):
            status, _, body = get(preview, path)
            assert status == 404, path
            assert b"secret-content" not in body and b"token" not in body
    made = tree(work) - before
    assert made >= {"index.html", "m/index.html", "m/合并测试.xlsx"}
    assert all(p.startswith(("m/", ".overview")) or p == "index.html" for p in made), made
    assert before <= tree(work)  # nothing removed


def test_serving_the_working_folder_reloads_after_a_save(tmp_path):
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "html" / "merge", work / "books" / "m")
    with Preview([work / "books"], work, port=0) as preview:
        events = Events(preview)
        try:
            first = events.next()
            edit(work / "books" / "m" / "p.yaml", USAGE, "usage: 工作文件夹里的新值\n")
            assert events.next() != first
            assert "工作文件夹里的新值" in page(preview, "/m/")
        finally:
            events.close()


@pytest.mark.parametrize("path", ["/m/", "/m/index.html", "/", "/m/" + quote("合并测试.xlsx")])
def test_a_built_file_replaced_by_a_link_is_refused(preview, tmp_path, path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret-content")
    target = preview.out / (unquote(path).strip("/") or "index.html")
    if target.is_dir() or path.endswith("/"):
        target = target / "index.html" if path != "/" else preview.out / "index.html"
    target.unlink(missing_ok=True)
    target.symlink_to(secret)
    status, _, body = get(preview, path)
    assert status == 403
    assert b"secret-content" not in body


@pytest.mark.parametrize("path", ["/" + "a" * 300, "/m/" + "b" * 300 + ".pdf", "/m/" + "c" * 4000])
def test_a_long_request_path_gets_an_answer(preview, path):
    status, _, body = get(preview, path)
    assert status == 404
    assert "没有这个文件" in body.decode()


def test_unknown_files_get_a_page_that_reloads(preview):
    status, headers, body = get(preview, "/nothing.html")
    assert status == 404 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "没有这个文件：/nothing.html" in body.decode() and "EventSource" in body.decode()


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_a_usage_error(book, tmp_path, run, port):
    code, out, err = run("serve", str(book), "--port", port, "--out", str(tmp_path / "out"))
    assert code == 2
    assert f"参数 --port：端口应为 0 至 65535 之间的整数，而不是“{port}”" in err
    assert "内部错误" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_command_serves_until_ctrl_c_and_stops_cleanly(book, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tablegen", "serve", str(book), "--port", "0",
         "--out", str(tmp_path / "out")],
        stderr=subprocess.PIPE, text=True, cwd=tmp_path, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    try:
        while not any("预览地址" in line for line in lines):
            line = proc.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        url = lines[-1].split("预览地址：")[1].split("（")[0]
        host, port = url.removeprefix("http://").rstrip("/").split(":")
        assert host == "127.0.0.1"
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", "/m/")
        assert "合并测试项目" in conn.getresponse().read().decode()
        conn.close()
        edit(book / "p.yaml", USAGE, "usage: [\n")
        while not lines[-1].startswith("有 1 个错误"):
            lines.append(proc.stderr.readline())
            assert lines[-1], "".join(lines)
        assert lines[-2:] == ["变更：p.yaml\n", "有 1 个错误，页面显示上一次成功的结果\n"]
        assert not [line for line in lines if "detected" in line]  # watchfiles' own log is quiet
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rest.strip().splitlines()[-1] == "预览已停止"
    assert "Traceback" not in rest


def test_the_browser_shows_a_save_without_a_manual_reload(preview, book, tmp_path):
    from browser import Chromium, page_text

    with Chromium(need_program("chromium")) as browser:
        browser.open(preview.url + "m/")
        browser.wait_for(f"{page_text('main')}.includes('用于测试')")
        browser.evaluate("window.notReloaded = true")
        edit(book / "p.yaml", USAGE, "usage: 浏览器里看到的新值\n")
        browser.wait_for(f"{page_text('main')}.includes('浏览器里看到的新值')")
        assert browser.evaluate("window.notReloaded === undefined") is True  # the page reloaded
        edit(book / "p.yaml", "  total: 10.00\n", "  total: 10.001\n")
        browser.wait_for(f"{page_text('#tablegen-findings')}.includes('amount-precision')")
        assert "浏览器里看到的新值" in browser.evaluate(page_text("main"))
        shot = browser.screenshot(tmp_path / "preview.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_the_guide_shows_the_preview_before_the_build_with_its_screenshot():
    from conftest import ROOT

    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # Among the officer's steps, before building and long before any reference page.
    assert nav.index("预览: serve.md") < nav.index("生成文档: build.md") < nav.index("文件格式:")
    page = (ROOT / "docs" / "serve.md").read_text(encoding="utf-8")
    assert "![预览页面：表格上方列出一条问题](img/serve-finding.png)" in page
    image = ROOT / "docs" / "img" / "serve-finding.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size <= 150_000


def test_a_change_in_the_user_template_folder_reloads_the_pages(book, tmp_path):
    user = tmp_path / "mine"
    (user / "html").mkdir(parents=True)
    with Preview([book.parent, book], tmp_path / "out", port=0, templates=user) as preview:
        watched = preview.watched()
        assert book.parent.resolve() in watched and user.resolve() in watched
        assert book.resolve() not in watched  # inside the books folder: watched once
        events = Events(preview)
        try:
            events.next()
            (user / "html" / "book.html.j2").write_text(
                '{% extends "default:book.html.j2" %}{% block style %}.mine { color: red }{% endblock %}',
                encoding="utf-8")
            events.next()
            assert ".mine { color: red }" in page(preview)
        finally:
            events.close()


def test_after_a_save_every_format_is_brought_up_to_date_in_the_warm_process(book, tmp_path):
    out = tmp_path / "out"
    with Preview([book.parent], out, port=0) as preview:
        events = Events(preview)
        try:
            events.next()
            edit(book / "p.yaml", USAGE, "usage: 用于新版\n")
            events.next()
            # The watcher builds the other formats after the page; a link opened meanwhile
            # waits for the lock and is served fresh either way.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and len(preview._fresh) < 3:
                time.sleep(0.2)
            assert sorted(preview._fresh) == ["docx", "pdf", "xlsx"]
            assert set(preview._fresh.values()) == {preview._good}
            sheet = openpyxl.load_workbook(out / "m" / "合并测试.xlsx").worksheets[0]
            assert "用于新版" in {c.value for row in sheet.iter_rows() for c in row}
            for fmt in ("docx", "pdf"):
                assert (out / "m" / f"合并测试.{fmt}").stat().st_size > 0
        finally:
            events.close()


def test_the_docx_layout_after_a_save_is_handed_to_the_libreoffice_kept_started(
        book, tmp_path, monkeypatch):
    """serve starts a LibreOffice ahead (`toc_pages.Standby`): the layout a save needs is handed
    to it instead of waiting for a LibreOffice to start; it goes on running for the next save,
    and nothing of it runs after serve stops."""
    need_program("soffice")
    from tablegen import tempdirs
    from tablegen.render import toc_pages

    handed: list[bool] = []
    init = toc_pages.Conversion.__init__

    def recorded(self, docx_files, out_dir, standby=None, keep_profile=False):
        init(self, docx_files, out_dir, standby, keep_profile)
        handed.append(standby is not None and self.profile == standby.profile)

    monkeypatch.setattr(toc_pages.Conversion, "__init__", recorded)
    out = tmp_path / "out"
    with Preview([book.parent], out, port=0) as preview:
        events = Events(preview)
        try:
            events.next()
            first = preview.offices._standby
            assert first is not None  # a save now hands it the layout, started or starting
            assert first.settle(120)  # and it goes on after it (a busy machine starts it slowly)
            edit(book / "p.yaml", USAGE, "usage: 用于新版\n")
            events.next()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and len(preview._fresh) < 3:
                time.sleep(0.2)
            assert handed == [True]
            assert first.ready() and preview.offices._standby is first  # kept for the next save
            edit(book / "p.yaml", "usage: 用于新版\n", "usage: 用于再版\n")
            events.next()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and set(preview._fresh.values()) != {preview._good}:
                time.sleep(0.2)
            assert handed == [True, True] and first.uses == 2  # the same LibreOffice again
        finally:
            events.close()
    assert first.process.poll() is not None
    assert tempdirs.office_processes(first.profile) == [] and not first.profile.exists()


def test_a_save_is_one_build_the_page_written_before_the_other_formats(book, tmp_path,
                                                                        monkeypatch):
    """The warm path builds the page and every other format in one build (the books read,
    checked and reviewed once); the page and the overview are written, and the preview shows
    them, before the other formats are."""
    from tablegen.commands import serve

    out = tmp_path / "out"
    calls: list[list[str]] = []
    seen: list[tuple[str, bool]] = []
    real_build = serve.build
    real_show = Preview._show

    def counted(paths, out_, formats, **kwargs):
        calls.append(list(formats))
        return real_build(paths, out_, formats, **kwargs)

    def show(self, findings, problem, reviewed):
        page_text = (out / "m" / "index.html").read_text(encoding="utf-8")
        seen.append(("用于新版" in page_text, (out / "m" / "合并测试.xlsx").exists()))
        return real_show(self, findings, problem, reviewed)

    monkeypatch.setattr(serve, "build", counted)
    monkeypatch.setattr(Preview, "_show", show)
    preview = Preview([book.parent], out, port=0)
    try:
        preview.rebuild()
        assert calls == [["html"]] and seen == [(False, False)]
        edit(book / "p.yaml", USAGE, "usage: 用于新版\n")
        state, made = preview.saved()
        assert calls[1:] == [["html", "docx", "pdf", "xlsx"]]
        assert not state.broken and made == ["docx", "pdf", "xlsx"]
        assert seen[1:] == [(True, False)]  # the page is new; the workbook is not there yet
        assert preview._fresh == dict.fromkeys(made, preview._good)
        sheet = openpyxl.load_workbook(out / "m" / "合并测试.xlsx").worksheets[0]
        assert "用于新版" in {c.value for row in sheet.iter_rows() for c in row}
    finally:
        preview.offices.close()
        preview.httpd.server_close()


def test_a_format_failing_after_the_page_leaves_the_page_shown_and_the_link_to_say_why(
        book, tmp_path, monkeypatch):
    from tablegen.errors import RenderError
    from tablegen.render import xlsx

    def broken(doc, ctx):
        raise RenderError("工作簿无法生成")

    monkeypatch.setattr(xlsx, "render", broken)
    preview = Preview([book.parent], tmp_path / "out", port=0)
    try:
        edit(book / "p.yaml", USAGE, "usage: 用于新版\n")
        state, made = preview.saved(every=True)
        assert not state.broken and made == []
        assert preview.state is state and state.findings == []
        assert "用于新版" in (tmp_path / "out" / "m" / "index.html").read_text(encoding="utf-8")
        assert preview._fresh == {}  # each link builds its file when opened, and says why
        assert preview.refresh("xlsx") is False
    finally:
        preview.offices.close()
        preview.httpd.server_close()
