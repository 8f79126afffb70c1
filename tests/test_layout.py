"""The shared table layout: file numbers, column widths, the cover title's lines."""

from __future__ import annotations

from decimal import Decimal

from tablegen.layout import file_number, project_path
from tablegen.model import Agency, Book, Budget, Project


def _book(count: int) -> Book:
    projects = [Project(f"项目{i}", Budget(Decimal(1)), "用途", ["目标"], [], file=f"p{i}.yaml")
                for i in range(1, count + 1)]
    return Book("b", "书", 2026, agencies=[Agency("1", "甲", projects[:5]), Agency("2", "乙", projects[5:])])


def test_file_numbers_are_padded_to_the_width_of_the_table_count():
    assert [file_number(_book(9), n) for n in (1, 9)] == ["01", "09"]
    assert [file_number(_book(99), n) for n in (1, 99)] == ["01", "99"]
    big = _book(120)
    assert [file_number(big, n) for n in (1, 99, 100, 120)] == ["001", "099", "100", "120"]
    names = [project_path(big, n, p, "pdf") for n, _, p in big.numbered()]
    assert names[98:100] == ["b/projects/099-p99.pdf", "b/projects/100-p100.pdf"]
    assert names == sorted(names)
