"""The seed books (tests/books/, copies of targets/) reproduce every cell of the two official source dumps."""

from __future__ import annotations

import pytest

from conftest import SEED_BOOKS, TEST_BOOKS
from dumps import normal
from tablegen.imports.read_dump import parse_dump
from tablegen.kinds.targets import table_rows
from tablegen.load.books import load_book_strict


@pytest.mark.parametrize("key", sorted(SEED_BOOKS))
def test_every_cell_of_every_seed_table_is_in_the_seed_books(key):
    sections = parse_dump(SEED_BOOKS[key].read_text(encoding="utf-8"))
    book = load_book_strict(TEST_BOOKS / key)
    built = list(book.numbered())
    assert len(built) == len(sections)
    for (number, agency, project), section in zip(built, sections, strict=True):
        expected = normal(section.rows)
        got = normal(table_rows(book, number, agency, project))
        # Damage mended on import (`天津市志？知识产权局志`) is the one allowed difference.
        expected = [[c.replace("天津市志？知识产权局志", "天津市志-知识产权局志") for c in r]
                    for r in expected]
        assert got == expected, f"table {number}"
        if section.heading.strip():
            assert section.heading == book.heading(number, project)


def test_seed_books_have_the_expected_shape():
    b24 = load_book_strict(TEST_BOOKS / "tianjin-ipa-2024")
    b26 = load_book_strict(TEST_BOOKS / "binhai-ipa-2026")
    assert [(a.code, a.name, len(a.projects)) for a in b24.agencies] == [
        ("610101", "天津市知识产权局", 6), ("610203", "天津市知识产权保护中心", 4)]
    assert [(a.code, a.name, len(a.projects)) for a in b26.agencies] == [
        ("610101", "天津市滨海新区知识产权局", 3)]
    assert (b24.year, b24.money_unit, b24.merge) == (2024, "万元", "level1")
    assert (b26.year, b26.money_unit, b26.merge) == (2026, "元", "level1")
    assert str(b26.projects[0].budget.total) == "1020000.00"
    assert b24.projects[8].budget.fiscal is None
    assert str(b24.projects[8].budget.other) == "100.00"
