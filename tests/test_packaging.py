"""tablegen as an installed tool: the wheel built from this checkout works outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT


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
