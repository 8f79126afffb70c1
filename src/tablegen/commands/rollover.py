"""`tablegen rollover`: next year's book from this year's, written as a new book folder.

Years in names, goals and indicator texts move forward; a year that names a past event (one
before last year, or a document number such as `津财行政指[2025]69号`) stays and is listed for
review. Execution data is dropped; each indicator's last 实际完成值 stays as a comment (the
历史标准), and targets beaten by 30 % or more are listed for review.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Report, UsageError
from ..load.books import BOOK_FILE, load_book_strict
from ..load.loader import Node, parse
from ..model.book import Book, Indicator, Level1, Level2, Project
from ..model.scoring import BEATEN, measure, score_project
from ..source.yamlout import dump_book, dump_project
from ..writer import write_all
from .fmt import attach, book_paths, project_paths

# A year standing alone (not part of a longer number, not a quantity like `≥2000件`).
YEAR = re.compile(r"(?<![\d.≥≤<>=＝])((?:19|20)\d{2})(?!\d)")
# A document number's year: `[2025]`, `〔2025〕`, `（2025）…号`.
DOCUMENT_YEAR = re.compile(r"[\[〔【]((?:19|20)\d{2})[\]〕】]")


@dataclass(frozen=True)
class ReviewItem:
    """A text (or a target) the author should look at in the new book."""

    file: str  # the new book's file, relative to its folder
    where: str  # key path, as check messages name it
    text: str
    reason: str

    def line(self) -> str:
        return f"{self.file}: {self.where}：{self.reason}：“{self.text}”"


@dataclass
class Rollover:
    """What a rollover wrote and what it asks the author to review."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)


@dataclass
class _Shifter:
    """Moves the years of one book's texts forward and notes what it left or guessed."""

    year: int  # the old book's year
    delta: int

    def shift(self, text: str) -> tuple[str, list[str]]:
        """The text with its years moved forward, and the reasons to review it (if any)."""
        kept: list[str] = []
        last: list[str] = []
        documents = {m.start(1) for m in DOCUMENT_YEAR.finditer(text)}

        def move(m: re.Match[str]) -> str:
            y = int(m.group(1))
            if m.start(1) in documents:
                kept.append(f"{y}（文号）")
                return m.group(0)
            if y < self.year - 1:
                kept.append(str(y))
                return m.group(0)
            if y == self.year - 1:
                last.append(f"{y}→{y + self.delta}")
            return str(y + self.delta)

        new = YEAR.sub(move, text)
        reasons = []
        if kept:
            reasons.append(f"含往年或文号年份 {'、'.join(kept)}，未改动，请复核是否仍适用")
        if last:
            reasons.append(f"上年年份已顺延（{'、'.join(last)}），请复核")
        return new, reasons


def rollover(folder: Path, year: int, out: Path | None = None) -> Rollover:
    """Write next year's book (`year`) from the book in `folder` into a new folder."""
    book = load_book_strict(folder)
    delta = year - book.year
    if delta <= 0:
        raise UsageError(f"新年度 {year} 应晚于本书的预算年度 {book.year}")
    shifter = _Shifter(book.year, delta)
    dest = out or folder.parent / _new_folder_name(folder.name, shifter, year)
    if dest.exists():
        raise UsageError(f"目标文件夹已存在：{dest}（rollover 只写新文件夹，不覆盖）")
    result = Rollover(dest)
    files: dict[str, bytes] = {}
    names: list[list[str]] = []
    new_book = copy.copy(book)
    new_book.year = year
    new_book.title = _shifted(shifter, book.title, BOOK_FILE, "title", result)
    for agency in book.agencies:
        names.append([])
        for project in agency.projects:
            file = _file_name(shifter, project.file)
            names[-1].append(file)
            text = _project_text(book, project, shifter, file, result)
            files[file] = text.encode("utf-8")
    old = (folder / BOOK_FILE).read_text(encoding="utf-8")
    notes = attach(old, book_paths(_tree(old)))
    files[BOOK_FILE] = dump_book(new_book, names, notes).encode("utf-8")
    result.written = write_all(dest, files, quiet=True)
    return result


def _tree(text: str) -> Node:
    root = parse(text, "", Report())
    assert root is not None  # the book has just been loaded without errors
    return root


def _new_folder_name(name: str, shifter: _Shifter, year: int) -> str:
    new, _ = shifter.shift(name)
    return new if new != name else f"{name}-{year}"


def _file_name(shifter: _Shifter, file: str) -> str:
    path = Path(file)
    return str(path.with_name(shifter.shift(path.stem)[0] + path.suffix))


def _shifted(shifter: _Shifter, text: str, file: str, where: str, result: Rollover) -> str:
    new, reasons = shifter.shift(text)
    for reason in reasons:
        result.review.append(ReviewItem(file, where, new, reason))
    return new


def _project_text(book: Book, project: Project, shifter: _Shifter, file: str,
                  result: Rollover) -> str:
    """The new project file: texts shifted, execution dropped, last actuals as comments."""
    assert book.root is not None
    old = (book.root / project.file).read_text(encoding="utf-8")
    notes = attach(old, project_paths(_tree(old)))
    for key in list(notes):  # comments about execution data go with it
        if key.startswith("execution") or key.rsplit(".", 1)[-1] in (
                "actual", "grade", "score", "deviation"):
            del notes[key]
    score = score_project(project, book)
    beaten = {id(r.indicator): r.beaten for r in score.rows} if score else {}
    new = copy.deepcopy(project)
    new.execution = None
    new.name = _shifted(shifter, project.name, file, "name", result)
    new.usage = _shifted(shifter, project.usage, file, "usage", result)
    new.goals = [_shifted(shifter, g, file, f"goals[{i}]", result)
                 for i, g in enumerate(project.goals, 1)]
    for l1, l2, i, old_ind, ind in _pairs(project, new):
        item = f"{l1.name}.{l2.name}[{i}]"
        where = f"indicators.{item}"
        ind.name = _shifted(shifter, ind.name, file, f"{where}.name", result)
        if ind.description is not None:
            ind.description = _shifted(shifter, ind.description, file, f"{where}.description",
                                       result)
        ind.value = _shifted(shifter, ind.value, file, f"{where}.value", result)
        if old_ind.actual is not None:
            hint = f"历史标准：{book.year}年实际完成值 {old_ind.actual}"
            notes[f"{item}.value"] = "\n".join(filter(None, [notes.get(f"{item}.value"), hint]))
            far = beaten.get(id(old_ind))
            target = measure(old_ind.value)
            if far is not None and far >= BEATEN and target is not None:
                result.review.append(ReviewItem(
                    file, f"{where}.value", ind.value,
                    f"{book.year}年实际完成 {old_ind.actual}，超出指标值 30% 以上，请考虑调整指标值"))
        ind.actual = ind.grade = ind.deviation = None
        ind.score = None
    return dump_project(new, notes)


def _pairs(old: Project, new: Project
           ) -> Iterator[tuple[Level1, Level2, int, Indicator, Indicator]]:
    """(一级, 二级, row number in the 二级, old indicator, new indicator), in order."""
    olds = iter([ind for _, _, ind in old.rows()])
    for l1 in new.indicators:
        for l2 in l1.groups:
            for i, ind in enumerate(l2.indicators, 1):
                yield l1, l2, i, next(olds), ind
