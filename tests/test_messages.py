"""Every message a user reads is Chinese: each command's failure paths, run as a user runs them
(their own process, whatever they print), show no English from a library or a subprocess
(git, LibreOffice, Jinja, the system)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, TEST_BOOKS
from tablegen.tempdirs import office_pipes
from tablegen.templates import DEFAULT_TEMPLATES

# Two English words in a row: a sentence from a library ("not a git repository", "Permission
# denied", "is undefined"), never one of ours but a program's name.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ '’-]+[A-Za-z]{2,})+")
# What libraries and programs print when they fail.
MARKS = ("fatal:", "Error", "error:", "Errno", "Traceback", "exit status", "Command '", "Warning")
# Ours: a finding's rule, a command a message tells the user to run, an option.
OURS = re.compile(r"\b(?:error|warning)\[[a-z0-9-]+\]|\b(?:tablegen|make|git|apt-get)(?: [-\w./<>=]+)+"
                  r"|LibreOffice Writer|--[a-z][a-z-]*")  # an option is a word the user types


def english(text: str, *paths: Path) -> list[str]:
    """The English a text holds, leaving out the given paths, paths relative to them, the test
    books' names and what is ours."""
    for path in sorted(paths, key=lambda p: -len(str(p))):
        text = text.replace(str(path), "")
    text = re.sub(r"[\w.\[\]-]*/[\w./\[\]-]*", "", text)
    for book in TEST_BOOKS.iterdir():
        text = text.replace(book.name, "")
    text = OURS.sub("", text)
    return ENGLISH.findall(text) + [m for m in MARKS if m in text]


def tablegen(*args: str, cwd: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TMPDIR=str(cwd))
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "tablegen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def fake_soffice(folder: Path, body: str) -> str:
    """A PATH whose `soffice` runs `body` (Python) in place of LibreOffice."""
    folder.mkdir()
    script = folder / "soffice"
    script.write_text(f"#!{sys.executable}\nimport hashlib, os, socket, sys\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return f"{folder}:{os.environ['PATH']}"


def without(programs: tuple[str, ...], folder: Path) -> str:
    """A PATH with every program of the current one but the given ones (links to them in one
    folder of its own)."""
    folder.mkdir()
    for entry in os.environ["PATH"].split(os.pathsep):
        for exe in Path(entry).glob("*") if Path(entry).is_dir() else []:
            if exe.name not in programs and not (folder / exe.name).exists() and os.access(exe, os.X_OK):
                (folder / exe.name).symlink_to(exe)
    return str(folder)


# LibreOffice crashing as it did (exit status 134, abort), its socket left in /tmp, its English on
# stderr. The socket is where LibreOffice makes it, named for the profile it was given.
CRASH = """
url = next(a for a in sys.argv if a.startswith("-env:UserInstallation="))[22:]
name = "".join(f"{b:x}" for b in hashlib.md5(url.encode("utf-16-le")).digest())
pipe = f"/tmp/OSL_PIPE_{os.geteuid()}_SingleOfficeIPC_{name}"
socket.socket(socket.AF_UNIX).bind(pipe)
open(os.path.join(os.environ["PIPES"], "made"), "a").write(pipe + "\\n")
print("Application Error\\nFatal exception: Signal 6", file=sys.stderr)
sys.exit(134)
"""


def test_a_crashed_libreoffice_is_told_in_chinese_and_leaves_no_socket(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "html" / "merge", book)
    path = fake_soffice(tmp_path / "bin", CRASH)
    env = dict(os.environ, TMPDIR=str(tmp_path), PATH=path, PIPES=str(tmp_path))
    try:
        done = subprocess.run([sys.executable, "-m", "tablegen", "build", "book", "--format", "docx", "-q"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        made = (tmp_path / "made").read_text().split()
        assert done.returncode == 0, done.stderr
        assert done.stderr == ("DOCX 目录的页码无法测量：LibreOffice 崩溃了（退出码 134，SIGABRT 信号）；"
                               "目录中的页码是估计值（按每表一页估算），可能与真实页码不同，"
                               "下次生成时会重新测量\n")
        # The LibreOffice started as the build began crashed too: each left its socket, and
        # each socket went with its profile.
        assert len(made) == 2 and not any(os.path.lexists(pipe) for pipe in made)
    finally:
        for pipe in (tmp_path / "made").read_text().split() if (tmp_path / "made").exists() else []:
            Path(pipe).unlink(missing_ok=True)


def test_the_socket_of_a_libreoffice_is_where_libreoffice_puts_it(tmp_path):
    # A real LibreOffice killed while it works leaves its socket where office_pipes says; the next
    # run that makes a temp folder removes it with the killed run's profile.
    from conftest import need_program

    need_program("soffice")
    profile = tmp_path / "tablegen-lo-999999999-test"
    profile.mkdir()
    docx = DEFAULT_TEMPLATES / "docx" / "book.docx"
    proc = subprocess.Popen(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                             "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                            env=dict(os.environ, TMPDIR=str(profile)), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pipes = office_pipes(profile)
    try:
        for _ in range(600):
            if any(os.path.lexists(p) for p in pipes) or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert any(os.path.lexists(p) for p in pipes), "LibreOffice made no socket where expected"
        os.killpg(proc.pid, 9)
        proc.wait(timeout=60)
        assert any(os.path.lexists(p) for p in pipes)  # killed: LibreOffice did not remove it
        subprocess.run([sys.executable, "-c", "from tablegen import tempdirs; tempdirs.remove_orphans()"],
                       env=dict(os.environ, TMPDIR=str(tmp_path)), check=True)
        assert not any(os.path.lexists(p) for p in pipes) and not profile.exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
        for p in pipes:
            if os.path.lexists(p):
                p.unlink()


def broken_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body>")
    return path


@pytest.fixture
def repo(tmp_path) -> Path:
    """An agency's repository with two books, committed in git."""
    shutil.copytree(TEST_BOOKS, tmp_path / "repo" / "targets")
    for args in (["init", "-q", "-b", "main"], ["add", "."],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=tmp_path / "repo", check=True)
    return tmp_path / "repo"


FAILURES = {
    # name: (arguments, what the message says)
    "diff-outside-git": (("diff",), "当前文件夹不在 git 仓库中"),
    "diff-bad-revision": (("diff", "nosuchrev"), "找不到版本“nosuchrev”"),
    "diff-no-git": (("diff",), "找不到 git 命令"),
    "build-no-libreoffice": (("build", "--format", "docx", "-q"), "未安装 LibreOffice"),
    "build-libreoffice-no-pdf": (("build", "--format", "docx", "-q"), "LibreOffice 没有生成 PDF"),
    "build-out-is-a-file": (("build", "--out", "targets/binhai-ipa-2026/book.yaml"), "它不是文件夹"),
    "build-template-error": (("build", "--format", "html", "--templates", "tpl"), "没有名为“nope”的值"),
    "check-link-loop": (("check",), "符号链接形成了循环"),
    "import-broken-docx": (("import", "broken.docx", "--into", "targets/new"), "不是完整的 XML"),
    "import-missing-file": (("import", "nofile.docx", "--into", "targets/new"), "文件不存在"),
    "serve-port-taken": (("serve", "--port", "PORT"), "端口已被占用"),
    "serve-bad-port": (("serve", "--port", "99999"), "端口应为 0 至 65535 之间的整数"),
    "fmt-missing-path": (("fmt", "--check", "tagrets"), "路径不存在"),
    "new-empty-name": (("new", "binhai-ipa-2026", ""), "项目名称不能为空"),
    "rollover-no-book": (("rollover", "nobook", "--year", "2027"), "无法读取文件"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failing_command_speaks_chinese_only(repo, tmp_path, case):
    args, expected = FAILURES[case]
    path = None
    cwd = repo
    holder = None
    if case == "diff-outside-git":
        cwd = tmp_path / "elsewhere"
        cwd.mkdir()
    elif case == "diff-no-git":
        path = without(("git",), tmp_path / "bin")
    elif case == "build-no-libreoffice":
        path = without(("soffice", "libreoffice"), tmp_path / "bin")
    elif case == "build-libreoffice-no-pdf":
        path = fake_soffice(tmp_path / "bin", 'print("Error: source file could not be loaded")')
    elif case == "build-template-error":
        (repo / "tpl" / "html").mkdir(parents=True)
        (repo / "tpl" / "html" / "book.html.j2").write_text(
            '{% extends "default:book.html.j2" %}{% block style %}{{ nope }}{% endblock %}', encoding="utf-8")
    elif case == "check-link-loop":
        listed = next((repo / "targets" / "binhai-ipa-2026").glob("中央*.yaml"))
        listed.unlink()
        listed.symlink_to(listed.name)  # a link to itself: a loop
    elif case == "import-broken-docx":
        broken_docx(repo / "broken.docx")
    elif case == "serve-port-taken":
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        args = ("serve", "--port", str(holder.getsockname()[1]))
    try:
        done = tablegen(*args, cwd=cwd, path=path)
    finally:
        if holder is not None:
            holder.close()
    text = done.stdout + done.stderr
    assert expected in text, text
    assert english(text, repo, tmp_path) == [], text
    if case == "build-no-libreoffice":  # once per run, not once per book (there are two)
        assert text.count("未安装 LibreOffice") == 1, text


def test_the_english_finder_finds_what_libraries_say():
    # The test above cannot pass in silence: each of these is caught.
    for text in ("错误：git ls-tree 失败：fatal: Not a valid object name nosuchrev",
                 "LibreOffice 排版失败（Command '[soffice]' returned non-zero exit status 134.）",
                 "模板出错：'x' is undefined", "无法读取文件：Permission denied (os error)"):
        assert english(text) != [], text
    assert english("targets:1:1: error[path-missing]: 路径不存在；请运行 tablegen new example 项目名称") == []


def test_a_path_is_shown_relative_to_the_working_folder_each_walked_once(tmp_path, monkeypatch):
    """`display_path`: inside the working folder relative, a link kept as the link, outside
    as given; the folders are walked once per path and working folder (a build names the same
    files hundreds of times), and a new working folder is its own."""
    from tablegen.errors import display_path

    (tmp_path / "books" / "real").mkdir(parents=True)
    (tmp_path / "books" / "real" / "p.yaml").write_text("", encoding="utf-8")
    (tmp_path / "books" / "link").symlink_to(tmp_path / "books" / "real")
    (tmp_path / "books" / "real" / "q.yaml").symlink_to("p.yaml")
    monkeypatch.chdir(tmp_path)
    walks: list[Path] = []
    resolve = Path.resolve

    def counted(self, strict=False):
        walks.append(self)
        return resolve(self, strict)

    monkeypatch.setattr(Path, "resolve", counted)
    linked = tmp_path / "books" / "link" / "q.yaml"
    assert display_path(linked) == "books/real/q.yaml"  # the folder as it is, the file's own name
    first = len(walks)
    assert first > 0
    assert [display_path(linked) for _ in range(3)] == ["books/real/q.yaml"] * 3
    assert len(walks) == first
    assert display_path(Path("books/../books/real/p.yaml")) == "books/real/p.yaml"
    assert display_path(Path("/")) == "/"
    monkeypatch.chdir(tmp_path / "books")
    assert display_path(linked) == "real/q.yaml"
