"""Helpers for the hostile-input tests: a one-table book written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES

VALID = (FIXTURES / "rules" / "valid.yaml").read_text(encoding="utf-8")
BOOK = """title: 测试书
year: 2024
money_unit: 万元
agencies:
  - code: "610101"
    name: 测试单位
    projects:
      - p.yaml
"""


def make_book(folder: Path, project: str = VALID, book: str = BOOK) -> Path:
    """`folder/book.yaml` listing `p.yaml` with the given texts; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "book.yaml").write_text(book, encoding="utf-8")
    (folder / "p.yaml").write_text(project, encoding="utf-8")
    return folder


def tree(folder: Path) -> set[str]:
    """Every path under a folder, relative to it (to show nothing else was written), the build
    cache `.tablegen-cache/` aside."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if ".tablegen-cache" not in p.parts}
