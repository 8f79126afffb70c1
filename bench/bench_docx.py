"""DOCX speed: tablegen's book build against the plain docxtpl approach, side by side.

The plain approach is what one writes first: a minimal template (one heading, a budget table,
a `{%tr for %}` indicator loop per project; no merges, bookmarks or TOC) rendered by docxtpl
with every project in its context. Run: `.venv/bin/python bench/bench_docx.py [N]`.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from common import make_book, timed
from docx import Document
from docxtpl import DocxTemplate

from tablegen.build import documents
from tablegen.kinds.targets import budget_cells, grid, numbered_goals
from tablegen.load.books import load_book_strict
from tablegen.model.book import Book
from tablegen.render.context import RenderContext
from tablegen.render.docx import DocxRenderer, estimated_pages, render
from tablegen.templates import chain_for


def plain_template(path: Path) -> None:
    doc = Document()
    doc.add_paragraph("{%p for t in tables %}")
    doc.add_paragraph("{{ t.heading }}", style="Heading 1")
    budget = doc.add_table(rows=2, cols=4)
    budget.style = "Table Grid"
    for i, text in enumerate(["项目名称", "{{ t.name }}", "预算数", "{{ t.total }}"]):
        budget.cell(0, i).text = text
    for i, text in enumerate(["财政资金", "{{ t.fiscal }}", "资金用途", "{{ t.usage }}"]):
        budget.cell(1, i).text = text
    rows = doc.add_table(rows=4, cols=5)
    rows.style = "Table Grid"
    for i, text in enumerate(["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]):
        rows.cell(0, i).text = text
    rows.cell(1, 0).text = "{%tr for r in t.rows %}"
    for i, key in enumerate(["l1", "l2", "name", "description", "value"]):
        rows.cell(2, i).text = "{{ r." + key + " }}"
    rows.cell(3, 0).text = "{%tr endfor %}"
    doc.add_paragraph("{%p endfor %}")
    doc.save(path)


def plain_render(template: Path, book: Book) -> bytes:
    tables = []
    for number, _, project in book.numbered():
        cells = budget_cells(project)
        tables.append({
            "heading": book.heading(number, project), "name": project.name,
            "total": cells[1], "fiscal": cells[3], "usage": project.usage,
            "goals": numbered_goals(project),
            "rows": [{"l1": r.level1.text, "l2": r.level2.text, "name": r.name,
                      "description": r.description, "value": r.value}
                     for r in grid(project, "none")],
        })
    tpl = DocxTemplate(str(template))
    tpl.render({"tables": tables}, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_book(Path(tmp) / "bench", n)
        load_time, book = timed(lambda: load_book_strict(folder))
        template = Path(tmp) / "plain.docx"
        plain_template(template)
        plain_s, plain_bytes = timed(lambda: plain_render(template, book), repeat=2)
        doc = next(d for d in documents(book) if d.kind == "targets")
        ctx = RenderContext(chain_for(book.root))  # without LibreOffice's 目录 page numbers
        renderer = DocxRenderer(ctx.templates.find_for(doc.kind, "docx", f"{doc.template}.docx"),
                                doc)
        ours_s, ours_bytes = timed(lambda: renderer.whole(estimated_pages(doc)), repeat=2)
        all_s, files = timed(lambda: render(doc, ctx))
    rows = sum(len(list(p.rows())) for p in book.projects)
    print(f"book: {n} projects, {rows} indicator rows (load and validate: {load_time:.2f} s)")
    print(f"plain docxtpl, one document:          {plain_s:6.2f} s  ({len(plain_bytes) / 1e6:.1f} MB)")
    print(f"tablegen book DOCX (TOC, merges, …):  {ours_s:6.2f} s  ({len(ours_bytes) / 1e6:.1f} MB)")
    print(f"ratio tablegen / plain:               {ours_s / plain_s:6.2f}  (target < 0.5)")
    print(f"tablegen book + {n} per-project files: {all_s:6.2f} s  ({len(files)} files)")


if __name__ == "__main__":
    main()
