"""Checking the book an import would write exactly as `tablegen check` would, before anything
is written: the book is put together in a folder of tablegen's own in the temp folder (the files
the book lists, then the new ones) and loaded by `check`'s own loader. Each error is reported at
the source table the file came from, since the file itself does not exist yet."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import rules, tempdirs
from ..errors import Pos, Report, display_path
from ..load.books import BOOK_FILE, load_paths
from ..model.book import Book
from .rows import Imported


def _reported(path: Path) -> str:
    """A path as a finding about it names it."""
    probe = Report()
    probe.add(Pos(display_path(path)), rules.PATH_MISSING, "")
    return probe.findings[0].pos.path


def verify(into: Path, out: dict[Path, str], imported: list[Imported], report: Report) -> None:
    """Every error check would find in the book `into` once `out` is written into it."""
    written = [it for it in imported if into / it.project.file in out]
    existing: Book | None = None
    if (into / BOOK_FILE).exists():
        books = load_paths([into]).books  # imported into: it had no errors
        existing = books[0] if books else None
    with tempdirs.folder("import") as tmp:
        stage = tmp / into.name
        stage.mkdir()
        if existing is not None and existing.root is not None:
            for project in existing.projects:  # the files it lists: check read them already
                target = stage / project.file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(existing.root / project.file, target)
        for path, text in out.items():
            target = stage / path.relative_to(into)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        found = load_paths([stage]).report
        sources = {_reported(stage / it.project.file): it for it in written}
        others = {_reported(stage / p.file): display_path(into / p.file)
                  for p in (existing.projects if existing else [])}
        others[_reported(stage / BOOK_FILE)] = display_path(into / BOOK_FILE)
        first = written[0].source if written else Pos(display_path(into / BOOK_FILE))
        for f in found.errors:
            it = sources.get(f.pos.path)
            if it is not None:
                named = f"{it.label}：" if it.label else f"{it.project.file}："
                report.add(it.source, rules.rule(f.rule), f"{named}{f.message}")
            else:  # book.yaml (or, for a rule across files, a file the book had)
                shown = others.get(f.pos.path, Path(f.pos.path).name)
                report.add(first, rules.rule(f.rule), f"导入后的 {shown}：{f.message}")
