"""`Document.table_key`: the engines keep what they made of a table (its DOCX block, its laid-out
PDF pages, its sheet) under this key, so it must change whenever anything they make of the table
changes, for every kind; and it must stay the same from run to run (no memory addresses), or
nothing would ever be found again.

Each test edits one project of a book that has every kind and compares, table by table, what
the engines make of the tables whose key did not change: it must be the same, to the byte.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, TEST_BOOKS
from tablegen.build import documents
from tablegen.document import Document, Group, Sheet
from tablegen.load.books import load_book_strict
from tablegen.render import html as html_engine
from tablegen.render.docx import table_context
from tablegen.templates import chain_for
from test_overall import overall_book

EDITED = "2024年局机关信息化运维.yaml"


def monitored(root: Path) -> Path:
    folder = Path(shutil.copytree(TEST_BOOKS / "tianjin-ipa-2024", root / "monitored"))
    for f in (FIXTURES / "monitoring").glob("*.yaml"):
        shutil.copy(f, folder / f.name)
    return folder


BOOKS = {"overall": lambda root: overall_book(root, key="overall"), "monitoring": monitored}


def edit(folder: Path) -> None:
    """A text and a figure of one project changed."""
    path = folder / EDITED
    text = path.read_text(encoding="utf-8")
    changed = text.replace("usage: 用于局机关信息化", "usage: 用于机关信息化", 1)
    changed = re.sub(r"(value: ≥)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", changed,
                     count=1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def docs(folder: Path) -> dict[str, Document]:
    book = load_book_strict(folder)
    book.key = folder.name
    return {d.kind: d for d in documents(book)}


def sheet_dump(sheet: Sheet) -> list[Any]:
    """Everything a sheet holds, its functions called on its own rows."""
    out: list[Any] = [sheet.title, sheet.widths, sheet.cells, sheet.boxes, sheet.grid_box_from,
                      sheet.after_box, sheet.print_titles, sheet.orientation, sheet.margins_mm]
    if sheet.grid is not None:
        g = sheet.grid
        out += [g.first, g.header, [g.place(g.first + i, r) for i, r in enumerate(g.rows)]]
    if sheet.after is not None:
        out.append(sheet.after(100))
    if sheet.span_px is not None:
        out.append([sheet.span_px(1, k) for k in range(1, len(sheet.widths) + 1)])
    return out


def products(doc: Document, group: Group, table: Any) -> list[Any]:
    """What each engine makes of one table: its HTML alone, its DOCX block's context, its sheet."""
    env = html_engine.environment(doc, chain_for(None, None))
    made: list[Any] = [html_engine.page(doc, env, "pdf-body", [Group(group.label, [table])])]
    context = table_context(doc, table)
    made.append({k: v for k, v in context.items() if k != "docx_cell"})
    try:
        made.append(sheet_dump(doc.sheet(table)))
    except NotImplementedError:
        pass
    return made


def tables(doc: Document) -> list[tuple[Group, Any]]:
    return [(g, t) for g in doc.groups for t in g.tables]


@pytest.mark.parametrize("name", BOOKS)
def test_what_a_table_is_made_of_changes_only_with_its_key(name, tmp_path):
    before = docs(BOOKS[name](tmp_path / "before"))
    folder = BOOKS[name](tmp_path / "after")
    edit(folder)
    after = docs(folder)
    assert before.keys() == after.keys()
    changed_kinds = 0
    for kind, doc in before.items():
        pairs = list(zip(tables(doc), tables(after[kind]), strict=True))
        same = [doc.table_key(a) == after[kind].table_key(b) for (_, a), (_, b) in pairs]
        for ((ga, a), (gb, b)), kept in zip(pairs, same, strict=True):
            if kept:
                assert products(doc, ga, a) == products(after[kind], gb, b), (kind, a.heading)
        # The edited project's table changed, and its key with it; the others kept theirs.
        edited = [not kept for kept in same]
        if any(edited):
            changed_kinds += 1
            assert edited.count(True) == 1, kind
            (_, a), (_, b) = pairs[edited.index(True)]
            assert products(doc, *tables(doc)[edited.index(True)]) != products(
                after[kind], *tables(after[kind])[edited.index(True)]), kind
    # targets and 自评 (overall) or 监控 (monitoring) have a table of the edited project
    assert changed_kinds >= 2


@pytest.mark.parametrize("name", BOOKS)
def test_a_tables_key_is_the_same_in_every_run(name, tmp_path):
    first = docs(BOOKS[name](tmp_path / "one"))
    second = docs(BOOKS[name](tmp_path / "two"))
    for kind, doc in first.items():
        for (_, a), (_, b) in zip(tables(doc), tables(second[kind]), strict=True):
            assert " at 0x" not in repr(a), (kind, a.heading)  # no object's address in it
            assert doc.table_key(a) == second[kind].table_key(b)
    assert {"targets", "selfeval", "overall", "overall_eval"} <= first.keys() or (
        "monitoring" in first)


def test_a_template_that_reads_the_whole_document_turns_the_content_key_off(tmp_path):
    """A table's PDF pages are kept under its content only while no template reads `doc` (which
    could print another table's data in this one); then they are kept under their own HTML."""
    from tablegen.cache import Cache
    from tablegen.render.context import RenderContext
    from tablegen.render.pdf import PdfRenderer

    assert not html_engine.reads_document(chain_for(None, None).jinja("targets", "html"))
    user = tmp_path / "tpl" / "targets"
    user.mkdir(parents=True)
    (user / "macros.html.j2").write_text(
        '{% extends "default:macros.html.j2" %}{# {{ doc.title }} #}', encoding="utf-8")
    assert not html_engine.reads_document(chain_for(None, tmp_path / "tpl").jinja("targets", "html"))
    (user / "macros.html.j2").unlink()
    (user / "book.html.j2").write_text(
        '{% extends "default:book.html.j2" %}'
        '{% block body %}{{ doc.tables | length }}{{ super() }}{% endblock %}', encoding="utf-8")
    chain = chain_for(None, tmp_path / "tpl")
    assert html_engine.reads_document(chain.jinja("targets", "html"))
    doc = docs(Path(shutil.copytree(TEST_BOOKS / "binhai-ipa-2026", tmp_path / "b")))["targets"]
    renderer = PdfRenderer(doc, RenderContext(chain, cache=Cache(None)))
    assert not renderer.by_content
    group = doc.groups[0]
    assert renderer.table_key(group, group.tables[0]) == renderer.key(
        renderer.job(renderer.alone(group, group.tables[0])))
