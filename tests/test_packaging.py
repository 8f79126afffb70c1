"""tablegen as an installed tool: the wheel built from this checkout works outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, need_program
from tablegen.commands.init import SKELETON


def pip(*args: str, cwd: Path | None = None) -> None:
    subprocess.run([sys.executable, "-m", "pip", "-q", "--disable-pip-version-check", *args],
                   check=True, cwd=cwd)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout, built from a copy (setuptools writes build/ next to the source)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    pip("wheel", "--no-deps", "-w", str(dist), str(source))
    return next(dist.glob("tablegen-*.whl"))


def clean_env() -> dict[str, str]:
    """The environment without anything that would point Python back at this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_the_installed_wheel_builds_every_format_from_another_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip("--python", str(python), "install", "--no-deps", str(wheel))
    # The dependencies are this environment's (the init test installs them from the index):
    # its site-packages joins the new venv's path after the venv's own, as a plain folder, so
    # its editable link to src/ is not followed.
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "dependencies.pth").write_text(
        "\n".join(sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})) + "\n")
    work = tmp_path / "agency"
    shutil.copytree(FIXTURES / "html" / "merge", work / "targets" / "book")
    where = subprocess.run([python, "-c", "import tablegen; print(tablegen.__file__)"], cwd=work,
                           check=True, capture_output=True, text=True, env=clean_env()).stdout
    assert Path(where.strip()).is_relative_to(venv)
    done = subprocess.run([venv / "bin" / "tablegen", "build", "-q"], cwd=work, env=clean_env(),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    built = {p.relative_to(work / "build").as_posix() for p in (work / "build").rglob("*.*")}
    assert {"index.html", "book/index.html", "book/book.docx", "book/book.pdf",
            "book/book.xlsx"} <= built


AGENCY_FILES = [
    ".github/workflows/tablegen.yml", ".gitignore", ".pre-commit-config.yaml", "Makefile", "README.md",
    "targets/example/2025年信息化运维.yaml", "targets/example/book.yaml", "templates/README.md",
]


def make(target: str, repo: Path, wheel: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", target, f"TABLEGEN={wheel}", f"PYTHON={sys.executable}"], cwd=repo,
                          env=clean_env(), capture_output=True, text=True)


def test_init_makes_an_agency_repo_whose_make_docs_and_make_test_pass(wheel, tmp_path, run):
    need_program("make")
    code, _, err = run("init", "agency", cwd=tmp_path)
    assert code == 0 and "已建立表格仓库 agency" in err
    repo = tmp_path / "agency"
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()) == AGENCY_FILES
    text = "".join((repo / f).read_text(encoding="utf-8") for f in AGENCY_FILES)
    assert str(ROOT) not in text and "src/" not in text and "tests/" not in text
    assert "TABLEGEN ?= tablegen==" + tablegen_version() in text
    # A clean machine: the Makefile sets up .venv with the wheel of this checkout and its dependencies.
    for target in ("docs", "test"):
        done = make(target, repo, wheel)
        assert done.returncode == 0, done.stdout + done.stderr
    built = {p.relative_to(repo / "build").as_posix() for p in (repo / "build").rglob("*.*")}
    assert {"index.html", "example/example.docx", "example/example.pdf", "example/example.xlsx",
            "schema/project.schema.json"} <= built
    assert (repo / ".venv" / ".tablegen-requirement").read_text() == f"{wheel}\n"
    # make test guards the data: a warning fails it (strict), and says where.
    book = repo / "targets" / "example"
    shutil.copy(book / "2025年信息化运维.yaml", book / "旧.yaml")
    done = make("test", repo, wheel)
    assert done.returncode != 0
    assert "targets/example/旧.yaml:1:1: error[unlisted-file]" in done.stdout


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


def tablegen_version() -> str:
    import tablegen

    return tablegen.__version__
