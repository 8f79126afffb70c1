"""Shared fixtures: the repo's paths, the seed dumps, and helpers to run the CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tablegen.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEST_BOOKS = Path(__file__).parent / "books"  # copies of the seed books: tests never read targets/
SEEDS = Path(__file__).parent / "seeds"  # copies of ../shared/seeds: the ground truth
FIXTURES = Path(__file__).parent / "fixtures"
SEED_BOOKS = {
    "tianjin-ipa-2024": SEEDS / "000_365330cedff786a2.txt",
    "binhai-ipa-2026": SEEDS / "001_97bf46446f87ec4d.txt",
}
IN_CI = os.environ.get("CI") == "true"


def need_program(name: str) -> str:
    """The path of an outside program; skip without it, but fail in CI, where it must exist."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (.ci/system-packages installs it)")
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture
def run(capsys, monkeypatch):
    """Run the CLI in a folder; returns (exit code, stdout, stderr)."""

    def _run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def book_file(out: Path, key: str, suffix: str, source: Path | None = None) -> Path:
    """The book's own output file of a format, under `out/<key>/`, named after its title (the
    book in `source`, by default the test book of that key)."""
    from tablegen.load.books import load_book_strict
    from tablegen.model.book import safe_stem

    title = load_book_strict(source or TEST_BOOKS / key).title
    return out / key / f"{safe_stem(title)}.{suffix}"
