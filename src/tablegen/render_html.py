"""HTML output: one self-contained page per book and `build/index.html`, the overview.

The same templates (`default_templates/html/`) drive the PDF (see render_pdf.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from .build import RenderContext
from .errors import Report
from .layout import (
    BUDGET_WIDTHS,
    GRID_WIDTHS,
    book_path,
    budget_cells,
    grid,
    heading_lines,
    numbered_goals,
    percent,
    shown_label,
    title_lines,
)
from .model import Agency, Book, Project, format_amount
from .selfeval import file_name, selfevals
from .templates import TemplateChain, render_template


def table_context(book: Book, number: int, agency: Agency, project: Project) -> dict[str, Any]:
    """One table as the `project_table` macro reads it."""
    cells = budget_cells(project)
    return {
        "number": number,
        "anchor": f"t{number}",
        "heading": book.heading(number, project),
        # The lines the PDF prints it on (the page shows it as one text, balanced by the browser).
        "heading_lines": heading_lines(book.heading(number, project)),
        "agency": f"{agency.code}{agency.name}",
        "unit": f"单位：{book.money_unit}",
        "name": project.name,
        "total": cells[1],
        "fiscal": cells[3],
        "other": cells[5],
        "usage": project.usage,
        "goals": numbered_goals(project),
        "budget_widths": percent(BUDGET_WIDTHS),
        "grid_widths": percent(GRID_WIDTHS),
        "rows": [{"index": i, "level1": shown_label(r.level1.text, 1), "span1": r.level1.rows,
                  "level2": shown_label(r.level2.text, 2), "span2": r.level2.rows,
                  "name": r.name, "description": r.description, "value": r.value}
                 for i, r in enumerate(grid(project, book.merge), 1)],
        "page": None,
    }


def row_groups(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows cut where a 一级 span starts: each group is one <tbody> that pages keep whole."""
    groups: list[list[dict[str, Any]]] = []
    for row in rows:
        if not groups or row["span1"] != 0:
            if not groups or row["span1"] > 1 or groups[-1][0]["span1"] > 1:
                groups.append([])
        groups[-1].append(row)
    return groups


def with_groups(table: dict[str, Any]) -> dict[str, Any]:
    """The table with its rows also cut into <tbody> groups (recomputed after a split)."""
    table["groups"] = row_groups(table["rows"])
    return table


def book_context(book: Book, mode: str) -> dict[str, Any]:
    """The book template's context; mode is html, pdf-front or pdf-body."""
    agencies: list[dict[str, Any]] = []
    for number, agency, project in book.numbered():
        if not agencies or agencies[-1]["agency"] is not agency:
            agencies.append({"agency": agency, "label": f"{agency.code}{agency.name}", "tables": []})
        agencies[-1]["tables"].append(with_groups(table_context(book, number, agency, project)))
    return {
        "mode": mode,
        "title": book.title,
        "title_lines": title_lines(book.title),
        "subtitle": f"{book.year}年 · 单位：{book.money_unit}",
        "author": book.author,
        "date": book.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "agencies": agencies,
    }


def render(book: Book, ctx: RenderContext) -> dict[str, bytes]:
    """`<book>/index.html`."""
    env = ctx.templates.jinja("html")
    html = render_template(env, "book.html.j2", book_context(book, "html"))
    ctx.tick(len(book.projects))
    return {f"{book.key}/index.html": html.encode("utf-8")}


def _sum(values: list[Decimal | None]) -> str:
    present = [v for v in values if v is not None]
    return format_amount(sum(present, Decimal(0))) if present else ""


OVERVIEW = ".overview"  # .overview/<book>.json: each book's part of index.html


def overview_entry(book: Book, report: Report, formats: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """One book's section of `index.html`: agencies, totals, warnings and links."""
    root = book.root or Path(book.key)
    agencies = []
    for agency in book.agencies:
        budgets = [p.budget for p in agency.projects]
        agencies.append({
            "label": f"{agency.code}{agency.name}", "count": len(agency.projects),
            "total": _sum([b.total for b in budgets]), "fiscal": _sum([b.fiscal for b in budgets]),
            "other": _sum([b.other for b in budgets]),
        })
    budgets = [p.budget for p in book.projects]
    warnings = [{"where": f"{f.pos}", "rule": f.rule, "message": f.message}
                for f in report.warnings if f.inside(root)]
    return {
        "key": book.key, "title": book.title, "unit": book.money_unit,
        "agencies": agencies, "count": len(book.projects),
        "total": _sum([b.total for b in budgets]), "fiscal": _sum([b.fiscal for b in budgets]),
        "other": _sum([b.other for b in budgets]), "warnings": warnings,
        "files": [{"href": book_path(book, fmt), "label": fmt.upper()}
                  for fmt in ("pdf", "docx", "xlsx") if fmt in formats]
        + _selfeval_links(book, formats),
        "evaluations": [{"heading": t.heading, "total": t.total, "grade": t.grade}
                        for t in selfevals(book)],
    }


def _selfeval_links(book: Book, formats: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    """Links to the 自评表 files of a book with execution data."""
    from .build import SELFEVAL_RENDERERS

    if not book.evaluated:
        return []
    return [{"href": file_name(book, fmt), "label": f"自评 {fmt.upper()}"}
            for fmt in SELFEVAL_RENDERERS if fmt in formats]


def earlier_entries(out: Path) -> dict[str, dict[str, Any]]:
    """The overview entries of books built earlier into `out` whose outputs are still there.

    An entry that does not read back as one is left out (and rebuilt with its book), never trusted.
    """
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted((out / OVERVIEW).glob("*.json")):
        if not (out / path.stem).is_dir():
            continue
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict) and entry.keys() == _ENTRY_KEYS and entry["key"] == path.stem:
            entries[entry["key"]] = entry
    return entries


_ENTRY_KEYS = {"key", "title", "unit", "agencies", "count", "total", "fiscal", "other", "warnings", "files",
               "evaluations"}


def render_index(books: list[Book], report: Report, templates: TemplateChain,
                 formats: list[str] | tuple[str, ...] = ("pdf", "docx", "xlsx"),
                 out: Path | None = None) -> dict[str, bytes]:
    """`index.html` listing these books and every book built earlier into `out`, by key.

    Each book's entry is also written as `.overview/<book>.json`, so that a later build of
    some books keeps the others in the overview.
    """
    entries = earlier_entries(out) if out is not None and out.is_dir() else {}
    files: dict[str, bytes] = {}
    for book in books:
        entry = overview_entry(book, report, formats)
        entries[book.key] = entry
        files[f"{OVERVIEW}/{book.key}.json"] = (
            json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    env = templates.jinja("html")
    listed = [entries[key] for key in sorted(entries)]
    html = render_template(env, "index.html.j2", {"title": "项目支出绩效目标表", "books": listed})
    files["index.html"] = html.encode("utf-8")
    return files
