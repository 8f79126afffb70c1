"""The suite tests tablegen, not the books in targets/: it passes whatever books a repository keeps."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from tablegen.commands.init import SKELETON

NESTED = "TABLEGEN_NESTED_SUITE"
# The inner run: the modules that run commands in the repository's folder, read the seed books or
# build them (the renderer-only, timing and install tests build in folders of their own and are
# left out to keep the suite fast).
INNER = ["test_build.py", "test_broken_files.py", "test_check.py", "test_cli.py", "test_diff.py",
         "test_fmt.py", "test_html.py", "test_import_docx.py", "test_import_dump.py", "test_new.py",
         "test_schema.py", "test_seeds.py", "test_workflow.py"]
_ANYWHERE = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", ".setuptools-build",
                                   ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis")


def NOT_COPIED(folder: str, names: list[str]) -> set[str]:
    """What the copy leaves out: caches anywhere; the repository's own targets/, build/ and
    dist/ (a fixture's templates/targets/ is copied)."""
    root = {"build", "targets", "dist"} if Path(folder) == ROOT else set()
    return set(_ANYWHERE(folder, names)) | (root & set(names))


def agency_book(folder: Path, n: int) -> Path:
    """A book of n tables of the agency's own, made from `tablegen init`'s example project."""
    example = SKELETON / "targets" / "example"
    project = (example / "2025年信息化运维.yaml").read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    names = [f"2025年信息化运维{i:03d}" for i in range(1, n + 1)]
    for name in names:
        (folder / f"{name}.yaml").write_text(
            project.replace("name: 2025年信息化运维\n", f"name: {name}\n"), encoding="utf-8")
    book = (example / "book.yaml").read_text(encoding="utf-8")
    (folder / "book.yaml").write_text(
        book.replace("      - 2025年信息化运维.yaml\n", "".join(f"      - {n}.yaml\n" for n in names)),
        encoding="utf-8")
    return folder


@pytest.mark.skipif(os.environ.get(NESTED) == "1", reason="already inside the copy")
def test_the_suite_passes_in_a_copy_whose_targets_hold_only_an_agencys_own_book(tmp_path, run):
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    agency_book(copy / "targets" / "agency-2025", 200)
    code, out, err = run("check", "--strict", "targets", cwd=copy)
    assert (code, out, err.strip()) == (0, "", "0 个错误，0 个警告")
    inner = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
         *(f"tests/{name}" for name in INNER)],
        cwd=copy, env={**os.environ, NESTED: "1"}, capture_output=True, text=True)
    assert inner.returncode == 0, inner.stdout[-3000:] + inner.stderr[-2000:]
    assert " passed" in inner.stdout.splitlines()[-1]
