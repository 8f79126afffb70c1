"""tablegen as an installed tool: the wheel built from this checkout works outside the repository."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

import tablegen
from conftest import FIXTURES, ROOT, need_program
from tablegen.commands.init import SKELETON
from tablegen.commands.own_wheel import pack


def pip(*args: str, cwd: Path | None = None) -> None:
    subprocess.run([sys.executable, "-m", "pip", "-q", "--disable-pip-version-check", *args],
                   check=True, cwd=cwd)


@pytest.fixture(scope="session")
def source_and_wheel(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of this checkout and its wheel, built from the copy with `pip wheel` (setuptools
    writes its working folder next to the source)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "setup.cfg", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    pip("wheel", "--no-deps", "-w", str(dist), str(source))
    return source, next(dist.glob("tablegen_jixiao-*.whl"))


@pytest.fixture(scope="session")
def wheel(source_and_wheel) -> Path:
    return source_and_wheel[1]


def test_pip_wheel_leaves_tablegens_build_folder_alone(source_and_wheel):
    # setuptools works in .setuptools-build/ (setup.cfg), never in build/, tablegen's output.
    source, wheel = source_and_wheel
    assert {p.name.split(".")[0] for p in (source / ".setuptools-build").iterdir()} == {"bdist", "lib"}
    assert not (source / "build").exists()
    assert wheel.name == f"tablegen_jixiao-{tablegen.__version__}-py3-none-any.whl"


def clean_env() -> dict[str, str]:
    """The environment without anything that would point Python back at this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def venv_with(wheel: Path, folder: Path) -> Path:
    """A venv with the wheel installed; its dependencies are this environment's (the init test
    installs them from the index): this site-packages joins the venv's path after the venv's
    own, as a plain folder, so its editable link to src/ is not followed."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    pip("--python", str(python), "install", "--no-deps", str(wheel))
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "dependencies.pth").write_text(
        "\n".join(sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})) + "\n")
    return folder


@pytest.fixture(scope="session")
def installed(wheel, tmp_path_factory) -> Path:
    """A venv where the wheel is installed as a user installs it (not editable)."""
    return venv_with(wheel, tmp_path_factory.mktemp("installed") / "venv")


def test_the_installed_wheel_builds_every_format_from_another_folder(installed, tmp_path):
    work = tmp_path / "agency"
    shutil.copytree(FIXTURES / "html" / "merge", work / "targets" / "book")
    where = subprocess.run([installed / "bin" / "python", "-c", "import tablegen; print(tablegen.__file__)"],
                           cwd=work, check=True, capture_output=True, text=True, env=clean_env()).stdout
    assert Path(where.strip()).is_relative_to(installed)
    done = subprocess.run([installed / "bin" / "tablegen", "build", "-q"], cwd=work, env=clean_env(),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    built = {p.relative_to(work / "build").as_posix() for p in (work / "build").rglob("*.*")}
    assert {"index.html", "book/index.html", "book/合并测试.docx", "book/合并测试.pdf",
            "book/合并测试.xlsx"} <= built


WHEEL_NAME = f"tablegen_jixiao-{tablegen.__version__}-py3-none-any.whl"
AGENCY_FILES = [
    ".github/workflows/tablegen.yml", ".gitignore", ".pre-commit-config.yaml", "Makefile", "README.md",
    "review.yaml",
    "targets/example/2025年信息化运维.yaml", "targets/example/book.yaml", "templates/README.md",
    "tools/SHA256SUMS", "tools/install.py", f"tools/{WHEEL_NAME}",
]


def make(*args: str, repo: Path) -> subprocess.CompletedProcess[str]:
    """`make` as a user runs it: no variable set on the command line but the ones given."""
    return subprocess.run(["make", *args], cwd=repo, env=clean_env(), capture_output=True, text=True)


def wheel_files(path: Path) -> dict[str, bytes]:
    """A wheel's files but the two its maker writes (RECORD, WHEEL)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.rsplit("/", 1)[-1] not in ("RECORD", "WHEEL")}


def distributions(repo: Path) -> dict[str, list[str]]:
    """In the repository's .venv: which distributions provide the import package `tablegen`,
    and whether one called `tablegen` (the public index's project of that name) is there."""
    code = ("import importlib.metadata as m, json\n"
            "names = {d.metadata['Name'].lower() for d in m.distributions()}\n"
            "print(json.dumps({'tablegen': m.packages_distributions().get('tablegen', []),"
            " 'named tablegen': sorted(n for n in names if n == 'tablegen')}))")
    out = subprocess.run([repo / ".venv" / "bin" / "python", "-c", code], check=True, capture_output=True,
                         text=True, env=clean_env()).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def test_init_makes_an_agency_repo_whose_make_docs_and_make_test_pass(wheel, installed, tmp_path):
    need_program("make")
    # `tablegen init` of the installed wheel, in a fresh folder: it carries its own wheel.
    done = subprocess.run([installed / "bin" / "tablegen", "init", "agency"], cwd=tmp_path,
                          env=clean_env(), capture_output=True, text=True)
    assert done.returncode == 0 and "已建立表格仓库 agency" in done.stderr, done.stderr
    repo = tmp_path / "agency"
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()) == AGENCY_FILES
    carried = repo / "tools" / WHEEL_NAME
    assert wheel_files(carried) == wheel_files(wheel)  # the files setuptools put in the wheel
    assert (repo / "tools" / "SHA256SUMS").read_text() == f"{sha256(carried)}  {WHEEL_NAME}\n"
    text = "".join((repo / f).read_text(encoding="utf-8") for f in AGENCY_FILES if not f.endswith(".whl"))
    assert str(ROOT) not in text and "src/" not in text and "tests/" not in text
    # Nothing asks an index for tablegen by name: that name is another project there.
    assert "TABLEGEN" not in text and re.findall(r"pip install[^\n]*tablegen(?!_jixiao)", text) == []
    # The pull-request workflow installs LibreOffice (the DOCX 目录's true page numbers), then
    # tablegen as make does, from tools/.
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "tablegen.yml").read_text(encoding="utf-8"))
    runs = [s.get("run", "") for s in workflow["jobs"]["tables"]["steps"]]
    apt = next(r for r in runs if "apt-get install" in r)
    assert {"libreoffice-writer-nogui", "fonts-liberation"} <= set(apt.split())
    assert runs.index(apt) < runs.index("make setup") < runs.index(".venv/bin/tablegen build -q")
    # A clean machine, twice: the first `make docs` sets up .venv from tools/ (dependencies from
    # the index); the rest find it ready and install nothing.
    for turn in (1, 2):
        for target in ("docs", "test"):
            done = make(target, repo=repo)
            assert done.returncode == 0, done.stdout + done.stderr
            assert ("安装" in done.stderr) == ((turn, target) == (1, "docs")), done.stderr
        if turn == 1:
            env = (repo / ".venv").resolve()
    assert (repo / ".venv").resolve() == env
    assert (env / "tablegen.sha256").read_text() == sha256(carried) + "\n"
    assert distributions(repo) == {"tablegen": ["tablegen-jixiao"], "named tablegen": []}
    built = {p.relative_to(repo / "build").as_posix() for p in (repo / "build").rglob("*.*")}
    title = "示例单位2025年项目支出绩效目标表"  # the files are named after the book's title
    assert {"index.html", f"example/{title}.docx", f"example/{title}.pdf", f"example/{title}.xlsx",
            "schema/project.schema.json"} <= built
    # make test guards the data: a warning fails it (strict), and says where.
    book = repo / "targets" / "example"
    shutil.copy(book / "2025年信息化运维.yaml", book / "旧.yaml")
    done = make("test", repo=repo)
    assert done.returncode != 0
    assert "targets/example/旧.yaml:1:1: error[unlisted-file]" in done.stdout
    (book / "旧.yaml").unlink()
    upgrade_keeps_the_working_venv_on_failure(repo, carried, tmp_path)
    upgrade_replaces_the_wheel(repo, carried, tmp_path)


def upgrade_keeps_the_working_venv_on_failure(repo: Path, carried: Path, tmp_path: Path) -> None:
    env = (repo / ".venv").resolve()
    tools = {p.name: p.read_bytes() for p in (repo / "tools").iterdir()}
    # A wheel pip refuses (it needs a Python that does not exist): nothing changes.
    bad = tmp_path / "tablegen_jixiao-9.0.0-py3-none-any.whl"
    bad.write_bytes(variant(carried, "9.0.0", requires_python=">=99"))
    done = make("upgrade", f"WHEEL={bad}", repo=repo)
    assert done.returncode != 0
    assert "requires a different Python" in done.stderr  # pip's own reason, then ours
    assert "\n错误：用 pip 安装 tablegen 及其依赖失败（见上面的输出）；.venv 未改动\n" in done.stderr
    assert (repo / ".venv").resolve() == env and sorted(p.name for p in (repo / ".venvs").iterdir()) == \
        [".lock", env.name]
    assert {p.name: p.read_bytes() for p in (repo / "tools").iterdir()} == tools
    # A damaged wheel in tools/ is refused before anything is installed, naming the way back.
    (repo / "tools" / WHEEL_NAME).write_bytes(tools[WHEEL_NAME][:-1] + b"x")
    done = make("test", repo=repo)
    assert done.returncode != 0
    assert f"错误：tools/{WHEEL_NAME} 的 SHA-256 与 tools/SHA256SUMS 不符" in done.stderr
    (repo / "tools" / WHEEL_NAME).write_bytes(tools[WHEEL_NAME])
    assert make("test", repo=repo).returncode == 0


def upgrade_replaces_the_wheel(repo: Path, carried: Path, tmp_path: Path) -> None:
    new = tmp_path / "tablegen_jixiao-0.1.1-py3-none-any.whl"
    new.write_bytes(variant(carried, "0.1.1"))
    done = make("upgrade", f"WHEEL={new}", repo=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已升级到 tablegen 0.1.1" in done.stderr
    assert sorted(p.name for p in (repo / "tools").iterdir()) == ["SHA256SUMS", "install.py", new.name]
    assert (repo / "tools" / "SHA256SUMS").read_text() == f"{sha256(new)}  {new.name}\n"
    env = (repo / ".venv").resolve()
    assert sorted(p.name for p in (repo / ".venvs").iterdir()) == [".lock", env.name]
    done = make("test", repo=repo)
    assert done.returncode == 0 and "安装" not in done.stderr, done.stderr
    version = subprocess.run([repo / ".venv" / "bin" / "python", "-c",
                              "import importlib.metadata as m; print(m.version('tablegen-jixiao'))"],
                             capture_output=True, text=True, env=clean_env()).stdout
    assert version == "0.1.1\n"


def variant(path: Path, version: str, requires_python: str | None = None) -> bytes:
    """The wheel as another version (its METADATA and .dist-info folder renamed)."""
    old = f"tablegen_jixiao-{tablegen.__version__}.dist-info/"
    files = {}
    with zipfile.ZipFile(path) as z:
        every = {n: z.read(n) for n in z.namelist() if not n.endswith("/RECORD")}
    for name, data in every.items():
        if name == old + "METADATA":
            data = data.replace(f"Version: {tablegen.__version__}\n".encode(),
                                f"Version: {version}\n".encode(), 1)
            if requires_python:
                data = re.sub(rb"Requires-Python: [^\n]*", f"Requires-Python: {requires_python}".encode(),
                              data)
        files[name.replace(old, f"tablegen_jixiao-{version}.dist-info/")] = data
    return pack(files, f"tablegen_jixiao-{version}.dist-info/RECORD")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_changed_installed_file_gives_no_wheel(wheel, tmp_path):
    venv = venv_with(wheel, tmp_path / "venv")
    site = next((venv / "lib").glob("python*/site-packages"))
    frames = site / "tablegen" / "model" / "frames.yaml"
    frames.write_text(frames.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    done = subprocess.run([venv / "bin" / "tablegen", "init", "agency"], cwd=tmp_path, env=clean_env(),
                          capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == ("错误：安装的 tablegen 文件 tablegen/model/frames.yaml 在安装后被改动过，"
                           "无法由它生成 wheel；请重新安装 tablegen 后再运行\n")
    assert not (tmp_path / "agency").exists()


def test_init_from_a_checkout_carries_the_package_folder_as_a_wheel(tmp_path, run):
    code, _, _ = run("init", "agency", cwd=tmp_path)
    assert code == 0
    with zipfile.ZipFile(tmp_path / "agency" / "tools" / WHEEL_NAME) as z:
        names = z.namelist()
        record = z.read(names[-1]).decode()
    package = ROOT / "src" / "tablegen"
    expected = sorted(f"tablegen/{p.relative_to(package).as_posix()}" for p in package.rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith("."))
    info = f"tablegen_jixiao-{tablegen.__version__}.dist-info/"
    assert names == [*expected, *(info + n for n in ("METADATA", "WHEEL", "entry_points.txt",
                                                     "top_level.txt", "RECORD"))]
    assert record.splitlines()[-1] == info + "RECORD,,"
    # Made twice, the wheel is the same bytes: every init of one installation pins one hash.
    again = tmp_path / "again"
    assert run("init", str(again), cwd=tmp_path)[0] == 0
    first = tmp_path / "agency" / "tools" / WHEEL_NAME
    assert (again / "tools" / WHEEL_NAME).read_bytes() == first.read_bytes()


def test_init_writes_nothing_over_existing_files(tmp_path, run):
    (tmp_path / "Makefile").write_text("all:\n", encoding="utf-8")
    code, _, err = run("init", cwd=tmp_path)
    assert code == 2
    assert err.startswith("错误：. 中已有这些文件，未写入任何文件：Makefile")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Makefile"]


def test_the_example_book_is_clean_and_formatted(run, tmp_path):
    shutil.copytree(SKELETON / "targets", tmp_path / "targets")
    assert run("check", "--strict", cwd=tmp_path)[:2] == (0, "")
    assert run("fmt", "--check", cwd=tmp_path)[:2] == (0, "")
