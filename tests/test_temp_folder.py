"""No build leaves anything in the temp folder: a full one, a failed one, an interrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import need_program
from spawn import import_seed_books, tablegen
from tablegen.templates import DEFAULT_TEMPLATES


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    return import_seed_books(tmp_path_factory.mktemp("books"))


def own_font_templates(root: Path) -> Path:
    """A template folder whose CSS adds a font of its own: WeasyPrint copies such a font into
    a temp folder for its layouts (tablegen's fallback font it registers where it lies)."""
    from tablegen.load.glyphs import fallback_font

    css = root / "tpl" / "html" / "style.css"
    css.parent.mkdir(parents=True)
    font = fallback_font()
    assert font is not None
    css.write_text((DEFAULT_TEMPLATES / "html" / "style.css").read_text(encoding="utf-8")
                   + f'\n@font-face {{ font-family: "模板字体"; src: url("{font.as_uri()}"); }}\n',
                   encoding="utf-8")
    return root / "tpl"


def test_a_full_build_of_both_seed_books_leaves_nothing(books, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = tablegen("build", str(books), "--out", str(tmp_path / "out"), "-q",
                    cwd=tmp_path, tmp=tmp)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert (tmp_path / "out" / "tianjin-ipa-2024" / "天津市知识产权局2024年项目支出绩效目标表.pdf").is_file()
    assert sorted(tmp.iterdir()) == []


def test_a_build_failing_after_the_layout_leaves_nothing(books, tmp_path):
    # The PDF body is laid out (fonts copied out), then the 目录 part's template fails.
    book = (DEFAULT_TEMPLATES / "targets" / "book.html.j2").read_text(encoding="utf-8")
    broken = tmp_path / "tpl" / "html" / "book.html.j2"
    broken.parent.mkdir(parents=True)
    broken.write_text(book.replace(
        "{% block meta %}", '{% block meta %}{% if mode == "pdf-front" %}{{ no_such_value }}{% endif %}'),
        encoding="utf-8")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = tablegen("build", str(books / "binhai-ipa-2026"), "--out", str(tmp_path / "out"), "-q",
                    "--format", "pdf", "--templates", str(tmp_path / "tpl"), cwd=tmp_path, tmp=tmp)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err.decode()
    assert "no_such_value" in err.decode()
    assert sorted(tmp.iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_an_output_that_is_a_file_is_refused_before_anything_is_rendered(books, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    out.write_text("a file, not a folder")
    proc = tablegen("build", str(books / "binhai-ipa-2026"), "--out", str(out), "-q",
                    "--format", "pdf,docx", cwd=tmp_path, tmp=tmp)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err.decode()
    assert err.decode() == f"错误：无法写入 {out}：它不是文件夹。之前的输出保持不变。\n"
    assert out.read_text() == "a file, not a folder"
    assert sorted(tmp.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_build_leaves_nothing(books, tmp_path, signum):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = tablegen("build", str(books), "--out", str(tmp_path / "out"), "-q", "--format", "pdf",
                    "--templates", str(own_font_templates(tmp_path)), cwd=tmp_path, tmp=tmp)
    # Ctrl-C (or `kill`) reaches the whole process group (the CLI and its layout workers) while WeasyPrint
    # has the template's font copied out.
    deadline = time.monotonic() + 60
    while not any(tmp.iterdir()) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the build ended before it could be interrupted"
    os.killpg(proc.pid, signum)
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert sorted(tmp.iterdir()) == []


def test_loading_weasyprint_runs_no_compiler(tmp_path):
    # ctypes.util.find_library compiles a probe with gcc for each of the library names WeasyPrint
    # tries (15 runs per import, in every layout worker); a Ctrl-C meanwhile left gcc's cc* files.
    spy = tmp_path / "bin"
    spy.mkdir()
    for name in ("gcc", "cc"):
        (spy / name).write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/{name}.log\nexit 1\n')
        (spy / name).chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, PATH=f"{spy}:{os.environ['PATH']}", TMPDIR=str(tmp))
    subprocess.run([sys.executable, "-c", "import tablegen.render.pdf, tablegen.cli\n"
                    "from tablegen.render.fonts import libraries\n"
                    "assert libraries() == {'fontconfig': True, 'pango': True}"],
                   env=env, check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "tmp"]
    assert sorted(tmp.iterdir()) == []


def test_loading_weasyprint_reads_the_linker_cache_once():
    # Without gcc, ctypes ran `ldconfig -p` and `ld` for each name WeasyPrint tries: 25
    # programs, a quarter of a second of each PDF worker's start.
    code = ("import subprocess\n"
            "ran = []\n"
            "popen = subprocess.Popen.__init__\n"
            "def spy(self, args, *a, **k):\n"
            "    ran.append(args)\n"
            "    popen(self, args, *a, **k)\n"
            "subprocess.Popen.__init__ = spy\n"
            "import tablegen.render.pdf_layout\n"
            "from tablegen.render.fonts import libraries\n"
            "assert libraries() == {'fontconfig': True, 'pango': True}\n"
            "print(ran)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[['/sbin/ldconfig', '-p']]"


def test_a_build_with_toc_pages_leaves_nothing(books, tmp_path):
    need_program("soffice")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = tablegen("build", str(books / "binhai-ipa-2026"), "--out", str(tmp_path / "out"), "-q",
                    "--format", "docx", "--toc-pages", cwd=tmp_path, tmp=tmp)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert sorted(tmp.iterdir()) == []


def kill_once_made(args: tuple[str, ...], cwd: Path, tmp: Path, prefix: str,
                   settle: float = 0.0) -> list[str]:
    """Run the command; SIGKILL it `settle` seconds after it made a folder named `prefix…` in
    the temp folder (no finally runs); what it left there."""
    proc = tablegen(*args, cwd=cwd, tmp=tmp)
    deadline = time.monotonic() + 120
    while (not any(p.name.startswith(prefix) for p in tmp.iterdir())
           and time.monotonic() < deadline and proc.poll() is None):
        time.sleep(0.01)
    time.sleep(settle)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    return sorted(p.name for p in tmp.iterdir())


def the_next_run_leaves_nothing(args: tuple[str, ...], cwd: Path, tmp: Path) -> None:
    proc = tablegen(*args, cwd=cwd, tmp=tmp)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert sorted(tmp.iterdir()) == []


def test_what_a_killed_build_left_in_the_temp_folder_goes_with_the_next_build(books, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    args = ("build", str(books / "binhai-ipa-2026"), "--out", str(tmp_path / "out"), "-q",
            "--format", "pdf", "--templates", str(own_font_templates(tmp_path)))
    left = kill_once_made(args, tmp_path, tmp, "tablegen-fonts-")  # the font folders stay
    assert [n for n in left if not n.startswith("tablegen-fonts-")] == []
    the_next_run_leaves_nothing(args, tmp_path, tmp)


def test_what_a_build_killed_in_libreoffice_left_goes_with_the_next_build(books, tmp_path):
    need_program("soffice")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    args = ("build", str(books / "binhai-ipa-2026"), "--out", str(tmp_path / "out"), "-q",
            "--format", "docx")
    left = kill_once_made(args, tmp_path, tmp, "tablegen-lo-", settle=1)  # LibreOffice at work
    assert [n for n in left if n.startswith("tablegen-lo-")], left  # killed: no finally ran
    assert [n for n in left if not n.startswith("tablegen-")] == []  # LibreOffice's files inside
    the_next_run_leaves_nothing(args, tmp_path, tmp)


def test_a_libreoffice_left_running_by_a_killed_run_is_stopped_with_its_folder(tmp_path, monkeypatch):
    """A run killed outright (kill -9 of tablegen alone) leaves LibreOffice running on its
    profile: the next run that cleans the temp folder stops it with the folder."""
    import tempfile

    from tablegen import tempdirs

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    profile = tmp_path / f"tablegen-lo-{gone.stdout.strip()}-left"
    profile.mkdir()
    office = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)",
                               f"-env:UserInstallation={tempdirs.profile_url(profile)}"])
    try:
        deadline = time.monotonic() + 10  # until the child has exec'd with those arguments
        while not tempdirs.office_processes(profile) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert tempdirs.office_processes(profile) == [office.pid]
        tempdirs.remove_orphans()
        assert office.wait(timeout=10) == -9
        assert not profile.exists()
    finally:
        office.kill()
        office.wait()
